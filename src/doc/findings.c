/*
 * What matters first in a results document: was EFA used, the slowest
 * link, outlier nodes, load balance, noisy hosts, phases that failed.
 * Computed once, here, so the summary (summary.c) and the HTML report's
 * narrative (tools/report/html_narrative.c) cannot disagree on them.
 */
#include "config.h"

#include "hpcpdoc.h"

#include <string.h>

const char *hpcp_pair_host(const cJSON *pair, int i)
{
	const cJSON *h = cJSON_GetArrayItem(hpcp_at(pair, "hosts"), i);

	return cJSON_IsString(h) && h->valuestring ? h->valuestring : "?";
}

static void links(const cJSON *ph, const char *kind,
		  struct hpcp_link_finding *l)
{
	const cJSON *pair, *size;

	memset(l, 0, sizeof(*l));
	l->slowest_p50_ns = -1;
	cJSON_ArrayForEach(pair, hpcp_at(ph, "pairs")) {
		const char *k = hpcp_str_at(pair, "kind");
		int counted = 0;

		if (!k || strcmp(k, kind) != 0)
			continue;
		l->pairs_count++;
		cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
			double p50 = hpcp_num_at(hpcp_at(size, "latency_ns"),
						 "p50", -1);

			if (hpcp_num_at(size, "bytes", -1) !=
				    HPCP_FINDINGS_SMALL_BYTES ||
			    p50 < 0)
				continue;
			if (!counted++)
				l->n++;
			if (p50 > l->slowest_p50_ns) {
				l->slowest_p50_ns = p50;
				l->slowest_pair = pair;
				l->slowest_size = size;
			}
			if (!l->fastest_size || p50 < l->fastest_p50_ns) {
				l->fastest_p50_ns = p50;
				l->fastest_pair = pair;
				l->fastest_size = size;
			}
		}
	}
}

void hpcp_findings_of(const cJSON *root, struct hpcp_findings *f)
{
	const cJSON *phases = hpcp_at(root, "phases"), *ph, *size;
	const cJSON *pp = hpcp_at(phases, "pingpong");
	const cJSON *rob;

	memset(f, 0, sizeof(*f));
	f->fabric = hpcp_at(phases, "fabric");
	f->fabric_ok = hpcp_phase_ok(root, "fabric");
	if (f->fabric_ok) {
		f->efa_known = cJSON_IsBool(hpcp_at(f->fabric, "efa_used"));
		f->efa_used = cJSON_IsTrue(hpcp_at(f->fabric, "efa_used"));
		links(f->fabric, "inter_node", &f->fabric_inter);
		links(f->fabric, "intra_node", &f->fabric_intra);
	}
	f->pingpong_ok = hpcp_phase_ok(root, "pingpong");
	if (f->pingpong_ok) {
		links(pp, "inter_node", &f->pingpong_inter);
		links(pp, "intra_node", &f->pingpong_intra);
		f->matrix = hpcp_at(pp, "node_matrix");
		f->matrix_hosts = cJSON_GetArraySize(hpcp_at(f->matrix,
							     "hosts"));
		f->noisy_matrix = cJSON_IsTrue(hpcp_at(f->matrix, "noisy"));
		f->noisy_pairs = cJSON_IsTrue(hpcp_at(hpcp_at(pp, "host_load"),
						      "noisy"));
	}
	if (hpcp_phase_ok(root, "compute")) {
		f->compute = hpcp_at(phases, "compute");
		rob = hpcp_at(f->compute, "load_balance_robust");
		f->lb_robust = hpcp_summary_robust_lb(rob, f->lb_text,
						      sizeof(f->lb_text));
		f->noisy_compute = f->lb_robust &&
				   cJSON_IsTrue(hpcp_at(rob, "noisy"));
	}
	if (hpcp_phase_ok(root, "allreduce"))
		cJSON_ArrayForEach(size, hpcp_at(hpcp_at(phases, "allreduce"),
						 "sizes"))
			f->noisy_allreduce |= cJSON_IsTrue(hpcp_at(size,
								   "noisy"));
	cJSON_ArrayForEach(ph, phases) {
		const char *st = hpcp_str_at(ph, "status");

		if (st && strcmp(st, "ok") != 0 &&
		    f->n_not_ok < HPCP_FINDINGS_MAX_PHASES)
			f->not_ok[f->n_not_ok++] = ph;
	}
}
