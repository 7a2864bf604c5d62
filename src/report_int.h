/* Shared by src/report*.c only: the cJSON representation of the document. */
#ifndef HPCP_REPORT_INT_H
#define HPCP_REPORT_INT_H

#include <cJSON.h>

#include "hpcp/report.h"

/* Integers at or beyond this are stored as raw text to stay exact. */
#define HPCP_EXACT_PRINT_LIMIT 100000000000000ll

struct hpcp_doc {
	cJSON *root;
	cJSON *phases;     /* root.phases */
	cJSON *warnings;   /* root.warnings */
	cJSON *checks;     /* root.checks */
	int oom;           /* an allocation failed since the last write */
};

/* The node behind an opaque handle, and back. */
static inline cJSON *res_json(struct hpcp_res *r)
{
	return (cJSON *)r;
}

static inline struct hpcp_res *json_res(cJSON *j)
{
	return (struct hpcp_res *)j;
}

/*
 * len bytes of text to path through a temporary file in the same directory,
 * fsync and rename(), or to stdout for "-".  Returns 0 or -errno with a
 * one-line reason in err; on error nothing is left at or beside path.
 */
int hpcp_report_publish(const char *text, size_t len, const char *path,
			char *err, size_t errlen);

/* Set by any failed allocation in the node API; cleared on write. */
extern int hpcp_report_oom;

#endif
