/* Locked, atomic file replacement: see include/ekskit/fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ekskit/buf.h"
#include "ekskit/fileio.h"
#include "ekskit/timeutil.h"

#define LOCK_POLL_MS 50
#define MAX_LINK_DEPTH 16

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

int
ek_lock_acquire(const char *path, long timeout_ms, struct ek_lockfile *lk,
    struct ekskit_err *err)
{
	struct ekbuf name;
	struct stat st;
	long waited = 0;
	int fd;

	ekbuf_init(&name, PATH_MAX);
	if (ekbuf_printf(&name, "%s.lock", path) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "path too long: %s", path);
	for (;;) {
		fd = open(name.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -1) {
			close(fd);
			lk->lock_path = ekbuf_detach(&name, NULL);
			return EKSKIT_OK;
		}
		if (errno != EEXIST || waited >= timeout_ms)
			break;
		timeutil_sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	if (errno != EEXIST) {
		int r = set_errno_err(err, errno, "cannot create lock", name.data);
		ekbuf_release(&name);
		return r;
	}
	if (stat(name.data, &st) == 0) {
		ekskit_err_set(err, EKSKIT_ERR_BUSY,
		    "%s is locked by %s (created %ld s ago); if no other eks-* or "
		    "kubectl process is running, it is stale: remove it and retry",
		    path, name.data, (long)(time(NULL) - st.st_mtime));
	} else {
		ekskit_err_set(err, EKSKIT_ERR_BUSY, "%s is locked by %s", path,
		    name.data);
	}
	ekbuf_release(&name);
	return EKSKIT_ERR_BUSY;
}

void
ek_lock_release(struct ek_lockfile *lk)
{
	if (lk == NULL || lk->lock_path == NULL)
		return;
	unlink(lk->lock_path);
	free(lk->lock_path);
	lk->lock_path = NULL;
}

char *
ek_resolve_link(const char *path)
{
	char target[PATH_MAX], *cur, *next, *dir, *tmp;
	ssize_t n;
	int depth;

	if ((cur = strdup(path)) == NULL)
		return NULL;
	for (depth = 0; depth < MAX_LINK_DEPTH; depth++) {
		n = readlink(cur, target, sizeof(target) - 1);
		if (n == -1)
			return cur;
		target[n] = '\0';
		if (target[0] == '/') {
			next = strdup(target);
		} else {
			/* relative link: resolve against the link's directory */
			if ((tmp = strdup(cur)) == NULL) {
				free(cur);
				return NULL;
			}
			dir = dirname(tmp);
			next = malloc(strlen(dir) + strlen(target) + 2);
			if (next != NULL)
				sprintf(next, "%s/%s", dir, target);
			free(tmp);
		}
		free(cur);
		if ((cur = next) == NULL)
			return NULL;
	}
	return cur;
}

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
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int
ek_write_atomic(const char *path, const void *data, size_t len,
    const struct ek_write_opts *opts, struct ekskit_err *err)
{
	struct ekbuf tmpname;
	struct stat st;
	char *target;
	mode_t mode = opts && opts->mode ? opts->mode : 0600;
	int fd, r = EKSKIT_OK, have_old;

	if ((target = ek_resolve_link(path)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	ekbuf_init(&tmpname, PATH_MAX);
	have_old = stat(target, &st) == 0;
	if (have_old && opts && opts->keep_existing_mode)
		mode = st.st_mode & 07777;
	if ((fd = open_temp_beside(target, mode, &tmpname)) == -1) {
		r = set_errno_err(err, errno, "cannot write to the directory of",
		    target);
		goto out;
	}
	/* the umask may have narrowed the mode: set it before the file is visible */
	if (fchmod(fd, mode) == -1 ||
	    (have_old && opts && opts->keep_existing_mode &&
	    geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) == -1) ||
	    ek_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		r = set_errno_err(err, errno, "writing", tmpname.data);
		close(fd);
		unlink(tmpname.data);
		goto out;
	}
	if (close(fd) == -1) {
		r = set_errno_err(err, errno, "writing", tmpname.data);
		unlink(tmpname.data);
		goto out;
	}
	if (have_old && opts && opts->backup_path != NULL) {
		unlink(opts->backup_path);
		if (link(target, opts->backup_path) == -1) {
			r = set_errno_err(err, errno, "cannot keep a backup at",
			    opts->backup_path);
			unlink(tmpname.data);
			goto out;
		}
	}
	if (rename(tmpname.data, target) == -1) {
		r = set_errno_err(err, errno, "cannot replace", target);
		unlink(tmpname.data);
		goto out;
	}
	fsync_dir_of(target);
out:
	ekbuf_release(&tmpname);
	free(target);
	return r;
}

int
ek_write_in_place(const char *path, const void *data, size_t len,
    struct ekskit_err *err)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return set_errno_err(err, errno, "cannot open", path);
	if (ek_write_all(fd, data, len) == -1 || ftruncate(fd, (off_t)len) == -1 ||
	    fsync(fd) == -1) {
		int e = errno;
		close(fd);
		return set_errno_err(err, e, "rewriting", path);
	}
	if (close(fd) == -1)
		return set_errno_err(err, errno, "rewriting", path);
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
