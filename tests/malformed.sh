#!/bin/bash
# A table of malformed invocations and environments.  Each must end with
# exit status 2 and exactly one line naming what was wrong (bad input), or
# run and record a reason (bad environment) -- never a crash (a signal),
# never a hang (20 s each at most), never a results file on bad input.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:?}
entry=$(cd "$(dirname "$0")/../batch/aws" && pwd)/entrypoint.sh
cost_doc=$(cd "$(dirname "$0")/data/cost" && pwd)/results.json
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
	"--efa-root ''"
	"--fabric-allreduce tree"
	"--fabric-allreduce ''"
	"--train-epochs 0"
	"--train-batch 0"
	"--train-samples -1"
	"--train-lr 0"
	"--train-lr nan"
	"--train-momentum 1"
	"--train-target 1.5"
	"--train-hidden ''"
	"--train-hidden 0,5"
	"--train-hidden 256,"
	"--train-hidden 1,2,3,4,5,6,7,8"
	"--train-hidden 99999"
	"--train-overlap maybe"
	"--train-overlap of"
	"--train-straggler 1"
	"--train-straggler x:1ms"
	"--train-straggler 1:5"
	"--train-straggler 1:20s"
	"--train-input-delay 5"
	"--train-input-delay 5min"
	"--train-data ''"
	"--sample-hz -1"
	"--sample-hz 101"
	"--sample-hz nan"
	"--sample-hz fast"
	"--infer-model ''"
	"--infer-model spin"
	"--infer-model spin:0"
	"--infer-model spin:abc"
	"--infer-model gpt"
	"--infer-max-batch 0"
	"--infer-max-batch 2000"
	"--infer-max-delay 5"
	"--infer-max-delay 20s"
	"--infer-p99 0ms"
	"--infer-p99 fast"
	"--infer-rates 0"
	"--infer-rates 100,"
	"--infer-rates ,100"
	"--infer-rates 1,,2"
	"--infer-rates abc"
	"--infer-rates 1,2,3,4,5,6,7,8,9"
	"--infer-burst 0"
	"--infer-burst 11"
	"--infer-requests 0"
	"--infer-confidence 1"
	"--infer-seed -1"
	"--infer-stall 1min"
	"--infer-client closed"
	"--phases infer --infer-remote"
	"--phases infer --infer-payload 4096"
	"--phases infer --infer-remote --infer-payload 100"
	"--phases infer --infer-remote --infer-payload 70000"
	"--phases train --train-checkpoint-dir /nonexistent-hpcprobe-dir"
	"--phases train --train-checkpoint-dir /etc/hostname"
	"--train-checkpoint-dir ''"
	"--phases storage --storage-dir /nonexistent-hpcprobe-dir"
	"--phases storage --storage-dir /etc/hostname"
	"--phases storage --storage-dir ''"
	"--storage-easy-mib 0"
	"--storage-easy-mib 1"
	"--phases storage --storage-easy-mib 3"
	"--storage-random-ops -5"
	"--storage-md-files 10x"
	"--storage-hard-transfers 0"
	"--storage-subphases easy,"
	"--storage-subphases fast"
	"--storage-subphases ''"
	"--storage-direct=yes"
	"--preflight-fsx ''"
	"--preflight-strict=yes"
	"--output ''"
	"-o /nonexistent-dir/x.json"
	"-o /dev/null"
	"-o r.json --prom r.json"
	"-o r.json --emf=./r.json"
	"-o - --emf=-"
	"--emf=x.emf.json --prom ./x.emf.json"
	"-o $(printf 'x%.0s' $(seq 5000))"
	"-o $(printf './%.0s' $(seq 2040))x.json"
	"-o $(printf 'x%.0s' $(seq 250))"
	"-o x.json --emf=$(printf 'y%.0s' $(seq 246))"
	"--quick=yes"
	"--list=all"
	"--bogus"
	"-Z"
	"-qp topology"
	"stray-argument"
	"--"
	"--=x"
)

# A read-only target (root can mount one; elsewhere the case is left out).
mkdir -p ro
if mount -t tmpfs -o ro,size=1m tmpfs "$work/ro" 2>/dev/null; then
	trap 'umount "$work/ro"; rm -rf "$work"' EXIT
	bad_args+=("--phases storage --storage-dir $work/ro")
	bad_args+=("--phases train --train-checkpoint-dir $work/ro")
else
	skip "bad input [--phases storage --storage-dir READ-ONLY]" "cannot mount a read-only tmpfs here (not root?)"
	skip "bad input [--phases train --train-checkpoint-dir READ-ONLY]" "cannot mount a read-only tmpfs here (not root?)"
