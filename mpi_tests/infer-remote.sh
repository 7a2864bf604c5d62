#!/bin/sh
# The infer phase's --infer-remote through the real binary: client ranks
# send requests over MPI to paired server ranks.  Against answers known in
# advance: the pairing (one node: even ranks serve, odd ask; nodes stood
# in for by HPCPROBE_TEST_RANK_IS_NODE: the first half of them serve),
# the identity latency = transport + queue + service in the means with no
# request's server interval longer than its client's (a spin model of
# known service time), and a known delay held on the reply path
# (HPCPROBE_TEST_INFER_REPLY_HOLD, odd requests) raising their transport
# by at least the hold, and by no more than the hold plus the noise the
# instrument measured (else it says noisy).
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

I="d['phases']['infer']"
P="$I['points'][0]"
T="$P['transport']"
H="$T['injected_reply_hold']"
# Unbound: each rank's polling thread and server thread need a CPU.
OMPI_MCA_hwloc_base_binding_policy=none
export OMPI_MCA_hwloc_base_binding_policy
spin="--phases infer --infer-model spin:100 --infer-p99 1s"

# --- 2 ranks, one node, a 2 ms hold on odd replies --------------------------
# shellcheck disable=SC2086
HPCPROBE_TEST_INFER_REPLY_HOLD=2ms $mpirun -np 2 "$bin" $spin \
	--infer-remote --infer-max-batch 1 --infer-rates 1000 \
	--infer-requests 1000 -o h.json >/dev/null 2>err.txt
ok $? "np 2 --infer-remote, spin:100 at 1000/s, replies to odd requests held 2 ms: exits 0"
schema_check h.json
json_true h.json "$I['status'] == 'ok' and $I['mode'] == 'remote' and $I['remote']['placement'] == 'same-node' and $I['remote']['pairs_count'] == 1 and $I['remote']['server_nodes_count'] == 1 and $I['remote']['idle_ranks_count'] == 0 and [(p['client_rank'], p['server_rank']) for p in $P['pairs']] == [(1, 0)]"
ok $? "one node: rank 0 serves rank 1, recorded as same-node"
json_true h.json "$P['requests_count'] == 1000 and $P['offered_per_s'] == 1000 and sum(b['batch_size'] * b['batches_count'] for b in $P['batch_sizes']) == 1000"
ok $? "the client's 1000 requests, offered 1 x 1000/s, the server's batches add up to them"
json_true h.json "$T['negative_count'] == 0 and abs($T['latency_mean_ns'] - ($T['queue_mean_ns'] + $T['service_mean_ns'] + $T['mean_ns'])) <= 1e-9 * $T['latency_mean_ns'] + 1"
ok $? "latency = transport + queue + service in the means ($(json_query h.json "round($T['latency_mean_ns'])") = $(json_query h.json "round($T['mean_ns'])") + $(json_query h.json "round($T['queue_mean_ns'])") + $(json_query h.json "round($T['service_mean_ns'])") ns), no request's transport negative"
json_true h.json "$P['service_ns']['min'] >= 100000 and $P['latency_ns']['min'] >= $P['service_ns']['min'] + $T['min_ns']"
ok $? "a 100 us spin: service min $(json_query h.json "$P['service_ns']['min']") ns >= 100 us, latency min >= service min + transport min"
json_true h.json "$H['held_count'] == 500 and $H['hold_ns'] == 2e6 and $H['held_transport_min_ns'] >= 2e6"
ok $? "every held reply's transport >= the 2 ms hold (min $(json_query h.json "$H['held_transport_min_ns']") ns)"
desc="held replies' transport $(json_query h.json "round($H['held_transport_mean_ns'])") ns against $(json_query h.json "round($H['other_transport_mean_ns'])"): rise $(json_query h.json "round($H['rise_ns'])") ns, noise $(json_query h.json "round($H['noise_ns'])")"
if ! json_true h.json "$H['noisy']"; then
	json_true h.json "2e6 <= $H['rise_ns'] <= 2e6 + $H['noise_ns']"
	ok $? "the hold raises transport by 2 ms plus at most the noise: $desc"
