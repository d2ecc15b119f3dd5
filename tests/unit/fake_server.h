/*
 * Test helper: run tests/fakes/scripted_http.py on loopback from a cmocka
 * test.  Header-only (static functions) so that the Makefile's one-binary-
 * per-test_*.c rule needs no change.
 */
#ifndef EKSKIT_TEST_FAKE_SERVER_H
#define EKSKIT_TEST_FAKE_SERVER_H

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct fake_server {
	pid_t pid;
	int port;
	char dir[64];        /* temp dir: request log, TLS files */
	char log[128];       /* one JSON line per request */
	char errlog[128];    /* the fake's stderr */
	char url[96];        /* "http(s)://127.0.0.1:PORT" */
};

/* Locate the fake: relative to the cwd (make check runs at the top) or above the binary. */
static __attribute__((unused)) const char *
fake_script_path(void)
{
	static char path[4096];
	char exe[4096];
	ssize_t n;
	char *slash;
	int up;

	if (access("tests/fakes/scripted_http.py", R_OK) == 0)
		return "tests/fakes/scripted_http.py";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (up = 0; up < 5; up++) {
		if ((slash = strrchr(exe, '/')) == NULL)
			return NULL;
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/tests/fakes/scripted_http.py", exe);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

/*
 * Start the fake with the given steps (NULL-terminated); tls = 1 for HTTPS
 * (CA in f->dir/ca.pem), 2 for HTTPS demanding a client certificate
 * (f->dir/client.pem, client-key.pem).  Returns 0 or -1.
 */
static __attribute__((unused)) int
fake_start(struct fake_server *f, int tls, const char *const *steps)
{
	const char *argv[48];
	const char *script = fake_script_path();
	int pfd[2], argc = 0, i;
	char line[32];
	ssize_t n;
	size_t got = 0;

	memset(f, 0, sizeof(*f));
	if (script == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ekskit-fake.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/requests.log", f->dir);
	snprintf(f->errlog, sizeof(f->errlog), "%s/stderr.log", f->dir);
	argv[argc++] = "python3";
	argv[argc++] = script;
	argv[argc++] = "--log";
	argv[argc++] = f->log;
	if (tls) {
		argv[argc++] = "--tls";
		argv[argc++] = f->dir;
		argv[argc++] = "--san";
		argv[argc++] = "fake.example.test";
		if (tls == 2)
			argv[argc++] = "--mtls";
	}
	for (i = 0; steps[i] != NULL && argc < 46; i++)
		argv[argc++] = steps[i];
	argv[argc] = NULL;
	if (pipe(pfd) != 0)
		return -1;
	{
		posix_spawn_file_actions_t fa;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
		/* the fake's tracebacks (client hung up) go to its own file */
		posix_spawn_file_actions_addopen(&fa, 2, f->errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		if (posix_spawnp(&f->pid, "python3", &fa, NULL, (char *const *)(void *)argv,
		    environ) != 0) {
			posix_spawn_file_actions_destroy(&fa);
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	close(pfd[1]);
	while (got < sizeof(line) - 1 && (n = read(pfd[0], line + got, 1)) == 1) {
		if (line[got] == '\n')
			break;
		got++;
	}
	line[got] = '\0';
	close(pfd[0]);
	f->port = atoi(line);
	if (f->port <= 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
		return -1;
	}
	snprintf(f->url, sizeof(f->url), "%s://127.0.0.1:%d", tls ? "https" : "http", f->port);
	return 0;
}

static __attribute__((unused)) void
fake_stop(struct fake_server *f)
{
	char path[256];

	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
	if (f->dir[0] != '\0') {
		static const char *const files[] = {
			"requests.log", "stderr.log", "ca.pem", "server.pem", "server-key.pem",
			"client.pem", "client-key.pem",
		};
		size_t i;

		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
			unlink(path);
		}
		rmdir(f->dir);
		f->dir[0] = '\0';
	}
}

/* The request log as one malloc'd string ("" if none).  Caller frees. */
static __attribute__((unused)) char *
fake_log(const struct fake_server *f)
{
	FILE *fp = fopen(f->log, "r");
	char *s;
	long n;

	if (fp == NULL)
		return strdup("");
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	if (s != NULL && n > 0 && fread(s, 1, (size_t)n, fp) != (size_t)n) {
		free(s);
		s = strdup("");
	}
	fclose(fp);
	return s;
}

/* Number of requests the fake saw. */
static __attribute__((unused)) int
fake_count(const struct fake_server *f)
{
	char *s = fake_log(f), *p;
	int n = 0;

	for (p = s; p && *p; p++)
		if (*p == '\n')
			n++;
	free(s);
	return n;
}

/* Write a body file into dir (the test's own temp dir, for "STATUS:FILE" steps); returns its path (static). */
static __attribute__((unused)) const char *
fake_body_file(const char *dir, const char *name, const char *content)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		return NULL;
	fputs(content, fp);
	fclose(fp);
	return path;
}

#endif /* EKSKIT_TEST_FAKE_SERVER_H */
