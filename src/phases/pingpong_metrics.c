/* The ping-pong phase's metrics (hpcp/metrics.h): no MPI, linked by the
 * report tool. */
#include "config.h"

#include "hpcp/metrics.h"

/* A pair's latency at one size; its bandwidth (no peer_host: one series
 * per sending host, as before the tables). */
static const struct hpcp_metric_label pair_latency_labels[] = {
	{ .name = "kind", .level = 0, .path = "kind", .emf = "PeerClass",
	  .prom = "peer" },
	{ .name = "bytes", .level = 1, .path = "bytes", .emf = "MsgSize",
	  .prom = "size_bytes" },
	{ .name = "host", .level = 0, .path = "hosts/0", .prom = "host" },
	{ .name = "peer_host", .level = 0, .path = "hosts/1",
	  .prom = "peer_host" },
	{ 0 },
};

static const struct hpcp_metric_label pair_bandwidth_labels[] = {
	{ .name = "kind", .level = 0, .path = "kind", .emf = "PeerClass",
	  .prom = "peer" },
	{ .name = "bytes", .level = 1, .path = "bytes", .emf = "MsgSize",
	  .prom = "size_bytes" },
	{ .name = "host", .level = 0, .path = "hosts/0", .prom = "host" },
	{ 0 },
};

static const struct hpcp_metric pingpong_metrics[] = {
	{
		.each = "pairs/[]/sizes/[]", .path = "latency_ns",
		.unit = "ns", .kind = HPCP_METRIC_LATENCY,
		.better = HPCP_BETTER_LOWER, .labels = pair_latency_labels,
		.gate = "pingpong.{kind}.{bytes}B.{stat}_ns",
		.gate_stats = HPCP_STAT_P50 | HPCP_STAT_P99,
		.column = "latency", .html_column = "\u00b5s",
		.html_scale = 1e-3,
		.html_stats = HPCP_STAT_P50 | HPCP_STAT_P99 | HPCP_STAT_MAX,
		.emf = "Latency", .emf_unit = "Microseconds",
		.emf_scale = 1e-3,
		.prom = "hpcprobe_pingpong_latency_seconds",
		.prom_help = "One-way latency (half the round trip) of the "
			     "last run.",
		.prom_scale = 1e-9, .prom_count = "samples_count",
	},
	{
		.each = "pairs/[]/sizes/[]", .path = "bandwidth_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = pair_bandwidth_labels,
		.column = "bandwidth", .html_column = "bandwidth MB/s",
		.html_scale = 1e-6,
		.emf = "Bandwidth", .emf_unit = "Bytes/Second", .emf_scale = 1,
		.prom = "hpcprobe_pingpong_bandwidth_bytes_per_second",
		.prom_help = "Bandwidth of windows of non-blocking sends.",
		.prom_scale = 1,
	},
	{
		.each = "", .path = "node_matrix/cluster_median_latency_ns",
		.unit = "ns", .kind = HPCP_METRIC_COUNT,
		.better = HPCP_BETTER_LOWER,
		.gate = "pingpong.node_matrix.cluster_median_ns",
	},
};

const struct hpcp_metric_table hpcp_metrics_pingpong =
	HPCP_METRIC_TABLE("pingpong", pingpong_metrics);
