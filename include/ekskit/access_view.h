/*
 * `eks-access list`: one view of who may log in — every aws-auth mapping
 * (with the authenticator's verdict) and every access entry with its
 * policies and scopes — as a JSON document, rendered as a table, JSON or
 * YAML.  Where an access entry exists for the principal of an aws-auth
 * mapping, EKS uses the entry: the mapping is marked so.
 */
#ifndef EKSKIT_ACCESS_VIEW_H
#define EKSKIT_ACCESS_VIEW_H

#include <stddef.h>

#include <jansson.h>

#include "ekskit/awsauth.h"
#include "ekskit/buf.h"
#include "ekskit/eks_access.h"

enum access_view_format { ACCESS_VIEW_TABLE, ACCESS_VIEW_JSON, ACCESS_VIEW_YAML };

/* What was found; NULL/0 for a side that was not (or could not be) read. */
struct access_view_in {
	const struct awsauth *awsauth;    /* NULL: aws-auth not read */
	int awsauth_present;              /* the ConfigMap exists */
	const char *resource_version;
	const char *awsauth_note;         /* why aws-auth was not read, or NULL */
	struct eks_access_entry *const *entries; /* NULL: entries not read */
	size_t nentries;
	const char *auth_mode;            /* "API", "API_AND_CONFIG_MAP", "CONFIG_MAP" or NULL */
	const char *entries_note;         /* why entries were not read, or NULL */
};

/* Build the view (*out: json_decref). */
int access_view_build(const struct access_view_in *in, json_t **out,
    struct ekskit_err *err);

/* Render it; control characters in values are replaced for the table. */
int access_view_render(const json_t *view, enum access_view_format f,
    struct ekbuf *out, struct ekskit_err *err);

/*
 * Any JSON value as a YAML document (block style, strings quoted where
 * YAML would read them as something else).  Appended to out.
 */
int access_json_to_yaml(const json_t *v, struct ekbuf *out, struct ekskit_err *err);

/*
 * What the access entries provide for the lockout checks: *admin when one
 * has AmazonEKSClusterAdminPolicy at cluster scope, *nodes when one is a
 * node type (EC2_LINUX, EC2_WINDOWS, HYBRID_LINUX, EC2).
 */
void access_entries_cover(struct eks_access_entry *const *v, size_t n, int *admin,
    int *nodes);

#endif /* EKSKIT_ACCESS_VIEW_H */
