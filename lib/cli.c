/* Shared command-line helpers: see include/ekskit/cli.h. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/awsconfig.h"
#include "ekskit/cli.h"
#include "ekskit/endpoints.h"
#include "ekskit/error.h"
#include "ekskit/termsafe.h"

#define LIST_FLAGS_NAME "list-flags"
#define LIST_PROFILES_NAME "list-profiles"
#define LIST_REGIONS_NAME "list-regions"
/* getopt_long val for long-only rows: LONG_BASE + row index. */
#define LONG_BASE 0x1000

int
cli_exit_code(int status)
{
	if (status == EKSKIT_OK)
		return CLI_EXIT_OK;
	if (status == EKSKIT_ERR_USAGE)
		return CLI_EXIT_USAGE;
	return CLI_EXIT_FAILURE;
}

static const char *
complete_name(enum cli_complete c)
{
	switch (c) {
	case CLI_COMPLETE_PROFILE:
		return "profile";
	case CLI_COMPLETE_REGION:
		return "region";
	case CLI_COMPLETE_FILE:
		return "file";
	case CLI_COMPLETE_CONTEXT:
		return "context";
	case CLI_COMPLETE_NONE:
		break;
	}
	return "none";
}

/* The row for a getopt_long return value, or NULL. */
static const struct cli_flag *
row_for(const struct cli_tool *tool, int c)
{
	size_t i;

	if (c >= LONG_BASE && (size_t)(c - LONG_BASE) < tool->nflags)
		return &tool->flags[c - LONG_BASE];
	for (i = 0; i < tool->nflags; i++)
		if (tool->flags[i].short_name != 0 && tool->flags[i].short_name == c)
			return &tool->flags[i];
	return NULL;
}

/*
 * Build getopt_long's tables from the flag table.  *longopts and *shortopts
 * are malloc'd (caller frees).  The extra long option is --list-flags.
 */
