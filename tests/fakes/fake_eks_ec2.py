#!/usr/bin/env python3
"""A loopback fake of EKS DescribeCluster and EC2 DescribeNetworkInterfaces
that returns crafted answers, for eks-hosts' bad-input tests.

    fake_eks_ec2.py --port 8080

The cluster name picks the scenario (see CLUSTERS and ENIS below): invalid
addresses, host names with a newline or spaces, error documents, zero ENIs,
two pages, in-use preference, IPv6.  Requests are not authenticated (the
signing is tested elsewhere); each one is appended to --log if given.
Prints "ready" once listening.  Standard library only.
"""
import argparse
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD_HOST = "0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com"


def cluster(name, endpoint="https://" + GOOD_HOST, private=True, status="ACTIVE",
            family="ipv4"):
    return {"cluster": {
        "name": name, "arn": "arn:aws:eks:us-west-2:123456789012:cluster/" + name,
        "status": status, "endpoint": endpoint, "version": "1.31",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTg=="},
        "resourcesVpcConfig": {"vpcId": "vpc-1", "subnetIds": ["subnet-1"],
                               "endpointPrivateAccess": private,
                               "endpointPublicAccess": True},
        "kubernetesNetworkConfig": {"ipFamily": family}}}


CLUSTERS = {
    "good": cluster("good"),
    "paged": cluster("paged"),
    "paged": cluster("paged"),
    "badaddr": cluster("badaddr"),
    "nladdr": cluster("nladdr"),
    "nlhost": cluster("nlhost", "https://abc.us-west-2.eks.amazonaws.com\n10.0.0.1 evil"),
    "spacehost": cluster("spacehost", "https://abc def.us-west-2.eks.amazonaws.com"),
    "otherdomain": cluster("otherdomain", "https://api.evil.example.com"),
    "otherregion": cluster("otherregion", "https://abc.gr7.eu-west-1.eks.amazonaws.com"),
    "errxml": cluster("errxml"),
    "garbage": cluster("garbage"),
    "zero": cluster("zero"),
    "pubonly": cluster("pubonly", private=False),
    "updating": cluster("updating", status="UPDATING"),
    "v6": cluster("v6", "https://0123456789abcdef.us-west-2.api.aws", family="ipv6"),
    "rotating": cluster("rotating"),
}


def eni(eni_id, desc, addrs, status="in-use", vpc="vpc-1", v6=()):
    sec = "".join(
        "<item><privateIpAddress>%s</privateIpAddress><primary>%s</primary></item>"
        % (a, "true" if i == 0 else "false") for i, a in enumerate(addrs))
    six = "".join("<item><ipv6Address>%s</ipv6Address></item>" % a for a in v6)
    return ("<item><networkInterfaceId>%s</networkInterfaceId><vpcId>%s</vpcId>"
            "<description>%s</description><status>%s</status>"
            "<attachment><status>attached</status></attachment>"
            "<privateIpAddress>%s</privateIpAddress>"
            "<privateIpAddressesSet>%s</privateIpAddressesSet>"
            "<ipv6AddressesSet>%s</ipv6AddressesSet></item>"
            % (eni_id, vpc, desc, status, addrs[0] if addrs else "", sec, six))


def page(items, token=None):
    nt = "<nextToken>%s</nextToken>" % token if token else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            "<requestId>req-1</requestId><networkInterfaceSet>%s</networkInterfaceSet>%s"
            "</DescribeNetworkInterfacesResponse>" % ("".join(items), nt))


def enis_for(name, token):
    d = "Amazon EKS " + name
    if name in ("good", "updating"):
        return 200, page([eni("eni-1", d, ["10.0.1.5", "10.0.1.6"]),
                          eni("eni-2", d, ["10.0.2.9"]),
                          eni("eni-old", d, ["10.0.3.3"], status="available"),
                          eni("eni-x", d + "-2", ["10.0.9.9"]),
                          eni("eni-y", d, ["10.8.8.8"], vpc="vpc-other")])
    if name == "paged":
        if token is None:
            return 200, page([eni("eni-1", d, ["10.0.1.5"])], token="page-2")
        if token == "page-2":
            return 200, page([eni("eni-2", d, ["10.0.2.9"])])
        return 400, error_xml("InvalidParameterValue", "bad token")
    if name == "badaddr":
        return 200, page([eni("eni-1", d, ["10.0.1.5"]), eni("eni-2", d, ["10.0.1.300"])])
    if name == "nladdr":
        return 200, page([eni("eni-1", d, ["10.0.1.5&#10;10.6.6.6 evil.example"])])
    if name == "errxml":
        return 403, error_xml("UnauthorizedOperation",
                              "You are not authorized to perform this operation.")
    if name == "garbage":
        return 200, "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item>"
    if name == "zero":
        return 200, page([eni("eni-x", d + "-2", ["10.0.9.9"])])
    if name.startswith("par") and name[3:].isdigit():
        # one cluster per parallel run: 10.0.N.5 and 10.0.N.6
        n = int(name[3:]) % 250
        return 200, page([eni("eni-%d" % n, d, ["10.0.%d.5" % n, "10.0.%d.6" % n])])
    if name == "rotating":
        # an ENI being rotated away sorts first: only the in-use one counts
        return 200, page([eni("eni-new", d, ["10.0.2.9"]),
                          eni("eni-old", d, ["10.0.1.1"], status="available")])
    if name == "v6":
        return 200, page([eni("eni-1", d, ["10.0.1.5"], v6=["2600:1f14:abc::10"])])
    return 200, page([eni("eni-1", d, ["10.0.1.5"])])


def error_xml(code, msg):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            "<Code>%s</Code><Message>%s</Message></Error></Errors>"
            "<RequestID>req-err</RequestID></Response>" % (code, msg))


class Handler(BaseHTTPRequestHandler):
    log_path = None

    def log_message(self, fmt, *args):
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write("%s %s\n" % (self.command, self.path))

    def reply(self, status, ctype, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req-1")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path.startswith("/clusters/"):
            name = urllib.parse.unquote(path[len("/clusters/"):])
            if name in CLUSTERS:
                return self.reply(200, "application/json", json.dumps(CLUSTERS[name]))
            if name.startswith("par") and name[3:].isdigit():
                return self.reply(200, "application/json", json.dumps(cluster(name)))
            return self.reply(404, "application/json", json.dumps(
                {"__type": "ResourceNotFoundException",
                 "message": "No cluster found for name: %s." % name}))
        if path == "/clusters":
            return self.reply(200, "application/json",
                              json.dumps({"clusters": sorted(CLUSTERS)}))
        self.reply(404, "text/plain", "not found")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        action = form.get("Action", [""])[0]
        if action != "DescribeNetworkInterfaces":
            return self.reply(400, "text/xml", error_xml("InvalidAction", action))
        desc = form.get("Filter.1.Value.1", [""])[0]
        name = desc[len("Amazon EKS "):] if desc.startswith("Amazon EKS ") else ""
        status, body = enis_for(name, form.get("NextToken", [None])[0])
        self.reply(status, "text/xml;charset=UTF-8", body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log")
    args = ap.parse_args()
    Handler.log_path = args.log
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
