/*
 * Unit tests for lib/http.c: encoding, redaction, the loopback guard, and
 * real transfers against tests/fakes/scripted_http.py on 127.0.0.1
 * (retries, timeouts, resets, body cap, parallel transfers, TLS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ekskit/http.h"
#include "fake_server.h"

/* ---- helpers ---- */

struct capture {
	int saved;
	int fd;
	char path[64];
};

static void
capture_start(struct capture *c)
{
	snprintf(c->path, sizeof(c->path), "/tmp/ekskit-stderr.XXXXXX");
	c->fd = mkstemp(c->path);
	assert_true(c->fd >= 0);
	fflush(stderr);
	c->saved = dup(2);
	dup2(c->fd, 2);
}

/* Restore stderr; returns what was written (caller frees). */
static char *
capture_end(struct capture *c)
{
	char *s;
	off_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	n = lseek(c->fd, 0, SEEK_END);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(pread(c->fd, s, (size_t)n, 0), n);
	close(c->fd);
	unlink(c->path);
	return s;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
start_fake(struct fake_server *f, int tls, const char *const *steps)
{
	if (fake_start(f, tls, steps) != 0)
		fail_msg("cannot start tests/fakes/scripted_http.py (python3 needed)");
}

static int
setup_env(void **state)
{
	(void)state;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	unsetenv("AWS_MAX_ATTEMPTS");
	unsetenv("AWS_CA_BUNDLE");
	return 0;
}

static struct http_request
get_req(const char *url)
{
	struct http_request r;

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.url = url;
	r.timeout_ms = 5000;
	return r;
}

/* ---- pure functions ---- */

static void
test_uri_encode(void **state)
{
	static const struct { const char *in; int slash; const char *out; } t[] = {
		{ "abcXYZ019-_.~", 1, "abcXYZ019-_.~" },
		{ "a b+c=d&e", 1, "a%20b%2Bc%3Dd%26e" },
		{ "/a/b", 1, "%2Fa%2Fb" },
		{ "/a/b", 0, "/a/b" },
		{ "\xc3\xa9*", 1, "%C3%A9%2A" },
		{ "", 1, "" },
	};
	struct ekbuf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ekbuf_init(&b, 0);
		assert_int_equal(http_uri_encode(&b, t[i].in, strlen(t[i].in), t[i].slash), 0);
		assert_string_equal(b.data ? b.data : "", t[i].out);
		ekbuf_release(&b);
	}
	ekbuf_init(&b, 4);
	assert_int_equal(http_uri_encode(&b, "    ", 4, 1), EKSKIT_ERR_NOMEM);
	ekbuf_release(&b);
}

static void
test_redact_url(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
		  "&X-Amz-Credential=AKID%2F20230428%2Fus-west-2%2Fsts%2Faws4_request"
		  "&X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=abcdef",
		  "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
		  "&X-Amz-Credential=AKID%2F20230428%2Fus-west-2%2Fsts%2Faws4_request"
		  "&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED" },
		{ "http://user:pw@127.0.0.1:8080/p?a=1#frag",
		  "http://REDACTED@127.0.0.1:8080/p?a=1#frag" },
		{ "https://h/x?nextToken=abc&maxResults=5&x-amz-signature=Z",
		  "https://h/x?nextToken=REDACTED&maxResults=5&x-amz-signature=REDACTED" },
		{ "https://h/x?password&secret_key=1&", "https://h/x?password&secret_key=REDACTED&" },
		{ "https://h/plain", "https://h/plain" },
	};
	struct ekbuf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ekbuf_init(&b, 0);
		assert_int_equal(http_redact_url(t[i].in, &b), 0);
		assert_string_equal(b.data, t[i].out);
		ekbuf_release(&b);
	}
}

