/*
 * Unit tests for lib/awsreq.c: form bodies, AWS error parsing (XML and
 * JSON), throttling codes, and signed calls against the loopback fake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/awsreq.h"
#include "ekskit/creds.h"
#include "fake_server.h"

static int
setup_env(void **state)
{
	(void)state;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	unsetenv("AWS_MAX_ATTEMPTS");
	return 0;
}

static time_t
fixed_clock(void)
{
	return 1682640000;   /* 2023-04-28T00:00:00Z */
}

/* Build a response as http.c would leave it. */
static void
make_resp(struct http_response *r, long status, const char *ctype, const char *body,
    const char *errtype, const char *reqid)
{
	memset(r, 0, sizeof(*r));
	ekbuf_init(&r->body, 0);
	r->status = status;
	if (body)
		assert_int_equal(ekbuf_puts(&r->body, body), 0);
	r->content_type = ctype ? strdup(ctype) : NULL;
	r->amzn_error_type = errtype ? strdup(errtype) : NULL;
	r->amzn_request_id = reqid ? strdup(reqid) : NULL;
}

static void
test_query_body(void **state)
{
	static const struct aws_param p[] = {
		{ "RoleArn", "arn:aws:iam::123456789012:role/a b" },
		{ "RoleSessionName", "s+1=2&x" },
		{ "Skipped", NULL },
		{ "Tags.member.1.Key", "\xc3\xa9~" },
	};
	struct ekbuf b;

	(void)state;
	ekbuf_init(&b, 0);
	assert_int_equal(aws_query_body(&b, "AssumeRole", "2011-06-15", p, 4), 0);
	assert_string_equal(b.data,
	    "Action=AssumeRole&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa%20b"
	    "&RoleSessionName=s%2B1%3D2%26x"
	    "&Tags.member.1.Key=%C3%A9~");
	ekbuf_release(&b);
	ekbuf_init(&b, 10);
	assert_int_equal(aws_query_body(&b, "GetCallerIdentity", "2011-06-15", NULL, 0),
	    EKSKIT_ERR_NOMEM);
	ekbuf_release(&b);
}

static void
test_error_sts_xml(void **state)
{
	struct http_response r;
	struct ekskit_err err;

	(void)state;
	make_resp(&r, 403, "text/xml",
	    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	    "  <Error><Type>Sender</Type><Code>AccessDenied</Code>\n"
	    "  <Message>User: arn:aws:iam::1:user/x is not authorized\nto assume</Message>"
	    "</Error>\n  <RequestId>abc-123</RequestId>\n</ErrorResponse>", NULL, NULL);
	ekskit_err_clear(&err);
	assert_int_equal(aws_response_error(&r, "sts AssumeRole", &err), EKSKIT_ERR_REMOTE);
	assert_string_equal(err.remote_code, "AccessDenied");
	assert_int_equal(err.http_status, 403);
	assert_string_equal(err.msg, "AccessDenied: User: arn:aws:iam::1:user/x is not "
	    "authorized to assume (HTTP 403, request id abc-123)");
	http_response_release(&r);
}

static void
test_error_ec2_xml(void **state)
{
	struct http_response r;
	struct ekskit_err err;
	char code[64];

	(void)state;
	make_resp(&r, 503, "text/xml;charset=UTF-8",
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
	    "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
	    "</Error></Errors><RequestID>ec2-req</RequestID></Response>", NULL, NULL);
	ekskit_err_clear(&err);
	assert_int_equal(aws_response_error(&r, "ec2 X", &err), EKSKIT_ERR_REMOTE);
	assert_string_equal(err.msg,
	    "RequestLimitExceeded: Request limit exceeded. (HTTP 503, request id ec2-req)");
	aws_response_error_code(&r, code, sizeof(code));
	assert_string_equal(code, "RequestLimitExceeded");
	assert_int_equal(aws_is_retryable_code(code), 1);
	http_response_release(&r);
}

