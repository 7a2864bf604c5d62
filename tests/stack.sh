#!/bin/bash
# The AWS stack (batch/aws/stack/hpcprobe-stack.yaml) without an AWS
# account: cfn-lint clean; the project's own rules (tests/stack_rules.py)
# pass, and each fails on a template broken on purpose; and a deployment
# into moto's emulator on 127.0.0.1 (tests/stack_moto.py) reads back the
# VPC, security-group rules, bucket lifecycle, IAM roles and Batch
# resources, naming the types moto cannot create.  cfn-lint and moto are
# used when the python3 on PATH has them, else skipped with the reason.
. "$(dirname "$0")/tap.sh"

tests=$(cd "$(dirname "$0")" && pwd)
aws=$(cd "$tests/../batch/aws" && pwd)
tpl=$aws/stack/hpcprobe-stack.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP no PyYAML for /usr/bin/python3 (apt-get install python3-yaml)"
	exit 0
fi

# --- cfn-lint -------------------------------------------------------------------
if command -v cfn-lint >/dev/null 2>&1 && cfn-lint --version >/dev/null 2>&1; then
	cfn-lint "$tpl" >"$work/lint.txt" 2>&1
	ok $? "cfn-lint $(cfn-lint --version 2>&1 | cut -d' ' -f2): clean $(head -3 "$work/lint.txt" | tr '\n' ' ')"
else
	skip "cfn-lint clean" "no cfn-lint on PATH (pip install cfn-lint)"
fi

# --- the project's rules ------------------------------------------------------------
/usr/bin/python3 "$tests/stack_rules.py" "$tpl" "$aws" >"$work/rules.txt" 2>&1
status=$?
while read -r verdict rule rest; do
	case $verdict in
	ok) ok 0 "rule $rule" ;;
	FAIL) ok 1 "rule $rule: $rest" ;;
	esac
done <"$work/rules.txt"
[ $status -eq 0 ] && [ "$(grep -c '^ok ' "$work/rules.txt")" -eq 10 ]
ok $? "all 10 rules pass ($(tail -1 "$work/rules.txt" | sed 's/^# //'))"

# Each mutation on a fresh copy of the template, in one process: the rule
# named must fail on it.  File $1 of lines "rule|what is broken|the change"
# in; lines "ok|FAIL<TAB>what<TAB>the rule's verdict" out.
mutate_all() {
	/usr/bin/python3 - "$tpl" "$aws" "$tests" "$1" <<'EOF'
import copy
import sys
sys.path.insert(0, sys.argv[3])
import stack_rules
base = stack_rules.load(sys.argv[1])
rules = dict(stack_rules.RULES)
for line in open(sys.argv[4]):
    rule, what, code = line.rstrip('\n').split('|', 2)
    t = copy.deepcopy(base)
    r = t['Resources']
    try:
        exec(code)
        why = rules[rule](t, sys.argv[2])
    except Exception as e:  # a mutation that no longer applies
        why, rule = None, 'the mutation raised %r' % e
    print('%s\t%s\t%s' % ('FAIL' if why else 'ok', what,
                           '%s: %s' % (rule, why)))
EOF
}

