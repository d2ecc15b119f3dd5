/*
 * client-go exec credential plugins (k8s_exec_credential in
 * include/ekskit/k8s.h): spawn without a shell, hand over
 * KUBERNETES_EXEC_INFO, read the ExecCredential it prints.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "ekskit/buf.h"
#include "ekskit/k8s.h"
#include "ekskit/kubeconfig.h"
#include "ekskit/proc.h"
#include "ekskit/tokengen.h"

extern char **environ;

#define EXEC_TIMEOUT_MS   60000        /* client-go has none; we refuse to hang forever */
#define EXEC_MAX_OUTPUT   (256u * 1024)

static json_t *
exec_config_json(const struct kc_cluster *cl)
{
	json_t *cfg = json_object();
	size_t i;

	for (i = 0; cfg != NULL && i < cl->nexec_config; i++)
		json_object_set_new(cfg, cl->exec_config[i].name,
		    json_string(cl->exec_config[i].value));
	return cfg;
}

/* KUBERNETES_EXEC_INFO=<ExecCredential with spec> as a malloc'd env string. */
static char *
exec_info_env(const struct kc_exec *exec, const struct kc_cluster *cl)
{
	json_t *root, *spec, *cluster;
	char *dump, *env = NULL;

	root = json_pack("{s:s, s:s}", "kind", "ExecCredential", "apiVersion",
	    exec->api_version ? exec->api_version : KC_EXEC_API_V1BETA1);
	spec = json_pack("{s:b}", "interactive", 0);
	if (root == NULL || spec == NULL)
		goto out;
	if (exec->provide_cluster_info && cl != NULL) {
		cluster = json_object();
		if (cluster == NULL)
			goto out;
		json_object_set_new(cluster, "server", json_string(cl->server ? cl->server : ""));
		if (cl->tls_server_name)
			json_object_set_new(cluster, "tls-server-name", json_string(cl->tls_server_name));
		if (cl->ca_data)
			json_object_set_new(cluster, "certificate-authority-data", json_string(cl->ca_data));
		if (cl->proxy_url)
			json_object_set_new(cluster, "proxy-url", json_string(cl->proxy_url));
		if (cl->insecure_skip_tls_verify)
			json_object_set_new(cluster, "insecure-skip-tls-verify", json_true());
		if (cl->nexec_config > 0)       /* the cluster's exec extension, as kubectl passes it */
			json_object_set_new(cluster, "config", exec_config_json(cl));
		json_object_set_new(spec, "cluster", cluster);
	}
	json_object_set(root, "spec", spec);
	if ((dump = json_dumps(root, JSON_COMPACT)) != NULL) {
		if (asprintf(&env, "KUBERNETES_EXEC_INFO=%s", dump) == -1)
			env = NULL;
		free(dump);
	}
out:
	json_decref(spec);
	json_decref(root);
	return env;
}

