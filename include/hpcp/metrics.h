/*
 * What a phase measures, as data: a table of the metrics its result
 * object holds, read by every output that projects metrics (the
 * regression gate, CloudWatch EMF, Prometheus) so that none of them spells
 * a phase's document paths.  One table per phase, at the top of its
 * file src/phases/<name>.c (HPCP_PHASE_METRICS), free of MPI and cJSON so
 * that the report tool compiles it; all tables listed in
 * hpcp_metric_tables.
 *
 * Paths are relative to the phase's object (phases.<name>) and use '/':
 *   each   where the instances are: "" the phase object itself, or
 *          segments of which "[]" takes every element of an array and
 *          "*" every member of an object (the wildcards, numbered from 0),
 *          e.g. "pairs/[]/sizes/[]".
 *   path   the value, from the element the last wildcard bound (the phase
 *          object when there is none).  "{m}" in a segment stands for the
 *          string member m of that element, e.g. "job_{work_unit}_per_s";
 *          a digit segment indexes an array ("hosts/1").
 */
#ifndef HPCP_METRICS_H
#define HPCP_METRICS_H

#include <stddef.h>

enum hpcp_metric_kind {
	/* An object of percentiles in ns (p50, p99, ...; null when too few
	 * samples support it): the schema's latency_ns. */
	HPCP_METRIC_LATENCY,
	HPCP_METRIC_RATE,       /* work or bytes per second */
	HPCP_METRIC_RATIO,      /* 0..1 */
	HPCP_METRIC_COUNT,
	HPCP_METRIC_VALUE,      /* a real quantity of its unit (ns, loss) */
};

enum hpcp_metric_better { HPCP_BETTER_LOWER, HPCP_BETTER_HIGHER };

/* The percentiles of a latency distribution a gate compares. */
#define HPCP_STAT_P50 0x1u
#define HPCP_STAT_P99 0x2u
#define HPCP_STAT_MAX 0x4u

/* A label of a metric instance; arrays end with a NULL name. */
struct hpcp_metric_label {
	const char *name;   /* "{name}" in gate names */
	/* The value: the member path of the element wildcard `level` bound,
	 * of the phase object when level is -1; NULL path: that element's
	 * key (a "*" wildcard).  A string, or a number printed as %.0f. */
	int level;
	const char *path;
	const char *value;  /* non-NULL: a constant, level and path unused */
	const char *emf;    /* the EMF dimension's name; NULL: not one */
	const char *prom;   /* the Prometheus label's name; NULL: not one */
};

struct hpcp_metric {
	const char *each;
	const char *path;
	const char *path_alt;   /* read when path is absent (older schema) */
	const char *unit;       /* the document's unit: "ns", "bytes/s" ... */
	enum hpcp_metric_kind kind;
	enum hpcp_metric_better better;
	const struct hpcp_metric_label *labels;   /* NULL: none */
	/* A boolean member of the bound element, true when the host was too
	 * busy for the value to be judged; NULL: never noisy. */
	const char *noisy;
	const char *noisy_reason;   /* the member that says why */

	/* The human size tables (summary, HTML), rows the instances of one
	 * "each", keyed by the label of its last wildcard.  column: the
	 * summary's heading (NULL: not shown; a distribution shows p50, p99
	 * and max); html_column: the HTML heading (a distribution: the unit
	 * after each of html_stats), html_scale from the document's unit. */
	const char *column;
	const char *html_column;
	double html_scale;
	unsigned html_stats;

	/* The regression gate (NULL gate: not compared).  gate is the name,
	 * with "{label}", "{key}" (path's last segment as resolved) and, for
	 * a distribution, "{stat}" (p50, p99: gate_stats) replaced. */
	const char *gate;
	unsigned gate_stats;
	int noisy_drops;        /* noisy: 1 left out, 0 shown and not judged */
	const char *gate_unless; /* bound element's member: when present,
				  * not compared (a newer value replaces it) */
	const char *gate_if;	/* bound element's member: compared only
				 * when present (the value's meaning changed;
				 * an older document's is not comparable) */

	/* CloudWatch EMF (NULL emf: not sent).  Entries of one "each" make
	 * one line per instance; a distribution sends <emf>P50, <emf>P99. */
	const char *emf;
	const char *emf_unit;
	double emf_scale;

	/* Prometheus (NULL prom: not exported).  Consecutive entries with one
	 * prom name are one family.  A distribution is a summary in seconds
	 * whose count is the bound element's member prom_count. */
	const char *prom;
	const char *prom_help;
	double prom_scale;
	const char *prom_count;
};

struct hpcp_metric_table {
	const char *phase;      /* phases.<phase>, read only when "ok" */
	/* Set: the object is the document's top-level member <phase> (the
	 * utilisation, which spans every phase), with a "status" too; the
	 * outputs then take the phase from the entries' labels. */
	int top;
	const struct hpcp_metric *metrics;
	size_t n;
};

#define HPCP_METRIC_TABLE(name, entries) \
	{ .phase = (name), .metrics = (entries), \
	  .n = sizeof(entries) / sizeof((entries)[0]) }

/*
 * In a phase file, before its "#ifndef HPCP_METRICS_ONLY": the phase's
 * table from its array of entries.  Each phase file is compiled twice:
 * into libhpcp.a as the phase, whose .metrics is then &phase_metrics; and
 * into libhpcpdoc.a with HPCP_METRICS_ONLY defined, the table alone (no
 * MPI, nothing else of the file), as hpcp_metrics_<name>, which
 * hpcp_metric_tables lists for the report tool and every output.
 */
#ifdef HPCP_METRICS_ONLY
#define HPCP_PHASE_METRICS_AS_(name, init) \
	extern const struct hpcp_metric_table hpcp_metrics_##name; \
	const struct hpcp_metric_table hpcp_metrics_##name = init
#else
#define HPCP_PHASE_METRICS_AS_(name, init) \
	static const struct hpcp_metric_table phase_metrics = init
#endif
#define HPCP_PHASE_METRICS(name, entries) \
	HPCP_PHASE_METRICS_AS_(name, HPCP_METRIC_TABLE(#name, entries))
/* A phase that measures nothing the outputs project (topology). */
#define HPCP_PHASE_NO_METRICS(name) \
	HPCP_PHASE_METRICS_AS_(name, { .phase = #name })

/* Every phase's table (an empty one for a phase without metrics), in run
 * order, then the top-level utilisation's; NULL-terminated.  The outputs walk this list, never the
 * phase structs: the report tool has no phases. */
extern const struct hpcp_metric_table *const hpcp_metric_tables[];

/* The listed table of phase `name`, or NULL. */
const struct hpcp_metric_table *hpcp_metric_table_find(const char *name);

#endif
