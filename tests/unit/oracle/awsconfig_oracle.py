#!/usr/bin/env python3
"""Oracle for tests/unit/test_awsconfig.c: what botocore sees in config files.

Usage: awsconfig_oracle.py KIND FILE...   (KIND: config | credentials)
For each file prints "== FILE" then either "ERROR" or one line per setting:
  P <profile> <key> <value>            a profile setting
  PS <profile> <key> <subkey> <value>  a sub-section setting
  S <kind> <name> <key> <value>        an sso-session / services setting
  SS <kind> <name> <key> <subkey> <value>
Fields are tab-separated; backslash, tab and newline are escaped as \\\\, \\t, \\n.
"""
import sys

from botocore import configloader
from botocore.exceptions import ConfigParseError


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def emit(prefix, names, values):
    for key, value in values.items():
        if isinstance(value, dict):
            for sk, sv in value.items():
                print("\t".join([prefix * 2 if prefix == "S" else "PS"] +
                                [esc(n) for n in names] + [esc(key), esc(sk), esc(sv)]))
        else:
            print("\t".join([prefix] + [esc(n) for n in names] + [esc(key), esc(value)]))


def main():
    kind = sys.argv[1]
    for path in sys.argv[2:]:
        print("== " + path)
        try:
            raw = configloader.raw_config_parse(path)
        except (ConfigParseError, UnicodeDecodeError):
            print("ERROR")
            continue
        if kind == "credentials":
            # botocore looks profiles up by exact section name in this file
            for name, values in raw.items():
                emit("P", [name], values)
            continue
        built = configloader.build_profile_map(raw)
        for name, values in built["profiles"].items():
            emit("P", [name], values)
        for kind_key, kind_name in (("sso_sessions", "sso-session"), ("services", "services")):
            for name, values in built[kind_key].items():
                emit("S", [kind_name, name], values)


main()
