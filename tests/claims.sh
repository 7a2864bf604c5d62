#!/bin/bash
# hpcprobe-report --claims and --price (tools/report/claims.c, cost.c),
# without MPI, against known answers:
#   - a claims file with one claim of each verdict on a fixture gives those
#     verdicts and exit 1 (a claim is refuted); the zero-exceedance rule
#     n = ceil(ln(1 - c) / ln(q)) decides "too few samples" (p99.9 at 95 %
#     needs 2995 samples, the fixture has 1000; p99 at 90 % needs 230);
#   - the cost of a hand-made document at hand-made prices, computed by
#     hand (in the comments), to the hundredth of a cent;
#   - the HTML report gets the claims and cost sections;
#   - the shipped examples are well-formed.
# The expected lines hold dollar signs, not expansions:
# shellcheck disable=SC2016
. "$(dirname "$0")/tap.sh"
report=${HPCP_REPORT_BIN:?}
data=$(cd "$(dirname "$0")/data" && pwd)
examples=$(cd "$(dirname "$0")/../examples" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$report" --claims "$data/claims/each-verdict.json" \
	"$data/results/full-np4.json" >"$work/v.txt" 2>"$work/v.err"
[ $? -eq 1 ]; ok $? "one refuted claim: exit 1"
verdict() {
	# verdict NUMBER: the verdict word(s) of the n-th claim line
	sed -n "$(($1 + 1))p" "$work/v.txt" | cut -c3-17 | sed 's/ *$//'
}
[ "$(verdict 1)" = holds ]; ok $? "claim 1 (p50 <= 1 s): holds"
[ "$(verdict 2)" = refuted ]; ok $? "claim 2 (p50 <= 1 ns): refuted"
grep -q 'refuted .*measured 2248 ns' "$work/v.txt"
ok $? "the refuting value is the fixture's p50, 2248 ns"
[ "$(verdict 3)" = "not measured" ]; ok $? "claim 3 (no infer phase): not measured"
[ "$(verdict 4)" = "too few samples" ]
ok $? "claim 4 (p99.9 at 95 %): too few samples"
grep -q '1000 samples; the p99_9 at confidence 0.95 needs 2995' "$work/v.txt"
ok $? "ceil(ln 0.05 / ln 0.999) = 2995 samples needed, 1000 measured"
[ "$(verdict 5)" = holds ]
ok $? "claim 5 (p99 at 90 %: 230 needed, 1000 measured): holds"
grep -q '^  2 hold, 1 refuted, 1 not measured, 1 too few samples$' "$work/v.txt"
ok $? "the tally"
[ ! -s "$work/v.err" ]; ok $? "nothing on stderr"

# Without the refuted claim: exit 0.
/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); del d["claims"][1]
json.dump(d, open(sys.argv[2], "w"))' "$data/claims/each-verdict.json" \
	"$work/no-refuted.json"
"$report" --claims "$work/no-refuted.json" "$data/results/full-np4.json" \
	>/dev/null 2>&1
ok $? "no refuted claim: exit 0"

# A phase that did not finish measured nothing (failed-np2: pingpong failed).
printf '{"claims":[{"metric":"phases/pingpong/pairs/0/sizes/0/samples_count","comparison":">=","value":0}]}' \
	>"$work/failed.json"
"$report" --claims "$work/failed.json" "$data/results/failed-np2.json" \
	>"$work/f.txt" 2>&1
grep -q '^  not measured' "$work/f.txt"
ok $? "a claim on a failed phase: not measured"

# Cost: 4 nodes of test.4xl at $2.00 (Spot $0.80) an hour.
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	--checkpoint-s 90 "$data/cost/results.json" >"$work/c.txt" 2>&1
ok $? "--price: exit 0"
line() { grep -F -- "$1" "$work/c.txt" >/dev/null; }
# 4 nodes x 2 h x $2.00 = $16.00; x $0.80 = $6.40
line 'run                        $16.0000 On-Demand, $6.4000 Spot'
ok $? "run: 4 x 2 h x 2.00 = 16.00, Spot 6.40"
# 4 x 1 h x 2.00 = 8.00; 4 x 0.5 h x 2.00 = 4.00
line 'phase train                $8.0000 On-Demand, $3.2000 Spot' &&
	line 'phase infer                $4.0000 On-Demand, $1.6000 Spot'
