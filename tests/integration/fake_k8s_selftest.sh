#!/usr/bin/env bash
# Self-test of the TLS fake Kubernetes API server (tests/fakes/k8s_fake.py):
# the rules other tests rely on, checked with curl and real kubectl.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"

test_env
need_moto
command -v kubectl >/dev/null || die "kubectl is required"
command -v curl >/dev/null || die "curl is required"
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KOLD=$KDIR/kubectl.1.27 KNEW=$KDIR/kubectl.1.33
[ -x "$KOLD" ] && [ -x "$KNEW" ] || die "kubectl.1.27 and kubectl.1.33 are required next to kubectl"

export SIGV4_SECRETS=$T/sigv4-secrets
: >"$SIGV4_SECRETS"
k8s_fake_start --cluster-id selftest-cluster --sigv4-secrets "$SIGV4_SECRETS" \
	--max-token-seconds 7200 --token-controller-delay 0.5 --dns-name fake.example.test ||
	die "cannot start the fake API server"

KC=$T/admin.kubeconfig
k8s_kubeconfig_cert "$KC"
kc() { kubectl --kubeconfig "$KC" "$@"; }

# --- TLS and authentication -------------------------------------------------
out=$(curl -sS --cacert "$K8S_CA_FILE" "$K8S_URL/version")
assert_eq Unauthorized "$(json_get "$out" 'd["reason"]')" "no credentials: 401 Status reason"
assert_eq 401 "$(json_get "$out" 'd["code"]')" "no credentials: Status code"
assert_eq Failure "$(json_get "$out" 'd["status"]')" "no credentials: Status status"
san=$(openssl x509 -in "$K8S_FAKE_DIR/certs/server.crt" -noout -ext subjectAltName)
assert_contains "$san" "fake.example.test" "extra DNS name in the server certificate"
assert_contains "$san" "IP Address:127.0.0.1" "127.0.0.1 in the server certificate"
if curl -sS -o /dev/null "$K8S_URL/version" 2>/dev/null; then
	fail "server certificate accepted without the CA"
else
	ok "server certificate needs the fake's CA"
fi
ver=$(kc get --raw /version)
assert_eq v1.31.0-eks-fake "$(json_get "$ver" 'd["gitVersion"]')" "client certificate: /version"
who=$(kc auth whoami -o json)
assert_eq kubernetes-admin "$(json_get "$who" 'd["status"]["userInfo"]["username"]')" \
	"client certificate: username is the CN"
assert_eq '["system:masters", "system:authenticated"]' \
	"$(json_get "$who" 'd["status"]["userInfo"]["groups"]')" "client certificate: groups are O"
k8s_api GET /api/v1/namespaces/kube-system
assert_eq 200 "$K8S_HTTP_CODE" "admin token: get namespace"
k8s_api_token not-a-token GET /version
assert_eq 401 "$K8S_HTTP_CODE" "unknown bearer token: 401"

# A client certificate from another CA fails the TLS handshake.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=intruder/O=system:masters -keyout "$T/rogue.key" -out "$T/rogue.crt" 2>/dev/null
if curl -sS --cacert "$K8S_CA_FILE" --cert "$T/rogue.crt" --key "$T/rogue.key" \
	"$K8S_URL/version" >/dev/null 2>&1; then
	fail "client certificate from an unknown CA accepted"
else
	ok "client certificate from an unknown CA refused"
fi

k8s_client_cert alice devs qa || die "cannot sign a client certificate"
k8s_kubeconfig_cert "$T/alice.kubeconfig" "$K8S_CLIENT_CERT" "$K8S_CLIENT_KEY"
who=$(kubectl --kubeconfig "$T/alice.kubeconfig" auth whoami -o json)
assert_eq '["devs", "qa", "system:authenticated"]' \
	"$(json_get "$who" 'd["status"]["userInfo"]["groups"]')" "user certificate: groups"
err=$(kubectl --kubeconfig "$T/alice.kubeconfig" get sa 2>&1)
assert_contains "$err" 'serviceaccounts is forbidden: User "alice" cannot list resource "serviceaccounts" in API group "" in the namespace "default"' \
	"user without bindings: real Forbidden message"

# --- ServiceAccounts, TokenRequest -----------------------------------------
kc create namespace team >/dev/null || fail "create namespace"
kc -n team get sa default >/dev/null && ok "new namespace gets a default service account" ||
	fail "no default service account in a new namespace"
