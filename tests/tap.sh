# TAP helpers for the shell tests; sourced.
tap_n=0
tap_failed=0

ok() {
	# ok CONDITION-EXIT-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# json_query FILE PYTHON-EXPRESSION-ON-d: prints the value (for assertions).
json_query() {
	/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# json_true FILE PYTHON-EXPRESSION: exit 0 when the expression is true.
json_true() {
	[ "$(json_query "$1" "bool($2)" 2>/dev/null)" = True ]
}

# cpu_ticks: "BUSY TOTAL" jiffies of all CPUs so far (/proc/stat), for
# host_busy_pct.
cpu_ticks() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t; exit }' /proc/stat
}

# host_busy_pct "BEFORE" "AFTER" [OWN]: the share of all CPUs busy between
# two cpu_ticks readings, in percent (0 when nothing elapsed), less OWN
# ticks: the CPU of the work under test (children_ticks before and after
# it, once it has been waited for), so that only other work counts.
host_busy_pct() {
	echo "$1 $2 ${3:-0}" | awk '{ t = $4 - $2; b = $3 - $1 - $5;
		print (t > 0 && b > 0 ? int(100 * b / t) : 0) }'
}

# children_ticks: CPU ticks of this shell's children that it has waited
# for, their own waited-for children included (/proc/PID/stat cutime +
# cstime).
children_ticks() {
	sed 's/.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'
}

# stopped_hpcprobe TEXT JOB: waits, while the job JOB (a pid) lives and
# for at most 120 s, for an hpcprobe whose command line holds TEXT to be
# stopped (state T: a fault a test injected); prints its pid, or nothing.
stopped_hpcprobe() {
	local p
	for _ in $(seq 1200); do
		kill -0 "$2" 2>/dev/null || return 0
		for p in $(pgrep -x hpcprobe); do
			# (2> first: a process gone since pgrep is silent)
			if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" |
				grep -q -- "$1" &&
				[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ]; then
				echo "$p"
				return 0
			fi
		done
		sleep 0.1
	done
}

validate() {
	"$PYTHON_JSONSCHEMA" "$HPCP_VALIDATE" "$HPCP_SCHEMA" "$1"
}

# schema_check FILE: one TAP line, FILE valid against the results schema
# (a SKIP where python3-jsonschema is missing).
schema_check() {
	if [ "$PYTHON_JSONSCHEMA" = no ] || [ -z "$PYTHON_JSONSCHEMA" ]; then
		skip "$1 is valid against the schema" "no python3-jsonschema"
	else
		out=$(validate "$1" 2>&1)
		ok $? "$1 is valid against the schema: $out"
	fi
}
