/*
 * Unit tests for lib/kubeconfig_update.c: entries as the AWS CLI writes
 * them, option checks, file choice, locking, modes, symlinks, users files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/kubeconfig_update.h"

#define W(s) ((char *)(s))
#define ARN "arn:aws:eks:eu-west-1:123456789012:cluster/prod"

static char tmpdir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ekskit-kcu.XXXXXX");
	return mkdtemp(tmpdir) == NULL;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) != 0;
}

static void
cluster_init(struct eks_cluster *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->name = W("prod");
	cl->arn = W(ARN);
	cl->status = W("ACTIVE");
	cl->endpoint = W("https://ABC.gr7.eu-west-1.eks.amazonaws.com");
	cl->ca_data = W("Q0EK");
}

static char *
path_in(const char *name)
{
	char *p = malloc(strlen(tmpdir) + strlen(name) + 2);

	sprintf(p, "%s/%s", tmpdir, name);
	return p;
}

static char *
slurp(const char *path)
{
	struct ekbuf b;

	ekbuf_init(&b, 0);
	if (ek_read_file(path, &b, NULL) != 0)
		return NULL;
	return ekbuf_detach(&b, NULL);
}

static void
spit(const char *path, const char *s, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
	chmod(path, mode);
}

static void
test_entries_default_like_aws(void **state)
{
	struct eks_cluster cl;
	struct kcu_entry_opts o;
	struct kcu_entries *e;
	struct ekskit_err err;

	(void)state;
	cluster_init(&cl);
	memset(&o, 0, sizeof(o));
	assert_int_equal(kcu_entries_build(&cl, &o, &e, &err), 0);
	assert_string_equal(e->cluster.name, ARN);
	assert_string_equal(e->user.name, ARN);
	assert_string_equal(e->context.name, ARN);
	assert_string_equal(e->context.cluster, ARN);
	assert_null(e->context.namespace);
	assert_string_equal(e->user.exec->command, "eks-token");
	assert_string_equal(e->user.exec->api_version, KC_EXEC_API_V1BETA1);
	assert_int_equal(e->user.exec->nargs, 4);
	assert_string_equal(e->user.exec->args[0], "--cluster-name");
	assert_string_equal(e->user.exec->args[1], "prod");
	assert_string_equal(e->user.exec->args[2], "--region");
	assert_string_equal(e->user.exec->args[3], "eu-west-1");  /* from the ARN */
	assert_int_equal(e->user.exec->nenv, 0);
	assert_null(e->user.exec->interactive_mode);
	kcu_entries_free(e);
}

static void
test_entries_aws_block_and_options(void **state)
{
	static const char *env[] = { "FOO=bar=baz", "AWS_STS_REGIONAL_ENDPOINTS=regional" };
	struct eks_cluster cl;
	struct kcu_entry_opts o;
	struct kcu_entries *e;
	struct ekskit_err err;
	static const char *want[] = { "--region", "eu-west-1", "eks", "get-token",
		"--cluster-name", "prod", "--output", "json", "--role",
		"arn:aws:iam::123456789012:role/admin" };
	size_t i;

	(void)state;
	cluster_init(&cl);
	memset(&o, 0, sizeof(o));
	o.exec_command = "aws";
	o.role_arn = "arn:aws:iam::123456789012:role/admin";
	o.profile = "dev";
	o.env = env;
	o.nenv = 2;
	o.exec_api_version = "v1";
	o.context_alias = "prod";
	o.user_alias = "me";
	o.cluster_alias = "prod-cluster";
	o.namespace = "apps";
	o.proxy_url = "http://proxy:3128";
	assert_int_equal(kcu_entry_opts_check(&o, &err), 0);
	assert_int_equal(kcu_entries_build(&cl, &o, &e, &err), 0);
	assert_int_equal(e->user.exec->nargs, 10);
	for (i = 0; i < 10; i++)
		assert_string_equal(e->user.exec->args[i], want[i]);
	assert_string_equal(e->user.exec->api_version, KC_EXEC_API_V1);
	assert_string_equal(e->user.exec->interactive_mode, "Never");
	assert_int_equal(e->user.exec->nenv, 3);
	assert_string_equal(e->user.exec->env[0].name, "AWS_PROFILE");
	assert_string_equal(e->user.exec->env[0].value, "dev");
	assert_string_equal(e->user.exec->env[1].name, "FOO");
	assert_string_equal(e->user.exec->env[1].value, "bar=baz");
	assert_string_equal(e->cluster.name, "prod-cluster");
	assert_string_equal(e->cluster.proxy_url, "http://proxy:3128");
	assert_string_equal(e->user.name, "me");
	assert_string_equal(e->context.name, "prod");
	assert_string_equal(e->context.user, "me");
	assert_string_equal(e->context.cluster, "prod-cluster");
	assert_string_equal(e->context.namespace, "apps");
	kcu_entries_free(e);

	/* the AWS CLI names the context after the user alias when no --alias */
	o.context_alias = NULL;
	o.exec_command = NULL;
	cl.outpost_cluster_id = W("0a1b2c3d-outpost");
	assert_int_equal(kcu_entries_build(&cl, &o, &e, &err), 0);
	assert_string_equal(e->context.name, "me");
	assert_string_equal(e->user.exec->args[0], "--cluster-id");
	assert_string_equal(e->user.exec->args[1], "0a1b2c3d-outpost");
	assert_string_equal(e->user.exec->args[4], "--role-arn");
	kcu_entries_free(e);
}

