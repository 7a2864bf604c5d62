/*
 * The narrative: what the document says, in sentences written only
 * from measured values (fastest and slowest pairs, bandwidth, balance);
 * the findings (src/doc/findings.c) are those of the summary.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_us(struct hpcp_text *t, double ns)
{
	hpcp_html_put_val(t, ns / 1e3);
	hpcp_put(t, " \u00b5s");
}

static void put_pair_ranks(struct hpcp_text *t, const cJSON *pair)
{
	const cJSON *r = hpcp_at(pair, "ranks");
	double a, b;

	if (hpcp_num_of(cJSON_GetArrayItem(r, 0), &a) &&
	    hpcp_num_of(cJSON_GetArrayItem(r, 1), &b))
		hpcp_put(t, "ranks %.0f\u2013%.0f", a, b);
	else
		hpcp_put(t, "one pair");
}

/*
 * The 8-byte links of one kind (findings.c: the summary's rule): "p50 was
 * X µs (p99 Y µs, half the round trip, K samples)" or, over several
 * pairs, "p50 ranged from X µs (ranks a–b) to Y µs (ranks c–d) over N
 * pairs (half the round trip)", the fastest to the slowest link.
 */
static void link_text(struct hpcp_text *t, const struct hpcp_link_finding *l,
		      int half)
{
	const cJSON *lat = hpcp_at(l->fastest_size, "latency_ns");
	double v;

	if (l->n == 1) {
		hpcp_put(t, "p50 was ");
		put_us(t, l->fastest_p50_ns);
		hpcp_put(t, " (");
		if (hpcp_num_of(hpcp_at(lat, "p99"), &v)) {
			hpcp_put(t, "p99 ");
			put_us(t, v);
			hpcp_put(t, ", ");
		} else if (cJSON_IsNull(hpcp_at(lat, "p99"))) {
			hpcp_put(t, "p99 n/a: too few samples, ");
		}
		if (half)
			hpcp_put(t, "half the round trip, ");
		if (hpcp_num_of(hpcp_at(l->fastest_size, "samples_count"), &v))
			hpcp_put(t, "%.0f samples, ", v);
		put_pair_ranks(t, l->fastest_pair);
		hpcp_put(t, ")");
		return;
	}
	hpcp_put(t, "p50 ranged from ");
	put_us(t, l->fastest_p50_ns);
	hpcp_put(t, " (");
	put_pair_ranks(t, l->fastest_pair);
	hpcp_put(t, ") to ");
	put_us(t, l->slowest_p50_ns);
	hpcp_put(t, " (");
	put_pair_ranks(t, l->slowest_pair);
	hpcp_put(t, ") over %d pairs%s", l->n,
		 half ? " (half the round trip)" : "");
}

/* "no inter-node MPI ping-pong pair was measured", or at 8 bytes. */
static void no_link(struct hpcp_text *t, const struct hpcp_link_finding *l,
		    const char *what)
{
	hpcp_put(t, "no %s pair was measured%s", what,
		 l->pairs_count ? " at 8 bytes" : "");
}

static int half_rtt(const cJSON *ph)
{
	const char *d = hpcp_str_at(ph, "latency_definition");

	return d && strstr(d, "half the round trip") != NULL;
}

static void narrative_pingpong(struct hpcp_text *t, const cJSON *root,
			       const struct hpcp_findings *f)
{
	const struct hpcp_link_finding *inter = &f->pingpong_inter;
	const struct hpcp_link_finding *intra = &f->pingpong_intra;
	int half = half_rtt(hpcp_phase_at(root, "pingpong"));

	if (inter->n) {
		hpcp_put(t, "the 8-byte inter-node MPI ping-pong ");
		link_text(t, inter, half);
	} else {
		no_link(t, inter, "inter-node MPI ping-pong");
	}
	if (intra->n) {
		hpcp_put(t, "; the 8-byte intra-node ");
		if (!inter->n)
			hpcp_put(t, "MPI ping-pong ");
		link_text(t, intra, half && !inter->n);
	}
	hpcp_put(t, ". ");
}

