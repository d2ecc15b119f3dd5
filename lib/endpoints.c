/*
 * Regions, partitions and service endpoints: see include/ekskit/endpoints.h.
 *
 * The partition table and the host rules follow botocore's partitions.json
 * and the STS / EKS endpoint rule sets.  Endpoint overrides follow
 * botocore's ConfiguredEndpointProvider: AWS_ENDPOINT_URL_<SERVICE>, then
 * AWS_ENDPOINT_URL, then the profile's `services` section, then the
 * profile's `endpoint_url`; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or profile
 * ignore_configured_endpoint_urls) turns all of them off.  An override wins
 * over FIPS / dual-stack settings (the override says where to send).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/endpoints.h"
#include "ekskit/error.h"
#include "ekskit/http.h"

/* region_prefix is a '|'-separated list of first labels-with-dash. */
static const struct aws_partition partitions[] = {
	{ "aws", "amazonaws.com", "api.aws",
	  "us-|eu-|ap-|sa-|ca-|me-|af-|il-|mx-", "us-east-1" },
	{ "aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn",
	  "cn-", "cn-northwest-1" },
	{ "aws-us-gov", "amazonaws.com", "api.aws", "us-gov-", "us-gov-west-1" },
	{ "aws-iso", "c2s.ic.gov", "api.aws.ic.gov", "us-iso-", "us-iso-east-1" },
	{ "aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", "us-isob-",
	  "us-isob-east-1" },
	{ "aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", "eu-isoe-",
	  "eu-isoe-west-1" },
	{ "aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", "us-isof-",
	  "us-isof-south-1" },
	{ "aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", "eusc-de-",
	  "eusc-de-east-1" },
};
#define NPARTITIONS (sizeof(partitions) / sizeof(partitions[0]))

static const struct aws_partition *const partition_list[] = {
	&partitions[0], &partitions[1], &partitions[2], &partitions[3],
	&partitions[4], &partitions[5], &partitions[6], &partitions[7], NULL,
};

/* Regions that used sts.amazonaws.com in "legacy" mode (botocore STS rules). */
static const char *const sts_legacy_global_regions[] = {
	"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"aws-global", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1",
	"eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2",
	"us-west-1", "us-west-2", NULL,
};

const struct aws_partition *const *
aws_partitions(void)
{
	return partition_list;
}

int
aws_region_valid(const char *region)
{
	size_t i, n;

	if (region == NULL || (n = strlen(region)) == 0 || n > 63)
		return 0;
	if (!islower((unsigned char)region[0]) || region[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)region[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
			return 0;
		if (c == '-' && region[i + 1] == '-')
			return 0;
	}
	return 1;
}

/* "<prefix>\w+-\d+" after one of the partition's prefixes (its regionRegex). */
static int
matches_partition(const struct aws_partition *p, const char *region)
{
	const char *pre = p->region_prefix;

	while (*pre != '\0') {
		size_t len = strcspn(pre, "|");

		if (strncmp(region, pre, len) == 0) {
			const char *s = region + len, *dash;

			/* \w+ (no dash), a dash, then digits to the end */
			if ((dash = strchr(s, '-')) != NULL && dash > s &&
			    dash[1] != '\0' && strspn(dash + 1, "0123456789") ==
			    strlen(dash + 1) && strspn(s, "abcdefghijklmnopqrstuvwxyz"
			    "0123456789_") == (size_t)(dash - s))
				return 1;
		}
		pre += len + (pre[len] == '|');
	}
	return 0;
}

const struct aws_partition *
aws_partition_of(const char *region)
{
	size_t i;

	if (region == NULL)
		return &partitions[0];
	for (i = 0; i < NPARTITIONS; i++) {
		/* the pseudo-regions "aws-global", "aws-cn-global", ... */
		size_t n = strlen(partitions[i].name);

		if (strncmp(region, partitions[i].name, n) == 0 &&
		    strcmp(region + n, "-global") == 0)
			return &partitions[i];
	}
	for (i = 0; i < NPARTITIONS; i++)
		if (matches_partition(&partitions[i], region))
			return &partitions[i];
	return &partitions[0];
}

/* ------------------------------------------------------------ settings */

/* A printable, bounded copy of untrusted text for error messages. */
static void
printable(char *dst, size_t dsz, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < dsz; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i] != '\0' && i + 4 >= dsz) {
		memcpy(dst + i, "...", 4);
		return;
	}
	dst[i] = '\0';
}

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static const char *
profile_get(const struct aws_endpoint_opts *o, const char *key)
{
	if (o == NULL || o->cfg == NULL)
		return NULL;
	return awsconfig_get(o->cfg, o->profile ? o->profile :
	    awsconfig_selected_profile(NULL), key);
}

/* botocore's ensure_boolean: "true" in any case is true, the rest false. */
static int
setting_bool(const struct aws_endpoint_opts *o, const char *env,
    const char *key)
{
	const char *v = env_nonempty(env);

	if (v == NULL)
		v = profile_get(o, key);
	return v != NULL && strcasecmp(v, "true") == 0;
}