kc -n team create sa robot >/dev/null || fail "create sa"
err=$(kc -n team create sa robot 2>&1)
assert_contains "$err" 'serviceaccounts "robot" already exists' "create sa twice: AlreadyExists"
k8s_api GET /api/v1/namespaces/team/serviceaccounts/nobody
assert_eq 404 "$K8S_HTTP_CODE" "missing sa: 404"
assert_eq NotFound "$(json_get "$K8S_HTTP_BODY" 'd["reason"]')" "missing sa: reason NotFound"
assert_eq 'serviceaccounts "nobody" not found' "$(json_get "$K8S_HTTP_BODY" 'd["message"]')" \
	"missing sa: message"

TR=/api/v1/namespaces/team/serviceaccounts/robot/token
now=$(date +%s)
k8s_api POST "$TR" '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}'
assert_eq 201 "$K8S_HTTP_CODE" "TokenRequest: created"
exp=$(json_get "$K8S_HTTP_BODY" 'd["status"]["expirationTimestamp"]')
delta=$(( $(date -d "$exp" +%s) - now ))
if [ "$delta" -ge 3595 ] && [ "$delta" -le 3610 ]; then ok "TokenRequest: default 3600 s"; else
	fail "TokenRequest: default expiry is $delta s"; fi
assert_eq '["https://kubernetes.default.svc"]' "$(json_get "$K8S_HTTP_BODY" 'd["spec"]["audiences"]')" \
	"TokenRequest: default audience"
robot=$(json_get "$K8S_HTTP_BODY" 'd["status"]["token"]')

k8s_api POST "$TR" '{"spec":{"expirationSeconds":599}}'
assert_eq 422 "$K8S_HTTP_CODE" "TokenRequest 599 s: 422"
assert_eq 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes' \
	"$(json_get "$K8S_HTTP_BODY" 'd["message"]')" "TokenRequest 599 s: the real message"
assert_eq spec.expirationSeconds "$(json_get "$K8S_HTTP_BODY" 'd["details"]["causes"][0]["field"]')" \
	"TokenRequest 599 s: cause field"
k8s_api POST "$TR" '{"spec":{"expirationSeconds":600}}'
assert_eq 201 "$K8S_HTTP_CODE" "TokenRequest 600 s: accepted"
short=$(json_get "$K8S_HTTP_BODY" 'd["status"]["token"]')

hdrs=$(curl -sS -D - -o "$T/capped.json" --cacert "$K8S_CA_FILE" -X POST \
	-H @<(printf 'Authorization: Bearer %s\n' "$K8S_ADMIN_TOKEN") -H 'Content-Type: application/json' \
	--data '{"spec":{"expirationSeconds":86400,"audiences":["vault","https://kubernetes.default.svc"]}}' \
	"$K8S_URL$TR")
capped=$(cat "$T/capped.json")
assert_eq 7200 "$(json_get "$capped" 'd["spec"]["expirationSeconds"]')" "TokenRequest capped at --max-token-seconds"
exp=$(json_get "$capped" 'd["status"]["expirationTimestamp"]')
delta=$(( $(date -d "$exp" +%s) - $(date +%s) ))
if [ "$delta" -ge 7190 ] && [ "$delta" -le 7205 ]; then ok "TokenRequest: capped expirationTimestamp"; else
	fail "TokenRequest: capped expiry is $delta s"; fi
assert_contains "$hdrs" 'requested expiration of 86400 seconds shortened to 7200 seconds' \
	"TokenRequest: Warning header when capped"
assert_eq '["vault", "https://kubernetes.default.svc"]' "$(json_get "$capped" 'd["spec"]["audiences"]')" \
	"TokenRequest: audiences echoed"
k8s_api POST "$TR" '{"spec":{"audiences":["vault"]}}'
k8s_api_token "$(json_get "$K8S_HTTP_BODY" 'd["status"]["token"]')" GET /version
assert_eq 401 "$K8S_HTTP_CODE" "token for another audience is refused by the API server"

