/*
 * Unit tests for lib/awsauth.c and lib/awsauth_edit.c: the aws-auth model
 * (the authenticator's rules) and lossless edits, on real-world contents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/awsauth.h"

/* The seed's example, typo included. */
static const char seed_roles[] =
    "- rolearn: arn:aws:iam::111122223333:role/eks-node-role\n"
    "  username: system:node:{{EC2PrivateDNSName}}\n"
    "  groups:\n"
    "    - system:bootsrappers\n"
    "    - system:nodes\n";
static const char seed_users[] =
    "- userarn: arn:aws:iam::111122223333:user/admin\n"
    "  username: admin\n"
    "  groups:\n"
    "    - system:masters\n";

/* Comments, userid, an sso matcher, unknown fields, case-variant duplicates. */
static const char messy_roles[] =
    "# managed by hand -- keep the node role first\n"
    "- rolearn: arn:aws:iam::111122223333:role/NodeRole   # nodes\n"
    "  username: system:node:{{EC2PrivateDNSName}}\n"
    "  groups:\n"
    "  - system:bootstrappers\n"
    "  - system:nodes\n"
    "- RoleARN: arn:aws:iam::111122223333:role/Dev\n"
    "  username: dev-old\n"
    "  userid: AROAEXAMPLE\n"
    "  groups: [dev]\n"
    "- sso:\n"
    "    permissionSetName: Admins\n"
    "    accountID: \"111122223333\"\n"
    "  username: sso-admin:{{SessionName}}\n"
    "  groups:\n"
    "  - system:masters\n"
    "- rolearn: arn:aws:iam::111122223333:role/dev\n"
    "  username: dev\n"
    "  x-team: platform\n"
    "  groups:\n"
    "  - dev\n"
    "- rolearn: arn:aws:iam::111122223333:role/teams/ops/Ops\n"
    "  username: ops\n"
    "  groups:\n"
    "  - ops\n";

static json_t *
data3(const char *roles, const char *users, const char *accounts)
{
	json_t *d = json_object();

	if (roles)
		json_object_set_new(d, "mapRoles", json_string(roles));
	if (users)
		json_object_set_new(d, "mapUsers", json_string(users));
	if (accounts)
		json_object_set_new(d, "mapAccounts", json_string(accounts));
	return d;
}

static struct awsauth *
parse(json_t *d)
{
	struct ekskit_err err = { 0 };
	struct awsauth *a = NULL;

	assert_int_equal(awsauth_parse(d, &a, &err), 0);
	json_decref(d);
	return a;
}

static const struct awsauth_row *
row_at_line(const struct awsauth *a, enum awsauth_section s, size_t line)
{
	size_t i;

	for (i = 0; i < a->nrows; i++)
		if (a->rows[i].section == s && a->rows[i].line == line &&
		    a->keys[a->rows[i].key].read)
			return &a->rows[i];
	fail_msg("no row at line %zu", line);
	return NULL;
}

static void
test_seed_example(void **state)
{
	struct awsauth *a;
	const struct awsauth_row *r;

	(void)state;
	a = parse(data3(seed_roles, seed_users, NULL));
	assert_int_equal(a->nrows, 2);
	r = &a->rows[0];
	assert_int_equal(r->section, AWSAUTH_ROLES);
	assert_int_equal(r->state, AWSAUTH_ACTIVE);
	assert_string_equal(r->username, "system:node:{{EC2PrivateDNSName}}");
	assert_int_equal(r->ngroups, 2);
	assert_non_null(r->reason);
	assert_non_null(strstr(r->reason, "group system:bootsrappers is ignored"));
	assert_non_null(strstr(r->reason, "did you mean system:bootstrappers?"));
	assert_true(awsauth_has_node_role(a));
	assert_true(awsauth_has_masters(a));
	assert_int_equal(a->rows[1].state, AWSAUTH_ACTIVE);
	assert_null(a->rows[1].reason);
	awsauth_free(a);
}

