#!/bin/sh
# The command line of the real binary: bad input is one line, exit 2 and no
# file; --help, --version and --list answer and exit 0; a phase's option
# without its phase is a warning, not an error.  Runs hpcprobe as an MPI
# singleton and under mpirun -np 2.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

# bad_input DESCRIPTION WORD-THE-LINE-MUST-CONTAIN ARGS...
bad_input() {
	desc=$1 word=$2
	shift 2
	rm -f ./*.json
	"$bin" -o out.json "$@" >stdout.txt 2>stderr.txt
	status=$?
	ok $((status != 2)) "$desc: exit status 2 (got $status)"
	lines=$(wc -l <stderr.txt)
	ok $((lines != 1)) "$desc: exactly one line on stderr (got $lines)"
	grep -q -- "$word" stderr.txt
	ok $? "$desc: the line names $word: $(head -c 200 stderr.txt)"
	[ ! -s stdout.txt ] && [ -z "$(ls ./*.json* 2>/dev/null)" ]
	ok $? "$desc: nothing on stdout and no results file"
}

bad_input "unknown phase" "--phases" --phases nosuch
grep -q "topology" stderr.txt
ok $? "unknown phase: the line lists the valid phases"
bad_input "unknown option" "--frobnicate" --frobnicate
bad_input "malformed size" "--sizes" --sizes 12q
bad_input "negative iterations" "--iterations" --iterations -3
bad_input "huge iterations" "--iterations" --iterations 99999999999999999999
bad_input "zero iterations" "--iterations" --iterations 0
bad_input "warmup not a number" "--warmup" --warmup ten
bad_input "imbalance out of range" "--imbalance" --imbalance 12
bad_input "imbalance not a number" "--imbalance" --imbalance lots
bad_input "imbalance negative" "--imbalance" --imbalance -2
bad_input "imbalance checked without compute" "--imbalance" \
	--phases topology --imbalance 10.5
bad_input "empty fabric provider" "--fabric-provider" --fabric-provider ""
bad_input "zero max-pairs" "--max-pairs" --max-pairs 0
bad_input "sizes above 1G" "--sizes" --sizes 8,2G
bad_input "output in a missing directory" "does not exist" \
	--phases topology -o "$work/no/such/dir/out.json"

rm -f out.json
"$bin" --help >help.txt 2>&1
ok $? "--help exits 0"
grep -q -- "--phases" help.txt && grep -q -- "--output" help.txt
ok $? "--help describes the options"
# under_heading HEADING OPTION: OPTION is listed in HEADING's group.
under_heading() {
	sed -n "/^$1\$/,/^\$/p" help.txt | grep -q -- "^ *$2 "
}
under_heading "compute options:" --imbalance
ok $? "--help lists --imbalance under 'compute options:'"
under_heading "fabric options:" --fabric-provider
ok $? "--help lists --fabric-provider under 'fabric options:'"
! sed -n '/^Options:$/,/^$/p' help.txt |
	grep -q -e --imbalance -e --fabric-provider
ok $? "--help keeps phase options out of the global list"
"$bin" --version >version.txt 2>&1
ok $? "--version exits 0"
grep -q "^hpcprobe [0-9]" version.txt
ok $? "--version prints the version: $(cat version.txt)"
"$bin" --list >list.txt 2>&1
ok $? "--list exits 0"
grep -q "^topology  *available" list.txt
ok $? "--list shows topology as available"
[ -z "$(ls ./*.json 2>/dev/null)" ]
ok $? "--help, --version and --list write no results file"

# phase_warning DESCRIPTION OPTION PHASE ARGS...: accepted, exit 0, the
# results written, one warning line naming the option and its phase.
phase_warning() {
	desc=$1 opt=$2 phase=$3
	shift 3
	rm -f ./*.json
	"$bin" -o out.json "$@" >stdout.txt 2>stderr.txt
	status=$?
	ok $status "$desc: exit status 0 (got $status)"
	[ -s out.json ]
	ok $? "$desc: the results are written"
	n=$(grep -c "^hpcprobe: warning: $opt applies to phase $phase, which is not selected\$" stderr.txt)
	ok $((n != 1)) "$desc: one warning naming $opt and phase $phase ($n): $(grep warning stderr.txt)"
}
phase_warning "--fabric-provider tcp --phases topology" --fabric-provider \
	fabric --fabric-provider tcp --phases topology
phase_warning "--imbalance 0.5 --phases topology" --imbalance compute \
	--phases topology --imbalance 0.5
json_true out.json "d['run']['config']['imbalance'] == 0.5"
ok $? "the option without its phase is still echoed in run.config"
rm -f ./*.json
"$bin" -o out.json --phases topology >stdout.txt 2>stderr.txt
! grep -q warning stderr.txt
ok $? "no phase option given: no warning"

mpirun="${HPCP_MPIRUN:?}"
rm -f ./*.json
$mpirun -np 2 "$bin" --phases nosuch -o out.json >stdout.txt 2>stderr.txt
status=$?
ok $((status != 2)) "mpirun -np 2 with an unknown phase exits 2 (got $status)"
n=$(grep -c "^hpcprobe: --phases" stderr.txt)
ok $((n != 1)) "under mpirun the error line is printed once, not per rank ($n)"
[ -z "$(ls ./*.json* 2>/dev/null)" ]
ok $? "under mpirun no results file is written"
$mpirun -np 2 "$bin" --phases topology --fabric-provider tcp -o out.json \
	>stdout.txt 2>stderr.txt
status=$?
ok $status "mpirun -np 2 --fabric-provider tcp --phases topology exits 0 (got $status)"
n=$(grep -c "^hpcprobe: warning: --fabric-provider applies to phase fabric" stderr.txt)
ok $((n != 1)) "under mpirun the warning is printed once, by rank 0 ($n)"

done_testing