static void
test_header_secret(void **state)
{
	static const struct { struct http_header h; int secret; } t[] = {
		{ { "Authorization", "AWS4-HMAC-SHA256 x", 0 }, 1 },
		{ { "authorization", "Bearer x", 0 }, 1 },
		{ { "X-Amz-Security-Token", "t", 0 }, 1 },
		{ { "X-aws-ec2-metadata-token", "t", 0 }, 1 },
		{ { "Cookie", "c", 0 }, 1 },
		{ { "X-Custom", "v", 1 }, 1 },
		{ { "Content-Type", "application/json", 0 }, 0 },
		{ { "X-Amz-Date", "20230428T000000Z", 0 }, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(http_header_is_secret(&t[i].h), t[i].secret);
	assert_int_equal(http_header_is_secret(NULL), 1);
}

static void
test_loopback_hosts(void **state)
{
	static const struct { const char *host; int ok; } t[] = {
		{ "127.0.0.1", 1 }, { "127.255.3.4", 1 }, { "localhost", 1 },
		{ "LOCALHOST", 1 }, { "[::1]", 1 }, { "0.0.0.0", 0 }, { "10.0.0.1", 0 },
		{ "128.0.0.1", 0 }, { "169.254.169.254", 0 }, { "localhost.", 0 },
		{ "sts.us-west-2.amazonaws.com", 0 }, { "127.0.0.1.nip.io", 0 },
		{ "[::ffff:127.0.0.1]", 0 }, { "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (http_loopback_host_ok(t[i].host) != t[i].ok)
			fail_msg("host %s: want %d", t[i].host, t[i].ok);
	}
	assert_int_equal(http_loopback_host_ok(NULL), 0);
}

static void
test_loopback_addrs(void **state)
{
	static const struct { int family; const char *addr; int ok; } t[] = {
		{ AF_INET, "127.0.0.1", 1 }, { AF_INET, "127.1.2.3", 1 },
		{ AF_INET, "0.0.0.0", 0 }, { AF_INET, "10.1.2.3", 0 },
		{ AF_INET, "169.254.169.254", 0 }, { AF_INET, "255.255.255.255", 0 },
		{ AF_INET6, "::1", 1 }, { AF_INET6, "::ffff:127.0.0.9", 1 },
		{ AF_INET6, "::", 0 }, { AF_INET6, "::ffff:10.0.0.1", 0 },
		{ AF_INET6, "fe80::1", 0 }, { AF_INET6, "fd00:ec2::254", 0 },
	};
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr sa;
	size_t i;
	int got;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].family == AF_INET) {
			memset(&s4, 0, sizeof(s4));
			s4.sin_family = AF_INET;
			assert_int_equal(inet_pton(AF_INET, t[i].addr, &s4.sin_addr), 1);
			got = http_loopback_addr_ok((struct sockaddr *)&s4);
		} else {
			memset(&s6, 0, sizeof(s6));
			s6.sin6_family = AF_INET6;
			assert_int_equal(inet_pton(AF_INET6, t[i].addr, &s6.sin6_addr), 1);
			got = http_loopback_addr_ok((struct sockaddr *)&s6);
		}
		if (got != t[i].ok)
			fail_msg("address %s: want %d", t[i].addr, t[i].ok);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	assert_int_equal(http_loopback_addr_ok(&sa), 0);
	assert_int_equal(http_loopback_addr_ok(NULL), 0);
}

static void
test_loopback_env(void **state)
{
	(void)state;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "0", 1);
	assert_int_equal(http_loopback_only(), 0);
	unsetenv("EKSKIT_TEST_LOOPBACK_ONLY");
	assert_int_equal(http_loopback_only(), 0);
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	assert_int_equal(http_loopback_only(), 1);
}

/* ---- the guard, end to end ---- */

