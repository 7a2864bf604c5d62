#!/bin/bash
# What the utilisation sampler costs the probes, measured paired: each
# round runs the same hpcprobe probe with the sampler off (--sample-hz 0),
# at the default 10 Hz and at 100 Hz (the maximum, ten times the readings:
# the sensitivity check, an effect too small to see at 10 Hz should show
# there), rotating which goes first.  The reference is the sampler-off run
# of the same round; per round the ratios on/off of the probe's p50 and of
# its loop mean, then their median, interquartile range and range (round
# 1 a discarded warm-up).  The loops are long enough (about a second) for
# the sampler to take several readings inside them; the number it took
# during the run is printed.  Goal (issue 16): 10 Hz within 1 % of off.
# A ratio whose IQR is wider than 2 % is "noisy": it can neither confirm
# nor rule out a 1 % effect.  Same binding (--bind-to core: the sampler
# thread shares the leader rank's core, the worst case), same MCA settings,
# shared memory.  Load average and steal time before and after.
#
# usage: bench/compare-sampler.sh [ROUNDS [SCALE]]   (from a built tree;
# default 9 rounds; SCALE divides the iterations, for a quick try)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-9}
scale=${2:-1}
hpcprobe=$top/hpcprobe
[ -x "$hpcprobe" ] || { echo "compare-sampler: $hpcprobe not built (run make)" >&2; exit 2; }
[ "$rounds" -ge 3 ] 2>/dev/null || { echo "compare-sampler: ROUNDS must be >= 3" >&2; exit 2; }
[ "$scale" -ge 1 ] 2>/dev/null || { echo "compare-sampler: SCALE must be >= 1" >&2; exit 2; }
# shellcheck source=bench/ratios.sh
. "$top/bench/ratios.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
bind=(--bind-to core)
[ "$(nproc)" -ge 2 ] || bind=(--bind-to none)
# shellcheck disable=SC2054 # self,vader is one MCA value
mca=(--mca pml ob1 --mca btl self,vader)

# probe bytes iterations: about a second each here.
cases=("pingpong 8 2000000" "allreduce 8 1000000" "pingpong 65536 100000")

# run HZ probe bytes iterations -> "p50 mean readings"
run() {
	local hz=$1 probe=$2 bytes=$3 iters=$4
	mpirun -np 2 "${bind[@]}" "${mca[@]}" "$hpcprobe" --phases "$probe" \
		--sizes "$bytes" --iterations "$iters" --warmup 1000 \
		--sample-hz "$hz" -o "$work/r.json" >/dev/null 2>"$work/err" || {
		echo "compare-sampler: hpcprobe failed:" >&2
		cat "$work/err" >&2
		exit 1
	}
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
probe = sys.argv[2]
if probe == "pingpong":
    s = d["phases"]["pingpong"]["pairs"][0]["sizes"][0]
    mean = s["loop_mean_latency_ns"]
else:
    s = d["phases"]["allreduce"]["sizes"][0]
    mean = s["rank_mean_latency_ns"]["avg"]
u = d.get("utilisation") or {}
hosts = u.get("hosts") or []
# The readings taken (the series holds at most 64 points).
n = hosts[0]["run"]["cpu_busy"]["n"] if hosts else 0
print(s["latency_ns"]["p50"], mean, n)' "$work/r.json" "$probe"
}

echo "before: $(machine)"
echo "$rounds rounds (the first discarded), rotating order; ratio = sampler on / off in the same round"
printf '%-9s %6s %5s %9s %9s  %-46s %-46s %s\n' probe bytes hz off_p50 on_p50 \
	"p50 ratio: median IQR range" "mean ratio: median IQR range" readings
for c in "${cases[@]}"; do
	read -r probe bytes iters <<<"$c"
	iters=$((iters / scale))
	for hz in 0 10 100; do : >"$work/p50.$hz"; : >"$work/mean.$hz"; : >"$work/n.$hz"; done
	for ((r = 1; r <= rounds; r++)); do
		case $((r % 3)) in
		1) order="0 10 100" ;;
		2) order="10 100 0" ;;
		0) order="100 0 10" ;;
		esac
		for hz in $order; do
			read -r p m n <<<"$(run "$hz" "$probe" "$bytes" "$iters")"
			# run's own exit stays inside $(...): an empty line is its
			# failure, said on stderr already.
			[ -n "$n" ] || exit 1
			echo "$p" >>"$work/p50.$hz"
			echo "$m" >>"$work/mean.$hz"
			echo "$n" >>"$work/n.$hz"
		done
	done
	for hz in 10 100; do
		paste "$work/p50.$hz" "$work/p50.0" | tail -n +2 | awk '$2 > 0 {print $1 / $2}' >"$work/rp"
		paste "$work/mean.$hz" "$work/mean.0" | tail -n +2 | awk '$2 > 0 {print $1 / $2}' >"$work/rm"
		printf '%-9s %6s %5s %9.0f %9.0f  %-46s %-46s %s\n' "$probe" "$bytes" "$hz" \
			"$(tail -n +2 "$work/p50.0" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
			"$(tail -n +2 "$work/p50.$hz" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
			"$(q "$work/rp" 0.02)" "$(q "$work/rm" 0.02)" \
			"$(tail -n +2 "$work/n.$hz" | sort -g | awk '{v[NR]=$1} END {print v[1] "-" v[NR]}')"
	done
done
echo "after: $(machine)"
