/*
 * The infer phase's server and load generator (hpcp/serve.h).
 *
 * The queue is the request array itself: requests are sent in index
 * order, so the waiting ones are always [next, published) and a batch is
 * a run of consecutive indices.  The generator publishes a request by
 * advancing `published` (release) after writing its send time; the server
 * reads it (acquire), runs the batch, writes start and completion times
 * and advances `completed`.  Idle threads yield rather than sleep: a
 * sleeping server would add the kernel's wake-up delay (tens of us here)
 * to every queue wait, and yielding lets a thread sharing the core run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hpcp/rand.h"
#include "hpcp/serve.h"
#include "hpcp/timer.h"

struct req {
	uint64_t sched, sent, start, done;
};

struct run {
	const struct hpcp_serve_cfg *cfg;
	struct req *r;
	uint64_t n;
	uint64_t *batch_svc;          /* per batch: service time */
	uint64_t *batch_pick;         /* per batch: pickup delay */
	uint64_t *batch_count;        /* into the point */
	_Atomic uint64_t published, completed;
	_Atomic int abort;
	_Atomic int gen_done, srv_done;
	uint64_t batches;
	int model_rc;
	int gen_cpu, srv_cpu, pinned_gen, pinned_srv;
};

static double uniform01(uint64_t *s)
{
	/* 53 random bits, never 0: the logarithms below stay finite. */
	return ((double)(hpcp_splitmix64(s) >> 11) + 0.5) * 0x1.0p-53;
}

