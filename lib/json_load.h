/*
 * Internal to lib/: jansson parsing for bodies that may hold secrets
 * (credential_process output, STS/EKS/Kubernetes answers, cache entries).
 * jansson's error text quotes the input ("near '...'", up to 19 bytes of
 * a secret key or token): messages built here give the position only.
 */
#ifndef EKSKIT_JSON_LOAD_H
#define EKSKIT_JSON_LOAD_H

#include <stddef.h>

#include <jansson.h>

#include "ekskit/error.h"

/*
 * json_loadb(buf, len, flags).  On failure NULL, and err (when not NULL)
 * gets EKSKIT_ERR_INVALID "<what> is not valid JSON (<problem> at line
 * L, column C)", the problem from jansson's error code, never its text.
 * The caller owns the result (json_decref).
 */
json_t *json_load_private(const char *buf, size_t len, size_t flags,
    const char *what, struct ekskit_err *err);

#endif /* EKSKIT_JSON_LOAD_H */
