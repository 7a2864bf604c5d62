/*
 * Options as text: --help, the value of an option for the echo of the
 * configuration in the results document, and the warning for a phase's
 * option given without its phase.  The table is opt.c's.
 */
#include "config.h"

#include "hpcp/opt.h"
#include "hpcp/phase.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NOT_TRACKED HPCP_OPT_NOT_TRACKED

static const void *cfield(const struct hpcp_config *cfg, size_t offset)
{
	return (const char *)cfg + offset;
}

void hpcp_opt_value_text(const struct hpcp_opt *opt,
			 const struct hpcp_config *cfg, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	if (opt->given_offset != NOT_TRACKED &&
	    !*(const int *)cfield(cfg, opt->given_offset)) {
		snprintf(buf, len, "%s", opt->default_text);
		return;
	}
	switch (opt->kind) {
	case HPCP_OPT_FLAG:
		snprintf(buf, len, "%s",
			 *(const int *)cfield(cfg, opt->value_offset) ? "on" :
									"off");
		break;
	case HPCP_OPT_PATH:
	case HPCP_OPT_STRING:
	case HPCP_OPT_OPT_PATH: {
		const char *v =
			*(const char *const *)cfield(cfg, opt->value_offset);

		snprintf(buf, len, "%s", v ? v : opt->default_text);
		break;
	}
	case HPCP_OPT_COUNT:
		snprintf(buf, len, "%llu",
			 (unsigned long long)*(const uint64_t *)cfield(
				 cfg, opt->value_offset));
		break;
	case HPCP_OPT_REAL:
		snprintf(buf, len, "%g",
			 *(const double *)cfield(cfg, opt->value_offset));
		break;
	case HPCP_OPT_SIZES:
		for (int i = 0; i < cfg->n_sizes && used < len; i++) {
			int n = snprintf(buf + used, len - used, "%s%llu",
					 i ? "," : "",
					 (unsigned long long)cfg->sizes[i]);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		break;
	case HPCP_OPT_PHASES:
		for (int i = 0; i < cfg->n_phases && used < len; i++) {
			int n = snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "", cfg->phases[i]->name);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		break;
	case HPCP_OPT_ACTION:
		break;
	}
}

int hpcp_opt_is_given(const struct hpcp_opt *opt,
		      const struct hpcp_config *cfg)
{
	if (opt->given_offset == NOT_TRACKED)
		return 1;
	return *(const int *)cfield(cfg, opt->given_offset);
}

static int selected(const struct hpcp_config *cfg,
		    const struct hpcp_phase *p)
{
	for (int i = 0; i < cfg->n_phases; i++)
		if (cfg->phases[i] == p)
			return 1;
	return 0;
}

const struct hpcp_opt *hpcp_opt_unselected(const struct hpcp_config *cfg,
					   int i, char *msg, size_t len)
{
	const struct hpcp_opt *table = hpcp_opt_table();

	for (const struct hpcp_opt *o = table; o->long_name; o++) {
		if (!o->phase || !cfg->given[o - table] ||
		    selected(cfg, o->phase))
			continue;
		if (i-- > 0)
			continue;
		snprintf(msg, len,
			 "--%s applies to phase %s, which is not selected",
			 o->long_name, o->phase->name);
		return o;
	}
	return NULL;
}

/* The description column: two spaces, the option column, one space. */
#define OPT_COLUMN 26
#define DESC_INDENT (2 + OPT_COLUMN + 1)

static void print_option(FILE *f, const struct hpcp_opt *o)
{
	char left[64];
	/* An optional value ("[=FILE]") is glued on, as GNU tools print it. */
	const char *mv = o->metavar ? o->metavar : "";
	const char *sep = o->metavar && o->metavar[0] != '[' ? " " : "";

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
			 o->long_name, sep, mv);
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->long_name, sep,
			 mv);
	/*
	 * Two spaces at least between option and description, else help2man
	 * (and a reader) cannot tell where the option ends: an option too
	 * wide for its column has its description on the next line, indented
	 * to the description column (the GNU layout).
	 */
	if (strlen(left) < OPT_COLUMN)
		fprintf(f, "  %-*s %s", OPT_COLUMN, left, o->help);
	else
		fprintf(f, "  %s\n%*s%s", left, DESC_INDENT, "", o->help);
	if (o->default_text)
		fprintf(f, " [default: %s]", o->default_text);
	fputc('\n', f);
}

void hpcp_opt_print_help(FILE *f)
{
	const struct hpcp_opt *table = hpcp_opt_table();

	fprintf(f,
		"Usage: mpirun -np N hpcprobe [OPTIONS]\n"
		"\n"
		"Measures an MPI cluster in one job and has rank 0 write one "
		"results document (JSON).\n"
		"\n"
		"Options:\n");
	for (const struct hpcp_opt *o = table; o->long_name; o++)
		if (!o->phase)
			print_option(f, o);
	/* Each phase's own, under its name; they act only when it runs. */
	for (int i = 0; hpcp_phases[i]; i++) {
		const struct hpcp_phase *p = hpcp_phases[i];

		if (!p->opts || !p->opts[0].long_name)
			continue;
		fprintf(f, "\n%s options:\n", p->name);
		for (const struct hpcp_opt *o = table; o->long_name; o++)
			if (o->phase == p)
				print_option(f, o);
	}
	fprintf(f,
		"\n"
		"Exit status: 0 every selected phase ran or was unavailable "
		"here; 1 a phase failed;\n"
		"2 bad input (nothing is run and no file is written).\n");
}