k8s_api POST /api/v1/namespaces/team/serviceaccounts/nobody/token '{"spec":{}}'
assert_eq 404 "$K8S_HTTP_CODE" "TokenRequest for a missing sa: 404"
k8s_api POST "$TR" '{"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web"}}}'
assert_eq 404 "$K8S_HTTP_CODE" "bound to a missing pod: 404"
assert_eq 'pods "web" not found' "$(json_get "$K8S_HTTP_BODY" 'd["message"]')" "bound to a missing pod: message"
k8s_api POST "$TR" '{"spec":{"boundObjectRef":{"kind":"Deployment","apiVersion":"apps/v1","name":"x"}}}'
assert_eq 400 "$K8S_HTTP_CODE" "bound to an unsupported kind: 400"
k8s_api POST /api/v1/namespaces/team/pods '{"metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"x"}]}}'
pod_uid=$(json_get "$K8S_HTTP_BODY" 'd["metadata"]["uid"]')
k8s_api POST "$TR" '{"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web","uid":"00000000-0000-0000-0000-000000000000"}}}'
assert_eq 409 "$K8S_HTTP_CODE" "bound object uid mismatch: 409"
k8s_api POST "$TR" "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"web\",\"uid\":\"$pod_uid\"}}}"
assert_eq 201 "$K8S_HTTP_CODE" "bound to an existing pod"
assert_eq "$pod_uid" "$(json_get "$K8S_HTTP_BODY" 'd["spec"]["boundObjectRef"]["uid"]')" "boundObjectRef echoed with uid"
bound=$(json_get "$K8S_HTTP_BODY" 'd["status"]["token"]')
k8s_api_token "$bound" POST /apis/authentication.k8s.io/v1/selfsubjectreviews '{}'
assert_eq web "$(json_get "$K8S_HTTP_BODY" 'd["status"]["userInfo"]["extra"]["authentication.kubernetes.io/pod-name"][0]')" \
	"pod-bound token: pod name in user extra"
k8s_api DELETE /api/v1/namespaces/team/pods/web
k8s_api_token "$bound" GET /version
assert_eq 401 "$K8S_HTTP_CODE" "pod-bound token dies with the pod"

# kubectl auth whoami with a TokenRequest token, old and new kubectl.
k8s_kubeconfig_token "$T/robot.kubeconfig" "$robot"
for k in "$KOLD" "$KNEW"; do
	who=$("$k" --kubeconfig "$T/robot.kubeconfig" auth whoami -o json)
	assert_eq system:serviceaccount:team:robot "$(json_get "$who" 'd["status"]["userInfo"]["username"]')" \
		"$(basename "$k") auth whoami: service account"
	assert_eq '["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]' \
		"$(json_get "$who" 'd["status"]["userInfo"]["groups"]')" "$(basename "$k") auth whoami: groups"
done
if grep -qF "$robot" "$K8S_FAKE_LOG" || grep -qF "$K8S_ADMIN_TOKEN" "$K8S_FAKE_LOG"; then
	fail "a token appears in the request log"
else
	ok "no token in the request log"
fi

# --- RBAC -------------------------------------------------------------------
err=$(kubectl --kubeconfig "$T/robot.kubeconfig" -n team get sa 2>&1)
assert_contains "$err" 'User "system:serviceaccount:team:robot" cannot list resource "serviceaccounts" in API group "" in the namespace "team"' \
	"sa without bindings: Forbidden"
kc -n team create rolebinding robot-view --clusterrole view --serviceaccount team:robot >/dev/null ||
	fail "create rolebinding"
err=$(kc -n team create rolebinding robot-view --clusterrole view --serviceaccount team:robot 2>&1)
assert_contains "$err" 'rolebindings.rbac.authorization.k8s.io "robot-view" already exists' \
	"rolebinding twice: AlreadyExists"
kubectl --kubeconfig "$T/robot.kubeconfig" -n team get sa robot >/dev/null &&
	ok "view: get sa" || fail "view: get sa refused"
err=$(kubectl --kubeconfig "$T/robot.kubeconfig" -n team get secrets 2>&1)
assert_contains "$err" 'cannot list resource "secrets"' "view: no secrets"
err=$(kubectl --kubeconfig "$T/robot.kubeconfig" -n team create sa other 2>&1)
assert_contains "$err" 'cannot create resource "serviceaccounts" in API group "" in the namespace "team"' \
	"view: no create"
err=$(kubectl --kubeconfig "$T/robot.kubeconfig" -n default get sa 2>&1)
assert_contains "$err" 'in the namespace "default"' "rolebinding is limited to its namespace"
kc create clusterrolebinding robot-edit --clusterrole edit --serviceaccount team:robot >/dev/null ||
	fail "create clusterrolebinding"
err=$(kc create clusterrolebinding robot-edit --clusterrole edit --serviceaccount team:robot 2>&1)
assert_contains "$err" 'clusterrolebindings.rbac.authorization.k8s.io "robot-edit" already exists' \
	"clusterrolebinding twice: AlreadyExists"