/* environ, minus names the plugin's env overrides, plus those and the info. */
static char **
plugin_environ(const struct kc_exec *exec, char *info)
{
	size_t n = 0, i, j, k = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	if ((envp = calloc(n + exec->nenv + 2, sizeof(*envp))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		int overridden = ek_startswith(environ[i], "KUBERNETES_EXEC_INFO=");
		for (j = 0; j < exec->nenv && !overridden; j++) {
			size_t l = strlen(exec->env[j].name);
			overridden = strncmp(environ[i], exec->env[j].name, l) == 0 &&
			    environ[i][l] == '=';
		}
		if (!overridden)
			envp[k++] = environ[i];
	}
	for (j = 0; j < exec->nenv; j++) {
		char *kv;
		if (asprintf(&kv, "%s=%s", exec->env[j].name,
		    exec->env[j].value ? exec->env[j].value : "") == -1) {
			/* free only ours: the entries before them are environ's */
			while (j-- > 0)
				free(envp[--k]);
			free(envp);
			return NULL;
		}
		envp[k++] = kv;
	}
	envp[k++] = info;
	envp[k] = NULL;
	return envp;
}

static void
plugin_environ_free(char **envp, const struct kc_exec *exec)
{
	size_t i, n = 0;

	while (envp[n] != NULL)
		n++;
	/* the last 1 + nenv entries are ours (the info string freed by the caller) */
	for (i = n >= exec->nenv + 1 ? n - exec->nenv - 1 : 0; i + 1 < n; i++)
		free(envp[i]);
	free(envp);
}

/* The plugin's time limit; tests shorten it (only with the loopback guard on). */
static long
exec_timeout_ms(void)
{
	const char *guard = getenv("EKSKIT_TEST_LOOPBACK_ONLY");
	const char *v = getenv("EKSKIT_TEST_EXEC_TIMEOUT_MS");
	long ms;

	if (guard != NULL && strcmp(guard, "1") == 0 && v != NULL &&
	    (ms = strtol(v, NULL, 10)) > 0 && ms < EXEC_TIMEOUT_MS)
		return ms;
	return EXEC_TIMEOUT_MS;
}

static int
run_plugin(const struct kc_exec *exec, const struct kc_cluster *cl,
    struct ekbuf *out, struct ekskit_err *err)
{
	struct proc_spec spec = { 0 };
	char **argv = NULL, **envp = NULL, *info = NULL;
	int status = 0, spawn_errno, r;
	size_t i;

	if ((info = exec_info_env(exec, cl)) == NULL ||
	    (argv = calloc(exec->nargs + 2, sizeof(*argv))) == NULL ||
	    (envp = plugin_environ(exec, info)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	argv[0] = exec->command;
	for (i = 0; i < exec->nargs; i++)
		argv[i + 1] = exec->args[i];
	spec.argv = argv;
	spec.envp = envp;
	spec.timeout_ms = exec_timeout_ms();
	spec.own_group = 1;  /* a timeout kills what the plugin started too */
	r = proc_run(&spec, out, &status, &spawn_errno, err);
	if (r == EKSKIT_ERR_NOT_FOUND)
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "cannot run exec plugin %s: %s (is it installed and on PATH?)",
		    exec->command, strerror(spawn_errno));
	else if (r == EKSKIT_ERR_TIMEOUT)
		ekskit_err_set(err, r, "exec plugin %s did not finish within %ld s",
		    exec->command, (spec.timeout_ms + 999) / 1000);
	else if (r == EKSKIT_ERR_NOMEM)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "exec plugin %s printed more than %u bytes", exec->command,
		    EXEC_MAX_OUTPUT);
	else if (r != EKSKIT_OK)
		ekskit_err_prefix(err, "exec plugin %s", exec->command);
	else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "exec plugin %s failed (%s %d); its messages are above",
		    exec->command, WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
out:
	if (envp != NULL)
		plugin_environ_free(envp, exec);
	free(info);
	free(argv);
	return r;
}

/* Take status.token or the client certificate pair from the plugin's answer. */
static int
parse_exec_credential(const struct kc_exec *exec, const struct ekbuf *out,
    struct k8s_conn *conn, struct ekskit_err *err)
{
	const char *want = exec->api_version ? exec->api_version : KC_EXEC_API_V1BETA1;
	const char *kind, *api, *token, *cert, *key;
	json_t *root, *status;
	int r = EKSKIT_OK;

	root = json_loadb(out->data ? out->data : "", out->len, 0, NULL);
	kind = json_string_value(json_object_get(root, "kind"));
	api = json_string_value(json_object_get(root, "apiVersion"));
	status = json_object_get(root, "status");
	token = json_string_value(json_object_get(status, "token"));
	cert = json_string_value(json_object_get(status, "clientCertificateData"));
	key = json_string_value(json_object_get(status, "clientKeyData"));
	if (root == NULL || kind == NULL || strcmp(kind, "ExecCredential") != 0) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "exec plugin %s did not print an ExecCredential", exec->command);
	} else if (api == NULL || strcmp(api, want) != 0) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "exec plugin %s answered with apiVersion %s, the kubeconfig asks "
		    "for %s", exec->command, api ? api : "(none)", want);
	} else if (token != NULL && *token != '\0') {
		if (!k8s_token_valid(token))
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "exec plugin %s returned a status.token that is not a "
			    "usable bearer token (spaces or control characters)",
			    exec->command);
		else if ((conn->token = strdup(token)) == NULL)
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	} else if (cert != NULL && key != NULL) {
		conn->client_cert_pem = strdup(cert);
		conn->client_key_pem = strdup(key);
		if (!conn->client_cert_pem || !conn->client_key_pem)
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	} else {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "exec plugin %s returned neither a token nor a client "
		    "certificate", exec->command);
	}
	/* the JSON held the credential: wipe jansson's copy of the strings */
	k8s_json_wipe_string(token);
	k8s_json_wipe_string(key);
	json_decref(root);
	return r;
}

/*
 * The arguments of an `eks-token ...` or `aws [--region R] eks get-token ...`
 * exec block, when every one of them is understood; anything unexpected
 * (another flag, --token-only, extra environment) means "spawn it".
 */
