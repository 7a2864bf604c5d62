/*
 * Shared by src/doc*.c only (the MPI program's results-document builder):
 * how struct hpcp_doc and struct hpcp_res are represented (cJSON).  What
 * the report tool also needs is in src/doc/hpcpdoc.h.
 */
#ifndef HPCP_DOC_INT_H
#define HPCP_DOC_INT_H

#include "doc/hpcpdoc.h"

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
static inline cJSON *hpcp_res_json(struct hpcp_res *r)
{
	return (cJSON *)r;
}

static inline struct hpcp_res *hpcp_json_res(cJSON *j)
{
	return (struct hpcp_res *)j;
}

/* Set by any failed allocation in the node API; cleared on write. */
extern int hpcp_doc_oom;

#endif
