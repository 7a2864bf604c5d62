/*
 * Projections of the document for monitoring systems: CloudWatch Embedded
 * Metric Format lines and a Prometheus textfile.  Both are written from
 * the finished document on rank 0, atomically, and measure nothing.
 */
#include "config.h"

#include "hpcpdoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EMF_MAX_LINE 16000      /* Docker's awslogs splits above 16 KiB */
#define EMF_MAX_METRICS 100

static int publish(struct hpcp_text *t, const char *path, char *err, size_t len)
{
	if (t->oom) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	return hpcp_publish(t->buf ? t->buf : "", t->len, path, err,
				   len);
}

/* --- CloudWatch Embedded Metric Format ------------------------------- */

struct emf_metric {
	const char *name;
	const char *unit;
	double value;
};

/* Cluster name for the low-cardinality dimension: what the launcher says. */
static const char *cluster_of(const cJSON *root)
{
	const cJSON *job = hpcp_at(hpcp_at(root, "context"), "job");
	const char *c = hpcp_str_at(job, "cluster");

	if (!c)
		c = hpcp_str_at(job, "compute_environment");
	return c ? c : "default";
}

static void json_string(struct hpcp_text *t, const char *s)
{
	char *quoted;
	cJSON *tmp = cJSON_CreateString(s ? s : "");

	quoted = tmp ? cJSON_PrintUnformatted(tmp) : NULL;
	if (quoted)
		hpcp_put(t, "%s", quoted);
	else
		t->oom = 1;
	cJSON_free(quoted);
	cJSON_Delete(tmp);
}

/*
 * One EMF event: dims are key/value pairs (all strings), the metrics, and
 * the job id as a non-metric member (searchable in Logs Insights, never a
 * dimension: it would create a metric per job).
 */
