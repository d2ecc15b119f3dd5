/*
 * eks-kubeconfig --all over regions and profiles (issue 12).
 *
 *   1. every profile (--profiles, --all-profiles, else the selected one)
 *      resolves its own credentials, region and partition, and, with
 *      --assume-role-arn, the role that reads the clusters;
 *   2. one target per profile and region (--regions, the partition's known
 *      regions for --all-regions, else the profile's region);
 *   3. ListClusters of every target, then DescribeCluster of every cluster
 *      found, each as one parallel batch over one libcurl multi loop with
 *      at most MANY_PARALLEL connections (eks_*_each);
 *   4. the entries of every usable cluster, and with --prune the stale
 *      ones of each target listed completely, go into ONE locked update.
 *
 * A region whose calls are rejected as from an unknown client
 * (UnrecognizedClientException, InvalidClientTokenId, AuthFailure,
 * OptInRequired) while another region of the same profile answered is not
 * enabled for the account: it is skipped with a note.  Every other failure
 * of a profile, region or cluster is reported through io->notify, the rest
 * is still written, and the first failure is returned.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/awsconfig.h"
#include "ekskit/awsreq.h"
#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/eks.h"
#include "ekskit/endpoints.h"
#include "ekskit/sts.h"
#include "eks_kubeconfig_internal.h"

#define MANY_PARALLEL 16        /* connections at once, over every region and profile */
#define MANY_MAX_TARGETS 4096   /* profiles x regions */
#define LIST_ITEMS_MAX 256      /* names in --regions / --profiles */
#define DESCRIBE_SESSION "EKSDescribeClusterSession"   /* as the AWS CLI */

struct scan_profile {
	char *name;                 /* profile whose settings are used */
	const char *recorded;       /* profile written into exec blocks; NULL = none */
	char *home;                 /* its region (STS, partition) */
	char **regions;             /* regions to scan, NULL-terminated */
	struct aws_credentials *creds;
	int rc;                     /* 0, or why this profile could not be used */
	int answered;               /* some region of it answered ListClusters */
};

struct scan_target {
	struct scan_profile *p;
	const char *region;         /* borrowed from p->regions */
	char *endpoint;
	struct aws_client client;
	char **names;               /* ListClusters result */
	int rc;
	int skipped;                /* region not enabled for the account */
	struct ekskit_err err;
};

struct scan {
	struct awsconfig *cfg;
	struct scan_profile *profiles;
	size_t np;
	struct scan_target *targets;
	size_t nt;
	size_t failures;
	int first_rc;
	struct ekskit_err first_err;
};

