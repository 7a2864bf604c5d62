/*
 * The only file that includes libfabric.  See include/hpcp/fabric.h.
 */
#include "config.h"

#include "hpcp/fabric.h"

#include <errno.h>
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_tagged.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>

#include "hpcp/opt.h"
#include "hpcp/probe.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define API_VERSION FI_VERSION(1, 14)
#define WINDOW 64
#define TAG_PING 0x50ull
#define TAG_ACK 0x51ull
#define ACK_BYTES 4
/* The all-reduce's tags: kind in the top byte, the call's sequence number
 * and the step below, so no message can match another call's or step's
 * receive whatever order the provider delivers in.  The barrier's rounds
 * carry no data, so a round's tag needs no sequence number. */
#define TAG_COLL (0xC0ull << 48)
#define TAG_BARRIER (0xB0ull << 48)
#define COLL_SEQ_SHIFT 24
#define COLL_SEQ_MASK 0xffffffull
#define BARRIER_BYTES 8
/* Look at the clock once in this many polls: the loops are hot paths. */
#define POLLS_PER_CLOCK_READ 0x1000

struct hpcp_fabric {
	struct fi_info *info;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_av *av;
	struct fid_cq *cq;
	struct fid_ep *ep;
	struct fid_mr *smr, *rmr;
	void *sdesc, *rdesc;
	char *sbuf, *rbuf;
	size_t buf_bytes;
	fi_addr_t *peers;
	int n_peers;
	/* The all-reduce's data and scratch buffers (collective setup). */
	struct fid_mr *cmr, *tmr;
	void *cdesc, *tdesc;
	float *cbuf, *ctmp;
	size_t ccount;         /* floats in each */
	uint32_t seq;          /* calls so far: part of every tag */
	int yield;             /* give the core away while a wait polls */
	/* Contexts stay put until their completion is read (FI_CONTEXT2). */
	struct fi_context2 sctx[WINDOW], rctx[WINDOW], ackctx;
	int err;   /* last completion error, for the caller */
	uint64_t wait_limit_ns;   /* silence that ends a wait: -ETIMEDOUT */
};

uint64_t hpcp_fabric_wait_limit_ns(unsigned timeout_s)
{
	uint64_t t = timeout_s ? timeout_s : HPCP_DEFAULT_TIMEOUT_S;

	return t * 1000000000ull / 10 * 9;
}

const char *hpcp_fabric_strerror(int rc)
{
	return fi_strerror(rc < 0 ? -rc : rc);
}

static struct fi_info *make_hints(const char *provider)
{
	struct fi_info *hints = fi_allocinfo();

	if (!hints)
		return NULL;
	hints->ep_attr->type = FI_EP_RDM;
	hints->caps = FI_TAGGED;
	hints->mode = FI_CONTEXT | FI_CONTEXT2;
	/* What we can do: register our buffers and pass their descriptors. */
	hints->domain_attr->mr_mode = FI_MR_LOCAL | FI_MR_VIRT_ADDR |
				      FI_MR_ALLOCATED | FI_MR_PROV_KEY;
	hints->domain_attr->threading = FI_THREAD_DOMAIN;
	if (provider) {
		hints->fabric_attr->prov_name = strdup(provider);
		if (!hints->fabric_attr->prov_name) {
			fi_freeinfo(hints);
			return NULL;
		}
	}
	return hints;
}

static int get_info(const char *provider, struct fi_info **info)
{
	struct fi_info *hints = make_hints(provider);
	int rc;

	if (!hints)
		return -ENOMEM;
	rc = fi_getinfo(API_VERSION, NULL, NULL, 0, hints, info);
	fi_freeinfo(hints);
	return rc;
}

