#include "config.h"

#include "hpcp/phase.h"

/* Every phase, registered once; one file each in src/phases/. */
extern const struct hpcp_phase hpcp_phase_topology;
extern const struct hpcp_phase hpcp_phase_compute;
extern const struct hpcp_phase hpcp_phase_pingpong;
extern const struct hpcp_phase hpcp_phase_allreduce;
extern const struct hpcp_phase hpcp_phase_fabric;

/* Run order: topology first, so later phases can be read against it;
 * compute before the probes, which it would disturb. */
const struct hpcp_phase *const hpcp_phases[] = {
	&hpcp_phase_topology,
	&hpcp_phase_compute,
	&hpcp_phase_pingpong,
	&hpcp_phase_allreduce,
	&hpcp_phase_fabric,
	NULL,
};