ok $? "phases: train 8.00 (3.20), infer 4.00 (1.60)"
# epochs 900 s and 1100 s: mean 1000 s; 4 x 1000/3600 h x 2.00 = 2.2222
line 'per training epoch         $2.2222 On-Demand, $0.8889 Spot'
ok $? "per epoch: 4 x 1000 s x 2.00/h = 2.2222, Spot 0.8889"
# 1800 s to the target: 4 x 0.5 h x 2.00 = 4.00
line 'to the training target     $4.0000 On-Demand, $1.6000 Spot'
ok $? "to the target: 4.00, Spot 1.60"
# 1000 requests at 2000/s = 0.5 s of 4 nodes: 4 x 0.5/3600 x 2.00 =
# 0.001111, Spot 0.000444: below a cent, three significant digits.
line 'per 1000 requests          $0.00111 On-Demand, $0.000444 Spot'
ok $? "per 1000 requests: 0.00111, Spot 0.000444 (not \$0.0000)"
# MTBF M = 1/(4 x 0.05) = 5 h; C = 90 s = 0.025 h; Young's interval
# tau = sqrt(2 x 0.025 x 5) = 0.5 h = 1800 s.  Exact under Poisson
# interruptions (Daly 2006, no restart time): T = M (e^((tau + C)/M) - 1)
# W / tau = 5 (e^0.105 - 1) 2 / 0.5 = 20 x 0.1107106 = 2.214212 h;
# 4 x 2.214212 x 0.80 = 7.0855.  Young's first order: 2 (1 + 0.025/0.5 +
# 0.5/10) = 2.2 h.
line 'run on Spot, expected      $7.0855 (2.2142 h, first order 2.2000 h; checkpoint every 1800 s, interruptions every 5.00 h; checkpoint 90 s from --checkpoint-s, restart 0 s)'
ok $? "Spot expected at Young's interval: exact 2.2142 h, \$7.0855 (first order 2.2 h)"
# C = 1 s << M = 5 h: tau = sqrt(2 x 5/3600) h = 189.7 s; the exact T
# expands to W (1 + C/tau + tau/(2M) + C/M + (tau + C)^2/(6 M^2) + ...):
# above the first order by C/M + ... = 7.4e-5 of it, 2.02123 h against
# 2.02108 h; 4 x 2.021231 x 0.80 = 6.4679.
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	--checkpoint-s 1 "$data/cost/results.json" >"$work/c1.txt" 2>&1
grep -qF 'run on Spot, expected      $6.4679 (2.0212 h, first order 2.0211 h; checkpoint every 190 s, interruptions every 5.00 h; checkpoint 1 s from --checkpoint-s, restart 0 s)' "$work/c1.txt"
ok $? "checkpoint 1 s << MTBI 5 h: exact and first order agree (2.0212, 2.0211 h)"
# 8 interruptions an hour of each of 4 nodes: M = 1/32 h = 112.5 s; C =
# 90 s: tau = sqrt(2 x 90 x 112.5) = 142.3 s; T = 112.5 (e^(232.3/112.5)
# - 1) 7200 / 142.3 s = 112.5 x 6.884597 x 50.5966 s = 10.8855 h, where
# the first order says 4.5298 h; 4 x 10.8855 x 0.80 = 34.8336.
sed 's/"spot_interruptions_per_hour": 0.05/"spot_interruptions_per_hour": 8/' \
	"$data/cost/prices.json" >"$work/prices-8.json"
"$report" --price "$work/prices-8.json" --instance-type test.4xl \
	--checkpoint-s 90 "$data/cost/results.json" >"$work/c8.txt" 2>&1
grep -qF 'run on Spot, expected      $34.8336 (10.8855 h, first order 4.5298 h; checkpoint every 142 s, interruptions every 0.03 h; checkpoint 90 s from --checkpoint-s, restart 0 s)' "$work/c8.txt"
ok $? "checkpoint 90 s near MTBI 112.5 s: exact 10.8855 h, first order 4.53 h"
# C = 120 s >= M = 112.5 s: no interval means anything.
"$report" --price "$work/prices-8.json" --instance-type test.4xl \
	--checkpoint-s 120 "$data/cost/results.json" >"$work/c9.txt" 2>&1
