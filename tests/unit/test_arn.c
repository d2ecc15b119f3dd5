/* Unit tests for lib/arn.c: parsing, aws-iam-authenticator canonicalisation, keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/arn.h"

/* aws-iam-authenticator's own Canonicalize cases (pkg/arn/arn_test.go) and more. */
static const struct {
	const char *in;
	const char *canonical;   /* NULL = refused */
} canon_cases[] = {
	{ "NOT AN ARN", NULL },
	{ "arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/Alice" },
	{ "arn:aws:iam::123456789012:role/Users", "arn:aws:iam::123456789012:role/Users" },
	{ "arn:aws:sts::123456789012:assumed-role/Admin/Session",
	  "arn:aws:iam::123456789012:role/Admin" },
	{ "arn:aws:sts::123456789012:federated-user/Bob",
	  "arn:aws:sts::123456789012:federated-user/Bob" },
	{ "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root" },
	/* role paths are kept (the authenticator compares them as written) */
	{ "arn:aws:iam::123456789012:role/team/a/Dev", "arn:aws:iam::123456789012:role/team/a/Dev" },
	{ "arn:aws-cn:sts::123456789012:assumed-role/R/s",
	  "arn:aws-cn:iam::123456789012:role/R" },
	{ "arn:aws-us-gov:iam::123456789012:role/R", "arn:aws-us-gov:iam::123456789012:role/R" },
	{ "arn:aws-iso-b:iam::123456789012:role/R", "arn:aws-iso-b:iam::123456789012:role/R" },
	{ "arn:aws-eusc:iam::123456789012:role/R", "arn:aws-eusc:iam::123456789012:role/R" },
	/* joined middle parts, like strings.Join(parts[1:len-1], "/") */
	{ "arn:aws:sts::123456789012:assumed-role/a/b/sess",
	  "arn:aws:iam::123456789012:role/a/b" },
	{ "arn:aws:sts::123456789012:assumed-role/OnlyRole", NULL },
	{ "arn:aws:sts::123456789012:assumed-role", NULL },
	{ "arn:aws:sts::123456789012:session/x", NULL },
	{ "arn:aws:iam::123456789012:group/G", NULL },
	{ "arn:aws:s3:::bucket", NULL },
	{ "arn:nope:iam::123456789012:role/R", NULL },
	{ "arn:aws:iam::123456789012", NULL },
	{ "", NULL },
};

static void
test_canonicalize_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
		struct ekskit_err err;
		char *out = (char *)"x";
		int r;

		ekskit_err_clear(&err);
		r = arn_canonicalize(canon_cases[i].in, &out, &err);
		if (canon_cases[i].canonical == NULL) {
			assert_int_equal(r, EKSKIT_ERR_INVALID);
			assert_null(out);
			assert_true(err.msg[0] != '\0');
		} else {
			assert_int_equal(r, EKSKIT_OK);
			assert_string_equal(out, canon_cases[i].canonical);
		}
		free(out);
	}
}

