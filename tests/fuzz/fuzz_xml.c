/*
 * libFuzzer harness for the XML extractor (lib/xml.c) and the AWS error
 * parser built on it (lib/awsreq.c): both read untrusted response bodies.
 *
 *   make fuzz && build/fuzz/fuzz_xml tests/fuzz/corpus/xml
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ekskit/awsreq.h"
#include "ekskit/error.h"
#include "ekskit/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_start(void *ctx, const char *path)
{
	(*(size_t *)ctx) += strlen(path);
	return 0;
}

static int
on_end(void *ctx, const char *path, const char *text, size_t len)
{
	/* touch every byte handed out: ASan catches a bad length */
	if (len > 0 && text[len - 1] == '\0')
		return EKSKIT_ERR_INTERNAL;
	(*(size_t *)ctx) += strlen(path) + len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_field f[] = {
		{ "/AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId", NULL, 0 },
		{ "/AssumeRoleResponse/AssumeRoleResult/Credentials/SecretAccessKey", NULL, 1 },
		{ "/a/b", NULL, 0 },
	};
	size_t seen = 0;
	struct xml_handlers h = { on_start, on_end, &seen };
	struct http_response resp;
	struct ekskit_err err;
	char code[128];

	ekskit_err_clear(&err);
	(void)xml_parse((const char *)data, size, &h, &err);
	if (xml_extract((const char *)data, size, f, 3, &err) == 0)
		xml_fields_release(f, 3);

	/* the same bytes as an error response body, XML and JSON paths */
	memset(&resp, 0, sizeof(resp));
	ekbuf_init(&resp.body, 0);
	resp.status = 400;
	if (ekbuf_append(&resp.body, data, size) == 0) {
		(void)aws_response_error(&resp, "fuzz", &err);
		aws_response_error_code(&resp, code, sizeof(code));
	}
	ekbuf_release(&resp.body);
	return 0;
}
