#!/bin/bash
# Side by side, in one run: hpcprobe's fabric phase against fi_pingpong
# (Debian's libfabric-bin) on the same provider, endpoint type (RDM), size
# (8 B) and iteration count; 5 rounds, alternating.  Prints the median over
# the rounds of each one's per-transfer time (fi_pingpong's usec/xfer: the
# whole loop / iterations / 2, which is hpcprobe's loop_mean_latency_ns)
# and their ratio, plus hpcprobe's p50.
#
# usage: bench/compare-fabric.sh [ROUNDS] [ITERATIONS]   (from a built tree)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
iters=${2:-10000}
hpcprobe=$top/hpcprobe
[ -x "$hpcprobe" ] || { echo "compare-fabric: $hpcprobe not built (run make)" >&2; exit 2; }
command -v fi_pingpong >/dev/null ||
	{ echo "compare-fabric: fi_pingpong missing (apt-get install libfabric-bin)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
# Both sides pinned the same way: one process per core, as mpirun binds.
last_cpu=$(($(nproc) - 1))

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# fi_pingpong's usec/xfer for one run, in ns.
fi_run() {
	local prov=$1 port=$2
	taskset -c 0 fi_pingpong -p "$prov" -e rdm -I "$iters" -S 8 -B "$port" \
		>"$work/server.txt" 2>&1 &
	local server=$!
	sleep 0.3
	taskset -c "$last_cpu" fi_pingpong -p "$prov" -e rdm -I "$iters" -S 8 \
		-P "$port" 127.0.0.1 >"$work/client.txt" 2>&1 || true
	wait "$server" || true
	# columns: bytes #sent #ack total time MB/sec usec/xfer Mxfers/sec
	awk '$1 == "8" { printf "%.1f\n", $7 * 1000 }' "$work/client.txt"
}

hp_run() {
	local prov=$1
	mpirun -np 2 "$hpcprobe" --phases fabric --fabric-provider "$prov" \
		--sizes 8 --iterations "$iters" --warmup 0 -o "$work/r.json" \
		>/dev/null 2>&1
	/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["phases"]["fabric"]["pairs"][0]["sizes"][0]
print(s["loop_mean_latency_ns"], s["latency_ns"]["p50"])' "$work/r.json"
}

printf "%-12s %6s %8s  %14s %14s %6s  %12s\n" provider bytes iters \
	fi_pingpong_ns hpcprobe_ns ratio hpcprobe_p50
port=$((47600 + RANDOM % 1000))
for prov in shm "tcp;ofi_rxm"; do
	rm -f "$work/fi" "$work/hp" "$work/p50"
	for ((r = 1; r <= rounds; r++)); do
		port=$((port + 1))
		fi_run "$prov" "$port" >>"$work/fi"
		read -r mean p50 < <(hp_run "$prov")
		echo "$mean" >>"$work/hp"
		echo "$p50" >>"$work/p50"
	done
	fi_ns=$(median <"$work/fi")
	hp_ns=$(median <"$work/hp")
	printf "%-12s %6s %8s  %14.0f %14.0f %6.3f  %12.0f\n" "$prov" 8 "$iters" \
		"$fi_ns" "$hp_ns" "$(echo "$hp_ns $fi_ns" | awk '{print $1 / $2}')" \
		"$(median <"$work/p50")"
done
echo "(fi_pingpong has no warm-up; hpcprobe ran with --warmup 0 to match)"
