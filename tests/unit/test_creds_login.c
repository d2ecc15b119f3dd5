/*
 * Unit tests for lib/creds_login.c: the DPoP proof botocore sends with the
 * sign-in service's CreateOAuth2Token (header, claims, ES256 signature that
 * verifies with the key's public half).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "creds_internal.h"
#include "ekskit/b64.h"
#include "ekskit/buf.h"

/* base64url-decode part [p, p+n) into b. */
static void
decode_part(const char *p, size_t n, struct ekbuf *b)
{
	char *text = strndup(p, n);

	assert_non_null(text);
	ekbuf_init(b, 4096);
	assert_int_equal(ek_b64_decode(text, EK_B64_URL_RAW, "jwt", b, NULL), 0);
	free(text);
}

static void
expect_coord(EVP_PKEY *k, const char *param, const char *b64)
{
	unsigned char raw[32];
	BIGNUM *bn = NULL;
	struct ekbuf b;

	assert_int_equal(EVP_PKEY_get_bn_param(k, param, &bn), 1);
	assert_int_equal(BN_bn2binpad(bn, raw, 32), 32);
	ekbuf_init(&b, 128);
	assert_int_equal(ek_b64_encode(raw, 32, EK_B64_URL_RAW, &b), 0);
	assert_string_equal(b.data, b64);
	ekbuf_release(&b);
	BN_free(bn);
}

static int
verifies(EVP_PKEY *k, const char *input, size_t n, const struct ekbuf *sig)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int len, ok;

	assert_int_equal(sig->len, 64);
	ECDSA_SIG_set0(s, BN_bin2bn((const unsigned char *)sig->data, 32, NULL),
	    BN_bin2bn((const unsigned char *)sig->data + 32, 32, NULL));
	len = i2d_ECDSA_SIG(s, &der);
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)len, (const unsigned char *)input, n) == 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(md);
	return ok;
}

static void
test_dpop_proof(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *url = "https://signin.us-east-1.amazonaws.com/v1/token";
	const char *want_hdr = "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":"
	    "{\"kty\":\"EC\",\"x\":\"";
	const char *want_claims = "{\"htm\":\"POST\",\"htu\":\"https://signin.us-east-1"
	    ".amazonaws.com/v1/token\",\"iat\":1700000000,\"jti\":\"";
	char *jwt = NULL, *jwt2 = NULL, *dot1, *dot2;
	struct ekbuf h, c, s;
	json_t *hdr, *cl, *jwk;

	(void)state;
	assert_non_null(k);
	assert_int_equal(creds_login_dpop_proof(k, url, 1700000000, &jwt), 0);
	dot1 = strchr(jwt, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	assert_non_null(dot2);
	decode_part(jwt, (size_t)(dot1 - jwt), &h);
	decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), &c);
	decode_part(dot2 + 1, strlen(dot2 + 1), &s);
	/* botocore's exact header bytes, up to the coordinates */
	assert_true(strncmp(h.data, want_hdr, strlen(want_hdr)) == 0);
	hdr = json_loadb(h.data, h.len, 0, NULL);
	jwk = json_object_get(hdr, "jwk");
	assert_string_equal(json_string_value(json_object_get(jwk, "crv")), "P-256");
	expect_coord(k, OSSL_PKEY_PARAM_EC_PUB_X, json_string_value(json_object_get(jwk, "x")));
	expect_coord(k, OSSL_PKEY_PARAM_EC_PUB_Y, json_string_value(json_object_get(jwk, "y")));
	cl = json_loadb(c.data, c.len, 0, NULL);
	assert_true(strncmp(c.data, want_claims, strlen(want_claims)) == 0);
	assert_int_equal(strlen(json_string_value(json_object_get(cl, "jti"))), 36);
	assert_int_equal(json_string_value(json_object_get(cl, "jti"))[14], '4');
	/* verifies with the key's public half, not with another key */
	assert_true(verifies(k, jwt, (size_t)(dot2 - jwt), &s));
	assert_false(verifies(other, jwt, (size_t)(dot2 - jwt), &s));
	/* a fresh jti each time */
	assert_int_equal(creds_login_dpop_proof(k, url, 1700000000, &jwt2), 0);
	assert_string_not_equal(jwt, jwt2);
	json_decref(hdr);
	json_decref(cl);
	ekbuf_release(&h);
	ekbuf_release(&c);
	ekbuf_release(&s);
	free(jwt);
	free(jwt2);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpop_proof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
