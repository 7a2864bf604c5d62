#!/bin/bash
# Bounded work and strict reads in hpcprobe-report (issue 19, class 9):
#   - only a regular file is read: a FIFO, a device or a directory as any
#     input is refused at once (exit 2, one line), never waited on;
#   - one JSON value per document: anything but white space after it is
#     refused, white space is accepted;
#   - schema.version is MAJOR.MINOR.PATCH in digits: a table of near
#     misses ("1garbage", "1.1", " 1.1.0", ...) refused, real ones read;
#   - the heat map draws at most 64 x 64 cells: documents of 3 000 and
#     10 000 hosts give a bounded page in bounded memory, say what was
#     summarised, and keep the worst link visible.
. "$(dirname "$0")/tap.sh"

report=${HPCP_REPORT_BIN:?}
data=$(cd "$(dirname "$0")/data/results" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
cp "$data/full-np4.json" good.json

# refused NAME CMD...: exit 2 and one line, within 10 s.
refused() {
	local name=$1 status
	shift
	timeout 10 "$@" >out.txt 2>err.txt
	status=$?
	[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ]
	ok $? "$name: exit 2 ($status), one line: $(head -c 150 err.txt)"
}

# --- not regular files, in every input position.
mkfifo fifo
mkdir adir
for f in fifo /dev/zero /dev/null adir; do
	refused "--summary $f" "$report" --summary "$f"
	refused "HTML of $f" "$report" "$f" -o r.html
	refused "--baseline $f NEW" "$report" --baseline "$f" good.json
	refused "--baseline OLD $f" "$report" --baseline good.json "$f"
done
[ ! -e r.html ]
ok $? "nothing written for an input that is not a regular file"

# --- text after the document.
n=0
for tail in '{}' 'garbage' '[' '"x"' '0' ',' '}' 'null' $'\n{"a":1}' $'\x01'; do
	n=$((n + 1))
	{ cat good.json; printf '%s' "$tail"; } >t$n.json
	refused "trailing $(printf '%q' "$tail")" "$report" --summary t$n.json
	grep -q "text after the JSON value" err.txt
	ok $? "trailing $(printf '%q' "$tail"): the line says text follows the document"
done
for ws in ' ' $'\n\n' $'\t \r\n'; do
	{ cat good.json; printf '%s' "$ws"; } >w.json
	"$report" --summary w.json >/dev/null 2>err.txt
	ok $? "trailing white space $(printf '%q' "$ws") is accepted"
done

# --- schema.version.
setver() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(open("good.json"))
d["schema"]["version"] = sys.argv[1]
json.dump(d, open("v.json", "w"))' "$1"
}
for v in 1garbage 1 1.1 1.1.0x ' 1.1.0' '1.1.0 ' +1.1.0 1..0 1.1.0.0 \
	'' 1e0.0.0 -1.0.0 1.0.0-rc1 $'1.0.0\n' 0x1.0.0 \
	"$(printf '\xd9\xa1.\xd9\xa1.\xd9\xa0')" 1.1.1234567890; do
	setver "$v"
	refused "schema.version $(printf '%q' "$v")" "$report" --summary v.json
done
for v in 1.0.0 1.1.0 1.99.7 1.0.12; do
	setver "$v"
	"$report" --summary v.json >/dev/null 2>err.txt
	ok $? "schema.version $v is read"
done

# --- the heat map of many hosts.
# hosts N MATRIX: good.json with N hosts in the node matrix; MATRIX 1
# fills it (every pair 1000 ns, host 7's row and column 9000 ns).
hosts() {
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
n, full = int(sys.argv[1]), sys.argv[2] == "1"
d = json.load(open("good.json"))
nm = d["phases"]["pingpong"]["node_matrix"]
nm["hosts"] = ["node%05d" % i for i in range(n)]
if full:
    m = [[None if i == j else (9000 if 7 in (i, j) else 1000)
          for j in range(n)] for i in range(n)]
    nm["p50_latency_ns"] = m
    nm["outliers"] = ["node00007"]
else:
    nm.pop("p50_latency_ns", None)
    nm.pop("p99_latency_ns", None)
json.dump(d, open("h.json", "w"))
EOF
}
# heat FILE: rects in the heat map's figure, page bytes, peak RSS (KB).
heat() {
	/usr/bin/python3 - "$report" "$1" <<'EOF'
import re, resource, subprocess, sys
r = subprocess.run([sys.argv[1], sys.argv[2], "-o", "h.html"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
page = open("h.html").read() if r.returncode == 0 else ""
fig = re.search(r'<figure[^>]*chart-heatmap.*?</figure>', page, re.S)
fig = fig.group(0) if fig else ""
print(r.returncode, fig.count("<rect"), len(page), rss,
      int("blocks of up to" in fig), int("#00441b" in fig))
EOF
}
for n in 3000 10000; do
	hosts $n 0
	read -r st rects bytes rss blocks _ <<<"$(heat h.json)"
	[ "$st" = 0 ] && [ "$rects" -le $((64 * 64 + 200)) ] &&
		[ "$bytes" -lt 4000000 ] && [ "$rss" -lt 400000 ] && [ "$blocks" = 1 ]
	ok $? "$n hosts, no matrix: exit $st, $rects rects (<= 4296), $bytes bytes, peak RSS $rss KB, the caption says blocks"
done
hosts 300 1
read -r st rects bytes rss blocks dark <<<"$(heat h.json)"
[ "$st" = 0 ] && [ "$rects" -le $((64 * 64 + 200)) ] && [ "$blocks" = 1 ] &&
	[ "$dark" = 1 ]
ok $? "300 hosts, full matrix: exit $st, $rects rects, the slow host's blocks drawn at the dark end (the block's highest p50)"
grep -q 'node00000 +4' h.html
ok $? "300 hosts: a block is labelled by its first host and how many more"
hosts 40 1
read -r st rects bytes rss blocks dark <<<"$(heat h.json)"
[ "$st" = 0 ] && [ "$rects" -ge 1600 ] && [ "$blocks" = 0 ]
ok $? "40 hosts: every pair its own cell ($rects rects), no blocks"

done_testing