static double normal01(uint64_t *s)
{
	double u = uniform01(s), v = uniform01(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Gamma of shape k, scale 1 (Marsaglia and Tsang 2000). */
static double gamma_k(uint64_t *s, double k)
{
	double d, c;

	if (k < 1) /* boost: G(k) = G(k + 1) U^(1/k) */
		return gamma_k(s, k + 1) * pow(uniform01(s), 1 / k);
	d = k - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		double x = normal01(s), v = 1 + c * x, u;

		if (v <= 0)
			continue;
		v = v * v * v;
		u = uniform01(s);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

int hpcp_serve_schedule(uint64_t *off, uint64_t n, double rate_per_s,
			double cv, uint64_t seed)
{
	uint64_t s = seed ^ 0x6a09e667f3bcc909ull;
	double mean, t = 0, k;

	if (!off || !(rate_per_s > 0) || !(cv > 0) || cv > 100)
		return -EINVAL;
	mean = 1e9 / rate_per_s;
	k = 1 / (cv * cv);
	for (uint64_t i = 0; i < n; i++) {
		double g = cv == 1 ? -log(uniform01(&s)) : gamma_k(&s, k) / k;

		t += g * mean;
		off[i] = (uint64_t)llround(t);
	}
	return 0;
}

void hpcp_serve_gap_stats(const uint64_t *t, uint64_t n, double *mean,
			  double *cv)
{
	double m = 0, m2 = 0;

	*mean = 0;
	*cv = 0;
	if (n < 3)
		return;
	/* Welford: the gaps' mean and variance in one pass. */
	for (uint64_t i = 1; i < n; i++) {
		double g = (double)(t[i] - t[i - 1]), d = g - m;

		m += d / (double)i;
		m2 += d * (g - m);
	}
	*mean = m;
	*cv = m > 0 ? sqrt(m2 / (double)(n - 2)) / m : 0;
}

uint64_t hpcp_serve_samples_needed(double q, double c)
{
	double x;

	if (!(q > 0 && q < 1 && c > 0 && c < 1))
		return 0;
	x = log1p(-c) / log(q);
	/* ceil, without a rounding error pushing an exact integer up */
	return (uint64_t)ceil(x - 1e-9);
}

enum hpcp_serve_verdict hpcp_serve_judge(uint64_t n, uint64_t exceed,
					 double q, double c)
{
	double p = 1 - q, lp = log(p), lq = log(q), cdf = 0;

	if (n < hpcp_serve_samples_needed(q, c))
		return HPCP_SERVE_TOO_FEW;
	if ((double)exceed >= (double)n * p)
		return HPCP_SERVE_MISSES;
	/* P(X <= exceed), X ~ Binomial(n, p), summed in logs. */
	for (uint64_t k = 0; k <= exceed; k++)
		cdf += exp(lgamma((double)n + 1) - lgamma((double)k + 1) -
			   lgamma((double)(n - k) + 1) + (double)k * lp +
			   (double)(n - k) * lq);
	return cdf <= 1 - c ? HPCP_SERVE_MEETS : HPCP_SERVE_MISSES;
}

const char *hpcp_serve_verdict_name(enum hpcp_serve_verdict v)
{
	switch (v) {
	case HPCP_SERVE_MEETS:
		return "meets";
	case HPCP_SERVE_MISSES:
		return "misses";
	case HPCP_SERVE_TOO_FEW:
		return "too few samples";
	}
	return "?";
}

double hpcp_serve_md1_wait_ns(double rho, double d_ns)
{
	return rho < 1 ? rho * d_ns / (2 * (1 - rho)) : INFINITY;
}

double hpcp_serve_pk_wait_ns(double lambda_per_ns, double s_mean_ns,
			     double s_m2_ns2)
{
	double rho = lambda_per_ns * s_mean_ns;

	return rho < 1 ? lambda_per_ns * s_m2_ns2 / (2 * (1 - rho)) : INFINITY;
}

uint64_t hpcp_serve_rss_bytes(void)
{
	char buf[128];
	unsigned long long size, res;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t got;
	long page = sysconf(_SC_PAGESIZE);

	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0 || page <= 0)
		return 0;
	buf[got] = 0;
	if (sscanf(buf, "%llu %llu", &size, &res) != 2)
		return 0;
	return (uint64_t)res * (uint64_t)page;
}

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

/* Until the clock reaches t: sleep while far, then yield (the kernel's
 * wake-up is late by tens of us; the last stretch is polled). */
static void wait_until(const struct run *run, uint64_t t)
{
	for (;;) {
		uint64_t now = hpcp_now_ns();

		if (now >= t || atomic_load_explicit(&run->abort,
						     memory_order_relaxed))
			return;
		if (t - now > 300000) {
			uint64_t w = t - 200000;
			struct timespec ts = { .tv_sec = (time_t)(w / 1000000000u),
					       .tv_nsec = (long)(w % 1000000000u) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		} else {
			sched_yield();
		}
	}
}

static void *generator(void *arg)
{
	struct run *run = arg;
	const struct hpcp_serve_cfg *cfg = run->cfg;

	run->pinned_gen = pin(cfg->gen_cpu);
	for (uint64_t i = 0; i < run->n; i++) {
		wait_until(run, run->r[i].sched);
		if (cfg->coordinated)
			while (atomic_load_explicit(&run->completed,
						    memory_order_acquire) < i &&
			       !atomic_load_explicit(&run->abort,
						     memory_order_relaxed))
				sched_yield();
		if (atomic_load_explicit(&run->abort, memory_order_relaxed))
			break;
		run->r[i].sent = hpcp_now_ns();
		atomic_store_explicit(&run->published, i + 1,
				      memory_order_release);
	}
	run->gen_cpu = sched_getcpu();
	atomic_store_explicit(&run->gen_done, 1, memory_order_release);
	return NULL;
}

static void *server(void *arg)
{
	struct run *run = arg;
	const struct hpcp_serve_cfg *cfg = run->cfg;
	uint64_t next = 0, prev_done = 0, max = (uint64_t)cfg->max_batch;
	int stalled = cfg->stall_ns == 0;

	run->pinned_srv = pin(cfg->srv_cpu);
	/* Offline, every request is sent at the first's arrival. */
	wait_until(run, run->r[0].sched);
	while (next < run->n) {
		uint64_t avail = atomic_load_explicit(&run->published,
						      memory_order_acquire);
		uint64_t k = avail - next, start, done, ready;
		int rc;

		if (atomic_load_explicit(&run->abort, memory_order_relaxed))
			break;
		if (k == 0) {
			sched_yield();
			continue;
		}
		/* A partial batch waits for more unless its oldest request
		 * has waited long enough or no more will come. */
		if (k < max && avail < run->n && cfg->max_delay_ns &&
		    hpcp_now_ns() - run->r[next].sent < cfg->max_delay_ns) {
			sched_yield();
			continue;
		}
		if (k > max)
			k = max;
		if (!stalled && cfg->stall_at < next + k) {
			struct timespec ts = {
				.tv_sec = (time_t)(cfg->stall_ns / 1000000000u),
				.tv_nsec = (long)(cfg->stall_ns % 1000000000u) };

			stalled = 1;
			nanosleep(&ts, NULL);
		}
		start = hpcp_now_ns();
		rc = cfg->model(cfg->model_arg, next, (int)k);
		done = hpcp_now_ns();
		if (rc) {
			run->model_rc = rc;
			atomic_store_explicit(&run->abort, 1,
					      memory_order_relaxed);
			break;
		}
		for (uint64_t j = next; j < next + k; j++) {
			run->r[j].start = start;
			run->r[j].done = done;
		}
		/* When it could have started: the previous batch over and
		 * the batch complete (full, or its oldest's wait over). */
		ready = k == max || !cfg->max_delay_ns || avail == run->n ?
				run->r[next + k - 1].sent :
				run->r[next].sent + cfg->max_delay_ns;
		if (ready < prev_done)
			ready = prev_done;
		run->batch_pick[run->batches] = start > ready ? start - ready : 0;
		run->batch_svc[run->batches++] = done - start;
		run->batch_count[k]++;
		prev_done = done;
		next += k;
		atomic_store_explicit(&run->completed, next,
				      memory_order_release);
	}
	run->srv_cpu = sched_getcpu();
	atomic_store_explicit(&run->srv_done, 1, memory_order_release);
	return NULL;
}

static void reset_hists(struct hpcp_serve_point *pt)
{
	hpcp_hist_reset(&pt->latency);
	hpcp_hist_reset(&pt->latency_sent);
	hpcp_hist_reset(&pt->queue);
	hpcp_hist_reset(&pt->service);
}

/* The server's batch statistics (a remote point's server side, and the
 * batch part of an in-process one). */
static void summarise_batches(const struct run *run,
			      struct hpcp_serve_point *pt)
{
	double m1 = 0, m2 = 0, pick = 0;

	reset_hists(pt);
	for (uint64_t b = 0; b < run->batches; b++) {
		double s = (double)run->batch_svc[b];

		m1 += s;
		m2 += s * s;
		pick += (double)run->batch_pick[b];
	}
	pt->batches = run->batches;
	pt->offered_per_s = run->cfg->rate_per_s;
	pt->service_mean_ns = run->batches ? m1 / (double)run->batches : 0;
	pt->service_m2_ns2 = run->batches ? m2 / (double)run->batches : 0;
	pt->pickup_mean_ns = run->batches ? pick / (double)run->batches : 0;
	pt->srv_cpu = run->srv_cpu;
	pt->gen_cpu = -1;
	pt->pinned = run->pinned_srv;
}

/*
 * The request-level means both clients share: n requests, the first
 * scheduled at t0 and the last at last_sched, the last completed at tend;
 * sums of the queue waits and of the lateness (sent - scheduled) and its
 * square.  The lateness's spread is what it adds to the sent gaps'
 * variance (twice its variance, when independent).
 */
static void request_means(struct hpcp_serve_point *pt, uint64_t n,
			  uint64_t t0, uint64_t last_sched, uint64_t tend,
			  double qsum, double late, double late2)
{
	double lmean = late / (double)n;
	double lvar = late2 / (double)n - lmean * lmean;

	pt->requests = n;
	pt->duration_ns = (double)(tend - t0);
	pt->achieved_per_s = tend > t0 ? (double)n / ((double)(tend - t0) / 1e9)
				       : 0;
	pt->arrival_per_s = n > 1 && last_sched > t0 ?
				    (double)(n - 1) /
					    ((double)(last_sched - t0) / 1e9) :
				    0;
	pt->queue_mean_ns = qsum / (double)n;
	pt->lateness_mean_ns = lmean;
	pt->lateness_sd_ns = lvar > 0 ? sqrt(lvar) : 0;
}

/* The statistics of a finished run into pt. */
static void summarise(const struct run *run, struct hpcp_serve_point *pt)
{
	const struct hpcp_serve_cfg *cfg = run->cfg;
	const struct req *r = run->r;
	uint64_t n = run->n, t0 = r[0].sched, tend = 0, *sent;
	double qsum = 0, late = 0, late2 = 0;
	double w = 0, wi = 0, lsum = 0, isum = 0, gmean;

	summarise_batches(run, pt);
	for (uint64_t i = 0; i < n; i++) {
		hpcp_hist_record(&pt->latency, r[i].done - r[i].sched);
		hpcp_hist_record(&pt->latency_sent, r[i].done - r[i].sent);
		hpcp_hist_record(&pt->queue, r[i].start - r[i].sched);
		hpcp_hist_record(&pt->service, r[i].done - r[i].start);
		if (r[i].done - r[i].sched > cfg->target_ns)
			pt->exceed++;
		qsum += (double)(r[i].start - r[i].sched);
		late += (double)(r[i].sent - r[i].sched);
		late2 += (double)(r[i].sent - r[i].sched) *
			 (double)(r[i].sent - r[i].sched);
		if (r[i].done > tend)
			tend = r[i].done;
		/* Lindley: the next arrival's wait in an ideal FIFO queue. */
		if (i > 0) {
			double gap = (double)(r[i].sched - r[i - 1].sched);
			double s = (double)(r[i - 1].done - r[i - 1].start);

			w = fmax(0, w + s - gap);
			wi = fmax(0, wi + cfg->nominal_service_ns - gap);
		}
		lsum += w;
		isum += wi;
	}
	request_means(pt, n, t0, r[n - 1].sched, tend, qsum, late, late2);
	pt->lindley_ns = lsum / (double)n;
	pt->ideal_ns = cfg->nominal_service_ns > 0 ? isum / (double)n : 0;
	pt->gen_cpu = run->gen_cpu;
	pt->srv_cpu = run->srv_cpu;
	pt->pinned = run->pinned_gen && run->pinned_srv;
	/* The gaps as sent: the sent times are in order (one sender). */
	sent = malloc(n * sizeof(*sent));
	pt->gap_cv = 0;
	if (sent && cfg->rate_per_s > 0) {
		for (uint64_t i = 0; i < n; i++)
			sent[i] = r[i].sent;
		hpcp_serve_gap_stats(sent, n, &gmean, &pt->gap_cv);
	}
	free(sent);
}

/* A run's checks and arrays (free with run_free). */
static int run_init(struct run *run, const struct hpcp_serve_cfg *cfg,
		    struct hpcp_serve_point *pt)
{
	memset(run, 0, sizeof(*run));
	run->cfg = cfg;
	if (cfg->max_batch < 1 || cfg->max_batch > HPCP_SERVE_MAX_BATCH ||
	    cfg->requests < 1 || cfg->requests > HPCP_SERVE_MAX_REQUESTS ||
	    !(cfg->rate_per_s >= 0) || !cfg->model)
		return -EINVAL;
	memset(pt, 0, sizeof(*pt));
	run->n = cfg->requests;
	run->batch_count = pt->batch_count;
	run->gen_cpu = run->srv_cpu = -1;
	run->r = calloc(run->n, sizeof(*run->r));
	run->batch_svc = calloc(run->n, sizeof(*run->batch_svc));
	run->batch_pick = calloc(run->n, sizeof(*run->batch_pick));
	return run->r && run->batch_svc && run->batch_pick ? 0 : -ENOMEM;
}

static void run_free(struct run *run)
{
	free(run->r);
	free(run->batch_svc);
	free(run->batch_pick);
}

/* The tick callback when one is due; *next the next one's time. */
static void maybe_tick(const struct hpcp_serve_cfg *cfg, uint64_t *next,
		       uint64_t sent, uint64_t done)
{
	if (cfg->tick && hpcp_now_ns() >= *next) {
		cfg->tick(cfg->tick_arg, sent, done);
		*next += cfg->tick_ns ? cfg->tick_ns : 10000000u;
	}
}

int hpcp_serve_run(const struct hpcp_serve_cfg *cfg,
		   struct hpcp_serve_point *pt)
{
	struct run run;
	pthread_t g, s;
	uint64_t *off = NULL, t0, next_tick;
	int rc = run_init(&run, cfg, pt);

	if (rc == -EINVAL)
		return rc;
	off = calloc(run.n, sizeof(*off));
	if (rc || !off) {
		rc = -ENOMEM;
		goto out;
	}
	if (cfg->rate_per_s > 0) {
		rc = hpcp_serve_schedule(off, run.n, cfg->rate_per_s,
					 cfg->gap_cv, cfg->seed);
		if (rc)
			goto out;
	}
	/* Touch every page before the clock starts. */
	t0 = hpcp_now_ns() + 2000000;
	for (uint64_t i = 0; i < run.n; i++)
		run.r[i].sched = t0 + off[i];
	if (cfg->rate_per_s == 0) {
		/* Offline: all there at the start. */
		for (uint64_t i = 0; i < run.n; i++)
			run.r[i].sent = t0;
		atomic_store(&run.published, run.n);
		atomic_store(&run.gen_done, 1);
	} else if (pthread_create(&g, NULL, generator, &run)) {
		rc = -EAGAIN;
		goto out;
	}
	if (pthread_create(&s, NULL, server, &run)) {
		atomic_store(&run.abort, 1);
		if (cfg->rate_per_s > 0)
			pthread_join(g, NULL);
		rc = -EAGAIN;
		goto out;
	}
	next_tick = hpcp_now_ns();
	while (!atomic_load_explicit(&run.srv_done, memory_order_acquire) ||
	       !atomic_load_explicit(&run.gen_done, memory_order_acquire)) {
		/* a few wake-ups a tick: the threads need the cores */
		struct timespec ms = { .tv_sec = 0, .tv_nsec = 2000000 };

		maybe_tick(cfg, &next_tick,
			   atomic_load_explicit(&run.published,
						memory_order_relaxed),
			   atomic_load_explicit(&run.completed,
						memory_order_relaxed));
		nanosleep(&ms, NULL);
	}
	pthread_join(s, NULL);
	if (cfg->rate_per_s > 0)
		pthread_join(g, NULL);
	if (cfg->rate_per_s == 0)       /* no generator offline */
		run.pinned_gen = run.pinned_srv;
	rc = run.model_rc;
	if (!rc)
		summarise(&run, pt);
out:
	run_free(&run);
	free(off);
	return rc;
}

int hpcp_serve_answer(const struct hpcp_serve_cfg *cfg,
		      const struct hpcp_serve_io *io,
		      struct hpcp_serve_point *pt)
{
	struct run run;
	struct hpcp_serve_reply rep;
	pthread_t s;
	uint64_t got = 0, next_tick, cur[2];
	/* With the hold, even requests are answered at once and odd ones
	 * held: two cursors, each in order. */
	uint64_t step = cfg->reply_hold_ns ? 2 : 1;
	int rc = run_init(&run, cfg, pt);

	if (rc || !io || !io->received || !io->reply) {
		run_free(&run);
		return rc ? rc : -EINVAL;
	}
	/* Arrivals are receipts: the server thread starts at once. */
	if (pthread_create(&s, NULL, server, &run)) {
		run_free(&run);
		return -EAGAIN;
	}
	cur[0] = 0;
	cur[1] = step == 2 ? 1 : run.n;
	next_tick = hpcp_now_ns();
	while (!rc && (cur[0] < run.n || cur[1] < run.n)) {
		uint64_t k = got, c, now;
		int idle = 1;

		if (got < run.n) {
			rc = io->received(io->arg, cur[0] < cur[1] ? cur[0] :
					  cur[1], &k);
			if (rc)
				break;
			if (k > run.n) {
				rc = -EPROTO;
				break;
			}
			if (k > got) {
				now = hpcp_now_ns();
				for (uint64_t j = got; j < k; j++)
					run.r[j].sched = run.r[j].sent = now;
				got = k;
				atomic_store_explicit(&run.published, got,
						      memory_order_release);
				idle = 0;
			}
		}
		c = atomic_load_explicit(&run.completed, memory_order_acquire);
		for (int cl = 0; cl < 2 && !rc; cl++) {
			uint64_t hold = cl ? cfg->reply_hold_ns : 0;

			while (cur[cl] < c) {
				const struct req *q = &run.r[cur[cl]];

				now = hpcp_now_ns();
				if (now < q->done + hold)
					break;
				rep.index = cur[cl];
				rep.queue_ns = q->start - q->sent;
				rep.service_ns = q->done - q->start;
				rep.held_ns = now - q->done;
				rc = io->reply(io->arg, &rep);
				if (rc)
					break;
				cur[cl] += step;
				idle = 0;
			}
		}
		if (atomic_load_explicit(&run.abort, memory_order_relaxed))
			break;
		maybe_tick(cfg, &next_tick, got, c);
		if (idle)
			sched_yield();
	}
	atomic_store(&run.abort, 1);
	pthread_join(s, NULL);
	if (!rc)
		rc = run.model_rc;
	if (!rc)
		summarise_batches(&run, pt);
	run_free(&run);
	return rc;
}

/* One remote request, client side. */
struct creq {
	uint64_t sched, sent, done, queue, service, held;
};

/* The client's statistics: the request histograms and the transport. */
static void summarise_client(const struct hpcp_serve_cfg *cfg,
			     const struct creq *r, uint64_t n, uint64_t *tmp,
			     struct hpcp_serve_point *pt)
{
	uint64_t t0 = r[0].sched, tend = 0;
	double qsum = 0, late = 0, late2 = 0, gmean;

	reset_hists(pt);
	pt->transport_min_ns[0] = pt->transport_min_ns[1] = UINT64_MAX;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t lat = r[i].done - r[i].sched;
		uint64_t inside = r[i].queue + r[i].service;
		int cl = (cfg->reply_hold_ns || cfg->odd_class) && (i & 1);
		/* Clocks of one rate: the server's interval lies inside the
		 * client's.  A negative difference is counted, taken as 0. */
		uint64_t tr = lat >= inside ? lat - inside : 0;

		if (lat < inside)
			pt->transport_negative++;
		hpcp_hist_record(&pt->latency, lat);
		hpcp_hist_record(&pt->latency_sent, r[i].done - r[i].sent);
		hpcp_hist_record(&pt->queue, r[i].queue);
		hpcp_hist_record(&pt->service, r[i].service);
		if (lat > cfg->target_ns)
			pt->exceed++;
		qsum += (double)r[i].queue;
		late += (double)(r[i].sent - r[i].sched);
		late2 += (double)(r[i].sent - r[i].sched) *
			 (double)(r[i].sent - r[i].sched);
		pt->transport_n[cl]++;
		pt->transport_sum_ns[cl] += (double)tr;
		pt->transport_sq_ns2[cl] += (double)tr * (double)tr;
		if (tr < pt->transport_min_ns[cl])
			pt->transport_min_ns[cl] = tr;
		pt->held_sum_ns[cl] += (double)r[i].held;
		if (r[i].done > tend)
			tend = r[i].done;
		tmp[i] = r[i].sent;
	}
	for (int cl = 0; cl < 2; cl++)
		if (!pt->transport_n[cl])
			pt->transport_min_ns[cl] = 0;
	pt->offered_per_s = cfg->rate_per_s;
	request_means(pt, n, t0, r[n - 1].sched, tend, qsum, late, late2);
	pt->gen_cpu = sched_getcpu();
	pt->srv_cpu = -1;
	hpcp_serve_gap_stats(tmp, n, &gmean, &pt->gap_cv);
}

int hpcp_serve_ask(const struct hpcp_serve_cfg *cfg,
		   const struct hpcp_serve_io *io,
		   struct hpcp_serve_point *pt)
{
	uint64_t n = cfg->requests, sent = 0, got = 0, t0, next_tick;
	uint64_t *off;
	struct creq *r;
	struct hpcp_serve_reply rep;
	int rc;

	if (n < 1 || n > HPCP_SERVE_MAX_REQUESTS || !(cfg->rate_per_s > 0) ||
	    !io || !io->send || !io->poll)
		return -EINVAL;
	memset(pt, 0, sizeof(*pt));
	r = calloc(n, sizeof(*r));
	off = calloc(n, sizeof(*off));
	if (!r || !off) {
		rc = -ENOMEM;
		goto out;
	}
	rc = hpcp_serve_schedule(off, n, cfg->rate_per_s, cfg->gap_cv,
				 cfg->seed);
	if (rc)
		goto out;
	t0 = hpcp_now_ns() + 2000000;
	for (uint64_t i = 0; i < n; i++)
		r[i].sched = t0 + off[i];
	next_tick = hpcp_now_ns();
	/* One thread sends on schedule and collects replies: it only
	 * yields, a sleep would be late to both. */
	while (got < n) {
		uint64_t now = hpcp_now_ns();
		int idle = 1;

		if (sent < n && now >= r[sent].sched &&
		    (!cfg->coordinated || got >= sent)) {
			r[sent].sent = now;
			rc = io->send(io->arg, sent);
			if (rc)
				break;
			sent++;
			idle = 0;
		}
		rc = io->poll(io->arg, &rep);
		if (rc < 0)
			break;
		if (rc == 1) {
			now = hpcp_now_ns();
			if (rep.index >= sent || r[rep.index].done) {
				rc = -EPROTO;
				break;
			}
			r[rep.index].done = now;
			r[rep.index].queue = rep.queue_ns;
			r[rep.index].service = rep.service_ns;
			r[rep.index].held = rep.held_ns;
			got++;
			idle = 0;
		}
		rc = 0;
		maybe_tick(cfg, &next_tick, sent, got);
		if (idle)
			sched_yield();
	}
	if (!rc)
		summarise_client(cfg, r, n, off, pt);
out:
	free(r);
	free(off);
	return rc;
}
