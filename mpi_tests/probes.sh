#!/bin/sh
# pingpong and allreduce through the real binary at 2 and 4 ranks: schema-
# valid distributions for every size, ordered percentiles, sample counts
# equal to the iteration counts, busbw by its formula, correct sums.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1


# Checks shared by both runs; $1 document, $2 ranks.
common_checks() {
	d=$1 n=$2
	json_true "$d" "d['phases']['pingpong']['status'] == 'ok' and d['phases']['allreduce']['status'] == 'ok'"
	ok $? "np $n: pingpong and allreduce ok"
	json_true "$d" "all(s['latency_ns']['min'] <= s['latency_ns']['p50'] <= s['latency_ns']['p90'] <= s['latency_ns']['p99'] <= s['latency_ns']['p99_9'] <= s['latency_ns']['max'] for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
	ok $? "np $n: ping-pong min <= p50 <= p90 <= p99 <= p99_9 <= max for every size"
	json_true "$d" "all(s['samples_count'] == s['iterations'] for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
	ok $? "np $n: ping-pong sample counts equal the iteration counts"
	json_true "$d" "any(p['kind'] == 'intra_node' and p['hosts'][0] == p['hosts'][1] for p in d['phases']['pingpong']['pairs'])"
	ok $? "np $n: an intra-node pair on one host"
	json_true "$d" "'half the round trip' in d['phases']['pingpong']['latency_definition']"
	ok $? "np $n: latency_definition says half the round trip"
	json_true "$d" "all(s['latency_ns']['min'] <= s['latency_ns']['p50'] <= s['latency_ns']['p99'] <= s['latency_ns']['max'] for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: all-reduce p50 <= p99 <= max for every size"
	json_true "$d" "all(s['samples_count'] == s['iterations'] and s['all_calls_samples_count'] == s['iterations'] * $n for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: all-reduce completion samples = iterations, every call = iterations x $n ranks"
	json_true "$d" "all(s['latency_ns']['p50'] >= s['per_rank_p50_ns']['max'] and s['latency_ns']['mean'] >= s['rank_mean_latency_ns']['max'] - 1 and s['latency_ns']['max'] == s['all_calls_latency_ns']['max'] for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: completion time (max over ranks) dominates every rank: p50 >= each rank's p50, mean >= each rank's mean"
	json_true "$d" "all(s['per_rank_p50_ns']['min'] <= s['per_rank_p50_ns']['median'] <= s['per_rank_p50_ns']['max'] and len(s['per_rank']) == $n and [r['rank'] for r in s['per_rank']] == list(range($n)) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: the per-rank view lists every rank's own p50 and mean"
	json_true "$d" "all(0 < s['slowest_rank_completion_share_ratio'] <= 1 and s['preemptions_count'] >= 0 and s['noisy'] == (s['disturbed_iterations_bound_ratio'] > 0.1) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: completion share of the slowest rank, preemptions and the noisy flag by its rule"
	json_true "$d" "all(abs(s['latency_ns']['mean'] - s['loop_mean_latency_ns']) <= 1 for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
	ok $? "np $n: one clock read per ping-pong iteration: the samples add up to the whole loop (mean = loop mean within 1 ns)"
	json_true "$d" "d['context']['timer_overhead_ns'] > 0"
	ok $? "np $n: the clock read's cost is recorded ($(json_query "$d" "d['context']['timer_overhead_ns']") ns)"
	json_true "$d" "all(abs(s['busbw_bytes_per_s'] - s['algbw_bytes_per_s'] * 2 * ($n - 1) / $n) <= 1e-6 * s['algbw_bytes_per_s'] for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: busbw = algbw x 2(n-1)/n"
	json_true "$d" "d['phases']['allreduce']['nodes'] == 1 and all(s['busbw_nodes_bytes_per_s'] is None and 'one node' in s['busbw_nodes_reason'] for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n on one node: node-level busbw is null with the reason"
	json_true "$d" "all(s['result_correct'] for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: every all-reduce sum checked correct"
	json_true "$d" "all(s['rank_mean_latency_ns']['min'] <= s['rank_mean_latency_ns']['avg'] <= s['rank_mean_latency_ns']['max'] and 0 <= s['slowest_rank'] < $n for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: per-rank min <= avg <= max and a valid slowest rank"
	json_true "$d" "d['phases']['pingpong']['mpi_components']['pml'] == 'ob1'"
	ok $? "np $n: the pml in use is recorded (ob1)"
}

$mpirun -np 2 "$bin" --phases pingpong,allreduce --quick -o r2.json \
	>out2.txt 2>err2.txt
ok $? "np 2 --quick: exits 0"
schema_check r2.json
common_checks r2.json 2
json_true r2.json "[s['bytes'] for s in d['phases']['pingpong']['pairs'][0]['sizes']] == [0] + [2**k for k in range(23)]"
ok $? "np 2: default ping-pong sweep is 0 B to 4 MiB in powers of two"
json_true r2.json "[s['bytes'] for s in d['phases']['allreduce']['sizes']] == [2**k for k in range(2, 21)]"
ok $? "np 2: default all-reduce sweep is 4 B to 1 MiB"
json_true r2.json "all(s['iterations'] == (1000 if s['bytes'] <= 8192 else 100) for s in d['phases']['pingpong']['pairs'][0]['sizes'])"
ok $? "np 2 --quick: OSU counts cut tenfold (1000 up to 8 KiB, 100 above)"
json_true r2.json "all(s['bandwidth_bytes_per_s'] is None if s['bytes'] == 0 else s['bandwidth_bytes_per_s'] > 0 for s in d['phases']['pingpong']['pairs'][0]['sizes'])"
ok $? "np 2: a bandwidth for every non-empty size"

$mpirun -np 4 "$bin" --phases pingpong,allreduce --sizes 8,1k,64k \
	--iterations 300 --warmup 5 --validate -o r4.json >out4.txt 2>err4.txt
ok $? "np 4 --sizes 8,1k,64k --iterations 300 --validate: exits 0"
schema_check r4.json
common_checks r4.json 4
json_true r4.json "all(s['iterations'] == 300 and s['warmup'] == 5 for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
ok $? "np 4: --iterations and --warmup override the defaults"
json_true r4.json "[s['bytes'] for s in d['phases']['allreduce']['sizes']] == [8, 1024, 65536]"
ok $? "np 4: --sizes applies to the all-reduce"
json_true r4.json "all(s['payload_intact'] for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
ok $? "np 4 --validate: every payload intact"
json_true r4.json "d['phases']['pingpong']['node_matrix']['hosts'] == [h['name'] for h in d['context']['hosts']]"
ok $? "np 4: node matrix over the hosts of the run"

done_testing
