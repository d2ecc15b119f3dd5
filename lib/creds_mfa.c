/*
 * The MFA code for assume-role profiles with mfa_serial: asked on the
 * terminal (prompt on stderr, answer from /dev/tty, see lib/tty.c), unless
 * kubectl said the session is not interactive (ctx->no_prompt): then the
 * error names the command that fills the cache from a terminal.  The
 * assumed credentials are cached (creds_assume_role.c), so the prompt comes
 * once per role session, not once per kubectl call.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/error.h"
#include "ekskit/tty.h"
#include "creds_internal.h"

int
creds_mfa_code(const struct creds_ctx *ctx, const char *profile,
    const char *mfa_serial, char *code, size_t codesz, struct ekskit_err *err)
{
	char *answer = NULL;
	int r;

	if (codesz > 0)
		code[0] = '\0';
	if (ctx->no_prompt)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile '%s' requires "
		    "an MFA code (mfa_serial = %s) but kubectl runs this plugin "
		    "non-interactively (spec.interactive is false: no terminal, or "
		    "interactiveMode Never); run `%s` in a terminal to enter the code "
		    "(the credentials are then cached for the session), then retry",
		    profile ? profile : "default", mfa_serial,
		    ctx->terminal_hint ? ctx->terminal_hint : "eks-token --profile ...");
	if ((r = tty_read_mfa_code(profile, mfa_serial, &answer, err)) != 0)
		return r;
	if (strlen(answer) >= codesz)
		r = ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "MFA code buffer too small");
	else
		memcpy(code, answer, strlen(answer) + 1);
	ek_free_secret(answer);
	return r;
}