static void
test_parse_fields(void **state)
{
	struct arn a;
	struct ekskit_err err;

	(void)state;
	assert_int_equal(arn_parse("arn:aws:eks:us-west-2:123456789012:cluster/c:x",
	    &a, &err), EKSKIT_OK);
	assert_string_equal(a.partition, "aws");
	assert_string_equal(a.service, "eks");
	assert_string_equal(a.region, "us-west-2");
	assert_string_equal(a.account, "123456789012");
	assert_string_equal(a.resource, "cluster/c:x");
	arn_release(&a);
	arn_release(NULL);
	assert_int_equal(arn_parse("arn:aws:iam::123456789012:role/a\nb", &a, &err),
	    EKSKIT_ERR_INVALID);
	/* control characters never reach the message */
	assert_null(strchr(err.msg, '\n'));
	assert_non_null(strstr(err.msg, "role/a?b"));
	assert_int_equal(arn_parse("arn:aws::::x", &a, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_parse("arn:aws:iam::1:", &a, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_parse(NULL, &a, &err), EKSKIT_ERR_INVALID);
}

static void
test_parse_too_long(void **state)
{
	char *s = malloc(ARN_MAX_LEN + 64);
	struct arn a;
	struct ekskit_err err;

	(void)state;
	strcpy(s, "arn:aws:iam::123456789012:role/");
	memset(s + strlen(s), 'a', ARN_MAX_LEN);
	s[ARN_MAX_LEN + 10] = '\0';
	assert_int_equal(arn_parse(s, &a, &err), EKSKIT_ERR_INVALID);
	free(s);
}

static void
test_principal(void **state)
{
	struct arn_principal p;
	struct ekskit_err err;

	(void)state;
	assert_int_equal(arn_principal_parse(
	    "arn:aws:iam::123456789012:role/team/a/Dev", &p, &err), EKSKIT_OK);
	assert_int_equal(p.kind, ARN_KIND_ROLE);
	assert_string_equal(p.path, "/team/a/");
	assert_string_equal(p.name, "Dev");
	assert_string_equal(p.account, "123456789012");
	assert_string_equal(p.key, "arn:aws:iam::123456789012:role/team/a/dev");
	assert_int_equal(p.service_linked, 0);
	arn_principal_release(&p);

	assert_int_equal(arn_principal_parse(
	    "arn:aws:sts::123456789012:assumed-role/Admin/me@x.com", &p, &err), EKSKIT_OK);
	assert_int_equal(p.kind, ARN_KIND_ASSUMED_ROLE);
	assert_string_equal(p.name, "Admin");
	assert_string_equal(p.session, "me@x.com");
	assert_string_equal(p.canonical, "arn:aws:iam::123456789012:role/Admin");
	arn_principal_release(&p);

	assert_int_equal(arn_principal_parse(
	    "arn:aws:iam::123456789012:role/aws-service-role/eks.amazonaws.com/"
	    "AWSServiceRoleForAmazonEKS", &p, &err), EKSKIT_OK);
	assert_int_equal(p.service_linked, 1);
	arn_principal_release(&p);

	assert_int_equal(arn_principal_parse("arn:aws:iam::123456789012:root", &p,
	    &err), EKSKIT_OK);
	assert_int_equal(p.kind, ARN_KIND_ROOT);
	arn_principal_release(&p);

	assert_int_equal(arn_principal_parse("arn:aws:iam::12345:role/R", &p, &err),
	    EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "12 digits"));
	assert_int_equal(arn_principal_parse("arn:aws:iam:us-east-1:123456789012:role/R",
	    &p, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse("arn:aws:iam::123456789012:role/", &p,
	    &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse("arn:aws:iam::123456789012:role//x/R",
	    &p, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse("arn:aws:iam::123456789012:role/a b",
	    &p, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse("arn:aws:iam::123456789012:role/R!",
	    &p, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse("arn:aws:iam::123456789012:group/G",
	    &p, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse("arn:aws:eks::123456789012:role/R",
	    &p, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(arn_principal_parse(
	    "arn:aws:sts::123456789012:assumed-role/R", &p, &err), EKSKIT_ERR_INVALID);
	assert_null(p.input);
	arn_principal_release(NULL);
}

static void
test_strip_and_keys(void **state)
{
	struct ekskit_err err;
	char *out;
	int stripped;

	(void)state;
	assert_int_equal(arn_strip_role_path("arn:aws:iam::123456789012:role/a/b/R",
	    &out, &stripped, &err), EKSKIT_OK);
	assert_string_equal(out, "arn:aws:iam::123456789012:role/R");
	assert_int_equal(stripped, 1);
	free(out);
	assert_int_equal(arn_strip_role_path("arn:aws:iam::123456789012:role/R",
	    &out, &stripped, &err), EKSKIT_OK);
	assert_string_equal(out, "arn:aws:iam::123456789012:role/R");
	assert_int_equal(stripped, 0);
	free(out);
	assert_int_equal(arn_strip_role_path("arn:aws:iam::123456789012:user/a/U",
	    &out, &stripped, &err), EKSKIT_OK);
	assert_string_equal(out, "arn:aws:iam::123456789012:user/a/U");
	assert_int_equal(stripped, 0);
	free(out);

	assert_true(arn_same_principal("arn:aws:iam::123456789012:role/Admin",
	    "ARN:AWS:IAM::123456789012:ROLE/admin"));
	assert_true(arn_same_principal("arn:aws:iam::123456789012:role/Admin",
	    "arn:aws:sts::123456789012:assumed-role/admin/x"));
	assert_false(arn_same_principal("arn:aws:iam::123456789012:role/p/Admin",
	    "arn:aws:sts::123456789012:assumed-role/Admin/x"));
	assert_false(arn_same_principal("arn:aws:iam::123456789012:role/Admin",
	    "arn:aws:iam::210987654321:role/Admin"));
	out = arn_key("Not An ARN");
	assert_string_equal(out, "not an arn");
	free(out);
	assert_null(arn_key(NULL));

	out = arn_role_arn("aws", "123456789012", "/a/b/", "R");
	assert_string_equal(out, "arn:aws:iam::123456789012:role/a/b/R");
	free(out);
	out = arn_role_arn("aws-cn", "123456789012", "/", "R");
	assert_string_equal(out, "arn:aws-cn:iam::123456789012:role/R");
	free(out);
	out = arn_role_arn("aws", "123456789012", NULL, "R");
	assert_string_equal(out, "arn:aws:iam::123456789012:role/R");
	free(out);
	assert_true(arn_partition_known("aws-iso-f"));
	assert_false(arn_partition_known("AWS"));
	assert_true(arn_account_valid("000000000000"));
	assert_false(arn_account_valid("00000000000a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonicalize_table),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_principal),
		cmocka_unit_test(test_strip_and_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
