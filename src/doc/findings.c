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

/* "1850 req/s per node with p99 under 50 ms at batch 16; p99 at 2000
 * req/s: 73 ms" (the lowest offered load that missed), or what no load
 * met. */
static void infer_text(const cJSON *root, const cJSON *ph, char *buf,
		       size_t len)
{
	const cJSON *best = hpcp_at(ph, "best"), *p, *miss = NULL;
	double nodes = hpcp_num_at(ph, "nodes_count", 1);
	double target = hpcp_num_at(ph, "target_p99_ns", 0) / 1e6;
	size_t n;

	const cJSON *rm = hpcp_at(ph, "remote");
	const char *per = "node";

	(void)root;
	/* Remote, the rate is the serving nodes' (the rest send). */
	if (rm) {
		nodes = hpcp_num_at(rm, "server_nodes_count", 1);
		per = "serving node (remote)";
	}
	if (nodes < 1)
		nodes = 1;
	if (!cJSON_IsNumber(hpcp_at(best, "rate_per_s"))) {
		snprintf(buf, len, "%s",
			 hpcp_str_at(best, "reason") ? hpcp_str_at(best, "reason")
						     : "no load met the target");
		return;
	}
	n = (size_t)snprintf(buf, len, "%.0f req/s per %s with p99 under "
			     "%.3g ms at batch %.0f",
			     hpcp_num_at(best, "rate_per_s", 0) / nodes, per,
			     target,
			     hpcp_num_at(best, "batch_size", 0));
	cJSON_ArrayForEach(p, hpcp_at(ph, "points"))
		if (strcmp(hpcp_str_at(p, "verdict") ? hpcp_str_at(p, "verdict")
						      : "", "misses") == 0 &&
		    hpcp_num_at(p, "offered_per_s", 0) >
			    hpcp_num_at(best, "offered_per_s", 0) &&
		    (!miss || hpcp_num_at(p, "offered_per_s", 0) <
				      hpcp_num_at(miss, "offered_per_s", 0)))
			miss = p;
	if (miss && n < len && cJSON_IsNumber(hpcp_at(hpcp_at(miss,
				"latency_ns"), "p99")))
		snprintf(buf + n, len - n, "; p99 at %.0f req/s: %.3g ms%s",
			 hpcp_num_at(miss, "offered_per_s", 0) / nodes,
			 hpcp_num_at(hpcp_at(miss, "latency_ns"), "p99", 0) /
				 1e6,
			 cJSON_IsTrue(hpcp_at(miss, "saturated")) ?
				 " and growing (saturated)" : "");
	n = strlen(buf);
	if (n < len && cJSON_IsTrue(hpcp_at(best, "noisy")))
		snprintf(buf + n, len - n, "; noisy host: other work held the "
			 "CPUs");
}

/* n with a space between thousands: "12 400". */
static void grouped(double v, char *buf, size_t len)
{
	char d[32];
	size_t n = 0, k;

	snprintf(d, sizeof(d), "%.0f", v);
	k = strlen(d);
	for (size_t i = 0; i < k && n + 2 < len; i++) {
		if (i && (k - i) % 3 == 0 && d[i - 1] != '-')
			buf[n++] = ' ';
		buf[n++] = d[i];
	}
	buf[n] = '\0';
}

/* "random 4 KiB read: 12 400 IOPS, p99.9 0.82 ms over 20 000 ops: the 1 ms
 * claim holds at 99 % confidence", or why it was not measured; 0 when
 * there is neither. */
static int storage_text(const cJSON *s, char *buf, size_t len)
{
	const cJSON *op, *claim;
	char iops[32], ops[32], need[32], cache[64];
	double p999, cached;

	cJSON_ArrayForEach(op, hpcp_at(s, "ops")) {
		const char *sub = hpcp_str_at(op, "subphase");
		const char *name = hpcp_str_at(op, "op");

		if (!sub || !name || strcmp(sub, "random") != 0 ||
		    strcmp(name, "read") != 0)
			continue;
		grouped(hpcp_num_at(op, "ops_per_s", 0), iops, sizeof(iops));
		grouped(hpcp_num_at(op, "ops_count", 0), ops, sizeof(ops));
		grouped(hpcp_num_at(op, "p99_9_min_count", 0), need,
			sizeof(need));
		p999 = hpcp_num_at(hpcp_at(op, "latency_ns"), "p99_9", -1);
		claim = hpcp_at(op, "claim_p99_9_within_1ms");
		if (p999 < 0 || !cJSON_IsBool(claim)) {
			snprintf(buf, len, "random 4 KiB read: %s IOPS over %s "
				 "ops: too few for a p99.9 claim (%s needed)",
				 iops, ops, need);
			return 1;
		}
		grouped(hpcp_num_at(op, "above_1ms_count", 0), need,
			sizeof(need));
		cached = hpcp_num_at(op, "page_cache_resident_ratio", 0);
		snprintf(cache, sizeof(cache), "; %.0f %% of the file was in "
			 "the page cache", 100 * cached);
		snprintf(buf, len, "random 4 KiB read: %s IOPS, p99.9 %.2f ms "
			 "over %s ops: the 1 ms claim %s at 99 %% confidence "
			 "(%s above 1 ms)%s%s", iops, p999 / 1e6, ops,
			 cJSON_IsTrue(claim) ? "holds" : "does not hold", need,
			 cached > 0 ? cache : "",
			 cJSON_IsTrue(hpcp_at(op, "noisy")) ?
				 "; noisy host: other work held the CPUs" : "");
		return 1;
	}
	/* No random read row: say why, when the phase recorded it (O_DIRECT
	 * refused by the file system). */
	if (hpcp_str_at(hpcp_at(s, "subphases_unavailable"), "random")) {
		snprintf(buf, len, "random 4 KiB read: not measured: %s",
			 hpcp_str_at(hpcp_at(s, "subphases_unavailable"),
				     "random"));
		return 1;
	}
	return 0;
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
	if (hpcp_phase_ok(root, "infer") &&
	    hpcp_at(hpcp_at(phases, "infer"), "best")) {
		f->infer = hpcp_at(phases, "infer");
		infer_text(root, f->infer, f->infer_text,
			   sizeof(f->infer_text));
	}
	if (hpcp_phase_ok(root, "storage") &&
	    storage_text(hpcp_at(phases, "storage"), f->storage_text,
			 sizeof(f->storage_text)))
		f->storage = hpcp_at(phases, "storage");
	cJSON_ArrayForEach(ph, phases) {
		const char *st = hpcp_str_at(ph, "status");

		/* Counted all, the first kept: the summary says how many
		 * more. */
		if (st && strcmp(st, "ok") != 0 &&
		    f->n_not_ok++ < HPCP_FINDINGS_MAX_PHASES)
			f->not_ok[f->n_not_ok - 1] = ph;
	}
}
