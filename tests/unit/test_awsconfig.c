/*
 * Unit tests for lib/awsconfig.c: the shared config and credentials files.
 *
 * Besides hand-written cases, test_botocore_oracle feeds fixed tricky files
 * and a few hundred generated ones to botocore's configloader (through
 * tests/unit/oracle/awsconfig_oracle.py) and checks that every setting
 * botocore sees is what awsconfig_get() returns, and that both reject the
 * same files.
 */
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

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/error.h"

static struct awsconfig *
parse_ok(const char *text, int is_credentials)
{
	struct awsconfig *cfg = awsconfig_new();
	struct ekskit_err err;
	int r;

	ekskit_err_clear(&err);
	assert_non_null(cfg);
	r = awsconfig_parse_buffer(cfg, "cfg", text, strlen(text), is_credentials, &err);
	if (r != 0)
		fail_msg("parse failed: %s", err.msg);
	return cfg;
}

static void
parse_fails(const char *text, int is_credentials, const char *want_msg)
{
	struct awsconfig *cfg = awsconfig_new();
	struct ekskit_err err;

	ekskit_err_clear(&err);
	assert_int_equal(awsconfig_parse_buffer(cfg, "/x/config", text, strlen(text),
	    is_credentials, &err), EKSKIT_ERR_CONFIG);
	if (strstr(err.msg, want_msg) == NULL)
		fail_msg("message [%s] lacks [%s]", err.msg, want_msg);
	awsconfig_free(cfg);
}

static void
test_profiles_config(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse_ok(
	    "[default]\nregion = us-west-2\n"
	    "[profile dev]\nregion=eu-west-1\nRole_ARN = arn:aws:iam::1:role/x\n"
	    "[profile \"with space\"]\nregion = ap-south-1\n"
	    "[plain]\nregion = nope\n", 0);
	assert_string_equal(awsconfig_get(cfg, "default", "region"), "us-west-2");
	assert_string_equal(awsconfig_get(cfg, "dev", "region"), "eu-west-1");
	/* keys are lowercased, values kept */
	assert_string_equal(awsconfig_get(cfg, "dev", "role_arn"), "arn:aws:iam::1:role/x");
	assert_string_equal(awsconfig_get(cfg, "with space", "region"), "ap-south-1");
	/* a section without "profile " in the config file is not a profile */
	assert_null(awsconfig_get(cfg, "plain", "region"));
	assert_false(awsconfig_has_profile(cfg, "plain"));
	assert_true(awsconfig_has_profile(cfg, "dev"));
	assert_null(awsconfig_get(cfg, "dev", "missing"));
	assert_null(awsconfig_get(cfg, "nosuch", "region"));
	awsconfig_free(cfg);
}

