/*
 * The watchdog: no hang, ever.
 *
 * A thread of our own (it never calls MPI, except the one MPI_Abort of
 * hpcp_die) watches a progress counter that the measuring loops bump once
 * per iteration.  When the counter stands still for the timeout while this
 * rank waits on a peer, it names the phase, this rank and host, and the
 * rank and host it waits on; rank 0 finishes the results document as
 * "failed" (earlier phases are already on disk); then the job ends through
 * hpcp_die.  A rank that waits in a collective or idles while others
 * measure gives the ranks that wait on a specific peer time to speak first.
 *
 * The same thread turns SIGTERM, SIGINT and SIGHUP (scancel, Batch
 * termination, Spot reclaim, ^C, a lost session) into an "interrupted"
 * document and an exit.  One writer of the document at a time: the main
 * thread writes between hpcp_watch_write_begin and _end; the watchdog
 * waits for such a write (bounded) before it records the end.
 */
#ifndef HPCP_WATCH_H
#define HPCP_WATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct hpcp_ctx;
struct hpcp_doc;

/* What a rank waits for, besides a specific rank number. */
#define HPCP_WATCH_ALL (-1)   /* a collective over every rank */
#define HPCP_WATCH_IDLE (-2)  /* nothing to do while others measure */

extern _Atomic uint64_t hpcp_watch_beats;
extern _Atomic int hpcp_watch_peer_rank;

/*
 * Cheap enough for every iteration of a timed loop: only the main thread
 * writes the counter, so a relaxed load and store (plain moves) do, where
 * an atomic add would be a locked instruction.
 */
static inline void hpcp_watch_beat(void)
{
	atomic_store_explicit(&hpcp_watch_beats,
			      atomic_load_explicit(&hpcp_watch_beats,
						   memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* Whom this rank waits on from now: a rank, HPCP_WATCH_ALL or _IDLE. */
static inline void hpcp_watch_waiting_on(int rank)
{
	atomic_store_explicit(&hpcp_watch_peer_rank, rank,
			      memory_order_relaxed);
	hpcp_watch_beat();
}

/*
 * Start the thread (rank-local) with the timeout in seconds.  doc and
 * output are rank 0's document and path (NULL elsewhere, or for "-").
 * Installs the SIGTERM/SIGINT handling.  Returns 0 or -errno.
 */
int hpcp_watch_start(const struct hpcp_ctx *ctx, unsigned timeout_s,
		     struct hpcp_doc *doc, const char *output);

/* The timeout it was started with, in seconds (0 before): bounded waits
 * of their own (the fabric's) end before it. */
unsigned hpcp_watch_timeout_s(void);

/* The phase now running, for diagnoses ("setup", "topology", ...). */
void hpcp_watch_phase(const char *name);

/*
 * What must be undone when the watchdog or a signal ends the job (the
 * storage phase's files): fn runs on the watchdog thread, before the end
 * is recorded, while the main thread may still be anywhere, so it must be
 * safe against that (best effort); what it writes to note (one short
 * clause) is added to the recorded reason.  fn NULL: nothing.
 */
void hpcp_watch_on_end(void (*fn)(void *arg, char *note, size_t len),
		       void *arg);

/* Stop the thread before MPI_Finalize. */
void hpcp_watch_stop(void);

/* Set when a signal asked the run to stop; the phase loop checks it. */
int hpcp_watch_interrupted(void);

/* Set once the watchdog recorded the end in the document: rank 0 must
 * not write the document again. */
int hpcp_watch_final(void);

/* The running phase's entry is on disk, final (rank 0, after a save): an
 * interruption from now on is recorded for the run, not the phase. */
void hpcp_watch_phase_done(void);

/*
 * Around every write of rank 0's outputs: 1 with the writer's lock held
 * (call hpcp_watch_write_end after), or 0 when the watchdog has recorded
 * the end (write nothing).  Blocks while the watchdog records it.
 */
int hpcp_watch_write_begin(void);
void hpcp_watch_write_end(void);

#endif
