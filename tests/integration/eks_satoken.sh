#!/usr/bin/env bash
# eks-satoken against the TLS fake API server: every output mode, service
# account creation and bindings, legacy Secrets, revocation, the ways the
# source kubeconfig can authenticate, and the failures (401/403/404/422,
# hangs, bad CA, short durations, a Secret that never gets its token).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
test_env
need_moto
use_static_creds
SAT=$BIN/eks-satoken
KUBECTL_DIR=$(dirname "$(readlink -f "$(command -v kubectl)")")

# --- help, and completions that cover every flag of the table
"$SAT" --help | grep -q -- '--service-account SA' && ok "--help lists the flags" || fail "--help"
while IFS=$'\t' read -r long short _; do
	for f in completions/eks-satoken.bash completions/_eks-satoken completions/eks-satoken.fish; do
		name=${long#--}
		grep -q -- "$name" "$TOP/$f" || fail "$f does not complete $long"
	done
done < <("$SAT" --list-flags)
ok "completions cover --list-flags"
bash -n "$TOP/completions/eks-satoken.bash" && ok "bash completion parses" || fail "bash completion syntax"
if command -v zsh >/dev/null; then zsh -n "$TOP/completions/_eks-satoken" && ok "zsh completion parses" || fail "zsh syntax"; fi
if command -v fish >/dev/null; then fish -n "$TOP/completions/eks-satoken.fish" && ok "fish completion parses" || fail "fish syntax"; fi

# The fake re-checks EKS token signatures with the test key (moto does not), so a
# token minted for the wrong cluster is refused as real STS would refuse it.
(umask 077 && printf '%s %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/sigv4-secrets")
k8s_fake_start --max-token-seconds 86400 --sigv4-secrets "$T/sigv4-secrets" ||
	die "cannot start the fake API server"
admin=$T/admin.kubeconfig
k8s_kubeconfig_cert "$admin"

# --- token output, --create, and the token works as the service account
out=$("$SAT" --kubeconfig "$admin" --service-account ci-bot 2>"$T/err"); rc=$?
assert_eq 1 "$rc" "missing service account without --create fails"
assert_contains "$(cat "$T/err")" "pass --create" "missing SA message says what to do"

tok=$("$SAT" --kubeconfig "$admin" --service-account ci-bot --create 2>"$T/err") ||
	fail "token for a new SA: $(cat "$T/err")"
assert_contains "$(cat "$T/err")" "created service account default/ci-bot" "SA created"
assert_contains "$(cat "$T/err")" "token expires at" "expiry reported"
[ "${tok: -1}" != $'\n' ] && [ -n "$tok" ] && ok "raw token, no newline when not a terminal" || fail "token output"
k8s_kubeconfig_token "$T/sa.kubeconfig" "$tok"
who=$(kubectl --kubeconfig "$T/sa.kubeconfig" auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)
assert_eq "system:serviceaccount:default:ci-bot" "$who" "kubectl auth whoami with the minted token"

# --- durations: refused before calling when short; capped by the server
before=$(grep -c '/token' "$K8S_FAKE_LOG")
"$SAT" --kubeconfig "$admin" --service-account ci-bot --duration 5m >/dev/null 2>"$T/err"; rc=$?
assert_eq 2 "$rc" "--duration 5m is a usage error"
assert_contains "$(cat "$T/err")" "less than 10 minutes" "short duration message"
assert_eq "$before" "$(grep -c '/token' "$K8S_FAKE_LOG")" "no TokenRequest sent for a short duration"
"$SAT" --kubeconfig "$admin" --service-account ci-bot --duration 48h >/dev/null 2>"$T/err" ||
	fail "48h token: $(cat "$T/err")"
# granted = expiry - our clock at the start: a second either way is the request's time
grep -Eq "granted 8(6399|6400|6401)s, less than the 172800s" "$T/err" && ok "capped lifetime warned" ||
	fail "capped lifetime warned: $(cat "$T/err")"
assert_rc 2 "bad duration syntax" "$SAT" --kubeconfig "$admin" --service-account ci-bot --duration 1d
# 0 must not quietly become the server's default lifetime; no C number syntax
before=$(grep -c '/token' "$K8S_FAKE_LOG")
for d in 0 0s 0.5s 0x10h 1e3m; do
	"$SAT" --kubeconfig "$admin" --service-account ci-bot --duration "$d" >/dev/null 2>"$T/err"; rc=$?
	assert_eq 2 "$rc" "--duration $d is a usage error"
done
assert_eq "$before" "$(grep -c '/token' "$K8S_FAKE_LOG")" "no TokenRequest sent for a zero or malformed duration"

# --- json output
js=$("$SAT" --kubeconfig "$admin" --service-account ci-bot -o json --audience api --audience vault --duration 2h 2>/dev/null)
assert_eq "TokenRequest" "$(json_get "$js" 'd["kind"]')" "json output is the TokenRequest"
assert_eq '["api", "vault"]' "$(json_get "$js" 'd["status"] and d["spec"]["audiences"]')" "audiences sent"
assert_eq 7200 "$(json_get "$js" 'd["spec"]["expirationSeconds"]')" "duration sent"

# --- bound objects
k8s_api POST /api/v1/namespaces/default/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"anchor"}}'
js=$("$SAT" --kubeconfig "$admin" --service-account ci-bot -o json --bound-object-kind Secret --bound-object-name anchor 2>"$T/err") ||
	fail "bound token: $(cat "$T/err")"
