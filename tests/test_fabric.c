/*
 * Unit test of the fabric module's bounded waits (src/fabric.c): the wait
 * limit follows the watchdog's timeout (9/10 of it), and a real endpoint
 * whose peer never speaks gives -ETIMEDOUT after that limit, not after a
 * fixed one.  The endpoint talks to itself: one process, no MPI.  The
 * bound on how late it gives up leaves out the time the thread waited for
 * a CPU (its run-queue delay): the wait polls, so on a busy host it sits on
 * a run queue past the limit, which says nothing of the limit.
 */
#include "config.h"
#include "hpcp/fabric.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/interfere.h"
#include "hpcp/opt.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"
#include "tap.h"

#define S 1000000000ull

static struct hpcp_hist hist;

static void test_rule(void)
{
	static struct hpcp_ctx ctx;

	tap_is_int((long long)hpcp_fabric_wait_limit_ns(3), 2700000000ll,
		   "--timeout 3: fabric waits end at 2.7 s");
	tap_is_int((long long)hpcp_fabric_wait_limit_ns(120),
		   (long long)(108 * S), "--timeout 120: at 108 s");
	tap_is_int((long long)hpcp_fabric_wait_limit_ns(0),
		   (long long)(HPCP_DEFAULT_TIMEOUT_S * S / 10 * 9),
		   "no timeout known: 9/10 of the default's");
	tap_is_int((long long)hpcp_fabric_wait_limit_ns(604800),
		   (long long)(604800 * S / 10 * 9),
		   "the largest --timeout does not overflow");
	/* What the fabric phase reads: the timeout the watchdog runs with. */
	tap_is_int(hpcp_watch_timeout_s(), 0, "no watchdog yet: timeout 0");
	ctx.size = 1;
	if (hpcp_watch_start(&ctx, 7, NULL, NULL) == 0) {
		tap_is_int(hpcp_watch_timeout_s(), 7,
			   "the watchdog started with 7 s says 7 s");
		hpcp_watch_stop();
	} else {
		tap_ok(1, "# SKIP the watchdog thread could not start");
	}
}

/* Open an endpoint that knows only itself, as peer 0. */
static struct hpcp_fabric *open_self(const char *prov, uint64_t limit_ns)
{
	struct hpcp_fabric *f = NULL;
	struct hpcp_fabric_info info;
	char addr[HPCP_FABRIC_ADDR_MAX] = { 0 }, why[256] = "";
	size_t alen = 0;

	if (hpcp_fabric_open(prov, 4096, limit_ns, &f, &info, why,
			     sizeof(why)) != 0) {
		printf("# %s: %s\n", prov, why);
		return NULL;
	}
	if (hpcp_fabric_address(f, addr, &alen) != 0 ||
	    hpcp_fabric_add_peers(f, addr, sizeof(addr), alen, 1, why,
				  sizeof(why)) != 0) {
		printf("# %s: no address of its own: %s\n", prov, why);
		hpcp_fabric_close(f);
		return NULL;
	}
	return f;
}

/* A call's wall time and, of it, the time its thread waited for a CPU. */
struct took {
	double wall_s, runq_s;
};

static struct hpcp_interfere itf;
static struct hpcp_interfere_sample itf_a;
static uint64_t took_t0;

static void took_begin(void)
{
	hpcp_interfere_begin(&itf, &itf_a);
	took_t0 = hpcp_now_ns();
}

static struct took took_end(void)
{
	struct hpcp_interfere_sample b;
	struct took t;

	t.wall_s = (double)(hpcp_now_ns() - took_t0) / 1e9;
	hpcp_interfere_end(&itf, &b);
	t.runq_s = (double)(b.runq_ns - itf_a.runq_ns) / 1e9;
	return t;
}

/* Gave up no sooner than the limit, and within 1 s of it on a CPU. */
static int gave_up_in_time(struct took t, uint64_t limit_ns)
{
	double limit = (double)limit_ns / 1e9;

	return t.wall_s >= limit && t.wall_s - t.runq_s < limit + 1.0;
}

/* A responder waiting for a ping that never comes. */
static void test_silent_peer(const char *prov, uint64_t limit_ns)
{
	struct hpcp_fabric *f = open_self(prov, limit_ns);
	double bw = -1;
	uint64_t loop_ns = 0;
	struct took t;
	int rc;

	if (!f) {
		tap_ok(0, "%s: an endpoint opens", prov);
		return;
	}
	took_begin();
	rc = hpcp_fabric_pingpong(f, 0, 0, 8, 0, 1, &hist, &loop_ns);
	t = took_end();
	tap_ok(rc == -ETIMEDOUT,
	       "%s: ping-pong with a silent peer: -ETIMEDOUT (%d)", prov, rc);
	tap_ok(gave_up_in_time(t, limit_ns),
	       "%s: it gave up after %.2f s (%.2f s of it waiting for a CPU), "
	       "the %.1f s limit (+ < 1 s on a CPU)", prov, t.wall_s,
	       t.runq_s, (double)limit_ns / 1e9);
	took_begin();
	rc = hpcp_fabric_bandwidth(f, 0, 0, 1024, 0, 1, &bw);
	t = took_end();
	tap_ok(rc == -ETIMEDOUT && gave_up_in_time(t, limit_ns),
	       "%s: a bandwidth window from a silent peer: -ETIMEDOUT (%d) "
	       "after %.2f s (%.2f s of it waiting for a CPU), the %.1f s "
	       "limit (+ < 1 s on a CPU)", prov, rc, t.wall_s, t.runq_s,
	       (double)limit_ns / 1e9);
	hpcp_fabric_close(f);
}

int main(void)
{
	char prov[64] = "", note[256], why[256];

	const char *itf_why = NULL;

	test_rule();
	/* Without schedstat the run-queue delay reads 0: the plain bound. */
	if (hpcp_interfere_open(&itf, &itf_why) != 0)
		printf("# %s\n", itf_why ? itf_why : "no interference sources");
	/* The provider the fabric phase would take here (shm allowed: the
	 * endpoint only talks to itself). */
	if (hpcp_fabric_choose("auto", 1, prov, sizeof(prov), note,
			       sizeof(note), why, sizeof(why)) != 0) {
		printf("# SKIP no RDM provider: %s\n", why);
		return tap_done();
	}
	/* Two limits: the wait follows the one it is given. */
	test_silent_peer(prov, hpcp_fabric_wait_limit_ns(1));
	test_silent_peer(prov, 300 * 1000000ull);
	hpcp_interfere_close(&itf);
	return tap_done();
}