static void
note(const struct ekc_io *io, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
note(const struct ekc_io *io, int level, const char *fmt, ...)
{
	char msg[EKSKIT_ERR_MSG_MAX + 256];
	va_list ap;

	if (io->notify == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	io->notify(io->arg, level, msg);
}

/*
 * A failed profile, region or cluster: warned about now (unless only one
 * region of one profile is scanned: then it is simply the error), the
 * first one returned at the end.
 */
static void
failed(struct scan *s, const struct ekc_io *io, int rc, const struct ekskit_err *e,
    const char *what)
{
	if (s->np > 1 || s->nt > 1)
		note(io, 0, "%s: %s", what, e->msg[0] ? e->msg : ekskit_strerror(rc));
	if (s->failures++ == 0) {
		s->first_rc = rc;
		s->first_err = *e;
		if (s->np > 1 || s->nt > 1)
			ekskit_err_prefix(&s->first_err, "%s", what);
	}
}

static size_t
strv_count(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Split "a,b,c" into a NULL-terminated list (empty items are an error). */
static int
split_list(const char *flag, const char *s, char ***out, struct ekskit_err *err)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = s, *c;

	*out = NULL;
	if ((v = calloc(LIST_ITEMS_MAX + 1, sizeof(*v))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (;;) {
		c = strchr(p, ',');
		if (n == LIST_ITEMS_MAX || c == p || *p == '\0') {
			ek_strv_free(v);
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, n == LIST_ITEMS_MAX ?
			    "%s lists too many names" : "%s wants a comma-separated "
			    "list without empty items", flag);
		}
		if ((v[n++] = c ? ek_strndup(p, (size_t)(c - p)) : strdup(p)) == NULL) {
			ek_strv_free(v);
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		}
		if (c == NULL)
			break;
		p = c + 1;
	}
	*out = v;
	return EKSKIT_OK;
}

int
ekc_many_check(const struct ekc_opts *o, struct ekskit_err *err)
{
	char **v = NULL;
	size_t i;
	int r = EKSKIT_OK;

	if (!o->all && (o->regions || o->all_regions || o->profiles ||
	    o->all_profiles || o->prune))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--regions, "
		    "--all-regions, --profiles, --all-profiles and --prune work "
		    "with --all");
	if ((o->regions && o->all_regions) || (o->region && (o->regions ||
	    o->all_regions)))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--region, --regions and --all-regions exclude each other");
	if ((o->profiles && o->all_profiles) || (o->profile && (o->profiles ||
	    o->all_profiles)))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--profile, --profiles and --all-profiles exclude each other");
	if (o->no_profile && (o->entry.profile_as_arg || o->profiles || o->all_profiles))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--no-profile excludes "
		    "--profile-arg, --profiles and --all-profiles (each entry needs its profile)");
	if (o->prune && (o->output_file || o->users_file))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--prune edits a kubeconfig: not with --output-file or --users");
	if (o->assume_role_arn != NULL && (!ek_startswith(o->assume_role_arn, "arn:") ||
	    strstr(o->assume_role_arn, ":role/") == NULL))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--assume-role-arn \"%s\" "
		    "is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)",
		    o->assume_role_arn);
	if (o->regions != NULL && (r = split_list("--regions", o->regions, &v, err)) == 0)
		for (i = 0; v[i] != NULL && r == EKSKIT_OK; i++)
			if (!aws_region_valid(v[i]))
				r = ekskit_err_set(err, EKSKIT_ERR_USAGE,
				    "--regions: \"%s\" is not a region name", v[i]);
	ek_strv_free(v);
	v = NULL;
	if (r == EKSKIT_OK && o->profiles != NULL &&
	    (r = split_list("--profiles", o->profiles, &v, err)) == EKSKIT_OK)
		ek_strv_free(v);
	return r;
}

int
ekc_assume_describe_role(const struct ekc_opts *o, const struct awsconfig *cfg,
    const char *profile, const char *region, const struct aws_credentials *creds,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct sts_assume_role_params p;
	struct aws_endpoint_opts eo;
	struct aws_client c;
	char *url = NULL, *signing = NULL;
	int r;

	*out = NULL;
	memset(&eo, 0, sizeof(eo));
	eo.cfg = cfg;
	eo.profile = profile;
	eo.use_fips = -1;
	eo.use_dualstack = -1;
	if ((r = aws_endpoint_resolve("sts", region, &eo, &url, &signing, err)) == 0) {
		memset(&c, 0, sizeof(c));
		c.service = "sts";
		c.region = signing;
		c.endpoint = url;
		c.creds = creds;
		c.verbose = o->verbose;
		memset(&p, 0, sizeof(p));
		p.role_arn = o->assume_role_arn;
		p.session_name = DESCRIBE_SESSION;
		if ((r = sts_assume_role(&c, &p, out, err)) != EKSKIT_OK)
			ekskit_err_prefix(err, "--assume-role-arn");
	}
	free(url);
	free(signing);
	return r;
}

static void
endpoint_opts(const struct scan *s, const char *profile, struct aws_endpoint_opts *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->cfg = s->cfg;
	eo->profile = profile;
	eo->use_fips = -1;
	eo->use_dualstack = -1;
}

/* The regions of one profile: --regions, its partition's (--all-regions), or its own. */
static int
profile_regions(const struct ekc_opts *o, struct scan_profile *p,
    struct ekskit_err *err)
{
	const struct aws_partition *part = aws_partition_of(p->home);
	const char *const *known = aws_known_regions();
	size_t n = 0, i;

