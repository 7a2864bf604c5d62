#!/bin/bash
# The storage phase's latencies against delays known in advance, injected
# by a FUSE passthrough file system (tests/fusedelay.c) under the phase:
# a constant 200 us on every read shows in the random reads' p50; 3 ms on
# exactly 0.5 % of the reads (every 200th) makes p99.9 about 3 ms while
# p99 stays at the base, and the "99.9 % within 1 ms" claim is refused.
# What the method guarantees is asserted always (a delayed read takes at
# least its delay); the upper bounds hold unless the phase itself reports
# its step noisy (other work held the CPUs), which is accepted, said.
. "$(dirname "$0")/../tests/tap.sh"
. "$(dirname "$0")/../tests/fusemount.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
fuse_work

fuse_usable "storage under injected delays"

# run NAME: the random sub-phase, 2 ranks x 2 500 reads (5 000 >= 4 603,
# so p99.9 and the claim are judged), on the mounted file system.
run() {
	$mpirun -np 2 "$bin" --phases storage --storage-dir "$work/mnt" \
		--storage-subphases random --storage-random-ops 2500 \
		--storage-random-mib 4 -o "$1.json" >"$1.out" 2>"$1.err"
}
R="[o for o in d['phases']['storage']['ops'] if o['subphase'] == 'random' and o['op'] == 'read'][0]"
us() { json_query "$1.json" "round($R['latency_ns']['$2'] / 1e3, 1)"; }

if ! mount_fs -d 0; then
	skip "storage under injected delays" "cannot mount FUSE here: $(head -c 200 fuse.err)"
	done_testing
	exit 0
fi
run base
ok $? "base (no delay): the phase runs on the FUSE file system"
unmount_fs
json_true base.json "$R['ops_count'] == 5000 and d['phases']['storage']['filesystem']['type'] == 'fuse'"
ok $? "base: 5 000 random reads through FUSE, p50 $(us base p50) us, p99 $(us base p99) us"
base_p50=$(json_query base.json "$R['latency_ns']['p50']")

# --- a constant 200 us ---------------------------------------------------
mount_fs -d 200
run const
ok $? "200 us on every read: runs"
unmount_fs
json_true const.json "$R['latency_ns']['min'] >= 200000 and $R['latency_ns']['p50'] >= 200000"
ok $? "200 us: every read took at least 200 us (min $(us const min) us, p50 $(us const p50) us)"
# Each rank's 2 500 reads one after the other, each >= 200 us: the span
# is >= 0.5 s, so at most 10 000 reads/s whatever the host does.
json_true const.json "$R['span_s'] >= 0.5 and $R['ops_per_s'] <= 10000 and abs($R['read_bytes_per_s'] - 4096 * $R['ops_per_s']) < 1e-6 * $R['read_bytes_per_s']"
ok $? "200 us: span >= 0.5 s, IOPS $(json_query const.json "round($R['ops_per_s'])") <= 2 ranks / 200 us, bytes/s = 4 KiB x IOPS"
# Above the base by the delay, plus the sleep's wake-up (timer slack
# 50 us) and 100 us for the scheduler; or the step says it was noisy.
if json_true const.json "$R['noisy']"; then
	skip "200 us: p50 = base + 200 us" "noisy host: $(json_query const.json "$R.get('noisy_reason')")"
else
	json_true const.json "$R['latency_ns']['p50'] <= $base_p50 + 200000 + 150000"
	ok $? "200 us: p50 $(us const p50) us within base $(us base p50) + 200 + 150 us"
fi
# The claim is a verdict on the count: "99.9 % within 1 ms" holds at 99 %
# confidence when, were 0.1 % of reads over 1 ms, seeing this few over it
# in this many would have a chance of 1 % or less (binomial).  A 200 us
# delay leaves every read far under 1 ms on an idle host (the count is 0
# and the claim holds over 5 000 reads: 0.999^5000 = 0.0067); a busy host
# may push a few over, which the verdict must then follow.
json_true const.json "(lambda n, k: $R['claim_p99_9_within_1ms'] == (sum((lambda m: m.exp(m.lgamma(n + 1) - m.lgamma(i + 1) - m.lgamma(n - i + 1) + i * m.log(0.001) + (n - i) * m.log(0.999)))(__import__('math')) for i in range(k + 1)) <= 0.01))($R['ops_count'], $R['above_1ms_count']) and $R['ops_count'] >= 5000"
ok $? "200 us: the 1 ms p99.9 claim follows the count over $(json_query const.json "$R['ops_count']") reads (claim $(json_query const.json "$R['claim_p99_9_within_1ms']"), $(json_query const.json "$R['above_1ms_count']") above 1 ms, noisy $(json_query const.json "$R['noisy']"))"

# --- 3 ms on every 200th read (0.5 %) -------------------------------------
mount_fs -d 0 -s 3000 -e 200
run slow
ok $? "3 ms on 0.5 % of reads: runs"
unmount_fs
json_true slow.json "$R['latency_ns']['p99_9'] >= 3000000 * 255 / 256 and $R['above_1ms_count'] >= 25 and $R['claim_p99_9_within_1ms'] is False"
ok $? "0.5 % at 3 ms: p99.9 $(us slow p99_9) us >= 3 ms, $(json_query slow.json "$R['above_1ms_count']") reads above 1 ms, the 1 ms claim refused"
grep -q "storage: random 4 KiB read: .* IOPS, p99.9 .* ms over 5 000 ops: the 1 ms claim does not hold at 99 % confidence ([0-9 ]* above 1 ms)" slow.out
ok $? "0.5 % at 3 ms: the summary says so: $(grep 'storage:' slow.out | head -1)"
if json_true slow.json "$R['noisy']"; then
	skip "0.5 % at 3 ms: p99.9 near 3 ms, p99 at the base" "noisy host: $(json_query slow.json "$R.get('noisy_reason')")"
else
	json_true slow.json "$R['latency_ns']['p99_9'] <= 3000000 + 1000000"
	ok $? "0.5 % at 3 ms: p99.9 $(us slow p99_9) us within 3 ms + 1 ms"
	json_true slow.json "$R['latency_ns']['p99'] < 1000000"
	ok $? "0.5 % at 3 ms: p99 $(us slow p99) us stays below 1 ms (base p99 $(us base p99) us)"
fi
# --- short metadata transfers: the count, not a stale errno ---------------
# short NAME FLAG CALL WHAT: metadata only on a mount serving every read
# or write 100 bytes at most; the reason gives the count.
short() {
	mount_fs "$2" 100 || { ok 1 "$1: cannot mount: $(head -c 200 fuse.err)"; return; }
	$mpirun -np 2 "$bin" --phases storage --storage-dir "$work/mnt" \
		--storage-subphases metadata --storage-md-files 5 \
		-o "$1.json" >"$1.out" 2>"$1.err"
	unmount_fs
	json_true "$1.json" "__import__('re').fullmatch(r'rank \d+ \(.*\): $3 .*/r\d+/f0: $4 100 of 3901 bytes', d['phases']['storage']['reason'])"
	ok $? "$1: the short count in the reason: $(json_query "$1.json" "d['phases']['storage'].get('reason')" | tail -c 80)"
}
short shortw -w create wrote
short shortr -r read read

ls -A src | grep -q . && { ok 1 "files left in the FUSE source: $(ls -A src)"; } || ok 0 "nothing left behind in the FUSE source"

done_testing
