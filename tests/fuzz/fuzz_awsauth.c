/*
 * libFuzzer harness for the aws-auth model and editor (lib/awsauth*.c).
 * The input is one mapRoles value.  Whatever parses is then edited: a role
 * added and every row's principal removed; each edit must read back
 * without a YAML error (the editor checks that itself: a failure here is
 * an EKSKIT_ERR_INTERNAL, which aborts).
 *
 *   make fuzz && build/fuzz/fuzz_awsauth tests/fuzz/corpus/awsauth
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/awsauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const groups[] = { "system:masters", "dev" };
	struct awsauth_mapping m = { AWSAUTH_ROLES,
		"arn:aws:iam::111122223333:role/Fuzz", "fuzz:{{SessionName}}", groups, 2 };
	struct awsauth_edit e, rm[3];
	struct ekskit_err err;
	struct awsauth *a = NULL;
	json_t *d = json_object();
	size_t i, n, j;

	if (d == NULL || size > 65536)
		goto out;
	json_object_set_new(d, "mapRoles", json_stringn((const char *)data, size));
	if (json_object_get(d, "mapRoles") == NULL ||   /* not UTF-8 */
	    awsauth_parse(d, &a, &err) != EKSKIT_OK)
		goto out;
	if (awsauth_add(a, &m, 1, &e, NULL, &err) == EKSKIT_ERR_INTERNAL)
		abort();
	awsauth_edit_release(&e);
	for (i = 0; i < a->nrows && i < 8; i++) {
		if (a->rows[i].arn == NULL)
			continue;
		if (awsauth_remove(a, a->rows[i].arn, rm, &n, NULL, &err) == EKSKIT_ERR_INTERNAL)
			abort();
		for (j = 0; j < n; j++)
			awsauth_edit_release(&rm[j]);
	}
out:
	awsauth_free(a);
	json_decref(d);
	return 0;
}
