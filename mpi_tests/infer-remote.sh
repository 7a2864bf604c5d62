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
# instrument measured (else it says noisy).  The data path: every request
# carries the model's input row and every reply its output row, counted
# in bytes as they arrived; the mlp's remote outputs equal the client's
# own forward pass of the inputs it sent (bit for bit when every batch is
# of one; within the stated tolerance when batch sizes vary); odd requests
# made 64 KiB larger (HPCPROBE_TEST_INFER_ODD_PAYLOAD) do not have a
# smaller transport beyond the measured noise.
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
json_true h.json "$I['remote']['request_bytes'] == 8 + 3136 and $I['remote']['request_input_bytes'] == 784 * 4 and $I['remote']['reply_bytes'] == 32 + 40 and $I['remote']['reply_output_bytes'] == 10 * 4 and $P['data_path']['request_bytes_received'] == 1000 * 3144 and $P['data_path']['reply_bytes_received'] == 1000 * 72"
ok $? "spin stands in for the mlp: 1000 requests of 8 + 784 x 4 bytes and 1000 replies of 32 + 10 x 4 bytes arrived ($(json_query h.json "$P['data_path']['request_bytes_received']") and $(json_query h.json "$P['data_path']['reply_bytes_received']") bytes)"
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
# A rate only when a load met the target: on a host so busy that the
# point fell behind (saturated), the document says so and why.
if json_true n.json "$I['best']['rate_per_s'] is not None"; then
	grep -q "inference: .* per serving node (remote)" n.txt
	ok $? "the summary's rate is per serving node: $(grep 'inference:' n.txt)"
elif json_true n.json "any(p['noisy'] for p in $I['points'])"; then
	skip "the summary's rate is per serving node" "no load met the target on a busy host: $(json_query n.json "$I['best']['reason']")"
else
	ok 1 "the summary's rate is per serving node: no load met the target on a quiet host: $(grep 'inference:' n.txt)"
fi
json_true n.json "all(p['noisy'] == p['host_load']['noisy'] and ('noisy_reason' in p) == p['noisy'] for p in $I['points'] + [$I['best']])"
ok $? "4 nodes: every point and the best say whether other work held the CPUs, as host_load does"
json_true n.json "$P['requests_count'] == 1200 == sum(p['requests_count'] for p in $P['pairs']) and $P['offered_per_s'] == 1000 and sum(b['batch_size'] * b['batches_count'] for b in $P['batch_sizes']) == 1200 and max(b['batch_size'] for b in $P['batch_sizes']) <= 4 and abs($P['achieved_per_s'] - sum(p['achieved_per_s'] for p in $P['pairs'])) <= 1e-6 * $P['achieved_per_s'] and $P['latency_ns']['max'] >= max(p['p99_ns'] for p in $P['pairs'])"
ok $? "merged: requests and achieved rates the pairs' sums, offered 2 x 500, batches add up within the cap, max above every pair's p99"
json_true n.json "$T['negative_count'] == 0 and abs($T['latency_mean_ns'] - ($T['queue_mean_ns'] + $T['service_mean_ns'] + $T['mean_ns'])) <= 1e-9 * $T['latency_mean_ns'] + 1 and abs($T['mean_ns'] - sum(p['transport_mean_ns'] * p['requests_count'] for p in $P['pairs']) / 1200) <= 1e-6 * $T['mean_ns'] + 1"
ok $? "merged transport: the identity holds and it is the pairs' request-weighted mean ($(json_query n.json "round($T['mean_ns'])") ns, $(json_query n.json "round(100 * $T['share_ratio'], 1)") % of the latency)"
json_true n.json "$P['data_path']['request_bytes_received'] == 1200 * 3144 and $P['data_path']['reply_bytes_received'] == 1200 * 72"
ok $? "merged data path: both servers' received bytes and both clients' summed (1200 requests of 3144 bytes, replies of 72)"

# --- 3 ranks, one node: one rank has no partner ------------------------------
# shellcheck disable=SC2086
$mpirun -np 3 "$bin" $spin --infer-remote --infer-max-batch 1 \
	--infer-rates 500 --infer-requests 300 -o i.json >/dev/null 2>err.txt
ok $? "np 3 --infer-remote: exits 0"
json_true i.json "$I['remote']['pairs_count'] == 1 and $I['remote']['idle_ranks_count'] == 1 and [(p['client_rank'], p['server_rank']) for p in $P['pairs']] == [(1, 0)] and $P['requests_count'] == 300 and $P['offered_per_s'] == 500"
ok $? "np 3: rank 2 idle and recorded, only the pair's 300 requests"