fi

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
	"FI_PROVIDER=nosuch"
	"OPENBLAS_NUM_THREADS=abc"
	"AWS_BATCH_JOB_ID= AWS_BATCH_JOB_NODE_INDEX=abc"
	"SLURM_JOB_ID=$(head -c 300 /dev/zero | tr '\0' 'x')"
	"HPCPROBE_PROCFS_ROOT=$work/missing"
	"HPCPROBE_PROCFS_ROOT=$work/notadir"
	"HPCPROBE_SYSFS_ROOT=$work/missing"
	"HPCPROBE_SYSFS_ROOT=$work/notadir"
	"HPCPROBE_NVML_LIB=$work/notadir"
	"HPCPROBE_NVML_LIB=/nonexistent/libnvidia-ml.so.1"
)
# Bad EFA trees, named by --efa-root (the environment no longer names
# one), read by the preflight, the fabric phase and the sampler: recorded
# like a bad environment.
for r in "$work/missing" "$work/notadir" "$work/sys"; do
	rm -f r.json
	timeout 60 "$bin" --phases preflight,topology,fabric --quick \
		--efa-root "$r" -o r.json >out.txt 2>err.txt
	status=$?
	[ "$status" -lt 128 ] && [ "$status" -ne 124 ] && [ -s r.json ] &&
		json_true r.json "all(p['status'] == 'ok' or p.get('reason') for p in d['phases'].values())"
	ok $? "bad EFA tree [--efa-root ${r#"$work"/}]: ran (exit $status), every phase ok or with a reason"
done
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

