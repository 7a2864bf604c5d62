#!/bin/bash
# AWS Batch multi-node parallel job entrypoint for hpcprobe.
#
# Every node starts this.  All run sshd (key-only, HPCP_SSH_PORT); child
# nodes report "IP slots=N" to the main node over ssh (retrying while the
# main node comes up); the main node waits for every node, with a timeout,
# writes the hostfile, runs mpirun hpcprobe and exits with its status,
# which becomes the job's.  Children stay up until the main node tells them
# it is done.  SIGTERM (job termination, Spot reclaim) is passed to the
# ranks on the main node, rank 0 among them, which finish the document as
# "interrupted" (mpirun-stop.sh).
#
# AWS Batch sets AWS_BATCH_JOB_NODE_INDEX, AWS_BATCH_JOB_MAIN_NODE_INDEX,
# AWS_BATCH_JOB_NUM_NODES and, on children only,
# AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS.  Knobs (job definition
# environment), with defaults:
#   HPCPROBE=hpcprobe               the binary
#   HPCPROBE_ARGS=                  its options (all phases by default)
#   HPCPROBE_OUTPUT=/tmp/hpcprobe-results.json   (point it at EFS/FSx to keep it)
#   HPCP_RANKS_PER_NODE=1
#   HPCP_SSH_DIR=/etc/hpcprobe/ssh  HPCP_SSH_PORT=2022
#   HPCP_WAIT_NODES_TIMEOUT=600     seconds the main node waits for children
#   HPCP_STATE_DIR=/tmp/hpcprobe-mnp
#   HPCP_IFACE=eth0                 the interface whose IPv4 address to report
#   HPCP_MPIRUN_ARGS=               extra mpirun options
set -uo pipefail

log() { echo "entrypoint[node ${AWS_BATCH_JOB_NODE_INDEX:-?}]: $*" >&2; }
die() { log "$1"; exit "${2:-1}"; }

whole() { [[ ${1:-} =~ ^[0-9]+$ ]]; }

idx=${AWS_BATCH_JOB_NODE_INDEX:-}
main=${AWS_BATCH_JOB_MAIN_NODE_INDEX:-}
nodes=${AWS_BATCH_JOB_NUM_NODES:-}
whole "$idx" || die "AWS_BATCH_JOB_NODE_INDEX='$idx' is not a node index" 2
whole "$main" || die "AWS_BATCH_JOB_MAIN_NODE_INDEX='$main' is not a node index" 2
whole "$nodes" && [ "$nodes" -ge 1 ] ||
	die "AWS_BATCH_JOB_NUM_NODES='$nodes' is not a node count" 2
[ "$idx" -lt "$nodes" ] && [ "$main" -lt "$nodes" ] ||
	die "node index $idx or main index $main is not below AWS_BATCH_JOB_NUM_NODES=$nodes" 2

ssh_dir=${HPCP_SSH_DIR:-/etc/hpcprobe/ssh}
port=${HPCP_SSH_PORT:-2022}
wait_s=${HPCP_WAIT_NODES_TIMEOUT:-600}
per_node=${HPCP_RANKS_PER_NODE:-1}
state=${HPCP_STATE_DIR:-/tmp/hpcprobe-mnp}
whole "$port" || die "HPCP_SSH_PORT='$port' is not a port" 2
whole "$wait_s" || die "HPCP_WAIT_NODES_TIMEOUT='$wait_s' is not a number of seconds" 2
whole "$per_node" && [ "$per_node" -ge 1 ] ||
	die "HPCP_RANKS_PER_NODE='$per_node' is not a rank count" 2
[ -f "$ssh_dir/sshd_config" ] && [ -f "$ssh_dir/ssh_config" ] ||
	die "no ssh material in $ssh_dir (make it with make-ssh-dir.sh)" 2
ssh_cmd=(ssh -F "$ssh_dir/ssh_config" -p "$port")
main_ip=
if [ "$idx" != "$main" ]; then
	main_ip=${AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS:-}
	[[ $main_ip =~ ^[0-9]+(\.[0-9]+){3}$ ]] ||
		die "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS='$main_ip' is not an IPv4 address" 2
fi

my_ip=$(ip -o -4 addr show dev "${HPCP_IFACE:-eth0}" 2>/dev/null |
	awk '{sub(/\/.*/, "", $4); print $4; exit}')