static int
build_options(const struct cli_tool *tool, struct option **longopts,
    char **shortopts, struct ekskit_err *err)
{
	struct option *lo;
	char *so;
	size_t i, n = 0;

	lo = calloc(tool->nflags + 4, sizeof(*lo));
	/* ':' first: report a missing argument as ':' rather than '?'. */
	so = calloc(2 * tool->nflags + 2, 1);
	if (lo == NULL || so == NULL) {
		free(lo);
		free(so);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	so[n++] = ':';
	for (i = 0; i < tool->nflags; i++) {
		const struct cli_flag *f = &tool->flags[i];

		lo[i].name = f->long_name;
		lo[i].has_arg = f->arg_name ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = (int)(LONG_BASE + i);
		if (f->short_name != 0) {
			so[n++] = f->short_name;
			if (f->arg_name)
				so[n++] = ':';
		}
	}
	lo[i].name = LIST_FLAGS_NAME;
	lo[i].has_arg = no_argument;
	lo[i].val = (int)(LONG_BASE + tool->nflags);
	lo[i + 1].name = LIST_PROFILES_NAME;
	lo[i + 1].has_arg = no_argument;
	lo[i + 1].val = (int)(LONG_BASE + tool->nflags + 1);
	lo[i + 2].name = LIST_REGIONS_NAME;
	lo[i + 2].has_arg = no_argument;
	lo[i + 2].val = (int)(LONG_BASE + tool->nflags + 2);
	*longopts = lo;
	*shortopts = so;
	return EKSKIT_OK;
}

/* The option as the user spelled it, for error messages. */
static void
spelled_option(char **argv, int idx, int optopt_c, char *out, size_t outlen)
{
	const char *arg = (idx > 0) ? argv[idx - 1] : NULL;

	if (optopt_c > 0 && optopt_c < LONG_BASE)
		snprintf(out, outlen, "-%c", optopt_c);
	else if (arg != NULL) {
		size_t n = strcspn(arg, "=");

		snprintf(out, outlen, "%.*s", (int)(n > 64 ? 64 : n), arg);
	} else
		snprintf(out, outlen, "?");
}

/* A built-in or the tool's handler for one parsed flag. */
static int
dispatch(const struct cli_tool *tool, const struct cli_flag *f,
    const char *arg, cli_flag_fn fn, void *ud, FILE *out,
    struct ekskit_err *err)
{
	switch (f->id) {
	case CLI_ID_HELP:
		cli_print_help(tool, out);
		return CLI_HANDLED;
	case CLI_ID_VERSION:
		fprintf(out, "%s %s\n", tool->name, tool->version ? tool->version : "");
		return CLI_HANDLED;
	case CLI_ID_LIST_FLAGS:
		cli_print_flags(tool, out);
		return CLI_HANDLED;
	case CLI_ID_LIST_PROFILES:
		cli_print_profiles(out);
		return CLI_HANDLED;
	case CLI_ID_LIST_REGIONS:
		cli_print_regions(out);
		return CLI_HANDLED;
	default:
		break;
	}
	return fn ? fn(ud, f->id, arg, err) : EKSKIT_OK;
}

int
cli_parse(const struct cli_tool *tool, int argc, char **argv,
    cli_flag_fn fn, void *ud, int *first_arg, FILE *out,
    struct ekskit_err *err)
{
	static const struct cli_flag list_row = {
		LIST_FLAGS_NAME, 0, NULL, NULL, CLI_FLAG_HIDDEN,
		CLI_ID_LIST_FLAGS, CLI_COMPLETE_NONE
	};
	static const struct cli_flag profiles_row = {
		LIST_PROFILES_NAME, 0, NULL, NULL, CLI_FLAG_HIDDEN,
		CLI_ID_LIST_PROFILES, CLI_COMPLETE_NONE
	};
	static const struct cli_flag regions_row = {
		LIST_REGIONS_NAME, 0, NULL, NULL, CLI_FLAG_HIDDEN,
		CLI_ID_LIST_REGIONS, CLI_COMPLETE_NONE
	};
	struct option *lo = NULL;
	char *so = NULL;
	char spelled[80];
	int c, ret;

	if (first_arg)
		*first_arg = argc;
	if ((ret = build_options(tool, &lo, &so, err)) != EKSKIT_OK)
		return ret;
	optind = 0;     /* GNU: full re-initialisation */
	opterr = 0;     /* we word the messages ourselves */
	ret = EKSKIT_OK;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const struct cli_flag *f;

		if (c == '?' || c == ':') {
			spelled_option(argv, optind, optopt, spelled, sizeof(spelled));
			if (c == '?')
				ret = ekskit_err_set(err, EKSKIT_ERR_USAGE,
				    "unknown option '%s'", spelled);
			else
				ret = ekskit_err_set(err, EKSKIT_ERR_USAGE,
				    "option '%s' needs an argument", spelled);
			break;
		}
		f = c == LONG_BASE + (int)tool->nflags ? &list_row :
		    c == LONG_BASE + (int)tool->nflags + 1 ? &profiles_row :
		    c == LONG_BASE + (int)tool->nflags + 2 ? &regions_row : row_for(tool, c);
		if (f == NULL) {
			ret = ekskit_err_set(err, EKSKIT_ERR_INTERNAL,
			    "flag table out of step with getopt (%d)", c);
			break;
		}
		ret = dispatch(tool, f, f->arg_name ? optarg : NULL, fn, ud, out, err);
		if (ret != EKSKIT_OK)
			break;
	}
	if (ret == EKSKIT_OK && optind < argc) {
		if (first_arg)
			*first_arg = optind;
		else
			ret = ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "unexpected argument '%.64s'", argv[optind]);
	}
	free(lo);
	free(so);
	return ret;
}

