/*
 * A small Kubernetes API client: one authenticated connection description
 * (server, trust, credentials) and JSON calls over the library's HTTP layer.
 *
 * Server errors come back as Kubernetes `Status` objects; they are turned
 * into EKSKIT_ERR_* codes with the server's own message and reason:
 *	401 -> EKSKIT_ERR_PERM       (reason Unauthorized)
 *	403 -> EKSKIT_ERR_PERM       (reason Forbidden; message names verb/resource)
 *	404 -> EKSKIT_ERR_NOT_FOUND
 *	409 -> EKSKIT_ERR_REMOTE     (remote_code "AlreadyExists" / "Conflict")
 *	422 -> EKSKIT_ERR_INVALID    (reason Invalid)
 * with err->remote_code = reason and err->http_status set.
 */
#ifndef EKSKIT_K8S_H
#define EKSKIT_K8S_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "ekskit/error.h"

struct k8s_conn {
	char *server;             /* "https://host:port", no trailing slash */
	char *ca_pem;             /* PEM trust roots (decoded), or NULL = system roots */
	size_t ca_pem_len;
	char *tls_server_name;    /* or NULL */
	char *proxy_url;          /* or NULL = environment */
	int insecure_skip_verify; /* only when the kubeconfig says so */
	char *client_cert_pem;    /* or NULL */
	char *client_key_pem;     /* secret, or NULL */
	char *token;              /* bearer token, secret, or NULL */
	char *exec_id;            /* credentials from an exec plugin: its command,
	                             args and env (a stable name for who we are,
	                             unlike the token it returns), else NULL */
	long timeout_ms;          /* per request; 0 = 30 s */
	int verbose;
};

/* Free everything, wiping the secrets.  NULL accepted. */
void k8s_conn_free(struct k8s_conn *c);

/*
 * Send `body` (may be NULL) to `path` ("/api/v1/...") and parse the JSON
 * answer into *out (caller json_decref()s; NULL for an empty body).
 * Non-2xx answers are mapped as described above, nothing in *out.
 */
int k8s_call(const struct k8s_conn *c, const char *method, const char *path,
    json_t *body, json_t **out, struct ekskit_err *err);

/*
 * Build an API path with each segment percent-encoded, e.g.
 * k8s_path(&b, "/api/v1/namespaces/%s/serviceaccounts/%s/token", ns, sa)
 * where every %s is validated as a DNS-1123 name and every %S as an RBAC
 * object name (k8s_rbac_name_valid) and percent-encoded (else
 * EKSKIT_ERR_INVALID).  The result is malloc'd (caller frees).
 */
int k8s_path(char **out, struct ekskit_err *err, const char *fmt, ...);

/* 1 if s is a valid DNS-1123 subdomain (names of namespaces, SAs, secrets). */
int k8s_name_valid(const char *s);

/*
 * 1 if s is a valid name for Roles, ClusterRoles and their bindings: the API
 * server only asks for a path segment (no '/', no '%', not "." or ".."), so
 * "system:auth-delegator" and "MyRole" are fine.  We also refuse spaces and
 * control characters, and more than 253 characters.
 */
int k8s_rbac_name_valid(const char *s);

/*
 * 1 if s can be sent as a bearer token: 1 to 64 KiB of visible ASCII (no
 * spaces, no control characters), so that a token from a kubeconfig, a
 * token file, an exec plugin or the API server can never add a line to the
 * Authorization header or to what we print.
 */
int k8s_token_valid(const char *s);

/* Wipe a secret string held inside a jansson value about to be freed.  NULL accepted. */
void k8s_json_wipe_string(const char *s);

/*
 * Parse a Go duration ("90s", "1h30m", "1.5h", "45m") into seconds,
 * rounding down.  Units: h, m, s (ms/us/ns accepted; must total whole
 * seconds >= 0).  EKSKIT_ERR_INVALID with a message naming the input.
 */
int k8s_parse_duration(const char *s, long long *seconds, struct ekskit_err *err);

/* What the caller asked for, and what the chosen context said. */
struct k8s_load_opts {
	const char *kubeconfig;   /* --kubeconfig, or NULL for $KUBECONFIG / ~/.kube/config */
	const char *context;      /* --context, or NULL for current-context */
	int verbose;
	int no_in_process_token;  /* always spawn exec plugins (tests) */
};

struct k8s_source {
	char *context;            /* owned: the context used */
	char *cluster;            /* owned: its cluster entry name */
	char *user;               /* owned: its user entry name */
	char *namespace;          /* owned: the context's namespace, or NULL */
};
void k8s_source_release(struct k8s_source *s);

/*
 * Resolve a context from the kubeconfig files (client-go rules: the first
 * file that defines a name wins; current-context from the first file that
 * sets it) into a connection: server, trust (certificate-authority-data,
 * or the certificate-authority file read into memory), tls-server-name,
 * proxy-url, insecure-skip-tls-verify (honoured only when set, with a
 * warning on stderr), and credentials: client certificate/key (data or
 * files), token or tokenFile, or an exec plugin run with the client-go
 * protocol (see k8s_exec_credential).  *out freed with k8s_conn_free;
 * src (may be NULL) filled, release with k8s_source_release.
 */
int k8s_conn_from_kubeconfig(const struct k8s_load_opts *o,
    struct k8s_conn **out, struct k8s_source *src, struct ekskit_err *err);

struct kc_exec;
struct kc_cluster;

/*
 * Run an exec credential plugin the way client-go does: the command with
 * its args (no shell), its env added to ours, KUBERNETES_EXEC_INFO set to
 * an ExecCredential (spec.interactive false, spec.cluster when
 * provideClusterInfo), stdout captured (capped), stderr passed through, a
 * time limit.  The returned ExecCredential's status.token, or
 * clientCertificateData + clientKeyData, go into conn.  When the command
 * is eks-token or `aws eks get-token`, the token is minted in-process
 * instead (same result, no process), unless o->no_in_process_token.
 */
int k8s_exec_credential(const struct kc_exec *exec, const struct kc_cluster *cl,
    const struct k8s_load_opts *o, struct k8s_conn *conn, struct ekskit_err *err);

#endif /* EKSKIT_K8S_H */