static void
test_error_json(void **state)
{
	struct http_response r;
	struct ekskit_err err;

	(void)state;
	/* EKS: code in the header, message in the body */
	make_resp(&r, 404, "application/json",
	    "{\"message\":\"No cluster found for name: x.\"}",
	    "ResourceNotFoundException:http://internal.amazon.com/coral/x/", "eks-req");
	ekskit_err_clear(&err);
	assert_int_equal(aws_response_error(&r, "eks GET /clusters/x", &err),
	    EKSKIT_ERR_REMOTE);
	assert_string_equal(err.remote_code, "ResourceNotFoundException");
	assert_string_equal(err.msg, "ResourceNotFoundException: No cluster found for "
	    "name: x. (HTTP 404, request id eks-req)");
	http_response_release(&r);

	/* awsJson: "__type" with a namespace, "Message" */
	make_resp(&r, 400, "application/x-amz-json-1.1",
	    "{\"__type\":\"com.amazonaws.sso#UnauthorizedException\",\"Message\":\"expired\"}",
	    NULL, NULL);
	assert_int_equal(aws_response_error(&r, "sso", &err), EKSKIT_ERR_REMOTE);
	assert_string_equal(err.remote_code, "UnauthorizedException");
	assert_string_equal(err.msg, "UnauthorizedException: expired (HTTP 400)");
	http_response_release(&r);
}

static void
test_error_unparseable(void **state)
{
	static const char *const bodies[] = {
		"", "<html><body>Bad Gateway</body></html>", "{not json", "<a><b></a>",
		"[1,2]", "\x01\x02",
	};
	struct http_response r;
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		make_resp(&r, 502, NULL, bodies[i], NULL, i == 0 ? "rid" : NULL);
		ekskit_err_clear(&err);
		assert_int_equal(aws_response_error(&r, "sts AssumeRole", &err),
		    EKSKIT_ERR_REMOTE);
		assert_string_equal(err.remote_code, "");
		assert_int_equal(err.http_status, 502);
		assert_string_equal(err.msg, i == 0 ?
		    "sts AssumeRole failed (HTTP 502, request id rid)" :
		    "sts AssumeRole failed (HTTP 502)");
		http_response_release(&r);
	}
	/* a code without a message, control characters are flattened */
	make_resp(&r, 400, NULL, "<ErrorResponse><Error><Code>Odd\tCode</Code>"
	    "</Error></ErrorResponse>", NULL, NULL);
	assert_int_equal(aws_response_error(&r, "x", &err), EKSKIT_ERR_REMOTE);
	assert_string_equal(err.msg, "Odd\tCode: x failed (HTTP 400)");
	http_response_release(&r);
}

static void
test_retryable_codes(void **state)
{
	(void)state;
	assert_int_equal(aws_is_retryable_code("Throttling"), 1);
	assert_int_equal(aws_is_retryable_code("ThrottlingException"), 1);
	assert_int_equal(aws_is_retryable_code("TooManyRequestsException"), 1);
	assert_int_equal(aws_is_retryable_code("RequestTimeout"), 1);
	assert_int_equal(aws_is_retryable_code("AccessDenied"), 0);
	assert_int_equal(aws_is_retryable_code("throttling"), 0);
	assert_int_equal(aws_is_retryable_code(""), 0);
	assert_int_equal(aws_is_retryable_code(NULL), 0);
}

static const char throttle_xml[] =
    "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
    "</Error></ErrorResponse>";
static const char denied_xml[] =
    "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message>"
    "</Error><RequestId>r9</RequestId></ErrorResponse>";
static const char ok_xml[] = "<GetCallerIdentityResponse/>";

struct fixture {
	char dir[64];
	char throttle[128], denied[128], ok[128];
};

