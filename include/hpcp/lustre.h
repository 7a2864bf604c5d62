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

/* A layout component: the stripes of bytes [start, end) of a file. */
struct hpcp_lustre_component {
	uint64_t start, end;          /* end UINT64_MAX: to the file's end */
	int32_t stripe_count;         /* 0: data on the MDT (DoM); -1: every
				       * OST (a template not yet instantiated) */
	uint32_t stripe_size;         /* bytes; 0 for an extension */
	uint64_t extension_size;      /* bytes a SEL extension adds */
	uint32_t pattern;             /* lmm_pattern (RAID0 1, MDT 0x100...) */
	uint16_t mirror;              /* FLR mirror id, 0 without mirrors */
	unsigned char instantiated;   /* objects allocated (PFL: written to) */
	unsigned char extension;      /* a self-extending layout's reserve */
};

#define HPCP_LU_MAX_COMPONENTS 16

/* A file's layout: one plain component, or a composite (PFL, FLR, SEL)
 * one with a stripe layout per extent. */
struct hpcp_lustre_layout {
	int composite;
	unsigned n;                   /* components kept, at most the max */
	unsigned total;               /* components the layout has */
	struct hpcp_lustre_component c[HPCP_LU_MAX_COMPONENTS];
};

/*
 * A lustre.lov attribute value: a lov_user_md v1 or v3 (one component
 * covering the whole file) or a lov_comp_md v1, also under the SEL magic
 * (one per entry, each with its own v1/v3 blob; zero-length ones
 * allowed).  0, or -EINVAL for another or a malformed layout.
 */
int hpcp_lustre_parse_layout(const void *buf, size_t len,
			     struct hpcp_lustre_layout *l);

/*
 * The component that holds the most of a file of size bytes (of the first
 * mirror, instantiated; an extension reserve never), so its stripes are
 * the ones the file's data mostly went through; at size 0, the one at
 * offset 0.  Its index into l->c, or -1 when none covers any of it.
 */
int hpcp_lustre_main_component(const struct hpcp_lustre_layout *l,
			       uint64_t size);

/* "raid0", "overstriping", "mdt" (data on the MDT), "extension" (a
 * self-extending layout's reserve) or "other". */
const char *hpcp_lustre_pattern_name(const struct hpcp_lustre_component *c);

/* The layout of a file or directory (its lustre.lov attribute) and, for
 * a file, its size.  0 or a negative errno (-EINVAL: not readable). */
int hpcp_lustre_layout_of(const char *path, struct hpcp_lustre_layout *l,
			  uint64_t *size);

#endif