grep -qF 'run on Spot, expected      n/a (a checkpoint takes as long as the mean time between interruptions or longer' "$work/c9.txt"
ok $? "checkpoint 120 s >= MTBI 112.5 s: n/a with the reason"
line 'AWS Batch multi-node parallel jobs cannot run on Spot'
ok $? "launcher aws-batch: the Spot note"
# The train phase's measured checkpoint (--train-checkpoint-dir): write
# p50 90 s is C, the read-back p50 36 s the restart R = 0.01 h:
# T = M e^(R/M) (e^((tau + C)/M) - 1) W / tau = 2.214212 x e^0.002 =
# 2.218645 h; 4 x 2.218645 x 0.80 = 7.0997.  Without --checkpoint-s.
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["phases"]["train"]["checkpoint"] = {"status": "ok",
    "write_s": {"min": 80, "p50": 90, "mean": 91, "max": 100},
    "read_s": {"min": 30, "p50": 36, "mean": 37, "max": 40}}
json.dump(d, open(sys.argv[2], "w"))' "$data/cost/results.json" "$work/results-ck.json"
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	"$work/results-ck.json" >"$work/ck.txt" 2>&1
grep -qF 'run on Spot, expected      $7.0997 (2.2186 h, first order 2.2000 h; checkpoint every 1800 s, interruptions every 5.00 h; checkpoint 90 s from the train phase, restart 36 s)' "$work/ck.txt"
ok $? "measured checkpoint: C = write p50 90 s, restart = read-back p50 36 s: 2.2186 h, \$7.0997"
# A failed checkpoint is not a time: back to "give --checkpoint-s".
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["phases"]["train"]["checkpoint"] = {"status": "failed", "reason": "x",
    "write_s": {"min": 80, "p50": 90, "mean": 91, "max": 100}}
json.dump(d, open(sys.argv[2], "w"))' "$data/cost/results.json" "$work/results-ckf.json"
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	"$work/results-ckf.json" >"$work/ckf.txt" 2>&1
grep -qF 'run on Spot, expected      n/a (no checkpoint time: run the train phase with --train-checkpoint-dir, or give --checkpoint-s)' "$work/ckf.txt"
ok $? "a failed checkpoint gives no time: n/a with how to get one"

# Storage lifecycle at $0.03 (Standard), $0.015 (IA), $0.003 (Glacier) a
# GB-month of 30 days, over 360 days.  Standard only: 110 GB x 12 x 0.03 =
# 39.60.  Policy (IA at 30 days, Glacier at 90): 100 GB from age 0: 30 d
# Standard 3.00 + 60 d IA 3.00 + 270 d Glacier 2.70; 10 GB from age 400:
# Glacier all along, 0.36; 9.06 in all, 30.54 saved (77.1 %).
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	--inventory "$data/cost/inventory.json" "$data/cost/results.json" \
	>"$work/l.txt" 2>&1
grep -qF 'storage lifecycle          $30.5400 saved of $39.6000 (77.1 %) over 360 days, 110 GB' "$work/l.txt"
ok $? "lifecycle: 30.54 saved of 39.60"
# Glacier at 45 days leaves IA after 15 of its 30 minimum days: the other
# 15 are charged (0.75) besides 30 d Standard 3.00, 15 d IA 0.75 and
# 315 d Glacier 3.15: 7.65 of 36.00, 28.35 saved.
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	--inventory "$data/cost/inventory-early.json" "$data/cost/results.json" \
	>"$work/l2.txt" 2>&1
grep -qF 'storage lifecycle          $28.3500 saved of $36.0000 (78.8 %) over 360 days, 100 GB' "$work/l2.txt"
ok $? "lifecycle: IA left before its minimum pays the rest: 28.35 saved"
# Already in IA at the start (age 40; IA at 30, Glacier at 45, IA minimum
# 30 days): 5 d IA 0.25, then Glacier on day 5 after 15 d in IA: the other
# 15 d of IA's minimum 0.75, and 355 d Glacier 3.55: 4.55 of 36.00, 31.45
# saved (87.4 %).
printf '{"horizon_days":360,"policy":{"days_to_infrequent_access":30,"days_to_glacier":45,"min_days_infrequent_access":30},"objects":[{"gb":100,"age_days":40}]}' \
	>"$work/inv-ia.json"
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	--inventory "$work/inv-ia.json" "$data/cost/results.json" \
	>"$work/l3.txt" 2>&1
grep -qF 'storage lifecycle          $31.4500 saved of $36.0000 (87.4 %) over 360 days, 100 GB' "$work/l3.txt"
ok $? "lifecycle: an object in IA before the horizon leaving early pays the rest: 31.45 saved"

# No checkpoint time, no instance type, no infer phase: reasons.
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	"$data/cost/results.json" | grep -q 'n/a (no checkpoint time: run the train phase with --train-checkpoint-dir, or give --checkpoint-s)'
ok $? "no --checkpoint-s: expected Spot cost n/a with the reason"
"$report" --price "$data/cost/prices.json" "$data/cost/results.json" \
	>"$work/t.txt" 2>&1 &&
	grep -q 'instance type unknown: give --instance-type' "$work/t.txt"
