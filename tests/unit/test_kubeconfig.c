/* Unit tests for lib/kubeconfig.c: load, merge, emit, read, paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/kubeconfig.h"
#include "ekskit/buf.h"

/* the kc_* structs hold char *; the setters only read them */
#define W(s) ((char *)(s))

static const char existing[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "x-custom-top: {keep: me}\n"
    "preferences: {colors: true}\n"
    "clusters:\n"
    "- name: other\n"
    "  cluster:\n"
    "    server: https://other.example:6443\n"
    "    certificate-authority: ca/other.pem\n"
    "    insecure-skip-tls-verify: true\n"
    "    extensions:\n"
    "    - name: ext\n"
    "      extension: {a: 1}\n"
    "- name: arn:aws:eks:us-west-2:1:cluster/c1\n"
    "  cluster:\n"
    "    server: https://old\n"
    "users:\n"
    "- name: other-user\n"
    "  user:\n"
    "    token: s3cr3t\n"
    "    client-key: /abs/key.pem\n"
    "    unknown-key: 42\n"
    "contexts:\n"
    "- name: other\n"
    "  context: {cluster: other, user: other-user, namespace: kube-system}\n"
    "current-context: other\n";

static struct kubeconfig *
load_str(const char *s)
{
	struct kubeconfig *kc;
	struct ekskit_err err;

	ekskit_err_clear(&err);
	if (kubeconfig_parse("/home/u/.kube/config", s, strlen(s), &kc, &err) != 0)
		fail_msg("parse: %s", err.msg);
	return kc;
}

static char *
emit(const struct kubeconfig *kc)
{
	struct ekbuf b;
	struct ekskit_err err;

	ekbuf_init(&b, 0);
	assert_int_equal(kubeconfig_emit(kc, &b, &err), EKSKIT_OK);
	return ekbuf_detach(&b, NULL);
}

static void
test_read_entries(void **state)
{
	struct kubeconfig *kc = load_str(existing);
	struct kc_context *ctx;
	struct kc_cluster *cl;
	struct kc_user *u;
	struct ekskit_err err;

	(void)state;
	assert_string_equal(kubeconfig_current_context(kc), "other");
	assert_int_equal(kubeconfig_count(kc, KC_CLUSTERS), 2);
	assert_string_equal(kubeconfig_name_at(kc, KC_CLUSTERS, 1),
	    "arn:aws:eks:us-west-2:1:cluster/c1");
	assert_int_equal(kubeconfig_get_context(kc, NULL, &ctx, &err), 0);
	assert_string_equal(ctx->cluster, "other");
	assert_string_equal(ctx->user, "other-user");
	assert_string_equal(ctx->namespace, "kube-system");
	assert_int_equal(kubeconfig_get_cluster(kc, ctx->cluster, &cl, &err), 0);
	assert_string_equal(cl->server, "https://other.example:6443");
	/* relative file references resolve against the kubeconfig's directory */
	assert_string_equal(cl->ca_file, "/home/u/.kube/ca/other.pem");
	assert_int_equal(cl->insecure_skip_tls_verify, 1);
	assert_int_equal(kubeconfig_get_user(kc, ctx->user, &u, &err), 0);
	assert_string_equal(u->token, "s3cr3t");
	assert_string_equal(u->client_key_file, "/abs/key.pem");
	assert_null(u->exec);
	kc_user_free(u);
	kc_cluster_free(cl);
	kc_context_free(ctx);
	assert_int_equal(kubeconfig_get_user(kc, "nobody", &u, &err),
	    EKSKIT_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no user named \"nobody\""));
	kubeconfig_free(kc);
}

static void
make_entries(struct kc_cluster *cl, struct kc_user *u, struct kc_exec *ex,
    struct kc_context *ctx)
{
	static char *args[] = { W("--cluster-name"), W("c1"), W("--region"), W("us-west-2") };
	static struct kc_env env[] = { { W("AWS_PROFILE"), W("dev") } };

