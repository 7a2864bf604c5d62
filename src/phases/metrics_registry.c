/* Every phase's metric table, once, in run order: the phase list the build
 * generates from PHASE_SOURCES in Makefile.am (phase-list.h).  This file
 * and the phase files' tables (HPCP_METRICS_ONLY) are libhpcpdoc.a's. */
#include "config.h"

#include "hpcp/metrics.h"

#include <stddef.h>
#include <string.h>

#define HPCP_PHASE(name) \
	extern const struct hpcp_metric_table hpcp_metrics_##name;
#include "phase-list.h"
#undef HPCP_PHASE
/* Not a phase: the sampler's, over all phases (src/doc/utilisation.c). */
extern const struct hpcp_metric_table hpcp_metrics_utilisation;

const struct hpcp_metric_table *const hpcp_metric_tables[] = {
#define HPCP_PHASE(name) &hpcp_metrics_##name,
#include "phase-list.h"
#undef HPCP_PHASE
	&hpcp_metrics_utilisation,
	NULL,
};

const struct hpcp_metric_table *hpcp_metric_table_find(const char *name)
{
	for (int i = 0; name && hpcp_metric_tables[i]; i++)
		if (!strcmp(hpcp_metric_tables[i]->phase, name))
			return hpcp_metric_tables[i];
	return NULL;
}
