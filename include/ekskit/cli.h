/*
 * Shared command-line helpers for every ekskit tool.
 *
 * One flag table per tool drives the parser (getopt_long, built from the
 * table), `--help`, `--version` and a hidden `--list-flags` that prints the
 * table in a machine-readable form, so that tests can check the completion
 * scripts cover every flag: the three cannot drift apart.
 *
 * Also here: the exit-code convention shared by the tools, and a stderr
 * logger for -v whose messages are scrubbed of registered secrets.
 *
 * These helpers are for front ends: the only output they produce goes to
 * the FILE a caller hands them (help and version to stdout, diagnostics to
 * stderr).  Nothing here exits.
 */
#ifndef EKSKIT_CLI_H
#define EKSKIT_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "ekskit/error.h"

/* Exit codes of every tool (documented in each man page). */
enum cli_exit {
	CLI_EXIT_OK = 0,        /* success */
	CLI_EXIT_FAILURE = 1,   /* runtime failure: no credentials, AWS error, bad input */
	CLI_EXIT_USAGE = 2,     /* bad command line */
};

/* The exit code for a library status: 0 -> 0, USAGE -> 2, other errors -> 1. */
int cli_exit_code(int status);

/* cli_flag.flags */
#define CLI_FLAG_HIDDEN  0x1u   /* parsed, but left out of --help */
#define CLI_FLAG_ALIAS   0x2u   /* another spelling of the flag with the same id */

/* What a completion script should offer for a flag's argument. */
enum cli_complete {
	CLI_COMPLETE_NONE = 0,  /* free text */
	CLI_COMPLETE_PROFILE,   /* profile names from the AWS config files */
	CLI_COMPLETE_REGION,    /* AWS region names */
	CLI_COMPLETE_FILE,      /* a path */
	CLI_COMPLETE_CONTEXT,   /* context names from the kubeconfig */
};

/* Ids the parser handles by itself when a table uses them. */
#define CLI_ID_HELP       (-100)
#define CLI_ID_VERSION    (-101)
#define CLI_ID_LIST_FLAGS (-102)
#define CLI_ID_LIST_PROFILES (-103)
#define CLI_ID_LIST_REGIONS (-104)

/*
 * One row of a tool's flag table.  A flag with arg_name takes a required
 * argument ("--region REGION"); without, it is a switch.  Aliases are rows
 * of their own with CLI_FLAG_ALIAS and the id of the main spelling: --help
 * shows them on the main row ("also --name").
 */
struct cli_flag {
	const char *long_name;  /* without the dashes, e.g. "cluster-name"; required */
	char short_name;        /* e.g. 'i', or 0 */
	const char *arg_name;   /* e.g. "NAME", or NULL for a switch */
	const char *help;       /* one line, shown by --help */
	unsigned flags;         /* CLI_FLAG_* */
	int id;                 /* passed to the tool's handler; CLI_ID_* for built-ins */
	enum cli_complete complete;
};

/* Rows every tool includes (ids handled by cli_parse). */
#define CLI_ROW_HELP \
	{ "help", 'h', NULL, "show this help and exit", 0, CLI_ID_HELP, CLI_COMPLETE_NONE }
#define CLI_ROW_VERSION \
	{ "version", 0, NULL, "show the version and exit", 0, CLI_ID_VERSION, CLI_COMPLETE_NONE }

struct cli_tool {
	const char *name;        /* program name, e.g. "eks-token" */
	const char *version;     /* e.g. EKSKIT_VERSION */
	const char *synopsis;    /* e.g. "--cluster-name NAME [options]" */
	const char *summary;     /* one paragraph printed under the usage line */
	const char *epilog;      /* printed after the flag list (exit codes...), or NULL */
	const struct cli_flag *flags;
	size_t nflags;
};

/*
 * Called once per flag occurrence, in command-line order.  arg is NULL for
 * switches.  Return 0 to go on, or a negative EKSKIT_ERR_* (set err; use
 * EKSKIT_ERR_USAGE for a bad value) to stop parsing.
 */
