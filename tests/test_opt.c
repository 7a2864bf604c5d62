/*
 * Option and size parsing, including every bad input the CLI must refuse;
 * the global options merged with each phase's own (--help under a heading
 * per phase, a phase's option without its phase a warning).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ "hpcprobe", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "hpcprobe", __VA_ARGS__ }) / sizeof(char *)))

static int parse(int argc, char **argv, struct hpcp_config *cfg, char *err)
{
	return hpcp_opt_parse(argc, argv, cfg, err, 512);
}

#define PARSE(cfg, err, ...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), cfg, err)

/* The merged table's entry called name, or NULL. */
static const struct hpcp_opt *opt_named(const char *name)
{
	for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++)
		if (strcmp(o->long_name, name) == 0)
			return o;
	return NULL;
}

/* A phase option's value, read where the table says it is. */
static double real_of(const struct hpcp_config *cfg, const char *name)
{
	double v;

	memcpy(&v, (const char *)cfg + opt_named(name)->value_offset,
	       sizeof(v));
	return v;
}

static const char *str_of(const struct hpcp_config *cfg, const char *name)
{
	const char *v;

	memcpy(&v, (const char *)cfg + opt_named(name)->value_offset,
	       sizeof(v));
	return v;
}

static void sizes(void)
{
	uint64_t v = 0;
	uint64_t list[8];
	int n = 0;

	tap_ok(hpcp_parse_size("0", &v) == 0 && v == 0, "size 0 is 0 bytes");
	tap_ok(hpcp_parse_size("8", &v) == 0 && v == 8, "size 8 is 8 bytes");
	tap_ok(hpcp_parse_size("1k", &v) == 0 && v == 1024, "1k is 1024");
	tap_ok(hpcp_parse_size("64K", &v) == 0 && v == 65536, "64K is 65536");
	tap_ok(hpcp_parse_size("1M", &v) == 0 && v == 1048576, "1M is 2^20");
	tap_ok(hpcp_parse_size("4MiB", &v) == 0 && v == 4u << 20,
	       "4MiB is 4 * 2^20");
	tap_ok(hpcp_parse_size("2G", &v) == 0 && v == 2ull << 30, "2G is 2^31");
	tap_ok(hpcp_parse_size("16B", &v) == 0 && v == 16, "16B is 16");
	tap_ok(hpcp_parse_size("12q", &v) == -EINVAL, "12q is refused");
	tap_ok(hpcp_parse_size("", &v) == -EINVAL, "empty size is refused");
	tap_ok(hpcp_parse_size("-8", &v) == -EINVAL, "negative size is refused");
	tap_ok(hpcp_parse_size("1.5k", &v) == -EINVAL,
	       "fractional size is refused");
	tap_ok(hpcp_parse_size("k", &v) == -EINVAL, "suffix alone is refused");
	tap_ok(hpcp_parse_size("8kk", &v) == -EINVAL, "double suffix is refused");
	tap_ok(hpcp_parse_size("99999999999999999999", &v) == -ERANGE,
	       "size beyond 64 bits is out of range");
	tap_ok(hpcp_parse_size("17179869184G", &v) == -ERANGE,
	       "size overflowing after the suffix is out of range");

	tap_ok(hpcp_parse_size_list("8,1k,64k,1M", list, 8, &n, 1u << 30) == 0 &&
	       n == 4 && list[0] == 8 && list[1] == 1024 &&
	       list[2] == 65536 && list[3] == 1048576,
	       "list 8,1k,64k,1M parses in order");
	tap_ok(hpcp_parse_size_list("8,,16", list, 8, &n, 1u << 30) == -EINVAL,
	       "empty list item is refused");
	tap_ok(hpcp_parse_size_list("8,", list, 8, &n, 1u << 30) == -EINVAL,
	       "trailing comma is refused");
	tap_ok(hpcp_parse_size_list("2G", list, 8, &n, 1u << 30) == -ERANGE,
	       "size above the limit is refused");
	tap_ok(hpcp_parse_size_list("1,2,3", list, 2, &n, 1u << 30) == -E2BIG,
	       "more sizes than room is refused");
}

