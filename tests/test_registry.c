/* The phase registry: every phase listed once, described, findable. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hpcp/metrics.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "tap.h"

/* Each phase's own options: well-formed, in the merged table once. */
static void phase_options(int n)
{
	int fits = 1, described = 1, kinds = 1, merged = 1, slots = 1;
	int total = 0, in_table = 0;
	struct hpcp_config cfg;
	char err[256];
	char *argv[] = { "hpcprobe", NULL };

	hpcp_opt_parse(1, argv, &cfg, err, sizeof(err));
	for (int i = 0; i < n; i++) {
		const struct hpcp_phase *p = hpcp_phases[i];

		tap_ok(hpcp_phase_index(p) == i, "index('%s') is %d", p->name,
		       i);
		slots &= (hpcp_phase_opts(&cfg, p) != NULL) == (p->opts != NULL);
		if (!p->opts)
			continue;
		fits &= p->opts_size > 0 &&
			p->opts_size <= HPCP_PHASE_OPTS_BYTES &&
			p->opts_defaults != NULL;
		/* The values start as the phase's defaults. */
		slots &= memcmp(hpcp_phase_opts(&cfg, p), p->opts_defaults,
				p->opts_size) == 0;
		for (const struct hpcp_opt *o = p->opts; o->long_name; o++) {
			int found = 0;

			total++;
			/* A flag takes no value, so it has no metavar. */
			described &= o->help && *o->help && o->default_text &&
				     (o->metavar || o->kind == HPCP_OPT_FLAG);
			kinds &= o->kind != HPCP_OPT_ACTION &&
				 o->kind != HPCP_OPT_SIZES &&
				 o->kind != HPCP_OPT_PHASES &&
				 o->value_offset < p->opts_size;
			for (const struct hpcp_opt *m = hpcp_opts; m->long_name;
			     m++)
				found += strcmp(m->long_name, o->long_name) == 0 &&
					 m->phase == p;
			merged &= found == 1;
		}
	}
	for (const struct hpcp_opt *m = hpcp_opts; m->long_name; m++)
		in_table += m->phase != NULL;
	tap_ok(fits, "every phase's option values fit its %d bytes, with "
		     "defaults", HPCP_PHASE_OPTS_BYTES);
	tap_ok(described, "every phase option has help, a metavar (but a "
			  "flag) and a default text");
	tap_ok(kinds, "phase options are of a phase's kinds and lie in the "
		      "phase's struct");
	tap_ok(merged && in_table == total,
	       "each phase option is once in the merged table (%d)", total);
	tap_ok(slots, "a phase with options has its values in the config, "
		      "starting as its defaults; a phase without has none");
	tap_ok(hpcp_phase_index(NULL) == -1, "an unregistered phase has no index");
}

/* Each phase file is compiled twice (hpcp/metrics.h): the phase's own
 * table and the one listed for the outputs (which walk the list: the
 * report tool has no phases) are the same table, and the list holds every
 * registered phase's, in run order. */
static int same_table(const struct hpcp_metric_table *a,
		      const struct hpcp_metric_table *b)
{
	if (!a || !b || strcmp(a->phase, b->phase) || a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->metrics[i].each, b->metrics[i].each) ||
		    strcmp(a->metrics[i].path, b->metrics[i].path) ||
		    a->metrics[i].kind != b->metrics[i].kind ||
		    a->metrics[i].better != b->metrics[i].better)
			return 0;
	return 1;
}

static void phase_metrics(int n)
{
	int same = 1, k = 0;

	for (int i = 0; i < n; i++)
		same &= hpcp_metric_tables[i] != NULL &&
			!strcmp(hpcp_metric_tables[i]->phase,
				hpcp_phases[i]->name) &&
			same_table(hpcp_phases[i]->metrics,
				   hpcp_metric_tables[i]);
	while (hpcp_metric_tables[k])
		k++;
	tap_ok(same, "each phase's own metric table is the listed one, "
		     "in run order");
	tap_is_int(k, n, "one metric table per registered phase");
}

int main(void)
{
	int n = 0, unique = 1, described = 1, runnable = 1, lower = 1;
	char names[512], why[256];

	while (hpcp_phases[n])
		n++;
	tap_ok(n >= 1, "registry is not empty (%d phases)", n);
	for (int i = 0; i < n; i++) {
		const struct hpcp_phase *p = hpcp_phases[i];

		described &= p->name && *p->name && p->summary && *p->summary;
		/* A phase either runs or says why it cannot. */
		runnable &= p->run != NULL || p->unavailable != NULL;
		for (const char *c = p->name; *c; c++)
			lower &= (*c >= 'a' && *c <= 'z') || *c == '_';
		for (int j = 0; j < i; j++)
			unique &= strcmp(p->name, hpcp_phases[j]->name) != 0;
		tap_ok(hpcp_phase_find(p->name) == p, "find('%s') gives it back",
		       p->name);
	}
	tap_ok(unique, "phase names are unique");
	tap_ok(described, "every phase has a name and a summary");
	tap_ok(runnable, "every phase has a run hook or an unavailability reason");
	tap_ok(lower, "phase names are lower-case document keys");
	tap_ok(hpcp_phase_find("nosuch") == NULL, "unknown name is not found");
	tap_ok(hpcp_phase_find("all") == NULL, "'all' is not a phase name");

	hpcp_phase_names(names, sizeof(names));
	tap_ok(strstr(names, "topology") != NULL,
	       "name list contains topology: %s", names);
	tap_ok(hpcp_phase_available(hpcp_phase_find("topology"), why,
				    sizeof(why)) == 0,
	       "topology is available here");

	{
		const struct hpcp_phase fake = { .name = "fake",
						 .summary = "x",
						 .unavailable = "built without it" };

		tap_ok(hpcp_phase_available(&fake, why, sizeof(why)) ==
				       -ENOTSUP &&
			       strcmp(why, "built without it") == 0,
		       "an unavailable phase reports -ENOTSUP with its reason");
	}
	phase_options(n);
	phase_metrics(n);
	return tap_done();
}
