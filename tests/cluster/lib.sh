# The test cluster: N "nodes" on one machine, each a network namespace
# (hp-nodea ...) with its own address on a bridge (10.200.0.i for node i)
# and its own host name (nodea, nodeb ...); Open MPI reaches them through netns-rsh, Slurm runs
# one slurmd per namespace, the AWS Batch entrypoint runs once per namespace.
# Everything made is named here and removed by cluster_down, also when a
# test fails (tests trap it on EXIT).  Sourced by tests/cluster/*.sh.

CL_BRIDGE=hpbr0
CL_LETTERS=abcdefghijklmnopqrstuvwxyz

# cluster_name I: the host name of node I (1 -> nodea).
cluster_name() {
	echo "node${CL_LETTERS:$(($1 - 1)):1}"
}
CL_NET=10.200.0
CL_LINKS=10.201
cluster_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The names above are machine-wide, so two test suites on one machine take
# turns: cluster_up takes this lock and cluster_down releases it (flock -u
# releases it for the daemons that inherited the descriptor too); while
# another suite holds it, cluster_down leaves that suite's cluster alone.
{ exec 9>>/tmp/hpcprobe-cluster.lock; } 2>/dev/null || exec 9>/dev/null

# cluster_can_run: root, namespaces and a bridge work here, or why not.
cluster_can_run() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root"
		return 1
	fi
	if ! ip netns add hp-probe 2>/dev/null; then
		echo "network namespaces unavailable"
		return 1
	fi
	ip netns del hp-probe
	if ! ip link add hp-probe-br type bridge 2>/dev/null; then
		echo "bridges unavailable"
		return 1
	fi
	ip link del hp-probe-br
	return 0
}

# cluster_down: stop every daemon by its PID file, remove every link and
# namespace by name.  Safe to call twice and on a half-built cluster.
cluster_down() {
	flock -n 9 || return 0
	cluster_clean
	flock -u 9
}

cluster_clean() {
	local f p
	if [ -n "${CL:-}" ] && [ -d "$CL" ]; then
		for f in "$CL"/*.pid "$CL"/slurm/*.pid "$CL"/munge/*.pid; do
			[ -f "$f" ] || continue
			p=$(cat "$f" 2>/dev/null)
			[ -n "$p" ] && kill "$p" 2>/dev/null
		done
		sleep 0.2
		for f in "$CL"/*.pid "$CL"/slurm/*.pid "$CL"/munge/*.pid; do
			[ -f "$f" ] || continue
			p=$(cat "$f" 2>/dev/null)
			[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
		done
	fi
	for ns in $(ip netns list 2>/dev/null | awk '/^hp-(node|port)/ {print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for l in $(ip -o link show 2>/dev/null | awk -F': ' '/ hpv[0-9]+[@:]/ {sub(/@.*/, "", $2); print $2}'); do
		ip link del "$l" 2>/dev/null
	done
	ip link del "$CL_BRIDGE" 2>/dev/null
	[ -n "${CL:-}" ] && rm -rf "$CL"
	return 0
}

# cluster_up N [BRIDGED]: namespaces node1..N; nodes listed in BRIDGED
# (default all) join the bridge.  Sets CL (the state directory) and writes
# $CL/netns-rsh and the host list.
cluster_up() {
	local n=$1 bridged=${2:-$(seq -s ' ' 1 "$1")} i
	if ! flock -w 3600 9; then
		echo "cluster_up: another test cluster held the machine for an hour" >&2
		return 1
	fi
	cluster_clean
	CL=$(mktemp -d /tmp/hpcp-cluster.XXXXXX)
	chmod 755 "$CL"
	cp "$cluster_src/netns-rsh" "$CL/netns-rsh"
	ip link add "$CL_BRIDGE" type bridge || return 1
	ip addr add "$CL_NET.254/24" dev "$CL_BRIDGE"
	ip link set "$CL_BRIDGE" up
	for i in $(seq 1 "$n"); do
		local ns
		ns=hp-$(cluster_name "$i")
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		case " $bridged " in
		*" $i "*)
			ip link add "hpv$i" type veth peer name eth0 netns "$ns"
			ip link set "hpv$i" master "$CL_BRIDGE" up
			ip -n "$ns" addr add "$CL_NET.$i/24" dev eth0
			ip -n "$ns" link set eth0 up
			;;
		esac
	done
	: >"$CL/hosts"
	CL_N=$n
}

