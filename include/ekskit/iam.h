/*
 * IAM client: GetRole (query protocol, Version 2010-05-08, expat).
 *
 * IAM is global: build the client's endpoint and signing region with
 * aws_endpoint_resolve("iam", region, ...), which gives the partition's
 * single IAM endpoint (iam.amazonaws.com signed for us-east-1, ...) or
 * AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL when set.
 */
#ifndef EKSKIT_IAM_H
#define EKSKIT_IAM_H

#include "ekskit/awsreq.h"

struct iam_role {
	char *name;      /* RoleName */
	char *path;      /* "/" or "/team/a/" */
	char *arn;       /* arn:P:iam::A:role/PATH/NAME */
	char *role_id;   /* AROA... */
};

/*
 * GetRole for a role name (no path; IAM names are unique per account
 * whatever their path).  Fills *out (iam_role_release).  NoSuchEntity ->
 * EKSKIT_ERR_NOT_FOUND; an invalid name -> EKSKIT_ERR_USAGE before any
 * call; other AWS errors EKSKIT_ERR_REMOTE with the AWS code and message.
 */
int iam_get_role(const struct aws_client *c, const char *name,
    struct iam_role *out, struct ekskit_err *err);
void iam_role_release(struct iam_role *r);

#endif /* EKSKIT_IAM_H */
