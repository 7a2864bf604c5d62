/* Between the infer phase's files: infer.c runs it (options, the model,
 * the load points, the search), infer_report.c writes its results. */
#ifndef HPCP_INFER_INT_H
#define HPCP_INFER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hpcp/hostload.h"
#include "hpcp/nn.h"
#include "hpcp/serve.h"
#include "hpcp/stats.h"

struct hpcp_ctx;
struct hpcp_res;

#define MAX_POINTS 16
#define RSS_SAMPLES 512

/* The phase's options (infer.c). */
struct infer_opts {
	const char *model;       /* "mlp" or "spin:USEC" */
	const char *max_delay;   /* duration */
	const char *p99;         /* duration */
	const char *rates;       /* per rank req/s, comma list; NULL: search */
	const char *stall;       /* duration, test only */
	const char *client;      /* "open" or "coordinated", test only */
	uint64_t max_batch, requests, seed;
	double burst, confidence;
	int max_batch_given, requests_given;
	int remote;              /* --infer-remote */
	uint64_t payload;        /* --infer-payload: a request's input bytes */
	int payload_given;
};

#define POOL_ROWS 256            /* the seeded inputs, rows of width[0] */
/* --infer-payload's largest: the client's and the server's rings of
 * REMOTE_SLOTS buffers hold 64 MiB each at most. */
#define REMOTE_MAX_PAYLOAD 65536
#define REMOTE_SLOTS 1024
#define REMOTE_HEADER 8          /* a request's index, before its input */
#define REMOTE_REPLY_RECORD 32   /* struct hpcp_serve_reply on the wire */

/* A rank's part in --infer-remote's server sweep (infer_remote.c). */
enum infer_role { ROLE_LOCAL, ROLE_CLIENT, ROLE_SERVER, ROLE_IDLE };

struct infer_remote {
	int role, peer;          /* peer: the paired rank, -1 idle */
	int pairs, idle;         /* job-wide counts */
	int same_node;           /* one node: even ranks serve, odd ask */
	/* The test hook HPCPROBE_TEST_INFER_REPLY_HOLD: odd requests'
	 * replies held this long after completion (0 none). */
	double hold_ns;
	/* The test hook HPCPROBE_TEST_INFER_ODD_PAYLOAD: odd requests carry
	 * this many input bytes instead of in_bytes (0: no hook). */
	uint64_t odd_payload;
	/* Bytes on the wire: a request's input (after its REMOTE_HEADER) and
	 * a reply's output row (after its REMOTE_REPLY_RECORD). */
	size_t in_bytes, out_floats;
	/* The server's rings while a remote point runs (NULL otherwise):
	 * request i's message in in[i % REMOTE_SLOTS] (in_stride bytes
	 * apart, its input after the header), the model's output row for it
	 * into out[i % REMOTE_SLOTS]. */
	const unsigned char *in;
	size_t in_stride;
	float *out;
};

/* A remote point's data path on one rank: the bytes that arrived
 * (server: requests; client: replies) and the client's check of the
 * outputs against its own in-process forward pass of the same inputs. */
struct infer_remote_stats {
	uint64_t bytes_in, checked, mismatched;
	double max_abs_diff;
};

/* Outputs of the remote server and the client's in-process pass may
 * differ by this much (|a - b| <= tol * (1 + |b|)): the server's batch
 * sizes vary, and BLAS may sum a row's products in another order for
 * another batch size. */
#define REMOTE_OUTPUT_TOL 1e-5

/* One client's numbers in a remote point (rank 0). */
struct infer_pair {
	int client, server;
	uint64_t requests;
	double achieved, p99, transport_mean;
};

