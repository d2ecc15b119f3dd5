#!/usr/bin/env python3
"""Oracle for tests/unit/test_endpoints.c: botocore's endpoint for a service.

Reads lines "SERVICE REGION FIPS DUALSTACK STS_REGIONAL" (0/1 flags,
regional|legacy) on stdin and prints "URL SIGNING_REGION" or "ERROR" for each.
No request is sent: only the endpoint resolution runs.
"""
import os
import sys

import botocore.session
from botocore.config import Config

for var in list(os.environ):
    if var.startswith("AWS_"):
        del os.environ[var]
os.environ["AWS_CONFIG_FILE"] = "/nonexistent"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"

session = botocore.session.get_session()
for line in sys.stdin:
    service, region, fips, dual, sts_mode = line.split()
    try:
        session.set_config_variable("sts_regional_endpoints", sts_mode)
        client = session.create_client(
            service, region_name=region,
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x",
            config=Config(use_fips_endpoint=fips == "1",
                          use_dualstack_endpoint=dual == "1"))
        # resolve like a real call would, without sending it
        op = "GetCallerIdentity" if service == "sts" else "ListClusters"
        model = client.meta.service_model.operation_model(op)
        ep = client._resolve_endpoint_ruleset(model, {}, {})
        url, props = ep[0], ep[2] or {}
        schemes = props.get("authSchemes") or [{}]
        signing = schemes[0].get("signingRegion", region)
        print(url, signing)
    except Exception as e:  # noqa: BLE001 - any failure is an ERROR row
        print("ERROR", type(e).__name__)
    sys.stdout.flush()
