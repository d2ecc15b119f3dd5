/*
 * Loading a kubeconfig's YAML into a libyaml document in ONE pass over the
 * parser's events, enforcing the limits on the way: one document at most,
 * nesting of at most KC_LOADER_MAX_DEPTH (libyaml's loader is quadratic in
 * depth and the emitter recurses), at most KC_LOADER_MAX_ALIASES aliases,
 * no undefined or duplicate anchors.  Replaces a separate checking pass
 * followed by yaml_parser_load (half the parsing of a large file).
 * Internal to lib/ (kubeconfig.c); not installed.
 */
#ifndef EKSKIT_KUBECONFIG_LOADER_H
#define EKSKIT_KUBECONFIG_LOADER_H

#include <stddef.h>

#include <yaml.h>

#include "ekskit/error.h"

#define KC_LOADER_MAX_DEPTH 64
#define KC_LOADER_MAX_ALIASES 1000

/*
 * Parse data[0..len) into *doc (always initialised on success; a stream
 * without a document gives a document without a root).  Node marks are the
 * events' (for line numbers in messages).  name is used in messages.
 * EKSKIT_ERR_INVALID (YAML error with line and column, a limit), or
 * EKSKIT_ERR_NOMEM; on error *doc holds nothing to free.  On success the
 * caller owns *doc and frees it with kc_yaml_doc_free (never
 * yaml_document_delete alone: nodes share their default tags).
 */
int kc_yaml_load(const char *name, const char *data, size_t len,
    yaml_document_t *doc, struct ekskit_err *err);

/*
 * Wipe every scalar of doc (a kubeconfig holds keys and tokens) and free
 * it.  Works on any document, loaded here or built with libyaml's API;
 * nodes added to a loaded document with yaml_document_add_* are fine.
 * NULL is fine; doc is left empty.
 */
void kc_yaml_doc_free(yaml_document_t *doc);

#endif /* EKSKIT_KUBECONFIG_LOADER_H */
