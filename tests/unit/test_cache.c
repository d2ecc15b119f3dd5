/* Unit tests for lib/cache.c: keys, entries, safety checks, locking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/cache.h"
#include "ekskit/creds.h"

#define NOW 1800000000

static char tmpdir[256];
static char cachedir[300];
static int fetch_calls;
static int warn_calls;
static char last_warning[1024];

static void
record_warning(const char *msg)
{
	warn_calls++;
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static int
fetch_ok(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	time_t exp = arg ? *(time_t *)arg : NOW + 3600;

	(void)err;
	fetch_calls++;
	*out = aws_credentials_new("ASIAFETCHED", "secret/+=", "token", exp, "test");
	return EKSKIT_OK;
}

static int
fetch_fail(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	(void)arg;
	*out = NULL;
	fetch_calls++;
	return ekskit_err_set(err, EKSKIT_ERR_REMOTE, "AccessDenied: no");
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ekskit-test-cache.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(cachedir, sizeof(cachedir), "%s/c/ekskit", tmpdir);
	fetch_calls = warn_calls = 0;
	last_warning[0] = '\0';
	cache_set_warn_handler(record_warning);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct cache_opts
opts(void)
{
	struct cache_opts o;

	memset(&o, 0, sizeof(o));
	o.dir = cachedir;
	o.now = NOW;
	return o;
}

static void
make_key(struct cache_key *k, const char *role)
{
	assert_int_equal(cache_key_init(k, "assume-role"), EKSKIT_OK);
	assert_int_equal(cache_key_add(k, "role_arn", role), EKSKIT_OK);
	assert_int_equal(cache_key_add(k, "external_id", NULL), EKSKIT_OK);
}

static void
entry_path(const struct cache_key *k, char *buf, size_t n)
{
	char hex[65];

	assert_int_equal(cache_key_hex(k, hex), EKSKIT_OK);
	snprintf(buf, n, "%s/%s.json", cachedir, hex);
}

static void
test_key_sensitivity(void **state)
{
	struct cache_key a, b, c, d;
	char ha[65], hb[65], hc[65], hd[65];

	(void)state;
	make_key(&a, "arn:aws:iam::1:role/x");
	make_key(&b, "arn:aws:iam::1:role/y");
	cache_key_init(&c, "assume-role");
	cache_key_add(&c, "role_arn", "arn:aws:iam::1:role/x");
	cache_key_add(&c, "external_id", "");  /* "" differs from unset */
	cache_key_init(&d, "assume-role");  /* a value cannot spill into a name */
	cache_key_add(&d, "role_arn", "arn:aws:iam::1:role/x\n11:external_id=-");
	cache_key_hex(&a, ha);
	cache_key_hex(&b, hb);
	cache_key_hex(&c, hc);
	cache_key_hex(&d, hd);
	assert_int_equal(strlen(ha), 64);
	assert_string_not_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	assert_string_not_equal(ha, hd);
	cache_key_release(&b);
	make_key(&b, "arn:aws:iam::1:role/x");
	cache_key_hex(&b, hb);
	assert_string_equal(ha, hb);
	cache_key_release(&a);
	cache_key_release(&b);
	cache_key_release(&c);
	cache_key_release(&d);
	cache_key_release(NULL);
}

static void
test_hashed_key_hides_value(void **state)
{
	struct cache_key k;

	(void)state;
	cache_key_init(&k, "container");
	cache_key_add_hashed(&k, "auth", "super-secret-token");
	assert_null(strstr(k.text.data, "super-secret"));
	cache_key_release(&k);
}

static void
test_entry_roundtrip_and_malformed(void **state)
{
	struct aws_credentials *c, *d = NULL;
	struct ekbuf b;
	static const char *bad[] = {
		"", "null", "[]", "{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2027-01-01T00:00:00Z\"}",
		"{\"Version\":1,\"SecretAccessKey\":\"s\",\"Expiration\":\"2027-01-01T00:00:00Z\"}",
		"{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"soon\"}",
		"{\"Version\":1,\"AccessKeyId\":\"A\",\"AccessKeyId\":\"B\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2027-01-01T00:00:00Z\"}",
		"{\"Version\":1,", NULL };
	int i;

	(void)state;
	c = aws_credentials_new("ASIAX", "se/cr+et=", NULL, NOW + 60, "sso");
	ekbuf_init_secret(&b, 0);
	assert_int_equal(cache_entry_encode(c, &b, NULL), EKSKIT_OK);
	assert_int_equal(cache_entry_decode(b.data, b.len, &d, NULL), EKSKIT_OK);
	assert_string_equal(d->access_key_id, "ASIAX");
	assert_string_equal(d->secret_access_key, "se/cr+et=");
	assert_null(d->session_token);
	assert_int_equal(d->expiration, NOW + 60);
	aws_credentials_free(d);
	ekbuf_release(&b);
	for (i = 0; bad[i] != NULL; i++) {
		struct ekskit_err err;
		d = (struct aws_credentials *)1;
		ekskit_err_clear(&err);
		assert_int_equal(cache_entry_decode(bad[i], strlen(bad[i]), &d, &err),
		    EKSKIT_ERR_INVALID);
		assert_null(d);
		assert_true(err.msg[0] != '\0');
	}
	aws_credentials_free(c);
}

