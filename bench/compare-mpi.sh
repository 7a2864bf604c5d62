#!/bin/bash
# Side by side, in one run: hpcprobe's pingpong and allreduce probes
# against bare MPI loops (bench/bare_pingpong, bench/bare_allreduce) on the
# same path, at 8 B and 64 KiB, over shared memory and over the TCP BTL;
# 5 rounds, alternating, same iteration counts.  Prints hpcprobe/bare
# ratios of the medians over the rounds (p50 against the bare loop's exact
# median, and mean against mean), and hpcc's ping-pong latency beside them.
#
# usage: bench/compare-mpi.sh [ROUNDS]   (from a built tree)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
hpcprobe=$top/hpcprobe
bare_pp=$top/bench/bare_pingpong
bare_ar=$top/bench/bare_allreduce
for b in "$hpcprobe" "$bare_pp" "$bare_ar"; do
	[ -x "$b" ] || { echo "compare-mpi: $b not built (run make)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Two ranks may share a core on a small machine: yield, or we measure the
# scheduler.  Both sides run with the same setting.
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}

declare -A paths=(
	[shm]="--mca pml ob1 --mca btl self,vader"
	[tcp]="--mca pml ob1 --mca btl self,tcp"
)

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

field() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p"; }

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

counts() {  # probe bytes -> "iterations warmup"
	case $1:$2 in
	pingpong:8) echo "10000 100" ;;
	pingpong:*) echo "1000 10" ;;
	allreduce:8) echo "1000 100" ;;
	*) echo "500 20" ;;
	esac
}

printf "%-4s %-9s %6s  %10s %10s %6s  %10s %10s %6s\n" path probe bytes \
	bare_p50 hp_p50 ratio bare_mean hp_mean ratio
for path in shm tcp; do
	# shellcheck disable=SC2206 # the MCA options are meant to split
	mca=(${paths[$path]})
	for probe in pingpong allreduce; do
		for bytes in 8 65536; do
			read -r iters warmup < <(counts $probe $bytes)
			rm -f "$work/bm" "$work/bmean" "$work/hm" "$work/hmean"
			for ((r = 1; r <= rounds; r++)); do
				if [ $probe = pingpong ]; then bare=$bare_pp; else bare=$bare_ar; fi
				out=$(mpirun -np 2 "${mca[@]}" "$bare" "$bytes" "$iters" "$warmup")
				echo "$out" | field median_ns >>"$work/bm"
				echo "$out" | field mean_ns >>"$work/bmean"
				mpirun -np 2 "${mca[@]}" "$hpcprobe" --phases $probe \
					--sizes "$bytes" --iterations "$iters" --warmup "$warmup" \
					-o "$work/r.json" >/dev/null 2>&1
				hp_value "$work/r.json" $probe p50 >>"$work/hm"
				hp_value "$work/r.json" $probe mean >>"$work/hmean"
			done
			bm=$(median <"$work/bm")
			bmean=$(median <"$work/bmean")
			hm=$(median <"$work/hm")
			hmean=$(median <"$work/hmean")
			printf "%-4s %-9s %6s  %10.0f %10.0f %6.3f  %10.0f %10.0f %6.3f\n" \
				$path $probe "$bytes" "$bm" "$hm" \
				"$(echo "$hm $bm" | awk '{print $1 / $2}')" \
				"$bmean" "$hmean" \
				"$(echo "$hmean $bmean" | awk '{print $1 / $2}')"
		done
	done
done

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