static void emf_line(struct hpcp_text *t, const cJSON *root, const char *ns,
		     const char *const *dims, int n_dims,
		     const struct emf_metric *m, int n_metrics)
{
	struct timespec now;
	const char *job = hpcp_str_at(hpcp_at(hpcp_at(root, "context"), "job"), "job_id");
	size_t start = t->len;

	clock_gettime(CLOCK_REALTIME, &now);
	hpcp_put(t, "{\"_aws\":{\"Timestamp\":%lld,\"CloudWatchMetrics\":[{"
	       "\"Namespace\":",
	    (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	json_string(t, ns);
	hpcp_put(t, ",\"Dimensions\":[[");
	for (int i = 0; i < n_dims; i++) {
		hpcp_put(t, "%s", i ? "," : "");
		json_string(t, dims[2 * i]);
	}
	hpcp_put(t, "]],\"Metrics\":[");
	for (int i = 0; i < n_metrics; i++) {
		hpcp_put(t, "%s{\"Name\":", i ? "," : "");
		json_string(t, m[i].name);
		hpcp_put(t, ",\"Unit\":\"%s\"}", m[i].unit);
	}
	hpcp_put(t, "]}]}");
	for (int i = 0; i < n_dims; i++) {
		hpcp_put(t, ",");
		json_string(t, dims[2 * i]);
		hpcp_put(t, ":");
		json_string(t, dims[2 * i + 1]);
	}
	for (int i = 0; i < n_metrics; i++) {
		hpcp_put(t, ",");
		json_string(t, m[i].name);
		hpcp_put(t, ":%.10g", isfinite(m[i].value) ? m[i].value : 0.0);
	}
	hpcp_put(t, ",\"JobId\":");
	json_string(t, job ? job : "local");
	hpcp_put(t, ",\"Tool\":\"hpcprobe\"}\n");
	/* Our groups are small; a line that would not fit is dropped whole
	 * rather than split by a log driver into invalid JSON. */
	if (!t->oom && t->len - start > EMF_MAX_LINE)
		t->len = start;
}

static void emf_latency_sizes(struct hpcp_text *t, const cJSON *root,
			      const char *ns, const char *phase,
			      const char *extra_key, const char *extra_value)
{
	const cJSON *ph = hpcp_at(hpcp_at(root, "phases"), phase), *pair, *size;
	const char *cluster = cluster_of(root);

	cJSON_ArrayForEach(pair, hpcp_at(ph, "pairs")) {
		cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
			const cJSON *lat = hpcp_at(size, "latency_ns");
			char bytes[32];
			const char *dims[10];
			struct emf_metric m[3];
			int nd = 0, nm = 0;
			double p99;

			if (!cJSON_IsObject(lat))
				continue;
			snprintf(bytes, sizeof(bytes), "%.0f",
				 hpcp_num_at(size, "bytes", 0));
			dims[nd++] = "Cluster";
			dims[nd++] = cluster;
			dims[nd++] = "Phase";
			dims[nd++] = phase;
			dims[nd++] = "PeerClass";
			dims[nd++] = hpcp_str_at(pair, "kind");
			dims[nd++] = "MsgSize";
			dims[nd++] = bytes;
			if (extra_key) {
				dims[nd++] = extra_key;
				dims[nd++] = extra_value;
			}
			m[nm++] = (struct emf_metric){ "LatencyP50",
				"Microseconds", hpcp_num_at(lat, "p50", 0) / 1e3 };
			/* A p99 too few samples support is null: not
			 * measured, so not sent (never as 0). */
			if (hpcp_num_of(hpcp_at(lat, "p99"), &p99))
				m[nm++] = (struct emf_metric){ "LatencyP99",
					"Microseconds", p99 / 1e3 };
			if (cJSON_IsNumber(hpcp_at(size, "bandwidth_bytes_per_s")))
				m[nm++] = (struct emf_metric){ "Bandwidth",
					"Bytes/Second",
					hpcp_num_at(size, "bandwidth_bytes_per_s", 0) };
			emf_line(t, root, ns, dims, nd / 2, m, nm);
		}
	}
}

int hpcp_export_emf(const cJSON *root, const char *path, const char *ns,
		    char *err, size_t errlen)
{
	const cJSON *size;
	const char *cluster = cluster_of(root);
	struct hpcp_text t = { 0 };
	int rc;

	if (hpcp_phase_ok(root, "pingpong"))
		emf_latency_sizes(&t, root, ns, "pingpong", NULL, NULL);
	if (hpcp_phase_ok(root, "fabric"))
		emf_latency_sizes(&t, root, ns, "fabric", "Provider",
				  hpcp_str_at(hpcp_at(hpcp_at(hpcp_at(root, "phases"), "fabric"),
					    "provider"), "name"));
	if (hpcp_phase_ok(root, "allreduce")) {
		cJSON_ArrayForEach(size, hpcp_at(hpcp_at(hpcp_at(root, "phases"), "allreduce"),
					    "sizes")) {
			const cJSON *lat = hpcp_at(size, "latency_ns");
			char bytes[32];
			const char *dims[] = { "Cluster", cluster, "Phase",
					       "allreduce", "MsgSize", bytes };
			struct emf_metric m[3] = {
				{ "LatencyP50", "Microseconds",
				  hpcp_num_at(lat, "p50", 0) / 1e3 },
				{ "BusBandwidth", "Bytes/Second",
				  hpcp_num_at(size, "busbw_bytes_per_s", 0) },
			};
			int nm = 2;
			double p99;

			/* Null p99 (too few samples): left out, not 0. */
			if (hpcp_num_of(hpcp_at(lat, "p99"), &p99))
				m[nm++] = (struct emf_metric){ "LatencyP99",
					"Microseconds", p99 / 1e3 };
			snprintf(bytes, sizeof(bytes), "%.0f",
				 hpcp_num_at(size, "bytes", 0));
			emf_line(&t, root, ns, dims, 3, m, nm);
		}
	}
	if (hpcp_phase_ok(root, "compute")) {
		const cJSON *c = hpcp_at(hpcp_at(root, "phases"), "compute");
		const cJSON *lb = hpcp_at(c, "load_balance");
		const cJSON *k = hpcp_at(c, "kernels");
		const char *dims[] = { "Cluster", cluster, "Phase", "compute" };
		struct emf_metric m[6];
		int n = 0;

		/* CloudWatch shows efficiencies in percent. */
		if (cJSON_IsNumber(hpcp_at(lb, "load_balance_ratio")))
			m[n++] = (struct emf_metric){ "LoadBalance", "Percent",
				100 * hpcp_num_at(lb, "load_balance_ratio", 0) };
		if (cJSON_IsNumber(hpcp_at(lb, "parallel_efficiency_ratio")))
			m[n++] = (struct emf_metric){ "ParallelEfficiency",
				"Percent",
				100 * hpcp_num_at(lb, "parallel_efficiency_ratio", 0) };
		if (cJSON_IsNumber(hpcp_at(lb, "communication_efficiency_ratio")))
			m[n++] = (struct emf_metric){ "CommunicationEfficiency",
				"Percent",
				100 * hpcp_num_at(lb, "communication_efficiency_ratio", 0) };
		if (cJSON_IsNumber(hpcp_at(hpcp_at(k, "dgemm"), "total_flops_per_s")))
			m[n++] = (struct emf_metric){ "DgemmGflops",
				"Count/Second",
				hpcp_num_at(hpcp_at(k, "dgemm"), "total_flops_per_s", 0) / 1e9 };
		if (cJSON_IsNumber(hpcp_at(hpcp_at(k, "triad"), "total_bytes_per_s")))
			m[n++] = (struct emf_metric){ "TriadBandwidth",
				"Bytes/Second",
				hpcp_num_at(hpcp_at(k, "triad"), "total_bytes_per_s", 0) };
		if (n)
			emf_line(&t, root, ns, dims, 2, m, n);
	}
	rc = publish(&t, path, err, errlen);
	free(t.buf);
	return rc;
}

/* --- Prometheus textfile ---------------------------------------------- */

static void prom_label_value(struct hpcp_text *t, const char *s)
{
	hpcp_put(t, "\"");
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			hpcp_put(t, "\\%c", *s);
		else if (*s == '\n')
			hpcp_put(t, "\\n");
		else
			hpcp_put(t, "%c", *s);
	}
	hpcp_put(t, "\"");
}

