/* Unit tests for lib/fileio.c: lock files and atomic replacement. */
#include <setjmp.h>
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

/* A lock left by a process that is gone is taken over at once. */
static void
test_stale_lock_taken_over(void **state)
{
	struct ek_lockfile lk = { 0 };
	struct ekskit_err err;
	char target[256], lock[300], host[256] = "", boot[64] = "";
	FILE *f;
	pid_t dead;
	int st;

	(void)state;
	snprintf(target, sizeof(target), "%s", path_in("stale"));
	snprintf(lock, sizeof(lock), "%s.lock", target);
	if ((dead = fork()) == 0)
		_exit(0);
	waitpid(dead, &st, 0);
	gethostname(host, sizeof(host) - 1);
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "r")) != NULL) {
		if (fgets(boot, sizeof(boot), f) != NULL)
			boot[strcspn(boot, "\n")] = '\0';
		fclose(f);
	}
	f = fopen(lock, "w");
	fprintf(f, "pid %ld\nhost %s\nboot %s\nstart 1\n", (long)dead, host, boot);
	fclose(f);
	ekskit_err_clear(&err);
	assert_int_equal(ek_lock_acquire(target, 0, &lk, &err), EKSKIT_OK);
	/* now ours, with our pid in it */
	f = fopen(lock, "r");
	assert_non_null(f);
	assert_non_null(fgets(host, sizeof(host), f));
	fclose(f);
	assert_int_equal(strtol(host + 4, NULL, 10), (long)getpid());
	ek_lock_release(&lk);
	/* an empty lock (client-go's) cannot be judged: it is waited for */
	fclose(fopen(lock, "w"));
	assert_int_equal(ek_lock_acquire(target, 0, &lk, &err), EKSKIT_ERR_BUSY);
	unlink(lock);
}

/* --output-file semantics: only the caller's own links are followed. */
static void
test_links_of_others(void **state)
{
	struct ekskit_err err;
	char sticky[256], link[300], *out = NULL;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(sticky, sizeof(sticky), "%s", path_in("sticky"));
	assert_int_equal(mkdir(sticky, 01777), 0);
	assert_int_equal(chmod(sticky, 01777), 0);
	snprintf(link, sizeof(link), "%s/l", sticky);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	/* ours: followed */
	assert_int_equal(ek_resolve_link_checked(link, 1, &out, &err), EKSKIT_OK);
	assert_string_equal(out, "/etc/passwd");
	free(out);
	/* nobody's, in a sticky world-writable directory owned by root: refused */
	assert_int_equal(lchown(link, 65534, 65534), 0);
	ekskit_err_clear(&err);
	assert_int_equal(ek_resolve_link_checked(link, 0, &out, &err), EKSKIT_ERR_PERM);
	assert_null(out);
	assert_non_null(strstr(err.msg, "protected_symlinks"));
	out = ek_resolve_link(link);    /* the old API stops at the link */
	assert_string_equal(out, link);
	free(out);
	assert_int_equal(ek_write_atomic(link, "x", 1, NULL, &err), EKSKIT_ERR_PERM);
	/* the directory's owner may plant links there (the kernel's exception) */
	assert_int_equal(chown(sticky, 65534, 65534), 0);
	assert_int_equal(ek_resolve_link_checked(link, 0, &out, &err), EKSKIT_OK);
	free(out);
	/* but never for --output-file */
	assert_int_equal(ek_write_output_file(link, "x", 1, 0600, &err), EKSKIT_ERR_PERM);
}

/* An in-place rewrite that fails half-way puts the old bytes back. */
static void
test_rewrite_in_place_restores(void **state)
{
	struct ekskit_err err;
	char p[256], bak[300], *s;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s", path_in("inplace"));
	snprintf(bak, sizeof(bak), "%s.bak", p);
	f = fopen(p, "w");
	fputs("old content, a bit long\n", f);
	fclose(f);
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	setenv("EKSKIT_TEST_INPLACE_FAIL_AFTER", "5", 1);
	ekskit_err_clear(&err);
	assert_int_equal(ek_rewrite_in_place(p, "brand new and longer content\n", 29, bak,
	    &err), EKSKIT_ERR_IO);
	assert_non_null(strstr(err.msg, "put back"));
	assert_non_null(strstr(err.msg, bak));
	s = slurp(p);
	assert_string_equal(s, "old content, a bit long\n");
	free(s);
	s = slurp(bak);
	assert_string_equal(s, "old content, a bit long\n");
	free(s);
	/* the hook is ignored without the loopback guard */
	unsetenv("EKSKIT_TEST_LOOPBACK_ONLY");
	assert_int_equal(ek_rewrite_in_place(p, "new\n", 4, NULL, &err), EKSKIT_OK);
	s = slurp(p);
	assert_string_equal(s, "new\n");
	free(s);
	unsetenv("EKSKIT_TEST_INPLACE_FAIL_AFTER");
}

/* A FIFO is refused at once, not waited on. */
static void
test_fifo_refused(void **state)
{
	struct ekskit_err err;
	int fd;

	(void)state;
	assert_int_equal(mkfifo(path_in("fifo"), 0600), 0);
	ekskit_err_clear(&err);
	assert_int_equal(ek_open_regular(path_in("fifo"), &fd, &err), EKSKIT_ERR_IO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_null(slurp(path_in("fifo")));
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
		cmocka_unit_test(test_stale_lock_taken_over),
		cmocka_unit_test(test_links_of_others),
		cmocka_unit_test(test_rewrite_in_place_restores),
		cmocka_unit_test(test_fifo_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
