#!/usr/bin/env python3
"""A tiny authoritative DNS server on loopback, for eks-hosts tests.

    fake_dns.py [--addr 127.0.0.1] --port 5353 --record host.example=10.0.1.5,fd00::5

Answers A and AAAA queries (UDP) for the names given with --record (case
insensitive, trailing dot optional); other names get NXDOMAIN, other record
types an empty NOERROR answer.  Prints "ready" on stdout once bound.
Standard library only.
"""
import argparse
import ipaddress
import socket
import struct
import sys


def parse_qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels).lower(), off


def answer(msg, records):
    ident, flags, qd, _an, _ns, _ar = struct.unpack("!6H", msg[:12])
    if qd != 1:
        return None
    name, off = parse_qname(msg, 12)
    qtype, qclass = struct.unpack("!2H", msg[off:off + 4])
    question = msg[12:off + 4]
    rd = flags & 0x0100
    addrs = records.get(name)
    if addrs is None:
        hdr = struct.pack("!6H", ident, 0x8403 | rd, 1, 0, 0, 0)  # NXDOMAIN, AA
        return hdr + question
    rrs = []
    for a in addrs:
        if qtype == 1 and a.version == 4:
            rrs.append(struct.pack("!HHHIH", 0xC00C, 1, qclass, 60, 4) + a.packed)
        elif qtype == 28 and a.version == 6:
            rrs.append(struct.pack("!HHHIH", 0xC00C, 28, qclass, 60, 16) + a.packed)
    hdr = struct.pack("!6H", ident, 0x8400 | rd, 1, len(rrs), 0, 0)
    return hdr + question + b"".join(rrs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--record", action="append", default=[])
    args = ap.parse_args()
    records = {}
    for spec in args.record:
        name, _, values = spec.partition("=")
        records[name.lower().rstrip(".")] = [
            ipaddress.ip_address(v) for v in values.split(",") if v]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if not args.addr.startswith("127."):
        sys.exit("fake_dns.py: loopback addresses only")
    sock.bind((args.addr, args.port))
    print("ready", flush=True)
    while True:
        msg, peer = sock.recvfrom(4096)
        try:
            reply = answer(msg, records)
        except (ValueError, IndexError, struct.error):
            continue
        if reply:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    sys.exit(main())
