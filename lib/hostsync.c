/* eks-hosts end to end: see include/ekskit/hostsync.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "ekskit/awsconfig.h"
#include "ekskit/awsreq.h"
#include "ekskit/cli.h"
#include "ekskit/creds.h"
#include "ekskit/dns.h"
#include "ekskit/ec2.h"
#include "ekskit/eks.h"
#include "ekskit/endpoints.h"
#include "ekskit/hostsfile.h"
#include "ekskit/hostsync.h"
#include "ekskit/buf.h"
#include "ekskit/proc.h"
#include "testhook.h"

extern char **environ;

#define PROBE_PORT 443
#define PROBE_TIMEOUT_MS 2000

/* Everything a run shares across clusters.  Owned. */
struct session {
	struct awsconfig *cfg;
	const char *profile;          /* borrowed */
	char *region;
	struct aws_credentials *creds;
	char *eks_url;
	char *ec2_url;
	char *resolvers_csv;
	int written;                  /* some hosts file was changed */
	struct aws_client eks;
	struct aws_client ec2;
};

/* One cluster to handle. */
struct target {
	const char *name;             /* borrowed */
	char *host;                   /* validated endpoint host, owned */
	const char *vpc_id;           /* borrowed from the eks_cluster, may be NULL */
	char *const *subnet_ids;      /* borrowed, to find the VPC when vpc_id is NULL */
	int ipv6;
};

static void
session_release(struct session *s)
{
	awsconfig_free(s->cfg);
	free(s->region);
	aws_credentials_free(s->creds);
	free(s->eks_url);
	free(s->ec2_url);
	free(s->resolvers_csv);
	memset(s, 0, sizeof(*s));
}

/* ---- endpoint host validation ---- */

static const char *const eks_suffixes[] = {
	".eks.amazonaws.com", ".eks.amazonaws.com.cn", ".eks.c2s.ic.gov",
	".eks.sc2s.sgov.gov", ".eks.cloud.adc-e.uk", ".eks.csp.hci.ic.gov",
	".eks.amazonaws.eu",
	/* dual-stack endpoints of IPv6 clusters */
	".api.aws", ".api.amazonwebservices.com.cn",
	NULL,
};

/* host ends with ".<region><suffix>" with at least one label before. */
static int
has_eks_suffix(const char *host, const char *region)
{
	size_t hl = strlen(host), rl = strlen(region), i;

	for (i = 0; eks_suffixes[i] != NULL; i++) {
		size_t sl = strlen(eks_suffixes[i]), tail = rl + 1 + sl;

		if (hl <= tail + 1)
			continue;
		if (strcmp(host + hl - sl, eks_suffixes[i]) == 0 &&
		    host[hl - tail] == '.' &&
		    strncmp(host + hl - tail + 1, region, rl) == 0)
			return 1;
	}
	return 0;
}

