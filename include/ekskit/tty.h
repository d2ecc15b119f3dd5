/*
 * Reading a short answer (an MFA code) from the user's terminal.
 *
 * The prompt goes to stderr and the answer is read from /dev/tty, so that
 * stdout (the ExecCredential kubectl reads) is never touched and a
 * redirected stdin does not matter.  No terminal → a clear error, never a
 * hang.
 */
#ifndef EKSKIT_TTY_H
#define EKSKIT_TTY_H

#include "ekskit/error.h"

/* Longest answer accepted. */
#define TTY_MAX_ANSWER 64

/*
 * Print `prompt` on stderr and read one line from /dev/tty (or from the
 * file named by EKSKIT_TTY, for tests).  *out is malloc'd without the
 * newline; the caller frees it with ek_free_secret().  EKSKIT_ERR_CONFIG
 * when there is no terminal, EKSKIT_ERR_IO on end of input.
 */
int tty_read_line(const char *prompt, char **out, struct ekskit_err *err);

/*
 * Ask for the MFA code of `mfa_serial` (profile named for the message) and
 * check it is 6 to 8 digits (asks up to 3 times).  *code as for
 * tty_read_line.  With no terminal, the message says how to proceed.
 */
int tty_read_mfa_code(const char *profile, const char *mfa_serial, char **code,
    struct ekskit_err *err);

#endif /* EKSKIT_TTY_H */
