#!/usr/bin/env bash
# Benchmark: eks-token vs `aws eks get-token`, same static credentials,
# side by side in one run.  Reports the median wall time of many runs each
# and the peak RSS, and the ratios.  Target (issue 2): >= 100x faster and
# >= 10x less memory.
#
# Sealed environment: a temp HOME with empty AWS config files, static
# credentials in the environment, IMDS disabled, no endpoint overrides, no
# proxy, EKSKIT_TEST_LOOPBACK_ONLY=1.  Neither tool needs the network to
# mint a token from static credentials.
#
# Knobs: BUILD (default build), AWS_RUNS (30), EKS_RUNS (300),
# RSS_RUNS (5), BENCH_STRICT=1 (exit 1 when a target is missed),
# BENCH_TIMER=loop (time with a bash loop even when hyperfine is there).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
EKS_TOKEN=$PWD/$BUILD/bin/eks-token
AWS_RUNS=${AWS_RUNS:-30}
EKS_RUNS=${EKS_RUNS:-300}
RSS_RUNS=${RSS_RUNS:-5}
CLUSTER=bench-cluster

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$EKS_TOKEN" ] || die "$EKS_TOKEN not built (run make)"
AWS=$(command -v aws) || die "the AWS CLI (aws) is not installed"

# GNU time for peak RSS; install it if missing (Debian package `time`).
TIME_BIN=/usr/bin/time
if ! "$TIME_BIN" -f %M true >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; }
	fi
	"$TIME_BIN" -f %M true >/dev/null 2>&1 || die "GNU time (/usr/bin/time) is needed for peak RSS"
fi

T=$(mktemp -d /tmp/ekskit-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home"
: >"$T/config"
: >"$T/credentials"

# The sealed environment both tools run in (env -i: nothing else leaks in).
SEALED=(env -i
	"PATH=$PATH" "HOME=$T/home" "LANG=C.UTF-8"
	"AWS_CONFIG_FILE=$T/config" "AWS_SHARED_CREDENTIALS_FILE=$T/credentials"
	"AWS_ACCESS_KEY_ID=AKIDBENCHEXAMPLE0001" "AWS_SECRET_ACCESS_KEY=benchSecretKey/with+chars=0123456789ab"
	"AWS_REGION=us-west-2" "AWS_STS_REGIONAL_ENDPOINTS=regional"
	"AWS_EC2_METADATA_DISABLED=true" "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9/"
	"EKSKIT_TEST_LOOPBACK_ONLY=1" "NO_PROXY=*" "no_proxy=*")
# Pyenv shims re-exec through bash: time the real interpreter's script.
if [ -r "$AWS" ] && head -c 200 "$AWS" | grep -q pyenv; then
	AWS_REAL=$(pyenv which aws 2>/dev/null || true)
	[ -n "$AWS_REAL" ] && AWS=$AWS_REAL
fi
AWS_CMD=("$AWS" eks get-token --cluster-name "$CLUSTER" --region us-west-2 --output json)
EKS_CMD=("$EKS_TOKEN" --cluster-name "$CLUSTER" --region us-west-2)

# Both must really produce a token in this environment before we time them.
check_token() {  # label command...
	local label=$1 out
	shift
	out=$("${SEALED[@]}" "$@" 2>"$T/err") || die "$label failed: $(cat "$T/err")"
	case $out in
	*'"token"'*'k8s-aws-v1.'*) ;;
	*) die "$label printed no token: $out" ;;
	esac
}
check_token "aws eks get-token" "${AWS_CMD[@]}"
check_token "eks-token" "${EKS_CMD[@]}"

