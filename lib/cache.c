/* The credential cache: see include/ekskit/cache.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "creds_json.h"
#include "ekskit/cache.h"
#include "ekskit/creds.h"
#include "ekskit/fileio.h"
#include "ekskit/termsafe.h"
#include "ekskit/timeutil.h"

#define ENTRY_SUFFIX ".json"
#define LOCK_SUFFIX ".lock"
#define LOCK_POLL_MS 20

static cache_warn_fn default_warn;

void
cache_set_warn_handler(cache_warn_fn fn)
{
	default_warn = fn;
}

static void warn(const struct cache_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
warn(const struct cache_opts *o, const char *fmt, ...)
{
	cache_warn_fn fn = o && o->warn ? o->warn : default_warn;
	char msg[1024];
	va_list ap;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(msg);
}

/* ---- keys ---- */

int
cache_key_init(struct cache_key *k, const char *kind)
{
	ekbuf_init(&k->text, 64 * 1024);
	return ekbuf_printf(&k->text, "ekskit-cache-v1\nkind=%s\n", kind);
}

/* Length-prefixed so that no pair of values can collide with another split. */
int
cache_key_add(struct cache_key *k, const char *name, const char *value)
{
	if (value == NULL)
		return ekbuf_printf(&k->text, "%zu:%s=-\n", strlen(name), name);
	return ekbuf_printf(&k->text, "%zu:%s=%zu:%s\n", strlen(name), name,
	    strlen(value), value);
}

static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

int
cache_key_add_hashed(struct cache_key *k, const char *name, const char *value)
{
	char hex[65];

	if (value == NULL)
		return cache_key_add(k, name, NULL);
	sha256_hex(value, strlen(value), hex);
	return cache_key_add(k, name, hex);
}

int
cache_key_hex(const struct cache_key *k, char hex[65])
{
	if (k->text.data == NULL)
		return EKSKIT_ERR_INVALID;
	sha256_hex(k->text.data, k->text.len, hex);
	return EKSKIT_OK;
}

void
cache_key_release(struct cache_key *k)
{
	if (k != NULL)
		ekbuf_release(&k->text);
}

/* ---- entries ---- */

int
cache_entry_encode(const struct aws_credentials *c, struct ekbuf *out,
    struct ekskit_err *err)
{
	char exp[21];
	json_t *o;
	char *s;
	int r;

	if (timeutil_format_rfc3339(c->expiration, exp) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "credential expiry %lld is out of range", (long long)c->expiration);
	creds_json_wipe_on_free();
	o = json_pack("{s:i, s:s, s:s, s:s?, s:s, s:s?}", "Version", 1,
	    "AccessKeyId", c->access_key_id, "SecretAccessKey",
	    c->secret_access_key, "SessionToken", c->session_token,
	    "Expiration", exp, "Provider", c->provider);
	if (o == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "encoding a cache entry");
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);  /* jansson frees its own copies; they are not wiped */
	if (s == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "encoding a cache entry");
	r = ekbuf_puts(out, s);
	r = r == EKSKIT_OK ? ekbuf_putc(out, '\n') : r;
	ek_free_secret(s);
	if (r != EKSKIT_OK)
		return ekskit_err_set(err, r, "encoding a cache entry");
	return EKSKIT_OK;
}

static const char *
json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
cache_entry_decode(const char *data, size_t len, struct aws_credentials **out,
    struct ekskit_err *err)
{
	const char *akid, *secret, *token, *exp, *prov;
	json_error_t jerr;
	time_t expiry;
	json_t *o;
	int r = EKSKIT_ERR_INVALID;

	*out = NULL;
	creds_json_wipe_on_free();
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		ekskit_err_set(err, r, "malformed cache entry (line %d)", jerr.line);
		goto out;
	}
	akid = json_str(o, "AccessKeyId");
	secret = json_str(o, "SecretAccessKey");
	token = json_str(o, "SessionToken");
	exp = json_str(o, "Expiration");
	prov = json_str(o, "Provider");
	if (json_integer_value(json_object_get(o, "Version")) != 1 ||
	    akid == NULL || *akid == '\0' || secret == NULL || *secret == '\0' ||
	    exp == NULL || timeutil_parse_rfc3339(exp, &expiry) != EKSKIT_OK) {
		ekskit_err_set(err, r, "cache entry lacks fields or has a bad version");
		goto out;
	}
	*out = aws_credentials_new(akid, secret, token, expiry,
	    prov != NULL ? prov : "cache");
	r = *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	return r;
}

