/*
 * Writing EKS entries into kubeconfig files (the engine of eks-kubeconfig).
 *
 *  - kcu_entries_build: the cluster, user (exec) and context entries for a
 *    described cluster, named and shaped like `aws eks update-kubeconfig`
 *    writes them unless options say otherwise;
 *  - kcu_write: choose the file (--kubeconfig, KUBECONFIG, ~/.kube/config),
 *    lock it the client-go way, merge, and replace it atomically; or write a
 *    standalone file holding only the given entries;
 *  - kcu_users_load: the --users file of per-user kubeconfigs.
 */
#ifndef EKSKIT_KUBECONFIG_UPDATE_H
#define EKSKIT_KUBECONFIG_UPDATE_H

#include <stddef.h>

#include "ekskit/eks.h"
#include "ekskit/error.h"
#include "ekskit/kubeconfig.h"

#define KCU_EXEC_COMMAND_DEFAULT "eks-token"
#define KCU_LOCK_TIMEOUT_MS_DEFAULT 5000
#define KCU_BACKUP_SUFFIX ".eks-kubeconfig.bak" /* previous file, kept before an in-place rewrite */

/* installHint of the exec blocks that run eks-token: kubectl prints it when the command is missing. */
#define KCU_INSTALL_HINT \
	"eks-token (part of ekskit) signs in to Amazon EKS for this kubeconfig.\n" \
	"Install ekskit (make && sudo make install, or its deb, rpm or Homebrew\n" \
	"package) so that eks-token is on kubectl's PATH, or go back to the AWS\n" \
	"CLI with: eks-kubeconfig convert --to aws\n"

/* How the entries look.  All strings borrowed, NULL = unset. */
struct kcu_entry_opts {
	const char *context_alias;      /* --alias (default: the user entry's name) */
	const char *user_alias;         /* --user-alias (default: --alias, else the cluster ARN) */
	const char *cluster_alias;      /* --cluster-alias (default: the cluster ARN) */
	const char *namespace;          /* --namespace */
	const char *exec_command;       /* NULL = eks-token; "aws" = the AWS CLI's exec block; a name or absolute path */
	int exec_absolute;              /* --exec-absolute: the caller resolves exec_command first */
	const char *exec_api_version;   /* "v1beta1" (default), "v1", or the full apiVersion */
	const char *profile;            /* put AWS_PROFILE=profile in the exec env */
	int profile_as_arg;             /* --profile-arg: `--profile NAME` in the args instead */
	const char *role_arn;           /* role for the token, in the exec args */
	const char *const *env;         /* "KEY=VALUE" strings for the exec env */
	size_t nenv;
	const char *proxy_url;          /* cluster proxy-url */
	int needs_mfa;                  /* the profile may prompt for MFA: v1 exec
	                                   blocks get interactiveMode IfAvailable */
	/*
	 * --shared-user NAME: one user entry for every cluster (exec without
	 * cluster arguments, provideClusterInfo: true); cluster name, region,
	 * role and profile go into the cluster entry's
	 * client.authentication.k8s.io/exec extension, which kubectl hands to
	 * eks-token in KUBERNETES_EXEC_INFO.  Contexts are named by the
	 * cluster ARN (or --alias).
	 */
	const char *shared_user;
};

/*
 * Check the options before any network call: exec api version, env
 * KEY=VALUE syntax and duplicates, namespace (a DNS-1123 label), role ARN
 * shape, aliases, an exec command path (absolute, executable).  EKSKIT_ERR_USAGE with a message naming the flag.
 */
int kcu_entry_opts_check(const struct kcu_entry_opts *o, struct ekskit_err *err);

/* The three entries for one cluster.  Everything owned; kcu_entries_free. */
struct kcu_entries {
	struct kc_cluster cluster;
	struct kc_user user;
	struct kc_context context;
};

/*
 * Build the entries for a described cluster (which must carry endpoint and
 * certificate data).  The region in the exec args comes from the cluster
 * ARN, as the AWS CLI does; an Outposts local cluster is addressed with
 * --cluster-id.  *out owned by caller.
 */
int kcu_entries_build(const struct eks_cluster *cl,
    const struct kcu_entry_opts *o, struct kcu_entries **out,
    struct ekskit_err *err);
void kcu_entries_free(struct kcu_entries *e);

/*
 * A cluster's status is usable: ACTIVE, or UPDATING (*warn set to 1).
 * Otherwise EKSKIT_ERR_INVALID saying what to wait for.
 */
