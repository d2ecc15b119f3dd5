/* Unit tests for lib/access_migrate.c: the aws-auth -> access entries plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/access_migrate.h"
#include "ekskit/buf.h"

#define A "111122223333"
#define X "444455556666"

static const char map_roles[] =
    "- rolearn: arn:aws:iam::" A ":role/NodeRole\n"
    "  username: system:node:{{EC2PrivateDNSName}}\n"
    "  groups: [system:bootstrappers, system:nodes]\n"
    "- rolearn: arn:aws:iam::" A ":role/WinNodes\n"
    "  username: system:node:{{EC2PrivateDNSName}}\n"
    "  groups: [system:bootstrappers, system:nodes, eks:kube-proxy-windows]\n"
    "- rolearn: arn:aws:iam::" A ":role/FargatePods\n"
    "  username: system:node:{{SessionName}}\n"
    "  groups: [system:bootstrappers, system:nodes, system:node-proxier]\n"
    "- rolearn: arn:aws:iam::" A ":role/Admin\n"
    "  username: old-admin\n"
    "  groups: [viewers]\n"
    "- rolearn: arn:aws:iam::" A ":role/admin\n"           /* the active duplicate */
    "  username: admin:{{SessionName}}\n"
    "  groups: [system:masters, ops]\n"
    "- rolearn: arn:aws:iam::" X ":role/Partner\n"         /* cross-account */
    "  username: partner\n"
    "  groups: [viewers]\n"
    "- rolearn: arn:aws:iam::" A ":role/team/WithPath\n"   /* ignored: a path */
    "  username: x\n"
    "  groups: [viewers]\n"
    "- rolearn: arn:aws:iam::" A ":role/KeyUser\n"
    "  username: key-{{AccessKeyID}}\n"
    "  groups: [viewers]\n"
    "- rolearn: arn:aws:iam::" A ":role/Gone\n"
    "  username: gone\n"
    "  groups: [viewers]\n"
    "- rolearn: arn:aws:iam::" A ":role/Existing\n"
    "  username: e\n"
    "  groups: [viewers]\n"
    "- rolearn: arn:aws:iam::" A ":role/Denied\n"
    "  username: d\n"
    "  groups: [viewers]\n"
    "- sso:\n"
    "    permissionSetName: Dev\n"
    "    accountID: \"" A "\"\n"
    "  username: sso-dev\n"
    "  groups: [viewers]\n";

static const char map_users[] =
    "- userarn: arn:aws:iam::" A ":user/alice\n"
    "  username: alice\n"
    "  groups: [system:masters]\n";

static const char map_accounts[] = "- \"" X "\"\n";

/* IAM as seen by the plan: Admin lives under /team/, Gone does not exist. */
static int
fake_get_role(void *ctx, const char *name, char **arn, struct ekskit_err *err)
{
	int *calls = ctx;

	(*calls)++;
	if (strcmp(name, "Gone") == 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no such role");
	if (strcmp(name, "Denied") == 0)
		return ekskit_err_set(err, EKSKIT_ERR_REMOTE,
		    "AccessDenied: not authorized to perform iam:GetRole");
	if (strcmp(name, "Partner") == 0)
		fail_msg("a cross-account role was looked up in the local account");
	if (asprintf(arn, "arn:aws:iam::" A ":role%s%s",
	    strcmp(name, "admin") == 0 ? "/team/" : "/", name) < 0)
		return EKSKIT_ERR_NOMEM;
	return 0;
}

static const struct access_migrate_item *
find(const struct access_migrate_plan *p, const char *written)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->items[i].written != NULL && strcmp(p->items[i].written, written) == 0)
			return &p->items[i];
	fail_msg("no plan item for %s", written);
	return NULL;
}

