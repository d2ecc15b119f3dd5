#!/usr/bin/env bash
# 20 eks-kubeconfig runs at once, 20 clusters, one kubeconfig: the client-go
# style lock serialises them, every context lands and the file stays valid.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
command -v kubectl >/dev/null || die "kubectl is required"
python3 -c 'import yaml, boto3' || die "python3 yaml and boto3 are required"
use_static_creds

P=kcp$$
names=()
for i in $(seq -w 1 20); do names+=("$P-$i"); done
moto_clusters "${names[@]}" || die "cannot create clusters in moto"

F=$T/shared.yaml
printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: pre-existing\n  cluster: {server: "https://x"}\n' >"$F"
chmod 600 "$F"
pids=()
for n in "${names[@]}"; do
	"$EKC" --cluster-name "$n" --kubeconfig "$F" --lock-timeout 60 >"$T/out.$n" 2>"$T/err.$n" &
	pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { bad=$((bad + 1)); cat "$T/err.${names[$i]}" >&2; }
done
assert_eq 0 "$bad" "20 parallel runs: all exit 0"
"$PYTHON" - "$F" "$P" <<'EOF' && ok "20 contexts, clusters and users present" || fail "entries lost"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1])); p = sys.argv[2]
for k in ("contexts", "clusters", "users"):
    got = sorted(e["name"].rsplit("/", 1)[-1] for e in d[k] if p in e["name"])
    want = ["%s-%02d" % (p, i) for i in range(1, 21)]
    assert got == want, (k, got)
assert any(c["name"] == "pre-existing" for c in d["clusters"])
EOF
assert_kubectl_reads "$F" "kubectl reads the file after 20 parallel writers"
assert_eq 20 "$(kubectl --kubeconfig "$F" config get-contexts -o name | grep -c "$P")" \
	"kubectl lists the 20 contexts"
ls "$F".lock "$F".tmp.* 2>/dev/null && fail "lock or temp files left behind" || ok "no lock or temp files left"
assert_eq 600 "$(stat -c %a "$F")" "mode kept"

finish
