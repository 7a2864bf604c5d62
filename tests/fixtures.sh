#!/bin/bash
# The report tool's fixtures (tests/data/results/) and its command line on
# them, without MPI: every fixture is valid against the results schema
# (skipped, with the reason, without python3-jsonschema), and
# hpcprobe-report writes a report, prints a summary and gates each one.
. "$(dirname "$0")/tap.sh"

report=${HPCP_REPORT_BIN:?}
data=$(cd "$(dirname "$0")/data/results" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$PYTHON_JSONSCHEMA" ] || [ "$PYTHON_JSONSCHEMA" = no ]; then
	/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 &&
		PYTHON_JSONSCHEMA=/usr/bin/python3
fi
HPCP_SCHEMA=${HPCP_SCHEMA:-$data/../../../schema/hpcprobe-results.schema.json}
HPCP_VALIDATE=${HPCP_VALIDATE:-$data/../../validate.py}

n=0
for f in "$data"/*.json; do
	n=$((n + 1))
	b=$(basename "$f" .json)
	schema_check "$f"
	"$report" "$f" -o "$work/$b.html" >"$work/$b.out" 2>&1 &&
		grep -q '</html>' "$work/$b.html"
	ok $? "hpcprobe-report $b.json -o $b.html: exit 0, a whole page"
	"$report" --summary "$f" >"$work/$b.txt" 2>&1 &&
		grep -q '^Findings$' "$work/$b.txt"
	ok $? "hpcprobe-report --summary $b.json: exit 0, with findings"
	"$report" --baseline "$f" "$f" >"$work/$b.gate" 2>&1 ||
		grep -q 'share no metric' "$work/$b.gate"
	ok $? "hpcprobe-report --baseline $b.json $b.json: no regression"
done
[ "$n" -ge 6 ]
ok $? "$n fixtures in tests/data/results"

"$report" --summary "$data/full-np4.json" -o "$work/x.html" >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "--summary with -o: bad input, exit 2"
"$report" --baseline "$data/full-np4.json" "$data/few-samples-np2.json" \
	--tolerance 5% >/dev/null 2>"$work/tol.err"
[ $? -eq 2 ] && grep -q "not a percentage" "$work/tol.err"
ok $? "--tolerance 5%: refused, exit 2: $(cat "$work/tol.err")"

done_testing
