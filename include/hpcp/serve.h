/*
 * An inference server under open-loop load, in one process, without MPI:
 * the infer phase's queueing and load generation, testable alone.
 *
 * A run is one load point.  A generator thread sends requests at times
 * fixed in advance (seeded Poisson arrivals, or gamma-distributed gaps
 * for bursts); a server thread batches them dynamically: it runs a batch
 * when max_batch requests wait or when the oldest has waited max_delay_ns
 * since it was sent, whichever comes first, on a model given as a
 * callback.  Every request keeps four clock readings: scheduled arrival,
 * actual send, batch start, completion.  Latency runs from the SCHEDULED
 * arrival, so a server stall that delays the sender still counts in full
 * (no coordinated omission); the latency from the actual send is kept
 * beside it as the comparison a coordinated client would report.
 *
 * Offline (rate 0): every request is there at the start, so the queue is
 * always full and each batch is max_batch: the server's throughput at
 * that batch size.
 *
 * Nothing is recorded into histograms or allocated while the threads run:
 * the clock readings go into arrays made before, the statistics are
 * computed after.
 */
#ifndef HPCP_SERVE_H
#define HPCP_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "hpcp/stats.h"

#define HPCP_SERVE_MAX_BATCH 1024
#define HPCP_SERVE_MAX_REQUESTS (1u << 22)

/* Runs one batch: requests first .. first + n - 1 (an index that picks
 * the request's input).  0, or a negative errno code (the run stops). */
typedef int (*hpcp_serve_model_fn)(void *arg, uint64_t first, int n);

/* Called from the calling thread every tick_ns while a point runs (RSS
 * samples, the watchdog's heartbeat): requests sent and completed so far
 * (a server with requests waiting and none completed between two ticks
 * is not answering). */
typedef void (*hpcp_serve_tick_fn)(void *arg, uint64_t sent, uint64_t done);

struct hpcp_serve_cfg {
	int max_batch;             /* 1..HPCP_SERVE_MAX_BATCH */
	uint64_t max_delay_ns;     /* the oldest request's wait for a batch */
	uint64_t requests;         /* 1..HPCP_SERVE_MAX_REQUESTS */
	double rate_per_s;         /* offered; 0: offline (queue always full) */
	double gap_cv;             /* gaps' coefficient of variation; 1: Poisson */
	uint64_t seed;             /* of the arrival times */
	uint64_t target_ns;        /* latency counted as exceeding above this */
	/* Test only: before the batch holding request stall_at, the server
	 * stops stall_ns (stall_ns 0: never). */
	uint64_t stall_at, stall_ns;
	/* Test only: the client waits for each answer before it sends the
	 * next request (a coordinated client, as closed-loop tools are). */
	int coordinated;
	/* Test only (hpcp_serve_answer): the replies to odd requests are
	 * held this long after completion, a known delay on the reply path
	 * (0: none). */
	uint64_t reply_hold_ns;
	/* Test only (hpcp_serve_ask): odd requests are a transport class of
	 * their own (the caller sends them differently); with reply_hold_ns
	 * they always are. */
	int odd_class;
	/* The nominal service time of a batch of 1 (a spin model's), for the
	 * ideal M/D/1 queue; 0: unknown. */
	double nominal_service_ns;
	int gen_cpu, srv_cpu;      /* pin the threads there; -1: not pinned */
	hpcp_serve_model_fn model;
	void *model_arg;
	hpcp_serve_tick_fn tick;   /* may be NULL */
	void *tick_arg;
	uint64_t tick_ns;          /* 0: 10 ms */
};

/* One load point, this process. */
struct hpcp_serve_point {
	uint64_t requests, batches;
	uint64_t exceed;           /* latency > target_ns */
	double offered_per_s;      /* the configured rate; 0 offline */
	double arrival_per_s;      /* the schedule's realised rate */
	double achieved_per_s;     /* completed / (last completion - first arrival) */
	double duration_ns;
	double gap_cv;             /* of the actual send times' gaps */
	/* Batch service times (start to completion): moments, per batch. */
	double service_mean_ns, service_m2_ns2;
	/* Means over requests (ns): queue wait; the client's lateness (sent -
	 * scheduled); the server's pickup (start - when it could start). */
	double queue_mean_ns, lateness_mean_ns, pickup_mean_ns;
	double lateness_sd_ns;     /* the spread of the client's lateness */
	/* Mean queue wait of an ideal FIFO single server (Lindley's
	 * recursion) on these arrivals: with the measured service times, and
	 * with the nominal one (0 when not given). */
	double lindley_ns, ideal_ns;
	int gen_cpu, srv_cpu;      /* where the threads ran last */
	int pinned;
	struct hpcp_hist latency;  /* scheduled arrival -> completion */
	struct hpcp_hist latency_sent; /* actual send -> completion */
	struct hpcp_hist queue;    /* scheduled arrival -> batch start */
	struct hpcp_hist service;  /* batch start -> completion, per request */
	uint64_t batch_count[HPCP_SERVE_MAX_BATCH + 1]; /* batches of each size */
	/* A remote client's (hpcp_serve_ask): per request, transport =
	 * latency - queue - service, the time outside the server's queue and
	 * model: the network both ways, the client's lateness and the
	 * server's reply.  [0] replies sent at once, [1] held (the test
	 * hook's odd requests).  A negative one (the server's interval longer
	 * than the client's, impossible on clocks of one rate) is counted. */
	uint64_t transport_n[2], transport_min_ns[2], transport_negative;
	double transport_sum_ns[2], transport_sq_ns2[2];
	double held_sum_ns[2];     /* completion -> reply sent, server side */
};