int hpcp_fabric_choose(const char *requested, int allow_shm, char *provider,
		       size_t len, char *note, size_t notelen, char *why,
		       size_t whylen)
{
	struct fi_info *info = NULL;
	int rc;

	note[0] = '\0';
	if (strcmp(requested, "auto") != 0) {
		rc = get_info(requested, &info);
		if (rc) {
			snprintf(why, whylen,
				 "provider '%s' offers no RDM endpoint with "
				 "tagged messages: fi_getinfo: %s",
				 requested, fi_strerror(-rc));
			return -ENOTSUP;
		}
		fi_freeinfo(info);
		snprintf(provider, len, "%s", requested);
		return 0;
	}
	rc = get_info("efa", &info);
	if (rc == 0) {
		fi_freeinfo(info);
		snprintf(provider, len, "efa");
		return 0;
	}
	snprintf(note, notelen, "EFA was not found (fi_getinfo for efa: %s)",
		 fi_strerror(-rc));
	rc = get_info(NULL, &info);
	if (rc) {
		snprintf(why, whylen,
			 "no RDM provider with tagged messages: fi_getinfo: %s",
			 fi_strerror(-rc));
		return -ENOTSUP;
	}
	for (struct fi_info *cur = info; cur; cur = cur->next) {
		const char *name = cur->fabric_attr->prov_name;

		if (!name || strcmp(name, "sockets") == 0 ||
		    (!allow_shm && strcmp(name, "shm") == 0))
			continue;
		snprintf(provider, len, "%s", name);
		snprintf(note + strlen(note), notelen - strlen(note),
			 "; chose %s, the first RDM provider with tagged "
			 "messages%s", name,
			 allow_shm ? "" : " that reaches other hosts");
		fi_freeinfo(info);
		return 0;
	}
	fi_freeinfo(info);
	snprintf(why, whylen, "EFA was not found and no other usable RDM "
			      "provider with tagged messages");
	return -ENOTSUP;
}

void hpcp_fabric_library_version(char *buf, size_t len)
{
	uint32_t lib = fi_version();

	snprintf(buf, len, "%u.%u", FI_MAJOR(lib), FI_MINOR(lib));
}

static void describe(const struct fi_info *fi, struct hpcp_fabric_info *out)
{
	uint32_t lib = fi_version();
	uint64_t caps = fi->caps;

	memset(out, 0, sizeof(*out));
	snprintf(out->provider, sizeof(out->provider), "%s",
		 fi->fabric_attr->prov_name ? fi->fabric_attr->prov_name : "");
	snprintf(out->fabric, sizeof(out->fabric), "%s",
		 fi->fabric_attr->name ? fi->fabric_attr->name : "");
	snprintf(out->domain, sizeof(out->domain), "%s",
		 fi->domain_attr->name ? fi->domain_attr->name : "");
	snprintf(out->version, sizeof(out->version), "%u.%u",
		 FI_MAJOR(fi->fabric_attr->prov_version),
		 FI_MINOR(fi->fabric_attr->prov_version));
	snprintf(out->library_version, sizeof(out->library_version), "%u.%u",
		 FI_MAJOR(lib), FI_MINOR(lib));
	snprintf(out->ep_type, sizeof(out->ep_type), "%s",
		 fi->ep_attr->type == FI_EP_RDM ? "FI_EP_RDM" : "other");
	snprintf(out->caps, sizeof(out->caps), "%s",
		 fi_tostr(&caps, FI_TYPE_CAPS));
	out->caps[strcspn(out->caps, "\n")] = '\0';
	out->max_msg_size = fi->ep_attr->max_msg_size;
	out->inject_size = fi->tx_attr->inject_size;
	out->mr_local = (fi->domain_attr->mr_mode & FI_MR_LOCAL) != 0;
}

static int register_buffers(struct hpcp_fabric *f)
{
	int rc;

	if (!(f->info->domain_attr->mr_mode & FI_MR_LOCAL))
		return 0;
	rc = fi_mr_reg(f->domain, f->sbuf, f->buf_bytes, FI_SEND | FI_RECV, 0,
		       1, 0, &f->smr, NULL);
	if (rc == 0)
		rc = fi_mr_reg(f->domain, f->rbuf, f->buf_bytes,
			       FI_SEND | FI_RECV, 0, 2, 0, &f->rmr, NULL);
	if (rc)
		return rc;
	f->sdesc = fi_mr_desc(f->smr);
	f->rdesc = fi_mr_desc(f->rmr);
	return 0;
}

#define STEP(call, what)                                                     \
	do {                                                                 \
		rc = (call);                                                 \
		if (rc) {                                                    \
			snprintf(why, len, "%s: %s", what, fi_strerror(-rc)); \
			goto fail;                                           \
		}                                                            \
	} while (0)

int hpcp_fabric_open(const char *provider, size_t max_bytes,
		     uint64_t wait_limit_ns, struct hpcp_fabric **out,
		     struct hpcp_fabric_info *info, char *why, size_t len)
{
	struct hpcp_fabric *f = calloc(1, sizeof(*f));
	struct fi_cq_attr cq_attr;
	struct fi_av_attr av_attr;
	int rc;

