/* Unit tests for lib/dns.c: address helpers, --resolver parsing, c-ares look-ups
 * against tests/fakes/fake_dns.py on loopback, and the TCP probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/dns.h"

static void
test_canonical(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(ipaddr_canonical("10.0.0.1", out, sizeof(out)), EKSKIT_OK);
	assert_string_equal(out, "10.0.0.1");
	assert_int_equal(ipaddr_canonical("FD00:0::05", out, sizeof(out)), EKSKIT_OK);
	assert_string_equal(out, "fd00::5");
	assert_int_equal(ipaddr_canonical("10.0.0.256", out, sizeof(out)), EKSKIT_ERR_INVALID);
	assert_int_equal(ipaddr_canonical("010.0.0.1", out, sizeof(out)), EKSKIT_ERR_INVALID);
	assert_int_equal(ipaddr_canonical("10.0.0.1 ", out, sizeof(out)), EKSKIT_ERR_INVALID);
	assert_int_equal(ipaddr_canonical("host", out, sizeof(out)), EKSKIT_ERR_INVALID);
	assert_int_equal(ipaddr_canonical("", out, sizeof(out)), EKSKIT_ERR_INVALID);
}

static void
test_private(void **state)
{
	static const struct { const char *a; int priv; } t[] = {
		{ "10.0.0.1", 1 }, { "10.255.255.255", 1 }, { "172.16.0.1", 1 },
		{ "172.31.255.1", 1 }, { "172.32.0.1", 0 }, { "172.15.0.1", 0 },
		{ "192.168.3.4", 1 }, { "192.169.0.1", 0 }, { "100.64.0.1", 1 },
		{ "100.127.255.255", 1 }, { "100.128.0.1", 0 }, { "8.8.8.8", 0 },
		{ "52.1.2.3", 0 }, { "127.0.0.1", 0 }, { "fd12::1", 1 }, { "fc00::1", 1 },
		{ "2600:1f14::1", 0 }, { "::1", 0 }, { "junk", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(ipaddr_is_private(t[i].a), t[i].priv);
	assert_true(ipaddr_is_loopback("127.8.9.1"));
	assert_true(ipaddr_is_loopback("::1"));
	assert_false(ipaddr_is_loopback("10.0.0.1"));
}

static void
test_sort_unique(void **state)
{
	char **v = calloc(8, sizeof(char *));
	size_t n;

	(void)state;
	v[0] = strdup("fd00::2");
	v[1] = strdup("10.0.10.1");
	v[2] = strdup("10.0.2.1");
	v[3] = strdup("fd00::1");
	v[4] = strdup("10.0.2.1");
	v[5] = strdup("9.0.0.1");
	n = ipaddr_sort_unique(v);
	assert_int_equal(n, 5);
	assert_string_equal(v[0], "9.0.0.1");
	assert_string_equal(v[1], "10.0.2.1");
	assert_string_equal(v[2], "10.0.10.1");
	assert_string_equal(v[3], "fd00::1");
	assert_string_equal(v[4], "fd00::2");
	assert_null(v[5]);
	ek_strv_free(v);
}

static void
test_parse_resolvers(void **state)
{
	struct ekskit_err err;
	char *csv;

	(void)state;
	unsetenv("EKSKIT_TEST_LOOPBACK_ONLY");
	assert_int_equal(dns_parse_resolvers("10.0.0.2,10.0.1.2:5353,[fd00::2]:53,fd00::3",
	    &csv, &err), EKSKIT_OK);
	assert_string_equal(csv, "10.0.0.2:53,10.0.1.2:5353,[fd00::2]:53,[fd00::3]:53");
	free(csv);
	assert_int_equal(dns_parse_resolvers("dns.example.com", &csv, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(dns_parse_resolvers("10.0.0.2:0", &csv, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(dns_parse_resolvers("10.0.0.2:99999", &csv, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(dns_parse_resolvers("10.0.0.2:x", &csv, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(dns_parse_resolvers("[fd00::2", &csv, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(dns_parse_resolvers("", &csv, &err), EKSKIT_ERR_USAGE);
	assert_int_equal(dns_parse_resolvers(",", &csv, &err), EKSKIT_ERR_USAGE);
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	assert_int_equal(dns_parse_resolvers("10.0.0.2", &csv, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "non-loopback"));
	assert_int_equal(dns_parse_resolvers("127.0.0.1:53", &csv, &err), EKSKIT_OK);
	free(csv);
}

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* Start the fake DNS server; returns its pid once it printed "ready". */
static pid_t
start_fake_dns(int port)
{
	char portstr[16], line[16];
	int pfd[2];
	pid_t pid;
	FILE *f;

	snprintf(portstr, sizeof(portstr), "%d", port);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* never outlive the test, even when an assertion ends it early */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("python3", "python3", "tests/fakes/fake_dns.py", "--port", portstr,
		    "--record", "api.demo.example=10.0.2.9,10.0.1.5,fd00::5",
		    "--record", "public.example=52.1.2.3", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "ready\n");
	fclose(f);
	return pid;
}

static void
test_resolve_fake_server(void **state)
{
	struct dns_opts o = { 0 };
	struct ekskit_err err;
	char csv[64], **v;
	int port = free_port();
	pid_t pid;

	(void)state;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	pid = start_fake_dns(port);
	snprintf(csv, sizeof(csv), "127.0.0.1:%d", port);
	o.servers_csv = csv;
	o.timeout_ms = 1000;
	assert_int_equal(dns_resolve(&o, "API.demo.example", &v, &err), EKSKIT_OK);
	assert_string_equal(v[0], "10.0.1.5");
	assert_string_equal(v[1], "10.0.2.9");
	assert_string_equal(v[2], "fd00::5");
	assert_null(v[3]);
	ek_strv_free(v);
	assert_int_equal(dns_resolve(&o, "missing.example", &v, &err), EKSKIT_ERR_NOT_FOUND);
	assert_null(v);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	/* nobody listening any more: a timeout (or refusal), never a hang */
	o.timeout_ms = 200;
	o.tries = 1;
	assert_int_not_equal(dns_resolve(&o, "api.demo.example", &v, &err), EKSKIT_OK);
}

static void
test_system_resolvers_guarded(void **state)
{
	struct dns_opts o = { 0 };
	struct ekskit_err err;
	char path[] = "/tmp/ekskit-resolv.XXXXXX", **v;
	int fd;

	(void)state;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, "nameserver 192.0.2.53\n", 22) == 22);
	close(fd);
	o.resolv_conf = path;
	assert_int_equal(dns_resolve(&o, "x.example", &v, &err), EKSKIT_ERR_NETWORK);
	assert_non_null(strstr(err.msg, "non-loopback"));
	unlink(path);
}

static void
test_probe(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct ekskit_err err;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), port;

	(void)state;
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	assert_int_equal(dns_probe_tcp("127.0.0.1", port, 1000, &err), EKSKIT_OK);
	close(lfd);
	assert_int_not_equal(dns_probe_tcp("127.0.0.1", port, 1000, &err), EKSKIT_OK);
	assert_int_equal(dns_probe_tcp("10.1.2.3", 443, 100, &err), EKSKIT_ERR_NETWORK);
	assert_non_null(strstr(err.msg, "non-loopback"));
	assert_int_equal(dns_probe_tcp("nope", 443, 100, &err), EKSKIT_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_sort_unique),
		cmocka_unit_test(test_parse_resolvers),
		cmocka_unit_test(test_resolve_fake_server),
		cmocka_unit_test(test_system_resolvers_guarded),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
