/* Minting an EKS token end to end: see include/ekskit/tokengen.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/awsconfig.h"
#include "ekskit/awsreq.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/cli.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"
#include "ekskit/endpoints.h"
#include "ekskit/error.h"
#include "ekskit/execcred.h"
#include "ekskit/sts.h"
#include "ekskit/token.h"
#include "ekskit/timeutil.h"
#include "ekskit/tokengen.h"

void
tokengen_result_release(struct tokengen_result *r)
{
	if (r == NULL)
		return;
	ek_free_secret(r->token);
	memset(r, 0, sizeof(*r));
}

/* "2024-01-01T00:00:00Z" for the log, or "?" */
static const char *
when(time_t t, char buf[21])
{
	if (timeutil_format_rfc3339(t, buf) != EKSKIT_OK)
		snprintf(buf, 21, "?");
	return buf;
}

/* Keep the logger from ever printing these credentials' secrets. */
static void
guard_secrets(struct cli_logger *log, const struct aws_credentials *c)
{
	if (log == NULL || c == NULL)
		return;
	(void)cli_logger_add_secret(log, c->secret_access_key);
	(void)cli_logger_add_secret(log, c->session_token);
}

/* The user's config files; an explicit --profile must exist in them. */
static int
load_config(const struct tokengen_opts *o, struct awsconfig **cfg,
    const char **profile, struct ekskit_err *err)
{
	int ret;

	if ((ret = awsconfig_load(cfg, err)) != EKSKIT_OK)
		return ret;
	*profile = awsconfig_selected_profile(o->profile);
	/* checked before the region, as the AWS CLI does: it is the likelier typo */
	return awsconfig_require_profile(*cfg, o->profile, err);
}

/*
 * --forward-session-name: the session name of the source credentials when
 * they are an assumed role ("arn:aws:sts::1:assumed-role/Role/SESSION"), as
 * aws-iam-authenticator does; else the default name.  *out malloc'd.
 */
