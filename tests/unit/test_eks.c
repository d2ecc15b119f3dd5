/* Unit tests for lib/eks_parse.c: DescribeCluster / ListClusters parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/creds.h"
#include "ekskit/eks.h"
#include "fake_server.h"
#include "ekskit/buf.h"

static const char describe_ok[] =
    "{\"cluster\":{\"name\":\"c1\",\"arn\":\"arn:aws:eks:us-west-2:123456789012:cluster/c1\","
    "\"version\":\"1.29\",\"endpoint\":\"https://ABC.gr7.us-west-2.eks.amazonaws.com\","
    "\"resourcesVpcConfig\":{\"vpcId\":\"vpc-1\",\"endpointPrivateAccess\":true,"
    "\"endpointPublicAccess\":false,\"subnetIds\":[\"s1\"]},"
    "\"kubernetesNetworkConfig\":{\"ipFamily\":\"ipv6\"},\"status\":\"ACTIVE\","
    "\"certificateAuthority\":{\"data\":\"TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==\"},"
    "\"tags\":{},\"unknownField\":[1,2,3]}}";

static void
test_describe_parse(void **state)
{
	struct eks_cluster *cl;
	struct ekskit_err err;

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(eks_cluster_parse(describe_ok, strlen(describe_ok), &cl,
	    &err), EKSKIT_OK);
	assert_string_equal(cl->name, "c1");
	assert_string_equal(cl->arn, "arn:aws:eks:us-west-2:123456789012:cluster/c1");
	assert_string_equal(cl->status, "ACTIVE");
	assert_string_equal(cl->endpoint, "https://ABC.gr7.us-west-2.eks.amazonaws.com");
	assert_string_equal(cl->ca_data,
	    "TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==");
	assert_string_equal(cl->vpc_id, "vpc-1");
	assert_int_equal(cl->endpoint_private_access, 1);
	assert_int_equal(cl->endpoint_public_access, 0);
	assert_string_equal(cl->ip_family, "ipv6");
	assert_string_equal(cl->version, "1.29");
	assert_null(cl->outpost_cluster_id);
	eks_cluster_free(cl);
}

static void
test_describe_outposts(void **state)
{
	static const char j[] =
	    "{\"cluster\":{\"name\":\"op\",\"id\":\"a1b2c3d4-0000-4000-8000-000000000000\","
	    "\"arn\":\"arn:aws:eks:us-west-2:1:cluster/op\",\"status\":\"ACTIVE\","
	    "\"outpostConfig\":{\"outpostArns\":[\"arn:aws:outposts:us-west-2:1:outpost/op-1\"],"
	    "\"controlPlaneInstanceType\":\"m5.large\"}}}";
	static const char noid[] =
	    "{\"cluster\":{\"name\":\"op\",\"arn\":\"arn:aws:eks:us-west-2:1:cluster/op\","
	    "\"status\":\"ACTIVE\",\"outpostConfig\":{}}}";
	struct eks_cluster *cl;
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_cluster_parse(j, strlen(j), &cl, &err), EKSKIT_OK);
	assert_string_equal(cl->outpost_cluster_id,
	    "a1b2c3d4-0000-4000-8000-000000000000");
	assert_null(cl->endpoint);
	eks_cluster_free(cl);
	assert_int_equal(eks_cluster_parse(noid, strlen(noid), &cl, &err),
	    EKSKIT_ERR_INVALID);
	assert_null(cl);
	assert_non_null(strstr(err.msg, "without an id"));
}

/* Malformed responses: each must fail with INVALID and name the problem. */
static void
test_describe_malformed(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "", "malformed eks response" },
		{ "[]", "not a json object" },
		{ "{\"cluster\":[]}", "no cluster object" },
		{ "{}", "no cluster object" },
		{ "{\"cluster\":{\"arn\":\"arn:x\",\"status\":\"ACTIVE\"}}", "cluster.name is missing" },
		{ "{\"cluster\":{\"name\":\"a\",\"status\":\"ACTIVE\"}}", "cluster.arn is missing" },
		{ "{\"cluster\":{\"name\":\"a\",\"arn\":\"arn:x\"}}", "cluster.status is missing" },
		{ "{\"cluster\":{\"name\":1,\"arn\":\"arn:x\",\"status\":\"ACTIVE\"}}", "cluster.name is not a string" },
		{ "{\"cluster\":{\"name\":\"a\",\"arn\":\"nope\",\"status\":\"ACTIVE\"}}", "is not an arn" },
		{ "{\"cluster\":{\"name\":\"a\",\"arn\":\"arn:x\",\"status\":\"ACTIVE\",\"endpoint\":\"http://x\"}}", "not an https url" },
		{ "{\"cluster\":{\"name\":\"a\",\"arn\":\"arn:x\",\"status\":\"ACTIVE\",\"certificateAuthority\":{\"data\":\"a b\"}}}", "not base64" },
		{ "{\"cluster\":{\"name\":\"a\",\"arn\":\"arn:x\",\"status\":\"ACTIVE\",\"certificateAuthority\":\"x\"}}", "certificateAuthority is not an object" },
		{ "{\"cluster\":{\"name\":\"a\",\"arn\":\"arn:x\",\"status\":\"ACTIVE\",\"resourcesVpcConfig\":{\"endpointPublicAccess\":\"yes\"}}}", "is not a boolean" },
		{ "{\"cluster\":{\"name\":\"a\\n\",\"arn\":\"arn:x\",\"status\":\"ACTIVE\"}}", "control characters" },
		{ "{\"cluster\":{\"name\":\"a\\u0000b\",\"arn\":\"arn:x\",\"status\":\"ACTIVE\"}}", "not allowed" },
		{ "{\"cluster\":{\"name\":\"a\",\"name\":\"b\"}}", "duplicate" },
	};
	struct eks_cluster *cl;
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ekskit_err_clear(&err);
		assert_int_equal(eks_cluster_parse(cases[i].json,
		    strlen(cases[i].json), &cl, &err), EKSKIT_ERR_INVALID);
		assert_null(cl);
		if (strstr(err.msg, cases[i].want) == NULL)
			fail_msg("case %zu: [%s] not in [%s]", i, cases[i].want, err.msg);
	}
}

