/* Unit tests for lib/cli.c: table-driven parsing, help, --list-flags, logger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/cli.h"
#include "ekskit/error.h"

enum { F_NAME = 1, F_ID, F_REGION, F_PROFILE, F_ROLE, F_ONLY, F_VERBOSE, F_SECRET };

static const struct cli_flag flags[] = {
	{ "cluster-name", 0, "NAME", "cluster name", 0, F_NAME, CLI_COMPLETE_NONE },
	{ "name", 0, "NAME", NULL, CLI_FLAG_ALIAS, F_NAME, CLI_COMPLETE_NONE },
	{ "cluster-id", 'i', "ID", "cluster id", 0, F_ID, CLI_COMPLETE_NONE },
	{ "region", 0, "REGION", "the region", 0, F_REGION, CLI_COMPLETE_REGION },
	{ "profile", 0, "PROFILE", "the profile", 0, F_PROFILE, CLI_COMPLETE_PROFILE },
	{ "role-arn", 0, "ARN", "role to assume", 0, F_ROLE, CLI_COMPLETE_NONE },
	{ "role", 'r', "ARN", NULL, CLI_FLAG_ALIAS, F_ROLE, CLI_COMPLETE_NONE },
	{ "token-only", 0, NULL, "print only the token", 0, F_ONLY, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr", 0, F_VERBOSE, CLI_COMPLETE_NONE },
	{ "secret-debug", 0, NULL, "not shown", CLI_FLAG_HIDDEN, F_SECRET, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	"demo-tool", "9.8.7", "--cluster-name NAME [options]",
	"Prints a demo.", "Exit status: 0 ok, 1 failure, 2 usage.",
	flags, sizeof(flags) / sizeof(flags[0]),
};

struct seen {
	char log[512];
	int calls;
	int fail_on;        /* id whose handler fails with a usage error */
};

static int
record(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct seen *s = ud;
	size_t n = strlen(s->log);

	s->calls++;
	if (id == s->fail_on)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "bad value '%s'", arg ? arg : "");
	snprintf(s->log + n, sizeof(s->log) - n, "%d=%s;", id, arg ? arg : "-");
	return EKSKIT_OK;
}

