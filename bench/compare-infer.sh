#!/bin/bash
# Side by side, in one run (../shared/BENCHMARKING.md): the infer phase's
# server at batch 1 and saturation, at one rank bound to a core, against
# bench/bare_infer, the same forward pass in a bare loop (same model code,
# same sgemm calls, the same input gather; no queue, no threads, no clock
# in the loop).  The server's rate is the offline sweep's (the queue
# always full; the median of its three rounds of REQUESTS/3 each); also
# shown, the open-loop server offered far more than it can serve (the
# generator thread then shares the core).  ROUNDS rounds after a
# discarded warm-up, alternating which goes first; the per-round ratio
# hpcprobe/bare, its median, quartiles and range (goal: median >= 0.95;
# an IQR wider than 0.05 is "noisy").
#
# usage: bench/compare-infer.sh [ROUNDS [REQUESTS]]   (built tree)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-11}
requests=${2:-30000}
hpcprobe=$top/hpcprobe
bare=$top/bench/bare_infer
for b in "$hpcprobe" "$bare"; do
	[ -x "$b" ] || { echo "compare-infer: $b not built (run make)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_mpi_yield_when_idle=1

# shellcheck source=bench/ratios.sh
. "$top/bench/ratios.sh"

median() {
	sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

hp() {
	mpirun -np 1 --bind-to core "$hpcprobe" --phases infer \
		--infer-max-batch 1 --infer-requests "$((requests * 3))" \
		--infer-rates 1e8 -o "$work/h.json" >/dev/null 2>&1
	/usr/bin/python3 -c 'import json, sys
i = json.load(open(sys.argv[1]))["phases"]["infer"]
print(i["offline"][0]["rate_per_s"], i["points"][0]["achieved_per_s"])' "$work/h.json"
}

ba() {
	mpirun -np 1 --bind-to core "$bare" "$requests" | sed 's/.*=//'
}

echo "before: $(machine)"
echo "== np 1, batch 1: the server at saturation against the bare loop ($requests requests a side; round 1 discarded)"
for ((r = 0; r <= rounds; r++)); do
	if ((r % 2)); then
		read -r h o < <(hp)
		b=$(ba)
	else
		b=$(ba)
		read -r h o < <(hp)
	fi
	((r == 0)) && continue
	echo "$h $o $b" >>"$work/all.txt"
	echo "$h $b" | awk '{print $1 / $2}' >>"$work/ratio.txt"
	echo "$o $b" | awk '{print $1 / $2}' >>"$work/open.txt"
done
printf "requests/s medians: bare %.0f, server (queue full) %.0f, open-loop server %.0f\n" \
	"$(cut -d' ' -f3 "$work/all.txt" | median)" \
	"$(cut -d' ' -f1 "$work/all.txt" | median)" \
	"$(cut -d' ' -f2 "$work/all.txt" | median)"
echo "ratio server/bare over $rounds rounds: median $(q "$work/ratio.txt" 0.05)"
echo "ratio open-loop server/bare:          median $(q "$work/open.txt" 0.05)"
echo "after: $(machine)"
