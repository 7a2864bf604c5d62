#!/bin/bash
# File modes of every output (issue 19): a new file gets 0666 less the
# umask, as open() would give; a replaced regular file keeps its mode (and,
# as root, its owner and group).  The matrix: each output (results document
# -o, --prom, --emf=FILE, hpcprobe-report -o) x umask 022, 077, 027, 002 x
# a new file or one that exists 0600, 0640 or 0664.  One hpcprobe run per
# umask and starting state writes all three of its outputs.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
report=${HPCP_REPORT_BIN:?}
mpirun=${HPCP_MPIRUN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

umasks="022 077 027 002"
states="new 0600 0640 0664"

# prepare FILE STATE: no file, or an old one with that mode.  The old text
# tells a file really replaced from one left alone.
prepare() {
	rm -f "$1"
	[ "$2" = new ] && return
	echo old >"$1" && chmod "$2" "$1"
}

# check KIND FILE UMASK STATE: one TAP line, FILE replaced with the mode
# it should have.
check() {
	local want got
	if [ "$4" = new ]; then
		want=$(printf '%o' $((0666 & ~0$3)))
	else
		want=$(printf '%o' $((0$4)))
	fi
	got=$(stat -c %a "$2" 2>/dev/null)
	[ "$got" = "$want" ] && [ "$(head -c 4 "$2")" != "$(printf 'old\n')" ] &&
		[ -z "$(ls "$2".tmp.* 2>/dev/null)" ]
	ok $? "$1, umask $3, $4 file: mode $want (got ${got:-no file})"
}

# A document for the report tool, whatever the umask runs below do.
$mpirun -np 2 "$bin" --quick --phases topology -o doc.json >/dev/null 2>&1
ok $? "hpcprobe --quick --phases topology -o doc.json exits 0"

for u in $umasks; do
	for s in $states; do
		d=run-$u-$s
		mkdir "$d"
		for f in r.json m.prom m.jsonl; do
			prepare "$d/$f" "$s"
		done
		(umask "$u" && $mpirun -np 2 "$bin" --quick --phases topology \
			-o "$d/r.json" --prom "$d/m.prom" --emf="$d/m.jsonl" \
			>"$d/out.txt" 2>"$d/err.txt")
		ok $? "umask $u, $s files: hpcprobe exits 0"
		check "results document (-o)" "$d/r.json" "$u" "$s"
		check "Prometheus textfile (--prom)" "$d/m.prom" "$u" "$s"
		check "EMF lines (--emf=FILE)" "$d/m.jsonl" "$u" "$s"

		prepare "$d/r.html" "$s"
		(umask "$u" && "$report" doc.json -o "$d/r.html" \
			>"$d/report.txt" 2>&1)
		ok $? "umask $u, $s file: hpcprobe-report exits 0"
		check "HTML report (hpcprobe-report -o)" "$d/r.html" "$u" "$s"
	done
done

# Special bits are never carried over to a data file.
prepare special.html 6755
"$report" doc.json -o special.html >/dev/null 2>&1
got=$(stat -c %a special.html)
[ "$got" = 755 ]
ok $? "an existing 6755 file is replaced 0755 ($got)"

# A symbolic link is replaced, not followed: the new file's mode is the
# umask's, and the link's target is untouched.
prepare target.html 0600
ln -s target.html link.html
(umask 022 && "$report" doc.json -o link.html >/dev/null 2>&1)
[ ! -L link.html ] && [ "$(stat -c %a link.html)" = 644 ] &&
	[ "$(cat target.html)" = old ] && [ "$(stat -c %a target.html)" = 600 ]
ok $? "a symbolic link is replaced by a 0644 file under umask 022"

# As root, a replaced file keeps its owner and group, as sed -i does.
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1; then
	skip "a replaced file keeps its owner and group" "needs root and user nobody"
else
	prepare owned.html 0640
	chown nobody:"$(id -gn nobody)" owned.html
	want=$(stat -c %U:%G:%a owned.html)
	"$report" doc.json -o owned.html >/dev/null 2>&1
	got=$(stat -c %U:%G:%a owned.html)
	[ "$got" = "$want" ] && [ "$(cat owned.html)" != old ]
	ok $? "a replaced file keeps its owner and group ($want, got $got)"
fi

# Someone else replacing root's 0640 file cannot keep root's group: the
# group's bits go, so that their own group gains nothing.
chmod 755 "$work" && mkdir shared && chmod 777 shared && chmod 644 doc.json
if [ "$(id -u)" -ne 0 ] || ! command -v runuser >/dev/null ||
	! runuser -u nobody -- test -x "$report" -a -r doc.json 2>/dev/null; then
	skip "another user's replacement drops the group's bits" \
		"needs root, runuser, and a report tool user nobody may run"
else
	prepare shared/f.html 0640
	runuser -u nobody -- "$report" doc.json -o shared/f.html >/dev/null 2>&1
	got=$(stat -c %U:%a shared/f.html)
	[ "$got" = nobody:600 ]
	ok $? "another user's replacement of a 0640 file is 0600 (got $got)"
fi

done_testing
