/*
 * Service-account tokens through the Kubernetes API (what eks-satoken does):
 * TokenRequest, ServiceAccount get/create, (Cluster)RoleBindings, legacy
 * token Secrets, and standalone kubeconfigs that carry only the token.
 */
#ifndef EKSKIT_SATOKEN_H
#define EKSKIT_SATOKEN_H

#include <stddef.h>
#include <time.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"
#include "ekskit/k8s.h"

/* The API server refuses shorter TokenRequests; we refuse them before calling. */
#define SATOKEN_MIN_SECONDS 600

struct satoken_req {
	const char *namespace;
	const char *service_account;
	long long duration_seconds;        /* 0 = the server's default (1 h) */
	const char *const *audiences;      /* naudiences entries */
	size_t naudiences;
	const char *bound_kind;            /* "Pod", "Secret", "Node" or NULL */
	const char *bound_name;
	const char *bound_uid;             /* may be NULL */
};

struct satoken {
	char *token;                       /* secret: satoken_release wipes it */
	time_t expiration;                 /* status.expirationTimestamp */
	long long requested_seconds;       /* what we asked for (0 = default) */
	long long granted_seconds;         /* expiration - issue time, as the server set it */
	char *response_json;               /* the TokenRequest answer (contains the token: secret) */
};
void satoken_release(struct satoken *t);

/* Check the request before any call (names, duration, bound object). */
int satoken_validate(const struct satoken_req *r, struct ekskit_err *err);

/* POST .../serviceaccounts/SA/token.  `now` is the issue time used for granted_seconds. */
int satoken_request(const struct k8s_conn *c, const struct satoken_req *r,
    time_t now, struct satoken *out, struct ekskit_err *err);

/*
 * Make sure the ServiceAccount exists.  When it does not: create it if
 * `create`, else EKSKIT_ERR_NOT_FOUND saying to pass --create.
 * *created (may be NULL) tells whether it was created now.
 */
int satoken_ensure_sa(const struct k8s_conn *c, const char *ns, const char *sa,
    int create, int *created, struct ekskit_err *err);

/*
 * Bind the service account, idempotently.  cluster_wide: a
 * ClusterRoleBinding to ClusterRole `role`; else a RoleBinding in `ns` to
 * `role_kind` ("Role" or "ClusterRole") `role`.  The binding is named
 * "<sa>-<role>"; an existing binding of that name is accepted when it
 * already grants the same role to the service account, else an error.
 * *created (may be NULL) tells whether it was created now.
 */
int satoken_bind(const struct k8s_conn *c, const char *ns, const char *sa,
    int cluster_wide, const char *role_kind, const char *role, int *created,
    struct ekskit_err *err);

/*
 * Legacy long-lived token: create Secret "<sa>-token" of type
 * kubernetes.io/service-account-token (or reuse it when it already belongs
 * to the service account) and wait up to timeout_ms for the token
 * controller to fill data.token.  out->expiration is 0 (never expires).
 */
int satoken_legacy_secret(const struct k8s_conn *c, const char *ns,
    const char *sa, long timeout_ms, struct satoken *out, struct ekskit_err *err);

/* Revoke: delete the legacy Secret "<sa>-token", or the bound object (Secret or Pod). */
int satoken_revoke(const struct k8s_conn *c, const char *ns, const char *sa,
    const char *bound_kind, const char *bound_name, char **what_deleted,
    struct ekskit_err *err);

/*
 * A standalone kubeconfig (YAML appended to out) that authenticates with
 * the token only: server, the CA embedded as data, tls-server-name,
 * proxy-url, the namespace, and entries named "<sa>@<cluster>" so that they
 * never collide with the source.  Nothing else of the source's user is
 * copied.
 */
int satoken_kubeconfig(const struct k8s_conn *c, const char *cluster_name,
    const char *ns, const char *sa, const char *token, struct ekbuf *out,
    struct ekskit_err *err);

/* What eks-satoken was asked to do (the front end fills it from flags). */
enum satoken_output { SATOKEN_OUT_TOKEN, SATOKEN_OUT_JSON, SATOKEN_OUT_EXEC, SATOKEN_OUT_KUBECONFIG };

struct satoken_opts {
	struct k8s_load_opts load;         /* kubeconfig, context, verbose */
	struct satoken_req req;            /* namespace may be NULL: context's, else "default" */
	int create;                        /* --create */
	const char *bind_clusterrole;      /* --bind-clusterrole */
	const char *bind_role;             /* --bind-role */
	const char *role_kind;             /* --role-kind (for --bind-role), default "Role" */
	int legacy_secret;                 /* --legacy-secret */
	int revoke;                        /* --revoke */
	long timeout_ms;                   /* --timeout, for the legacy Secret and API calls */
	enum satoken_output output;
	int no_cache;                      /* --no-cache (exec-credential) */
	const char *exec_api_version;      /* from KUBERNETES_EXEC_INFO, for exec-credential */
	time_t now;
};

/* What happened, for the front end to report on stderr. */
struct satoken_outcome {
	char *namespace;                   /* the namespace used */
	int sa_created;
	int binding_created;
	int cache_hit;
	long long requested_seconds;
	long long granted_seconds;         /* < requested: the server capped the lifetime */
	time_t expiration;                 /* 0 for legacy Secret tokens */
	char *revoked;                     /* "Secret ns/name" when --revoke deleted something */
	int insecure;                      /* the kubeconfig disables TLS verification */
};
void satoken_outcome_release(struct satoken_outcome *o);

/*
 * Do it all: load the connection, check or create the service account,
 * bind it, mint (or read from the cache) the token, and render the output
 * into out (a secret buffer: it holds the token).  Nothing is written
 * anywhere; the caller prints or saves out.
 */
int satoken_run(const struct satoken_opts *o, struct ekbuf *out,
    struct satoken_outcome *res, struct ekskit_err *err);

#endif /* EKSKIT_SATOKEN_H */
