/*
 * kubeconfig files: load, read, merge named entries, emit (libyaml document
 * API).
 *
 * A struct kubeconfig holds one parsed file.  Writers replace or append
 * named entries in `clusters`, `users` and `contexts` and set
 * `current-context`; every other entry, unknown key and top-level field is
 * carried over unchanged (comments are not: libyaml does not keep them, nor
 * does kubectl).  Readers (the Kubernetes client) look a context up and get
 * its cluster and user as plain structs.
 *
 * Strings in the kc_* structs are owned by the struct when it comes from a
 * kubeconfig_get_* call (free with the matching kc_*_free); the setters only
 * read them.  Secrets (token, client key data) are wiped when freed.
 */
#ifndef EKSKIT_KUBECONFIG_H
#define EKSKIT_KUBECONFIG_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

#define KUBECONFIG_MAX_SIZE (16u * 1024 * 1024)
#define KC_EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define KC_EXEC_API_V1      "client.authentication.k8s.io/v1"

struct kubeconfig; /* opaque */

struct kc_env;

struct kc_cluster {
	char *name;
	char *server;
	char *ca_data;                  /* certificate-authority-data (base64) */
	char *ca_file;                  /* certificate-authority (path; reads: made absolute) */
	char *tls_server_name;
	char *proxy_url;
	int insecure_skip_tls_verify;
	/*
	 * String fields of the extension named KC_EXEC_EXTENSION (what kubectl
	 * hands an exec plugin with provideClusterInfo as spec.cluster.config);
	 * nexec_config entries.  Reads: non-string fields are skipped.
	 */
	struct kc_env *exec_config;
	size_t nexec_config;
};

#define KC_EXEC_EXTENSION "client.authentication.k8s.io/exec"

struct kc_env {
	char *name;
	char *value;
};

struct kc_exec {
	char *api_version;
	char *command;
	char **args;                    /* nargs entries */
	size_t nargs;
	struct kc_env *env;             /* nenv entries */
	size_t nenv;
	char *interactive_mode;         /* "Never", "IfAvailable", "Always" or NULL */
	int provide_cluster_info;
	char *install_hint;             /* installHint: shown by kubectl when command is missing */
};

struct kc_user {
	char *name;
	char *client_cert_data;         /* client-certificate-data (base64) */
	char *client_cert_file;         /* client-certificate */
	char *client_key_data;          /* client-key-data (base64), secret */
	char *client_key_file;          /* client-key */
	char *token;                    /* secret */
	char *token_file;               /* tokenFile */
	struct kc_exec *exec;           /* NULL when the user has no exec block */
};

struct kc_context {
	char *name;
	char *cluster;
	char *user;
	char *namespace;                /* NULL when unset */
};

/* An empty kubeconfig (apiVersion v1, kind Config, empty lists). NULL on OOM. */
struct kubeconfig *kubeconfig_new(void);

/*
 * Parse `len` bytes (at most KUBECONFIG_MAX_SIZE); `name` (the path) is used
 * in messages and to resolve relative file references.  An empty document
 * gives an empty kubeconfig.  A YAML error, a top level that is not a
 * mapping, or clusters/users/contexts that are not lists of mappings give
 * EKSKIT_ERR_INVALID naming the file and the problem (with line for YAML
 * errors).  *out freed with kubeconfig_free.
 */
int kubeconfig_parse(const char *name, const char *data, size_t len,
    struct kubeconfig **out, struct ekskit_err *err);

/* Read and parse a file.  EKSKIT_ERR_NOT_FOUND when it does not exist. */
int kubeconfig_load(const char *path, struct kubeconfig **out,
    struct ekskit_err *err);

/*
 * The same, reading into buf: a secret buffer (ekbuf_init_secret) the
 * caller owns, emptied first and left holding the file's bytes.  A caller
 * that writes the file back emits into the same buffer, whose pages are
 * then already mapped (a 10 MB file: 2,500 page faults fewer).
 */
int kubeconfig_load_buf(const char *path, struct ekbuf *buf,
    struct kubeconfig **out, struct ekskit_err *err);

void kubeconfig_free(struct kubeconfig *kc);

/* Which list an entry lives in. */
enum kc_section { KC_CLUSTERS, KC_USERS, KC_CONTEXTS };

/* 1 if an entry with that name exists in the section. */
int kubeconfig_has(const struct kubeconfig *kc, enum kc_section s,
    const char *name);
/* Number of entries in a section. */
size_t kubeconfig_count(const struct kubeconfig *kc, enum kc_section s);
/* Name of the i-th entry of a section (borrowed), NULL past the end or if unnamed. */
const char *kubeconfig_name_at(const struct kubeconfig *kc, enum kc_section s,
    size_t i);

/* current-context (borrowed), NULL when unset or empty. */
const char *kubeconfig_current_context(const struct kubeconfig *kc);

/*
 * Readers.  name NULL for get_context means the current context.
 * EKSKIT_ERR_NOT_FOUND (message names the entry and file) when absent;
 * EKSKIT_ERR_INVALID when the entry has wrong types.  Relative file paths
 * (certificate-authority, client-certificate, client-key, tokenFile) are
 * made absolute against the kubeconfig's directory, as client-go does.
 */