static void narrative_fabric(struct hpcp_text *t, const cJSON *root,
			     const struct hpcp_findings *f)
{
	const cJSON *fb = f->fabric;
	const cJSON *prov = hpcp_at(fb, "provider");
	const struct hpcp_link_finding *inter = &f->fabric_inter;
	const struct hpcp_link_finding *intra = &f->fabric_intra;
	int half = half_rtt(fb);

	(void)root;
	hpcp_put(t, "Over libfabric provider ");
	hpcp_html_esc(t, hpcp_str_at(prov, "name") ?
			 hpcp_str_at(prov, "name") : "(unnamed)");
	if (hpcp_str_at(prov, "domain")) {
		hpcp_put(t, " (domain ");
		hpcp_html_esc(t, hpcp_str_at(prov, "domain"));
		hpcp_put(t, ")");
	}
	if (!inter->n && !intra->n) {
		hpcp_put(t, " no pair latency was reported%s. ",
			 inter->pairs_count || intra->pairs_count ?
				 " at 8 bytes" : "");
	} else {
		if (inter->n) {
			hpcp_put(t, " the 8-byte inter-node ");
			link_text(t, inter, half);
		}
		if (intra->n) {
			hpcp_put(t, "%s the 8-byte intra-node ",
				 inter->n ? ";" : "");
			link_text(t, intra, half && !inter->n);
		}
		hpcp_put(t, ". ");
	}
	if (f->efa_known) {
		hpcp_put(t, "EFA was %sused", f->efa_used ? "" : "not ");
		if (!f->efa_used && hpcp_str_at(prov, "note")) {
			hpcp_put(t, " (");
			hpcp_html_esc(t, hpcp_str_at(prov, "note"));
			hpcp_put(t, ")");
		}
		hpcp_put(t, ". ");
	}
}

static void narrative_allreduce(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ar = hpcp_phase_at(root, "allreduce"), *size, *pick = NULL;
	double b, best = -1, v, ranks;
	char sz[48];

	cJSON_ArrayForEach(size, hpcp_at(ar, "sizes")) {
		if (!hpcp_num_of(hpcp_at(size, "bytes"), &b) ||
		    !hpcp_num_of(hpcp_at(size, "busbw_bytes_per_s"), &v))
			continue;
		if (b == 1048576) {
			pick = size;
			break;
		}
		if (b > best) {
			best = b;
			pick = size;
		}
	}
	if (!pick) {
		hpcp_put(t, "The all-reduce phase reported no bus bandwidth. ");
		return;
	}
	hpcp_html_fmt_bytes(sz, sizeof(sz), hpcp_num_at(pick, "bytes", 0));
	hpcp_put(t, "The %s all-reduce reached ", sz);
	hpcp_html_put_val(t, hpcp_num_at(pick, "busbw_bytes_per_s", 0) / 1e9);
	hpcp_put(t, " GB/s bus bandwidth");
	if (hpcp_num_of(hpcp_at(ar, "ranks"), &ranks))
		hpcp_put(t, " over %.0f ranks", ranks);
	if (hpcp_num_of(hpcp_at(hpcp_at(pick, "latency_ns"), "p50"), &v)) {
		hpcp_put(t, " (p50 ");
		put_us(t, v);
		hpcp_put(t, " per call");
		if (hpcp_num_of(hpcp_at(pick, "samples_count"), &v))
			hpcp_put(t, ", %.0f samples", v);
		hpcp_put(t, ")");
	}
	hpcp_put(t, ". ");
}

/* "2.5 GFLOP/s" from a kernel's total_<unit>_per_s. */
int hpcp_html_kernel_rate(struct hpcp_text *t, const cJSON *k)
{
	const char *unit = hpcp_str_at(k, "work_unit");
	double v;

	/* Work over the wall span; the deprecated sum of per-rank round
	 * rates only in documents that lack it. */
	if (!unit || !hpcp_kernel_rate(k, &v))
		return 0;
	if (strcmp(unit, "flops") == 0) {
		hpcp_html_put_val(t, v / 1e9);
		hpcp_put(t, " GFLOP/s");
	} else if (strcmp(unit, "bytes") == 0) {
		hpcp_html_put_val(t, v / 1e9);
		hpcp_put(t, " GB/s");
	} else {
		hpcp_html_put_val(t, v / 1e6);
		hpcp_put(t, " M");
		hpcp_html_esc(t, unit);
		hpcp_put(t, "/s");
	}
	return 1;
}

