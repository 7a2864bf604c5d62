#!/bin/bash
# Cluster test 4: the shipped AWS Batch entrypoint, started once per node
# namespace with the AWS variables (children a little later, in random
# order), as Batch starts the containers of a multi-node parallel job:
# the main node's status is 0 and its document complete; a failing program
# gives a non-zero status; a child that never reports makes the main node
# stop after its timeout, naming the missing node index.
# Test 5: job-definition.json has what a multi-node EFA job needs.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

bin=${HPCP_BIN:?}
aws=$(cd "$(dirname "$0")/../../batch/aws" && pwd)

/usr/bin/python3 - "$aws/job-definition.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "multinode"
np = d["nodeProperties"]
assert np["numNodes"] >= 2 and np["mainNode"] == 0
c = np["nodeRangeProperties"][0]["container"]
assert np["nodeRangeProperties"][0]["targetNodes"] == "0:"
assert any(x["hostPath"] == "/dev/infiniband/uverbs0" and
           set(x["permissions"]) == {"READ", "WRITE", "MKNOD"}
           for x in c["linuxParameters"]["devices"])
assert any(u["name"] == "memlock" and u["softLimit"] == -1 and u["hardLimit"] == -1
           for u in c["ulimits"])
assert c["linuxParameters"]["sharedMemorySize"] > 0
assert c["command"][0].endswith("entrypoint.sh")
PY
ok $? "job-definition.json: multinode, EFA device, unlimited memlock, shared memory, the entrypoint"

if ! why=$(cluster_can_run); then
	skip "entrypoint tests" "$why"
	done_testing
	exit $?
fi
if ! command -v sshd >/dev/null && [ ! -x /usr/sbin/sshd ]; then
	skip "entrypoint tests" "sshd not installed (apt-get install openssh-server)"
	done_testing
	exit $?
fi
trap cluster_down EXIT
cluster_up 3
"$aws/make-ssh-dir.sh" "$CL/ssh" 2022 >/dev/null
state=/var/lib/hpcprobe-mnp-test
mkdir -p "$state"

# start_node I N [ENV...]: the entrypoint of node index I (namespace I+1)
# of an N-node job, with a private state directory like a container's;
# its PID in NODE_PID.
start_node() {
	local i=$1 n=$2 name
	shift 2
	name=$(cluster_name $((i + 1)))
	nsenter --net="/run/netns/hp-$name" unshare --uts --mount sh -c \
		'hostname "$0"; mount -t tmpfs tmpfs "$1"; shift 2; exec env "$@"' \
		"$name" "$state" x \
		AWS_BATCH_JOB_ID=mnp-job-42 AWS_BATCH_JOB_ATTEMPT=1 \
		AWS_BATCH_JOB_NODE_INDEX="$i" AWS_BATCH_JOB_MAIN_NODE_INDEX=0 \
		AWS_BATCH_JOB_NUM_NODES="$n" \
		HPCP_SSH_DIR="$CL/ssh" HPCP_STATE_DIR="$state" \
		HPCP_MPIRUN_ARGS="--mca btl self,vader,tcp --mca btl_tcp_if_include $CL_NET.0/24 --mca oob_tcp_if_include $CL_NET.0/24" \
		"$@" "$aws/entrypoint.sh" >"$CL/node$i.log" 2>&1 &
	NODE_PID=$!
}

# Between jobs, as between Batch jobs: nothing of the last one is left
# (a child still winding down would hold its sshd port).
stop_nodes() {
	local ns
	for ns in $(ip netns list | awk '/^hp-node/ {print $1}'); do
		ip netns pids "$ns" | xargs -r kill 2>/dev/null
	done
	sleep 0.5
	for ns in $(ip netns list | awk '/^hp-node/ {print $1}'); do
		ip netns pids "$ns" | xargs -r kill -KILL 2>/dev/null
	done
}

