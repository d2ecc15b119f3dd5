/*
 * Text for the terminal.  Error codes, x-amzn-ErrorType headers, service
 * messages, cluster and file names come from servers and files we do not
 * control; printed raw, an ESC, OSC or BEL in them would drive the user's
 * terminal (retitle it, rewrite earlier lines, fake a prompt).  Everything
 * the tools print as a diagnostic passes through here once: cli_log,
 * cli_warn, cli_error, cli_print_usage_error and the library's own -v
 * lines.
 */
#ifndef EKSKIT_TERMSAFE_H
#define EKSKIT_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>

#include "ekskit/buf.h"

/* term_escape flags */
#define TERM_KEEP_NEWLINES 0x1u  /* '\n' and '\t' pass (multi-line -v output: diffs) */

/*
 * Append s[0..n) to out with every control character written as \xNN:
 * C0 controls (including CR; LF and TAB too unless TERM_KEEP_NEWLINES),
 * DEL, the C1 controls U+0080..U+009F, and bytes that are not valid
 * UTF-8.  Printable UTF-8 is kept.  0 or EKSKIT_ERR_NOMEM.
 */
int term_escape(struct ekbuf *out, const char *s, size_t n, unsigned flags);

/*
 * fprintf for diagnostics: format, escape (keeping newlines, so the
 * format's own "\n" works), write.  Nothing is printed when out of memory.
 */
void term_printf(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EKSKIT_TERMSAFE_H */
