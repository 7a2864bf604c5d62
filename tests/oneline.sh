#!/bin/bash
# One line means one line (issue 19, class 10): a control character in an
# option value, a path or a document's string never splits a diagnostic,
# forges a line or drives the terminal.  A generator: hostile payloads
# (CR, LF with a forged line, ESC sequences, BEL, backspace, DEL, C1 CSI
# raw and in UTF-8, a bidirectional override, bytes that are not UTF-8) put
# into every kind of place a message quotes, for hpcprobe and
# hpcprobe-report; each answer must be exit 2 and exactly one line with no
# control byte in it.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:-}
report=${HPCP_REPORT_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

payloads=(
	$'a\rb'
	$'a\nhpcprobe: 0 regressed'
	$'\e[31mred\e[0m'
	$'\e]0;title\a'
	$'\e[2J\e[H'
	$'ab\b\bXY'
	$'del\x7f'
	$'c1\x9b31m'
	$'c1u\xc2\x9b31m'
	$'bidi\xe2\x80\xaetxt'
	$'ls\xe2\x80\xa8ps'
	$'raw\xff\xfe'
)
all=$(printf '%s' "${payloads[@]}")

# check NAME STATUS: exit 2, one line, nothing a terminal would obey.
check() {
	local name=$1 status=$2 why
	why=$(/usr/bin/python3 - "$status" <<'EOF'
import re, sys
err = open("err.txt", "rb").read()
out = open("out.txt", "rb").read()
if sys.argv[1] != "2":
    print("exit %s" % sys.argv[1]); sys.exit()
if out:
    print("stdout not empty"); sys.exit()
if err.count(b"\n") != 1 or not err.endswith(b"\n"):
    print("%d lines" % err.count(b"\n")); sys.exit()
body = err[:-1]
if re.search(rb"[\x00-\x1f\x7f\x80-\x9f]", body.decode("utf-8", "replace").encode("utf-8", "surrogatepass")) \
   or re.search(rb"[\x00-\x1f\x7f]", body):
    print("control byte in %r" % body); sys.exit()
try:
    text = body.decode("utf-8")
except UnicodeDecodeError as e:
    print("not UTF-8: %s" % e); sys.exit()
if re.search("[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]", text):
    print("invisible control in %r" % text); sys.exit()
EOF
)
	[ -z "$why" ]
	ok $? "$name: exit 2, one printable line${why:+ ($why)}"
	[ -z "$why" ] || sed 's/^/# /' err.txt | cat -v | head -3
}

# --- hpcprobe: every payload at once in each place (each starts MPI's
# libraries: 0.3 s a run); the report tool below takes each alone.
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	skip "hpcprobe: payloads in messages" "no hpcprobe in this build"
else
	places=(
		"--sizes|%s"
		"--phases|%s"
		"--iterations|%s"
		"--train-straggler|%s"
		"--bogus%s|"
		"-o|$work/no%s/x.json"
		"-o|%s/"
		"stray%s|"
	)
	for p in "${places[@]}"; do
		opt=${p%%|*}
		val=${p#*|}
		# shellcheck disable=SC2059 # the place is a format
		o=$(printf -- "$opt" "$all")
		# shellcheck disable=SC2059
		v=$(printf -- "$val" "$all")
		rm -f ./*.json
		if [ -n "$v" ]; then
			timeout 20 "$bin" "$o" "$v" >out.txt 2>err.txt
		else
			timeout 20 "$bin" "$o" >out.txt 2>err.txt
		fi
		check "hpcprobe [$opt $val] (all payloads)" $?
	done
fi

# --- hpcprobe-report: each payload in each place (no MPI: cheap).
# A document whose schema version quotes the payload (JSON \u escapes).
doc_with() {
	/usr/bin/python3 - "$1" <<'EOF'
import json, sys
v = "9" + sys.argv[1].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
d = {"schema": {"name": "hpcprobe-results", "version": v},
     "status": "ok", "context": {}, "phases": {}, "run": {}}
open("doc.json", "w").write(json.dumps(d))
EOF
}
printf '{"schema":{"name":"hpcprobe-results","version":"1.0.0"},"status":"ok","context":{},"phases":{},"run":{}}\n' >good.json
i=0
for pl in "${payloads[@]}"; do
	i=$((i + 1))
	"$report" "$work/missing$pl.json" >out.txt 2>err.txt
	check "report: missing document named with payload $i" $?
	"$report" --tolerance "5$pl" good.json >out.txt 2>err.txt
	check "report: --tolerance with payload $i" $?
	"$report" "--bogus$pl" >out.txt 2>err.txt
	check "report: unknown option with payload $i" $?
	"$report" good.json -o "$work/no$pl/r.html" >out.txt 2>err.txt
	check "report: -o in a missing directory with payload $i" $?
	"$report" good.json "second$pl.json" >out.txt 2>err.txt
	check "report: a second document with payload $i" $?
	printf 'not json' >"bad$pl.json"
	"$report" --summary "bad$pl.json" >out.txt 2>err.txt
	check "report: a file that is not JSON, named with payload $i" $?
	rm -f "bad$pl.json"
	doc_with "$pl"
	"$report" --summary doc.json >out.txt 2>err.txt
	check "report: schema.version quoting payload $i" $?
	# Raw bytes too (invalid UTF-8 in the document itself).
	printf '{"schema":{"name":"hpcprobe-results","version":"9%s"},"status":"ok","context":{},"phases":{},"run":{}}' "$pl" >raw.json
	"$report" --summary raw.json >out.txt 2>err.txt
	check "report: schema.version with payload $i as raw bytes" $?
done

done_testing
