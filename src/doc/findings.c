/*
 * What matters first in a results document: was EFA used, the slowest
 * link, outlier nodes, load balance, noisy hosts, phases that failed.
 * Computed once, here, so the summary (summary.c) and the HTML report's
 * narrative (tools/report/html_narrative.c) cannot disagree on them.
 */
#include "config.h"

#include "hpcpdoc.h"

#include <math.h>
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

/* "reached 85 % in 2 epochs, 5.1 s (final 85.7 %); 41 % of a step waits
 * on all-reduce, 9 % on the slowest rank; compute-bound; slowest rank 0
 * on vm". */
static void train_text(const cJSON *t, char *buf, size_t len)
{
	const cJSON *fr = hpcp_at(t, "step_fractions");
	const cJSON *st = hpcp_at(t, "straggler");
	double target = hpcp_num_at(t, "target_accuracy_ratio", -1);
	double acc = hpcp_num_at(t, "final_test_accuracy_ratio", -1);
	size_t n = 0;

	if (target >= 0 && cJSON_IsNumber(hpcp_at(t, "time_to_target_ns")))
		n += (size_t)snprintf(buf + n, len - n,
				      "reached %.3g %% in %.0f epoch(s), "
				      "%.1f s",
				      100 * target,
				      hpcp_num_at(t, "epochs_to_target_count",
						  0),
				      hpcp_num_at(t, "time_to_target_ns", 0) /
					      1e9);
	else if (target >= 0)
		n += (size_t)snprintf(buf + n, len - n,
				      "did not reach %.3g %%", 100 * target);
	else
		n += (size_t)snprintf(buf + n, len - n, "final loss %.4g",
				      hpcp_num_at(t, "final_train_loss", 0));
	if (acc >= 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, " (final %.1f %%)",
				      100 * acc);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n,
				      "; %.0f %% of a step waits on "
				      "all-reduce, %.0f %% on the slowest "
				      "rank; %s-bound",
				      100 * hpcp_num_at(fr,
						"exposed_communication_ratio",
						0),
				      100 * hpcp_num_at(fr, "skew_ratio", 0),
				      hpcp_str_at(t, "bound") ?
					      hpcp_str_at(t, "bound") : "?");
	if (n < len && cJSON_IsNumber(hpcp_at(st, "rank")))
		snprintf(buf + n, len - n, "; slowest rank %.0f on %s",
			 hpcp_num_at(st, "rank", -1),
			 hpcp_str_at(st, "host") ? hpcp_str_at(st, "host") :
						   "?");
}

/* The size the finding names: 64 KiB when compared there, else the
 * largest size compared. */
static const cJSON *fabric_ar_row(const cJSON *fabric)
{
	const cJSON *size, *best = NULL;

	cJSON_ArrayForEach(size, hpcp_at(hpcp_at(fabric, "allreduce"),
					 "sizes")) {
		if (!cJSON_IsNumber(hpcp_at(size, "mpi_over_fabric_ratio")))
			continue;
		if (hpcp_num_at(size, "bytes", 0) == 65536)
			return size;
		if (!best || hpcp_num_at(size, "bytes", 0) >
				     hpcp_num_at(best, "bytes", 0))
			best = size;
	}
	return best;
}

static void fabric_ar_text(const cJSON *fabric, char *buf, size_t len)
{
	const cJSON *row = fabric_ar_row(fabric);
	double bytes, mpi, fab, ratio;
	char size[32];

	buf[0] = '\0';
	if (!row)
		return;
	bytes = hpcp_num_at(row, "bytes", 0);
	mpi = hpcp_num_at(row, "mpi_latency_p50_ns", 0) / 1e3;
	fab = hpcp_num_at(hpcp_at(row, "latency_ns"), "p50", 0) / 1e3;
	ratio = hpcp_num_at(row, "mpi_over_fabric_ratio", 0);
	if (bytes >= 1048576 && fmod(bytes, 1048576) == 0)
		snprintf(size, sizeof(size), "%.0f MiB", bytes / 1048576);
	else if (bytes >= 1024 && fmod(bytes, 1024) == 0)
		snprintf(size, sizeof(size), "%.0f KiB", bytes / 1024);
	else
		snprintf(size, sizeof(size), "%.0f B", bytes);
	snprintf(buf, len,
		 "%s all-reduce: MPI %.1f us, libfabric %s %.1f us: MPI's "
		 "collective %s %.0f %%%s",
		 size, mpi, hpcp_str_at(row, "algorithm") ?
				   hpcp_str_at(row, "algorithm") : "?",
		 fab, ratio >= 1 ? "adds" : "takes",
		 ratio >= 1 ? 100 * (ratio - 1) : 100 * (1 - ratio),
		 ratio >= 1 ? "" : " less time");
	/* A noisy host's comparison is not a finding. */
	if (cJSON_IsTrue(hpcp_at(row, "noisy")))
		snprintf(buf + strlen(buf), len - strlen(buf),
			 " (noisy host: not a finding)");
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
		fabric_ar_text(f->fabric, f->fabric_ar_text,
			       sizeof(f->fabric_ar_text));
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
	if (hpcp_phase_ok(root, "train") &&
	    hpcp_at(hpcp_at(phases, "train"), "step_fractions")) {
		f->train = hpcp_at(phases, "train");
		train_text(f->train, f->train_text, sizeof(f->train_text));
	}
	cJSON_ArrayForEach(ph, phases) {
		const char *st = hpcp_str_at(ph, "status");

		/* Counted all, the first kept: the summary says how many
		 * more. */
		if (st && strcmp(st, "ok") != 0 &&
		    f->n_not_ok++ < HPCP_FINDINGS_MAX_PHASES)
			f->not_ok[f->n_not_ok - 1] = ph;
	}
}