int
hostsync_endpoint_host(const char *endpoint, const char *region,
    char **host_out, struct ekskit_err *err)
{
	const char *p = endpoint, *stop;
	char *host;
	size_t n, i;

	*host_out = NULL;
	if (endpoint == NULL || *endpoint == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "the cluster has no API endpoint yet (is it still being created?)");
	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	n = strcspn(p, "/:");
	stop = p + n;
	if (*stop == ':' && strcmp(stop, ":443") != 0 && strcmp(stop, ":443/") != 0)
		goto bad;
	if (*stop == '/' && strcmp(stop, "/") != 0)
		goto bad;
	if (n == 0 || n > 253)
		goto bad;
	if ((host = ek_strndup(p, n)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	if (!hostsfile_valid_hostname(host) || !has_eks_suffix(host, region)) {
		free(host);
		goto bad;
	}
	*host_out = host;
	return EKSKIT_OK;
bad:
	return ekskit_err_set(err, EKSKIT_ERR_INVALID,
	    "the cluster endpoint is not an EKS API host name for region %s; "
	    "refusing to put it into the hosts file", region);
}

/* ---- AWS session ---- */

static int
session_region(const struct hostsync_opts *o, struct session *s,
    struct ekskit_err *err)
{
	struct aws_endpoint_opts eo = { NULL, NULL, -1, -1 };
	int r;

	if ((r = awsconfig_load(&s->cfg, err)) != EKSKIT_OK)
		return r;
	s->profile = awsconfig_selected_profile(o->profile);
	eo.cfg = s->cfg;
	eo.profile = s->profile;
	return aws_resolve_region(o->region, &eo, &s->region, err);
}

static int
session_aws(const struct hostsync_opts *o, struct session *s,
    struct ekskit_err *err)
{
	struct aws_endpoint_opts eo = { s->cfg, s->profile, -1, -1 };
	struct creds_ctx cc;
	int r;

	memset(&cc, 0, sizeof(cc));
	cc.cfg = s->cfg;
	cc.profile = s->profile;
	cc.region = s->region;
	cc.now = time(NULL);
	cc.verbose = o->verbose;
	if ((r = creds_resolve_default(&cc, &s->creds, err)) != EKSKIT_OK ||
	    (r = aws_endpoint_url("eks", s->region, &eo, &s->eks_url, err)) != EKSKIT_OK ||
	    (r = aws_endpoint_url("ec2", s->region, &eo, &s->ec2_url, err)) != EKSKIT_OK)
		return r;
	cli_log(o->log, "credentials from %s; eks %s, ec2 %s",
	    s->creds->provider ? s->creds->provider : "?", s->eks_url, s->ec2_url);
	s->eks.service = "eks";
	s->eks.region = s->region;
	s->eks.endpoint = s->eks_url;
	s->eks.creds = s->creds;
	s->eks.verbose = o->verbose;
	s->ec2 = s->eks;
	s->ec2.service = "ec2";
	s->ec2.endpoint = s->ec2_url;
	return EKSKIT_OK;
}

/* ---- address sources ---- */

static int
enis_for(const struct hostsync_opts *o, struct session *s,
    const struct target *t, char ***addrs, size_t *n, struct ekskit_err *err)
{
	struct ec2_eni_filter f;
	struct ec2_eni_list l = { NULL, 0 };
	char *desc = NULL, *vpc = NULL;
	size_t i;
	int r;

	if ((r = ec2_eks_eni_description(t->name, &desc, err)) != EKSKIT_OK)
		return r;
	f.description = desc;
	f.vpc_id = t->vpc_id;
	if (t->vpc_id == NULL) {
		/* real EKS always sends vpcId; without it (moto) the cluster's
		 * subnets tell the VPC, so a same-named ENI elsewhere never counts */
		if ((r = ec2_subnets_vpc(&s->ec2, t->subnet_ids, &vpc, err)) != EKSKIT_OK) {
			free(desc);
			return ekskit_err_prefix(err, "cluster %s has no vpcId", t->name);
		}
		cli_log(o->log, "%s: no vpcId from DescribeCluster; its subnets are in %s",
		    t->name, vpc);
		f.vpc_id = vpc;
	}
	r = ec2_describe_eks_enis(&s->ec2, &f, &l, err);
	if (r == EKSKIT_OK) {
		for (i = 0; i < l.n; i++)
			cli_log(o->log, "%s: %s %s in %s", t->name, l.v[i].id ? l.v[i].id : "?",
			    l.v[i].status ? l.v[i].status : "?",
			    l.v[i].vpc_id ? l.v[i].vpc_id : "?");
		r = ec2_eni_addresses(&l, t->ipv6, addrs, n, err);
		if (r == EKSKIT_ERR_NOT_FOUND)
			ekskit_err_set(err, r, "no network interface described \"%s\"%s%s "
			    "with an address: is private endpoint access really on? "
			    "nothing was written", desc, f.vpc_id ? " in " : "",
			    f.vpc_id ? f.vpc_id : "");
	}
	ec2_eni_list_release(&l);
	free(desc);
	free(vpc);
	return r;
}

/* The private answers of the given resolvers; public ones are dropped. */
static int
resolver_addrs(const struct hostsync_opts *o, struct session *s,
    const struct target *t, char ***addrs, size_t *n, struct ekskit_err *err)
{
	struct dns_opts d;
	char **all = NULL, **keep;
	size_t i, k = 0;
	int r;

	*addrs = NULL;
	*n = 0;
	memset(&d, 0, sizeof(d));
	d.servers_csv = s->resolvers_csv;
	if ((r = dns_resolve(&d, t->host, &all, err)) != EKSKIT_OK)
		return ekskit_err_prefix(err, "--resolver");
	for (i = 0; all[i] != NULL; i++)
		;
	if ((keep = calloc(i + 1, sizeof(*keep))) == NULL) {
		ek_strv_free(all);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	for (i = 0; all[i] != NULL; i++) {
		if (ipaddr_is_private(all[i])) {
			keep[k++] = all[i];
		} else {
			cli_warn(o->log, "%s: ignoring the public address %s from the resolver",
			    t->host, all[i]);
			free(all[i]);
		}
	}
	free(all);
	if (k == 0) {
		free(keep);
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "%s: the resolvers gave no private address (public only): they "
		    "are not answering from the cluster's VPC; nothing was written", t->host);
	}
	*addrs = keep;
	*n = k;
	return EKSKIT_OK;
}

/* ---- --check ---- */

static int
in_set(char **set, const char *a)
{
	size_t i;

	for (i = 0; set != NULL && set[i] != NULL; i++)
		if (strcmp(set[i], a) == 0)
			return 1;
	return 0;
}

static int
same_set(char **a, char **b)
{
	size_t i, na = 0, nb = 0;

	while (a != NULL && a[na] != NULL)
		na++;
	while (b != NULL && b[nb] != NULL)
		nb++;
	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!in_set(b, a[i]))
			return 0;
	return 1;
}

/* Canonicalise (in place: replaced strings) and sort a hosts-file list. */
static void
canonicalise(char **v)
{
	char c[64];
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		if (ipaddr_canonical(v[i], c, sizeof(c)) == EKSKIT_OK &&
		    strcmp(c, v[i]) != 0) {
			char *d = strdup(c);
			if (d != NULL) {
				free(v[i]);
				v[i] = d;
			}
		}
	}
	ipaddr_sort_unique(v);
}

