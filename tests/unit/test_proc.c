/* Unit tests for lib/proc.c: time limits, process groups, leftover children. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/proc.h"
#include "ekskit/timeutil.h"

static int
run_sh(const char *script, long timeout_ms, struct ekbuf *out, int *status,
    struct ekskit_err *err)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)script, NULL };
	struct proc_spec p = { argv, NULL, timeout_ms, 1 };
	int spawn_errno;

	ekbuf_init(out, 4096);
	return proc_run(&p, out, status, &spawn_errno, err);
}

/* A program that answers and leaves a child holding stdout has answered. */
static void
test_leftover_child_not_waited_for(void **state)
{
	struct ekskit_err err;
	struct ekbuf out;
	long long t0;
	int st;

	(void)state;
	t0 = timeutil_monotonic_ms();
	assert_int_equal(run_sh("sleep 30 & echo answer", 20000, &out, &st, &err), 0);
	assert_true(timeutil_monotonic_ms() - t0 < 10000);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_string_equal(out.data, "answer\n");
	ekbuf_release(&out);
}

/* A timeout kills the whole process group. */
static void
test_timeout_kills_group(void **state)
{
	struct ekskit_err err;
	struct ekbuf out;
	char path[] = "/tmp/ekskit-proc.XXXXXX", script[256];
	long child = 0;
	FILE *f;
	int st, i, fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(script, sizeof(script), "sleep 60 & echo $! >%s; sleep 60", path);
	ekskit_err_clear(&err);
	assert_int_equal(run_sh(script, 500, &out, &st, &err), EKSKIT_ERR_TIMEOUT);
	ekbuf_release(&out);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &child), 1);
	fclose(f);
	unlink(path);
	for (i = 0; i < 50 && kill((pid_t)child, 0) == 0; i++)
		timeutil_sleep_ms(100);
	assert_int_equal(kill((pid_t)child, 0), -1);
}

/* The run's deadline cuts a helper's own limit. */
static void
test_deadline_caps_timeout(void **state)
{
	struct ekskit_err err;
	struct ekbuf out;
	long long t0;
	int st;

	(void)state;
	timeutil_set_deadline_ms(400);
	t0 = timeutil_monotonic_ms();
	assert_int_equal(run_sh("sleep 30", 60000, &out, &st, &err), EKSKIT_ERR_TIMEOUT);
	assert_true(timeutil_monotonic_ms() - t0 < 10000);
	assert_true(timeutil_deadline_passed());
	assert_int_equal(timeutil_cap_ms(1000), 0);
	timeutil_set_deadline_ms(0);
	assert_false(timeutil_deadline_passed());
	assert_int_equal(timeutil_cap_ms(1000), 1000);
	ekbuf_release(&out);
}

static void
test_program_trusted(void **state)
{
	(void)state;
	assert_false(proc_program_trusted("sh"));          /* never through PATH */
	assert_false(proc_program_trusted("/nonexistent/resolvectl"));
	if (geteuid() == 0) {
		char dir[] = "/tmp/ekskit-trust.XXXXXX", prog[64];
		FILE *f;

		assert_non_null(mkdtemp(dir));
		snprintf(prog, sizeof(prog), "%s/p", dir);
		f = fopen(prog, "w");
		fputs("#!/bin/sh\n", f);
		fclose(f);
		chmod(dir, 0755);
		chmod(prog, 0755);
		assert_true(proc_program_trusted(prog));
		chmod(prog, 0775);
		assert_false(proc_program_trusted(prog));  /* group-writable */
		chmod(prog, 0755);
		chmod(dir, 0777);
		assert_false(proc_program_trusted(prog));  /* its directory is */
		unlink(prog);
		rmdir(dir);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leftover_child_not_waited_for),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_deadline_caps_timeout),
		cmocka_unit_test(test_program_trusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
