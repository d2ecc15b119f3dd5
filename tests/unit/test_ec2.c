/* Unit tests for lib/ec2.c: DescribeNetworkInterfaces parsing by element path,
 * re-checks of description and VPC, address collection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/dns.h"
#include "ekskit/ec2.h"

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<DescribeNetworkInterfacesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">" \
	"<requestId>r-1</requestId><networkInterfaceSet>"
#define TAIL "</networkInterfaceSet></DescribeNetworkInterfacesResponse>"

/* One ENI item; `extra` goes inside the item. */
#define ENI(id, desc, vpc, status, primary, extra) \
	"<item><networkInterfaceId>" id "</networkInterfaceId>" \
	"<subnetId>subnet-1</subnetId><vpcId>" vpc "</vpcId>" \
	"<description>" desc "</description><status>" status "</status>" \
	"<attachment><status>attached</status><deviceIndex>1</deviceIndex></attachment>" \
	"<groupSet><item><groupId>sg-1</groupId></item></groupSet>" \
	"<privateIpAddress>" primary "</privateIpAddress>" extra "</item>"

#define SET(...) "<privateIpAddressesSet>" __VA_ARGS__ "</privateIpAddressesSet>"
#define PIP(a) "<item><privateIpAddress>" a "</privateIpAddress><primary>false</primary>" \
	"<association><publicIp>52.9.9.9</publicIp></association></item>"

static const struct ec2_eni_filter filt = { "Amazon EKS demo", "vpc-1" };

static int
parse(const char *xml, const struct ec2_eni_filter *f, struct ec2_eni_list *l,
    char **tok, struct ekskit_err *err)
{
	return ec2_parse_enis(xml, strlen(xml), f, l, tok, err);
}

