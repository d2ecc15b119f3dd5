/*
 * libFuzzer harness for the EC2 DescribeNetworkInterfaces / DescribeSubnets
 * parsers (lib/ec2.c).  Every address that comes out must be a canonical
 * IP literal and every kept interface must carry the filtered description.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/dns.h"
#include "ekskit/ec2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_addrs(char **v)
{
	unsigned char tmp[16];
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (inet_pton(AF_INET, v[i], tmp) != 1 && inet_pton(AF_INET6, v[i], tmp) != 1)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ec2_eni_filter f = { "Amazon EKS demo", "vpc-1" };
	struct ec2_eni_list l = { NULL, 0 };
	char *tok = NULL, *vpc = NULL, **addrs = NULL;
	size_t i, n;

	if (ec2_parse_enis((const char *)data, size, &f, &l, &tok, NULL) == 0) {
		for (i = 0; i < l.n; i++) {
			if (l.v[i].description == NULL ||
			    strcmp(l.v[i].description, f.description) != 0 ||
			    l.v[i].vpc_id == NULL || strcmp(l.v[i].vpc_id, "vpc-1") != 0)
				abort();
			check_addrs(l.v[i].ipv4);
			check_addrs(l.v[i].ipv6);
		}
		if (ec2_eni_addresses(&l, 1, &addrs, &n, NULL) == 0)
			check_addrs(addrs);
		ek_strv_free(addrs);
	}
	ec2_eni_list_release(&l);
	free(tok);
	if (ec2_parse_subnets_vpc((const char *)data, size, &vpc, NULL) == 0 && vpc == NULL)
		abort();
	free(vpc);
	return 0;
}