assert_eq Secret "$(json_get "$js" 'd["spec"]["boundObjectRef"]["kind"]')" "bound object sent"
assert_rc 2 "bad bound kind" "$SAT" --kubeconfig "$admin" --service-account ci-bot --bound-object-kind Deployment --bound-object-name x
assert_rc 2 "bound kind without name" "$SAT" --kubeconfig "$admin" --service-account ci-bot --bound-object-kind Pod
"$SAT" --kubeconfig "$admin" --service-account ci-bot --bound-object-kind Secret --bound-object-name anchor --revoke 2>"$T/err" ||
	fail "revoke bound secret: $(cat "$T/err")"
assert_contains "$(cat "$T/err")" "deleted Secret default/anchor" "--revoke deletes the bound Secret"
k8s_api GET /api/v1/namespaces/default/secrets/anchor
assert_eq 404 "$K8S_HTTP_CODE" "bound Secret is gone"

# --- bindings
tok=$("$SAT" --kubeconfig "$admin" --service-account viewer --create --bind-clusterrole view 2>"$T/err") ||
	fail "bind view: $(cat "$T/err")"
assert_contains "$(cat "$T/err")" "created role binding" "ClusterRoleBinding created"
k8s_kubeconfig_token "$T/viewer.kubeconfig" "$tok"
kubectl --kubeconfig "$T/viewer.kubeconfig" get pods -n default >/dev/null 2>&1 && ok "view may list pods" || fail "view cannot list pods"
kubectl --kubeconfig "$T/viewer.kubeconfig" create configmap x -n default >/dev/null 2>&1 && fail "view may create" || ok "view cannot create"
"$SAT" --kubeconfig "$admin" --service-account viewer --bind-clusterrole view >/dev/null 2>"$T/err" ||
	fail "second bind not idempotent: $(cat "$T/err")"
assert_not_contains "$(cat "$T/err")" "created role binding" "existing binding reused"
"$SAT" --kubeconfig "$admin" --service-account editor --create --bind-role edit --role-kind ClusterRole >/dev/null 2>"$T/err" ||
	fail "namespaced bind: $(cat "$T/err")"
k8s_api GET /apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/editor-edit
assert_eq 200 "$K8S_HTTP_CODE" "RoleBinding editor-edit created"
# RBAC names are path segments, not DNS names: system:* ClusterRoles work
for i in 1 2; do
	"$SAT" --kubeconfig "$admin" --service-account delegator --create \
		--bind-clusterrole system:auth-delegator >/dev/null 2>"$T/err" ||
		fail "bind system:auth-delegator (run $i): $(cat "$T/err")"
done
k8s_api GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings/delegator-system:auth-delegator
assert_eq 200 "$K8S_HTTP_CODE" "ClusterRoleBinding delegator-system:auth-delegator created (and reused)"
assert_rc 2 "a role name with a '/' is refused" "$SAT" --kubeconfig "$admin" --service-account delegator --bind-clusterrole a/b
k8s_api POST /apis/rbac.authorization.k8s.io/v1/clusterrolebindings \
	'{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"other-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"someone"}]}'
"$SAT" --kubeconfig "$admin" --service-account other --create --bind-clusterrole view >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a foreign binding of the same name is refused"
assert_contains "$(cat "$T/err")" "already exists and does not bind" "foreign binding message"

# --- kubeconfig output: standalone, 0600, CA as data, no source credentials
cat >"$T/cafile.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: $K8S_URL
    certificate-authority: $K8S_CA_FILE
