/* eks-access's AWS clients (see include/ekskit/access_aws.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/access_aws.h"
#include "ekskit/awsconfig.h"
#include "ekskit/creds.h"
#include "ekskit/endpoints.h"

void
access_aws_release(struct access_aws *a)
{
	if (a == NULL)
		return;
	awsconfig_free(a->cfg);
	free(a->region);
	free(a->eks_url);
	free(a->iam_url);
	free(a->iam_signing);
	free(a->sts_url);
	free(a->sts_signing);
	aws_credentials_free(a->creds);
	memset(a, 0, sizeof(*a));
}

static void
client_init(struct aws_client *c, const char *service, const char *region,
    const char *url, const struct access_aws *a, int verbose)
{
	memset(c, 0, sizeof(*c));
	c->service = service;
	c->region = region;
	c->endpoint = url;
	c->creds = a->creds;
	c->verbose = verbose;
}

int
access_aws_init(struct access_aws *a, const char *profile, const char *region,
    int verbose, struct ekskit_err *err)
{
	struct aws_endpoint_opts eo;
	struct creds_ctx cc;
	const char *prof;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = awsconfig_load(&a->cfg, err)) != EKSKIT_OK)
		return r;
	prof = awsconfig_selected_profile(profile);
	if (profile != NULL &&
	    (r = awsconfig_require_profile(a->cfg, profile, err)) != EKSKIT_OK)
		return r;
	memset(&eo, 0, sizeof(eo));
	eo.cfg = a->cfg;
	eo.profile = prof;
	eo.use_fips = -1;
	eo.use_dualstack = -1;
	if ((r = aws_resolve_region(region, &eo, &a->region, err)) != 0 ||
	    (r = aws_endpoint_url("eks", a->region, &eo, &a->eks_url, err)) != 0 ||
	    (r = aws_endpoint_resolve("iam", a->region, &eo, &a->iam_url,
	    &a->iam_signing, err)) != 0 ||
	    (r = aws_endpoint_resolve("sts", a->region, &eo, &a->sts_url,
	    &a->sts_signing, err)) != 0)
		return r;
	memset(&cc, 0, sizeof(cc));
	cc.cfg = a->cfg;
	cc.profile = prof;
	cc.region = a->region;
	cc.now = time(NULL);
	cc.verbose = verbose;
	cc.profile_from_flag = profile != NULL;
	if ((r = creds_resolve_default(&cc, &a->creds, err)) != EKSKIT_OK)
		return r;
	client_init(&a->eks, "eks", a->region, a->eks_url, a, verbose);
	client_init(&a->iam, "iam", a->iam_signing, a->iam_url, a, verbose);
	client_init(&a->sts, "sts", a->sts_signing, a->sts_url, a, verbose);
	return EKSKIT_OK;
}