static int
put_list(struct ekbuf *out, char **v)
{
	size_t i;
	int r = EKSKIT_OK;

	if (v == NULL || v[0] == NULL)
		return ekbuf_puts(out, "(none)");
	for (i = 0; r == EKSKIT_OK && v[i] != NULL; i++)
		r = ekbuf_printf(out, "%s%s", i ? " " : "", v[i]);
	return r;
}

static int
all_public(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (ipaddr_is_private(v[i]))
			return 0;
	return 1;
}

static void
probe_all(const struct hostsync_opts *o, char **v, struct ekbuf *out)
{
	struct ekskit_err perr;
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		ekskit_err_clear(&perr);
		if (dns_probe_tcp(v[i], PROBE_PORT, PROBE_TIMEOUT_MS, &perr) == EKSKIT_OK)
			ekbuf_printf(out, "  probe %s port %d: connected\n", v[i], PROBE_PORT);
		else
			ekbuf_printf(out, "  probe %s port %d: failed: %s\n", v[i], PROBE_PORT,
			    perr.msg);
	}
	(void)o;
}

static int
check_one(const struct hostsync_opts *o, const char *region,
    const struct target *t, const char *path, char **expected, int *verdict, struct ekbuf *out,
    struct ekskit_err *err)
{
	struct ekbuf text;
	struct dns_opts d;
	struct ekskit_err derr;
	char **block = NULL, **hosts = NULL, **dnsv = NULL, **eff;
	const char *why, *source;
	int r, found = 0, v;