	if (o->regions != NULL)
		return split_list("--regions", o->regions, &p->regions, err);
	for (i = 0; known[i] != NULL; i++)
		n++;
	if ((p->regions = calloc(n + 2, sizeof(char *))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	n = 0;
	if (!o->all_regions)
		p->regions[n++] = strdup(p->home);
	for (i = 0; o->all_regions && known[i] != NULL; i++)
		if (aws_partition_of(known[i]) == part &&
		    (p->regions[n++] = strdup(known[i])) == NULL)
			break;
	for (i = 0; i < n; i++)
		if (p->regions[i] == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

/* Region, credentials (and the describe role) of one profile. */
static int
profile_init(const struct ekc_opts *o, const struct ekc_io *io, struct scan *s,
    struct scan_profile *p, int listed, struct ekskit_err *err)
{
	struct aws_endpoint_opts eo;
	struct aws_credentials *assumed;
	struct creds_ctx cc;
	int r;

	if (listed && (r = awsconfig_require_profile(s->cfg, p->name, err)) != 0)
		return r;
	endpoint_opts(s, p->name, &eo);
	r = aws_resolve_region(o->region, &eo, &p->home, err);
	if (r == EKSKIT_ERR_CONFIG && (o->regions || o->all_regions)) {
		/* the scanned regions say where to go; STS and the partition follow them */
		ekskit_err_clear(err);
		p->home = o->regions ? ek_strndup(o->regions, strcspn(o->regions, ",")) :
		    strdup(aws_partitions()[0]->default_region);
		r = p->home ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if (r != EKSKIT_OK || (r = profile_regions(o, p, err)) != EKSKIT_OK)
		return r;
	memset(&cc, 0, sizeof(cc));
	cc.cfg = s->cfg;
	cc.profile = p->name;
	cc.region = p->home;
	cc.now = time(NULL);
	cc.verbose = o->verbose;
	cc.profile_from_flag = listed || o->profile != NULL;
	if ((r = creds_resolve_default(&cc, &p->creds, err)) != EKSKIT_OK)
		return r;
	note(io, 1, "profile %s: region %s, credentials from %s", p->name, p->home,
	    p->creds->provider ? p->creds->provider : "?");
	if (o->assume_role_arn == NULL)
		return EKSKIT_OK;
	if ((r = ekc_assume_describe_role(o, s->cfg, p->name, p->home, p->creds,
	    &assumed, err)) != EKSKIT_OK)
		return r;
	aws_credentials_free(p->creds);
	p->creds = assumed;
	return EKSKIT_OK;
}

/* The profile names to scan, NULL-terminated. */
static int
profile_names(const struct ekc_opts *o, const struct scan *s, char ***out,
    struct ekskit_err *err)
{
	if (o->profiles != NULL)
		return split_list("--profiles", o->profiles, out, err);
	if (o->all_profiles)
		*out = awsconfig_profile_names(s->cfg);
	else if ((*out = calloc(2, sizeof(char *))) != NULL &&
	    ((*out)[0] = strdup(awsconfig_selected_profile(o->profile))) == NULL) {
		free(*out);
		*out = NULL;
	}
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if ((*out)[0] == NULL) {
		ek_strv_free(*out);
		*out = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "--all-profiles: no "
		    "profiles in %s or %s", awsconfig_config_path(),
		    awsconfig_credentials_path());
	}
	return EKSKIT_OK;
}

static int
profiles_init(const struct ekc_opts *o, const struct ekc_io *io, struct scan *s,
    struct ekskit_err *err)
{
	int listed = o->profiles != NULL || o->all_profiles, r;
	struct ekskit_err e;
	char **names;
	char what[512];
	size_t i;

	if ((r = profile_names(o, s, &names, err)) != EKSKIT_OK)
		return r;
	while (names[s->np] != NULL)
		s->np++;
	if ((s->profiles = calloc(s->np, sizeof(*s->profiles))) == NULL) {
		ek_strv_free(names);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < s->np; i++) {
		struct scan_profile *p = &s->profiles[i];
		p->name = names[i];
		names[i] = NULL;
		p->recorded = listed ? (o->no_profile ? NULL : p->name) : ekc_exec_profile(o);
		ekskit_err_clear(&e);
		if ((p->rc = profile_init(o, io, s, p, listed, &e)) != EKSKIT_OK) {
			if (s->np == 1) {   /* one profile: its error is the error */
				if (err != NULL)
					*err = e;
				free(names);
				return p->rc;
			}
			snprintf(what, sizeof(what), "profile %s", p->name);
			failed(s, io, p->rc, &e, what);
		}
	}
	free(names);
	return EKSKIT_OK;
}

static int
targets_init(struct scan *s, struct ekskit_err *err)
{
	struct aws_endpoint_opts eo;
	size_t i, j, n = 0;
	int r;

	for (i = 0; i < s->np; i++)
		for (j = 0; s->profiles[i].rc == 0 && s->profiles[i].regions[j]; j++)
			n++;
	if (n > MANY_MAX_TARGETS)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%zu profile and region "
		    "pairs: at most %d", n, MANY_MAX_TARGETS);
	if ((s->targets = calloc(n ? n : 1, sizeof(*s->targets))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < s->np; i++) {
		struct scan_profile *p = &s->profiles[i];
		endpoint_opts(s, p->name, &eo);
		for (j = 0; p->rc == 0 && p->regions[j] != NULL; j++) {
			struct scan_target *t = &s->targets[s->nt++];
			t->p = p;
			t->region = p->regions[j];
			if ((r = aws_endpoint_url("eks", t->region, &eo, &t->endpoint,
			    err)) != EKSKIT_OK)
				return r;
			t->client.service = "eks";
			t->client.region = t->region;
			t->client.endpoint = t->endpoint;
			t->client.creds = p->creds;
		}
	}
	return EKSKIT_OK;
}

/* The codes of a region the account has not opted in to. */
static int
not_enabled_code(const char *code)
{
	static const char *const codes[] = {
		"UnrecognizedClientException", "InvalidClientTokenId",
		"AuthFailure", "OptInRequired", NULL,
	};
	size_t i;

	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/* One note per profile naming the regions skipped as not enabled. */
static void
note_skipped(const struct scan *s, const struct ekc_io *io)
{
	struct ekbuf b;
	size_t i, j;

	ekbuf_init(&b, 8192);
	for (i = 0; i < s->np; i++) {
		ekbuf_reset(&b);
		for (j = 0; j < s->nt; j++)
			if (s->targets[j].p == &s->profiles[i] && s->targets[j].skipped)
				(void)ekbuf_printf(&b, "%s%s", b.len ? ", " : "",
				    s->targets[j].region);
		if (b.len > 0)
			note(io, 0, "profile %s: skipped regions not enabled for its "
			    "account: %s", s->profiles[i].name, b.data);
	}
	ekbuf_release(&b);
}

static int
list_all(struct scan *s, const struct ekc_io *io, struct ekskit_err *err)
{
	const struct aws_client **cv = calloc(s->nt ? s->nt : 1, sizeof(*cv));
	struct ekskit_err *errs = calloc(s->nt ? s->nt : 1, sizeof(*errs));
	char ***names = calloc(s->nt ? s->nt : 1, sizeof(*names));
	int *rcs = calloc(s->nt ? s->nt : 1, sizeof(*rcs)), r = EKSKIT_OK;
	char what[512];
	size_t i;

	if (cv == NULL || errs == NULL || names == NULL || rcs == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < s->nt; i++)
		cv[i] = &s->targets[i].client;
	eks_list_clusters_each(cv, s->nt, names, rcs, errs, MANY_PARALLEL);
	for (i = 0; i < s->nt; i++) {
		s->targets[i].names = names[i];
		s->targets[i].rc = rcs[i];
		s->targets[i].err = errs[i];
		if (rcs[i] == EKSKIT_OK)
			s->targets[i].p->answered = 1;
	}
	for (i = 0; i < s->nt; i++) {
		struct scan_target *t = &s->targets[i];
		if (t->rc == EKSKIT_OK) {
			note(io, 1, "profile %s, region %s: %zu clusters", t->p->name,
			    t->region, strv_count(t->names));
		} else if (t->p->answered && not_enabled_code(t->err.remote_code)) {
			t->skipped = 1;
		} else {
			snprintf(what, sizeof(what), "profile %s, region %s", t->p->name,
			    t->region);
			failed(s, io, t->rc, &t->err, what);
		}
	}
	note_skipped(s, io);
out:
	free(cv);
	free(errs);
	free(names);
	free(rcs);
	return r;
}

/* Every cluster found, described in one parallel batch. */
struct found {
	const struct aws_client **clients;
	char **names;               /* borrowed from the targets */
	struct scan_target **of;
	struct eks_cluster **cl;
	int *rcs;
	struct ekskit_err *errs;
	size_t n;
};

static void
found_release(struct found *f)
{
	size_t i;

	for (i = 0; f->cl != NULL && i < f->n; i++)
		eks_cluster_free(f->cl[i]);
	free(f->clients);
	free(f->names);
	free(f->of);
	free(f->cl);
	free(f->rcs);
	free(f->errs);
	memset(f, 0, sizeof(*f));
}

static int
describe_all(struct scan *s, const struct ekc_io *io, struct found *f,
    struct ekskit_err *err)
{
	size_t i, j, n = 0;
	char what[512];

	for (i = 0; i < s->nt; i++)
		n += strv_count(s->targets[i].names);
	f->clients = calloc(n ? n : 1, sizeof(*f->clients));
	f->names = calloc(n ? n : 1, sizeof(*f->names));
	f->of = calloc(n ? n : 1, sizeof(*f->of));
	f->cl = calloc(n ? n : 1, sizeof(*f->cl));
	f->rcs = calloc(n ? n : 1, sizeof(*f->rcs));
	f->errs = calloc(n ? n : 1, sizeof(*f->errs));
	if (!f->clients || !f->names || !f->of || !f->cl || !f->rcs || !f->errs)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < s->nt; i++)
		for (j = 0; s->targets[i].names && s->targets[i].names[j]; j++) {
			f->clients[f->n] = &s->targets[i].client;
			f->names[f->n] = s->targets[i].names[j];
			f->of[f->n++] = &s->targets[i];
		}
	eks_describe_clusters_each(f->clients, f->names, f->n, f->cl, f->rcs,
	    f->errs, MANY_PARALLEL);
	for (i = 0; i < f->n; i++)
		if (f->rcs[i] != EKSKIT_OK) {
			snprintf(what, sizeof(what), "profile %s, region %s",
			    f->of[i]->p->name, f->of[i]->region);
			failed(s, io, f->rcs[i], &f->errs[i], what);
		}
	return EKSKIT_OK;
}

/* 1 when an earlier usable cluster had the same ARN (the same cluster seen by two profiles). */
static int
seen_before(const struct found *f, size_t i, const int *used)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (used[j] && strcmp(f->cl[j]->arn, f->cl[i]->arn) == 0)
			return 1;
	return 0;
}

/* Entries for every usable cluster (inactive ones are skipped with a warning). */
static int
build_entries(const struct ekc_opts *o, const struct ekc_io *io,
    const struct found *f, struct kcu_entries **e, size_t *k, struct ekskit_err *err)
{
	int *used = calloc(f->n ? f->n : 1, sizeof(*used)), warn, r = EKSKIT_OK;
	struct kcu_entry_opts eo;
	struct ekskit_err e2;
	size_t i;

	*k = 0;
	if (used == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < f->n && r == EKSKIT_OK; i++) {
		if (f->cl[i] == NULL)
			continue;
		ekskit_err_clear(&e2);
		if (kcu_cluster_usable(f->cl[i], &warn, &e2) != EKSKIT_OK) {
			note(io, 0, "skipping %s", e2.msg);
			continue;
		}
		if (seen_before(f, i, used)) {
			note(io, 1, "%s is also reachable with profile %s; keeping the "
			    "first entry", f->cl[i]->arn, f->of[i]->p->name);
			continue;
		}
		if (warn)
			note(io, 0, "cluster %s is UPDATING; writing its entry anyway",
			    f->names[i]);
		eo = o->entry;
		eo.profile = f->of[i]->p->recorded;
		if ((r = kcu_entries_build(f->cl[i], &eo, &e[*k], err)) == EKSKIT_OK) {
			used[i] = 1;
			(*k)++;
		}
	}
	free(used);
	return r;
}

/* --prune: every target listed completely is a scope. */
static int
prune_scopes(const struct scan *s, struct kcu_scope **out, size_t *n,
    struct ekskit_err *err)
{
	size_t i;

	*n = 0;
	if ((*out = calloc(s->nt ? s->nt : 1, sizeof(**out))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < s->nt; i++)
		if (s->targets[i].rc == EKSKIT_OK) {
			(*out)[*n].profile = s->targets[i].p->recorded;
			(*out)[*n].region = s->targets[i].region;
			(*out)[(*n)++].live = s->targets[i].names;
		}
	return EKSKIT_OK;
}

static void
scan_release(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->nt; i++) {
		free(s->targets[i].endpoint);
		ek_strv_free(s->targets[i].names);
	}
	for (i = 0; i < s->np; i++) {
		free(s->profiles[i].name);
		free(s->profiles[i].home);
		ek_strv_free(s->profiles[i].regions);
		aws_credentials_free(s->profiles[i].creds);
	}
	free(s->targets);
	free(s->profiles);
	awsconfig_free(s->cfg);
	memset(s, 0, sizeof(*s));
}

/* Nothing to write and nothing to prune: say why. */
static int
nothing_found(const struct scan *s, const struct found *f, struct ekskit_err *err)
{
	if (f->n > 0)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "none of the %zu "
		    "clusters found is active", f->n);
	if (s->nt == 1)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no clusters in "
		    "region %s (check --region and your account)", s->targets[0].region);
	return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no clusters in the %zu "
	    "regions scanned (check --regions and your accounts)", s->nt);
}

