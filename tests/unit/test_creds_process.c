/* Unit tests for lib/creds_process.c: splitting, parsing, running. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"

#define NOW 1800000000  /* 2027-01-15T08:00:00Z */

#define GOOD "{\"Version\":1,\"AccessKeyId\":\"ASIAPROC\",\"SecretAccessKey\":\"s/+=\"," \
	"\"SessionToken\":\"tok\",\"Expiration\":\"2027-01-15T09:00:00Z\"}"

static void
test_split(void **state)
{
	static const struct {
		const char *cmd;
		int want;
		const char *argv[5];
	} cases[] = {
		{ "/usr/bin/helper --profile x", 1, { "/usr/bin/helper", "--profile", "x" } },
		{ "  helper\t a  ", 1, { "helper", "a" } },
		{ "helper 'two words' \"and more\"", 1, { "helper", "two words", "and more" } },
		{ "helper ''", 1, { "helper", "" } },
		{ "helper \"a;b\"", 1, { "helper", "a;b" } },
		{ "helper 'x|$y'", 1, { "helper", "x|$y" } },
		{ "helper | jq .", 0, { NULL } },
		{ "helper $HOME", 0, { NULL } },
		{ "helper \"$HOME\"", 0, { NULL } },
		{ "helper > /tmp/x", 0, { NULL } },
		{ "helper a\\ b", 0, { NULL } },
		{ "helper *.json", 0, { NULL } },
		{ "helper 'unterminated", 0, { NULL } },
		{ "a && b", 0, { NULL } },
		{ "   ", -3, { NULL } },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **argv = NULL;
		int r = creds_process_split(cases[i].cmd, &argv);
		assert_int_equal(r, cases[i].want);
		if (r != 1) {
			assert_null(argv);
			continue;
		}
		for (j = 0; cases[i].argv[j] != NULL; j++)
			assert_string_equal(argv[j], cases[i].argv[j]);
		assert_null(argv[j]);
		creds_process_argv_free(argv);
	}
	creds_process_argv_free(NULL);
}

static void
test_parse_good(void **state)
{
	struct aws_credentials *c = NULL;

	(void)state;
	assert_int_equal(creds_process_parse(GOOD, strlen(GOOD), "p", NOW, &c, NULL), 0);
	assert_string_equal(c->access_key_id, "ASIAPROC");
	assert_string_equal(c->secret_access_key, "s/+=");
	assert_string_equal(c->session_token, "tok");
	assert_int_equal(c->expiration, NOW + 3600);
	aws_credentials_free(c);
	/* long-term keys: no token, no expiry */
	static const char *lt = "{\"Version\":1,\"AccessKeyId\":\"AKIA1\",\"SecretAccessKey\":\"s\"}";
	assert_int_equal(creds_process_parse(lt, strlen(lt), "p", NOW, &c, NULL), 0);
	assert_null(c->session_token);
	assert_int_equal(c->expiration, 0);
	aws_credentials_free(c);
}

static void
test_parse_bad(void **state)
{
	static const struct {
		const char *json;
		int code;
		const char *msg;
	} cases[] = {
		{ "not json", EKSKIT_ERR_INVALID, "not valid JSON (syntax error at line 1, column" },
		/* jansson's text would quote "near 'hunter2...'": position only */
		{ "{\"Version\":1,\"SecretAccessKey\":hunter2abcdefgh}", EKSKIT_ERR_INVALID,
		  "not valid JSON (syntax error at line 1, column" },
		{ "{\"Version\":1,\"SecretAccessKey\":\"hunter2\\u12", EKSKIT_ERR_INVALID,
		  "not valid JSON" },
		{ "[1]", EKSKIT_ERR_INVALID, "not a JSON object" },
		{ "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", EKSKIT_ERR_INVALID, "Version" },
		{ "{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", EKSKIT_ERR_INVALID, "Version" },
		{ "{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", EKSKIT_ERR_INVALID, "Version" },
		{ "{\"Version\":1,\"SecretAccessKey\":\"s\"}", EKSKIT_ERR_INVALID, "AccessKeyId" },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\"}", EKSKIT_ERR_INVALID, "SecretAccessKey" },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"\"}", EKSKIT_ERR_INVALID, "SecretAccessKey" },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"hunter2\",\"Expiration\":\"tomorrow\"}",
		  EKSKIT_ERR_INVALID, "ISO 8601" },
		{ "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"hunter2\",\"Expiration\":\"2020-01-01T00:00:00Z\"}",
		  EKSKIT_ERR_EXPIRED, "expired" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aws_credentials *c = NULL;
		struct ekskit_err err;
		ekskit_err_clear(&err);
		assert_int_equal(creds_process_parse(cases[i].json, strlen(cases[i].json),
		    "credential_process of profile p", NOW, &c, &err), cases[i].code);
		assert_null(c);
		assert_non_null(strstr(err.msg, cases[i].msg));
		assert_null(strstr(err.msg, "hunter2"));  /* never echo secrets */
	}
}