	*out = NULL;
	if (!f) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	f->wait_limit_ns = wait_limit_ns ? wait_limit_ns :
					   hpcp_fabric_wait_limit_ns(0);
	/* Room for the bandwidth acknowledgement too. */
	f->buf_bytes = max_bytes < ACK_BYTES ? ACK_BYTES : max_bytes;
	f->sbuf = hpcp_probe_alloc(f->buf_bytes);
	f->rbuf = hpcp_probe_alloc(f->buf_bytes);
	if (!f->sbuf || !f->rbuf) {
		rc = -ENOMEM;
		snprintf(why, len, "out of memory for %zu-byte buffers",
			 f->buf_bytes);
		goto fail;
	}
	STEP(get_info(provider, &f->info), "fi_getinfo");
	describe(f->info, info);
	STEP(fi_fabric(f->info->fabric_attr, &f->fabric, NULL), "fi_fabric");
	STEP(fi_domain(f->fabric, f->info, &f->domain, NULL), "fi_domain");

	memset(&cq_attr, 0, sizeof(cq_attr));
	cq_attr.format = FI_CQ_FORMAT_CONTEXT;
	cq_attr.wait_obj = FI_WAIT_NONE;
	cq_attr.size = 4 * WINDOW;
	STEP(fi_cq_open(f->domain, &cq_attr, &f->cq, NULL), "fi_cq_open");

	memset(&av_attr, 0, sizeof(av_attr));
	av_attr.type = FI_AV_TABLE;
	STEP(fi_av_open(f->domain, &av_attr, &f->av, NULL), "fi_av_open");

	STEP(fi_endpoint(f->domain, f->info, &f->ep, NULL), "fi_endpoint");
	STEP(fi_ep_bind(f->ep, &f->av->fid, 0), "fi_ep_bind(av)");
	STEP(fi_ep_bind(f->ep, &f->cq->fid, FI_TRANSMIT | FI_RECV),
	     "fi_ep_bind(cq)");
	STEP(fi_enable(f->ep), "fi_enable");
	STEP(register_buffers(f), "fi_mr_reg");
	*out = f;
	return 0;
fail:
	hpcp_fabric_close(f);
	return rc < 0 ? rc : -EIO;
}

int hpcp_fabric_address(struct hpcp_fabric *f, void *addr, size_t *len)
{
	*len = HPCP_FABRIC_ADDR_MAX;
	return fi_getname(&f->ep->fid, addr, len);
}

int hpcp_fabric_add_peers(struct hpcp_fabric *f, const void *addrs,
			  size_t stride, size_t len, int n, char *why,
			  size_t whylen)
{
	(void)len;
	f->peers = calloc((size_t)n, sizeof(*f->peers));
	if (!f->peers) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	f->n_peers = n;
	for (int i = 0; i < n; i++) {
		int rc = fi_av_insert(f->av, (const char *)addrs + i * stride,
				      1, &f->peers[i], 0, NULL);

		if (rc != 1) {
			snprintf(why, whylen, "fi_av_insert of rank %d: %s", i,
				 fi_strerror(rc < 0 ? -rc : FI_EOTHER));
			return rc < 0 ? rc : -EIO;
		}
	}
	return 0;
}

static int is_recv(const struct hpcp_fabric *f, const void *ctx)
{
	const char *p = ctx;

	return ctx == &f->ackctx ||
	       (p >= (const char *)f->rctx &&
		p < (const char *)(f->rctx + WINDOW));
}

/*
 * Called once in POLLS_PER_CLOCK_READ polls without progress (every poll
 * of a yielding wait): 1 when there has been none for the wait limit.
 * *since is 0 after progress.
 */
static int silent_too_long(const struct hpcp_fabric *f, uint64_t *since)
{
	uint64_t now = hpcp_now_ns();

	if (!*since)
		*since = now;
	return now - *since > f->wait_limit_ns;
}

/*
 * Read completions until recvs receives and sends sends have completed.
 * Progress is manual on some providers, so this loop also drives it.
 */