static void
test_decoys_and_secondaries(void **state)
{
	const char *xml = HEAD
	    ENI("eni-a", "Amazon EKS demo", "vpc-1", "in-use", "10.0.1.5",
		SET(PIP("10.0.1.5") PIP("10.0.1.77")))
	    ENI("eni-b", "Amazon EKS demo", "vpc-1", "in-use", "10.0.2.9", "")
	    ENI("eni-c", "Amazon EKS demo-2", "vpc-1", "in-use", "10.0.3.3", "")
	    ENI("eni-d", "Amazon EKS demo", "vpc-2", "in-use", "10.9.9.9", "")
	    ENI("eni-e", "amazon eks demo", "vpc-1", "in-use", "10.0.4.4", "")
	    ENI("eni-f", "Amazon EKS demox", "vpc-1", "in-use", "10.0.5.5", "")
	    TAIL;
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok = (char *)1, **a;
	size_t n;

	(void)state;
	assert_int_equal(parse(xml, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_null(tok);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "eni-a");
	assert_string_equal(l.v[0].status, "in-use");   /* not the attachment's */
	assert_int_equal(ec2_eni_addresses(&l, 0, &a, &n, &err), EKSKIT_OK);
	assert_int_equal(n, 3);
	assert_string_equal(a[0], "10.0.1.5");
	assert_string_equal(a[1], "10.0.1.77");
	assert_string_equal(a[2], "10.0.2.9");
	assert_null(a[3]);
	ek_strv_free(a);
	ec2_eni_list_release(&l);
}

static void
test_no_vpc_filter(void **state)
{
	const char *xml = HEAD
	    ENI("eni-a", "Amazon EKS demo", "vpc-1", "available", "10.0.1.5", "")
	    ENI("eni-d", "Amazon EKS demo", "vpc-2", "available", "10.9.9.9", "")
	    TAIL;
	struct ec2_eni_filter f = { "Amazon EKS demo", NULL };
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok;

	(void)state;
	assert_int_equal(parse(xml, &f, &l, &tok, &err), EKSKIT_OK);
	assert_int_equal(l.n, 2);
	ec2_eni_list_release(&l);
}

static void
test_prefer_in_use(void **state)
{
	const char *xml = HEAD
	    ENI("eni-old", "Amazon EKS demo", "vpc-1", "available", "10.0.7.7", "")
	    ENI("eni-new", "Amazon EKS demo", "vpc-1", "in-use", "10.0.8.8", "")
	    TAIL;
	const char *only_avail = HEAD
	    ENI("eni-old", "Amazon EKS demo", "vpc-1", "available", "10.0.7.7", "")
	    TAIL;
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok, **a;
	size_t n;

	(void)state;
	assert_int_equal(parse(xml, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_int_equal(ec2_eni_addresses(&l, 0, &a, &n, &err), EKSKIT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "10.0.8.8");
	ek_strv_free(a);
	ec2_eni_list_release(&l);
	assert_int_equal(parse(only_avail, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_int_equal(ec2_eni_addresses(&l, 0, &a, &n, &err), EKSKIT_OK);
	assert_string_equal(a[0], "10.0.7.7");
	ek_strv_free(a);
	ec2_eni_list_release(&l);
}

static void
test_ipv6(void **state)
{
	const char *xml = HEAD
	    ENI("eni-a", "Amazon EKS demo", "vpc-1", "in-use", "10.0.1.5",
		"<ipv6AddressesSet><item><ipv6Address>2600:1F14:0:0::10</ipv6Address>"
		"</item></ipv6AddressesSet>")
	    TAIL;
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok, **a;
	size_t n;

	(void)state;
	assert_int_equal(parse(xml, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_int_equal(ec2_eni_addresses(&l, 0, &a, &n, &err), EKSKIT_OK);
	assert_int_equal(n, 1);
	ek_strv_free(a);
	assert_int_equal(ec2_eni_addresses(&l, 1, &a, &n, &err), EKSKIT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(a[0], "10.0.1.5");
	assert_string_equal(a[1], "2600:1f14::10");
	ek_strv_free(a);
	ec2_eni_list_release(&l);
}

static void
test_next_token(void **state)
{
	const char *xml = HEAD ENI("eni-a", "Amazon EKS demo", "vpc-1", "in-use", "10.0.1.5", "")
	    "</networkInterfaceSet><nextToken>tok-2</nextToken></DescribeNetworkInterfacesResponse>";
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok;

	(void)state;
	assert_int_equal(parse(xml, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_string_equal(tok, "tok-2");
	free(tok);
	ec2_eni_list_release(&l);
}

static void
test_bad_responses(void **state)
{
	static const char *bad[] = {
		/* an invalid address in a matching ENI */
		HEAD ENI("eni-a", "Amazon EKS demo", "vpc-1", "in-use", "10.0.1.500", "") TAIL,
		HEAD ENI("eni-a", "Amazon EKS demo", "vpc-1", "in-use", "10.0.1.5",
		    SET(PIP("10.0.1.5 evil.example"))) TAIL,
		HEAD ENI("eni-a", "Amazon EKS demo", "vpc-1", "in-use", "10.0.1.5&#10;1.2.3.4", "") TAIL,
		/* an error document, or some other response */
		"<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
		"<Message>no</Message></Error></Errors><RequestID>x</RequestID></Response>",
		"<DescribeSubnetsResponse/>",
		/* not XML, or a DOCTYPE */
		"not xml at all",
		"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><DescribeNetworkInterfacesResponse/>",
		HEAD "<item>",
	};
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &filt, &l, &tok, &err), EKSKIT_ERR_INVALID);
		ec2_eni_list_release(&l);
	}
	/* an invalid address on a decoy does not matter: it is not used */
	assert_int_equal(parse(HEAD ENI("eni-x", "Amazon EKS other", "vpc-1", "in-use",
	    "bogus", "") TAIL, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_int_equal(l.n, 0);
}

static void
test_zero_enis(void **state)
{
	struct ec2_eni_list l = { NULL, 0 };
	struct ekskit_err err;
	char *tok, **a;
	size_t n;

	(void)state;
	assert_int_equal(parse(HEAD TAIL, &filt, &l, &tok, &err), EKSKIT_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(ec2_eni_addresses(&l, 1, &a, &n, &err), EKSKIT_ERR_NOT_FOUND);
	assert_null(a);
}

static void
test_description(void **state)
{
	struct ekskit_err err;
	char *d;

	(void)state;
	assert_int_equal(ec2_eks_eni_description("demo", &d, &err), EKSKIT_OK);
	assert_string_equal(d, "Amazon EKS demo");
	free(d);
}

static void
test_subnets_vpc(void **state)
{
	struct ekskit_err err;
	char *vpc;

	(void)state;
	assert_int_equal(ec2_parse_subnets_vpc("<DescribeSubnetsResponse><subnetSet>"
	    "<item><subnetId>s-1</subnetId><vpcId>vpc-1</vpcId></item>"
	    "<item><subnetId>s-2</subnetId><vpcId>vpc-1</vpcId></item>"
	    "</subnetSet></DescribeSubnetsResponse>", 188, &vpc, &err), EKSKIT_OK);
	assert_string_equal(vpc, "vpc-1");
	free(vpc);
	{
		const char *mixed = "<DescribeSubnetsResponse><subnetSet>"
		    "<item><vpcId>vpc-1</vpcId></item><item><vpcId>vpc-2</vpcId></item>"
		    "</subnetSet></DescribeSubnetsResponse>";
		const char *none = "<DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>";

		assert_int_equal(ec2_parse_subnets_vpc(mixed, strlen(mixed), &vpc, &err),
		    EKSKIT_ERR_INVALID);
		assert_int_equal(ec2_parse_subnets_vpc(none, strlen(none), &vpc, &err),
		    EKSKIT_ERR_NOT_FOUND);
		assert_null(vpc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decoys_and_secondaries),
		cmocka_unit_test(test_no_vpc_filter),
		cmocka_unit_test(test_prefer_in_use),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_next_token),
		cmocka_unit_test(test_bad_responses),
		cmocka_unit_test(test_zero_enis),
		cmocka_unit_test(test_description),
		cmocka_unit_test(test_subnets_vpc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
