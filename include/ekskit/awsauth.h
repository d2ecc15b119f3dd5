/*
 * The kube-system/aws-auth ConfigMap, modelled the way aws-iam-authenticator
 * (pkg/mapper/configmap, pkg/config) reads it, and edited losslessly.
 *
 * What the authenticator does, and so what this model reports:
 *   - it reads exactly the data keys "mapRoles", "mapUsers" and
 *     "mapAccounts" (case-sensitive: "mapusers" is never read);
 *   - each is YAML converted to JSON and unmarshalled by Go's encoding/json:
 *     entry field names match case-insensitively ("RoleARN" is rolearn),
 *     unknown fields are dropped, and a value of the wrong type (a number
 *     or boolean where a string is expected, groups not a list, an item
 *     that is not a mapping) makes the WHOLE key malformed: the
 *     authenticator then keeps the mappings it loaded before and ignores
 *     this text entirely;
 *   - an entry with neither (or both) rolearn and sso, an invalid sso
 *     matcher, or a user entry without userarn is dropped;
 *   - the rest go into a map keyed by the lower-cased rolearn (users: the
 *     userarn, compared case-insensitively): the LAST duplicate wins;
 *   - a caller is looked up by its canonical ARN (arn:P:iam::A:role/NAME
 *     for an assumed role: no path), mapRoles first, then mapUsers, then
 *     mapAccounts (the account id as the username).  A rolearn with a path
 *     or an STS ARN therefore never matches anybody.
 * Groups are passed through as written; a "system:" group Kubernetes does
 * not know (the classic "system:bootsrappers") grants nothing: reported.
 *
 * Edits work on the YAML text: each sequence item's byte span is found
 * from libyaml's event marks, and only the items that change are cut out
 * or spliced in.  Every other byte (other entries, comments, unknown
 * fields, userid, sso matchers, other data keys) is kept as it was.
 *
 * Ownership: every string in the structs below is owned by the struct
 * that holds it; the *_free/_release functions accept NULL.
 */
#ifndef EKSKIT_AWSAUTH_H
#define EKSKIT_AWSAUTH_H

#include <stddef.h>

#include <jansson.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

#define AWSAUTH_NAMESPACE "kube-system"
#define AWSAUTH_NAME      "aws-auth"
#define AWSAUTH_MAX_TEXT  (1024u * 1024)   /* one data value; the API caps objects at 1 MiB */

enum awsauth_section { AWSAUTH_ROLES, AWSAUTH_USERS, AWSAUTH_ACCOUNTS };
enum awsauth_state { AWSAUTH_ACTIVE, AWSAUTH_SHADOWED, AWSAUTH_IGNORED };

/* "mapRoles", "mapUsers", "mapAccounts". */
const char *awsauth_section_key(enum awsauth_section s);
/* "active", "shadowed", "ignored". */
const char *awsauth_state_name(enum awsauth_state s);

/* One data key of the ConfigMap. */
struct awsauth_key {
	char *name;                 /* the data key as written */
	char *text;                 /* its value (NUL-terminated; may hold NULs: see len) */
	size_t len;
	enum awsauth_section section; /* what it holds (or resembles) */
	int read;                   /* 1: the authenticator reads it (exact name) */
	char *error;                /* set: the whole key is ignored, and why */
	int flow;                   /* the top-level sequence is in flow style ([...]) */
	size_t nitems;              /* items of the top-level sequence */
	size_t insert_at;           /* byte offset where a new item goes */
	int null_scalar;            /* the value is a YAML null ("~", "null"): replaced on add */
	size_t null_start, null_end;
};

/* One mapping (a sequence item of mapRoles/mapUsers/mapAccounts). */
struct awsauth_row {
	enum awsauth_section section;
	enum awsauth_state state;
	size_t key;                 /* index into awsauth.keys */
	size_t item;                /* 0-based index in that key's sequence */
	size_t line;                /* 1-based line of the item in the key's text */
	char *arn;                  /* rolearn / userarn / account id as written, or NULL */
	char *lookup;               /* the authenticator's lookup key, or NULL (not in its map) */
	char *principal;            /* canonical principal key for edits (lower-cased,
	                             * role path stripped), or NULL */
	char *username;             /* or NULL */
	char **groups;              /* NULL-terminated (never NULL itself) */
	size_t ngroups;
	char *userid;               /* or NULL: kept, never used by the configmap mapper */
	char *sso;                  /* "permissionSetName@accountID[/partition]", or NULL */
	char *reason;               /* shadowed/ignored: why; active: a warning, or NULL */
	size_t span_start, span_end;/* the item's bytes in the key's text */
};