typedef int (*cli_flag_fn)(void *ud, int id, const char *arg,
    struct ekskit_err *err);

#define CLI_HANDLED 1  /* cli_parse: --help/--version/--list-flags printed; exit 0 */

/*
 * Parse argv against tool->flags.  Handles --help, --version (printed to
 * out, normally stdout) and the hidden --list-flags itself.
 *
 * Returns 0 when the tool should go on (*first_arg = index of the first
 * positional argument; pass NULL to refuse positional arguments), or
 * CLI_HANDLED when a built-in flag was printed and the tool should exit 0,
 * or EKSKIT_ERR_USAGE (err: "unknown option '--x'", "option '--region'
 * needs an argument", ...), or whatever the handler returned.
 * Restartable: getopt's state is reset on entry.
 */
int cli_parse(const struct cli_tool *tool, int argc, char **argv,
    cli_flag_fn fn, void *ud, int *first_arg, FILE *out,
    struct ekskit_err *err);

/* --help text: usage, summary, one line per visible flag, epilog. */
void cli_print_help(const struct cli_tool *tool, FILE *out);

/*
 * --list-flags: one line per row of the table (aliases and hidden rows
 * included; --list-flags itself is not listed), tab-separated:
 *	--long <TAB> -s or "-" <TAB> ARG or "-" <TAB> completion kind
 * where the completion kind is none, profile, region, file or context.
 */
void cli_print_flags(const struct cli_tool *tool, FILE *out);

/*
 * For flag handlers: an empty value is a usage error, not "unset".  Sets
 * *dst = arg and returns 0, or EKSKIT_ERR_USAGE ("--FLAG needs a non-empty
 * value"; flag is the long name without dashes).  *dst is borrowed from argv.
 */
int cli_nonempty(const char *flag, const char *arg, const char **dst,
    struct ekskit_err *err);

/*
 * The hidden --list-profiles: the AWS profile names of the shared config
 * files, one a line (nothing when they cannot be read).  The completion
 * scripts use it, so profile parsing lives in one place: the library.
 */
void cli_print_profiles(FILE *out);

/* The hidden --list-regions: aws_known_regions(), one a line, for completion. */
void cli_print_regions(FILE *out);

/* Print "NAME: message" and a hint to run --help, for usage errors. */
void cli_print_usage_error(const struct cli_tool *tool, const char *msg,
    FILE *out);

/*
 * The stderr logger.  Messages are one line, prefixed with the program
 * name.  Any registered secret that appears in a message is replaced by
 * "[redacted]" before it is written: callers must still never pass
 * secrets, this is the safety net.  Secrets are borrowed: forget them with
 * cli_logger_forget_secrets() before freeing them.
 */
#define CLI_LOGGER_MAX_SECRETS 8

struct cli_logger {
	const char *prog;       /* prefix, e.g. "eks-token" */
	int verbose;            /* cli_log prints only when > 0 */
	FILE *out;              /* NULL = stderr */
	const char *secrets[CLI_LOGGER_MAX_SECRETS];
	size_t nsecrets;
};

void cli_logger_init(struct cli_logger *lg, const char *prog, int verbose);
/* Register a string that must never be printed.  NULL/empty ignored.
 * Returns 0, or EKSKIT_ERR_NOMEM when the table is full. */
int cli_logger_add_secret(struct cli_logger *lg, const char *secret);
void cli_logger_forget_secrets(struct cli_logger *lg);
/* Forget the secrets registered after the first `keep` (for a callee that
 * registered its own and frees them). */
void cli_logger_forget_secrets_after(struct cli_logger *lg, size_t keep);

/* A -v diagnostic: "prog: message\n" when lg->verbose.  lg may be NULL. */
void cli_log(const struct cli_logger *lg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Always printed: "prog: warning: message\n". */
void cli_warn(const struct cli_logger *lg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Always printed: "prog: message\n" (for the final error of a run). */
void cli_error(const struct cli_logger *lg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EKSKIT_CLI_H */
