/*
 * Which ranks the point-to-point probes (pingpong, fabric) pair up: one
 * intra-node pair (the two lowest ranks of the first host with two), then
 * the inter-node pairs of the first round-robin round over the node
 * leaders, which are disjoint and measured at the same time.
 */
#ifndef HPCP_PAIRS_H
#define HPCP_PAIRS_H

struct hpcp_ctx;
struct hpcp_res;

struct hpcp_pair {
	int a, b;       /* world ranks, a < b; a starts each exchange */
	int inter;      /* on different hosts */
};

/* Room hpcp_pairs_plan needs. */
static inline int hpcp_pairs_cap(int n_nodes)
{
	return n_nodes / 2 + 2;
}

/* Fill pairs (same on every rank); returns the count. */
int hpcp_pairs_plan(const struct hpcp_ctx *ctx, struct hpcp_pair *pairs);

/* "kind", "ranks" and "hosts" of a pair into its result object. */
void hpcp_res_pair_head(struct hpcp_res *pair, const struct hpcp_ctx *ctx,
			const struct hpcp_pair *p);

#endif
