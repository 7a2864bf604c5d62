/*
 * The counter module in whichever build this is: with PAPI it must open
 * and count what this machine allows (on a VM without a vPMU only the
 * perf::TASK-CLOCK fallback), without PAPI it must say so.  The derived
 * figures are checked on fixed values in both builds.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hpcp/counters.h"
#include "tap.h"

#ifdef HAVE_PAPI
/* Test seam in src/counters_papi.c, not part of the public header. */
int hpcp_counters_open_events(struct hpcp_counters **out,
			      struct hpcp_counters_status *status,
			      const char *const hw_names[3][2]);
#endif

static int near(double got, double want)
{
	return fabs(got - want) <= 1e-9 * fabs(want);
}

static void test_derive(void)
{
	struct hpcp_counter_values v;
	double ipc, flops;

	memset(&v, 0, sizeof(v));
	v.instructions = 2000000000LL;
	v.cycles = 1000000000LL;
	v.fp_ops = 5000000000LL;
	v.have_instructions = v.have_cycles = v.have_fp_ops = 1;
	hpcp_counters_derive(&v, 2.5, &ipc, &flops);
	tap_ok(near(ipc, 2.0), "derive: 2e9 instructions / 1e9 cycles is ipc 2.0 (got %g)",
	       ipc);
	tap_ok(near(flops, 2e9), "derive: 5e9 fp ops over 2.5 s is 2e9 flops/s (got %g)",
	       flops);

	hpcp_counters_derive(&v, 0.0, &ipc, &flops);
	tap_ok(flops == -1.0, "derive: zero seconds gives flops/s -1");
	hpcp_counters_derive(&v, NAN, &ipc, &flops);
	tap_ok(flops == -1.0, "derive: NaN seconds gives flops/s -1");

	v.have_cycles = 0;
	hpcp_counters_derive(&v, 2.5, &ipc, &flops);
	tap_ok(ipc == -1.0, "derive: missing cycles gives ipc -1");
	tap_ok(near(flops, 2e9), "derive: flops/s does not need cycles");

	v.have_cycles = 1;
	v.cycles = 0;
	hpcp_counters_derive(&v, 2.5, &ipc, &flops);
	tap_ok(ipc == -1.0, "derive: zero cycles gives ipc -1");

	v.have_fp_ops = 0;
	hpcp_counters_derive(&v, 2.5, &ipc, &flops);
	tap_ok(flops == -1.0, "derive: fp ops not counted gives flops/s -1");

	hpcp_counters_derive(NULL, 1.0, &ipc, &flops);
	tap_ok(ipc == -1.0 && flops == -1.0, "derive: no values gives -1 for both");
}

#ifdef HAVE_PAPI

static volatile double sink;

/* Enough work for the task clock (ns resolution) to see tens of ms. */
static void busy(void)
{
	double x = 1.0;
	long i;

	for (i = 0; i < 20000000L; i++)
		x = x * 1.0000001 + 1e-9;
	sink = x;
}

static void diag_status(const char *what, const struct hpcp_counters_status *st)
{
	printf("# %s: backend=\"%s\" hw_available=%d hw_events=\"%s\" hw_reason=\"%s\" sw_available=%d sw_reason=\"%s\"\n",
	       what, st->backend, st->hw_available, st->hw_events,
	       st->hw_reason, st->sw_available, st->sw_reason);
}

static void check_status(const char *what, const struct hpcp_counters_status *st)
{
	tap_ok(strncmp(st->backend, "PAPI ", 5) == 0,
	       "%s: backend starts with \"PAPI \"", what);
	tap_ok(!!st->hw_available == !!st->hw_events[0],
	       "%s: hw_available iff hw_events is non-empty", what);
	tap_ok(st->hw_available || st->hw_reason[0],
	       "%s: no hardware events implies a hw_reason", what);
	tap_ok(st->sw_available || st->sw_reason[0],
	       "%s: no task clock implies a sw_reason", what);
}

/* One start/stop around the busy loop, added to *v. */
static int measure(struct hpcp_counters *c, struct hpcp_counter_values *v)
{
	int rc = hpcp_counters_start(c);

	if (rc)
		return rc;
	busy();
	return hpcp_counters_stop(c, v);
}

