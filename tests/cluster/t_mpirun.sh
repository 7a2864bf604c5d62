#!/bin/bash
# Cluster test 1: mpirun across 3 "nodes", 1 and 2 ranks per node.  Pairs
# are classified intra/inter with the right host names, the node matrix is
# 3x3, the all-reduce spans every rank, and the fabric phase runs over
# tcp;ofi_rxm between the nodes.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

bin=${HPCP_BIN:?}
if ! why=$(cluster_can_run); then
	echo "1..0 # SKIP $why"
	exit 0
fi
trap cluster_down EXIT
cluster_up 3
work=$CL

cluster_hostfile 1 >/dev/null
cluster_mpirun -np 3 --mca btl self,vader,tcp --mca btl_tcp_if_include "$CL_NET.0/24" \
	-x FI_TCP_IFACE=eth0 \
	"$bin" --phases topology,pingpong,allreduce,fabric --quick --sizes 8,1k,64k \
	--fabric-provider "tcp;ofi_rxm" -o "$work/one.json" >"$work/one.out" 2>&1
ok $? "3 nodes x 1 rank: exits 0"
d=$work/one.json
json_true "$d" "d['context']['mpi']['nodes'] == 3 and sorted(h['name'] for h in d['context']['hosts']) == ['nodea', 'nodeb', 'nodec']"
ok $? "3 hosts nodea..nodec in the context"
json_true "$d" "all(p['kind'] == 'inter_node' and p['hosts'][0] != p['hosts'][1] for p in d['phases']['pingpong']['pairs'])"
ok $? "1 rank per node: only inter-node pairs, on different hosts"
json_true "$d" "(lambda m: len(m['hosts']) == 3 and all(len(r) == 3 for r in m['p50_latency_ns']) and all(m['p50_latency_ns'][i][j] is not None for i in range(3) for j in range(3) if i != j) and m['pairs_count'] == 3)(d['phases']['pingpong']['node_matrix'])"
ok $? "a full 3x3 node matrix, 3 pairs measured"
json_true "$d" "d['phases']['allreduce']['ranks'] == 3 and all(s['samples_count'] == s['iterations'] and s['all_calls_samples_count'] == 3 * s['iterations'] and len(s['per_rank']) == 3 for s in d['phases']['allreduce']['sizes'])"
ok $? "the all-reduce spans all 3 ranks"
json_true "$d" "d['phases']['fabric']['status'] == 'ok' and d['phases']['fabric']['provider']['name'] == 'tcp;ofi_rxm' and any(p['kind'] == 'inter_node' for p in d['phases']['fabric']['pairs'])"
ok $? "fabric over tcp;ofi_rxm between nodes: $(json_query "$d" "d['phases']['fabric'].get('reason', 'ok')" 2>/dev/null)"

cluster_hostfile 2 >/dev/null
cluster_mpirun -np 6 --mca btl self,vader,tcp --mca btl_tcp_if_include "$CL_NET.0/24" \
	"$bin" --phases topology,pingpong,allreduce --quick --sizes 8,1k,64k -o "$work/two.json" \
	>"$work/two.out" 2>&1
ok $? "3 nodes x 2 ranks: exits 0"
d=$work/two.json
json_true "$d" "d['context']['mpi']['ranks'] == 6 and d['context']['mpi']['nodes'] == 3 and all(len(h['ranks']) == 2 for h in d['context']['hosts'])"
ok $? "6 ranks, 2 on each of 3 hosts"
json_true "$d" "any(p['kind'] == 'intra_node' and p['hosts'][0] == p['hosts'][1] for p in d['phases']['pingpong']['pairs'])"
ok $? "an intra-node pair on one host"
json_true "$d" "all((p['kind'] == 'intra_node') == (d['context']['ranks'][p['ranks'][0]]['host'] == d['context']['ranks'][p['ranks'][1]]['host']) and p['hosts'] == [d['context']['ranks'][r]['host'] for r in p['ranks']] for p in d['phases']['pingpong']['pairs'])"
ok $? "every pair's kind and host names match where its ranks ran"
json_true "$d" "len(d['phases']['pingpong']['node_matrix']['hosts']) == 3"
ok $? "the node matrix is over the 3 hosts, one leader each"

done_testing
