/*
 * The MFA code for assume-role profiles with mfa_serial: asked on the
 * terminal (prompt on stderr, answer from /dev/tty, see lib/tty.c).  The
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

	(void)ctx;
	if (codesz > 0)
		code[0] = '\0';
	if ((r = tty_read_mfa_code(profile, mfa_serial, &answer, err)) != 0)
		return r;
	if (strlen(answer) >= codesz)
		r = ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "MFA code buffer too small");
	else
		memcpy(code, answer, strlen(answer) + 1);
	ek_free_secret(answer);
	return r;
}
