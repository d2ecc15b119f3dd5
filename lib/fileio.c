/* Locked, atomic file replacement: see include/ekskit/fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ekskit/buf.h"
#include "ekskit/fileio.h"
#include "ekskit/timeutil.h"
#include "testhook.h"

#define LOCK_POLL_MS 50
#define MAX_LINK_DEPTH 16
#define CLEANUP_SLOTS 16
#define OWNER_TEXT_MAX 512

static int
errno_to_status(int e)
{
	switch (e) {
	case EACCES: case EPERM: case EROFS:
		return EKSKIT_ERR_PERM;
	case ENOENT:
		return EKSKIT_ERR_NOT_FOUND;
	case EBUSY: case EXDEV:
		return EKSKIT_ERR_BUSY;
	}
	return EKSKIT_ERR_IO;
}

static int
set_errno_err(struct ekskit_err *err, int e, const char *what, const char *path)
{
	int code = errno_to_status(e);

	if (code == EKSKIT_ERR_PERM && e != EROFS && geteuid() != 0)
		return ekskit_err_set(err, code, "%s %s: %s (try again with sudo)",
		    what, path, strerror(e));
	return ekskit_err_set(err, code, "%s %s: %s", what, path, strerror(e));
}

/* ---- files to remove when a signal ends the process ---- */

/*
 * Locks and temp files in flight.  The handler only calls unlink() and
 * re-raises the signal (async-signal-safe); the table is changed with the
 * signals blocked.
 */
