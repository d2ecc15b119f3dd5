/* Path-addressed XML extraction over expat: see include/ekskit/xml.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <openssl/rand.h>

#include "ekskit/buf.h"
#include "ekskit/xml.h"

struct xml_state {
	XML_Parser p;
	const struct xml_handlers *h;
	struct ekbuf path;
	size_t stack[XML_MAX_DEPTH + 1];  /* path length before each open element */
	int depth;
	struct ekbuf text;
	int collecting;                   /* text belongs to the innermost open element */
	int failed;                       /* EKSKIT_ERR_* from a cap or a handler */
	const char *why;                  /* our reason for stopping, for the message */
};

static void
stop(struct xml_state *s, int code, const char *why)
{
	if (s->failed == 0) {
		s->failed = code;
		s->why = why;
	}
	XML_StopParser(s->p, XML_FALSE);
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_state *s = ud;
	int rc;

	(void)attrs;
	if (s->failed)
		return;
	if (s->depth >= XML_MAX_DEPTH) {
		stop(s, EKSKIT_ERR_INVALID, "elements nested too deeply");
		return;
	}
	s->stack[s->depth++] = s->path.len;
	if (ekbuf_putc(&s->path, '/') != 0 || ekbuf_puts(&s->path, name) != 0) {
		stop(s, EKSKIT_ERR_INVALID, "element path too long");
		return;
	}
	ekbuf_reset(&s->text);
	s->collecting = 1;
	if (s->h->start && (rc = s->h->start(s->h->ctx, s->path.data)) != 0)
		stop(s, rc, NULL);
}

static void
trim(const char **p, size_t *len)
{
	const char *t = *p;
	size_t n = *len;

	while (n > 0 && (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')) {
		t++;
		n--;
	}
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' ||
	    t[n - 1] == '\n'))
		n--;
	*p = t;
	*len = n;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct xml_state *s = ud;
	const char *t = "";
	char *copy = NULL;
	size_t len = 0;
	int rc = 0;

	(void)name;
	if (s->failed || s->depth == 0)
		return;
	if (s->collecting && s->text.len > 0) {
		t = s->text.data;
		len = s->text.len;
		trim(&t, &len);
	}
	if (s->h->end) {
		/* the handler gets a NUL-terminated copy of the trimmed text */
		if ((copy = ek_strndup(t, len)) == NULL) {
			stop(s, EKSKIT_ERR_NOMEM, "out of memory");
			return;
		}
		rc = s->h->end(s->h->ctx, s->path.data, copy, len);
		ek_freezero(copy, len + 1);
	}
	ekbuf_reset(&s->text);
	s->collecting = 0;
	s->depth--;
	s->path.len = s->stack[s->depth];
	if (s->path.data)
		s->path.data[s->path.len] = '\0';
	if (rc != 0)
		stop(s, rc, NULL);
}

static void XMLCALL
on_text(void *ud, const XML_Char *text, int len)
{
	struct xml_state *s = ud;

	if (s->failed || !s->collecting || len <= 0)
		return;
	if (ekbuf_append(&s->text, text, (size_t)len) != 0)
		stop(s, EKSKIT_ERR_INVALID, "element text too long");
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(ud, EKSKIT_ERR_INVALID, "DOCTYPE declarations are not accepted");
}

static void XMLCALL
on_entity_decl(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
    int value_len, const XML_Char *base, const XML_Char *sysid,
    const XML_Char *pubid, const XML_Char *notation)
{
	(void)name; (void)is_param; (void)value; (void)value_len; (void)base;
	(void)sysid; (void)pubid; (void)notation;
	stop(ud, EKSKIT_ERR_INVALID, "entity declarations are not accepted");
}

/*
 * A random hash salt against hash flooding.  Expat 2.8 (and backports)
 * take 16 bytes and deprecate the old unsigned long API.
 */
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 8) || \
    defined(XML_BACKPORT_SET_HASH_SALT_16_BYTES)
static void
set_salt(XML_Parser p)
{
	uint8_t salt[16];

	if (RAND_bytes(salt, sizeof(salt)) == 1)
		XML_SetHashSalt16Bytes(p, salt);
	/* else: expat generates its own */
}
#else
static void
set_salt(XML_Parser p)
{
	unsigned long salt = 0;

	if (RAND_bytes((unsigned char *)&salt, sizeof(salt)) == 1 && salt != 0)
		XML_SetHashSalt(p, salt);
	/* else: expat generates its own (0 means "generate") */
}
#endif

int
xml_parse(const char *data, size_t len, const struct xml_handlers *h,
    struct ekskit_err *err)
{
	static const struct xml_handlers none = { NULL, NULL, NULL };
	struct xml_state s;
	enum XML_Status st;
	int rc = EKSKIT_OK;

	if (data == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "empty XML document");
	if (len > (size_t)INT32_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "XML document too large");
	memset(&s, 0, sizeof(s));
	s.h = h ? h : &none;
	ekbuf_init(&s.path, XML_MAX_PATH);
	ekbuf_init_secret(&s.text, XML_MAX_TEXT);
	if ((s.p = XML_ParserCreate("UTF-8")) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "cannot create an XML parser");
	set_salt(s.p);
	XML_SetParamEntityParsing(s.p, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetUserData(s.p, &s);
	XML_SetElementHandler(s.p, on_start, on_end);
	XML_SetCharacterDataHandler(s.p, on_text);
	XML_SetStartDoctypeDeclHandler(s.p, on_doctype);
	XML_SetEntityDeclHandler(s.p, on_entity_decl);

	st = XML_Parse(s.p, data, (int)len, XML_TRUE);
	if (s.failed && s.why != NULL) {
		rc = ekskit_err_set(err, s.failed, "invalid XML at line %lu column %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(s.p),
		    (unsigned long)XML_GetCurrentColumnNumber(s.p), s.why);
	} else if (s.failed) {
		rc = s.failed;            /* a handler's code; the handler set err */
	} else if (st != XML_STATUS_OK) {
		rc = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "invalid XML at line %lu column %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(s.p),
		    (unsigned long)XML_GetCurrentColumnNumber(s.p),
		    XML_ErrorString(XML_GetErrorCode(s.p)));
	}
	XML_ParserFree(s.p);
	ekbuf_release(&s.path);
	ekbuf_release(&s.text);
	return rc;
}

struct extract_ctx {
	struct xml_field *fields;
	size_t n;
};

static int
extract_end(void *ctx, const char *path, const char *text, size_t len)
{
	struct extract_ctx *x = ctx;
	size_t i;

	for (i = 0; i < x->n; i++) {
		if (x->fields[i].value != NULL || strcmp(x->fields[i].path, path) != 0)
			continue;
		if ((x->fields[i].value = ek_strndup(text, len)) == NULL)
			return EKSKIT_ERR_NOMEM;
	}
	return EKSKIT_OK;
}

int
xml_extract(const char *data, size_t len, struct xml_field *fields, size_t n,
    struct ekskit_err *err)
{
	struct extract_ctx x = { fields, n };
	struct xml_handlers h = { NULL, extract_end, &x };
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		fields[i].value = NULL;
	rc = xml_parse(data, len, &h, err);
	if (rc == EKSKIT_ERR_NOMEM && err != NULL && err->code == 0)
		ekskit_err_set(err, rc, "out of memory parsing XML");
	if (rc != 0)
		xml_fields_release(fields, n);
	return rc;
}

void
xml_fields_release(struct xml_field *fields, size_t n)
{
	size_t i;

	if (fields == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (fields[i].secret)
			ek_free_secret(fields[i].value);
		else
			free(fields[i].value);
		fields[i].value = NULL;
	}
}