static void
build(struct access_migrate_plan *p, const char *mode, int *calls, int with_admin_entry)
{
	char *groups[] = { NULL };
	struct eks_associated_policy admin = {
		(char *)"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
		{ (char *)"cluster", groups }, 0, 0 };
	struct eks_access_entry existing = {
		.principal_arn = (char *)"arn:aws:iam::" A ":role/some/path/Existing",
		.type = (char *)"STANDARD", .kubernetes_groups = groups,
		.policies = &admin, .npolicies = with_admin_entry,
	};
	struct eks_access_entry *entries[] = { &existing };
	struct access_migrate_in in;
	struct awsauth *auth = NULL;
	struct ekskit_err err;
	json_t *data;

	data = json_pack("{s:s,s:s,s:s}", "mapRoles", map_roles, "mapUsers", map_users,
	    "mapAccounts", map_accounts);
	assert_int_equal(awsauth_parse(data, &auth, &err), 0);
	memset(&in, 0, sizeof(in));
	in.auth = auth;
	in.entries = entries;
	in.nentries = 1;
	in.cluster = "c1";
	in.region = "us-west-2";
	in.account = A;
	in.auth_mode = mode;
	in.get_role = fake_get_role;
	in.ctx = calls;
	assert_int_equal(access_migrate_plan_build(&in, p, &err), 0);
	awsauth_free(auth);
	json_decref(data);
}

static void
test_plan(void **state)
{
	struct access_migrate_plan p;
	const struct access_migrate_item *it;
	int calls = 0;

	(void)state;
	build(&p, "API_AND_CONFIG_MAP", &calls, 0);
	it = find(&p, "arn:aws:iam::" A ":role/NodeRole");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_CREATE);
	assert_string_equal(it->type, "EC2_LINUX");
	assert_null(it->username);
	assert_int_equal(it->ngroups, 0);
	assert_string_equal(find(&p, "arn:aws:iam::" A ":role/WinNodes")->type, "EC2_WINDOWS");
	assert_string_equal(find(&p, "arn:aws:iam::" A ":role/FargatePods")->type,
	    "FARGATE_LINUX");

	/* duplicates: the last (active) one is migrated, the first reported */
	it = find(&p, "arn:aws:iam::" A ":role/Admin");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_SHADOWED);
	it = find(&p, "arn:aws:iam::" A ":role/admin");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_CREATE);
	assert_string_equal(it->principal_arn, "arn:aws:iam::" A ":role/team/admin");
	assert_int_equal(it->cluster_admin, 1);
	assert_int_equal(it->ngroups, 1);
	assert_string_equal(it->groups[0], "ops");
	assert_string_equal(it->username, "admin:{{SessionName}}");
	assert_non_null(strstr(it->reason, "path restored"));

	/* cross-account: exactly as written, never looked up (fake_get_role fails if so) */
	it = find(&p, "arn:aws:iam::" X ":role/Partner");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_CREATE);
	assert_string_equal(it->principal_arn, "arn:aws:iam::" X ":role/Partner");

	assert_int_equal(find(&p, "arn:aws:iam::" A ":role/team/WithPath")->verdict,
	    ACCESS_MIGRATE_CANNOT);
	it = find(&p, "arn:aws:iam::" A ":role/KeyUser");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_CANNOT);
	assert_non_null(strstr(it->reason, "SessionName"));
	it = find(&p, "arn:aws:iam::" A ":role/Gone");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_CANNOT);
	assert_non_null(strstr(it->reason, "no such role"));
	assert_int_equal(find(&p, "arn:aws:iam::" A ":role/Existing")->verdict,
	    ACCESS_MIGRATE_EXISTS);
	it = find(&p, "arn:aws:iam::" A ":role/Denied");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_FAILED);
	assert_non_null(strstr(it->reason, "AccessDenied"));
	assert_int_equal(p.errors, 1);
	it = find(&p, "arn:aws:iam::" A ":user/alice");
	assert_int_equal(it->verdict, ACCESS_MIGRATE_CREATE);
	assert_int_equal(it->cluster_admin, 1);
	assert_int_equal(find(&p, X)->verdict, ACCESS_MIGRATE_CANNOT);
	{
		size_t i, sso = 0;

		for (i = 0; i < p.n; i++)
			if (p.items[i].reason && strstr(p.items[i].reason, "sso"))
				sso += p.items[i].verdict == ACCESS_MIGRATE_CANNOT;
		assert_int_equal(sso, 1);
	}
	/* mapping that work today are lost: switching to API is not safe */
	assert_string_equal(p.next_mode, "API");
	assert_int_equal(p.next_safe, 0);
	assert_non_null(strstr(p.next_command, "authenticationMode=API"));
	assert_non_null(strstr(p.next_command, "--name c1"));
	{
		struct ekbuf b;
		json_t *j = access_migrate_plan_json(&p);

		ekbuf_init(&b, 0);
		assert_int_equal(access_migrate_plan_text(&p, 0, &b), 0);
		assert_non_null(strstr(b.data, "shadowed"));
		assert_non_null(strstr(b.data, "NOT safe"));
		ekbuf_release(&b);
		assert_non_null(j);
		assert_int_equal(json_array_size(json_object_get(j, "mappings")), p.n);
		json_decref(j);
	}
	access_migrate_plan_release(&p);
	access_migrate_plan_release(NULL);
}