static int
forwarded_session_name(const struct tokengen_opts *o, const struct aws_client *c,
    char **out, struct ekskit_err *err)
{
	struct sts_identity id;
	const char *slash;
	int ret;

	*out = NULL;
	memset(&id, 0, sizeof(id));
	if ((ret = sts_get_caller_identity(c, &id, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "--forward-session-name: GetCallerIdentity");
		return ret;
	}
	if (id.arn != NULL && strstr(id.arn, ":assumed-role/") != NULL &&
	    (slash = strrchr(id.arn, '/')) != NULL && strlen(slash + 1) >= 2) {
		*out = ek_strdup(slash + 1);
		cli_log(o->log, "forwarding session name %s from %s", slash + 1, id.arn);
	} else {
		*out = ek_strdup(TOKENGEN_DEFAULT_SESSION_NAME);
		cli_log(o->log, "--forward-session-name: %s is not an assumed role; "
		    "using session name %s", id.arn ? id.arn : "the caller",
		    TOKENGEN_DEFAULT_SESSION_NAME);
	}
	sts_identity_release(&id);
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

struct assume_args {
	const struct tokengen_opts *o;
	const struct aws_client *client;
	const char *endpoint;
};

/* The STS call itself (the cache's fetch function). */
static int
fetch_assumed(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct assume_args *a = arg;
	const struct tokengen_opts *o = a->o;
	struct sts_assume_role_params p;
	char *forwarded = NULL, ts[21];
	int ret;

	memset(&p, 0, sizeof(p));
	p.role_arn = o->role_arn;
	p.session_name = o->session_name ? o->session_name : TOKENGEN_DEFAULT_SESSION_NAME;
	p.external_id = o->external_id;
	if (o->forward_session_name) {
		if ((ret = forwarded_session_name(o, a->client, &forwarded, err)) != EKSKIT_OK)
			return ret;
		p.session_name = forwarded;
	}
	cli_log(o->log, "assuming role %s (session %s) via %s", p.role_arn,
	    p.session_name, a->endpoint);
	/* on failure sts names the role and keeps the AWS code and message */
	ret = sts_assume_role(a->client, &p, out, err);
	if (ret == EKSKIT_OK)
		cli_log(o->log, "assumed role %s, credentials expire %s",
		    o->role_arn, (*out)->expiration ? when((*out)->expiration, ts) : "never");
	free(forwarded);
	return ret;
}

/*
 * STS AssumeRole with the source credentials, through the credential cache
 * (keyed by the role, session name choice, external id, source key, region
 * and endpoint); *out replaces them.
 */
static int
assume_role(const struct tokengen_opts *o, const char *region,
    const struct aws_endpoint_opts *eo, const struct creds_ctx *ctx,
    const struct aws_credentials *source, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct aws_client client;
	struct assume_args args;
	struct cache_key key;
	char *endpoint = NULL, *signing_region = NULL;
	int ret;

	*out = NULL;
	ret = aws_endpoint_resolve("sts", region, eo, &endpoint, &signing_region, err);
	if (ret != EKSKIT_OK)
		return ret;
	memset(&client, 0, sizeof(client));
	client.service = "sts";
	client.region = signing_region;
	client.endpoint = endpoint;
	client.creds = source;
	client.verbose = o->log ? o->log->verbose : 0;
	args.o = o;
	args.client = &client;
	args.endpoint = endpoint;
	ret = cache_key_init(&key, "role-arn-flag");
	if (ret == EKSKIT_OK) ret = cache_key_add(&key, "role_arn", o->role_arn);
	if (ret == EKSKIT_OK) ret = cache_key_add(&key, "session_name",
	    o->forward_session_name ? "(forwarded)" : o->session_name);
	if (ret == EKSKIT_OK) ret = cache_key_add(&key, "external_id", o->external_id);
	if (ret == EKSKIT_OK) ret = cache_key_add(&key, "source_access_key_id",
	    source->access_key_id);
	if (ret == EKSKIT_OK) ret = cache_key_add(&key, "region", signing_region);
	if (ret == EKSKIT_OK) ret = cache_key_add(&key, "endpoint", endpoint);
	if (ret == EKSKIT_OK)
		ret = cache_creds(ctx, &key, fetch_assumed, &args, out, err);
	else
		ret = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cache_key_release(&key);
	free(endpoint);
	free(signing_region);
	return ret;
}

/*
 * Region as configured; when nothing sets one and IMDS is not disabled,
 * the instance's own region (issue 3).  *region malloc'd.
 */
static int
resolve_region(const struct tokengen_opts *o, const struct aws_endpoint_opts *eo,
    struct awsconfig *cfg, const char *profile, char **region,
    struct ekskit_err *err)
{
	struct creds_ctx ictx;
	struct ekskit_err ierr;
	int ret;

	ret = aws_resolve_region(o->region, eo, region, err);
	if (ret != EKSKIT_ERR_CONFIG || imds_disabled())
		return ret;
	memset(&ictx, 0, sizeof(ictx));
	ictx.cfg = cfg;
	ictx.profile = profile;
	ictx.verbose = o->log ? o->log->verbose : 0;
	ekskit_err_clear(&ierr);
	if (imds_region(&ictx, region, &ierr) != EKSKIT_OK || !aws_region_valid(*region)) {
		free(*region);
		*region = NULL;
		return ret;  /* the original "no region" message */
	}
	cli_log(o->log, "region %s from instance metadata", *region);
	ekskit_err_clear(err);
	return EKSKIT_OK;
}

/* Append " --flag 'value'" (quoted unless plainly safe) to b. */
static void
add_shell_arg(struct ekbuf *b, const char *flag, const char *value)
{
	const char *p;

	if (value == NULL)
		return;
	(void)ekbuf_printf(b, " --%s ", flag);
	if (value[0] != '\0' && strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_./:@=,+-") == strlen(value)) {
		(void)ekbuf_puts(b, value);
		return;
	}
	(void)ekbuf_putc(b, '\'');
	for (p = value; *p; p++) {
		if (*p == '\'')
			(void)ekbuf_puts(b, "'\\''");
		else
			(void)ekbuf_putc(b, (unsigned char)*p < 0x20 ||
			    *p == 0x7f ? '?' : *p);
	}
	(void)ekbuf_putc(b, '\'');
}

char *
tokengen_terminal_command(const struct tokengen_opts *o)
{
	struct ekbuf b;

	ekbuf_init(&b, 8192);
	(void)ekbuf_puts(&b, "eks-token");
	add_shell_arg(&b, "cluster-name", o->cluster_id);
	add_shell_arg(&b, "region", o->region);
	add_shell_arg(&b, "profile", o->profile);
	add_shell_arg(&b, "role-arn", o->role_arn);
	return b.data ? ekbuf_detach(&b, NULL) : NULL;
}

int
tokengen_run(const struct tokengen_opts *o, struct tokengen_result *out,
    struct ekskit_err *err)
{
	struct awsconfig *cfg = NULL;
	struct aws_credentials *creds = NULL, *assumed = NULL;
	const struct aws_credentials *signer;
	struct aws_endpoint_opts eo;
	struct creds_ctx ctx;
	const char *profile = NULL;
	char *region = NULL, *host = NULL, *signing_region = NULL, *token = NULL;
	char *hint = NULL;
	size_t keep_secrets = o->log ? o->log->nsecrets : 0;
	time_t now;
	char ts[21];
	int ret;

	memset(out, 0, sizeof(*out));
	if (o->cluster_id == NULL || o->cluster_id[0] == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "a cluster name is required (--cluster-name NAME)");
	now = o->now ? o->now : time(NULL);

	if ((ret = load_config(o, &cfg, &profile, err)) != EKSKIT_OK)
		goto out;
	memset(&eo, 0, sizeof(eo));
	eo.cfg = cfg;
	eo.profile = profile;
	eo.use_fips = -1;
	eo.use_dualstack = -1;
	if ((ret = resolve_region(o, &eo, cfg, profile, &region, err)) != EKSKIT_OK)
		goto out;
	cli_log(o->log, "profile %s, region %s", profile, region);

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.profile = profile;
	ctx.region = region;
	ctx.now = now;
	ctx.verbose = o->log ? o->log->verbose : 0;
	ctx.no_cache = o->no_cache;
	ctx.profile_from_flag = o->profile != NULL;
	ctx.no_prompt = o->no_prompt;
	if (o->no_prompt) {
		/* the terminal may not have kubectl's AWS_PROFILE: name the profile */
		struct tokengen_opts named = *o;

		named.profile = profile;
		hint = tokengen_terminal_command(&named);
	}
	if (o->no_prompt && hint == NULL) {
		ret = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	ctx.terminal_hint = hint;
	if ((ret = creds_resolve_default(&ctx, &creds, err)) != EKSKIT_OK)
		goto out;
	guard_secrets(o->log, creds);
	cli_log(o->log, "credentials from %s (access key %s), expire %s",
	    creds->provider ? creds->provider : "?", creds->access_key_id,
	    creds->expiration ? when(creds->expiration, ts) : "never");

	signer = creds;
	if (o->role_arn != NULL) {
		if ((ret = assume_role(o, region, &eo, &ctx, creds, &assumed, err)) != EKSKIT_OK)
			goto out;
		guard_secrets(o->log, assumed);
		signer = assumed;
	}
	if (signer->expiration != 0 && signer->expiration <= now) {
		ret = ekskit_err_set(err, EKSKIT_ERR_EXPIRED,
		    "the credentials from %s expired at %s; refresh them and try again",
		    signer->provider ? signer->provider : "the credential chain",
		    when(signer->expiration, ts));
		goto out;
	}

	/* legacy mode's global host signs as us-east-1, whatever the region */
	ret = aws_sts_token_endpoint(region, &eo, &host, &signing_region, err);
	if (ret != EKSKIT_OK)
		goto out;
	ret = eks_token_generate(o->cluster_id, signing_region, host, signer, now,
	    &token, err);
	if (ret != EKSKIT_OK)
		goto out;
	out->token = token;
	out->signed_at = now;
	out->expiration = eks_token_expiry(now, signer->expiration);
	cli_log(o->log, "token for cluster %s: STS host %s (signing region %s), expires %s",
	    o->cluster_id, host, signing_region, when(out->expiration, ts));
	token = NULL;
	ret = EKSKIT_OK;
out:
	cli_logger_forget_secrets_after(o->log, keep_secrets);
	ek_free_secret(token);
	free(hint);
	aws_credentials_free(assumed);
	aws_credentials_free(creds);
	free(host);
	free(signing_region);
	free(region);
	awsconfig_free(cfg);
	return ret;
}