static void prom_head(struct hpcp_text *t, const char *name, const char *type,
		      const char *help)
{
	hpcp_put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A summary sample set for one distribution (quantiles, sum, count). */
static void prom_summary(struct hpcp_text *t, const char *name, const char *labels,
			 const cJSON *size)
{
	const cJSON *lat = hpcp_at(size, "latency_ns");
	const char *q[] = { "0.5", "p50", "0.9", "p90", "0.99", "p99",
			    "0.999", "p99_9" };
	double count = hpcp_num_at(size, "samples_count", 0), v;

	if (!cJSON_IsObject(lat))
		return;
	/* A quantile too few samples support is null in the document and
	 * left out here: a summary may carry any subset of quantiles. */
	for (int i = 0; i < 4; i++)
		if (hpcp_num_of(hpcp_at(lat, q[2 * i + 1]), &v))
			hpcp_put(t, "%s{%s,quantile=\"%s\"} %.9g\n", name, labels,
			    q[2 * i], v / 1e9);
	hpcp_put(t, "%s_sum{%s} %.9g\n", name, labels,
	    hpcp_num_at(lat, "mean", 0) * count / 1e9);
	hpcp_put(t, "%s_count{%s} %.0f\n", name, labels, count);
}

static const char *host_at(const cJSON *pair, int i)
{
	const cJSON *h = cJSON_GetArrayItem(hpcp_at(pair, "hosts"), i);

	return cJSON_IsString(h) ? h->valuestring : "";
}

static void prom_pairs(struct hpcp_text *t, const cJSON *root, const char *phase)
{
	const cJSON *pair, *size;
	char name[96], bw[96];

	snprintf(name, sizeof(name), "hpcprobe_%s_latency_seconds", phase);
	snprintf(bw, sizeof(bw), "hpcprobe_%s_bandwidth_bytes_per_second",
		 phase);
	prom_head(t, name, "summary",
		  "One-way latency (half the round trip) of the last run.");
	cJSON_ArrayForEach(pair, hpcp_at(hpcp_at(hpcp_at(root, "phases"), phase), "pairs")) {
		cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
			struct hpcp_text l = { 0 };

			hpcp_put(&l, "phase=\"%s\",peer=\"%s\",size_bytes=\"%.0f\",host=",
			    phase, hpcp_str_at(pair, "kind"),
			    hpcp_num_at(size, "bytes", 0));
			prom_label_value(&l, host_at(pair, 0));
			hpcp_put(&l, ",peer_host=");
			prom_label_value(&l, host_at(pair, 1));
			if (!l.oom)
				prom_summary(t, name, l.buf, size);
			free(l.buf);
		}
	}
	prom_head(t, bw, "gauge", "Bandwidth of windows of non-blocking sends.");
	cJSON_ArrayForEach(pair, hpcp_at(hpcp_at(hpcp_at(root, "phases"), phase), "pairs")) {
		cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
			if (!cJSON_IsNumber(hpcp_at(size, "bandwidth_bytes_per_s")))
				continue;
			hpcp_put(t, "%s{phase=\"%s\",peer=\"%s\",size_bytes=\"%.0f\",host=",
			    bw, phase, hpcp_str_at(pair, "kind"),
			    hpcp_num_at(size, "bytes", 0));
			prom_label_value(t, host_at(pair, 0));
			hpcp_put(t, "} %.9g\n", hpcp_num_at(size, "bandwidth_bytes_per_s", 0));
		}
	}
}

