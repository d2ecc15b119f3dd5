/* c-ares look-ups, address helpers and a TCP probe: see include/ekskit/dns.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "ekskit/buf.h"
#include "ekskit/dns.h"

#define DEFAULT_TIMEOUT_MS 2000
#define DEFAULT_TRIES 2
#define MAX_ANSWERS 256

int
ipaddr_canonical(const char *s, char *out, size_t outlen)
{
	unsigned char a[16];

	if (s == NULL || outlen < INET6_ADDRSTRLEN)
		return EKSKIT_ERR_INVALID;
	if (inet_pton(AF_INET, s, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)outlen) ? EKSKIT_OK :
		    EKSKIT_ERR_INVALID;
	if (inet_pton(AF_INET6, s, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)outlen) ? EKSKIT_OK :
		    EKSKIT_ERR_INVALID;
	return EKSKIT_ERR_INVALID;
}

int
ipaddr_is_private(const char *s)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64);
	if (inet_pton(AF_INET6, s, a) == 1)
		return (a[0] & 0xfe) == 0xfc;
	return 0;
}

int
ipaddr_is_loopback(const char *s)
{
	static const unsigned char v6lo[16] = { [15] = 1 };
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, s, a) == 1)
		return memcmp(a, v6lo, 16) == 0;
	return 0;
}

/* Sort key: family byte then 16 address bytes. */
static void
addr_key(const char *s, unsigned char key[17])
{
	memset(key, 0xff, 17);
	if (inet_pton(AF_INET, s, key + 1) == 1)
		key[0] = 4;
	else if (inet_pton(AF_INET6, s, key + 1) == 1)
		key[0] = 6;
}

static int
cmp_addr(const void *pa, const void *pb)
{
	unsigned char ka[17], kb[17];

	addr_key(*(char *const *)pa, ka);
	addr_key(*(char *const *)pb, kb);
	return memcmp(ka, kb, 17);
}