contexts:
- name: prod-admin
  context: {cluster: prod, user: admin, namespace: team-a}
current-context: prod-admin
users:
- name: admin
  user:
    client-certificate: $K8S_ADMIN_CERT
    client-key: $K8S_ADMIN_KEY
KC
k8s_api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}'
"$SAT" --kubeconfig "$T/cafile.kubeconfig" --service-account deployer --create -o kubeconfig \
	--output-file "$T/out/deployer.kubeconfig" 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "missing output directory is an error"
mkdir -p "$T/out"
"$SAT" --kubeconfig "$T/cafile.kubeconfig" --service-account deployer -o kubeconfig \
	--output-file "$T/out/deployer.kubeconfig" 2>"$T/err" || fail "kubeconfig output: $(cat "$T/err")"
kc=$T/out/deployer.kubeconfig
assert_eq 600 "$(stat -c %a "$kc")" "kubeconfig written 0600"
assert_contains "$(cat "$kc")" "certificate-authority-data: $K8S_CA_DATA" "CA embedded as data"
assert_contains "$(cat "$kc")" "name: deployer@prod" "entries named sa@cluster"
assert_contains "$(cat "$kc")" "namespace: team-a" "namespace from the context"
assert_not_contains "$(cat "$kc")" "client-certificate" "no client certificate copied"
assert_not_contains "$(cat "$kc")" "$(sed -n 2p "$K8S_ADMIN_KEY")" "no key material copied"
for v in 1.27 1.33; do
	who=$("$KUBECTL_DIR/kubectl.$v" --kubeconfig "$kc" auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)
	assert_eq "system:serviceaccount:team-a:deployer" "$who" "kubectl $v uses the emitted kubeconfig"
done

# --- exec-credential output and a kubeconfig that runs eks-satoken, cached
unset KUBERNETES_EXEC_INFO
ec=$("$SAT" --kubeconfig "$admin" --service-account ci-bot -o exec-credential 2>/dev/null)
assert_eq ExecCredential "$(json_get "$ec" 'd["kind"]')" "exec-credential output"
assert_eq client.authentication.k8s.io/v1beta1 "$(json_get "$ec" 'd["apiVersion"]')" "v1beta1 by default"
for pair in "1.28 v1" "1.32 v1beta1"; do
	set -- $pair
	k8s_kubeconfig_exec "$T/exec-$1.kubeconfig" "$2" "$SAT" --kubeconfig "$admin" \
		--service-account ci-bot -o exec-credential
	who=$("$KUBECTL_DIR/kubectl.$1" --kubeconfig "$T/exec-$1.kubeconfig" auth whoami \
		-o jsonpath='{.status.userInfo.username}' 2>&1)
	assert_eq "system:serviceaccount:default:ci-bot" "$who" "kubectl $1 with eks-satoken as exec plugin ($2)"
done
n1=$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")
"$SAT" --kubeconfig "$admin" --service-account ci-bot -o exec-credential >/dev/null 2>&1
assert_eq "$n1" "$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")" "second exec-credential call served from the cache"
"$SAT" --kubeconfig "$admin" --service-account ci-bot -o exec-credential --no-cache >/dev/null 2>&1
assert_eq $((n1 + 1)) "$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")" "--no-cache asks the server"
ls -ld "$XDG_CACHE_HOME/ekskit" | grep -q '^drwx------' && ok "cache dir 0700" || fail "cache dir mode"
assert_not_contains "$(cat "$XDG_CACHE_HOME"/ekskit/* 2>/dev/null | head -c 100000)" "$K8S_ADMIN_TOKEN" "admin token not cached"

# --- insecure-skip-tls-verify: honoured only when the kubeconfig says so, always with a warning
sed 's/^    certificate-authority-data: .*/    insecure-skip-tls-verify: true/' "$admin" > "$T/insecure.kubeconfig"
chmod 600 "$T/insecure.kubeconfig"
"$SAT" --kubeconfig "$T/insecure.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err" ||
	fail "insecure-skip-tls-verify kubeconfig: $(cat "$T/err")"