	ekbuf_init(&text, EKBUF_MAX_FILE);
	r = ek_read_file(path, &text, err);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekskit_err_clear(err);
		r = EKSKIT_OK;
	}
	if (r != EKSKIT_OK)
		goto out;
	if ((r = hostsfile_block_addrs(text.data ? text.data : "", text.len, region,
	    t->name, t->host, &block, &found, err)) != EKSKIT_OK ||
	    (r = hostsfile_lookup(text.data ? text.data : "", text.len, t->host,
	    &hosts, err)) != EKSKIT_OK)
		goto out;
	canonicalise(block);
	canonicalise(hosts);
	memset(&d, 0, sizeof(d));
	ekskit_err_clear(&derr);
	if (dns_resolve(&d, t->host, &dnsv, &derr) != EKSKIT_OK)
		cli_log(o->log, "%s: system DNS: %s", t->host, derr.msg);
	eff = hosts[0] != NULL ? hosts : dnsv;
	source = hosts[0] != NULL ? "the hosts file" : "DNS";
	if (found && !same_set(block, expected)) {
		v = HOSTSYNC_STALE;
		why = "the eks-hosts block is stale: run eks-hosts to refresh it";
	} else if (eff == NULL || eff[0] == NULL) {
		v = HOSTSYNC_UNRESOLVED;
		why = "the endpoint does not resolve: run eks-hosts to add the block";
	} else if (all_public(eff)) {
		v = HOSTSYNC_UNRESOLVED;
		why = "the endpoint resolves to public addresses only: run eks-hosts "
		    "to add the block";
	} else {
		size_t i;

		v = HOSTSYNC_OK;
		why = "resolves to the cluster's private addresses";
		for (i = 0; eff[i] != NULL; i++) {
			if (!in_set(expected, eff[i])) {
				v = HOSTSYNC_STALE;
				why = "resolves to addresses that are not the cluster's: "
				    "run eks-hosts to refresh the block";
				break;
			}
		}
	}
	ekbuf_printf(out, "%s (%s/%s): %s\n", t->host, region, t->name,
	    v == HOSTSYNC_OK ? "OK" : v == HOSTSYNC_STALE ? "STALE" : "UNRESOLVED");
	ekbuf_puts(out, "  expected:   ");
	put_list(out, expected);
	ekbuf_puts(out, "\n  hosts block: ");
	if (found)
		put_list(out, block);
	else
		ekbuf_puts(out, "(no block)");
	ekbuf_puts(out, "\n  hosts file: ");
	put_list(out, hosts);
	ekbuf_puts(out, "\n  dns:        ");
	put_list(out, dnsv);
	ekbuf_printf(out, "\n  verdict: %s (from %s)\n", why, source);
	if (o->probe)
		probe_all(o, eff != NULL && eff[0] != NULL ? eff : expected, out);
	if (v > *verdict)
		*verdict = v;
out:
	ek_strv_free(block);
	ek_strv_free(hosts);
	ek_strv_free(dnsv);
	ekbuf_release(&text);
	return r;
}

/* ---- one cluster ---- */

static int
write_one(const struct hostsync_opts *o, struct session *s,
    const struct target *t, const char *path, char **addrs, size_t n,
    struct ekbuf *out, struct ekskit_err *err)
{
	struct hostsfile_update u;
	struct hostsfile_result res;
	int r;

	memset(&u, 0, sizeof(u));
	u.path = path;
	u.region = s->region;
	u.cluster = t->name;
	u.host = t->host;
	u.addrs = (const char *const *)addrs;
	u.naddrs = n;
	u.remove = o->remove;
	u.dry_run = o->dry_run;
	r = hostsfile_update(&u, &res, err);
	if (r != EKSKIT_OK) {
		hostsfile_result_release(&res);
		return r;
	}
	if (o->dry_run) {
		if (res.changed)
			ekbuf_puts(out, res.diff);
		else
			cli_log(o->log, "%s/%s: %s is up to date", s->region, t->name, res.target);
	} else if (res.read_only) {
		ekbuf_printf(out, "%s is read-only (a read-only mount, or mode 0444 "
		    "on purpose); nothing was written.\n", res.target);
		if (o->remove)
			ekbuf_printf(out, "Remove the lines from \"# BEGIN eks-hosts %s/%s\" "
			    "to \"# END eks-hosts %s/%s\" where the file is generated "
			    "(e.g. networking.extraHosts on NixOS).\n", s->region, t->name,
			    s->region, t->name);
		else
			ekbuf_printf(out, "Add this block where the file is generated "
			    "(e.g. networking.extraHosts on NixOS, or the container's "
			    "--add-host options):\n%s", res.block);
		r = ekskit_err_set(err, EKSKIT_ERR_PERM, "%s is read-only: nothing "
		    "was written (see above for what to do instead)", res.target);
	} else if (!res.changed) {
		cli_log(o->log, "%s/%s: %s is up to date, not written", s->region, t->name,
		    res.target);
	} else {
		cli_log(o->log, "%s/%s: %s %s%s%s", s->region, t->name, res.target,
		    o->remove ? "block removed" : "updated",
		    res.in_place ? " in place (rename not possible)" : "",
		    res.backup_path ? "" : "");
		if (res.backup_path)
			cli_log(o->log, "previous file kept at %s", res.backup_path);
		if (o->verbose && res.diff)
			cli_log(o->log, "changes:\n%s", res.diff);
	}
	if (res.written)
		s->written = 1;
	hostsfile_result_release(&res);
	return r;
}

