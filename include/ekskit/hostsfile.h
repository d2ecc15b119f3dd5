/*
 * Managed blocks in a hosts file (/etc/hosts).
 *
 * eks-hosts owns exactly the lines between
 *	# BEGIN eks-hosts <region>/<cluster>
 *	# END eks-hosts <region>/<cluster>
 * and nothing else: every byte outside the block is preserved (CRLF line
 * ends, a missing final newline, tabs, comments, other tools' blocks, other
 * clusters' blocks).  Inside the block there is one "ADDRESS HOST" line per
 * address.
 *
 * Two layers:
 *  - pure text edits on a buffer (hostsfile_edit, hostsfile_block_addrs,
 *    hostsfile_lookup): no I/O, unit-tested and
 *    fuzzed;
 *  - hostsfile_update: lock, read, edit, and write the file safely
 *    (atomic rename keeping mode and owner, one backup, an in-place
 *    fallback for bind-mounted files, a read-only report).
 */
#ifndef EKSKIT_HOSTSFILE_H
#define EKSKIT_HOSTSFILE_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

#define HOSTSFILE_DEFAULT_PATH "/etc/hosts"
#define HOSTSFILE_ENV_PATH "EKS_HOSTS_FILE"      /* overrides the default path */
#define HOSTSFILE_LOCK_SUFFIX ".eks-hosts.lock"  /* sidecar flock file */
#define HOSTSFILE_BACKUP_SUFFIX ".eks-hosts.bak" /* one backup of the previous file */
#define HOSTSFILE_MAX_ADDRS 256

/*
 * The hosts file to use: flag (if non-NULL and non-empty) > $EKS_HOSTS_FILE
 * > /etc/hosts.  Borrowed pointer (the flag, the environment, or a literal).
 */
const char *hostsfile_default_path(const char *flag_path);

/*
 * 1 if s is a valid hosts-file host name: 1..253 characters, dot-separated
 * LDH labels of 1..63 characters that neither start nor end with '-'.
 */
int hostsfile_valid_hostname(const char *s);

/*
 * Replace, insert or remove the block of region/cluster in `old` (old_len
 * bytes, may contain anything).  naddrs == 0 removes the block.  Addresses
 * must be valid IPv4/IPv6 literals (inet_pton) and host a valid hostname;
 * region and cluster must be plain names (letters, digits, '-', '_').
 *
 * A missing block is appended at the end of the file; when the file lacks a
 * final newline the block is added after a newline and itself ends without
 * one, so --remove gives back the original bytes.  Line ends in the block
 * follow the file (CRLF if its first line ends in CRLF).  Duplicated blocks
 * of the same key collapse into one at the first position.  A BEGIN without
 * its END (or an END without BEGIN) is an error: we never guess where a
 * damaged block ends.
 *
 * On success *out (malloc'd, NUL-terminated, caller frees) holds the new
 * text, *out_len its length, and *changed is 1 iff it differs from old.
 */
int hostsfile_edit(const char *old, size_t old_len, const char *region,
    const char *cluster, const char *host, const char *const *addrs, size_t naddrs,
    char **out, size_t *out_len, int *changed, struct ekskit_err *err);

/*
 * Render just the block (what would be inserted), with "\n" line ends, into
 * *out (malloc'd, caller frees).  Used to show the block when the file
 * cannot be written.
 */
int hostsfile_render_block(const char *region, const char *cluster,
    const char *host, const char *const *addrs, size_t naddrs, char **out,
    struct ekskit_err *err);

/*
 * The addresses listed for `host` inside the block of region/cluster.
 * *addrs_out is a NULL-terminated malloc'd array (free with
 * ek_strv_free); an absent block gives an empty array.  *found is
 * set to 1 when the block exists.
 */
int hostsfile_block_addrs(const char *text, size_t len, const char *region,
    const char *cluster, const char *host, char ***addrs_out, int *found,
    struct ekskit_err *err);

/*
 * Every address the hosts file maps `host` to (any line, in file order,
 * de-duplicated), the way the `files` NSS source sees it: comments
 * stripped, fields split on blanks, names compared case-insensitively.
 * NULL-terminated array, free with ek_strv_free.
 */
int hostsfile_lookup(const char *text, size_t len, const char *host,
    char ***addrs_out, struct ekskit_err *err);

/*
 * Cluster names of every eks-hosts block of `region` in the text, in file
 * order, de-duplicated.  NULL-terminated, free with ek_strv_free.
 */
