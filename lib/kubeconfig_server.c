/* eks-kubeconfig --server / --private-ip: see include/ekskit/kubeconfig_server.h. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ekskit/buf.h"
#include "ekskit/dns.h"
#include "ekskit/eks.h"
#include "ekskit/hostsync.h"
#include "ekskit/kubeconfig_server.h"

#define SERVER_URL_MAX 2048

int
kcs_active(const struct kcs_opts *o)
{
	return o->url != NULL || o->private_ip;
}

int
kcs_needs_ec2(const struct kcs_opts *o)
{
	return o->private_ip;
}

static int
has_ctrl_or_space(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* A part libcurl found in the URL (user, query ...): 1 when present. */
static int
url_has(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	int has = curl_url_get(u, part, &v, 0) == CURLUE_OK && v != NULL;

	curl_free(v);
	return has;
}

int
kcs_server_url_check(const char *url, struct ekskit_err *err)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int ok;

	if (url == NULL || *url == '\0' || strlen(url) > SERVER_URL_MAX ||
	    has_ctrl_or_space(url) || strncmp(url, "https://", 8) != 0)
		goto bad;
	if ((u = curl_url()) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    strcmp(scheme, "https") == 0 &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && *host != '\0' &&
	    !url_has(u, CURLUPART_USER) && !url_has(u, CURLUPART_PASSWORD) &&
	    !url_has(u, CURLUPART_QUERY) && !url_has(u, CURLUPART_FRAGMENT) &&
	    strchr(url, '#') == NULL && strchr(url, '?') == NULL;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (ok)
		return EKSKIT_OK;
bad:
	return ekskit_err_set(err, EKSKIT_ERR_USAGE,
	    "--server wants an https URL such as https://127.0.0.1:8443 "
	    "(https://HOST[:PORT][/PATH], IPv6 in brackets, no user, query or "
	    "fragment)");
}

int
kcs_opts_check(const struct kcs_opts *o, int all, struct ekskit_err *err)
{
	int r;

	if (o->url != NULL && o->private_ip)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--server and --private-ip exclude each other");
	if (o->probe && !o->private_ip)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--probe goes with --private-ip");
	if (o->url != NULL && all)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--server names one cluster's address: it cannot be used with "
		    "--all (use --private-ip, or one run per cluster)");
	if (o->url != NULL && (r = kcs_server_url_check(o->url, err)) != EKSKIT_OK)
		return r;
	return EKSKIT_OK;
}

void
kcs_choice_release(struct kcs_choice *c)
{
	if (c == NULL)
		return;
	free(c->server);
	free(c->tls_server_name);
	free(c->report);
	memset(c, 0, sizeof(*c));
}

