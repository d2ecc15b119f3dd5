/*
 * Base64 (RFC 4648) on top of libcrypto's EVP_EncodeBlock/EVP_DecodeBlock,
 * in the standard alphabet with padding or the URL alphabet without.
 */
#ifndef EKSKIT_B64_H
#define EKSKIT_B64_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

enum ek_b64_alphabet {
	EK_B64_STD = 0,     /* "+/" with '=' padding */
	EK_B64_URL_RAW,     /* "-_" without padding (JWTs, EKS tokens) */
};

/* Append the encoding of in[0..n) to out.  0 or EKSKIT_ERR_NOMEM. */
int ek_b64_encode(const void *in, size_t n, enum ek_b64_alphabet a,
    struct ekbuf *out);

/*
 * Append the decoding of the NUL-terminated text to out (use a secret
 * buffer for secrets).  Whitespace (newlines in PEM-ish data) is skipped
 * for EK_B64_STD.  EKSKIT_ERR_INVALID for characters outside the
 * alphabet, bad length or misplaced padding; `what` names the input in the
 * message.
 */
int ek_b64_decode(const char *text, enum ek_b64_alphabet a, const char *what,
    struct ekbuf *out, struct ekskit_err *err);

#endif /* EKSKIT_B64_H */
