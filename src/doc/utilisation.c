/*
 * The sampler's metric table (hpcp/metrics.h): the document's top-level
 * "utilisation" object, per host and phase (src/sampler_report.c writes
 * it).  Not gated: utilisation says how a run used the nodes, not whether
 * the cluster got worse.
 */
#include "config.h"

#include "hpcp/metrics.h"

static const struct hpcp_metric_label util_labels[] = {
	{ .name = "host", .level = 0, .path = "host", .emf = "Host",
	  .prom = "host" },
	{ .name = "phase", .level = 1, .path = NULL, .emf = "Phase",
	  .prom = "phase" },
	{ 0 },
};

#define UTIL_RATIO(key, emf_name, prom_name, help) \
	{ .each = "hosts/[]/phases/*", .path = key "/mean", .unit = "ratio", \
	  .kind = HPCP_METRIC_RATIO, .better = HPCP_BETTER_HIGHER, \
	  .labels = util_labels, .emf = emf_name, .emf_unit = "Percent", \
	  .emf_scale = 100, .prom = prom_name, .prom_help = help, \
	  .prom_scale = 1 }

static const struct hpcp_metric util_metrics[] = {
	UTIL_RATIO("cpu_busy", "CPUUtilization",
		   "hpcprobe_host_cpu_busy_ratio",
		   "Mean busy share of the host's CPUs during the phase."),
	UTIL_RATIO("memory_used", "MemoryUsedPercent",
		   "hpcprobe_host_memory_used_ratio",
		   "Mean share of the host's memory in use (total less "
		   "available) during the phase."),
	{ .each = "hosts/[]/phases/*", .path = "network_bytes_per_s/mean",
	  .unit = "bytes/s", .kind = HPCP_METRIC_RATE,
	  .better = HPCP_BETTER_HIGHER, .labels = util_labels,
	  .emf = "NetworkBytesPerSecond", .emf_unit = "Bytes/Second",
	  .emf_scale = 1, .prom = "hpcprobe_host_network_bytes_per_second",
	  .prom_help = "Mean bytes received and sent per second, every "
		       "interface but lo, during the phase.",
	  .prom_scale = 1 },
	UTIL_RATIO("gpu_utilisation", "GPUUtilization",
		   "hpcprobe_host_gpu_utilisation_ratio",
		   "Mean GPU utilisation (NVML) over the host's GPUs during "
		   "the phase."),
	UTIL_RATIO("gpu_memory_used", "GPUMemoryUsedPercent",
		   "hpcprobe_host_gpu_memory_used_ratio",
		   "Mean share of the host's GPU memory in use during the "
		   "phase."),
};

extern const struct hpcp_metric_table hpcp_metrics_utilisation;
const struct hpcp_metric_table hpcp_metrics_utilisation = {
	.phase = "utilisation", .top = 1, .metrics = util_metrics,
	.n = sizeof(util_metrics) / sizeof(util_metrics[0]),
};
