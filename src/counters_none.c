#include "config.h"

#include "hpcp/counters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Counter backend for builds without PAPI: every call says "not supported"
 * so callers take the same path as on a machine where nothing counts.
 */

#define NONE_REASON "built without PAPI (configure --with-papi)"

int hpcp_counters_open(struct hpcp_counters **out,
		       struct hpcp_counters_status *status)
{
	if (out)
		*out = NULL;
	if (status) {
		memset(status, 0, sizeof(*status));
		snprintf(status->backend, sizeof(status->backend), "none");
		snprintf(status->hw_reason, sizeof(status->hw_reason), "%s",
			 NONE_REASON);
		snprintf(status->sw_reason, sizeof(status->sw_reason), "%s",
			 NONE_REASON);
	}
	return -ENOTSUP;
}

int hpcp_counters_start(struct hpcp_counters *c)
{
	(void)c;
	return -ENOTSUP;
}

int hpcp_counters_stop(struct hpcp_counters *c,
		       struct hpcp_counter_values *acc)
{
	(void)c;
	(void)acc;
	return -ENOTSUP;
}

void hpcp_counters_close(struct hpcp_counters *c)
{
	(void)c;
}