static void
test_modes(void **state)
{
	struct access_migrate_plan p;
	int calls = 0;

	(void)state;
	build(&p, "CONFIG_MAP", &calls, 0);
	assert_int_equal(p.can_create, 0);
	assert_string_equal(p.next_mode, "API_AND_CONFIG_MAP");
	assert_int_equal(p.next_safe, 1);
	assert_int_equal(access_migrate_apply(NULL, "c1", &p, NULL), EKSKIT_ERR_CONFIG);
	access_migrate_plan_release(&p);
	build(&p, "API", &calls, 1);
	assert_null(p.next_mode);
	assert_null(p.next_command);
	access_migrate_plan_release(&p);
}

/* A small, clean aws-auth: switching is safe once the entries exist. */
static void
test_safe_switch(void **state)
{
	static const char roles[] =
	    "- rolearn: arn:aws:iam::" A ":role/NodeRole\n"
	    "  username: system:node:{{EC2PrivateDNSName}}\n"
	    "  groups: [system:bootstrappers, system:nodes]\n"
	    "- rolearn: arn:aws:iam::" A ":role/admin\n"
	    "  username: admin:{{SessionName}}\n"
	    "  groups: [system:masters]\n"
	    "- rolearn: arn:aws:iam::" A ":role/team/Broken\n"   /* grants nothing today */
	    "  username: b\n";
	struct access_migrate_plan p;
	struct access_migrate_in in;
	struct awsauth *auth = NULL;
	struct ekskit_err err;
	json_t *data = json_pack("{s:s,s:s}", "mapRoles", roles, "mapUsers", "- [broken");
	int calls = 0;

	(void)state;
	assert_int_equal(awsauth_parse(data, &auth, &err), 0);
	memset(&in, 0, sizeof(in));
	in.auth = auth;
	in.cluster = "c1";
	in.region = "eu-west-1";
	in.account = A;
	in.auth_mode = "API_AND_CONFIG_MAP";
	in.get_role = fake_get_role;
	in.ctx = &calls;
	assert_int_equal(access_migrate_plan_build(&in, &p, &err), 0);
	assert_int_equal(p.next_safe, 1);
	assert_int_equal(calls, 2);
	assert_true(p.n >= 4);   /* the malformed mapUsers key is reported too */
	assert_int_equal(p.items[0].verdict, ACCESS_MIGRATE_CANNOT);
	assert_non_null(strstr(p.items[0].source, "mapUsers (whole key)"));
	access_migrate_plan_release(&p);
	awsauth_free(auth);
	json_decref(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_safe_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
