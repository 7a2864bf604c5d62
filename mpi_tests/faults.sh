#!/bin/bash
# Real faults from outside, no hooks inside the product: a rank stopped
# (SIGSTOP) or killed (SIGKILL) in the middle of a ping-pong, and SIGTERM
# to mpirun.  Each run must end within its bound, non-zero, with a
# diagnosis naming the rank and host, and leave a document that keeps the
# earlier phases and says how the run ended.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; [ -z "$hogs" ] || kill $hogs 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
host=$(hostname)
timeout_s=5

# pid_of_rank TAG RANK: the hpcprobe process of that rank in the run TAG,
# known by its output path (this run's own directory: another suite may be
# running the same test beside this one).
pid_of_rank() {
	for p in $(pgrep -x hpcprobe); do
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
			grep -q -- "$work/$1.json" &&
			tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
			grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# start_run TAG [SIGKILL_TIMEOUT]: a ping-pong that would run for minutes.
# When mpirun ends the job (a rank died, or mpirun got SIGTERM) it sends
# the ranks SIGTERM and SIGKILLs them odls_base_sigkill_timeout seconds
# later: rank 0 has that long to record how the run ended.  Open MPI's 1 s
# was too short at load 12-15 for the kill case (rank 0 first looks 0.5 s
# for progress, then writes); those cases take 5 s, as the shipped
# launchers set it (README, "Stopping a job started with mpirun").
start_run() {
	OMPI_MCA_odls_base_sigkill_timeout=${2:-1} \
	$mpirun -np 2 "$bin" --phases topology,pingpong --sizes 8 \
		--iterations 1000000000 --timeout $timeout_s -o "$work/$1.json" \
		>"$1.out" 2>"$1.err" &
	run_pid=$!
	# Until the ping-pong runs, however slowly the host starts the job:
	# 20 s was not enough for the sanitizers' build at load 30, and the
	# fault then hit the start-up, not the phase the checks are about.
	started=0
	for _ in $(seq 600); do
		grep -q "phase pingpong: started" "$1.err" 2>/dev/null &&
			started=1 && break
		sleep 0.2
	done
	[ "$started" = 1 ] ||
		echo "# $1: the ping-pong had not started after 120 s" >&2
	sleep 1
}

# finish_run TAG: wait, record status and seconds since the fault.
finish_run() {
	wait "$run_pid"
	status=$?
	ended=$(date +%s.%N)
	took=$(echo "$ended $fault_at" | awk '{printf "%.1f", $1 - $2}')
}

within() { awk -v t="$1" -v b="$2" 'BEGIN { exit !(t <= b) }'; }

# --- 1. SIGSTOP one rank mid-ping-pong ----------------------------------
start_run stop
p=$(pid_of_rank stop 1)
ok $? "stop: found rank 1's process ($p)"
fault_at=$(date +%s.%N)
kill -STOP "$p"
finish_run stop
ok $((status == 0)) "stop: the job ends non-zero ($status)"
within "$took" $((timeout_s + 15))
ok $? "stop: ended ${took} s after the fault (bound: timeout $timeout_s + 15 s)"
grep -q "waiting on rank 1 ($host)" stop.err
ok $? "stop: stderr names the stopped rank and its host"
grep -q "phase pingpong" stop.err
ok $? "stop: stderr names the phase"
json_true stop.json "d['status'] == 'failed' and d['phases']['topology']['status'] == 'ok' and d['phases']['pingpong']['status'] == 'failed' and 'rank 1' in d['phases']['pingpong']['reason']"
ok $? "stop: document failed, topology kept, pingpong failed with the diagnosis"

# --- 1b. the same on a crowded CPU ---------------------------------------
# Rank 0 is moved onto one CPU with four busy loops: its waiting thread
# (runnable throughout) gets at most a fifth of it, so the silence holds
# seconds of run-queue time, and the watchdog must say so (a hang on an
# overloaded host reads differently from a hang).  At least 1 s of the
# 5 s or more is asserted: fair shares give about 4.
start_run crowd
p0=$(pid_of_rank crowd 0)
p=$(pid_of_rank crowd 1)
hogs=
if [ ! -r /proc/thread-self/schedstat ]; then
	kill -KILL "$p0" "$p" 2>/dev/null
	finish_run crowd
	skip "crowd: watchdog on an overloaded host" "no /proc/thread-self/schedstat here (a kernel without CONFIG_SCHED_INFO, or before 3.17): the run-queue time is not known"
elif [ -n "$p0" ] && [ -n "$p" ] && taskset -a -p 0x1 "$p0" >/dev/null 2>&1; then
	for _ in 1 2 3 4; do
		taskset -c 0 sh -c 'while :; do :; done' &
		hogs="$hogs $!"
	done
	fault_at=$(date +%s.%N)
	kill -STOP "$p"
	finish_run crowd
	# shellcheck disable=SC2086
	kill $hogs 2>/dev/null
	# shellcheck disable=SC2086
	wait $hogs 2>/dev/null
	hogs=
	ok $((status == 0)) "crowd: the job ends non-zero ($status)"
	busy=$(sed -n "s/.*watchdog: rank 0 ($host) made no progress .*; \([0-9.]*\) s of it the rank's main thread waited for a CPU (an overloaded host).*/\1/p" crowd.err | head -1)
	[ -n "$busy" ] && awk "BEGIN { exit !($busy >= 1) }"
	ok $? "crowd: the watchdog says how much of the silence rank 0 waited for a CPU: ${busy:-nothing} s ($(grep -o 'watchdog: rank 0.*' crowd.err | head -1))"
	json_true crowd.json "d['phases']['pingpong']['status'] == 'failed' and 'waited for a CPU' in d['phases']['pingpong']['reason']"
	ok $? "crowd: the document's reason says so too"
else
	kill -KILL "$p0" "$p" 2>/dev/null
	finish_run crowd
	skip "crowd: watchdog on an overloaded host" "cannot pin rank 0 ($p0) with taskset"
fi

# --- 2. SIGKILL one rank mid-ping-pong -----------------------------------
start_run kill 5
p=$(pid_of_rank kill 1)
ok $? "kill: found rank 1's process ($p)"
fault_at=$(date +%s.%N)
kill -KILL "$p"
finish_run kill
ok $((status == 0)) "kill: the job ends non-zero ($status)"
within "$took" $((timeout_s + 15))
ok $? "kill: ended ${took} s after the fault (bound: timeout $timeout_s + 15 s)"
grep -q "rank 1.*$host\|rank 1 ($host)" kill.err
ok $? "kill: stderr names the killed rank and its host"
json_true kill.json "d['status'] == 'failed' and d['phases']['topology']['status'] == 'ok' and d['phases']['pingpong']['status'] == 'failed' and 'rank 1' in d['phases']['pingpong']['reason']"
ok $? "kill: document failed, topology kept, pingpong names rank 1 ($(json_query kill.json "(d['status'], d['phases'].get('pingpong', {}).get('reason'))" 2>&1 | tail -c 200))"

# --- 3. SIGTERM to mpirun ----------------------------------------------
# The host's CPU over the whole run, less the run's own (known once it has
# been waited for): what other work took meanwhile.
ticks0=$(cpu_ticks)
own0=$(children_ticks)
start_run term 5
m=
for p in $(pgrep -x mpirun); do
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$work/term.json" && m=$p
done
test -n "$m"
ok $? "term: found mpirun ($m)"
fault_at=$(date +%s.%N)
kill -TERM "$m"
finish_run term
busy=$(host_busy_pct "$ticks0" "$(cpu_ticks)" $(($(children_ticks) - own0)))
ok $((status == 0)) "term: the job ends non-zero ($status)"
# mpirun passes SIGTERM on one sigkill timeout late and SIGKILLs one more
# later (2 x 5 s), then exits: 5 s more for the steps between, each of
# which needs a CPU.  When other work kept more than half the CPUs busy
# over the run, only "not a hang" is judged: under half the wrapper's
# 180 s.
if within "$took" 15; then
	ok 0 "term: ended ${took} s after SIGTERM (bound: 2 x the 5 s sigkill timeout + 5 s; other work ${busy} % of the CPUs)"
elif [ "$busy" -gt 50 ] && within "$took" 90; then
	skip "term: ended within 2 x the 5 s sigkill timeout + 5 s" "noisy host: other work took ${busy} % of the CPUs; ended ${took} s after SIGTERM, not a hang (under 90 s)"
else
	ok 1 "term: ended ${took} s after SIGTERM (bound: 2 x the 5 s sigkill timeout + 5 s; other work ${busy} % of the CPUs)"
fi
json_true term.json "d['status'] == 'interrupted' and d['run']['complete'] and d['phases']['topology']['status'] == 'ok' and 'signal 15' in d['run']['end_reason']"
ok $? "term: document interrupted, earlier phase kept, the signal named"

done_testing
