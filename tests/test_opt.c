/* Option and size parsing, including every bad input the CLI must refuse. */
#include "config.h"

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
	tap_ok(PARSE(&cfg, err, "--imbalance", "0.5") == 0 &&
	       cfg.imbalance == 0.5, "--imbalance 0.5 parses");
	tap_ok(PARSE(&cfg, err, "--imbalance", "11") == -EINVAL &&
	       strstr(err, "--imbalance") && strstr(err, "0..10"),
	       "--imbalance 11 names the range: %s", err);
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
}

static void echo_text(void)
{
	struct hpcp_config cfg;
	char err[512], text[256];
	const struct hpcp_opt *sizes_opt = NULL, *iters = NULL;

	for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++) {
		if (strcmp(o->long_name, "sizes") == 0)
			sizes_opt = o;
		if (strcmp(o->long_name, "iterations") == 0)
			iters = o;
	}
	PARSE(&cfg, err, "--sizes", "8,1k");
	hpcp_opt_value_text(sizes_opt, &cfg, text, sizeof(text));
	tap_is_str(text, "8,1024", "config echo of --sizes 8,1k");
	hpcp_opt_value_text(iters, &cfg, text, sizeof(text));
	tap_is_str(text, iters->default_text,
		   "config echo of an unset option is its default text");
}

int main(void)
{
	sizes();
	counts();
	reals();
	command_lines();
	help_text();
	echo_text();
	return tap_done();
}
