#include "config.h"

#include "hpcp/counters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <papi.h>

/*
 * PAPI backend.  Everything that can fail is tried once in open, so that
 * start/stop around timed regions are just PAPI_start/PAPI_stop on sets
 * known to work.  Facts this relies on (PAPI 7.0, checked on this VM):
 *  - papi_avail/PAPI_query_event may say a preset exists while adding it
 *    fails (PAPI_ENOEVNT without a vPMU), so only add+start is trusted;
 *  - perf::TASK-CLOCK lives in the same component (perf_event) as the
 *    hardware presets, and PAPI runs at most one event set per component
 *    per thread (the second PAPI_start gives PAPI_EISRUN), so when both
 *    sets work alone they are checked together and merged if needed;
 *  - PAPI_library_init after PAPI_shutdown leaves PAPI_is_initialized()
 *    at 0, so the library is initialised once and never shut down here.
 */

enum ctr_kind { K_INS, K_CYC, K_FP, K_TASK };

#define SET_MAX 8
#define TASK_CLOCK "perf::TASK-CLOCK"

struct evset {
	int set;			/* PAPI_NULL when unused */
	int n;
	unsigned char kind[SET_MAX];	/* what value i of PAPI_stop is */
};

struct hpcp_counters {
	struct evset hw, sw;
};

/* One counter slot: alternatives in order of preference. */
struct ctr_try {
	int kind;
	const char *alt[2];
};

static const struct ctr_try hw_try[] = {
	{ K_INS, { "PAPI_TOT_INS", NULL } },
	{ K_CYC, { "PAPI_TOT_CYC", NULL } },
	/* DP_OPS counts what a double-precision kernel does; FP_OPS is wider */
	{ K_FP, { "PAPI_DP_OPS", "PAPI_FP_OPS" } },
};

static const struct ctr_try sw_try[] = {
	{ K_TASK, { TASK_CLOCK, NULL } },
};

/* PAPI_library_init may be called once per process: remember the outcome. */
static int papi_state;		/* 0 not tried, 1 usable, -1 failed */
static char papi_init_err[200];

static const char *err_sym(int rc)
{
	switch (rc) {
	case PAPI_EINVAL: return "PAPI_EINVAL";
	case PAPI_ENOMEM: return "PAPI_ENOMEM";
	case PAPI_ESYS: return "PAPI_ESYS";
	case PAPI_ECMP: return "PAPI_ECMP";
	case PAPI_ECLOST: return "PAPI_ECLOST";
	case PAPI_EBUG: return "PAPI_EBUG";
	case PAPI_ENOEVNT: return "PAPI_ENOEVNT";
	case PAPI_ECNFLCT: return "PAPI_ECNFLCT";
	case PAPI_ENOTRUN: return "PAPI_ENOTRUN";
	case PAPI_EISRUN: return "PAPI_EISRUN";
	case PAPI_ENOEVST: return "PAPI_ENOEVST";
	case PAPI_ENOTPRESET: return "PAPI_ENOTPRESET";
	case PAPI_ENOCNTR: return "PAPI_ENOCNTR";
	case PAPI_EMISC: return "PAPI_EMISC";
	case PAPI_EPERM: return "PAPI_EPERM";
	case PAPI_ENOINIT: return "PAPI_ENOINIT";
	case PAPI_ENOCMP: return "PAPI_ENOCMP";
	case PAPI_ENOSUPP: return "PAPI_ENOSUPP";
	case PAPI_ENOIMPL: return "PAPI_ENOIMPL";
	case PAPI_EBUF: return "PAPI_EBUF";
	case PAPI_EINVAL_DOM: return "PAPI_EINVAL_DOM";
	case PAPI_EATTR: return "PAPI_EATTR";
	case PAPI_ECOUNT: return "PAPI_ECOUNT";
	case PAPI_ECOMBO: return "PAPI_ECOMBO";
	case PAPI_ECMP_DISABLED: return "PAPI_ECMP_DISABLED";
	case PAPI_EDELAY_INIT: return "PAPI_EDELAY_INIT";
	case PAPI_EMULPASS: return "PAPI_EMULPASS";
	default: return NULL;
	}
}

