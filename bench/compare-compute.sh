#!/bin/bash
# Side by side, in one run: hpcprobe's dgemm and triad kernels (one rank,
# so nothing competes) against bare loops of the same sizes
# (bench/bare_compute): 5 rounds, alternating which goes first; prints the
# medians of the best-round rates and hpcprobe/bare ratios (goal >= 0.95).
# The bare loops run as many rounds as hpcprobe's kernels did: the best of
# more rounds is a higher figure on a host whose speed varies.
#
# usage: bench/compare-compute.sh [ROUNDS]   (from a built tree)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
hpcprobe=$top/hpcprobe
bare=$top/bench/bare_compute
for b in "$hpcprobe" "$bare"; do
	[ -x "$b" ] || { echo "compare-compute: $b not built (run make)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OPENBLAS_NUM_THREADS=1

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

rm -f "$work"/*.txt
hp_run() {
	mpirun -np 1 "$hpcprobe" --phases topology,compute -o "$work/c.json" >/dev/null 2>&1
	/usr/bin/python3 -c '
import json, sys
k = json.load(open(sys.argv[1]))["phases"]["compute"]["kernels"]
print(k["dgemm"]["per_rank"][0]["best_flops_per_s"], k["triad"]["per_rank"][0]["best_bytes_per_s"],
      k["dgemm"]["matrix_n"], k["dgemm"]["calls_per_round_base"], k["triad"]["array_elements_count"],
      k["dgemm"]["rounds"], k["triad"]["rounds"])' \
		"$work/c.json" >"$work/hp.now"
	read -r hd ht n calls elems drounds trounds <"$work/hp.now"
	echo "$hd" >>"$work/hd.txt"
	echo "$ht" >>"$work/ht.txt"
}
bare_run() {
	"$bare" dgemm "$n" "$calls" "$drounds" | sed 's/.*=//' >>"$work/bd.txt"
	"$bare" triad "$elems" "$trounds" | sed 's/.*best_bytes_per_s=\([^ ]*\).*/\1/' >>"$work/bt.txt"
}
# The first hpcprobe run tells the sizes and round counts, and is not kept.
hp_run
rm -f "$work/hd.txt" "$work/ht.txt"
for ((r = 1; r <= rounds; r++)); do
	if ((r % 2)); then hp_run; bare_run; else bare_run; hp_run; fi
done
printf "%-7s %14s %14s %6s\n" kernel bare hpcprobe ratio
for k in d t; do
	b=$(median <"$work/b$k.txt")
	h=$(median <"$work/h$k.txt")
	name=$([ $k = d ] && echo "dgemm" || echo "triad")
	unit=$([ $k = d ] && echo "flop/s" || echo "B/s")
	printf "%-7s %14.4g %14.4g %6.3f  (%s, best round, median of %d)\n" \
		"$name" "$b" "$h" "$(echo "$h $b" | awk '{print $1 / $2}')" "$unit" "$rounds"
done
echo "(dgemm n=$n, $calls calls a round, $drounds rounds; triad $elems elements per array, $trounds rounds)"