size_t
ipaddr_sort_unique(char **v)
{
	size_t n = 0, i, w = 0;

	if (v == NULL)
		return 0;
	while (v[n] != NULL)
		n++;
	qsort(v, n, sizeof(*v), cmp_addr);
	for (i = 0; i < n; i++) {
		if (w > 0 && cmp_addr(&v[w - 1], &v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[w++] = v[i];
	}
	v[w] = NULL;
	return w;
}

static int
loopback_only(void)
{
	const char *g = getenv("EKSKIT_TEST_LOOPBACK_ONLY");

	return g != NULL && strcmp(g, "1") == 0;
}

static int
parse_port(const char *p, struct ekskit_err *err, const char *item)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(p, &end, 10);
	if (*p == '\0' || *end != '\0' || errno || v < 1 || v > 65535)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--resolver %s: the port must be 1..65535", item);
	return (int)v;
}

/* One "HOST[:PORT]" item into c-ares syntax. */
static int
parse_one_resolver(char *item, struct ekbuf *csv, struct ekskit_err *err)
{
	char host[INET6_ADDRSTRLEN + 1], canon[INET6_ADDRSTRLEN];
	const char *port = NULL;
	unsigned char tmp[16];
	char *colon;
	size_t hl;
	int p = 53, v6;

	if (item[0] == '[') {
		char *close = strchr(item, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		hl = (size_t)(close - item - 1);
		if (close[1] == ':')
			port = close + 2;
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, item + 1, hl);
		host[hl] = '\0';
	} else if ((colon = strchr(item, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		hl = (size_t)(colon - item);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, item, hl);
		host[hl] = '\0';
		port = colon + 1;
	} else {
		if (strlen(item) >= sizeof(host))
			goto bad;
		strcpy(host, item);
	}
	if (ipaddr_canonical(host, canon, sizeof(canon)) != EKSKIT_OK)
		goto bad;
	if (port != NULL && (p = parse_port(port, err, item)) < 0)
		return p;
	if (loopback_only() && !ipaddr_is_loopback(canon))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "EKSKIT_TEST_LOOPBACK_ONLY=1: refusing the non-loopback resolver %s",
		    canon);
	v6 = inet_pton(AF_INET6, canon, tmp) == 1;
	if (ekbuf_printf(csv, "%s%s%s%s:%d", csv->len ? "," : "", v6 ? "[" : "",
	    canon, v6 ? "]" : "", p) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
bad:
	return ekskit_err_set(err, EKSKIT_ERR_USAGE,
	    "--resolver '%s': expected an IP address with an optional port "
	    "(10.0.0.2, 10.0.0.2:53, [fd00::2]:53)", item);
}

int
dns_parse_resolvers(const char *spec, char **csv_out, struct ekskit_err *err)
{
	struct ekbuf csv;
	char *copy, *save = NULL, *item;
	int r = EKSKIT_OK, n = 0;

	*csv_out = NULL;
	if (spec == NULL || *spec == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--resolver needs at least one address");
	if ((copy = strdup(spec)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	ekbuf_init(&csv, 4096);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (++n > DNS_MAX_RESOLVERS) {
			r = ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--resolver: at most %d servers", DNS_MAX_RESOLVERS);
			break;
		}
		if ((r = parse_one_resolver(item, &csv, err)) != EKSKIT_OK)
			break;
	}
	free(copy);
	if (r == EKSKIT_OK && csv.len == 0)
		r = ekskit_err_set(err, EKSKIT_ERR_USAGE, "--resolver needs at least one address");
	if (r == EKSKIT_OK && (*csv_out = ekbuf_detach(&csv, NULL)) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	ekbuf_release(&csv);
	return r;
}

struct lookup {
	int done;
	int status;
	char **addrs;
	size_t n;
	int nomem;
};

static void
on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct lookup *lk = arg;
	struct ares_addrinfo_node *node;
	char text[INET6_ADDRSTRLEN];

	(void)timeouts;
	lk->done = 1;
	lk->status = status;
	if (status != ARES_SUCCESS || res == NULL) {
		ares_freeaddrinfo(res);
		return;
	}
	for (node = res->nodes; node != NULL && lk->n < MAX_ANSWERS; node = node->ai_next) {
		const void *a;
		char **nv;

		if (node->ai_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)node->ai_addr)->sin_addr;
		else if (node->ai_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)node->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(node->ai_family, a, text, sizeof(text)) == NULL)
			continue;
		if ((nv = realloc(lk->addrs, (lk->n + 2) * sizeof(*nv))) == NULL) {
			lk->nomem = 1;
			break;
		}
		lk->addrs = nv;
		lk->addrs[lk->n + 1] = NULL;
		if ((lk->addrs[lk->n] = strdup(text)) == NULL) {
			lk->nomem = 1;
			break;
		}
		lk->n++;
	}
	ares_freeaddrinfo(res);
}

/* Refuse any configured server that is not loopback (tests only). */
static int
guard_servers(ares_channel ch, struct ekskit_err *err)
{
	struct ares_addr_port_node *servers = NULL, *s;
	char text[INET6_ADDRSTRLEN];
	int r = EKSKIT_OK;

	if (!loopback_only())
		return EKSKIT_OK;
	if (ares_get_servers_ports(ch, &servers) != ARES_SUCCESS)
		return ekskit_err_set(err, EKSKIT_ERR_NETWORK, "cannot list DNS servers");
	for (s = servers; s != NULL; s = s->next) {
		if (inet_ntop(s->family, &s->addr, text, sizeof(text)) == NULL ||
		    !ipaddr_is_loopback(text)) {
			r = ekskit_err_set(err, EKSKIT_ERR_NETWORK,
			    "EKSKIT_TEST_LOOPBACK_ONLY=1: refusing to query the "
			    "non-loopback DNS server %s", text);
			break;
		}
	}
	ares_free_data(servers);
	return r;
}

static void
run_channel(ares_channel ch, struct lookup *lk)
{
	while (!lk->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		unsigned bits;
		int i, n = 0, ms;

		/* ares' READABLE/WRITABLE macros shift a signed 1 into the sign
		 * bit for the last socket (UB): test the bits unsigned */
		bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			unsigned rd = bits & (1u << i);
			unsigned wr = bits & (1u << (i + ARES_GETSOCK_MAXNUM));

			if (!rd && !wr)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = (short)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
			pfd[n].revents = 0;
			n++;
		}
		tvp = ares_timeout(ch, NULL, &tv);
		ms = tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000;
		if (poll(pfd, (nfds_t)n, ms) < 0 && errno != EINTR)
			break;
		if (n == 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (i = 0; i < n; i++) {
			ares_process_fd(ch,
			    (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd : ARES_SOCKET_BAD,
			    (pfd[i].revents & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
		}
		if (n > 0 && !lk->done)
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
}

static int
lookup_status(const struct lookup *lk, const char *name, const char *where,
    struct ekskit_err *err)
{
	if (lk->nomem)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	switch (lk->status) {
	case ARES_SUCCESS:
		return EKSKIT_OK;
	case ARES_ENOTFOUND: case ARES_ENODATA: case ARES_ENONAME:
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "%s: no address records from %s", name, where);
	case ARES_ETIMEOUT:
		return ekskit_err_set(err, EKSKIT_ERR_TIMEOUT,
		    "%s: no answer from %s in time", name, where);
	}
	return ekskit_err_set(err, EKSKIT_ERR_NETWORK, "%s: DNS query to %s failed: %s",
	    name, where, ares_strerror(lk->status));
}

int
dns_resolve(const struct dns_opts *o, const char *name, char ***addrs_out,
    struct ekskit_err *err)
{
	struct ares_options opts;
	struct ares_addrinfo_hints hints;
	struct lookup lk = { 0, 0, NULL, 0, 0 };
	ares_channel ch = NULL;
	char lookups[] = "b";
	char *absname = NULL;
	const char *rc = o->resolv_conf ? o->resolv_conf : getenv(DNS_ENV_RESOLV_CONF);
	int optmask, r;

	*addrs_out = NULL;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "cannot initialise c-ares");
	memset(&opts, 0, sizeof(opts));
	opts.timeout = o->timeout_ms > 0 ? (int)o->timeout_ms : DEFAULT_TIMEOUT_MS;
	opts.tries = o->tries > 0 ? o->tries : DEFAULT_TRIES;
	opts.lookups = lookups;
	opts.flags = ARES_FLAG_NOSEARCH;
	optmask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS | ARES_OPT_FLAGS;
	if (rc != NULL && *rc != '\0') {
		opts.resolvconf_path = (char *)(uintptr_t)rc;
		optmask |= ARES_OPT_RESOLVCONF;
	}
	if (ares_init_options(&ch, &opts, optmask) != ARES_SUCCESS) {
		r = ekskit_err_set(err, EKSKIT_ERR_NETWORK, "cannot set up the DNS resolver");
		goto out;
	}
	if (o->servers_csv != NULL &&
	    ares_set_servers_ports_csv(ch, o->servers_csv) != ARES_SUCCESS) {
		r = ekskit_err_set(err, EKSKIT_ERR_USAGE, "bad resolver list %s", o->servers_csv);
		goto out;
	}
	if ((r = guard_servers(ch, err)) != EKSKIT_OK)
		goto out;
	if ((absname = malloc(strlen(name) + 2)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	strcpy(absname, name);
	if (absname[0] != '\0' && absname[strlen(absname) - 1] != '.')
		strcat(absname, ".");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(ch, absname, NULL, &hints, on_addrinfo, &lk);
	run_channel(ch, &lk);
	r = lookup_status(&lk, name, o->servers_csv ? o->servers_csv :
	    "the system resolvers", err);
	if (r == EKSKIT_OK && lk.addrs == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "%s: no address records", name);
	if (r == EKSKIT_OK) {
		ipaddr_sort_unique(lk.addrs);
		*addrs_out = lk.addrs;
		lk.addrs = NULL;
	}
out:
	ek_strv_free(lk.addrs);
	free(absname);
	if (ch != NULL)
		ares_destroy(ch);
	ares_library_cleanup();
	return r;
}

int
dns_probe_tcp(const char *addr, int port, long timeout_ms, struct ekskit_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct pollfd pfd;
	int fd, e = 0, r;
	socklen_t el = sizeof(e);

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "not an address: %s", addr);
	}
	if (loopback_only() && !ipaddr_is_loopback(addr))
		return ekskit_err_set(err, EKSKIT_ERR_NETWORK,
		    "EKSKIT_TEST_LOOPBACK_ONLY=1: not probing the non-loopback address %s", addr);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return ekskit_err_set(err, EKSKIT_ERR_NETWORK, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		close(fd);
		return EKSKIT_OK;
	}
	if (errno != EINPROGRESS) {
		r = ekskit_err_set(err, EKSKIT_ERR_NETWORK, "%s port %d: %s", addr, port,
		    strerror(errno));
		close(fd);
		return r;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	r = poll(&pfd, 1, (int)timeout_ms);
	if (r == 0) {
		close(fd);
		return ekskit_err_set(err, EKSKIT_ERR_TIMEOUT,
		    "%s port %d: no answer within %ld ms", addr, port, timeout_ms);
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == -1 || e != 0) {
		r = ekskit_err_set(err, EKSKIT_ERR_NETWORK, "%s port %d: %s", addr, port,
		    strerror(e ? e : errno));
		close(fd);
		return r;
	}
	close(fd);
	return EKSKIT_OK;
}