static void
test_messy(void **state)
{
	struct awsauth *a;
	const struct awsauth_row *r;

	(void)state;
	a = parse(data3(messy_roles, NULL, NULL));
	assert_int_equal(a->nrows, 5);
	r = row_at_line(a, AWSAUTH_ROLES, 2);
	assert_int_equal(r->state, AWSAUTH_ACTIVE);
	assert_null(r->reason);
	/* RoleARN (any case) is rolearn; Dev and dev are one key: last wins */
	r = row_at_line(a, AWSAUTH_ROLES, 7);
	assert_string_equal(r->userid, "AROAEXAMPLE");
	assert_int_equal(r->state, AWSAUTH_SHADOWED);
	assert_non_null(strstr(r->reason, "line 17"));
	r = row_at_line(a, AWSAUTH_ROLES, 17);
	assert_int_equal(r->state, AWSAUTH_ACTIVE);
	/* the sso matcher is kept and understood */
	r = row_at_line(a, AWSAUTH_ROLES, 11);
	assert_int_equal(r->state, AWSAUTH_ACTIVE);
	assert_string_equal(r->sso, "Admins@111122223333");
	assert_string_equal(r->lookup, "arn:aws:iam::111122223333:role/awsreservedsso_admins_*");
	/* a path in rolearn never matches */
	r = row_at_line(a, AWSAUTH_ROLES, 22);
	assert_int_equal(r->state, AWSAUTH_IGNORED);
	assert_non_null(strstr(r->reason, "/teams/ops/"));
	awsauth_free(a);
}

static void
test_broken_key_and_near_miss(void **state)
{
	struct awsauth *a;
	json_t *d = data3("- rolearn: [unclosed\n  username: x\n", seed_users, NULL);

	(void)state;
	json_object_set_new(d, "mapusers", json_string(seed_users));
	a = parse(d);
	assert_int_equal(a->nkeys, 3);
	assert_non_null(a->keys[0].error);
	/* the parser's message, never the content */
	assert_null(strstr(a->keys[0].error, "unclosed"));
	assert_int_equal(a->nrows, 2);
	assert_int_equal(a->rows[0].state, AWSAUTH_ACTIVE);          /* mapUsers */
	assert_int_equal(a->rows[1].state, AWSAUTH_IGNORED);         /* mapusers */
	assert_non_null(strstr(a->rows[1].reason, "never read"));
	awsauth_free(a);
}

static void
test_type_errors(void **state)
{
	static const char *const bad[] = {
		"- rolearn: arn:aws:iam::111122223333:role/A\n  username: yes\n",
		"- rolearn: arn:aws:iam::111122223333:role/A\n  username: u\n  groups: admins\n",
		"- rolearn: arn:aws:iam::111122223333:role/A\n  username: {{SessionName}}\n",
		"rolearn: arn:aws:iam::111122223333:role/A\n",
		"- just a string\n",
		"- rolearn: arn:aws:iam::111122223333:role/A\n  groups:\n  - 42\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct awsauth *a = parse(data3(bad[i], NULL, NULL));
		if (a->keys[0].error == NULL)
			fail_msg("case %zu should make the key malformed", i);
		assert_int_equal(a->nrows, 0);
		awsauth_free(a);
	}
}

static void
test_crlf_and_accounts(void **state)
{
	struct awsauth *a;

	(void)state;
	a = parse(data3("- rolearn: arn:aws:iam::111122223333:role/A\r\n"
	    "  username: a\r\n  groups:\r\n    - system:masters\r\n",
	    NULL, "- \"111122223333\"\n- 444455556666\n- 12345\n"));
	assert_int_equal(a->nrows, 4);
	assert_int_equal(a->rows[0].state, AWSAUTH_ACTIVE);
	assert_string_equal(a->rows[0].groups[0], "system:masters");
	assert_string_equal(a->rows[2].arn, "444455556666");
	assert_int_equal(a->rows[2].state, AWSAUTH_ACTIVE);
	assert_int_equal(a->rows[3].state, AWSAUTH_IGNORED);
	awsauth_free(a);
}

static void
test_users_after_roles(void **state)
{
	struct awsauth *a;

	(void)state;
	a = parse(data3("- rolearn: arn:aws:iam::111122223333:user/admin\n  username: r\n",
	    seed_users, NULL));
	assert_int_equal(a->rows[0].state, AWSAUTH_ACTIVE);
	assert_int_equal(a->rows[1].state, AWSAUTH_SHADOWED);
	assert_non_null(strstr(a->rows[1].reason, "looked up first"));
	awsauth_free(a);
}

/* ------------------------------------------------------------- edits */

