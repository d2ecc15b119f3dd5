/* Unit tests for lib/fileio.c: lock files and atomic replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"
#include "ekskit/fileio.h"

static char dir[] = "/tmp/ekskit-fileio.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
path_in(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static char *
slurp(const char *path)
{
	struct ekbuf b;

	ekbuf_init(&b, 0);
	if (ek_read_file(path, &b, NULL) != EKSKIT_OK) {
		ekbuf_release(&b);
		return NULL;
	}
	return ekbuf_detach(&b, NULL);
}

static void
test_lock_is_exclusive(void **state)
{
	struct ek_lockfile a = { 0 }, b = { 0 };
	struct ekskit_err err;
	char target[256];

	(void)state;
	snprintf(target, sizeof(target), "%s", path_in("config"));
	assert_int_equal(ek_lock_acquire(target, 0, &a, &err), EKSKIT_OK);
	assert_int_equal(ek_lock_acquire(target, 100, &b, &err), EKSKIT_ERR_BUSY);
	assert_non_null(strstr(err.msg, "config.lock"));
	assert_non_null(strstr(err.msg, "stale"));
	ek_lock_release(&a);
	ek_lock_release(&a);  /* twice is fine */
	assert_int_equal(ek_lock_acquire(target, 0, &b, &err), EKSKIT_OK);
	ek_lock_release(&b);
}

static void
test_atomic_write_new_file_mode(void **state)
{
	struct ek_write_opts o = { .mode = 0600 };
	struct stat st;
	char *p = path_in("new"), *s;

	(void)state;
	assert_int_equal(ek_write_atomic(p, "hello\n", 6, &o, NULL), EKSKIT_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	s = slurp(p);
	assert_string_equal(s, "hello\n");
	free(s);
}

static void
test_atomic_write_keeps_mode_and_backup(void **state)
{
	struct ek_write_opts o = { .mode = 0600, .keep_existing_mode = 1 };
	char bak[256], *p, *s;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(bak, sizeof(bak), "%s", path_in("hosts.bak"));
	o.backup_path = bak;
	p = path_in("hosts");
	f = fopen(p, "w");
	fputs("old\n", f);
	fclose(f);
	chmod(p, 0644);
	assert_int_equal(ek_write_atomic(p, "new\n", 4, &o, NULL), EKSKIT_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	s = slurp(p);
	assert_string_equal(s, "new\n");
	free(s);
	s = slurp(bak);
	assert_string_equal(s, "old\n");
	free(s);
}

static void
test_atomic_write_through_symlink(void **state)
{
	char real[256], *s;
	struct stat st;

	(void)state;
	snprintf(real, sizeof(real), "%s", path_in("real"));
	assert_int_equal(ek_write_atomic(real, "a", 1, NULL, NULL), EKSKIT_OK);
	assert_int_equal(symlink("real", path_in("link")), 0);
	assert_int_equal(ek_write_atomic(path_in("link"), "b", 1, NULL, NULL), EKSKIT_OK);
	assert_int_equal(lstat(path_in("link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	s = slurp(real);
	assert_string_equal(s, "b");
	free(s);
}

static void
test_failed_write_leaves_nothing(void **state)
{
	struct ekskit_err err;

	(void)state;
	assert_int_not_equal(ek_write_atomic("/nonexistent-dir/x", "a", 1, NULL, &err),
	    EKSKIT_OK);
	assert_non_null(strstr(err.msg, "/nonexistent-dir"));
}

static void
test_mkdir_p(void **state)
{
	struct stat st;
	char p[256];

	(void)state;
	snprintf(p, sizeof(p), "%s", path_in("a/b/c"));
	assert_int_equal(ek_mkdir_p(p, 0700, NULL), EKSKIT_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(ek_mkdir_p(p, 0700, NULL), EKSKIT_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_is_exclusive),
		cmocka_unit_test(test_atomic_write_new_file_mode),
		cmocka_unit_test(test_atomic_write_keeps_mode_and_backup),
		cmocka_unit_test(test_atomic_write_through_symlink),
		cmocka_unit_test(test_failed_write_leaves_nothing),
		cmocka_unit_test(test_mkdir_p),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
