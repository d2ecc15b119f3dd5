/*
 * `eks-kubeconfig convert`: rewrite the exec blocks of existing kubeconfig
 * users from `aws eks get-token` or `aws-iam-authenticator token` to
 * eks-token (or back to the AWS CLI's form with KCV_TO_AWS), in place.
 *
 *  - kcv_parse_exec: what an exec block asks for (cluster, region,
 *    profile, role, external id, session name), whatever tool it runs;
 *  - kcv_region_from_server: the region in an EKS endpoint host name;
 *  - kcv_run: choose the users (all, or those of --context), convert each
 *    exec block with kubeconfig_edit_exec (nothing else of the file
 *    changes), report every user converted or left alone and why, and
 *    replace the file under its lock; --dry-run prints a unified diff.
 */
#ifndef EKSKIT_KUBECONFIG_CONVERT_H
#define EKSKIT_KUBECONFIG_CONVERT_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"
#include "ekskit/kubeconfig.h"
#include "ekskit/kubeconfig_update.h"

/* The tools an exec block can run. */
enum kcv_form {
	KCV_FORM_AWS,           /* aws [--region R] eks get-token ... */
	KCV_FORM_IAM_AUTH,      /* aws-iam-authenticator token -i NAME ... */
	KCV_FORM_EKS_TOKEN,     /* eks-token --cluster-name NAME ... */
};

/* What an exec block asks for.  Strings owned: kcv_auth_release. */
struct kcv_auth {
	enum kcv_form form;
	char *cluster;          /* cluster name, or Outposts id when by_id */
	int by_id;              /* --cluster-id (AWS CLI, eks-token) */
	char *region;           /* NULL when the block names none */
	char *profile;          /* from --profile in the args (AWS_PROFILE in env stays there) */
	char *role_arn;
	char *external_id;
	char *session_name;
	int forward_session_name;
};

void kcv_auth_release(struct kcv_auth *a);

/*
 * Parse an exec block.  Recognised: `aws` (any argument order, global
 * --region/--profile/--output before or after `eks`, --role-arn/--role,
 * --cluster-name/--cluster-id, --opt=value forms), `aws-iam-authenticator
 * token` (-i/--cluster-id, -r/--role, -e/--external-id, -s/--session-name,
 * --forward-session-name, --cache dropped) and `eks-token` (its own
 * flags); the command may be a path.  The region falls back to
 * AWS_REGION, then AWS_DEFAULT_REGION, of the block's env.
 * EKSKIT_ERR_INVALID when the block is something else, with err saying
 * why (e.g. "runs gke-gcloud-auth-plugin", "unknown argument --debug").
 */
int kcv_parse_exec(const struct kc_exec *e, struct kcv_auth *out,
    struct ekskit_err *err);

/*
 * The region of an EKS endpoint (https://ID.gr7.REGION.eks.DNS-SUFFIX,
 * every partition's DNS suffix), malloc'd; NULL when the URL is not one.
 */
char *kcv_region_from_server(const char *server);

enum kcv_target { KCV_TO_EKS_TOKEN, KCV_TO_AWS };

/*
 * The exec arguments for the target form (NULL-terminated, malloc'd: free
 * with ek_strv_free).  a->region must be set.  NULL with err set when the
 * target cannot express the request (the AWS CLI has no external id or
 * session name) or on allocation failure.
 */
char **kcv_build_args(const struct kcv_auth *a, enum kcv_target to,
    struct ekskit_err *err);

/*
 * Append kubeconfig text with credential values hidden, for --dry-run's
 * diff: the values of token, client-key-data, password, client-secret,
 * id-token, refresh-token, access-token and secret keys (block, flow and
 * block-scalar styles), and exec env values whose name mentions SECRET,
 * TOKEN, PASSWORD, KEY or CREDENTIAL, become "[redacted]"; control
 * characters become '?'.  Line structure is kept.  0 or EKSKIT_ERR_NOMEM.
 */
int kcv_redact(const char *text, size_t len, struct ekbuf *out);

struct kcv_opts {
	const char *kubeconfig_flag;    /* --kubeconfig */
	const char *kubeconfig_env;     /* $KUBECONFIG */
	const char *home;
	const char *const *contexts;    /* --context NAME..., ncontexts (0: every user) */
	size_t ncontexts;
	enum kcv_target to;             /* --to */
	const char *exec_command;       /* eks-token's command (NULL: eks-token) */
	int exec_absolute;              /* write eks-token's resolved absolute path */
	int dry_run;
	long lock_timeout_ms;           /* 0: KCU_LOCK_TIMEOUT_MS_DEFAULT */
	void (*out)(void *arg, const char *text);  /* report and diff (stdout) */
	kcu_notify_fn notify;           /* warnings, -v */
	void *arg;                      /* for out and notify */
};

/* Flag combinations and values; EKSKIT_ERR_USAGE naming the flag. */
int kcv_check(const struct kcv_opts *o, struct ekskit_err *err);

/*
 * Convert every kubeconfig file of the list (--kubeconfig, else
 * KUBECONFIG, else ~/.kube/config) that exists.  Each file is locked,
 * re-read, edited and replaced atomically, only when something changed;
 * a failure leaves it byte-identical.  *converted (may be NULL) counts
 * the users converted (or, with dry_run, that would be).  Errors:
 * EKSKIT_ERR_NOT_FOUND (no kubeconfig, or a --context in none of them),
 * EKSKIT_ERR_INVALID (corrupt file), EKSKIT_ERR_BUSY (lock held),
 * EKSKIT_ERR_IO / PERM.
 */
int kcv_run(const struct kcv_opts *o, size_t *converted,
    struct ekskit_err *err);

#endif /* EKSKIT_KUBECONFIG_CONVERT_H */