assert_contains "$(cat "$T/err")" "insecure-skip-tls-verify" "insecure kubeconfig: warning"
"$SAT" --kubeconfig "$T/insecure.kubeconfig" --service-account no-such-sa >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "insecure-skip-tls-verify" "insecure kubeconfig: warning on failure too"
sed '/^    certificate-authority-data: .*/d' "$admin" > "$T/noca.kubeconfig"
chmod 600 "$T/noca.kubeconfig"
assert_rc 1 "no CA and no insecure-skip-tls-verify: the server is not trusted" \
	"$SAT" --kubeconfig "$T/noca.kubeconfig" --service-account ci-bot

# --- legacy Secret: filled asynchronously, then revoked
tok=$("$SAT" --kubeconfig "$admin" --service-account legacy --create --legacy-secret 2>"$T/err") ||
	fail "legacy secret: $(cat "$T/err")"
k8s_kubeconfig_token "$T/legacy.kubeconfig" "$tok"
who=$(kubectl --kubeconfig "$T/legacy.kubeconfig" auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)
assert_eq "system:serviceaccount:default:legacy" "$who" "legacy Secret token works"
js=$("$SAT" --kubeconfig "$admin" --service-account legacy --legacy-secret -o json 2>"$T/err") ||
	fail "legacy secret json: $(cat "$T/err")"
assert_eq "$tok" "$(json_get "$js" 'd["token"]')" "legacy Secret -o json is JSON holding the token"
assert_eq Secret "$(json_get "$js" 'd["kind"]')" "legacy Secret -o json kind"
assert_rc 2 "exec-credential refuses a legacy token" "$SAT" --kubeconfig "$admin" --service-account legacy --legacy-secret -o exec-credential
printf 'kept\n' > "$T/keep.out"
"$SAT" --kubeconfig "$admin" --service-account legacy --legacy-secret --revoke --output-file "$T/keep.out" 2>"$T/err" || fail "revoke: $(cat "$T/err")"
assert_eq kept "$(cat "$T/keep.out")" "--revoke leaves --output-file alone (it has no output)"
assert_contains "$(cat "$T/err")" "deleted Secret default/legacy-token" "legacy Secret deleted"
kubectl --kubeconfig "$T/legacy.kubeconfig" auth whoami >/dev/null 2>&1 && fail "revoked token still works" || ok "revoked token refused"
assert_rc 2 "--revoke alone is a usage error" "$SAT" --kubeconfig "$admin" --service-account legacy --revoke

# --- the source kubeconfig authenticates with a bearer token, eks-token, another plugin
k8s_kubeconfig_token "$T/src-token.kubeconfig" "$K8S_ADMIN_TOKEN"
"$SAT" --kubeconfig "$T/src-token.kubeconfig" --service-account ci-bot -o kubeconfig >"$T/k1" 2>"$T/err" ||
	fail "bearer-token source: $(cat "$T/err")"
assert_not_contains "$(cat "$T/k1")" "$K8S_ADMIN_TOKEN" "source bearer token not copied"
k8s_kubeconfig_exec "$T/src-plugin.kubeconfig" v1beta1 "$PYTHON" "$TOP/tests/fakes/exec_plugin.py" \
	--cluster-name "$K8S_CLUSTER_ID"
"$SAT" --kubeconfig "$T/src-plugin.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err" ||
	fail "exec-plugin source: $(cat "$T/err")"
ok "exec plugin source authenticates"
# a plugin that prints its credential, closes stdout and lingers: the time limit still holds
k8s_kubeconfig_exec "$T/src-linger.kubeconfig" v1beta1 /bin/sh -c \
	"printf '{\\\"kind\\\":\\\"ExecCredential\\\",\\\"apiVersion\\\":\\\"client.authentication.k8s.io/v1beta1\\\",\\\"status\\\":{\\\"token\\\":\\\"$K8S_ADMIN_TOKEN\\\"}}'; exec >&-; sleep 30"
start=$(date +%s)
EKSKIT_TEST_EXEC_TIMEOUT_MS=1500 "$SAT" --kubeconfig "$T/src-linger.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a lingering exec plugin fails"
assert_contains "$(cat "$T/err")" "did not finish within 2 s" "lingering plugin: time limit message"
[ $(( $(date +%s) - start )) -lt 10 ] && ok "lingering plugin: no hang" || fail "lingering plugin: hung"
k8s_kubeconfig_exec "$T/src-ekstoken.kubeconfig" v1beta1 "$BIN/eks-token" --cluster-name "$K8S_CLUSTER_ID"
"$SAT" --kubeconfig "$T/src-ekstoken.kubeconfig" --service-account ci-bot -o kubeconfig >"$T/k2" 2>"$T/err" ||
	fail "eks-token source: $(cat "$T/err")"