/* "what: PAPI's text (PAPI_ESYMBOL)" */
static void fmt_err(char *buf, size_t len, const char *what, int rc)
{
	const char *txt = PAPI_strerror(rc);
	const char *sym = err_sym(rc);

	if (!txt)
		txt = "unknown error";
	if (sym)
		snprintf(buf, len, "%s: %s (%s)", what, txt, sym);
	else
		snprintf(buf, len, "%s: %s (PAPI error %d)", what, txt, rc);
}

/* Reasons name the first failure only; later ones are usually the same. */
static void note_fail(char *reason, size_t len, const char *what, int rc)
{
	if (!reason[0])
		fmt_err(reason, len, what, rc);
}

static void append_name(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s%s", used ? "," : "", name);
}

/* Adding is not enough: a set that adds may still fail to start. */
static int trial(int set)
{
	long long scratch[SET_MAX];
	int rc = PAPI_start(set);

	if (rc != PAPI_OK)
		return rc;
	return PAPI_stop(set, scratch);
}

static void drop_set(struct evset *es)
{
	long long scratch[SET_MAX];

	if (es->set != PAPI_NULL) {
		/* Stop first: a running set cannot be cleaned up. */
		PAPI_stop(es->set, scratch);
		PAPI_cleanup_eventset(es->set);
		PAPI_destroy_eventset(&es->set);
	}
	es->set = PAPI_NULL;
	es->n = 0;
}

/*
 * Add one event to a working set and keep it only if the set still
 * starts.  Returns PAPI_OK, or the PAPI error; -EIO means the set could
 * not be restored and was dropped.
 */
static int try_event(struct evset *es, int kind, const char *name,
		     char *reason, size_t rlen)
{
	char what[96];
	int rc;

	if (es->n >= SET_MAX)
		return PAPI_ECOUNT;
	rc = PAPI_add_named_event(es->set, name);
	if (rc != PAPI_OK) {
		note_fail(reason, rlen, name, rc);
		return rc;
	}
	rc = trial(es->set);
	if (rc == PAPI_OK) {
		es->kind[es->n++] = (unsigned char)kind;
		return PAPI_OK;
	}
	snprintf(what, sizeof(what), "%s: PAPI_start", name);
	note_fail(reason, rlen, what, rc);
	if (PAPI_remove_named_event(es->set, name) != PAPI_OK) {
		drop_set(es);
		return -EIO;
	}
	return rc;
}

static void build_set(struct evset *es, const struct ctr_try *t, int nt,
		      char *names, size_t nlen, char *reason, size_t rlen)
{
	int i, j, rc;

	es->set = PAPI_NULL;
	es->n = 0;
	rc = PAPI_create_eventset(&es->set);
	if (rc != PAPI_OK) {
		es->set = PAPI_NULL;
		note_fail(reason, rlen, "PAPI_create_eventset", rc);
		return;
	}
	for (i = 0; i < nt; i++) {
		for (j = 0; j < 2 && t[i].alt[j]; j++) {
			rc = try_event(es, t[i].kind, t[i].alt[j],
				       reason, rlen);
			if (rc == PAPI_OK) {
				if (names)
					append_name(names, nlen, t[i].alt[j]);
				break;
			}
			if (rc == -EIO) {
				if (names)
					names[0] = '\0';
				return;
			}
		}
	}
	if (!es->n)
		drop_set(es);
}

/*
 * Both sets work alone; check they run together.  If the software set is
 * refused (same component), count the task clock in the hardware set.
 */
static void check_together(struct hpcp_counters *c,
			   struct hpcp_counters_status *st)
{
	long long scratch[SET_MAX];
	int rc;