int
cli_nonempty(const char *flag, const char *arg, const char **dst,
    struct ekskit_err *err)
{
	if (arg == NULL || arg[0] == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--%s needs a non-empty value", flag);
	*dst = arg;
	return EKSKIT_OK;
}

/* "also --name, -r" for the aliases of row `main`; "" when none. */
static void
alias_note(const struct cli_tool *tool, const struct cli_flag *main_row,
    char *out, size_t outlen)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < tool->nflags; i++) {
		const struct cli_flag *f = &tool->flags[i];

		if (!(f->flags & CLI_FLAG_ALIAS) || f->id != main_row->id ||
		    (f->flags & CLI_FLAG_HIDDEN))
			continue;
		if (n < outlen)
			n += (size_t)snprintf(out + n, outlen - n, "%s", n ? ", " : " (also ");
		if (f->short_name && n < outlen)
			n += (size_t)snprintf(out + n, outlen - n, "-%c, ", f->short_name);
		if (n < outlen)
			n += (size_t)snprintf(out + n, outlen - n, "--%s", f->long_name);
	}
	if (n > 0 && n < outlen)
		snprintf(out + n, outlen - n, ")");
}

void
cli_print_help(const struct cli_tool *tool, FILE *out)
{
	size_t i;

	fprintf(out, "Usage: %s %s\n", tool->name, tool->synopsis ? tool->synopsis : "[options]");
	if (tool->summary)
		fprintf(out, "\n%s\n", tool->summary);
	fputs("\nOptions:\n", out);
	for (i = 0; i < tool->nflags; i++) {
		const struct cli_flag *f = &tool->flags[i];
		char left[96], aliases[160];

		if (f->flags & (CLI_FLAG_HIDDEN | CLI_FLAG_ALIAS))
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
		    f->short_name ? "-" : "   ", f->short_name ? f->short_name : ' ',
		    f->short_name ? ", " : "", f->long_name,
		    f->arg_name ? " " : "", f->arg_name ? f->arg_name : "");
		alias_note(tool, f, aliases, sizeof(aliases));
		if (strlen(left) > 28)
			fprintf(out, "  %s\n  %-28s  %s%s\n", left, "", f->help ? f->help : "", aliases);
		else
			fprintf(out, "  %-28s  %s%s\n", left, f->help ? f->help : "", aliases);
	}
	if (tool->epilog)
		fprintf(out, "\n%s\n", tool->epilog);
}

void
cli_print_flags(const struct cli_tool *tool, FILE *out)
{
	size_t i;

	for (i = 0; i < tool->nflags; i++) {
		const struct cli_flag *f = &tool->flags[i];

		fprintf(out, "--%s\t", f->long_name);
		if (f->short_name)
			fprintf(out, "-%c\t", f->short_name);
		else
			fputs("-\t", out);
		fprintf(out, "%s\t%s\n", f->arg_name ? f->arg_name : "-",
		    complete_name(f->complete));
	}
}

void
cli_print_usage_error(const struct cli_tool *tool, const char *msg, FILE *out)
{
	struct ekbuf safe;

	/* the message quotes argv, which may come from a script's input */
	ekbuf_init(&safe, 64 * 1024);
	if (term_escape(&safe, msg, strlen(msg), 0) != EKSKIT_OK)
		ekbuf_reset(&safe);
	fprintf(out, "%s: %s\nTry '%s --help' for more information.\n",
	    tool->name, safe.data ? safe.data : "(message too long)", tool->name);
	ekbuf_release(&safe);
}

/* ---- logger ---- */

void
cli_logger_init(struct cli_logger *lg, const char *prog, int verbose)
{
	memset(lg, 0, sizeof(*lg));
	lg->prog = prog;
	lg->verbose = verbose;
}

int
cli_logger_add_secret(struct cli_logger *lg, const char *secret)
{
	if (lg == NULL || secret == NULL || secret[0] == '\0')
		return EKSKIT_OK;
	if (lg->nsecrets >= CLI_LOGGER_MAX_SECRETS)
		return EKSKIT_ERR_NOMEM;
	lg->secrets[lg->nsecrets++] = secret;
	return EKSKIT_OK;
}

