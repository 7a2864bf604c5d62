#!/bin/bash
# Side by side, in one run: hpcprobe's pingpong and allreduce probes
# against bare MPI loops (bench/bare_pingpong, bench/bare_allreduce) on the
# same path, at 8 B and 64 KiB, over shared memory and over the TCP BTL.
#
# Protocol (../shared/BENCHMARKING.md): each round runs the bare loop and
# hpcprobe back to back, alternating which goes first; round 1 is a
# discarded warm-up; the headline is the median of the per-round
# hpcprobe/bare ratios with its interquartile range, and a ratio whose IQR
# is wider than the tolerance (3 %) is reported as "noisy", not as a pass
# or a fail.  Compared: ping-pong p50 against the bare loop's exact median
# of half round trips; all-reduce completion p50 (the slowest rank's call,
# per iteration) against the bare loop's exact median of the same; and the
# whole-loop means.  Same binding (--bind-to core), same MCA settings, same
# iteration counts.  Load average and steal time are printed before and
# after.  hpcc's ping-pong latency is printed beside, for reference.
#
# usage: bench/compare-mpi.sh [ROUNDS]   (from a built tree; default 11)
# HPCP_BENCH_ARGS: further hpcprobe options (e.g. "--sample-hz 0" to
# compare with the utilisation sampler off).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-11}
tolerance=0.03
hpcprobe=$top/hpcprobe
bare_pp=$top/bench/bare_pingpong
bare_ar=$top/bench/bare_allreduce
for b in "$hpcprobe" "$bare_pp" "$bare_ar"; do
	[ -x "$b" ] || { echo "compare-mpi: $b not built (run make)" >&2; exit 2; }
done
[ "$rounds" -ge 3 ] 2>/dev/null || { echo "compare-mpi: ROUNDS must be >= 3" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Two ranks may share a core on a small machine: yield, or we measure the
# scheduler.  Both sides run with the same setting.
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
bind=(--bind-to core)
[ "$(nproc)" -ge 2 ] || bind=(--bind-to none)

declare -A paths=(
	[shm]="--mca pml ob1 --mca btl self,vader"
	[tcp]="--mca pml ob1 --mca btl self,tcp"
)

field() { sed -n "s/.*[ ^]$1=\\([0-9.]*\\).*/\\1/p"; }

machine() {  # load average and cumulative steal (ticks) from /proc
	printf "%s: load average %s, steal %s ticks of %s\n" "$1" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" \
		"$(awk '/^cpu /{print $9}' /proc/stat)" \
		"$(awk '/^cpu /{s = 0; for (i = 2; i <= NF; i++) s += $i; print s}' /proc/stat)"
}

hp_value() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
probe, what = sys.argv[2], sys.argv[3]
if probe == "pingpong":
    s = d["phases"]["pingpong"]["pairs"][0]["sizes"][0]
    print(s["latency_ns"]["p50"] if what == "p50" else s["loop_mean_latency_ns"])
else:
    s = d["phases"]["allreduce"]["sizes"][0]
    print(s["latency_ns"]["p50"] if what == "p50" else s["rank_mean_latency_ns"]["avg"])
' "$@"
}

# Per-round ratios (round 1 dropped) -> "median q1 q3 lo hi verdict".
ratios() {
	/usr/bin/python3 - "$1" "$2" "$tolerance" <<'PY'
import statistics, sys
hp = [float(x) for x in open(sys.argv[1]).read().split()][1:]
ref = [float(x) for x in open(sys.argv[2]).read().split()][1:]
tol = float(sys.argv[3])
r = sorted(h / b for h, b in zip(hp, ref) if b > 0)
q1, med, q3 = statistics.quantiles(r, n=4, method="inclusive")
verdict = "noisy" if q3 - q1 > tol else ("ok" if med <= 1 + tol else "SLOWER")
print(f"{med:.3f} {q1:.3f} {q3:.3f} {r[0]:.3f} {r[-1]:.3f} {verdict}")
PY
}

# The rounds' reference values in two modes when they split (>1.5x apart).
modes() {
	/usr/bin/python3 - "$1" <<'PY'
import statistics, sys
v = sorted(float(x) for x in open(sys.argv[1]).read().split()[1:])
gaps = [(v[i + 1] / v[i], i) for i in range(len(v) - 1) if v[i] > 0]
g, i = max(gaps) if gaps else (1, 0)
if g > 1.5:
    lo, hi = v[:i + 1], v[i + 1:]
    print(f"bimodal: {len(lo)} rounds near {statistics.median(lo):.0f} ns, "
          f"{len(hi)} near {statistics.median(hi):.0f} ns")
PY
}

