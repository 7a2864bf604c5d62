#!/bin/bash
# Side by side: the storage phase's random 4 KiB reads against fio
# (Debian's fio) with the same pattern: 4 KiB random reads, iodepth 1
# (psync), one job per rank, the same file size per job, the same mode
# (O_DIRECT unless MODE is buffered), on the same directory.  ROUNDS
# rounds (11 by default) after a discarded warm-up, rotating which goes
# first; per round the ratios phase/fio of IOPS, p50 and p99 latency
# (fio's lat_ns: submission to completion, as the phase times one pread),
# then their medians with quartiles and range (bench/ratios.sh, the
# protocol of BENCHMARKING.md: "noisy" when the quartiles are further
# apart than the 10 % goal), and the machine's steal time and load
# before and after.  Goal: each within 10 %.
# The definitions compared: IOPS is reads over the time they took, fio's
# total over the longest job's runtime, the phase's over its step's span
# (first start to last end); at iodepth 1 both are ranks / (latency + the
# gap between two calls), the gap being each tool's own work per read.
# The phase checks every 4 KiB it reads (against its block pattern),
# so fio runs twice per round: verifying every read too (verify=pattern,
# its files written with the pattern first), the like-for-like run the
# headline ratios use; and without verify, the figure people usually
# quote, against which iops_nv_r is the phase's IOPS with its check time
# taken out (phase IOPS / (1 - verify_fraction), the share of the ranks'
# time spent checking, which the phase times apart).  On a loaded host
# both tools' spans also hold time slices given to other work; the
# phase's rows say so (noisy, host_load), fio does not: ph_load% is the
# share of the CPUs other work took during the phase's reads
# (host_load), and a round where it is high says little about either tool.
# The ranks run unbound (--bind-to none) like fio's jobs.
#
# A third tool runs in each round as the floor both are read against:
# bench/bare_pread, the same reads in a bare loop (one process per job, a
# clock read on either side of each pread, every read checked against a
# 4 KiB table in L1, nothing else), so a ratio away from 1 can be put on
# the tool that adds the time: b_* are phase/bare, fio_b_* fio
# verifying/bare.
#
# usage: bench/compare-storage.sh DIR [ROUNDS [RANKS [OPS [MIB [MODE]]]]]
#   DIR    directory to test (the FSx for Lustre mount on AWS)
#   OPS    reads per rank / job; MIB file size per rank / job
#   MODE   direct (default) or buffered
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: compare-storage.sh DIR [ROUNDS [RANKS [OPS [MIB [MODE]]]]]}
rounds=${2:-11}
ranks=${3:-2}
ops=${4:-5000}
mib=${5:-64}
mode=${6:-direct}
hpcprobe=$top/hpcprobe
bare_pread=$top/bench/bare_pread
[ -x "$bare_pread" ] || { echo "compare-storage: $bare_pread not built (run make)" >&2; exit 2; }
[ -x "$hpcprobe" ] || { echo "compare-storage: $hpcprobe not built (run make)" >&2; exit 2; }
command -v fio >/dev/null || { echo "compare-storage: no fio (apt-get install fio)" >&2; exit 2; }
[ -d "$dir" ] || { echo "compare-storage: $dir is not a directory" >&2; exit 2; }
case $rounds in '' | *[!0-9]* | 0) echo "compare-storage: ROUNDS is a positive count" >&2; exit 2 ;; esac
# shellcheck source=bench/ratios.sh
. "$top/bench/ratios.sh"
case $mode in
direct) direct=1; phase_direct=--storage-direct; fio_cache= ;;
# The phase reads a file it has just written and fsynced: all of it in the
# page cache.  fio drops its file's pages before the job (invalidate=1);
# pre_read reads it in first instead, so both read from memory.
buffered) direct=0; phase_direct=; fio_cache=--pre_read=1 ;;
*) echo "compare-storage: MODE is direct or buffered" >&2; exit 2 ;;
esac
work=$(mktemp -d)
fiodir=$(mktemp -d "$dir/compare-storage-fio.XXXXXX")
trap 'rm -rf "$work" "$fiodir"' EXIT
if [ "$(id -u)" -eq 0 ]; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_mpi_yield_when_idle=1