/* Run cli_parse on a NULL-terminated argument list; captures stdout-ish output. */
static int
run(struct seen *s, char **captured, int *first, const char *a0, ...)
{
	char *argv[32];
	int argc = 0, ret;
	va_list ap;
	const char *a;
	size_t len;
	FILE *out;
	struct ekskit_err err;

	argv[argc++] = (char *)"demo-tool";
	va_start(ap, a0);
	for (a = a0; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	*captured = NULL;
	out = open_memstream(captured, &len);
	assert_non_null(out);
	ekskit_err_clear(&err);
	ret = cli_parse(&tool, argc, argv, record, s, first, out, &err);
	if (ret < 0)
		fprintf(out, "ERR:%s", err.msg);
	fclose(out);
	return ret;
}

static void
test_long_short_alias(void **state)
{
	struct seen s;
	char *out;

	(void)state;
	assert_int_equal(run(&s, &out, NULL, "--cluster-name", "c1", "--name=c2", "-i", "id3",
	    "--region", "eu-west-1", "--profile=p", "-r", "arn:a", "--role-arn", "arn:b",
	    "--token-only", "-v", "-iid4", NULL), EKSKIT_OK);
	assert_string_equal(s.log, "1=c1;1=c2;2=id3;3=eu-west-1;4=p;5=arn:a;5=arn:b;6=-;7=-;2=id4;");
	assert_string_equal(out, "");
	free(out);
}

static void
test_hidden_flag_parses(void **state)
{
	struct seen s;
	char *out;

	(void)state;
	assert_int_equal(run(&s, &out, NULL, "--secret-debug", NULL), EKSKIT_OK);
	assert_string_equal(s.log, "8=-;");
	free(out);
}

static void
test_usage_errors(void **state)
{
	static const struct {
		const char *args[3];
		const char *msg;
	} cases[] = {
		{ { "--bogus", NULL, NULL }, "ERR:unknown option '--bogus'" },
		{ { "--bogus=1", NULL, NULL }, "ERR:unknown option '--bogus'" },
		{ { "-x", NULL, NULL }, "ERR:unknown option '-x'" },
		{ { "--region", NULL, NULL }, "ERR:option '--region' needs an argument" },
		{ { "-i", NULL, NULL }, "ERR:option '-i' needs an argument" },
		{ { "--token-only=yes", NULL, NULL }, "ERR:unknown option '--token-only'" },
		{ { "stray", NULL, NULL }, "ERR:unexpected argument 'stray'" },
		{ { "--region", "r", "extra" }, "ERR:unexpected argument 'extra'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seen s;
		char *out;
		int ret = run(&s, &out, NULL, cases[i].args[0], cases[i].args[1],
		    cases[i].args[2], NULL);

		if (ret != EKSKIT_ERR_USAGE || strcmp(out, cases[i].msg) != 0)
			fail_msg("case %zu: ret %d out [%s], want [%s]", i, ret, out, cases[i].msg);
		free(out);
	}
}

/* "--token-only=yes" above is refused because the switch takes no value. */

static void
test_handler_error_stops(void **state)
{
	struct seen s;
	char *argv[] = { (char *)"t", (char *)"--region", (char *)"x", (char *)"--profile",
	    (char *)"p", NULL };
	struct ekskit_err err;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.fail_on = F_REGION;
	ekskit_err_clear(&err);
	assert_int_equal(cli_parse(&tool, 5, argv, record, &s, NULL, stdout, &err),
	    EKSKIT_ERR_USAGE);
	assert_int_equal(s.calls, 1);
	assert_string_equal(err.msg, "bad value 'x'");
}

static void
test_positional_allowed(void **state)
{
	struct seen s;
	char *out;
	int first = -1;

	(void)state;
	assert_int_equal(run(&s, &out, &first, "--region", "r", "pos1", "pos2", NULL), EKSKIT_OK);
	assert_int_equal(first, 3);
	free(out);
	assert_int_equal(run(&s, &out, &first, "-v", NULL), EKSKIT_OK);
	assert_int_equal(first, 2);   /* == argc: none */
	free(out);
	/* "--" ends the options */
	assert_int_equal(run(&s, &out, &first, "--", "--region", NULL), EKSKIT_OK);
	assert_int_equal(first, 2);
	assert_string_equal(s.log, "");
	free(out);
}

static void
test_help(void **state)
{
	struct seen s;
	char *out;
	size_t i;

	(void)state;
	assert_int_equal(run(&s, &out, NULL, "--region", "r", "--help", "--bogus", NULL), CLI_HANDLED);
	assert_int_equal(s.calls, 1);   /* stops at --help */
	assert_non_null(strstr(out, "Usage: demo-tool --cluster-name NAME [options]\n"));
	assert_non_null(strstr(out, "Prints a demo."));
	assert_non_null(strstr(out, "--cluster-name NAME"));
	assert_non_null(strstr(out, "(also --name)"));
	assert_non_null(strstr(out, "-i, --cluster-id ID"));
	assert_non_null(strstr(out, "(also -r, --role)"));
	assert_non_null(strstr(out, "-h, --help"));
	assert_non_null(strstr(out, "Exit status: 0 ok"));
	assert_null(strstr(out, "secret-debug"));
	assert_null(strstr(out, "list-flags"));
	/* every visible row's help text is shown */
	for (i = 0; i < tool.nflags; i++)
		if (flags[i].help && !(flags[i].flags & CLI_FLAG_HIDDEN))
			assert_non_null(strstr(out, flags[i].help));
	free(out);
	assert_int_equal(run(&s, &out, NULL, "-h", NULL), CLI_HANDLED);
	assert_non_null(strstr(out, "Usage: demo-tool"));
	free(out);
}

static void
test_version(void **state)
{
	struct seen s;
	char *out;

	(void)state;
	assert_int_equal(run(&s, &out, NULL, "--version", NULL), CLI_HANDLED);
	assert_string_equal(out, "demo-tool 9.8.7\n");
	free(out);
}

static void
test_list_flags(void **state)
{
	struct seen s;
	char *out;
	char *line, *save = NULL;
	size_t rows = 0;

	(void)state;
	assert_int_equal(run(&s, &out, NULL, "--list-flags", NULL), CLI_HANDLED);
	assert_non_null(strstr(out, "--cluster-name\t-\tNAME\tnone\n"));
	assert_non_null(strstr(out, "--name\t-\tNAME\tnone\n"));
	assert_non_null(strstr(out, "--cluster-id\t-i\tID\tnone\n"));
	assert_non_null(strstr(out, "--region\t-\tREGION\tregion\n"));
	assert_non_null(strstr(out, "--profile\t-\tPROFILE\tprofile\n"));
	assert_non_null(strstr(out, "--role\t-r\tARN\tnone\n"));
	assert_non_null(strstr(out, "--token-only\t-\t-\tnone\n"));
	assert_non_null(strstr(out, "--help\t-h\t-\tnone\n"));
	assert_non_null(strstr(out, "--secret-debug\t"));
	assert_null(strstr(out, "--list-flags"));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		rows++;
	assert_int_equal(rows, tool.nflags);
	free(out);
}

static void
test_restartable(void **state)
{
	struct seen s;
	char *out;

	(void)state;
	assert_int_equal(run(&s, &out, NULL, "-x", NULL), EKSKIT_ERR_USAGE);
	free(out);
	assert_int_equal(run(&s, &out, NULL, "-v", "--region", "a", NULL), EKSKIT_OK);
	assert_string_equal(s.log, "7=-;3=a;");
	free(out);
}

static void
test_nonempty(void **state)
{
	const char *dst = "unset";
	struct ekskit_err err;

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(cli_nonempty("region", "us-west-2", &dst, &err), EKSKIT_OK);
	assert_string_equal(dst, "us-west-2");
	assert_int_equal(cli_nonempty("region", "", &dst, &err), EKSKIT_ERR_USAGE);
	assert_string_equal(err.msg, "--region needs a non-empty value");
	assert_string_equal(dst, "us-west-2");   /* untouched on error */
	assert_int_equal(cli_nonempty("region", NULL, &dst, NULL), EKSKIT_ERR_USAGE);
}

static void
test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(cli_exit_code(EKSKIT_OK), 0);
	assert_int_equal(cli_exit_code(EKSKIT_ERR_USAGE), 2);
	assert_int_equal(cli_exit_code(EKSKIT_ERR_NO_CREDS), 1);
	assert_int_equal(cli_exit_code(EKSKIT_ERR_REMOTE), 1);
	assert_int_equal(CLI_EXIT_OK, 0);
	assert_int_equal(CLI_EXIT_FAILURE, 1);
	assert_int_equal(CLI_EXIT_USAGE, 2);
}

static void
test_usage_error_text(void **state)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	cli_print_usage_error(&tool, "missing --cluster-name", f);
	fclose(f);
	assert_string_equal(out, "demo-tool: missing --cluster-name\n"
	    "Try 'demo-tool --help' for more information.\n");
	free(out);
}