# --- the mlp: the input that came is what the server computes on ---------
# Every batch of one on both sides: the same sgemm shapes, bit for bit.
$mpirun -np 2 "$bin" --phases infer --quick --infer-remote \
	--infer-max-batch 1 --infer-rates 1000 --infer-requests 300 \
	-o m1.json >/dev/null 2>err.txt
ok $? "np 2 --infer-remote, the mlp at batch 1: exits 0"
D="$P['data_path']"
json_true m1.json "$I['remote']['request_input_bytes'] == 3136 and $I['remote']['reply_output_bytes'] == 40 and $D['request_bytes_received'] == 300 * 3144 and $D['reply_bytes_received'] == 300 * 72 and $D['outputs_checked_count'] == 300 and $D['outputs_mismatched_count'] == 0 and $D['outputs_max_abs_diff'] == 0"
ok $? "batch 1: all 300 remote outputs equal the client's in-process forward pass bit for bit (max difference $(json_query m1.json "$D['outputs_max_abs_diff']"))"
# Batches up to 8 at the server, of 8 at the client: the tolerance.
$mpirun -np 2 "$bin" --phases infer --quick --infer-remote \
	--infer-max-batch 8 --infer-rates 8000 --infer-requests 600 \
	-o m8.json >/dev/null 2>err.txt
ok $? "np 2 --infer-remote, the mlp, batches up to 8 at 8000/s: exits 0"
json_true m8.json "$D['outputs_checked_count'] == 600 and $D['outputs_mismatched_count'] == 0 and $D['outputs_tolerance_ratio'] == 1e-5"
ok $? "batches of $(json_query m8.json "sorted(b['batch_size'] for b in $P['batch_sizes'])"): all 600 outputs within 1e-5 x (1 + |local|) of the in-process pass (max difference $(json_query m8.json "$D['outputs_max_abs_diff']"))"

# --- odd requests 64 KiB: transport does not shrink -------------------------
# shellcheck disable=SC2086
HPCPROBE_TEST_INFER_ODD_PAYLOAD=65536 $mpirun -np 2 "$bin" $spin \
	--infer-remote --infer-max-batch 1 --infer-rates 1000 \
	--infer-requests 1000 -o o.json >/dev/null 2>err.txt
ok $? "np 2 --infer-remote, odd requests carrying 65536 bytes: exits 0"
O="$T['injected_odd_payload']"
json_true o.json "$O['odd_request_bytes'] == 65544 and $O['other_request_bytes'] == 3144 and $O['odd_count'] == 500 and $P['data_path']['request_bytes_received'] == 500 * 65544 + 500 * 3144"
ok $? "500 requests of 8 + 65536 bytes and 500 of 8 + 3136 arrived"
json_true o.json "$O['rise_ns'] >= -$O['noise_ns']"
ok $? "the larger requests' transport is not smaller beyond the noise: rise $(json_query o.json "round($O['rise_ns'])") ns, noise $(json_query o.json "round($O['noise_ns'])") ns, resolved: $(json_query o.json "$O['resolved']")"

# --- a bad test hook: the phase fails with the reason, on every rank --------
# shellcheck disable=SC2086
HPCPROBE_TEST_INFER_REPLY_HOLD=soon $mpirun -np 2 "$bin" $spin --infer-remote \
	--infer-rates 100 --infer-requests 50 -o b.json >/dev/null 2>err.txt
json_true b.json "$I['status'] == 'failed' and 'HPCPROBE_TEST_INFER_REPLY_HOLD' in $I['reason']"
ok $? "HPCPROBE_TEST_INFER_REPLY_HOLD=soon: the phase failed, saying why ($(json_query b.json "$I['reason']"))"

# shellcheck disable=SC2086
HPCPROBE_TEST_INFER_ODD_PAYLOAD=100 $mpirun -np 2 "$bin" $spin --infer-remote \
	--infer-rates 100 --infer-requests 50 -o b2.json >/dev/null 2>err.txt
json_true b2.json "$I['status'] == 'failed' and 'HPCPROBE_TEST_INFER_ODD_PAYLOAD' in $I['reason']"
ok $? "HPCPROBE_TEST_INFER_ODD_PAYLOAD=100 (less than the request's 3136): the phase failed, saying why ($(json_query b2.json "$I['reason']"))"

done_testing
