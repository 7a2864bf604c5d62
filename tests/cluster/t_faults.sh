#!/bin/bash
# Cluster fault test: one node's link goes down in the middle of a
# ping-pong.  The job must end within --timeout + 15 s, non-zero, with a
# diagnosis naming that node, and the document must keep the earlier phase.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

bin=${HPCP_BIN:?}
timeout_s=5
if ! why=$(cluster_can_run); then
	echo "1..0 # SKIP $why"
	exit 0
fi
trap cluster_down EXIT
cluster_up 2
cluster_hostfile 1 >/dev/null

# mpirun runs on nodea.  After the watchdog's abort, mpirun must still
# give up on nodeb's daemon, which it learns only when TCP gives up on the
# cut connection: net.ipv4.tcp_retries2 (per namespace) bounds that; the
# Linux default of 15 means about 15 minutes (see the README).
nsenter --net=/run/netns/hp-nodea sysctl -qw net.ipv4.tcp_retries2=4
"$CL/netns-rsh" nodea "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
	timeout 170 mpirun --hostfile $CL/hosts -np 2 \
	--mca plm_rsh_agent $CL/netns-rsh --mca oob_tcp_if_include $CL_NET.0/24 \
	--mca btl self,vader,tcp --mca btl_tcp_if_include $CL_NET.0/24 \
	--mca mpi_yield_when_idle 1 \
	$bin --phases topology,pingpong --sizes 8 --iterations 1000000000 \
	--timeout $timeout_s -o $CL/link.json" >"$CL/link.out" 2>&1 &
run=$!
started=1
for _ in $(seq 100); do
	grep -q "phase pingpong: started" "$CL/link.out" 2>/dev/null && { started=0; break; }
	sleep 0.2
done
ok $started "link down: the ping-pong between the nodes started"
sleep 1
cut_at=$SECONDS
ip link set hpv2 down
wait "$run"
status=$?
took=$((SECONDS - cut_at))
ip link set hpv2 up
ok $((status == 0)) "link down: the job ends non-zero ($status)"
[ $took -le $((timeout_s + 15)) ]
ok $? "link down: ended ${took} s after the cut (bound: timeout $timeout_s + 15 s)"
grep -q "waiting on rank 1 (nodeb)" "$CL/link.out"
ok $? "link down: the diagnosis names the node behind the link: $(grep -o 'watchdog:.*' "$CL/link.out" | head -1)"
json_true "$CL/link.json" "d['status'] == 'failed' and d['phases']['topology']['status'] == 'ok' and 'nodeb' in d['phases']['pingpong']['reason']"
ok $? "link down: document failed, topology kept, the phase names nodeb"

done_testing
