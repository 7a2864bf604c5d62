/*
 * The global options, the merged table and the parser.  --help, the value
 * texts and the warnings are in opt_text.c.
 */
#include "config.h"

#include "hpcp/efa.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "hpcp/sampler.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CFG(field) offsetof(struct hpcp_config, field)
#define NOT_TRACKED HPCP_OPT_NOT_TRACKED

/* The global options, of the whole run; a phase's own are in its file. */
static const struct hpcp_opt global_opts[] = {
	{ .long_name = "phases", .short_name = 'p', .kind = HPCP_OPT_PHASES,
	  .metavar = "LIST",
	  .help = "phases to run, comma-separated, or all (see --list)",
	  .default_text = "all",
	  .value_offset = CFG(phases), .given_offset = NOT_TRACKED },
	{ .long_name = "quick", .short_name = 'q', .kind = HPCP_OPT_FLAG,
	  .help = "cut iteration counts and sizes for a fast look",
	  .default_text = "off",
	  .value_offset = CFG(quick), .given_offset = NOT_TRACKED },
	{ .long_name = "output", .short_name = 'o', .kind = HPCP_OPT_PATH,
	  .metavar = "FILE",
	  .help = "results document, rewritten after every phase; - for stdout",
	  .default_text = HPCP_DEFAULT_OUTPUT,
	  .value_offset = CFG(output), .given_offset = NOT_TRACKED },
	{ .long_name = "sizes", .short_name = 's', .kind = HPCP_OPT_SIZES,
	  .metavar = "LIST",
	  .help = "message sizes for the probes, e.g. 0,8,1k,64k,1M",
	  .default_text = "per phase", .min = 0, .max = HPCP_MAX_MSG_BYTES,
	  .value_offset = CFG(sizes), .given_offset = CFG(sizes_given) },
	{ .long_name = "iterations", .short_name = 'i', .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "timed iterations per probe size",
	  .default_text = "per phase and size", .min = 1,
	  .max = HPCP_MAX_ITERATIONS,
	  .value_offset = CFG(iterations),
	  .given_offset = CFG(iterations_given) },
	{ .long_name = "warmup", .short_name = 'w', .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "untimed warm-up iterations per probe size",
	  .default_text = "per phase and size", .min = 0,
	  .max = HPCP_MAX_ITERATIONS,
	  .value_offset = CFG(warmup), .given_offset = CFG(warmup_given) },
	{ .long_name = "validate", .kind = HPCP_OPT_FLAG,
	  .help = "check message payloads (outside the timed loops)",
	  .default_text = "off",
	  .value_offset = CFG(validate), .given_offset = NOT_TRACKED },
	{ .long_name = "max-pairs", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "measure at most N node pairs in the node matrix "
		  "(sampled by rounds)",
	  .default_text = "all", .min = 1, .max = 1000000000000ull,
	  .value_offset = CFG(max_pairs),
	  .given_offset = CFG(max_pairs_given) },
	{ .long_name = "timeout", .short_name = 't', .kind = HPCP_OPT_COUNT,
	  .metavar = "SECONDS",
	  .help = "end the job when a rank waits this long on a peer without "
		  "progress, naming the phase, rank and host",
	  .default_text = "120 (30 with --quick)", .min = 1, .max = 604800,
	  .value_offset = CFG(timeout), .given_offset = CFG(timeout_given) },
	{ .long_name = "sample-hz", .kind = HPCP_OPT_REAL, .metavar = "HZ",
	  .help = "utilisation readings per second on each node (a thread "
		  "on the node's first rank); lower for long runs, 0 off",
	  .default_text = "10", .real_min = 0, .real_max = 100,
	  .value_offset = CFG(sample_hz), .given_offset = NOT_TRACKED },
	{ .long_name = "efa-root", .kind = HPCP_OPT_PATH, .metavar = "DIR",
	  .help = "read EFA counters (fabric phase, sampler, preflight) from "
		  "this tree instead of " HPCP_EFA_DEFAULT_ROOT " (a test "
		  "tree; recorded)",
	  .default_text = HPCP_EFA_DEFAULT_ROOT,
	  .value_offset = CFG(efa_root), .given_offset = NOT_TRACKED },
	{ .long_name = "emf", .kind = HPCP_OPT_OPT_PATH, .metavar = "[=FILE]",
	  .help = "CloudWatch Embedded Metric Format lines, to FILE or stdout",
	  .default_text = "off",
	  .value_offset = CFG(emf), .given_offset = NOT_TRACKED },
	{ .long_name = "emf-namespace", .kind = HPCP_OPT_STRING,
	  .metavar = "NS", .help = "CloudWatch namespace of the EMF metrics",
	  .default_text = "hpcprobe", .max_len = 255,
	  .charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		     "0123456789._#:/-",
	  .charset_text = "letters, digits and ._#:/-",
	  .value_offset = CFG(emf_namespace), .given_offset = NOT_TRACKED },
	{ .long_name = "prom", .kind = HPCP_OPT_PATH, .metavar = "FILE",
	  .help = "Prometheus textfile for node_exporter's textfile collector",
	  .default_text = "off",
	  .value_offset = CFG(prom), .given_offset = NOT_TRACKED },
	{ .long_name = "list", .short_name = 'l', .kind = HPCP_OPT_ACTION,
	  .help = "list every phase and whether it can run here, then exit",
	  .action = HPCP_ACTION_LIST, .given_offset = NOT_TRACKED },
	{ .long_name = "help", .short_name = 'h', .kind = HPCP_OPT_ACTION,
	  .help = "show this help, then exit",
	  .action = HPCP_ACTION_HELP, .given_offset = NOT_TRACKED },
	{ .long_name = "version", .short_name = 'V', .kind = HPCP_OPT_ACTION,
	  .help = "show the version, then exit",
	  .action = HPCP_ACTION_VERSION, .given_offset = NOT_TRACKED },
	{ .long_name = NULL },
};