static void
write_bodies(struct fixture *fx)
{
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ekskit-awsreq.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->throttle, sizeof(fx->throttle), "%s", fake_body_file(fx->dir, "t.xml", throttle_xml));
	snprintf(fx->denied, sizeof(fx->denied), "%s", fake_body_file(fx->dir, "d.xml", denied_xml));
	snprintf(fx->ok, sizeof(fx->ok), "%s", fake_body_file(fx->dir, "o.xml", ok_xml));
}

static void
remove_bodies(struct fixture *fx)
{
	unlink(fx->throttle);
	unlink(fx->denied);
	unlink(fx->ok);
	rmdir(fx->dir);
}

static void
test_query_call_signed(void **state)
{
	struct fixture fx;
	char s1[160], s2[160], s3[160], endpoint[128], host[64], *log;
	const char *steps[4];
	struct fake_server f;
	char akid[] = "AKIDEXAMPLE", secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	char token[] = "SESSIONTOKEN", prov[] = "test";
	struct aws_credentials creds = { akid, secret, token, 0, prov };
	struct aws_client c = { "sts", "us-west-2", NULL, &creds, 0, fixed_clock };
	static const struct aws_param p[] = { { "RoleArn", "arn:aws:iam::1:role/r" } };
	struct http_response resp;
	struct ekskit_err err;

	(void)state;
	write_bodies(&fx);
	snprintf(s1, sizeof(s1), "400:%s", fx.throttle);
	snprintf(s2, sizeof(s2), "200:%s", fx.ok);
	snprintf(s3, sizeof(s3), "403:%s", fx.denied);
	steps[0] = s1; steps[1] = s2; steps[2] = s3; steps[3] = NULL;
	if (fake_start(&f, 0, steps) != 0)
		fail_msg("cannot start the fake");
	snprintf(endpoint, sizeof(endpoint), "%s/", f.url);
	c.endpoint = endpoint;

	/* a 400 Throttling is retried; the 200 that follows is the answer */
	ekskit_err_clear(&err);
	assert_int_equal(aws_query_call(&c, "AssumeRole", "2011-06-15", p, 1, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 2);
	http_response_release(&resp);
	log = fake_log(&f);
	snprintf(host, sizeof(host), "\"Host\": \"127.0.0.1:%d\"", f.port);
	assert_non_null(strstr(log, host));
	assert_non_null(strstr(log, "\"method\": \"POST\", \"path\": \"/\""));
	assert_non_null(strstr(log, "\"Content-Type\": \"application/x-www-form-urlencoded; charset=utf-8\""));
	assert_non_null(strstr(log, "\"X-Amz-Date\": \"20230428T000000Z\""));
	assert_non_null(strstr(log, "\"X-Amz-Security-Token\": \"SESSIONTOKEN\""));
	assert_non_null(strstr(log, "\"Authorization\": \"AWS4-HMAC-SHA256 Credential="
	    "AKIDEXAMPLE/20230428/us-west-2/sts/aws4_request, SignedHeaders="
	    "content-type;host;x-amz-date;x-amz-security-token, Signature="));
	assert_non_null(strstr(log, "\"body\": \"Action=AssumeRole&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr\""));
	free(log);

	/* an AWS error: EKSKIT_ERR_REMOTE with code, message and request id */
	ekskit_err_clear(&err);
	assert_int_equal(aws_query_call(&c, "AssumeRole", "2011-06-15", p, 1, &resp, &err),
	    EKSKIT_ERR_REMOTE);
	assert_int_equal(resp.status, 403);
	assert_string_equal(err.remote_code, "AccessDenied");
	assert_string_equal(err.msg, "AccessDenied: no (HTTP 403, request id r9)");
	assert_null(strstr(err.msg, "SESSIONTOKEN"));
	http_response_release(&resp);
	fake_stop(&f);
	remove_bodies(&fx);
}

static void
test_unsigned_and_rest_json(void **state)
{
	static const char *const steps[] = { "200", NULL };
	char endpoint[128], *log;
	struct fake_server f;
	char akid[] = "AKIDEXAMPLE", secret[] = "secret", prov[] = "test";
	struct aws_credentials creds = { akid, secret, NULL, 0, prov };
	struct aws_client c = { "eks", "us-west-2", NULL, &creds, 0, fixed_clock };
	struct http_response resp;

	(void)state;
	if (fake_start(&f, 0, steps) != 0)
		fail_msg("cannot start the fake");
	/* an endpoint with a base path, which prefixes the request path */
	snprintf(endpoint, sizeof(endpoint), "%s/base/", f.url);
	c.endpoint = endpoint;
	assert_int_equal(aws_rest_json_call(&c, "GET", "/clusters/my%20c",
	    "maxResults=10&nextToken=a%2Fb", NULL, &resp, NULL), 0);
	http_response_release(&resp);
	assert_int_equal(aws_rest_json_call(&c, "POST", "/clusters", NULL, "{\"a\":1}",
	    &resp, NULL), 0);
	http_response_release(&resp);
	c.creds = NULL;
	c.service = "sts";
	assert_int_equal(aws_query_call(&c, "AssumeRoleWithWebIdentity", "2011-06-15",
	    NULL, 0, &resp, NULL), 0);
	http_response_release(&resp);
	log = fake_log(&f);
	assert_non_null(strstr(log, "\"path\": \"/base/clusters/my%20c?maxResults=10&nextToken=a%2Fb\""));
	assert_non_null(strstr(log, "/eks/aws4_request, SignedHeaders=host;x-amz-date, Signature="));
	assert_non_null(strstr(log, "\"path\": \"/base/clusters\""));
	assert_non_null(strstr(log, "SignedHeaders=content-type;host;x-amz-date, Signature="));
	assert_non_null(strstr(log, "\"Content-Type\": \"application/json\""));
	/* the unsigned call: no Authorization line in the third request */
	{
		char *third = strstr(log, "AssumeRoleWithWebIdentity");

		assert_non_null(third);
		while (third > log && third[-1] != '\n')
			third--;
		assert_null(strstr(third, "Authorization"));
		assert_null(strstr(third, "X-Amz-Date"));
	}
	free(log);
	fake_stop(&f);
}

static void
test_bad_client(void **state)
{
	char akid[] = "AKID", secret[] = "secret", prov[] = "test";
	struct aws_credentials creds = { akid, secret, NULL, 0, prov };
	struct aws_client c = { "sts", "us-west-2", "ftp://127.0.0.1/", &creds, 0, NULL };
	struct http_response resp;
	struct ekskit_err err;

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(aws_query_call(&c, "X", "1", NULL, 0, &resp, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "invalid endpoint URL"));
	http_response_release(&resp);
	c.endpoint = NULL;
	assert_int_equal(aws_query_call(&c, "X", "1", NULL, 0, &resp, &err), EKSKIT_ERR_CONFIG);
	http_response_release(&resp);
	c.endpoint = "http://127.0.0.1:1/";
	c.region = NULL;
	assert_int_equal(aws_query_call(&c, "X", "1", NULL, 0, &resp, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "region"));
	http_response_release(&resp);
	/* the guard: a real AWS endpoint is refused */
	c.region = "us-west-2";
	c.endpoint = "https://sts.us-west-2.amazonaws.com";
	ekskit_err_clear(&err);
	assert_int_equal(aws_query_call(&c, "GetCallerIdentity", "2011-06-15", NULL, 0,
	    &resp, &err), EKSKIT_ERR_NETWORK);
	assert_non_null(strstr(err.msg, "sts GetCallerIdentity: EKSKIT_TEST_LOOPBACK_ONLY"));
	http_response_release(&resp);
}

static void
test_rest_json_many(void **state)
{
	static const char *const ok_steps[] = { "200", NULL };
	static const char *const paths[] = {
		"/clusters/a", "/clusters/b", "no-slash", "/clusters/c", "/clusters/d",
	};
	static const char *const queries[] = { NULL, "x=1", NULL, NULL, NULL };
	char akid[] = "AKIDEXAMPLE", secret[] = "secret", prov[] = "test";
	struct aws_credentials creds = { akid, secret, NULL, 0, prov };
	struct aws_client c = { "eks", "us-west-2", NULL, &creds, 0, fixed_clock };
	struct http_response resps[5];
	struct ekskit_err errs[5];
	struct fake_server f;
	const char *steps[2];
	char dir[64], step[160], *log, *p;
	int rcs[5], n;
	size_t i;

	(void)state;
	if (fake_start(&f, 0, ok_steps) != 0)
		fail_msg("cannot start the fake");
	c.endpoint = f.url;
	assert_int_equal(aws_rest_json_call_many(&c, "GET", paths, queries, 5, resps, rcs,
	    errs, 3), EKSKIT_ERR_INTERNAL);
	for (i = 0; i < 5; i++) {
		assert_int_equal(rcs[i], i == 2 ? EKSKIT_ERR_INTERNAL : 0);
		if (i != 2)
			assert_int_equal(resps[i].status, 200);
		http_response_release(&resps[i]);
	}
	assert_int_equal(fake_count(&f), 4);
	log = fake_log(&f);
	for (n = 0, p = log; (p = strstr(p, "/eks/aws4_request")) != NULL; p++)
		n++;
	assert_int_equal(n, 4);
	assert_non_null(strstr(log, "\"path\": \"/clusters/b?x=1\""));
	free(log);
	fake_stop(&f);

	/* every call answered with an AWS error */
	snprintf(dir, sizeof(dir), "/tmp/ekskit-awsreq.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(step, sizeof(step), "404:%s", fake_body_file(dir, "nf.json",
	    "{\"__type\":\"ResourceNotFoundException\",\"message\":\"No cluster found\"}"));
	steps[0] = step;
	steps[1] = NULL;
	if (fake_start(&f, 0, steps) != 0)
		fail_msg("cannot start the fake");
	c.endpoint = f.url;
	assert_int_equal(aws_rest_json_call_many(&c, "GET", paths, NULL, 2, resps, rcs,
	    errs, 0), EKSKIT_ERR_REMOTE);
	for (i = 0; i < 2; i++) {
		assert_int_equal(rcs[i], EKSKIT_ERR_REMOTE);
		assert_string_equal(errs[i].remote_code, "ResourceNotFoundException");
		assert_int_equal(errs[i].http_status, 404);
		http_response_release(&resps[i]);
	}
	fake_stop(&f);
	unlink(step + 4);
	rmdir(dir);

	/* the guard refuses every call at once */
	c.endpoint = "https://eks.us-west-2.amazonaws.com";
	assert_int_equal(aws_rest_json_call_many(&c, "GET", paths, NULL, 2, resps, rcs,
	    errs, 0), EKSKIT_ERR_NETWORK);
	assert_int_equal(rcs[1], EKSKIT_ERR_NETWORK);
	assert_non_null(strstr(errs[1].msg, "eks GET /clusters/b: EKSKIT_TEST_LOOPBACK_ONLY"));
	http_response_release(&resps[0]);
	http_response_release(&resps[1]);
	assert_int_equal(aws_rest_json_call_many(&c, "GET", paths, NULL, 0, resps, rcs,
	    errs, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_body),
		cmocka_unit_test(test_error_sts_xml),
		cmocka_unit_test(test_error_ec2_xml),
		cmocka_unit_test(test_error_json),
		cmocka_unit_test(test_error_unparseable),
		cmocka_unit_test(test_retryable_codes),
		cmocka_unit_test_setup(test_query_call_signed, setup_env),
		cmocka_unit_test_setup(test_unsigned_and_rest_json, setup_env),
		cmocka_unit_test_setup(test_bad_client, setup_env),
		cmocka_unit_test_setup(test_rest_json_many, setup_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