# cluster_hostfile RANKS_PER_NODE [NODES...]: a hostfile for mpirun.
cluster_hostfile() {
	local per=$1 i nodes
	shift
	nodes=("$@")
	[ ${#nodes[@]} -eq 0 ] && mapfile -t nodes < <(seq 1 "$CL_N")
	: >"$CL/hosts"
	for i in "${nodes[@]}"; do
		echo "$(cluster_name "$i") slots=$per" >>"$CL/hosts"
	done
	echo "$CL/hosts"
}

# cluster_delay A B DELAY_US K: a delay line between nodes A and B (numbers) with
# addresses 10.201.K.A and 10.201.K.B.
cluster_delay() {
	local a=$1 b=$2 us=$3 k=$4
	local na nb
	na=hp-$(cluster_name "$a")
	nb=hp-$(cluster_name "$b")
	"$CL/delayline" "$na" "$nb" "$us" "dl$k" >"$CL/dl$k.out" 2>&1 &
	echo $! >"$CL/delayline$k.pid"
	for _ in $(seq 50); do
		grep -q ready "$CL/dl$k.out" 2>/dev/null && break
		sleep 0.1
	done
	# Real-time priority, so frames leave on time despite busy ranks.
	chrt -f -p 10 "$(cat "$CL/delayline$k.pid")" 2>/dev/null
	ip -n "$na" addr add "$CL_LINKS.$k.$a/24" dev "dl$k"
	ip -n "$nb" addr add "$CL_LINKS.$k.$b/24" dev "dl$k"
	ip -n "$na" link set "dl$k" up
	ip -n "$nb" link set "dl$k" up
}

# cluster_delay_port I DELAY_US: put node I on the bridge behind a delay
# line, so every frame to or from it waits DELAY_US each way (its half
# round trip to any node grows by DELAY_US).  Node I must have been left
# off the bridge by cluster_up.  The line runs between the node and a
# small "switch port" namespace bridged to the cluster bridge.
cluster_delay_port() {
	local i=$1 us=$2 node port
	node=hp-$(cluster_name "$i")
	port=hp-port$(cluster_name "$i" | sed 's/^node//')
	ip netns add "$port" || return 1
	ip link add "hpv$i" type veth peer name up0 netns "$port"
	ip link set "hpv$i" master "$CL_BRIDGE" up
	ip -n "$port" link add brp type bridge
	ip -n "$port" link set up0 master brp
	ip -n "$port" link set up0 up
	ip -n "$port" link set brp up
	"$CL/delayline" "$node" "$port" "$us" eth0 >"$CL/port$i.out" 2>&1 &
	echo $! >"$CL/port$i.pid"
	for _ in $(seq 50); do
		grep -q ready "$CL/port$i.out" 2>/dev/null && break
		sleep 0.1
	done
	chrt -f -p 10 "$(cat "$CL/port$i.pid")" 2>/dev/null
	ip -n "$port" link set eth0 master brp
	ip -n "$port" link set eth0 up
	ip -n "$node" addr add "$CL_NET.$i/24" dev eth0
	ip -n "$node" link set eth0 up
}

cluster_undelay() {
	local k=$1
	[ -f "$CL/delayline$k.pid" ] && kill "$(cat "$CL/delayline$k.pid")" 2>/dev/null
	rm -f "$CL/delayline$k.pid"
	sleep 0.2
}

# cluster_build_tools CC: the delay line, built for this run.
cluster_build_tools() {
	${1:-cc} -O2 -o "$CL/delayline" "$cluster_src/delayline.c"
}

# cluster_mpirun ARGS...: mpirun from the root namespace onto the nodes.
cluster_mpirun() {
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
		timeout --kill-after=10 "${HPCP_TEST_TIMEOUT:-180}" \
		mpirun --hostfile "$CL/hosts" \
		--mca plm_rsh_agent "$CL/netns-rsh" \
		--mca oob_tcp_if_include "$CL_NET.0/24" \
		--mca mpi_yield_when_idle 1 "$@"
}

# slurm_up: munged, slurmctld (root namespace, host name hpctl on the
# bridge address) and one slurmd per node namespace; waits until every
# node is idle.  Exports SLURM_CONF.  State lives in $CL/slurm.
slurm_up() {
	local m=$CL/munge s=$CL/slurm i name nodes
	mkdir -p "$m" "$s/state" "$s/spool" "$s/tmp"
	chmod 755 "$m"
	dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
	chmod 400 "$m/munge.key"
	munged --socket="$m/munge.sock" --key-file="$m/munge.key" \
		--log-file="$m/munged.log" --pid-file="$m/munged.pid" \
		--seed-file="$m/munged.seed" || return 1
	nodes=
	for i in $(seq 1 "$CL_N"); do
		name=$(cluster_name "$i")
		mkdir -p "$s/spool/$name" "$s/tmp/$name"
		nodes="$nodes$name "
	done
	cat >"$s/slurm.conf" <<CONF
ClusterName=hpcptest
SlurmctldHost=hpctl($CL_NET.254)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$m/munge.sock
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool/%n
TmpFS=$s/tmp/%n
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.%n.pid
SlurmctldLogFile=$s/slurmctld.log
SlurmdLogFile=$s/slurmd.%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
CONF
	for i in $(seq 1 "$CL_N"); do
		echo "NodeName=$(cluster_name "$i") NodeAddr=$CL_NET.$i CPUs=2 RealMemory=1000 State=UNKNOWN" >>"$s/slurm.conf"
	done
	echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP" >>"$s/slurm.conf"
	export SLURM_CONF=$s/slurm.conf
	unshare --uts sh -c 'hostname hpctl; exec slurmctld -f "$SLURM_CONF"' || return 1
	for i in $(seq 1 "$CL_N"); do
		name=$(cluster_name "$i")
		# nsenter, as everywhere here: ip netns exec remounts /sys,
		# which slurmd needs whole (and which fails in a chroot).
		nsenter --net="/run/netns/hp-$name" unshare --uts \
			sh -c 'hostname "$0"; exec slurmd -f "$SLURM_CONF" -N "$0"' "$name" || return 1
	done
	for _ in $(seq 100); do
		[ "$(sinfo -h -o '%t' 2>/dev/null | sort -u)" = idle ] && return 0
		sleep 0.2
	done
	echo "slurm_up: nodes did not become idle: $(sinfo -h 2>&1)" >&2
	return 1
}

# slurm_wait JOBID [SECONDS]: poll squeue until the job left the queue;
# prints its final JobState.
slurm_wait() {
	local id=$1 limit=${2:-240} t=0
	while [ -n "$(squeue -h -j "$id" 2>/dev/null)" ] && [ "$t" -lt $((limit * 5)) ]; do
		sleep 0.2
		t=$((t + 1))
	done
	scontrol show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'
}