static void test_papi(void)
{
	struct hpcp_counters_status st, st2;
	struct hpcp_counter_values v, zero;
	struct hpcp_counters *c = NULL, *c2 = NULL;
	long long first;
	double ipc, flops;
	int rc;

	rc = hpcp_counters_open(&c, &st);
	diag_status("this machine", &st);
	tap_is_int(rc, 0, "open returns 0 when PAPI initialises");
	tap_ok(c != NULL, "open gives a handle");
	if (rc || !c)
		return;
	check_status("open", &st);

	memset(&v, 0, sizeof(v));
	rc = measure(c, &v);
	tap_is_int(rc, 0, "start/stop around a busy loop returns 0");
	printf("# counted: instructions=%lld(%d) cycles=%lld(%d) fp_ops=%lld(%d) task_clock_ns=%lld(%d)\n",
	       v.instructions, v.have_instructions, v.cycles, v.have_cycles,
	       v.fp_ops, v.have_fp_ops, v.task_clock_ns, v.have_task_clock);

	if (st.sw_available) {
		tap_ok(v.have_task_clock && v.task_clock_ns > 0,
		       "task clock counted and > 0 (%lld ns)", v.task_clock_ns);
		first = v.task_clock_ns;
		rc = measure(c, &v);
		tap_ok(rc == 0 && v.task_clock_ns > first,
		       "second start/stop adds to the task clock (%lld -> %lld ns)",
		       first, v.task_clock_ns);
	} else {
		tap_ok(!v.have_task_clock,
		       "task clock not available: have_task_clock is 0");
		tap_ok(1, "task clock accumulation # SKIP %s", st.sw_reason);
	}

	if (st.hw_available) {
		tap_ok(v.have_instructions || v.have_cycles || v.have_fp_ops,
		       "hardware events in use set some have_*");
		if (strstr(st.hw_events, "PAPI_TOT_INS"))
			tap_ok(v.have_instructions && v.instructions > 0,
			       "instructions counted and > 0 (%lld)",
			       v.instructions);
		else
			tap_ok(!v.have_instructions,
			       "instructions not in use: have_instructions is 0");
		hpcp_counters_derive(&v, 0.05, &ipc, &flops);
		if (v.have_instructions && v.have_cycles)
			tap_ok(ipc > 0, "derive gives a positive ipc (%g)", ipc);
		else
			tap_ok(ipc == -1.0, "derive gives ipc -1 without both events");
	} else {
		tap_ok(!v.have_instructions && !v.have_cycles && !v.have_fp_ops,
		       "no hardware events: have_instructions/cycles/fp_ops are 0");
		hpcp_counters_derive(&v, 0.05, &ipc, &flops);
		tap_ok(ipc == -1.0 && flops == -1.0,
		       "derive gives -1 when no hardware event counted");
	}

	/* Stop without start must fail, not add garbage. */
	if (st.hw_available || st.sw_available) {
		memset(&zero, 0, sizeof(zero));
		rc = hpcp_counters_stop(c, &zero);
		tap_is_int(rc, -EIO, "stop without start returns -EIO");
		tap_ok(!zero.have_task_clock && !zero.have_instructions,
		       "failed stop sets no have_*");
	}

	hpcp_counters_close(c);
	hpcp_counters_close(NULL);
	tap_ok(1, "close, and close(NULL), return");

	rc = hpcp_counters_open(&c2, &st2);
	tap_is_int(rc, 0, "open after close returns 0 (library stays initialised)");
	if (rc || !c2)
		return;
	tap_is_str(st2.backend, st.backend, "reopen reports the same backend");
	tap_ok(st2.hw_available == st.hw_available &&
	       st2.sw_available == st.sw_available,
	       "reopen finds the same events usable");
	memset(&v, 0, sizeof(v));
	rc = measure(c2, &v);
	tap_is_int(rc, 0, "start/stop after reopen returns 0");
	if (st2.sw_available)
		tap_ok(v.task_clock_ns > 0, "task clock counts after reopen");
	hpcp_counters_close(c2);

	rc = hpcp_counters_open(NULL, &st2);
	tap_is_int(rc, -EINVAL, "open without an out pointer returns -EINVAL");
}

/*
 * Drive the hardware path with software stand-ins: an unknown name must
 * be named in hw_reason, the second alternative must be used when the
 * first fails, and perf::TASK-CLOCK (same perf_event component, one
 * running set per component) must still count alongside.
 */
