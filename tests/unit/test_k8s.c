/* Unit tests for lib/k8s.c: names, paths, durations, tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/k8s.h"

static void
test_names(void **state)
{
	(void)state;
	assert_true(k8s_name_valid("default"));
	assert_true(k8s_name_valid("ci-bot.v2"));
	assert_false(k8s_name_valid(""));
	assert_false(k8s_name_valid("Upper"));
	assert_false(k8s_name_valid("-lead"));
	assert_false(k8s_name_valid("trail-"));
	assert_false(k8s_name_valid("a/b"));
	assert_false(k8s_name_valid("a b"));
	assert_false(k8s_name_valid("../x"));
}

static void
test_path(void **state)
{
	struct ekskit_err err;
	char *p;

	(void)state;
	assert_int_equal(k8s_path(&p, &err,
	    "/api/v1/namespaces/%s/serviceaccounts/%s/token", "ns1", "sa"), 0);
	assert_string_equal(p, "/api/v1/namespaces/ns1/serviceaccounts/sa/token");
	free(p);
	assert_int_equal(k8s_path(&p, &err, "/api/v1/namespaces/%s", "a/../b"),
	    EKSKIT_ERR_INVALID);
	assert_null(p);
	assert_non_null(strstr(err.msg, "a/../b"));
	/* %S: RBAC names, pchar kept as client-go sends them, the rest encoded */
	assert_int_equal(k8s_path(&p, &err,
	    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/%S",
	    "sa-system:auth-delegator"), 0);
	assert_string_equal(p,
	    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/sa-system:auth-delegator");
	free(p);
	assert_int_equal(k8s_path(&p, &err, "/x/%S", "My?Role#1"), 0);
	assert_string_equal(p, "/x/My%3FRole%231");
	free(p);
	assert_int_equal(k8s_path(&p, &err, "/x/%S", ".."), EKSKIT_ERR_INVALID);
	assert_null(p);
	assert_int_equal(k8s_path(&p, &err, "/x/%S", "a/b"), EKSKIT_ERR_INVALID);
	assert_int_equal(k8s_path(&p, &err, "/x/%S", "a%2fb"), EKSKIT_ERR_INVALID);
	assert_int_equal(k8s_path(&p, &err, "/x/%S", "a b"), EKSKIT_ERR_INVALID);
	assert_false(k8s_rbac_name_valid(""));
	assert_false(k8s_rbac_name_valid("."));
	assert_true(k8s_rbac_name_valid("system:auth-delegator"));
	assert_true(k8s_rbac_name_valid("MyRole"));
}

static void
test_duration(void **state)
{
	static const struct { const char *in; long long want; } ok[] = {
		{ "1h", 3600 }, { "30m", 1800 }, { "90s", 90 }, { "1h30m", 5400 },
		{ "1.5h", 5400 }, { "2h45m10s", 9910 }, { "0", 0 }, { "1500ms", 1 },
		{ "24h", 86400 },
	};
	static const char *bad[] = { "", "h", "10", "1d", "-1h", "1h-5m", "abc",
	    "1 h", "inf", "0x10s", "1e3s", "1E3s", "1.2.3s", "0x1p4s" };
	struct ekskit_err err;
	long long s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(k8s_parse_duration(ok[i].in, &s, &err), 0);
		assert_int_equal(s, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(k8s_parse_duration(bad[i], &s, &err),
		    EKSKIT_ERR_INVALID);
		assert_non_null(strstr(err.msg, "invalid duration"));
	}
}

static void
test_token_valid(void **state)
{
	char *big;

	(void)state;
	assert_true(k8s_token_valid("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
	assert_true(k8s_token_valid("k8s-aws-v1.aHR0cHM6Ly9zdHM"));
	assert_false(k8s_token_valid(NULL));
	assert_false(k8s_token_valid(""));
	assert_false(k8s_token_valid("abc def"));
	assert_false(k8s_token_valid("abc\r\nX-Injected: 1"));
	assert_false(k8s_token_valid("abc\tdef"));
	assert_false(k8s_token_valid("abc\x7f"));
	assert_false(k8s_token_valid("t\xc3\xa9"));
	big = malloc(64 * 1024 + 2);
	assert_non_null(big);
	memset(big, 'a', 64 * 1024 + 1);
	big[64 * 1024 + 1] = '\0';
	assert_false(k8s_token_valid(big));
	big[64 * 1024] = '\0';
	assert_true(k8s_token_valid(big));
	free(big);
}

/* A kubeconfig whose user is `user_yaml` (indented under "- name: u\n  user:"). */
static char *
write_kubeconfig(const char *dir, const char *user_yaml)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/config", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
	    "clusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:1\n"
	    "contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n"
	    "users:\n- name: u\n  user:\n%s", user_yaml);
	fclose(f);
	return path;
}

/* A token that would add a header line is refused before any request. */
static void
test_conn_refuses_bad_tokens(void **state)
{
	static const char *users[] = {
		"    token: \"abc\\r\\nX-Injected: 1\"\n",
		"    tokenFile: TOKENFILE\n",
		"    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
		"      command: /bin/sh\n      args:\n      - -c\n      - >-\n"
		"        printf '{\"kind\":\"ExecCredential\",\"apiVersion\":"
		"\"client.authentication.k8s.io/v1beta1\",\"status\":{\"token\":"
		"\"abc\\\\r\\\\nX-Injected: 1\"}}'\n",
	};
	char dir[] = "/tmp/test_k8s.XXXXXX", *tokfile, *cfg, *yaml, *p;
	struct k8s_load_opts o = { 0 };
	struct ekskit_err err;
	struct k8s_conn *c;
	FILE *f;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&tokfile, "%s/token", dir) > 0);
	f = fopen(tokfile, "w");
	assert_non_null(f);
	fputs("abc\nX-Injected: 1\n", f);
	fclose(f);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		yaml = strdup(users[i]);
		assert_non_null(yaml);
		if ((p = strstr(users[i], "TOKENFILE")) != NULL) {
			free(yaml);
			assert_true(asprintf(&yaml, "    tokenFile: %s\n", tokfile) > 0);
		}
		cfg = write_kubeconfig(dir, yaml);
		o.kubeconfig = cfg;
		memset(&err, 0, sizeof(err));
		c = (struct k8s_conn *)1;
		assert_int_not_equal(k8s_conn_from_kubeconfig(&o, &c, NULL, &err), 0);
		assert_null(c);
		assert_non_null(strstr(err.msg, "not a usable bearer token"));
		assert_null(strstr(err.msg, "abc"));
		unlink(cfg);
		free(cfg);
		free(yaml);
	}
	unlink(tokfile);
	free(tokfile);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_token_valid),
		cmocka_unit_test(test_conn_refuses_bad_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
