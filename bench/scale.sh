#!/bin/bash
# How a run grows with the node count: wall time, rank 0's peak RSS and the
# document's size at N = 8, 16, 32, 64 simulated nodes (every rank its own
# node: HPCPROBE_TEST_RANK_IS_NODE=1, test only), --phases topology,pingpong
# with the full node matrix (N - 1 rounds of N/2 pairs).  Each round runs
# every N once, in rotated order, so all N see the same background; the
# table gives the median over rounds (min..max beside it).  Growth is
# fitted by least squares on log-log (value ~ a N^k) over all N, and also
# as the local exponent between the two largest N; both are projected to
# 1 000 nodes.  Load average and steal time are printed before and after.
#
# usage: bench/scale.sh [ROUNDS] [N...]   (from a built tree; default 5
#        rounds, N = 8 16 32 64)
#
# On a 2-vCPU machine N ranks share 2 cores, so wall time here measures
# time-slicing as much as hpcprobe: it is an upper bound, not a cluster's
# figure.  Memory and document size do not depend on that.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(8 16 32 64)
hpcprobe=$top/hpcprobe
[ -x "$hpcprobe" ] || { echo "scale: $hpcprobe not built (run make)" >&2; exit 2; }
mpirun=${MPIEXEC:-mpirun}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# N ranks share the cores: they must yield, or we measure spinning.
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}
export HPCPROBE_TEST_RANK_IS_NODE=1

machine() {  # load average and cumulative steal share of CPU time
	awk '/^cpu /{t=0; for (i=2;i<=NF;i++) t+=$i; printf "steal %.2f %% of CPU time since boot", 100*$9/t}' /proc/stat
	echo ", load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
}

steal_ticks() { awk '/^cpu /{t=0; for (i=2;i<=NF;i++) t+=$i; print $9, t}' /proc/stat; }

echo "scale: $rounds rounds, N = ${sizes[*]}, $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "before: $(machine)"
read -r steal0 total0 < <(steal_ticks)

for ((r = 0; r < rounds; r++)); do
	k=${#sizes[@]}
	for ((i = 0; i < k; i++)); do
		n=${sizes[$(((i + r) % k))]}
		out=$work/r${r}_n$n.json
		t0=$(date +%s.%N)
		if ! "$mpirun" --oversubscribe -np "$n" "$hpcprobe" \
			--phases topology,pingpong --quick --sizes 8 \
			--iterations 20 --warmup 2 --timeout 300 -o "$out" \
			>"$work/out" 2>"$work/err"; then
			echo "scale: N=$n failed:" >&2
			tail -5 "$work/err" >&2
			exit 1
		fi
		t1=$(date +%s.%N)
		echo "$n $t0 $t1 $(stat -c %s "$out") $out" >>"$work/runs"
	done
done

read -r steal1 total1 < <(steal_ticks)
echo "after:  $(machine)"
awk -v s="$((steal1 - steal0))" -v t="$((total1 - total0))" \
	'BEGIN {printf "steal during the bench: %.2f %% of CPU time\n", t ? 100 * s / t : 0}'

/usr/bin/python3 - "$work/runs" <<'EOF'
import json, math, statistics, sys

runs = {}
for line in open(sys.argv[1]):
    n, t0, t1, size, path = line.split()
    d = json.load(open(path))
    assert d["context"]["mpi"]["nodes"] == int(n)
    m = d["phases"]["pingpong"]["node_matrix"]
    assert m["pairs_count"] == int(n) * (int(n) - 1) // 2
    runs.setdefault(int(n), []).append({
        "wall_s": float(t1) - float(t0),
        "run_s": d["run"]["duration_s"],
        "matrix_s": d["phases"]["pingpong"]["duration_s"],
        "rss0_mib": d["context"]["peak_rss"]["rank_0_bytes"] / 2**20,
        "rssmax_mib": d["context"]["peak_rss"]["max_bytes"] / 2**20,
        "doc_kib": int(size) / 1024,
    })

cols = [("wall_s", "wall s (mpirun)", "%.2f"),
        ("run_s", "run s (document)", "%.2f"),
        ("matrix_s", "pingpong s", "%.2f"),
        ("rss0_mib", "rank 0 RSS MiB", "%.1f"),
        ("rssmax_mib", "max RSS MiB", "%.1f"),
        ("doc_kib", "document KiB", "%.1f")]
ns = sorted(runs)
med = {c: [statistics.median(x[c] for x in runs[n]) for n in ns] for c, _, _ in cols}

print()
print("| N | " + " | ".join(h for _, h, _ in cols) + " |")
print("|---:|" + "---:|" * len(cols))
for i, n in enumerate(ns):
    cells = []
    for c, _, f in cols:
        v = [x[c] for x in runs[n]]
        cells.append((f % med[c][i]) + " (" + (f % min(v)) + ".." + (f % max(v)) + ")")
    print("| %d | %s |" % (n, " | ".join(cells)))

def fit(xs, ys):
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    k = sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
    return k, math.exp(my - k * mx)

print()
print("| metric | exponent k (all N) | projection to 1000 | local k (%d->%d) | projection from N=%d |" % (ns[-2], ns[-1], ns[-1]))
print("|---|---:|---:|---:|---:|")
for c, h, f in cols:
    k, a = fit(ns, med[c])
    kl = math.log(med[c][-1] / med[c][-2]) / math.log(ns[-1] / ns[-2])
    p_all = a * 1000 ** k
    p_loc = med[c][-1] * (1000 / ns[-1]) ** kl
    print("| %s | %.2f | %s | %.2f | %s |" % (h, k, f % p_all, kl, f % p_loc))

# The document's matrix is N x N by construction, so a power law fitted
# where the O(N) context still dominates understates 1 000 nodes; fit
# a + bN + cN^2 as well.  (Rank 0's RSS grows too little over 8..64 for
# three coefficients to mean anything: only the power laws above.)
def quad(xs, ys):
    m = [[sum(x ** (i + j) for x in xs) for j in range(3)] for i in range(3)]
    v = [sum(y * x ** i for x, y in zip(xs, ys)) for i in range(3)]
    for i in range(3):                      # Gauss-Jordan, 3 x 3
        p = m[i][i]
        m[i] = [e / p for e in m[i]]; v[i] /= p
        for r in range(3):
            if r != i:
                f = m[r][i]
                m[r] = [a - f * b for a, b in zip(m[r], m[i])]; v[r] -= f * v[i]
    return v

print()
print("| metric | a + bN + cN^2 fit: a, b, c | projection to 1000 |")
print("|---|---|---:|")
for c, h, f in cols:
    if c != "doc_kib":
        continue
    a, b, q = quad(ns, med[c])
    print("| %s | %.4g, %.4g, %.4g | %s |" % (h, a, b, q, f % (a + b * 1000 + q * 1000 ** 2)))
EOF
