/*
 * A small expat-based extractor: elements addressed by their full path.
 *
 * The parser walks the document and reports each element by its path from
 * the root, e.g.
 *   "/DescribeNetworkInterfacesResponse/networkInterfaceSet/item/privateIpAddressesSet/item/privateIpAddress"
 * Names are taken as written (a prefix stays part of the name; a default
 * namespace such as STS's xmlns="https://sts.amazonaws.com/doc/2011-06-15/"
 * is ignored).  The text of an element is its own character data with
 * leading and trailing whitespace trimmed; an element with child elements
 * reports "" (mixed content is not needed for AWS responses).
 *
 * Untrusted input: DOCTYPE declarations (and with them every entity
 * declaration, so "billion laughs" and external entities) are rejected,
 * nesting is capped at XML_MAX_DEPTH, an element's text at XML_MAX_TEXT
 * bytes and a path at XML_MAX_PATH bytes.  The hash salt is random.
 *
 * Repeated elements (EC2 `item`s) are handled by the callbacks: `start` is
 * called when an element opens (start a new record), `end` when it closes
 * with its text (fill a field, or commit the record when the path is the
 * item's own path).
 */
#ifndef EKSKIT_XML_H
#define EKSKIT_XML_H

#include <stddef.h>

#include "ekskit/error.h"

#define XML_MAX_DEPTH	64
#define XML_MAX_PATH	2048
#define XML_MAX_TEXT	(1024 * 1024)

struct xml_handlers {
	/* Optional.  An element opened.  Return 0 to go on, else an EKSKIT_ERR_* to stop. */
	int (*start)(void *ctx, const char *path);
	/* Optional.  An element closed with its (trimmed, NUL-terminated) text. */
	int (*end)(void *ctx, const char *path, const char *text, size_t len);
	void *ctx;
};

/*
 * Parse data[0..len) and call the handlers.  Returns 0, EKSKIT_ERR_INVALID
 * (malformed XML, DOCTYPE, caps exceeded; err names line and column), or the
 * first non-zero code a handler returned (err untouched, the handler sets it).
 * Text buffers are wiped after use: responses carry credentials.
 */
int xml_parse(const char *data, size_t len, const struct xml_handlers *h,
    struct ekskit_err *err);

/* One value to pull out of a document by exact path. */
struct xml_field {
	const char *path;   /* in: full element path */
	char *value;        /* out: owned text of the first match, or NULL when absent */
	int secret;         /* in: value is wiped when freed by xml_fields_release */
};

/*
 * Fill fields[i].value with the text of the first element at fields[i].path.
 * Values of absent elements stay NULL (the caller decides what is required).
 * 0 or the xml_parse error; on error every value is released.
 */
int xml_extract(const char *data, size_t len, struct xml_field *fields,
    size_t n, struct ekskit_err *err);

/* Free (wiping secret ones) every value and set it to NULL. */
void xml_fields_release(struct xml_field *fields, size_t n);

#endif /* EKSKIT_XML_H */
