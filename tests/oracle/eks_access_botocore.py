#!/usr/bin/env python3
"""Prove botocore itself works against tests/fakes/eks_access_fake.py.

Every operation eks-access uses is called through botocore (the AWS SDK,
which validates requests against the EKS service model and parses
responses and errors with it), so the fake's requests, responses and
errors have the shapes the real service has.  Usage: URL CLUSTER ACCOUNT.
Exits non-zero with a message on the first mismatch.
"""
import sys

import botocore.session
from botocore.exceptions import ClientError


def main():
    url, cluster, acct = sys.argv[1], sys.argv[2], sys.argv[3]
    s = botocore.session.get_session()
    eks = s.create_client("eks", region_name="us-west-2", endpoint_url=url,
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    role = "arn:aws:iam::%s:role/team/bc-dev" % acct
    node = "arn:aws:iam::%s:role/bc-node" % acct
    pol = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"

    def expect_error(code, status, fn, **kw):
        try:
            fn(**kw)
        except ClientError as e:
            got = e.response["Error"]["Code"]
            st = e.response["ResponseMetadata"]["HTTPStatusCode"]
            assert got == code and st == status, (got, st, code, status)
            assert e.response["Error"]["Message"], "error without a message"
            return e
        raise AssertionError("%s: no %s" % (fn.__name__, code))

    c = eks.describe_cluster(name=cluster)["cluster"]
    assert c["accessConfig"]["authenticationMode"] in ("API", "API_AND_CONFIG_MAP"), c
    e = eks.create_access_entry(clusterName=cluster, principalArn=role,
                                kubernetesGroups=["viewers"], username="dev:{{SessionName}}")
    assert e["accessEntry"]["kubernetesGroups"] == ["viewers"], e
    assert e["accessEntry"]["type"] == "STANDARD"
    assert hasattr(e["accessEntry"]["createdAt"], "year"), "createdAt is not a timestamp"
    expect_error("ResourceInUseException", 409, eks.create_access_entry,
                 clusterName=cluster, principalArn=role)
    expect_error("InvalidParameterException", 400, eks.create_access_entry,
                 clusterName=cluster, principalArn=node + "x", username="system:evil")
    expect_error("InvalidParameterException", 400, eks.create_access_entry,
                 clusterName=cluster,
                 principalArn="arn:aws:sts::%s:assumed-role/bc-dev/s" % acct)
    n = eks.create_access_entry(clusterName=cluster, principalArn=node, type="EC2_LINUX")
    assert n["accessEntry"]["username"] == "system:node:{{EC2PrivateDNSName}}", n
    d = eks.describe_access_entry(clusterName=cluster, principalArn=role)["accessEntry"]
    assert d["principalArn"] == role and d["username"] == "dev:{{SessionName}}", d
    # the trap: an update that leaves username out resets it
    u = eks.update_access_entry(clusterName=cluster, principalArn=role,
                                kubernetesGroups=["editors"])["accessEntry"]
    assert u["kubernetesGroups"] == ["editors"], u
    assert u["username"] == "arn:aws:sts::%s:assumed-role/bc-dev/{{SessionName}}" % acct, u
    u = eks.update_access_entry(clusterName=cluster, principalArn=role,
                                username="dev:{{SessionName}}")["accessEntry"]
    assert u["kubernetesGroups"] == [], u
    a = eks.associate_access_policy(clusterName=cluster, principalArn=role, policyArn=pol,
                                    accessScope={"type": "namespace",
                                                 "namespaces": ["default"]})
    assert a["associatedAccessPolicy"]["accessScope"]["namespaces"] == ["default"], a
    expect_error("InvalidParameterException", 400, eks.associate_access_policy,
                 clusterName=cluster, principalArn=node, policyArn=pol,
                 accessScope={"type": "cluster"})
    lp = eks.list_associated_access_policies(clusterName=cluster, principalArn=role)
    assert [p["policyArn"] for p in lp["associatedAccessPolicies"]] == [pol], lp
    # pagination through botocore's paginator (nextToken / maxResults)
    pages = list(eks.get_paginator("list_access_entries").paginate(
        clusterName=cluster, PaginationConfig={"PageSize": 1}))
    arns = [a for p in pages for a in p["accessEntries"]]
    assert role in arns and node in arns and len(pages) >= 2, pages
    f = eks.list_access_entries(clusterName=cluster, associatedPolicyArn=pol)
    assert f["accessEntries"] == [role], f
    eks.disassociate_access_policy(clusterName=cluster, principalArn=role, policyArn=pol)
    expect_error("ResourceNotFoundException", 404, eks.disassociate_access_policy,
                 clusterName=cluster, principalArn=role, policyArn=pol)
    eks.delete_access_entry(clusterName=cluster, principalArn=role)
    eks.delete_access_entry(clusterName=cluster, principalArn=node)
    expect_error("ResourceNotFoundException", 404, eks.describe_access_entry,
                 clusterName=cluster, principalArn=role)
    expect_error("ResourceNotFoundException", 404, eks.list_access_entries,
                 clusterName="nosuch")
    print("botocore: every access-entry operation works against the fake")
    return 0


if __name__ == "__main__":
    sys.exit(main())
