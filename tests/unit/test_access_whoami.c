/* Unit tests for lib/access_whoami.c: which entry or mapping EKS applies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/access_whoami.h"

#define A "111122223333"

static const char roles[] =
    "- rolearn: arn:aws:iam::" A ":role/Dev\n"
    "  username: old\n"
    "  groups: [x]\n"
    "- rolearn: arn:aws:iam::" A ":role/dev\n"
    "  username: dev:{{SessionName}}\n"
    "  groups: [viewers, \"acct-{{AccountID}}\"]\n"
    "- rolearn: arn:aws:iam::" A ":role/team/Pathy\n"
    "  username: p\n";

static json_t *
explain(const char *arn, const char *mode, struct eks_access_entry **entries,
    size_t n, struct awsauth *auth)
{
	struct access_whoami_in in;
	struct ekskit_err err;
	json_t *doc = NULL;

	memset(&in, 0, sizeof(in));
	in.arn = arn;
	in.auth = auth;
	in.entries = entries;
	in.nentries = n;
	in.auth_mode = mode;
	assert_int_equal(access_whoami_explain(&in, &doc, &err), 0);
	return doc;
}

static const char *
s(const json_t *doc, const char *k)
{
	return json_string_value(json_object_get(doc, k));
}

static void
test_awsauth_decides(void **state)
{
	struct awsauth *auth = NULL;
	struct ekskit_err err;
	json_t *data = json_pack("{s:s}", "mapRoles", roles), *doc;
	struct ekbuf b;

	(void)state;
	assert_int_equal(awsauth_parse(data, &auth, &err), 0);
	doc = explain("arn:aws:sts::" A ":assumed-role/Dev/me@corp.com", "API_AND_CONFIG_MAP",
	    NULL, 0, auth);
	assert_string_equal(s(doc, "canonicalArn"), "arn:aws:iam::" A ":role/Dev");
	assert_string_equal(s(doc, "decidedBy"), "aws-auth");
	/* the last duplicate wins, templates expanded like the authenticator */
	assert_string_equal(s(doc, "username"), "dev:me-corp.com");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "groups"), 1)),
	    "acct-" A);
	assert_string_equal(s(json_object_get(doc, "awsAuth"), "source"), "mapRoles line 4");
	ekbuf_init(&b, 0);
	assert_int_equal(access_whoami_text(doc, &b), 0);
	assert_non_null(strstr(b.data, "mapRoles line 4"));
	ekbuf_release(&b);
	json_decref(doc);

	/* a mapping with a role path never matches */
	doc = explain("arn:aws:sts::" A ":assumed-role/Pathy/s1", "API_AND_CONFIG_MAP", NULL, 0, auth);
	assert_string_equal(s(doc, "decidedBy"), "nothing");
	json_decref(doc);
	/* mode API: aws-auth is not read */
	doc = explain("arn:aws:sts::" A ":assumed-role/Dev/s1", "API", NULL, 0, auth);
	assert_string_equal(s(doc, "decidedBy"), "nothing");
	json_decref(doc);
	awsauth_free(auth);
	json_decref(data);
}

static void
test_entry_wins(void **state)
{
	char *groups[] = { (char *)"editors", NULL };
	struct eks_access_entry e = {
		.principal_arn = (char *)"arn:aws:iam::" A ":role/org/Dev",
		.type = (char *)"STANDARD", .username = (char *)"x:{{SessionName}}",
		.kubernetes_groups = groups,
	};
	struct eks_access_entry *entries[] = { &e };
	struct awsauth *auth = NULL;
	struct ekskit_err err;
	json_t *data = json_pack("{s:s}", "mapRoles", roles), *doc;

	(void)state;
	assert_int_equal(awsauth_parse(data, &auth, &err), 0);
	doc = explain("arn:aws:sts::" A ":assumed-role/Dev/s1", "API_AND_CONFIG_MAP",
	    entries, 1, auth);
	assert_string_equal(s(doc, "decidedBy"), "access-entry");
	assert_string_equal(s(doc, "username"), "x:s1");
	assert_non_null(json_object_get(doc, "awsAuth"));
	json_decref(doc);
	/* CONFIG_MAP: the entry is not used, aws-auth decides */
	doc = explain("arn:aws:sts::" A ":assumed-role/Dev/s1", "CONFIG_MAP", entries, 1, auth);
	assert_string_equal(s(doc, "decidedBy"), "aws-auth");
	json_decref(doc);
	awsauth_free(auth);
	json_decref(data);
	{
		struct access_whoami_in in;

		memset(&in, 0, sizeof(in));
		in.arn = "arn:aws:iam::1:role/x";
		assert_int_equal(access_whoami_explain(&in, &doc, &err), EKSKIT_ERR_USAGE);
		assert_null(doc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_awsauth_decides),
		cmocka_unit_test(test_entry_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