static char cleanup_path[CLEANUP_SLOTS][PATH_MAX];
static volatile sig_atomic_t cleanup_used[CLEANUP_SLOTS];
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
cleanup_on_signal(int sig)
{
	int i;

	for (i = 0; i < CLEANUP_SLOTS; i++)
		if (cleanup_used[i])
			unlink(cleanup_path[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Handlers go only where the disposition is the default (an ignored SIGHUP stays ignored). */
static void
cleanup_install(void)
{
	static int installed;
	struct sigaction sa, old;
	size_t i;

	if (installed)
		return;
	installed = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cleanup_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
		sigaddset(&sa.sa_mask, cleanup_signals[i]);
		if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
			sigaction(cleanup_signals[i], &sa, NULL);
	}
}

static void
block_cleanup_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void
cleanup_add(const char *path)
{
	sigset_t old;
	int i;

	if (strlen(path) >= PATH_MAX)
		return;
	cleanup_install();
	block_cleanup_signals(&old);
	for (i = 0; i < CLEANUP_SLOTS; i++) {
		if (!cleanup_used[i]) {
			memcpy(cleanup_path[i], path, strlen(path) + 1);
			cleanup_used[i] = 1;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
cleanup_forget(const char *path)
{
	sigset_t old;
	int i;

	block_cleanup_signals(&old);
	for (i = 0; i < CLEANUP_SLOTS; i++) {
		if (cleanup_used[i] && strcmp(cleanup_path[i], path) == 0) {
			cleanup_used[i] = 0;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* ---- lock owners ---- */

struct lock_owner {
	long pid;
	unsigned long long start;       /* process start time, clock ticks after boot */
	char host[256];
	char boot[64];
};

/* Field 22 of /proc/<pid>/stat; 0 when unknown. */
static unsigned long long
process_start_time(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL) {
		/* after "pid (comm)" come fields 3 (state) onwards */
		for (field = 2, p++; field < 22 && p != NULL; field++)
			p = strchr(p + 1, ' ');
		if (p != NULL)
			start = strtoull(p + 1, NULL, 10);
	}
	fclose(f);
	return start;
}

static void
boot_id(char *out, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(out, (int)len, f) != NULL)
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void
self_owner(struct lock_owner *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = (long)getpid();
	o->start = process_start_time(o->pid);
	if (gethostname(o->host, sizeof(o->host) - 1) != 0)
		o->host[0] = '\0';
	boot_id(o->boot, sizeof(o->boot));
}

/* Parse a lock file's content; 1 when it names an owner. */
static int
read_owner(const char *path, struct lock_owner *o)
{
	char buf[OWNER_TEXT_MAX], *line, *save = NULL;
	ssize_t n;
	int fd;

	memset(o, 0, sizeof(*o));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "pid ", 4) == 0)
			o->pid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "start ", 6) == 0)
			o->start = strtoull(line + 6, NULL, 10);
		else if (strncmp(line, "host ", 5) == 0)
			snprintf(o->host, sizeof(o->host), "%s", line + 5);
		else if (strncmp(line, "boot ", 5) == 0)
			snprintf(o->boot, sizeof(o->boot), "%s", line + 5);
	}
	return o->pid > 0 && o->host[0] != '\0';
}

static int
same_owner(const struct lock_owner *a, const struct lock_owner *b)
{
	return a->pid == b->pid && a->start == b->start &&
	    strcmp(a->host, b->host) == 0 && strcmp(a->boot, b->boot) == 0;
}

/* 1 when the owner is certainly gone; another host's lock is never judged. */
static int
owner_gone(const struct lock_owner *o)
{
	struct lock_owner me;
	unsigned long long start;

	self_owner(&me);
	if (strcmp(o->host, me.host) != 0)
		return 0;
	if (o->boot[0] != '\0' && me.boot[0] != '\0' && strcmp(o->boot, me.boot) != 0)
		return 1;       /* written before the last reboot */
	if (kill((pid_t)o->pid, 0) == -1 && errno == ESRCH)
		return 1;
	start = process_start_time(o->pid);
	return o->start != 0 && start != 0 && start != o->start;  /* pid reused */
}

/*
 * Remove a stale lock, making sure it is still the one judged stale: move
 * it aside, compare, and put it back if another run took the lock meanwhile.
 */
static int
take_over_stale(const char *lock, const struct lock_owner *seen)
{
	struct lock_owner now;
	char aside[PATH_MAX];

	if (snprintf(aside, sizeof(aside), "%s.stale.%ld", lock, (long)getpid()) >=
	    (int)sizeof(aside) || rename(lock, aside) == -1)
		return 0;
	if (read_owner(aside, &now) && same_owner(&now, seen)) {
		unlink(aside);
		return 1;
	}
	if (link(aside, lock) == -1) {
		/* a new lock exists already: the one we moved was stale after all */
	}
	unlink(aside);
	return 0;
}

static int
write_owner(int fd)
{
	struct lock_owner me;
	char text[OWNER_TEXT_MAX];
	int n;

	self_owner(&me);
	n = snprintf(text, sizeof(text), "pid %ld\nhost %s\nboot %s\nstart %llu\n",
	    me.pid, me.host, me.boot, me.start);
	return ek_write_all(fd, text, (size_t)n);
}

static int
lock_busy_error(const char *path, const char *lock, struct ekskit_err *err)
{
	struct lock_owner o;
	struct stat st;
	char who[400] = "";

	if (read_owner(lock, &o))
		snprintf(who, sizeof(who), " (pid %ld on %.200s)", o.pid, o.host);
	if (stat(lock, &st) == 0)
		return ekskit_err_set(err, EKSKIT_ERR_BUSY,
		    "%s is locked by %s%s, created %ld s ago; if no other eks-* or "
		    "kubectl process is running, it is stale: remove it and retry",
		    path, lock, who, (long)(time(NULL) - st.st_mtime));
	return ekskit_err_set(err, EKSKIT_ERR_BUSY, "%s is locked by %s%s", path,
	    lock, who);
}

/* The lock is held: one O_EXCL attempt.  1 taken, 0 busy, -1 error (errno). */
static int
try_lock(const char *lock)
{
	struct lock_owner o;
	int fd;

	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1 && errno == EEXIST && read_owner(lock, &o) && owner_gone(&o) &&
	    take_over_stale(lock, &o))
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return errno == EEXIST ? 0 : -1;
	cleanup_add(lock);
	/* an owner we cannot write leaves an empty lock, as client-go's */
	(void)write_owner(fd);
	close(fd);
	return 1;
}

int
ek_lock_acquire(const char *path, long timeout_ms, struct ek_lockfile *lk,
    struct ekskit_err *err)
{
	struct ekbuf name;
	long waited = 0, hold;
	int got;

	ekbuf_init(&name, PATH_MAX);
	if (ekbuf_printf(&name, "%s.lock", path) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "path too long: %s", path);
	while ((got = try_lock(name.data)) == 0 && waited < timeout_ms) {
		timeutil_sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	if (got == 1) {
		lk->lock_path = ekbuf_detach(&name, NULL);
		/* tests: stay inside the lock, to be killed there */
		if ((hold = test_hook_long("EKSKIT_TEST_LOCK_HOLD_MS", 600000, 0)) > 0)
			timeutil_sleep_ms(hold);
		return EKSKIT_OK;
	}
	got = got == -1 ? set_errno_err(err, errno, "cannot create lock", name.data) :
	    lock_busy_error(path, name.data, err);
	ekbuf_release(&name);
	return got;
}

void
ek_lock_release(struct ek_lockfile *lk)
{
	if (lk == NULL || lk->lock_path == NULL)
		return;
	unlink(lk->lock_path);
	cleanup_forget(lk->lock_path);
	free(lk->lock_path);
	lk->lock_path = NULL;
}

/* ---- symlinks ---- */

/*
 * Would the kernel's protected_symlinks refuse to let us follow this link
 * (lst: its lstat)?  With own_only, any link not ours is refused.
 */
static int
link_refused(const char *link, const struct stat *lst, int own_only,
    struct ekskit_err *err)
{
	struct stat ds;
	char *tmp, *dir;
	int bad = 0;

	if (lst->st_uid == geteuid())
		return EKSKIT_OK;
	if (own_only)
		return ekskit_err_set(err, EKSKIT_ERR_PERM, "refusing to write "
		    "through the symlink %s: it belongs to uid %u, not to you; "
		    "remove it or give the target's path", link, (unsigned)lst->st_uid);
	if ((tmp = strdup(link)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	dir = dirname(tmp);
	if (stat(dir, &ds) == 0 && (ds.st_mode & S_ISVTX) &&
	    (ds.st_mode & S_IWOTH) && ds.st_uid != lst->st_uid)
		bad = ekskit_err_set(err, EKSKIT_ERR_PERM, "refusing to follow the "
		    "symlink %s: it belongs to uid %u, in the sticky world-writable "
		    "directory %s owned by uid %u (the kernel's protected_symlinks "
		    "rule); remove it or give the target's path", link,
		    (unsigned)lst->st_uid, dir, (unsigned)ds.st_uid);
	free(tmp);
	return bad;
}

/* The path a link's target names, relative links taken from the link's directory. */
static char *
link_target_path(const char *link, const char *target)
{
	char *tmp, *dir, *next;

	if (target[0] == '/')
		return strdup(target);
	if ((tmp = strdup(link)) == NULL)
		return NULL;
	dir = dirname(tmp);
	next = malloc(strlen(dir) + strlen(target) + 2);
	if (next != NULL)
		sprintf(next, "%s/%s", dir, target);
	free(tmp);
	return next;
}

int
ek_resolve_link_checked(const char *path, int own_links_only, char **out,
    struct ekskit_err *err)
{
	char target[PATH_MAX], *cur, *next;
	struct stat lst;
	ssize_t n;
	int depth, r;

	*out = NULL;
	if ((cur = strdup(path)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (depth = 0; depth < MAX_LINK_DEPTH; depth++) {
		if (lstat(cur, &lst) == -1 || !S_ISLNK(lst.st_mode))
			break;
		if ((r = link_refused(cur, &lst, own_links_only, err)) != EKSKIT_OK) {
			free(cur);
			return r;
		}
		if ((n = readlink(cur, target, sizeof(target) - 1)) == -1)
			break;
		target[n] = '\0';
		next = link_target_path(cur, target);
		free(cur);
		if ((cur = next) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	*out = cur;
	return EKSKIT_OK;
}

char *
ek_resolve_link(const char *path)
{
	char *cur, *next, target[PATH_MAX];
	struct stat lst;
	ssize_t n;
	int depth;

	if ((cur = strdup(path)) == NULL)
		return NULL;
	for (depth = 0; depth < MAX_LINK_DEPTH; depth++) {
		if (lstat(cur, &lst) == -1 || !S_ISLNK(lst.st_mode) ||
		    link_refused(cur, &lst, 0, NULL) != EKSKIT_OK ||
		    (n = readlink(cur, target, sizeof(target) - 1)) == -1)
			break;
		target[n] = '\0';
		next = link_target_path(cur, target);
		free(cur);
		if ((cur = next) == NULL)
			return NULL;
	}
	return cur;
}

/* ---- writing ---- */

int
ek_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
fsync_dir_of(const char *path)
{
	char *tmp = strdup(path);
	int fd;

	if (tmp == NULL)
		return;
	if ((fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(tmp);
}

/* Create a uniquely named temp file next to target with the given mode. */
static int
open_temp_beside(const char *target, mode_t mode, struct ekbuf *tmpname)
{
	int fd, i;

	for (i = 0; i < 100; i++) {
		ekbuf_reset(tmpname);
		if (ekbuf_printf(tmpname, "%s.tmp.%ld.%d", target, (long)getpid(),
		    rand() % 1000000) != EKSKIT_OK)
			return -1;
		fd = open(tmpname->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, mode);
		if (fd != -1) {
			cleanup_add(tmpname->data);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static void
drop_temp(const char *tmpname)
{
	unlink(tmpname);
	cleanup_forget(tmpname);
}

/* Write, set mode/owner and fsync the temp file; closes fd. */
static int
fill_temp(int fd, const char *tmpname, const void *data, size_t len, mode_t mode,
    const struct stat *old, struct ekskit_err *err)
{
	/* the umask may have narrowed the mode: set it before the file is visible */
	if (fchmod(fd, mode) == -1 ||
	    (old != NULL && geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid) == -1) ||
	    ek_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		int e = errno;

		close(fd);
		return set_errno_err(err, e, "writing", tmpname);
	}
	if (close(fd) == -1)
		return set_errno_err(err, errno, "writing", tmpname);
	return EKSKIT_OK;
}

static int
write_atomic(const char *path, const void *data, size_t len,
    const struct ek_write_opts *opts, int own_links_only, struct ekskit_err *err)
{
	struct ekbuf tmpname;
	struct stat st;
	char *target;
	mode_t mode = opts && opts->mode ? opts->mode : 0600;
	int fd, r, have_old, keep = opts && opts->keep_existing_mode;

	if ((r = ek_resolve_link_checked(path, own_links_only, &target, err)) !=
	    EKSKIT_OK)
		return r;
	ekbuf_init(&tmpname, PATH_MAX);
	have_old = stat(target, &st) == 0;
	if (have_old && keep)
		mode = st.st_mode & 07777;
	if ((fd = open_temp_beside(target, mode, &tmpname)) == -1) {
		r = set_errno_err(err, errno, "cannot write to the directory of",
		    target);
		goto out;
	}
	if ((r = fill_temp(fd, tmpname.data, data, len, mode,
	    have_old && keep ? &st : NULL, err)) != EKSKIT_OK)
		goto drop;
	if (have_old && opts && opts->backup_path != NULL) {
		unlink(opts->backup_path);
		if (link(target, opts->backup_path) == -1) {
			r = set_errno_err(err, errno, "cannot keep a backup at",
			    opts->backup_path);
			goto drop;
		}
	}
	if (rename(tmpname.data, target) == -1) {
		r = set_errno_err(err, errno, "cannot replace", target);
		goto drop;
	}
	cleanup_forget(tmpname.data);
	fsync_dir_of(target);
	goto out;
drop:
	drop_temp(tmpname.data);
out:
	ekbuf_release(&tmpname);
	free(target);
	return r;
}

int
ek_write_atomic(const char *path, const void *data, size_t len,
    const struct ek_write_opts *opts, struct ekskit_err *err)
{
	return write_atomic(path, data, len, opts, 0, err);
}

int
ek_write_output_file(const char *path, const void *data, size_t len,
    mode_t mode, struct ekskit_err *err)
{
	struct ek_write_opts wo = { mode, 0, NULL };

	return write_atomic(path, data, len, &wo, 1, err);
}

/* ---- in-place rewrites ---- */

/* Read what fd holds from offset 0 into b. */
static int
read_fd_all(int fd, struct ekbuf *b)
{
	char chunk[8192];
	ssize_t n;
	int r = 0;

	if (lseek(fd, 0, SEEK_SET) == (off_t)-1)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n == 0 ? 0 : -1;
			break;
		}
		if (ekbuf_append(b, chunk, (size_t)n) != EKSKIT_OK) {
			errno = EFBIG;
			r = -1;
			break;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	return r;
}

/*
 * Make sure len bytes fit before writing any: fallocate without changing
 * the size; file systems without it get posix_fallocate (which may grow
 * the file: the caller truncates back on failure).
 */
static int
reserve(int fd, size_t old_len, size_t len)
{
	int e;

	if (len <= old_len)
		return 0;
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return -1;
	if ((e = posix_fallocate(fd, 0, (off_t)len)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Write data at offset 0 and cut the file to len.  Tests inject a short write. */
static int
overwrite(int fd, const void *data, size_t len, int injectable)
{
	long fail_after = injectable ?
	    test_hook_long("EKSKIT_TEST_INPLACE_FAIL_AFTER", 1L << 30, -1) : -1;

	if (lseek(fd, 0, SEEK_SET) == (off_t)-1)
		return -1;
	if (fail_after >= 0 && (size_t)fail_after < len) {
		(void)ek_write_all(fd, data, (size_t)fail_after);
		errno = ENOSPC;
		return -1;
	}
	if (ek_write_all(fd, data, len) == -1 || ftruncate(fd, (off_t)len) == -1 ||
	    fsync(fd) == -1)
		return -1;
	return 0;
}

static int
in_place_failed(const char *path, int e, int restored, const char *backup,
    struct ekskit_err *err)
{
	if (restored)
		return ekskit_err_set(err, errno_to_status(e) == EKSKIT_ERR_PERM ?
		    EKSKIT_ERR_PERM : EKSKIT_ERR_IO, "rewriting %s in place failed: "
		    "%s; its previous content was put back%s%s%s", path, strerror(e),
		    backup ? " (a copy is in " : "", backup ? backup : "",
		    backup ? ")" : "");
	return ekskit_err_set(err, EKSKIT_ERR_IO, "rewriting %s in place failed: "
	    "%s, and so did putting its previous content back: %s%s", path,
	    strerror(e), backup ? "restore it from " : "no backup was kept",
	    backup ? backup : "");
}

int
ek_rewrite_in_place(const char *path, const void *data, size_t len,
    const char *backup_path, struct ekskit_err *err)
{
	struct ek_write_opts bo = { 0600, 0, NULL };
	struct ekbuf old;
	struct stat st;
	int fd, r = EKSKIT_OK, e;

	if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return set_errno_err(err, errno, "cannot open", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ekskit_err_set(err, EKSKIT_ERR_IO, "%s is not a regular file", path);
	}
	/* the old content may be someone's credentials */
	ekbuf_init_secret(&old, EKBUF_MAX_FILE);
	if (read_fd_all(fd, &old) == -1) {
		r = set_errno_err(err, errno, "reading", path);
		goto out;
	}
	bo.mode = st.st_mode & 0666;
	if (backup_path != NULL && (r = ek_write_atomic(backup_path,
	    old.data ? old.data : "", old.len, &bo, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "%s cannot be replaced by rename (bind mount?) "
		    "and no backup could be kept; nothing was changed", path);
		goto out;
	}
	if (reserve(fd, old.len, len) == -1) {
		e = errno;
		if (ftruncate(fd, (off_t)old.len) == -1) {
			/* posix_fallocate grew nothing it could not cut back */
		}
		r = ekskit_err_set(err, errno_to_status(e) == EKSKIT_ERR_PERM ?
		    EKSKIT_ERR_PERM : EKSKIT_ERR_IO, "no room to rewrite %s in place: "
		    "%s; nothing was changed%s%s%s", path, strerror(e),
		    backup_path ? " (a copy is in " : "", backup_path ? backup_path : "",
		    backup_path ? ")" : "");
		goto out;
	}
	if (overwrite(fd, data, len, 1) == -1) {
		e = errno;
		r = in_place_failed(path, e, overwrite(fd, old.data ? old.data : "",
		    old.len, 0) == 0, backup_path, err);
		goto out;
	}
out:
	ekbuf_release(&old);
	if (close(fd) == -1 && r == EKSKIT_OK)
		r = set_errno_err(err, errno, "rewriting", path);
	return r;
}

int
ek_write_in_place(const char *path, const void *data, size_t len,
    struct ekskit_err *err)
{
	return ek_rewrite_in_place(path, data, len, NULL, err);
}

/* ---- reading ---- */

int
ek_open_regular(const char *path, int *fdp, struct ekskit_err *err)
{
	struct stat st;
	int fd, fl;

	*fdp = -1;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		int e = errno;
		return ekskit_err_set(err,
		    e == ENOENT ? EKSKIT_ERR_NOT_FOUND :
		    e == EACCES ? EKSKIT_ERR_PERM : EKSKIT_ERR_IO,
		    "cannot open %s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ekskit_err_set(err, EKSKIT_ERR_IO, "%s is not a regular file "
		    "(a FIFO, device or directory): refusing to read it", path);
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		int e = errno;
		close(fd);
		return ekskit_err_set(err, EKSKIT_ERR_IO, "%s: %s", path, strerror(e));
	}
	*fdp = fd;
	return EKSKIT_OK;
}

int
ek_mkdir_p(const char *dir, mode_t mode, struct ekskit_err *err)
{
	char *p, *s;
	int r = EKSKIT_OK;

	if ((s = strdup(dir)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (p = s + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(s, mode) == -1 && errno != EEXIST) {
				r = set_errno_err(err, errno, "cannot create directory", s);
				break;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(s);
	return r;
}
