#include "config.h"

#include "hpcp/pairs.h"

#include "hpcp/ctx.h"
#include "hpcp/report.h"
#include "hpcp/schedule.h"

static int lowest_two_on_one_host(const struct hpcp_ctx *ctx,
				  struct hpcp_pair *pair)
{
	for (int h = 0; h < ctx->n_nodes; h++) {
		int first = -1;

		if (ctx->hosts[h].n_ranks < 2)
			continue;
		for (int r = 0; r < ctx->size; r++) {
			if (ctx->ranks[r].node != h)
				continue;
			if (first < 0) {
				first = r;
				continue;
			}
			pair->a = first;
			pair->b = r;
			pair->inter = 0;
			return 1;
		}
	}
	return 0;
}

int hpcp_pairs_plan(const struct hpcp_ctx *ctx, struct hpcp_pair *pairs)
{
	int n = 0;

	if (lowest_two_on_one_host(ctx, &pairs[n]))
		n++;
	for (int node = 0; node < ctx->n_nodes; node++) {
		int other = hpcp_rr_partner(ctx->n_nodes, 0, node);

		if (other > node) {
			pairs[n].a = ctx->hosts[node].leader;
			pairs[n].b = ctx->hosts[other].leader;
			pairs[n].inter = 1;
			n++;
		}
	}
	return n;
}

void hpcp_res_pair_head(struct hpcp_res *pair, const struct hpcp_ctx *ctx,
			const struct hpcp_pair *p)
{
	struct hpcp_res *arr;

	hpcp_res_str(pair, "kind", p->inter ? "inter_node" : "intra_node");
	arr = hpcp_res_array(pair, "ranks");
	hpcp_res_int(arr, NULL, p->a);
	hpcp_res_int(arr, NULL, p->b);
	arr = hpcp_res_array(pair, "hosts");
	hpcp_res_str(arr, NULL, ctx->hosts[ctx->ranks[p->a].node].name);
	hpcp_res_str(arr, NULL, ctx->hosts[ctx->ranks[p->b].node].name);
}
