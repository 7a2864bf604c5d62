#!/bin/bash
# Cluster test 3: a real Slurm (munged, slurmctld, one slurmd per node
# namespace) runs the shipped batch/slurm/hpcprobe.sbatch unmodified on 2
# and on 3 nodes; the job completes and its document says launcher slurm
# with the job id, the node count and inter-node pairs.  Then scancel of a
# running job leaves an "interrupted" document.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

bin=${HPCP_BIN:?}
sbatch_script=$(cd "$(dirname "$0")/../../batch/slurm" && pwd)/hpcprobe.sbatch
if ! why=$(cluster_can_run); then
	echo "1..0 # SKIP $why"
	exit 0
fi
for t in munged slurmctld slurmd sbatch; do
	if ! command -v $t >/dev/null; then
		echo "1..0 # SKIP $t not installed (apt-get install slurmctld slurmd slurm-client munge)"
		exit 0
	fi
done
trap cluster_down EXIT
cluster_up 3
# Installed and root, so Slurm must start: a failure here is a failure.
slurm_up
ok $? "munged, slurmctld and 3 slurmd up, all nodes idle $(sinfo -h -o '%t %D' 2>&1 | tr '\n' ' ')"
submit=$CL/submit
mkdir -p "$submit"
cd "$submit" || exit 1

export HPCPROBE=$bin
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=$CL_NET.0/24
export OMPI_MCA_oob_tcp_if_include=$CL_NET.0/24

for n in 2 3; do
	export HPCPROBE_ARGS="--phases topology,pingpong,allreduce --quick --sizes 8,1k"
	id=$(sbatch --parsable -N $n "$sbatch_script")
	ok $? "sbatch of the shipped script on $n nodes: job $id"
	state=$(slurm_wait "$id")
	[ "$state" = COMPLETED ]
	ok $? "$n nodes: JobState $state"
	d=$submit/hpcprobe-$id.json
	json_true "$d" "d['status'] == 'ok' and d['context']['launcher'] == 'slurm' and d['context']['job']['job_id'] == '$id'"
	ok $? "$n nodes: the document says launcher slurm, job $id"
	json_true "$d" "d['context']['mpi']['nodes'] == $n and d['context']['job']['num_nodes'] == '$n'"
	ok $? "$n nodes: $n nodes in the context and the job"
	json_true "$d" "any(p['kind'] == 'inter_node' for p in d['phases']['pingpong']['pairs'])"
	ok $? "$n nodes: inter-node pairs measured"
	grep -q "srun --mpi=pmix" "$submit/hpcprobe-$id.out"
	ok $? "$n nodes: the job output shows the exact command"
done

# scancel mid-run: a ping-pong that would take minutes.
export HPCPROBE_ARGS="--phases topology,pingpong --sizes 8 --iterations 1000000000"
id=$(sbatch --parsable -N 2 "$sbatch_script")
for _ in $(seq 100); do
	grep -q "phase pingpong: started" "$submit/hpcprobe-$id.out" 2>/dev/null && break
	sleep 0.2
done
sleep 1
scancel "$id"
state=$(slurm_wait "$id" 60)
ok $([ -n "$state" ]; echo $?) "scancel: the job ended ($state)"
json_true "$submit/hpcprobe-$id.json" "d['status'] == 'interrupted' and d['phases']['topology']['status'] == 'ok'"
ok $? "scancel: the document says interrupted and keeps the earlier phase"

done_testing