static int wait_for(struct hpcp_fabric *f, int recvs, int sends)
{
	struct fi_cq_entry entry;
	uint64_t polls = 0, since = 0;

	while (recvs > 0 || sends > 0) {
		ssize_t n = fi_cq_read(f->cq, &entry, 1);

		if (n == 1) {
			/* Progress: the time limit is for silence, not for a
			 * long window of large messages. */
			since = 0;
			hpcp_watch_beat();
			if (is_recv(f, entry.op_context))
				recvs--;
			else
				sends--;
			continue;
		}
		if (n == -FI_EAVAIL) {
			struct fi_cq_err_entry err;

			memset(&err, 0, sizeof(err));
			fi_cq_readerr(f->cq, &err, 0);
			f->err = err.err;
			return -(err.err ? err.err : EIO);
		}
		if (n != -FI_EAGAIN)
			return (int)n;
		/* A yielding poll waits a scheduler turn whenever the host
		 * is busy, so 4096 of them can outlast the limit itself: it
		 * looks at the clock every time (a clock read is small next
		 * to the system call). */
		if (f->yield)
			sched_yield();
		if ((f->yield || ++polls % POLLS_PER_CLOCK_READ == 0) &&
		    silent_too_long(f, &since))
			return -ETIMEDOUT;
	}
	return 0;
}

/* Retry a post while the provider's queue is full, driving progress;
 * bounded by the same limit, so a stuck queue ends as -ETIMEDOUT rather
 * than a hang. */
#define POST(rc, call)                                                      \
	do {                                                                \
		uint64_t tries_ = 0, since_ = 0;                            \
		while (((rc) = (int)(call)) == -FI_EAGAIN) {                \
			fi_cq_read(f->cq, NULL, 0);                         \
			if (++tries_ % POLLS_PER_CLOCK_READ == 0 &&         \
			    silent_too_long(f, &since_)) {                  \
				(rc) = -ETIMEDOUT;                          \
				break;                                      \
			}                                                   \
		}                                                           \
	} while (0)

static int post_recv(struct hpcp_fabric *f, int peer, size_t bytes)
{
	int rc;

	POST(rc, fi_trecv(f->ep, f->rbuf, bytes, f->rdesc, f->peers[peer],
			  TAG_PING, 0, &f->rctx[0]));
	return rc;
}

/* Inject when the provider lets us: no send completion to wait for. */
static int post_send(struct hpcp_fabric *f, int peer, size_t bytes,
		     int *sends)
{
	int rc;

	*sends = bytes > f->info->tx_attr->inject_size;
	if (!*sends)
		POST(rc, fi_tinject(f->ep, f->sbuf, bytes, f->peers[peer],
				    TAG_PING));
	else
		POST(rc, fi_tsend(f->ep, f->sbuf, bytes, f->sdesc,
				  f->peers[peer], TAG_PING, &f->sctx[0]));
	return rc;
}

int hpcp_fabric_pingpong(struct hpcp_fabric *f, int peer, int starts,
			 size_t bytes, uint64_t warmup, uint64_t iterations,
			 struct hpcp_hist *h, uint64_t *loop_ns)
{
	uint64_t total = warmup + iterations, start = hpcp_now_ns(), prev = 0;
	int rc, sends = 0;

	if (peer < 0 || peer >= f->n_peers || bytes > f->buf_bytes)
		return -EINVAL;
	hpcp_hist_reset(h);
	hpcp_watch_waiting_on(peer);
	/* Receives are posted before the message can arrive, as fabtests'
	 * pre-posted ping-pong does. */
	rc = post_recv(f, peer, bytes);
	for (uint64_t i = 0; i < total && rc == 0; i++) {
		if (i == warmup)
			prev = start = hpcp_now_ns();
		if (starts) {
			/* One clock read per iteration: each sample runs from
			 * the end of the previous round trip to the end of this
			 * one, re-posting the receive included, as a whole-loop
			 * timer (fi_pingpong's) counts it. */
			rc = post_send(f, peer, bytes, &sends);
			if (rc == 0)
				rc = wait_for(f, 1, sends);
			if (rc == 0 && i + 1 < total)
				rc = post_recv(f, peer, bytes);
			if (i >= warmup) {
				uint64_t t = hpcp_now_ns();

				hpcp_hist_record(h, (t - prev) / 2);
				prev = t;
			}
		} else {
			rc = wait_for(f, 1, 0);
			if (rc == 0 && i + 1 < total)
				rc = post_recv(f, peer, bytes);
			if (rc == 0)
				rc = post_send(f, peer, bytes, &sends);
			if (rc == 0 && sends)
				rc = wait_for(f, 0, sends);
		}
	}
	if (loop_ns)
		*loop_ns = hpcp_now_ns() - start;
	return rc;
}

