/*
 * The point-to-point harness: what the pingpong (MPI) and fabric
 * (libfabric) phases share, with the transport as a table of calls.
 *
 * The harness owns the method: the size sweep, the warm-up and iteration
 * counts of each size (hpcp_probe_counts), the bandwidth windows, the pairs
 * (pairs.h: the intra-node pair alone, then the inter-node round at once),
 * the rows sent to rank 0 and reported there ("pairs" of the phase), and
 * the failure handling: from the size that failed on, a pair's rows are
 * marked failed and left out of the document, rank 0 names the pair, the
 * size and the transport's reason, and the failing rank logs it at once.
 *
 * A transport owns the timed loops (one clock read per iteration; nothing
 * allocated, logged or formatted inside) and whatever it records beside
 * the rows (the fabric phase's EFA counters).  See README, "Adding a
 * transport".
 */
#ifndef HPCP_P2P_H
#define HPCP_P2P_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "hpcp/opt.h"
#include "hpcp/pairs.h"
#include "hpcp/probe.h"
#include "hpcp/stats.h"

struct hpcp_ctx;
struct hpcp_res;

/* Windows of this many sends, then one small acknowledgement (osu_bw). */
#define HPCP_P2P_WINDOW 64

/*
 * One transport.  Every call runs on both ranks of a pair at once, peer
 * being the other's world rank and starts 1 on the lower rank (which
 * begins each exchange and keeps the results); state is what the phase
 * passed to hpcp_p2p_run.  Calls return 0 or a negative code that
 * describe() turns into text.
 */
struct hpcp_p2p_transport {
	/* In diagnoses: "MPI", "libfabric". */
	const char *name;
	/*
	 * warmup untimed round trips of bytes, then iterations timed ones:
	 * reset hist, record half of each round trip into it on the starting
	 * side (one clock read per iteration, so the samples add up to the
	 * loop) and the whole timed loop into *loop_ns (when not NULL).
	 */
	int (*ping)(void *state, int peer, int starts, uint64_t bytes,
		    uint64_t warmup, uint64_t iterations,
		    struct hpcp_hist *hist, uint64_t *loop_ns);
	/*
	 * skip untimed, then windows timed windows of HPCP_P2P_WINDOW sends
	 * of bytes and one acknowledgement; *bytes_per_s on the starting
	 * side, bytes x HPCP_P2P_WINDOW x windows / time.  Never called
	 * for 0 bytes: as osu_bw, the harness starts bandwidth at 1 byte
	 * (an empty message has none: null in the document).  Left as it
	 * is (< 0) when the transport does not measure this size.
	 */
	int (*bandwidth)(void *state, int peer, int starts, uint64_t bytes,
			 uint64_t skip, uint64_t windows, double *bytes_per_s);
	/*
	 * --validate: patterned payloads both ways, checked outside any
	 * timing; *intact on the starting side says whether both directions
	 * arrived intact.  NULL: the transport does not validate, and the
	 * document says nothing about payloads.
	 */
	int (*validate)(void *state, int peer, int starts, uint64_t bytes,
			int *intact);
	/* Text for a code the calls above returned (on any rank). */
	void (*describe)(void *state, int rc, char *buf, size_t len);
	/*
	 * Optional.  On a pair's two ranks, just before and just after its
	 * sweep (rc: the sweep's status), outside every timed loop.
	 */
	void (*pair_begin)(void *state, const struct hpcp_pair *p);
	void (*pair_end)(void *state, const struct hpcp_pair *p, int rc);
	/*
	 * Optional.  On every rank, pair by pair, once rank 0 has reported
	 * the pair's rows (rows: the starting rank's, on rank 0 and on the
	 * starting rank): what the transport records about the pair besides
	 * them.  Collective over the pair's ranks and rank 0.
	 */
	void (*pair_report)(void *state, const struct hpcp_pair *p,
			    const struct hpcp_p2p_row *rows, int n_rows);
};

struct hpcp_p2p {
	struct hpcp_ctx *ctx;
	uint64_t sizes[HPCP_MAX_SIZES];
	int n_sizes;
	int dropped;                  /* given sizes left out of the sweep */
	struct hpcp_pair *pairs;      /* the plan, the same on every rank */
	int n_pairs;
	struct hpcp_p2p_row *rows;    /* this rank's sweep */
	struct hpcp_p2p_row *peer_rows;   /* rank 0: a pair's, received */
	struct hpcp_hist hist;
};

/*
 * Plan the sweep and the pairs (rank-local, the same on every rank): the
 * sizes are --sizes when given, else powers of two from min_bytes (0
 * included when 0) to max_bytes.  NULL when out of memory.
 */
struct hpcp_p2p *hpcp_p2p_new(struct hpcp_ctx *ctx, uint64_t min_bytes,
			      uint64_t max_bytes);
void hpcp_p2p_free(struct hpcp_p2p *h);

/* The largest size of the sweep (0 when it is empty). */
uint64_t hpcp_p2p_max_bytes(const struct hpcp_p2p *h);

/* Whether this rank belongs to a pair (and needs buffers of every size). */
int hpcp_p2p_measures(const struct hpcp_p2p *h);

/* Leave out the sizes above max_bytes (what the transport cannot carry);
 * they count as dropped. */
void hpcp_p2p_keep_sizes(struct hpcp_p2p *h, uint64_t max_bytes);

/*
 * Collective: measure every pair with t (intra-node pair alone, then the
 * inter-node round at once) and, on rank 0, append one object per pair
 * (pairs.h's head and "sizes") to the array pairs (NULL elsewhere).
 * Returns 0, or the agreed error: -EBADMSG when --validate found a payload
 * corrupted, else the transport's code; why then holds rank 0's account.
 */
int hpcp_p2p_run(struct hpcp_p2p *h, const struct hpcp_p2p_transport *t,
		 void *state, struct hpcp_res *pairs, char *why, size_t len);

/*
 * The MPI transport (src/p2p_mpi.c): MPI_Send + MPI_Recv round trips,
 * windows of MPI_Isend against MPI_Irecv (osu_bw), patterned payloads.
 * Its state is a struct hpcp_p2p_mpi; errors are -EIO.
 */
struct hpcp_p2p_mpi {
	MPI_Comm comm;        /* MPI_ERRORS_RETURN, so errors come back */
	char *sbuf, *rbuf;    /* each as large as the largest message */
};
extern const struct hpcp_p2p_transport hpcp_p2p_mpi;

#endif
