/*
 * The Lustre client's own counters, as `lctl get_param` shows them and as
 * the files under /proc/fs/lustre and /sys/kernel/debug/lustre hold them:
 * llite.*.stats (operations and bytes), llite.*.read_ahead_stats (hits
 * and misses: the read-ahead hit ratio) and osc.*.rpc_stats (pages per
 * RPC, RPCs in flight), summed over the instances, with deltas between
 * two snapshots; and a file's stripe count and size from its layout
 * (the lustre.lov extended attribute).  Counter names are matched in both
 * styles, the old with spaces ("readpage not consecutive") and the
 * current with underscores.  No MPI: unit-tested on fixtures.
 */
#ifndef HPCP_LUSTRE_H
#define HPCP_LUSTRE_H

#include <stddef.h>
#include <stdint.h>

/* The counters kept, by index into hpcp_lustre_counters.v. */
enum hpcp_lustre_counter {
	/* llite stats: sample counts, and byte sums for the transfers */
	HPCP_LU_READ_COUNT, HPCP_LU_READ_BYTES,
	HPCP_LU_WRITE_COUNT, HPCP_LU_WRITE_BYTES,
	HPCP_LU_OPEN, HPCP_LU_CLOSE, HPCP_LU_GETATTR, HPCP_LU_CREATE,
	HPCP_LU_UNLINK, HPCP_LU_MKDIR, HPCP_LU_FSYNC,
	/* read_ahead_stats */
	HPCP_LU_RA_HITS, HPCP_LU_RA_MISSES,
	/* osc rpc_stats: RPCs, pages moved and the sum of RPCs in flight
	 * over RPCs (for their means) */
	HPCP_LU_READ_RPCS, HPCP_LU_READ_RPC_PAGES, HPCP_LU_READ_INFLIGHT_SUM,
	HPCP_LU_WRITE_RPCS, HPCP_LU_WRITE_RPC_PAGES,
	HPCP_LU_WRITE_INFLIGHT_SUM,
	HPCP_LU_N
};

struct hpcp_lustre_counters {
	uint64_t v[HPCP_LU_N];
	/* Which kinds were found: 1 llite stats, 2 read-ahead, 4 rpc. */
	unsigned found;
	/* llite instances whose stats were read (client mounts: more than
	 * one, and the counters are summed over all of them). */
	unsigned instances;
};

/* The document's name of counter i ("read_bytes", "ra_hits_count"...). */
const char *hpcp_lustre_counter_name(int i);

/*
 * Add what text holds to *c: either `lctl get_param` output (blocks
 * headed "llite.NAME.stats=", "...read_ahead_stats=", "osc.NAME.rpc_stats=")
 * or, with kind 1, 2 or 4, one file's contents of that kind.  Returns 0,
 * or -EINVAL on a line it cannot read.
 */
int hpcp_lustre_parse(const char *text, unsigned kind,
		      struct hpcp_lustre_counters *c);

/*
 * Every instance's files under root (llite/<instance>/stats, ...), or, with
 * root NULL, under /sys/kernel/debug/lustre and /proc/fs/lustre.  0 when
 * any was read, else -ENOENT with why.
 */
int hpcp_lustre_snapshot(const char *root, struct hpcp_lustre_counters *c,
			 char *why, size_t len);

/* d = b - a, counter by counter (a counter that went down, reset: 0);
 * d's instances are the larger of a's and b's. */
void hpcp_lustre_delta(const struct hpcp_lustre_counters *a,
		       const struct hpcp_lustre_counters *b,
		       struct hpcp_lustre_counters *d);

/* hits / (hits + misses); negative when there was no read-ahead. */
double hpcp_lustre_ra_hit_ratio(const struct hpcp_lustre_counters *d);

/*
 * Stripe count and size from a lustre.lov attribute value (a
 * lov_user_md v1 or v3).  0, or -EINVAL for another layout (a composite
 * one has a stripe layout per extent).
 */
int hpcp_lustre_parse_lov(const void *buf, size_t len, uint32_t *count,
			  uint32_t *size);

/* The same for a file or directory: its lustre.lov attribute. */
int hpcp_lustre_stripe(const char *path, uint32_t *count, uint32_t *size);

#endif