static void narrative_compute(struct hpcp_text *t,
			      const struct hpcp_findings *f)
{
	const cJSON *c = f->compute, *lb = hpcp_at(c, "load_balance");
	const cJSON *k;
	double v;
	int n = 0;

	if (f->noisy_compute) {
		/* Not a finding: say why instead. */
		hpcp_put(t, "Compute load balance was not measurable: ");
		hpcp_html_esc(t, f->lb_text);
		hpcp_put(t, ". ");
	} else if (hpcp_num_of(hpcp_at(lb, "load_balance_ratio"), &v)) {
		hpcp_put(t, "Compute load balance was %.3f", v);
		if (f->lb_robust) {
			hpcp_put(t, " raw, ");
			hpcp_html_esc(t, f->lb_text);
			hpcp_put(t, " from undisturbed rounds");
		}
		if (hpcp_num_of(hpcp_at(c, "expected_load_balance_ratio"), &v)) {
			hpcp_put(t, " (expected %.3f for --imbalance ", v);
			hpcp_html_put_val(t, hpcp_num_at(c, "imbalance_factor",
							 NAN));
			hpcp_put(t, ")");
		}
		if (hpcp_num_of(hpcp_at(lb, "parallel_efficiency_ratio"), &v))
			hpcp_put(t, ", parallel efficiency %.3f", v);
		if (hpcp_num_of(hpcp_at(lb, "slowest_rank"), &v)) {
			hpcp_put(t, "; slowest rank %.0f", v);
			if (hpcp_str_at(lb, "slowest_host")) {
				hpcp_put(t, " on host ");
				hpcp_html_esc(t, hpcp_str_at(lb, "slowest_host"));
			}
		}
		hpcp_put(t, ". ");
	} else {
		hpcp_put(t, "The compute phase reported no load balance. ");
	}
	cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
		const char *s = hpcp_str_at(k, "status");
		size_t mark = t->len;

		hpcp_put(t, "%s", n ? ", " : "Kernel totals: ");
		hpcp_html_esc(t, k->string);
		hpcp_put(t, " ");
		if (s && strcmp(s, "ok") == 0) {
			if (!hpcp_html_kernel_rate(t, k)) {
				t->len = t->oom ? t->len : mark;
				continue;
			}
		} else {
			hpcp_html_esc(t, s ? s : "without status");
			if (hpcp_str_at(k, "reason")) {
				hpcp_put(t, " (");
				hpcp_html_esc(t, hpcp_str_at(k, "reason"));
				hpcp_put(t, ")");
			}
		}
		n++;
	}
	if (n)
		hpcp_put(t, ". ");
}

/* The summary's training line (findings.c), or why there is none; no
 * sentence when the document has no train phase. */
static void narrative_train(struct hpcp_text *t, const cJSON *root,
			    const struct hpcp_findings *f)
{
	if (f->train) {
		hpcp_put(t, "Training ");
		hpcp_html_esc(t, f->train_text);
		hpcp_put(t, ". ");
	} else if (hpcp_phase_ok(root, "train")) {
		hpcp_put(t, "The training phase measured no step. ");
	} else if (hpcp_phase_at(root, "train")) {
		hpcp_html_phase_sentence(t, root, "train", "training");
	}
}

/* The summary's storage line (findings.c). */
static void narrative_storage(struct hpcp_text *t, const cJSON *root,
			      const struct hpcp_findings *f)
{
	if (f->storage) {
		hpcp_put(t, "Storage: ");
		hpcp_html_esc(t, f->storage_text);
		hpcp_put(t, ". ");
	} else if (hpcp_phase_at(root, "storage") &&
		   !hpcp_phase_ok(root, "storage")) {
		hpcp_html_phase_sentence(t, root, "storage", "storage");
	}
}

