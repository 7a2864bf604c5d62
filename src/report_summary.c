/* The human summary on stdout: a projection of the document, never parsed. */
#include "config.h"

#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_at(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	/* Large integers are kept as raw text (report.c). */
	if (cJSON_IsRaw(v) && v->valuestring)
		return strtod(v->valuestring, NULL);
	return dflt;
}

static const cJSON *at(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static void print_host(const cJSON *host, FILE *out)
{
	const cJSON *topo = at(host, "topology");
	const cJSON *ranks = at(host, "ranks");
	const cJSON *dev;
	int efa = 0;

	fprintf(out, "  %-20s %d rank%s", str_at(host, "name"),
		cJSON_GetArraySize(ranks),
		cJSON_GetArraySize(ranks) == 1 ? "" : "s");
	if (!cJSON_IsTrue(at(topo, "available"))) {
		const char *why = str_at(topo, "reason");

		fprintf(out, ", topology unknown (%s)\n", why ? why : "?");
		return;
	}
	cJSON_ArrayForEach(dev, at(topo, "network_devices"))
		efa += cJSON_IsTrue(at(dev, "efa"));
	fprintf(out,
		", %.0f package(s), %.0f cores, %.0f PUs, %.0f NUMA node(s), "
		"%.1f GiB, %d EFA adapter(s)\n",
		num_at(topo, "packages_count", 0),
		num_at(topo, "cores_count", 0), num_at(topo, "pus_count", 0),
		num_at(topo, "numa_nodes_count", 0),
		num_at(topo, "memory_bytes", 0) / (1024.0 * 1024 * 1024), efa);
}

void hpcp_doc_print_summary(const struct hpcp_doc *doc, FILE *out)
{
	const cJSON *root, *context, *mpi, *item, *config;
	const char *output;

	if (!doc)
		return;
	root = doc->root;
	context = at(root, "context");
	mpi = at(context, "mpi");
	config = at(at(root, "run"), "config");

	fprintf(out, "hpcprobe %s: %s, %.0f rank(s) on %.0f node(s), "
		     "launcher %s, %.2f s\n",
		str_at(at(root, "tool"), "version"), str_at(root, "status"),
		num_at(mpi, "ranks", 0), num_at(mpi, "nodes", 0),
		str_at(context, "launcher") ? str_at(context, "launcher") : "?",
		num_at(at(root, "run"), "duration_s", 0));
	if (str_at(mpi, "library"))
		fprintf(out, "MPI: %s\n", str_at(mpi, "library"));

	fprintf(out, "\nHosts\n");
	cJSON_ArrayForEach(item, at(context, "hosts"))
		print_host(item, out);

	fprintf(out, "\nPhases\n");
	cJSON_ArrayForEach(item, at(root, "phases")) {
		const char *reason = str_at(item, "reason");

		fprintf(out, "  %-14s %-12s %8.2f s%s%s\n", item->string,
			str_at(item, "status"), num_at(item, "duration_s", 0),
			reason ? "  " : "", reason ? reason : "");
	}

	if (cJSON_GetArraySize(at(root, "warnings")) > 0) {
		fprintf(out, "\nWarnings\n");
		cJSON_ArrayForEach(item, at(root, "warnings"))
			if (cJSON_IsString(item))
				fprintf(out, "  %s\n", item->valuestring);
	}
	output = str_at(config, "output");
	if (output && strcmp(output, "-") != 0)
		fprintf(out, "\nResults: %s\n", output);
	fflush(out);
}
