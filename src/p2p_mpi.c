/*
 * The MPI transport of the point-to-point harness (p2p.h), as osu_latency
 * and osu_bw measure: MPI_Send + MPI_Recv round trips, windows of
 * MPI_Isend against MPI_Irecv and a 4-byte acknowledgement, and patterned
 * payloads both ways for --validate.  Nothing is allocated, logged or
 * formatted inside a timed loop.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hpcp/p2p.h"
#include "hpcp/probe.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define TAG_PING 0x5050
#define BW_WINDOW HPCP_P2P_WINDOW

static int ping(void *state, int peer, int starts, uint64_t bytes,
		uint64_t warmup, uint64_t iterations, struct hpcp_hist *hist,
		uint64_t *loop_ns)
{
	struct hpcp_p2p_mpi *st = state;
	MPI_Comm comm = st->comm;
	int n = (int)bytes, rc = MPI_SUCCESS;
	uint64_t start = 0, prev, now;

	hpcp_hist_reset(hist);
	hpcp_watch_waiting_on(peer);
	/* One clock read per iteration: each sample runs from one read to
	 * the next, so the clock's own cost is in every sample once (as in
	 * the fabric probe and fi_pingpong), and the samples add up to the
	 * whole loop. */
	prev = hpcp_now_ns();
	for (uint64_t i = 0; i < warmup + iterations && rc == MPI_SUCCESS;
	     i++) {
		hpcp_watch_beat();
		if (i == warmup)
			start = prev;
		if (starts) {
			rc = MPI_Send(st->sbuf, n, MPI_BYTE, peer, TAG_PING,
				      comm);
			if (rc == MPI_SUCCESS)
				rc = MPI_Recv(st->rbuf, n, MPI_BYTE, peer,
					      TAG_PING, comm,
					      MPI_STATUS_IGNORE);
			now = hpcp_now_ns();
			if (i >= warmup)
				hpcp_hist_record(hist, (now - prev) / 2);
			prev = now;
		} else {
			rc = MPI_Recv(st->rbuf, n, MPI_BYTE, peer, TAG_PING,
				      comm, MPI_STATUS_IGNORE);
			if (rc == MPI_SUCCESS)
				rc = MPI_Send(st->sbuf, n, MPI_BYTE, peer,
					      TAG_PING, comm);
		}
	}
	if (loop_ns)
		*loop_ns = (starts ? prev : hpcp_now_ns()) - start;
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

/* osu_bw: windows of non-blocking sends, one small ack per window. */
static int bandwidth(void *state, int peer, int starts, uint64_t bytes,
		     uint64_t skip, uint64_t windows, double *bytes_per_s)
{
	struct hpcp_p2p_mpi *st = state;
	MPI_Comm comm = st->comm;
	MPI_Request req[BW_WINDOW];
	int n = (int)bytes, rc = MPI_SUCCESS;
	uint64_t start = 0;
	char ack[4] = { 0 };

	for (uint64_t w = 0; w < skip + windows && rc == MPI_SUCCESS; w++) {
		hpcp_watch_beat();
		if (w == skip)
			start = hpcp_now_ns();
		/* Like osu_bw, all receives of a window share one buffer:
		 * the content is not checked here, only the rate. */
		for (int k = 0; k < BW_WINDOW && rc == MPI_SUCCESS; k++)
			rc = starts ? MPI_Isend(st->sbuf, n, MPI_BYTE, peer,
						TAG_PING, comm, &req[k]) :
				      MPI_Irecv(st->rbuf, n, MPI_BYTE, peer,
						TAG_PING, comm, &req[k]);
		/* Test rather than wait, so the watchdog sees progress
		 * through a window of large messages. */
		for (int done = 0; rc == MPI_SUCCESS && !done;) {
			rc = MPI_Testall(BW_WINDOW, req, &done,
					 MPI_STATUSES_IGNORE);
			hpcp_watch_beat();
		}
		if (rc != MPI_SUCCESS)
			break;
		rc = starts ? MPI_Recv(ack, 4, MPI_BYTE, peer, TAG_PING, comm,
				       MPI_STATUS_IGNORE) :
			      MPI_Send(ack, 4, MPI_BYTE, peer, TAG_PING, comm);
	}
	if (starts) {
		double secs = (double)(hpcp_now_ns() - start) / 1e9;

		*bytes_per_s = secs > 0 ? (double)bytes * BW_WINDOW *
						  (double)windows / secs :
					  -1;
	}
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

/* --validate: patterned payloads both ways, checked outside any timing. */
static int validate(void *state, int peer, int starts, uint64_t bytes,
		    int *intact)
{
	struct hpcp_p2p_mpi *st = state;
	MPI_Comm comm = st->comm;
	int n = (int)bytes, rc = MPI_SUCCESS, ok = 1, peer_ok = 1;

	for (uint64_t i = 0; i < 10 && rc == MPI_SUCCESS; i++) {
		uint64_t there = i * 2 + 1, back = i * 2 + 2;

		hpcp_watch_beat();
		if (starts) {
			hpcp_pattern_fill(st->sbuf, bytes, there + bytes);
			rc = MPI_Send(st->sbuf, n, MPI_BYTE, peer, TAG_PING,
				      comm);
			if (rc == MPI_SUCCESS)
				rc = MPI_Recv(st->rbuf, n, MPI_BYTE, peer,
					      TAG_PING, comm,
					      MPI_STATUS_IGNORE);
			ok &= hpcp_pattern_check(st->rbuf, bytes,
						 back + bytes) < 0;
		} else {
			rc = MPI_Recv(st->rbuf, n, MPI_BYTE, peer, TAG_PING,
				      comm, MPI_STATUS_IGNORE);
			ok &= hpcp_pattern_check(st->rbuf, bytes,
						 there + bytes) < 0;
			hpcp_pattern_fill(st->sbuf, bytes, back + bytes);
			if (rc == MPI_SUCCESS)
				rc = MPI_Send(st->sbuf, n, MPI_BYTE, peer,
					      TAG_PING, comm);
		}
	}
	/* The responder's verdict travels to the initiator. */
	if (rc == MPI_SUCCESS)
		rc = starts ? MPI_Recv(&peer_ok, 1, MPI_INT, peer, TAG_PING,
				       comm, MPI_STATUS_IGNORE) :
			      MPI_Send(&ok, 1, MPI_INT, peer, TAG_PING, comm);
	*intact = ok && peer_ok;
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

static void describe(void *state, int rc, char *buf, size_t len)
{
	(void)state;
	snprintf(buf, len, "%s", rc == -EIO ? "an MPI call returned an error" :
					       strerror(-rc));
}

const struct hpcp_p2p_transport hpcp_p2p_mpi = {
	.name = "MPI",
	.ping = ping,
	.bandwidth = bandwidth,
	.validate = validate,
	.describe = describe,
};

