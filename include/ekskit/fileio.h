/*
 * Safe file replacement, the git way (lockfile.h):
 *   - a lock `<file>.lock` created with O_CREAT|O_EXCL (compatible with
 *     client-go's kubeconfig lock), removed on every exit path;
 *   - the new content written to a temp file in the same directory, created
 *     with its final mode, fsync'd, then rename()d over the target, so a
 *     crash leaves either the old or the new file, never a torn one;
 *   - a symlinked target is updated through the link (the link stays),
 *     unless the kernel's protected_symlinks rule would refuse to follow
 *     it (a link planted by another user in a sticky world-writable
 *     directory such as /tmp): then the write is refused;
 *   - the lock records its owner (pid, host, boot id, process start
 *     time) so that a lock left by a killed run is recognised as stale,
 *     and locks and temp files are removed on SIGINT/SIGTERM/SIGHUP.
 */
#ifndef EKSKIT_FILEIO_H
#define EKSKIT_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "ekskit/error.h"

struct ek_lockfile {
	char *lock_path;        /* owned; NULL when not held */
};

/*
 * Take `<path>.lock`, retrying every 50 ms for up to timeout_ms.  The lock
 * file holds "pid N\nhost H\nboot B\nstart S\n"; a lock whose owner is
 * gone (same host and boot, and no process with that pid and start time;
 * or the same host after a reboot) is stale and taken over at once.  An
 * empty lock (client-go's) or one from another host is waited for.  When
 * the lock stays held: EKSKIT_ERR_BUSY with a message naming the lock
 * file, its age and owner, and that it may be stale.  Until released, the
 * lock is removed if the process gets SIGINT, SIGTERM or SIGHUP (handlers
 * are installed only where the disposition is the default).  lk must be
 * zeroed by the caller; release with ek_lock_release.
 */
int ek_lock_acquire(const char *path, long timeout_ms, struct ek_lockfile *lk,
    struct ekskit_err *err);
/* Remove the lock if held.  Safe to call twice or on a zeroed struct. */
void ek_lock_release(struct ek_lockfile *lk);

struct ek_write_opts {
	mode_t mode;            /* mode for a new file (e.g. 0600) */
	int keep_existing_mode; /* an existing target keeps its mode and owner */
	const char *backup_path;/* if set and the target exists, keep the old file here */
};

/*
 * Atomically replace `path` with `len` bytes of `data` (temp + fsync +
 * rename, directory fsync'd).  A symlink at `path` is followed and its
 * target replaced, as ek_resolve_link_checked allows.  On failure the old
 * file is intact and the temp removed.
 * Errors: EKSKIT_ERR_PERM (not writable, message suggests sudo when not
 * root; or a refused symlink), EKSKIT_ERR_IO, or EKSKIT_ERR_BUSY when
 * rename() gives EBUSY/EXDEV (bind-mounted files; callers may then fall
 * back to ek_rewrite_in_place).
 */
int ek_write_atomic(const char *path, const void *data, size_t len,
    const struct ek_write_opts *opts, struct ekskit_err *err);

/*
 * For --output-file: ek_write_atomic with `mode` for a new file, but a
 * symlink at path is followed only when it is the caller's own (never
 * write through a link someone else planted).
 */
int ek_write_output_file(const char *path, const void *data, size_t len,
    mode_t mode, struct ekskit_err *err);

/*
 * Rewrite `path` in place, for targets that cannot be renamed over (a
 * bind-mounted kubeconfig or /etc/hosts).  Not atomic, so it is careful:
 *   1. the old content is read and, when backup_path is set, kept there
 *      (atomically, with the target's mode) before anything is touched;
 *   2. the space for the new content is reserved first (fallocate), so a
 *      full disk fails before the first byte is written;
 *   3. any later failure writes the old bytes back.
 * The file is thus the old or the new version, byte for byte; an error
 * names the backup.  EKSKIT_ERR_IO / EKSKIT_ERR_PERM / EKSKIT_ERR_NOMEM.
 */
int ek_rewrite_in_place(const char *path, const void *data, size_t len,
    const char *backup_path, struct ekskit_err *err);

/* ek_rewrite_in_place without a backup (kept for existing callers). */
int ek_write_in_place(const char *path, const void *data, size_t len,
    struct ekskit_err *err);

/*
 * Open `path` read-only without blocking (a FIFO cannot hang us), check
 * with fstat that it is a regular file, then clear O_NONBLOCK.  *fd is
 * the open descriptor (caller closes).  EKSKIT_ERR_NOT_FOUND (ENOENT),
 * EKSKIT_ERR_PERM, EKSKIT_ERR_IO (also for a FIFO, device or directory);
 * err names the file.  ek_read_file (buf.h) uses it.
 */
int ek_open_regular(const char *path, int *fd, struct ekskit_err *err);

/* write() all len bytes, resuming after EINTR and short writes.  0 or -1 (errno set). */
int ek_write_all(int fd, const void *data, size_t len);

/* mkdir -p with `mode` for the directories it creates. */
int ek_mkdir_p(const char *dir, mode_t mode, struct ekskit_err *err);

/*
 * Resolve symlinks in the final component(s) of path into *out (malloc'd,
 * caller frees; path itself copied when it is not a link or does not
 * exist).  A link is refused, as the kernel's protected_symlinks would
 * refuse it whatever the sysctl says, when it sits in a sticky
 * world-writable directory and belongs neither to the caller (euid) nor
 * to the directory's owner; with own_links_only, every link that is not
 * the caller's own is refused.  EKSKIT_ERR_PERM (message names the link
 * and its owner) or EKSKIT_ERR_NOMEM.
 */
int ek_resolve_link_checked(const char *path, int own_links_only, char **out,
    struct ekskit_err *err);

/*
 * ek_resolve_link_checked without the error: a refused link is not
 * followed (its own path is returned).  NULL on allocation failure.
 */
char *ek_resolve_link(const char *path);

#endif /* EKSKIT_FILEIO_H */