static void
test_opts_check(void **state)
{
	static const char *bad_env[] = { "NOEQUALS" };
	static const char *bad_env2[] = { "1X=y" };
	static const char *dup_env[] = { "A=1", "A=2" };
	struct kcu_entry_opts o;
	struct ekskit_err err;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(kcu_entry_opts_check(&o, &err), 0);
	o.exec_api_version = "v1alpha1";
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--exec-api-version"));
	o.exec_api_version = KC_EXEC_API_V1;
	assert_int_equal(kcu_entry_opts_check(&o, &err), 0);
	o.namespace = "Bad_NS";
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--namespace"));
	o.namespace = NULL;
	o.role_arn = "arn:aws:iam::1:user/x";
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--role-arn"));
	o.role_arn = NULL;
	o.env = bad_env;
	o.nenv = 1;
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	o.env = bad_env2;
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	o.env = dup_env;
	o.nenv = 2;
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "given twice"));
	o.nenv = 0;
	o.proxy_url = "proxy";
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
	o.proxy_url = NULL;
	o.context_alias = "a\nb";
	assert_int_equal(kcu_entry_opts_check(&o, &err), EKSKIT_ERR_USAGE);
}

static void
test_usable(void **state)
{
	struct eks_cluster cl;
	struct ekskit_err err;
	int warn;

	(void)state;
	cluster_init(&cl);
	assert_int_equal(kcu_cluster_usable(&cl, &warn, &err), 0);
	assert_int_equal(warn, 0);
	cl.status = W("UPDATING");
	assert_int_equal(kcu_cluster_usable(&cl, &warn, &err), 0);
	assert_int_equal(warn, 1);
	cl.status = W("CREATING");
	assert_int_equal(kcu_cluster_usable(&cl, &warn, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "is CREATING, not ACTIVE"));
	cl.status = W("ACTIVE");
	cl.endpoint = NULL;
	assert_int_equal(kcu_cluster_usable(&cl, &warn, &err), EKSKIT_ERR_INVALID);
}

static struct kcu_entries *
entries_for(const char *name)
{
	struct eks_cluster cl;
	struct kcu_entry_opts o;
	struct kcu_entries *e;
	char arn[200];

	cluster_init(&cl);
	snprintf(arn, sizeof(arn), "arn:aws:eks:eu-west-1:1:cluster/%s", name);
	cl.name = W(name);
	cl.arn = arn;
	memset(&o, 0, sizeof(o));
	assert_int_equal(kcu_entries_build(&cl, &o, &e, NULL), 0);
	return e;
}

static int nwarn;
static char lastwarn[2048];

static void
catch_notify(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level == 0) {
		nwarn++;
		snprintf(lastwarn, sizeof(lastwarn), "%s", msg);
	}
}

static void
wopts(struct kcu_write_opts *w, const char *flag, const char *env)
{
	memset(w, 0, sizeof(*w));
	w->kubeconfig_flag = flag;
	w->kubeconfig_env = env;
	w->home = tmpdir;
	w->notify = catch_notify;
	w->lock_timeout_ms = 200;
	nwarn = 0;
	lastwarn[0] = '\0';
}

