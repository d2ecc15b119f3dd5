/* Unit tests for lib/xml.c: paths, nested items, malformed and hostile XML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/xml.h"

static const char ec2_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<DescribeNetworkInterfacesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
    "  <requestId>r-1</requestId>\n"
    "  <networkInterfaceSet>\n"
    "    <item>\n"
    "      <networkInterfaceId>eni-1</networkInterfaceId>\n"
    "      <privateIpAddressesSet>\n"
    "        <item><privateIpAddress>10.0.0.1</privateIpAddress><primary>true</primary></item>\n"
    "        <item><privateIpAddress>10.0.0.2</privateIpAddress><primary>false</primary></item>\n"
    "      </privateIpAddressesSet>\n"
    "    </item>\n"
    "    <item>\n"
    "      <networkInterfaceId>eni-2</networkInterfaceId>\n"
    "      <privateIpAddressesSet>\n"
    "        <item><privateIpAddress> 10.0.1.5 </privateIpAddress></item>\n"
    "      </privateIpAddressesSet>\n"
    "    </item>\n"
    "  </networkInterfaceSet>\n"
    "</DescribeNetworkInterfacesResponse>\n";

#define ENI "/DescribeNetworkInterfacesResponse/networkInterfaceSet/item"

/* Collects ENIs the way ec2.c would: fields by path, commit at the item's end. */
struct collect {
	char out[1024];
	int starts;
};

static int
on_start(void *ctx, const char *path)
{
	struct collect *c = ctx;

	if (strcmp(path, ENI) == 0)
		c->starts++;
	return 0;
}

static int
on_end(void *ctx, const char *path, const char *text, size_t len)
{
	struct collect *c = ctx;
	size_t n = strlen(c->out);

	assert_int_equal(strlen(text), len);
	if (strcmp(path, ENI "/networkInterfaceId") == 0)
		snprintf(c->out + n, sizeof(c->out) - n, "[%s:", text);
	else if (strcmp(path, ENI "/privateIpAddressesSet/item/privateIpAddress") == 0)
		snprintf(c->out + n, sizeof(c->out) - n, " %s", text);
	else if (strcmp(path, ENI) == 0)
		snprintf(c->out + n, sizeof(c->out) - n, "]");
	return 0;
}

static void
test_nested_items(void **state)
{
	struct collect c;
	struct xml_handlers h = { on_start, on_end, &c };

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(xml_parse(ec2_doc, strlen(ec2_doc), &h, NULL), 0);
	assert_string_equal(c.out, "[eni-1: 10.0.0.1 10.0.0.2][eni-2: 10.0.1.5]");
	assert_int_equal(c.starts, 2);
}

static void
test_extract(void **state)
{
	static const char doc[] =
	    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	    "<AssumeRoleResult><Credentials>"
	    "<AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
	    "<SecretAccessKey>se&amp;cret&lt;&#x41;</SecretAccessKey>"
	    "<Expiration>2026-01-01T00:00:00Z</Expiration>"
	    "</Credentials></AssumeRoleResult>"
	    "<ResponseMetadata><RequestId>id-1</RequestId></ResponseMetadata>"
	    "</AssumeRoleResponse>";
	struct xml_field f[] = {
		{ "/AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId", NULL, 0 },
		{ "/AssumeRoleResponse/AssumeRoleResult/Credentials/SecretAccessKey", NULL, 1 },
		{ "/AssumeRoleResponse/AssumeRoleResult/Credentials/SessionToken", NULL, 1 },
		{ "/AssumeRoleResponse/AssumeRoleResult/Credentials", NULL, 0 },
		{ "/AssumeRoleResponse/ResponseMetadata/RequestId", NULL, 0 },
	};

	(void)state;
	assert_int_equal(xml_extract(doc, strlen(doc), f, 5, NULL), 0);
	assert_string_equal(f[0].value, "ASIAEXAMPLE");
	assert_string_equal(f[1].value, "se&cret<A");
	assert_null(f[2].value);
	assert_string_equal(f[3].value, "");     /* an element with children */
	assert_string_equal(f[4].value, "id-1");
	xml_fields_release(f, 5);
	assert_null(f[0].value);
	xml_fields_release(NULL, 3);
}