static int
describe_to_target(const struct hostsync_opts *o, const char *region,
    const struct eks_cluster *cl, struct target *t, struct ekskit_err *err)
{
	int r;

	t->name = cl->name;
	t->vpc_id = cl->vpc_id;
	t->subnet_ids = cl->subnet_ids;
	t->ipv6 = cl->ip_family != NULL && strcmp(cl->ip_family, "ipv6") == 0;
	if (!cl->endpoint_private_access)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "cluster %s has private endpoint access turned off: there are no "
		    "private addresses to map (turn it on with `aws eks "
		    "update-cluster-config --name %s --resources-vpc-config "
		    "endpointPrivateAccess=true`)", cl->name, cl->name);
	if (cl->status != NULL && strcmp(cl->status, "ACTIVE") != 0)
		cli_warn(o->log, "cluster %s is %s: its network interfaces may be "
		    "changing; run again when it is ACTIVE", cl->name, cl->status);
	if ((r = hostsync_endpoint_host(cl->endpoint, region, &t->host, err)) != EKSKIT_OK)
		return ekskit_err_prefix(err, "cluster %s", cl->name);
	return EKSKIT_OK;
}

/* Addresses, then write or check. */
static int
handle_target(const struct hostsync_opts *o, struct session *s,
    const struct target *t, const char *path, struct ekbuf *out,
    int *verdict, struct ekskit_err *err)
{
	char **addrs = NULL;
	size_t n = 0;
	int r;

	if (s->resolvers_csv != NULL)
		r = resolver_addrs(o, s, t, &addrs, &n, err);
	else
		r = enis_for(o, s, t, &addrs, &n, err);
	if (r == EKSKIT_OK) {
		size_t i;

		for (i = 0; i < n; i++)
			cli_log(o->log, "%s: %s", t->name, addrs[i]);
		if (o->check)
			r = check_one(o, s->region, t, path, addrs, verdict, out, err);
		else
			r = write_one(o, s, t, path, addrs, n, out, err);
	}
	ek_strv_free(addrs);
	return r;
}

/* --remove: no AWS call at all; --all takes the blocks found in the file. */
static int
run_remove(const struct hostsync_opts *o, struct session *s, const char *path,
    struct ekbuf *out, struct ekskit_err *err)
{
	struct ekbuf text;
	struct target t;
	char **names = NULL, *single[2];
	char **list;
	size_t i;
	int r = EKSKIT_OK;

	memset(&t, 0, sizeof(t));
	if (o->all) {
		ekbuf_init(&text, EKBUF_MAX_FILE);
		r = ek_read_file(path, &text, err);
		if (r == EKSKIT_OK)
			r = hostsfile_list_clusters(text.data ? text.data : "", text.len,
			    s->region, &names, err);
		else if (r == EKSKIT_ERR_NOT_FOUND) {
			ekskit_err_clear(err);
			r = EKSKIT_OK;
		}
		ekbuf_release(&text);
		if (r != EKSKIT_OK)
			return r;
		list = names;
	} else {
		single[0] = (char *)(uintptr_t)o->cluster;
		single[1] = NULL;
		list = single;
	}
	for (i = 0; r == EKSKIT_OK && list != NULL && list[i] != NULL; i++) {
		t.name = list[i];
		r = write_one(o, s, &t, path, NULL, 0, out, err);
	}
	ek_strv_free(names);
	return r;
}

