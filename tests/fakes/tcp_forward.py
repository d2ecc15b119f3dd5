#!/usr/bin/env python3
"""A tiny TCP forwarder on loopback: the "tunnel" of the demo and tests
(what an SSM or SSH port forward does for a private EKS endpoint).

    tcp_forward.py --listen-port 8443 --to 127.0.0.1:6443 [--port-file F]

Listens on 127.0.0.1 only (port 0: a free one, written to --port-file) and
copies bytes both ways for each connection; the target must be loopback.
Prints "ready" once listening.  Standard library only.
"""
import argparse
import ipaddress
import os
import socket
import sys
import threading


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, target):
    try:
        upstream = socket.create_connection(target, timeout=10)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    pipe(upstream, client)
    client.close()
    upstream.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen-port", type=int, default=0)
    ap.add_argument("--to", required=True, help="HOST:PORT (loopback)")
    ap.add_argument("--port-file")
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)
    if not ipaddress.ip_address(host).is_loopback:
        ap.error("--to must be a loopback address")
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.listen_port))
    srv.listen(16)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.getsockname()[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    print("ready", flush=True)
    while True:
        client, _ = srv.accept()
        threading.Thread(target=serve, args=(client, (host, int(port))), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