counts() {  # probe bytes -> "iterations warmup"
	case $1:$2 in
	pingpong:8) echo "10000 100" ;;
	pingpong:*) echo "1000 10" ;;
	allreduce:8) echo "1000 100" ;;
	*) echo "500 20" ;;
	esac
}

one_bare() {  # bare program, mca..., bytes iters warmup -> appends values
	local bare=$1 bytes=$2 iters=$3 warmup=$4
	shift 4
	out=$(mpirun -np 2 "${bind[@]}" "$@" "$bare" "$bytes" "$iters" "$warmup")
	echo "$out" | field median_ns >>"$work/bm"
	echo "$out" | field mean_ns >>"$work/bmean"
}

one_hp() {  # probe bytes iters warmup mca...
	local probe=$1 bytes=$2 iters=$3 warmup=$4
	shift 4
	# shellcheck disable=SC2086 # HPCP_BENCH_ARGS: options, meant to split
	mpirun -np 2 "${bind[@]}" "$@" "$hpcprobe" --phases "$probe" \
		--sizes "$bytes" --iterations "$iters" --warmup "$warmup" \
		${HPCP_BENCH_ARGS:-} -o "$work/r.json" >/dev/null 2>&1
	hp_value "$work/r.json" "$probe" p50 >>"$work/hm"
	hp_value "$work/r.json" "$probe" mean >>"$work/hmean"
}

machine before
echo "$rounds rounds (the first discarded), alternating order; ratio = hpcprobe / bare, median [IQR] (min-max)"
printf "%-4s %-9s %6s  %9s %9s  %-34s %-34s\n" path probe bytes bare_p50 hp_p50 \
	"p50 ratio" "mean ratio"
for path in shm tcp; do
	# shellcheck disable=SC2206 # the MCA options are meant to split
	mca=(${paths[$path]})
	for probe in pingpong allreduce; do
		if [ $probe = pingpong ]; then bare=$bare_pp; else bare=$bare_ar; fi
		for bytes in 8 65536; do
			read -r iters warmup < <(counts $probe $bytes)
			rm -f "$work/bm" "$work/bmean" "$work/hm" "$work/hmean"
			for ((r = 1; r <= rounds; r++)); do
				if ((r % 2)); then
					one_bare "$bare" "$bytes" "$iters" "$warmup" "${mca[@]}"
					one_hp $probe "$bytes" "$iters" "$warmup" "${mca[@]}"
				else
					one_hp $probe "$bytes" "$iters" "$warmup" "${mca[@]}"
					one_bare "$bare" "$bytes" "$iters" "$warmup" "${mca[@]}"
				fi
			done
			read -r pm pq1 pq3 plo phi pv < <(ratios "$work/hm" "$work/bm")
			read -r mm mq1 mq3 mlo mhi mv < <(ratios "$work/hmean" "$work/bmean")
			printf "%-4s %-9s %6s  %9.0f %9.0f  %-34s %-34s\n" \
				$path $probe "$bytes" \
				"$(tail -n +2 "$work/bm" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
				"$(tail -n +2 "$work/hm" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
				"$pm [$pq1-$pq3] ($plo-$phi) $pv" \
				"$mm [$mq1-$mq3] ($mlo-$mhi) $mv"
			m=$(modes "$work/bm")
			[ -z "$m" ] || echo "     bare $probe $bytes B $path: $m"
		done
	done
done
machine after

# hpcc's b_eff ping-pong on the same paths, for reference (Debian's hpcc).
if command -v hpcc >/dev/null && [ -f /usr/share/doc/hpcc/examples/_hpccinf.txt ]; then
	cd "$work"
	sed -e '6s/^[0-9]*/500/' -e '11s/^[0-9]*/1/' \
		/usr/share/doc/hpcc/examples/_hpccinf.txt >hpccinf.txt
	for path in shm tcp; do
		# shellcheck disable=SC2206
		mca=(${paths[$path]})
		rm -f hpccoutf.txt
		mpirun -np 2 "${mca[@]}" hpcc >/dev/null 2>&1 || true
		min=$(sed -n 's/^MinPingPongLatency_usec=//p' hpccoutf.txt 2>/dev/null)
		avg=$(sed -n 's/^AvgPingPongLatency_usec=//p' hpccoutf.txt 2>/dev/null)
		echo "hpcc $path: MinPingPongLatency ${min:-?} us, AvgPingPongLatency ${avg:-?} us (8 B, min over repetitions)"
	done
else
	echo "hpcc: not installed (apt-get install hpcc) - its figures are skipped"
fi
