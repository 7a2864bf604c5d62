#!/bin/bash
# The storage phase's Lustre view against a known answer. The FUSE
# passthrough tests/fusedelay.c with -S reports what it served in a Lustre
# client's statistics format (HPCPROBE_LUSTRE_ROOT points the phase at
# it), so each sub-phase's counter deltas must equal what the phase says
# it moved in that sub-phase: its own per-operation bytes, fsyncs, creates
# and unlinks, exactly (every transfer reaches the file system: direct_io),
# with the random file's untimed prefill left out and nothing of one
# sub-phase counted in another. With -L it serves a progressive file
# layout (PFL) as every file's lustre.lov: the document lists its
# components and takes stripe_count and stripe_size_bytes from the one
# holding the most of the first data file.
. "$(dirname "$0")/../tests/tap.sh"
. "$(dirname "$0")/../tests/fusemount.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
fuse_work
S="d['phases']['storage']"
L="${S}['lustre']"
# 2 ranks: easy 8 MiB each (4 transfers of 2 MiB), hard 20 transfers each,
# random 200 reads and writes each in 1 MiB, metadata 30 files each per
# directory (3 901 bytes each).
small="--storage-easy-mib 8 --storage-hard-transfers 20 --storage-random-mib 1 --storage-random-ops 200 --storage-md-files 30"

fuse_usable "Lustre counters and layout against a known answer"

# lfs setstripe -E 1M -c 1 -E 4M -c 2 -E -1 -c -1 -S 4M, as a client gives
# it back after an 8 MiB write on 8 OSTs: the third component instantiated
# too, on all 8.
/usr/bin/python3 - <<'EOF' >pfl.lov || { ok 1 "cannot write the layout"; done_testing; exit 1; }
import struct, sys
M = 1 << 20
comps = [(1, 0x10, 0, M, M, 1), (2, 0x10, M, 4 * M, M, 2),
         (3, 0x10, 4 * M, 2**64 - 1, 4 * M, 8)]
n = len(comps)
blobs = 32 + 48 * n
out = struct.pack('<IIIHHHHHHQ', 0x0BD60BD0, blobs + 32 * n, 1, 0, n, 0, 0, 0, 0, 0)
for i, (cid, flags, start, end, size, count) in enumerate(comps):
    out += struct.pack('<IIQQIIIQI', cid, flags, start, end, blobs + 32 * i, 32, 0, 0, 0)
for cid, flags, start, end, size, count in comps:
    out += struct.pack('<II16sIHH', 0x0BD10BD0, 1, bytes(16), size, count, 0)
sys.stdout.buffer.write(out)
EOF

if ! mount_fs -S -L pfl.lov; then
	skip "Lustre counters and layout against a known answer" "cannot mount FUSE here: $(head -c 200 fuse.err)"
	done_testing
	exit 0
fi
grep -q '^snapshot_time ' mnt/.client/llite/fusedelay-0/stats
ok $? "the FUSE file system serves client statistics: $(head -1 mnt/.client/llite/fusedelay-0/stats)"
# shellcheck disable=SC2086 # the size options
HPCPROBE_LUSTRE_ROOT=$work/mnt/.client $mpirun -np 2 "$bin" --phases storage \
	--storage-dir "$work/mnt" $small -o lu.json >lu.out 2>lu.err
ok $? "the phase runs with the statistics as its Lustre client's"
# What the file system served over the whole run, sub-phases or not.
total() {
	awk -v k="$1" '$1 == k { print $7 }' mnt/.client/llite/fusedelay-0/stats
}
total_read=$(total read_bytes)
total_written=$(total write_bytes)
unmount_fs
schema_check lu.json
json_true lu.json "$S['status'] == 'ok' and $L['instances'] == 1 and sorted($L['subphases']) == ['easy', 'hard', 'metadata', 'random']"
ok $? "one client instance, the four sub-phases counted: $(json_query lu.json "$S.get('reason') or sorted($L['subphases'])")"

