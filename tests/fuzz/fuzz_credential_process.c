/* libFuzzer harness: credential_process output and the container/IMDS document. */
#include <stddef.h>
#include <stdint.h>

#include "creds_json.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_credentials *c = NULL;
	char hint[128];

	(void)creds_process_parse((const char *)data, size, "fuzz", 1800000000, &c, NULL);
	aws_credentials_free(c);
	c = NULL;
	(void)creds_json_parse((const char *)data, size, "fuzz", "fuzz", &c, NULL);
	aws_credentials_free(c);
	(void)creds_json_error_hint((const char *)data, size, hint, sizeof(hint));
	return 0;
}
