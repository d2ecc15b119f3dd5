/*
 * libcurl, loaded on first use.
 *
 * Why: kubectl runs eks-token in every process, and most runs never touch
 * the network (a token is computed locally).  Linking libcurl the usual way
 * makes the dynamic loader map libcurl and its ~30 dependencies (GnuTLS via
 * librtmp, Kerberos, LDAP, SASL, libssh2, ...) at every start: about 5 ms
 * and 5 MiB of RSS, several times the cost of the token itself.
 *
 * How: this file defines the libcurl entry points the library uses, under
 * their own names.  Archive members resolve each other's symbols, so the
 * tools link against these definitions and (with -Wl,--as-needed) carry no
 * DT_NEEDED entry for libcurl; the first call dlopen()s libcurl.so.4 and
 * forwards every call to the real function.  Nothing else changes: http.c
 * and awsreq.c are written against <curl/curl.h> as usual.  Should the
 * library use a function missing here, the linker simply links libcurl
 * normally again (dlopen then returns that same, already loaded library),
 * so this degrades to the usual behaviour rather than failing.
 *
 * When libcurl cannot be loaded, every call fails the way libcurl reports
 * failure (NULL handles, CURLE_FAILED_INIT, CURLUE_OUT_OF_MEMORY ...) and
 * curl_easy_strerror() says why, so the caller's usual error path names it.
 */
#define CURL_DISABLE_TYPECHECK 1  /* we define curl_easy_setopt & co. ourselves */
/* curl_url_get's handle became const in newer libcurl: take the header's
 * prototype under another name and define ours (same ABI) below. */
#define curl_url_get curl_url_get_header_proto
#include <curl/curl.h>
#undef curl_url_get
CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags);
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The functions we forward, as one table filled by a single dlopen. */
#define CURL_LAZY_FUNCS(X) \
	X(curl_global_init) X(curl_global_cleanup) X(curl_version) \
	X(curl_version_info) X(curl_free) X(curl_slist_append) \
	X(curl_slist_free_all) X(curl_easy_init) X(curl_easy_cleanup) \
	X(curl_easy_reset) X(curl_easy_duphandle) X(curl_easy_setopt) \
	X(curl_easy_getinfo) X(curl_easy_perform) X(curl_easy_strerror) \
	X(curl_easy_escape) X(curl_easy_unescape) X(curl_easy_header) \
	X(curl_multi_init) X(curl_multi_cleanup) X(curl_multi_add_handle) \
	X(curl_multi_remove_handle) X(curl_multi_perform) X(curl_multi_poll) \
	X(curl_multi_wait) X(curl_multi_wakeup) X(curl_multi_info_read) \
	X(curl_multi_setopt) X(curl_multi_strerror) X(curl_url) \
	X(curl_url_cleanup) X(curl_url_get) X(curl_url_set) \
	X(curl_url_strerror)

#define FIELD(name) __typeof__(&name) name;
static struct {
	CURL_LAZY_FUNCS(FIELD)
} api;
#undef FIELD

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[256];

static void
load(void)
{
	static const char *const names[] = {
		"libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib",
	};
	void *h = NULL;
	size_t i;

	for (i = 0; h == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();

		snprintf(load_error, sizeof(load_error),
		    "libcurl could not be loaded (%.200s); install libcurl4",
		    e ? e : "not found");
		return;
	}
	/* A symbol this libcurl lacks stays NULL and its stub fails cleanly. */
#define RESOLVE(name) *(void **)(&api.name) = dlsym(h, #name);
	CURL_LAZY_FUNCS(RESOLVE)
#undef RESOLVE
	loaded = 1;
}

/* 1 once libcurl is loaded (loading it if needed). */
static int
ready(void)
{
	pthread_once(&load_once, load);
	return loaded;
}

#define HAVE(name) (ready() && api.name != NULL)

CURLcode
curl_global_init(long flags)
{
	return HAVE(curl_global_init) ? api.curl_global_init(flags) : CURLE_FAILED_INIT;
}

void
curl_global_cleanup(void)
{
	if (HAVE(curl_global_cleanup))
		api.curl_global_cleanup();
}

char *
curl_version(void)
{
	static char none[] = "libcurl/unavailable";

	return HAVE(curl_version) ? api.curl_version() : none;
}

curl_version_info_data *
curl_version_info(CURLversion v)
{
	return HAVE(curl_version_info) ? api.curl_version_info(v) : NULL;
}

void
curl_free(void *p)
{
	if (p != NULL && HAVE(curl_free))
		api.curl_free(p);
}

struct curl_slist *
curl_slist_append(struct curl_slist *l, const char *s)
{
	return HAVE(curl_slist_append) ? api.curl_slist_append(l, s) : NULL;
}

void
curl_slist_free_all(struct curl_slist *l)
{
	if (l != NULL && HAVE(curl_slist_free_all))
		api.curl_slist_free_all(l);
}

CURL *
curl_easy_init(void)
{
	return HAVE(curl_easy_init) ? api.curl_easy_init() : NULL;
}

void
curl_easy_cleanup(CURL *h)
{
	if (h != NULL && HAVE(curl_easy_cleanup))
		api.curl_easy_cleanup(h);
}

void
curl_easy_reset(CURL *h)
{
	if (h != NULL && HAVE(curl_easy_reset))
		api.curl_easy_reset(h);
}