static void
test_miss_then_hit_with_modes(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	struct stat st;
	char path[512];

	(void)state;
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	assert_int_equal(fetch_calls, 1);
	assert_string_equal(c->access_key_id, "ASIAFETCHED");
	aws_credentials_free(c);
	assert_int_equal(stat(cachedir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	entry_path(&k, path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* second call: served from disk, no fetch */
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_fail, NULL, &c, NULL), EKSKIT_OK);
	assert_int_equal(fetch_calls, 1);
	assert_string_equal(c->secret_access_key, "secret/+=");
	assert_string_equal(c->session_token, "token");
	aws_credentials_free(c);
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(warn_calls, 0);
	cache_key_release(&k);
}

static void
test_margin_forces_refetch(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	time_t exp = NOW + 3600;

	(void)state;
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, &exp, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	o.now = exp - CACHE_MARGIN_SECONDS + 1;  /* inside the margin: stale */
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	o.now = exp - CACHE_MARGIN_SECONDS;      /* exactly the margin left: usable */
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	o.now = exp - 10;
	exp = exp + 7200;
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, &exp, &c, NULL), EKSKIT_OK);
	assert_int_equal(fetch_calls, 2);
	assert_int_equal(c->expiration, exp);
	aws_credentials_free(c);
	cache_key_release(&k);
}

static void
test_short_lived_and_non_expiring_not_cached(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	time_t never = 0, soon = NOW + 60;

	(void)state;
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, &never, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, &soon, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, &soon, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(fetch_calls, 3);
	cache_key_release(&k);
}

static void
test_fetch_error_passes_through(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct ekskit_err err;
	struct cache_key k;

	(void)state;
	make_key(&k, "r");
	ekskit_err_clear(&err);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_fail, NULL, &c, &err),
	    EKSKIT_ERR_REMOTE);
	assert_null(c);
	assert_string_equal(err.msg, "AccessDenied: no");
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	cache_key_release(&k);
}

static void
test_bad_entry_mode_ignored_with_warning(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	struct stat st;
	char path[512];

	(void)state;
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	entry_path(&k, path, sizeof(path));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(fetch_calls, 2);
	assert_true(warn_calls >= 1);
	assert_non_null(strstr(last_warning, "mode 0600"));
	assert_non_null(strstr(last_warning, "0644"));
	/* the fresh entry replaced it with the right mode */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	cache_key_release(&k);
}

static void
test_foreign_owner_ignored(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	char path[512];

	(void)state;
	if (geteuid() != 0) {
		/* only root can give a file away; the mode checks cover the rest */
		skip();
	}
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	entry_path(&k, path, sizeof(path));
	assert_int_equal(chown(path, 65534, 65534), 0);
	warn_calls = 0;
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(warn_calls, 1);
	assert_non_null(strstr(last_warning, "uid 65534"));
	/* a directory owned by someone else is not used at all */
	assert_int_equal(chown(cachedir, 65534, 65534), 0);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_non_null(strstr(last_warning, "must be owned by uid 0"));
	assert_int_equal(fetch_calls, 2);
	cache_key_release(&k);
}