kubectl --kubeconfig "$T/robot.kubeconfig" -n default create sa made-by-robot >/dev/null &&
	ok "edit: create sa anywhere" || fail "edit: create sa refused"
err=$(kubectl --kubeconfig "$T/robot.kubeconfig" -n team create rolebinding x --clusterrole view --user bob 2>&1)
assert_contains "$err" 'cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io"' \
	"edit: no RBAC changes"
ans=$(kubectl --kubeconfig "$T/robot.kubeconfig" auth can-i create serviceaccounts/token -n team)
assert_eq yes "$ans" "auth can-i via SelfSubjectAccessReview"

# --- Secrets with tokens filled asynchronously ------------------------------
k8s_api POST /api/v1/namespaces/team/secrets \
	'{"metadata":{"name":"robot-token","annotations":{"kubernetes.io/service-account.name":"robot"}},"type":"kubernetes.io/service-account-token"}'
assert_eq 201 "$K8S_HTTP_CODE" "token secret created"
assert_eq null "$(json_get "$K8S_HTTP_BODY" 'd.get("data", {}).get("token")')" "token not filled at once"
k8s_api POST /api/v1/namespaces/team/secrets \
	'{"metadata":{"name":"stuck","annotations":{"kubernetes.io/service-account.name":"robot","ekskit.test/no-token-controller":"true"}},"type":"kubernetes.io/service-account-token"}'
k8s_api POST /api/v1/namespaces/team/secrets '{"metadata":{"name":"bad"},"type":"kubernetes.io/service-account-token"}'
assert_eq 422 "$K8S_HTTP_CODE" "token secret without the service-account annotation: 422"
for ((i = 0; i < 100; i++)); do  # the controller fills it after 0.5 s
	k8s_api GET /api/v1/namespaces/team/secrets/robot-token
	[ "$(json_get "$K8S_HTTP_BODY" 'd.get("data", {}).get("token")')" != null ] && break
	sleep 0.1
done
legacy=$(json_get "$K8S_HTTP_BODY" 'd["data"]["token"]' | base64 -d)
assert_eq team "$(json_get "$K8S_HTTP_BODY" 'd["data"]["namespace"]' | base64 -d)" "controller fills namespace"
assert_eq "$(cat "$K8S_CA_FILE")" "$(json_get "$K8S_HTTP_BODY" 'd["data"]["ca.crt"]' | base64 -d)" \
	"controller fills ca.crt"
k8s_api_token "$legacy" POST /apis/authentication.k8s.io/v1/selfsubjectreviews '{}'
assert_eq system:serviceaccount:team:robot "$(json_get "$K8S_HTTP_BODY" 'd["status"]["userInfo"]["username"]')" \
	"legacy secret token authenticates"
sleep 0.5  # well past the controller delay for the annotated secret too
k8s_api GET /api/v1/namespaces/team/secrets/stuck
assert_eq null "$(json_get "$K8S_HTTP_BODY" 'd.get("data", {}).get("token")')" \
	"annotated secret never gets a token"
k8s_api DELETE /api/v1/namespaces/team/secrets/robot-token
assert_eq 200 "$K8S_HTTP_CODE" "delete secret"
k8s_api_token "$legacy" GET /version
assert_eq 401 "$K8S_HTTP_CODE" "deleting the secret revokes its token"

# --- ConfigMaps: create, update (resourceVersion), merge patch ---------------
k8s_api POST /api/v1/namespaces/kube-system/configmaps '{"metadata":{"name":"demo"},"data":{"a":"1"}}'
assert_eq 201 "$K8S_HTTP_CODE" "configmap create"
rv=$(json_get "$K8S_HTTP_BODY" 'd["metadata"]["resourceVersion"]')
k8s_api PUT /api/v1/namespaces/kube-system/configmaps/demo \
	"{\"metadata\":{\"name\":\"demo\",\"resourceVersion\":\"$rv\"},\"data\":{\"a\":\"2\"}}"
assert_eq 200 "$K8S_HTTP_CODE" "configmap update"
k8s_api PUT /api/v1/namespaces/kube-system/configmaps/demo \
	"{\"metadata\":{\"name\":\"demo\",\"resourceVersion\":\"$rv\"},\"data\":{\"a\":\"3\"}}"
assert_eq 409 "$K8S_HTTP_CODE" "configmap update with a stale resourceVersion: 409 Conflict"
k8s_api PATCH /api/v1/namespaces/kube-system/configmaps/demo '{"data":{"b":"x"}}'
assert_eq '{"a": "2", "b": "x"}' "$(json_get "$K8S_HTTP_BODY" 'd["data"]')" "configmap merge patch"
kc -n kube-system patch configmap demo --type json -p '[{"op":"remove","path":"/data/a"}]' >/dev/null
assert_eq '{"b":"x"}' "$(kc -n kube-system get configmap demo -o jsonpath='{.data}')" "kubectl json patch"

