#!/bin/sh
# The real binary under mpirun at 2 and 4 ranks: the document is written,
# valid against the schema, and says the right things about ranks, hosts,
# bindings and oversubscription.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1


host=$(hostname)

# --- 2 ranks, default phases, default output name -------------------------
# The whole default job (every phase at OSU's counts: about 20 s on an idle
# 2-vCPU machine) takes minutes when its ranks share the cores with a
# build: a rank waiting for its peer yields a whole time slice to the
# compiler.  hpcprobe's own watchdog catches a hang; this outer bound only
# keeps a broken launcher from stalling the suite.
# Under the sanitizers the same phases run with --quick: the checks there
# are about memory, which the counts do not change, and the full counts
# took 330 s at load 12 and passed the 900 s bound beside two other
# suites (run 241).  --timeout stays at the default job's 120 s: --quick
# alone would make it 30 s.
job_args=
job_name="hpcprobe"
if [ -n "${HPCP_SANITIZED:-}" ]; then
	job_args="--quick --timeout 120"
	job_name="hpcprobe $job_args (sanitizers)"
fi
# shellcheck disable=SC2086 # the arguments are meant to split
HPCP_TEST_TIMEOUT=${HPCP_TEST_TIMEOUT_LONG:-900} \
	$mpirun -np 2 "$bin" $job_args >summary.txt 2>progress.txt
status=$?
# On a failure, what ended it: each phase neither ok nor unavailable, with
# its reason, and every rank's own errors from stderr (the rank that was
# waited on says there what it was doing).
not_ok=$(json_query hpcprobe-results.json "'; '.join('%s %s: %s' % (k, v['status'], v.get('reason', '')[:300]) for k, v in d['phases'].items() if v['status'] not in ('ok', 'unavailable'))" 2>/dev/null)
ok $status "mpirun -np 2 $job_name exits 0 (got $status${not_ok:+; $not_ok})"
[ "$status" -eq 0 ] ||
	grep -iE "error|watchdog|sanitizer|signal|phase [a-z]+: (started|ok|failed)" progress.txt |
	tail -40 | sed 's/^/# /'
test -f hpcprobe-results.json
ok $? \
	"default output hpcprobe-results.json is written"
schema_check hpcprobe-results.json
d=hpcprobe-results.json
json_true $d "d['status'] == 'ok' and d['run']['complete']"
ok $? "status ok and run complete ($(json_query $d "(d['status'], d['run'].get('end_reason'))" 2>/dev/null))"
json_true $d "d['context']['mpi']['ranks'] == 2 and len(d['context']['ranks']) == 2"
ok $? "context.mpi.ranks is 2 and both ranks are listed"
json_true $d "d['context']['launcher'] == 'mpirun'"
ok $? "launcher detected as mpirun"
json_true $d "sorted(r for h in d['context']['hosts'] for r in h['ranks']) == [0, 1]"
ok $? "every rank is on exactly one host"
json_true $d "all(r['cpuset'] and r['host'] for r in d['context']['ranks'])"
ok $? "every rank has a host and a cpuset"
json_true $d "d['context']['hosts'][0]['topology']['available'] and d['context']['hosts'][0]['topology']['pus_count'] >= 1"
ok $? "host topology is present"
json_true $d "d['phases']['topology']['status'] == 'ok' and len(d['phases']['topology']['bindings']) == 2"
ok $? "topology phase ok with a binding per rank"
grep -q "Phases" summary.txt && grep -q "topology" summary.txt
ok $? "summary printed on stdout"
grep -q "phase topology: started" progress.txt &&
	grep -q "phase topology: ok in" progress.txt
ok $? "progress lines on stderr with elapsed time"

# --- 4 ranks on this 2-core machine: oversubscribed ------------------------
$mpirun -np 4 "$bin" --phases topology -o t.json >summary4.txt 2>progress4.txt
status=$?
ok $status "mpirun -np 4 --oversubscribe hpcprobe --phases topology exits 0"
schema_check t.json
json_true t.json "d['context']['mpi']['ranks'] == 4 and len(d['context']['ranks']) == 4"
ok $? "context.mpi.ranks is 4 and all 4 ranks are listed"
json_true t.json "all(r['host'] and r['cpuset'] for r in d['context']['ranks'])"
ok $? "all 4 ranks have host and cpuset"
pus=$(json_query t.json "d['context']['hosts'][0]['topology']['pus_count']")
if [ "${pus:-0}" -lt 4 ]; then
	json_true t.json "any('oversubscribed' in w for w in d['warnings'])"
	ok $? "oversubscription warning in the document ($pus PUs, 4 ranks)"
	json_true t.json "d['phases']['topology']['oversubscribed'] is True"
	ok $? "phases.topology.oversubscribed is true"
	grep -q "oversubscribed" progress4.txt
	ok $? "oversubscription warning on stderr"
else
	skip "oversubscription warning" "this host has $pus PUs"
	skip "phases.topology.oversubscribed" "this host has $pus PUs"
	skip "oversubscription warning on stderr" "this host has $pus PUs"
fi
json_true t.json "list(d['phases']) == ['topology'] and d['run']['config']['phases'] == ['topology']"
ok $? "only the selected phase ran and the config echo says so"
json_true t.json "d['context']['hosts'][0]['name'] == '$host'"
ok $? "host name recorded as $host"

# --- environment hygiene ----------------------------------------------------
AWS_SECRET_ACCESS_KEY=s3cr3t-value-1 AWS_SESSION_TOKEN=t0k3n-value-2 \
	AWS_BATCH_JOB_TOKEN=t0k3n-value-3 FI_HPCP_TEST_VAR=visible-value \
	OMPI_MCA_hpcp_password=p4ss-value-4 \
	$mpirun -np 2 -x AWS_SECRET_ACCESS_KEY -x FI_HPCP_TEST_VAR "$bin" \
	--phases topology -o env.json >/dev/null 2>&1
ok $? "run with secrets in the environment exits 0"
json_true env.json "d['context']['environment'].get('FI_HPCP_TEST_VAR') == 'visible-value'"
ok $? "allow-listed FI_* variables are recorded"
! grep -q -e s3cr3t-value -e t0k3n-value -e p4ss-value env.json
ok $? "no secret value appears anywhere in the document"

# --- the document on stdout -----------------------------------------------
$mpirun -np 2 "$bin" --phases topology -o - >stdout.json 2>summary-err.txt
ok $? "-o - exits 0"
schema_check stdout.json
grep -q "Phases" summary-err.txt
ok $? "with -o - the summary goes to stderr, stdout is only the document"

done_testing
