#!/bin/sh
# The fabric phase's libfabric all-reduce through the real binary: at 2, 3,
# 4 and 5 ranks over shm and tcp;ofi_rxm, every size (one float, fewer
# floats than ranks, chunks of unequal length, 64 KiB + 4) gives the exact
# sum and MPI_Allreduce's bits for both algorithms (auto times one and
# checks both); the timed algorithm is the faster in its warm-up; busbw and
# the MPI/libfabric ratio follow their formulas from the same document; an
# injected wrong sum fails the phase naming its rank and element; a fake
# EFA tree gets each rank's sent-bytes floor, 2(n-1)/n of the buffer a call
# for the ring.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

sizes="4,12,20,1024,65540"
want="[4, 12, 20, 1024, 65540]"

# The checks every run shares: $1 file, $2 label, $3 ranks.
check_run() {
	f=$1 label=$2 np=$3
	schema_check "$f"
	json_true "$f" "d['phases']['fabric']['status'] == 'ok'"
	ok $? "$label: fabric phase ok $(json_query "$f" "d['phases']['fabric'].get('reason', '')" 2>/dev/null)"
	json_true "$f" "[s['bytes'] for s in d['phases']['fabric']['allreduce']['sizes']] == $want and d['phases']['fabric']['allreduce']['ranks'] == $np"
	ok $? "$label: every size measured over $np ranks"
	json_true "$f" "all(s['result_correct'] and s['matches_mpi'] for s in d['phases']['fabric']['allreduce']['sizes'])"
	ok $? "$label: exact sums, bit for bit MPI_Allreduce's, every size"
	json_true "$f" "all(s['samples_count'] == s['iterations'] == 10 and s['latency_ns']['min'] <= s['latency_ns']['p50'] <= s['latency_ns']['max'] for s in d['phases']['fabric']['allreduce']['sizes'])"
	ok $? "$label: one completion time per iteration, ordered"
	json_true "$f" "all(abs(s['busbw_bytes_per_s'] - s['algbw_bytes_per_s'] * 2 * ($np - 1) / $np) <= 1e-9 * s['algbw_bytes_per_s'] and abs(s['algbw_bytes_per_s'] - s['bytes'] / (s['rank_mean_latency_ns']['avg'] / 1e9)) <= 1e-3 * s['algbw_bytes_per_s'] for s in d['phases']['fabric']['allreduce']['sizes'])"
	ok $? "$label: algbw = bytes / mean, busbw = algbw x 2(n-1)/n"
}

for np in 2 3 4 5; do
	for prov in shm "tcp;ofi_rxm"; do
		f=np$np-$(echo "$prov" | tr -c 'a-z\n' _).json
		$mpirun -np $np "$bin" --phases allreduce,fabric \
			--fabric-provider "$prov" --sizes $sizes \
			--iterations 10 --warmup 1 -o "$f" >/dev/null 2>err.txt
		ok $? "np$np $prov: exits 0 $(tail -1 err.txt)"
		check_run "$f" "np$np $prov auto" $np
		json_true "$f" "all(sorted(s['checked_algorithms']) == ['rd', 'ring'] and s['algorithm'] == min(('ring', 'rd'), key=lambda a: (s['auto_warmup_pace_ns'][a], a == 'ring')) for s in d['phases']['fabric']['allreduce']['sizes'])"
		ok $? "np$np $prov: auto checks both algorithms and times the faster in the warm-up"
		json_true "$f" "(lambda a: a['crossover_bytes'] == next((s['bytes'] for i, s in enumerate(a['sizes']) if all(t['algorithm'] == 'ring' for t in a['sizes'][i:])), None))(d['phases']['fabric']['allreduce'])"
		ok $? "np$np $prov: crossover_bytes is where ring takes over for good"
		json_true "$f" "all(s['mpi_latency_p50_ns'] == m['latency_ns']['p50'] and abs(s['mpi_over_fabric_ratio'] - m['latency_ns']['p50'] / s['latency_ns']['p50']) < 1e-9 for s, m in zip(d['phases']['fabric']['allreduce']['sizes'], d['phases']['allreduce']['sizes']))"
		ok $? "np$np $prov: MPI/libfabric ratio from the allreduce phase's p50, per size"
	done
done