assert_not_contains "$(cat "$T/k2")" "k8s-aws-v1." "EKS token not copied"
assert_not_contains "$(cat "$T/k2")" "eks-token" "source exec block not copied"
# eks-token and `aws eks get-token` exec blocks are minted in-process: they work
# even where neither program is on PATH (a plugin that is spawned would not).
k8s_kubeconfig_exec "$T/src-inproc.kubeconfig" v1beta1 eks-token --cluster-name "$K8S_CLUSTER_ID"
PATH=/usr/bin:/bin "$SAT" --kubeconfig "$T/src-inproc.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err" ||
	fail "in-process eks-token: $(cat "$T/err")"
ok "eks-token exec block minted in-process"
# its EKS token differs from one second to the next: the exec-credential
# cache must still hit (it keys on the exec block, not on the token)
n1=$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")
"$SAT" --kubeconfig "$T/src-inproc.kubeconfig" --service-account ci-bot -o exec-credential >/dev/null 2>"$T/err" ||
	fail "exec-credential from an eks-token source: $(cat "$T/err")"
sleep 1.1
"$SAT" --kubeconfig "$T/src-inproc.kubeconfig" --service-account ci-bot -o exec-credential >/dev/null 2>"$T/err" ||
	fail "exec-credential from an eks-token source (again): $(cat "$T/err")"
assert_eq $((n1 + 1)) "$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")" "exec-credential cache hits with an eks-token source"
# the cache never crosses identities: other environment keys or another
# AWS_PROFILE mint their own token; the original identity still hits
sat_exec() { "$SAT" --kubeconfig "$T/src-inproc.kubeconfig" --service-account ci-bot -o exec-credential 2>"$T/err"; }
tok_a=$(sat_exec) || fail "identity A: $(cat "$T/err")"
# (the fake API server knows only identity A: B is refused, not served A's token)
tok_b=$(AWS_ACCESS_KEY_ID=AKIAOTHERIDENTITY001 AWS_SECRET_ACCESS_KEY=otherSecretKey/+= sat_exec)
assert_contains "$(cat "$T/err")" "Unauthorized" "other environment keys: the cache is not used, the server decides"
[ -z "$tok_b" ] && [ -n "$tok_a" ] && ok "other environment keys: not served identity A's token" || fail "token crossed identities"
printf '[other]\naws_access_key_id = AKIAOTHERPROFILE0001\naws_secret_access_key = x\n' >>"$AWS_SHARED_CREDENTIALS_FILE"
AWS_PROFILE=other sat_exec >/dev/null || fail "identity C: $(cat "$T/err")"
assert_eq $((n1 + 2)) "$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")" "another AWS_PROFILE: a new TokenRequest"
assert_eq "$tok_a" "$(sat_exec)" "identity A: still its own cached token"
assert_eq $((n1 + 2)) "$(grep -c 'serviceaccounts/ci-bot/token' "$K8S_FAKE_LOG")" "identity A: cache hit"
assert_not_contains "$(cat "$XDG_CACHE_HOME"/ekskit/*.json 2>/dev/null)" "otherSecretKey" "environment secrets never stored"
k8s_kubeconfig_exec "$T/src-aws.kubeconfig" v1beta1 aws --region us-west-2 eks get-token \
	--cluster-name "$K8S_CLUSTER_ID" --output json
PATH=/usr/bin:/bin "$SAT" --kubeconfig "$T/src-aws.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err" ||
	fail "in-process aws eks get-token: $(cat "$T/err")"
ok "aws eks get-token exec block minted in-process"
k8s_kubeconfig_exec "$T/src-tokonly.kubeconfig" v1beta1 eks-token --cluster-name "$K8S_CLUSTER_ID" --token-only
PATH=/usr/bin:/bin "$SAT" --kubeconfig "$T/src-tokonly.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "an exec block we do not fully understand is spawned (and here not found)"
assert_contains "$(cat "$T/err")" "cannot run exec plugin eks-token" "spawn failure names the plugin"
k8s_kubeconfig_exec "$T/src-bad.kubeconfig" v1beta1 "$BIN/eks-token" --cluster-name wrong-cluster
"$SAT" --kubeconfig "$T/src-bad.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a token for the wrong cluster fails"
assert_contains "$(cat "$T/err")" "Unauthorized" "401 shows the reason"

