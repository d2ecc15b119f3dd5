/* Unit tests for lib/hostsfile.c: block edits, lookups, diffs, file updates. */
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
#include "ekskit/hostsfile.h"

#define HOST "ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com"

static const char *two_addrs[] = { "10.0.1.5", "10.0.2.9" };
static const char *one_addr[] = { "10.0.3.3" };

/* Edit `in`, assert success, return the new text (caller frees). */
static char *
edit(const char *in, const char *cluster, const char *const *addrs, size_t n, int *changed)
{
	struct ekskit_err err;
	char *out = NULL;
	size_t len = 0;
	int ch = -1;

	ekskit_err_clear(&err);
	assert_int_equal(hostsfile_edit(in, strlen(in), "us-west-2", cluster, HOST,
	    addrs, n, &out, &len, &ch, &err), EKSKIT_OK);
	assert_int_equal(strlen(out), len);
	if (changed)
		*changed = ch;
	return out;
}

/* Insert then remove must give back the original bytes, whatever they are. */
static void
roundtrip(const char *orig, const char *expect_inserted)
{
	char *a, *b, *c;
	int ch;

	a = edit(orig, "demo", two_addrs, 2, &ch);
	assert_int_equal(ch, 1);
	if (expect_inserted)
		assert_string_equal(a, expect_inserted);
	b = edit(a, "demo", two_addrs, 2, &ch);     /* idempotent */
	assert_int_equal(ch, 0);
	assert_string_equal(a, b);
	c = edit(a, "demo", NULL, 0, &ch);          /* remove */
	assert_int_equal(ch, 1);
	assert_string_equal(c, orig);
	free(a);
	free(b);
	free(c);
}

static void
test_insert_plain(void **state)
{
	(void)state;
	roundtrip("127.0.0.1 localhost\n",
	    "127.0.0.1 localhost\n"
	    "# BEGIN eks-hosts us-west-2/demo\n"
	    "10.0.1.5 " HOST "\n"
	    "10.0.2.9 " HOST "\n"
	    "# END eks-hosts us-west-2/demo\n");
}

static void
test_empty_file(void **state)
{
	(void)state;
	roundtrip("", "# BEGIN eks-hosts us-west-2/demo\n10.0.1.5 " HOST "\n"
	    "10.0.2.9 " HOST "\n# END eks-hosts us-west-2/demo\n");
}

static void
test_crlf(void **state)
{
	(void)state;
	roundtrip("127.0.0.1\tlocalhost\r\n::1 localhost\r\n",
	    "127.0.0.1\tlocalhost\r\n::1 localhost\r\n"
	    "# BEGIN eks-hosts us-west-2/demo\r\n"
	    "10.0.1.5 " HOST "\r\n"
	    "10.0.2.9 " HOST "\r\n"
	    "# END eks-hosts us-west-2/demo\r\n");
}

static void
test_no_final_newline(void **state)
{
	(void)state;
	roundtrip("127.0.0.1 localhost\n# last line",
	    "127.0.0.1 localhost\n# last line\n"
	    "# BEGIN eks-hosts us-west-2/demo\n"
	    "10.0.1.5 " HOST "\n"
	    "10.0.2.9 " HOST "\n"
	    "# END eks-hosts us-west-2/demo");
	roundtrip("b\x02\r", NULL);          /* found by fuzz_hostsfile */
	roundtrip("x\ny\r", NULL);
	roundtrip("a b\r\nc d", "a b\r\nc d\r\n# BEGIN eks-hosts us-west-2/demo\r\n"
	    "10.0.1.5 " HOST "\r\n10.0.2.9 " HOST "\r\n# END eks-hosts us-west-2/demo");
}

static void
test_foreign_lines_and_blocks(void **state)
{
	const char *orig =
	    "# comment\t with tab\n"
	    "\n"
	    "   10.9.9.9   foo.example  # trailing comment\n"
	    "# BEGIN other-tool\n1.2.3.4 x\n# END other-tool\n"
	    "# BEGIN eks-hosts us-west-2/demo-2\n"
	    "10.7.7.7 " HOST "\n"
	    "# END eks-hosts us-west-2/demo-2\n"
	    "# BEGIN eks-hosts us-east-1/demo\n"
	    "10.8.8.8 " HOST "\n"
	    "# END eks-hosts us-east-1/demo\n"
	    "\tlast\tline\t\n";

	(void)state;
	roundtrip(orig, NULL);
}