	memset(cl, 0, sizeof(*cl));
	memset(u, 0, sizeof(*u));
	memset(ex, 0, sizeof(*ex));
	memset(ctx, 0, sizeof(*ctx));
	cl->name = W("arn:aws:eks:us-west-2:1:cluster/c1");
	cl->server = W("https://new.example");
	cl->ca_data = W("Q0EK");
	ex->api_version = W(KC_EXEC_API_V1);
	ex->command = W("eks-token");
	ex->args = args;
	ex->nargs = 4;
	ex->env = env;
	ex->nenv = 1;
	ex->interactive_mode = W("Never");
	u->name = W("arn:aws:eks:us-west-2:1:cluster/c1");
	u->exec = ex;
	ctx->name = W("1234");   /* a name YAML would read as a number */
	ctx->cluster = cl->name;
	ctx->user = u->name;
	ctx->namespace = W("true");
}

static void
test_merge_preserves_and_round_trips(void **state)
{
	struct kubeconfig *kc = load_str(existing), *again;
	struct kc_cluster cl, *rc;
	struct kc_user u, *ru;
	struct kc_exec ex;
	struct kc_context ctx, *rctx;
	struct ekskit_err err;
	int changed;
	char *out;

	(void)state;
	make_entries(&cl, &u, &ex, &ctx);
	assert_int_equal(kubeconfig_set_cluster(kc, &cl, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(kubeconfig_set_user(kc, &u, &changed, &err), 0);
	assert_int_equal(kubeconfig_set_context(kc, &ctx, &changed, &err), 0);
	assert_int_equal(kubeconfig_set_current_context(kc, "1234", &changed, &err), 0);
	assert_int_equal(changed, 1);
	/* replaced in place, not appended */
	assert_int_equal(kubeconfig_count(kc, KC_CLUSTERS), 2);
	assert_int_equal(kubeconfig_count(kc, KC_USERS), 2);
	assert_int_equal(kubeconfig_count(kc, KC_CONTEXTS), 2);

	out = emit(kc);
	assert_non_null(strstr(out, "x-custom-top:"));
	assert_non_null(strstr(out, "unknown-key: 42"));
	assert_non_null(strstr(out, "extension:"));
	assert_non_null(strstr(out, "colors: true"));
	assert_non_null(strstr(out, "current-context: \"1234\""));
	assert_non_null(strstr(out, "namespace: \"true\""));
	assert_null(strstr(out, "https://old"));

	/* emitting keeps the document usable, and the output parses back */
	free(emit(kc));
	again = load_str(out);
	assert_int_equal(kubeconfig_get_context(again, NULL, &rctx, &err), 0);
	assert_string_equal(rctx->namespace, "true");
	assert_int_equal(kubeconfig_get_cluster(again, rctx->cluster, &rc, &err), 0);
	assert_string_equal(rc->server, "https://new.example");
	assert_string_equal(rc->ca_data, "Q0EK");
	assert_int_equal(kubeconfig_get_user(again, rctx->user, &ru, &err), 0);
	assert_non_null(ru->exec);
	assert_string_equal(ru->exec->command, "eks-token");
	assert_int_equal(ru->exec->nargs, 4);
	assert_string_equal(ru->exec->args[3], "us-west-2");
	assert_int_equal(ru->exec->nenv, 1);
	assert_string_equal(ru->exec->env[0].value, "dev");
	assert_string_equal(ru->exec->interactive_mode, "Never");
	assert_string_equal(ru->exec->api_version, KC_EXEC_API_V1);

	/* the same entries again: nothing changes */
	assert_int_equal(kubeconfig_set_cluster(again, &cl, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(kubeconfig_set_user(again, &u, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(kubeconfig_set_context(again, &ctx, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(kubeconfig_set_current_context(again, "1234", &changed, &err), 0);
	assert_int_equal(changed, 0);

	kc_context_free(rctx);
	kc_cluster_free(rc);
	kc_user_free(ru);
	kubeconfig_free(again);
	free(out);
	kubeconfig_free(kc);
}

static void
test_new_and_null_lists(void **state)
{
	static const char *inputs[] = { "", "# only a comment\n", "clusters: []\nusers: []\n",
		"apiVersion: v1\nclusters: null\nusers: ~\ncontexts:\n", NULL };
	struct kc_cluster cl;
	struct kc_user u;
	struct kc_exec ex;
	struct kc_context ctx;
	struct ekskit_err err;
	struct kubeconfig *kc;
	size_t i;
	char *out;

	(void)state;
	make_entries(&cl, &u, &ex, &ctx);
	for (i = 0; inputs[i]; i++) {
		kc = load_str(inputs[i]);
		assert_null(kubeconfig_current_context(kc));
		assert_int_equal(kubeconfig_set_cluster(kc, &cl, NULL, &err), 0);
		assert_int_equal(kubeconfig_set_user(kc, &u, NULL, &err), 0);
		assert_int_equal(kubeconfig_set_context(kc, &ctx, NULL, &err), 0);
		assert_int_equal(kubeconfig_count(kc, KC_CONTEXTS), 1);
		assert_int_equal(kubeconfig_count(kc, KC_USERS), 1);
		out = emit(kc);
		assert_non_null(strstr(out, "clusters:\n- cluster:\n"));
		free(out);
		kubeconfig_free(kc);
	}
	kc = kubeconfig_new();
	out = emit(kc);
	assert_string_equal(out, "apiVersion: v1\nclusters: []\ncontexts: []\n"
	    "current-context: \"\"\nkind: Config\npreferences: {}\nusers: []\n");
	free(out);
	kubeconfig_free(kc);
}

/* Bad input: each is rejected with a message naming the file and problem. */
/*
 * The loader keeps the parser's values and shares default tags: explicit
 * tags, non-specific ones, long sequences and mappings (their item stacks
 * grow) and anchors survive a load, an edit and an emit, and everything is
 * freed once (ASan in `make sanitize`).
 */
static void
test_tags_and_large_collections(void **state)
{
	static const char yaml[] =
	    "apiVersion: v1\n"
	    "kind: Config\n"
	    "x-str: !!str 42\n"
	    "x-custom: !mine {a: 1}\n"
	    "x-plain: ! text\n"
	    "x-int: !!int 7\n"
	    "x-seq: !!seq [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n"
	    "x-map: {k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9}\n"
	    "x-anchor: &a {deep: value}\n"
	    "x-alias: *a\n"
	    "clusters: []\ncontexts: []\nusers: []\n";
	struct kubeconfig *kc = load_str(yaml), *again;
	struct ekskit_err err;
	int changed;
	char *out, *out2;

	(void)state;
	assert_int_equal(kubeconfig_set_current_context(kc, "c", &changed, &err), 0);
	out = emit(kc);
	/* still strings when read back, though written without their tags */
	assert_non_null(strstr(out, "x-str: '42'"));
	assert_non_null(strstr(out, "x-custom: !mine"));
	assert_non_null(strstr(out, "x-plain: 'text'"));
	assert_non_null(strstr(out, "x-int: !!int 7"));
	assert_non_null(strstr(out, "17]"));
	assert_non_null(strstr(out, "k9: 9"));
	assert_non_null(strstr(out, "deep: value"));
	/* what was emitted loads again and emits the same */
	again = load_str(out);
	out2 = emit(again);
	assert_string_equal(out, out2);
	free(out2);
	free(out);
	kubeconfig_free(again);
	kubeconfig_free(kc);
}

/*
 * Values that a YAML 1.1 reader would take for a number, a date or a bool
 * are written quoted; anything else plain, as the AWS CLI (PyYAML) writes
 * it: a base64 CA that starts with a digit stays plain.
 */
static void
test_quoting_follows_yaml_resolution(void **state)
{
	static const char *const quoted[] = {
		"1234", "-1", "+7", "1_000", "0x1F", "0o17", "0b101", "012", "1.5", ".5",
		"1.", "1e5", "1.5E-3", "-2.5", "1:30", "190:20:30.15", ".inf", "-.Inf",
		".NaN", "2001-12-14", "2001-12-14T21:59:43Z", "2001-12-14 21:59:43.10 -5",
		"true", "no", "Y", "~", "null", "=", "<<",
	};
	static const char *const plain[] = {
		"7PplQRLycSUtRZhRZNrRYrz1", "1a", "10.0.0.1", "1.2.3", "3d", "1-2",
		"0xZZ", "-v", "--flag", "+x", ".hidden", "2001-12", "12:99", "yesno",
		"LS0tLS1CRUdJTi",
	};
	struct kubeconfig *kc;
	struct kc_context ctx;
	struct ekskit_err err;
	char want[128], *out;
	size_t i;
	int changed;

	(void)state;
	for (i = 0; i < sizeof(quoted) / sizeof(quoted[0]) + sizeof(plain) / sizeof(plain[0]); i++) {
		int q = i < sizeof(quoted) / sizeof(quoted[0]);
		const char *v = q ? quoted[i] : plain[i - sizeof(quoted) / sizeof(quoted[0])];

		kc = kubeconfig_new();
		memset(&ctx, 0, sizeof(ctx));
		ctx.name = W("c");
		ctx.cluster = W("c");
		ctx.user = W("u");
		ctx.namespace = (char *)v;
		assert_int_equal(kubeconfig_set_context(kc, &ctx, &changed, &err), 0);
		out = emit(kc);
		snprintf(want, sizeof(want), q ? "namespace: \"%s\"\n" : "namespace: %s\n", v);
		if (strstr(out, want) == NULL)
			fail_msg("%s should be written %s:\n%s", v, q ? "quoted" : "plain", out);
		free(out);
		kubeconfig_free(kc);
	}
}

static void
test_bad_input(void **state)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "clusters: [\n", "invalid yaml at line" },
		{ "- a\n- b\n", "the top level should be a mapping" },
		{ "just a string\n", "the top level should be a mapping" },
		{ "clusters: {a: b}\n", "clusters should be a list" },
		{ "users: 5\n", "users should be a list" },
		{ "contexts: [a, b]\n", "contexts should be a list of mappings" },
		{ "current-context: [x]\n", "current-context should be a string" },
		{ "preferences: [x]\n", "preferences should be a mapping" },
		{ "a: 1\n---\nb: 2\n", "more than one yaml document" },
		{ "a: *nope\n", "invalid yaml" },
		{ "a: \"\\xZZ\"\n", "invalid yaml" },
		{ "\t- x\n", "invalid yaml" },
		/* an error after many nodes were built: they are freed (ASan) */
		{ "clusters:\n- name: a\n  cluster: {server: !x \"s\"}\nusers: [\n", "invalid yaml" },
	};
	struct kubeconfig *kc;
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ekskit_err_clear(&err);
		assert_int_equal(kubeconfig_parse("/tmp/kc", cases[i].yaml,
		    strlen(cases[i].yaml), &kc, &err), EKSKIT_ERR_INVALID);
		assert_null(kc);
		if (strstr(err.msg, cases[i].want) == NULL ||
		    strstr(err.msg, "/tmp/kc") == NULL)
			fail_msg("case %zu: [%s] not in [%s]", i, cases[i].want, err.msg);
	}
}

static void
test_depth_and_alias_caps(void **state)
{
	struct kubeconfig *kc;
	struct ekskit_err err;
	char *deep;
	size_t i, n = 200;

	(void)state;
	deep = malloc(2 * n + 8);
	strcpy(deep, "a: ");
	for (i = 0; i < n; i++)
		strcat(deep, "[");
	for (i = 0; i < n; i++)
		strcat(deep, "]");
	assert_int_equal(kubeconfig_parse("k", deep, strlen(deep), &kc, &err),
	    EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "nested deeper"));
	free(deep);
	/* anchors and aliases within the caps load and emit fine */
	kc = load_str("base: &b {server: x}\nclusters:\n- name: a\n  cluster: *b\n");
	deep = emit(kc);
	assert_non_null(strstr(deep, "cluster: *"));  /* libyaml renames anchors */
	free(deep);
	kubeconfig_free(kc);
}

static void
test_emit_entries_only(void **state)
{
	struct kubeconfig *kc = load_str(existing);
	struct kc_cluster cl;
	struct kc_user u;
	struct kc_exec ex;
	struct kc_context ctx;
	struct ekskit_err err;
	struct ekbuf b;
	const char *clusters[] = { cl.name, NULL };

	(void)state;
	make_entries(&cl, &u, &ex, &ctx);
	clusters[0] = cl.name;
	assert_int_equal(kubeconfig_set_cluster(kc, &cl, NULL, &err), 0);
	ekbuf_init(&b, 0);
	assert_int_equal(kubeconfig_emit_entries(kc, clusters, NULL, NULL, 1, &b,
	    &err), 0);
	assert_non_null(strstr(b.data, "https://new.example"));
	/* other entries, and their credentials, never appear */
	assert_null(strstr(b.data, "s3cr3t"));
	assert_null(strstr(b.data, "other.example"));
	assert_non_null(strstr(b.data, "current-context: other"));
	ekbuf_release(&b);
	kubeconfig_free(kc);
}

static void
test_paths(void **state)
{
	char **p;

	(void)state;
	p = kubeconfig_paths("~/x/config", "/a:/b", "/home/u");
	assert_string_equal(p[0], "/home/u/x/config");
	assert_null(p[1]);
	ek_strv_free(p);
	p = kubeconfig_paths(NULL, "/a::/b:/a:~/c", "/h");
	assert_string_equal(p[0], "/a");
	assert_string_equal(p[1], "/b");
	assert_string_equal(p[2], "/h/c");
	assert_null(p[3]);
	ek_strv_free(p);
	p = kubeconfig_paths(NULL, "", "/h");
	assert_string_equal(p[0], "/h/.kube/config");
	ek_strv_free(p);
	p = kubeconfig_paths(NULL, ":", "/h");
	assert_string_equal(p[0], "/h/.kube/config");
	ek_strv_free(p);
	assert_null(kubeconfig_paths(NULL, NULL, NULL));
	ek_strv_free(NULL);
	kubeconfig_free(NULL);
	kc_user_free(NULL);
	kc_cluster_free(NULL);
	kc_context_free(NULL);
}

static void
write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void
test_resolve_across_files(void **state)
{
	char dir[] = "/tmp/ekskit-kcres.XXXXXX", a[64], b[64], missing[64], cmd[96];
	char *paths[4];
	struct kc_resolved r;
	struct ekskit_err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	/* a: no current-context, shadows user u; b: sets it, holds the rest */
	write_file(a, "users:\n- name: u\n  user: {tokenFile: tok}\n");
	write_file(b, "current-context: ctx\ncontexts:\n- name: ctx\n  context: {cluster: c, user: u}\n"
	    "clusters:\n- name: c\n  cluster: {server: 'https://c', certificate-authority: ca.pem}\n"
	    "users:\n- name: u\n  user: {token: from-b}\n");
	paths[0] = missing;
	paths[1] = a;
	paths[2] = b;
	paths[3] = NULL;
	assert_int_equal(kubeconfig_resolve(paths, NULL, &r, &err), 0);
	assert_string_equal(r.context->name, "ctx");
	assert_string_equal(r.cluster->server, "https://c");
	assert_string_equal(r.cluster->ca_file + strlen(dir), "/ca.pem");
	assert_null(r.user->token);            /* the first file's u wins */
	assert_string_equal(r.user->token_file + strlen(dir), "/tok");
	kc_resolved_release(&r);
	assert_int_equal(kubeconfig_resolve(paths, "other", &r, &err), EKSKIT_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"other\""));
	assert_null(r.context);
	write_file(a, "users: [\n");
	assert_int_equal(kubeconfig_resolve(paths, NULL, &r, &err), EKSKIT_ERR_INVALID);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_entries),
		cmocka_unit_test(test_merge_preserves_and_round_trips),
		cmocka_unit_test(test_new_and_null_lists),
		cmocka_unit_test(test_tags_and_large_collections),
		cmocka_unit_test(test_quoting_follows_yaml_resolution),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_depth_and_alias_caps),
		cmocka_unit_test(test_emit_entries_only),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_resolve_across_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