static void *field(struct hpcp_config *cfg, size_t offset)
{
	return (char *)cfg + offset;
}

/*
 * The merged table.  A phase's options are rebased: their offsets, into
 * the phase's own struct, become offsets into the phase's slot of
 * struct hpcp_config, so the parser, the echo and the value texts treat
 * every option alike.
 */
static struct hpcp_opt merged[HPCP_MAX_OPTS + 1];
static pthread_once_t merged_once = PTHREAD_ONCE_INIT;

/* A table that cannot be merged is a bug of this build, not bad input. */
__attribute__((format(printf, 1, 2), noreturn))
static void table_bug(const char *fmt, ...)
{
	va_list ap;

	fputs("hpcprobe: internal error: option table: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void merge(int *n, const struct hpcp_opt *o,
		  const struct hpcp_phase *p, size_t base)
{
	struct hpcp_opt *m;

	if (*n == HPCP_MAX_OPTS)
		table_bug("more than %d options", HPCP_MAX_OPTS);
	for (int i = 0; i < *n; i++) {
		if (strcmp(merged[i].long_name, o->long_name) == 0)
			table_bug("--%s is defined twice", o->long_name);
		if (o->short_name && merged[i].short_name == o->short_name)
			table_bug("-%c is defined twice", o->short_name);
	}
	m = &merged[(*n)++];
	*m = *o;
	m->phase = p;
	if (!p)
		return;
	m->value_offset += base;
	if (o->given_offset != NOT_TRACKED)
		m->given_offset += base;
}

static void merge_phase(int *n, int index, const struct hpcp_phase *p)
{
	size_t base = CFG(phase_opts) +
		      (size_t)index * sizeof(union hpcp_phase_opts_store);

	if (index >= HPCP_MAX_PHASES)
		table_bug("more than %d phases", HPCP_MAX_PHASES);
	if (p->opts_size > HPCP_PHASE_OPTS_BYTES)
		table_bug("phase %s: %zu bytes of options, room for %d",
			  p->name, p->opts_size, HPCP_PHASE_OPTS_BYTES);
	for (const struct hpcp_opt *o = p->opts; o->long_name; o++) {
		/* These write the global fields (phases, sizes, action). */
		if (o->kind == HPCP_OPT_ACTION || o->kind == HPCP_OPT_SIZES ||
		    o->kind == HPCP_OPT_PHASES)
			table_bug("phase %s: --%s is of a global kind", p->name,
				  o->long_name);
		if (o->value_offset >= p->opts_size ||
		    (o->given_offset != NOT_TRACKED &&
		     o->given_offset + sizeof(int) > p->opts_size))
			table_bug("phase %s: --%s lies outside its %zu bytes",
				  p->name, o->long_name, p->opts_size);
		merge(n, o, p, base);
	}
}

static void build_table(void)
{
	int n = 0;

	for (const struct hpcp_opt *o = global_opts; o->long_name; o++)
		merge(&n, o, NULL, 0);
	for (int i = 0; hpcp_phases[i]; i++)
		if (hpcp_phases[i]->opts)
			merge_phase(&n, i, hpcp_phases[i]);
	merged[n].long_name = NULL;
}

const struct hpcp_opt *hpcp_opt_table(void)
{
	pthread_once(&merged_once, build_table);
	return merged;
}

static int parse_phases(const char *s, struct hpcp_config *cfg, char *err,
			size_t errlen)
{
	char names[512];
	char item[64];
	const char *p = s;

	hpcp_phase_names(names, sizeof(names));
	cfg->n_phases = 0;
	if (strcmp(s, "all") == 0) {
		for (int i = 0; hpcp_phases[i] && i < HPCP_MAX_PHASES; i++)
			cfg->phases[cfg->n_phases++] = hpcp_phases[i];
		return 0;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const struct hpcp_phase *ph;

		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, p, len);
		item[len] = '\0';
		ph = len ? hpcp_phase_find(item) : NULL;
		if (!ph) {
			snprintf(err, errlen,
				 "--phases: unknown phase '%s' (valid: %s, or all)",
				 item, names);
			return -EINVAL;
		}
		for (int i = 0; i < cfg->n_phases; i++) {
			if (cfg->phases[i] == ph) {
				snprintf(err, errlen,
					 "--phases: phase '%s' is listed twice",
					 item);
				return -EINVAL;
			}
		}
		if (cfg->n_phases == HPCP_MAX_PHASES) {
			snprintf(err, errlen, "--phases: too many phases");
			return -EINVAL;
		}
		cfg->phases[cfg->n_phases++] = ph;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static const struct hpcp_opt *find_long(const char *name, size_t len)
{
	for (const struct hpcp_opt *o = hpcp_opt_table(); o->long_name; o++)
		if (strlen(o->long_name) == len &&
		    strncmp(o->long_name, name, len) == 0)
			return o;
	return NULL;
}

static const struct hpcp_opt *find_short(char c)
{
	for (const struct hpcp_opt *o = hpcp_opt_table(); o->long_name; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static int takes_value(const struct hpcp_opt *o)
{
	return o->kind != HPCP_OPT_FLAG && o->kind != HPCP_OPT_ACTION;
}

/* A value only with "=": "--emf FILE" would swallow the next option. */
static int needs_value(const struct hpcp_opt *o)
{
	return takes_value(o) && o->kind != HPCP_OPT_OPT_PATH;
}

/* Store one option's value; err names the option and what it accepts. */
static int apply(const struct hpcp_opt *o, const char *value,
		 struct hpcp_config *cfg, char *err, size_t errlen)
{
	int rc;

	cfg->given[o - hpcp_opt_table()] = 1;
	if (o->given_offset != NOT_TRACKED)
		*(int *)field(cfg, o->given_offset) = 1;
	switch (o->kind) {
	case HPCP_OPT_FLAG:
		*(int *)field(cfg, o->value_offset) = 1;
		return 0;
	case HPCP_OPT_ACTION:
		/* The first action wins: "--list --help" lists. */
		if (cfg->action == HPCP_ACTION_RUN)
			cfg->action = o->action;
		return 0;
	case HPCP_OPT_PATH:
		if (!*value) {
			snprintf(err, errlen, "--%s: expects a %s",
				 o->long_name,
				 strcmp(o->metavar, "DIR") == 0 ?
					 "folder name" :
					 "file name (or - for stdout)");
			return -EINVAL;
		}
		*(const char **)field(cfg, o->value_offset) = value;
		return 0;
	case HPCP_OPT_OPT_PATH:
		if (!value) {
			value = "-";
		} else if (!*value) {
			snprintf(err, errlen,
				 "--%s: expects --%s (stdout) or --%s=FILE",
				 o->long_name, o->long_name, o->long_name);
			return -EINVAL;
		}
		*(const char **)field(cfg, o->value_offset) = value;
		return 0;
	case HPCP_OPT_STRING:
		if (!*value || (o->max_len && strlen(value) > o->max_len) ||
		    (o->charset && value[strspn(value, o->charset)])) {
			if (o->charset)
				snprintf(err, errlen,
					 "--%s: '%s' is not a valid %s (1..%zu "
					 "of: %s)",
					 o->long_name, value, o->metavar,
					 o->max_len,
					 o->charset_text ? o->charset_text :
							   o->charset);
			else
				snprintf(err, errlen, "--%s: expects a %s",
					 o->long_name, o->metavar);
			return -EINVAL;
		}
		if (o->check) {
			char why[160];

			if (o->check(value, why, sizeof(why)) != 0) {
				snprintf(err, errlen, "--%s: '%s': %s",
					 o->long_name, value, why);
				return -EINVAL;
			}
		}
		*(const char **)field(cfg, o->value_offset) = value;
		return 0;
	case HPCP_OPT_COUNT:
		rc = hpcp_parse_count(value, o->min, o->max,
				      field(cfg, o->value_offset));
		if (rc) {
			snprintf(err, errlen,
				 "--%s: '%s' is not a whole number in %llu..%llu",
				 o->long_name, value,
				 (unsigned long long)o->min,
				 (unsigned long long)o->max);
			return -EINVAL;
		}
		return 0;
	case HPCP_OPT_REAL:
		rc = hpcp_parse_real(value, o->real_min, o->real_max,
				     field(cfg, o->value_offset));
		if (rc) {
			snprintf(err, errlen,
				 "--%s: '%s' is not a number in %g..%g",
				 o->long_name, value, o->real_min, o->real_max);
			return -EINVAL;
		}
		return 0;
	case HPCP_OPT_SIZES:
		rc = hpcp_parse_size_list(value, field(cfg, o->value_offset),
					  HPCP_MAX_SIZES, &cfg->n_sizes,
					  o->max);
		if (rc == -E2BIG) {
			snprintf(err, errlen, "--%s: at most %d sizes",
				 o->long_name, HPCP_MAX_SIZES);
			return -EINVAL;
		}
		if (rc) {
			snprintf(err, errlen,
				 "--%s: '%s' is not a list of sizes (accepted: "
				 "bytes with an optional k, M or G suffix, "
				 "each at most 1G, e.g. 8,1k,64k,1M)",
				 o->long_name, value);
			return -EINVAL;
		}
		return 0;
	case HPCP_OPT_PHASES:
		return parse_phases(value, cfg, err, errlen);
	}
	return -EINVAL;
}

static void set_defaults(struct hpcp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->action = HPCP_ACTION_RUN;
	cfg->output = HPCP_DEFAULT_OUTPUT;
	cfg->emf_namespace = "hpcprobe";
	cfg->sample_hz = HPCP_SAMPLER_DEFAULT_HZ;
	for (int i = 0; hpcp_phases[i] && i < HPCP_MAX_PHASES; i++) {
		const struct hpcp_phase *p = hpcp_phases[i];

		cfg->phases[cfg->n_phases++] = p;
		if (p->opts_defaults && p->opts_size <= HPCP_PHASE_OPTS_BYTES)
			memcpy(cfg->phase_opts[i].bytes, p->opts_defaults,
			       p->opts_size);
	}
}

int hpcp_opt_parse(int argc, char **argv, struct hpcp_config *cfg,
		   char *err, size_t errlen)
{
	set_defaults(cfg);
	if (errlen)
		err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct hpcp_opt *o;
		const char *value = NULL;
		int rc;

		if (strncmp(arg, "--", 2) == 0 && arg[2]) {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(name, len);
			if (!o) {
				snprintf(err, errlen,
					 "unknown option '%.*s' (see --help)",
					 (int)(len + 2), arg);
				return -EINVAL;
			}
			if (eq && !takes_value(o)) {
				snprintf(err, errlen,
					 "--%s: takes no value", o->long_name);
				return -EINVAL;
			}
			if (eq)
				value = eq + 1;
		} else if (arg[0] == '-' && arg[1] && arg[1] != '-') {
			o = find_short(arg[1]);
			if (!o) {
				snprintf(err, errlen,
					 "unknown option '-%c' (see --help)",
					 arg[1]);
				return -EINVAL;
			}
			if (arg[2]) {
				if (!takes_value(o)) {
					snprintf(err, errlen,
						 "-%c: takes no value "
						 "(options cannot be bundled)",
						 arg[1]);
					return -EINVAL;
				}
				value = arg + 2;
			}
		} else {
			snprintf(err, errlen,
				 "unexpected argument '%s' (see --help)", arg);
			return -EINVAL;
		}
		if (needs_value(o) && !value) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--%s: needs a value (%s)",
					 o->long_name, o->metavar);
				return -EINVAL;
			}
			value = argv[++i];
		}
		rc = apply(o, value, cfg, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}
