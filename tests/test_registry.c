/* The phase registry: every phase listed once, described, findable. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hpcp/phase.h"
#include "tap.h"

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
	return tap_done();
}
