/* Every phase's metric table, once; read by the gate and the exports of
 * both programs (hpcp/metrics.h).  A phase without metrics (topology) has
 * none here. */
#include "config.h"

#include "hpcp/metrics.h"

#include <stddef.h>
#include <string.h>

/* The outputs' order since before the tables: point to point first. */
const struct hpcp_metric_table *const hpcp_metric_tables[] = {
	&hpcp_metrics_pingpong,
	&hpcp_metrics_fabric,
	&hpcp_metrics_allreduce,
	&hpcp_metrics_compute,
	NULL,
};

const struct hpcp_metric_table *hpcp_metric_table_find(const char *name)
{
	for (int i = 0; name && hpcp_metric_tables[i]; i++)
		if (!strcmp(hpcp_metric_tables[i]->phase, name))
			return hpcp_metric_tables[i];
	return NULL;
}
