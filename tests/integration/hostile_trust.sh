#!/usr/bin/env bash
# Hostile servers and trust (issue 9, items 12-13):
#  12. an IMDS session token with a line break (or of absurd size) is refused
#      before it reaches another request's headers;
#  13. AWS_CA_BUNDLE applies to AWS endpoints only, never to the Kubernetes
#      API server; a kubeconfig cluster with both a CA and
#      insecure-skip-tls-verify is refused, with kubectl's own words.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
. "$TOP/tests/lib/k8s.sh"
test_env
need_moto
use_static_creds


# ================= 12. IMDS session token =================
printf 'AQAEAFakeToken==\r\nX-Injected: yes' >"$T/token-crlf"
head -c 5000 /dev/zero | tr '\0' 'A' >"$T/token-long"
for kind in crlf long; do
	start_scripted "imds_$kind" "200:$T/token-$kind:text/plain" "200"
	log_var="imds_${kind}_LOG" url_var="imds_${kind}_URL"
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_EC2_METADATA_DISABLED \
		AWS_EC2_METADATA_SERVICE_ENDPOINT="${!url_var}" \
		"$BIN/eks-token" --cluster-name c --no-cache >/dev/null 2>"$T/err"; rc=$?
	assert_eq 1 "$rc" "IMDS token ($kind): exit 1"
	assert_contains "$(cat "$T/err")" "session token that is not one" "IMDS token ($kind): refused"
	assert_eq 1 "$(requests "${!log_var}")" "IMDS token ($kind): never sent in a later request"
	assert_not_contains "$(cat "${!log_var}")" "X-Injected" "IMDS token ($kind): no injected header"
done

# ================= 13. TLS and trust =================
k8s_fake_start || die "cannot start the fake API server"
# the fake's CA in AWS_CA_BUNDLE must not make an API server without a
# certificate-authority trusted: the system store applies, verification fails
{
	cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $K8S_URL
contexts:
- name: fake
  context: {cluster: fake, user: u}
current-context: fake
users:
- name: u
  user:
    token: $K8S_ADMIN_TOKEN
EOF
} >"$T/kc-noca"
AWS_CA_BUNDLE=$K8S_CA_FILE "$BIN/eks-satoken" --kubeconfig "$T/kc-noca" --service-account trust-sa \
	--create >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "AWS_CA_BUNDLE is not the API server's trust store: exit 1"
assert_contains "$(cat "$T/err")" "certificate" "no CA for the API server: a certificate error"
# with the cluster's CA, a broken AWS_CA_BUNDLE does not matter
k8s_kubeconfig_token "$T/kc-ca" "$K8S_ADMIN_TOKEN"
AWS_CA_BUNDLE=/nonexistent/bundle.pem "$BIN/eks-satoken" --kubeconfig "$T/kc-ca" \
	--service-account trust-sa --create >/dev/null 2>"$T/err"
assert_eq 0 "$?" "the cluster's CA is used, AWS_CA_BUNDLE ignored ($(cat "$T/err"))"
# AWS endpoints still use AWS_CA_BUNDLE (an unreadable one fails the call)
AWS_ENDPOINT_URL_STS=$K8S_URL AWS_CA_BUNDLE=/nonexistent/bundle.pem "$BIN/eks-token" \
	--cluster-name c --role-arn arn:aws:iam::123456789012:role/x --no-cache >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "AWS_CA_BUNDLE" "an AWS endpoint still names AWS_CA_BUNDLE"

# CA + insecure-skip-tls-verify: refused, as kubectl refuses it
for ca in "certificate-authority-data: $K8S_CA_DATA" "certificate-authority: $K8S_CA_FILE"; do
	cat >"$T/kc-both" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $K8S_URL
    $ca
    insecure-skip-tls-verify: true
contexts:
- name: fake
  context: {cluster: fake, user: u}
current-context: fake
users:
- name: u
  user:
    token: $K8S_ADMIN_TOKEN
EOF
	"$BIN/eks-satoken" --kubeconfig "$T/kc-both" --service-account trust-sa >/dev/null 2>"$T/err"; rc=$?
	assert_eq 1 "$rc" "CA and insecure-skip-tls-verify (${ca%%:*}): refused"
	want="specifying a root certificates file with the insecure flag is not allowed"
	assert_contains "$(cat "$T/err")" "$want" "CA and insecure (${ca%%:*}): kubectl's message"
	if command -v kubectl >/dev/null; then
		assert_contains "$(timeout 30 kubectl --kubeconfig "$T/kc-both" get ns 2>&1)" "$want" \
			"kubectl says the same (${ca%%:*})"
	fi
done
finish