int hpcp_export_prom(const cJSON *root, const char *path, char *err,
		     size_t errlen)
{
	const cJSON *mpi = hpcp_at(hpcp_at(root, "context"), "mpi");
	const cJSON *ph, *size;
	struct hpcp_text t = { 0 };
	int rc;

	prom_head(&t, "hpcprobe_build_info", "gauge",
		  "Version of hpcprobe and the MPI library of the last run.");
	hpcp_put(&t, "hpcprobe_build_info{version=");
	prom_label_value(&t, hpcp_str_at(hpcp_at(root, "tool"), "version"));
	hpcp_put(&t, ",mpi=");
	prom_label_value(&t, hpcp_str_at(mpi, "library"));
	hpcp_put(&t, ",launcher=");
	prom_label_value(&t, hpcp_str_at(hpcp_at(root, "context"), "launcher"));
	hpcp_put(&t, "} 1\n");
	prom_head(&t, "hpcprobe_run_duration_seconds", "gauge",
		  "Wall time of the last run.");
	hpcp_put(&t, "hpcprobe_run_duration_seconds %.6g\n",
	    hpcp_num_at(hpcp_at(root, "run"), "duration_s", 0));
	prom_head(&t, "hpcprobe_run_ranks", "gauge", "MPI ranks of the last run.");
	hpcp_put(&t, "hpcprobe_run_ranks %.0f\n", hpcp_num_at(mpi, "ranks", 0));
	prom_head(&t, "hpcprobe_phase_ok", "gauge",
		  "1 when the phase ran and succeeded in the last run.");
	cJSON_ArrayForEach(ph, hpcp_at(root, "phases")) {
		hpcp_put(&t, "hpcprobe_phase_ok{phase=");
		prom_label_value(&t, ph->string);
		hpcp_put(&t, "} %d\n", strcmp(hpcp_str_at(ph, "status") ?
					 hpcp_str_at(ph, "status") : "", "ok") == 0);
	}
	if (hpcp_phase_ok(root, "pingpong"))
		prom_pairs(&t, root, "pingpong");
	if (hpcp_phase_ok(root, "fabric"))
		prom_pairs(&t, root, "fabric");
	if (hpcp_phase_ok(root, "allreduce")) {
		const cJSON *ar = hpcp_at(hpcp_at(root, "phases"), "allreduce");

		prom_head(&t, "hpcprobe_allreduce_latency_seconds", "summary",
			  "MPI_Allreduce call time, all ranks' calls merged.");
		cJSON_ArrayForEach(size, hpcp_at(ar, "sizes")) {
			char labels[64];

			snprintf(labels, sizeof(labels),
				 "phase=\"allreduce\",size_bytes=\"%.0f\"",
				 hpcp_num_at(size, "bytes", 0));
			prom_summary(&t, "hpcprobe_allreduce_latency_seconds",
				     labels, size);
		}
		prom_head(&t, "hpcprobe_allreduce_busbw_bytes_per_second",
			  "gauge", "All-reduce bus bandwidth, algbw x 2(n-1)/n.");
		cJSON_ArrayForEach(size, hpcp_at(ar, "sizes"))
			hpcp_put(&t, "hpcprobe_allreduce_busbw_bytes_per_second{"
				"phase=\"allreduce\",size_bytes=\"%.0f\"} %.9g\n",
			    hpcp_num_at(size, "bytes", 0),
			    hpcp_num_at(size, "busbw_bytes_per_s", 0));
	}
	if (hpcp_phase_ok(root, "compute")) {
		const cJSON *c = hpcp_at(hpcp_at(root, "phases"), "compute"), *k, *item;
		const char *keys[] = { "load_balance_ratio",
				       "parallel_efficiency_ratio",
				       "communication_efficiency_ratio",
				       "serialization_efficiency_ratio",
				       "transfer_efficiency_ratio", NULL };

		prom_head(&t, "hpcprobe_compute_efficiency_ratio", "gauge",
			  "POP efficiencies (0-1) of the last run.");
		for (int i = 0; keys[i]; i++) {
			const cJSON *v = hpcp_at(hpcp_at(c, "load_balance"), keys[i]);
			char metric[64];

			if (!cJSON_IsNumber(v))
				continue;
			snprintf(metric, sizeof(metric), "%.*s",
				 (int)(strlen(keys[i]) - 6), keys[i]);
			hpcp_put(&t, "hpcprobe_compute_efficiency_ratio{phase=\"compute\","
				"kernel=\"all\",metric=\"%s\"} %.6g\n",
			    metric, v->valuedouble);
		}
		prom_head(&t, "hpcprobe_compute_rate_per_second", "gauge",
			  "Kernel work per second, summed per host (flops, "
			  "bytes or cells).");
		cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
			const char *unit = hpcp_str_at(k, "work_unit");
			char key[48];

			if (!unit)
				continue;
			snprintf(key, sizeof(key), "best_%s_per_s", unit);
			cJSON_ArrayForEach(item, hpcp_at(k, "per_node")) {
				hpcp_put(&t, "hpcprobe_compute_rate_per_second{phase="
					"\"compute\",kernel=\"%s\",unit=\"%s\",host=",
				    k->string, unit);
				prom_label_value(&t, hpcp_str_at(item, "host"));
				hpcp_put(&t, "} %.9g\n", hpcp_num_at(item, key, 0));
			}
		}
	}
	rc = publish(&t, path, err, errlen);
	free(t.buf);
	return rc;
}
