/*
 * The point-to-point harness's rows (hpcp/p2p.h: "pairs/[]/sizes/[]") as
 * metric entries (hpcp/metrics.h), for every phase that runs it: a pair's
 * latency and bandwidth at each size, named after the phase.  MPI-free,
 * as metric tables are.
 */
#ifndef HPCP_P2P_METRICS_H
#define HPCP_P2P_METRICS_H

#include "hpcp/metrics.h"

/* A row's labels: the pair's kind, the size, the sending host and the
 * receiving one (the bandwidth has no peer_host: one series per sending
 * host, as before the tables). */
#define HPCP_P2P_LABEL_KIND \
	{ .name = "kind", .level = 0, .path = "kind", .emf = "PeerClass", \
	  .prom = "peer" }
#define HPCP_P2P_LABEL_BYTES \
	{ .name = "bytes", .level = 1, .path = "bytes", .emf = "MsgSize", \
	  .prom = "size_bytes" }
#define HPCP_P2P_LABEL_HOST \
	{ .name = "host", .level = 0, .path = "hosts/0", .prom = "host" }
#define HPCP_P2P_LABEL_PEER_HOST \
	{ .name = "peer_host", .level = 0, .path = "hosts/1", \
	  .prom = "peer_host" }

/* phase: a string literal, the phase's name. */
#define HPCP_P2P_LATENCY_METRIC(phase, label_array) {                     \
	.each = "pairs/[]/sizes/[]", .path = "latency_ns",                  \
	.unit = "ns", .kind = HPCP_METRIC_LATENCY,                          \
	.better = HPCP_BETTER_LOWER, .labels = (label_array),               \
	.gate = phase ".{kind}.{bytes}B.{stat}_ns",                         \
	.gate_stats = HPCP_STAT_P50 | HPCP_STAT_P99,                        \
	.column = "latency", .html_column = "\u00b5s",                      \
	.html_scale = 1e-3,                                                 \
	.html_stats = HPCP_STAT_P50 | HPCP_STAT_P99 | HPCP_STAT_MAX,        \
	.emf = "Latency", .emf_unit = "Microseconds", .emf_scale = 1e-3,    \
	.prom = "hpcprobe_" phase "_latency_seconds",                       \
	.prom_help = "One-way latency (half the round trip) of the last "   \
		     "run.",                                                \
	.prom_scale = 1e-9, .prom_count = "samples_count",                  \
}

#define HPCP_P2P_BANDWIDTH_METRIC(phase, label_array) {                   \
	.each = "pairs/[]/sizes/[]", .path = "bandwidth_bytes_per_s",       \
	.unit = "bytes/s", .kind = HPCP_METRIC_RATE,                        \
	.better = HPCP_BETTER_HIGHER, .labels = (label_array),              \
	.column = "bandwidth", .html_column = "bandwidth MB/s",             \
	.html_scale = 1e-6,                                                 \
	.emf = "Bandwidth", .emf_unit = "Bytes/Second", .emf_scale = 1,     \
	.prom = "hpcprobe_" phase "_bandwidth_bytes_per_second",            \
	.prom_help = "Bandwidth of windows of non-blocking sends.",         \
	.prom_scale = 1,                                                    \
}

#endif