void hpcp_html_narrative(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ctx = hpcp_at(root, "context"), *mpi = hpcp_at(ctx, "mpi");
	const char *lib = hpcp_str_at(mpi, "library");
	struct hpcp_findings f;
	double nodes, ranks;

	hpcp_findings_of(root, &f);
	hpcp_put(t, "<p class=\"narrative\">");
	if (cJSON_IsFalse(hpcp_at(hpcp_at(root, "run"), "complete")))
		hpcp_put(t, "This document was written before the run finished. ");
	hpcp_put(t, "%s", hpcp_phase_ok(root, "pingpong") ? "On " : "The run used ");
	if (hpcp_num_of(hpcp_at(mpi, "nodes"), &nodes))
		hpcp_put(t, "%.0f node%s", nodes, nodes == 1 ? "" : "s");
	else
		hpcp_put(t, "an unknown number of nodes");
	if (hpcp_num_of(hpcp_at(mpi, "ranks"), &ranks))
		hpcp_put(t, " with %.0f rank%s", ranks, ranks == 1 ? "" : "s");
	hpcp_put(t, " (launcher ");
	hpcp_html_esc(t, hpcp_str_at(ctx, "launcher") ? hpcp_str_at(ctx, "launcher") : "unknown");
	hpcp_put(t, ", MPI ");
	if (lib) {
		/* up to the first comma: "Open MPI v4.1.4" */
		const char *comma = strchr(lib, ',');
		size_t n = comma ? (size_t)(comma - lib) : strlen(lib);
		char *shortlib = malloc(n + 1);

		if (shortlib) {
			memcpy(shortlib, lib, n);
			shortlib[n] = '\0';
			hpcp_html_esc(t, shortlib);
			free(shortlib);
		} else {
			t->oom = 1;
		}
	} else {
		hpcp_put(t, "unknown");
	}
	hpcp_put(t, ")");
	if (hpcp_phase_ok(root, "pingpong")) {
		hpcp_put(t, ", ");
		narrative_pingpong(t, root, &f);
	} else {
		hpcp_put(t, ". ");
		hpcp_html_phase_sentence(t, root, "pingpong", "MPI ping-pong");
	}
	if (hpcp_phase_ok(root, "fabric"))
		narrative_fabric(t, root, &f);
	else
		hpcp_html_phase_sentence(t, root, "fabric", "libfabric");
	if (hpcp_phase_ok(root, "allreduce"))
		narrative_allreduce(t, root);
	else
		hpcp_html_phase_sentence(t, root, "allreduce", "all-reduce");
	/* The summary's line (findings.c): MPI's collective over the fabric. */
	if (f.fabric_ar_text[0]) {
		hpcp_html_esc(t, f.fabric_ar_text);
		hpcp_put(t, ". ");
	}
	if (hpcp_phase_ok(root, "compute"))
		narrative_compute(t, &f);
	else
		hpcp_html_phase_sentence(t, root, "compute", "compute");
	narrative_train(t, root, &f);
	narrative_storage(t, root, &f);
	if (f.pingpong_ok) {
		const cJSON *nm = f.matrix;
		const cJSON *o;
		int n = 0;

		hpcp_put(t, "Outlier nodes: ");
		cJSON_ArrayForEach(o, hpcp_at(nm, "outliers")) {
			if (!cJSON_IsString(o))
				continue;
			hpcp_put(t, "%s", n++ ? ", " : "");
			hpcp_html_esc(t, o->valuestring);
		}
		if (f.noisy_matrix) {
			hpcp_put(t, "%snoisy host, not a finding: ", n ? " (" : "none (");
			hpcp_html_esc(t, hpcp_str_at(nm, "noisy_reason") ?
				       hpcp_str_at(nm, "noisy_reason") : "?");
			hpcp_put(t, ")");
		} else if (!n) {
			hpcp_put(t, "none");
			if (hpcp_str_at(nm, "reason")) {
				hpcp_put(t, " (");
				hpcp_html_esc(t, hpcp_str_at(nm, "reason"));
				hpcp_put(t, ")");
			}
		}
		hpcp_put(t, ". ");
	}
	if (hpcp_phase_ok(root, "topology")) {
		const cJSON *h;
		int n = 0;

		hpcp_put(t, "Oversubscribed hosts: ");
		cJSON_ArrayForEach(h, hpcp_at(hpcp_phase_at(root, "topology"), "hosts")) {
			if (!cJSON_IsTrue(hpcp_at(h, "oversubscribed")))
				continue;
			hpcp_put(t, "%s", n++ ? ", " : "");
			hpcp_html_esc(t, hpcp_str_at(h, "name") ? hpcp_str_at(h, "name") : "?");
			if (hpcp_num_of(hpcp_at(h, "ranks_count"), &ranks) &&
			    hpcp_num_of(hpcp_at(h, "usable_pus_count"), &nodes))
				hpcp_put(t, " (%.0f ranks on %.0f usable PUs)", ranks,
				    nodes);
		}
		hpcp_put(t, "%s.", n ? "" : "none");
	} else {
		hpcp_html_phase_sentence(t, root, "topology", "topology");
	}
	hpcp_put(t, "</p>\n");
}
