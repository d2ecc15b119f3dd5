/* Helper programs with a time limit: see include/ekskit/proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ekskit/proc.h"
#include "ekskit/timeutil.h"

extern char **environ;

static void
kill_run(pid_t pid, int own_group)
{
	kill(own_group ? -pid : pid, SIGKILL);
}

/* Read stdout until EOF, the deadline or the size cap. */
static int
collect(int fd, long long deadline, struct ekbuf *out)
{
	char chunk[4096];
	int r = EKSKIT_OK;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long long left = deadline - timeutil_monotonic_ms();
		ssize_t n;
		int pr;

		if (left <= 0) {
			r = EKSKIT_ERR_TIMEOUT;
			break;
		}
		pr = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (pr == -1 && errno != EINTR) {
			r = EKSKIT_ERR_IO;
			break;
		}
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
	pid_t w;

	for (;;) {
		w = waitpid(pid, wstatus, WNOHANG);
		if (w == pid)
			return EKSKIT_OK;
		if (w == -1 && errno != EINTR)
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

int
proc_run(const struct proc_spec *p, struct ekbuf *out, int *wstatus,
    int *spawn_errno, struct ekskit_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	long long deadline;
	int fds[2], r, rr;
	pid_t pid;

	*wstatus = 0;
	*spawn_errno = 0;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return ekskit_err_set(err, EKSKIT_ERR_IO, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	if (p->own_group) {
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&attr, 0);
	}
	deadline = timeutil_monotonic_ms() + p->timeout_ms;
	r = posix_spawnp(&pid, p->argv[0], &fa, &attr, p->argv,
	    p->envp ? p->envp : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		*spawn_errno = r;
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "cannot start %s: %s",
		    p->argv[0], strerror(r));
	}
	r = collect(fds[0], deadline, out);
	close(fds[0]);
	if (r != EKSKIT_OK)
		kill_run(pid, p->own_group);
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