static void
test_list_pages(void **state)
{
	static const char p1[] = "{\"clusters\":[\"a\",\"b-1\"],\"nextToken\":\"tok/+=\"}";
	static const char p2[] = "{\"clusters\":[\"c_2\"],\"nextToken\":null}";
	static const char p3[] = "{\"clusters\":[]}";
	char **names = NULL, *next;
	size_t n = 0;
	struct ekskit_err err;

	(void)state;
	assert_int_equal(eks_list_page_parse(p1, strlen(p1), &names, &n, &next, &err), 0);
	assert_string_equal(next, "tok/+=");
	free(next);
	assert_int_equal(eks_list_page_parse(p2, strlen(p2), &names, &n, &next, &err), 0);
	assert_null(next);
	assert_int_equal(eks_list_page_parse(p3, strlen(p3), &names, &n, &next, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b-1");
	assert_string_equal(names[2], "c_2");
	assert_null(names[3]);
	ek_strv_free(names);
}

static void
test_list_malformed(void **state)
{
	static const char *bad[] = {
		"{\"clusters\":{}}", "{\"clusters\":[1]}", "{\"clusters\":[\"../x\"]}",
		"{\"clusters\":[],\"nextToken\":5}", "nope",
	};
	char **names = NULL, *next;
	size_t n = 0, i;
	struct ekskit_err err;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(eks_list_page_parse(bad[i], strlen(bad[i]), &names,
		    &n, &next, &err), EKSKIT_ERR_INVALID);
		assert_null(next);
	}
	ek_strv_free(names);
}

static void
test_names_and_arns(void **state)
{
	char *r;
	char longname[102];

	(void)state;
	assert_true(eks_cluster_name_valid("prod-1_a"));
	assert_true(eks_cluster_name_valid("9"));
	assert_false(eks_cluster_name_valid(""));
	assert_false(eks_cluster_name_valid(NULL));
	assert_false(eks_cluster_name_valid("-x"));
	assert_false(eks_cluster_name_valid("a/b"));
	assert_false(eks_cluster_name_valid("a b"));
	memset(longname, 'a', 101);
	longname[101] = '\0';
	assert_false(eks_cluster_name_valid(longname));
	longname[100] = '\0';
	assert_true(eks_cluster_name_valid(longname));

	r = eks_arn_region("arn:aws-cn:eks:cn-north-1:1:cluster/x");
	assert_string_equal(r, "cn-north-1");
	free(r);
	assert_null(eks_arn_region("arn:aws:eks::1:cluster/x"));
	assert_null(eks_arn_region("nope"));
	assert_null(eks_arn_region(NULL));
	eks_cluster_free(NULL);
	ek_strv_free(NULL);
}

/* ---- the network calls, against the scripted loopback fake ---- */

static time_t
fixed_clock(void)
{
	return 1682640000;
}

static char bodydir[64];

static const char *
body(const char *name, const char *content, char *step, size_t n, int status)
{
	snprintf(step, n, "%d:%s:application/x-amz-json-1.1", status,
	    fake_body_file(bodydir, name, content));
	return step;
}

struct net {
	struct fake_server f;
	char endpoint[128];
	char akid[16], secret[16], prov[8];
	struct aws_credentials creds;
	struct aws_client c;
};

static void
net_start(struct net *n, const char *const *steps)
{
	memset(n, 0, sizeof(*n));
	if (fake_start(&n->f, 0, steps) != 0)
		fail_msg("cannot start the scripted fake");
	snprintf(n->endpoint, sizeof(n->endpoint), "%s", n->f.url);
	strcpy(n->akid, "AKIDEXAMPLE");
	strcpy(n->secret, "secret");
	strcpy(n->prov, "test");
	n->creds.access_key_id = n->akid;
	n->creds.secret_access_key = n->secret;
	n->creds.provider = n->prov;
	n->c.service = "eks";
	n->c.region = "us-west-2";
	n->c.endpoint = n->endpoint;
	n->c.creds = &n->creds;
	n->c.clock = fixed_clock;
}

static const char notfound[] =
    "{\"__type\":\"ResourceNotFoundException\",\"message\":\"No cluster found for name: nope.\"}";

static void
test_describe_over_http(void **state)
{
	char s1[256], s2[256], *log;
	const char *steps[3];
	struct eks_cluster *cl;
	struct ekskit_err err;
	struct net n;

	(void)state;
	steps[0] = body("ok.json", describe_ok, s1, sizeof(s1), 200);
	steps[1] = body("nf.json", notfound, s2, sizeof(s2), 404);
	steps[2] = NULL;
	net_start(&n, steps);
	assert_int_equal(eks_describe_cluster(&n.c, "c1", &cl, &err), 0);
	assert_string_equal(cl->name, "c1");
	eks_cluster_free(cl);
	ekskit_err_clear(&err);
	assert_int_equal(eks_describe_cluster(&n.c, "nope", &cl, &err), EKSKIT_ERR_NOT_FOUND);
	assert_null(cl);
	/* the AWS message is kept, after what to check */
	assert_non_null(strstr(err.msg, "cluster nope not found in region us-west-2"));
	assert_non_null(strstr(err.msg, "No cluster found for name: nope."));
	assert_string_equal(err.remote_code, "ResourceNotFoundException");
	/* an invalid name never reaches the network */
	assert_int_equal(eks_describe_cluster(&n.c, "../etc", &cl, &err), EKSKIT_ERR_USAGE);
	log = fake_log(&n.f);
	assert_non_null(strstr(log, "\"method\": \"GET\", \"path\": \"/clusters/c1\""));
	assert_non_null(strstr(log, "/eks/aws4_request"));
	assert_null(strstr(log, "etc"));
	assert_int_equal(fake_count(&n.f), 2);
	free(log);
	fake_stop(&n.f);
}

static void
test_list_over_http(void **state)
{
	char s1[256], s2[256], *log;
	const char *steps[3];
	char **names;
	struct ekskit_err err;
	struct net n;

	(void)state;
	steps[0] = body("p1.json", "{\"clusters\":[\"a\",\"b\"],\"nextToken\":\"t/1=\"}",
	    s1, sizeof(s1), 200);
	steps[1] = body("p2.json", "{\"clusters\":[\"c\"]}", s2, sizeof(s2), 200);
	steps[2] = NULL;
	net_start(&n, steps);
	assert_int_equal(eks_list_clusters(&n.c, &names, &err), 0);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[2], "c");
	assert_null(names[3]);
	ek_strv_free(names);
	log = fake_log(&n.f);
	assert_non_null(strstr(log, "\"path\": \"/clusters?maxResults=100\""));
	assert_non_null(strstr(log, "\"path\": \"/clusters?maxResults=100&nextToken=t%2F1%3D\""));
	free(log);
	fake_stop(&n.f);
}

