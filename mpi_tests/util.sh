#!/bin/sh
# The utilisation sampler in a real run: each node's leader samples from
# before the first phase to after the last; the document's "utilisation"
# is valid and holds, per simulated node and phase, the series' summaries
# and bounded series; the summaries count every reading; the tests' fake
# NVML's GPUs appear with power "not supported"; an absent NVML and
# --sample-hz 0 are reasons; the EMF and Prometheus outputs carry the
# utilisation metrics.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
fake=${HPCP_FAKE_NVML:-$(dirname "$bin")/tests/libfake-nvml.so}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
U="d['utilisation']"

# Two simulated nodes, so two samplers and the across-host figures.
HPCPROBE_TEST_RANK_IS_NODE=1 HPCPROBE_NVML_LIB=$fake $mpirun -np 2 "$bin" \
	--quick --phases topology,allreduce --sample-hz 20 -o u.json \
	--emf=u.emf --prom u.prom >/dev/null 2>err.txt
ok $? "np 2, two simulated nodes, --sample-hz 20: exits 0"
schema_check u.json
json_true u.json "${U}['status'] == 'ok' and len(${U}['hosts']) == 2 and all(h['points'] >= 1 for h in ${U}['hosts'])"
ok $? "a sampler on each of the 2 nodes: $(json_query u.json "[h['points'] for h in ${U}['hosts']]") points"
json_true u.json "all(len(h['series']['t_s']) <= ${U}['points_max'] == 64 and all(len(v) == len(h['series']['t_s']) for v in h['series'].values()) for h in ${U}['hosts'])"
ok $? "series bounded to 64 points, one time per point"
# Not mean <= p95: a nearest-rank p95 can be below the mean (a few high
# readings among many low ones), and the histogram's is within 1/64.
json_true u.json "all(0 <= h['run']['cpu_busy'][k] <= h['run']['cpu_busy']['max'] <= 1 for k in ('mean', 'p95') for h in ${U}['hosts'])"
ok $? "cpu busy: 0 <= mean, p95 <= max <= 1 on each host"
json_true u.json "all(h['run']['cpu_busy']['n'] == h['points'] >= sum(p['cpu_busy']['n'] for p in h['phases'].values() if 'cpu_busy' in p) and all(p['cpu_busy']['max'] <= h['run']['cpu_busy']['max'] and p['cpu_busy']['p95'] <= p['cpu_busy']['max'] for p in h['phases'].values() if 'cpu_busy' in p) for h in ${U}['hosts'])"
ok $? "summaries of every reading: the run's n is the readings (one a point, unmerged), at least the phases' together; no phase's max above the run's"
json_true u.json "all(h['gpu'] == {'count': 2, 'reason': None, 'not_supported': ['power']} for h in ${U}['hosts']) and all(abs(h['run']['gpu_utilisation']['mean'] - 0.4) < 1e-9 and abs(h['run']['gpu_memory_used']['max'] - 0.25) < 1e-9 and 'gpu_power_w' not in h['run'] for h in ${U}['hosts'])"
ok $? "fake NVML: 2 GPUs at 40 % and 25 % memory, power not supported (no series)"
json_true u.json "all(0 <= h['phase_times'][p]['start_s'] <= h['phase_times'][p]['end_s'] for h in ${U}['hosts'] for p in ('topology', 'allreduce')) and all(h['phase_times']['topology']['end_s'] <= h['phase_times']['allreduce']['start_s'] for h in ${U}['hosts'])"
ok $? "phase times on each host, in order: $(json_query u.json "${U}['hosts'][0]['phase_times']")"
json_true u.json "${U}['run']['cpu_busy']['least_used_host'] in [h['host'] for h in ${U}['hosts']] and ${U}['run']['cpu_busy']['imbalance'] >= 1"
ok $? "across hosts: least-used host $(json_query u.json "${U}['run']['cpu_busy']['least_used_host']"), imbalance >= 1"
grep -q '"CPUUtilization"' u.emf && grep -q '"GPUMemoryUsedPercent"' u.emf
ok $? "EMF: CPUUtilization and GPUMemoryUsedPercent"
grep -q '^hpcprobe_host_cpu_busy_ratio{host="vm#r0",phase="allreduce"}\|^hpcprobe_host_cpu_busy_ratio{host=' u.prom
ok $? "Prometheus: hpcprobe_host_cpu_busy_ratio per host and phase"

# No NVML: a reason, never an error.
HPCPROBE_NVML_LIB=/nonexistent/libnvidia-ml.so.1 $mpirun -np 2 "$bin" \
	--quick --phases topology -o n.json >/dev/null 2>&1
ok $? "absent NVML: exits 0"
json_true n.json "${U}['hosts'][0]['gpu']['count'] == 0 and 'cannot be loaded' in ${U}['hosts'][0]['gpu']['reason']"
ok $? "absent NVML: the reason '$(json_query n.json "${U}['hosts'][0]['gpu']['reason']")'"

# Off.
$mpirun -np 2 "$bin" --quick --phases topology --sample-hz 0 -o off.json \
	>/dev/null 2>&1
json_true off.json "$U == {'status': 'skipped', 'reason': 'off (--sample-hz 0)'}"
ok $? "--sample-hz 0: skipped, with the reason"
schema_check off.json
done_testing