static void
test_replace_stale_in_place(void **state)
{
	const char *orig =
	    "127.0.0.1 localhost\n"
	    "# BEGIN eks-hosts us-west-2/demo\n"
	    "10.0.0.1 " HOST "\n"
	    "# END eks-hosts us-west-2/demo\n"
	    "192.168.1.1 router\n";
	char *a;
	int ch;

	(void)state;
	a = edit(orig, "demo", one_addr, 1, &ch);
	assert_int_equal(ch, 1);
	assert_string_equal(a,
	    "127.0.0.1 localhost\n"
	    "# BEGIN eks-hosts us-west-2/demo\n"
	    "10.0.3.3 " HOST "\n"
	    "# END eks-hosts us-west-2/demo\n"
	    "192.168.1.1 router\n");
	free(a);
	/* removing keeps the lines after the block */
	a = edit(orig, "demo", NULL, 0, &ch);
	assert_string_equal(a, "127.0.0.1 localhost\n192.168.1.1 router\n");
	free(a);
}

static void
test_block_at_eof_without_newline(void **state)
{
	const char *orig = "x y\n# BEGIN eks-hosts us-west-2/demo\n10.0.0.1 " HOST
	    "\n# END eks-hosts us-west-2/demo";
	char *a;
	int ch;

	(void)state;
	a = edit(orig, "demo", one_addr, 1, &ch);
	assert_string_equal(a, "x y\n# BEGIN eks-hosts us-west-2/demo\n10.0.3.3 " HOST
	    "\n# END eks-hosts us-west-2/demo");
	free(a);
}

static void
test_duplicate_blocks_collapse(void **state)
{
	const char *orig =
	    "# BEGIN eks-hosts us-west-2/demo\n10.0.0.1 " HOST "\n# END eks-hosts us-west-2/demo\n"
	    "mid line\n"
	    "# BEGIN eks-hosts us-west-2/demo\n10.0.0.2 " HOST "\n# END eks-hosts us-west-2/demo\n";
	char *a;
	int ch;

	(void)state;
	a = edit(orig, "demo", one_addr, 1, &ch);
	assert_string_equal(a, "# BEGIN eks-hosts us-west-2/demo\n10.0.3.3 " HOST
	    "\n# END eks-hosts us-west-2/demo\nmid line\n");
	free(a);
}

static void
test_prefix_names_do_not_match(void **state)
{
	/* demo-2's block must not be taken for demo's */
	const char *orig = "# BEGIN eks-hosts us-west-2/demo-2\n10.0.0.1 h\n"
	    "# END eks-hosts us-west-2/demo-2\n";
	char *a;
	int ch;

	(void)state;
	a = edit(orig, "demo", NULL, 0, &ch);
	assert_int_equal(ch, 0);
	assert_string_equal(a, orig);
	free(a);
}

static void
test_damaged_blocks(void **state)
{
	static const char *bad[] = {
		"# BEGIN eks-hosts us-west-2/demo\n10.0.0.1 h\n",
		"10.0.0.1 h\n# END eks-hosts us-west-2/demo\n",
		"# BEGIN eks-hosts us-west-2/demo\n# BEGIN eks-hosts us-west-2/demo\n"
		    "# END eks-hosts us-west-2/demo\n",
		/* another cluster's block overlapping ours: replacing ours
		 * would cut that block's BEGIN (or END) line away */
		"# BEGIN eks-hosts us-west-2/demo\n# BEGIN eks-hosts us-west-2/other\n"
		    "10.0.0.2 o\n# END eks-hosts us-west-2/demo\n"
		    "# END eks-hosts us-west-2/other\n",
		"# BEGIN eks-hosts us-west-2/other\n# BEGIN eks-hosts us-west-2/demo\n"
		    "# END eks-hosts us-west-2/other\n10.0.0.1 h\n"
		    "# END eks-hosts us-west-2/demo\n",
	};
	struct ekskit_err err;
	char *out;
	size_t len, i;
	int ch;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = (char *)1;
		assert_int_equal(hostsfile_edit(bad[i], strlen(bad[i]), "us-west-2",
		    "demo", HOST, two_addrs, 2, &out, &len, &ch, &err),
		    EKSKIT_ERR_INVALID);
		assert_null(out);
		assert_non_null(strstr(err.msg, "damaged"));
	}
}