int hpcp_fabric_bandwidth(struct hpcp_fabric *f, int peer, int starts,
			  size_t bytes, uint64_t skip, uint64_t windows,
			  double *bytes_per_s)
{
	uint64_t start = hpcp_now_ns();
	fi_addr_t to;
	int rc = 0;

	if (peer < 0 || peer >= f->n_peers || bytes > f->buf_bytes)
		return -EINVAL;
	to = f->peers[peer];
	for (uint64_t w = 0; w < skip + windows && rc == 0; w++) {
		if (w == skip)
			start = hpcp_now_ns();
		if (starts) {
			POST(rc, fi_trecv(f->ep, f->rbuf, ACK_BYTES, f->rdesc,
					   to, TAG_ACK, 0, &f->ackctx));
			for (int k = 0; k < WINDOW && rc == 0; k++)
				POST(rc, fi_tsend(f->ep, f->sbuf, bytes,
						   f->sdesc, to, TAG_PING,
						   &f->sctx[k]));
			if (rc == 0)
				rc = wait_for(f, 1, WINDOW);
		} else {
			/* Like osu_bw, the window's receives share one
			 * buffer: this measures rate, not content. */
			for (int k = 0; k < WINDOW && rc == 0; k++)
				POST(rc, fi_trecv(f->ep, f->rbuf, bytes,
						   f->rdesc, to, TAG_PING, 0,
						   &f->rctx[k]));
			if (rc == 0)
				rc = wait_for(f, WINDOW, 0);
			if (rc == 0)
				POST(rc, fi_tsend(f->ep, f->sbuf, ACK_BYTES,
						   f->sdesc, to, TAG_ACK,
						   &f->sctx[0]));
			if (rc == 0)
				rc = wait_for(f, 0, 1);
		}
	}
	if (starts) {
		double secs = (double)(hpcp_now_ns() - start) / 1e9;

		*bytes_per_s = secs > 0 && rc == 0 ?
				       (double)bytes * WINDOW *
					       (double)windows / secs :
				       -1;
	}
	return rc;
}

int hpcp_fabric_coll_setup(struct hpcp_fabric *f, size_t max_floats,
			   char *why, size_t len)
{
	/* The scratch buffer holds a whole buffer (recursive doubling) and
	 * the barrier's word behind it. */
	size_t bytes = max_floats * sizeof(float);
	size_t tbytes = bytes + BARRIER_BYTES;
	int rc;

	if (f->cbuf)
		return max_floats <= f->ccount ? 0 : -EINVAL;
	f->cbuf = hpcp_probe_alloc(bytes ? bytes : sizeof(float));
	f->ctmp = hpcp_probe_alloc(tbytes);
	if (!f->cbuf || !f->ctmp) {
		snprintf(why, len, "out of memory for %zu-byte all-reduce "
			 "buffers", bytes);
		return -ENOMEM;
	}
	f->ccount = max_floats;
	/* Registered once, here, never in the timed loop. */
	if (!(f->info->domain_attr->mr_mode & FI_MR_LOCAL))
		return 0;
	rc = fi_mr_reg(f->domain, f->cbuf, bytes ? bytes : sizeof(float),
		       FI_SEND | FI_RECV, 0, 3, 0, &f->cmr, NULL);
	if (rc == 0)
		rc = fi_mr_reg(f->domain, f->ctmp, tbytes, FI_SEND | FI_RECV,
			       0, 4, 0, &f->tmr, NULL);
	if (rc) {
		snprintf(why, len, "fi_mr_reg of the all-reduce buffers: %s",
			 fi_strerror(-rc));
		return rc;
	}
	f->cdesc = fi_mr_desc(f->cmr);
	f->tdesc = fi_mr_desc(f->tmr);
	return 0;
}

void hpcp_fabric_set_yield(struct hpcp_fabric *f, int yield)
{
	f->yield = yield;
}

float *hpcp_fabric_coll_buffer(struct hpcp_fabric *f)
{
	return f->cbuf;
}

/* One step: receive rbytes from `from` into rbuf (when from >= 0) and
 * send sbytes of sbuf to `to` (when to >= 0), both under tag; the receive
 * is posted first, and the call returns when both have completed. */
