#!/bin/sh
# The libFuzzer targets (option line, size lists and numbers, EFA counter
# files, the metadata service's answers, meminfo and metadata items, the
# report tool's document loader and HTML, the gate): every input in
# fuzz/regressions replays without a crash, and a short fuzzing run from
# fuzz/corpus finds none.  "make fuzz" runs longer.
. "$(dirname "$0")/tap.sh"

if [ -n "${HPCP_FUZZ_SKIP:-}" ]; then
	echo "1..0 # SKIP $HPCP_FUZZ_SKIP"
	exit 0
fi
if [ "$HPCP_HAVE_FUZZER" != yes ]; then
	echo "1..0 # SKIP no clang libFuzzer (apt-get install clang libclang-rt-14-dev)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seconds=${HPCP_FUZZ_SECONDS:-5}

for t in opt sizes counter imds load gate; do
	bin=$HPCP_FUZZ_BIN/fuzz_$t
	# Replay: libFuzzer runs each file once and exits 0 when none crash.
	"$bin" "$HPCP_FUZZ_SRC"/regressions/$t/* "$HPCP_FUZZ_SRC"/corpus/$t/* \
		>"$work/$t.replay" 2>&1
	ok $? "fuzz_$t: the regression corpus and seeds replay without a crash"
	mkdir -p "$work/corpus-$t"
	cp "$HPCP_FUZZ_SRC"/corpus/$t/* "$work/corpus-$t/"
	"$bin" -max_total_time="$seconds" -artifact_prefix="$work/crash-$t-" \
		"$work/corpus-$t" >"$work/$t.fuzz" 2>&1
	status=$?
	ok $status "fuzz_$t: ${seconds} s of fuzzing find no crash ($(grep -o 'Done [0-9]* runs' "$work/$t.fuzz"))"
	if [ $status -ne 0 ]; then
		tail -20 "$work/$t.fuzz" | sed 's/^/# /'
		ls "$work"/crash-* 2>/dev/null | sed 's/^/# crash input: /'
	fi
done
done_testing
