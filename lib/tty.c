/* Terminal prompts: see include/ekskit/tty.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ekskit/buf.h"
#include "ekskit/termsafe.h"
#include "ekskit/tty.h"

#define MFA_ATTEMPTS 3

static int
open_tty(void)
{
	const char *dev = getenv("EKSKIT_TTY");

	return open(dev != NULL && *dev != '\0' ? dev : "/dev/tty",
	    O_RDONLY | O_NOCTTY | O_CLOEXEC);
}

/* Prompt on stderr, read one line from fd.  *out malloc'd (secret). */
static int
read_line_fd(int fd, const char *prompt, char **out, struct ekskit_err *err)
{
	char buf[TTY_MAX_ANSWER + 2], c;
	size_t n = 0;
	ssize_t k;
	int r = EKSKIT_OK;

	*out = NULL;
	term_printf(stderr, "%s", prompt);  /* names from config files */
	fflush(stderr);
	for (;;) {
		k = read(fd, &c, 1);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (n == 0)
				r = ekskit_err_set(err, EKSKIT_ERR_IO,
				    "no answer: end of input on the terminal");
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (n < TTY_MAX_ANSWER)
			buf[n++] = c;
		else
			r = EKSKIT_ERR_INVALID;
	}
	buf[n] = '\0';
	if (r == EKSKIT_ERR_INVALID)
		r = ekskit_err_set(err, r, "answer longer than %d characters",
		    TTY_MAX_ANSWER);
	else if (r == EKSKIT_OK && (*out = ek_strdup(buf)) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

static int
no_tty(struct ekskit_err *err)
{
	return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "no terminal to ask on "
	    "(/dev/tty: %s)", strerror(errno));
}

int
tty_read_line(const char *prompt, char **out, struct ekskit_err *err)
{
	int fd, r;

	*out = NULL;
	if ((fd = open_tty()) == -1)
		return no_tty(err);
	r = read_line_fd(fd, prompt, out, err);
	close(fd);
	return r;
}

static int
code_valid(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return s[n] == '\0' && n >= 6 && n <= 8;
}

int
tty_read_mfa_code(const char *profile, const char *mfa_serial, char **code,
    struct ekskit_err *err)
{
	char prompt[512];
	int fd, i, r = EKSKIT_ERR_INVALID;

	*code = NULL;
	if ((fd = open_tty()) == -1) {
		int e = errno;
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile '%s' requires "
		    "an MFA code (mfa_serial = %s) but there is no terminal to ask on "
		    "(/dev/tty: %s); run `eks-token` once in a terminal with the same "
		    "profile (the credentials are then cached for the session)",
		    profile ? profile : "default", mfa_serial, strerror(e));
	}
	snprintf(prompt, sizeof(prompt), "Enter MFA code for %s: ", mfa_serial);
	for (i = 0; i < MFA_ATTEMPTS; i++) {
		if ((r = read_line_fd(fd, prompt, code, err)) != EKSKIT_OK) {
			ekskit_err_prefix(err, "reading the MFA code for %s", mfa_serial);
			break;
		}
		if (code_valid(*code))
			break;
		ek_free_secret(*code);
		*code = NULL;
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "no valid MFA code "
		    "entered for %s", mfa_serial);
		if (i + 1 < MFA_ATTEMPTS)
			fputs("an MFA code is 6 to 8 digits; try again\n", stderr);
	}
	close(fd);
	return r;
}
