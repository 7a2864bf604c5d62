/*
 * CPU sets as bitmaps and "0-3,8" lists, and the binding check that finds
 * oversubscribed hosts.  Plain C (no hwloc): ranks read their own binding
 * with sched_getaffinity and the check runs on rank 0 from the lists.
 */
#ifndef HPCP_CPUSET_H
#define HPCP_CPUSET_H

#include <stddef.h>
#include <stdint.h>

#define HPCP_CPUSET_BITS 4096

struct hpcp_cpuset {
	uint64_t bits[HPCP_CPUSET_BITS / 64];
};

void hpcp_cpuset_zero(struct hpcp_cpuset *s);
void hpcp_cpuset_set(struct hpcp_cpuset *s, unsigned cpu);
int hpcp_cpuset_isset(const struct hpcp_cpuset *s, unsigned cpu);
int hpcp_cpuset_count(const struct hpcp_cpuset *s);
int hpcp_cpuset_intersects(const struct hpcp_cpuset *a,
			   const struct hpcp_cpuset *b);
/* 1 when every CPU of a is in b. */
int hpcp_cpuset_subset(const struct hpcp_cpuset *a,
		       const struct hpcp_cpuset *b);
void hpcp_cpuset_or(struct hpcp_cpuset *dst, const struct hpcp_cpuset *src);

/* "0-3,8" into *out.  Returns 0, or -EINVAL on malformed or too-large. */
int hpcp_cpuset_parse(const char *list, struct hpcp_cpuset *out);

/* *s as a list into buf; "" for an empty set.  Truncates with "...". */
void hpcp_cpuset_format(const struct hpcp_cpuset *s, char *buf, size_t len);

/* This thread's binding (sched_getaffinity).  Returns 0 or -errno. */
int hpcp_cpuset_self(struct hpcp_cpuset *out);

/* What the binding check found on one host. */
struct hpcp_binding_verdict {
	int ranks;           /* ranks on the host */
	int usable_pus;      /* PUs the ranks may run on, together */
	int more_ranks_than_pus;
	int shared_pu;       /* two ranks bound to overlapping PUs */
	int shared_a, shared_b;  /* the first such pair of ranks */
	int unbound;         /* ranks allowed on every PU of the host */
};

/*
 * Check the ranks of one host.  host is every PU of the host; ranks[i] is
 * the binding of the rank with id rank_ids[i].  A rank counts as bound when
 * its set is smaller than host.
 */
void hpcp_binding_check(const struct hpcp_cpuset *host,
			const struct hpcp_cpuset *ranks, const int *rank_ids,
			int n, struct hpcp_binding_verdict *v);

static inline int hpcp_binding_oversubscribed(
	const struct hpcp_binding_verdict *v)
{
	return v->more_ranks_than_pus || v->shared_pu;
}

#endif
