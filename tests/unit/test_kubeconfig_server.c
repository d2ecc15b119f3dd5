/* Unit tests for lib/kubeconfig_server.c: --server URLs, flag rules, applying a choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/eks.h"
#include "ekskit/error.h"
#include "ekskit/kubeconfig_server.h"

static void
test_server_urls(void **state)
{
	static const char *const good[] = {
		"https://127.0.0.1:8443", "https://localhost", "https://[::1]:6443",
		"https://lb.example.com/k8s/clusters/c-1", "https://10.0.1.5/",
		NULL,
	};
	static const char *const bad[] = {
		"", "http://127.0.0.1:8443", "127.0.0.1:8443", "https://",
		"https://user@127.0.0.1", "https://u:p@127.0.0.1", "https://h/?a=b",
		"https://h/#frag", "https://h/a b", "https://h/\x01", "ftp://h",
		"HTTPS://h", "https://h:99999", "https://[::1", NULL,
	};
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; good[i] != NULL; i++) {
		ekskit_err_clear(&err);
		if (kcs_server_url_check(good[i], &err) != EKSKIT_OK)
			fail_msg("refused %s: %s", good[i], err.msg);
	}
	for (i = 0; bad[i] != NULL; i++) {
		ekskit_err_clear(&err);
		if (kcs_server_url_check(bad[i], &err) != EKSKIT_ERR_USAGE)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(err.msg, "--server"));
	}
}

static void
test_flag_rules(void **state)
{
	struct kcs_opts o;
	struct ekskit_err err;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(kcs_opts_check(&o, 1, &err), 0);
	assert_false(kcs_active(&o));
	o.url = "https://127.0.0.1:8443";
	assert_int_equal(kcs_opts_check(&o, 0, &err), 0);
	assert_true(kcs_active(&o));
	assert_false(kcs_needs_ec2(&o));
	assert_int_equal(kcs_opts_check(&o, 1, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--all"));
	o.private_ip = 1;
	assert_int_equal(kcs_opts_check(&o, 0, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "exclude"));
	o.url = NULL;
	o.probe = 1;
	assert_int_equal(kcs_opts_check(&o, 1, &err), 0);
	assert_true(kcs_needs_ec2(&o));
	o.private_ip = 0;
	assert_int_equal(kcs_opts_check(&o, 0, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--probe"));
}

/* --server: tls-server-name is the validated endpoint host; applied to an entry. */
static void
test_choose_server(void **state)
{
	struct eks_cluster cl;
	struct kcs_opts o;
	struct kcs_choice c;
	struct kcu_entries *e = calloc(1, sizeof(*e));
	struct ekskit_err err;

	(void)state;
	memset(&cl, 0, sizeof(cl));
	memset(&o, 0, sizeof(o));
	cl.name = (char *)"demo";
	cl.endpoint = (char *)"https://ABCDEF.gr7.us-west-2.eks.amazonaws.com";
	o.url = "https://127.0.0.1:8443";
	assert_int_equal(kcs_choose(&o, NULL, &cl, "us-west-2", &c, &err), 0);
	assert_string_equal(c.server, "https://127.0.0.1:8443");
	assert_string_equal(c.tls_server_name, "abcdef.gr7.us-west-2.eks.amazonaws.com");
	assert_null(c.report);
	assert_non_null(e);
	e->cluster.server = strdup("https://old");
	assert_int_equal(kcs_apply(&c, e, &err), 0);
	assert_string_equal(e->cluster.server, "https://127.0.0.1:8443");
	assert_string_equal(e->cluster.tls_server_name, "abcdef.gr7.us-west-2.eks.amazonaws.com");
	kcs_choice_release(&c);
	kcs_choice_release(NULL);
	kcu_entries_free(e);

	/* an endpoint that is not an EKS host of the region: no name to check */
	cl.endpoint = (char *)"https://api.evil.example.com";
	assert_int_equal(kcs_choose(&o, NULL, &cl, "us-west-2", &c, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "tls-server-name"));
	kcs_choice_release(&c);
	cl.endpoint = (char *)"https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com";
	assert_int_equal(kcs_choose(&o, NULL, &cl, "us-west-2", &c, &err), EKSKIT_ERR_INVALID);
	kcs_choice_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_urls),
		cmocka_unit_test(test_flag_rules),
		cmocka_unit_test(test_choose_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