	rc = PAPI_start(c->hw.set);
	if (rc != PAPI_OK) {
		/* It started a moment ago; give up on it rather than guess. */
		note_fail(st->hw_reason, sizeof(st->hw_reason), "PAPI_start",
			  rc);
		drop_set(&c->hw);
		st->hw_events[0] = '\0';
		return;
	}
	rc = PAPI_start(c->sw.set);
	PAPI_stop(c->hw.set, scratch);
	if (rc == PAPI_OK) {
		PAPI_stop(c->sw.set, scratch);
		return;
	}
	drop_set(&c->sw);
	/* Kept only if the merge below fails too. */
	fmt_err(st->sw_reason, sizeof(st->sw_reason),
		TASK_CLOCK ": cannot run beside the hardware set", rc);
	rc = try_event(&c->hw, K_TASK, TASK_CLOCK, st->sw_reason,
		       sizeof(st->sw_reason));
	if (rc == PAPI_OK) {
		st->sw_reason[0] = '\0';
	} else if (rc == -EIO) {
		/* Removing the task clock failed: the hardware set is gone. */
		st->hw_events[0] = '\0';
		if (!st->hw_reason[0])
			snprintf(st->hw_reason, sizeof(st->hw_reason),
				 "set dropped: %s could not be removed again",
				 TASK_CLOCK);
	}
}

static int papi_init(void)
{
	int rc;

	if (papi_state)
		return papi_state > 0 ? 0 : -EIO;
	/* Someone else in this process (a library, a tool) may have done it. */
	if (PAPI_is_initialized() != PAPI_NOT_INITED) {
		papi_state = 1;
		return 0;
	}
	rc = PAPI_library_init(PAPI_VER_CURRENT);
	if (rc == PAPI_VER_CURRENT) {
		papi_state = 1;
		return 0;
	}
	if (rc > 0)
		snprintf(papi_init_err, sizeof(papi_init_err),
			 "PAPI_library_init: library version %d.%d.%d.%d does not match header %d.%d.%d.%d",
			 PAPI_VERSION_MAJOR(rc), PAPI_VERSION_MINOR(rc),
			 PAPI_VERSION_REVISION(rc), PAPI_VERSION_INCREMENT(rc),
			 PAPI_VERSION_MAJOR(PAPI_VERSION),
			 PAPI_VERSION_MINOR(PAPI_VERSION),
			 PAPI_VERSION_REVISION(PAPI_VERSION),
			 PAPI_VERSION_INCREMENT(PAPI_VERSION));
	else
		fmt_err(papi_init_err, sizeof(papi_init_err),
			"PAPI_library_init", rc);
	papi_state = -1;
	return -EIO;
}

static int has_kind(const struct evset *es, int kind)
{
	int i;

	for (i = 0; i < es->n; i++)
		if (es->kind[i] == kind)
			return 1;
	return 0;
}

static int open_with(struct hpcp_counters **out,
		     struct hpcp_counters_status *status,
		     const struct ctr_try *hw, int nhw)
{
	struct hpcp_counters_status local;
	struct hpcp_counters *c;
	int v;

	if (!status)
		status = &local;
	memset(status, 0, sizeof(*status));
	if (!out)
		return -EINVAL;
	*out = NULL;

	if (papi_init()) {
		v = PAPI_VERSION;
		snprintf(status->hw_reason, sizeof(status->hw_reason), "%s",
			 papi_init_err);
		snprintf(status->sw_reason, sizeof(status->sw_reason), "%s",
			 papi_init_err);
	} else {
		v = PAPI_get_opt(PAPI_LIB_VERSION, NULL);
		if (v < 0)
			v = PAPI_VERSION;
	}
	snprintf(status->backend, sizeof(status->backend), "PAPI %d.%d.%d.%d",
		 PAPI_VERSION_MAJOR(v), PAPI_VERSION_MINOR(v),
		 PAPI_VERSION_REVISION(v), PAPI_VERSION_INCREMENT(v));
	if (papi_state < 0)
		return -EIO;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(status->hw_reason, sizeof(status->hw_reason),
			 "out of memory");
		snprintf(status->sw_reason, sizeof(status->sw_reason),
			 "out of memory");
		return -ENOMEM;
	}
	build_set(&c->hw, hw, nhw, status->hw_events,
		  sizeof(status->hw_events), status->hw_reason,
		  sizeof(status->hw_reason));
	build_set(&c->sw, sw_try, (int)(sizeof(sw_try) / sizeof(sw_try[0])),
		  NULL, 0, status->sw_reason, sizeof(status->sw_reason));
	if (c->hw.n && c->sw.n)
		check_together(c, status);

	status->hw_available = c->hw.n > 0 && status->hw_events[0];
	status->sw_available = has_kind(&c->hw, K_TASK) ||
			       has_kind(&c->sw, K_TASK);
	if (!status->hw_available && !status->hw_reason[0])
		snprintf(status->hw_reason, sizeof(status->hw_reason),
			 "no hardware event could be counted");
	if (!status->sw_available && !status->sw_reason[0])
		snprintf(status->sw_reason, sizeof(status->sw_reason),
			 "%s could not be counted", TASK_CLOCK);
	*out = c;
	return 0;
}