# Each algorithm alone at the non-power-of-two count that folds a rank:
# rd over shm; ring over tcp with a fake EFA device, whose every rank's
# floor is what the ring sends, all chunks but two a call (2(n-1)/n of the
# buffer; warm-up, timed, the MPI comparison), judged only over efa.
root=$work/sys
dev=$root/rdmap0s6
mkdir -p "$dev/device" "$dev/ports/1/hw_counters"
echo 0x1d0f >"$dev/device/vendor"
echo 1000 >"$dev/ports/1/hw_counters/tx_bytes"
for alg in rd ring; do
	prov=shm
	[ $alg = ring ] && prov="tcp;ofi_rxm"
	$mpirun -np 5 "$bin" --efa-root "$root" --phases fabric \
		--fabric-provider "$prov" --fabric-allreduce $alg \
		--sizes $sizes --iterations 10 --warmup 1 -o $alg.json \
		>/dev/null 2>&1
	ok $? "np5 $alg: exits 0"
	check_run $alg.json "np5 $prov $alg" 5
	json_true $alg.json "all(s['algorithm'] == '$alg' and s['checked_algorithms'] == ['$alg'] for s in d['phases']['fabric']['allreduce']['sizes']) and 'crossover_bytes' not in d['phases']['fabric']['allreduce']"
	ok $? "np5 $alg: every size timed and checked with $alg, no crossover"
	json_true $alg.json "all(s['mpi_latency_p50_ns'] is None and s['mpi_over_fabric_ratio'] is None and 'did not measure' in s['mpi_over_fabric_reason'] for s in d['phases']['fabric']['allreduce']['sizes'])"
	ok $? "np5 $alg: without the allreduce phase the ratio is null with the reason"
done
json_true ring.json "[(e['rank'], e['sent_floor_bytes'], e['tx_bytes']) for e in d['phases']['fabric']['allreduce']['efa_tx_bytes']] == [(r, sum((1 + 10 + 1) * 4 * (2 * (b // 4) - sum(b // 4 // 5 + (c < b // 4 % 5) for c in ((r + 1) % 5, (r + 2) % 5))) for b in (4, 12, 20, 1024, 65540)), 0) for r in range(5)]"
ok $? "fake EFA tree: every rank's floor is the ring's payload, all chunks but two a call; its tx_bytes delta read"
json_true ring.json "all(e['sent_floor_bytes'] >= 12 * sum(2 * (5 - 1) / 5 * b - 8 for b in (4, 12, 20, 1024, 65540)) for e in d['phases']['fabric']['allreduce']['efa_tx_bytes'])"
ok $? "fake EFA tree: at least 2(n-1)/n of each buffer a call, less two floats for uneven chunks"
json_true ring.json "d['phases']['fabric']['allreduce']['efa_check_reason'] == 'the provider is not efa' and d['phases']['fabric']['checks'] == []"
ok $? "fake EFA tree: not judged unless the provider is efa"

# A wrong sum, injected on rank 2 at element 5 (test-only hook).
$mpirun -np 3 -x HPCPROBE_TEST_FABRIC_AR_CORRUPT=2:5 "$bin" --phases fabric \
	--fabric-provider shm --fabric-allreduce ring --sizes 64 \
	--iterations 10 --warmup 1 -o bad.json >/dev/null 2>&1
ok $((! $?)) "wrong sum: the run exits non-zero"
json_true bad.json "d['phases']['fabric']['status'] == 'failed' and 'wrong sum on rank 2 at element 5 (iteration 0' in d['phases']['fabric']['reason']"
ok $? "wrong sum: the phase fails naming rank 2 and element 5: $(json_query bad.json "d['phases']['fabric'].get('reason')" 2>/dev/null)"
json_true bad.json "any('HPCPROBE_TEST_FABRIC_AR_CORRUPT' in w for w in d['warnings'])"
ok $? "wrong sum: the document says the test hook was on"

# --- a silent peer: rank 1 stops before the first timed call ------------------
# The ranks wait on the fabric, where MPI cannot see them: the watchdog
# must still end the job, naming the phase and the rank waited on.
host=$(hostname)
$mpirun -np 2 -x HPCPROBE_TEST_FABRIC_AR_STOP=1 "$bin" --phases fabric \
	--fabric-provider "tcp;ofi_rxm" --sizes 8 --iterations 100 \
	--timeout 3 -o "$work/stop.json" >/dev/null 2>stop.err &
run=$!
# The bound runs from the fault (rank 1 seen stopped, state T), not from
# the start: a slow start on a busy host is not a hang.
stopped=$(stopped_hpcprobe "$work/stop.json" $run)
t0=$(date +%s)
wait $run
status=$?
took=$(($(date +%s) - t0))
# Only this run's ranks, known by the output's full path: other tests
# beside this one (faults.sh) run jobs with a stop.json of their own.
for p in $(pgrep -x hpcprobe); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "$work/stop.json" &&
		kill -KILL "$p" 2>/dev/null
done
[ -n "$stopped" ] && [ "$status" -ne 0 ] && [ "$took" -le 30 ]
ok $? "silent peer in the all-reduce: the job ends non-zero ($status) ${took} s after rank 1 stopped (${stopped:-not seen}; bound: 30 s with --timeout 3)"
json_true stop.json "d['phases']['fabric']['status'] == 'failed' and 'waiting on rank 1 ($host)' in d['phases']['fabric']['reason'] and 'phase fabric' in d['phases']['fabric']['reason']"
ok $? "silent peer: the fabric phase failed naming the rank it waited on: $(json_query stop.json "d['phases']['fabric'].get('reason')" 2>/dev/null)"

done_testing