static int exchange(struct hpcp_fabric *f, int to, const void *sbuf,
		    void *sdesc, size_t sbytes, int from, void *rbuf,
		    void *rdesc, size_t rbytes, uint64_t tag)
{
	int rc = 0, recvs = 0, sends = 0;

	if (from >= 0) {
		hpcp_watch_waiting_on(from);
		POST(rc, fi_trecv(f->ep, rbuf, rbytes, rdesc, f->peers[from],
				  tag, 0, &f->rctx[0]));
		recvs = 1;
	}
	if (rc == 0 && to >= 0) {
		if (sbytes <= f->info->tx_attr->inject_size) {
			POST(rc, fi_tinject(f->ep, sbuf, sbytes, f->peers[to],
					    tag));
		} else {
			POST(rc, fi_tsend(f->ep, sbuf, sbytes, sdesc,
					  f->peers[to], tag, &f->sctx[0]));
			sends = 1;
		}
	}
	if (rc == 0)
		rc = wait_for(f, recvs, sends);
	return rc;
}

int hpcp_fabric_barrier(struct hpcp_fabric *f, int rank)
{
	int n = f->n_peers, rc = 0;
	char *word = (char *)f->ctmp + f->ccount * sizeof(float);

	/* Dissemination: in round k, tell rank + 2^k, hear from rank - 2^k;
	 * after ceil(log2 n) rounds everyone has heard from everyone. */
	for (int k = 0, d = 1; d < n && rc == 0; k++, d <<= 1)
		rc = exchange(f, (rank + d) % n, word, f->tdesc, BARRIER_BYTES,
			      (rank - d + n) % n, word, f->tdesc,
			      BARRIER_BYTES, TAG_BARRIER | (uint64_t)k);
	return rc;
}

/* Chunk i of count floats cut in n: the first count % n get one more. */
static void chunk(size_t count, int n, int i, size_t *off, size_t *len)
{
	size_t base = count / (size_t)n, rem = count % (size_t)n;
	size_t u = (size_t)i;

	*len = base + (u < rem);
	*off = u * base + (u < rem ? u : rem);
}

