#!/bin/bash
# The train phase's checkpoints (--train-checkpoint-dir) against answers
# known in advance: the file holds exactly the header, the parameters and
# the optimiser state; one per epoch, each read back and verified, all
# removed; a slow fsync (an LD_PRELOAD shim adding a known delay to every
# fsync) shows in the write time and not in the training clock; a slow
# read (the FUSE file system delaying every read) shows in the read time,
# from storage, not the page cache; a byte the storage returns inverted
# fails the phase naming the file and the offset, the epochs kept; too
# little space makes the checkpoints unavailable with the figures while
# training goes on; no option: skipped.
. "$(dirname "$0")/../tests/tap.sh"
. "$(dirname "$0")/../tests/fusemount.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
here=$(cd "$(dirname "$0")" && pwd)
fm=/usr/share/datasets/fashion-mnist
work=$(mktemp -d)
cleanup() {
	fusermount3 -u "$work/mnt" 2>/dev/null
	umount "$work/tiny" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
mkdir src mnt ck

T="d['phases']['train']"
C="$T['checkpoint']"

if ! "$bin" --list 2>/dev/null | grep -q '^train  *available'; then
	skip "train checkpoints" "train phase not built here"
	done_testing
	exit 0
fi
if [ ! -f "$fm/train-labels-idx1-ubyte.gz" ]; then
	skip "train checkpoints" "$fm missing: install dataset-fashion-mnist"
	done_testing
	exit 0
fi

# train OUT DIR [mpirun options...]: 3 small epochs at np 2.
train() {
	local out=$1 dir=$2
	shift 2
	$mpirun -np 2 "$@" "$bin" --phases train --train-samples 2048 \
		--train-epochs 3 --train-hidden 32 ${dir:+--train-checkpoint-dir "$dir"} \
		-o "$out.json" >"$out.out" 2>"$out.err"
}
left() { find "$1" -mindepth 1 | head -3; }

# --- no option -----------------------------------------------------------
train none ""
ok $? "no --train-checkpoint-dir: exits 0"
json_true none.json "$C['status'] == 'skipped' and 'no --train-checkpoint-dir' in $C['reason']"
ok $? "no --train-checkpoint-dir: checkpoint skipped with the reason"

# --- on a local directory -------------------------------------------------
train plain "$work/ck"
ok $? "checkpoints on $(stat -f -c %T "$work/ck"): exits 0"
schema_check plain.json
json_true plain.json "$C['status'] == 'ok' and $C['bytes'] == 32 + $T['model']['parameter_bytes'] + $T['model']['optimizer_bytes'] and $T['model']['optimizer_bytes'] == $T['model']['parameter_bytes']"
ok $? "a checkpoint is the 32-byte header + parameters + momentum: $(json_query plain.json "$C['bytes']") bytes"
json_true plain.json "$C['count'] == 3 == len($T['epochs']) and $C['verified'] is True"
ok $? "one checkpoint per epoch, each read back equal"
json_true plain.json "0 < $C['write_s']['min'] <= $C['write_s']['p50'] <= $C['write_s']['max'] and 0 < $C['read_s']['min'] <= $C['read_s']['p50'] <= $C['read_s']['max'] and $C['write_s']['min'] <= $C['write_s']['mean'] <= $C['write_s']['max']"
ok $? "write and read times ordered: write p50 $(json_query plain.json "$C['write_s']['p50']") s, read p50 $(json_query plain.json "$C['read_s']['p50']") s"
[ -z "$(left "$work/ck")" ] && json_true plain.json "$C['cleanup'].startswith('removed $work/ck/hpcprobe-ckpt.')"
ok $? "the checkpoints' directory removed, and said: $(left "$work/ck")"

# --- a slow fsync: 60 ms more on every fsync ------------------------------
# The shim comes before a sanitizer's runtime in the preload list.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
if ${CC:-cc} -shared -fPIC -O1 -o slowsync.so "$here/slowsync.c" -ldl 2>cc.err; then
	train slow "$work/ck" -x LD_PRELOAD="$work/slowsync.so" -x ASAN_OPTIONS \
		-x HPCP_SHIM_FSYNC_MS=60 -x HPCP_SHIM_AT=1
	ok $? "60 ms per fsync: exits 0"
	# Two fsyncs a checkpoint (the file, the directory): >= 120 ms.
	json_true slow.json "$C['status'] == 'ok' and $C['write_s']['min'] >= 0.120"
	ok $? "the write time holds both delayed fsyncs: min $(json_query slow.json "$C['write_s']['min']") s >= 0.120 s"
	# Between one epoch's evaluation and the next epoch's start there is
	# only the checkpoint (>= 120 ms): taken off the clock, the elapsed
	# time grows by the epoch and its evaluation alone. On the clock, the
	# gap would hold a whole checkpoint write, so the bound is that write
	# (the smallest, halved), not the microseconds of loop between them:
	# a wall-clock bound on those would measure the host's scheduler.
	json_true slow.json "all(0 <= b['elapsed_ns'] - a['elapsed_ns'] - b['epoch_ns'] - b['eval_ns'] < $C['write_s']['min'] * 1e9 / 2 for a, b in zip($T['epochs'], $T['epochs'][1:]))"
	ok $? "the training clock excludes the checkpoints: gaps $(json_query slow.json "[round((b['elapsed_ns'] - a['elapsed_ns'] - b['epoch_ns'] - b['eval_ns']) / 1e6, 3) for a, b in zip($T['epochs'], $T['epochs'][1:])]") ms, under half a checkpoint write"
	# SIGTERM to mpirun from inside the first checkpoint's fsync (rank
	# 0's second; its first is the document's): the watchdog thread
	# removes the checkpoints before the job ends, and says so.  mpirun
	# passes the signal on one sigkill timeout later and kills the ranks
	# one after that: the shipped launchers' 5 s, not Open MPI's 1 s,
	# which a busy host may not leave the watchdog thread.  The job is
	# still in its checkpoints then: from that fsync on, each takes 2 s
	# more, two a checkpoint, three checkpoints.
	(
		export OMPI_MCA_odls_base_sigkill_timeout=5
		train term "$work/ck" -x LD_PRELOAD="$work/slowsync.so" \
			-x ASAN_OPTIONS -x HPCP_SHIM_FSYNC_MS=2000 \
			-x HPCP_SHIM_AT=2 -x HPCP_SHIM_SIGNAL=15 \
			-x HPCP_SHIM_TARGET=parent -x HPCP_SHIM_RANK=0
	)
	[ -z "$(left "$work/ck")" ] && grep -q "checkpoints removed ($work/ck/hpcprobe-ckpt\." term.err
	ok $? "SIGTERM during a checkpoint: the checkpoints removed, and said: $(grep -o 'checkpoints [a-z ]*removed[^;]*' term.err | head -1)"
else
	skip "slow fsync" "cannot build the shim: $(head -c 200 cc.err)"
fi

# --- FUSE: a slow read, then a byte returned inverted ---------------------
fuse_usable "train checkpoints on FUSE"
if mount_fs -d 20000; then
	train fuse "$work/mnt"
	ok $? "20 ms per read (FUSE): exits 0"
	unmount_fs
	# The files are opened direct_io (no page cache; mincore cannot map
	# them: the residency is not known, null).
	json_true fuse.json "$C['status'] == 'ok' and $C['fs_type'] == 'fuse' and $C['read_s']['min'] >= 0.020 and $C['read_cached_fraction_max'] in (0, None)"
	ok $? "every read-back waited for at least one delayed read of the file system: min $(json_query fuse.json "$C['read_s']['min']") s"
	mount_fs -c 5000
	train bad "$work/mnt"
	ok $([ $? -eq 1 ] && echo 0 || echo 1) "a byte read back inverted: exits 1"
	unmount_fs
	json_true bad.json "$T['status'] == 'failed' and 'differs at offset 5000 of' in $T['reason'] and '/epoch-1' in $T['reason'] and $C['status'] == 'failed' and $C['count'] == 0 and len($T['epochs']) == 3"
	ok $? "named: $(json_query bad.json "$T['reason']"); the epochs kept"
	[ -z "$(left "$work/src")" ]
	ok $? "nothing left after the failure: $(left "$work/src")"
else
	skip "train checkpoints on FUSE" "cannot mount FUSE here: $(head -c 200 fuse.err)"
fi

# --- too little space -----------------------------------------------------
mkdir tiny
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs tiny 2>/dev/null; then
	train full "$work/tiny"
	ok $? "64 KiB free: training still exits 0"
	json_true full.json "$C['status'] == 'unavailable' and 'bytes free, a checkpoint needs' in $C['reason'] and len($T['epochs']) == 3 and $T['status'] == 'ok'"
	ok $? "checkpoints unavailable with the figures: $(json_query full.json "$C['reason']")"
	umount tiny
else
	skip "too little space for a checkpoint" "needs root to mount a small tmpfs"
fi

done_testing
