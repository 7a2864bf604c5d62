#include "config.h"

#include "hpcp/mpiinfo.h"

#include <stdio.h>
#include <string.h>

static void add_unique(char *list, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return;
	if (*list)
		strncat(list, ",", len - strlen(list) - 1);
	strncat(list, name, len - strlen(list) - 1);
}

void hpcp_mpi_components(struct hpcp_mpi_components *out)
{
	char line[1024];
	FILE *maps;

	memset(out, 0, sizeof(*out));
	maps = fopen("/proc/self/maps", "r");
	if (!maps) {
		snprintf(out->reason, sizeof(out->reason),
			 "/proc/self/maps not readable");
		return;
	}
	while (fgets(line, sizeof(line), maps)) {
		char *base = strrchr(line, '/');
		char kind[8], name[64];

		if (!base || strncmp(base, "/mca_", 5) != 0)
			continue;
		/* "/mca_btl_vader.so\n" -> kind "btl", name "vader" */
		if (sscanf(base, "/mca_%7[a-z]_%63[A-Za-z0-9_].so", kind, name) !=
		    2)
			continue;
		if (strcmp(kind, "pml") == 0)
			snprintf(out->pml, sizeof(out->pml), "%s", name);
		else if (strcmp(kind, "mtl") == 0)
			snprintf(out->mtl, sizeof(out->mtl), "%s", name);
		else if (strcmp(kind, "btl") == 0)
			add_unique(out->btls, sizeof(out->btls), name);
	}
	fclose(maps);
	out->known = out->pml[0] != '\0';
	if (!out->known)
		snprintf(out->reason, sizeof(out->reason),
			 "no Open MPI component objects mapped (another MPI, "
			 "or components built in)");
}
