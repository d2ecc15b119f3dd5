/*
 * eks-access front end: the options every subcommand shares (one flag
 * table in main.c) and the subcommands that live in their own files.
 */
#ifndef EKS_ACCESS_CMD_H
#define EKS_ACCESS_CMD_H
#include <stddef.h>
#include "ekskit/cli.h"

enum access_format { ACCESS_FMT_TABLE, ACCESS_FMT_JSON, ACCESS_FMT_YAML };

#define ACCESS_MAX_REPEAT 32

/* Every flag of the tool, global or per subcommand (one flag table in main.c, so global
 * flags may come before or after the subcommand).  Strings borrow from argv. */
struct access_opts {
	const char *kubeconfig, *context;           /* Kubernetes API */
	const char *cluster_name, *region, *profile; /* EKS / IAM APIs */
	enum access_format format; int format_set;  /* -o table|json|yaml */
	int dry_run, force, replace, verbose, apply;
	const char *username;                       /* --username */
	const char *groups[ACCESS_MAX_REPEAT]; size_t ngroups;     /* --group (aws-auth) */
	const char *type;                           /* --type (entries) */
	const char *k8s_groups[ACCESS_MAX_REPEAT]; size_t nk8s_groups; /* --kubernetes-group */
	const char *policy, *scope;                 /* --policy, --scope */
	const char *namespaces[ACCESS_MAX_REPEAT]; size_t nnamespaces; /* --namespace */
	const char *principal;                      /* whoami --principal */
	struct cli_logger *log;
};

/* Subcommands in their own files.  argv[0] is the subcommand word; positional words follow.
 * Each returns the process exit code (0 ok, 1 failure, 2 usage) and prints its own output. */
int access_cmd_entry(struct access_opts *o, int argc, char **argv);   /* entry.c   */
int access_cmd_migrate(struct access_opts *o, int argc, char **argv); /* migrate.c */
int access_cmd_whoami(struct access_opts *o, int argc, char **argv);  /* whoami.c  */
/*
 * Print on stdout, by o->format: doc as JSON or YAML, or for a table the
 * text that text(ctx, buf) appends (entry.c).  0 or an EKSKIT_ERR_*.
 */
#include <jansson.h>
#include "ekskit/buf.h"
typedef int (*access_text_fn)(const void *ctx, struct ekbuf *out);
int access_print_doc(const struct access_opts *o, const json_t *doc,
    access_text_fn text, const void *ctx, struct ekskit_err *err);
#endif
