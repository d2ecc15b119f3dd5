/*
 * libFuzzer harness for eks_token_decode (the bearer-token decoder a server
 * runs on untrusted input).  Build: make fuzz; run:
 * build/fuzz/fuzz_token_decode tests/fuzz/corpus/token_decode
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"
#include "ekskit/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *url = NULL;
	struct ekskit_err err;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (eks_token_decode(s, &url, &err) == EKSKIT_OK) {
		/* what comes out is a C string no longer than the payload */
		if (url == NULL || strlen(url) > size)
			abort();
	} else if (url != NULL)
		abort();
	ek_free_secret(url);
	free(s);
	return 0;
}
