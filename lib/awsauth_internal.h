/* Shared between lib/awsauth.c (model) and lib/awsauth_edit.c (edits). */
#ifndef EKSKIT_AWSAUTH_INTERNAL_H
#define EKSKIT_AWSAUTH_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include <yaml.h>

#include "ekskit/awsauth.h"

/* A libyaml event reader that knows the byte offset of each line. */
struct yreader {
	yaml_parser_t p;
	int parser_ok;
	yaml_event_t ev;      /* the current event when have */
	int have;
	const char *text;
	size_t len;
	size_t *lines;        /* byte offset of each line start */
	size_t nlines;
	char *error;          /* the first problem (malloc'd), no content quoted */
};

int yreader_open(struct yreader *y, const char *text, size_t len);
void yreader_close(struct yreader *y);
/* 0, or -1 with y->error set. */
int yreader_next(struct yreader *y);
size_t yreader_byte(const struct yreader *y, yaml_mark_t m);
size_t yreader_line_start(const struct yreader *y, size_t off);
size_t yreader_line_end(const struct yreader *y, size_t off);

/* What a scalar turns into through YAML -> JSON (yaml.v2 rules). */
enum yscalar { YS_STRING, YS_NULL, YS_OTHER };
enum yscalar yscalar_kind(const yaml_event_t *ev);

/* Append "; text" (or set) a malloc'd note.  0 or EKSKIT_ERR_NOMEM. */
int awsauth_note(char **dst, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void awsauth_row_release(struct awsauth_row *r);

/* The principal comparison key (lower-cased, no role path); malloc'd. */
char *awsauth_principal_key(enum awsauth_section s, const char *arn);

/* A known system group within edit distance 2 of g, or NULL. */
const char *awsauth_group_suggest(const char *g);

#endif
