/* Unit tests for lib/eks_access_rules.c and lib/eks_access_parse.c (no network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/eks.h"
#include "ekskit/eks_access.h"

#define ROLE "arn:aws:iam::123456789012:role/dev"
#define ERR_HAS(e, s) assert_non_null(strstr((e).msg, (s)))

static void
test_usernames(void **state)
{
	static const char *const bad[] = {
		"system:admin", "EKS:x", "aws:y", "amazon:z", "iam:q", "",
		"dev-{{SessionName}}", "{{SessionName}}", "a:{{AccessKeyID}}",
		"a:{{EC2PrivateDNSName}}", "x\ty", "a:{{SessionName", NULL,
	};
	static const char *const good[] = {
		"dev", "dev:{{SessionName}}", "{{SessionNameRaw}}",
		"arn:aws:sts::123456789012:assumed-role/dev/{{SessionName}}",
		"team-a:{{SessionNameRaw}}", NULL,
	};
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		assert_int_equal(eks_access_check_username(bad[i], &err), EKSKIT_ERR_USAGE);
	for (i = 0; good[i] != NULL; i++)
		assert_int_equal(eks_access_check_username(good[i], &err), EKSKIT_OK);
	eks_access_check_username("system:admin", &err);
	ERR_HAS(err, "reserved");
	eks_access_check_username("dev-{{SessionName}}", &err);
	ERR_HAS(err, "colon");
}

static void
test_principals(void **state)
{
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_access_check_principal(ROLE, NULL, &err), EKSKIT_OK);
	assert_int_equal(eks_access_check_principal(
	    "arn:aws:iam::123456789012:role/p/a/dev", "EC2_LINUX", &err), EKSKIT_OK);
	assert_int_equal(eks_access_check_principal(
	    "arn:aws:iam::123456789012:user/u", "STANDARD", &err), EKSKIT_OK);
	assert_int_equal(eks_access_check_principal(
	    "arn:aws:iam::123456789012:user/u", "EC2_LINUX", &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_principal(
	    "arn:aws:sts::123456789012:assumed-role/dev/me", NULL, &err), EKSKIT_ERR_USAGE);
	ERR_HAS(err, "arn:aws:iam::123456789012:role/dev");
	assert_int_equal(eks_access_check_principal(
	    "arn:aws:sts::123456789012:federated-user/bob", NULL, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_principal(
	    "arn:aws:iam::123456789012:role/aws-service-role/eks.amazonaws.com/X",
	    NULL, &err), EKSKIT_ERR_USAGE);
	ERR_HAS(err, "service-linked");
	assert_int_equal(eks_access_check_principal("arn:aws:iam::123:role/x", NULL,
	    &err), EKSKIT_ERR_USAGE);
	assert_int_equal(err.code, EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_principal("garbage", NULL, &err),
	    EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_principal(NULL, NULL, &err),
	    EKSKIT_ERR_USAGE);
}

static void
test_spec_rules(void **state)
{
	const char *groups[] = { "viewers" };
	struct eks_access_entry_spec s = { ROLE, "EC2_LINUX", NULL, groups, 1 };
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_access_check_spec(&s, 0, &err), EKSKIT_ERR_USAGE);
	ERR_HAS(err, "no --kubernetes-group");
	s.ngroups = 0;
	s.username = "x";
	assert_int_equal(eks_access_check_spec(&s, 0, &err), EKSKIT_ERR_USAGE);
	s.username = NULL;
	assert_int_equal(eks_access_check_spec(&s, 0, &err), EKSKIT_OK);
	s.type = "WINDOWS";
	assert_int_equal(eks_access_check_spec(&s, 0, &err), EKSKIT_ERR_USAGE);
	s.type = "STANDARD";
	s.ngroups = 1;
	s.username = "dev:{{SessionName}}";
	assert_int_equal(eks_access_check_spec(&s, 0, &err), EKSKIT_OK);
	groups[0] = "";
	assert_int_equal(eks_access_check_spec(&s, 0, &err), EKSKIT_ERR_USAGE);
	assert_true(eks_access_type_valid("HYBRID_LINUX"));
	assert_false(eks_access_type_valid("standard"));
}

static void
test_policy_names(void **state)
{
	struct ekskit_err err;
	char *p;

	(void)state;
	assert_int_equal(eks_access_policy_arn("AmazonEKSClusterAdminPolicy", "aws",
	    &p, &err), EKSKIT_OK);
	assert_string_equal(p,
	    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
	free(p);
	assert_int_equal(eks_access_policy_arn("AmazonEKSViewPolicy", "aws-cn",
	    &p, &err), EKSKIT_OK);
	assert_string_equal(p, "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
	free(p);
	assert_int_equal(eks_access_policy_arn(
	    "arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", NULL,
	    &p, &err), EKSKIT_OK);
	free(p);
	assert_int_equal(eks_access_policy_arn("arn:aws:iam::aws:policy/Admin", NULL,
	    &p, &err), EKSKIT_ERR_USAGE);
	assert_null(p);
	assert_int_equal(eks_access_policy_arn("../x", NULL, &p, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_policy_arn("", NULL, &p, &err), EKSKIT_ERR_USAGE);
}

static void
test_scopes(void **state)
{
	const char *ns[] = { "default", "dev-*" };
	const char *badns[] = { "Bad_NS" };
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_access_check_scope("cluster", NULL, 0, &err), EKSKIT_OK);
	assert_int_equal(eks_access_check_scope("cluster", ns, 1, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_scope("namespace", NULL, 0, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_scope("namespace", ns, 2, &err), EKSKIT_OK);
	assert_int_equal(eks_access_check_scope("namespace", badns, 1, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_scope("global", NULL, 0, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_check_scope(NULL, NULL, 0, &err), EKSKIT_ERR_USAGE);
}

static void
test_build_requests(void **state)
{
	const char *groups[] = { "viewers", "devs" };
	const char *ns[] = { "default" };
	struct eks_access_entry_spec s = { ROLE, NULL, NULL, groups, 2 };
	struct eks_access_call call;
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_access_build_create("c1", &s, &call, &err), EKSKIT_OK);
	assert_string_equal(call.method, "POST");
	assert_string_equal(call.path, "/clusters/c1/access-entries");
	assert_string_equal(call.body, "{\"principalArn\":\"" ROLE "\","
	    "\"kubernetesGroups\":[\"viewers\",\"devs\"]}");
	eks_access_call_release(&call);
	assert_int_equal(eks_access_build_delete("c1", ROLE, &call, &err), EKSKIT_OK);
	assert_string_equal(call.path, "/clusters/c1/access-entries/"
	    "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev");
	assert_null(call.body);
	eks_access_call_release(&call);
	assert_int_equal(eks_access_build_associate("c1", ROLE,
	    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "namespace",
	    ns, 1, &call, &err), EKSKIT_OK);
	assert_string_equal(call.body, "{\"policyArn\":\"arn:aws:eks::aws:"
	    "cluster-access-policy/AmazonEKSViewPolicy\",\"accessScope\":"
	    "{\"type\":\"namespace\",\"namespaces\":[\"default\"]}}");
	assert_true(strstr(call.path, "/access-policies") != NULL);
	eks_access_call_release(&call);
	assert_int_equal(eks_access_build_disassociate("c1", ROLE,
	    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", &call, &err),
	    EKSKIT_OK);
	assert_non_null(strstr(call.path, "/access-policies/arn%3Aaws%3Aeks%3A%3Aaws%3Acluster-access-policy%2FAmazonEKSViewPolicy"));
	eks_access_call_release(&call);
	assert_int_equal(eks_access_build_delete("bad name", ROLE, &call, &err),
	    EKSKIT_ERR_USAGE);
	assert_int_equal(eks_access_build_delete("c1", "arn:aws:iam::1:role/x", &call,
	    &err), EKSKIT_ERR_USAGE);
	eks_access_call_release(&call);
}

/* The reset-on-update trap: fields not given are carried from the current entry. */
static void
test_build_update_keeps_state(void **state)
{
	char *cur_groups[] = { (char *)"old", NULL };
	struct eks_access_entry cur = {
		.principal_arn = (char *)ROLE, .type = (char *)"STANDARD",
		.username = (char *)"dev:{{SessionName}}",
		.kubernetes_groups = cur_groups,
	};
	const char *groups[] = { "new" };
	struct eks_access_entry_spec s = { ROLE, NULL, NULL, NULL, 0 };
	struct eks_access_call call;
	struct ekskit_err err;

	(void)state;
	s.username = "ops:{{SessionName}}";
	assert_int_equal(eks_access_build_update("c1", &cur, &s, &call, &err), EKSKIT_OK);
	assert_string_equal(call.body, "{\"kubernetesGroups\":[\"old\"],"
	    "\"username\":\"ops:{{SessionName}}\"}");
	eks_access_call_release(&call);
	s.username = NULL;
	s.groups = groups;
	s.ngroups = 1;
	assert_int_equal(eks_access_build_update("c1", &cur, &s, &call, &err), EKSKIT_OK);
	assert_string_equal(call.body, "{\"kubernetesGroups\":[\"new\"],"
	    "\"username\":\"dev:{{SessionName}}\"}");
	eks_access_call_release(&call);
	/* a node entry: nothing to carry, and nothing may be given */
	cur.type = (char *)"EC2_LINUX";
	cur.kubernetes_groups[0] = (char *)"system:nodes";
	assert_int_equal(eks_access_build_update("c1", &cur, &s, &call, &err),
	    EKSKIT_ERR_USAGE);
	s.ngroups = 0;
	assert_int_equal(eks_access_build_update("c1", &cur, &s, &call, &err), EKSKIT_OK);
	assert_string_equal(call.body, "{}");
	eks_access_call_release(&call);
	s.type = "STANDARD";
	assert_int_equal(eks_access_build_update("c1", &cur, &s, &call, &err),
	    EKSKIT_ERR_USAGE);
	ERR_HAS(err, "cannot change");
}