/* One check and one message for "the selected profile does not exist". */
static void
test_require_profile(void **state)
{
	struct awsconfig *cfg;
	struct ekskit_err err;

	(void)state;
	cfg = parse_ok("[profile dev]\nregion = eu-west-1\n", 0);
	ekskit_err_clear(&err);
	assert_int_equal(awsconfig_require_profile(cfg, "dev", &err), 0);
	assert_int_equal(awsconfig_require_profile(cfg, NULL, &err), 0);
	/* "default" may be absent: the environment can still hold keys */
	assert_int_equal(awsconfig_require_profile(cfg, "default", &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(awsconfig_require_profile(cfg, "dve", &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "profile 'dve' not found in cfg or "));
	assert_non_null(strstr(err.msg, "`aws configure --profile dve`"));
	assert_int_equal(awsconfig_require_profile(cfg, "dve", NULL), EKSKIT_ERR_CONFIG);
	awsconfig_free(cfg);
}

static void
test_profile_default_forms(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	/* both spellings: the later section wins (botocore's dict update) */
	cfg = parse_ok("[default]\nregion = a-b-1\n[profile default]\nregion = c-d-2\n", 0);
	assert_string_equal(awsconfig_get(cfg, "default", "region"), "c-d-2");
	awsconfig_free(cfg);
	cfg = parse_ok("[profile default]\nregion = c-d-2\n[default]\nregion = a-b-1\n", 0);
	assert_string_equal(awsconfig_get(cfg, "default", "region"), "a-b-1");
	awsconfig_free(cfg);
}

static void
test_credentials_file_names(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse_ok("[default]\naws_access_key_id = AKIDDEFAULT\n"
	    "[profile x]\naws_access_key_id = AKIDPROFILEX\n"
	    "[x]\naws_access_key_id = AKIDX\n", 1);
	assert_string_equal(awsconfig_get(cfg, "x", "aws_access_key_id"), "AKIDX");
	/* in the credentials file "[profile x]" is a profile literally named so */
	assert_string_equal(awsconfig_get(cfg, "profile x", "aws_access_key_id"),
	    "AKIDPROFILEX");
	awsconfig_free(cfg);
}

static void
test_comments_and_whitespace(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse_ok(
	    "# leading comment\n; another\n\n"
	    "[default]   \n"
	    "   region    =    us-east-2   \n"
	    "  # indented comment\n"
	    "output=json # not a comment: configparser has no inline comments\n"
	    "key:colon value\n"
	    "equals = a=b=c\n"
	    "empty =\n", 0);
	assert_string_equal(awsconfig_get(cfg, "default", "region"), "us-east-2");
	assert_string_equal(awsconfig_get(cfg, "default", "output"),
	    "json # not a comment: configparser has no inline comments");
	assert_string_equal(awsconfig_get(cfg, "default", "key"), "colon value");
	assert_string_equal(awsconfig_get(cfg, "default", "equals"), "a=b=c");
	assert_string_equal(awsconfig_get(cfg, "default", "empty"), "");
	awsconfig_free(cfg);
}

static void
test_line_endings(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse_ok("[default]\r\nregion = a-b-1\r\n[profile p]\rregion = c-d-2\r", 0);
	assert_string_equal(awsconfig_get(cfg, "default", "region"), "a-b-1");
	assert_string_equal(awsconfig_get(cfg, "p", "region"), "c-d-2");
	awsconfig_free(cfg);
}

static void
test_subsections(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse_ok(
	    "[profile p]\n"
	    "s3 =\n"
	    "  endpoint_url = http://127.0.0.1:9000\n"
	    "\n"
	    "  # comment inside\n"
	    "  addressing_style = path\n"
	    "region = us-west-2\n"
	    "multi = first\n"
	    "  second line\n"
	    "\n"
	    "    third\n"
	    "[services local]\n"
	    "sts =\n"
	    "  endpoint_url = http://127.0.0.1:5000\n"
	    "[sso-session corp]\n"
	    "sso_start_url = https://corp.awsapps.com/start\n", 0);
	assert_string_equal(awsconfig_get_sub(cfg, "p", "s3", "endpoint_url"),
	    "http://127.0.0.1:9000");
	assert_string_equal(awsconfig_get_sub(cfg, "p", "s3", "addressing_style"), "path");
	assert_null(awsconfig_get(cfg, "p", "s3"));   /* a sub-section, not a value */
	assert_string_equal(awsconfig_get(cfg, "p", "region"), "us-west-2");
	assert_string_equal(awsconfig_get(cfg, "p", "multi"), "first\nsecond line\n\nthird");
	assert_null(awsconfig_get_sub(cfg, "p", "multi", "x"));
	assert_string_equal(awsconfig_section_get_sub(cfg, "services", "local", "sts",
	    "endpoint_url"), "http://127.0.0.1:5000");
	assert_string_equal(awsconfig_section_get(cfg, "sso-session", "corp",
	    "sso_start_url"), "https://corp.awsapps.com/start");
	assert_true(awsconfig_has_section(cfg, "services", "local"));
	assert_false(awsconfig_has_section(cfg, "services", "corp"));
	assert_false(awsconfig_has_profile(cfg, "local"));
	awsconfig_free(cfg);
}

static void
test_default_section(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	/* configparser's [DEFAULT] supplies keys to every section of the file */
	cfg = parse_ok("[DEFAULT]\nregion = a-b-1\n[profile p]\n[profile q]\nregion = q-q-1\n", 0);
	assert_string_equal(awsconfig_get(cfg, "p", "region"), "a-b-1");
	assert_string_equal(awsconfig_get(cfg, "q", "region"), "q-q-1");
	assert_false(awsconfig_has_profile(cfg, "DEFAULT"));
	awsconfig_free(cfg);
}

static void
test_malformed(void **state)
{
	(void)state;
	parse_fails("region = x\n[default]\n", 0, "/x/config line 1: a setting before any [section]");
	parse_fails("[default]\nregion = x\njunk line\n", 0, "/x/config line 3: expected 'key = value'");
	parse_fails("[default]\n= value\n", 0, "line 2: missing key name");
	parse_fails("[default]\na = 1\n[default]\n", 0, "line 3: duplicate section [default] (first at line 1)");
	parse_fails("[default]\na = 1\nA = 2\n", 1, "line 3: duplicate key 'a' in [default] (first at line 2)");
	parse_fails("[default]\ns3 =\n  novalue\n", 0, "line 3: expected 'key = value' inside the indented sub-section");
	parse_fails("[default]\r\n[]\r\n", 0, "line 2:");
	parse_fails("   [default\n", 0, "line 1: a setting before any [section]");
	parse_fails("[default]\r\n\r\nk = \xfe\n", 0, "/x/config line 3: not valid UTF-8");
	parse_fails("\xef\xbb\xbf[default]\n", 0, "line 1: the file starts with a UTF-8 byte order mark");
	{
		struct awsconfig *cfg = awsconfig_new();
		struct ekskit_err err;

		assert_int_equal(awsconfig_parse_buffer(cfg, "f", "[default]\nx = 1\0\n",
		    sizeof("[default]\nx = 1\0\n") - 1, 0, &err), EKSKIT_ERR_CONFIG);
		assert_non_null(strstr(err.msg, "f line 2: contains a NUL byte"));
		awsconfig_free(cfg);
	}
}

static void
test_caps(void **state)
{
	struct awsconfig *cfg = awsconfig_new();
	struct ekskit_err err;
	struct ekbuf b;
	int i;

	(void)state;
	ekbuf_init(&b, 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(ekbuf_printf(&b, "[profile p%d]\n", i), 0);
	assert_int_equal(awsconfig_parse_buffer(cfg, "big", b.data, b.len, 0, &err),
	    EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "too many sections"));
	ekbuf_reset(&b);
	assert_int_equal(ekbuf_puts(&b, "[default]\n"), 0);
	for (i = 0; i < 1100; i++)
		assert_int_equal(ekbuf_printf(&b, "k%d = v\n", i), 0);
	assert_int_equal(awsconfig_parse_buffer(cfg, "big", b.data, b.len, 0, &err),
	    EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "too many keys"));
	ekbuf_reset(&b);
	for (i = 0; i < 1100 * 1024; i++)
		assert_int_equal(ekbuf_putc(&b, '#'), 0);
	assert_int_equal(awsconfig_parse_buffer(cfg, "huge", b.data, b.len, 0, &err),
	    EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "larger than"));
	ekbuf_release(&b);
	awsconfig_free(cfg);
}