int hpcp_counters_open(struct hpcp_counters **out,
		       struct hpcp_counters_status *status)
{
	return open_with(out, status, hw_try,
			 (int)(sizeof(hw_try) / sizeof(hw_try[0])));
}

/*
 * Test seam, deliberately not in the header: open with other "hardware"
 * event names (software stand-ins) so the hardware path, the fallback
 * between alternatives and the set merge can be exercised on a machine
 * without a PMU.  hw_names[k] are the alternatives for instructions,
 * cycles and floating-point operations.
 */
int hpcp_counters_open_events(struct hpcp_counters **out,
			      struct hpcp_counters_status *status,
			      const char *const hw_names[3][2]);

int hpcp_counters_open_events(struct hpcp_counters **out,
			      struct hpcp_counters_status *status,
			      const char *const hw_names[3][2])
{
	struct ctr_try t[3];
	int i;

	for (i = 0; i < 3; i++) {
		t[i].kind = hw_try[i].kind;
		t[i].alt[0] = hw_names[i][0];
		t[i].alt[1] = hw_names[i][1];
	}
	return open_with(out, status, t, 3);
}

int hpcp_counters_start(struct hpcp_counters *c)
{
	long long scratch[SET_MAX];

	if (!c)
		return -EINVAL;
	if (c->hw.set != PAPI_NULL && PAPI_start(c->hw.set) != PAPI_OK)
		return -EIO;
	if (c->sw.set != PAPI_NULL && PAPI_start(c->sw.set) != PAPI_OK) {
		/* Leave nothing running so a later start can succeed. */
		if (c->hw.set != PAPI_NULL)
			PAPI_stop(c->hw.set, scratch);
		return -EIO;
	}
	return 0;
}

static int stop_add(const struct evset *es, struct hpcp_counter_values *acc)
{
	long long v[SET_MAX];
	int i;

	if (es->set == PAPI_NULL)
		return 0;
	if (PAPI_stop(es->set, v) != PAPI_OK)
		return -EIO;
	if (!acc)
		return 0;
	for (i = 0; i < es->n; i++) {
		switch (es->kind[i]) {
		case K_INS:
			acc->instructions += v[i];
			acc->have_instructions = 1;
			break;
		case K_CYC:
			acc->cycles += v[i];
			acc->have_cycles = 1;
			break;
		case K_FP:
			acc->fp_ops += v[i];
			acc->have_fp_ops = 1;
			break;
		case K_TASK:
			acc->task_clock_ns += v[i];
			acc->have_task_clock = 1;
			break;
		}
	}
	return 0;
}

int hpcp_counters_stop(struct hpcp_counters *c,
		       struct hpcp_counter_values *acc)
{
	int rc_hw, rc_sw;

	if (!c)
		return -EINVAL;
	/* Stop both even if one fails, so neither is left running. */
	rc_hw = stop_add(&c->hw, acc);
	rc_sw = stop_add(&c->sw, acc);
	return rc_hw ? rc_hw : rc_sw;
}

void hpcp_counters_close(struct hpcp_counters *c)
{
	if (!c)
		return;
	drop_set(&c->hw);
	drop_set(&c->sw);
	/* No PAPI_shutdown: a later open must find the library usable. */
	free(c);
}
