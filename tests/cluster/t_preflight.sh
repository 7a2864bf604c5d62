#!/bin/bash
# Cluster test: the preflight phase's job checks across 3 namespace nodes,
# one rank each, on fake trees (no EFA, no metadata service: 127.0.0.1:1
# refuses at once) so the run is quick.
# (a) nodeb alone given another version string (HPCPROBE_TEST_VERSION):
#     job.hpcprobe_version fails naming nodeb, and only nodeb.
# (b) the same job without it: the check passes on 3 nodes.
# (c) the clocks: the namespaces share one kernel clock, so the true offset
#     is 0 and causality bounds the measured one by the uncertainty, which
#     the method sets to half the least round trip; under 1 ms unless the
#     host was too busy to judge, which job.clocks must then say (warn).
# (d) nodec behind a delay line of D each way: the round trip carries 2D
#     but the offset does not (a symmetric delay cancels; only asymmetry
#     would show), so |offset| <= uncertainty - D, and with D over 1 ms
#     job.clocks can neither pass nor fail: warn.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/lib.sh"

bin=${HPCP_BIN:?}
D=2000
if ! why=$(cluster_can_run); then
	echo "1..0 # SKIP $why"
	exit 0
fi
res=$(mktemp -d)
chmod 755 "$res"
trap 'cluster_down; rm -rf "$res"' EXIT

# Fake trees: no EFA adapter, a /dev with /dev/shm, a plain meminfo.
mkdir -p "$res/efa" "$res/dev/shm" "$res/proc"
printf 'MemTotal: 1000 kB\nHugePages_Total:       0\n' >"$res/proc/meminfo"

P="d['phases']['preflight']"
st() { json_query "$1" "[c['status'] for c in ${P}['checks'] if c['name'] == '$2'][0]"; }
val() { json_query "$1" "[c['value'] for c in ${P}['checks'] if c['name'] == '$2'][0]"; }

# run OUT APP-CONTEXTS...: preflight over the nodes (hostfile already made).
run() {
	local out=$1
	shift
	cluster_mpirun --mca btl self,vader,tcp \
		--mca btl_tcp_if_include "$CL_NET.0/24" \
		-x HPCPROBE_IMDS_ENDPOINT=127.0.0.1:1 \
		-x HPCPROBE_DEV_ROOT="$res/dev" -x HPCPROBE_PROC_ROOT="$res/proc" \
		"$@" >"$out.out" 2>&1
}
pf=(--efa-root "$res/efa" --phases preflight)

cluster_up 3
cluster_hostfile 1 >/dev/null

# (a) Ranks map one per node in order, so the middle context is nodeb's.
run "$res/mis.json" -np 1 "$bin" "${pf[@]}" -o "$res/mis.json" : \
	-np 1 env HPCPROBE_TEST_VERSION=9.9.9-other "$bin" "${pf[@]}" \
	-o "$res/mis.json" : -np 1 "$bin" "${pf[@]}" -o "$res/mis.json"
ok $? "3 nodes, nodeb with another version: exits 0 (no --preflight-strict)"
json_true "$res/mis.json" "[d['context']['ranks'][r]['host'] for r in range(3)] == ['nodea', 'nodeb', 'nodec'] and [n['host'] for n in ${P}['nodes']] == ['nodea', 'nodeb', 'nodec']"
ok $? "ranks 0..2 on nodea..nodec, the phase's nodes named so"
v=$(val "$res/mis.json" job.hpcprobe_version)
[ "$(st "$res/mis.json" job.hpcprobe_version)" = fail ] &&
	case $v in *'; nodeb: 9.9.9-other'*) true ;; *) false ;; esac &&
	case $v in *nodea* | *nodec*) false ;; *) true ;; esac &&
	json_true "$res/mis.json" "[n['hpcprobe_version'] == '9.9.9-other' for n in ${P}['nodes']] == [False, True, False]"
ok $? "job.hpcprobe_version: fail naming nodeb and only nodeb ($v)"