CURL *
curl_easy_duphandle(CURL *h)
{
	return HAVE(curl_easy_duphandle) ? api.curl_easy_duphandle(h) : NULL;
}

/*
 * The variadic argument's type follows from the option number, as in
 * libcurl itself: longs below CURLOPTTYPE_OBJECTPOINT, then object
 * pointers, function pointers, curl_off_t, and blobs (pointers).
 */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!HAVE(curl_easy_setopt))
		return rc;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = api.curl_easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = api.curl_easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = api.curl_easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = api.curl_easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = api.curl_easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes a pointer to where the answer goes. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!HAVE(curl_easy_getinfo))
		return rc;
	va_start(ap, info);
	rc = api.curl_easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode
curl_easy_perform(CURL *h)
{
	return HAVE(curl_easy_perform) ? api.curl_easy_perform(h) : CURLE_FAILED_INIT;
}

const char *
curl_easy_strerror(CURLcode rc)
{
	if (!HAVE(curl_easy_strerror))
		return load_error[0] ? load_error : "libcurl lacks curl_easy_strerror";
	return api.curl_easy_strerror(rc);
}

char *
curl_easy_escape(CURL *h, const char *s, int n)
{
	return HAVE(curl_easy_escape) ? api.curl_easy_escape(h, s, n) : NULL;
}

char *
curl_easy_unescape(CURL *h, const char *s, int n, int *outlen)
{
	return HAVE(curl_easy_unescape) ? api.curl_easy_unescape(h, s, n, outlen) : NULL;
}

CURLHcode
curl_easy_header(CURL *h, const char *name, size_t index, unsigned int origin,
    int request, struct curl_header **hout)
{
	if (!HAVE(curl_easy_header))
		return CURLHE_NOT_BUILT_IN;
	return api.curl_easy_header(h, name, index, origin, request, hout);
}

CURLM *
curl_multi_init(void)
{
	return HAVE(curl_multi_init) ? api.curl_multi_init() : NULL;
}

CURLMcode
curl_multi_cleanup(CURLM *m)
{
	return HAVE(curl_multi_cleanup) ? api.curl_multi_cleanup(m) : CURLM_BAD_HANDLE;
}

CURLMcode
curl_multi_add_handle(CURLM *m, CURL *h)
{
	return HAVE(curl_multi_add_handle) ? api.curl_multi_add_handle(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode
curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return HAVE(curl_multi_remove_handle) ? api.curl_multi_remove_handle(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode
curl_multi_perform(CURLM *m, int *running)
{
	return HAVE(curl_multi_perform) ? api.curl_multi_perform(m, running) : CURLM_BAD_HANDLE;
}

CURLMcode
curl_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int nfds,
    int timeout_ms, int *numfds)
{
	if (!HAVE(curl_multi_poll))
		return CURLM_BAD_HANDLE;
	return api.curl_multi_poll(m, fds, nfds, timeout_ms, numfds);
}

CURLMcode
curl_multi_wait(CURLM *m, struct curl_waitfd *fds, unsigned int nfds,
    int timeout_ms, int *numfds)
{
	if (!HAVE(curl_multi_wait))
		return CURLM_BAD_HANDLE;
	return api.curl_multi_wait(m, fds, nfds, timeout_ms, numfds);
}

CURLMcode
curl_multi_wakeup(CURLM *m)
{
	return HAVE(curl_multi_wakeup) ? api.curl_multi_wakeup(m) : CURLM_BAD_HANDLE;
}

CURLMsg *
curl_multi_info_read(CURLM *m, int *left)
{
	return HAVE(curl_multi_info_read) ? api.curl_multi_info_read(m, left) : NULL;
}

/* As curl_easy_setopt: the option number says the argument's type. */
CURLMcode
curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	CURLMcode rc = CURLM_BAD_HANDLE;
	va_list ap;

	if (!HAVE(curl_multi_setopt))
		return rc;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = api.curl_multi_setopt(m, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = api.curl_multi_setopt(m, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = api.curl_multi_setopt(m, opt, va_arg(ap, void (*)(void)));
	else
		rc = api.curl_multi_setopt(m, opt, va_arg(ap, curl_off_t));
	va_end(ap);
	return rc;
}

const char *
curl_multi_strerror(CURLMcode rc)
{
	if (!HAVE(curl_multi_strerror))
		return load_error[0] ? load_error : "libcurl lacks curl_multi_strerror";
	return api.curl_multi_strerror(rc);
}

CURLU *
curl_url(void)
{
	return HAVE(curl_url) ? api.curl_url() : NULL;
}

void
curl_url_cleanup(CURLU *u)
{
	if (u != NULL && HAVE(curl_url_cleanup))
		api.curl_url_cleanup(u);
}

CURLUcode
curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	if (!HAVE(curl_url_get))
		return CURLUE_OUT_OF_MEMORY;
	return api.curl_url_get(u, what, part, flags);
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	if (!HAVE(curl_url_set))
		return CURLUE_OUT_OF_MEMORY;
	return api.curl_url_set(u, what, part, flags);
}

const char *
curl_url_strerror(CURLUcode rc)
{
	if (!HAVE(curl_url_strerror))
		return load_error[0] ? load_error : "libcurl lacks curl_url_strerror";
	return api.curl_url_strerror(rc);
}