int kubeconfig_get_context(const struct kubeconfig *kc, const char *name,
    struct kc_context **out, struct ekskit_err *err);
int kubeconfig_get_cluster(const struct kubeconfig *kc, const char *name,
    struct kc_cluster **out, struct ekskit_err *err);
int kubeconfig_get_user(const struct kubeconfig *kc, const char *name,
    struct kc_user **out, struct ekskit_err *err);

/*
 * The same for the i-th entry of the section (kubeconfig_name_at order),
 * without a search by name: for callers that walk every entry.
 * EKSKIT_ERR_NOT_FOUND past the end or for an unnamed entry.
 */
int kubeconfig_get_context_at(const struct kubeconfig *kc, size_t i,
    struct kc_context **out, struct ekskit_err *err);
int kubeconfig_get_cluster_at(const struct kubeconfig *kc, size_t i,
    struct kc_cluster **out, struct ekskit_err *err);
int kubeconfig_get_user_at(const struct kubeconfig *kc, size_t i,
    struct kc_user **out, struct ekskit_err *err);

void kc_context_free(struct kc_context *c);
void kc_cluster_free(struct kc_cluster *c);
void kc_user_free(struct kc_user *u);
/* Free n name/value pairs (values wiped).  NULL is fine. */
void kc_env_list_free(struct kc_env *v, size_t n);
/* Free an exec block (its env values are wiped: they may carry secrets).  NULL is fine. */
void kc_exec_free(struct kc_exec *e);

/*
 * What a Kubernetes client needs, resolved over the KUBECONFIG files with
 * client-go's merge rules: current-context from the first file that sets
 * one; each named context, cluster and user from the first file that has
 * it; relative paths resolved against the file they came from.  Missing
 * files are skipped; a corrupt one is an error.  context NULL = current.
 */
struct kc_resolved {
	struct kc_context *context;
	struct kc_cluster *cluster;
	struct kc_user *user;
};

int kubeconfig_resolve(char *const *paths, const char *context,
    struct kc_resolved *out, struct ekskit_err *err);
void kc_resolved_release(struct kc_resolved *r);

/*
 * Writers: replace the same-named entry in place (the whole entry, as
 * `aws eks update-kubeconfig` does), or append.  *changed (may be NULL) is
 * set to 1 when the file content changes, 0 when an identical entry was
 * already there.
 */
int kubeconfig_set_cluster(struct kubeconfig *kc, const struct kc_cluster *c,
    int *changed, struct ekskit_err *err);
int kubeconfig_set_user(struct kubeconfig *kc, const struct kc_user *u,
    int *changed, struct ekskit_err *err);
int kubeconfig_set_context(struct kubeconfig *kc, const struct kc_context *c,
    int *changed, struct ekskit_err *err);
int kubeconfig_set_current_context(struct kubeconfig *kc, const char *name,
    int *changed, struct ekskit_err *err);

/* Remove every entry called name from a section; returns how many went. */
size_t kubeconfig_remove(struct kubeconfig *kc, enum kc_section s,
    const char *name);

/*
 * Edit the exec block of the i-th user entry in place: apiVersion, command and
 * args are replaced and installHint set (or removed when install_hint is
 * NULL).  Every other key of the exec block (env, interactiveMode,
 * provideClusterInfo, unknown ones) and of the user entry stays, in its
 * place.  *changed (may be NULL) as for the setters.  EKSKIT_ERR_NOT_FOUND
 * when the user is missing or has no exec block.  Strings are borrowed.
 */
struct kc_exec_edit {
	const char *api_version;
	const char *command;
	const char *const *args;        /* nargs entries */
	size_t nargs;
	const char *install_hint;       /* NULL: no installHint */
};

int kubeconfig_edit_exec(struct kubeconfig *kc, size_t user,
    const struct kc_exec_edit *ed, int *changed, struct ekskit_err *err);

/*
 * Emit the whole document as YAML, appended to out.  The kubeconfig stays
 * usable afterwards.
 */
int kubeconfig_emit(const struct kubeconfig *kc, struct ekbuf *out,
    struct ekskit_err *err);

/*
 * Emit only the named entries (for --dry-run): a YAML document with the
 * given clusters/users/contexts (names NULL-terminated arrays, may be NULL)
 * and, when with_current is set, current-context.
 */
int kubeconfig_emit_entries(const struct kubeconfig *kc,
    const char *const *clusters, const char *const *users,
    const char *const *contexts, int with_current, struct ekbuf *out,
    struct ekskit_err *err);

/*
 * The list of kubeconfig paths: `flag` if set; else $KUBECONFIG (`env`,
 * split on ':', empty elements dropped); else HOME/.kube/config.  A leading
 * "~/" is expanded with `home`.  NULL-terminated, malloc'd; free with
 * ek_strv_free (buf.h).  NULL on allocation failure or when no HOME is known.
 */
char **kubeconfig_paths(const char *flag, const char *env, const char *home);

#endif /* EKSKIT_KUBECONFIG_H */
