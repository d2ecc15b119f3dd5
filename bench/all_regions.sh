#!/usr/bin/env bash
# Benchmark: `eks-kubeconfig --all` over 1 region vs 17 regions (and 2
# profiles x 17 regions) against a loopback EKS fake that sleeps 100 ms
# before every answer, so the time is dominated by round trips and shows
# how well the calls overlap.  Each region holds CLUSTERS clusters (default
# 1).  Target (issue 12): 17 regions take at most 3x the time of one.
#
# The fake (tests/fakes/eks_fake.py --delay-ms) serves every region on one
# endpoint (AWS_ENDPOINT_URL_EKS), reading the region from the SigV4
# credential scope as moto does.  Every run writes a fresh kubeconfig and
# its result is checked (one context per cluster).
#
# Knobs: BUILD (default build), RUNS (5, median), DELAY_MS (100),
# CLUSTERS (1), BENCH_STRICT=1 (exit 1 when the target is missed).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
EKC=$PWD/$BUILD/bin/eks-kubeconfig
RUNS=${RUNS:-5}
DELAY_MS=${DELAY_MS:-100}
CLUSTERS=${CLUSTERS:-1}
PYTHON=${PYTHON:-python3}

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$EKC" ] || die "$EKC not built (run make)"

T=$(mktemp -d /tmp/ekskit-bench-regions.XXXXXX)
FAKE_PID=
cleanup() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# 17 regions of the aws partition, from the tool itself
mapfile -t ALL < <("$EKC" --list-regions | grep -E '^(us|eu|ap|ca|sa|me|af|il|mx)-' | grep -v -- '-gov-')
[ "${#ALL[@]}" -ge 17 ] || die "fewer than 17 aws regions known"
REGIONS=("${ALL[@]:0:17}")

"$PYTHON" - "$T/state.json" "$CLUSTERS" "${REGIONS[@]}" <<'EOF'
import json, sys
path, per, regions = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ca = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" * 20
state = {"regions": {}}
for r in regions:
    cl = {}
    for i in range(per):
        n = "c%d-%s" % (i, r)
        cl[n] = {"name": n, "status": "ACTIVE",
                 "arn": "arn:aws:eks:%s:123456789012:cluster/%s" % (r, n),
                 "endpoint": "https://%s.gr7.%s.eks.amazonaws.com" % (n.upper(), r),
                 "certificateAuthority": {"data": ca}}
    state["regions"][r] = {"clusters": cl}
json.dump(state, open(path, "w"))
EOF
"$PYTHON" tests/fakes/eks_fake.py --state "$T/state.json" --port-file "$T/port" \
	--log /dev/null --delay-ms "$DELAY_MS" 2>"$T/fake.err" &
FAKE_PID=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { cat "$T/fake.err" >&2; die "the EKS fake did not start"; }

mkdir -p "$T/home"
printf '[default]\nregion = %s\n[profile second]\nregion = %s\n' "${REGIONS[0]}" "${REGIONS[0]}" >"$T/config"
printf '[default]\naws_access_key_id = AKIDBENCHEXAMPLE0001\naws_secret_access_key = benchSecret\n[second]\naws_access_key_id = AKIDBENCHEXAMPLE0002\naws_secret_access_key = benchSecret2\n' >"$T/credentials"
SEALED=(env -i "PATH=$PATH" "HOME=$T/home" "LANG=C.UTF-8"
	"AWS_CONFIG_FILE=$T/config" "AWS_SHARED_CREDENTIALS_FILE=$T/credentials"
	"AWS_ENDPOINT_URL_EKS=http://127.0.0.1:$(cat "$T/port")"
	"AWS_EC2_METADATA_DISABLED=true" "EKSKIT_TEST_LOOPBACK_ONLY=1" "NO_PROXY=*" "no_proxy=*")

# median_ms EXPECTED-CONTEXTS ARGS...: fresh kubeconfig each run, result checked
median_ms() {
	local want=$1 i t0 t1 times=() got
	shift
	for ((i = 0; i < RUNS; i++)); do
		rm -f "$T/kc"
		t0=$(date +%s%N)
		"${SEALED[@]}" "$EKC" --all --kubeconfig "$T/kc" "$@" >/dev/null 2>"$T/err" ||
			{ cat "$T/err" >&2; die "run failed: $*"; }
		t1=$(date +%s%N)
		got=$(grep -c '^- context:' "$T/kc")
		[ "$got" = "$want" ] || die "expected $want contexts, got $got: $*"
		times+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

list=$(IFS=,; echo "${REGIONS[*]}")
one=$(median_ms "$CLUSTERS" --regions "${REGIONS[0]}")
many=$(median_ms $((17 * CLUSTERS)) --regions "$list")
two=$(median_ms $((17 * CLUSTERS)) --regions "$list" --profiles default,second)

echo "eks-kubeconfig --all against a loopback EKS fake with ${DELAY_MS} ms per request"
echo "($CLUSTERS cluster(s) per region; ListClusters + DescribeCluster; median of $RUNS runs)"
echo
printf '%-34s %10s %8s\n' "" "wall ms" "x one"
printf '%-34s %10s %8s\n' "1 region" "$one" "1.0"
printf '%-34s %10s %8.2f\n' "17 regions" "$many" "$(echo "$many / $one" | bc -l)"
printf '%-34s %10s %8.2f\n' "17 regions x 2 profiles" "$two" "$(echo "$two / $one" | bc -l)"
printf '%-34s %10s %8.2f\n' "(serial would be about)" \
	"$(echo "17 * $one" | bc -l | xargs printf '%.0f')" 17
ratio=$(echo "$many / $one" | bc -l)
printf '\n17 regions / 1 region: %.2fx (target <= 3x): %s\n' "$ratio" \
	"$([ "$(echo "$ratio <= 3" | bc)" = 1 ] && echo met || echo NOT met)"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$(echo "$ratio <= 3" | bc)" != 1 ]; then exit 1; fi
exit 0
