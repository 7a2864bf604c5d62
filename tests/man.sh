#!/bin/sh
# The man pages and bash completions make writes from the programs' --help,
# --version and --list: every option --help prints is in the page, the
# pages render without a warning, hpcprobe(1) has its PHASES (every phase
# --list names), EXIT STATUS, ENVIRONMENT, FILES and EXAMPLES sections, and
# the completion functions answer what a user's tab would ask.
# Needs man-db and groff-base (man, the rendering), help2man at configure
# time (else the pages are not built), bash; skips with the reason without.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:?}
report=${HPCP_REPORT_BIN:?}
build=$(dirname "$report")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# render PAGE: the page as plain text, wide and without hyphenation, so an
# option is never split (warnings are the rendering check's business).
render() {
	MANWIDTH=250 man --nh --nj -E ascii -l "$1" 2>/dev/null
}

# long_options: the long options in --help on stdin, one a line, sorted.
long_options() {
	grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

page_checks() { # NAME BIN SECTION...
	name=$1 prog=$2
	shift 2
	page=$build/$name.1
	if ! command -v man >/dev/null 2>&1; then
		skip "$name(1)" "man not installed (apt-get install man-db groff-base)"
		return
	fi
	if [ ! -s "$page" ]; then
		skip "$name(1)" "$name.1 not built (configure found no help2man: apt-get install help2man)"
		return
	fi
	render "$page" >"$work/$name.txt"
	"$prog" --help | long_options >"$work/$name.help"
	# The OPTIONS section only: an option named elsewhere (an example)
	# does not stand for its entry.
	sed -n '/^OPTIONS$/,/^[A-Z]/p' "$work/$name.txt" | long_options \
		>"$work/$name.man"
	missing=$(comm -23 "$work/$name.help" "$work/$name.man" | tr '\n' ' ')
	[ -s "$work/$name.help" ] && [ -z "$missing" ]
	ok $? "$name(1)'s OPTIONS has every long option of --help ($(wc -l <"$work/$name.help") options); missing: ${missing:-none}"

	# help2man ends an option at two spaces or the line's end: an entry
	# (a tag) holding more than the option and its value took in words
	# of the description.
	bad=$(sed -n '/^OPTIONS$/,/^[A-Z]/p' "$work/$name.txt" |
		grep -E '^ {7}-' |
		grep -vE '^ {7}(-[A-Za-z0-9], )?--[a-z0-9-]+(\[=[A-Z]+\]| [^ ]+)?$' |
		sed 's/^ *//' | tr '\n' ';')
	[ -z "$bad" ]
	ok $? "$name(1): each option entry is the option and its value alone: ${bad:-yes}"

	MANWIDTH=80 man --warnings=w -E UTF-8 -l "$page" \
		>/dev/null 2>"$work/$name.err"
	status=$?
	[ "$status" -eq 0 ] && [ ! -s "$work/$name.err" ]
	ok $? "$name(1) renders without a warning (status $status): $(head -c 300 "$work/$name.err")"

	! grep -q '@[a-z]*@' "$page"
	ok $? "$name(1): every @variable@ of its include file is substituted"

	for section in "$@"; do
		grep -qx "$section" "$work/$name.txt"
		ok $? "$name(1) has the section $section"
	done
}

page_checks hpcprobe "$bin" PHASES "EXIT STATUS" ENVIRONMENT FILES EXAMPLES \
	"SEE ALSO"
if [ -s "$work/hpcprobe.txt" ]; then
	# The section's text: from its heading to the next one.
	sed -n '/^PHASES$/,/^[A-Z]/p' "$work/hpcprobe.txt" >"$work/phases.txt"
	missing=
	for p in $("$bin" --list | cut -d' ' -f1); do
		grep -qE "^ +$p( |\$)" "$work/phases.txt" || missing="$missing $p"
	done
	[ -n "$("$bin" --list)" ] && [ -z "$missing" ]
	ok $? "hpcprobe(1)'s PHASES names every phase --list lists; missing:${missing:- none}"
fi
page_checks hpcprobe-report "$report" "EXIT STATUS" FILES EXAMPLES "SEE ALSO"

# --- bash completion -----------------------------------------------------
# complete_word NAME WORD...: what the completion of NAME offers for the
# last WORD (the one under the cursor), one a line, sorted.  The function is
# the one the script registers with complete -F.
complete_word() {
	script=$build/bash-completion/$1
	bash --norc --noprofile -c '
		script=$1
		shift
		. "$script" || exit 1
		func=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$func" ] || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' _ "$script" "$@" 2>&1 | sort
}

# expect DESCRIPTION EXPECTED-WORDS NAME WORD...
expect() {
	desc=$1 want=$2
	shift 2
	got=$(complete_word "$@" | tr '\n' ' ')
	got=${got% }
	[ "$got" = "$want" ]
	ok $? "completion: $desc: '$want' (got '$got')"
}

if ! command -v bash >/dev/null 2>&1; then
	skip "bash completion" "bash not installed"
elif [ ! -s "$build/bash-completion/hpcprobe" ] ||
	[ ! -s "$build/bash-completion/hpcprobe-report" ]; then
	ok 1 "bash completion scripts built in $build/bash-completion"
else
	expect "hpcprobe --pha" "--phases" hpcprobe --pha
	expect "hpcprobe --phases comp" "compute" hpcprobe --phases comp
	expect "hpcprobe -p comp" "compute" hpcprobe -p comp
	expect "hpcprobe --phases topology,pi" "topology,pingpong" \
		hpcprobe --phases topology,pi
	expect "hpcprobe --phases a" "all allreduce" hpcprobe --phases a
	expect "hpcprobe --train-overlap ''" "off on" \
		hpcprobe --train-overlap ''
	expect "hpcprobe --iterations '' (a number: nothing)" "" \
		hpcprobe --iterations ''
	expect "hpcprobe-report --sum" "--summary" hpcprobe-report --sum
	# Files: the report's arguments are *.json (and folders).
	mkdir "$work/files" "$work/files/rdir"
	: >"$work/files/run1.json"
	: >"$work/files/run1.txt"
	cd "$work/files" || exit 1
	expect "hpcprobe --emf= (the cursor after =)" "rdir run1.json run1.txt" \
		hpcprobe --emf =
	expect "hpcprobe-report r (JSON files and folders)" \
		"$work/files/rdir $work/files/run1.json" \
		hpcprobe-report "$work/files/r"
	expect "hpcprobe --output r (any file)" \
		"$work/files/rdir $work/files/run1.json $work/files/run1.txt" \
		hpcprobe --output "$work/files/r"
	expect "hpcprobe --train-data r (folders)" "$work/files/rdir" \
		hpcprobe --train-data "$work/files/r"
	expect "hpcprobe --emf=r (bash splits at =)" \
		"$work/files/rdir $work/files/run1.json $work/files/run1.txt" \
		hpcprobe --emf = "$work/files/r"
	expect "hpcprobe --emf=r (one word)" "--emf=$work/files/run1.txt" \
		hpcprobe "--emf=$work/files/run1.t"
fi

done_testing
