/*
 * Credentials and the default provider chain: see include/ekskit/creds.h
 * and lib/creds_internal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"
#include "ekskit/error.h"
#include "creds_internal.h"

/* -------------------------------------------------------- credentials */

struct aws_credentials *
aws_credentials_new(const char *access_key_id, const char *secret_access_key,
    const char *session_token, time_t expiration, const char *provider)
{
	struct aws_credentials *c;

	if (access_key_id == NULL || secret_access_key == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->access_key_id = strdup(access_key_id);
	c->secret_access_key = strdup(secret_access_key);
	c->session_token = ek_strdup(session_token);
	c->provider = strdup(provider != NULL ? provider : "unknown");
	c->expiration = expiration;
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    c->provider == NULL || (session_token != NULL && c->session_token == NULL)) {
		aws_credentials_free(c);
		return NULL;
	}
	return c;
}

struct aws_credentials *
aws_credentials_dup(const struct aws_credentials *c)
{
	if (c == NULL)
		return NULL;
	return aws_credentials_new(c->access_key_id, c->secret_access_key,
	    c->session_token, c->expiration, c->provider);
}

void
aws_credentials_free(struct aws_credentials *c)
{
	if (c == NULL)
		return;
	/* the access key id is not secret, but it identifies the user: wipe it too */
	ek_free_secret(c->access_key_id);
	ek_free_secret(c->secret_access_key);
	ek_free_secret(c->session_token);
	free(c->provider);
	ek_freezero(c, sizeof(*c));
}

/* -------------------------------------------------------------- chain */

void
creds_provider_free_plain(struct creds_provider *p)
{
	free(p);
}

struct creds_provider *
creds_provider_alloc(const char *name,
    int (*get)(struct creds_provider *, const struct creds_ctx *,
    struct aws_credentials **, struct ekskit_err *))
{
	struct creds_provider *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->name = name;
	p->get = get;
	p->destroy = creds_provider_free_plain;
	return p;
}

/*
 * The default chain, in the order the AWS CLI documents:
 *   environment -> web identity (env) -> shared files / profile
 *   -> container credentials -> instance metadata.
 * Issue 3 adds its providers here, one line each, at their place.
 */
static struct creds_provider *(*const default_chain[])(void) = {
	creds_env_provider_new,          /* AWS_ACCESS_KEY_ID, ... */
	creds_provider_web_identity_env_new, /* AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN */
	creds_profile_provider_new,      /* ~/.aws files: static keys, assume-role, SSO, ... */
	creds_provider_container_new,    /* AWS_CONTAINER_CREDENTIALS_{RELATIVE,FULL}_URI */
	creds_provider_imds_new,         /* instance metadata, IMDSv2 */
};
#define NCHAIN (sizeof(default_chain) / sizeof(default_chain[0]))

int
creds_resolve_chain(struct creds_provider *const *providers, size_t n,
    const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct ekbuf looked;
	struct ekskit_err perr;
	size_t i;
	int r = EKSKIT_ERR_NOT_FOUND;

	*out = NULL;
	ekbuf_init(&looked, EKSKIT_ERR_MSG_MAX);
	for (i = 0; i < n && r == EKSKIT_ERR_NOT_FOUND; i++) {
		ekskit_err_clear(&perr);
		r = providers[i]->get(providers[i], ctx, out, &perr);
		if (r == EKSKIT_ERR_NOT_FOUND && perr.msg[0] != '\0')
			(void)ekbuf_printf(&looked, "%s%s", looked.len ? "; " : "",
			    perr.msg);
		else if (r != 0 && err != NULL)
			*err = perr;
	}
	if (r == 0 && *out == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_INTERNAL,
		    "credential provider %s returned nothing", providers[i - 1]->name);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		const char *prof = ctx->profile ? ctx->profile : "default";

		r = ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "no AWS credentials found. Looked in: %s. To fix: export "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "
		    "`aws configure%s%s` (static keys), or `aws sso login%s%s` "
		    "(SSO), or choose another profile with --profile or AWS_PROFILE",
		    looked.len ? looked.data : "nowhere",
		    strcmp(prof, "default") ? " --profile " : "",
		    strcmp(prof, "default") ? prof : "",
		    strcmp(prof, "default") ? " --profile " : "",
		    strcmp(prof, "default") ? prof : "");
	}
	ekbuf_release(&looked);
	return r;
}

int
creds_resolve_default(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct creds_provider *chain[NCHAIN];
	struct awsconfig *loaded = NULL;
	struct creds_ctx local = *ctx;
	size_t i, n = 0;
	int r;

	*out = NULL;
	if (local.profile == NULL)
		local.profile = awsconfig_selected_profile(NULL);
	if (local.cfg == NULL) {
		if ((r = awsconfig_load(&loaded, err)) != 0)
			return r;
		local.cfg = loaded;
	}
	if ((r = awsconfig_require_profile(local.cfg, local.profile, err)) != 0)
		goto out;
	for (i = 0; i < NCHAIN; i++) {
		if ((chain[n] = default_chain[i]()) == NULL) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	r = creds_resolve_chain(chain, n, &local, out, err);
out:
	for (i = 0; i < n; i++)
		chain[i]->destroy(chain[i]);
	awsconfig_free(loaded);
	return r;
}
