/* credential_process: run a command, read its JSON.  See creds_ext.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "creds_json.h"
#include "json_load.h"
#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds_ext.h"
#include "ekskit/proc.h"
#include "ekskit/timeutil.h"

#define MAX_ARGS 256

void
creds_process_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* Characters that make a command need a shell (beyond words and quotes). */
static int
needs_shell(char c)
{
	return strchr("|&;<>()$`*?[]{}~!#\n", c) != NULL;
}

int
creds_process_split(const char *command, char ***argv_out)
{
	char **argv = calloc(MAX_ARGS + 1, sizeof(*argv));
	struct ekbuf word;
	const char *p = command;
	size_t n = 0;
	int in_word = 0, r = 1;
	char quote = 0;

	*argv_out = NULL;
	if (argv == NULL)
		return EKSKIT_ERR_NOMEM;
	ekbuf_init(&word, 64 * 1024);
	for (;; p++) {
		char c = *p;
		if (quote == 0 && (c == '\0' || c == ' ' || c == '\t')) {
			if (in_word) {
				if (n == MAX_ARGS || (argv[n++] = ekbuf_detach(&word, NULL)) == NULL) {
					r = EKSKIT_ERR_NOMEM;
					break;
				}
				in_word = 0;
			}
			if (c == '\0')
				break;
			continue;
		}
		if (c == '\0') {           /* unbalanced quote: let the shell judge */
			r = 0;
			break;
		}
		in_word = 1;
		if (quote == 0 && (c == '\'' || c == '"')) {
			quote = c;
			(void)ekbuf_puts(&word, "");  /* "" is an (empty) word */
		} else if (quote != 0 && c == quote) {
			quote = 0;
		} else if (c == '\\' || (quote != '\'' && needs_shell(c) &&
		    !(quote == '"' && c != '$' && c != '`' && c != '!'))) {
			r = 0;             /* escapes, expansions, operators: a shell is needed */
			break;
		} else if (ekbuf_putc(&word, c) != EKSKIT_OK) {
			r = EKSKIT_ERR_NOMEM;
			break;
		}
	}
	ekbuf_release(&word);
	if (r == 1 && n == 0)
		r = EKSKIT_ERR_INVALID;
	if (r != 1) {
		creds_process_argv_free(argv);
		return r;
	}
	*argv_out = argv;
	return 1;
}

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
creds_process_parse(const char *json, size_t len, const char *what, time_t now,
    struct aws_credentials **out, struct ekskit_err *err)
{
	const char *akid, *secret, *token, *exp;
	json_t *o, *ver;
	time_t expiry = 0;
	int r = EKSKIT_ERR_INVALID;

	*out = NULL;
	creds_json_wipe_on_free();
	/* never echo the output, not even jansson's "near '...'": it may hold a secret */
	o = json_load_private(json, len, JSON_REJECT_DUPLICATES, "the output", err);
	if (o == NULL) {
		ekskit_err_prefix(err, "%s", what);
		goto out;
	}
	if (!json_is_object(o)) {
		ekskit_err_set(err, r, "%s: the output is not a JSON object", what);
		goto out;
	}
	ver = json_object_get(o, "Version");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		ekskit_err_set(err, r, "%s: unsupported \"Version\" in the output "
		    "(expected 1)", what);
		goto out;
	}
	akid = jstr(o, "AccessKeyId");
	secret = jstr(o, "SecretAccessKey");
	token = jstr(o, "SessionToken");
	exp = jstr(o, "Expiration");
	if (akid == NULL || *akid == '\0' || secret == NULL || *secret == '\0') {
		ekskit_err_set(err, r, "%s: the output lacks %s", what,
		    akid == NULL || *akid == '\0' ? "\"AccessKeyId\"" :
		    "\"SecretAccessKey\"");
		goto out;
	}
	if (exp != NULL && timeutil_parse_rfc3339(exp, &expiry) != EKSKIT_OK) {
		ekskit_err_set(err, r, "%s: \"Expiration\" is not an ISO 8601 time: %s",
		    what, exp);
		goto out;
	}
	if (expiry != 0 && expiry <= now) {
		ekskit_err_set(err, EKSKIT_ERR_EXPIRED, "%s returned credentials that "
		    "expired at %s", what, exp);
		r = EKSKIT_ERR_EXPIRED;
		goto out;
	}
	*out = aws_credentials_new(akid, secret, token, expiry, what);
	r = *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	return r;
}