BUCKET="r['ResultsBucket']['Properties']"
JOBPOL="r['JobRole']['Properties']['Policies'][0]['PolicyDocument']['Statement']"
CONT="r['JobDefinition']['Properties']['NodeProperties']['NodeRangeProperties'][0]['Container']"
BODY="r['Dashboard']['Properties']['DashboardBody']['Fn::Sub']"
# rule|what is broken|the change
mutations=(
	"efa_sg_self|no egress rule to itself|del r['EfaEgressSelf']"
	"efa_sg_self|no ingress rule from itself|del r['EfaIngressSelf']"
	"efa_devices|the fourth card's uverbs3 not passed|${CONT}['LinuxParameters']['Devices'].pop(3)"
	"efa_devices|uverbs1 passed without its card|${CONT}['LinuxParameters']['Devices'][1] = ${CONT}['LinuxParameters']['Devices'][1]['Fn::If'][1]"
	"efa_per_card|card 20's interface left out|del r['NodeLaunchTemplate']['Properties']['LaunchTemplateData']['NetworkInterfaces'][20]"
	"efa_per_card|cards 16-31 under a condition 32 cards never meet|t['Conditions']['Cards32'] = {'Fn::Equals': [{'Ref': 'NetworkCards'}, '64']}"
	"efa_per_card|32 cards allowed but 64 offered|t['Parameters']['NetworkCards']['AllowedValues'].append(64)"
	"fsx_ports|1018-1023 narrowed to 1018-1022|r['FsxSecurityGroup']['Properties']['SecurityGroupIngress'][1]['ToPort'] = 1022"
	"fsx_ports|no 988 between the file servers|del r['FsxIngressSelf988']"
	"placement_group|no placement group on the multi-node environment|del r['OnDemandEnvironment']['Properties']['ComputeResources']['PlacementGroup']"
	"placement_group|a spread placement group|r['PlacementGroup']['Properties']['Strategy'] = 'spread'"
	"no_spot_mnp|the multi-node environment on Spot|r['OnDemandEnvironment']['Properties']['ComputeResources']['Type'] = 'SPOT'"
	"no_spot_mnp|the Spot environment in the multi-node queue|r['JobQueue']['Properties']['ComputeEnvironmentOrder'].append({'Order': 2, 'ComputeEnvironment': {'Ref': 'SpotEnvironment'}})"
	"bucket|incomplete uploads never aborted|${BUCKET}['LifecycleConfiguration']['Rules'].pop(1)"
	"bucket|noncurrent versions never expire|${BUCKET}['LifecycleConfiguration']['Rules'].pop(2)"
	"bucket|no transition to Glacier|${BUCKET}['LifecycleConfiguration']['Rules'][0]['Transitions'].pop(1)"
	"bucket|public ACLs allowed|${BUCKET}['PublicAccessBlockConfiguration']['BlockPublicAcls'] = False"
	"bucket|not encrypted|del ${BUCKET}['BucketEncryption']"
	"iam_least|action * on resource *|$JOBPOL.append({'Effect': 'Allow', 'Action': '*', 'Resource': '*'})"
	"iam_least|s3:GetObject on every bucket|${JOBPOL}[0]['Resource'] = '*'"
	"iam_least|every S3 action|${JOBPOL}[0]['Action'] = 's3:*'"
	"tagged|FSx without tags|del r['FileSystem']['Properties']['Tags']"
	"tagged|the queue without CostCenter|del r['JobQueue']['Properties']['Tags']['CostCenter']"
	"tagged|the instances' volumes untagged|r['NodeLaunchTemplate']['Properties']['LaunchTemplateData']['TagSpecifications'].pop(1)"
	"same_as_files|the job's shared memory changed|${CONT}['LinuxParameters']['SharedMemorySize'] = 64"
	"same_as_files|the dashboard edited|${BODY}[0] = ${BODY}[0].replace('LatencyP99', 'LatencyP90')"
)
printf '%s\n' "${mutations[@]}" >"$work/mutations.in"
mutate_all "$work/mutations.in" >"$work/mutations.txt" 2>&1
while IFS=$'\t' read -r verdict what detail; do
	[ "$verdict" = FAIL ]
	ok $? "broken on purpose [$what]: rule $(echo "$detail" | cut -c1-110)"
done <"$work/mutations.txt"
[ "$(wc -l <"$work/mutations.txt")" -eq ${#mutations[@]} ]
ok $? "all ${#mutations[@]} mutations judged"

# --- moto ----------------------------------------------------------------------------
if python3 -c 'import moto, boto3' 2>/dev/null && command -v moto_server >/dev/null; then
	timeout 300 python3 "$tests/stack_moto.py" "$tpl" "$work/moto.log" \
		>"$work/moto.txt" 2>&1
	status=$?
	while read -r verdict rest; do
		case $verdict in
		PASS) ok 0 "moto: $rest" ;;
		FAIL) ok 1 "moto: $rest" ;;
		NOTE) echo "# moto: $rest" ;;
		esac
	done <"$work/moto.txt"
	[ $status -eq 0 ] && grep -q '^PASS the stack is created' "$work/moto.txt"
	ok $? "moto: the deployment and every read-back pass (exit $status)"
else
	skip "deployment into moto" "no moto and boto3 in the python3 on PATH (pip install 'moto[server]' boto3)"
fi

done_testing
