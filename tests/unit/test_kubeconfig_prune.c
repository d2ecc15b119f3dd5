/*
 * Unit tests for lib/kubeconfig_prune.c: which exec blocks are ekskit's,
 * what --prune removes (and never removes), and the shared-user guard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/kubeconfig_prune.h"

#define W(s) ((char *)(s))

static struct kubeconfig *
parse(const char *y)
{
	struct kubeconfig *kc = NULL;
	struct ekskit_err err;

	assert_int_equal(kubeconfig_parse("/tmp/kc", y, strlen(y), &kc, &err), 0);
	return kc;
}

static void
test_identify(void **state)
{
	char *a1[] = { W("--cluster-name"), W("c1"), W("--region"), W("eu-west-1") };
	char *a2[] = { W("--region=us-east-1"), W("--cluster-name=c2"), W("--profile"), W("ops") };
	char *a3[] = { W("--region"), W("us-east-1"), W("eks"), W("get-token"),
	    W("--cluster-name"), W("c3") };
	char *a4[] = { W("--cluster-id"), W("abc"), W("--region"), W("us-east-1") };
	struct kc_env env[] = { { W("AWS_PROFILE"), W("dev") } };
	struct kc_exec e;
	struct kcu_exec_id id;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.command = W("eks-token");
	e.args = a1;
	e.nargs = 4;
	assert_int_equal(kcu_exec_identify(&e, &id), 1);
	assert_string_equal(id.cluster, "c1");
	assert_string_equal(id.region, "eu-west-1");
	assert_null(id.profile);
	e.env = env;
	e.nenv = 1;
	assert_int_equal(kcu_exec_identify(&e, &id), 1);
	assert_string_equal(id.profile, "dev");
	/* --key=value forms; --profile beats AWS_PROFILE (as eks-token does) */
	e.command = W("/usr/local/bin/eks-token");
	e.args = a2;
	assert_int_equal(kcu_exec_identify(&e, &id), 1);
	assert_string_equal(id.cluster, "c2");
	assert_string_equal(id.region, "us-east-1");
	assert_string_equal(id.profile, "ops");
	/* the AWS CLI's block, other tools, Outposts ids: not ours */
	e.command = W("aws");
	e.args = a3;
	e.nargs = 6;
	assert_int_equal(kcu_exec_identify(&e, &id), 0);
	e.command = W("my-eks-token-wrapper");
	assert_int_equal(kcu_exec_identify(&e, &id), 0);
	e.command = W("eks-token");
	e.args = a4;
	e.nargs = 4;
	assert_int_equal(kcu_exec_identify(&e, &id), 0);
	assert_int_equal(kcu_exec_identify(NULL, &id), 0);
}

#define EXEC(cluster, region, extra) \
	"    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: eks-token, " \
	"args: [--cluster-name, " cluster ", --region, " region "]" extra "}\n"

static const char stale_yaml[] =
	"apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
	"clusters:\n"
	"- {name: cl-gone, cluster: {server: 'https://g'}}\n"
	"- {name: cl-live, cluster: {server: 'https://l'}}\n"
	"- {name: cl-shared, cluster: {server: 'https://s'}}\n"
	"users:\n"
	"- name: gone\n  user:\n" EXEC("gone", "us-east-1", "")
	"- name: gone-shared\n  user:\n" EXEC("gone2", "us-east-1", "")
	"- name: live\n  user:\n" EXEC("live", "us-east-1", "")
	"- name: other-region\n  user:\n" EXEC("gone", "eu-west-1", "")
	"- name: other-profile\n  user:\n" EXEC("gone", "us-east-1", ", env: [{name: AWS_PROFILE, value: x}]")
	"- name: aws\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws,"
	" args: [--region, us-east-1, eks, get-token, --cluster-name, gone]}\n"
	"- {name: token, user: {token: t}}\n"
	"contexts:\n"
	"- {name: gone, context: {cluster: cl-gone, user: gone}}\n"
	"- {name: gone-shared, context: {cluster: cl-shared, user: gone-shared}}\n"
	"- {name: foreign, context: {cluster: cl-shared, user: token}}\n"
	"- {name: live, context: {cluster: cl-live, user: live}}\n"
	"- {name: other-region, context: {cluster: cl-gone2, user: other-region}}\n"
	"- {name: other-profile, context: {cluster: cl-gone2, user: other-profile}}\n"
	"- {name: aws, context: {cluster: cl-gone2, user: aws}}\n";