# moved SUB OP FIELD: what the phase says it moved in a sub-phase (the
# metadata rows' names start with "metadata"), by its own rows.
moved() {
	json_query lu.json "sum(o['$3'] for o in $S['ops'] if o['subphase'].startswith('$1') and o['op'] == '$2')"
}
counted() {
	json_query lu.json "$L['subphases']['$1']['$2']"
}
for sub in easy hard random; do
	for dir in read write; do
		want=$(moved $sub $dir bytes)
		got=$(counted $sub ${dir}_bytes)
		[ -n "$want" ] && [ "$want" -gt 0 ] && [ "$got" = "$want" ]
		ok $? "$sub: the client's ${dir}_bytes delta $got = the phase's $dir bytes $want"
	done
done
# Outside the sub-phases' counters the file system served only the random
# file's untimed prefill (1 MiB per rank, written before its timed step).
json_true lu.json "sum(s['read_bytes'] for s in $L['subphases'].values()) == $total_read and sum(s['write_bytes'] for s in $L['subphases'].values()) + 2 * 2**20 == $total_written"
ok $? "the sub-phases' deltas add up to all the file system served ($total_read bytes read), less the 2 MiB prefill of the random file ($total_written written)"
for sub in easy hard; do
	want=$(moved $sub fsync ops_count)
	got=$(counted $sub fsync_count)
	[ "$got" = "$want" ] && [ "$want" -gt 0 ]
	ok $? "$sub: fsync_count $got = the phase's fsyncs $want"
done
for op in create unlink; do
	want=$(moved metadata $op ops_count)
	got=$(counted metadata ${op}_count)
	[ "$got" = "$want" ] && [ "$want" = 120 ]
	ok $? "metadata: ${op}_count $got = the phase's ${op}s $want (2 ranks x 30 files x 2 directories)"
done
# Metadata files are 3 901 bytes, written at create and read back once.
json_true lu.json "$L['subphases']['metadata']['write_bytes'] == 120 * 3901 and $L['subphases']['metadata']['read_bytes'] == 120 * 3901 and $L['subphases']['metadata']['fsync_count'] == 0"
ok $? "metadata: 120 files of 3 901 bytes written and read back, no fsync"
json_true lu.json "all($L['subphases'][s].get('create_count', 0) == 0 and $L['subphases'][s].get('unlink_count', 0) == 0 for s in ('random',)) and $L['subphases']['easy']['unlink_count'] == 0"
ok $? "no create or unlink counted where none happened (random, easy)"

# The layout: rank 0's 8 MiB easy file, mostly in the third component.
json_true lu.json "$L['layout'] == 'composite' and $L['layout_file_bytes'] == 8 * 2**20 and $L['components_count'] == 3 and $L['stripe_component'] == 2"
ok $? "layout: composite, 3 components, the 8 MiB file mostly in the third (stripe_component $(json_query lu.json "$L.get('stripe_component')"))"
json_true lu.json "[(c['start_bytes'], c['end_bytes'], c['stripe_count'], c['stripe_size_bytes'], c['pattern'], c['instantiated'], c['mirror']) for c in $L['components']] == [(0, 2**20, 1, 2**20, 'raid0', True, 0), (2**20, 4 * 2**20, 2, 2**20, 'raid0', True, 0), (4 * 2**20, None, 8, 4 * 2**20, 'raid0', True, 0)]"
ok $? "layout: each component's extent, stripes and state as set (the last to the end of the file)"
json_true lu.json "$L['stripe_count'] == 8 and $L['stripe_size_bytes'] == 4 * 2**20 and 'stripe_reason' not in $L"
ok $? "layout: stripe_count and stripe_size_bytes are the third component's ($(json_query lu.json "$L['stripe_count']") x $(json_query lu.json "$L['stripe_size_bytes']") B)"

# The same file system without -L: no layout, said.
mount_fs -S
HPCPROBE_LUSTRE_ROOT=$work/mnt/.client $mpirun -np 2 "$bin" --phases storage \
	--storage-dir "$work/mnt" --storage-subphases easy --storage-easy-mib 2 \
	-o nolov.json >nolov.out 2>nolov.err
ok $? "without a layout: the phase runs"
unmount_fs
json_true nolov.json "$L['stripe_count'] is None and $L['stripe_size_bytes'] is None and $L['stripe_reason'].startswith('lustre.lov: ') and 'components' not in $L"
ok $? "without a layout: stripes null, the reason given: $(json_query nolov.json "$L.get('stripe_reason')")"

ls -A src | grep -q . && { ok 1 "files left in the FUSE source: $(ls -A src)"; } || ok 0 "nothing left behind in the FUSE source"

done_testing
