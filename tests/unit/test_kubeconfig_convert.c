/*
 * Unit tests for lib/kubeconfig_convert.c: reading exec blocks of the AWS
 * CLI, aws-iam-authenticator and eks-token (table-driven), regions from
 * endpoints, the arguments written for each target; and the in-place exec
 * edit of lib/kubeconfig.c that convert relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/kubeconfig.h"
#include "ekskit/kubeconfig_convert.h"

#define MAXA 16

struct parse_case {
	const char *name;
	const char *command;
	const char *args[MAXA];         /* NULL-terminated */
	const char *env[4];             /* "K=V", NULL-terminated */
	int ok;
	enum kcv_form form;
	const char *cluster, *region, *profile, *role, *external_id, *session;
	int by_id, forward;
	const char *why;                /* substring of the error when !ok */
};

static const struct parse_case cases[] = {
	{ "aws cli as written", "aws",
	  { "--region", "us-west-2", "eks", "get-token", "--cluster-name", "c1",
	    "--output", "json", "--role", "arn:aws:iam::1:role/r", NULL }, { NULL },
	  1, KCV_FORM_AWS, "c1", "us-west-2", NULL, "arn:aws:iam::1:role/r", NULL, NULL, 0, 0, NULL },
	{ "aws: options after eks, = forms, --profile", "/usr/local/bin/aws",
	  { "eks", "get-token", "--cluster-name=c1", "--region=eu-west-1",
	    "--profile", "dev", "--role-arn", "arn:aws:iam::1:role/r", NULL }, { NULL },
	  1, KCV_FORM_AWS, "c1", "eu-west-1", "dev", "arn:aws:iam::1:role/r", NULL, NULL, 0, 0, NULL },
	{ "aws: outposts --cluster-id, region from AWS_REGION env", "aws",
	  { "eks", "get-token", "--cluster-id", "0123-abcd", NULL },
	  { "AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=ca-central-1", NULL },
	  1, KCV_FORM_AWS, "0123-abcd", "ca-central-1", NULL, NULL, NULL, NULL, 1, 0, NULL },
	{ "aws: no region anywhere", "aws", { "eks", "get-token", "--cluster-name", "c", NULL },
	  { NULL }, 1, KCV_FORM_AWS, "c", NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
	{ "aws: another subcommand", "aws", { "sts", "get-caller-identity", NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "unexpected argument \"sts\"" },
	{ "aws: unknown option", "aws",
	  { "eks", "get-token", "--cluster-name", "c", "--endpoint-url", "http://x", NULL },
	  { NULL }, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "unknown argument \"--endpoint-url\"" },
	{ "aws: option without value", "aws", { "eks", "get-token", "--cluster-name", NULL },
	  { NULL }, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "--cluster-name has no value" },
	{ "aws: twice", "aws",
	  { "eks", "get-token", "--cluster-name", "a", "--cluster-name", "b", NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "given twice" },
	{ "authenticator: every flag", "aws-iam-authenticator",
	  { "token", "-i", "demo", "-r", "arn:aws:iam::1:role/r", "-e", "ext", "-s", "me",
	    "--cache", NULL }, { NULL },
	  1, KCV_FORM_IAM_AUTH, "demo", NULL, NULL, "arn:aws:iam::1:role/r", "ext", "me", 0, 0, NULL },
	{ "authenticator: joined short and long = forms", "aws-iam-authenticator",
	  { "token", "-idemo", "--role=arn:aws:iam::1:role/r", "--forward-session-name", NULL },
	  { "AWS_DEFAULT_REGION=ap-south-1", NULL },
	  1, KCV_FORM_IAM_AUTH, "demo", "ap-south-1", NULL, "arn:aws:iam::1:role/r", NULL, NULL, 0, 1, NULL },
	{ "authenticator: no token subcommand", "aws-iam-authenticator", { "-i", "demo", NULL },
	  { NULL }, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "\"token\" is missing" },
	{ "authenticator: no cluster", "aws-iam-authenticator", { "token", NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "names no cluster" },
	{ "authenticator: --token-only is not an ExecCredential", "aws-iam-authenticator",
	  { "token", "-i", "x", "--token-only", NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "unknown argument \"--token-only\"" },
	{ "eks-token", "eks-token",
	  { "--cluster-name", "c", "--region", "us-west-2", "--role-arn", "arn:aws:iam::1:role/r",
	    "--external-id", "e", NULL }, { NULL },
	  1, KCV_FORM_EKS_TOKEN, "c", "us-west-2", NULL, "arn:aws:iam::1:role/r", "e", NULL, 0, 0, NULL },
	{ "eks-token shared user", "eks-token", { "--region", "us-west-2", NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "shared user" },
	{ "something else", "gke-gcloud-auth-plugin", { NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "runs gke-gcloud-auth-plugin" },
	{ "control characters never reach a message", "aws",
	  { "eks", "get-token", "--x\x1b[31m", NULL }, { NULL },
	  0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "\"--x?[31m\"" },
	{ "bad region", "aws", { "eks", "get-token", "--cluster-name", "c", "--region", "US WEST", NULL },
	  { NULL }, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, "not a region name" },
};

static void
fill_exec(const struct parse_case *c, struct kc_exec *e, struct kc_env *env)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	e->command = (char *)c->command;
	e->args = (char **)c->args;
	while (c->args[e->nargs] != NULL)
		e->nargs++;
	for (i = 0; c->env[i] != NULL; i++) {
		const char *eq = strchr(c->env[i], '=');
		env[i].name = ek_strndup(c->env[i], (size_t)(eq - c->env[i]));
		env[i].value = (char *)eq + 1;
	}
	e->env = env;
	e->nenv = i;
}

static void
assert_opt_str(const char *want, const char *got, const char *what, const char *name)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(want, got) != 0)
		fail_msg("%s: %s: want %s, got %s", name, what, want ? want : "(null)",
		    got ? got : "(null)");
}

static void
test_parse_table(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct parse_case *c = &cases[k];
		struct kc_env env[4];
		struct kc_exec e;
		struct kcv_auth a;
		struct ekskit_err err;
		int r;

		ekskit_err_clear(&err);
		fill_exec(c, &e, env);
		r = kcv_parse_exec(&e, &a, &err);
		for (i = 0; i < e.nenv; i++)
			free(env[i].name);
		if (!c->ok) {
			if (r != EKSKIT_ERR_INVALID || strstr(err.msg, c->why) == NULL)
				fail_msg("%s: want error with \"%s\", got %d \"%s\"", c->name,
				    c->why, r, err.msg);
			continue;
		}
		if (r != EKSKIT_OK)
			fail_msg("%s: %s", c->name, err.msg);
		assert_int_equal(a.form, c->form);
		assert_opt_str(c->cluster, a.cluster, "cluster", c->name);
		assert_opt_str(c->region, a.region, "region", c->name);
		assert_opt_str(c->profile, a.profile, "profile", c->name);
		assert_opt_str(c->role, a.role_arn, "role", c->name);
		assert_opt_str(c->external_id, a.external_id, "external id", c->name);
		assert_opt_str(c->session, a.session_name, "session", c->name);
		assert_int_equal(a.by_id, c->by_id);
		assert_int_equal(a.forward_session_name, c->forward);
		kcv_auth_release(&a);
	}
}

static void
test_region_from_server(void **state)
{
	static const char *const good[][2] = {
		{ "https://ABC.gr7.us-west-2.eks.amazonaws.com", "us-west-2" },
		{ "https://abc.yl4.eu-central-1.eks.amazonaws.com:443/", "eu-central-1" },
		{ "https://0123.yl4.cn-north-1.eks.amazonaws.com.cn", "cn-north-1" },
		{ "https://x.y.us-gov-west-1.eks.amazonaws.com", "us-gov-west-1" },
		{ "HTTPS://X.SK1.AP-SOUTH-1.EKS.AMAZONAWS.COM", "ap-south-1" },
		{ "x.gr7.us-east-2.eks.amazonaws.com", "us-east-2" },
	};
	static const char *const bad[] = {
		"https://kind.example:6443", "https://127.0.0.1:443",
		"https://eks.amazonaws.com", "https://.eks.amazonaws.com",
		"https://x.eks.amazonaws.com.evil.example", "", "https://",
		"https://x.us_west.eks.amazonaws.com",
	};
	size_t i;
	char *r;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = kcv_region_from_server(good[i][0]);
		if (r == NULL || strcmp(r, good[i][1]) != 0)
			fail_msg("%s: got %s", good[i][0], r ? r : "(null)");
		free(r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if ((r = kcv_region_from_server(bad[i])) != NULL)
			fail_msg("%s: got %s, want none", bad[i], r);
}

static char *
joined(char **v)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; v[i]; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, v[i]);
	}
	return buf;
}

static void
test_build_args(void **state)
{
	struct kcv_auth a;
	struct ekskit_err err;
	char **v;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.cluster = (char *)"c1";
	a.region = (char *)"us-west-2";
	a.role_arn = (char *)"arn:aws:iam::1:role/r";
	a.profile = (char *)"dev";
	v = kcv_build_args(&a, KCV_TO_AWS, &err);
	assert_non_null(v);
	assert_string_equal(joined(v), "--region us-west-2 eks get-token --cluster-name c1 "
	    "--output json --role arn:aws:iam::1:role/r --profile dev");
	ek_strv_free(v);
	a.by_id = 1;
	a.session_name = (char *)"me";
	a.forward_session_name = 0;
	v = kcv_build_args(&a, KCV_TO_EKS_TOKEN, &err);
	assert_non_null(v);
	assert_string_equal(joined(v), "--cluster-id c1 --region us-west-2 --role-arn "
	    "arn:aws:iam::1:role/r --session-name me --profile dev");
	ek_strv_free(v);
	ekskit_err_clear(&err);
	assert_null(kcv_build_args(&a, KCV_TO_AWS, &err));
	assert_non_null(strstr(err.msg, "no external id or role session name"));
}

static const char doc[] =
    "apiVersion: v1\n"
    "users:\n"
    "- name: u\n"
    "  x-first: 1\n"
    "  user:\n"
    "    exec:\n"
    "      apiVersion: client.authentication.k8s.io/v1alpha1\n"
    "      command: aws-iam-authenticator\n"
    "      x-unknown: keep\n"
    "      args: [token, -i, c]\n"
    "      installHint: old hint\n"
    "      env: [{name: A, value: b}]\n"
    "    x-user-extra: [1, 2]\n"
    "- name: plain\n"
    "  user: {token: t}\n"
    "kind: Config\n";

static void
test_edit_exec_in_place(void **state)
{
	const char *args[] = { "--cluster-name", "c", "--region", "us-west-2" };
	struct kc_exec_edit ed = { KC_EXEC_API_V1BETA1, "eks-token", args, 4, "line 1\nline 2\n" };
	struct kubeconfig *kc;
	struct ekskit_err err;
	struct ekbuf out;
	int changed = -1;

	(void)state;
	assert_int_equal(kubeconfig_parse("t", doc, sizeof(doc) - 1, &kc, &err), EKSKIT_OK);
	assert_int_equal(kubeconfig_edit_exec(kc, 0, &ed, &changed, &err), EKSKIT_OK);
	assert_int_equal(changed, 1);
	ekbuf_init(&out, 0);
	assert_int_equal(kubeconfig_emit(kc, &out, &err), EKSKIT_OK);
	assert_int_equal(ekbuf_putc(&out, '\0'), EKSKIT_OK);
	assert_string_equal(out.data,
	    "apiVersion: v1\n"
	    "users:\n"
	    "- name: u\n"
	    "  x-first: 1\n"
	    "  user:\n"
	    "    exec:\n"
	    "      apiVersion: client.authentication.k8s.io/v1beta1\n"
	    "      command: eks-token\n"
	    "      x-unknown: keep\n"
	    "      args:\n"
	    "      - --cluster-name\n"
	    "      - c\n"
	    "      - --region\n"
	    "      - us-west-2\n"
	    "      installHint: |\n"
	    "        line 1\n"
	    "        line 2\n"
	    "      env: [{name: A, value: b}]\n"
	    "    x-user-extra: [1, 2]\n"
	    "- name: plain\n"
	    "  user: {token: t}\n"
	    "kind: Config\n");
	ekbuf_release(&out);
	/* the same edit again changes nothing; no hint removes the key */
	assert_int_equal(kubeconfig_edit_exec(kc, 0, &ed, &changed, &err), EKSKIT_OK);
	assert_int_equal(changed, 0);
	ed.install_hint = NULL;
	assert_int_equal(kubeconfig_edit_exec(kc, 0, &ed, &changed, &err), EKSKIT_OK);
	assert_int_equal(changed, 1);
	ekbuf_init(&out, 0);
	assert_int_equal(kubeconfig_emit(kc, &out, &err), EKSKIT_OK);
	assert_int_equal(ekbuf_putc(&out, '\0'), EKSKIT_OK);
	assert_null(strstr(out.data, "installHint"));
	assert_non_null(strstr(out.data, "      - us-west-2\n      env:"));
	ekbuf_release(&out);
	/* a user without exec, past the end */
	assert_int_equal(kubeconfig_edit_exec(kc, 1, &ed, &changed, &err), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(kubeconfig_edit_exec(kc, 2, &ed, &changed, &err), EKSKIT_ERR_NOT_FOUND);
	kubeconfig_free(kc);
}

static void
test_readers_by_index(void **state)
{
	struct kubeconfig *kc;
	struct ekskit_err err;
	struct kc_user *u;

	(void)state;
	assert_int_equal(kubeconfig_parse("t", doc, sizeof(doc) - 1, &kc, &err), EKSKIT_OK);
	assert_int_equal(kubeconfig_get_user_at(kc, 0, &u, &err), EKSKIT_OK);
	assert_string_equal(u->name, "u");
	assert_string_equal(u->exec->install_hint, "old hint");
	kc_user_free(u);
	assert_int_equal(kubeconfig_get_user_at(kc, 1, &u, &err), EKSKIT_OK);
	assert_null(u->exec);
	assert_string_equal(u->token, "t");
	kc_user_free(u);
	assert_int_equal(kubeconfig_get_user_at(kc, 2, &u, &err), EKSKIT_ERR_NOT_FOUND);
	kubeconfig_free(kc);
}

static void
test_redact(void **state)
{
	static const char in[] =
	    "users:\n"
	    "- name: a\n"
	    "  user:\n"
	    "    token: s3cr3t-a\n"
	    "    client-key-data: S3CR3TKEY\n"
	    "- name: b\n"
	    "  user: {token: s3cr3t-b, username: bob}\n"
	    "- name: c\n"
	    "  user:\n"
	    "    exec:\n"
	    "      env:\n"
	    "      - name: AWS_SECRET_ACCESS_KEY\n"
	    "        value: s3cr3t-c\n"
	    "      - name: AWS_PROFILE\n"
	    "        value: dev\n"
	    "    password: |\n"
	    "      s3cr3t-d\n"
	    "      s3cr3t-e\n"
	    "    username: \x1b[31mred\n"
	    "- {name: AWS_SESSION_TOKEN, value: s3cr3t-f}\n";
	struct ekbuf out;

	(void)state;
	ekbuf_init(&out, 0);
	assert_int_equal(kcv_redact(in, sizeof(in) - 1, &out), EKSKIT_OK);
	assert_int_equal(ekbuf_putc(&out, '\0'), EKSKIT_OK);
	assert_null(strstr(out.data, "s3cr3t"));
	assert_null(strstr(out.data, "S3CR3T"));
	assert_null(strchr(out.data, '\x1b'));
	assert_string_equal(out.data,
	    "users:\n"
	    "- name: a\n"
	    "  user:\n"
	    "    token: [redacted]\n"
	    "    client-key-data: [redacted]\n"
	    "- name: b\n"
	    "  user: {token: [redacted], username: bob}\n"
	    "- name: c\n"
	    "  user:\n"
	    "    exec:\n"
	    "      env:\n"
	    "      - name: AWS_SECRET_ACCESS_KEY\n"
	    "        value: [redacted]\n"
	    "      - name: AWS_PROFILE\n"
	    "        value: dev\n"
	    "    password: [redacted]\n"
	    "      [redacted]\n"
	    "      [redacted]\n"
	    "    username: ?[31mred\n"
	    "- {name: AWS_SESSION_TOKEN, value: [redacted]}\n");
	ekbuf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_region_from_server),
		cmocka_unit_test(test_build_args),
		cmocka_unit_test(test_edit_exec_in_place),
		cmocka_unit_test(test_readers_by_index),
		cmocka_unit_test(test_redact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