static void counts(void)
{
	uint64_t v = 0;

	tap_ok(hpcp_parse_count("1000", 1, 10000, &v) == 0 && v == 1000,
	       "count 1000 parses");
	tap_ok(hpcp_parse_count("-3", 1, 10000, &v) == -EINVAL,
	       "negative count is refused");
	tap_ok(hpcp_parse_count("+3", 1, 10000, &v) == -EINVAL,
	       "signed count is refused");
	tap_ok(hpcp_parse_count("0", 1, 10000, &v) == -ERANGE,
	       "count below minimum is out of range");
	tap_ok(hpcp_parse_count("99999999999999999999", 1, 10000, &v) == -ERANGE,
	       "count beyond 64 bits is out of range");
	tap_ok(hpcp_parse_count("10001", 1, 10000, &v) == -ERANGE,
	       "count above maximum is out of range");
	tap_ok(hpcp_parse_count("1e3", 1, 10000, &v) == -EINVAL,
	       "count in exponent notation is refused");
	tap_ok(hpcp_parse_count("", 1, 10000, &v) == -EINVAL,
	       "empty count is refused");
}

static void reals(void)
{
	double v = -1;

	tap_ok(hpcp_parse_real("0.5", 0, 10, &v) == 0 && v == 0.5,
	       "real 0.5 parses");
	tap_ok(hpcp_parse_real("10", 0, 10, &v) == 0 && v == 10,
	       "real 10 is within 0..10");
	tap_ok(hpcp_parse_real("10.5", 0, 10, &v) == -ERANGE,
	       "real above the maximum is out of range");
	tap_ok(hpcp_parse_real("-0.1", 0, 10, &v) == -ERANGE,
	       "negative real below 0 is out of range");
	tap_ok(hpcp_parse_real("nan", 0, 10, &v) == -EINVAL &&
	       hpcp_parse_real("inf", 0, 10, &v) == -EINVAL,
	       "nan and inf are refused");
	tap_ok(hpcp_parse_real("0x1p1", 0, 10, &v) == -EINVAL,
	       "hexadecimal is refused");
	tap_ok(hpcp_parse_real("1.5x", 0, 10, &v) == -EINVAL &&
	       hpcp_parse_real("", 0, 10, &v) == -EINVAL,
	       "trailing garbage and empty are refused");
}

static void durations(void)
{
	double ns = -1;

	tap_ok(hpcp_parse_duration("2.5ms", 10e9, &ns) == 0 && ns == 2.5e6,
	       "duration 2.5ms is 2.5e6 ns");
	tap_ok(hpcp_parse_duration("500us", 10e9, &ns) == 0 && ns == 5e5 &&
		       hpcp_parse_duration("7ns", 10e9, &ns) == 0 && ns == 7 &&
		       hpcp_parse_duration("10s", 10e9, &ns) == 0 &&
		       ns == 10e9,
	       "durations in us, ns and s; 10 s is the maximum given");
	tap_ok(hpcp_parse_duration("10.5s", 10e9, &ns) == -ERANGE &&
		       hpcp_parse_duration("-1ms", 10e9, &ns) == -ERANGE,
	       "over the maximum and negative are out of range");
	tap_ok(hpcp_parse_duration("5", 10e9, &ns) == -EINVAL &&
		       hpcp_parse_duration("ms", 10e9, &ns) == -EINVAL &&
		       hpcp_parse_duration("5min", 10e9, &ns) == -EINVAL &&
		       hpcp_parse_duration("1e3ms", 10e9, &ns) == -EINVAL &&
		       hpcp_parse_duration("0x1p3ms", 10e9, &ns) == -EINVAL &&
		       hpcp_parse_duration(" 5ms", 10e9, &ns) == -EINVAL,
	       "no unit, no number, an unknown unit, exponents, hex and "
	       "spaces are refused");
}