# Median wall time in seconds of `runs` runs.  The timer runs inside the
# sealed environment and executes the tool directly (no `env` in between,
# whose own exec would be charged to a 2 ms tool).
median_time() {  # runs command...
	local runs=$1
	shift
	if [ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null 2>&1; then
		"${SEALED[@]}" "$(command -v hyperfine)" -N --style none --warmup 5 --runs "$runs" \
			--export-json "$T/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1 ||
			die "hyperfine failed on: $*"
		python3 -c 'import json,sys; print("%.9f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$T/h.json"
	else
		"${SEALED[@]}" bash -c '
			runs=$1; shift
			for ((i = 0; i < runs; i++)); do
				t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
				echo $((t1 - t0))
			done' _ "$runs" "$@" >"$T/times"
		sort -n "$T/times" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.9f\n", m/1e9}'
	fi
}

# Median peak RSS (KiB) over RSS_RUNS runs, measured by GNU time in the
# sealed environment.
peak_rss() {  # command...
	local i
	: >"$T/rss"
	for ((i = 0; i < RSS_RUNS; i++)); do
		"${SEALED[@]}" "$TIME_BIN" -f %M -o "$T/rss1" "$@" >/dev/null 2>&1 || die "run failed: $*"
		cat "$T/rss1" >>"$T/rss"
	done
	sort -n "$T/rss" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

tool="bash loop"
[ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null 2>&1 && tool="hyperfine -N"
echo "eks-token benchmark ($(nproc) CPUs, $tool; $AWS_RUNS runs of aws, $EKS_RUNS of eks-token)"
aws_t=$(median_time "$AWS_RUNS" "${AWS_CMD[@]}")
eks_t=$(median_time "$EKS_RUNS" "${EKS_CMD[@]}")
aws_m=$(peak_rss "${AWS_CMD[@]}")
eks_m=$(peak_rss "${EKS_CMD[@]}")

static_rc=0
python3 - "$aws_t" "$eks_t" "$aws_m" "$eks_m" "${BENCH_STRICT:-0}" <<'EOF' || static_rc=1
import sys
aws_t, eks_t, aws_m, eks_m = (float(x) for x in sys.argv[1:5])
strict = sys.argv[5] == "1"
speed, mem = aws_t / eks_t, aws_m / eks_m
print("%-22s %14s %16s" % ("", "median wall", "peak RSS"))
print("%-22s %11.2f ms %12.1f MiB" % ("aws eks get-token", aws_t * 1e3, aws_m / 1024))
print("%-22s %11.2f ms %12.1f MiB" % ("eks-token", eks_t * 1e3, eks_m / 1024))
print("%-22s %13.0fx %15.1fx" % ("ratio (aws/eks-token)", speed, mem))
ok = speed >= 100 and mem >= 10
print("target >=100x faster, >=10x less memory: %s" % ("met" if ok else "NOT met"))
sys.exit(1 if (strict and not ok) else 0)
EOF

# ---------------------------------------------------------------------------
# Issue 3 (credential chain + cache; section owned by creds-ext): an
# assume-role profile, both tools warm.  `aws eks get-token` keeps assumed-role
# credentials in ~/.aws/cli/cache, eks-token in $XDG_CACHE_HOME/ekskit.  One
# AssumeRole each against a loopback moto warms both caches; moto is then
# STOPPED, so every timed run below is served from its cache (no network).
# BENCH_ASSUME_ROLE=0 skips this section.
# ---------------------------------------------------------------------------
ar_rc=0
if [ "${BENCH_ASSUME_ROLE:-1}" != 0 ]; then
	python3 -c 'import moto.server' 2>/dev/null || die "moto is needed for the assume-role benchmark (BENCH_ASSUME_ROLE=0 skips it)"
	ar_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	python3 -m moto.server -H 127.0.0.1 -p "$ar_port" >"$T/moto.log" 2>&1 &
	ar_moto=$!
	trap 'kill "$ar_moto" 2>/dev/null; rm -rf "$T"' EXIT
	for ((i = 0; i < 300; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$ar_port") 2>/dev/null && break; sleep 0.1; done
	mkdir -p "$T/arhome"
	printf '[base]\naws_access_key_id = AKIDBENCHBASE0000001\naws_secret_access_key = benchSecretKey/with+chars=0123456789ab\n' >"$T/arcreds"
	printf '[profile bench]\nrole_arn = arn:aws:iam::123456789012:role/bench\nsource_profile = base\nrole_session_name = bench\nregion = us-west-2\n' >"$T/arconfig"
	SEALED=(env -i
		"PATH=$PATH" "HOME=$T/arhome" "LANG=C.UTF-8" "XDG_CACHE_HOME=$T/arhome/.cache"
		"AWS_CONFIG_FILE=$T/arconfig" "AWS_SHARED_CREDENTIALS_FILE=$T/arcreds"
		"AWS_ENDPOINT_URL_STS=http://127.0.0.1:$ar_port" "AWS_STS_REGIONAL_ENDPOINTS=regional"
		"AWS_EC2_METADATA_DISABLED=true" "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9/"
		"EKSKIT_TEST_LOOPBACK_ONLY=1" "NO_PROXY=*" "no_proxy=*")
	AR_AWS=("$AWS" eks get-token --cluster-name "$CLUSTER" --profile bench --output json)
	AR_EKS=("$EKS_TOKEN" --cluster-name "$CLUSTER" --profile bench)
	check_token "aws eks get-token (assume-role, cold)" "${AR_AWS[@]}"
	check_token "eks-token (assume-role, cold)" "${AR_EKS[@]}"
	kill "$ar_moto" 2>/dev/null; wait "$ar_moto" 2>/dev/null
	# both must still work with STS gone: proof that the timed runs are warm
	check_token "aws eks get-token (assume-role, warm, moto stopped)" "${AR_AWS[@]}"
	check_token "eks-token (assume-role, warm, moto stopped)" "${AR_EKS[@]}"
	echo
	echo "assume-role profile, both caches warm (STS stopped: no network in any timed run)"
	ar_aws_t=$(median_time "$AWS_RUNS" "${AR_AWS[@]}")
	ar_eks_t=$(median_time "$EKS_RUNS" "${AR_EKS[@]}")
	ar_aws_m=$(peak_rss "${AR_AWS[@]}")
	ar_eks_m=$(peak_rss "${AR_EKS[@]}")
	python3 - "$ar_aws_t" "$ar_eks_t" "$ar_aws_m" "$ar_eks_m" "${BENCH_STRICT:-0}" <<'EOF' || ar_rc=1
import sys
aws_t, eks_t, aws_m, eks_m = (float(x) for x in sys.argv[1:5])
strict = sys.argv[5] == "1"
speed, mem = aws_t / eks_t, aws_m / eks_m
print("%-22s %14s %16s" % ("", "median wall", "peak RSS"))
print("%-22s %11.2f ms %12.1f MiB" % ("aws eks get-token", aws_t * 1e3, aws_m / 1024))
print("%-22s %11.2f ms %12.1f MiB" % ("eks-token", eks_t * 1e3, eks_m / 1024))
print("%-22s %13.0fx %15.1fx" % ("ratio (aws/eks-token)", speed, mem))
ok = speed >= 100 and mem >= 10
print("target >=100x faster, >=10x less memory: %s" % ("met" if ok else "NOT met"))
sys.exit(1 if (strict and not ok) else 0)
EOF
fi
[ "$static_rc" = 0 ] && [ "$ar_rc" = 0 ]