#define PARSE_BAD_ENTRY(j) do { \
	assert_int_equal(eks_access_entry_parse((j), strlen(j), &e, &err), \
	    EKSKIT_ERR_INVALID); \
	assert_null(e); \
} while (0)
#define BADPOL "{\"associatedAccessPolicies\":[{\"accessScope\":{}}]}"

static void
test_parse(void **state)
{
	static const char entry[] = "{\"accessEntry\":{\"clusterName\":\"c1\","
	    "\"principalArn\":\"" ROLE "\",\"kubernetesGroups\":[\"a\",\"b\"],"
	    "\"accessEntryArn\":\"arn:aws:eks:us-west-2:123456789012:access-entry/c1/role/x\","
	    "\"createdAt\":1700000000.5,\"modifiedAt\":1700000001,\"tags\":{},"
	    "\"username\":\"u\",\"type\":\"STANDARD\"}}";
	static const char page[] = "{\"accessEntries\":[\"" ROLE "\"],\"nextToken\":\"t2\"}";
	static const char pols[] = "{\"clusterName\":\"c1\",\"principalArn\":\"" ROLE "\","
	    "\"associatedAccessPolicies\":[{\"policyArn\":\"p1\",\"accessScope\":"
	    "{\"type\":\"namespace\",\"namespaces\":[\"a\"]},\"associatedAt\":1},"
	    "{\"policyArn\":\"p2\",\"accessScope\":{\"type\":\"cluster\"}}]}";
	struct eks_access_entry *e;
	struct eks_associated_policy *v = NULL;
	struct ekskit_err err;
	char **names = NULL, *next;
	size_t n = 0;

	(void)state;
	assert_int_equal(eks_access_entry_parse(entry, strlen(entry), &e, &err), EKSKIT_OK);
	assert_string_equal(e->principal_arn, ROLE);
	assert_string_equal(e->kubernetes_groups[1], "b");
	assert_null(e->kubernetes_groups[2]);
	assert_string_equal(e->username, "u");
	assert_true(e->created_at > 1700000000.0);
	eks_access_entry_free(e);
	assert_int_equal(eks_access_list_page_parse(page, strlen(page), &names, &n,
	    &next, &err), EKSKIT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(next, "t2");
	free(next);
	ek_strv_free(names);
	n = 0;
	assert_int_equal(eks_access_policies_page_parse(pols, strlen(pols), &v, &n,
	    &next, &err), EKSKIT_OK);
	assert_int_equal(n, 2);
	assert_null(next);
	assert_string_equal(v[0].scope.namespaces[0], "a");
	assert_string_equal(v[1].scope.type, "cluster");
	assert_null(v[1].scope.namespaces[0]);
	eks_associated_policies_free(v, n);
	/* malformed answers: clear errors, nothing leaked (ASan) */
	PARSE_BAD_ENTRY("{\"accessEntry\":{\"principalArn\":\"a\\u0007\"}}");
	PARSE_BAD_ENTRY("[]");
	PARSE_BAD_ENTRY("{\"accessEntry\":{}}");
	PARSE_BAD_ENTRY("{\"accessEntry\":{\"principalArn\":\"a\",\"kubernetesGroups\":\"x\"}}");
	names = NULL;
	n = 0;
	assert_int_equal(eks_access_list_page_parse("{\"accessEntries\":[1]}",
	    strlen("{\"accessEntries\":[1]}"), &names, &n, &next, &err), EKSKIT_ERR_INVALID);
	assert_null(names);
	v = NULL;
	n = 0;
	assert_int_equal(eks_access_policies_page_parse(BADPOL, strlen(BADPOL), &v, &n,
	    &next, &err), EKSKIT_ERR_INVALID);
	eks_associated_policies_free(v, n);
}

static void
test_cluster_auth_mode(void **state)
{
	static const char j[] = "{\"cluster\":{\"name\":\"c1\",\"arn\":\"arn:aws:eks:"
	    "us-west-2:123456789012:cluster/c1\",\"status\":\"ACTIVE\",\"accessConfig\":"
	    "{\"authenticationMode\":\"API_AND_CONFIG_MAP\",\"bootstrapClusterCreatorAdminPermissions\":true}}}";
	struct eks_cluster *cl;
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_cluster_parse(j, strlen(j), &cl, &err), EKSKIT_OK);
	assert_string_equal(cl->authentication_mode, "API_AND_CONFIG_MAP");
	eks_cluster_free(cl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usernames),
		cmocka_unit_test(test_principals),
		cmocka_unit_test(test_spec_rules),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_build_requests),
		cmocka_unit_test(test_build_update_keeps_state),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cluster_auth_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