struct awsauth {
	struct awsauth_key *keys;
	size_t nkeys;
	struct awsauth_row *rows;
	size_t nrows;
};

/*
 * Parse a ConfigMap's `data` object (NULL or an empty object = no
 * mappings).  Never fails on bad YAML in a value: that key is reported
 * (key->error) and its rows are absent.  Fails only on out of memory, a
 * value that is not a string (EKSKIT_ERR_INVALID) or a value over
 * AWSAUTH_MAX_TEXT.  *out freed with awsauth_free.
 */
int awsauth_parse(const json_t *data, struct awsauth **out, struct ekskit_err *err);
void awsauth_free(struct awsauth *a);

/* The key index of the data key the authenticator reads for s, or -1. */
long awsauth_find_key(const struct awsauth *a, enum awsauth_section s);

/*
 * Whether an active mapping grants these groups (for the lockout checks):
 * a role mapping in group system:nodes, any mapping in system:masters.
 */
int awsauth_has_node_role(const struct awsauth *a);
int awsauth_has_masters(const struct awsauth *a);

/*
 * 1 if `tmpl` uses only the placeholders the authenticator expands
 * ({{EC2PrivateDNSName}}, {{AccountID}}, {{SessionName}},
 * {{SessionNameRaw}}, {{AccessKeyID}}); else 0 and *bad (may be NULL)
 * points at the first unknown "{{".
 */
int awsauth_template_valid(const char *tmpl, const char **bad);

/* 1 if g is a "system:" group Kubernetes knows, or not a "system:" group. */
int awsauth_group_known(const char *g);

/* ------------------------------------------------------------ edits */

/* A mapping to add.  Strings borrowed. */
struct awsauth_mapping {
	enum awsauth_section section;
	const char *arn;            /* role/user ARN, or the account id */
	const char *username;       /* roles and users: required */
	const char *const *groups;
	size_t ngroups;
};

/* Warnings collected while validating or editing (owned strings). */
struct awsauth_notes {
	char **v;                   /* NULL-terminated once anything was added */
	size_t n;
};
void awsauth_notes_release(struct awsauth_notes *n);

/*
 * Check a mapping to add and normalise it: the ARN parses, its partition
 * is known, it names an IAM role (add-role) or user (add-user) or is a
 * 12-digit account; a role path is stripped (note added); an assumed-role
 * ARN becomes its role (note); username and groups use only known
 * templates and no control characters; "system:" groups must exist.
 * *arn_out is the ARN to write (malloc'd).  EKSKIT_ERR_USAGE on bad input.
 */
int awsauth_validate(const struct awsauth_mapping *m, char **arn_out,
    struct awsauth_notes *notes, struct ekskit_err *err);

/* What an edit did. */
struct awsauth_edit {
	int changed;                /* 0: nothing to do (identical mapping, nothing to remove) */
	size_t removed;             /* mappings cut out */
	size_t added;               /* mappings written (new or replacing) */
	char *key;                  /* the data key changed (owned), or NULL */
	char *old_text, *new_text;  /* that key's value before and after (owned) */
};
void awsauth_edit_release(struct awsauth_edit *e);

/*
 * Add m (already validated: arn is the normalised ARN).  When the
 * principal already has a mapping in m->section: identical (same username
 * and groups) -> changed = 0; different -> EKSKIT_ERR_INVALID naming the
 * line, unless `replace`, which rewrites the active entry in place (its
 * userid kept) and removes the other duplicates.  A key the authenticator
 * cannot read (key->error) is refused: it must be fixed by hand first.
 */
int awsauth_add(const struct awsauth *a, const struct awsauth_mapping *m,
    int replace, struct awsauth_edit *out, struct awsauth_notes *notes,
    struct ekskit_err *err);

/*
 * Remove every mapping of the principal `who` (an ARN: compared the way
 * the authenticator compares, case-insensitively, any role path ignored;
 * or a 12-digit account id for mapAccounts) from the keys the
 * authenticator reads.  Several keys may hold it: one edit per key is
 * returned (out[0..*nout), at most 3, release each).
 */
int awsauth_remove(const struct awsauth *a, const char *who,
    struct awsauth_edit out[3], size_t *nout, struct awsauth_notes *notes,
    struct ekskit_err *err);

/*
 * A unified diff (3 lines of context) of one key's change, with headers
 * naming "kube-system/aws-auth data.<key>".  Appended to out.
 */
int awsauth_diff(const struct awsauth_edit *e, struct ekbuf *out);

#endif /* EKSKIT_AWSAUTH_H */