static void command_lines(void)
{
	struct hpcp_config cfg;
	char err[512];
	int all = 0;

	while (hpcp_phases[all])
		all++;

	tap_ok(parse(1, ARGV(NULL), &cfg, err) == 0, "no options parse");
	tap_ok(cfg.action == HPCP_ACTION_RUN && !cfg.quick &&
	       strcmp(cfg.output, HPCP_DEFAULT_OUTPUT) == 0 &&
	       cfg.n_phases == all && !cfg.sizes_given &&
	       !cfg.iterations_given && !cfg.warmup_given,
	       "defaults: run all phases, write %s", HPCP_DEFAULT_OUTPUT);

	tap_ok(PARSE(&cfg, err, "--phases", "topology", "--quick", "-o",
		     "x.json") == 0 &&
	       cfg.n_phases == 1 &&
	       strcmp(cfg.phases[0]->name, "topology") == 0 && cfg.quick &&
	       strcmp(cfg.output, "x.json") == 0,
	       "--phases topology --quick -o x.json");
	tap_ok(PARSE(&cfg, err, "--output=-", "--phases=all") == 0 &&
	       strcmp(cfg.output, "-") == 0 && cfg.n_phases == all,
	       "--output=- and --phases=all");
	tap_ok(PARSE(&cfg, err, "-oout.json") == 0 &&
	       strcmp(cfg.output, "out.json") == 0, "-oFILE attached value");
	tap_ok(PARSE(&cfg, err, "--sizes", "0,8,1k", "--iterations", "50",
		     "--warmup", "0") == 0 &&
	       cfg.sizes_given && cfg.n_sizes == 3 && cfg.sizes[2] == 1024 &&
	       cfg.iterations_given && cfg.iterations == 50 &&
	       cfg.warmup_given && cfg.warmup == 0,
	       "--sizes, --iterations and --warmup 0 parse");
	tap_ok(PARSE(&cfg, err, "--validate", "--max-pairs", "500") == 0 &&
	       cfg.validate && cfg.max_pairs_given && cfg.max_pairs == 500,
	       "--validate and --max-pairs 500 parse");
	tap_ok(PARSE(&cfg, err, "--max-pairs", "0") == -EINVAL &&
	       strstr(err, "--max-pairs"), "--max-pairs 0 is refused");
	tap_ok(PARSE(&cfg, err, "--help") == 0 &&
	       cfg.action == HPCP_ACTION_HELP, "--help selects help");
	tap_ok(PARSE(&cfg, err, "-V") == 0 &&
	       cfg.action == HPCP_ACTION_VERSION, "-V selects version");
	tap_ok(PARSE(&cfg, err, "--list") == 0 &&
	       cfg.action == HPCP_ACTION_LIST, "--list selects list");

	tap_ok(PARSE(&cfg, err, "--phases", "nosuch") == -EINVAL &&
	       strstr(err, "--phases") && strstr(err, "nosuch") &&
	       strstr(err, "topology"),
	       "unknown phase names the phase and the valid ones: %s", err);
	tap_ok(PARSE(&cfg, err, "--phases", "topology,topology") == -EINVAL &&
	       strstr(err, "twice"), "a phase listed twice is refused");
	tap_ok(PARSE(&cfg, err, "--phases", "") == -EINVAL,
	       "empty phase list is refused");
	tap_ok(PARSE(&cfg, err, "--bogus") == -EINVAL &&
	       strstr(err, "--bogus"), "unknown option is named: %s", err);
	tap_ok(PARSE(&cfg, err, "-Z") == -EINVAL && strstr(err, "-Z"),
	       "unknown short option is named");
	tap_ok(PARSE(&cfg, err, "stray") == -EINVAL && strstr(err, "stray"),
	       "stray argument is refused");
	tap_ok(PARSE(&cfg, err, "--sizes", "12q") == -EINVAL &&
	       strstr(err, "--sizes") && strstr(err, "12q") &&
	       strstr(err, "suffix"),
	       "--sizes 12q names the option and what is accepted: %s", err);
	tap_ok(PARSE(&cfg, err, "--iterations", "-3") == -EINVAL &&
	       strstr(err, "--iterations") && strstr(err, "-3") &&
	       strstr(err, "whole number"),
	       "--iterations -3 names the option and the range: %s", err);
	tap_ok(PARSE(&cfg, err, "--iterations", "99999999999999999999") ==
		       -EINVAL && strstr(err, "--iterations"),
	       "--iterations 99999999999999999999 is refused");
	tap_ok(PARSE(&cfg, err, "--iterations", "0") == -EINVAL,
	       "--iterations 0 is refused");
	tap_ok(PARSE(&cfg, err, "--iterations") == -EINVAL &&
	       strstr(err, "needs a value"), "missing value is named");
	tap_ok(PARSE(&cfg, err, "--quick=yes") == -EINVAL &&
	       strstr(err, "takes no value"), "flag with a value is refused");
	tap_ok(PARSE(&cfg, err, "--output", "") == -EINVAL,
	       "empty output name is refused");
}