static void test_hw_path(int sw_works)
{
	static const char *const names[3][2] = {
		{ "perf::CPU-CLOCK", NULL },
		{ "HPCP_NO_SUCH_EVENT", NULL },
		{ "HPCP_NO_SUCH_FP", "perf::PAGE-FAULTS" },
	};
	struct hpcp_counters_status st;
	struct hpcp_counter_values v;
	struct hpcp_counters *c = NULL;
	int rc;

	if (!sw_works) {
		tap_ok(1, "hardware path with stand-ins # SKIP software events do not count here");
		return;
	}
	rc = hpcp_counters_open_events(&c, &st, names);
	diag_status("stand-ins", &st);
	tap_is_int(rc, 0, "stand-ins: open returns 0");
	if (rc || !c)
		return;
	check_status("stand-ins", &st);
	tap_ok(st.hw_available, "stand-ins: hardware path available");
	tap_is_str(st.hw_events, "perf::CPU-CLOCK,perf::PAGE-FAULTS",
		   "stand-ins: hw_events lists kept events, fallback alternative used");
	tap_ok(strncmp(st.hw_reason, "HPCP_NO_SUCH_EVENT: ", 20) == 0 &&
	       strstr(st.hw_reason, "(PAPI_E") != NULL,
	       "stand-ins: hw_reason names the first failing event and PAPI error");
	tap_ok(st.sw_available, "stand-ins: task clock still available beside hardware set");

	memset(&v, 0, sizeof(v));
	rc = measure(c, &v);
	printf("# stand-ins counted: instructions=%lld(%d) cycles=%lld(%d) fp_ops=%lld(%d) task_clock_ns=%lld(%d)\n",
	       v.instructions, v.have_instructions, v.cycles, v.have_cycles,
	       v.fp_ops, v.have_fp_ops, v.task_clock_ns, v.have_task_clock);
	tap_is_int(rc, 0, "stand-ins: start/stop returns 0");
	tap_ok(v.have_instructions && v.instructions > 0,
	       "stand-ins: first slot counted");
	tap_ok(!v.have_cycles, "stand-ins: failed slot has have_cycles 0");
	tap_ok(v.have_fp_ops, "stand-ins: fallback slot counted");
	tap_ok(v.have_task_clock && v.task_clock_ns > 0,
	       "stand-ins: task clock counted alongside");
	hpcp_counters_close(c);
}

#else

static void test_none(void)
{
	struct hpcp_counters_status st;
	struct hpcp_counter_values v;
	struct hpcp_counters *c = (struct hpcp_counters *)&st;
	int rc;

	rc = hpcp_counters_open(&c, &st);
	printf("# this build: backend=\"%s\" hw_reason=\"%s\"\n", st.backend,
	       st.hw_reason);
	tap_is_int(rc, -ENOTSUP, "open returns -ENOTSUP without PAPI");
	tap_ok(c == NULL, "open sets *out to NULL");
	tap_is_str(st.backend, "none", "backend is \"none\"");
	tap_ok(strstr(st.hw_reason, "built without PAPI") != NULL,
	       "hw_reason says built without PAPI");
	tap_ok(strstr(st.sw_reason, "built without PAPI") != NULL,
	       "sw_reason says built without PAPI");
	tap_ok(!st.hw_available && !st.sw_available && !st.hw_events[0],
	       "nothing available, no events listed");
	memset(&v, 0, sizeof(v));
	tap_is_int(hpcp_counters_start(NULL), -ENOTSUP,
		   "start returns -ENOTSUP");
	tap_is_int(hpcp_counters_stop(NULL, &v), -ENOTSUP,
		   "stop returns -ENOTSUP");
	tap_ok(!v.have_instructions && !v.have_task_clock,
	       "stop leaves values untouched");
	hpcp_counters_close(NULL);
	tap_ok(1, "close(NULL) returns");
}

#endif

int main(void)
{
#ifdef HAVE_PAPI
	struct hpcp_counters_status st;
	struct hpcp_counters *c = NULL;
	int sw_works;

	test_papi();
	/* The stand-ins are software events: usable where the task clock is. */
	sw_works = hpcp_counters_open(&c, &st) == 0 && st.sw_available;
	hpcp_counters_close(c);
	test_hw_path(sw_works);
#else
	test_none();
#endif
	test_derive();
	return tap_done();
}
