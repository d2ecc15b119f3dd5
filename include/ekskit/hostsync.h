/*
 * eks-hosts end to end: what the tool does between parsing its flags and
 * printing.
 *
 *  1. EKS DescribeCluster (or ListClusters + DescribeCluster for --all):
 *     endpoint host (validated: hostsync_endpoint_host), VPC, private and
 *     public access, IP family, status;
 *  2. the addresses: EC2 ENIs described "Amazon EKS <cluster>" in that VPC
 *     (include/ekskit/ec2.h), or, with resolvers, the private addresses
 *     those DNS servers give for the endpoint (include/ekskit/dns.h);
 *  3. the managed block in the hosts file (include/ekskit/hostsfile.h):
 *     written, removed, shown as a diff, or checked against DNS.
 *
 * The library prints nothing: what the user should see on stdout (diffs,
 * blocks to add by hand, --check verdicts) is appended to `out`;
 * diagnostics and warnings go through opts->log (cli_log / cli_warn).
 */
#ifndef EKSKIT_HOSTSYNC_H
#define EKSKIT_HOSTSYNC_H

#include "ekskit/buf.h"
#include "ekskit/error.h"

struct cli_logger;

/* --check verdicts, which are also eks-hosts --check exit codes. */
enum hostsync_verdict {
	HOSTSYNC_OK = 0,          /* resolves to the right private addresses */
	HOSTSYNC_STALE = 1,       /* a stale or wrong block / wrong addresses */
	HOSTSYNC_UNRESOLVED = 2,  /* not resolvable, or public addresses only */
};

struct hostsync_opts {
	const char *cluster;      /* --cluster-name; NULL with all */
	int all;                  /* --all: every cluster with private access */
	const char *region;       /* --region or NULL */
	const char *profile;      /* --profile or NULL */
	const char *resolvers;    /* --resolver spec or NULL */
	const char *endpoint;     /* --endpoint (URL or host): no DescribeCluster needed */
	const char *hosts_file;   /* --hosts-file or NULL ($EKS_HOSTS_FILE, /etc/hosts) */
	int check;                /* --check */
	int probe;                /* --probe (with --check) */
	int remove;               /* --remove */
	int dry_run;              /* --dry-run */
	int flush_dns;            /* --flush-dns */
	int verbose;
	struct cli_logger *log;   /* may be NULL */
};

/*
 * Run.  Returns a status (0 or EKSKIT_ERR_*); with check, *verdict gets
 * the worst verdict over the clusters (else 0).  out receives the
 * user-facing text.
 */
int hostsync_run(const struct hostsync_opts *o, struct ekbuf *out,
    int *verdict, struct ekskit_err *err);

/*
 * The host of an EKS API endpoint ("https://HOST" with an optional "/" or
 * ":443"), checked: at most 253 characters, LDH labels, and an EKS domain
 * for the region in any partition: "<id>.<region>.eks.amazonaws.com",
 * ".eks.amazonaws.com.cn", ".eks.c2s.ic.gov", ".eks.sc2s.sgov.gov",
 * ".eks.cloud.adc-e.uk", ".eks.csp.hci.ic.gov", ".eks.amazonaws.eu", and
 * the dual-stack "<id>.<region>.api.aws" /
 * ".api.amazonwebservices.com.cn" forms.  A bare host is accepted too.
 * *host_out lowercased, malloc'd (caller frees).
 */
int hostsync_endpoint_host(const char *endpoint, const char *region,
    char **host_out, struct ekskit_err *err);

/*
 * Ask the platform to drop its DNS cache (resolvectl flush-caches, else
 * nscd / dscacheutil + mDNSResponder).  The commands are run by absolute
 * path (never through PATH), only when root-owned and not group/world
 * writable (proc_program_trusted), through proc_run with a 5 s limit.
 * 0 when a flush command ran and succeeded, EKSKIT_ERR_NOT_FOUND when
 * none is available, else the failure of the one that ran.
 */
int hostsync_flush_dns(struct ekskit_err *err);

#endif /* EKSKIT_HOSTSYNC_H */
