#!/bin/bash
# The outputs people use, from one real run: CloudWatch EMF lines that pass
# the EMF rules, a Prometheus textfile promtool accepts, an HTML report
# whose every chart draws in headless Chromium, a regression gate that
# catches a regression and passes identical documents, and bad documents
# refused with exit 2 and no report file.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
report=${HPCP_REPORT_BIN:?}
mpirun=${HPCP_MPIRUN:?}
tests=$(cd "$(dirname "$0")/../tests" && pwd)
aws=$(cd "$(dirname "$0")/../batch/aws" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

$mpirun -np 2 "$bin" --quick --emf=m.jsonl --prom m.prom -o r.json \
	>summary.txt 2>progress.txt
st=$?
ok $st "one run with --emf=m.jsonl --prom m.prom exits 0 ($st)"
# Why, where it did not: the work directory goes at exit.
[ "$st" -eq 0 ] || tail -n 20 progress.txt | sed 's/^/# /'

# emf_valid FILE WHAT, prom_valid FILE WHAT: one TAP line each (a SKIP
# without the checker).
emf_valid() {
	if [ "$PYTHON_JSONSCHEMA" = no ] || [ -z "$PYTHON_JSONSCHEMA" ]; then
		skip "$2 EMF lines pass the EMF schema and limits" "no python3-jsonschema"
	else
		out=$("$PYTHON_JSONSCHEMA" "$tests/check_emf.py" "$tests/data/emf.schema.json" "$1")
		ok $? "$2 EMF lines pass the EMF schema and limits: $out"
	fi
}
prom_valid() {
	if command -v promtool >/dev/null; then
		out=$(promtool check metrics <"$1" 2>&1)
		ok $? "promtool check metrics accepts the $2 textfile ${out:+($out)}"
	else
		skip "promtool accepts the $2 textfile" "promtool not installed (apt-get install prometheus)"
	fi
}

# --- EMF ------------------------------------------------------------------
emf_valid m.jsonl "the run's"
n=$(wc -l <m.jsonl)
ok $((n < 5)) "EMF: a line per metric group ($n lines)"
grep -q '"Phase":"pingpong"' m.jsonl && grep -q '"Phase":"allreduce"' m.jsonl &&
	grep -q '"Phase":"compute"' m.jsonl && grep -q '"Phase":"fabric"' m.jsonl
ok $? "EMF: ping-pong, all-reduce, compute and fabric groups"
grep -q '"LoadBalance"' m.jsonl && grep -q '"BusBandwidth"' m.jsonl &&
	grep -q '"LatencyP99"' m.jsonl && grep -q '"DgemmGflops"' m.jsonl
ok $? "EMF: latency p99, busbw, load balance and GFLOP/s metrics"
# The job's rates are work over the wall span, not the deprecated sum of
# the ranks' round rates.
/usr/bin/python3 - r.json m.jsonl <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))["phases"]["compute"]["kernels"]
line = [json.loads(l) for l in open(sys.argv[2]) if '"DgemmGflops"' in l][0]
close = lambda a, b: abs(a - b) <= 1e-6 * abs(b)
sys.exit(0 if close(line["DgemmGflops"], k["dgemm"]["job_flops_per_s"] * 1e-9)
         and close(line["TriadBandwidth"], k["triad"]["job_bytes_per_s"]) else 1)
PY
ok $? "EMF: DgemmGflops and TriadBandwidth are the job's work over its wall span (job_*_per_s)"
$mpirun -np 2 "$bin" --phases allreduce --quick --emf --emf-namespace Team/HPC \
	-o r2.json >emf-stdout.txt 2>/dev/null
ok $? "--emf without a file writes to stdout"
grep -q '"Namespace":"Team/HPC"' emf-stdout.txt && ! grep -qv '^{' emf-stdout.txt
ok $? "EMF on stdout: only EMF lines there, with the namespace given"

# --- CloudWatch dashboard and alarm templates ------------------------------
"$aws/render-cloudwatch.sh" dashboard --namespace Team/HPC --cluster c1 \
	--region eu-west-1 --job j1 >dash.json && /usr/bin/python3 -m json.tool dash.json >/dev/null
ok $? "the dashboard template renders to valid JSON"
"$aws/render-cloudwatch.sh" alarms --namespace Team/HPC --cluster c1 >alarms.json &&
	/usr/bin/python3 -m json.tool alarms.json >/dev/null
ok $? "the alarm templates render to valid JSON"
/usr/bin/python3 - dash.json alarms.json m.jsonl <<'PY'
import json, sys
emitted = set()
for line in open(sys.argv[3]):
    for d in json.loads(line)["_aws"]["CloudWatchMetrics"]:
        emitted |= {m["Name"] for m in d["Metrics"]}
