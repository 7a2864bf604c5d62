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


# Python predicates on one size entry, for json_true.  ordered: the
# percentiles present lie between min and max in order.  nulls_right: a
# percentile is null exactly when samples_count cannot support it (p50
# needs 1, p90 10, p99 100, p99.9 1000), and then percentiles_reason names
# the sample count.
ordered="(lambda s: (lambda v: v == sorted(v))([x for x in (s['latency_ns'][k] for k in ('min', 'p50', 'p90', 'p99', 'p99_9', 'max')) if x is not None]))"
nulls_right="(lambda s: (lambda l, c: all((l[k] is None) == (c < need) for k, need in (('p50', 1), ('p90', 10), ('p99', 100), ('p99_9', 1000))) and ('percentiles_reason' in l) == (c < 1000) and (c >= 1000 or (l['percentiles_reason'].startswith('too few samples for ') and l['percentiles_reason'].endswith(': %d' % c))))(s['latency_ns'], s['samples_count']))"

# Checks shared by both runs; $1 document, $2 ranks.
common_checks() {
	d=$1 n=$2
	json_true "$d" "d['phases']['pingpong']['status'] == 'ok' and d['phases']['allreduce']['status'] == 'ok'"
	ok $? "np $n: pingpong and allreduce ok: $(json_query "$d" "[(k, v.get('status'), v.get('reason')) for k, v in d['phases'].items()]" 2>&1 | tail -c 400)"
	json_true "$d" "all($ordered(s) for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
	ok $? "np $n: ping-pong min <= p50 <= p90 <= p99 <= p99_9 <= max for every size (those present)"
	json_true "$d" "all($nulls_right(s) for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
	ok $? "np $n: ping-pong percentiles null exactly below 10/100/1000 samples, with the reason"
	json_true "$d" "all(s['samples_count'] == s['iterations'] for p in d['phases']['pingpong']['pairs'] for s in p['sizes'])"
	ok $? "np $n: ping-pong sample counts equal the iteration counts"
	json_true "$d" "any(p['kind'] == 'intra_node' and p['hosts'][0] == p['hosts'][1] for p in d['phases']['pingpong']['pairs'])"
	ok $? "np $n: an intra-node pair on one host"
	json_true "$d" "'half the round trip' in d['phases']['pingpong']['latency_definition']"
	ok $? "np $n: latency_definition says half the round trip"
	json_true "$d" "all($ordered(s) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: all-reduce min <= p50 <= p99 <= max for every size (those present)"
	json_true "$d" "all($nulls_right(s) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: all-reduce percentiles null exactly below their sample counts, with the reason"
	json_true "$d" "(lambda m: len(m['p99_latency_ns']) == len(m['hosts']) and all(len(r) == len(m['hosts']) for r in m['p99_latency_ns']) and 'median polish' in m['outlier_model']['model'] and 'p99' in m['outlier_rule'])(d['phases']['pingpong']['node_matrix'])"
	ok $? "np $n: node matrix has a p99 matrix beside the p50 one and the median-polish rule"
	json_true "$d" "all(s['samples_count'] == s['iterations'] and s['all_calls_samples_count'] == s['iterations'] * $n for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: all-reduce completion samples = iterations, every call = iterations x $n ranks"
	json_true "$d" "all(s['latency_ns']['p50'] >= s['per_rank_p50_ns']['max'] and s['latency_ns']['mean'] >= s['rank_mean_latency_ns']['max'] - 1 and s['latency_ns']['max'] == s['all_calls_latency_ns']['max'] for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: completion time (max over ranks) dominates every rank: p50 >= each rank's p50, mean >= each rank's mean"
	json_true "$d" "all(s['per_rank_p50_ns']['min'] <= s['per_rank_p50_ns']['median'] <= s['per_rank_p50_ns']['max'] and len(s['per_rank']) == $n and [r['rank'] for r in s['per_rank']] == list(range($n)) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: the per-rank view lists every rank's own p50 and mean"
	json_true "$d" "all(0 < s['slowest_rank_completion_share_ratio'] <= 1 and s['preemptions_count'] >= 0 and s['noisy'] == (s['disturbed_iterations_bound_ratio'] > 0.1 or s['level_shift']['shifted'] is True) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: completion share of the slowest rank, preemptions and the noisy flag by its rule (switched out in over 10 % of the iterations, or a level shift)"
	json_true "$d" "all((lambda l: l['segments_count'] * l['segment_iterations'] <= s['iterations'] and (l['shifted'] is None) == (l['segments_count'] < 8) and (l['shifted'] is None or l['shifted'] == (l['p90_over_p10_ratio'] > 1.2)) and (l['segments_count'] == 0 or l['segment_p50_ns']['min'] <= l['segment_p50_ns']['p10'] <= l['segment_p50_ns']['median'] <= l['segment_p50_ns']['p90'] <= l['segment_p50_ns']['max']))(s['level_shift']) for s in d['phases']['allreduce']['sizes'])"
	ok $? "np $n: every all-reduce size says whether its completion time kept one level: segments within the loop, ordered segment p50s, judged from 8 segments, shifted above 1.2"
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

# A run that fails shows its stderr here: the work directory goes at exit.
$mpirun -np 2 "$bin" --phases pingpong,allreduce --quick -o r2.json \
	>out2.txt 2>err2.txt
st=$?
ok $st "np 2 --quick: exits 0 ($st)"
[ "$st" -eq 0 ] || tail -n 20 err2.txt | sed 's/^/# /'
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
json_true r2.json "all(s['latency_ns']['p99_9'] is None and s['latency_ns']['p99'] is not None and s['latency_ns']['percentiles_reason'] == 'too few samples for p99.9: 100' for s in d['phases']['pingpong']['pairs'][0]['sizes'] if s['bytes'] > 8192)"
ok $? "np 2 --quick: 100 samples above 8 KiB give a null p99.9 with the reason"

# --- 50 samples per size: p99 and p99.9 cannot be estimated ----------------
report=${HPCP_REPORT_BIN:?}
$mpirun -np 2 "$bin" --phases pingpong --sizes 8,1k --iterations 50 \
	--warmup 5 --emf=m50.jsonl --prom m50.prom -o r50.json \
	>out50.txt 2>err50.txt
ok $? "np 2 --iterations 50: exits 0"
schema_check r50.json
json_true r50.json "all(s['samples_count'] == 50 and s['latency_ns']['p90'] is not None and s['latency_ns']['p99'] is None and s['latency_ns']['p99_9'] is None and s['latency_ns']['percentiles_reason'] == 'too few samples for p99 and p99.9: 50' for s in d['phases']['pingpong']['pairs'][0]['sizes'])"
ok $? "50 samples: p90 kept, p99 and p99.9 null, reason 'too few samples for p99 and p99.9: 50'"
grep -Eq '^ +8 +[0-9.]+ (ns|us|ms|s) +n/a ' out50.txt && grep -q 'n/a (too few samples)' out50.txt
ok $? "summary: the null p99 shows as n/a with a note, not as a number"
grep -q '"LatencyP50"' m50.jsonl && ! grep -q '"LatencyP99"' m50.jsonl
ok $? "EMF: p50 sent, the null p99 left out (never sent as 0)"
grep -q 'quantile="0.9"' m50.prom && ! grep -q 'quantile="0.99' m50.prom
ok $? "Prometheus: the 0.9 quantile written, 0.99 and 0.999 left out"
"$report" r50.json -o r50.html >/dev/null 2>&1 && grep -q 'title="too few samples for p99 and p99.9: 50">n/a<' r50.html
ok $? "HTML report: the null p99 is n/a with the reason"
"$report" --baseline r2.json r50.json >gate50.txt 2>&1
grep -Eq '^pingpong.intra_node.8B.p99_ns +[0-9.e+]+ +n/a .*not compared' gate50.txt && ! grep -Eq '^pingpong.intra_node.8B.p99_ns.*(REGRESSED|ok)$' gate50.txt
ok $? "gate: a null p99 is not compared (never as 0): $(grep 8B.p99_ns gate50.txt)"

$mpirun -np 4 "$bin" --phases pingpong,allreduce --sizes 8,1k,64k \
	--iterations 300 --warmup 5 --validate -o r4.json >out4.txt 2>err4.txt
st=$?
ok $st "np 4 --sizes 8,1k,64k --iterations 300 --validate: exits 0 ($st)"
[ "$st" -eq 0 ] || tail -n 20 err4.txt | sed 's/^/# /'
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

# --- foreign CPU load (hostload.h) -------------------------------------------
# On any host the verdict is an identity of its own figures; with one busy
# loop per CPU beside the job, other work holds about half of the CPUs
# (more, as the waiting ranks yield), which must be seen.
consistent="(lambda h: h['measured'] and 0 <= h['foreign_cpu_fraction'] <= 1 and h['noisy'] == (h['foreign_cpu_fraction'] > h['threshold'] + h['resolution']) and ('noisy_reason' in h) == h['noisy'])"
json_true r4.json "$consistent(d['phases']['pingpong']['host_load']) and $consistent(d['phases']['pingpong']['node_matrix']['host_load']) and $consistent(d['phases']['allreduce']['host_load']) and d['phases']['pingpong']['node_matrix']['noisy'] == d['phases']['pingpong']['node_matrix']['host_load']['noisy']"
ok $? "np 4: host load of the pairs, the matrix and the all-reduce: noisy exactly when the foreign share exceeds threshold + resolution"
hogs=
trap 'kill $hogs 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq "$(nproc)"); do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
# Beside the loops every iteration waits for a time slice: the run is slow
# by design (seen over 180 s under the sanitizers on a busy host with 3000
# iterations), so fewer iterations and a longer limit; the foreign share
# is measured whatever the count.
start=$(date +%s)
HPCP_TEST_TIMEOUT=480 $mpirun -np 2 "$bin" --phases pingpong --sizes 8,64k \
	--iterations 1000 -o hog.json >outhog.txt 2>errhog.txt
rc=$?
kill $hogs 2>/dev/null
hogs=
ok $rc "np 2 with one busy loop per CPU beside the job: exits 0 (status $rc after $(($(date +%s) - start)) s$([ $rc -ne 0 ] && printf '; %s' "$(tail -2 errhog.txt | tr '\n' ' ')"))"
json_true hog.json "(lambda h: h['noisy'] and h['foreign_cpu_fraction'] > h['threshold'] and h['noisy_reason'].startswith('other work took'))(d['phases']['pingpong']['host_load'])"
ok $? "busy loops beside the job: the pairs' host load is noisy ($(json_query hog.json "d['phases']['pingpong']['host_load'].get('foreign_cpu_fraction')" 2>/dev/null))"
grep -q 'pairs: noisy host: other work took' outhog.txt
ok $? "busy loops beside the job: the summary says noisy host"

done_testing