/* The global table and every phase's, merged. */
static void merged_table(void)
{
	const struct hpcp_opt *imb = opt_named("imbalance");
	const struct hpcp_opt *prov = opt_named("fabric-provider");
	const struct hpcp_phase *compute = hpcp_phase_find("compute");
	const struct hpcp_phase *fabric = hpcp_phase_find("fabric");
	int n_global = 0, n_phase = 0, globals_first = 1, owned = 1;

	for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++) {
		if (o->phase) {
			n_phase++;
		} else {
			globals_first &= n_phase == 0;
			n_global++;
		}
	}
	for (int i = 0; hpcp_phases[i]; i++)
		for (const struct hpcp_opt *o = hpcp_phases[i]->opts;
		     o && o->long_name; o++)
			owned &= opt_named(o->long_name) &&
				 opt_named(o->long_name)->phase == hpcp_phases[i];
	tap_ok(owned && n_phase >= 2,
	       "every phase's options are in the merged table, owned by the "
	       "phase (%d global, %d of phases)", n_global, n_phase);
	tap_ok(globals_first, "the global options come first");
	tap_ok(imb && compute && imb->phase == compute,
	       "--imbalance belongs to the compute phase");
	tap_ok(prov && fabric && prov->phase == fabric,
	       "--fabric-provider belongs to the fabric phase");
	tap_ok(opt_named("phases") && !opt_named("phases")->phase &&
	       opt_named("timeout") && !opt_named("timeout")->phase,
	       "--phases and --timeout are global");
	tap_ok(n_global + n_phase <= HPCP_MAX_OPTS,
	       "the merged table fits its %d entries", HPCP_MAX_OPTS);
}