static int
write_found(const struct ekc_opts *o, const struct ekc_io *io, struct scan *s,
    const struct found *f, struct ekskit_err *err)
{
	struct kcu_entries **e = calloc(f->n ? f->n : 1, sizeof(*e));
	struct kcu_scope *scopes = NULL;
	struct kcu_prune pr;
	size_t k = 0, i;
	int r;

	if (e == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if ((r = build_entries(o, io, f, e, &k, err)) != EKSKIT_OK ||
	    (o->prune && (r = prune_scopes(s, &scopes, &pr.n, err)) != EKSKIT_OK))
		goto out;
	pr.scopes = scopes;
	if (k == 0 && !(o->prune && pr.n > 0)) {
		r = s->failures ? EKSKIT_OK : nothing_found(s, f, err);
		goto out;
	}
	r = ekc_write_and_report(o, io, e, k, o->output_file, o->prune ? &pr : NULL,
	    err);
out:
	for (i = 0; i < k; i++)
		kcu_entries_free(e[i]);
	free(e);
	free(scopes);
	return r;
}

int
ekc_many_run(const struct ekc_opts *o, const struct ekc_io *io,
    struct ekskit_err *err)
{
	struct found f;
	struct scan s;
	int r;

	memset(&s, 0, sizeof(s));
	memset(&f, 0, sizeof(f));
	if ((r = awsconfig_load(&s.cfg, err)) == EKSKIT_OK &&
	    (r = profiles_init(o, io, &s, err)) == EKSKIT_OK &&
	    (r = targets_init(&s, err)) == EKSKIT_OK &&
	    (r = list_all(&s, io, err)) == EKSKIT_OK &&
	    (r = describe_all(&s, io, &f, err)) == EKSKIT_OK)
		r = write_found(o, io, &s, &f, err);
	if (r == EKSKIT_OK && s.failures > 0) {
		/* the rest was written; the exit status still says something failed */
		r = s.first_rc;
		if (s.failures == 1 && err != NULL)
			*err = s.first_err;
		else
			ekskit_err_set(err, r, "%zu profiles, regions or clusters failed "
			    "(see the warnings above); everything else was written",
			    s.failures);
	}
	found_release(&f);
	scan_release(&s);
	return r;
}
