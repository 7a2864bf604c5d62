#!/bin/sh
# The infer phase through the real binary, against answers known in
# advance: M/D/1 queueing with a spin model of known service time, an
# injected server stall seen from the scheduled arrival and hidden from
# the actual send by a coordinated client, the stopping rule's counts and
# a run too short for p99, a target no load meets, and the job-wide
# identities of a quick run at 2 ranks.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

I="d['phases']['infer']"

# --- a quick run at 2 ranks: the identities -----------------------------
$mpirun -np 2 "$bin" --phases infer --quick -o q.json >q.txt 2>err.txt
ok $? "np 2 --quick: exits 0"
schema_check q.json
json_true q.json "$I['status'] == 'ok' and $I['p99_needed_count'] == 459 and $I['p99_9_needed_count'] == 4603 and $I['model']['weights'] == 'seeded' and $I['model']['layer_widths'] == [784, 256, 128, 10]"
ok $? "seeded 784-256-128-10 model; the stopping rule's 459 and 4603 in the document"
json_true q.json "all(p['latency_ns']['min'] <= p['latency_ns']['p50'] <= p['latency_ns']['p90'] <= p['latency_ns']['p99'] <= p['latency_ns']['max'] and sum(b['batch_size'] * b['batches_count'] for b in p['batch_sizes']) == p['requests_count'] and p['latency_ns']['max'] >= p['queue_ns']['max'] and abs(p['offered_per_s'] - 2 * p['offered_per_rank_per_s']) < 1e-6 * p['offered_per_s'] for p in $I['points'])"
ok $? "every point: ordered percentiles, batches add up to the requests, queue within latency, offered = 2 x per rank"
json_true q.json "(lambda b: b['batch_size'] in [o['batch_size'] for o in $I['offline']] and ((b['rate_per_s'] is None and 'reason' in b) or (b['p99_ns'] <= $I['target_p99_ns'] and b['rate_per_s'] == max(p['achieved_per_s'] for p in $I['points'] if p['verdict'] == 'meets'))))($I['best'])"
ok $? "best: an offline batch size, the highest achieved rate meeting the target: $(json_query q.json "$I['best']['rate_per_s']") req/s at batch $(json_query q.json "$I['best']['batch_size']")"
grep -q "inference:" q.txt
ok $? "the summary has the inference finding: $(grep 'inference:' q.txt)"

# --- M/D/1: spin 250 us at batch 1, rho 0.5 and 0.8 ------------------------
# Unbound, so that the generator and the server each get a CPU of their
# own (bound to a core, the busy-waiting server would hold the generator
# back a service time); Open MPI reads this, other launchers ignore it.
# Ten thousand Poisson arrivals leave the mean wait a sampling error of
# about 4 % (rho 0.5) and 8 % (rho 0.8) standard deviation; seed 8's give
# an ideal server -1.0 % and -0.5 % of the formula (seed 1's: -3.6 % and
# +8.8 %), so what is left is the instrument's.
OMPI_MCA_hwloc_base_binding_policy=none
export OMPI_MCA_hwloc_base_binding_policy
$mpirun -np 1 "$bin" --phases infer --infer-model spin:250 --infer-max-batch 1 \
	--infer-rates 2000,3200 --infer-requests 10000 --infer-p99 1s \
	--infer-seed 8 -o md1.json >/dev/null 2>&1