static void phase_options(void)
{
	struct hpcp_config cfg;
	const struct hpcp_phase *compute = hpcp_phase_find("compute");
	const struct hpcp_phase *fabric = hpcp_phase_find("fabric");
	const char *slot;
	char err[512];

	tap_ok(PARSE(&cfg, err, "--quick") == 0 &&
	       real_of(&cfg, "imbalance") == 0 &&
	       strcmp(str_of(&cfg, "fabric-provider"), "auto") == 0,
	       "phase option defaults: --imbalance 0, --fabric-provider auto");
	tap_ok(PARSE(&cfg, err, "--imbalance", "0.5", "-q",
		     "--fabric-provider", "tcp;ofi_rxm", "--phases",
		     "compute,fabric") == 0 &&
	       real_of(&cfg, "imbalance") == 0.5 &&
	       strcmp(str_of(&cfg, "fabric-provider"), "tcp;ofi_rxm") == 0 &&
	       cfg.quick && cfg.n_phases == 2,
	       "global and phase options parse in one command line");
	slot = hpcp_phase_opts(&cfg, compute);
	tap_ok(slot && (const char *)&cfg + opt_named("imbalance")->value_offset
				== slot,
	       "--imbalance lands in the compute phase's own struct");
	tap_ok(hpcp_phase_opts(&cfg, fabric) != slot &&
	       hpcp_phase_opts(&cfg, hpcp_phase_find("topology")) == NULL,
	       "each phase has its own struct; a phase without options none");
	tap_ok(PARSE(&cfg, err, "--imbalance=2") == 0 &&
	       real_of(&cfg, "imbalance") == 2, "--imbalance=2 parses");
	tap_ok(PARSE(&cfg, err, "--phases", "topology") == 0 &&
	       real_of(&cfg, "imbalance") == 0,
	       "a new parse starts from the phase's defaults again");

	tap_ok(PARSE(&cfg, err, "--imbalance", "11") == -EINVAL &&
	       strstr(err, "--imbalance") && strstr(err, "0..10") &&
	       !strchr(err, '\n'),
	       "--imbalance 11 names the range, in one line: %s", err);
	tap_ok(PARSE(&cfg, err, "--imbalance", "-2") == -EINVAL &&
	       strstr(err, "'-2'"), "--imbalance -2 is refused: %s", err);
	tap_ok(PARSE(&cfg, err, "--imbalance", "lots") == -EINVAL &&
	       strstr(err, "--imbalance"), "--imbalance lots is refused");
	tap_ok(PARSE(&cfg, err, "--phases", "topology", "--imbalance",
		     "11") == -EINVAL && strstr(err, "--imbalance"),
	       "a phase option is checked when its phase is not selected");
	tap_ok(PARSE(&cfg, err, "--imbalance") == -EINVAL &&
	       strstr(err, "--imbalance") && strstr(err, "needs a value"),
	       "--imbalance without a value is refused");
	tap_ok(PARSE(&cfg, err, "--fabric-provider", "") == -EINVAL &&
	       strstr(err, "--fabric-provider") && strstr(err, "NAME"),
	       "--fabric-provider '' is refused: %s", err);
}

static void unselected(void)
{
	struct hpcp_config cfg;
	char err[512], msg[256];
	const struct hpcp_opt *o;

	PARSE(&cfg, err, "--fabric-provider", "tcp", "--phases", "topology");
	o = hpcp_opt_unselected(&cfg, 0, msg, sizeof(msg));
	tap_ok(o == opt_named("fabric-provider"),
	       "--fabric-provider without fabric: warned");
	tap_is_str(msg, "--fabric-provider applies to phase fabric, which "
			"is not selected", "the warning names the option and "
					    "its phase");
	tap_ok(!hpcp_opt_unselected(&cfg, 1, msg, sizeof(msg)),
	       "one option, one warning");
	tap_ok(strcmp(str_of(&cfg, "fabric-provider"), "tcp") == 0,
	       "the option is still parsed");

	PARSE(&cfg, err, "--imbalance", "1", "--phases", "topology,fabric");
	o = hpcp_opt_unselected(&cfg, 0, msg, sizeof(msg));
	tap_ok(o == opt_named("imbalance") &&
	       strcmp(msg, "--imbalance applies to phase compute, which is "
			   "not selected") == 0,
	       "--imbalance without compute: %s", msg);
	PARSE(&cfg, err, "--phases", "topology", "--imbalance", "1",
	      "--fabric-provider", "shm");
	tap_ok(hpcp_opt_unselected(&cfg, 0, msg, sizeof(msg)) ==
			       opt_named("imbalance") &&
		       hpcp_opt_unselected(&cfg, 1, msg, sizeof(msg)) ==
			       opt_named("fabric-provider") &&
		       !hpcp_opt_unselected(&cfg, 2, msg, sizeof(msg)),
	       "two such options: two warnings, whatever the order");
	PARSE(&cfg, err, "--phases", "compute", "--imbalance", "1");
	tap_ok(!hpcp_opt_unselected(&cfg, 0, msg, sizeof(msg)),
	       "--imbalance with compute: no warning");
	PARSE(&cfg, err, "--imbalance", "1", "--fabric-provider", "efa");
	tap_ok(!hpcp_opt_unselected(&cfg, 0, msg, sizeof(msg)),
	       "all phases (the default): no warning");
	PARSE(&cfg, err, "--phases", "topology");
	tap_ok(!hpcp_opt_unselected(&cfg, 0, msg, sizeof(msg)),
	       "phase options left at their defaults: no warning");
}

