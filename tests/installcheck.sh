#!/bin/bash
# make installcheck: what "make install" put under the prefix works from
# there, with nothing of the source or build tree on its paths.
#
# usage: installcheck.sh DESTDIR PREFIX BINDIR PKGDATADIR MANDIR DOCDIR DATADIR
#   (the configured directories; DESTDIR, often empty, is put before each)
# Environment: HPCP_MPIRUN (the suite's mpirun wrapper), PYTHON_JSONSCHEMA
# and HPCP_VALIDATE (schema validation), HPCP_SRCDIR and HPCP_BUILDDIR
# (must not appear in what was installed), HPCP_REPORT_ONLY (yes: only the
# report tool was built), HPCP_VERSION.
# Prints TAP; exits 1 when a check failed.
set -u
. "$HPCP_SRCDIR/tests/tap.sh"

dest=$1 prefix=$2
bin=$dest$3 pkgdata=$dest$4 man=$dest$5 doc=$dest$6 data=$dest$7
work=$(mktemp -d /tmp/hpcp-installcheck.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# The installed programs, and nothing of the build tree, on PATH.
PATH=$bin:/usr/local/bin:/usr/bin:/bin
export PATH

out=$("$bin/hpcprobe-report" --version 2>&1)
[[ $out == "hpcprobe-report $HPCP_VERSION"* ]]
ok $? "installed hpcprobe-report --version: $out"

[ -s "$pkgdata/hpcprobe-results.schema.json" ]
ok $? "hpcprobe-results.schema.json installed in $pkgdata"
progs=hpcprobe-report
[ "$HPCP_REPORT_ONLY" != yes ] && progs="hpcprobe $progs"
for p in $progs; do
	if [ "${HPCP_HELP2MAN:-no}" = no ]; then
		skip "man page $p.1 installed" "built without help2man: no man pages"
	else
		[ -s "$man/man1/$p.1" ]
		ok $? "man page $p.1 installed in $man/man1"
	fi
	[ -s "$data/bash-completion/completions/$p" ] &&
		bash -n "$data/bash-completion/completions/$p"
	ok $? "bash completion for $p installed in $data/bash-completion/completions"
done
for f in README.md batch/README.md; do
	[ -s "$doc/$f" ]
	ok $? "$f installed in $doc"
done

if [ "$HPCP_REPORT_ONLY" != yes ]; then
	out=$("$bin/hpcprobe" --version 2>&1)
	[[ $out == "hpcprobe $HPCP_VERSION"* ]]
	ok $? "installed hpcprobe --version: $out"
	"$bin/hpcprobe" --list >list.txt 2>&1 &&
		grep -q '^compute  *available' list.txt
	ok $? "installed hpcprobe --list: $(tr -s ' ' <list.txt | cut -d' ' -f1-2 | paste -sd, -)"

	# A short 2-rank job of the installed binary, checked against the
	# installed schema and read by the installed report tool.
	"$HPCP_MPIRUN" -np 2 "$bin/hpcprobe" --quick \
		--phases topology,pingpong,allreduce,compute --sizes 8,1k \
		-o r.json >run.out 2>&1
	ok $? "installed hpcprobe: a 2-rank --quick job exits 0"
	if [ "${PYTHON_JSONSCHEMA:-no}" = no ]; then
		skip "the job's document against the installed schema" "no python3-jsonschema"
	else
		out=$("$PYTHON_JSONSCHEMA" "$HPCP_VALIDATE" \
			"$pkgdata/hpcprobe-results.schema.json" r.json 2>&1)
		ok $? "the job's document against the installed schema: $out"
	fi
	"$bin/hpcprobe-report" r.json -o r.html >report.out 2>&1 &&
		grep -q '</html>' r.html
	ok $? "installed hpcprobe-report writes the job's HTML report"
	"$bin/hpcprobe-report" --summary r.json >summary.txt 2>&1 &&
		[ -s summary.txt ]
	ok $? "installed hpcprobe-report --summary reads it"

	[ -x "$pkgdata/slurm/hpcprobe.sbatch" ]
	ok $? "the Slurm script installed, executable, in $pkgdata/slurm"
	missing=
	for f in entrypoint.sh mpirun-stop.sh make-ssh-dir.sh render-cloudwatch.sh Dockerfile \
		job-definition.json cloudwatch-dashboard.json cloudwatch-alarms.json; do
		[ -s "$pkgdata/aws/$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ]
	ok $? "the AWS Batch and CloudWatch files installed in $pkgdata/aws${missing:+ (missing:$missing)}"
	"$pkgdata/aws/render-cloudwatch.sh" dashboard --cluster c1 >dash.json &&
		/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' dash.json
	ok $? "the installed render-cloudwatch.sh fills its installed template"
fi

# No path into the source or build tree in what was installed (the
# installed files must work once those are gone).
leaks=
# A program's debugging sections name where it was compiled, as they should;
# what it reads at run time may not.  The install prefix itself is taken
# out first: make distcheck installs inside the unpacked source tree.
while IFS= read -r -d '' f; do
	text=$f
	if objcopy --strip-debug "$f" "$work/stripped" 2>/dev/null; then
		text=$work/stripped
	fi
	strings -a "$text" | sed -e "s|$dest$prefix||g" -e "s|$prefix||g" |
		grep -qF -e "$HPCP_SRCDIR" -e "$HPCP_BUILDDIR" &&
		leaks="$leaks ${f#"$dest$prefix"/}"
done < <(find "$dest$prefix" -type f -print0)
[ -z "$leaks" ]
ok $? "no installed file names the source or build tree${leaks:+:$leaks}"

# The modulefiles put the installed programs and pages on the paths; run
# with each module system that is here.  They name the final prefix, so
# only an install without DESTDIR can be loaded.
lua_mod=$pkgdata/modulefiles/lmod/hpcprobe/$HPCP_VERSION.lua
tcl_mod=$pkgdata/modulefiles/tcl/hpcprobe/$HPCP_VERSION
[ -s "$lua_mod" ] && [ -s "$tcl_mod" ] &&
	! grep -q '@[a-z]*@' "$lua_mod" "$tcl_mod"
ok $? "modulefiles installed, every path filled in: $lua_mod, $tcl_mod"

# module_check WHICH TREE: Lmod (which reads Tcl modulefiles too) loads
# hpcprobe/VERSION from TREE; the installed programs and pages must then be
# the ones found.
module_check() {
	local which=$1 tree=$2 init=/usr/share/lmod/lmod/init/bash got
	if [ -n "$dest" ]; then
		skip "$which modulefile: module load hpcprobe/$HPCP_VERSION" "installed under DESTDIR $dest"
		return
	fi
	if [ ! -r "$init" ]; then
		skip "$which modulefile: module load hpcprobe/$HPCP_VERSION" "Lmod is not installed ($init)"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	got=$(env -i HOME="$HOME" PATH=/usr/bin:/bin bash -c '
		. "$1" >/dev/null 2>&1
		module use "$2" && module load "hpcprobe/$3" 2>&1 &&
			command -v hpcprobe-report && echo "ROOT=$HPCPROBE_ROOT" &&
			echo "MANPATH=$MANPATH" &&
			{ ! command -v man >/dev/null || [ "$4" = no ] ||
				echo "PAGE=$(man -w hpcprobe-report)"; }' \
		_ "$init" "$tree" "$HPCP_VERSION" "${HPCP_HELP2MAN:-no}" 2>&1)
	page=PAGE=$man/man1/hpcprobe-report.1
	if ! command -v man >/dev/null || [ "${HPCP_HELP2MAN:-no}" = no ]; then
		page=
	fi
	grep -qx "$bin/hpcprobe-report" <<<"$got" &&
		grep -qx "ROOT=$prefix" <<<"$got" && grep -qx "MANPATH=$man::" <<<"$got" &&
		{ [ -z "$page" ] || grep -qx "$page" <<<"$got"; }
	ok $? "$which modulefile: module load hpcprobe/$HPCP_VERSION puts $bin on PATH, $man on MANPATH before man's own${page:+, man finds its page}: $(tr '\n' ' ' <<<"$got")"
}
module_check Lua "$pkgdata/modulefiles/lmod"
module_check Tcl "$pkgdata/modulefiles/tcl"

done_testing