static char tmpdir[64];

static char *
write_tmp(const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

static int
setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ekskit-awsconfig.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_load_files_precedence(void **state)
{
	struct awsconfig *cfg;
	struct ekskit_err err;
	char *c, *k;
	char **names;
	int i, n;

	(void)state;
	c = write_tmp("config", "[default]\nregion = us-west-2\naws_access_key_id = FROMCONFIG\n"
	    "[profile onlyconfig]\nregion = eu-west-1\n");
	k = write_tmp("credentials", "[default]\naws_access_key_id = FROMCREDS\n"
	    "[onlycreds]\naws_access_key_id = X\n");
	assert_int_equal(awsconfig_load_files(c, k, &cfg, &err), 0);
	/* the credentials file wins key by key; other keys still come from config */
	assert_string_equal(awsconfig_get(cfg, "default", "aws_access_key_id"), "FROMCREDS");
	assert_string_equal(awsconfig_get(cfg, "default", "region"), "us-west-2");
	assert_true(awsconfig_has_profile(cfg, "onlycreds"));
	assert_true(awsconfig_has_profile(cfg, "onlyconfig"));
	assert_string_equal(awsconfig_file_name(cfg, 0), c);
	names = awsconfig_profile_names(cfg);
	for (n = 0, i = 0; names[i] != NULL; i++)
		n += !strcmp(names[i], "default") + !strcmp(names[i], "onlycreds") * 10 +
		    !strcmp(names[i], "onlyconfig") * 100;
	assert_int_equal(i, 3);
	assert_int_equal(n, 111);
	ek_strv_free(names);
	awsconfig_free(cfg);
	/* missing files are an empty configuration */
	assert_int_equal(awsconfig_load_files("/nonexistent/a", "/nonexistent/b", &cfg, &err), 0);
	assert_false(awsconfig_has_profile(cfg, "default"));
	awsconfig_free(cfg);
	/* a broken file is an error naming it */
	free(c);
	c = write_tmp("broken", "[default]\nregion\n");
	assert_int_equal(awsconfig_load_files(c, NULL, &cfg, &err), EKSKIT_ERR_CONFIG);
	assert_null(cfg);
	assert_non_null(strstr(err.msg, "broken line 2:"));
	free(c);
	free(k);
}

static void
test_env_paths_and_tilde(void **state)
{
	struct awsconfig *cfg;
	struct ekskit_err err;
	char *c, *e;

	(void)state;
	c = write_tmp("cfg-env", "[profile envp]\nregion = ap-east-1\n");
	setenv("HOME", tmpdir, 1);
	setenv("AWS_CONFIG_FILE", "~/cfg-env", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "$HOME/none", 1);
	assert_int_equal(awsconfig_load(&cfg, &err), 0);
	assert_string_equal(awsconfig_get(cfg, "envp", "region"), "ap-east-1");
	assert_string_equal(awsconfig_file_name(cfg, 0), c);
	awsconfig_free(cfg);
	e = awsconfig_expand_path("${HOME}/x/$NOSUCHVAR_EKSKIT");
	assert_non_null(e);
	assert_true(ek_startswith(e, tmpdir));
	assert_true(ek_endswith(e, "/x/$NOSUCHVAR_EKSKIT"));
	free(e);
	e = awsconfig_expand_path("~root/y");
	assert_true(ek_endswith(e, "/y") && e[0] == '/');
	free(e);
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	assert_string_equal(awsconfig_config_path(), "~/.aws/config");
	assert_string_equal(awsconfig_credentials_path(), "~/.aws/credentials");
	free(c);
}

static void
test_selected_profile(void **state)
{
	(void)state;
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	assert_string_equal(awsconfig_selected_profile(NULL), "default");
	setenv("AWS_DEFAULT_PROFILE", "dp", 1);
	assert_string_equal(awsconfig_selected_profile(NULL), "dp");
	setenv("AWS_PROFILE", "p", 1);
	assert_string_equal(awsconfig_selected_profile(NULL), "p");
	assert_string_equal(awsconfig_selected_profile("flag"), "flag");
	assert_string_equal(awsconfig_selected_profile(""), "p");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
}

/* ------------------------------------------------------ botocore oracle */

static const char *const fixed_cases[] = {
	"[default]\nregion = us-west-2\n",
	"[profile a]\nx = 1\n  y = 2\n",
	"[profile a]\nx =\n  y = 2\n  z=3\n",
	"[profile a]\nx =\n  y\n",
	"[profile a]\nx =\n\n  y = 2\n",
	"[profile a] trailing junk\nk = v\n",
	"[profile a]b]\nk = v\n",
	"[profile 'q w']\nk = v\n",
	"[profile \"q\\\"w\"]\nk = v\n",
	"[profile \"unterminated]\nk = v\n",
	"[profiles plural]\nk = v\n",
	"[profilex y]\nk = v\n",
	"[profile a b]\nk = v\n",
	"[profile]\nk = v\n",
	"[ profile a]\nk = v\n",
	"  [profile a]\n  k = v\n  j = w\n",
	"[profile a]\n  k = v\n    j = w\n",
	"[profile a]\nk = v\n\tj = w\n",
	"[profile a]\nK = v\nk = w\n",
	"[profile a]\nk : v : w\n",
	"[profile a]\nk = v # c\n; comment\n# comment\n",
	"[profile a]\nk=\n",
	"k = v\n",
	"\n\n[profile a]\n\n\nk = v\n\n\n",
	"[DEFAULT]\nk = d\n[profile a]\n[profile b]\nk = own\n",
	"[profile a]\nk = v\n[profile a]\n",
	"[default]\nk = 1\n[profile default]\nk = 2\n",
	"[sso-session s]\nsso_region = us-east-1\n[services x]\nsts =\n  endpoint_url = http://h\n",
	"[profile a]\ns3 =\n  endpoint_url = http://h\n  # c\n  other = 2\nregion = r\n",
	"[profile a]\nk = v\r\nj = w\r",
	"[profile a]\nk\n",
	"[profile a]\n=v\n",
	"[]\n",
	"[profile a]\nk = \x1f v \x1f\n",
	"[profile a]\nk = v\n\x0c\nj = w\n",
	"[profile a]\nk = caf\xc3\xa9\n",
	"[profile a]\nk = \xff\n",
	"[profile a]\nk = \xc0\xaf\n",
	"[profile a]\nk = \xed\xa0\x80\n",
	"\xef\xbb\xbf[profile a]\nk = v\n",
};

/* Pieces the generator combines into random files. */
static const char *const gen_lines[] = {
	"[default]", "[profile a]", "[profile  b ]", "[profile \"c d\"]", "[profile 'e']",
	"[profilex f]", "[profile]", "[a]", "[sso-session s]", "[services svc]", "[DEFAULT]",
	"[profile a] tail", "[profile a b]", "[profile \"open]", "[b]",
	"region = us-west-2", "Region=eu-west-1", "key : v:w", "k = a=b", "x =",
	"  sub = 1", "    deeper = 2", "\tindent = t", "# comment", "; comment",
	"  # indented comment", "", "   ",
	"region = x # not a comment", "s3 =", "  endpoint_url = http://h",
	"  plain continuation", "k=", " k = spaced", "sub=top",
};
/* ... and, rarely, lines that make a file invalid. */
static const char *const gen_bad_lines[] = { "[]", "noequals", "= novalue" };
static const char *const gen_keys[] = {
	"region", "key", "k", "x", "s3", "sub", "deeper", "indent", "noequals",
	"endpoint_url", NULL,
};
static const char *const gen_eols[] = { "\n", "\r\n", "\r" };

#define NGEN 600

static void
unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*w++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

struct oracle_file {
	int error;
	char **lines;   /* raw oracle lines, escaped */
	size_t n;
};

static void
run_oracle(const char *kind, char **paths, size_t npaths, struct oracle_file *res)
{
	struct ekbuf cmd;
	char line[8192];
	FILE *p;
	size_t i, cur = (size_t)-1;

	ekbuf_init(&cmd, 0);
	assert_int_equal(ekbuf_printf(&cmd, "python3 tests/unit/oracle/awsconfig_oracle.py %s",
	    kind), 0);
	for (i = 0; i < npaths; i++)
		assert_int_equal(ekbuf_printf(&cmd, " %s", paths[i]), 0);
	p = popen(cmd.data, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "== ", 3) == 0) {
			cur++;
			assert_true(cur < npaths);
			assert_string_equal(line + 3, paths[cur]);
			continue;
		}
		assert_true(cur < npaths);
		if (strcmp(line, "ERROR") == 0) {
			res[cur].error = 1;
			continue;
		}
		res[cur].lines = realloc(res[cur].lines, (res[cur].n + 1) * sizeof(char *));
		res[cur].lines[res[cur].n++] = strdup(line);
	}
	if (pclose(p) != 0 || cur + 1 != npaths)
		fail_msg("the botocore oracle failed (python3 with botocore is required)");
	ekbuf_release(&cmd);
}