static void
test_invalid_inputs(void **state)
{
	static const char *bad_addr[] = { "10.0.0.300" };
	static const char *nl_addr[] = { "10.0.0.1\n1.2.3.4 evil" };
	struct ekskit_err err;
	char *out;
	size_t len;
	int ch;

	(void)state;
	assert_int_equal(hostsfile_edit("", 0, "us-west-2", "demo", HOST, bad_addr,
	    1, &out, &len, &ch, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(hostsfile_edit("", 0, "us-west-2", "demo", HOST, nl_addr,
	    1, &out, &len, &ch, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(hostsfile_edit("", 0, "us-west-2", "demo",
	    "evil.com\n1.2.3.4 x", two_addrs, 2, &out, &len, &ch, &err),
	    EKSKIT_ERR_INVALID);
	assert_int_equal(hostsfile_edit("", 0, "us-west-2", "de mo", HOST,
	    two_addrs, 2, &out, &len, &ch, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(hostsfile_edit("", 0, "us-west-2\n", "demo", HOST,
	    two_addrs, 2, &out, &len, &ch, &err), EKSKIT_ERR_INVALID);
}

static void
test_valid_hostname(void **state)
{
	(void)state;
	assert_true(hostsfile_valid_hostname(HOST));
	assert_true(hostsfile_valid_hostname("a"));
	assert_false(hostsfile_valid_hostname(""));
	assert_false(hostsfile_valid_hostname("a..b"));
	assert_false(hostsfile_valid_hostname(".a"));
	assert_false(hostsfile_valid_hostname("a."));
	assert_false(hostsfile_valid_hostname("-a.b"));
	assert_false(hostsfile_valid_hostname("a-.b"));
	assert_false(hostsfile_valid_hostname("a b"));
	assert_false(hostsfile_valid_hostname("a_b"));
	assert_false(hostsfile_valid_hostname("x.y\n"));
	assert_false(hostsfile_valid_hostname(
	    "a234567890123456789012345678901234567890123456789012345678901234.b"));
}

static void
test_lookup_and_block_addrs(void **state)
{
	const char *t =
	    "10.1.1.1 other " HOST " # c\n"
	    "# 10.9.9.9 " HOST "\n"
	    "bogus " HOST "\n"
	    "# BEGIN eks-hosts us-west-2/demo\r\n"
	    "10.0.1.5\tabcdef0123456789.GR7.us-west-2.eks.amazonaws.com\r\n"
	    "10.0.2.9 " HOST "\r\n"
	    "# END eks-hosts us-west-2/demo\r\n"
	    "10.1.1.1 " HOST "\n";
	struct ekskit_err err;
	char **v;
	int found;

	(void)state;
	assert_int_equal(hostsfile_lookup(t, strlen(t), HOST, &v, &err), EKSKIT_OK);
	assert_string_equal(v[0], "10.1.1.1");
	assert_string_equal(v[1], "10.0.1.5");
	assert_string_equal(v[2], "10.0.2.9");
	assert_null(v[3]);
	ek_strv_free(v);
	assert_int_equal(hostsfile_block_addrs(t, strlen(t), "us-west-2", "demo",
	    HOST, &v, &found, &err), EKSKIT_OK);
	assert_int_equal(found, 1);
	assert_string_equal(v[0], "10.0.1.5");
	assert_string_equal(v[1], "10.0.2.9");
	assert_null(v[2]);
	ek_strv_free(v);
	assert_int_equal(hostsfile_block_addrs(t, strlen(t), "us-west-2", "nope",
	    HOST, &v, &found, &err), EKSKIT_OK);
	assert_int_equal(found, 0);
	assert_null(v[0]);
	ek_strv_free(v);
}

/* ---- hostsfile_update on real files ---- */

static char tmpdir[] = "/tmp/ekskit-hostsfile.XXXXXX";

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
put_file(const char *path, const char *content, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static char *
slurp(const char *path)
{
	struct ekbuf b;
	struct ekskit_err err;

	ekbuf_init(&b, 0);
	assert_int_equal(ek_read_file(path, &b, &err), EKSKIT_OK);
	if (b.data == NULL)
		ekbuf_puts(&b, "");
	return ekbuf_detach(&b, NULL);
}

static void
test_update_file(void **state)
{
	char path[512], bak[600], *s;
	struct hostsfile_update u = { 0 };
	struct hostsfile_result res;
	struct ekskit_err err;
	struct stat st1, st2;
	const char *orig = "127.0.0.1 localhost\r\nno-newline";

	(void)state;
	snprintf(path, sizeof(path), "%s/hosts", tmpdir);
	snprintf(bak, sizeof(bak), "%s%s", path, HOSTSFILE_BACKUP_SUFFIX);
	put_file(path, orig, 0640);
	u.path = path;
	u.region = "us-west-2";
	u.cluster = "demo";
	u.host = HOST;
	u.addrs = two_addrs;
	u.naddrs = 2;

	/* dry run: diff, no write */
	u.dry_run = 1;
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_OK);
	assert_int_equal(res.changed, 1);
	assert_int_equal(res.written, 0);
	assert_non_null(strstr(res.diff, "+10.0.1.5 " HOST));
	hostsfile_result_release(&res);
	s = slurp(path);
	assert_string_equal(s, orig);
	free(s);

	u.dry_run = 0;
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_OK);
	assert_int_equal(res.written, 1);
	assert_int_equal(res.in_place, 0);
	assert_string_equal(res.backup_path, bak);
	hostsfile_result_release(&res);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0640);
	s = slurp(bak);
	assert_string_equal(s, orig);
	free(s);

	/* second run: no write at all */
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_OK);
	assert_int_equal(res.changed, 0);
	assert_int_equal(res.written, 0);
	hostsfile_result_release(&res);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_true(st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
	    st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);

	/* remove: original bytes back */
	u.remove = 1;
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_OK);
	assert_int_equal(res.written, 1);
	hostsfile_result_release(&res);
	s = slurp(path);
	assert_string_equal(s, orig);
	free(s);
}

static void
test_update_fallback_and_read_only(void **state)
{
	char path[512], *s;
	struct hostsfile_update u = { 0 };
	struct hostsfile_result res;
	struct ekskit_err err;
	struct stat st1, st2;

	(void)state;
	snprintf(path, sizeof(path), "%s/hosts2", tmpdir);
	put_file(path, "1.1.1.1 a\n", 0644);
	u.path = path;
	u.region = "eu-west-1";
	u.cluster = "c1";
	u.host = HOST;
	u.addrs = one_addr;
	u.naddrs = 1;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	setenv("EKSKIT_TEST_HOSTS_FAIL_RENAME", "1", 1);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_OK);
	assert_int_equal(res.in_place, 1);
	hostsfile_result_release(&res);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);    /* same inode: rewritten in place */
	unsetenv("EKSKIT_TEST_HOSTS_FAIL_RENAME");
	s = slurp(path);
	assert_non_null(strstr(s, "10.0.3.3 " HOST));
	free(s);

	/* 0444: read-only, nothing written, block handed back */
	put_file(path, "1.1.1.1 a\n", 0444);
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_OK);
	assert_int_equal(res.read_only, 1);
	assert_int_equal(res.written, 0);
	assert_string_equal(res.block, "# BEGIN eks-hosts eu-west-1/c1\n10.0.3.3 " HOST
	    "\n# END eks-hosts eu-west-1/c1\n");
	hostsfile_result_release(&res);
	s = slurp(path);
	assert_string_equal(s, "1.1.1.1 a\n");
	free(s);

	/* no addresses: refused */
	u.naddrs = 0;
	assert_int_equal(hostsfile_update(&u, &res, &err), EKSKIT_ERR_INVALID);
	hostsfile_result_release(&res);
}

