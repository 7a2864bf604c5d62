#!/bin/bash
# A table of malformed invocations and environments.  Each must end with
# exit status 2 and exactly one line naming what was wrong (bad input), or
# run and record a reason (bad environment) -- never a crash (a signal),
# never a hang (20 s each at most), never a results file on bad input.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

# One case a line: the arguments, as the shell would split them.
bad_args=(
	"--phases"
	"--phases ''"
	"--phases ,"
	"--phases topology,"
	"--phases ,topology"
	"--phases TOPOLOGY"
	"--phases topology,nosuch"
	"--phases all,topology"
	"--sizes"
	"--sizes ''"
	"--sizes 12q"
	"--sizes 1.5k"
	"--sizes -8"
	"--sizes 8,,16"
	"--sizes 8,"
	"--sizes 0x10"
	"--sizes 2G"
	"--sizes 99999999999999999999"
	"--sizes 1kk"
	"--sizes $(printf '1,%.0s' $(seq 70))1"
	"--iterations"
	"--iterations -3"
	"--iterations 0"
	"--iterations 99999999999999999999"
	"--iterations 1e3"
	"--iterations ' 5'"
	"--iterations 5x"
	"--warmup -1"
	"--warmup abc"
	"--timeout 0"
	"--timeout -5"
	"--timeout 9999999"
	"--max-pairs 0"
	"--max-pairs many"
	"--imbalance -1"
	"--imbalance 10.5"
	"--imbalance nan"
	"--imbalance inf"
	"--imbalance 0x1p3"
	"--fabric-provider ''"
	"--output ''"
	"-o /nonexistent-dir/x.json"
	"-o /dev/null"
	"--quick=yes"
	"--list=all"
	"--bogus"
	"-Z"
	"-qp topology"
	"stray-argument"
	"--"
	"--=x"
)

n=0
for args in "${bad_args[@]}"; do
	n=$((n + 1))
	rm -f ./*.json
	eval "set -- $args"
	timeout 20 "$bin" "$@" >out.txt 2>err.txt
	status=$?
	lines=$(wc -l <err.txt)
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s out.txt ] &&
		[ -z "$(ls ./*.json* 2>/dev/null)" ]; then
		ok 0 "bad input [$args]: exit 2, one line: $(head -c 120 err.txt)"
	else
		ok 1 "bad input [$args]: exit $status, $lines lines on stderr"
		sed 's/^/# /' err.txt out.txt | head -5
	fi
done

# Bad environments: the run goes on and records why.
mkdir -p sys/rdmap0s6/device sys/rdmap0s6/ports/1/hw_counters
echo "0x1d0f" >sys/rdmap0s6/device/vendor
printf 'garbage\n' >sys/rdmap0s6/ports/1/hw_counters/tx_bytes
printf '' >sys/rdmap0s6/ports/1/hw_counters/rx_bytes
echo not-a-dir >notadir
bad_env=(
	"HPCPROBE_SYSFS_ROOT=$work/missing"
	"HPCPROBE_SYSFS_ROOT=$work/notadir"
	"HPCPROBE_SYSFS_ROOT=$work/sys"
	"HPCPROBE_SYSFS_ROOT="
	"FI_PROVIDER=nosuch"
	"OPENBLAS_NUM_THREADS=abc"
	"AWS_BATCH_JOB_ID= AWS_BATCH_JOB_NODE_INDEX=abc"
	"SLURM_JOB_ID=$(head -c 300 /dev/zero | tr '\0' 'x')"
)
for e in "${bad_env[@]}"; do
	rm -f r.json
	# shellcheck disable=SC2086 # each case is a list of assignments
	timeout 60 env $e "$bin" --phases topology,fabric --quick -o r.json \
		>out.txt 2>err.txt
	status=$?
	if [ "$status" -lt 128 ] && [ "$status" -ne 124 ] && [ -s r.json ] &&
		/usr/bin/python3 -c 'import json,sys
d = json.load(open("r.json"))
sys.exit(0 if all(p["status"] == "ok" or p.get("reason") for p in d["phases"].values()) else 1)'; then
		ok 0 "bad environment [$(echo "$e" | head -c 60)]: ran (exit $status), every phase ok or with a reason"
	else
		ok 1 "bad environment [$(echo "$e" | head -c 60)]: exit $status"
		sed 's/^/# /' err.txt | head -5
	fi
done

done_testing
