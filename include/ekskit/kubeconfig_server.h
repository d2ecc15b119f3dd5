/*
 * Where kubectl connects to an EKS cluster when it cannot use the public
 * endpoint name (eks-kubeconfig --server and --private-ip), without root.
 *
 * A kubeconfig cluster may name any `server` and still check the API
 * server's certificate against the real endpoint host with
 * `tls-server-name`.  So:
 *  - --server URL: a tunnel, an SSM or SSH port forward, a load balancer;
 *  - --private-ip: the endpoint's private address, found exactly as
 *    eks-hosts finds it (hostsync_private_addrs), optionally probed;
 * and in both cases tls-server-name = the cluster's endpoint host.  A later
 * run without them writes the whole cluster entry again, in the public
 * form, and so drops tls-server-name.
 */
#ifndef EKSKIT_KUBECONFIG_SERVER_H
#define EKSKIT_KUBECONFIG_SERVER_H

#include "ekskit/error.h"
#include "ekskit/kubeconfig_update.h"

struct aws_client;

struct kcs_opts {
	const char *url;        /* --server URL, or NULL */
	int private_ip;         /* --private-ip */
	int probe;              /* --probe: the first private address that answers */
};

/* The connection fields of one cluster entry, decided once per cluster. */
struct kcs_choice {
	char *server;           /* "https://..." (owned) */
	char *tls_server_name;  /* the real endpoint host (owned) */
	char *report;           /* lines for the user: the address taken and why (owned, may be NULL) */
};

/* 1 when the options ask for a server other than the public endpoint. */
int kcs_active(const struct kcs_opts *o);

/* 1 when the options need EC2 (DescribeNetworkInterfaces). */
int kcs_needs_ec2(const struct kcs_opts *o);

/*
 * --server's value: an https URL with a host (name, IPv4, or IPv6 in
 * brackets), an optional port and path; no user info, query, fragment or
 * control characters.  EKSKIT_ERR_USAGE naming the flag.
 */
int kcs_server_url_check(const char *url, struct ekskit_err *err);

/*
 * Flag combinations: --server and --private-ip exclude each other, --probe
 * needs --private-ip, --server cannot go with --all (one URL, many
 * clusters).  EKSKIT_ERR_USAGE.
 */
int kcs_opts_check(const struct kcs_opts *o, int all, struct ekskit_err *err);

/*
 * Decide for a described cluster in `region`: tls_server_name is its
 * endpoint host (it must be an EKS API host name, hostsync_endpoint_host);
 * server is the --server URL, or https://<address> (IPv6 in brackets) for
 * --private-ip: the addresses come from hostsync_private_addrs (ec2 is
 * then required), IPv6 ones first for an IPv6 cluster; without probe the
 * first is taken, with probe the first that accepts TCP on port 443 within
 * a short timeout (none does: EKSKIT_ERR_NETWORK, naming each failure).
 * A cluster without private access: EKSKIT_ERR_CONFIG.  out released with
 * kcs_choice_release in every case.
 */
int kcs_choose(const struct kcs_opts *o, const struct aws_client *ec2,
    const struct eks_cluster *cl, const char *region, struct kcs_choice *out,
    struct ekskit_err *err);

/* Put the choice into a built entry (replacing its server).  0 or EKSKIT_ERR_NOMEM. */
int kcs_apply(const struct kcs_choice *c, struct kcu_entries *e,
    struct ekskit_err *err);

void kcs_choice_release(struct kcs_choice *c);

#endif /* EKSKIT_KUBECONFIG_SERVER_H */
