#!/bin/bash
# --storage-direct on a file system that refuses O_DIRECT (the FUSE
# passthrough tests/fusedelay.c with -D): refused at open (EINVAL from
# open, as tmpfs before Linux 6.6 does) or at the first transfer (EINVAL
# from write on a file opened O_DIRECT) or at the first read after the
# writes succeeded.  Known answers: the sub-phases that use O_DIRECT
# (easy, random) are unavailable with a reason naming the file system,
# the file, the call and the error; no buffered number appears under
# their names; hard and metadata are measured in full
# (every operation counted, verified bytes by formula: nothing of the
# refused steps leaks in); a run of only refused sub-phases is
# unavailable; the same FUSE without -D takes O_DIRECT.
. "$(dirname "$0")/../tests/tap.sh"
. "$(dirname "$0")/../tests/fusemount.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
fuse_work
S="d['phases']['storage']"
# 2 ranks: hard 20 transfers each, metadata 30 files each per directory.
small="--storage-easy-mib 4 --storage-hard-transfers 20 --storage-random-mib 1 --storage-random-ops 300 --storage-md-files 30"

fuse_usable "O_DIRECT refused"

# run NAME SUBPHASES: the phase with --storage-direct on the mount.
run() {
	# shellcheck disable=SC2086 # the size options
	$mpirun -np 2 "$bin" --phases storage --storage-dir "$work/mnt" \
		--storage-direct --storage-subphases "$2" $small \
		-o "$1.json" >"$1.out" 2>"$1.err"
}
row() { echo "[o for o in $S['ops'] if o['subphase'] == '$1' and o['op'] == '$2'][0]"; }

if ! mount_fs -D open; then
	skip "O_DIRECT refused" "cannot mount FUSE here: $(head -c 200 fuse.err)"
	done_testing
	exit 0
fi

# refused NAME CALL: the checks of a run of every sub-phase on a file
# system that refuses O_DIRECT at CALL ("cannot create", "write at
# offset 0" or "read at offset 0").
refused() {
	local n=$1 call=$2
	schema_check "$n.json"
	json_true "$n.json" "$S['status'] == 'ok' and $S['direct']['requested'] and not $S['direct']['used']"
	ok $? "$n: the phase is ok, O_DIRECT requested and not used"
	# The reason: file system type, the file (rank 0's or 1's), the call.
	json_true "$n.json" "sorted($S['subphases_unavailable']) == ['easy', 'random'] and all(__import__('re').fullmatch(r'O_DIRECT refused by fuse at $work/mnt/hpcprobe-storage-\w{6}/' + k + r'\.[01]: $call: Invalid argument', v) for k, v in $S['subphases_unavailable'].items())"
	ok $? "$n: easy and random unavailable, each with its reason: $(json_query "$n.json" "$S['subphases_unavailable']['easy']")"
	json_true "$n.json" "$S['direct']['reason'] == $S['subphases_unavailable']['easy'] + ' (no buffered fallback: easy and random unavailable)'"
	ok $? "$n: direct.reason says so: $(json_query "$n.json" "$S['direct']['reason']")"
	json_true "$n.json" "not [o for o in $S['ops'] if o['subphase'] in ('easy', 'random')]"
	ok $? "$n: no easy or random row (no buffered number under their names)"
	# Everything else measured in full: 2 ranks x 20 transfers, 2 x 30
	# files per directory and operation; verified = the hard read's bytes
	# and the metadata reads' (2 directories x 60 x 3 901 B) exactly.
	json_true "$n.json" "$(row hard write)['ops_count'] == 40 and $(row hard read)['ops_count'] == 40 and $(row hard read)['bytes'] == 40 * 47008 and $(row hard fsync)['ops_count'] == 2 and all(o['ops_count'] == 60 for o in $S['ops'] if o['subphase'].startswith('metadata')) and len($S['ops']) == 11 and not any(o['direct'] for o in $S['ops'])"
	ok $? "$n: hard and metadata measured in full: $(json_query "$n.json" "[(o['subphase'], o['op'], o['ops_count']) for o in $S['ops']]")"
	json_true "$n.json" "$S['verified_bytes'] == 40 * 47008 + 2 * 60 * 3901 and $S['cleanup']['removed']"
	ok $? "$n: verified bytes $(json_query "$n.json" "$S['verified_bytes']") = 40 x 47 008 + 120 x 3 901, files removed"
	grep -Eq "storage: random 4 KiB read: not measured: O_DIRECT refused by fuse at .*/random\.[01]: $call: Invalid argument" "$n.out"
	ok $? "$n: the summary says why: $(grep 'storage:' "$n.out" | head -1)"
	left=$(ls -A src)
	test -z "$left"
	ok $? "$n: nothing left in the FUSE source${left:+ (left: $left)}"
}