void
cli_logger_forget_secrets_after(struct cli_logger *lg, size_t keep)
{
	if (lg == NULL)
		return;
	while (lg->nsecrets > keep)
		lg->secrets[--lg->nsecrets] = NULL;
}

void
cli_logger_forget_secrets(struct cli_logger *lg)
{
	cli_logger_forget_secrets_after(lg, 0);
}

/* Copy msg to b with every registered secret replaced. */
static int
redact(const struct cli_logger *lg, const char *msg, struct ekbuf *b)
{
	const char *p = msg;

	while (*p) {
		size_t i, skip = 0;

		for (i = 0; lg && i < lg->nsecrets; i++) {
			size_t n = strlen(lg->secrets[i]);

			if (n > 0 && strncmp(p, lg->secrets[i], n) == 0) {
				skip = n;
				break;
			}
		}
		if (skip) {
			if (ekbuf_puts(b, "[redacted]") != EKSKIT_OK)
				return EKSKIT_ERR_NOMEM;
			p += skip;
		} else {
			if (ekbuf_putc(b, *p) != EKSKIT_OK)
				return EKSKIT_ERR_NOMEM;
			p++;
		}
	}
	return EKSKIT_OK;
}

/*
 * The one place messages reach the terminal: secrets redacted, then
 * control characters escaped (server text may carry ESC, OSC, BEL).  Only
 * -v output keeps its newlines (multi-line diffs).
 */
static void
vemit(const struct cli_logger *lg, const char *kind, unsigned term_flags,
    const char *fmt, va_list ap)
{
	struct ekbuf raw, clean, safe;
	FILE *out = (lg && lg->out) ? lg->out : stderr;
	const char *prog = (lg && lg->prog) ? lg->prog : "ekskit";

	/* Both buffers may briefly hold what a careless caller passed: wipe them. */
	ekbuf_init_secret(&raw, 64 * 1024);
	ekbuf_init_secret(&clean, 64 * 1024);
	ekbuf_init_secret(&safe, 256 * 1024);
	if (ekbuf_vprintf(&raw, fmt, ap) == EKSKIT_OK &&
	    redact(lg, raw.data ? raw.data : "", &clean) == EKSKIT_OK &&
	    term_escape(&safe, clean.data ? clean.data : "", clean.len,
	    term_flags) == EKSKIT_OK)
		fprintf(out, "%s: %s%s\n", prog, kind, safe.data);
	else
		fprintf(out, "%s: %s(message too long to log)\n", prog, kind);
	ekbuf_release(&raw);
	ekbuf_release(&clean);
	ekbuf_release(&safe);
}

void
cli_log(const struct cli_logger *lg, const char *fmt, ...)
{
	va_list ap;

	if (lg == NULL || lg->verbose <= 0)
		return;
	va_start(ap, fmt);
	vemit(lg, "", TERM_KEEP_NEWLINES, fmt, ap);
	va_end(ap);
}

void
cli_warn(const struct cli_logger *lg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(lg, "warning: ", 0, fmt, ap);
	va_end(ap);
}

void
cli_error(const struct cli_logger *lg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(lg, "", 0, fmt, ap);
	va_end(ap);
}

void
cli_print_profiles(FILE *out)
{
	struct awsconfig *cfg = NULL;
	char **names;
	size_t i;

	/* for shell completion: a broken config file just completes nothing */
	if (awsconfig_load(&cfg, NULL) != EKSKIT_OK)
		return;
	if ((names = awsconfig_profile_names(cfg)) != NULL)
		for (i = 0; names[i] != NULL; i++)
			fprintf(out, "%s\n", names[i]);
	ek_strv_free(names);
	awsconfig_free(cfg);
}

void
cli_print_regions(FILE *out)
{
	const char *const *r;

	for (r = aws_known_regions(); *r != NULL; r++)
		fprintf(out, "%s\n", *r);
}
