# Sourced by the launchers that run mpirun (./quickstart, the AWS Batch
# entrypoint): how a job started with Open MPI's mpirun is stopped, so that
# rank 0 records the end and the document is whole.
#
# Open MPI 4.1's mpirun, told SIGTERM, sends its ranks SIGCONT, sleeps
# odls_base_sigkill_timeout seconds, sends SIGTERM, sleeps as long again,
# then SIGKILL, and exits 1.  The ranks hear of the signal only after the
# first sleep (a run that ends meanwhile says "ok"), and rank 0 has one
# sleep to finish its write (1 s by default: too short on a slow disk).
# So the signal goes to the ranks on this node at once instead: rank 0
# (the entrypoint puts it on the node that runs mpirun) records the end
# and every rank exits 128 + the signal, the others after waiting up to 5 s
# for rank 0.  mpirun then ends the job with that status, giving the ranks
# still running its SIGCONT, SIGTERM, SIGKILL sequence with the sigkill
# timeout set here, 5 s: a rank 0 slower than the others' 5 s has
# 5 + 2 x 5 s in all to write (a rank 0 on another node would hear of the
# signal from mpirun only after 10 s, and have 5 s), and the job ends within
# 15 s of the signal, inside the 30 s that Slurm (KillWait) and ECS (the
# stop timeout) give between SIGTERM and SIGKILL.  A value the user set is
# kept; the document records it (an OMPI_MCA_ variable).

: "${OMPI_MCA_odls_base_sigkill_timeout:=5}"
export OMPI_MCA_odls_base_sigkill_timeout

# The ranks mpirun ($1) started on this node: its children.  Read with
# the shell's own read, no process per entry: a cat per /proc entry took
# 5.8 s for 124 processes at load 14, and rank 0 heard of the signal after
# its write had ended.
hpcp_mpirun_ranks() {
	local stat rest p
	for stat in /proc/[0-9]*/stat; do
		p=${stat#/proc/}
		p=${p%/stat}
		{ read -r rest <"$stat"; } 2>/dev/null || continue
		# After the command name, which may hold spaces and ')'.
		rest=${rest##*) }
		# shellcheck disable=SC2086 # the fields, one a word
		set -- "$1" $rest
		[ "$3" = "$1" ] && echo "$p"
	done
}

# hpcp_mpirun_stop PID SIGNAL: the signal to mpirun's ranks on this node;
# to mpirun itself when it has none (yet).
hpcp_mpirun_stop() {
	local ranks
	ranks=$(hpcp_mpirun_ranks "$1")
	if [ -n "$ranks" ]; then
		# shellcheck disable=SC2086 # one pid a word
		kill -"$2" $ranks 2>/dev/null
	else
		kill -"$2" "$1" 2>/dev/null
	fi
}

# hpcp_mpirun_run COMMAND...: runs mpirun (the command) and returns its
# status; SIGTERM, SIGINT and SIGHUP to the caller stop it as above.
hpcp_mpirun_run() {
	local run status=1 rc
	"$@" &
	run=$!
	# shellcheck disable=SC2064 # the pid is known now
	trap "hpcp_mpirun_stopped=1; hpcp_mpirun_stop $run TERM" TERM
	# shellcheck disable=SC2064
	trap "hpcp_mpirun_stopped=1; hpcp_mpirun_stop $run INT" INT
	# shellcheck disable=SC2064
	trap "hpcp_mpirun_stopped=1; hpcp_mpirun_stop $run HUP" HUP
	# A trapped signal ends the wait early: wait again for mpirun's own
	# status (127: it was already collected, keep the one before).
	while :; do
		hpcp_mpirun_stopped=0
		wait "$run"
		rc=$?
		[ "$rc" -eq 127 ] && break
		status=$rc
		if [ "$hpcp_mpirun_stopped" != 1 ] || [ "$rc" -lt 128 ]; then
			break
		fi
	done
	trap - TERM INT HUP
	return "$status"
}