# (b) and (c)
run "$res/same.json" -np 3 "$bin" "${pf[@]}" -o "$res/same.json"
ok $? "3 nodes, one version: exits 0"
[ "$(st "$res/same.json" job.hpcprobe_version)" = pass ] &&
	val "$res/same.json" job.hpcprobe_version | grep -q ' on 3 nodes$'
ok $? "job.hpcprobe_version: pass ($(val "$res/same.json" job.hpcprobe_version))"

C="${P}['clock']"
# Every non-reference host: rtt > 0, uncertainty = ceil(rtt / 2), and on one
# clock |offset| <= uncertainty exactly (t0 <= t1 <= t2).
json_true "$res/same.json" "${C}['reference_host'] == 'nodea' and [h['host'] for h in ${C}['hosts']] == ['nodea', 'nodeb', 'nodec'] and all(h['rtt_min_ns'] > 0 and h['uncertainty_ns'] == (h['rtt_min_ns'] + 1) // 2 and abs(h['offset_ns']) <= h['uncertainty_ns'] for h in ${C}['hosts'][1:])"
ok $? "one kernel clock: every offset within its uncertainty, which is half the least round trip ($(json_query "$res/same.json" "[(h['host'], h['offset_ns'], h['uncertainty_ns']) for h in ${C}['hosts'][1:]]"))"
if json_true "$res/same.json" "all(h['uncertainty_ns'] < 1000000 for h in ${C}['hosts'][1:])"; then
	json_true "$res/same.json" "all(abs(h['offset_ns']) < 1000000 for h in ${C}['hosts']) and ${C}['max_abs_offset_ns'] == max(abs(h['offset_ns']) for h in ${C}['hosts'])"
	ok $? "every offset under 1 ms: largest $(json_query "$res/same.json" "${C}['max_abs_offset_ns']") ns"
	[ "$(st "$res/same.json" job.clocks)" = pass ]
	ok $? "job.clocks: pass ($(val "$res/same.json" job.clocks))"
else
	# A busy host stretched every round trip: the offset is still bounded
	# (above), and the check must say it cannot judge.
	[ "$(st "$res/same.json" job.clocks)" = warn ]
	ok $? "uncertainty over 1 ms (busy host): job.clocks says warn ($(val "$res/same.json" job.clocks))"
	skip "every offset under 1 ms" "uncertainty over 1 ms: $(val "$res/same.json" job.clocks)"
fi

# (d) nodec reaches the others only through a delay line of D each way.
cluster_down
cluster_up 3 "1 2"
if ! cluster_build_tools "${CC:-cc}"; then
	skip "clock offset over a symmetric delay line" "no C compiler for the delay line"
	done_testing
	exit
fi
cluster_delay_port 3 $D
cluster_hostfile 1 >/dev/null
run "$res/delay.json" -np 3 "$bin" "${pf[@]}" -o "$res/delay.json"
ok $? "3 nodes, nodec behind a $D us delay line: exits 0"
Dn=$((D * 1000))
json_true "$res/delay.json" "(lambda h: h['host'] == 'nodec' and h['rtt_min_ns'] >= 2 * $Dn and h['uncertainty_ns'] == (h['rtt_min_ns'] + 1) // 2)(${C}['hosts'][2])"
ok $? "nodec's least round trip carries both delays: $(json_query "$res/delay.json" "${C}['hosts'][2]['rtt_min_ns']") ns >= 2 x $Dn"
json_true "$res/delay.json" "(lambda h: abs(h['offset_ns']) <= h['uncertainty_ns'] - $Dn)(${C}['hosts'][2])"
ok $? "the symmetric delay cancels: nodec's offset $(json_query "$res/delay.json" "${C}['hosts'][2]['offset_ns']") ns within uncertainty - D = $(json_query "$res/delay.json" "${C}['hosts'][2]['uncertainty_ns'] - $Dn") ns"
[ "$(st "$res/delay.json" job.clocks)" = warn ]
ok $? "job.clocks over a 2 x $D us round trip: warn, neither pass nor a false fail ($(val "$res/delay.json" job.clocks))"

done_testing
