/* Looking phases up in the registry (src/phases/registry.c). */
#include "config.h"

#include "hpcp/phase.h"

#include "hpcp/opt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const struct hpcp_phase *hpcp_phase_find(const char *name)
{
	for (int i = 0; hpcp_phases[i]; i++)
		if (strcmp(hpcp_phases[i]->name, name) == 0)
			return hpcp_phases[i];
	return NULL;
}

int hpcp_phase_available(const struct hpcp_phase *p, char *why, size_t len)
{
	if (p->unavailable) {
		snprintf(why, len, "%s", p->unavailable);
		return -ENOTSUP;
	}
	if (!p->run) {
		snprintf(why, len, "not implemented in this build");
		return -ENOTSUP;
	}
	if (p->probe)
		return p->probe(why, len);
	return 0;
}

void hpcp_phase_names(char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; hpcp_phases[i] && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s",
				 i ? ", " : "", hpcp_phases[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int hpcp_phase_index(const struct hpcp_phase *p)
{
	for (int i = 0; hpcp_phases[i]; i++)
		if (hpcp_phases[i] == p)
			return i;
	return -1;
}

const void *hpcp_phase_opts(const struct hpcp_config *cfg,
			    const struct hpcp_phase *p)
{
	int i = hpcp_phase_index(p);

	if (i < 0 || i >= HPCP_MAX_PHASES || !p->opts)
		return NULL;
	return cfg->phase_opts[i].bytes;
}