static char script[256];
static char dir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ekskit-test-proc.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
write_script(const char *name, const char *body)
{
	FILE *f;

	snprintf(script, sizeof(script), "%s/%s", dir, name);
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(script, 0700), 0);
}

static int
run(const char *cmd, long timeout_ms, struct aws_credentials **c, struct ekskit_err *err)
{
	ekskit_err_clear(err);
	return creds_process_run(cmd, "dev", timeout_ms, NOW, c, err);
}

static void
test_run_direct_with_quoted_args(void **state)
{
	struct aws_credentials *c = NULL;
	struct ekskit_err err;
	char cmd[512];

	(void)state;
	/* prints its argument count and first argument as the key id */
	write_script("helper",
	    "printf '{\"Version\":1,\"AccessKeyId\":\"%s-%s\",\"SecretAccessKey\":\"s\"}' \"$#\" \"$1\"\n"
	    "echo 'diagnostics go to stderr' >&2");
	snprintf(cmd, sizeof(cmd), "%s 'AKIA two'", script);
	assert_int_equal(run(cmd, 0, &c, &err), 0);
	assert_string_equal(c->access_key_id, "1-AKIA two");
	assert_string_equal(c->provider, "credential_process of profile dev");
	aws_credentials_free(c);
}

static void
test_run_through_shell(void **state)
{
	struct aws_credentials *c = NULL;
	struct ekskit_err err;
	char cmd[512];

	(void)state;
	write_script("helper", "echo '" GOOD "'");
	snprintf(cmd, sizeof(cmd), "%s | cat", script);
	assert_int_equal(run(cmd, 0, &c, &err), 0);
	assert_string_equal(c->access_key_id, "ASIAPROC");
	aws_credentials_free(c);
}

static void
test_run_failures(void **state)
{
	struct aws_credentials *c = NULL;
	struct ekskit_err err;
	struct timespec t0, t1;

	(void)state;
	write_script("fails", "echo 'token expired, log in again' >&2; exit 3");
	assert_int_equal(run(script, 0, &c, &err), EKSKIT_ERR_IO);
	assert_non_null(strstr(err.msg, "exit status 3"));
	assert_non_null(strstr(err.msg, "profile dev"));

	assert_int_equal(run("/nonexistent/helper --x", 0, &c, &err), EKSKIT_ERR_IO);
	assert_non_null(strstr(err.msg, "cannot start it: No such file"));

	/* a helper that closes stdout but lingers is killed at the time limit */
	write_script("lingers", "exec >&-; sleep 30");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run(script, 300, &c, &err), EKSKIT_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);

	write_script("badjson", "echo '{\"Version\":1,'");
	assert_int_equal(run(script, 0, &c, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "JSON"));

	write_script("silent", "exit 0");
	assert_int_equal(run(script, 0, &c, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "printed nothing"));

	write_script("huge", "head -c 200000 /dev/zero | tr '\\0' x");
	assert_int_equal(run(script, 0, &c, &err), EKSKIT_ERR_NOMEM);

	/* a hung helper (and its children) is killed at the time limit */
	write_script("hangs", "sleep 30 & sleep 30");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run(script, 300, &c, &err), EKSKIT_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_non_null(strstr(err.msg, "killed"));

	assert_int_equal(run("", 0, &c, &err), EKSKIT_ERR_CONFIG);
	assert_null(c);
}

static void
test_timeout_env(void **state)
{
	struct aws_credentials *c = NULL;
	struct ekskit_err err;

	(void)state;
	write_script("slow", "sleep 3; echo '" GOOD "'");
	setenv("EKSKIT_CREDENTIAL_PROCESS_TIMEOUT", "1", 1);
	assert_int_equal(run(script, 0, &c, &err), EKSKIT_ERR_TIMEOUT);
	assert_non_null(strstr(err.msg, "1 s"));
	unsetenv("EKSKIT_CREDENTIAL_PROCESS_TIMEOUT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test_setup_teardown(test_run_direct_with_quoted_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_through_shell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_env, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
