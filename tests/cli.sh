#!/bin/sh
# The command line of the real binary: bad input is one line, exit 2 and no
# file; --help, --version and --list answer and exit 0.  Runs hpcprobe as an
# MPI singleton and under mpirun -np 2.
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
bad_input "zero max-pairs" "--max-pairs" --max-pairs 0
bad_input "sizes above 1G" "--sizes" --sizes 8,2G
bad_input "output in a missing directory" "does not exist" \
	--phases topology -o "$work/no/such/dir/out.json"

rm -f out.json
"$bin" --help >help.txt 2>&1
ok $? "--help exits 0"
grep -q -- "--phases" help.txt && grep -q -- "--output" help.txt
ok $? "--help describes the options"
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

mpirun="${HPCP_MPIRUN:?}"
rm -f ./*.json
$mpirun -np 2 "$bin" --phases nosuch -o out.json >stdout.txt 2>stderr.txt
status=$?
ok $((status != 2)) "mpirun -np 2 with an unknown phase exits 2 (got $status)"
n=$(grep -c "^hpcprobe: --phases" stderr.txt)
ok $((n != 1)) "under mpirun the error line is printed once, not per rank ($n)"
[ -z "$(ls ./*.json* 2>/dev/null)" ]
ok $? "under mpirun no results file is written"

done_testing