static void
test_write_new_then_update(void **state)
{
	struct kcu_entries *e = entries_for("prod");
	struct kcu_write_opts w;
	struct kcu_result res;
	struct ekskit_err err;
	struct stat st;
	char *path = path_in(".kube/config"), *a, *b;

	(void)state;
	wopts(&w, NULL, NULL);
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	assert_string_equal(res.path, path);
	assert_int_equal(res.existed[0], 0);
	assert_int_equal(res.written, 1);
	kcu_result_release(&res);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	a = slurp(path);
	assert_non_null(strstr(a, "current-context: arn:aws:eks:eu-west-1:1:cluster/prod"));
	assert_non_null(strstr(a, "command: eks-token"));
	/* the lock is gone */
	b = path_in(".kube/config.lock");
	assert_int_equal(access(b, F_OK), -1);
	free(b);

	/* again: Updated, and the identical file is not rewritten */
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	assert_int_equal(res.existed[0], 1);
	assert_int_equal(res.changed[0], 0);
	assert_int_equal(res.written, 0);
	kcu_result_release(&res);
	b = slurp(path);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(nwarn, 0);
	kcu_entries_free(e);
	free(path);
}

static void
test_kubeconfig_env_choice(void **state)
{
	struct kcu_entries *e = entries_for("prod");
	struct kcu_write_opts w;
	struct kcu_result res;
	struct ekskit_err err;
	char *p1 = path_in("one"), *p2 = path_in("two"), *p3 = path_in("bad");
	char env[1024], *before;

	(void)state;
	spit(p1, "clusters:\n- name: x\n  cluster: {server: https://x}\n", 0600);
	spit(p2, "clusters:\n- name: arn:aws:eks:eu-west-1:1:cluster/prod\n"
	    "  cluster: {server: https://old}\n", 0600);
	spit(p3, "clusters: [\n", 0600);
	/* the file already holding the cluster is chosen; a corrupt one is skipped */
	snprintf(env, sizeof(env), "%s:%s:%s", p3, p1, p2);
	wopts(&w, NULL, env);
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	assert_string_equal(res.path, p2);
	assert_int_equal(res.existed[0], 1);
	kcu_result_release(&res);
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(lastwarn, p3));

	/* not held anywhere: the first path, which is corrupt -> error, untouched */
	kcu_entries_free(e);
	e = entries_for("other");
	before = slurp(p3);
	wopts(&w, NULL, env);
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, p3));
	assert_non_null(strstr(err.msg, "invalid yaml"));
	{
		char *after = slurp(p3);
		assert_string_equal(before, after);
		free(after);
	}
	free(before);
	kcu_entries_free(e);
	free(p1);
	free(p2);
	free(p3);
}

static void
test_lock_held_and_modes(void **state)
{
	struct kcu_entries *e = entries_for("prod");
	struct kcu_write_opts w;
	struct kcu_result res;
	struct ekskit_err err;
	char *p = path_in("cfg"), *lock = path_in("cfg.lock"), *before, *after;

	(void)state;
	spit(p, "apiVersion: v1\nkind: Config\n", 0644);
	spit(lock, "", 0600);
	wopts(&w, p, NULL);
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), EKSKIT_ERR_BUSY);
	assert_non_null(strstr(err.msg, "cfg.lock"));
	assert_non_null(strstr(err.msg, "stale"));
	before = slurp(p);
	assert_string_equal(before, "apiVersion: v1\nkind: Config\n");
	unlink(lock);

	/* a group-readable file is warned about and keeps its mode */
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	kcu_result_release(&res);
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(lastwarn, "chmod 600"));
	{
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
	}
	after = slurp(p);
	assert_non_null(strstr(after, "kind: Config"));
	assert_non_null(strstr(after, "eks-token"));
	free(before);
	free(after);
	kcu_entries_free(e);
	free(p);
	free(lock);
}

static void
test_symlink_followed(void **state)
{
	struct kcu_entries *e = entries_for("prod");
	struct kcu_write_opts w;
	struct kcu_result res;
	struct ekskit_err err;
	char *target = path_in("real-config"), *link_path = path_in("link-config"), *s;
	struct stat st;

	(void)state;
	spit(target, "apiVersion: v1\n", 0600);
	unlink(link_path);
	assert_int_equal(symlink("real-config", link_path), 0);
	wopts(&w, link_path, NULL);
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	kcu_result_release(&res);
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	s = slurp(target);
	assert_non_null(strstr(s, "eks-token"));
	free(s);
	kcu_entries_free(e);
	free(target);
	free(link_path);
}

