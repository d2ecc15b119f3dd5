/*
 * Safe file replacement, the git way (lockfile.h):
 *   - a lock `<file>.lock` created with O_CREAT|O_EXCL (compatible with
 *     client-go's kubeconfig lock), removed on every exit path;
 *   - the new content written to a temp file in the same directory, created
 *     with its final mode, fsync'd, then rename()d over the target, so a
 *     crash leaves either the old or the new file, never a torn one;
 *   - a symlinked target is updated through the link (the link stays).
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
 * Take `<path>.lock`, retrying every 50 ms for up to timeout_ms.  When the
 * lock stays held: EKSKIT_ERR_BUSY with a message naming the lock file, its
 * age, and that it may be stale ("remove it if no ekskit/kubectl is
 * running").  lk must be zeroed by the caller; release with ek_lock_release.
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
 * target replaced.  On failure the old file is intact and the temp removed.
 * Errors: EKSKIT_ERR_PERM (not writable; message suggests sudo when not
 * root), EKSKIT_ERR_IO, or EKSKIT_ERR_BUSY when rename() gives EBUSY/EXDEV
 * (bind-mounted files; callers may then fall back to ek_write_in_place).
 */
int ek_write_atomic(const char *path, const void *data, size_t len,
    const struct ek_write_opts *opts, struct ekskit_err *err);

/*
 * Rewrite `path` in place (open O_WRONLY, write, ftruncate, fsync).  Only
 * for targets that cannot be renamed over; not atomic, so callers keep a
 * backup first.
 */
int ek_write_in_place(const char *path, const void *data, size_t len,
    struct ekskit_err *err);

/* write() all len bytes, resuming after EINTR and short writes.  0 or -1 (errno set). */
int ek_write_all(int fd, const void *data, size_t len);

/* mkdir -p with `mode` for the directories it creates. */
int ek_mkdir_p(const char *dir, mode_t mode, struct ekskit_err *err);

/*
 * Resolve symlinks in the final component(s) of path.  Returns a malloc'd
 * path the caller frees (path itself copied when it is not a link or does
 * not exist).  NULL on allocation failure.
 */
char *ek_resolve_link(const char *path);

#endif /* EKSKIT_FILEIO_H */