/* The addresses in the order to try: an IPv6 cluster's IPv6 ones first. */
static void
family_first(char **v, size_t n, int ipv6)
{
	char **tmp;
	size_t i, k = 0;

	if (!ipv6 || (tmp = calloc(n + 1, sizeof(*tmp))) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (strchr(v[i], ':') != NULL)
			tmp[k++] = v[i];
	for (i = 0; i < n; i++)
		if (strchr(v[i], ':') == NULL)
			tmp[k++] = v[i];
	memcpy(v, tmp, n * sizeof(*v));
	free(tmp);
}

/* "https://ADDR" (IPv6 in brackets), ":PORT" only when a test moved the port. */
static char *
address_url(const char *addr, int port)
{
	struct ekbuf b;
	int v6 = strchr(addr, ':') != NULL;

	ekbuf_init(&b, 256);
	if (ekbuf_printf(&b, "https://%s%s%s", v6 ? "[" : "", addr, v6 ? "]" : "") ||
	    (port != HOSTSYNC_PROBE_PORT && ekbuf_printf(&b, ":%d", port))) {
		ekbuf_release(&b);
		return NULL;
	}
	return ekbuf_detach(&b, NULL);
}

/*
 * The index of the address to use: the first, or with probe the first that
 * accepts a TCP connection.  report gets one line per probe.
 */
static int
pick_address(char **addrs, size_t n, int probe, int port, long timeout_ms,
    const char *cluster, struct ekbuf *report, size_t *pick,
    struct ekskit_err *err)
{
	struct ekskit_err perr;
	size_t i;

	*pick = 0;
	if (!probe)
		return EKSKIT_OK;
	for (i = 0; i < n; i++) {
		ekskit_err_clear(&perr);
		if (dns_probe_tcp(addrs[i], port, timeout_ms, &perr) == EKSKIT_OK) {
			ekbuf_printf(report, "probe %s port %d: connected\n", addrs[i], port);
			*pick = i;
			return EKSKIT_OK;
		}
		ekbuf_printf(report, "probe %s port %d: failed: %s\n", addrs[i], port,
		    perr.msg);
	}
	return ekskit_err_set(err, EKSKIT_ERR_NETWORK,
	    "none of the %zu private addresses of cluster %s accepts TCP on port "
	    "%d (see the probe lines above): is this machine inside the VPC, or "
	    "on a VPN or peering that reaches it? nothing was written", n, cluster,
	    port);
}

static int
choose_private(const struct kcs_opts *o, const struct aws_client *ec2,
    const struct eks_cluster *cl, struct kcs_choice *out, struct ekskit_err *err)
{
	struct ekbuf report;
	char **addrs = NULL;
	size_t n = 0, pick = 0;
	long timeout_ms;
	int r, port, ipv6;

	if (ec2 == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "--private-ip without an ec2 client");
	if ((r = hostsync_private_addrs(ec2, cl, NULL, &addrs, &n, err)) != EKSKIT_OK)
		return r;
	ipv6 = cl->ip_family != NULL && strcmp(cl->ip_family, "ipv6") == 0;
	family_first(addrs, n, ipv6);
	hostsync_probe_params(&port, &timeout_ms);
	ekbuf_init(&report, 64 * 1024);
	r = pick_address(addrs, n, o->probe, port, timeout_ms, cl->name, &report,
	    &pick, err);
	if (r == EKSKIT_OK && (ekbuf_printf(&report, o->probe ?
	    "cluster %s: using %s, the first of its %zu private addresses "
	    "that accepts TCP on port %d\n" :
	    "cluster %s: using %s, the first of its %zu private addresses "
	    "(--probe takes the first that answers on port %d)\n",
	    cl->name, addrs[pick], n, port) != EKSKIT_OK ||
	    (out->server = address_url(addrs[pick], port)) == NULL ||
	    (out->report = ekbuf_detach(&report, NULL)) == NULL))
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	/* the probe lines explain a failure too */
	if (r != EKSKIT_OK && report.len > 0)
		out->report = ekbuf_detach(&report, NULL);
	ekbuf_release(&report);
	ek_strv_free(addrs);
	return r;
}

int
kcs_choose(const struct kcs_opts *o, const struct aws_client *ec2,
    const struct eks_cluster *cl, const char *region, struct kcs_choice *out,
    struct ekskit_err *err)
{
	struct ekskit_err herr;

	memset(out, 0, sizeof(*out));
	ekskit_err_clear(&herr);
	if (hostsync_endpoint_host(cl->endpoint, region, &out->tls_server_name,
	    &herr) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "cluster %s: its endpoint is not an EKS API host name for region "
		    "%s, so there is no name to check the certificate against "
		    "(tls-server-name); run without --server/--private-ip", cl->name,
		    region);
	if (o->private_ip)
		return choose_private(o, ec2, cl, out, err);
	if ((out->server = strdup(o->url)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

int
kcs_apply(const struct kcs_choice *c, struct kcu_entries *e,
    struct ekskit_err *err)
{
	char *server = strdup(c->server), *name = strdup(c->tls_server_name);

	if (server == NULL || name == NULL) {
		free(server);
		free(name);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	free(e->cluster.server);
	free(e->cluster.tls_server_name);
	e->cluster.server = server;
	e->cluster.tls_server_name = name;
	return EKSKIT_OK;
}