# --- refused at open -------------------------------------------------------
run open easy,hard,random,metadata
ok $? "refused at open: exits 0"
refused open "cannot create"
# Only sub-phases that use O_DIRECT: nothing to measure, unavailable.
run only random
ok $? "refused at open, random only: exits 0"
schema_check only.json
# The run prefixes the reporting rank and host.
json_true only.json "$S['status'] == 'unavailable' and __import__('re').fullmatch(r'(rank \d+ \(.*\): )?O_DIRECT refused by fuse at .*/random\.[01]: cannot create: Invalid argument \(no buffered fallback\)', $S['reason'])"
ok $? "random only: the phase is unavailable: $(json_query only.json "$S.get('reason')")"
unmount_fs

# --- refused at the first write ------------------------------------------
mount_fs -D write
run write easy,hard,random,metadata
ok $? "refused at write: exits 0"
unmount_fs
refused write "write at offset 0"

# --- refused at the first read, after the writes succeeded ----------------
# easy wrote its 4 transfers with O_DIRECT, then its read was refused: the
# sub-phase is unavailable whole, its write rows dropped with it (no
# sub-phase half measured); random's prefill wrote, its first read refused.
mount_fs -D read
run read easy,hard,random,metadata
ok $? "refused at read: exits 0"
unmount_fs
refused read "read at offset [0-9]+"

# --- refused at the random writes, after verified reads ------------------
# easy is measured with O_DIRECT whole; random's reads were verified, then
# its writes refused: dropped, the bytes its reads checked with it.
# A Lustre client tree (static): the dropped sub-phase has no counters.
mkdir -p lu/llite/fsx-1
printf 'snapshot_time 1.0 secs.nsecs\nopen 3 samples [reqs]\n' >lu/llite/fsx-1/stats
mount_fs -D reopen
HPCPROBE_LUSTRE_ROOT=$work/lu run reopen easy,hard,random,metadata
ok $? "refused at the rewrite: exits 0"
unmount_fs
schema_check reopen.json
json_true reopen.json "$S['status'] == 'ok' and $S['direct']['used'] and sorted($S['subphases_unavailable']) == ['random'] and __import__('re').fullmatch(r'O_DIRECT refused by fuse at .*/random\.[01]: cannot open: Invalid argument', $S['subphases_unavailable']['random']) and not [o for o in $S['ops'] if o['subphase'] == 'random'] and $(row easy read)['ops_count'] == 4 and $(row easy read)['direct']"
ok $? "reopen: random unavailable, easy measured with O_DIRECT: $(json_query reopen.json "$S['subphases_unavailable']")"
json_true reopen.json "$S['verified_bytes'] == 2 * 4 * 2**20 + 40 * 47008 + 2 * 60 * 3901"
ok $? "reopen: verified bytes $(json_query reopen.json "$S['verified_bytes']") = easy 8 MiB + hard 40 x 47 008 + metadata 120 x 3 901 (none of random's)"
json_true reopen.json "sorted($S['lustre']['subphases']) == ['easy', 'hard', 'metadata']"
ok $? "reopen: Lustre counters of the kept sub-phases only: $(json_query reopen.json "sorted($S['lustre']['subphases'])")"

# --- the same file system taking O_DIRECT --------------------------------
mount_fs
run take easy,random
ok $? "O_DIRECT taken: exits 0"
unmount_fs
json_true take.json "$S['status'] == 'ok' and $S['direct']['used'] and not $S['subphases_unavailable'] and $(row easy write)['ops_count'] == 4 and $(row easy read)['ops_count'] == 4 and $(row random read)['ops_count'] == 600 and $(row random write)['ops_count'] == 600 and all(o['direct'] for o in $S['ops'])"
ok $? "without -D: O_DIRECT used, easy and random measured: $(json_query take.json "[(o['subphase'], o['op'], o['ops_count']) for o in $S['ops']]")"

done_testing
