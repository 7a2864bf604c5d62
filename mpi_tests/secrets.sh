#!/bin/bash
# Secrets never reach the outputs (issue 19): one real run with every
# secret-like name the unit test generates (each allowed prefix crossed
# with each secret word, plus the names a review found recorded) set to a
# unique marker; no marker and no such name may appear in the document,
# the Prometheus textfile, the EMF lines, stdout or stderr.  Topology and
# fabric: the two places that copy the environment into the document
# (context.environment, the fabric provider's FI_ variables).  Harmless
# allowed variables must appear, or a run recording nothing would pass.
. "$(dirname "$0")/../tests/tap.sh"

bin=${HPCP_BIN:?}
mpirun=${HPCP_MPIRUN:?}
# The unit test prints its table, so both tests cross the same names.
table=${HPCP_ENV_TABLE:-$(dirname "$bin")/tests/test_env.t}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

"$table" --names | sort -u >names.txt
n=$(wc -l <names.txt)
ok $((n < 1000)) "the secret names to set: $n"

# Markers end in z, so no marker is a prefix of another (m1z, m12z).
assign=()
i=0
while read -r name; do
	i=$((i + 1))
	assign+=("$name=s3cr3t${i}z")
	echo "s3cr3t${i}z" >>markers.txt
done <names.txt
canary=visible-$$-$RANDOM

env "${assign[@]}" HPCPROBE_CANARY="$canary" FI_HPCP_CANARY="$canary" \
	$mpirun -np 2 "$bin" --quick --phases topology,fabric -o r.json \
	--prom m.prom --emf=m.jsonl >stdout.txt 2>stderr.txt
status=$?
ok $status "a run with $n secrets in its environment exits 0 ($status)"
[ $status -eq 0 ] || sed 's/^/# /' stderr.txt | head -20

json_true r.json "d['context']['environment'].get('HPCPROBE_CANARY') == '$canary'"
ok $? "a harmless allowed variable is recorded with its value"
[ -s m.prom ] && [ -s stdout.txt ]
ok $? "the Prometheus textfile and the summary were written"
if json_true r.json "d['phases']['fabric']['status'] == 'ok'"; then
	json_true r.json "d['phases']['fabric']['provider']['environment'].get('FI_HPCP_CANARY') == '$canary'"
	ok $? "fabric: a harmless FI_ variable is recorded with its value"
	[ -s m.jsonl ]
	ok $? "fabric: EMF lines were written"
else
	skip "fabric: a harmless FI_ variable is recorded" "the fabric phase did not run here"
	skip "fabric: EMF lines were written" "the fabric phase did not run here"
fi

for out in r.json m.prom m.jsonl stdout.txt stderr.txt; do
	found=$(grep -oF -f markers.txt "$out" | sort -u | head -5 | tr '\n' ' ')
	[ -z "$found" ]
	ok $? "$out holds no secret value ${found:+(found: $found)}"
	found=$(grep -oF -f names.txt "$out" | sort -u | head -5 | tr '\n' ' ')
	[ -z "$found" ]
	ok $? "$out names no secret variable ${found:+(found: $found)}"
	# Open MPI's own job key, which mpirun sets for the ranks: 16 hex
	# digits, a dash, 16 more.
	! grep -Eq '[0-9a-f]{16}-[0-9a-f]{16}' "$out"
	ok $? "$out holds nothing shaped like Open MPI's job key"
done

done_testing