static int
parse_token_plugin(const struct kc_exec *exec, struct tokengen_opts *t)
{
	const char *base = strrchr(exec->command, '/');
	size_t i, start = 0;
	int is_aws;

	base = base ? base + 1 : exec->command;
	is_aws = strcmp(base, "aws") == 0;
	if (!is_aws && strcmp(base, "eks-token") != 0)
		return 0;
	if (is_aws) {  /* find "eks get-token", allowing global options before it */
		for (i = 0; i + 1 < exec->nargs; i++)
			if (strcmp(exec->args[i], "eks") == 0 &&
			    strcmp(exec->args[i + 1], "get-token") == 0)
				break;
		if (i + 1 >= exec->nargs)
			return 0;
		start = i + 2;
		if (i == 2 && strcmp(exec->args[0], "--region") == 0)
			t->region = exec->args[1];
		else if (i != 0)
			return 0;
	}
	for (i = start; i < exec->nargs; i++) {
		const char *a = exec->args[i], *v = i + 1 < exec->nargs ? exec->args[i + 1] : NULL;

		if (is_aws && strcmp(a, "--output") == 0 && v && strcmp(v, "json") == 0) {
			i++;
			continue;
		}
		if (v == NULL)
			return 0;
		if (strcmp(a, "--cluster-name") == 0 || (!is_aws && strcmp(a, "--name") == 0) ||
		    strcmp(a, "--cluster-id") == 0 || (!is_aws && strcmp(a, "-i") == 0))
			t->cluster_id = v;
		else if (strcmp(a, "--region") == 0)
			t->region = v;
		else if (strcmp(a, "--profile") == 0)
			t->profile = v;
		else if (strcmp(a, "--role-arn") == 0 || (!is_aws &&
		    (strcmp(a, "-r") == 0 || strcmp(a, "--role") == 0)))
			t->role_arn = v;
		else if (!is_aws && strcmp(a, "--session-name") == 0)
			t->session_name = v;
		else if (!is_aws && strcmp(a, "--external-id") == 0)
			t->external_id = v;
		else
			return 0;
		i++;
	}
	for (i = 0; i < exec->nenv; i++) {
		if (strcmp(exec->env[i].name, "AWS_PROFILE") == 0 && t->profile == NULL)
			t->profile = exec->env[i].value;
		else if (strcmp(exec->env[i].name, "AWS_PROFILE") != 0)
			return 0;
	}
	return t->cluster_id != NULL;
}

/* "api\0command\0arg\0...\0NAME=value\0..." as a length-prefixed string. */
static char *
exec_identity(const struct kc_exec *exec)
{
	struct ekbuf b;
	size_t i;
	int r;

	ekbuf_init(&b, 64 * 1024);
	r = ekbuf_printf(&b, "%zu:%s %zu:%s", strlen(exec->api_version ?
	    exec->api_version : ""), exec->api_version ? exec->api_version : "",
	    strlen(exec->command), exec->command);
	for (i = 0; r == EKSKIT_OK && i < exec->nargs; i++)
		r = ekbuf_printf(&b, " %zu:%s", strlen(exec->args[i]), exec->args[i]);
	for (i = 0; r == EKSKIT_OK && i < exec->nenv; i++)
		r = ekbuf_printf(&b, " %zu:%s=%zu:%s", strlen(exec->env[i].name),
		    exec->env[i].name, strlen(exec->env[i].value ? exec->env[i].value : ""),
		    exec->env[i].value ? exec->env[i].value : "");
	if (r != EKSKIT_OK) {
		ekbuf_release(&b);
		return NULL;
	}
	return ekbuf_detach(&b, NULL);
}

int
k8s_exec_credential(const struct kc_exec *exec, const struct kc_cluster *cl,
    const struct k8s_load_opts *o, struct k8s_conn *conn, struct ekskit_err *err)
{
	struct tokengen_opts t = { 0 };
	struct tokengen_result res = { 0 };
	struct ekbuf out;
	int r;

	if (exec->command == NULL || *exec->command == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "the kubeconfig user's exec block has no command");
	if ((conn->exec_id = exec_identity(exec)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "exec block too large");
	if (!o->no_in_process_token && parse_token_plugin(exec, &t)) {
		/* same token the plugin would print, without a process */
		if ((r = tokengen_run(&t, &res, err)) != EKSKIT_OK)
			return ekskit_err_prefix(err, "minting the EKS token of the "
			    "kubeconfig's %s exec block", exec->command);
		conn->token = res.token;
		res.token = NULL;
		tokengen_result_release(&res);
		return EKSKIT_OK;
	}
	ekbuf_init_secret(&out, EXEC_MAX_OUTPUT);
	r = run_plugin(exec, cl, &out, err);
	if (r == EKSKIT_OK)
		r = parse_exec_credential(exec, &out, conn, err);
	ekbuf_release(&out);
	return r;
}
