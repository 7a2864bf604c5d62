#!/bin/bash
# Valid UTF-8 everywhere (issue 19, class 5).  A generator of ill-formed
# sequences (overlong, truncated, stray continuation bytes, surrogates,
# past U+10FFFF, bytes never in UTF-8), put:
#   - into environment names and argv of an hpcprobe run: the document must
#     load with a strict UTF-8 JSON reader, each bad byte shown as '?';
#   - into the keys and strings of a fixture document read by
#     hpcprobe-report: summary, HTML and gate still work (exit 0) and all
#     they write is valid UTF-8; well-formed non-ASCII text stays as it is.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:-}
report=${HPCP_REPORT_BIN:?}
data=$(cd "$(dirname "$0")/data/results" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

# name|bytes|how many of them are not UTF-8 (each becomes one '?')
seqs=(
	"overlong-2|\xc0\xaf|2"
	"overlong-2b|\xc1\xbf|2"
	"overlong-3|\xe0\x80\xaf|3"
	"overlong-4|\xf0\x80\x80\xaf|4"
	"truncated-3|\xe2\x82|2"
	"truncated-4|\xf0\x9f\x98|3"
	"continuation|\x80|1"
	"continuations|\xbf\xbf|2"
	"surrogate-high|\xed\xa0\x80|3"
	"surrogate-low|\xed\xbf\xbf|3"
	"past-10ffff|\xf4\x90\x80\x80|4"
	"f5-lead|\xf5\x80\x80\x80|4"
	"ff|\xff|1"
	"fe|\xfe|1"
)

# strict FILE: valid UTF-8 (Python's decoder: no overlong forms, no
# surrogates), and JSON when it ends in .json.
strict() {
	/usr/bin/python3 -c 'import json, sys
b = open(sys.argv[1], "rb").read()
t = b.decode("utf-8", "strict")
if sys.argv[1].endswith(".json"):
    json.loads(t)' "$1" 2>&1 | tail -1
}

# --- hpcprobe: environment names and argv with every sequence.
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	skip "hpcprobe: ill-formed UTF-8 in names and argv" "no hpcprobe in this build"
else
	envs=()
	i=0
	for s in "${seqs[@]}"; do
		i=$((i + 1))
		IFS='|' read -r _ bytes _ <<<"$s"
		envs+=("$(printf "FI_HPCP_T%02d_%b_X" "$i" "$bytes")=v$(printf '%b' "$bytes")")
	done
	timeout 60 env "${envs[@]}" "$bin" --phases topology --quick \
		--fabric-provider "$(printf 'p\xed\xa0\x80\xc3\xa9')" \
		-o r.json >out.txt 2>err.txt
	status=$?
	why=$(strict r.json)
	[ $status -eq 0 ] && [ -z "$why" ]
	ok $? "hpcprobe: environment names and argv with ${#seqs[@]} ill-formed sequences: exit $status, strict UTF-8 JSON${why:+ ($why)}"
	i=0
	for s in "${seqs[@]}"; do
		i=$((i + 1))
		IFS='|' read -r name _ nbad <<<"$s"
		q=$(printf '%*s' "$nbad" '' | tr ' ' '?')
		key=$(printf 'FI_HPCP_T%02d_%s_X' "$i" "$q")
		json_true r.json "d['context']['environment'].get('$key') == 'v$q'"
		ok $? "hpcprobe: $name in a name and a value: each bad byte is one '?' ($key)"
	done
	json_true r.json "'p???\u00e9' in d['run']['argv']"
	ok $? "hpcprobe: argv keeps well-formed UTF-8 (é) and marks the surrogate"
fi

# --- hpcprobe-report: a fixture with each sequence in keys and strings.
# mutate OUT SEQ: a copy of full-np4.json with SEQ in a host name (a
# string the summary and the report show), a pair's host, an environment
# name (a key) and value, and a new phase's name (a key shown as a row).
mutate() {
	/usr/bin/python3 - "$data/full-np4.json" "$1" "$2" <<'EOF'
import json, sys
src, out, seq = sys.argv[1], sys.argv[2], sys.argv[3].encode("latin-1").decode("unicode_escape").encode("latin-1")
d = json.load(open(src))
d["context"]["hosts"][0]["name"] = "@@host\u00e9@@"
env = d["context"].setdefault("environment", {})
env["FI_@@key@@"] = "@@val@@"
for ph in d["phases"].values():
    for kind in ("inter_node", "intra_node"):
        for p in (ph.get("pairs", {}) or {}).get(kind, []) if isinstance(ph.get("pairs"), dict) else []:
            if "hosts" in p and p["hosts"]:
                p["hosts"][0] = "@@pair@@"
d["phases"]["x@@phase@@"] = {"status": "failed", "reason": "r@@why@@", "duration_s": 0}
b = json.dumps(d, indent=1).encode()
b = b.replace(b"@@", seq)
open(out, "wb").write(b)
EOF
}

i=0
for s in "${seqs[@]}"; do
	i=$((i + 1))
	IFS='|' read -r name bytes _ <<<"$s"
	mutate "m$i.json" "$bytes"
	"$report" --summary "m$i.json" >"m$i.txt" 2>err.txt
	status=$?
	why=$(strict "m$i.txt")
	[ $status -eq 0 ] && [ -z "$why" ] &&
		grep -q "$(printf 'host\xc3\xa9')" "m$i.txt"
	ok $? "report --summary, $name: exit $status, valid UTF-8, é kept${why:+ ($why)}"
	"$report" "m$i.json" -o "m$i.html" >out.txt 2>err.txt
	status=$?
	why=$(strict "m$i.html")
	[ $status -eq 0 ] && [ -z "$why" ] && grep -q '</html>' "m$i.html"
	ok $? "report HTML, $name: exit $status, valid UTF-8${why:+ ($why)}"
	"$report" --baseline "$data/full-np4.json" "m$i.json" >"m$i.gate" 2>err.txt
	status=$?
	why=$(strict "m$i.gate")
	[ $status -eq 0 ] && [ -z "$why" ]
	ok $? "report --baseline, $name: exit $status, valid UTF-8${why:+ ($why)}"
done

# Escapes that would decode to ill-formed UTF-8 (lone surrogates) are not
# JSON a strict reader accepts: refused in one line, exit 2.
for u in '\ud800' '\udc00' '\ud800\u0041'; do
	printf '{"schema":{"name":"hpcprobe-results","version":"1.0.0"},"status":"ok","context":{"x":"%s"},"phases":{},"run":{}}' "$u" >s.json
	"$report" --summary s.json >out.txt 2>err.txt
	status=$?
	[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ]
	ok $? "report: lone surrogate escape $u: exit 2 ($status), one line"
done

done_testing