static struct awsauth_mapping
role(const char *arn, const char *user, const char *const *g, size_t n)
{
	struct awsauth_mapping m = { AWSAUTH_ROLES, arn, user, g, n };
	return m;
}

static void
test_add_appends_and_keeps_bytes(void **state)
{
	static const char *const g[] = { "dev-team" };
	struct awsauth_mapping m = role("arn:aws:iam::111122223333:role/Alice", "alice", g, 1);
	struct awsauth_edit e;
	struct ekskit_err err = { 0 };
	struct awsauth *a = parse(data3(messy_roles, NULL, NULL));

	(void)state;
	assert_int_equal(awsauth_add(a, &m, 0, &e, NULL, &err), 0);
	assert_true(e.changed);
	/* every old byte is still there, in order; the item is appended */
	assert_memory_equal(e.new_text, messy_roles, strlen(messy_roles));
	assert_string_equal(e.new_text + strlen(messy_roles),
	    "- rolearn: arn:aws:iam::111122223333:role/Alice\n"
	    "  username: alice\n"
	    "  groups:\n"
	    "  - dev-team\n");
	awsauth_edit_release(&e);
	awsauth_free(a);
}

static void
test_add_identical_is_noop_and_conflict_refused(void **state)
{
	static const char *const g[] = { "system:nodes", "system:bootsrappers" };
	static const char *const g2[] = { "system:masters" };
	struct awsauth_mapping same = role("arn:aws:iam::111122223333:role/EKS-NODE-ROLE",
	    "system:node:{{EC2PrivateDNSName}}", g, 2);
	struct awsauth_mapping other = role("arn:aws:iam::111122223333:role/eks-node-role",
	    "x", g2, 1);
	struct awsauth_edit e;
	struct ekskit_err err = { 0 };
	struct awsauth *a = parse(data3(seed_roles, NULL, NULL));

	(void)state;
	assert_int_equal(awsauth_add(a, &same, 0, &e, NULL, &err), 0);
	assert_false(e.changed);
	awsauth_edit_release(&e);
	assert_int_equal(awsauth_add(a, &other, 0, &e, NULL, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "--replace"));
	assert_non_null(strstr(err.msg, "line 1"));
	awsauth_free(a);
}

static void
test_replace_keeps_userid_and_collapses(void **state)
{
	static const char *const g[] = { "dev", "viewers" };
	struct awsauth_mapping m = role("arn:aws:iam::111122223333:role/Dev", "dev2", g, 2);
	struct awsauth_edit e;
	struct ekskit_err err = { 0 };
	struct awsauth *a = parse(data3(messy_roles, NULL, NULL)), *b;
	json_t *d;

	(void)state;
	assert_int_equal(awsauth_add(a, &m, 1, &e, NULL, &err), 0);
	assert_true(e.changed);
	assert_int_equal(e.removed, 1);
	/* untouched: the comment header, the node role, the sso entry */
	assert_non_null(strstr(e.new_text, "# managed by hand -- keep the node role first\n"
	    "- rolearn: arn:aws:iam::111122223333:role/NodeRole   # nodes\n"));
	assert_non_null(strstr(e.new_text, "- sso:\n    permissionSetName: Admins\n"));
	/* the active (last) duplicate is rewritten where it was, the shadowed one goes */
	assert_null(strstr(e.new_text, "x-team"));
	assert_null(strstr(e.new_text, "AROAEXAMPLE"));
	d = data3(e.new_text, NULL, NULL);
	b = parse(d);
	assert_int_equal(b->nrows, 4);
	assert_string_equal(b->rows[2].username, "dev2");
	assert_int_equal(b->rows[2].state, AWSAUTH_ACTIVE);
	assert_int_equal(b->rows[2].line, 13);
	awsauth_free(b);
	awsauth_edit_release(&e);
	awsauth_free(a);
	/* the entry's userid survives --replace */
	a = parse(data3("- rolearn: arn:aws:iam::111122223333:role/Dev\n  userid: AROA1\n"
	    "  username: dev\n", NULL, NULL));
	assert_int_equal(awsauth_add(a, &m, 1, &e, NULL, &err), 0);
	assert_string_equal(e.new_text, "- rolearn: arn:aws:iam::111122223333:role/Dev\n"
	    "  userid: AROA1\n  username: dev2\n  groups:\n    - dev\n    - viewers\n");
	awsauth_edit_release(&e);
	awsauth_free(a);
}

