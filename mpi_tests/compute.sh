#!/bin/sh
# The compute phase through the real binary.  At 2 ranks (no more ranks
# than cores, so timings are not time-sliced) --imbalance must reproduce
# its known load balance (2+F)/(2+2F); at 4 ranks the structure and ranges
# hold.  Kernels are verified; counters are measured or unavailable with
# the reason (this machine: unavailable, PAPI_ENOEVNT).
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1


lb() {
	json_query "$1" "round(d['phases']['compute']['load_balance']['load_balance_ratio'], 3)"
}

for f in 0 0.5 1; do
	$mpirun -np 2 "$bin" --phases compute --imbalance $f -o "c$f.json" \
		>/dev/null 2>"err$f.txt"
	ok $? "np 2 --imbalance $f: exits 0"
done
schema_check c0.5.json
if [ -n "$HPCP_SANITIZED" ]; then
	# Instrumented loops change each kernel's speed differently.
	for t in "--imbalance 0" "--imbalance 0.5" "--imbalance 1"; do
		skip "$t: load balance value" "timings under sanitizers are not representative"
	done
else
	json_true c0.json "d['phases']['compute']['load_balance']['load_balance_ratio'] >= 0.90"
	ok $? "--imbalance 0: load balance >= 0.90 ($(lb c0.json))"
	json_true c0.5.json "abs(d['phases']['compute']['load_balance']['load_balance_ratio'] - 0.8333) <= 0.05"
	ok $? "--imbalance 0.5: load balance 0.833 +- 0.05 ($(lb c0.5.json))"
	json_true c1.json "abs(d['phases']['compute']['load_balance']['load_balance_ratio'] - 0.75) <= 0.05"
	ok $? "--imbalance 1: load balance 0.75 +- 0.05 ($(lb c1.json))"
fi
json_true c0.5.json "abs(d['phases']['compute']['expected_load_balance_ratio'] - 2.5 / 3) < 1e-9"
ok $? "the expected load balance (2+F)/(2+2F) is recorded"
json_true c1.json "d['phases']['compute']['load_balance']['slowest_rank'] == 1"
ok $? "--imbalance 1: rank 1, with the most work, is the slowest"
json_true c0.5.json "all(k['status'] in ('ok', 'unavailable') for k in d['phases']['compute']['kernels'].values()) and all(k['verified'] for k in d['phases']['compute']['kernels'].values() if k['status'] == 'ok')"
ok $? "every kernel that ran was verified"
json_true c0.5.json "[k for k in d['phases']['compute']['kernels']] == ['dgemm', 'triad', 'stencil']"
ok $? "kernels dgemm, triad and stencil reported"
json_true c0.5.json "all(r['useful_ns'] > 0 and r['wall_ns'] >= r['useful_ns'] and r['cpu_ns'] > 0 for k in d['phases']['compute']['kernels'].values() if k['status'] == 'ok' for r in k['per_rank'])"
ok $? "per rank: useful, MPI, wall and CPU time, wall >= useful"
json_true c0.5.json "(lambda c: (c['available'] and c['events']) or (not c['available'] and len(c['reason']) > 0))(d['phases']['compute']['counters'])"
ok $? "counters measured, or unavailable with the reason: $(json_query c0.5.json "d['phases']['compute']['counters'].get('reason', 'available')")"
json_true c0.5.json "all(len(k['load_balance']) > 5 for k in d['phases']['compute']['kernels'].values() if k['status'] == 'ok')"
ok $? "load balance per kernel too"
json_true c0.5.json "d['phases']['compute']['kernels']['triad']['total_bytes_per_s'] > 0 and len(d['phases']['compute']['kernels']['triad']['per_node']) == 1"
ok $? "triad bandwidth per rank, per node and in total"
json_true c0.5.json "(lambda k: k['status'] == 'unavailable' or (k['total_flops_per_s'] > 0 and ('per_core_flops_per_s' in k['peak'])))(d['phases']['compute']['kernels']['dgemm'])"
ok $? "dgemm GFLOP/s and a peak estimate (or a reason), or unavailable"

$mpirun -np 4 "$bin" --phases compute --quick --imbalance 1 -o c4.json \
	>/dev/null 2>err4.txt
ok $? "np 4 --quick: exits 0"
schema_check c4.json
json_true c4.json "all(0 <= v <= 1 for k, v in d['phases']['compute']['load_balance'].items() if k.endswith('_ratio'))"
ok $? "np 4: every ratio in 0..1"
json_true c4.json "(lambda m: abs(m['parallel_efficiency_ratio'] - m['load_balance_ratio'] * m['communication_efficiency_ratio']) < 1e-6)(d['phases']['compute']['load_balance'])"
ok $? "np 4: parallel efficiency = load balance x communication efficiency"
json_true c4.json "(lambda m: abs(m['communication_efficiency_ratio'] - m['serialization_efficiency_ratio'] * m['transfer_efficiency_ratio']) < 1e-6)(d['phases']['compute']['load_balance'])"
ok $? "np 4: communication efficiency = serialization x transfer"
json_true c4.json "(lambda m: abs(m['load_balance_ratio'] - m['load_balance_in_node_ratio'] * m['load_balance_between_nodes_ratio']) < 1e-6)(d['phases']['compute']['load_balance'])"
ok $? "np 4: load balance = within nodes x between nodes"
json_true c4.json "[r['work_factor'] for r in d['phases']['compute']['kernels']['stencil']['per_rank']] == [1, 1 + 1/3, 1 + 2/3, 2]"
ok $? "np 4 --imbalance 1: work factors 1 + F r/(N-1)"

done_testing