/* ---- directory and file safety ---- */

int
cache_default_dir(char **out, struct ekskit_err *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct ekbuf b;

	*out = NULL;
	ekbuf_init(&b, PATH_MAX);
	if (xdg != NULL && xdg[0] == '/')
		ekbuf_printf(&b, "%s/ekskit", xdg);
	else if (home != NULL && home[0] == '/')
		ekbuf_printf(&b, "%s/.cache/ekskit", home);
	else
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no cache directory: set HOME or XDG_CACHE_HOME (or use --no-cache)");
	if (b.data == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "cache path too long");
	*out = ekbuf_detach(&b, NULL);
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/* 1 if st is safe: owned by us, nothing for group/other. */
static int
private_to_us(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 077) == 0;
}

/*
 * Open (creating if needed) the cache directory.  Returns an O_DIRECTORY fd
 * or -1 after a warning: the cache is then skipped, never fatal.
 */
static int
open_cache_dir(const struct cache_opts *o, int create, char **dir_out)
{
	struct ekskit_err e;
	struct stat st;
	char *dir = NULL;
	int fd = -1;

	*dir_out = NULL;
	ekskit_err_clear(&e);
	if (o->dir != NULL)
		dir = strdup(o->dir);
	else if (cache_default_dir(&dir, &e) != EKSKIT_OK) {
		warn(o, "credential cache disabled: %s", e.msg);
		return -1;
	}
	if (dir == NULL)
		return -1;
	if (create && mkdir(dir, 0700) == -1 && errno == ENOENT) {
		char *parent = strdup(dir), *slash;
		if (parent != NULL && (slash = strrchr(parent, '/')) != NULL &&
		    slash != parent) {
			*slash = '\0';
			(void)ek_mkdir_p(parent, 0700, NULL);
		}
		free(parent);
		(void)mkdir(dir, 0700);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			warn(o, "ignoring the credential cache %s: it is a symlink "
			    "or not a directory", dir);
		else if (errno != ENOENT)
			warn(o, "ignoring the credential cache %s: %s", dir,
			    strerror(errno));
		free(dir);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !private_to_us(&st)) {
		warn(o, "ignoring the credential cache %s: it must be owned by uid "
		    "%ld with mode 0700 (it has uid %ld, mode %04o); fix it with "
		    "`chmod 700 %s` or remove it", dir, (long)geteuid(),
		    (long)st.st_uid, (unsigned)(st.st_mode & 07777), dir);
		close(fd);
		free(dir);
		return -1;
	}
	*dir_out = dir;
	return fd;
}

