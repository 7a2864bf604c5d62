#!/bin/bash
# Shutdown during a write (issue 19, class 6).  A slow disk is simulated by
# an LD_PRELOAD shim (mpi_tests/slowsync.c) that delays fsync() by 100 ms
# or 1.5 s and sends the signal from inside the delay -- while rank 0 is
# writing the document after a finished phase.  For every combination of
# signal (SIGTERM, SIGHUP), delay and target (rank 0 alone; under mpirun:
# rank 0, every rank) the document must be the new complete one
# with the interruption recorded: strict JSON, status interrupted, the end
# reason naming the signal, the finished phase ok with its data, no
# temporary file left; a process alone exits 128 + the signal.
# Then SIGTERM to the launcher the project ships for mpirun
# (batch/aws/mpirun-stop.sh, used by ./quickstart and the AWS Batch
# entrypoint), and temporary files left by a killed writer: removed by the
# next run into the same path, never a live writer's.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_mpi_yield_when_idle=1

if ! ${CC:-cc} -shared -fPIC -O1 -o slowsync.so \
	"$here/slowsync.c" -ldl 2>cc.err; then
	skip "shutdown during a write" "cannot build the fsync shim: $(head -c 100 cc.err)"
	done_testing
	exit $?
fi
shim=$work/slowsync.so
# The shim comes before a sanitizer's runtime in the preload list.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# check TAG STATUS SIG WANT_STATUS: the document and the directory after.
check() {
	local tag=$1 status=$2 sig=$3 want=$4 why
	why=$(/usr/bin/python3 - "$tag.json" "$sig" <<'EOF'
import json, sys
try:
    d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
except Exception as e:
    print("not a whole document: %s" % e); sys.exit()
t = d.get("phases", {}).get("topology", {})
if d.get("status") != "interrupted":
    print("status %s" % d.get("status"))
elif not d["run"].get("complete"):
    print("run.complete false")
elif "signal %s" % sys.argv[2] not in (d["run"].get("end_reason") or ""):
    print("end reason %r" % d["run"].get("end_reason"))
elif t.get("status") != "ok" or "hosts" not in t:
    print("topology %s (%s), data %s" % (t.get("status"), t.get("reason"), "hosts" in t))
EOF
)
	left=$(ls ./*.tmp.* 2>/dev/null | wc -l)
	[ -z "$why" ] && [ "$left" -eq 0 ] &&
		{ [ -z "$want" ] || [ "$status" -eq "$want" ]; } &&
		{ [ -n "$want" ] || [ "$status" -ne 0 ]; }
	ok $? "$tag: exit $status${want:+ (want $want)}, $left temporary files${why:+, $why}"
	[ -z "$why" ] || sed 's/^/# /' "$tag.err" | tail -3
	rm -f ./*.tmp.*
}

# wait_mark PID: until the shim's mark exists, as long as the job PID
# lives (it may start slowly on a busy host).
wait_mark() {
	while [ ! -e mark ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.02
	done
}

# --- rank 0 alone: the shim signals its own process.
for case in 15-100 15-1500 1-100; do
	sig=${case%-*}
	ms=${case#*-}
	tag=self-$sig-$ms
	HPCP_SHIM_FSYNC_MS=$ms HPCP_SHIM_AT=2 HPCP_SHIM_SIGNAL=$sig \
		HPCP_SHIM_TARGET=self LD_PRELOAD=$shim \
		timeout 60 "$bin" --phases topology -o "$work/$tag.json" \
		>"$tag.out" 2>"$tag.err"
	check "$tag" $? $sig $((128 + sig))
done

# --- under mpirun, 2 ranks: the signal to rank 0 only, and to every rank
# by this script (rank 1 must not exit, and make mpirun end the job,
# before rank 0 has recorded the end).
run_mpi() {
	local tag=$1
	shift
	env HPCP_SHIM_FSYNC_MS=1500 HPCP_SHIM_HOLD= HPCP_SHIM_RANK= "$@" \
		HPCP_SHIM_AT=2 \
		$mpirun -np 2 -x LD_PRELOAD="$shim" -x HPCP_SHIM_FSYNC_MS \
		-x HPCP_SHIM_AT -x HPCP_SHIM_SIGNAL -x HPCP_SHIM_TARGET \
		-x HPCP_SHIM_MARK -x HPCP_SHIM_HOLD -x HPCP_SHIM_RANK \
		-x ASAN_OPTIONS "$bin" --phases topology \
		-o "$work/$tag.json" >"$tag.out" 2>"$tag.err"
}
run_mpi mpi-rank0-15 HPCP_SHIM_SIGNAL=15 HPCP_SHIM_TARGET=self \
	HPCP_SHIM_MARK=
check mpi-rank0-15 $? 15 ""
# Every rank: when rank 0 is inside its fsync (the shim's mark), this
# script signals each hpcprobe process of the run; rank 0's fsync holds
# until its signal has come, however long the script takes to send it.
# The sigkill timeout is the shipped launchers' 5 s: rank 0 records the end
# after rank 1 has waited 5 s and exited, and mpirun's default 1 s is not
# what is tested here.
rm -f mark
run_mpi mpi-all-15 HPCP_SHIM_SIGNAL=0 HPCP_SHIM_TARGET=self \
	HPCP_SHIM_MARK="$work/mark" HPCP_SHIM_HOLD=signal HPCP_SHIM_RANK=0 \
	OMPI_MCA_odls_base_sigkill_timeout=5 &
runner=$!
wait_mark $runner
for p in $(pgrep -x hpcprobe); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
		grep -q -- "$work/mpi-all-15.json" && kill -TERM "$p"
done
wait $runner
check mpi-all-15 $? 15 ""

# --- SIGTERM to the launcher while rank 0 is inside its fsync: the
# launcher signals the ranks at once, mpirun ends the job with their 143.
# Plain mpirun would wait its sigkill timeout before the ranks heard of it,
# then kill rank 0 mid-write after as long again, and exit 1.  Rank 0's
# fsync holds until the signal reaches it (script, launcher, its scan of
# /proc: 1.5 s, then 3.5 s, were each too short once on a busy host), and
# the next ones take 3.5 s: the watchdog's own write ends within the
# launcher's 5 s sigkill timeout, as the plain write would.
mpiexec=${MPIEXEC:-mpirun}
if ! "$mpiexec" --version 2>&1 | grep -q "Open MPI"; then
	skip "SIGTERM to the mpirun launcher" "the launcher is for Open MPI's mpirun ($mpiexec is not)"
else
	rm -f mark
	tag=launcher-15
	env -u OMPI_MCA_odls_base_sigkill_timeout HPCP_SHIM_FSYNC_MS=3500 \
		HPCP_SHIM_AT=2 HPCP_SHIM_RANK=0 HPCP_SHIM_MARK="$work/mark" \
		HPCP_SHIM_HOLD=signal \
		bash -c '. "$0"; hpcp_mpirun_run "$@"' \
		"$here/../batch/aws/mpirun-stop.sh" "$mpiexec" --oversubscribe \
		-np 2 -x LD_PRELOAD="$shim" -x HPCP_SHIM_FSYNC_MS -x HPCP_SHIM_AT \
		-x HPCP_SHIM_RANK -x HPCP_SHIM_MARK -x HPCP_SHIM_HOLD \
		-x ASAN_OPTIONS "$bin" \
		--phases topology -o "$work/$tag.json" >"$tag.out" 2>"$tag.err" &
	runner=$!
	(sleep 90 && kill -KILL $runner) 2>/dev/null &
	guard=$!
	wait_mark $runner
	start=$(date +%s%N)
	kill -TERM $runner
	wait $runner
	status=$?
	took=$((($(date +%s%N) - start) / 1000000))
	kill $guard 2>/dev/null
	check $tag $status 15 143
	# The sigkill timeout the launcher set, recorded; the job ended
	# within rank 1's 5 s and mpirun's two 5 s sleeps, inside the 30 s
	# that Slurm and ECS give between SIGTERM and SIGKILL.
	got=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["context"]["environment"].get("OMPI_MCA_odls_base_sigkill_timeout"))' "$tag.json" 2>&1)
	[ "$got" = 5 ]
	ok $? "$tag: the document records the launcher's sigkill timeout ($got)"
	[ "$took" -lt 30000 ]
	ok $? "$tag: the job ended $took ms after the signal (under 30 s)"
fi

# --- A writer killed (SIGKILL) inside its fsync leaves its temporary file;
# the next run into the same path removes it, and says so.
tag=stale
HPCP_SHIM_FSYNC_MS=100 HPCP_SHIM_AT=2 HPCP_SHIM_SIGNAL=9 \
	HPCP_SHIM_TARGET=self LD_PRELOAD=$shim \
	timeout 60 "$bin" --phases topology -o "$work/$tag.json" \
	>"$tag.out" 2>"$tag.err"
status=$?
left=$(ls ./$tag.json.tmp.* 2>/dev/null | wc -l)
[ $status -eq 137 ] && [ "$left" -eq 1 ]
ok $? "$tag: a writer killed mid-write (exit $status) left $left temporary file"
timeout 60 "$bin" --phases topology -o "$work/$tag.json" >"$tag.out" 2>"$tag.err"
status=$?
left=$(ls ./$tag.json.tmp.* 2>/dev/null | wc -l)
[ $status -eq 0 ] && [ "$left" -eq 0 ] &&
	grep -q "warning: removed 1 temporary file left by a writer that was killed" "$tag.err"
ok $? "$tag: the next run removed it and said so (exit $status, $left left)"
[ $status -eq 0 ] || sed 's/^/# /' "$tag.err" | tail -3

# --- Never a live writer's: a second run into the same path while the
# first is inside its fsync (held there until the second has ended) leaves
# the first's file, which the first then renames into place.
tag=live
rm -f mark release
HPCP_SHIM_AT=2 HPCP_SHIM_MARK="$work/mark" HPCP_SHIM_HOLD="$work/release" \
	LD_PRELOAD=$shim timeout 90 "$bin" --phases topology \
	-o "$work/$tag.json" >"$tag.out" 2>"$tag.err" &
first=$!
wait_mark $first
timeout 60 "$bin" --phases topology -o "$work/$tag.json" \
	>"$tag-2.out" 2>"$tag-2.err"
second=$?
touch release
wait $first
status=$?
left=$(ls ./$tag.json.tmp.* 2>/dev/null | wc -l)
grep -q "warning: left 1 temporary file of a writer still running" "$tag-2.err" &&
	[ $second -eq 0 ] && [ $status -eq 0 ] && [ "$left" -eq 0 ] &&
	json_ok=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["status"])' "$tag.json") && [ "$json_ok" = ok ]
ok $? "$tag: the running writer's file left (second run exit $second), the first saved (exit $status, $left left)"
[ $status -eq 0 ] || sed 's/^/# /' "$tag.err" | tail -3
sed 's/^/# /' "$tag-2.err" | grep -i warning

done_testing