# phase OUT: "iops p50_ns p99_ns direct_used verify_fraction
# foreign_cpu_fraction" of the random reads.
phase() {
	# shellcheck disable=SC2086 # phase_direct is one option or none
	# Unbound, as fio's jobs are: a rank bound to a core another
	# process holds waits for its time slice (a 4 ms tick at p99 here).
	mpirun --oversubscribe --bind-to none -np "$ranks" "$hpcprobe" \
		--phases storage \
		--storage-dir "$dir" --storage-subphases random $phase_direct \
		--storage-random-mib "$mib" --storage-random-ops "$ops" \
		-o "$work/phase.json" >/dev/null 2>"$work/phase.err"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["phases"]["storage"]
r = [o for o in d["ops"] if o["subphase"] == "random" and o["op"] == "read"][0]
print(r["ops_per_s"], r["latency_ns"]["p50"], r["latency_ns"]["p99"],
      d["direct"]["used"], r["verify_fraction"],
      r["host_load"].get("foreign_cpu_fraction", float("nan")))' "$work/phase.json"
}

# fio_run [verify]: the same, one job per rank, laid out before it is
# timed; OPS reads each (io_size: fio's size alone stops a job after one
# file's worth, fewer reads than the phase's when OPS x 4 KiB is larger);
# on the phase's clock (CLOCK_MONOTONIC through clock_gettime, not fio's
# default calibrated cycle counter, whose rate a loaded VM can misjudge).
# With "verify" every read is compared with the pattern the files were
# written with (a read-only job with verify set checks each read), and a
# mismatch stops the bench.
pattern=0x9e3779b97f4a7c15
fio_run() {
	local check=()
	[ "${1:-}" = verify ] && check=(--verify=pattern "--verify_pattern=$pattern" --verify_fatal=1
		--verify_state_save=0)
	# shellcheck disable=SC2086 # fio_cache is one option or none
	fio --name=randread --directory="$fiodir" --rw=randread --bs=4k \
		--size="${mib}m" --numjobs="$ranks" --iodepth=1 \
		--ioengine=psync --direct="$direct" --number_ios="$ops" \
		--io_size="$((ops * 4))k" "${check[@]}" \
		--clocksource=clock_gettime $fio_cache \
		--norandommap --lat_percentiles=1 --group_reporting \
		--output-format=json >"$work/fio.json" 2>"$work/fio.err" || {
		echo "compare-storage: fio failed:" >&2
		cat "$work/fio.err" >&2
		exit 1
	}
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["jobs"][0]["read"]
p = r["lat_ns"]["percentile"]
if r["runtime"] < 200:
    # fio counts its runtime in whole milliseconds.
    print("# fio ran %d ms: its IOPS is +-%.1f %% from rounding alone "
          "(more OPS)" % (r["runtime"], 100 / r["runtime"]), file=sys.stderr)
print(r["iops"], p["50.000000"], p["99.000000"])' "$work/fio.json"
}

# bare: "iops p50_ns p99_ns" of the bare loop, its files its own.
bare() {
	"$bare_pread" "$fiodir" "$ranks" "$ops" "$mib" "$mode" 2>"$work/bare.err" || {
		echo "compare-storage: bare_pread failed:" >&2
		cat "$work/bare.err" >&2
		exit 1
	}
}

# fio's files, written once with the pattern its verifying run checks
# (the same files, by job name, serve both fio runs).
fio --name=randread --directory="$fiodir" --rw=write --bs=1m \
	--size="${mib}m" --numjobs="$ranks" --direct="$direct" \
	--verify=pattern --verify_pattern=$pattern --do_verify=0 \
	--verify_state_save=0 \
	--output-format=json >/dev/null 2>"$work/fio.err" || {
	echo "compare-storage: fio could not lay out its files:" >&2
	cat "$work/fio.err" >&2
	exit 1
}

echo "# storage phase vs fio: 4 KiB random read, iodepth 1, $ranks jobs, ${mib} MiB each, $ops reads each, $mode, on $dir ($(stat -f -c %T "$dir"))"
echo "# before: $(machine); round 0 is a warm-up, printed, not counted"
printf '%-6s %11s %11s %11s %11s %9s %9s %9s %9s %9s %9s %7s %8s %8s %9s %8s %8s %8s %8s %8s %9s %9s\n' round \
	phase_iops fio_v_iops fio_iops bare_iops ph_p50us fio_p50us b_p50us \
	ph_p99us fio_p99us b_p99us ph_vfy% ph_load% iops_r iops_nv_r p50_r p99_r \
	b_iops_r b_p50_r b_p99_r fio_b_iops fio_b_p50