static void
test_describe_many_over_http(void **state)
{
	static char *names[] = { (char *)"n1", (char *)"n2", (char *)"n3",
		(char *)"n4", (char *)"n5", (char *)"n6", (char *)"n7", (char *)"n8",
		(char *)"n9", (char *)"n10" };
	struct eks_cluster *out[10];
	char s1[256], s2[256], *log, want[64];
	const char *steps[2];
	struct ekskit_err err;
	struct net n;
	size_t i;

	(void)state;
	steps[0] = body("ok.json", describe_ok, s1, sizeof(s1), 200);
	steps[1] = NULL;
	net_start(&n, steps);
	assert_int_equal(eks_describe_clusters(&n.c, names, 10, out, &err), 0);
	for (i = 0; i < 10; i++) {
		assert_non_null(out[i]);
		eks_cluster_free(out[i]);
	}
	log = fake_log(&n.f);
	for (i = 0; i < 10; i++) {
		snprintf(want, sizeof(want), "\"path\": \"/clusters/%s\"", names[i]);
		assert_non_null(strstr(log, want));
	}
	assert_int_equal(fake_count(&n.f), 10);
	free(log);
	fake_stop(&n.f);

	/* one missing cluster fails the whole call, with its message */
	steps[0] = body("nf.json", notfound, s2, sizeof(s2), 404);
	net_start(&n, steps);
	assert_int_equal(eks_describe_clusters(&n.c, names, 3, out, &err),
	    EKSKIT_ERR_NOT_FOUND);
	for (i = 0; i < 3; i++)
		assert_null(out[i]);
	assert_non_null(strstr(err.msg, "cluster n1 not found"));
	fake_stop(&n.f);
	assert_int_equal(eks_describe_clusters(&n.c, names, 0, out, &err), 0);
}

