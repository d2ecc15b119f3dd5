/*
 * Unit tests for lib/curl_lazy.c: libcurl is not mapped until first used,
 * and every forwarded call (including the variadic setopt/getinfo with
 * long, pointer, function-pointer and curl_off_t arguments) reaches the
 * real libcurl intact.  Transfers use file:// URLs: no network at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

/* 1 if a libcurl shared object is mapped into this process. */
static int
libcurl_mapped(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/libcurl") != NULL)
			found = 1;
	fclose(f);
	return found;
}

struct sink {
	char data[256];
	size_t len;
};

static size_t
collect(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;

	if (s->len + len >= sizeof(s->data))
		return 0;
	memcpy(s->data + s->len, p, len);
	s->len += len;
	return len;
}

static char file_url[512];
static char file_path[256];

static int
setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(file_path, sizeof(file_path), "/tmp/ekskit-curl-lazy.%ld", (long)getpid());
	f = fopen(file_path, "w");
	if (f == NULL)
		return -1;
	fputs("hello from a file: url\n", f);
	fclose(f);
	snprintf(file_url, sizeof(file_url), "file://%s", file_path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(file_path);
	return 0;
}

/* Runs first: nothing has called into libcurl yet. */
static void
test_not_loaded_until_used(void **state)
{
	curl_version_info_data *v;

	(void)state;
	assert_false(libcurl_mapped());
	v = curl_version_info(CURLVERSION_NOW);
	assert_non_null(v);
	assert_true(libcurl_mapped());
	assert_true(v->version_num >= 0x074400);   /* 7.68+ */
	assert_non_null(strstr(curl_version(), "libcurl/"));
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void
test_url_api(void **state)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL;

	(void)state;
	assert_non_null(u);
	assert_int_equal(curl_url_set(u, CURLUPART_URL, "http://127.0.0.1:8080/a/b?x=1", 0), CURLUE_OK);
	assert_int_equal(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
	assert_int_equal(curl_url_get(u, CURLUPART_PORT, &port, 0), CURLUE_OK);
	assert_int_equal(curl_url_get(u, CURLUPART_PATH, &path, 0), CURLUE_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "8080");
	assert_string_equal(path, "/a/b");
	curl_free(host);
	curl_free(port);
	curl_free(path);
	assert_int_not_equal(curl_url_set(u, CURLUPART_URL, "http://[::1", 0), CURLUE_OK);
	assert_non_null(curl_url_strerror(CURLUE_BAD_HANDLE));
	curl_url_cleanup(u);
	curl_url_cleanup(NULL);
	curl_free(NULL);
}

static void
test_easy_transfer(void **state)
{
	struct sink s;
	CURL *h = curl_easy_init();
	long code = -1;
	curl_off_t got = -1;
	char *priv = NULL;
	char tag[] = "private-pointer";
	struct curl_slist *hdrs = NULL;

	(void)state;
	assert_non_null(h);
	memset(&s, 0, sizeof(s));
	hdrs = curl_slist_append(hdrs, "X-Test: 1");
	assert_non_null(hdrs);
	/* pointer, function pointer, long, pointer */
	assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, file_url), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEDATA, &s), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_PRIVATE, tag), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs), CURLE_OK);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	assert_int_equal(s.len, strlen("hello from a file: url\n"));
	assert_memory_equal(s.data, "hello from a file: url\n", s.len);
	/* getinfo: long*, curl_off_t*, char** */
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
	assert_int_equal(code, 0);  /* file: has no response code */
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &got), CURLE_OK);
	assert_int_equal(got, (curl_off_t)s.len);
	assert_int_equal(curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv), CURLE_OK);
	assert_ptr_equal(priv, tag);

	/* a long that matters: NOBODY=1 transfers nothing */
	curl_easy_reset(h);
	memset(&s, 0, sizeof(s));
	assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, file_url), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEDATA, &s), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_NOBODY, 1L), CURLE_OK);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	assert_int_equal(s.len, 0);

	/* a curl_off_t that matters: resume 6 bytes in */
	curl_easy_reset(h);
	memset(&s, 0, sizeof(s));
	assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, file_url), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEDATA, &s), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)6), CURLE_OK);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	assert_int_equal(s.len, strlen("from a file: url\n"));
	assert_memory_equal(s.data, "from a file: url\n", s.len);
	assert_non_null(strstr(curl_easy_strerror(CURLE_FILESIZE_EXCEEDED), "ximum file size"));

	curl_slist_free_all(hdrs);
	curl_slist_free_all(NULL);
	curl_easy_cleanup(h);
	curl_easy_cleanup(NULL);
}

static void
test_escape(void **state)
{
	CURL *h = curl_easy_init();
	char *e, *u;
	int n = 0;

	(void)state;
	e = curl_easy_escape(h, "a b/c", 0);
	assert_string_equal(e, "a%20b%2Fc");
	u = curl_easy_unescape(h, e, 0, &n);
	assert_string_equal(u, "a b/c");
	assert_int_equal(n, 5);
	curl_free(e);
	curl_free(u);
	curl_easy_cleanup(h);
}

static void
test_multi_transfer(void **state)
{
	struct sink s;
	CURLM *m = curl_multi_init();
	CURL *h = curl_easy_init();
	CURLMsg *msg;
	int running = 1, left = 0, rounds = 0, done = 0;

	(void)state;
	assert_non_null(m);
	assert_non_null(h);
	memset(&s, 0, sizeof(s));
	assert_int_equal(curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 4L), CURLM_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, file_url), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect), CURLE_OK);
	assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEDATA, &s), CURLE_OK);
	assert_int_equal(curl_multi_add_handle(m, h), CURLM_OK);
	while (running && rounds++ < 1000) {
		assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			assert_int_equal(curl_multi_poll(m, NULL, 0, 100, NULL), CURLM_OK);
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h) {
			assert_int_equal(msg->data.result, CURLE_OK);
			done = 1;
		}
	assert_true(done);
	assert_int_equal(s.len, strlen("hello from a file: url\n"));
	assert_int_equal(curl_multi_wakeup(m), CURLM_OK);
	assert_int_equal(curl_multi_wait(m, NULL, 0, 0, NULL), CURLM_OK);
	assert_int_equal(curl_multi_remove_handle(m, h), CURLM_OK);
	assert_non_null(curl_multi_strerror(CURLM_BAD_HANDLE));
	curl_easy_cleanup(h);
	assert_int_equal(curl_multi_cleanup(m), CURLM_OK);
	curl_global_cleanup();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_loaded_until_used),
		cmocka_unit_test(test_url_api),
		cmocka_unit_test(test_easy_transfer),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_multi_transfer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