ok $? "np 1 spin:250 at 2000 and 3200 requests/s: exits 0 ($(json_query md1.json "$I['binding']['rank0']"))"
for i in 0 1; do
	q="$I['points'][$i]['queueing']"
	desc="rho $(json_query md1.json "round($q['rho_ratio'], 3)"): measured $(json_query md1.json "round($q['measured_queue_mean_ns'])") ns, M/D/1 $(json_query md1.json "round($q['md1_queue_mean_ns'])"), P-K $(json_query md1.json "$q['pk_queue_mean_ns'] and round($q['pk_queue_mean_ns'])"), ideal on these arrivals $(json_query md1.json "round($q['ideal_queue_mean_ns'])"), service CV $(json_query md1.json "round($q['measured_service_cv_ratio'], 4)")"
	json_true md1.json "abs($q['ideal_queue_mean_ns'] - $q['md1_queue_mean_ns']) <= 0.02 * $q['md1_queue_mean_ns']"
	ok $? "seed 8's arrivals: an ideal M/D/1 server waits within 2 % of the formula ($(json_query md1.json "round($q['ideal_queue_mean_ns'])") against $(json_query md1.json "round($q['md1_queue_mean_ns'])") ns)"
	if ! json_true md1.json "$q['noisy']"; then
		json_true md1.json "abs($q['measured_queue_mean_ns'] - $q['md1_queue_mean_ns']) <= 0.1 * $q['md1_queue_mean_ns']"
		ok $? "M/D/1 $desc: within 10 %"
	else
		# A descheduled server's service times are long in bursts, not
		# independent: not even M/G/1 (the P-K value, shown) is what the
		# method guarantees then, so the point is not judged.
		skip "M/D/1 $desc" "noisy: $(json_query md1.json "$q['noisy_reason']")"
	fi
done

# --- no coordinated omission: a 100 ms stall -------------------------------
co="--phases infer --infer-model spin:200 --infer-max-batch 1 --infer-rates 1000 --infer-requests 2000 --infer-p99 1s"
P="$I['points'][0]"
# shellcheck disable=SC2086
$mpirun -np 1 "$bin" $co -o base.json >/dev/null 2>&1 &&
	$mpirun -np 1 "$bin" $co --infer-stall 100ms -o stall.json >/dev/null 2>&1 &&
	$mpirun -np 1 "$bin" $co --infer-stall 100ms --infer-client coordinated -o coord.json >/dev/null 2>&1
ok $? "spin:200 at 1000/s: without, with a 100 ms stall, and with it under a coordinated client: all exit 0"
base50=$(json_query base.json "$P['latency_ns']['p50']")
base99=$(json_query base.json "$P['latency_ns']['p99']")
if ! json_true base.json "$P['latency_ns']['p99'] < 25e6 and not $P['saturated']"; then
	# The stall is judged against a quarter of it: a host that delays
	# requests that much without it cannot show it.
	skip "the 100 ms stall, open and coordinated" "noisy: without the stall p50 $base50 ns, p99 $base99 ns (>= 25 ms, or the server saturated): the host is too busy to judge it"
	skip "the stall hidden by a coordinated client" "noisy (as above)"
else
	# About 100 of the 2000 requests arrive during the stall: p99 (the
	# 20th from the top) waits most of it.  The backlog then drains at
	# 1/service - rate, so rate x stall / (1 - rho) requests are delayed,
	# rho being the server's load from its own measured service times in
	# this run (arrival rate x their mean: a p50 missed the descheduled
	# tail, 0.199 while the median request waited 32 ms under the
	# sanitizers at load 14): under rho = 0.5 that is at most a tenth of
	# them and the median is an unaffected request.  A busy host that
	# stretches the 200 us spin makes rho near 1 and the backlog never
	# drains: the median then moves by queueing theory, not by omission,
	# and is not judged; nor when the point says other work held the CPUs.
	rho=$(json_query stall.json "round($P['arrival_per_s'] * $P['service_mean_ns'] / 1e9, 3)")
	json_true stall.json "$P['latency_ns']['p99'] >= 50e6 and 100e6 <= $P['latency_ns']['max']"
	ok $? "open loop: the stall raises p99 to $(json_query stall.json "$P['latency_ns']['p99'] / 1e6") ms and max to $(json_query stall.json "$P['latency_ns']['max'] / 1e6") ms (without: p50 $base50, p99 $base99)"
	if json_true stall.json "$P['noisy']"; then
		skip "open loop: p50 stays with the stall" "noisy host: $(json_query stall.json "$P['noisy_reason']")"
	elif json_true stall.json "$P['arrival_per_s'] * $P['service_mean_ns'] / 1e9 < 0.5"; then
		json_true stall.json "$P['latency_ns']['p50'] < 25e6"
		ok $? "open loop: p50 $(json_query stall.json "$P['latency_ns']['p50']") ns stays with the stall (server load $rho from its measured service times)"
	else
		skip "open loop: p50 stays with the stall" "noisy: the server's measured service times made its load $rho (>= 0.5): the backlog after the stall drains too slowly for the median to be an unaffected request"
	fi
	# A client that waits for each answer sends nothing during the stall:
	# one request sees it from its send, the others are merely sent late.
	# So from the send the p99 is the host's own (one request in 2000 is
	# below it), which a busy host may make tens of ms: the stall is hidden
	# when that p99 is at most half the one from the scheduled arrival.
	# Judged on this run's own noise verdict, not the base run's.
	if json_true coord.json "$P['noisy'] and $P['latency_from_send_ns']['p99'] > 0.5 * $P['latency_ns']['p99']"; then
		json_true coord.json "$P['latency_ns']['p99'] >= 50e6 and $P['latency_from_send_ns']['max'] >= 100e6"
		ok $? "coordinated client: the stall in the scheduled-arrival p99 ($(json_query coord.json "$P['latency_ns']['p99'] / 1e6") ms) and in one request from its send"
		skip "coordinated client: from the actual send the p99 hides the stall" "noisy host: $(json_query coord.json "$P['noisy_reason']"); from the send p99 $(json_query coord.json "$P['latency_from_send_ns']['p99'] / 1e6") ms"
	else
		json_true coord.json "$P['latency_ns']['p99'] >= 50e6 and $P['latency_from_send_ns']['p99'] <= 0.5 * $P['latency_ns']['p99'] and $P['latency_from_send_ns']['max'] >= 100e6"
		ok $? "coordinated client: from the scheduled arrival p99 $(json_query coord.json "$P['latency_ns']['p99'] / 1e6") ms; from the actual send p99 $(json_query coord.json "$P['latency_from_send_ns']['p99'] / 1e6") ms hides it (one request of 2000 saw it)"
	fi