/* 0.0.0.0 reaches loopback on Linux: a broken guard would hit the fake. */
static void
test_guard_refuses_zero_address(void **state)
{
	static const char *const steps[] = { "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct ekskit_err err;
	struct http_request req;
	struct capture cap;
	char url[128], *out;
	int rc;

	(void)state;
	start_fake(&f, 0, steps);
	snprintf(url, sizeof(url), "http://0.0.0.0:%d/", f.port);
	req = get_req(url);
	ekskit_err_clear(&err);
	capture_start(&cap);
	rc = http_perform(&req, &resp, &err);
	out = capture_end(&cap);
	assert_int_equal(rc, EKSKIT_ERR_NETWORK);
	assert_int_equal(resp.status, 0);
	assert_int_equal(resp.error, EKSKIT_ERR_NETWORK);
	assert_non_null(strstr(out, "EKSKIT_TEST_LOOPBACK_ONLY: refusing connection to 0.0.0.0"));
	assert_non_null(strstr(err.msg, "0.0.0.0"));
	assert_int_equal(fake_count(&f), 0);
	/* the same fake is reachable through 127.0.0.1: the refusal was the guard */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
	req = get_req(url);
	http_response_release(&resp);
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(fake_count(&f), 1);
	free(out);
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_guard_refuses_before_dns(void **state)
{
	struct http_response resp;
	struct ekskit_err err;
	struct http_request req = get_req("https://sts.us-west-2.amazonaws.com/");
	struct capture cap;
	double t0;
	char *out;
	int rc;

	(void)state;
	ekskit_err_clear(&err);
	t0 = now_ms();
	capture_start(&cap);
	rc = http_perform(&req, &resp, &err);
	out = capture_end(&cap);
	assert_int_equal(rc, EKSKIT_ERR_NETWORK);
	/* the first layer's message has no resolved address: DNS never ran */
	assert_non_null(strstr(out,
	    "EKSKIT_TEST_LOOPBACK_ONLY: refusing connection to sts.us-west-2.amazonaws.com\n"));
	assert_null(strstr(out, "(address"));
	assert_int_equal(resp.attempts, 0);
	assert_true(now_ms() - t0 < 1000);
	free(out);
	http_response_release(&resp);

	/* IMDS too, and a URL whose userinfo tries to look like loopback */
	req = get_req("http://169.254.169.254/latest/api/token");
	capture_start(&cap);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	free(capture_end(&cap));
	http_response_release(&resp);
	req = get_req("http://127.0.0.1@10.9.9.9/");
	capture_start(&cap);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	out = capture_end(&cap);
	assert_non_null(strstr(out, "refusing connection to 10.9.9.9"));
	free(out);
	http_response_release(&resp);

	/* tls_server_name does not smuggle a connection: the URL host is checked */
	req = get_req("https://10.9.9.9:6443/");
	req.tls_server_name = "localhost";
	capture_start(&cap);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	out = capture_end(&cap);
	assert_non_null(strstr(out, "refusing connection to 10.9.9.9"));
	free(out);
	http_response_release(&resp);

	/* [::1] passes the guard (nothing listens there: a plain network error) */
	req = get_req("http://[::1]:9/");
	req.max_attempts = 1;
	capture_start(&cap);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	out = capture_end(&cap);
	assert_null(strstr(out, "EKSKIT_TEST_LOOPBACK_ONLY"));
	assert_null(strstr(err.msg, "EKSKIT_TEST_LOOPBACK_ONLY"));
	free(out);
	http_response_release(&resp);
}

/* In guard mode a proxy from the environment is ignored (it would be off-machine). */
static void
test_guard_disables_proxy(void **state)
{
	static const char *const steps[] = { "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	char url[128];

	(void)state;
	start_fake(&f, 0, steps);
	snprintf(url, sizeof(url), "%s/via-proxy?", f.url);
	setenv("http_proxy", "http://10.255.255.1:3128", 1);
	setenv("HTTPS_PROXY", "http://10.255.255.1:3128", 1);
	req = get_req(url);
	req.proxy_url = "http://10.255.255.2:3128";
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(fake_count(&f), 1);
	unsetenv("http_proxy");
	unsetenv("HTTPS_PROXY");
	http_response_release(&resp);
	fake_stop(&f);
}

/* ---- retries ---- */

static void
test_retry_503_then_200(void **state)
{
	static const char *const steps[] = { "503", "503", "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;

	int quota;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	quota = http_retry_quota();
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 3);
	/* the success gave back what its two retries took */
	assert_int_equal(http_retry_quota(), quota);
	assert_int_equal(fake_count(&f), 3);
	assert_non_null(resp.amzn_request_id);
	assert_string_equal(resp.amzn_request_id, "req-3");
	assert_string_equal(resp.content_type, "application/json");
	assert_string_equal(resp.body.data, "{\"status\": 200}");
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_retry_429_exhausted(void **state)
{
	static const char *const steps[] = { "429", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;

	int quota;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	quota = http_retry_quota();
	/* retries exhausted: the last response is returned, not an error */
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	/* two retries, 5 tokens each, not given back (no success) */
	assert_int_equal(http_retry_quota(), quota - 2 * HTTP_RETRY_COST);
	assert_int_equal(resp.status, 429);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(fake_count(&f), 3);
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_retry_max_attempts(void **state)
{
	static const char *const steps[] = { "502", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 502);
	assert_int_equal(fake_count(&f), 2);
	http_response_release(&resp);
	/* the request's own setting wins over the environment */
	req.max_attempts = 1;
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(fake_count(&f), 3);
	http_response_release(&resp);
	/* garbage in AWS_MAX_ATTEMPTS: the default 3 */
	setenv("AWS_MAX_ATTEMPTS", "lots", 1);
	req.max_attempts = 0;
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(fake_count(&f), 6);
	unsetenv("AWS_MAX_ATTEMPTS");
	http_response_release(&resp);
	fake_stop(&f);
}

static int
always_throttle(const struct http_response *r)
{
	return r->status == 400;
}

static void
test_no_retry_on_4xx_unless_throttle(void **state)
{
	static const char *const steps[] = { "400", "403", "400", "400", "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 400);
	assert_int_equal(resp.attempts, 1);
	http_response_release(&resp);
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 403);
	http_response_release(&resp);
	/* the classifier turns a 400 into a retry: 400, 400, 200 */
	req.is_throttle = always_throttle;
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(fake_count(&f), 5);
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_timeout_hanging_server(void **state)
{
	static const char *const steps[] = { "hang", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;
	double t0, dt;
	int quota;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	req.timeout_ms = 300;
	req.max_attempts = 1;
	ekskit_err_clear(&err);
	t0 = now_ms();
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_TIMEOUT);
	dt = now_ms() - t0;
	assert_true(dt >= 250 && dt < 3000);
	assert_int_equal(resp.status, 0);
	assert_non_null(strstr(err.msg, "timed out"));
	assert_non_null(strstr(err.msg, "127.0.0.1"));
	http_response_release(&resp);
	/* a stall is not retried (kubectl is waiting): one attempt, no quota spent */
	req.max_attempts = 2;
	quota = http_retry_quota();
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_TIMEOUT);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(http_retry_quota(), quota);
	assert_int_equal(fake_count(&f), 2);
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_reset_is_retried(void **state)
{
	static const char *const steps[] = { "reset", "reset", "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 3);
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_connection_refused(void **state)
{
	static const char *const steps[] = { "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;
	char url[64];

	(void)state;
	/* a port that was just free: nothing listens there once the fake is gone */
	start_fake(&f, 0, steps);
	snprintf(url, sizeof(url), "%s/", f.url);
	fake_stop(&f);
	req = get_req(url);
	ekskit_err_clear(&err);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	assert_int_equal(resp.attempts, 3);
	assert_non_null(strstr(err.msg, "after 3 attempts"));
	http_response_release(&resp);
}

static void
test_body_cap(void **state)
{
	static const char *const steps[] = { "big", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	ekskit_err_clear(&err);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NOMEM);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "larger than"));
	http_response_release(&resp);
	fake_stop(&f);
}

static void
test_post_body_and_headers(void **state)
{
	static const char *const steps[] = { "201", NULL };
	static const struct http_header hh[] = {
		{ "Content-Type", "application/json", 0 },
		{ "X-Test", "visible", 0 },
	};
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	char *log, *p;

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	req.method = "PUT";
	req.body = "{\"a\":1}";
	req.body_len = 7;
	req.headers = hh;
	req.nheaders = 2;
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	assert_int_equal(resp.status, 201);
	log = fake_log(&f);
	assert_non_null(strstr(log, "\"method\": \"PUT\""));
	assert_non_null(strstr(log, "\"body\": \"{\\\"a\\\":1}\""));
	assert_non_null(strstr(log, "\"X-Test\": \"visible\""));
	assert_non_null(strstr(log, "\"User-Agent\": \"ekskit/"));
	assert_null(strstr(log, "100-continue"));
	free(log);
	http_response_release(&resp);

	/* DELETE without a body sends no body headers */
	req.method = "DELETE";
	req.body = NULL;
	req.body_len = 0;
	req.headers = NULL;
	req.nheaders = 0;
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	log = fake_log(&f);
	p = strstr(log, "\"method\": \"DELETE\"");
	assert_non_null(p);
	assert_null(strstr(p, "Content-Length"));
	assert_null(strstr(p, "Content-Type"));
	free(log);
	http_response_release(&resp);
	fake_stop(&f);
}

/* ---- verbose output ---- */

static void
test_verbose_redacts(void **state)
{
	static const char *const steps[] = { "200", NULL };
	static const struct http_header hh[] = {
		{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDX, Signature=SIGVALUE", 0 },
		{ "X-Amz-Security-Token", "TOKENVALUE", 0 },
		{ "X-Private", "PRIVATEVALUE", 1 },
		{ "X-Amz-Date", "20230428T000000Z", 0 },
	};
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct capture cap;
	char url[256], *out;

	(void)state;
	start_fake(&f, 0, steps);
	snprintf(url, sizeof(url), "%s/?Action=X&X-Amz-Signature=QUERYSIG"
	    "&X-Amz-Security-Token=QUERYTOKEN", f.url);
	req = get_req(url);
	req.headers = hh;
	req.nheaders = 4;
	req.verbose = 1;
	capture_start(&cap);
	assert_int_equal(http_perform(&req, &resp, NULL), 0);
	out = capture_end(&cap);
	assert_null(strstr(out, "SIGVALUE"));
	assert_null(strstr(out, "TOKENVALUE"));
	assert_null(strstr(out, "PRIVATEVALUE"));
	assert_null(strstr(out, "QUERYSIG"));
	assert_null(strstr(out, "QUERYTOKEN"));
	assert_non_null(strstr(out, "> GET "));
	assert_non_null(strstr(out, "Action=X&X-Amz-Signature=REDACTED"));
	assert_non_null(strstr(out, "X-Amz-Date: 20230428T000000Z"));
	assert_non_null(strstr(out, "Authorization: REDACTED"));
	assert_non_null(strstr(out, "< 200 "));
	assert_non_null(strstr(out, " ms"));
	free(out);
	http_response_release(&resp);
	fake_stop(&f);
}

/* ---- parallel ---- */

static void
test_perform_many(void **state)
{
	static const char *const steps[] = { "503", "200", NULL };
	struct fake_server f;
	struct http_request reqs[6];
	struct http_response resps[6];
	struct ekskit_err err;
	struct capture cap;
	char url[128];
	size_t i;
	int rc;

	(void)state;
	start_fake(&f, 0, steps);
	for (i = 0; i < 6; i++)
		reqs[i] = get_req(f.url);
	snprintf(url, sizeof(url), "http://10.1.2.3:%d/", f.port);
	reqs[4] = get_req(url);               /* refused by the guard */
	reqs[5] = get_req("not a url");       /* invalid */
	ekskit_err_clear(&err);
	capture_start(&cap);
	rc = http_perform_many(reqs, 6, resps, 2, &err);
	free(capture_end(&cap));
	assert_int_equal(rc, EKSKIT_ERR_NETWORK);
	assert_non_null(strstr(err.msg, "10.1.2.3"));
	for (i = 0; i < 4; i++) {
		assert_int_equal(resps[i].error, 0);
		assert_int_equal(resps[i].status, 200);
		assert_null(resps[i].error_msg);
	}
	/* one 503 among the four, retried */
	assert_int_equal(fake_count(&f), 5);
	assert_int_equal(resps[4].status, 0);
	assert_int_equal(resps[4].error, EKSKIT_ERR_NETWORK);
	assert_non_null(resps[4].error_msg);
	assert_int_equal(resps[5].error, EKSKIT_ERR_INVALID);
	for (i = 0; i < 6; i++)
		http_response_release(&resps[i]);
	assert_int_equal(http_perform_many(reqs, 0, resps, 2, &err), 0);
	fake_stop(&f);
}

static void
test_perform_many_parallel(void **state)
{
	static const char *const steps[] = { "hang", NULL };
	struct fake_server f;
	struct http_request reqs[4];
	struct http_response resps[4];
	double t0, dt;
	size_t i;

	(void)state;
	/* four hanging requests with a 400 ms timeout: in parallel ~0.4 s, not 1.6 s */
	start_fake(&f, 0, steps);
	for (i = 0; i < 4; i++) {
		reqs[i] = get_req(f.url);
		reqs[i].timeout_ms = 400;
		reqs[i].max_attempts = 1;
	}
	t0 = now_ms();
	assert_int_equal(http_perform_many(reqs, 4, resps, 4, NULL), EKSKIT_ERR_TIMEOUT);
	dt = now_ms() - t0;
	assert_true(dt < 1300);
	assert_int_equal(fake_count(&f), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(resps[i].error, EKSKIT_ERR_TIMEOUT);
		http_response_release(&resps[i]);
	}
	fake_stop(&f);
}

/* ---- TLS ---- */

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s = calloc(1, 65536);
	size_t n;

	assert_non_null(fp);
	assert_non_null(s);
	n = fread(s, 1, 65535, fp);
	s[n] = '\0';
	fclose(fp);
	return s;
}

static void
test_tls(void **state)
{
	static const char *const steps[] = { "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;
	char url[128], ca[128], host[64], *pem, *log;

	(void)state;
	start_fake(&f, 1, steps);
	snprintf(ca, sizeof(ca), "%s/ca.pem", f.dir);
	snprintf(url, sizeof(url), "https://localhost:%d/", f.port);

	/* verification is on: the test CA is unknown to the default store */
	req = get_req(url);
	ekskit_err_clear(&err);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "localhost"));
	http_response_release(&resp);

	req.ca_file = ca;
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	http_response_release(&resp);

	req.ca_file = NULL;
	setenv("AWS_CA_BUNDLE", ca, 1);
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	unsetenv("AWS_CA_BUNDLE");
	http_response_release(&resp);

	pem = slurp(ca);
	req.ca_pem = pem;
	req.ca_pem_len = strlen(pem);
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	http_response_release(&resp);

	/* the certificate has no IP: 127.0.0.1 fails unless the server is named */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/named", f.port);
	req.url = url;
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	http_response_release(&resp);
	req.tls_server_name = "fake.example.test";
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	http_response_release(&resp);
	log = fake_log(&f);
	/* the Host header still names what the URL names */
	snprintf(host, sizeof(host), "\"Host\": \"127.0.0.1:%d\"", f.port);
	assert_non_null(strstr(log, host));
	free(log);

	/* a wrong name fails verification */
	req.tls_server_name = "other.example.test";
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_NETWORK);
	http_response_release(&resp);

	/* insecure_skip_verify (kubeconfig only) accepts anything */
	req.tls_server_name = NULL;
	req.ca_pem = NULL;
	req.ca_pem_len = 0;
	req.insecure_skip_verify = 1;
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	http_response_release(&resp);
	free(pem);
	fake_stop(&f);
}

/* Client certificates from memory (kubeconfig client-certificate-data). */
static void
test_mtls(void **state)
{
	static const char *const steps[] = { "200", NULL };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;
	char url[128], path[128], *ca, *cert, *key;

	(void)state;
	start_fake(&f, 2, steps);
	snprintf(path, sizeof(path), "%s/ca.pem", f.dir);
	ca = slurp(path);
	snprintf(path, sizeof(path), "%s/client.pem", f.dir);
	cert = slurp(path);
	snprintf(path, sizeof(path), "%s/client-key.pem", f.dir);
	key = slurp(path);
	snprintf(url, sizeof(url), "https://localhost:%d/", f.port);
	req = get_req(url);
	req.ca_pem = ca;
	req.ca_pem_len = strlen(ca);
	req.max_attempts = 1;
	/* without a client certificate the server hangs up */
	ekskit_err_clear(&err);
	assert_int_not_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 0);
	http_response_release(&resp);
	req.client_cert_pem = cert;
	req.client_key_pem = key;
	assert_int_equal(http_perform(&req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(fake_count(&f), 1);
	http_response_release(&resp);
	free(ca);
	free(cert);
	free(key);
	fake_stop(&f);
}

static void
test_release_safe(void **state)
{
	struct http_response r;

	(void)state;
	memset(&r, 0, sizeof(r));
	http_response_release(&r);
	http_response_release(&r);
	http_response_release(NULL);
}

/* A header value with a line break is never sent (it would add headers). */
static void
test_header_line_break_refused(void **state)
{
	static const char *const steps[] = { "200", NULL };
	struct http_header h = { "X-aws-ec2-metadata-token", "sessionvalue\r\nX-Injected: 1", 1 };
	struct fake_server f;
	struct http_response resp;
	struct http_request req;
	struct ekskit_err err;
	char shown[HTTP_URL_SHOWN_MAX];

	(void)state;
	start_fake(&f, 0, steps);
	req = get_req(f.url);
	req.headers = &h;
	req.nheaders = 1;
	ekskit_err_clear(&err);
	assert_int_equal(http_perform(&req, &resp, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "line break"));
	assert_null(strstr(err.msg, "sessionvalue"));
	assert_int_equal(fake_count(&f), 0);
	http_response_release(&resp);
	fake_stop(&f);
	/* URLs named in messages are redacted */
	assert_string_equal(http_url_for_message("http://u:pw@h:1/p?token=s&a=b#f",
	    shown, sizeof(shown)), "http://REDACTED@h:1/p?token=REDACTED&a=b#f");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_encode),
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test_setup(test_header_line_break_refused, setup_env),
		cmocka_unit_test(test_header_secret),
		cmocka_unit_test(test_loopback_hosts),
		cmocka_unit_test(test_loopback_addrs),
		cmocka_unit_test(test_loopback_env),
		cmocka_unit_test(test_release_safe),
		cmocka_unit_test_setup(test_guard_refuses_zero_address, setup_env),
		cmocka_unit_test_setup(test_guard_refuses_before_dns, setup_env),
		cmocka_unit_test_setup(test_guard_disables_proxy, setup_env),
		cmocka_unit_test_setup(test_retry_503_then_200, setup_env),
		cmocka_unit_test_setup(test_retry_429_exhausted, setup_env),
		cmocka_unit_test_setup(test_retry_max_attempts, setup_env),
		cmocka_unit_test_setup(test_no_retry_on_4xx_unless_throttle, setup_env),
		cmocka_unit_test_setup(test_timeout_hanging_server, setup_env),
		cmocka_unit_test_setup(test_reset_is_retried, setup_env),
		cmocka_unit_test_setup(test_connection_refused, setup_env),
		cmocka_unit_test_setup(test_body_cap, setup_env),
		cmocka_unit_test_setup(test_post_body_and_headers, setup_env),
		cmocka_unit_test_setup(test_verbose_redacts, setup_env),
		cmocka_unit_test_setup(test_perform_many, setup_env),
		cmocka_unit_test_setup(test_perform_many_parallel, setup_env),
		cmocka_unit_test_setup(test_tls, setup_env),
		cmocka_unit_test_setup(test_mtls, setup_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