/* Read an entry; NOT_FOUND for absent, unsafe (warned), expired or corrupt. */
static int
read_entry(int dirfd, const char *dir, const char *name,
    const struct cache_opts *o, time_t now, struct aws_credentials **out)
{
	struct ekbuf b;
	struct stat st;
	char chunk[4096];
	ssize_t n;
	int fd, r = EKSKIT_ERR_NOT_FOUND;
	int margin = o->margin > 0 ? o->margin : CACHE_MARGIN_SECONDS;

	*out = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			warn(o, "ignoring cache entry %s/%s: it is a symlink", dir, name);
		else if (errno != ENOENT)
			warn(o, "ignoring cache entry %s/%s: %s", dir, name,
			    strerror(errno));
		return EKSKIT_ERR_NOT_FOUND;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		warn(o, "ignoring cache entry %s/%s: not a regular file", dir, name);
		close(fd);
		return EKSKIT_ERR_NOT_FOUND;
	}
	if (!private_to_us(&st)) {
		warn(o, "ignoring cache entry %s/%s: it must be owned by uid %ld "
		    "with mode 0600 (it has uid %ld, mode %04o)", dir, name,
		    (long)geteuid(), (long)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return EKSKIT_ERR_NOT_FOUND;
	}
	ekbuf_init_secret(&b, CACHE_MAX_ENTRY);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (ekbuf_append(&b, chunk, (size_t)n) != EKSKIT_OK) {
			n = -1;
			break;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	if (n == 0 && b.data != NULL &&
	    cache_entry_decode(b.data, b.len, out, NULL) == EKSKIT_OK) {
		if ((*out)->expiration - now >= margin) {
			r = EKSKIT_OK;
		} else {
			aws_credentials_free(*out);
			*out = NULL;
		}
	} else {
		warn(o, "ignoring unreadable cache entry %s/%s", dir, name);
	}
	ekbuf_release(&b);
	return r;
}

/* Temp file in the cache directory, fsync, rename over the entry. */
static int
write_entry(int dirfd, const char *dir, const char *name,
    const struct aws_credentials *c, const struct cache_opts *o)
{
	struct ekbuf data;
	unsigned char rnd[8];
	char tmp[128];
	int fd, r = -1;

	ekbuf_init_secret(&data, CACHE_MAX_ENTRY);
	if (cache_entry_encode(c, &data, NULL) != EKSKIT_OK)
		goto out;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	snprintf(tmp, sizeof(tmp), ".tmp.%ld.%02x%02x%02x%02x%02x%02x", (long)getpid(),
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		goto out;
	if (fchmod(fd, 0600) == -1 || ek_write_all(fd, data.data, data.len) == -1 ||
	    fsync(fd) == -1) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		goto out;
	}
	if (close(fd) == -1 || renameat(dirfd, tmp, dirfd, name) == -1) {
		unlinkat(dirfd, tmp, 0);
		goto out;
	}
	(void)fsync(dirfd);
	r = 0;
out:
	if (r != 0)
		warn(o, "could not write cache entry %s/%s: %s", dir, name,
		    strerror(errno));
	ekbuf_release(&data);
	return r;
}

/*
 * flock() a per-key lock file (kept, never unlinked: unlinking a flock'd
 * file races with waiters).  Returns the fd or -1 (warned).  The lock goes
 * away with the fd, also when the process dies.
 */
static int
lock_entry(int dirfd, const char *dir, const char *lockname,
    const struct cache_opts *o)
{
	long timeout = o->lock_timeout_ms > 0 ? o->lock_timeout_ms :
	    CACHE_LOCK_TIMEOUT_MS, waited = 0;
	struct stat st;
	int fd;

	fd = openat(dirfd, lockname, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		warn(o, "ignoring the credential cache: cannot use lock %s/%s",
		    dir, lockname);
		if (fd != -1)
			close(fd);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= timeout) {
			warn(o, "credential cache lock %s/%s still held after %ld ms; "
			    "fetching without the cache", dir, lockname, waited);
			close(fd);
			return -1;
		}
		timeutil_sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	return fd;
}

static void
names_for(const struct cache_key *key, char entry[80], char lock[80])
{
	char hex[65];

	if (cache_key_hex(key, hex) != EKSKIT_OK)
		memset(hex, '0', sizeof(hex) - 1), hex[64] = '\0';
	snprintf(entry, 80, "%s%s", hex, ENTRY_SUFFIX);
	snprintf(lock, 80, "%s%s", hex, LOCK_SUFFIX);
}

static time_t
now_of(const struct cache_opts *o)
{
	return o->now ? o->now : time(NULL);
}

int
cache_lookup(const struct cache_key *key, const struct cache_opts *o,
    struct aws_credentials **out, struct ekskit_err *err)
{
	char entry[80], lock[80], *dir = NULL;
	int dirfd, r;

	(void)err;
	*out = NULL;
	if (o->disabled || (dirfd = open_cache_dir(o, 0, &dir)) == -1)
		return EKSKIT_ERR_NOT_FOUND;
	names_for(key, entry, lock);
	r = read_entry(dirfd, dir, entry, o, now_of(o), out);
	close(dirfd);
	free(dir);
	return r;
}

int
cache_store(const struct cache_key *key, const struct cache_opts *o,
    const struct aws_credentials *c, struct ekskit_err *err)
{
	char entry[80], lock[80], *dir = NULL;
	int dirfd, lockfd, r = EKSKIT_ERR_IO;

	if (o->disabled || c->expiration == 0)
		return EKSKIT_OK;
	if ((dirfd = open_cache_dir(o, 1, &dir)) == -1)
		return ekskit_err_set(err, EKSKIT_ERR_IO, "credential cache unusable");
	names_for(key, entry, lock);
	if ((lockfd = lock_entry(dirfd, dir, lock, o)) != -1) {
		if (write_entry(dirfd, dir, entry, c, o) == 0)
			r = EKSKIT_OK;
		close(lockfd);
	}
	close(dirfd);
	free(dir);
	return r == EKSKIT_OK ? r : ekskit_err_set(err, r, "cannot write the credential cache");
}

static void
vlog(const struct cache_opts *o, const char *what, const char *entry)
{
	if (o->verbose)
		term_printf(stderr, "credential cache: %s (%.16s...)\n", what, entry);
}

int
cache_get_or_fetch(const struct cache_key *key, const struct cache_opts *o,
    cache_fetch_fn fetch, void *arg, struct aws_credentials **out,
    struct ekskit_err *err)
{
	char entry[80], lock[80], *dir = NULL;
	int dirfd = -1, lockfd = -1, r;
	time_t now = now_of(o);

	*out = NULL;
	if (o->disabled) {
		if (o->verbose)
			term_printf(stderr, "credential cache: disabled (--no-cache)\n");
		return fetch(arg, out, err);
	}
	if ((dirfd = open_cache_dir(o, 1, &dir)) == -1)
		return fetch(arg, out, err);
	names_for(key, entry, lock);
	/* fast path: a complete entry is always there or not (rename is atomic) */
	if (read_entry(dirfd, dir, entry, o, now, out) == EKSKIT_OK) {
		vlog(o, "hit", entry);
		r = EKSKIT_OK;
		goto out;
	}
	lockfd = lock_entry(dirfd, dir, lock, o);
	if (lockfd != -1 &&
	    read_entry(dirfd, dir, entry, o, now, out) == EKSKIT_OK) {
		/* another run fetched while we waited for the lock */
		vlog(o, "hit after waiting for another run", entry);
		r = EKSKIT_OK;
		goto out;
	}
	vlog(o, "miss, fetching", entry);
	r = fetch(arg, out, err);
	if (r == EKSKIT_OK && lockfd != -1 && (*out)->expiration != 0 &&
	    (*out)->expiration - now >= (o->margin > 0 ? o->margin :
	    CACHE_MARGIN_SECONDS))
		(void)write_entry(dirfd, dir, entry, *out, o);
out:
	if (lockfd != -1)
		close(lockfd);
	close(dirfd);
	free(dir);
	return r;
}

int
cache_creds(const struct creds_ctx *ctx, const struct cache_key *key,
    cache_fetch_fn fetch, void *arg, struct aws_credentials **out,
    struct ekskit_err *err)
{
	const char *env = getenv("EKSKIT_NO_CACHE");
	struct cache_opts o;

	memset(&o, 0, sizeof(o));
	o.now = ctx->now;
	/* EKSKIT_NO_CACHE=1 (any value but "" and "0") is --no-cache */
	o.disabled = ctx->no_cache || (env != NULL && *env != '\0' &&
	    strcmp(env, "0") != 0);
	o.verbose = ctx->verbose;
	return cache_get_or_fetch(key, &o, fetch, arg, out, err);
}

static int
is_cache_file(const char *n)
{
	return ek_endswith(n, ENTRY_SUFFIX) || ek_endswith(n, LOCK_SUFFIX) ||
	    ek_startswith(n, ".tmp.");
}

int
cache_clear(const char *dir, int *removed, struct ekskit_err *err)
{
	char *d = NULL;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int dirfd, n = 0, r = EKSKIT_OK;

	if (removed)
		*removed = 0;
	if (dir != NULL)
		d = strdup(dir);
	else if ((r = cache_default_dir(&d, err)) != EKSKIT_OK)
		return r;
	if (d == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	dirfd = open(d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd == -1) {
		if (errno != ENOENT)
			r = ekskit_err_set(err, EKSKIT_ERR_IO,
			    "cannot open the credential cache %s: %s", d, strerror(errno));
		free(d);
		return r;
	}
	if (fstat(dirfd, &st) == -1 || st.st_uid != geteuid()) {
		close(dirfd);
		r = ekskit_err_set(err, EKSKIT_ERR_PERM,
		    "not clearing %s: it is not owned by you", d);
		free(d);
		return r;
	}
	if ((dp = fdopendir(dirfd)) == NULL) {
		close(dirfd);
		r = ekskit_err_set(err, EKSKIT_ERR_IO, "cannot read %s", d);
		free(d);
		return r;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!is_cache_file(de->d_name))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0) {
			if (ek_endswith(de->d_name, ENTRY_SUFFIX))
				n++;
		} else if (errno != ENOENT) {
			r = ekskit_err_set(err, EKSKIT_ERR_IO, "cannot remove %s/%s: %s",
			    d, de->d_name, strerror(errno));
		}
	}
	closedir(dp);
	free(d);
	if (removed)
		*removed = n;
	return r;
}