[ -n "$my_ip" ] || my_ip=$(hostname -I 2>/dev/null | awk '{print $1}')
[ -n "$my_ip" ] || die "no IPv4 address on ${HPCP_IFACE:-eth0}" 1

mkdir -p "$state/nodes" /run/sshd
/usr/sbin/sshd -f "$ssh_dir/sshd_config" -p "$port" -o "PidFile=$state/sshd.pid" ||
	die "sshd did not start" 1
trap 'kill "$(cat "$state/sshd.pid" 2>/dev/null)" 2>/dev/null' EXIT

# --- a child node -------------------------------------------------------
if [ "$idx" != "$main" ]; then
	deadline=$((SECONDS + wait_s))
	until "${ssh_cmd[@]}" "$main_ip" \
		"mkdir -p $state/nodes && echo '$my_ip slots=$per_node' >$state/nodes/$idx.tmp && mv $state/nodes/$idx.tmp $state/nodes/$idx" \
		</dev/null 2>/dev/null; do
		[ $SECONDS -lt $deadline ] ||
			die "could not report to the main node $main_ip within $wait_s s" 1
		sleep 1
	done
	log "reported $my_ip to the main node $main_ip; serving until it is done"
	# Stay up for mpirun; stop when told, or when the main node is gone.
	gone=0
	while [ ! -e "$state/done" ]; do
		sleep 1
		if "${ssh_cmd[@]}" "$main_ip" true </dev/null 2>/dev/null; then
			gone=0
		else
			gone=$((gone + 1))
			[ $gone -lt 30 ] || { log "main node gone"; break; }
		fi
	done
	exit 0
fi

# --- the main node --------------------------------------------------------
echo "$my_ip slots=$per_node" >"$state/nodes/$idx"
deadline=$((SECONDS + wait_s))
while :; do
	missing=
	for i in $(seq 0 $((nodes - 1))); do
		[ -s "$state/nodes/$i" ] || missing="$missing $i"
	done
	[ -z "$missing" ] && break
	if [ $SECONDS -ge $deadline ]; then
		for f in "$state"/nodes/*; do
			ip=$(awk '{print $1}' "$f")
			[ "$ip" = "$my_ip" ] || "${ssh_cmd[@]}" "$ip" "touch $state/done" </dev/null 2>/dev/null
		done
		die "node index$missing did not report within $wait_s s; not starting mpirun" 1
	fi
	sleep 0.5
done
# The main node first, so that rank 0, the writer of the document, runs
# here, where a termination signal reaches it at once (mpirun-stop.sh).
{
	cat "$state/nodes/$main"
	for i in $(seq 0 $((nodes - 1))); do
		[ "$i" = "$main" ] || cat "$state/nodes/$i"
	done
} >"$state/hostfile"
log "all $nodes nodes reported; hostfile:"
sed 's/^/  /' "$state/hostfile" >&2

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# How a termination stops mpirun, and its sigkill timeout (passed to the
# other nodes' daemons by --mca below).
# shellcheck source=batch/aws/mpirun-stop.sh
. "$(dirname "$0")/mpirun-stop.sh"
# The default regx component of Open MPI 4.1 compressed our host lists
# into names it then could not expand (seen in the cluster tests); the
# naive one lists every host as is.
# shellcheck disable=SC2086 # the option strings are meant to split
set -- mpirun --hostfile "$state/hostfile" -np $((nodes * per_node)) \
	--map-by "ppr:$per_node:node" --mca regx naive \
	--mca plm_rsh_agent "ssh -F $ssh_dir/ssh_config -p $port" \
	--mca odls_base_sigkill_timeout "$OMPI_MCA_odls_base_sigkill_timeout" \
	-x OMPI_MCA_mpi_yield_when_idle -x PATH \
	${HPCP_MPIRUN_ARGS:-} "${HPCPROBE:-hpcprobe}" ${HPCPROBE_ARGS:-} \
	-o "${HPCPROBE_OUTPUT:-/tmp/hpcprobe-results.json}"
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
log "running: $*"
hpcp_mpirun_run "$@"
status=$?
log "mpirun exited with status $status"
for i in $(seq 0 $((nodes - 1))); do
	[ "$i" = "$main" ] && continue
	ip=$(awk '{print $1}' "$state/nodes/$i")
	"${ssh_cmd[@]}" "$ip" "touch $state/done" </dev/null 2>/dev/null
done
exit "$status"