ok $? "no --instance-type: exit 0, the reason recorded"
# The run's own reading: the preflight's nodes read c5n.18xlarge from the
# (tests') instance metadata service; the shipped prices give 3.888 $/h.
"$report" --price "$examples/prices-example.json" \
	"$data/results/preflight-np2.json" >"$work/p.txt" 2>&1 &&
	grep -qF 'list-price estimate: c5n.18xlarge (from the preflight phase (instance metadata service)), 2 node(s)' "$work/p.txt" &&
	grep -qF "run                        \$$(/usr/bin/python3 -c "import json; d = json.load(open('$data/results/preflight-np2.json')); c = 2 * 3.888 * d['run']['duration_s'] / 3600; print('%.4f' % c if c >= 0.01 else '%.3g' % c)") On-Demand" "$work/p.txt"
ok $? "no --instance-type: the preflight's instance type, priced: $(head -2 "$work/p.txt" | tail -1)"
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	"$data/results/full-np4.json" >"$work/n.txt" 2>&1
grep -q 'per 1000 requests          n/a (no infer phase)' "$work/n.txt" &&
	grep -q 'per training epoch         n/a (no train phase)' "$work/n.txt"
ok $? "no infer or train phase: those costs n/a with the reason"

# Per GB written (tests/data/cost/storage.json, by hand): the write steps
# wrote 30 + 20 = 50 GB in 2000 + 1600 s = 1 h on 4 nodes, 4 node-hours
# (the read, fsync and metadata steps are not writing): On-Demand
# 4 x $2.00 / 50 = $0.16 a GB, Spot 4 x $0.80 / 50 = $0.064.
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	"$data/cost/storage.json" -o "$work/g.html" >"$work/g.txt" 2>&1
grep -qF 'per GB written             $0.1600 On-Demand, $0.0640 Spot' "$work/g.txt" &&
	grep -qF '<tr><td>per GB written (storage phase)</td><td>$0.1600</td><td>$0.0640</td></tr>' "$work/g.html"
ok $? "per GB written: \$0.16 On-Demand, \$0.064 Spot (text and HTML)"
grep -qF 'per GB written             n/a (no storage phase)' "$work/n.txt"
ok $? "no storage phase: the cost per GB written n/a with the reason"

# The cost as CloudWatch EMF and Prometheus, apart from the run's metrics:
# per epoch 2.2222 / 0.8889 (above), the run 4 x 2 h x 2.00 = 16 / 6.40,
# Spot expected 7.0855 (C = 90 s); what is n/a (per GB written: no
# storage phase) is left out, not written as 0.
"$report" --price "$data/cost/prices.json" --instance-type test.4xl \
	--checkpoint-s 90 --emf "$work/cost.emf" --prom "$work/cost.prom" \
	"$data/cost/results.json" >/dev/null 2>&1