static void
test_first_match_wins(void **state)
{
	static const char doc[] = "<a><b>1</b><b>2</b><c><b>3</b></c></a>";
	struct xml_field f[] = { { "/a/b", NULL, 0 }, { "/a/c/b", NULL, 0 } };

	(void)state;
	assert_int_equal(xml_extract(doc, strlen(doc), f, 2, NULL), 0);
	assert_string_equal(f[0].value, "1");
	assert_string_equal(f[1].value, "3");
	xml_fields_release(f, 2);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"not xml",
		"<a><b></a>",
		"<a>",
		"<a></a><b></b>",
		"<a>&undefined;</a>",
		"<a x=\"1\" x=\"2\"/>",
		"<a>\x01</a>",
		"<a>\xff\xfe</a>",
	};
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ekskit_err_clear(&err);
		if (xml_parse(bad[i], strlen(bad[i]), NULL, &err) != EKSKIT_ERR_INVALID)
			fail_msg("accepted bad XML #%zu", i);
		assert_non_null(strstr(err.msg, "invalid XML at line"));
	}
	assert_int_equal(xml_parse(NULL, 0, NULL, &err), EKSKIT_ERR_INVALID);
}

static void
test_rejects_doctype_and_entities(void **state)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n"
	    "<lolz>&lol3;</lolz>";
	static const char xxe[] =
	    "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>";
	static const char plain_doctype[] = "<!DOCTYPE foo><foo>x</foo>";
	struct ekskit_err err;

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(xml_parse(laughs, strlen(laughs), NULL, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "DOCTYPE"));
	assert_int_equal(xml_parse(xxe, strlen(xxe), NULL, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(xml_parse(plain_doctype, strlen(plain_doctype), NULL, &err),
	    EKSKIT_ERR_INVALID);
}

static void
test_depth_cap(void **state)
{
	char doc[(XML_MAX_DEPTH + 2) * 8];
	struct ekskit_err err;
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < XML_MAX_DEPTH; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<a>");
	for (i = 0; i < XML_MAX_DEPTH; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</a>");
	assert_int_equal(xml_parse(doc, n, NULL, &err), 0);
	n = 0;
	for (i = 0; i < XML_MAX_DEPTH + 1; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<a>");
	for (i = 0; i < XML_MAX_DEPTH + 1; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</a>");
	ekskit_err_clear(&err);
	assert_int_equal(xml_parse(doc, n, NULL, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "nested too deeply"));
}

static void
test_text_cap(void **state)
{
	size_t n = XML_MAX_TEXT + 16, len;
	char *doc = malloc(n + 16);
	struct ekskit_err err;

	(void)state;
	assert_non_null(doc);
	memcpy(doc, "<a>", 3);
	memset(doc + 3, 'x', n);
	memcpy(doc + 3 + n, "</a>", 4);
	len = n + 7;
	ekskit_err_clear(&err);
	assert_int_equal(xml_parse(doc, len, NULL, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "text too long"));
	free(doc);
}

static int
stop_at_b(void *ctx, const char *path, const char *text, size_t len)
{
	(void)text;
	(void)len;
	(*(int *)ctx)++;
	return strcmp(path, "/a/b") == 0 ? EKSKIT_ERR_NOT_FOUND : 0;
}

static void
test_handler_stops(void **state)
{
	static const char doc[] = "<a><x/><b/><c/></a>";
	struct ekskit_err err;
	int calls = 0;
	struct xml_handlers h = { NULL, stop_at_b, &calls };

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(xml_parse(doc, strlen(doc), &h, &err), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(calls, 2);
	assert_string_equal(err.msg, "");   /* the handler owns the message */
}

static void
test_prefixed_names_and_cdata(void **state)
{
	static const char doc[] =
	    "<p:a xmlns:p=\"urn:x\"><p:b><![CDATA[<raw> & ]]></p:b><c>t1<d/>t2</c></p:a>";
	struct xml_field f[] = { { "/p:a/p:b", NULL, 0 }, { "/p:a/c", NULL, 0 } };

	(void)state;
	assert_int_equal(xml_extract(doc, strlen(doc), f, 2, NULL), 0);
	assert_string_equal(f[0].value, "<raw> &");
	assert_string_equal(f[1].value, "");    /* mixed content is not reported */
	xml_fields_release(f, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_items),
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_rejects_doctype_and_entities),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_text_cap),
		cmocka_unit_test(test_handler_stops),
		cmocka_unit_test(test_prefixed_names_and_cdata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