static void
test_default_path(void **state)
{
	(void)state;
	unsetenv(HOSTSFILE_ENV_PATH);
	assert_string_equal(hostsfile_default_path(NULL), "/etc/hosts");
	setenv(HOSTSFILE_ENV_PATH, "/tmp/x", 1);
	assert_string_equal(hostsfile_default_path(NULL), "/tmp/x");
	assert_string_equal(hostsfile_default_path("/y"), "/y");
	unsetenv(HOSTSFILE_ENV_PATH);
}

/* Every block of any region, in file order, with its host and addresses. */
static void
test_list_blocks(void **state)
{
	const char *text =
	    "127.0.0.1 localhost\r\n"
	    "# BEGIN eks-hosts us-west-2/a\r\n"
	    "10.0.1.5 " HOST "\r\n"
	    "10.0.1.6\t" HOST " # comment\r\n"
	    "not-an-address " HOST "\r\n"
	    "# END eks-hosts us-west-2/a\r\n"
	    "# BEGIN eks-hosts bad key/x\n"
	    "# END eks-hosts bad key/x\n"
	    "# BEGIN eks-hosts eu-west-1/b\n"
	    "# END eks-hosts eu-west-1/b\n"
	    "# BEGIN eks-hosts us-west-2/a\n"
	    "fd00::5 " HOST "\n"
	    "# END eks-hosts us-west-2/a";
	struct hostsfile_block *b = NULL;
	struct ekskit_err err;
	size_t n = 0;

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(hostsfile_list_blocks(text, strlen(text), &b, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(b[0].region, "us-west-2");
	assert_string_equal(b[0].cluster, "a");
	assert_string_equal(b[0].host, HOST);
	assert_string_equal(b[0].addrs[0], "10.0.1.5");
	assert_string_equal(b[0].addrs[1], "10.0.1.6");
	assert_string_equal(b[0].addrs[2], "fd00::5");
	assert_null(b[0].addrs[3]);
	assert_string_equal(b[1].region, "eu-west-1");
	assert_string_equal(b[1].cluster, "b");
	assert_null(b[1].host);
	assert_null(b[1].addrs[0]);
	hostsfile_blocks_free(b, n);
	hostsfile_blocks_free(NULL, 0);

	/* none, and damaged ones (of any key) */
	assert_int_equal(hostsfile_list_blocks("", 0, &b, &n, &err), 0);
	assert_int_equal(n, 0);
	hostsfile_blocks_free(b, n);
	text = "# END eks-hosts us-west-2/a\n";
	assert_int_equal(hostsfile_list_blocks(text, strlen(text), &b, &n, &err),
	    EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "line 1"));
	text = "x\n# BEGIN eks-hosts us-west-2/a\n10.0.0.1 " HOST "\n";
	assert_int_equal(hostsfile_list_blocks(text, strlen(text), &b, &n, &err),
	    EKSKIT_ERR_INVALID);
	assert_null(b);
}

/* Taking every block out gives what --remove of each would leave. */
static void
test_strip_blocks(void **state)
{
	const char *orig = "127.0.0.1 localhost\n10.3.3.3 last";
	char *a, *b, *c, *stripped;
	size_t len;
	struct ekskit_err err;
	int changed;

	(void)state;
	ekskit_err_clear(&err);
	a = edit(orig, "one", two_addrs, 2, &changed);
	assert_int_equal(hostsfile_edit(a, strlen(a), "eu-west-1", "two", HOST, one_addr, 1,
	    &b, &len, &changed, &err), 0);
	c = edit(b, "three", one_addr, 1, &changed);
	assert_int_equal(hostsfile_strip_blocks(c, strlen(c), &stripped, &len, &err), 0);
	assert_int_equal(len, strlen(orig));
	assert_memory_equal(stripped, orig, len);
	free(stripped);
	assert_int_equal(hostsfile_strip_blocks(orig, strlen(orig), &stripped, &len, &err), 0);
	assert_string_equal(stripped, orig);
	free(stripped);
	free(a);
	free(b);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_plain),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_foreign_lines_and_blocks),
		cmocka_unit_test(test_replace_stale_in_place),
		cmocka_unit_test(test_block_at_eof_without_newline),
		cmocka_unit_test(test_duplicate_blocks_collapse),
		cmocka_unit_test(test_prefix_names_do_not_match),
		cmocka_unit_test(test_damaged_blocks),
		cmocka_unit_test(test_invalid_inputs),
		cmocka_unit_test(test_valid_hostname),
		cmocka_unit_test(test_lookup_and_block_addrs),
		cmocka_unit_test(test_update_file),
		cmocka_unit_test(test_update_fallback_and_read_only),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_list_blocks),
		cmocka_unit_test(test_strip_blocks),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
