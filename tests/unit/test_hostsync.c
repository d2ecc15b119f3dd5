/* Unit tests for lib/hostsync.c: EKS endpoint host validation (table-driven). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/hostsync.h"

static const struct {
	const char *endpoint, *region, *host;   /* host NULL: refused */
} cases[] = {
	{ "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com",
	  "us-west-2", "0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com" },
	{ "https://abc.yl4.us-east-1.eks.amazonaws.com/", "us-east-1",
	  "abc.yl4.us-east-1.eks.amazonaws.com" },
	{ "https://abc.yl4.us-east-1.eks.amazonaws.com:443", "us-east-1",
	  "abc.yl4.us-east-1.eks.amazonaws.com" },
	{ "abc.sk1.eu-west-1.eks.amazonaws.com", "eu-west-1", "abc.sk1.eu-west-1.eks.amazonaws.com" },
	{ "https://abc.cn-north-1.eks.amazonaws.com.cn", "cn-north-1",
	  "abc.cn-north-1.eks.amazonaws.com.cn" },
	{ "https://abc.gr7.us-gov-west-1.eks.amazonaws.com", "us-gov-west-1",
	  "abc.gr7.us-gov-west-1.eks.amazonaws.com" },
	{ "https://abc.us-iso-east-1.eks.c2s.ic.gov", "us-iso-east-1",
	  "abc.us-iso-east-1.eks.c2s.ic.gov" },
	{ "https://abc.us-isob-east-1.eks.sc2s.sgov.gov", "us-isob-east-1",
	  "abc.us-isob-east-1.eks.sc2s.sgov.gov" },
	{ "https://abc.eu-isoe-west-1.eks.cloud.adc-e.uk", "eu-isoe-west-1",
	  "abc.eu-isoe-west-1.eks.cloud.adc-e.uk" },
	{ "https://abc.us-isof-south-1.eks.csp.hci.ic.gov", "us-isof-south-1",
	  "abc.us-isof-south-1.eks.csp.hci.ic.gov" },
	/* dual-stack endpoints of IPv6 clusters */
	{ "https://0123abcd.us-west-2.api.aws", "us-west-2", "0123abcd.us-west-2.api.aws" },
	{ "https://0123abcd.gr7.us-west-2.api.aws", "us-west-2", "0123abcd.gr7.us-west-2.api.aws" },
	{ "https://0123abcd.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1",
	  "0123abcd.cn-northwest-1.api.amazonwebservices.com.cn" },
	/* refused */
	{ "https://abc.gr7.eu-west-1.eks.amazonaws.com", "us-west-2", NULL },   /* other region */
	{ "https://us-west-2.eks.amazonaws.com", "us-west-2", NULL },           /* no cluster label */
	{ "https://eks.us-west-2.amazonaws.com", "us-west-2", NULL },           /* the EKS API, not a cluster */
	{ "https://api.evil.example.com", "us-west-2", NULL },
	{ "https://abc.us-west-2.eks.amazonaws.com.evil.example", "us-west-2", NULL },
	{ "https://abcus-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://abc.xus-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://abc def.us-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://abc\n1.2.3.4.us-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://abc_d.us-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://-abc.us-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://abc..us-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://abc.us-west-2.eks.amazonaws.com:8443", "us-west-2", NULL },
	{ "https://abc.us-west-2.eks.amazonaws.com/path", "us-west-2", NULL },
	{ "https://user@abc.us-west-2.eks.amazonaws.com", "us-west-2", NULL },
	{ "https://10.0.0.1", "us-west-2", NULL },
	{ "", "us-west-2", NULL },
	{ "https://", "us-west-2", NULL },
	{ "https://a234567890123456789012345678901234567890123456789012345678901234.us-west-2.eks.amazonaws.com",
	  "us-west-2", NULL },                                                  /* label > 63 */
};

static void
test_endpoint_hosts(void **state)
{
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *host = (char *)1;
		int r = hostsync_endpoint_host(cases[i].endpoint, cases[i].region, &host, &err);

		if (cases[i].host != NULL) {
			if (r != EKSKIT_OK)
				fail_msg("case %zu (%s) refused: %s", i, cases[i].endpoint, err.msg);
			assert_string_equal(host, cases[i].host);
			free(host);
		} else {
			if (r == EKSKIT_OK)
				fail_msg("case %zu (%s) accepted", i, cases[i].endpoint);
			assert_int_equal(r, EKSKIT_ERR_INVALID);
			assert_null(host);
		}
	}
}

static void
test_long_host(void **state)
{
	struct ekskit_err err;
	char ep[400], *host;
	size_t n;

	(void)state;
	/* 254 characters of valid labels: over the DNS limit */
	strcpy(ep, "https://");
	n = strlen(ep);
	while (n < 8 + 254 - strlen(".us-west-2.eks.amazonaws.com")) {
		strcat(ep, "a.");
		n += 2;
	}
	strcat(ep, "b.us-west-2.eks.amazonaws.com");
	assert_true(strlen(ep) - 8 > 253);
	assert_int_equal(hostsync_endpoint_host(ep, "us-west-2", &host, &err),
	    EKSKIT_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint_hosts),
		cmocka_unit_test(test_long_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
