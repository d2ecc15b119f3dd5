/*
 * The credential cache.
 *
 * Credentials that cost a network call, a process or an MFA prompt
 * (assume-role, web identity, SSO, credential_process, container, IMDS)
 * are kept per user in $XDG_CACHE_HOME/ekskit (default ~/.cache/ekskit),
 * one JSON file per key.  The key is the SHA-256 of every input that
 * changes the result (the caller adds them with cache_key_add).
 *
 * Safety rules:
 *   - the directory is created 0700; a directory or entry not owned by the
 *     user, readable/writable by others, or reached through a symlink is
 *     ignored with a warning (entries are opened with O_NOFOLLOW);
 *   - entries are written atomically (temp file in the same directory,
 *     fsync, rename) while holding `<key>.lock` with flock(), so concurrent
 *     runs never read a torn entry and only one of them fetches;
 *   - an entry is used only while at least CACHE_MARGIN_SECONDS of
 *     validity are left; credentials without an expiry are never cached;
 *   - secrets read from or written to disk are wiped from memory.
 */
#ifndef EKSKIT_CACHE_H
#define EKSKIT_CACHE_H

#include <stddef.h>
#include <time.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

struct aws_credentials;
struct creds_ctx;

/* Entries with less validity than this left are treated as expired. */
#define CACHE_MARGIN_SECONDS 300
/* How long a run waits for another run that is fetching the same key. */
#define CACHE_LOCK_TIMEOUT_MS 60000
/* Largest entry we read (entries are a few hundred bytes). */
#define CACHE_MAX_ENTRY 65536

/* Key material: "kind" plus name=value pairs, hashed into the file name. */
struct cache_key {
	struct ekbuf text;    /* owned; may hold identities, never secrets */
};

/* Start a key for one kind of source ("assume-role", "sso", ...). */
int cache_key_init(struct cache_key *k, const char *kind);
/* Add one input (value NULL is recorded as unset, distinct from ""). */
int cache_key_add(struct cache_key *k, const char *name, const char *value);
/* Add an input that must not be stored in clear: only its SHA-256 is kept. */
int cache_key_add_hashed(struct cache_key *k, const char *name, const char *value);
/* The key as 64 lowercase hex characters into hex[65]. */
int cache_key_hex(const struct cache_key *k, char hex[65]);
void cache_key_release(struct cache_key *k);

/* Called for warnings (ignored entries, unusable directory).  NULL = silent. */
typedef void (*cache_warn_fn)(const char *msg);
/* Process-wide warning sink used when cache_opts.warn is NULL (tools set it). */
void cache_set_warn_handler(cache_warn_fn fn);

struct cache_opts {
	const char *dir;      /* cache directory; NULL = cache_default_dir() */
	time_t now;           /* 0 = time(NULL) */
	int margin;           /* seconds; 0 = CACHE_MARGIN_SECONDS */
	long lock_timeout_ms; /* 0 = CACHE_LOCK_TIMEOUT_MS */
	int disabled;         /* --no-cache: always fetch, never read or write */
	int verbose;          /* log hits/misses (no secrets) to stderr */
	cache_warn_fn warn;   /* NULL = the process-wide handler */
};

/*
 * The default directory: $XDG_CACHE_HOME/ekskit if XDG_CACHE_HOME is an
 * absolute path, else $HOME/.cache/ekskit.  *out malloc'd (caller frees).
 * EKSKIT_ERR_CONFIG when neither variable is usable.
 */
int cache_default_dir(char **out, struct ekskit_err *err);

/* Produce fresh credentials; 0 with *out owned by the cache layer. */
typedef int (*cache_fetch_fn)(void *arg, struct aws_credentials **out,
    struct ekskit_err *err);

/*
 * Return cached credentials for key when an entry with enough validity
 * exists, otherwise call fetch (once across concurrent processes: the lock
 * is held while fetching) and store its result.  Cache problems never fail
 * the call: they are warned about and the credentials fetched directly.
 * *out is owned by the caller (aws_credentials_free).  Errors are fetch's.
 */
int cache_get_or_fetch(const struct cache_key *key, const struct cache_opts *o,
    cache_fetch_fn fetch, void *arg, struct aws_credentials **out,
    struct ekskit_err *err);

/* Same, with the options taken from a provider context (no_cache, now, verbose). */
int cache_creds(const struct creds_ctx *ctx, const struct cache_key *key,
    cache_fetch_fn fetch, void *arg, struct aws_credentials **out,
    struct ekskit_err *err);

/*
 * Look up only (no lock, no fetch): 0 with *out, EKSKIT_ERR_NOT_FOUND when
 * absent, expired, within the margin, or ignored for safety reasons.
 */
int cache_lookup(const struct cache_key *key, const struct cache_opts *o,
    struct aws_credentials **out, struct ekskit_err *err);

/* Store credentials under key (atomic; takes the lock). */
int cache_store(const struct cache_key *key, const struct cache_opts *o,
    const struct aws_credentials *c, struct ekskit_err *err);

/*
 * Read another program's cache file dir/name (the AWS CLI's) with the
 * same safety rules as our entries: dir owned by us and not writable by
 * others, not reached through a symlink; the file a regular file owned by
 * us, mode without group/other bits, at most b's cap (b is initialised by
 * the caller, secret).  EKSKIT_ERR_NOT_FOUND when absent or unsafe
 * (warned through o->warn / the process-wide handler).
 */
int cache_read_foreign(const char *dir, const char *name,
    const struct cache_opts *o, struct ekbuf *b);

/*
 * Remove every cache entry (and stale temp/lock files) from dir (NULL =
 * default).  *removed (may be NULL) gets the number of entries removed.
 * A missing directory is not an error.
 */
int cache_clear(const char *dir, int *removed, struct ekskit_err *err);

/* Serialise / parse an entry (exposed for tests and fuzzing).  Secret buffers. */
int cache_entry_encode(const struct aws_credentials *c, struct ekbuf *out,
    struct ekskit_err *err);
int cache_entry_decode(const char *data, size_t len,
    struct aws_credentials **out, struct ekskit_err *err);

#endif /* EKSKIT_CACHE_H */