/* What the phase decides before it runs. */
struct infer_state {
	struct hpcp_ctx *ctx;
	const struct infer_opts *o;
	int max_batch, spin;
	uint64_t requests;
	double spin_ns, max_delay_ns, target_ns, stall_ns;
	double min_point_ns;      /* a searched point's shortest duration */
	/* the model */
	const struct hpcp_nn_backend *be;
	struct hpcp_nn *nn;
	struct hpcp_nn_spec spec;
	int trained;
	float *pool, *xb, *yb;
	/* memory */
	uint64_t t0, rss_idle, rss_peak_point, last_done;
	uint64_t rss_t[RSS_SAMPLES], rss_v[RSS_SAMPLES];
	int rss_n, rss_every, rss_skip;
	int gen_cpu, srv_cpu;
	char binding[160];
	struct infer_remote rm;
};

/* One load point's job-wide result, on rank 0. */
struct job_point {
	int max_batch;
	double offered_per_rank, offered, achieved, arrival;
	uint64_t requests, exceed;
	struct hpcp_hist lat, lat_sent, queue, service;
	uint64_t batch_count[HPCP_SERVE_MAX_BATCH + 1];
	double svc_mean, svc_m2, queue_mean, lateness, pickup, lindley, ideal;
	double gap_cv;
	int saturated;              /* completions fell behind arrivals */
	/* Other work's share of the CPUs while the point ran: a busy host
	 * delays clients, servers and replies alike. */
	struct hpcp_hostload_result load;
	uint64_t rss_peak;
	int rss_rank;
	double worst_p99;           /* the slowest rank's own p99 */
	int worst_rank;
	enum hpcp_serve_verdict verdict, verdict_999;
	/* --infer-remote (n_pairs 0 otherwise): per pair, the clients'
	 * transport by class ([1] held replies, the test hook's) */
	int n_pairs, n_clients;
	struct infer_pair *pairs;   /* [n_pairs], malloc'd */
	uint64_t t_n[2], t_min[2], t_negative;
	double t_sum[2], t_sq[2], held_sum[2];
	/* bytes that arrived at the servers and at the clients; outputs
	 * checked by the clients, those off, the largest difference */
	uint64_t req_bytes, rep_bytes, checked, mismatched;
	double max_abs_diff;
};

/* The env test hook of a held reply (a duration). */
#define HPCP_ENV_TEST_INFER_REPLY_HOLD "HPCPROBE_TEST_INFER_REPLY_HOLD"
/* The env test hook of odd requests' input size (bytes). */
#define HPCP_ENV_TEST_INFER_ODD_PAYLOAD "HPCPROBE_TEST_INFER_ODD_PAYLOAD"

/* Every rank's role and peer for --infer-remote: the ranks on the first
 * half of the nodes (ctx->hosts' order) serve, those on the rest ask,
 * the i-th client paired with the i-th server (rank order); unpaired
 * ranks are idle.  One node: even ranks serve, odd ones ask. */
void infer_remote_plan(const struct hpcp_ctx *ctx, struct infer_remote *rm);

/* Collective: one remote load point, cfg on every rank; a client fills
 * pt's request statistics, a server its batch statistics, an idle rank
 * leaves it empty; *rs the data path's numbers.  Returns 0 or the worst rank's code. */
int infer_remote_run(struct infer_state *st, const struct hpcp_serve_cfg *cfg,
		     struct hpcp_serve_point *pt,
		     struct infer_remote_stats *rs);

/* The p99 of h, HPCP_LAT_NONE when too few samples support it. */
uint64_t infer_p99(const struct hpcp_hist *h);

/* Into h's object under key: its latency_ns summary. */
void infer_res_hist(struct hpcp_res *o, const char *key,
		    const struct hpcp_hist *h);

/*
 * Rank 0: the server sweep's points (pts[0..n_pts), best_i the best or
 * -1), the batch it served at, the slowest server (rank -1: none), the
 * binding (pt: rank 0's last point) and memory, into out.
 */
void infer_report(struct hpcp_res *out, const struct infer_state *st,
		  const struct job_point *pts, int n_pts, int best_i,
		  int batch, int slow_rank, double slow_rate,
		  const struct hpcp_serve_point *pt);

#endif