static void
test_remove_every_duplicate(void **state)
{
	struct awsauth_edit e[3];
	struct ekskit_err err = { 0 };
	struct awsauth *a = parse(data3(messy_roles, NULL, NULL));
	size_t n;

	(void)state;
	assert_int_equal(awsauth_remove(a, "arn:aws:iam::111122223333:role/DEV", e, &n,
	    NULL, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].removed, 2);
	assert_null(strstr(e[0].new_text, "role/Dev"));
	assert_null(strstr(e[0].new_text, "role/dev"));
	assert_non_null(strstr(e[0].new_text, "- sso:\n"));
	awsauth_edit_release(&e[0]);
	/* a path in the ARN names the same principal */
	assert_int_equal(awsauth_remove(a, "arn:aws:iam::111122223333:role/Ops", e, &n,
	    NULL, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].removed, 1);
	awsauth_edit_release(&e[0]);
	awsauth_free(a);
}

static void
test_flow_style(void **state)
{
	static const char *const g[] = { "system:masters" };
	static const char flow[] =
	    "[{\"rolearn\":\"arn:aws:iam::111122223333:role/A\",\"username\":\"a\","
	    "\"groups\":[\"system:masters\"]}, {\"rolearn\":\"arn:aws:iam::111122223333:role/B\","
	    "\"username\":\"b\"}]";
	struct awsauth_mapping m = role("arn:aws:iam::111122223333:role/C", "c", g, 1);
	struct awsauth_edit e, r[3];
	struct ekskit_err err = { 0 };
	struct awsauth *a = parse(data3(flow, NULL, NULL));
	size_t n;

	(void)state;
	assert_int_equal(a->nrows, 2);
	assert_true(a->keys[0].flow);
	assert_int_equal(awsauth_add(a, &m, 0, &e, NULL, &err), 0);
	assert_non_null(strstr(e.new_text, "\"username\":\"b\"}, {\"rolearn\":"));
	awsauth_edit_release(&e);
	assert_int_equal(awsauth_remove(a, "arn:aws:iam::111122223333:role/B", r, &n,
	    NULL, &err), 0);
	assert_string_equal(r[0].new_text,
	    "[{\"rolearn\":\"arn:aws:iam::111122223333:role/A\",\"username\":\"a\","
	    "\"groups\":[\"system:masters\"]}]");
	awsauth_edit_release(&r[0]);
	assert_int_equal(awsauth_remove(a, "arn:aws:iam::111122223333:role/A", r, &n,
	    NULL, &err), 0);
	assert_string_equal(r[0].new_text,
	    "[{\"rolearn\":\"arn:aws:iam::111122223333:role/B\",\"username\":\"b\"}]");
	awsauth_edit_release(&r[0]);
	awsauth_free(a);
}

static void
test_add_to_crlf_and_empty(void **state)
{
	static const char *const g[] = { "system:masters" };
	struct awsauth_mapping m = { AWSAUTH_USERS, "arn:aws:iam::111122223333:user/bob",
		"bob", g, 1 };
	struct awsauth_edit e;
	struct ekskit_err err = { 0 };
	struct awsauth *a;

	(void)state;
	a = parse(data3(NULL, "  - userarn: arn:aws:iam::111122223333:user/al\r\n"
	    "    username: al", NULL));
	assert_int_equal(awsauth_add(a, &m, 0, &e, NULL, &err), 0);
	assert_string_equal(e.new_text, "  - userarn: arn:aws:iam::111122223333:user/al\r\n"
	    "    username: al\r\n"
	    "  - userarn: arn:aws:iam::111122223333:user/bob\r\n"
	    "    username: bob\r\n    groups:\r\n      - system:masters\r\n");
	awsauth_edit_release(&e);
	awsauth_free(a);
	/* no mapUsers at all, then a YAML null */
	a = parse(data3(seed_roles, NULL, NULL));
	assert_int_equal(awsauth_add(a, &m, 0, &e, NULL, &err), 0);
	assert_string_equal(e.key, "mapUsers");
	assert_string_equal(e.new_text, "- userarn: arn:aws:iam::111122223333:user/bob\n"
	    "  username: bob\n  groups:\n    - system:masters\n");
	awsauth_edit_release(&e);
	awsauth_free(a);
	a = parse(data3(NULL, "~\n", NULL));
	assert_int_equal(awsauth_add(a, &m, 0, &e, NULL, &err), 0);
	assert_string_equal(e.new_text, "- userarn: arn:aws:iam::111122223333:user/bob\n"
	    "  username: bob\n  groups:\n    - system:masters\n");
	awsauth_edit_release(&e);
	awsauth_free(a);
}