/* Many clients (regions) in one batch: each signed for its own region; one bad client fails alone. */
static void
test_list_each_over_http(void **state)
{
	struct aws_client c2, c3;
	const struct aws_client *cv[3];
	struct ekskit_err errs[3];
	char s1[256], *log, **names[3];
	const char *steps[2];
	struct net n;
	int rcs[3];

	(void)state;
	steps[0] = body("p.json", "{\"clusters\":[\"a\",\"b\"]}", s1, sizeof(s1), 200);
	steps[1] = NULL;
	net_start(&n, steps);
	c2 = n.c;
	c2.region = "eu-west-1";
	c3 = n.c;
	c3.region = NULL;               /* signed call without a region: refused */
	cv[0] = &n.c;
	cv[1] = &c2;
	cv[2] = &c3;
	eks_list_clusters_each(cv, 3, names, rcs, errs, 4);
	assert_int_equal(rcs[0], 0);
	assert_int_equal(rcs[1], 0);
	assert_int_equal(rcs[2], EKSKIT_ERR_CONFIG);
	assert_string_equal(names[0][1], "b");
	assert_string_equal(names[1][0], "a");
	assert_null(names[2]);
	assert_non_null(strstr(errs[2].msg, "no region"));
	ek_strv_free(names[0]);
	ek_strv_free(names[1]);
	log = fake_log(&n.f);
	assert_non_null(strstr(log, "/us-west-2/eks/aws4_request"));
	assert_non_null(strstr(log, "/eu-west-1/eks/aws4_request"));
	assert_int_equal(fake_count(&n.f), 2);
	free(log);
	fake_stop(&n.f);
}

static int
net_setup(void **state)
{
	(void)state;
	snprintf(bodydir, sizeof(bodydir), "/tmp/ekskit-eks.XXXXXX");
	return mkdtemp(bodydir) == NULL;
}

static int
net_teardown(void **state)
{
	char cmd[96];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", bodydir);
	return system(cmd) != 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe_parse),
		cmocka_unit_test(test_describe_outposts),
		cmocka_unit_test(test_describe_malformed),
		cmocka_unit_test(test_list_pages),
		cmocka_unit_test(test_list_malformed),
		cmocka_unit_test(test_names_and_arns),
		cmocka_unit_test(test_describe_over_http),
		cmocka_unit_test(test_list_over_http),
		cmocka_unit_test(test_list_each_over_http),
		cmocka_unit_test(test_describe_many_over_http),
	};

	return cmocka_run_group_tests(tests, net_setup, net_teardown);
}