static int
use_fips(const struct aws_endpoint_opts *o)
{
	if (o != NULL && o->use_fips >= 0)
		return o->use_fips;
	return setting_bool(o, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
}

static int
use_dualstack(const struct aws_endpoint_opts *o)
{
	if (o != NULL && o->use_dualstack >= 0)
		return o->use_dualstack;
	return setting_bool(o, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
}

/* 1 = legacy (global endpoint), 0 = regional, or an error. */
static int
sts_legacy(const struct aws_endpoint_opts *o, struct ekskit_err *err)
{
	const char *v = env_nonempty("AWS_STS_REGIONAL_ENDPOINTS");
	const char *from = "AWS_STS_REGIONAL_ENDPOINTS";
	char shown[64];

	if (v == NULL) {
		v = profile_get(o, "sts_regional_endpoints");
		from = "profile setting sts_regional_endpoints";
	}
	if (v == NULL || strcmp(v, "regional") == 0)
		return 0;
	if (strcmp(v, "legacy") == 0)
		return 1;
	printable(shown, sizeof(shown), v);
	return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
	    "%s is '%s': use 'regional' (the default) or 'legacy'", from, shown);
}

int
aws_resolve_region(const char *flag_region, const struct aws_endpoint_opts *o,
    char **out, struct ekskit_err *err)
{
	const char *v = NULL, *from = NULL, *prof;
	char shown[80];

	*out = NULL;
	prof = o != NULL && o->profile ? o->profile : awsconfig_selected_profile(NULL);
	if (flag_region != NULL && *flag_region != '\0') {
		v = flag_region;
		from = "--region";
	} else if ((v = env_nonempty("AWS_REGION")) != NULL)
		from = "AWS_REGION";
	else if ((v = env_nonempty("AWS_DEFAULT_REGION")) != NULL)
		from = "AWS_DEFAULT_REGION";
	else if ((v = profile_get(o, "region")) != NULL && *v != '\0')
		from = "the profile's region setting";
	if (v == NULL || *v == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no AWS region configured: pass --region, set AWS_REGION, or "
		    "add 'region = ...' to profile '%s' in %s", prof,
		    awsconfig_config_path());
	if (!aws_region_valid(v)) {
		printable(shown, sizeof(shown), v);
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "invalid region '%s' (from %s): a region looks like "
		    "'us-west-2' (lowercase letters, digits and dashes)", shown, from);
	}
	if ((*out = strdup(v)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return 0;
}

/* ----------------------------------------------------------- overrides */

/* Service id as an env suffix ("STS") or a services-section key ("sts"). */
static void
service_id(char *dst, size_t dsz, const char *service, int upper)
{
	size_t i;

	for (i = 0; service[i] != '\0' && i + 1 < dsz; i++) {
		unsigned char c = (unsigned char)service[i];

		if (c == '-' || c == ' ')
			dst[i] = '_';
		else
			dst[i] = (char)(upper ? toupper(c) : tolower(c));
	}
	dst[i] = '\0';
}

static int
url_ok(const char *u)
{
	const char *p;

	if (!ek_startswith(u, "http://") && !ek_startswith(u, "https://"))
		return 0;
	for (p = u; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return strlen(u) > strlen("https://") - (u[4] == ':');
}

/* The configured override for a service, or NULL.  *from names its source. */
static int
endpoint_override(const char *service, const struct aws_endpoint_opts *o,
    const char **url, const char **from, char *envname, size_t envsz,
    struct ekskit_err *err)
{
	char id[64];
	const char *v, *svc_section;

	*url = NULL;
	if (setting_bool(o, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	    "ignore_configured_endpoint_urls"))
		return 0;
	service_id(id, sizeof(id), service, 1);
	snprintf(envname, envsz, "AWS_ENDPOINT_URL_%s", id);
	if ((v = env_nonempty(envname)) != NULL) {
		*url = v;
		*from = envname;
		return 0;
	}
	if ((v = env_nonempty("AWS_ENDPOINT_URL")) != NULL) {
		*url = v;
		*from = "AWS_ENDPOINT_URL";
		return 0;
	}
	if ((svc_section = profile_get(o, "services")) != NULL) {
		if (!awsconfig_has_section(o->cfg, "services", svc_section))
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "the profile uses 'services = %s' but %s has no "
			    "[services %s] section", svc_section,
			    awsconfig_config_path(), svc_section);
		service_id(id, sizeof(id), service, 0);
		v = awsconfig_section_get_sub(o->cfg, "services", svc_section, id,
		    "endpoint_url");
		if (v != NULL && *v != '\0') {
			*url = v;
			*from = "the [services] section of the config file";
			return 0;
		}
	}
	if ((v = profile_get(o, "endpoint_url")) != NULL && *v != '\0') {
		*url = v;
		*from = "the profile's endpoint_url setting";
	}
	return 0;
}

/* ---------------------------------------------------------- host rules */

static int
is_legacy_global(const char *region)
{
	size_t i;

	for (i = 0; sts_legacy_global_regions[i] != NULL; i++)
		if (strcmp(region, sts_legacy_global_regions[i]) == 0)
			return 1;
	return 0;
}

/*
 * The real host of a service in a region (no overrides).  *signing_region
 * is the region to sign with (us-east-1 for the global STS host).
 */
static int
service_host(const char *service, const char *region,
    const struct aws_endpoint_opts *o, char **host, const char **signing_region,
    struct ekskit_err *err)
{
	const struct aws_partition *p;
	int fips, dual, legacy = 0;
	char shown[80];
	int n;

	*host = NULL;
	if (region == NULL || !aws_region_valid(region)) {
		printable(shown, sizeof(shown), region ? region : "");
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "invalid region '%s': a region looks like 'us-west-2'", shown);
	}
	p = aws_partition_of(region);
	fips = use_fips(o);
	dual = use_dualstack(o);
	*signing_region = region;
	if (strcmp(service, "sts") == 0 && (legacy = sts_legacy(o, err)) < 0)
		return legacy;
	if (fips && dual)
		n = asprintf(host, "%s-fips.%s.%s", service, region, p->dualstack_suffix);
	else if (fips && strcmp(service, "eks") == 0 && strcmp(p->name, "aws") == 0)
		n = asprintf(host, "fips.eks.%s.amazonaws.com", region);
	else if (fips && strcmp(p->name, "aws-us-gov") == 0 &&
	    (strcmp(service, "sts") == 0 || strcmp(service, "eks") == 0))
		n = asprintf(host, "%s.%s.amazonaws.com", service, region);
	else if (fips)
		n = asprintf(host, "%s-fips.%s.%s", service, region, p->dns_suffix);
	else if (dual)
		n = asprintf(host, "%s.%s.%s", service, region, p->dualstack_suffix);
	else if (strcmp(service, "sts") == 0 && (strcmp(region, "aws-global") == 0 ||
	    (legacy && is_legacy_global(region)))) {
		n = asprintf(host, "sts.amazonaws.com");
		*signing_region = "us-east-1";
	} else
		n = asprintf(host, "%s.%s.%s", service, region, p->dns_suffix);
	if (n < 0) {
		*host = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
aws_endpoint_resolve(const char *service, const char *region,
    const struct aws_endpoint_opts *o, char **url_out, char **signing_region,
    struct ekskit_err *err)
{
	const char *url = NULL, *from = NULL, *signing = region;
	char envname[96], shown[128];
	char *host = NULL, *u = NULL;
	size_t n;
	int r;

	*url_out = NULL;
	if (signing_region != NULL)
		*signing_region = NULL;
	if ((r = endpoint_override(service, o, &url, &from, envname,
	    sizeof(envname), err)) != 0)
		return r;
	if (url != NULL) {
		if (!url_ok(url)) {
			char redacted[HTTP_URL_SHOWN_MAX];

			printable(shown, sizeof(shown), http_url_for_message(url,
			    redacted, sizeof(redacted)));
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "endpoint URL '%s' (from %s) is not an http:// or "
			    "https:// URL", shown, from);
		}
		n = strlen(url);
		while (n > 0 && url[n - 1] == '/')
			n--;
		u = strndup(url, n);
	} else {
		if ((r = service_host(service, region, o, &host, &signing, err)) != 0)
			return r;
		if (asprintf(&u, "https://%s", host) < 0)
			u = NULL;
		free(host);
	}
	if (u == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (signing_region != NULL && (*signing_region = ek_strdup(signing)) == NULL &&
	    signing != NULL) {
		free(u);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	*url_out = u;
	return 0;
}

int
aws_endpoint_url(const char *service, const char *region,
    const struct aws_endpoint_opts *o, char **out, struct ekskit_err *err)
{
	return aws_endpoint_resolve(service, region, o, out, NULL, err);
}

int
aws_sts_token_endpoint(const char *region, const struct aws_endpoint_opts *o,
    char **host, char **signing_region, struct ekskit_err *err)
{
	const char *signing;
	int r;

	*signing_region = NULL;
	if ((r = service_host("sts", region, o, host, &signing, err)) != 0)
		return r;
	if ((*signing_region = strdup(signing)) == NULL) {
		free(*host);
		*host = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
aws_sts_token_host(const char *region, const struct aws_endpoint_opts *o,
    char **out, struct ekskit_err *err)
{
	const char *signing;

	return service_host("sts", region, o, out, &signing, err);
}

const char *const *
aws_known_regions(void)
{
	static const char *const regions[] = {
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
	"ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1",
	"ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
	"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
	"eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
	"us-west-2", "cn-north-1", "cn-northwest-1", "us-gov-east-1",
	"us-gov-west-1", "us-iso-east-1", "us-iso-west-1", "us-isob-east-1", NULL,
	};

	return regions;
}
