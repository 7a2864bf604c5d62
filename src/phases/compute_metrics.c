/* The compute phase's metrics (hpcp/metrics.h): no MPI, linked by the
 * report tool. */
#include "config.h"

#include "hpcp/metrics.h"

/* The POP efficiencies, one Prometheus family told apart by "metric". */
#define POP_LABELS(metric)                                                   \
	((const struct hpcp_metric_label[]){                                 \
		{ .name = "kernel", .value = "all", .prom = "kernel" },      \
		{ .name = "metric", .value = (metric), .prom = "metric" },   \
		{ 0 } })
#define POP_FAMILY                                                           \
	.prom = "hpcprobe_compute_efficiency_ratio",                        \
	.prom_help = "POP efficiencies (0-1) of the last run.",             \
	.prom_scale = 1

static const struct hpcp_metric_label rate_labels[] = {
	{ .name = "kernel", .level = 0, .prom = "kernel" },
	{ .name = "unit", .level = 0, .path = "work_unit", .prom = "unit" },
	{ .name = "host", .level = 1, .path = "host", .prom = "host" },
	{ 0 },
};

static const struct hpcp_metric_label kernel_labels[] = {
	{ .name = "kernel", .level = 0 },
	{ 0 },
};

static const struct hpcp_metric compute_metrics[] = {
	/* The robust load balance, unless the host was too busy to measure
	 * it (it would raise false alarms). */
	{
		.each = "", .path = "load_balance_robust/load_balance_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.noisy = "load_balance_robust/noisy", .noisy_drops = 1,
		.gate = "compute.robust_load_balance_ratio",
	},
	/* The raw one: gated only from documents that predate the robust
	 * value (schema < 1.1). */
	{
		.each = "", .path = "load_balance/load_balance_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("load_balance"),
		.gate = "compute.{key}", .gate_unless = "load_balance_robust",
		.emf = "LoadBalance", .emf_unit = "Percent", .emf_scale = 100,
		POP_FAMILY,
	},
	{
		.each = "", .path = "load_balance/parallel_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("parallel_efficiency"),
		.gate = "compute.{key}",
		.emf = "ParallelEfficiency", .emf_unit = "Percent",
		.emf_scale = 100,
		POP_FAMILY,
	},
	{
		.each = "",
		.path = "load_balance/communication_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("communication_efficiency"),
		.emf = "CommunicationEfficiency", .emf_unit = "Percent",
		.emf_scale = 100,
		POP_FAMILY,
	},
	{
		.each = "",
		.path = "load_balance/serialization_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("serialization_efficiency"),
		POP_FAMILY,
	},
	{
		.each = "", .path = "load_balance/transfer_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("transfer_efficiency"),
		POP_FAMILY,
	},
	{
		.each = "", .path = "kernels/dgemm/total_flops_per_s",
		.unit = "flops/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER,
		.emf = "DgemmGflops", .emf_unit = "Count/Second",
		.emf_scale = 1e-9,
	},
	{
		.each = "", .path = "kernels/triad/total_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER,
		.emf = "TriadBandwidth", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
	},
	/* Work over the wall span; the deprecated sum of per-rank round
	 * rates only from older documents. */
	{
		.each = "kernels/*", .path = "job_{work_unit}_per_s",
		.path_alt = "total_{work_unit}_per_s", .unit = "work/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.labels = kernel_labels, .gate = "compute.{kernel}.{key}",
	},
	{
		.each = "kernels/*/per_node/[]",
		.path = "best_{work_unit}_per_s", .unit = "work/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.labels = rate_labels,
		.prom = "hpcprobe_compute_rate_per_second",
		.prom_help = "Kernel work per second, summed per host (flops, "
			     "bytes or cells).",
		.prom_scale = 1,
	},
};

const struct hpcp_metric_table hpcp_metrics_compute =
	HPCP_METRIC_TABLE("compute", compute_metrics);
