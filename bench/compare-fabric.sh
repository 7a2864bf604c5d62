#!/bin/bash
# Side by side, in one run: hpcprobe's fabric phase against fi_pingpong
# (Debian's libfabric-bin) on the same provider, endpoint type (RDM), size
# (8 B) and iteration count; 5 rounds, alternating.  Prints the median over
# the rounds of each one's per-transfer time (fi_pingpong's usec/xfer: the
# whole loop / iterations / 2, which is hpcprobe's loop_mean_latency_ns)
# and their ratio, plus hpcprobe's p50.
#
# Then the all-reduce (following ../shared/BENCHMARKING.md): the fabric
# phase's ring and recursive doubling against MPI_Allreduce over the same
# provider (Open MPI with --mca pml cm --mca mtl ofi and the same
# FI_PROVIDER), 2 ranks bound to cores, per size.  Each round runs two
# jobs, one per algorithm, alternating which goes first; each job runs the
# allreduce phase (MPI) and then the fabric phase in the same processes,
# so every ratio MPI p50 / libfabric p50 is taken within one job.  The
# first round is discarded; printed: the median per-round ratio with its
# min and max, and each side's median p50, with the load before and after.
# (Open MPI 4.1's OFI MTL does not initialise over shm, so the all-reduce
# runs over tcp;ofi_rxm here, and over efa where there is one.)
#
# usage: bench/compare-fabric.sh [ROUNDS] [ITERATIONS] [AR_ROUNDS]
#        (from a built tree; AR_ROUNDS at least 11, default 11)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
iters=${2:-10000}
ar_rounds=${3:-11}
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

# --- the all-reduce ----------------------------------------------------------
load() {
	awk '{printf "load %s", $1}' /proc/loadavg
	awk '/^cpu / {printf ", steal %.1f %% of CPU time since boot\n", 100 * $9 / ($2 + $3 + $4 + $5 + $6 + $7 + $8 + $9)}' /proc/stat
}
ar_sizes=8,1k,64k,1m
ar_prov=${AR_PROVIDER:-"tcp;ofi_rxm"}
ar_run() {
	local alg=$1 out=$2
	mpirun -np 2 --bind-to core --mca pml cm --mca mtl ofi \
		--mca mtl_ofi_provider_include "$ar_prov" -x FI_PROVIDER="$ar_prov" \
		"$hpcprobe" --phases allreduce,fabric --fabric-provider "$ar_prov" \
		--fabric-allreduce "$alg" --sizes "$ar_sizes" --iterations 200 \
		--warmup 20 --quick -o "$out" >/dev/null 2>&1
	# bytes mpi_p50 fabric_p50 ratio, one line a size
	/usr/bin/python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["phases"]["fabric"]["allreduce"]["sizes"]:
    print(s["bytes"], s["mpi_latency_p50_ns"], s["latency_ns"]["p50"],
          s["mpi_over_fabric_ratio"])' "$out"
}
echo
echo "all-reduce over $ar_prov, 2 ranks, $ar_rounds rounds (first discarded), 200 iterations a size"
echo "before: $(load)"
: >"$work/ar"
for ((r = 1; r <= ar_rounds; r++)); do
	if ((r % 2)); then order="ring rd"; else order="rd ring"; fi
	for alg in $order; do
		ar_run "$alg" "$work/ar-$alg.json" |
			awk -v r="$r" -v a="$alg" '{print r, a, $0}' >>"$work/ar"
	done
done
echo "after:  $(load)"
printf "%-5s %8s  %11s %11s  %15s  %s\n" alg bytes mpi_p50_us fab_p50_us \
	"MPI/fabric" "min..max of the per-round ratios"
for alg in ring rd; do
	for b in $(awk '{print $3}' "$work/ar" | sort -nu); do
		sel() { awk -v a="$alg" -v b="$b" -v c="$1" '$1 > 1 && $2 == a && $3 == b {print $c}' "$work/ar"; }
		printf "%-5s %8s  %11.1f %11.1f  %15.3f  %s\n" "$alg" "$b" \
			"$(sel 4 | median | awk '{print $1 / 1000}')" \
			"$(sel 5 | median | awk '{print $1 / 1000}')" \
			"$(sel 6 | median)" \
			"$(sel 6 | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.3f..%.3f", lo, hi}')"
	done
done
echo "(above 1: MPI's collective adds time over the fabric; below 1: MPI_Allreduce is faster)"
