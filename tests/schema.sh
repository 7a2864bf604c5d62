#!/bin/bash
# The results schema is assembled from schema/base.json and one fragment
# per phase (schema/phases/<name>.json) by schema/assemble.py; the
# committed full schema, which the program installs and the tests read,
# must be that assembly, so a phase's fragment and it cannot drift.
# Standard-library Python only, no MPI.
. "$(dirname "$0")/tap.sh"

schema=$(cd "$(dirname "$0")/../schema" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$schema/assemble.py" --check >"$work/check" 2>&1
ok $? "hpcprobe-results.schema.json is the assembly of base.json and \
phases/*.json (else run schema/assemble.py)$(sed 's/^/: /' "$work/check")"

# Every registered phase has its fragment.
n=0
for f in "$schema"/phases/*.json; do
	n=$((n + 1))
	/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if "phase" in d else 1)' "$f"
	ok $? "$(basename "$f"): a fragment with its phase's schema"
done
[ "$n" -ge 5 ]
ok $? "$n phase fragments"

# A fragment without a marker in the base (a new phase) is appended.
cp -r "$schema" "$work/schema"
cat >"$work/schema/phases/demo.json" <<'JSON'
{"phase": {"$ref": "#/$defs/demo_phase"},
 "$defs": {"demo_phase": {"allOf": [{"$ref": "#/$defs/phase"}]}}}
JSON
/usr/bin/python3 "$work/schema/assemble.py" -o "$work/out.json" &&
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["properties"]["phases"]["properties"]["demo"] == {"$ref": "#/$defs/demo_phase"}
assert "demo_phase" in d["$defs"]' "$work/out.json"
ok $? "a new phase's fragment is assembled without editing the base"

done_testing