/*
 * One load point: the threads started, every request served, the threads
 * joined, the statistics computed into *pt.  Returns 0; -EINVAL (a bad
 * cfg); -ENOMEM; -EAGAIN (a thread could not start); or the model's code.
 */
int hpcp_serve_run(const struct hpcp_serve_cfg *cfg,
		   struct hpcp_serve_point *pt);

/*
 * Remote serving (--infer-remote): the same server and client, the
 * requests carried by the caller (MPI in the phase; this module has none).
 * A request is its index (and whatever input the caller carries with
 * it); the reply a fixed record (and the caller's output).  Requests of
 * one client arrive in index order.
 */
struct hpcp_serve_reply {
	uint64_t index;
	uint64_t queue_ns;    /* server receipt -> batch start */
	uint64_t service_ns;  /* batch start -> completion */
	uint64_t held_ns;     /* completion -> reply sent */
};

struct hpcp_serve_io {
	/* Server: how many requests have arrived so far, into *count (it
	 * only grows); 0 or a negative errno code.  Every request below
	 * answered has been replied to (the caller's buffers for them are
	 * free again: the transport may bound how far ahead it receives). */
	int (*received)(void *arg, uint64_t answered, uint64_t *count);
	/* Server: send this reply (copy it: *rep is reused); 0 or -errno. */
	int (*reply)(void *arg, const struct hpcp_serve_reply *rep);
	/* Client: send request i; 0 or -errno. */
	int (*send)(void *arg, uint64_t i);
	/* Client: a reply when one has come: 1 (into *rep), 0, or -errno. */
	int (*poll)(void *arg, struct hpcp_serve_reply *rep);
	void *arg;
};

/*
 * The server side of a remote point: cfg->requests requests received
 * through io->received, batched by the server thread exactly as in
 * hpcp_serve_run (the max-delay clock starts at receipt), each answered
 * through io->reply once served (odd ones cfg->reply_hold_ns later).  The
 * calling thread does all the io.  Fills pt's batch statistics (sizes,
 * service moments, pickup); its request histograms stay empty (the
 * client has them).  0, -EINVAL, -ENOMEM, -EAGAIN or io's or the model's
 * code.
 */
int hpcp_serve_answer(const struct hpcp_serve_cfg *cfg,
		      const struct hpcp_serve_io *io,
		      struct hpcp_serve_point *pt);

/*
 * The client side: cfg->requests requests sent at their scheduled
 * times (open loop; cfg->rate_per_s > 0), replies collected, in the
 * calling thread, polling (no allocation in the loop).  Latency runs from
 * the scheduled arrival to the reply's receipt; queue and service are the
 * server's, from the reply; transport is the rest.  Fills pt's request
 * statistics.  0, -EINVAL, -ENOMEM, -EPROTO (a reply not expected) or
 * io's code.
 */
int hpcp_serve_ask(const struct hpcp_serve_cfg *cfg,
		   const struct hpcp_serve_io *io,
		   struct hpcp_serve_point *pt);

/*
 * Arrival times: off[i] ns after the start, n of them, gaps of mean
 * 1e9 / rate with coefficient of variation cv (exponential for cv 1,
 * else gamma of shape 1 / cv^2), seeded.  The first arrives one gap in.
 * 0 or -EINVAL.
 */
int hpcp_serve_schedule(uint64_t *off, uint64_t n, double rate_per_s,
			double cv, uint64_t seed);

/* Mean and coefficient of variation of the gaps between n sorted times. */
void hpcp_serve_gap_stats(const uint64_t *t, uint64_t n, double *mean,
			  double *cv);

/*
 * The stopping rule: requests needed before "the q-quantile is under the
 * target" can be claimed at confidence c when none exceeds it,
 * ceil(ln(1 - c) / ln(q)): 459 for p99 and 4603 for p99.9 at 99 %.
 */
uint64_t hpcp_serve_samples_needed(double q, double c);

enum hpcp_serve_verdict {
	HPCP_SERVE_MEETS,     /* the q-quantile is under the target, at c */
	HPCP_SERVE_MISSES,
	HPCP_SERVE_TOO_FEW,   /* fewer requests than the rule needs */
};

/*
 * The verdict on n requests of which exceed were over the target: too
 * few below hpcp_serve_samples_needed; meets when, were a share 1 - q of
 * requests over the target, at most exceed of n would be seen with
 * probability 1 - c or less (a one-sided binomial test); else misses.
 */
enum hpcp_serve_verdict hpcp_serve_judge(uint64_t n, uint64_t exceed,
					 double q, double c);
const char *hpcp_serve_verdict_name(enum hpcp_serve_verdict v);

/* Mean queue wait of M/D/1: rho d / (2 (1 - rho)); of M/G/1
 * (Pollaczek-Khinchine): lambda E[S^2] / (2 (1 - lambda E[S])), lambda in
 * per ns.  Infinite at or above saturation. */
double hpcp_serve_md1_wait_ns(double rho, double d_ns);
double hpcp_serve_pk_wait_ns(double lambda_per_ns, double s_mean_ns,
			     double s_m2_ns2);

/* This process's resident set now (/proc/self/statm), bytes; 0 unknown.
 * A read of one small file, no allocation. */
uint64_t hpcp_serve_rss_bytes(void);

#endif