static void add(float *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

static uint64_t coll_tag(const struct hpcp_fabric *f, unsigned step)
{
	return TAG_COLL | (((uint64_t)f->seq & COLL_SEQ_MASK) << COLL_SEQ_SHIFT) |
	       step;
}

/* Reduce-scatter then all-gather around the ring: 2(n-1) steps, each
 * moving one n-th of the buffer to the right-hand neighbour. */
static int ring(struct hpcp_fabric *f, int r, size_t count)
{
	int n = f->n_peers, right = (r + 1) % n, left = (r - 1 + n) % n;
	unsigned step = 0;
	int rc = 0;

	for (int s = 0; s < n - 1 && rc == 0; s++, step++) {
		size_t so, sl, ro, rl;

		chunk(count, n, ((r - s) % n + n) % n, &so, &sl);
		chunk(count, n, ((r - s - 1) % n + 2 * n) % n, &ro, &rl);
		rc = exchange(f, sl ? right : -1, f->cbuf + so, f->cdesc,
			      sl * sizeof(float), rl ? left : -1, f->ctmp,
			      f->tdesc, rl * sizeof(float),
			      coll_tag(f, step));
		if (rc == 0)
			add(f->cbuf + ro, f->ctmp, rl);
	}
	/* Rank r now holds chunk r + 1 reduced; pass the chunks on. */
	for (int s = 0; s < n - 1 && rc == 0; s++, step++) {
		size_t so, sl, ro, rl;

		chunk(count, n, ((r + 1 - s) % n + n) % n, &so, &sl);
		chunk(count, n, ((r - s) % n + n) % n, &ro, &rl);
		rc = exchange(f, sl ? right : -1, f->cbuf + so, f->cdesc,
			      sl * sizeof(float), rl ? left : -1, f->cbuf + ro,
			      f->cdesc, rl * sizeof(float), coll_tag(f, step));
	}
	return rc;
}

/* Largest power of two not above n. */
static int pow2_floor(int n)
{
	int p = 1;

	while (p * 2 <= n)
		p *= 2;
	return p;
}

/*
 * Recursive doubling over a power of two p: the first 2(n - p) ranks fold
 * pairwise first (even hands its buffer to odd, which stands for both) and
 * unfold at the end (odd hands the sum back), so a non-power-of-two count
 * costs two steps more, not a wrong answer.
 */
static int recursive_doubling(struct hpcp_fabric *f, int r, size_t count)
{
	int n = f->n_peers, p = pow2_floor(n), extra = n - p, me, rc = 0;
	size_t bytes = count * sizeof(float);
	unsigned step = 1;

	if (r < 2 * extra) {
		if (r % 2 == 0) {
			rc = exchange(f, r + 1, f->cbuf, f->cdesc, bytes, -1,
				      NULL, NULL, 0, coll_tag(f, 0));
			if (rc == 0)
				rc = exchange(f, -1, NULL, NULL, 0, r + 1,
					      f->cbuf, f->cdesc, bytes,
					      coll_tag(f, 0xfffff));
			return rc;
		}
		rc = exchange(f, -1, NULL, NULL, 0, r - 1, f->ctmp, f->tdesc,
			      bytes, coll_tag(f, 0));
		if (rc)
			return rc;
		add(f->cbuf, f->ctmp, count);
		me = r / 2;
	} else {
		me = r - extra;
	}
	for (int mask = 1; mask < p && rc == 0; mask <<= 1, step++) {
		int q = me ^ mask;
		int peer = q < extra ? 2 * q + 1 : q + extra;

		rc = exchange(f, peer, f->cbuf, f->cdesc, bytes, peer, f->ctmp,
			      f->tdesc, bytes, coll_tag(f, step));
		if (rc == 0)
			add(f->cbuf, f->ctmp, count);
	}
	if (rc == 0 && r < 2 * extra)
		rc = exchange(f, r - 1, f->cbuf, f->cdesc, bytes, -1, NULL,
			      NULL, 0, coll_tag(f, 0xfffff));
	return rc;
}

int hpcp_fabric_allreduce(struct hpcp_fabric *f, int rank,
			  enum hpcp_fabric_ar alg, size_t count)
{
	int rc;

	if (!f->cbuf || count > f->ccount || rank < 0 || rank >= f->n_peers)
		return -EINVAL;
	f->seq++;
	if (f->n_peers < 2 || count == 0)
		return 0;
	rc = alg == HPCP_FABRIC_AR_RING ? ring(f, rank, count) :
					  recursive_doubling(f, rank, count);
	return rc;
}

uint64_t hpcp_fabric_allreduce_sent_bytes(enum hpcp_fabric_ar alg, int n,
					  int rank, size_t count)
{
	size_t off, a, b;
	int p, extra, steps = 0;

	if (n < 2 || count == 0)
		return 0;
	if (alg == HPCP_FABRIC_AR_RING) {
		/* Every chunk but r + 1 in the reduce-scatter, every chunk
		 * but r + 2 in the all-gather. */
		chunk(count, n, (rank + 1) % n, &off, &a);
		chunk(count, n, (rank + 2) % n, &off, &b);
		return (uint64_t)(2 * count - a - b) * sizeof(float);
	}
	p = pow2_floor(n);
	extra = n - p;
	if (rank < 2 * extra && rank % 2 == 0)
		return (uint64_t)count * sizeof(float);
	for (int m = 1; m < p; m <<= 1)
		steps++;
	if (rank < 2 * extra)
		steps++;
	return (uint64_t)steps * count * sizeof(float);
}

void hpcp_fabric_close(struct hpcp_fabric *f)
{
	if (!f)
		return;
	/* Reverse order of opening; every handle may be missing. */
	if (f->ep)
		fi_close(&f->ep->fid);
	if (f->smr)
		fi_close(&f->smr->fid);
	if (f->rmr)
		fi_close(&f->rmr->fid);
	if (f->cmr)
		fi_close(&f->cmr->fid);
	if (f->tmr)
		fi_close(&f->tmr->fid);
	if (f->av)
		fi_close(&f->av->fid);
	if (f->cq)
		fi_close(&f->cq->fid);
	if (f->domain)
		fi_close(&f->domain->fid);
	if (f->fabric)
		fi_close(&f->fabric->fid);
	if (f->info)
		fi_freeinfo(f->info);
	free(f->peers);
	free(f->sbuf);
	free(f->rbuf);
	free(f->cbuf);
	free(f->ctmp);
	free(f);
}