# The AWS Batch entrypoint refuses a malformed job environment before it
# starts anything: exit 2 and one line naming the variable.
mkdir -p ssh && : >ssh/sshd_config && : >ssh/ssh_config
bad_batch=(
	"AWS_BATCH_JOB_NUM_NODES=abc AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=0|AWS_BATCH_JOB_NUM_NODES"
	"AWS_BATCH_JOB_NUM_NODES=0 AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=0|AWS_BATCH_JOB_NUM_NODES"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=-1 AWS_BATCH_JOB_MAIN_NODE_INDEX=0|AWS_BATCH_JOB_NODE_INDEX"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=5 AWS_BATCH_JOB_MAIN_NODE_INDEX=0|node index 5"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=x|AWS_BATCH_JOB_MAIN_NODE_INDEX"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=1|AWS_BATCH_JOB_MAIN_NODE_INDEX"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=0 HPCP_SSH_PORT=ssh|HPCP_SSH_PORT"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=0 HPCP_WAIT_NODES_TIMEOUT=soon|HPCP_WAIT_NODES_TIMEOUT"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_INDEX=0 HPCP_RANKS_PER_NODE=0|HPCP_RANKS_PER_NODE"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=1 AWS_BATCH_JOB_MAIN_NODE_INDEX=0 AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS=mainnode|AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"
	"AWS_BATCH_JOB_NUM_NODES=2 AWS_BATCH_JOB_NODE_INDEX=1 AWS_BATCH_JOB_MAIN_NODE_INDEX=0|AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"
)
for c in "${bad_batch[@]}"; do
	vars=${c%%|*}
	word=${c#*|}
	# shellcheck disable=SC2086 # a list of assignments
	timeout 20 env -i PATH="$PATH" HPCP_SSH_DIR="$work/ssh" $vars "$entry" >out.txt 2>err.txt
	status=$?
	[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && grep -q -- "$word" err.txt
	ok $? "entrypoint [$vars]: exit 2 ($status), one line naming $word"
done

# hpcprobe-report --claims and --price: a malformed claims or price file,
# an instance type the prices lack, nonsense figures: exit 2, one line
# naming the file or option, nothing on stdout.
report=${HPCP_REPORT_BIN:?}
good_price='{"date":"d","source":"s","instances":{"t":{"on_demand_per_hour":1,"spot_per_hour":0.5}},"storage_per_gb_month":0.02,"transfer_per_gb":0.09}'
good_claim='{"metric":"run/duration_s","comparison":"<=","value":1}'
bad_report=(
	"claims|not json"
	"claims|{}"
	"claims|{\"claims\":[]}"
	"claims|{\"claims\":[1]}"
	"claims|{\"claims\":[{\"comparison\":\"<=\",\"value\":1}]}"
	"claims|{\"claims\":[{\"metric\":\"x\",\"comparison\":\"==\",\"value\":1}]}"
	"claims|{\"claims\":[{\"metric\":\"x\",\"comparison\":\"<\",\"value\":\"1\"}]}"
	"claims|{\"claims\":[{\"metric\":\"x\",\"comparison\":\"<\",\"value\":1,\"percentile\":1.5}]}"
	"claims|{\"claims\":[{\"metric\":\"x\",\"comparison\":\"<\",\"value\":1,\"confidence\":0}]}"
	"claims|{\"claims\":[{\"metric\":\"x\",\"comparison\":\"<\",\"value\":1,\"treshold\":1}]}"
	"price|not json"
	"price|{\"instances\":{}}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"u\":{}},\"storage_per_gb_month\":0.02,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":-1,\"spot_per_hour\":0.5}},\"storage_per_gb_month\":0.02,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5,\"spot_interruptions_per_hour\":\"often\"}},\"storage_per_gb_month\":0.02,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5}},\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5,\"spot_interruptions_per_hour\":-0.5}},\"storage_per_gb_month\":0.02,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5,\"spot_interruptions_per_hour\":101}},\"storage_per_gb_month\":0.02,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5}},\"storage_per_gb_month\":0.02,\"storage_infrequent_access_per_gb_month\":-0.01,\"storage_glacier_per_gb_month\":0.004,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5}},\"storage_per_gb_month\":0.02,\"storage_infrequent_access_per_gb_month\":0.0125,\"storage_glacier_per_gb_month\":-1,\"transfer_per_gb\":0.09}"
	"price|{\"date\":\"d\",\"source\":\"s\",\"instances\":{\"t\":{\"on_demand_per_hour\":1,\"spot_per_hour\":0.5}},\"storage_per_gb_month\":0.02,\"storage_glacier_per_gb_month\":\"cheap\",\"transfer_per_gb\":0.09}"
	"args|--checkpoint-s -1"
	"args|--checkpoint-s soon"
	"args|--instance-type ''"
	"args|--claims"
	"args|--claims /nonexistent/claims.json"
	"args|--instance-type u"
	"args|--inventory /nonexistent/inventory.json"
	"args|--emf /nonexistent-dir/cost.emf"
	"args|--prom ''"
	"args|--prom"
	"inventory|{\"horizon_days\":0,\"policy\":{\"days_to_infrequent_access\":30,\"days_to_glacier\":90,\"min_days_infrequent_access\":30},\"objects\":[]}"
	"inventory|{\"horizon_days\":9,\"policy\":{\"days_to_infrequent_access\":30,\"days_to_glacier\":10,\"min_days_infrequent_access\":30},\"objects\":[]}"
	"inventory|{\"horizon_days\":9,\"policy\":{\"days_to_infrequent_access\":30,\"days_to_glacier\":90,\"min_days_infrequent_access\":30},\"objects\":[{\"gb\":-1,\"age_days\":0}]}"
)
for c in "${bad_report[@]}"; do
	kind=${c%%|*}
	text=${c#*|}
	printf '%s' "$good_price" >price.json
	printf '{"claims":[%s]}' "$good_claim" >claims.json
	case $kind in
	claims) printf '%s' "$text" >claims.json; set -- --claims claims.json ;;
	price) printf '%s' "$text" >price.json; set -- ;;
	inventory) printf '%s' "$text" >inv.json; set -- --inventory inv.json ;;
	args) eval "set -- $text" ;;
	esac
	timeout 20 "$report" --price price.json --instance-type t "$@" \
		"$cost_doc" >out.txt 2>err.txt
	status=$?
	[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && [ ! -s out.txt ]
	ok $? "hpcprobe-report $kind [$(echo "$text" | head -c 70)]: exit 2 ($status), one line: $(head -c 100 err.txt)"
done

# Bad input is answered before MPI starts: with MPI made unable to start
# (no such point-to-point layer), the answer is still exit 2 and one line,
# and --help still works.
OMPI_MCA_pml=nosuch "$bin" --sizes 12q >out.txt 2>err.txt
status=$?
[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ]
ok $? "bad input never starts MPI: exit 2 ($status), one line, with MPI unable to start"
# Started alone, the job's checks (outputs, each phase's) need no MPI
# either: an Open MPI singleton started only to be finalised again has
# crashed at exit on a loaded host.
OMPI_MCA_pml=nosuch "$bin" -o r.json --emf=./r.json >out.txt 2>err.txt
status=$?
[ $status -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && grep -q 'are one file' err.txt
ok $? "started alone, colliding outputs are answered before MPI starts: exit 2 ($status), one line"
OMPI_MCA_pml=nosuch "$bin" --help >out.txt 2>err.txt
status=$?
[ $status -eq 0 ] && grep -q -- '--phases' out.txt && [ ! -s err.txt ]
ok $? "--help never starts MPI: exit 0 ($status) with MPI unable to start"

done_testing
