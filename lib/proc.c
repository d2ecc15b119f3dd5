/* Helper programs with a time limit: see include/ekskit/proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ekskit/proc.h"
#include "ekskit/timeutil.h"

extern char **environ;

#define POLL_SLICE_MS 50

static void
kill_run(pid_t pid, int own_group)
{
	kill(own_group ? -pid : pid, SIGKILL);
}

/* One look at the program: reaped now (1), still running (0), or -1. */
static int
reaped(pid_t pid, int *wstatus)
{
	pid_t w;

	do
		w = waitpid(pid, wstatus, WNOHANG);
	while (w == -1 && errno == EINTR);
	return w == pid ? 1 : w == 0 ? 0 : -1;
}

/*
 * Read stdout until EOF, the deadline or the size cap.  Once the program
 * itself has exited, a background child of it may still hold the pipe:
 * that is not worth waiting for, so reading stops PROC_EOF_GRACE_MS
 * later (*done set with the program's status).
 */
static int
collect(int fd, pid_t pid, long long deadline, struct ekbuf *out,
    int *wstatus, int *done)
{
	char chunk[4096];
	long long eof_by = 0, now, left = 0;
	int r = EKSKIT_OK;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr, wait_ms, grace_over;
		ssize_t n;

		now = timeutil_monotonic_ms();
		if (!*done && reaped(pid, wstatus) == 1) {
			*done = 1;
			eof_by = now + PROC_EOF_GRACE_MS;
		}
		/* grace over: take what is already in the pipe, wait for nothing more */
		grace_over = *done && now >= eof_by;
		if (!grace_over && (left = deadline - now) <= 0) {
			r = EKSKIT_ERR_TIMEOUT;
			break;
		}
		wait_ms = grace_over ? 0 : (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left);
		pr = poll(&pfd, 1, wait_ms);
		if (pr == -1 && errno != EINTR) {
			r = EKSKIT_ERR_IO;
			break;
		}
		/* answered and exited: a leftover child holds the pipe (and may chatter) */
		if (grace_over && (pr == 0 || now >= eof_by + PROC_EOF_GRACE_MS))
			break;
		if (pr <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (ekbuf_append(out, chunk, (size_t)n) != EKSKIT_OK) {
			r = EKSKIT_ERR_NOMEM;
			break;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	return r;
}

/*
 * Reap the program.  One that closed stdout but keeps running must not
 * hang us: it gets until the deadline, then it is killed.
 */
static int
reap(pid_t pid, int own_group, long long deadline, int *wstatus)
{
	int w;

	for (;;) {
		if ((w = reaped(pid, wstatus)) == 1)
			return EKSKIT_OK;
		if (w == -1)
			return EKSKIT_ERR_IO;
		if (timeutil_monotonic_ms() >= deadline) {
			kill_run(pid, own_group);
			while (waitpid(pid, wstatus, 0) == -1 && errno == EINTR)
				;
			return EKSKIT_ERR_TIMEOUT;
		}
		timeutil_sleep_ms(10);
	}
}

static int
spawn(const struct proc_spec *p, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	if (p->own_group) {
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&attr, 0);
	}
	r = posix_spawnp(pid, p->argv[0], &fa, &attr, p->argv,
	    p->envp ? p->envp : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

int
proc_run(const struct proc_spec *p, struct ekbuf *out, int *wstatus,
    int *spawn_errno, struct ekskit_err *err)
{
	long long deadline;
	int fds[2], r, rr = EKSKIT_OK, done = 0;
	pid_t pid;

	*wstatus = 0;
	*spawn_errno = 0;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return ekskit_err_set(err, EKSKIT_ERR_IO, "pipe: %s", strerror(errno));
	/* the run's own deadline (eks-token: EKSKIT_TIMEOUT) cuts it shorter */
	deadline = timeutil_monotonic_ms() + timeutil_cap_ms(p->timeout_ms);
	r = spawn(p, fds[1], &pid);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		*spawn_errno = r;
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "cannot start %s: %s",
		    p->argv[0], strerror(r));
	}
	r = collect(fds[0], pid, deadline, out, wstatus, &done);
	close(fds[0]);
	if (r != EKSKIT_OK)
		kill_run(pid, p->own_group);
	if (!done)
		rr = reap(pid, p->own_group, deadline, wstatus);
	if (r == EKSKIT_OK)
		r = rr;
	if (r == EKSKIT_ERR_TIMEOUT)
		return ekskit_err_set(err, r, "did not finish within %ld ms and was killed",
		    p->timeout_ms);
	if (r == EKSKIT_ERR_NOMEM)
		return ekskit_err_set(err, r, "printed more than %zu bytes", out->max);
	if (r != EKSKIT_OK)
		return ekskit_err_set(err, r, "reading its output failed");
	return EKSKIT_OK;
}

/* Owned by root and writable by nobody else. */
static int
root_only(const char *path, int want_dir)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_uid == 0 &&
	    (st.st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	    (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

int
proc_program_trusted(const char *path)
{
	char *tmp;
	int ok;

	if (path == NULL || path[0] != '/' || (tmp = strdup(path)) == NULL)
		return 0;
	ok = root_only(path, 0) && access(path, X_OK) == 0 &&
	    root_only(dirname(tmp), 1);
	free(tmp);
	return ok;
}

int
proc_protect_secrets(void)
{
	const char *allow = getenv("EKSKIT_ALLOW_CORE_DUMPS");
	struct rlimit rl;

	if (allow != NULL && strcmp(allow, "1") == 0)
		return 0;
	/* a core file would hold the secret key; non-dumpable also stops ptrace by peers */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return -1;
	if (getrlimit(RLIMIT_CORE, &rl) == 0) {
		rl.rlim_cur = 0;
		if (setrlimit(RLIMIT_CORE, &rl) == -1)
			return -1;
	}
	return 0;
}