/* The clusters to handle: one, or every one with private access (--all). */
static int
run_clusters(const struct hostsync_opts *o, struct session *s, const char *path,
    struct ekbuf *out, int *verdict, struct ekskit_err *err)
{
	struct eks_cluster **cls = NULL;
	char **names = NULL, *single[2];
	size_t n = 0, i;
	int r, failed = EKSKIT_OK;

	if (o->all) {
		if ((r = eks_list_clusters(&s->eks, &names, err)) != EKSKIT_OK)
			return ekskit_err_prefix(err, "listing clusters");
	} else {
		single[0] = (char *)(uintptr_t)o->cluster;
		single[1] = NULL;
	}
	while ((o->all ? names : single)[n] != NULL)
		n++;
	if (n == 0) {
		ek_strv_free(names);
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "no EKS clusters in %s", s->region);
	}
	if ((cls = calloc(n, sizeof(*cls))) == NULL) {
		ek_strv_free(names);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if (n == 1)
		r = eks_describe_cluster(&s->eks, (o->all ? names : single)[0], &cls[0], err);
	else
		r = eks_describe_clusters(&s->eks, o->all ? names : single, n, cls, err);
	for (i = 0; r == EKSKIT_OK && i < n; i++) {
		struct target t;
		struct ekskit_err one;

		memset(&t, 0, sizeof(t));
		ekskit_err_clear(&one);
		if (cls[i] == NULL)
			continue;
		if (o->all && !cls[i]->endpoint_private_access) {
			cli_log(o->log, "%s: private endpoint access is off, skipped",
			    cls[i]->name);
			continue;
		}
		if (describe_to_target(o, s->region, cls[i], &t, &one) == EKSKIT_OK)
			handle_target(o, s, &t, path, out, verdict, &one);
		free(t.host);
		if (one.code != 0) {
			if (!o->all) {
				if (err != NULL)
					*err = one;
				failed = one.code;
				break;
			}
			cli_warn(o->log, "%s", one.msg);
			failed = failed ? failed : one.code;
			if (err != NULL && err->code == 0)
				*err = one;
		}
	}
	for (i = 0; i < n; i++)
		eks_cluster_free(cls[i]);
	free(cls);
	ek_strv_free(names);
	if (r != EKSKIT_OK)
		return r;
	return failed;
}

int
hostsync_run(const struct hostsync_opts *o, struct ekbuf *out, int *verdict,
    struct ekskit_err *err)
{
	struct session s;
	const char *path = hostsfile_default_path(o->hosts_file);
	int r;