# run_job N PROGRAM ARGS [CHILDREN...]: main first, children later.
run_job() {
	local n=$1 prog=$2 args=$3 main_pid c
	shift 3
	stop_nodes
	start_node 0 "$n" HPCPROBE="$prog" HPCPROBE_ARGS="$args" \
		HPCPROBE_OUTPUT="$CL/batch.json" HPCP_WAIT_NODES_TIMEOUT="${WAIT:-60}"
	main_pid=$NODE_PID
	sleep 1
	for c in "$@"; do
		start_node "$c" "$n" \
			AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS="$CL_NET.1"
		sleep 0.$((RANDOM % 5))
	done
	wait "$main_pid"
}

rm -f "$CL/batch.json"
start=$SECONDS
run_job 3 "$bin" "--phases topology,pingpong,allreduce --quick --sizes 8,1k" 2 1
status=$?
ok $status "3-node job: the main node exits 0 ($status) after $((SECONDS - start)) s"
json_true "$CL/batch.json" "d['status'] == 'ok' and d['run']['complete'] and d['context']['mpi']['nodes'] == 3"
ok $? "3-node job: the document is complete, over 3 nodes"
json_true "$CL/batch.json" "d['context']['launcher'] == 'aws-batch' and d['context']['job']['job_id'] == 'mnp-job-42' and d['context']['job']['node_index'] == '0' and d['context']['job']['num_nodes'] == '3'"
ok $? "3-node job: launcher aws-batch with job id and node index"
sleep 2
left=$(ip netns pids hp-nodeb 2>/dev/null | wc -l)
ok $((left != 0)) "3-node job: the children stopped after the main node ($left processes left)"

run_job 2 /bin/false "" 1
status=$?
grep -q "all 2 nodes reported" "$CL/node0.log" && grep -q "mpirun exited with status" "$CL/node0.log"
ok $? "a failing program: both nodes joined and mpirun ran it"
ok $((status == 0)) "a failing program: the main node exits non-zero ($status)"
sleep 2

start=$SECONDS
WAIT=5 run_job 3 "$bin" "--phases topology" 1
status=$?
took=$((SECONDS - start))
ok $((status == 0)) "a child that never reports: the main node exits non-zero ($status)"
grep -q "node index 2 did not report within 5 s" "$CL/node0.log"
ok $? "the main node names the missing node index: $(grep -o 'node index.*' "$CL/node0.log")"
[ $took -le 20 ]
ok $? "it stopped after its timeout ($took s)"

# Job termination: SIGTERM to the main node's entrypoint reaches the ranks.
stop_nodes
rm -f "$CL/batch.json"
start_node 0 2 HPCPROBE="$bin" \
	HPCPROBE_ARGS="--phases topology,pingpong --sizes 8 --iterations 1000000000" \
	HPCPROBE_OUTPUT="$CL/batch.json"
main_pid=$NODE_PID
sleep 1
start_node 1 2 AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS="$CL_NET.1"
started=1
for _ in $(seq 150); do
	grep -q "phase pingpong: started" "$CL/node0.log" 2>/dev/null && { started=0; break; }
	sleep 0.2
done
ok $started "SIGTERM to the main node: the job's ping-pong had started"
[ $started -eq 0 ] || tail -40 "$CL/node0.log" | sed 's/^/# /'
sleep 1
kill -TERM "$main_pid"
start=$SECONDS
wait "$main_pid"
status=$?
ok $((status == 0)) "SIGTERM to the main node: the job ends non-zero ($status) in $((SECONDS - start)) s"
json_true "$CL/batch.json" "d['status'] == 'interrupted' and d['phases']['topology']['status'] == 'ok'"
ok $? "SIGTERM to the main node: the document says interrupted, earlier phase kept"
sleep 2

bad=$(AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=0 \
	AWS_BATCH_JOB_NUM_NODES=abc "$aws/entrypoint.sh" 2>&1)
ok $(( $? != 2 )) "AWS_BATCH_JOB_NUM_NODES=abc: exit 2 with one line: $bad"

done_testing