# --- failures
k8s_kubeconfig_token "$T/bad-token.kubeconfig" "not-a-valid-token"
"$SAT" --kubeconfig "$T/bad-token.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "401 exits 1"
assert_contains "$(cat "$T/err")" "HTTP 401" "401 message"
k8s_kubeconfig_token "$T/viewer2.kubeconfig" "$(cat "$T/viewer.kubeconfig" | sed -n 's/^ *token: //p')"
"$SAT" --kubeconfig "$T/viewer2.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "403 exits 1"
assert_contains "$(cat "$T/err")" "cannot create resource" "403 names the missing permission"
"$SAT" --kubeconfig "$admin" --service-account ci-bot --create -n no-such-ns >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "unknown namespace exits 1"
assert_contains "$(cat "$T/err")" "HTTP 404" "404 message"
assert_contains "$(cat "$T/err")" "no-such-ns" "404 names the namespace"
"$SAT" --kubeconfig "$admin" --service-account ci-bot --bound-object-kind Pod --bound-object-name no-such-pod >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "bound to a missing object exits 1"
assert_contains "$(cat "$T/err")" "NotFound" "missing bound object reason"
k8s_api POST /api/v1/namespaces/default/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"anchor2"}}'
"$SAT" --kubeconfig "$admin" --service-account ci-bot --bound-object-kind Secret --bound-object-name anchor2 \
	--bound-object-uid 00000000-0000-0000-0000-000000000000 >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "409 exits 1"
assert_contains "$(cat "$T/err")" "Conflict, HTTP 409" "409 shows reason and status"
"$SAT" --kubeconfig "$admin" --service-account ci-bot --duration 1200000h >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "422 exits 1"
assert_contains "$(cat "$T/err")" "larger than 2^32 seconds" "422 shows the server's message"
assert_contains "$(cat "$T/err")" "Invalid, HTTP 422" "422 reason"
# kubeconfig files: KUBECONFIG lists (absent entries skipped, first definition wins)
KUBECONFIG="$T/absent.kubeconfig:$admin:$T/bad-token.kubeconfig" "$SAT" --service-account ci-bot >/dev/null 2>"$T/err" ||
	fail "KUBECONFIG list: $(cat "$T/err")"
ok "KUBECONFIG list: absent file skipped, the first file's context wins"
"$SAT" --kubeconfig "$T/absent.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a missing --kubeconfig exits 1"
assert_contains "$(cat "$T/err")" "no kubeconfig file found at $T/absent.kubeconfig" "missing kubeconfig message"
grep -v '^current-context' "$admin" >"$T/nocurrent.kubeconfig"
"$SAT" --kubeconfig "$T/nocurrent.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "no current-context exits 1"
assert_contains "$(cat "$T/err")" "pass --context NAME" "no current-context says what to do"
"$SAT" --kubeconfig "$T/nocurrent.kubeconfig" --context fake --service-account ci-bot >/dev/null 2>"$T/err" ||
	fail "--context: $(cat "$T/err")"
"$SAT" --kubeconfig "$admin" --context nope --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "unknown context exits 1"
assert_contains "$(cat "$T/err")" 'context "nope" not found' "unknown context message"
sed "s|certificate-authority-data: .*|certificate-authority-data: $(printf 'garbage' | base64)|" "$admin" >"$T/badca.kubeconfig"
"$SAT" --kubeconfig "$T/badca.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "invalid CA exits 1"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/o.key" \
	-out "$T/other-ca.crt" -subj /CN=other -days 1 2>/dev/null
sed "s|certificate-authority-data: .*|certificate-authority-data: $(base64 -w0 "$T/other-ca.crt")|" "$admin" >"$T/otherca.kubeconfig"
"$SAT" --kubeconfig "$T/otherca.kubeconfig" --service-account ci-bot >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "an untrusted server certificate exits 1"
k8s_set_delay 5
t0=$SECONDS
"$SAT" --kubeconfig "$admin" --service-account ci-bot --timeout 1s >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a hanging server times out"
[ $((SECONDS - t0)) -lt 5 ] && ok "time limit honoured" || fail "took $((SECONDS - t0)) s"
k8s_set_delay 0
k8s_fake_stop
k8s_fake_start --no-token-controller || die "cannot restart the fake"
k8s_kubeconfig_cert "$admin"
"$SAT" --kubeconfig "$admin" --service-account stuck --create --legacy-secret --timeout 2s >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a Secret that never gets a token times out"
assert_contains "$(cat "$T/err")" "did not fill secret default/stuck-token" "timeout message"
finish
