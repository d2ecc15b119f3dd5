/*
 * DNS look-ups (c-ares), address helpers and a TCP reachability probe for
 * eks-hosts.
 *
 * DNS goes either to given resolvers ("HOST[:PORT],...", IP literals, for
 * Route 53 Resolver inbound endpoints or the VPC resolver over a VPN) or to
 * the system's resolvers from resolv.conf (path overridable with
 * $EKS_HOSTS_RESOLV_CONF).  Only DNS is asked here: the hosts file is read
 * by include/ekskit/hostsfile.h.
 *
 * Test guard: with EKSKIT_TEST_LOOPBACK_ONLY=1 every resolver and every
 * probed address must be loopback (127.0.0.0/8, ::1), else the call is
 * refused with an error, before any packet is sent.
 */
#ifndef EKSKIT_DNS_H
#define EKSKIT_DNS_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

#define DNS_ENV_RESOLV_CONF "EKS_HOSTS_RESOLV_CONF"
#define DNS_MAX_RESOLVERS 8

/*
 * Canonical text form of an IPv4/IPv6 literal (inet_pton + inet_ntop) into
 * out (at least 46 bytes).  0, or EKSKIT_ERR_INVALID when s is not an
 * address.
 */
int ipaddr_canonical(const char *s, char *out, size_t outlen);

/* 1 for RFC 1918, 100.64.0.0/10 (shared/CGNAT, usable as VPC CIDR) and IPv6 ULA fc00::/7. */
int ipaddr_is_private(const char *s);
/* 1 for 127.0.0.0/8 and ::1. */
int ipaddr_is_loopback(const char *s);

/*
 * Sort a NULL-terminated array of canonical addresses in place (IPv4 first,
 * numerically, then IPv6) and drop duplicates (freed).  Returns the count.
 */
size_t ipaddr_sort_unique(char **v);

/*
 * Parse "HOST[:PORT],..." (HOST an IPv4 literal, or IPv6 as "[addr]:port"
 * or a bare IPv6 address without port) into c-ares' server list syntax.
 * *csv_out malloc'd (caller frees).  EKSKIT_ERR_USAGE with a message
 * naming the bad item.
 */
int dns_parse_resolvers(const char *spec, char **csv_out,
    struct ekskit_err *err);

struct dns_opts {
	const char *servers_csv;  /* from dns_parse_resolvers; NULL = system resolvers */
	const char *resolv_conf;  /* NULL = $EKS_HOSTS_RESOLV_CONF or the system default */
	long timeout_ms;          /* per try; 0 = 2000 */
	int tries;                /* 0 = 2 */
};

/*
 * A and AAAA records for `name` (absolute: no search domains), CNAMEs
 * followed.  *addrs_out: NULL-terminated, canonical, sorted, unique,
 * malloc'd (free with ek_strv_free, buf.h).  A name that
 * does not exist gives EKSKIT_ERR_NOT_FOUND; no answer in time
 * EKSKIT_ERR_TIMEOUT; other failures EKSKIT_ERR_NETWORK.
 */
int dns_resolve(const struct dns_opts *o, const char *name, char ***addrs_out,
    struct ekskit_err *err);

/*
 * TCP connect to addr:port within timeout_ms.  0 when the connection was
 * accepted, EKSKIT_ERR_TIMEOUT / EKSKIT_ERR_NETWORK otherwise (message
 * with the reason).
 */
int dns_probe_tcp(const char *addr, int port, long timeout_ms,
    struct ekskit_err *err);

#endif /* EKSKIT_DNS_H */