# DELETE with a body, then another request on the same keep-alive connection.
codes=$(curl -sS --cacert "$K8S_CA_FILE" -H @<(printf 'Authorization: Bearer %s\n' "$K8S_ADMIN_TOKEN") \
	-o /dev/null -w '%{http_code} %{num_connects}\n' -X DELETE -H 'Content-Type: application/json' \
	--data '{"propagationPolicy":"Background"}' "$K8S_URL/api/v1/namespaces/kube-system/configmaps/demo" \
	--next --cacert "$K8S_CA_FILE" -H @<(printf 'Authorization: Bearer %s\n' "$K8S_ADMIN_TOKEN") \
	-o /dev/null -w '%{http_code} %{num_connects}\n' "$K8S_URL/api/v1/namespaces/kube-system")
assert_eq "200 1 200 0" "$(echo $codes)" "DELETE with a body keeps the connection usable"

# --- expiry through the fake's clock ----------------------------------------
k8s_api_token "$short" GET /version
assert_eq 200 "$K8S_HTTP_CODE" "600 s token valid now"
k8s_advance_clock 601 || fail "advance clock"
k8s_api_token "$short" GET /version
assert_eq 401 "$K8S_HTTP_CODE" "600 s token expired after 601 s"

# --- EKS tokens (botocore-minted, identities from moto) ----------------------
k8s_advance_clock -601 >/dev/null
"$PYTHON" "$TOP/tests/fakes/eks_token_cases.py" >"$T/eks.out" 2>&1
rc=$?
cat "$T/eks.out"
[ $rc -eq 0 ] || fail "EKS token cases failed (see above)"

# kubectl with a static EKS token (no exec plugin yet: that is e2e_kubectl_token).
use_static_creds AKIDSELFTESTKEY00001 'selftest/secret+key='
echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY" >>"$SIGV4_SECRETS"
eks=$("$PYTHON" "$TOP/tests/fakes/eks_token.py" --cluster-id selftest-cluster)
k8s_kubeconfig_token "$T/eks.kubeconfig" "$eks"
who=$("$KNEW" --kubeconfig "$T/eks.kubeconfig" auth whoami -o json)
assert_eq arn:aws:sts::123456789012:user/moto "$(json_get "$who" 'd["status"]["userInfo"]["username"]')" \
	"kubectl with an EKS token: moto's default identity"
eks=$("$PYTHON" "$TOP/tests/fakes/eks_token.py" --cluster-id wrong-cluster)
k8s_kubeconfig_token "$T/eks.kubeconfig" "$eks"
if err=$("$KOLD" --kubeconfig "$T/eks.kubeconfig" get --raw /version 2>&1); then
	fail "token for another cluster accepted"
else
	assert_contains "$err" "Unauthorized" "token for another cluster: kubectl says Unauthorized"
fi

# --- a second instance: --state, --no-token-controller, --delay-seconds -----
k8s_fake_stop
cat >"$T/state.json" <<'EOF'
{"kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ci"}},
 {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer", "namespace": "ci"}},
 {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
  "metadata": {"name": "deployer-token", "namespace": "ci",
               "annotations": {"kubernetes.io/service-account.name": "deployer"}}}]}
EOF
k8s_fake_start --state "$T/state.json" --no-token-controller --token-controller-delay 0.1 \
	--delay-seconds 2 || die "cannot start the second fake"
k8s_kubeconfig_cert "$KC"
curl -sS --max-time 1 --cacert "$K8S_CA_FILE" --cert "$K8S_ADMIN_CERT" --key "$K8S_ADMIN_KEY" \
	-o /dev/null "$K8S_URL/version" 2>/dev/null
assert_eq 28 $? "--delay-seconds 2: a client with a 1 s limit times out"
k8s_api POST /_fake/delay '{"seconds": 0}'
assert_eq 200 "$K8S_HTTP_CODE" "POST /_fake/delay is not delayed"
kc -n ci get sa deployer >/dev/null && ok "--state: objects loaded" || fail "--state: deployer missing"
sleep 0.5
assert_eq "" "$(kc -n ci get secret deployer-token -o jsonpath='{.data.token}')" \
	"--no-token-controller: token never filled"

finish
