/* The all-reduce phase's metrics (hpcp/metrics.h): no MPI, linked by the
 * report tool. */
#include "config.h"

#include "hpcp/metrics.h"

static const struct hpcp_metric_label size_labels[] = {
	{ .name = "bytes", .level = 0, .path = "bytes", .emf = "MsgSize",
	  .prom = "size_bytes" },
	{ 0 },
};

static const struct hpcp_metric allreduce_metrics[] = {
	{
		.each = "sizes/[]", .path = "latency_ns", .unit = "ns",
		.kind = HPCP_METRIC_LATENCY, .better = HPCP_BETTER_LOWER,
		.labels = size_labels, .noisy = "noisy",
		.noisy_reason = "noisy_reason",
		.column = "latency", .html_column = "\u00b5s",
		.html_scale = 1e-3, .html_stats = HPCP_STAT_P50 | HPCP_STAT_P99,
		.gate = "allreduce.{bytes}B.{stat}_ns",
		.gate_stats = HPCP_STAT_P50,
		.emf = "Latency", .emf_unit = "Microseconds",
		.emf_scale = 1e-3,
		.prom = "hpcprobe_allreduce_latency_seconds",
		.prom_help = "MPI_Allreduce call time, all ranks' calls "
			     "merged.",
		.prom_scale = 1e-9, .prom_count = "samples_count",
	},
	/* Shown in the HTML table only. */
	{
		.each = "sizes/[]", .path = "algbw_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = size_labels,
		.html_column = "algbw GB/s", .html_scale = 1e-9,
	},
	{
		.each = "sizes/[]", .path = "busbw_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = size_labels,
		.column = "busbw", .html_column = "busbw GB/s",
		.html_scale = 1e-9,
		.gate = "allreduce.{bytes}B.{key}",
		.emf = "BusBandwidth", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_allreduce_busbw_bytes_per_second",
		.prom_help = "All-reduce bus bandwidth, algbw x 2(n-1)/n.",
		.prom_scale = 1,
	},
	/* The rank whose call most often set the completion time. */
	{
		.each = "sizes/[]", .path = "slowest_rank", .unit = "rank",
		.kind = HPCP_METRIC_COUNT, .better = HPCP_BETTER_LOWER,
		.labels = size_labels,
		.html_column = "slowest rank", .html_scale = 1,
	},
};

const struct hpcp_metric_table hpcp_metrics_allreduce =
	HPCP_METRIC_TABLE("allreduce", allreduce_metrics);
