/*
 * libFuzzer harness for the AWS shared config parser (lib/awsconfig.c).
 * The first byte picks the file kind (config or credentials); the rest is
 * the file.  Every profile found is then queried for the settings the
 * library reads, so lookups run over whatever the parser built.
 *
 *   make fuzz && build/fuzz/fuzz_awsconfig tests/fuzz/corpus/awsconfig
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ekskit/awsconfig.h"
#include "ekskit/error.h"
#include "ekskit/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"region", "aws_access_key_id", "aws_secret_access_key", "role_arn",
	"source_profile", "services", "endpoint_url", "s3", "", NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct awsconfig *cfg;
	struct ekskit_err err;
	char **names;
	size_t i, k;
	int is_credentials;

	if (size < 1)
		return 0;
	is_credentials = data[0] & 1;
	if ((cfg = awsconfig_new()) == NULL)
		return 0;
	if (awsconfig_parse_buffer(cfg, "fuzz", (const char *)data + 1, size - 1,
	    is_credentials, &err) == 0) {
		/* a failed parse must say where */
		names = awsconfig_profile_names(cfg);
		for (i = 0; names != NULL && names[i] != NULL; i++) {
			for (k = 0; keys[k] != NULL; k++) {
				(void)awsconfig_get(cfg, names[i], keys[k]);
				(void)awsconfig_get_sub(cfg, names[i], keys[k], "endpoint_url");
				(void)awsconfig_section_get(cfg, "services", names[i], keys[k]);
				(void)awsconfig_section_get_sub(cfg, "services", names[i],
				    keys[k], "endpoint_url");
			}
		}
		ek_strv_free(names);
	} else if (strstr(err.msg, "fuzz") == NULL) {
		__builtin_trap();
	}
	awsconfig_free(cfg);
	return 0;
}
