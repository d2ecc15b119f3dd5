/* Base64 through libcrypto: see include/ekskit/b64.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ekskit/b64.h"

int
ek_b64_encode(const void *in, size_t n, enum ek_b64_alphabet a, struct ekbuf *out)
{
	size_t enc_len = 4 * ((n + 2) / 3), i;
	char *tmp;
	int r;

	if (n > (size_t)0x3fffffff || (tmp = malloc(enc_len + 1)) == NULL)
		return EKSKIT_ERR_NOMEM;
	EVP_EncodeBlock((unsigned char *)tmp, in, (int)n);
	if (a == EK_B64_URL_RAW) {
		for (i = 0; i < enc_len; i++) {
			if (tmp[i] == '+')
				tmp[i] = '-';
			else if (tmp[i] == '/')
				tmp[i] = '_';
		}
		while (enc_len > 0 && tmp[enc_len - 1] == '=')
			enc_len--;
	}
	r = ekbuf_append(out, tmp, enc_len);
	/* the input may be a secret (a key, a token): so is its encoding */
	ek_freezero(tmp, 4 * ((n + 2) / 3) + 1);
	return r;
}

/* Copy text into the standard alphabet with padding, validating as we go. */
static int
normalize(const char *text, enum ek_b64_alphabet a, struct ekbuf *std)
{
	size_t pad = 0;
	const char *p;

	for (p = text; *p != '\0'; p++) {
		char c = *p;
		if (a == EK_B64_STD && isspace((unsigned char)c))
			continue;
		if (a == EK_B64_URL_RAW) {
			if (c == '-')
				c = '+';
			else if (c == '_')
				c = '/';
			else if (c == '+' || c == '/' || c == '=')
				return EKSKIT_ERR_INVALID;
		}
		if (c == '=') {
			pad++;
		} else if (pad > 0 || !(isalnum((unsigned char)c) || c == '+' || c == '/')) {
			return EKSKIT_ERR_INVALID;
		}
		if (ekbuf_putc(std, c) != EKSKIT_OK)
			return EKSKIT_ERR_NOMEM;
	}
	if (pad > 2)
		return EKSKIT_ERR_INVALID;
	if (a == EK_B64_URL_RAW) {
		if (std->len % 4 == 1)
			return EKSKIT_ERR_INVALID;
		while (std->len % 4 != 0)
			if (ekbuf_putc(std, '=') != EKSKIT_OK)
				return EKSKIT_ERR_NOMEM;
	}
	return std->len % 4 == 0 ? EKSKIT_OK : EKSKIT_ERR_INVALID;
}

int
ek_b64_decode(const char *text, enum ek_b64_alphabet a, const char *what,
    struct ekbuf *out, struct ekskit_err *err)
{
	struct ekbuf std;
	unsigned char *raw = NULL;
	size_t pad = 0, rawcap = 0;
	int n, r;

	ekbuf_init_secret(&std, out->max ? out->max * 2 + 4 : 0);
	r = normalize(text, a, &std);
	if (r != EKSKIT_OK) {
		ekbuf_release(&std);
		return ekskit_err_set(err, r, "%s is not valid base64", what);
	}
	if (std.len == 0) {
		ekbuf_release(&std);
		return ekbuf_append(out, "", 0);
	}
	if (std.len > (size_t)0x7ffffff0) {
		ekbuf_release(&std);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s is too large", what);
	}
	pad = (std.data[std.len - 1] == '=') + (std.data[std.len - 2] == '=');
	rawcap = std.len / 4 * 3 + 1;
	if ((raw = malloc(rawcap)) == NULL) {
		ekbuf_release(&std);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	n = EVP_DecodeBlock(raw, (unsigned char *)std.data, (int)std.len);
	if (n < 0 || (size_t)n < pad) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "%s is not valid base64", what);
	} else if (ekbuf_append(out, raw, (size_t)n - pad) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s is too large", what);
	}
	ek_freezero(raw, rawcap);
	ekbuf_release(&std);
	return r;
}