static char *
log_with(struct cli_logger *lg, int which, const char *arg)
{
	char *out = NULL;
	size_t len;

	lg->out = open_memstream(&out, &len);
	assert_non_null(lg->out);
	if (which == 0)
		cli_log(lg, "%s", arg);
	else if (which == 1)
		cli_warn(lg, "%s", arg);
	else
		cli_error(lg, "%s", arg);
	fclose(lg->out);
	lg->out = NULL;
	return out;
}

static void
test_logger(void **state)
{
	struct cli_logger lg;
	char *out;

	(void)state;
	cli_logger_init(&lg, "demo-tool", 0);
	out = log_with(&lg, 0, "region us-west-2");
	assert_string_equal(out, "");   /* not verbose: silent */
	free(out);
	out = log_with(&lg, 1, "old v1alpha1");
	assert_string_equal(out, "demo-tool: warning: old v1alpha1\n");
	free(out);
	out = log_with(&lg, 2, "no credentials: looked here");
	assert_string_equal(out, "demo-tool: no credentials: looked here\n");
	free(out);
	lg.verbose = 1;
	out = log_with(&lg, 0, "region us-west-2");
	assert_string_equal(out, "demo-tool: region us-west-2\n");
	free(out);
	out = log_with(&lg, 0, "");
	assert_string_equal(out, "demo-tool: \n");
	free(out);
	cli_log(NULL, "nothing %s", "happens");  /* NULL logger is a no-op */
}

static void
test_logger_redacts(void **state)
{
	struct cli_logger lg;
	char secret[] = "wJalrXUtnFEMI/K7MDENG";
	char token[] = "FwoGZXIvYXdzEJr";
	char *out;
	int i;

	(void)state;
	cli_logger_init(&lg, "t", 1);
	assert_int_equal(cli_logger_add_secret(&lg, secret), EKSKIT_OK);
	assert_int_equal(cli_logger_add_secret(&lg, token), EKSKIT_OK);
	assert_int_equal(cli_logger_add_secret(&lg, ""), EKSKIT_OK);
	assert_int_equal(cli_logger_add_secret(&lg, NULL), EKSKIT_OK);
	assert_int_equal(lg.nsecrets, 2);
	out = log_with(&lg, 0, "key=wJalrXUtnFEMI/K7MDENGwJalrXUtnFEMI/K7MDENG and FwoGZXIvYXdzEJr.!");
	assert_string_equal(out, "t: key=[redacted][redacted] and [redacted].!\n");
	free(out);
	out = log_with(&lg, 2, "wJalrXUtnFEMI/K7MDEN");  /* a prefix is not the secret */
	assert_string_equal(out, "t: wJalrXUtnFEMI/K7MDEN\n");
	free(out);
	/* a callee forgets what it registered, the caller's stay */
	assert_int_equal(cli_logger_add_secret(&lg, "callee-secret"), EKSKIT_OK);
	cli_logger_forget_secrets_after(&lg, 2);
	assert_int_equal(lg.nsecrets, 2);
	assert_null(lg.secrets[2]);
	out = log_with(&lg, 0, "callee-secret FwoGZXIvYXdzEJr");
	assert_string_equal(out, "t: callee-secret [redacted]\n");
	free(out);
	cli_logger_forget_secrets(&lg);
	assert_int_equal(lg.nsecrets, 0);
	for (i = 0; i < CLI_LOGGER_MAX_SECRETS; i++)
		assert_int_equal(cli_logger_add_secret(&lg, "s"), EKSKIT_OK);
	assert_int_equal(cli_logger_add_secret(&lg, "s"), EKSKIT_ERR_NOMEM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_short_alias),
		cmocka_unit_test(test_hidden_flag_parses),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_handler_error_stops),
		cmocka_unit_test(test_positional_allowed),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_list_flags),
		cmocka_unit_test(test_restartable),
		cmocka_unit_test(test_nonempty),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_usage_error_text),
		cmocka_unit_test(test_logger),
		cmocka_unit_test(test_logger_redacts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
