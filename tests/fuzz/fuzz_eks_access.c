/*
 * libFuzzer harness for lib/eks_access_parse.c and lib/arn.c (`make fuzz`):
 * access-entry API bodies (DescribeAccessEntry, ListAccessEntries,
 * ListAssociatedAccessPolicies, AssociateAccessPolicy) and the input as an
 * ARN.  A parsed entry always has a principal and a type; every parsed
 * policy a policyArn and a scope type.  Seeds: tests/fuzz/corpus/eks_access/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/arn.h"
#include "ekskit/buf.h"
#include "ekskit/eks_access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
as_arn(const uint8_t *data, size_t size)
{
	struct arn_principal p;
	char *s = ek_strndup((const char *)data, size), *c = NULL, *k;

	if (s == NULL)
		return;
	if (arn_principal_parse(s, &p, NULL) == 0) {
		if (p.canonical == NULL || p.key == NULL || p.name == NULL)
			abort();
		arn_principal_release(&p);
	}
	if (arn_canonicalize(s, &c, NULL) == 0 && strncmp(c, "arn:", 4) != 0)
		abort();
	free(c);
	k = arn_key(s);
	free(k);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eks_access_entry *e;
	struct eks_associated_policy *v = NULL, *one;
	char **arns = NULL, *next = NULL;
	size_t n = 0, i;

	if (eks_access_entry_parse((const char *)data, size, &e, NULL) == 0) {
		if (e->principal_arn == NULL || e->type == NULL ||
		    e->kubernetes_groups == NULL)
			abort();
		eks_access_entry_free(e);
	}
	if (eks_access_list_page_parse((const char *)data, size, &arns, &n, &next,
	    NULL) == 0)
		free(next);
	ek_strv_free(arns);
	n = 0;
	if (eks_access_policies_page_parse((const char *)data, size, &v, &n, &next,
	    NULL) == 0) {
		for (i = 0; i < n; i++)
			if (v[i].policy_arn == NULL || v[i].scope.type == NULL)
				abort();
		free(next);
	}
	eks_associated_policies_free(v, n);
	if (eks_access_associated_parse((const char *)data, size, &one, NULL) == 0)
		eks_associated_policies_free(one, 1);
	as_arn(data, size);
	return 0;
}