static void
test_dry_run_and_keep_current(void **state)
{
	struct kcu_entries *e[2] = { entries_for("a"), entries_for("b") };
	struct kcu_write_opts w;
	struct kcu_result res;
	struct ekskit_err err;
	char *p = path_in("dry"), *before, *after;

	(void)state;
	spit(p, "users:\n- name: secret-user\n  user: {token: TOPSECRET}\n"
	    "current-context: mine\n", 0600);
	before = slurp(p);
	wopts(&w, p, NULL);
	w.dry_run = 1;
	assert_int_equal(kcu_write(e, 2, &w, &res, &err), 0);
	assert_int_equal(res.written, 0);
	assert_non_null(res.dry_run_yaml);
	assert_non_null(strstr(res.dry_run_yaml, "cluster/a"));
	assert_non_null(strstr(res.dry_run_yaml, "cluster/b"));
	assert_null(strstr(res.dry_run_yaml, "TOPSECRET"));
	assert_int_equal(res.current_changed, 1);
	kcu_result_release(&res);
	after = slurp(p);
	assert_string_equal(before, after);
	free(after);

	w.dry_run = 0;
	w.current = KCU_CURRENT_KEEP;
	assert_int_equal(kcu_write(e, 2, &w, &res, &err), 0);
	assert_int_equal(res.current_changed, 0);
	kcu_result_release(&res);
	after = slurp(p);
	assert_non_null(strstr(after, "current-context: mine"));
	assert_non_null(strstr(after, "TOPSECRET"));
	free(after);
	w.current = KCU_CURRENT_IF_UNSET;
	assert_int_equal(kcu_write(e, 2, &w, &res, &err), 0);
	kcu_result_release(&res);
	after = slurp(p);
	assert_non_null(strstr(after, "current-context: mine"));
	free(after);
	free(before);
	kcu_entries_free(e[0]);
	kcu_entries_free(e[1]);
	free(p);
}

static void
test_standalone(void **state)
{
	struct kcu_entries *e = entries_for("prod");
	struct kcu_write_opts w;
	struct kcu_result res;
	struct ekskit_err err;
	char *p = path_in("sub/dir/alone"), *s;
	struct stat st;

	(void)state;
	wopts(&w, NULL, NULL);
	w.standalone_path = p;
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	kcu_result_release(&res);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	s = path_in("sub/dir");
	assert_int_equal(stat(s, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	free(s);
	/* standalone replaces whatever was there */
	spit(p, "clusters:\n- name: keep?\n  cluster: {server: https://x}\n", 0644);
	assert_int_equal(kcu_write(&e, 1, &w, &res, &err), 0);
	kcu_result_release(&res);
	s = slurp(p);
	assert_null(strstr(s, "keep?"));
	free(s);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	kcu_entries_free(e);
	free(p);
}

static void
test_users_file(void **state)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ "a: b\n", "should be a yaml list" },
		{ "[]\n", "empty" },
		{ "- name: a\n", "role-arn" },
		{ "- name: ../x\n  role-arn: arn:aws:iam::1:role/r\n", "file name" },
		{ "- name: a\n  role-arn: arn:aws:iam::1:role/r\n  colour: red\n", "unknown key" },
		{ "- name: a\n  role-arn: arn:aws:iam::1:role/r\n"
		  "- name: a\n  role-arn: arn:aws:iam::1:role/r\n", "used twice" },
		{ "- name: a\n  role-arn: arn:aws:iam::1:role/r\n  namespace: NO\n", "namespace" },
		{ "- just-a-string\n", "mapping" },
		{ "- name: [a]\n", "should be a string" },
		{ "- [\n", "invalid yaml" },
	};
	struct kcu_user_spec *u;
	struct ekskit_err err;
	char *p = path_in("users.yaml");
	size_t n, i;

	(void)state;
	spit(p, "- name: alice\n  role-arn: arn:aws:iam::123456789012:role/dev\n"
	    "  namespace: team-a\n- name: bob\n  role-arn: arn:aws:iam::123456789012:role/ro\n"
	    "  profile: bobs\n", 0600);
	assert_int_equal(kcu_users_load(p, &u, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(u[0].name, "alice");
	assert_string_equal(u[0].namespace, "team-a");
	assert_null(u[0].profile);
	assert_string_equal(u[1].profile, "bobs");
	kcu_users_free(u, n);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		spit(p, bad[i].yaml, 0600);
		assert_int_not_equal(kcu_users_load(p, &u, &n, &err), 0);
		assert_null(u);
		if (strstr(err.msg, bad[i].want) == NULL || strstr(err.msg, p) == NULL)
			fail_msg("case %zu: [%s] not in [%s]", i, bad[i].want, err.msg);
	}
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_default_like_aws),
		cmocka_unit_test(test_entries_aws_block_and_options),
		cmocka_unit_test(test_opts_check),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_write_new_then_update),
		cmocka_unit_test(test_kubeconfig_env_choice),
		cmocka_unit_test(test_lock_held_and_modes),
		cmocka_unit_test(test_symlink_followed),
		cmocka_unit_test(test_dry_run_and_keep_current),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_users_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