for f in b_iops b_p50 b_p99 fb_iops fb_p50 fb_p99; do : >"$work/r_$f"; done
: >"$work/r_iops"
: >"$work/r_iops_nv"
: >"$work/r_p50"
: >"$work/r_p99"
for ((r = 0; r <= rounds; r++)); do
	# Each of the four runs goes first, second, third and fourth in turn.
	case $((r % 4)) in
	1)	read -r pi p5 p9 used vf fl <<<"$(phase)"
		read -r vi v5 v9 <<<"$(fio_run verify)"
		read -r fo _ _ <<<"$(fio_run)"
		read -r bi b5 b9 <<<"$(bare)" ;;
	2)	read -r vi v5 v9 <<<"$(fio_run verify)"
		read -r fo _ _ <<<"$(fio_run)"
		read -r bi b5 b9 <<<"$(bare)"
		read -r pi p5 p9 used vf fl <<<"$(phase)" ;;
	3)	read -r fo _ _ <<<"$(fio_run)"
		read -r bi b5 b9 <<<"$(bare)"
		read -r pi p5 p9 used vf fl <<<"$(phase)"
		read -r vi v5 v9 <<<"$(fio_run verify)" ;;
	0)	read -r bi b5 b9 <<<"$(bare)"
		read -r pi p5 p9 used vf fl <<<"$(phase)"
		read -r vi v5 v9 <<<"$(fio_run verify)"
		read -r fo _ _ <<<"$(fio_run)" ;;
	esac
	# A run that failed said why on stderr; its $(...) left a field empty.
	[ -n "$pi" ] && [ -n "$vi" ] && [ -n "$fo" ] && [ -n "$fl" ] &&
		[ -n "$b9" ] || exit 1
	# Headline ratios against the verifying fio run; iops_nv_r against
	# the plain one (the phase's check time taken out).
	awk -v r="$r" -v pi="$pi" -v vi="$vi" -v fo="$fo" -v p5="$p5" \
		-v v5="$v5" -v p9="$p9" -v v9="$v9" -v vf="$vf" -v fl="$fl" \
		-v bi="$bi" -v b5="$b5" -v b9="$b9" -v w="$work" 'BEGIN {
		printf "%-6s %11.0f %11.0f %11.0f %11.0f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %7.1f %8.0f %8.3f %9.3f %8.3f %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f\n",
			r, pi, vi, fo, bi, p5 / 1e3, v5 / 1e3, b5 / 1e3,
			p9 / 1e3, v9 / 1e3, b9 / 1e3,
			100 * vf, 100 * fl, pi / vi, pi / (1 - vf) / fo, p5 / v5, p9 / v9,
			pi / bi, p5 / b5, p9 / b9, vi / bi, v5 / b5
		if (r == 0)
			exit
		print pi / bi >> (w "/r_b_iops")
		print p5 / b5 >> (w "/r_b_p50")
		print p9 / b9 >> (w "/r_b_p99")
		print vi / bi >> (w "/r_fb_iops")
		print v5 / b5 >> (w "/r_fb_p50")
		print v9 / b9 >> (w "/r_fb_p99")
		print pi / vi >> (w "/r_iops")
		print pi / (1 - vf) / fo >> (w "/r_iops_nv")
		print p5 / v5 >> (w "/r_p50")
		print p9 / v9 >> (w "/r_p99")
	}'
done
echo "ratios over $rounds rounds: median, quartiles, range"
echo "phase/fio, both checking every read:"
echo "  IOPS  $(q "$work/r_iops" 0.10)"
echo "  (both unchecked: $(q "$work/r_iops_nv" 0.10))"
echo "  p50   $(q "$work/r_p50" 0.10)"
echo "  p99   $(q "$work/r_p99" 0.10)   (O_DIRECT used by the phase: $used)"
echo "against the bare loop (all three checking every read):"
echo "  phase IOPS $(q "$work/r_b_iops" 0.10)"
echo "  phase p50  $(q "$work/r_b_p50" 0.10)"
echo "  phase p99  $(q "$work/r_b_p99" 0.10)"
echo "  fio IOPS   $(q "$work/r_fb_iops" 0.10)"
echo "  fio p50    $(q "$work/r_fb_p50" 0.10)"
echo "  fio p99    $(q "$work/r_fb_p99" 0.10)"
echo "# after: $(machine)"