used = set()
for w in json.load(open(sys.argv[1]))["widgets"]:
    for row in w.get("properties", {}).get("metrics", []):
        if isinstance(row[0], str):
            assert row[0] == "Team/HPC", row
            used.add(row[1])
for a in json.load(open(sys.argv[2])):
    assert a["Namespace"] == "Team/HPC"
    used.add(a["MetricName"])
missing = used - emitted
sys.exit(1 if missing or not used else 0)
PY
ok $? "every metric the dashboard and alarms use is one hpcprobe emits"
"$aws/render-cloudwatch.sh" dashboard --namespace 'bad ns!' >/dev/null 2>&1
ok $(( $? != 2 )) "a bad namespace is refused with exit 2"

# --- Prometheus ------------------------------------------------------------
prom_valid m.prom "run's"
grep -q '^hpcprobe_pingpong_latency_seconds{.*quantile="0.99"}' m.prom &&
	grep -q '^# TYPE hpcprobe_pingpong_latency_seconds summary' m.prom
ok $? "Prometheus: latency summaries in seconds with HELP and TYPE"
grep -q '^hpcprobe_compute_efficiency_ratio{.*metric="load_balance"} 0\.' m.prom
ok $? "Prometheus: load balance as a 0-1 ratio"
[ -z "$(ls ./*.prom.tmp.* 2>/dev/null)" ]
ok $? "Prometheus: written atomically, no temporary left"

# --- the storage phase's exports ----------------------------------------------
# Every row's EMF metrics and Prometheus gauges carry the document's values.
mkdir st
$mpirun -np 2 "$bin" --quick --phases storage --storage-dir "$work/st" \
	--emf=s.jsonl --prom s.prom -o s.json >/dev/null 2>&1
ok $? "storage run with --emf and --prom exits 0"
emf_valid s.jsonl storage
prom_valid s.prom storage
out=$(/usr/bin/python3 - s.json s.jsonl s.prom <<'PY'
import json, re, sys
ops = json.load(open(sys.argv[1]))["phases"]["storage"]["ops"]
emf = {(e["Subphase"], e["Operation"]): e
       for e in map(json.loads, open(sys.argv[2])) if "Subphase" in e}
prom = {}
for l in open(sys.argv[3]):
    m = re.match(r'(hpcprobe_storage_\w+)\{phase="storage",subphase="(\w+)",op="(\w+)"\} (\S+)$', l)
    if m:
        prom[(m.group(1), m.group(2), m.group(3))] = float(m.group(4))
close = lambda a, b: abs(a - b) <= 1e-6 * abs(b) + 1e-12
bad, seen = [], set()
for o in ops:
    key = (o["subphase"], o["op"])
    e = emf.get(key, {})
    want = {"IOPS": o["ops_per_s"]}
    if "read_bytes_per_s" in o:
        want["ReadThroughput"] = o["read_bytes_per_s"]
    if "write_bytes_per_s" in o:
        want["WriteThroughput"] = o["write_bytes_per_s"]
    if o.get("page_cache_resident_ratio") is not None:
        want["CacheHitPercent"] = 100 * o["page_cache_resident_ratio"]
    if o["latency_ns"].get("p99_9") is not None:
        want["LatencyP999"] = o["latency_ns"]["p99_9"] / 1e3
    for name, v in want.items():
        seen.add(name)
        if name not in e or not close(e[name], v):
            bad.append("EMF %s %s: %s, document %s" % (key, name, e.get(name), v))
    p = prom.get(("hpcprobe_storage_ops_per_second",) + key)
    if p is None or not close(p, o["ops_per_s"]):
        bad.append("Prometheus %s ops/s: %s, document %s" % (key, p, o["ops_per_s"]))
missing = {"IOPS", "ReadThroughput", "WriteThroughput", "CacheHitPercent", "LatencyP999"} - seen
print("%d rows; %s" % (len(ops), "; ".join(bad[:3]) or
      ("never in the document: %s" % sorted(missing) if missing else "all equal")))
sys.exit(1 if bad or missing or len(ops) != 16 else 0)
PY
)
ok $? "storage: EMF IOPS, ReadThroughput, WriteThroughput, CacheHitPercent, LatencyP999 and the Prometheus ops/s of every row are the document's ($out)"

# --- the summary -------------------------------------------------------------
grep -q '^Findings' summary.txt && grep -q 'EFA not used' summary.txt &&
	grep -q 'load balance' summary.txt
ok $? "summary: findings first (EFA, load balance)"
grep -q 'p50 *p99 *max *bandwidth' summary.txt && grep -q 'busbw' summary.txt
ok $? "summary: aligned tables per phase"