static void
test_broken_key_refused(void **state)
{
	static const char *const g[] = { "x" };
	struct awsauth_mapping m = role("arn:aws:iam::111122223333:role/C", "c", g, 1);
	struct awsauth_edit e;
	struct ekskit_err err = { 0 };
	struct awsauth *a = parse(data3("- rolearn: [\n", NULL, NULL));

	(void)state;
	assert_int_equal(awsauth_add(a, &m, 0, &e, NULL, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "fix it by hand"));
	awsauth_free(a);
}

static void
test_validate(void **state)
{
	static const char *const typo[] = { "system:bootsrappers" };
	static const char *const ok[] = { "system:nodes" };
	struct awsauth_notes notes = { 0 };
	struct ekskit_err err = { 0 };
	struct awsauth_mapping m;
	char *arn;

	(void)state;
	m = role("arn:aws:iam::111122223333:role/teams/NodeRole",
	    "system:node:{{EC2PrivateDNSName}}", ok, 1);
	assert_int_equal(awsauth_validate(&m, &arn, &notes, &err), 0);
	assert_string_equal(arn, "arn:aws:iam::111122223333:role/NodeRole");
	assert_int_equal(notes.n, 1);
	assert_non_null(strstr(notes.v[0], "/teams/"));
	free(arn);
	awsauth_notes_release(&notes);
	m.groups = typo;
	assert_int_equal(awsauth_validate(&m, &arn, &notes, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "did you mean system:bootstrappers"));
	m.groups = ok;
	m.username = "node:{{EC2PrivateDnsName}}";
	assert_int_equal(awsauth_validate(&m, &arn, &notes, &err), EKSKIT_ERR_USAGE);
	m.username = "u";
	m.arn = "arn:aws:iam::111122223333:user/bob";
	assert_int_equal(awsauth_validate(&m, &arn, &notes, &err), EKSKIT_ERR_USAGE);
	m.arn = "arn:aws-xx:iam::111122223333:role/bob";
	assert_int_equal(awsauth_validate(&m, &arn, &notes, &err), EKSKIT_ERR_USAGE);
	m.section = AWSAUTH_ACCOUNTS;
	m.arn = "1111";
	assert_int_equal(awsauth_validate(&m, &arn, &notes, &err), EKSKIT_ERR_USAGE);
	awsauth_notes_release(&notes);
}

static void
test_diff(void **state)
{
	char key[] = "mapRoles", o[] = "a\nb\nc\nd\ne\nf\ng\n", n[] = "a\nb\nc\nd\nX\nf\ng\n";
	struct awsauth_edit e = { .changed = 1, .key = key, .old_text = o, .new_text = n };
	struct ekbuf out;

	(void)state;
	ekbuf_init(&out, 0);
	assert_int_equal(awsauth_diff(&e, &out), 0);
	assert_string_equal(out.data, "--- a/kube-system/aws-auth data.mapRoles\n"
	    "+++ b/kube-system/aws-auth data.mapRoles\n"
	    "@@ -2,6 +2,6 @@\n b\n c\n d\n-e\n+X\n f\n g\n");
	ekbuf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_example),
		cmocka_unit_test(test_messy),
		cmocka_unit_test(test_broken_key_and_near_miss),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_crlf_and_accounts),
		cmocka_unit_test(test_users_after_roles),
		cmocka_unit_test(test_add_appends_and_keeps_bytes),
		cmocka_unit_test(test_add_identical_is_noop_and_conflict_refused),
		cmocka_unit_test(test_replace_keeps_userid_and_collapses),
		cmocka_unit_test(test_remove_every_duplicate),
		cmocka_unit_test(test_flow_style),
		cmocka_unit_test(test_add_to_crlf_and_empty),
		cmocka_unit_test(test_broken_key_refused),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