int kcu_cluster_usable(const struct eks_cluster *cl, int *warn,
    struct ekskit_err *err);

enum kcu_current {
	KCU_CURRENT_SET,        /* current-context = the (last) new context */
	KCU_CURRENT_KEEP,       /* never touch current-context */
	KCU_CURRENT_IF_UNSET,   /* set it only when the file has none */
};

/* notify(level, message): level 0 = warning, 1 = -v diagnostic. */
typedef void (*kcu_notify_fn)(void *arg, int level, const char *msg);

struct kcu_write_opts {
	const char *kubeconfig_flag;    /* --kubeconfig: the file, no search */
	const char *kubeconfig_env;     /* value of $KUBECONFIG, or NULL */
	const char *home;               /* for ~ and ~/.kube/config */
	const char *standalone_path;    /* write a fresh file with only these entries */
	enum kcu_current current;
	int dry_run;                    /* decide and describe, write nothing */
	long lock_timeout_ms;           /* 0 = KCU_LOCK_TIMEOUT_MS_DEFAULT */
	kcu_notify_fn notify;           /* may be NULL */
	void *notify_arg;
	/*
	 * A user entry that other contexts use is never given a different
	 * exec block (EKSKIT_ERR_CONFIG naming those contexts) unless force.
	 */
	int force;
	/* --prune: stale ekskit entries removed in the same update (kubeconfig_prune.h) */
	const struct kcu_prune *prune;
};

struct kcu_result {
	char *path;             /* the file written (or that would be); owned */
	int *existed;           /* per entry: its cluster entry was already in the file */
	int *changed;           /* per entry: the file differs in some part of it */
	int current_changed;    /* current-context changes */
	int written;            /* the file was (re)written */
	char *dry_run_yaml;     /* dry run: the entries that would change; owned */
	char **pruned;          /* contexts removed by prune, NULL-terminated or NULL; owned */
};

struct kcu_prune;

/*
 * Merge entries[0..n) into the chosen kubeconfig (or write a standalone
 * file), under `<file>.lock`, written atomically (a symlink is followed);
 * a new file gets mode 0600, missing directories 0700; an existing file
 * keeps its mode and a group/world-readable one is warned about.  The
 * first file of KUBECONFIG that holds the first entry's cluster is chosen,
 * else the first file; unreadable candidates are skipped with a warning.
 * A corrupt target is an error and the file is left untouched.  res is
 * filled on success (release with kcu_result_release).  With w->prune,
 * stale entries are removed first (n may then be 0) and a current-context
 * left dangling is cleared (or set as w->current says).
 */
int kcu_write(struct kcu_entries *const *entries, size_t n,
    const struct kcu_write_opts *w, struct kcu_result *res,
    struct ekskit_err *err);
void kcu_result_release(struct kcu_result *res);

/*
 * Replace an existing kubeconfig file with kc, atomically (a bind-mounted
 * file that cannot be renamed over is rewritten in place, with a -v note
 * through w->notify).  The caller holds the lock.  The file keeps its mode.
 * scratch, when not NULL, is a secret buffer (ekbuf_init_secret) whose
 * allocation is reused for the emitted file: the caller's buffer that held
 * the file as read has its pages mapped already, which matters for large
 * files.  Its contents are wiped first and it is left holding the new file
 * (the caller releases it).  NULL: a buffer of its own, wiped and freed.
 */
int kcu_save(const char *path, const struct kubeconfig *kc,
    const struct kcu_write_opts *w, struct ekbuf *scratch,
    struct ekskit_err *err);

/* One person of a --users file. */
struct kcu_user_spec {
	char *name;             /* file-name safe: [A-Za-z0-9._-], not . or .. */
	char *role_arn;         /* required */
	char *namespace;        /* optional */
	char *profile;          /* optional: AWS_PROFILE for this user's exec */
};

/*
 * Load and validate a --users file: a YAML list of mappings with `name`,
 * `role-arn`, optional `namespace` and `profile`.  Every entry is checked
 * (unknown keys, duplicates, shapes) before anything is returned; the
 * message names the file and the entry.  *out (n entries) owned by caller:
 * kcu_users_free.
 */
int kcu_users_load(const char *path, struct kcu_user_spec **out, size_t *n,
    struct ekskit_err *err);
void kcu_users_free(struct kcu_user_spec *u, size_t n);

#endif /* EKSKIT_KUBECONFIG_UPDATE_H */
