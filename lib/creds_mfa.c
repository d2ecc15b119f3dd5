/*
 * The MFA code for assume-role profiles with mfa_serial.
 *
 * This build cannot ask for a code yet (issue 3 adds a /dev/tty prompt and a
 * credential cache so the prompt comes once per session); until then the
 * user gets an actionable error instead of a hang or an STS AccessDenied.
 */
#include <stddef.h>

#include "ekskit/creds.h"
#include "ekskit/error.h"
#include "creds_internal.h"

int
creds_mfa_code(const struct creds_ctx *ctx, const char *profile,
    const char *mfa_serial, char *code, size_t codesz, struct ekskit_err *err)
{
	(void)ctx;
	if (codesz > 0)
		code[0] = '\0';
	return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
	    "profile '%s' requires an MFA code (mfa_serial = %s), and this build "
	    "cannot prompt for one yet: run `aws sts assume-role --serial-number "
	    "%s --token-code CODE ...` and export the returned keys as "
	    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
	    profile, mfa_serial, mfa_serial);
}