static void
test_prune(void **state)
{
	char *live[] = { W("live"), NULL };
	struct kcu_scope scope = { NULL, "us-east-1", live };
	struct kcu_prune p = { &scope, 1 };
	struct kubeconfig *kc = parse(stale_yaml);
	struct ekskit_err err;
	char **removed = NULL;

	(void)state;
	assert_int_equal(kcu_prune_apply(kc, &p, &removed, &err), 0);
	assert_non_null(removed);
	assert_string_equal(removed[0], "gone");
	assert_string_equal(removed[1], "gone-shared");
	assert_null(removed[2]);
	assert_false(kubeconfig_has(kc, KC_CONTEXTS, "gone"));
	assert_false(kubeconfig_has(kc, KC_USERS, "gone"));
	assert_false(kubeconfig_has(kc, KC_USERS, "gone-shared"));
	assert_false(kubeconfig_has(kc, KC_CLUSTERS, "cl-gone"));
	/* a cluster another context uses stays; so does everything else */
	assert_true(kubeconfig_has(kc, KC_CLUSTERS, "cl-shared"));
	assert_true(kubeconfig_has(kc, KC_CONTEXTS, "foreign"));
	assert_true(kubeconfig_has(kc, KC_CONTEXTS, "live"));
	assert_true(kubeconfig_has(kc, KC_CONTEXTS, "other-region"));
	assert_true(kubeconfig_has(kc, KC_CONTEXTS, "other-profile"));
	assert_true(kubeconfig_has(kc, KC_CONTEXTS, "aws"));
	assert_true(kubeconfig_has(kc, KC_USERS, "token"));
	assert_int_equal(kubeconfig_count(kc, KC_CONTEXTS), 5);
	ek_strv_free(removed);
	/* again: nothing left to remove */
	assert_int_equal(kcu_prune_apply(kc, &p, &removed, &err), 0);
	assert_null(removed);
	kubeconfig_free(kc);

	/* a scope with that profile removes the profile's stale entry only */
	kc = parse(stale_yaml);
	scope.profile = "x";
	assert_int_equal(kcu_prune_apply(kc, &p, &removed, &err), 0);
	assert_non_null(removed);
	assert_string_equal(removed[0], "other-profile");
	assert_null(removed[1]);
	ek_strv_free(removed);
	kubeconfig_free(kc);
}

static void
test_guard(void **state)
{
	char *argsA[] = { W("--cluster-name"), W("c"), W("--region"), W("us-east-1"),
	    W("--role-arn"), W("arn:aws:iam::1:role/A") };
	char *argsB[] = { W("--cluster-name"), W("c"), W("--region"), W("us-east-1"),
	    W("--role-arn"), W("arn:aws:iam::1:role/B") };
	struct kc_exec ea = { W(KC_EXEC_API_V1BETA1), W("eks-token"), argsA, 6,
	    NULL, 0, NULL, 0, NULL };
	struct kc_exec eb = ea;
	struct kc_user u = { W("shared"), NULL, NULL, NULL, NULL, NULL, NULL, &ea };
	struct kubeconfig *kc = parse(
	    "apiVersion: v1\nkind: Config\n"
	    "users:\n- name: shared\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1beta1,"
	    " command: eks-token, args: [--cluster-name, c, --region, us-east-1,"
	    " --role-arn, 'arn:aws:iam::1:role/A']}\n"
	    "contexts:\n- {name: one, context: {cluster: c, user: shared}}\n"
	    "- {name: two, context: {cluster: c, user: shared}}\n");
	struct ekskit_err err;

	(void)state;
	eb.args = argsB;
	/* the same exec block, a new user name: fine */
	assert_int_equal(kcu_user_guard(kc, &u, "three", &err), 0);
	u.name = W("new");
	u.exec = &eb;
	assert_int_equal(kcu_user_guard(kc, &u, "three", &err), 0);
	/* another exec block for a user two other contexts use: refused, both named */
	u.name = W("shared");
	assert_int_equal(kcu_user_guard(kc, &u, "three", &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "contexts one, two"));
	assert_non_null(strstr(err.msg, "--force"));
	/* writing context one itself: context two still uses it */
	assert_int_equal(kcu_user_guard(kc, &u, "one", &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "context two "));
	kubeconfig_free(kc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