/* Where --NAME itself is in the help text: not a longer option it begins
 * (--emf in --emf-namespace); a value may follow ("--emf[=FILE]"). */
static const char *option_in(const char *buf, const char *name)
{
	char opt[64];
	size_t n = (size_t)snprintf(opt, sizeof(opt), "--%s", name);

	for (const char *at = strstr(buf, opt); at; at = strstr(at + 1, opt))
		if (!isalnum((unsigned char)at[n]) && at[n] != '-')
			return at;
	return NULL;
}

static void help_text(void)
{
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	int all_listed = 1;

	hpcp_opt_print_help(f);
	fclose(f);
	for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++) {
		char name[64];

		snprintf(name, sizeof(name), "--%s", o->long_name);
		all_listed &= strstr(buf, name) != NULL;
	}
	tap_ok(all_listed, "--help lists every option of the table");
	tap_ok(strstr(buf, "Exit status") != NULL,
	       "--help documents the exit status");
	{
		const char *cs = strstr(buf, "\ncompute options:\n");
		const char *fs = strstr(buf, "\nfabric options:\n");
		const char *imb = strstr(buf, "--imbalance");
		const char *prov = strstr(buf, "--fabric-provider");
		const char *first = cs && fs ? (cs < fs ? cs : fs) : NULL;
		int globals_above = 1;

		tap_ok(cs && fs, "--help has a heading per phase with options");
		tap_ok(cs && imb > cs && (!fs || fs < cs || imb < fs),
		       "--imbalance is under compute options:");
		tap_ok(fs && prov > fs && (!cs || cs < fs || prov < cs),
		       "--fabric-provider is under fabric options:");
		for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++) {
			const char *at = option_in(buf, o->long_name);

			if (!o->phase && first)
				globals_above &= at && at < first;
		}
		tap_ok(globals_above,
		       "the global options are above the phase headings");
		tap_ok(!strstr(buf, "topology options:"),
		       "no heading for a phase without options");
	}
}

static void echo_text(void)
{
	struct hpcp_config cfg;
	char err[512], text[256];
	const struct hpcp_opt *sizes_opt = NULL, *iters = NULL;

	sizes_opt = opt_named("sizes");
	iters = opt_named("iterations");
	PARSE(&cfg, err, "--sizes", "8,1k");
	hpcp_opt_value_text(sizes_opt, &cfg, text, sizeof(text));
	tap_is_str(text, "8,1024", "config echo of --sizes 8,1k");
	hpcp_opt_value_text(iters, &cfg, text, sizeof(text));
	tap_is_str(text, iters->default_text,
		   "config echo of an unset option is its default text");
	hpcp_opt_value_text(opt_named("fabric-provider"), &cfg, text,
			    sizeof(text));
	tap_is_str(text, "auto", "config echo of a phase option's default");
	PARSE(&cfg, err, "--imbalance", "0.5", "--fabric-provider", "shm");
	hpcp_opt_value_text(opt_named("imbalance"), &cfg, text, sizeof(text));
	tap_is_str(text, "0.5", "config echo of --imbalance 0.5");
	hpcp_opt_value_text(opt_named("fabric-provider"), &cfg, text,
			    sizeof(text));
	tap_is_str(text, "shm", "config echo of --fabric-provider shm");
	tap_ok(hpcp_opt_is_given(opt_named("imbalance"), &cfg),
	       "--imbalance is echoed as its value, never a default text");
}

int main(void)
{
	sizes();
	counts();
	reals();
	durations();
	command_lines();
	merged_table();
	phase_options();
	unselected();
	help_text();
	echo_text();
	return tap_done();
}