ok $? "--emf and --prom with --price: exit 0"
/usr/bin/python3 -c 'import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
by = {l["Pricing"]: l for l in lines}
od, sp = by["OnDemand"], by["Spot"]
names = [m["Name"] for m in sp["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
assert len(lines) == 2 and od["InstanceType"] == sp["InstanceType"] == "test.4xl"
assert sp["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["InstanceType", "Pricing"]]
assert abs(od["CostPerEpoch"] - 4 * 1000 / 3600 * 2.00) < 1e-8
assert abs(sp["CostPerEpoch"] - 4 * 1000 / 3600 * 0.80) < 1e-8
assert od["CostRun"] == 16 and abs(sp["CostRun"] - 6.4) < 1e-9
assert abs(od["CostPer1kRequests"] - 4 * 0.5 / 3600 * 2.00) < 1e-12
assert abs(sp["CostSpotExpectedRun"] - 7.0855) < 5e-5
assert "CostPerGBWritten" not in od and "CostPerGBWritten" not in names
assert "CostSpotExpectedRun" not in od' "$work/cost.emf"
ok $? "EMF: CostPerEpoch 2.2222 / 0.8889, CostRun 16 / 6.4, CostSpotExpectedRun 7.0855 by InstanceType and Pricing; n/a left out"
grep -qx 'hpcprobe_cost_usd{item="per_epoch",pricing="on_demand",instance_type="test.4xl"} 2.222222222' "$work/cost.prom" &&
	grep -qx 'hpcprobe_cost_usd{item="spot_expected_run",pricing="spot",instance_type="test.4xl"} 7.085479063' "$work/cost.prom" &&
	! grep -q 'per_gb_written' "$work/cost.prom" &&
	! grep -q '^hpcprobe_phase_ok' "$work/cost.prom"
ok $? "Prometheus: hpcprobe_cost_usd per item and pricing, n/a left out, nothing of the run's own metrics"
if command -v promtool >/dev/null; then
	promtool check metrics <"$work/cost.prom" >"$work/promtool.txt" 2>&1
	ok $? "promtool accepts the cost textfile: $(head -c 200 "$work/promtool.txt")"
else
	skip "promtool on the cost textfile" "no promtool (apt-get install prometheus)"
fi
"$report" --emf "$work/x.emf" "$data/cost/results.json" >"$work/e.txt" 2>&1
[ $? -eq 2 ] && grep -q 'go with --price' "$work/e.txt" && [ ! -e "$work/x.emf" ]
ok $? "--emf without --price: exit 2, nothing written"

# Claims on the cost: $0.05 per epoch, refuted at $2.22.
printf '{"claims":[{"claim":"$0.05 per epoch","metric":"cost/per_epoch/on_demand_usd","comparison":"<=","value":0.05}]}' \
	>"$work/cost-claim.json"
"$report" --claims "$work/cost-claim.json" --price "$data/cost/prices.json" \
	--instance-type test.4xl --inventory "$data/cost/inventory.json" \
	"$data/cost/results.json" -o "$work/r.html" >"$work/cc.txt" 2>&1
[ $? -eq 1 ] && grep -q '^  refuted .*measured 2.22222' "$work/cc.txt"
ok $? "claim of \$0.05 per epoch on cost/...: refuted at 2.2222, exit 1"
grep -q '<h2>Claims</h2>' "$work/r.html" &&
	grep -q '<h2>Cost (list-price estimate)</h2>' "$work/r.html" &&
	grep -qF 'Storage lifecycle policy: $30.5400 saved' "$work/r.html" &&
	grep -q '</html>' "$work/r.html"
ok $? "-o: the report has the claims and cost sections"

# A claim on every host of 300: only host 300 refutes it, and is found.
/usr/bin/python3 -c 'import copy,json,sys
d = json.load(open(sys.argv[1]))
h0 = d["utilisation"]["hosts"][0]
hosts = []
for i in range(1, 301):
    h = copy.deepcopy(h0)
    h["host"] = "h%d" % i
    h["run"]["cpu_busy"]["max"] = 0.99 if i == 300 else 0.5
    hosts.append(h)
d["utilisation"]["hosts"] = hosts
json.dump(d, open(sys.argv[2], "w"))' "$data/results/utilisation-np2.json" \
	"$work/hosts300.json"
printf '{"claims":[{"metric":"utilisation/hosts/*/run/cpu_busy/max","comparison":"<=","value":0.9}]}' \
	>"$work/hosts-claim.json"
"$report" --claims "$work/hosts-claim.json" "$work/hosts300.json" \
	>"$work/h.txt" 2>&1
[ $? -eq 1 ] && grep -q '^  refuted .*measured 0.99' "$work/h.txt"
ok $? "a claim over 300 hosts judges all: host 300's 0.99 refutes it"

# The HTML report's utilisation section: one row per phase and the run.
"$report" "$data/results/utilisation-np2.json" -o "$work/u.html" >/dev/null 2>&1 &&
	grep -q '<h2>Utilisation</h2>' "$work/u.html" &&
	[ "$(grep -c '<tr><td class="l">\(topology\|allreduce\|pingpong\|whole run\)</td>' "$work/u.html")" -eq 4 ] &&
	grep -q '<td class="l">vm#r[01]</td><td>[0-9]' "$work/u.html"
ok $? "HTML: the utilisation table, 4 rows, the least-used host named"

# The shipped examples parse, and name a date and a source.
"$report" --claims "$examples/claims-brief.json" --price \
	"$examples/prices-example.json" --instance-type g4dn.xlarge \
	"$data/results/train-np2.json" >"$work/e.txt" 2>&1
[ $? -le 1 ] && [ "$(grep -c '^  [a-z]' "$work/e.txt")" -ge 14 ]
ok $? "the shipped claims (7) and prices examples are accepted"
grep -q 'holds           1 024 samples/s' "$work/e.txt"
ok $? "the brief's 1 024 samples/s holds on the train fixture"
done_testing
