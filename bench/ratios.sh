# Sourced by the side-by-side benchmarks (../shared/BENCHMARKING.md):
# what the machine was doing, and the distribution of per-round ratios.

# machine: cumulative steal time and the load average, for before/after
machine() {
	awk '/^cpu /{printf "steal %s jiffies", $9}' /proc/stat
	echo ", load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# q FILE TOLERANCE: median, quartiles and range of a column of ratios;
# "noisy" when the interquartile range is wider than the tolerance
q() {
	sort -g "$1" | awk -v tol="$2" '{v[NR] = $1} END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f  IQR %.3f-%.3f  range %.3f-%.3f%s", m,
		    v[int((NR + 3) / 4)], v[NR + 1 - int((NR + 3) / 4)], v[1], v[NR],
		    (v[NR + 1 - int((NR + 3) / 4)] - v[int((NR + 3) / 4)] > tol) ? "  noisy" : ""
	}'
}
