/*
 * Command-line options, described once.
 *
 * The global options are one table (src/opt.c); a phase's own options are
 * a table in the phase (phase.h).  The two merge into one table, hpcp_opts,
 * which drives parsing, --help (a phase's options under its own heading),
 * validation and the echo of the effective configuration in the results
 * document.  Parsing is pure: no MPI, no output, so every rank parses the
 * same argv to the same result and tests can feed it anything.
 */
#ifndef HPCP_OPT_H
#define HPCP_OPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hpcp/num.h"   /* the option values' number rules */

#define HPCP_MAX_SIZES 64
#define HPCP_MAX_PHASES 32
#define HPCP_MAX_MSG_BYTES (1ull << 30)
#define HPCP_MAX_ITERATIONS 1000000000ull
#define HPCP_DEFAULT_OUTPUT "hpcprobe-results.json"
#define HPCP_DEFAULT_TIMEOUT_S 120
#define HPCP_QUICK_TIMEOUT_S 30
/* Options of the merged table, global and every phase's together. */
#define HPCP_MAX_OPTS 64
/* Room for one phase's option values (its own struct). */
#define HPCP_PHASE_OPTS_BYTES 128
/* given_offset of an option whose being set is not recorded there. */
#define HPCP_OPT_NOT_TRACKED SIZE_MAX

struct hpcp_phase;

enum hpcp_action {
	HPCP_ACTION_RUN,
	HPCP_ACTION_HELP,
	HPCP_ACTION_VERSION,
	HPCP_ACTION_LIST,
};

/* The parsed command line.  *_given says whether the user set it. */
struct hpcp_config {
	enum hpcp_action action;
	int quick;
	const char *output;              /* "-" is stdout */
	int n_phases;
	const struct hpcp_phase *phases[HPCP_MAX_PHASES];
	int sizes_given;
	int n_sizes;
	uint64_t sizes[HPCP_MAX_SIZES];  /* bytes, in the order given */
	int iterations_given;
	uint64_t iterations;
	int warmup_given;
	uint64_t warmup;
	int validate;                    /* check payloads, outside timing */
	int max_pairs_given;
	uint64_t max_pairs;              /* node-matrix pairs; 0: all */
	const char *emf;                 /* CloudWatch EMF file, "-", or NULL */
	const char *emf_namespace;
	const char *prom;                /* Prometheus textfile, or NULL */
	int timeout_given;
	uint64_t timeout;                /* watchdog, seconds without progress */
	double sample_hz;                /* utilisation sampler; 0: off */
	const char *efa_root;            /* EFA counters' tree; NULL: sysfs */
	/* Set by the command line, by index into hpcp_opts. */
	unsigned char given[HPCP_MAX_OPTS];
	/* Each registered phase's option values, by registry index: the
	 * phase's own struct (hpcp_phase_opts() in phase.h). */
	union hpcp_phase_opts_store {
		max_align_t align;
		unsigned char bytes[HPCP_PHASE_OPTS_BYTES];
	} phase_opts[HPCP_MAX_PHASES];
};

enum hpcp_opt_kind {
	HPCP_OPT_FLAG,      /* no value; sets an int to 1 */
	HPCP_OPT_ACTION,    /* no value; selects help, version or list */
	HPCP_OPT_PATH,      /* a file name; "-" allowed where said */
	HPCP_OPT_STRING,    /* non-empty text, of charset when given */
	HPCP_OPT_OPT_PATH,  /* --name (meaning "-") or --name=FILE */
	HPCP_OPT_COUNT,     /* a whole number in [min, max] */
	HPCP_OPT_REAL,      /* a decimal number in [real_min, real_max] */
	HPCP_OPT_SIZES,     /* comma list of sizes with k/M/G suffixes */
	HPCP_OPT_PHASES,    /* comma list of registered phase names, or all */
};

struct hpcp_opt {
	const char *long_name;
	char short_name;            /* 0: none */
	enum hpcp_opt_kind kind;
	const char *metavar;
	const char *help;
	const char *default_text;   /* for --help and the config echo */
	uint64_t min, max;          /* COUNT and SIZES */
	double real_min, real_max;  /* REAL */
	const char *charset;        /* STRING: allowed characters, or NULL */
	const char *charset_text;   /* how an error names them; NULL: as is */
	size_t max_len;             /* STRING: longest accepted, 0 any */
	enum hpcp_action action;    /* ACTION */
	/* STRING: a further check of the value (a choice, a format); 0 or
	 * -EINVAL with what it accepts in err (the option name is added). */
	int (*check)(const char *value, char *err, size_t errlen);
	/*
	 * Where the value and the given flag (an int) live: in the global
	 * table and in hpcp_opts, offsets into struct hpcp_config; in a
	 * phase's table, into the phase's own option struct.  given_offset
	 * HPCP_OPT_NOT_TRACKED: not recorded (the echo then shows the value,
	 * never the default text).
	 */
	size_t value_offset;
	size_t given_offset;
	/* In hpcp_opts: the phase the option belongs to; NULL: global. */
	const struct hpcp_phase *phase;
};

/*
 * The merged table: the global options, then each registered phase's in
 * registry order, ending with an entry whose long_name is NULL.  Built once
 * from what is compiled in (the same on every rank); a name given twice is
 * a programming error and aborts.
 */
const struct hpcp_opt *hpcp_opt_table(void);
#define hpcp_opts (hpcp_opt_table())

/*
 * Parse argv into *cfg (defaults first, each phase's too).  Returns 0, or
 * -EINVAL with one line naming the option and what it accepts in err.
 */
int hpcp_opt_parse(int argc, char **argv, struct hpcp_config *cfg,
		   char *err, size_t errlen);

/*
 * The i-th (from 0) option the command line set for a phase it did not
 * select, with the warning in msg ("--imbalance applies to phase compute,
 * which is not selected"); NULL when there is no i-th.  Not an error: the
 * option is parsed and checked all the same.
 */
const struct hpcp_opt *hpcp_opt_unselected(const struct hpcp_config *cfg,
					   int i, char *msg, size_t len);

/* --help text from the table: the global options, then each phase's under
 * "<phase> options:". */
void hpcp_opt_print_help(FILE *f);

/* The value of one option as text ("8,1024", "yes", "auto"...). */
void hpcp_opt_value_text(const struct hpcp_opt *opt,
			 const struct hpcp_config *cfg, char *buf, size_t len);

/* Typed access to an option's value for the config echo. */
int hpcp_opt_is_given(const struct hpcp_opt *opt,
		      const struct hpcp_config *cfg);

#endif