static long
timeout_from_env(long timeout_ms)
{
	const char *s = getenv("EKSKIT_CREDENTIAL_PROCESS_TIMEOUT");
	char *end;
	long v;

	if (timeout_ms > 0)
		return timeout_ms;
	if (s != NULL && *s != '\0') {
		v = strtol(s, &end, 10);
		if (*end == '\0' && v > 0 && v < 3600)
			return v * 1000;
	}
	return CREDS_PROCESS_TIMEOUT_MS;
}

int
creds_process_run(const char *command, const char *profile, long timeout_ms,
    time_t now, struct aws_credentials **out, struct ekskit_err *err)
{
	char *sh_argv[] = { (char *)"/bin/sh", (char *)"-c", NULL, NULL };
	struct proc_spec spec = { 0 };
	char **argv = NULL;
	struct ekbuf b;
	char what[256];
	int direct, status = 0, spawn_errno, r;

	*out = NULL;
	snprintf(what, sizeof(what), "credential_process of profile %s",
	    profile ? profile : "default");
	if (command == NULL || command[strspn(command, " \t")] == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "%s is empty", what);
	/* no shell unless the command needs one, as the AWS CLI does */
	direct = creds_process_split(command, &argv);
	if (direct < 0 && direct != EKSKIT_ERR_INVALID)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	sh_argv[2] = (char *)(uintptr_t)command;
	spec.argv = direct == 1 ? argv : sh_argv;
	spec.timeout_ms = timeout_from_env(timeout_ms);
	spec.own_group = 1;  /* a timeout kills the helper's children too */
	ekbuf_init_secret(&b, CREDS_PROCESS_MAX_OUTPUT);
	r = proc_run(&spec, &b, &status, &spawn_errno, err);
	creds_process_argv_free(argv);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		r = ekskit_err_set(err, EKSKIT_ERR_IO, "%s: cannot start it: %s", what,
		    strerror(spawn_errno));
	} else if (r == EKSKIT_ERR_TIMEOUT) {
		ekskit_err_set(err, r, "%s did not finish within %ld s and was killed",
		    what, spec.timeout_ms / 1000);
	} else if (r != EKSKIT_OK) {
		ekskit_err_prefix(err, "%s", what);
	} else if (WIFSIGNALED(status)) {
		r = ekskit_err_set(err, EKSKIT_ERR_IO, "%s was killed by signal %d",
		    what, WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = ekskit_err_set(err, EKSKIT_ERR_IO, "%s failed with exit status %d%s",
		    what, WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
		    " (command not found?)" : "");
	} else if (b.data == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "%s printed nothing", what);
	} else {
		r = creds_process_parse(b.data, b.len, what, now, out, err);
	}
	ekbuf_release(&b);
	return r;
}

struct process_fetch {
	const char *command;
	const char *profile;
	time_t now;
};

static int
fetch_process(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct process_fetch *f = arg;

	return creds_process_run(f->command, f->profile, 0, f->now, out, err);
}

int
creds_process_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct process_fetch f;
	struct cache_key key;
	int r;

	*out = NULL;
	f.command = ctx->cfg ? awsconfig_get(ctx->cfg, profile, "credential_process") : NULL;
	if (f.command == NULL)
		return EKSKIT_ERR_NOT_FOUND;
	f.profile = profile;
	f.now = ctx->now ? ctx->now : time(NULL);
	if (cache_key_init(&key, "credential_process") != EKSKIT_OK ||
	    cache_key_add(&key, "command", f.command) != EKSKIT_OK ||
	    cache_key_add(&key, "profile", profile) != EKSKIT_OK) {
		cache_key_release(&key);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	r = cache_creds(ctx, &key, fetch_process, &f, out, err);
	cache_key_release(&key);
	return r;
}
