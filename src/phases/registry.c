#include "config.h"

#include "hpcp/phase.h"

/* Every phase, one file each in src/phases/, listed once: PHASE_SOURCES
 * in Makefile.am, from which the build writes phase-list.h (one
 * HPCP_PHASE(name) per file, in run order). */
#define HPCP_PHASE(name) extern const struct hpcp_phase hpcp_phase_##name;
#include "phase-list.h"
#undef HPCP_PHASE

const struct hpcp_phase *const hpcp_phases[] = {
#define HPCP_PHASE(name) &hpcp_phase_##name,
#include "phase-list.h"
#undef HPCP_PHASE
	NULL,
};
