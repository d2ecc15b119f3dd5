#!/usr/bin/env bash
# The AWS CLI's assume-role cache (~/.aws/cli/cache) is reused read-only:
# botocore (with the CLI's JSONFileCache) assumes an MFA role against moto
# and writes the entry; eks-token then signs with those credentials without
# calling STS and without asking for MFA.  Entries that are unsafe (mode,
# symlink) or about to expire are ignored, as in ekskit's own cache.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
need_moto
"$PYTHON" -c 'import botocore' 2>/dev/null || skip "botocore not installed"

write_static_profile base AKIABASEFORCLICACHE1
cat >"$AWS_CONFIG_FILE" <<EOF
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
duration_seconds = 3600
external_id = ext-1
EOF
cli_cache=$HOME/.aws/cli/cache

# botocore, set up as the AWS CLI does (awscli/customizations/assumerole.py)
botocore_key=$(AWS_DEFAULT_REGION=$AWS_REGION "$PYTHON" - "$cli_cache" <<'EOF'
import sys, botocore.session
from botocore.utils import JSONFileCache
s = botocore.session.Session(profile="mfa")
p = s.get_component("credential_provider").get_provider("assume-role")
p.cache = JSONFileCache(sys.argv[1])
p._prompter = lambda prompt: "123456"
print(s.get_credentials().get_frozen_credentials().access_key)
EOF
)
case $botocore_key in ASIA*) ok "botocore assumed the role through moto ($botocore_key)" ;; *) fail "botocore: $botocore_key" ;; esac
entry=$(ls "$cli_cache"/*.json 2>/dev/null | head -1)
[ -n "$entry" ] && ok "botocore wrote $(basename "$entry")" || die "no AWS CLI cache entry"
# botocore's key: sha1 of the sorted-keys JSON of the AssumeRole args
want=$(printf '%s' '{"DurationSeconds": 3600, "ExternalId": "ext-1", "RoleArn": "arn:aws:iam::123456789012:role/admin", "SerialNumber": "arn:aws:iam::123456789012:mfa/alice"}' | sha1sum | cut -d' ' -f1)
assert_eq "$want.json" "$(basename "$entry")" "entry named by botocore's key derivation"

# eks-token: STS unreachable and no terminal for MFA: only the cache can serve
noninteractive='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'
run_cached() {
	OUT=$(KUBERNETES_EXEC_INFO=$noninteractive AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 \
		setsid -w "$BIN/eks-token" --cluster-name test-cluster --profile mfa "$@" </dev/null 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}
run_cached -v
assert_eq 0 "$RC" "eks-token reuses the AWS CLI's role session ($ERR)"
assert_eq "$botocore_key" "$(token_akid <<<"$OUT")" "token signed with botocore's role credentials"
assert_contains "$ERR" "AWS CLI's cache" "-v says where the credentials came from"
assert_eq "$botocore_key" "$(token_akid <<<"$OUT")" "no STS call, no MFA prompt"
assert_eq "" "$(cache_akids)" "ekskit does not copy them into its own cache"

# unsafe entries are ignored (then MFA would be needed: a clear error)
chmod 644 "$entry"
run_cached
assert_eq 1 "$RC" "group/world-readable entry ignored"
assert_contains "$ERR" "must be owned by uid" "warned about the unsafe entry"
chmod 600 "$entry"
mv "$entry" "$T/real.json"; ln -s "$T/real.json" "$entry"
run_cached
assert_eq 1 "$RC" "symlinked entry ignored"
assert_contains "$ERR" "symlink" "warned about the symlink"
rm "$entry"; mv "$T/real.json" "$entry"
run_cached
assert_eq 0 "$RC" "safe again: used ($ERR)"
# about to expire (inside the margin): not used
"$PYTHON" - "$entry" <<'EOF'
import datetime, json, sys
d = json.load(open(sys.argv[1]))
d["Credentials"]["Expiration"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SUTC")
json.dump(d, open(sys.argv[1], "w"))
EOF
run_cached
assert_eq 1 "$RC" "entry within the expiry margin ignored"
run_cached --no-cache
assert_eq 1 "$RC" "--no-cache does not read the AWS CLI's cache either"
finish