static void
test_symlinked_entry_ignored(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k, other;
	struct stat st;
	char path[512], target[512];

	(void)state;
	make_key(&other, "elsewhere");
	assert_int_equal(cache_get_or_fetch(&other, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	entry_path(&other, target, sizeof(target));
	make_key(&k, "r");
	entry_path(&k, path, sizeof(path));
	assert_int_equal(symlink(target, path), 0);
	warn_calls = 0;
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(warn_calls, 1);
	assert_non_null(strstr(last_warning, "symlink"));
	/* a fetch replaces the link itself, never writes through it */
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	cache_key_release(&k);
	cache_key_release(&other);
}

static void
test_unsafe_directory_not_used(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	char path[512];

	(void)state;
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(chmod(cachedir, 0755), 0);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(fetch_calls, 2);
	assert_non_null(strstr(last_warning, "chmod 700"));
	/* symlinked directory */
	assert_int_equal(chmod(cachedir, 0700), 0);
	snprintf(path, sizeof(path), "%s/link", tmpdir);
	assert_int_equal(symlink(cachedir, path), 0);
	o.dir = path;
	assert_int_equal(cache_lookup(&k, &o, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	assert_non_null(strstr(last_warning, "symlink"));
	cache_key_release(&k);
}

static void
test_disabled_never_touches_disk(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key k;
	struct stat st;

	(void)state;
	o.disabled = 1;
	make_key(&k, "r");
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(cache_get_or_fetch(&k, &o, fetch_ok, NULL, &c, NULL), EKSKIT_OK);
	aws_credentials_free(c);
	assert_int_equal(fetch_calls, 2);
	assert_int_equal(stat(cachedir, &st), -1);
	cache_key_release(&k);
}

static void
test_clear(void **state)
{
	struct cache_opts o = opts();
	struct aws_credentials *c = NULL;
	struct cache_key a, b;
	int removed = -1;
	char keep[512];

	(void)state;
	assert_int_equal(cache_clear(cachedir, &removed, NULL), EKSKIT_OK);  /* absent */
	assert_int_equal(removed, 0);
	make_key(&a, "a");
	make_key(&b, "b");
	cache_get_or_fetch(&a, &o, fetch_ok, NULL, &c, NULL);
	aws_credentials_free(c);
	cache_get_or_fetch(&b, &o, fetch_ok, NULL, &c, NULL);
	aws_credentials_free(c);
	snprintf(keep, sizeof(keep), "%s/README", cachedir);  /* not ours: kept */
	close(open(keep, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(cache_clear(cachedir, &removed, NULL), EKSKIT_OK);
	assert_int_equal(removed, 2);
	assert_int_equal(cache_lookup(&a, &o, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(access(keep, F_OK), 0);
	cache_key_release(&a);
	cache_key_release(&b);
}

/* Children race for one key; the fetch is slow and counted in a file. */
static char counter_path[512];

static int
fetch_counted(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	int fd = open(counter_path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	(void)arg;
	(void)err;
	if (fd != -1) {
		(void)!write(fd, "x", 1);
		close(fd);
	}
	usleep(200000);
	*out = aws_credentials_new("ASIARACE", "s", "t", NOW + 3600, "race");
	return EKSKIT_OK;
}

static void
test_concurrent_runs_fetch_once(void **state)
{
	struct stat st;
	pid_t pids[20];
	int i, status, ok = 0;

	(void)state;
	snprintf(counter_path, sizeof(counter_path), "%s/count", tmpdir);
	for (i = 0; i < 20; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct cache_opts o = opts();
			struct aws_credentials *c = NULL;
			struct cache_key k;
			make_key(&k, "race");
			if (cache_get_or_fetch(&k, &o, fetch_counted, NULL, &c, NULL) != 0 ||
			    strcmp(c->access_key_id, "ASIARACE") != 0)
				_exit(1);
			aws_credentials_free(c);
			cache_key_release(&k);
			_exit(0);
		}
	}
	for (i = 0; i < 20; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	assert_int_equal(ok, 20);
	assert_int_equal(stat(counter_path, &st), 0);
	assert_int_equal(st.st_size, 1);
}

static void
test_default_dir(void **state)
{
	char *d = NULL;
	char *old_xdg = ek_strdup(getenv("XDG_CACHE_HOME"));
	char *old_home = ek_strdup(getenv("HOME"));

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_int_equal(cache_default_dir(&d, NULL), EKSKIT_OK);
	assert_string_equal(d, "/x/cache/ekskit");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1);  /* the spec says: ignore */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(cache_default_dir(&d, NULL), EKSKIT_OK);
	assert_string_equal(d, "/home/u/.cache/ekskit");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_int_equal(cache_default_dir(&d, NULL), EKSKIT_ERR_CONFIG);
	assert_null(d);
	if (old_xdg) setenv("XDG_CACHE_HOME", old_xdg, 1);
	if (old_home) setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_sensitivity),
		cmocka_unit_test(test_hashed_key_hides_value),
		cmocka_unit_test(test_entry_roundtrip_and_malformed),
		cmocka_unit_test_setup_teardown(test_miss_then_hit_with_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_margin_forces_refetch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_lived_and_non_expiring_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_error_passes_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entry_mode_ignored_with_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_entry_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_directory_not_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_never_touches_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_runs_fetch_once, setup, teardown),
		cmocka_unit_test(test_default_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