# --- the HTML report ----------------------------------------------------------
"$report" r.json -o report.html >report.out 2>&1
ok $? "hpcprobe-report r.json -o report.html exits 0"
grep -q '<script' report.html
ok $((! $?)) "the report has no script"
! grep -Eq '(src|href)="https?:' report.html
ok $? "the report loads nothing from the network"
for id in chart-latency chart-busbw chart-heatmap chart-load; do
	grep -q "id=\"$id\"" report.html
	ok $? "the report has $id"
done
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --window-size=1200,16000 \
		--screenshot="$work/shot.png" "file://$work/report.html" \
		>/dev/null 2>&1
	ok $? "headless Chromium renders the report"
	# Each chart draws its data in a colour no other part of the page uses.
	colours=$(sed -n 's/.*signature colours: \(.*\) -->.*/\1/p' report.html)
	# The screenshot decoded once for every colour (a 1200 x 16000 PNG
	# in Python takes seconds).
	# shellcheck disable=SC2086 # one colour a word
	/usr/bin/python3 "$tests/png_colors.py" shot.png \
		$(for pair in $colours; do echo "${pair#*=}"; done) >counts.txt
	for pair in $colours; do
		id=${pair%%=*}
		colour=${pair#*=}
		count=$(awk -v c="$colour" '$1 == c { print $2; exit }' counts.txt)
		ok $(( ${count:-0} < 20 )) "$id drew in the screenshot ($count pixels of $colour)"
	done
	[ -n "$colours" ]
	ok $? "the report declares each chart's signature colour"
else
	skip "headless Chromium renders the report" "chromium not installed"
fi

# --- the regression gate -----------------------------------------------------
"$report" --baseline r.json r.json >gate-same.txt
ok $? "gate: identical documents exit 0"
/usr/bin/python3 - r.json slower.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["phases"]["pingpong"]["pairs"]:
    for s in p["sizes"]:
        if s["bytes"] == 8:
            s["latency_ns"]["p50"] = int(s["latency_ns"]["p50"] * 1.5)
json.dump(d, open(sys.argv[2], "w"))
PY
"$report" --baseline r.json slower.json >gate-slow.txt
status=$?
ok $((status != 1)) "gate: a 50 % slower 8 B p50 exits 1 ($status)"
grep -q 'pingpong.intra_node.8B.p50_ns.*REGRESSED' gate-slow.txt
ok $? "gate: the regressed metric is named"
"$report" --baseline r.json slower.json --tolerance 60 >/dev/null
ok $? "gate: within --tolerance 60 it passes"
# An all-reduce twice as slow: a regression, unless either document says
# the host was too busy to measure it (then it is shown, not judged).
for mark in base False True; do
	/usr/bin/python3 - r.json "ar$mark.json" "$mark" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["phases"]["allreduce"]["sizes"]:
    if sys.argv[3] != "base":
        s["latency_ns"]["p50"] *= 2
    s["noisy"] = sys.argv[3] == "True"
json.dump(d, open(sys.argv[2], "w"))
PY
done
"$report" --baseline arbase.json arFalse.json >gate-ar.txt
status=$?
grep -q 'allreduce.8B.p50_ns.*REGRESSED' gate-ar.txt
ok $(( $? || status != 1 )) "gate: a 2x slower all-reduce completion p50 exits 1 and is named ($status)"
"$report" --baseline arbase.json arTrue.json >gate-noisy.txt
status=$?
grep -q 'allreduce.8B.p50_ns.*noisy host, not judged' gate-noisy.txt &&
	grep -q 'not judged (noisy host)' gate-noisy.txt
ok $(( $? || status != 0 )) "gate: the same on a host marked noisy is shown, not judged, exit 0 ($status)"

# --- bad documents -------------------------------------------------------------
echo 'not json' >bad1.json
/usr/bin/python3 -c 'import json; d = json.load(open("r.json")); d["schema"]["name"] = "other"; json.dump(d, open("bad2.json", "w"))'
/usr/bin/python3 -c 'import json; d = json.load(open("r.json")); d["schema"]["version"] = "2.0.0"; json.dump(d, open("bad3.json", "w"))'
/usr/bin/python3 -c 'import json; d = json.load(open("r.json")); del d["phases"]; json.dump(d, open("bad4.json", "w"))'
for b in bad1 bad2 bad3 bad4; do
	"$report" $b.json -o $b.html >/dev/null 2>err.txt
	status=$?
	[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && [ ! -e $b.html ]
	ok $? "bad document $b: exit 2 ($status), one line, no report: $(cat err.txt)"
	"$report" --baseline r.json $b.json >/dev/null 2>&1
	ok $(( $? != 2 )) "bad document $b as the gate's input: exit 2"
done

done_testing