fi

# --- the stopping rule: 300 requests are too few for p99 ---------------------
$mpirun -np 1 "$bin" --phases infer --infer-model spin:100 --infer-max-batch 1 \
	--infer-rates 500 --infer-requests 300 -o few.json >/dev/null 2>&1
ok $? "300 requests: exits 0"
json_true few.json "$I['points'][0]['verdict'] == 'too few samples' and $I['best']['rate_per_s'] is None and 'too few samples' in $I['best']['reason']"
ok $? "300 requests: too few samples, no best: $(json_query few.json "$I['best']['reason']")"

# --- a target no load meets is a result ------------------------------------
$mpirun -np 1 "$bin" --phases infer --quick --infer-p99 1us -o none.json >/dev/null 2>&1
ok $? "p99 under 1 us: exits 0"
json_true none.json "$I['status'] == 'ok' and $I['best']['rate_per_s'] is None and $I['best']['lowest_p99_ns'] > 1000 and 'no load tried met' in $I['best']['reason'] and '): over the target' in $I['best']['reason']"
ok $? "no load meets 1 us: a result, $(json_query none.json "$I['best']['reason']")"
# Every point says whether other work held the CPUs while it ran, by the
# host_load rule, and why; the best (here the lowest p99) carries its own.
noisy_rule="all(p['noisy'] == p['host_load']['noisy'] and ('noisy_reason' in p) == p['noisy'] for p in $I['points'] + [$I['best']])"
json_true none.json "$noisy_rule"
ok $? "every point and the best: noisy as host_load says, with a reason when noisy ($(json_query none.json "[p['host_load'].get('foreign_cpu_fraction') for p in $I['points']]"))"

# --- under the target, yet missed: saturated ------------------------------
# spin:100 serves 10 000/s at most; offered 100 000/s, the 600 requests'
# p99 (the backlog, about 60 ms) is far under 10 s, yet the queue grows.
$mpirun -np 1 "$bin" --phases infer --infer-model spin:100 --infer-max-batch 1 \
	--infer-rates 100000 --infer-requests 600 --infer-p99 10s \
	-o sat.json >/dev/null 2>&1
ok $? "offered 10 x what spin:100 serves: exits 0"
json_true sat.json "$I['points'][0]['saturated'] and $I['points'][0]['latency_ns']['p99'] < 10e9 and $I['best']['rate_per_s'] is None and '): under the target, but saturated: ' in $I['best']['reason'] and $noisy_rule"
ok $? "saturated: the reason says the p99 was under the target and why it missed: $(json_query sat.json "$I['best']['reason']")"

done_testing
