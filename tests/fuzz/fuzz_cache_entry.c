/* libFuzzer harness: credential cache entries (JSON read back from disk). */
#include <stddef.h>
#include <stdint.h>

#include "ekskit/cache.h"
#include "ekskit/creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_credentials *c = NULL;

	if (cache_entry_decode((const char *)data, size, &c, NULL) == 0) {
		struct ekbuf b;
		ekbuf_init_secret(&b, 0);
		(void)cache_entry_encode(c, &b, NULL);  /* round trip must not crash */
		ekbuf_release(&b);
	}
	aws_credentials_free(c);
	return 0;
}