	*verdict = HOSTSYNC_OK;
	memset(&s, 0, sizeof(s));
	if (!o->all && (o->cluster == NULL || *o->cluster == '\0'))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--cluster-name NAME (or --all) is required");
	if (o->all && o->cluster != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--all and --cluster-name exclude each other");
	if (o->remove && (o->check || o->resolvers != NULL))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--remove takes neither --check nor --resolver");
	if (o->probe && !o->check)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--probe goes with --check");
	if (o->endpoint != NULL && (o->resolvers == NULL || o->all))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--endpoint goes with --resolver and one --cluster-name");
	if (o->resolvers != NULL &&
	    (r = dns_parse_resolvers(o->resolvers, &s.resolvers_csv, err)) != EKSKIT_OK)
		return r;
	cli_log(o->log, "hosts file: %s", path);
	if ((r = session_region(o, &s, err)) != EKSKIT_OK)
		goto out;
	if (o->remove) {
		r = run_remove(o, &s, path, out, err);
	} else if (o->endpoint != NULL) {
		struct target t;

		memset(&t, 0, sizeof(t));
		t.name = o->cluster;
		if ((r = hostsync_endpoint_host(o->endpoint, s.region, &t.host, err)) == EKSKIT_OK)
			r = handle_target(o, &s, &t, path, out, verdict, err);
		free(t.host);
	} else if ((r = session_aws(o, &s, err)) == EKSKIT_OK) {
		r = run_clusters(o, &s, path, out, verdict, err);
	}
	if (r == EKSKIT_OK && o->flush_dns && s.written) {
		struct ekskit_err ferr;

		ekskit_err_clear(&ferr);
		if (hostsync_flush_dns(&ferr) != EKSKIT_OK)
			cli_warn(o->log, "%s", ferr.msg);
		else
			cli_log(o->log, "DNS cache flushed");
	}
out:
	session_release(&s);
	return r;
}

/* ---- --flush-dns ---- */

#define FLUSH_TIMEOUT_MS 5000
#define FLUSH_MAX_OUTPUT 4096

/*
 * The flush commands, by absolute path (we may be root: PATH is not
 * searched).  Tests move them to a directory of their own with
 * EKSKIT_TEST_FLUSH_DNS_DIR (loopback guard only).
 */
struct flush_cmd {
	const char *paths[3];   /* candidates, first trusted one runs */
	const char *args[3];
};

static const struct flush_cmd flush_resolvectl = {
	{ "/usr/bin/resolvectl", "/bin/resolvectl", NULL }, { "flush-caches", NULL, NULL } };
static const struct flush_cmd flush_nscd = {
	{ "/usr/sbin/nscd", "/sbin/nscd", NULL }, { "--invalidate=hosts", NULL, NULL } };
static const struct flush_cmd flush_dscache = {
	{ "/usr/bin/dscacheutil", NULL, NULL }, { "-flushcache", NULL, NULL } };
static const struct flush_cmd flush_mdns = {
	{ "/usr/bin/killall", NULL, NULL }, { "-HUP", "mDNSResponder", NULL } };

/* The program to run for path: itself, or its basename in the test directory. */
static int
flush_program(const char *path, char *out, size_t len)
{
	const char *dir = test_hook_env("EKSKIT_TEST_FLUSH_DNS_DIR");

	if (dir != NULL)
		snprintf(out, len, "%s/%s", dir, strrchr(path, '/') + 1);
	else
		snprintf(out, len, "%s", path);
	return proc_program_trusted(out);
}

/*
 * Run the first trusted candidate through the shared time-limited runner,
 * in its own process group, with a fixed environment.  0 when it ran and
 * exited 0; -1 when none is trusted; else a failure.
 */
static int
run_flush(const struct flush_cmd *c, struct ekskit_err *err)
{
	static char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	    (char *)"LC_ALL=C", NULL };
	char prog[512], *argv[4];
	struct proc_spec spec = { 0 };
	struct ekbuf out;
	int i, st = 0, spawn_errno, r;

	for (i = 0; c->paths[i] != NULL; i++)
		if (flush_program(c->paths[i], prog, sizeof(prog)))
			break;
	if (c->paths[i] == NULL)
		return -1;
	argv[0] = prog;
	argv[1] = (char *)(uintptr_t)c->args[0];
	argv[2] = (char *)(uintptr_t)c->args[1];
	argv[3] = NULL;
	spec.argv = argv;
	spec.envp = envp;
	spec.timeout_ms = test_hook_long("EKSKIT_TEST_FLUSH_DNS_TIMEOUT_MS",
	    FLUSH_TIMEOUT_MS, FLUSH_TIMEOUT_MS);
	spec.own_group = 1;
	ekbuf_init(&out, FLUSH_MAX_OUTPUT);
	r = proc_run(&spec, &out, &st, &spawn_errno, err);
	ekbuf_release(&out);
	if (r != EKSKIT_OK)
		return ekskit_err_prefix(err, "--flush-dns: %s", prog);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ekskit_err_set(err, EKSKIT_ERR_IO, "--flush-dns: %s failed", prog);
	return EKSKIT_OK;
}

int
hostsync_flush_dns(struct ekskit_err *err)
{
	static const struct flush_cmd *const order[] = {
		&flush_resolvectl, &flush_nscd, &flush_dscache,
	};
	size_t i;
	int r, failed = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((r = run_flush(order[i], err)) == EKSKIT_OK) {
			if (order[i] == &flush_dscache)  /* macOS: both caches */
				(void)run_flush(&flush_mdns, NULL);
			ekskit_err_clear(err);
			return EKSKIT_OK;
		}
		if (r != -1)
			failed = r;     /* err keeps the message; try the next one */
	}
	if (failed)
		return failed;
	return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
	    "--flush-dns: no DNS cache to flush here (no root-owned resolvectl, "
	    "nscd or dscacheutil in /usr/bin, /usr/sbin, /bin or /sbin); the hosts "
	    "file is read afresh by most resolvers anyway");
}