static int
split_tabs(char *s, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = s;
		if ((s = strchr(s, '\t')) == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

static const char *
oracle_lookup(const struct oracle_file *o, const char *profile, const char *key)
{
	static char copy[8192];
	char *f[6];
	size_t i;

	for (i = 0; i < o->n; i++) {
		snprintf(copy, sizeof(copy), "%s", o->lines[i]);
		if (split_tabs(copy, f, 6) == 4 && strcmp(f[0], "P") == 0) {
			unescape(f[1]);
			unescape(f[2]);
			if (strcmp(f[1], profile) == 0 && strcmp(f[2], key) == 0) {
				unescape(f[3]);
				return f[3];
			}
		}
	}
	return NULL;
}

static size_t oracle_checked, oracle_rejected;

static void
compare_one(const char *label, const char *text, size_t len, int is_credentials,
    const struct oracle_file *o)
{
	struct awsconfig *cfg = awsconfig_new();
	struct ekskit_err err;
	char copy[8192], *f[7];
	const char *got;
	char **names;
	size_t i, k;
	int r;

	ekskit_err_clear(&err);
	r = awsconfig_parse_buffer(cfg, label, text, len, is_credentials, &err);
	if (o->error) {
		oracle_rejected++;
		if (r != EKSKIT_ERR_CONFIG)
			fail_msg("%s: botocore rejects it, we accept:\n%s", label, text);
		awsconfig_free(cfg);
		return;
	}
	if (r != 0)
		fail_msg("%s: botocore accepts it, we reject (%s):\n%s", label, err.msg, text);
	for (i = 0; i < o->n; i++) {
		int nf;

		snprintf(copy, sizeof(copy), "%s", o->lines[i]);
		nf = split_tabs(copy, f, 7);
		for (k = 1; k < (size_t)nf; k++)
			unescape(f[k]);
		if (strcmp(f[0], "P") == 0 && nf == 4)
			got = awsconfig_get(cfg, f[1], f[2]);
		else if (strcmp(f[0], "PS") == 0 && nf == 5)
			got = awsconfig_get_sub(cfg, f[1], f[2], f[3]);
		else if (strcmp(f[0], "S") == 0 && nf == 5)
			got = awsconfig_section_get(cfg, f[1], f[2], f[3]);
		else if (strcmp(f[0], "SS") == 0 && nf == 6)
			got = awsconfig_section_get_sub(cfg, f[1], f[2], f[3], f[4]);
		else {
			fail_msg("%s: bad oracle line %s", label, o->lines[i]);
			return;
		}
		oracle_checked++;
		if (got == NULL || strcmp(got, f[nf - 1]) != 0)
			fail_msg("%s: oracle line [%s]: we have [%s] for:\n%s", label,
			    o->lines[i], got ? got : "(null)", text);
	}
	/* and nothing botocore does not see, for the generator's keys */
	names = awsconfig_profile_names(cfg);
	for (i = 0; names[i] != NULL; i++) {
		for (k = 0; gen_keys[k] != NULL; k++) {
			got = awsconfig_get(cfg, names[i], gen_keys[k]);
			if (got != NULL && oracle_lookup(o, names[i], gen_keys[k]) == NULL)
				fail_msg("%s: we have %s.%s = [%s], botocore has nothing:\n%s",
				    label, names[i], gen_keys[k], got, text);
		}
	}
	ek_strv_free(names);
	awsconfig_free(cfg);
}

static void
test_botocore_oracle(void **state)
{
	size_t nfixed = sizeof(fixed_cases) / sizeof(fixed_cases[0]);
	size_t total = nfixed + NGEN, i, j, kind;
	struct ekbuf *texts = calloc(total, sizeof(struct ekbuf));
	char **paths = calloc(total, sizeof(char *));
	unsigned seed = 12345;

	(void)state;
	for (i = 0; i < total; i++) {
		ekbuf_init(&texts[i], 0);
		if (i < nfixed) {
			assert_int_equal(ekbuf_puts(&texts[i], fixed_cases[i]), 0);
		} else {
			int nlines = 1 + (int)(rand_r(&seed) % 10);
			const char *eol = gen_eols[rand_r(&seed) % 3];

			/* most files start with a profile header */
			if (rand_r(&seed) % 8 != 0)
				assert_int_equal(ekbuf_printf(&texts[i], "[profile p]%s", eol), 0);
			for (j = 0; j < (size_t)nlines; j++) {
				const char *l = rand_r(&seed) % 40 == 0 ?
				    gen_bad_lines[rand_r(&seed) % 3] :
				    gen_lines[rand_r(&seed) % (sizeof(gen_lines) /
				    sizeof(gen_lines[0]))];

				assert_int_equal(ekbuf_printf(&texts[i], "%s%s", l, eol), 0);
			}
		}
		assert_true(asprintf(&paths[i], "%s/oracle-%zu", tmpdir, i) > 0);
		{
			FILE *f = fopen(paths[i], "wb");

			assert_non_null(f);
			fwrite(texts[i].data, 1, texts[i].len, f);
			fclose(f);
		}
	}
	for (kind = 0; kind < 2; kind++) {
		struct oracle_file *res = calloc(total, sizeof(*res));

		run_oracle(kind ? "credentials" : "config", paths, total, res);
		for (i = 0; i < total; i++) {
			compare_one(paths[i], texts[i].data, texts[i].len, (int)kind, &res[i]);
			for (j = 0; j < res[i].n; j++)
				free(res[i].lines[j]);
			free(res[i].lines);
		}
		free(res);
	}
	/* the oracle really ran: many settings compared, some files rejected */
	print_message("botocore oracle: %zu settings compared, %zu of %zu files "
	    "rejected by both\n", oracle_checked, oracle_rejected, 2 * total);
	assert_true(oracle_checked > 500);
	assert_true(oracle_rejected > 20 && oracle_rejected < total);
	for (i = 0; i < total; i++) {
		ekbuf_release(&texts[i]);
		free(paths[i]);
	}
	free(texts);
	free(paths);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_config),
		cmocka_unit_test(test_require_profile),
		cmocka_unit_test(test_profile_default_forms),
		cmocka_unit_test(test_credentials_file_names),
		cmocka_unit_test(test_comments_and_whitespace),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_subsections),
		cmocka_unit_test(test_default_section),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_load_files_precedence),
		cmocka_unit_test(test_env_paths_and_tilde),
		cmocka_unit_test(test_selected_profile),
		cmocka_unit_test(test_botocore_oracle),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
