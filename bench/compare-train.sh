#!/bin/bash
# Side by side, in one run (../shared/BENCHMARKING.md): the train phase at
# one rank against bench/bare_train, the same steps with nothing around
# them (same data and model code, so the same sgemm calls; no MPI, no
# clock in the loop).  ROUNDS rounds after a discarded warm-up, alternating
# which goes first; the per-round ratio hpcprobe/bare of samples/s, its
# median, quartiles and range (goal: median >= 0.97; an IQR wider than
# 0.03 is "noisy").  Then, at two ranks, overlap on against off, the same
# way: samples/s and the step's exposed communication.
#
# usage: bench/compare-train.sh [ROUNDS [SAMPLES [EPOCHS]]]   (built tree)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-11}
samples=${2:-12000}
epochs=${3:-2}
data=/usr/share/datasets/fashion-mnist
hpcprobe=$top/hpcprobe
bare=$top/bench/bare_train
for b in "$hpcprobe" "$bare"; do
	[ -x "$b" ] || { echo "compare-train: $b not built (run make)" >&2; exit 2; }
done
[ -d "$data" ] || { echo "compare-train: $data missing: apt-get install dataset-fashion-mnist" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_mpi_yield_when_idle=1

# shellcheck source=bench/ratios.sh
. "$top/bench/ratios.sh"

field() {
	/usr/bin/python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["phases"]["train"]
print(t["samples_per_s"], t["step_fractions"]["exposed_communication_ratio"])' "$1"
}

hp() {  # hp NP OUT [options]
	local np=$1 out=$2
	shift 2
	mpirun -np "$np" --bind-to core "$hpcprobe" --phases train \
		--train-samples "$samples" --train-epochs "$epochs" "$@" \
		-o "$out" >/dev/null 2>&1
}

echo "before: $(machine)"
echo "== np 1: hpcprobe against the bare loop ($samples samples, $epochs epochs, batch 128; round 1 discarded)"
for ((r = 0; r <= rounds; r++)); do
	if ((r % 2)); then
		hp 1 "$work/h.json"
		b=$("$bare" "$data" "$samples" "$epochs" 128 | sed 's/.*=//')
	else
		b=$("$bare" "$data" "$samples" "$epochs" 128 | sed 's/.*=//')
		hp 1 "$work/h.json"
	fi
	read -r h _ < <(field "$work/h.json")
	((r == 0)) && continue
	echo "$h $b" >>"$work/np1.txt"
	echo "$h $b" | awk '{print $1 / $2}' >>"$work/ratio.txt"
done
printf "bare samples/s median %.0f, hpcprobe %.0f\n" \
	"$(cut -d' ' -f2 "$work/np1.txt" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
	"$(cut -d' ' -f1 "$work/np1.txt" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
echo "ratio hpcprobe/bare over $rounds rounds: median $(q "$work/ratio.txt" 0.03)"

echo "== np 2: overlap on against off (round 1 discarded)"
for ((r = 0; r <= rounds; r++)); do
	if ((r % 2)); then
		hp 2 "$work/on.json"
		hp 2 "$work/off.json" --train-overlap off
	else
		hp 2 "$work/off.json" --train-overlap off
		hp 2 "$work/on.json"
	fi
	((r == 0)) && continue
	read -r son eon < <(field "$work/on.json")
	read -r soff eoff < <(field "$work/off.json")
	echo "$son $eon $soff $eoff" >>"$work/np2.txt"
	echo "$son $soff" | awk '{print $1 / $2}' >>"$work/onoff.txt"
done
awk '{s1 += $1; e1 += $2; s2 += $3; e2 += $4} END {
	printf "mean samples/s: on %.0f, off %.0f; exposed communication: on %.0f %%, off %.0f %% of a step\n",
	    s1 / NR, s2 / NR, 100 * e1 / NR, 100 * e2 / NR }' "$work/np2.txt"
echo "samples/s ratio on/off over $rounds rounds: median $(q "$work/onoff.txt" 0.03)"
echo "after: $(machine)"
