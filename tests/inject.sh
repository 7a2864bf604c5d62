#!/bin/bash
# Nothing injected (issue 19, class 1).  A generator puts markup (<img
# onerror>, <script>, a quote-breaking <svg onload>), ANSI escapes, CR LF
# with a forged gate line and a C1 CSI into every string and key of every
# fixture document (tests/data/results: every phase, ok and failed), then:
#   - the HTML report parsed as a browser would (Python's HTML parser, and
#     headless Chromium's DOM where chromium is installed) holds no
#     element or attribute the generator planted (script, img, on*=);
#   - the gate's output (fixture against planted, planted against itself)
#     and the summary hold no control byte.
. "$(dirname "$0")/tap.sh"

report=${HPCP_REPORT_BIN:?}
data=$(cd "$(dirname "$0")/data/results" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

cat >plant.py <<'EOF'
import json, sys
PAY = ('<img src=x onerror=alert(1)><script>alert(2)</script>"\'>'
       '<svg onload=alert(3)>\x1b[31m\x1b]0;t\x07\r\nhpcprobe: 0 regressed\u009b')
# Values and keys the loader and the renderers need as they are (else the
# document or its phases are not read and nothing is rendered at all).
KEEP_STR = {"hpcprobe-results", "ok", "failed", "skipped", "unavailable",
            "partial", "interrupted"}
KEEP_KEY = {"schema", "name", "version", "status", "phases", "run",
            "context", "hosts", "ranks", "job", "mpi", "complete"}
def plant(o, depth=0):
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if k in KEEP_KEY or depth < 1:
                out[k] = plant(v, depth + 1)
            else:
                # the key planted, and the original beside it so that the
                # value still renders where the key is looked up
                out[k + PAY] = plant(v, depth + 1)
                out[k] = plant(v, depth + 1)
        return out
    if isinstance(o, list):
        return [plant(v, depth + 1) for v in o]
    if isinstance(o, str) and o not in KEEP_STR and not o.startswith("1."):
        return o + PAY
    return o
json.dump(plant(json.load(open(sys.argv[1]))), open(sys.argv[2], "w"))
EOF

cat >dom.py <<'EOF'
import sys
from html.parser import HTMLParser
BAD_TAGS = {"script", "img", "iframe", "object", "embed"}
class P(HTMLParser):
    bad = []
    def handle_starttag(self, tag, attrs):
        if tag in BAD_TAGS:
            self.bad.append("<%s>" % tag)
        for k, v in attrs:
            if k.startswith("on") or "javascript:" in (v or ""):
                self.bad.append("%s %s=" % (tag, k))
p = P()
p.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
print(" ".join(p.bad[:5]))
EOF

ctrl() {
	/usr/bin/python3 -c 'import re, sys
print(len(re.findall(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", open(sys.argv[1], "rb").read())))' "$1"
}

chrome=$(command -v chromium || command -v chromium-browser || true)
n=0
for f in "$data"/*.json; do
	b=$(basename "$f" .json)
	n=$((n + 1))
	/usr/bin/python3 plant.py "$f" "$b.json"
	"$report" "$b.json" -o "$b.html" >/dev/null 2>err.txt
	st=$?
	bad=$(/usr/bin/python3 dom.py "$b.html" 2>&1)
	[ $st -eq 0 ] && [ -z "$bad" ] && grep -q '&lt;script&gt;' "$b.html"
	ok $? "$b: HTML report (exit $st) parsed: nothing planted became markup${bad:+ ($bad)}"
	# Chromium's own parse, on two documents that hold every phase.
	if [ $n -le 2 ] || [ "$b" = train-np2 ]; then
		if [ -z "$chrome" ]; then
			skip "$b: Chromium's DOM holds nothing planted" "no chromium"
		else
			timeout 60 "$chrome" --headless --disable-gpu --no-sandbox \
				--dump-dom "file://$work/$b.html" >"$b.dom" 2>/dev/null
			bad=$(/usr/bin/python3 dom.py "$b.dom" 2>&1)
			[ -s "$b.dom" ] && [ -z "$bad" ] && grep -q '</svg>' "$b.dom"
			ok $? "$b: Chromium's DOM holds nothing planted${bad:+ ($bad)}"
		fi
	fi
	"$report" --baseline "$f" "$b.json" >"$b.gate" 2>&1
	st=$?
	c=$(ctrl "$b.gate")
	# exit 2: the documents may share no metric (their names planted)
	[ $st -le 2 ] && [ "$c" -eq 0 ] && ! grep -q '^hpcprobe: 0 regressed' "$b.gate"
	ok $? "$b: gate against the planted document (exit $st): $c control bytes, no forged line"
	"$report" --baseline "$b.json" "$b.json" >"$b.gate2" 2>&1
	st=$?
	c=$(ctrl "$b.gate2")
	[ $st -le 2 ] && [ "$c" -eq 0 ] && ! grep -q '^hpcprobe: 0 regressed' "$b.gate2"
	ok $? "$b: gate of the planted document against itself (exit $st): $c control bytes"
	"$report" --summary "$b.json" >"$b.sum" 2>&1
	st=$?
	c=$(ctrl "$b.sum")
	[ $st -eq 0 ] && [ "$c" -eq 0 ]
	ok $? "$b: summary (exit $st): $c control bytes"
done
[ "$n" -ge 6 ]
ok $? "$n fixture documents planted"

done_testing