else
	skip "the hold raises transport by 2 ms" "noisy: $(json_query h.json "$H['noisy_reason']")"
fi

# --- 4 ranks as 4 nodes: the first two serve --------------------------------
# shellcheck disable=SC2086
HPCPROBE_TEST_RANK_IS_NODE=1 $mpirun -np 4 "$bin" $spin --infer-remote \
	--infer-max-batch 4 --infer-rates 500 --infer-requests 600 \
	-o n.json >n.txt 2>err.txt
ok $? "np 4 as 4 nodes --infer-remote, batch up to 4 at 500/s per client: exits 0"
schema_check n.json
json_true n.json "$I['remote']['placement'] == 'inter-node' and $I['remote']['pairs_count'] == 2 and $I['remote']['server_nodes_count'] == 2 and [(p['client_rank'], p['server_rank']) for p in $P['pairs']] == [(2, 0), (3, 1)] and 'injected_reply_hold' not in $T"
ok $? "4 nodes: ranks 0 and 1 (first half) serve 2 and 3, inter-node; no hold without the hook"
grep -q "inference: .* per serving node (remote)" n.txt
ok $? "the summary's rate is per serving node: $(grep 'inference:' n.txt)"
json_true n.json "$P['requests_count'] == 1200 == sum(p['requests_count'] for p in $P['pairs']) and $P['offered_per_s'] == 1000 and sum(b['batch_size'] * b['batches_count'] for b in $P['batch_sizes']) == 1200 and max(b['batch_size'] for b in $P['batch_sizes']) <= 4 and abs($P['achieved_per_s'] - sum(p['achieved_per_s'] for p in $P['pairs'])) <= 1e-6 * $P['achieved_per_s'] and $P['latency_ns']['max'] >= max(p['p99_ns'] for p in $P['pairs'])"
ok $? "merged: requests and achieved rates the pairs' sums, offered 2 x 500, batches add up within the cap, max above every pair's p99"
json_true n.json "$T['negative_count'] == 0 and abs($T['latency_mean_ns'] - ($T['queue_mean_ns'] + $T['service_mean_ns'] + $T['mean_ns'])) <= 1e-9 * $T['latency_mean_ns'] + 1 and abs($T['mean_ns'] - sum(p['transport_mean_ns'] * p['requests_count'] for p in $P['pairs']) / 1200) <= 1e-6 * $T['mean_ns'] + 1"
ok $? "merged transport: the identity holds and it is the pairs' request-weighted mean ($(json_query n.json "round($T['mean_ns'])") ns, $(json_query n.json "round(100 * $T['share_ratio'], 1)") % of the latency)"

# --- 3 ranks, one node: one rank has no partner ------------------------------
# shellcheck disable=SC2086
$mpirun -np 3 "$bin" $spin --infer-remote --infer-max-batch 1 \
	--infer-rates 500 --infer-requests 300 -o i.json >/dev/null 2>err.txt
ok $? "np 3 --infer-remote: exits 0"
json_true i.json "$I['remote']['pairs_count'] == 1 and $I['remote']['idle_ranks_count'] == 1 and [(p['client_rank'], p['server_rank']) for p in $P['pairs']] == [(1, 0)] and $P['requests_count'] == 300 and $P['offered_per_s'] == 500"
ok $? "np 3: rank 2 idle and recorded, only the pair's 300 requests"

# --- a bad test hook: the phase fails with the reason, on every rank --------
# shellcheck disable=SC2086
HPCPROBE_TEST_INFER_REPLY_HOLD=soon $mpirun -np 2 "$bin" $spin --infer-remote \
	--infer-rates 100 --infer-requests 50 -o b.json >/dev/null 2>err.txt
json_true b.json "$I['status'] == 'failed' and 'HPCPROBE_TEST_INFER_REPLY_HOLD' in $I['reason']"
ok $? "HPCPROBE_TEST_INFER_REPLY_HOLD=soon: the phase failed, saying why ($(json_query b.json "$I['reason']"))"

done_testing
