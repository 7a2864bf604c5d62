/*
 * A libfabric RDM endpoint for ping-pong and all-reduce, and nothing else
 * of libfabric outside src/fabric.c.
 *
 * The endpoint sends tagged messages (FI_EP_RDM, FI_TAGGED), completions
 * are polled from one completion queue, buffers are registered when the
 * provider needs it.  Addresses travel through MPI (the caller gathers
 * them); there is no socket of our own.  Every wait is bounded, so a peer
 * that stops answering gives -ETIMEDOUT, not a hang: the limit follows the
 * watchdog's timeout (hpcp_fabric_wait_limit_ns), so the fabric says what
 * went wrong, and the run can go on, before the watchdog ends the job.
 */
#ifndef HPCP_FABRIC_H
#define HPCP_FABRIC_H

#include <stddef.h>
#include <stdint.h>

#include "hpcp/stats.h"

#define HPCP_FABRIC_ADDR_MAX 256

struct hpcp_fabric;

/* What the document records about the provider. */
struct hpcp_fabric_info {
	char provider[64];
	char fabric[128];
	char domain[64];
	char version[16];        /* provider version, "1.0" */
	char library_version[16];  /* libfabric, "1.17" */
	char ep_type[24];
	char caps[512];
	uint64_t max_msg_size;
	uint64_t inject_size;
	int mr_local;            /* buffers are registered */
};

/*
 * Which provider "requested" means (rank-local, no endpoint opened):
 * a name is checked as is; "auto" is efa when present, else the first RDM
 * provider with tagged messages (not sockets, which is unusable for
 * latency, and not shm when allow_shm is 0: it cannot reach other hosts).
 * Returns 0 with the name in provider and, for auto, a note on what was
 * chosen and why; or -ENODATA / -ENOTSUP with libfabric's reason in why.
 */
int hpcp_fabric_choose(const char *requested, int allow_shm, char *provider,
		       size_t len, char *note, size_t notelen, char *why,
		       size_t whylen);

/*
 * How long a wait may go without progress (no completion, or no room to
 * post) before it fails with -ETIMEDOUT: 9/10 of the watchdog's timeout in
 * seconds (--timeout; 0 means the default's), so it ends before the
 * watchdog, which allows a peer the whole timeout.
 */
uint64_t hpcp_fabric_wait_limit_ns(unsigned timeout_s);

/*
 * Open fabric, domain, address vector, completion queue and endpoint of
 * provider, with buffers of max_bytes, whose waits end after wait_limit_ns
 * without progress (0: the default timeout's limit).  Rank-local.  Returns 0 or a negative errno code with
 * libfabric's error text in why; *out is NULL on error and everything
 * opened is closed again.
 */
int hpcp_fabric_open(const char *provider, size_t max_bytes,
		     uint64_t wait_limit_ns, struct hpcp_fabric **out,
		     struct hpcp_fabric_info *info, char *why, size_t len);

/* This endpoint's address (at most HPCP_FABRIC_ADDR_MAX bytes). */
int hpcp_fabric_address(struct hpcp_fabric *f, void *addr, size_t *len);

/* Insert n peer addresses (addrs + i * stride, each len bytes); peer i is
 * then addressed as i (the MPI rank). */
int hpcp_fabric_add_peers(struct hpcp_fabric *f, const void *addrs,
			  size_t stride, size_t len, int n, char *why,
			  size_t whylen);

/*
 * Ping-pong of bytes with peer: warmup untimed, then iterations each timed
 * into h (half the round trip, on the side that starts); *loop_ns the
 * whole timed loop.  The peer runs the same call with starts = 0.
 * -ETIMEDOUT when the peer fell silent for the wait limit.
 */
int hpcp_fabric_pingpong(struct hpcp_fabric *f, int peer, int starts,
			 size_t bytes, uint64_t warmup, uint64_t iterations,
			 struct hpcp_hist *h, uint64_t *loop_ns);

/* Windows of 64 sends and one small acknowledgement, as osu_bw. */
int hpcp_fabric_bandwidth(struct hpcp_fabric *f, int peer, int starts,
			  size_t bytes, uint64_t skip, uint64_t windows,
			  double *bytes_per_s);

/* The libfabric library's version, "1.17" (rank-local, no endpoint). */
void hpcp_fabric_library_version(char *buf, size_t len);

/*
 * All-reduce (float sums over all n_peers ranks) on the same endpoint and
 * completion queue, tagged sends and receives only.  Setup allocates the
 * data and scratch buffers (max_floats each) and registers them once when
 * the provider asks for FI_MR_LOCAL; the caller fills the data buffer
 * (hpcp_fabric_coll_buffer), calls hpcp_fabric_allreduce on every rank
 * (rank: this rank, the peer index of hpcp_fabric_add_peers), and finds the
 * sum there.  Every wait is bounded as the ping-pong's (-ETIMEDOUT), and
 * the watchdog is told which rank each step waits on.
 */
enum hpcp_fabric_ar {
	HPCP_FABRIC_AR_RING,   /* reduce-scatter + all-gather, 2(n-1) steps */
	HPCP_FABRIC_AR_RD,     /* recursive doubling, log2 n steps (+2) */
};

int hpcp_fabric_coll_setup(struct hpcp_fabric *f, size_t max_floats,
			   char *why, size_t len);
float *hpcp_fabric_coll_buffer(struct hpcp_fabric *f);

/* With yield set, every empty poll of a wait gives the core away
 * (sched_yield), as MPI's yield_when_idle: on a host with more ranks than
 * CPUs a spinning rank would otherwise hold the core its peer needs. */
void hpcp_fabric_set_yield(struct hpcp_fabric *f, int yield);
int hpcp_fabric_allreduce(struct hpcp_fabric *f, int rank,
			  enum hpcp_fabric_ar alg, size_t count);

/* Dissemination barrier over the endpoint (after hpcp_fabric_coll_setup):
 * ceil(log2 n) rounds of 8-byte messages, no MPI. */
int hpcp_fabric_barrier(struct hpcp_fabric *f, int rank);

/* Bytes rank sends in one all-reduce of count floats over n ranks (the
 * payload alone): the floor for the EFA tx_bytes check.  The ring sends
 * every chunk but one in each half, about 2(n-1)/n of the buffer. */
uint64_t hpcp_fabric_allreduce_sent_bytes(enum hpcp_fabric_ar alg, int n,
					  int rank, size_t count);

/* Close everything; NULL is fine. */
void hpcp_fabric_close(struct hpcp_fabric *f);

/* libfabric's text for a negative return code. */
const char *hpcp_fabric_strerror(int rc);

#endif
