#include "config.h"

#include "hpcp/pop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Ratios are efficiencies in 0..1; rounding must not push them past 1. */
static double clamp01(double v)
{
	return v < 0 ? 0 : (v > 1 ? 1 : v);
}

void hpcp_pop_compute(const double *useful, const int *node, int n,
		      int n_nodes, double runtime, double ideal,
		      struct hpcp_pop *out)
{
	double sum = 0, max = 0, var = 0, best_node = 0;
	double *node_sum = calloc((size_t)(n_nodes > 0 ? n_nodes : 1),
				  sizeof(*node_sum));
	int *node_n = calloc((size_t)(n_nodes > 0 ? n_nodes : 1),
			     sizeof(*node_n));

	memset(out, 0, sizeof(*out));
	out->slowest_rank = -1;
	if (!node_sum || !node_n || n <= 0) {
		free(node_sum);
		free(node_n);
		return;
	}
	for (int p = 0; p < n; p++) {
		sum += useful[p];
		if (useful[p] > max || out->slowest_rank < 0) {
			max = useful[p];
			out->slowest_rank = p;
		}
		if (node[p] >= 0 && node[p] < n_nodes) {
			node_sum[node[p]] += useful[p];
			node_n[node[p]]++;
		}
	}
	out->avg_useful_s = sum / n;
	out->max_useful_s = max;
	out->runtime_s = runtime;
	out->ideal_runtime_s = ideal;
	for (int p = 0; p < n; p++)
		var += (useful[p] - out->avg_useful_s) *
		       (useful[p] - out->avg_useful_s);
	out->cov = n > 1 && out->avg_useful_s > 0 ?
			   sqrt(var / (n - 1)) / out->avg_useful_s :
			   0;
	for (int k = 0; k < n_nodes; k++)
		if (node_n[k] && node_sum[k] / node_n[k] > best_node)
			best_node = node_sum[k] / node_n[k];
	free(node_sum);
	free(node_n);
	if (max <= 0 || runtime <= 0 || ideal <= 0 || best_node <= 0)
		return;
	out->valid = 1;
	out->load_balance = clamp01(out->avg_useful_s / max);
	out->load_balance_in_node = clamp01(best_node / max);
	out->load_balance_between_nodes = clamp01(out->avg_useful_s / best_node);
	out->communication_efficiency = clamp01(max / runtime);
	out->serialization_efficiency = clamp01(max / ideal);
	out->transfer_efficiency = clamp01(ideal / runtime);
	out->parallel_efficiency = clamp01(out->avg_useful_s / runtime);
}
