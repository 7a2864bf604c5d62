#!/bin/bash
# Fill the CloudWatch templates of this directory for one cluster.
#
# usage: render-cloudwatch.sh dashboard|alarms [--namespace NS] [--cluster C]
#            [--region R] [--job J] [--latency-us N] [--busbw B]
# Then, for example:
#   aws cloudwatch put-dashboard --dashboard-name hpcprobe-C \
#       --dashboard-body "$(render-cloudwatch.sh dashboard --cluster C)"
#   render-cloudwatch.sh alarms --cluster C | jq -c '.[]' |
#       while read -r a; do aws cloudwatch put-metric-alarm --cli-input-json "$a"; done
# The namespace and cluster must match hpcprobe's --emf-namespace and the
# Cluster dimension it writes (the Slurm cluster name or the Batch compute
# environment, else "default").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
what=${1:-}
shift || true
ns=hpcprobe cluster=default region=us-east-1 job=any latency=30 busbw=1000000000
while [ $# -gt 0 ]; do
	case $1 in
	--namespace) ns=$2 ;;
	--cluster) cluster=$2 ;;
	--region) region=$2 ;;
	--job) job=$2 ;;
	--latency-us) latency=$2 ;;
	--busbw) busbw=$2 ;;
	*) echo "render-cloudwatch: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
case $what in
dashboard) template=$here/cloudwatch-dashboard.json ;;
alarms) template=$here/cloudwatch-alarms.json ;;
*) echo "usage: render-cloudwatch.sh dashboard|alarms [options]" >&2; exit 2 ;;
esac
if ! [[ $ns =~ ^[A-Za-z0-9._#:/-]{1,255}$ ]]; then
	echo "render-cloudwatch: --namespace: '$ns' is not a CloudWatch namespace" >&2
	exit 2
fi
if ! [[ $latency =~ ^[0-9]+$ && $busbw =~ ^[0-9]+$ ]]; then
	echo "render-cloudwatch: thresholds must be whole numbers" >&2
	exit 2
fi
# Values go through sed; keep them free of its delimiter and specials.
for v in "$cluster" "$region" "$job"; do
	if ! [[ $v =~ ^[A-Za-z0-9._:/@+=-]{1,255}$ ]]; then
		echo "render-cloudwatch: '$v' has characters a dimension value should not have" >&2
		exit 2
	fi
done
sed -e "s|\${Namespace}|$ns|g" -e "s|\${Cluster}|$cluster|g" \
	-e "s|\${Region}|$region|g" -e "s|\${Job}|$job|g" \
	-e "s|\${LatencyThresholdUs}|$latency|g" \
	-e "s|\${BusbwThresholdBytes}|$busbw|g" "$template"
