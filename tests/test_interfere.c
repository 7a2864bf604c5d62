/* The interference signals: /proc parsers on fixture text, the disturbed
 * rule on hand-made samples, and the live sources on this machine. */
#include "config.h"

#include <errno.h>
#include <stdint.h>

#include "hpcp/interfere.h"
#include "tap.h"

static struct hpcp_interfere_sample smp(uint64_t cpu, uint64_t runq,
					uint64_t steal)
{
	struct hpcp_interfere_sample s = { cpu, runq, steal };

	return s;
}

int main(void)
{
	uint64_t v = 7;
	struct hpcp_interfere_sample a = smp(1000000, 500, 3), b;
	struct hpcp_interfere f;
	const char *why = "unset";

	/* /proc/thread-self/schedstat: run time, run-queue delay, slices. */
	tap_ok(hpcp_interfere_parse_schedstat("111081 244426 1\n", &v) == 0 &&
	       v == 244426, "schedstat: the 2nd field is the run-queue delay");
	tap_ok(hpcp_interfere_parse_schedstat("18446744073709551 "
					      "9007199254740993 12\n",
					      &v) == 0 &&
	       v == 9007199254740993ull,
	       "schedstat: 64-bit values parsed exactly");
	v = 7;
	tap_ok(hpcp_interfere_parse_schedstat("111081\n", &v) == -EINVAL &&
	       v == 7, "schedstat: one field only is rejected, value kept");
	tap_ok(hpcp_interfere_parse_schedstat("", &v) == -EINVAL &&
	       hpcp_interfere_parse_schedstat("a b c", &v) == -EINVAL &&
	       hpcp_interfere_parse_schedstat("12 x3 4", &v) == -EINVAL,
	       "schedstat: empty or non-numeric text is rejected");

	/* /proc/stat: cpu user nice system idle iowait irq softirq steal. */
	tap_ok(hpcp_interfere_parse_steal("cpu  9202 0 7297 12934 431 0 292 "
					  "1789 0 0\ncpu0 4601 0 3648 6467 "
					  "215 0 146 894 0 0\n", &v) == 0 &&
	       v == 1789, "stat: steal is the 8th value of the cpu line");
	tap_ok(hpcp_interfere_parse_steal("cpu 1 2 3 4 5 6 7 8", &v) == 0 &&
	       v == 8, "stat: single spaces and no newline");
	v = 7;
	tap_ok(hpcp_interfere_parse_steal("cpu  1 2 3 4 5 6 7\n", &v) ==
			       -EINVAL && v == 7,
	       "stat: a kernel without the steal column is rejected");
	tap_ok(hpcp_interfere_parse_steal("cpu0 1 2 3 4 5 6 7 8\n", &v) ==
			       -EINVAL &&
	       hpcp_interfere_parse_steal("intr 1 2 3 4 5 6 7 8\n", &v) ==
			       -EINVAL,
	       "stat: only the aggregate cpu line is accepted");

	/* The rule: wall - CPU > max(20 us, 1 % of wall). */
	b = smp(1000000 + 1000000 - 20000, 500, 3);
	tap_is_int(hpcp_interfere_disturbed(1000000, &a, &b), 0,
		   "1 ms, 20 us not on CPU (the floor, not above): "
		   "undisturbed");
	b = smp(1000000 + 1000000 - 20001, 500, 3);
	tap_is_int(hpcp_interfere_disturbed(1000000, &a, &b),
		   HPCP_DISTURB_CPU, "1 ms, 20.001 us not on CPU: disturbed");
	b = smp(1000000 + 10000000 - 100000, 500, 3);
	tap_is_int(hpcp_interfere_disturbed(10000000, &a, &b), 0,
		   "10 ms, 100 us (1 %) not on CPU: undisturbed");
	b = smp(1000000 + 10000000 - 100001, 500, 3);
	tap_is_int(hpcp_interfere_disturbed(10000000, &a, &b),
		   HPCP_DISTURB_CPU, "10 ms, 100.001 us not on CPU: disturbed");
	b = smp(1000000 + 10000050, 500, 3);
	tap_is_int(hpcp_interfere_disturbed(10000000, &a, &b), 0,
		   "CPU span a hair longer than wall: undisturbed");
	b = smp(1000000 + 10000000, 501, 3);
	tap_is_int(hpcp_interfere_disturbed(10000000, &a, &b),
		   HPCP_DISTURB_RUNQ, "run-queue delay grew by 1 ns: disturbed");
	b = smp(1000000 + 10000000, 500, 4);
	tap_is_int(hpcp_interfere_disturbed(10000000, &a, &b),
		   HPCP_DISTURB_STEAL, "steal grew by one tick: disturbed");
	b = smp(1000000, 900, 5);
	tap_is_int(hpcp_interfere_disturbed(10000000, &a, &b),
		   HPCP_DISTURB_CPU | HPCP_DISTURB_RUNQ | HPCP_DISTURB_STEAL,
		   "all three at once: all three reasons");

	/* The live sources: this kernel has both (Linux >= 2.6.11 with
	 * schedstat); the counters only grow. */
	tap_is_int(hpcp_interfere_open(&f, &why), 0,
		   "schedstat and /proc/stat open here");
	tap_ok(why == NULL, "no reason when nothing is missing");
	hpcp_interfere_begin(&f, &a);
	hpcp_interfere_end(&f, &b);
	tap_ok(b.cpu_ns >= a.cpu_ns && b.runq_ns >= a.runq_ns &&
	       b.steal_ticks >= a.steal_ticks && a.cpu_ns > 0,
	       "live samples: CPU clock, run-queue delay and steal only grow");
	hpcp_interfere_close(&f);
	tap_ok(f.schedstat_fd == -1 && f.stat_fd == -1, "closed");
	return tap_done();
}
