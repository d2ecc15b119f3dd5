/* Unit tests for lib/b64.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/b64.h"

static void
roundtrip(const char *plain, enum ek_b64_alphabet a, const char *want)
{
	struct ekbuf enc, dec;

	ekbuf_init(&enc, 0);
	ekbuf_init(&dec, 0);
	assert_int_equal(ek_b64_encode(plain, strlen(plain), a, &enc), 0);
	assert_string_equal(enc.data, want);
	assert_int_equal(ek_b64_decode(enc.data, a, "x", &dec, NULL), 0);
	assert_int_equal(dec.len, strlen(plain));
	assert_memory_equal(dec.data, plain, dec.len);
	ekbuf_release(&enc);
	ekbuf_release(&dec);
}

static void
test_rfc4648_vectors(void **state)
{
	(void)state;
	roundtrip("", EK_B64_STD, "");
	roundtrip("f", EK_B64_STD, "Zg==");
	roundtrip("fo", EK_B64_STD, "Zm8=");
	roundtrip("foo", EK_B64_STD, "Zm9v");
	roundtrip("foobar", EK_B64_STD, "Zm9vYmFy");
	roundtrip("f", EK_B64_URL_RAW, "Zg");
	roundtrip("\xfb\xff", EK_B64_URL_RAW, "-_8");
	roundtrip("\xfb\xff", EK_B64_STD, "+/8=");
}

static void
test_decode_whitespace_and_errors(void **state)
{
	static const char *bad_std[] = { "Zg=", "Z", "Zg==Zg==", "Z*==", "Zm9v=" };
	static const char *bad_url[] = { "Zg==", "+/8", "Z" };
	struct ekskit_err err;
	struct ekbuf b;
	size_t i;

	(void)state;
	ekbuf_init(&b, 0);
	assert_int_equal(ek_b64_decode("Zm9v\nYmFy\n", EK_B64_STD, "x", &b, NULL), 0);
	assert_string_equal(b.data, "foobar");
	for (i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++) {
		ekbuf_reset(&b);
		assert_int_equal(ek_b64_decode(bad_std[i], EK_B64_STD, "the CA", &b, &err),
		    EKSKIT_ERR_INVALID);
		assert_string_equal(err.msg, "the CA is not valid base64");
	}
	for (i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++) {
		ekbuf_reset(&b);
		assert_int_equal(ek_b64_decode(bad_url[i], EK_B64_URL_RAW, "t", &b, NULL),
		    EKSKIT_ERR_INVALID);
	}
	ekbuf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_decode_whitespace_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