int hostsfile_list_clusters(const char *text, size_t len, const char *region,
    char ***clusters_out, struct ekskit_err *err);

/* One eks-hosts block as found in a file. */
struct hostsfile_block {
	char *region;
	char *cluster;
	char *host;               /* the first valid host name it maps, or NULL */
	char **addrs;             /* valid addresses in file order, unique; NULL-terminated */
};

/*
 * Every eks-hosts block of the text, of any region, in file order (blocks
 * of one key found twice are one entry).  Marker lines whose key is not
 * plain "region/cluster" are ignored; a damaged block is an error
 * (EKSKIT_ERR_INVALID with its line).  *out (n entries) freed with
 * hostsfile_blocks_free; an empty array may be NULL with n 0.
 */
int hostsfile_list_blocks(const char *text, size_t len,
    struct hostsfile_block **out, size_t *n, struct ekskit_err *err);
void hostsfile_blocks_free(struct hostsfile_block *b, size_t n);

/*
 * The text with every eks-hosts block taken out, as --remove would leave
 * it.  *out malloc'd (caller frees), *out_len its length.
 */
int hostsfile_strip_blocks(const char *text, size_t len, char **out,
    size_t *out_len, struct ekskit_err *err);

struct hostsfile_update {
	const char *path;         /* the hosts file (symlinks followed) */
	const char *region;
	const char *cluster;
	const char *host;         /* endpoint host name (ignored for remove) */
	const char *const *addrs;       /* addresses (ignored for remove) */
	size_t naddrs;
	int remove;               /* delete the block instead */
	int dry_run;              /* compute the diff, write nothing */
	long lock_timeout_ms;     /* 0 = 30000 */
};

struct hostsfile_result {
	int changed;              /* the new text differs from the old */
	int written;              /* the file was written */
	int in_place;             /* written with the in-place fallback */
	int read_only;            /* the file is read-only: nothing written */
	char *diff;               /* unified diff old -> new ("" when unchanged); owned */
	char *block;              /* the block as it should appear; owned, may be NULL */
	char *backup_path;        /* where the previous file was kept; owned, may be NULL */
	char *target;             /* the file actually edited (symlinks resolved); owned */
};

/*
 * Edit the hosts file as described above:
 *  - take the sidecar lock `<target>.eks-hosts.lock` (flock, exclusive) so
 *    that concurrent runs serialize, then read the file;
 *  - no change: nothing is written (mtime unchanged), written = 0;
 *  - dry run: diff filled, nothing written;
 *  - a read-only file (mode without any write bit, or a read-only mount):
 *    read_only = 1, block filled, nothing written, returns 0;
 *  - otherwise the file is replaced atomically (ek_write_atomic, mode and
 *    owner kept, previous file hard-linked to `<target>.eks-hosts.bak`);
 *    when rename cannot work (EBUSY/EXDEV: a bind-mounted file) a copy of
 *    the previous file is written to the backup and the file is rewritten
 *    in place (in_place = 1).
 * Not root and not writable: EKSKIT_ERR_PERM suggesting sudo, nothing
 * written.  res is filled on success and must be released with
 * hostsfile_result_release in every case.
 *
 * Test hook: with EKSKIT_TEST_LOOPBACK_ONLY=1 and
 * EKSKIT_TEST_HOSTS_FAIL_RENAME=1 the atomic path is treated as if rename
 * had returned EBUSY (to exercise the fallback without a bind mount).
 */
int hostsfile_update(const struct hostsfile_update *u,
    struct hostsfile_result *res, struct ekskit_err *err);
void hostsfile_result_release(struct hostsfile_result *res);

/*
 * --restore: put `<target>.eks-hosts.bak` back (u->path, dry_run and
 * lock_timeout_ms are used), through the same path as hostsfile_update:
 * lock, atomic replace keeping mode and owner, and the replaced file kept
 * as the new backup (a second restore undoes the first).  Refused, with
 * nothing written: no backup (EKSKIT_ERR_NOT_FOUND); a backup that is not
 * ours: a symlink or not a regular file, another owner, writable by
 * group/others, or different from the current file outside the eks-hosts
 * blocks (EKSKIT_ERR_INVALID); a corrupt one: NUL bytes, a damaged block,
 * too large (EKSKIT_ERR_INVALID / EKSKIT_ERR_NOMEM).  res as for
 * hostsfile_update (diff: current -> backup).
 */
int hostsfile_restore(const struct hostsfile_update *u,
    struct hostsfile_result *res, struct ekskit_err *err);

#endif /* EKSKIT_HOSTSFILE_H */
