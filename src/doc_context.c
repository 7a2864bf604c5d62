/* run.config and context: the conditions a number was measured under. */
#include "config.h"

#include "doc_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/env.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"

static void echo_option(struct hpcp_res *config, const struct hpcp_opt *o,
			const struct hpcp_config *cfg)
{
	const char *base = (const char *)cfg;
	char key[64];
	char text[256];

	/* Keys follow the document's rules: a dash becomes an underscore. */
	snprintf(key, sizeof(key), "%s", o->long_name);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
	if (o->kind == HPCP_OPT_ACTION)
		return;
	if (o->kind == HPCP_OPT_SIZES)
		snprintf(key, sizeof(key), "%s_bytes", o->long_name);
	if (!hpcp_opt_is_given(o, cfg)) {
		/* Not set: the phase picks per size; say so, not a number. */
		hpcp_res_str(config, key, o->default_text);
		return;
	}
	switch (o->kind) {
	case HPCP_OPT_FLAG:
		hpcp_res_bool(config, key, *(const int *)(base + o->value_offset));
		break;
	case HPCP_OPT_REAL:
		hpcp_res_double(config, key,
				*(const double *)(base + o->value_offset));
		break;
	case HPCP_OPT_COUNT:
		hpcp_res_int(config, key,
			     (int64_t)*(const uint64_t *)(base + o->value_offset));
		break;
	case HPCP_OPT_SIZES: {
		struct hpcp_res *arr = hpcp_res_array(config, key);

		for (int i = 0; i < cfg->n_sizes; i++)
			hpcp_res_int(arr, NULL, (int64_t)cfg->sizes[i]);
		break;
	}
	case HPCP_OPT_PHASES: {
		struct hpcp_res *arr = hpcp_res_array(config, key);

		for (int i = 0; i < cfg->n_phases; i++)
			hpcp_res_str(arr, NULL, cfg->phases[i]->name);
		break;
	}
	default:
		hpcp_opt_value_text(o, cfg, text, sizeof(text));
		hpcp_res_str(config, key, text);
		break;
	}
}

static void host_topology(struct hpcp_res *parent,
			  const struct hpcp_host_topo *t)
{
	struct hpcp_res *topo = hpcp_res_object(parent, "topology");
	struct hpcp_res *arr;

	if (!t || !t->valid) {
		hpcp_res_bool(topo, "available", 0);
		hpcp_res_str(topo, "reason",
			     t && t->error[0] ? t->error : "not read");
		return;
	}
	hpcp_res_bool(topo, "available", 1);
	if (t->cpu_model[0])
		hpcp_res_str(topo, "cpu_model", t->cpu_model);
	hpcp_res_int(topo, "packages_count", t->packages);
	hpcp_res_int(topo, "cores_count", t->cores);
	hpcp_res_int(topo, "pus_count", t->pus);
	hpcp_res_str(topo, "cpuset", t->cpuset);
	hpcp_res_int(topo, "memory_bytes", (int64_t)t->memory_bytes);
	hpcp_res_int(topo, "numa_nodes_count", t->numa_count);
	arr = hpcp_res_array(topo, "numa_nodes");
	for (int i = 0; i < t->n_numa; i++) {
		struct hpcp_res *n = hpcp_res_object(arr, NULL);

		hpcp_res_int(n, "os_index", t->numa[i].os_index);
		hpcp_res_int(n, "memory_bytes",
			     (int64_t)t->numa[i].memory_bytes);
		hpcp_res_str(n, "cpuset", t->numa[i].cpuset);
	}
	arr = hpcp_res_array(topo, "caches");
	for (int i = 0; i < t->n_caches; i++) {
		struct hpcp_res *c = hpcp_res_object(arr, NULL);

		hpcp_res_int(c, "level", t->caches[i].level);
		hpcp_res_str(c, "type", t->caches[i].type);
		hpcp_res_int(c, "size_bytes", (int64_t)t->caches[i].size_bytes);
		hpcp_res_int(c, "instances_count", t->caches[i].count);
	}
	arr = hpcp_res_array(topo, "network_devices");
	for (int i = 0; i < t->n_netdevs; i++) {
		const struct hpcp_topo_netdev *d = &t->netdevs[i];
		struct hpcp_res *n = hpcp_res_object(arr, NULL);
		char id[16];

		hpcp_res_str(n, "pci_busid", d->pci_busid);
		snprintf(id, sizeof(id), "0x%04x", d->vendor_id);
		hpcp_res_str(n, "vendor_id", id);
		snprintf(id, sizeof(id), "0x%04x", d->device_id);
		hpcp_res_str(n, "device_id", id);
		hpcp_res_str(n, "os_devices", d->os_names);
		if (d->numa_os_index >= 0)
			hpcp_res_int(n, "numa_node", d->numa_os_index);
		else
			hpcp_res_null(n, "numa_node");
		hpcp_res_bool(n, "efa", d->is_efa);
	}
}

void hpcp_doc_set_context(struct hpcp_doc *doc, const struct hpcp_ctx *ctx)
{
	struct hpcp_res *root, *run, *config, *context, *job, *mpi, *hosts,
		*ranks, **lists;

	if (!doc)
		return;
	root = hpcp_json_res(doc->root);
	run = hpcp_json_res(cJSON_GetObjectItemCaseSensitive(doc->root, "run"));
	config = hpcp_res_object(run, "config");
	for (const struct hpcp_opt *o = hpcp_opts; o->long_name; o++)
		echo_option(config, o, &ctx->cfg);

	context = hpcp_res_object(root, "context");
	hpcp_res_str(context, "launcher",
		     hpcp_launcher_name(ctx->launcher.kind));
	job = hpcp_res_object(context, "job");
	for (int i = 0; i < ctx->launcher.n_ids; i++)
		hpcp_res_str(job, ctx->launcher.ids[i].key,
			     ctx->launcher.ids[i].value);

	mpi = hpcp_res_object(context, "mpi");
	hpcp_res_str(mpi, "library", ctx->mpi_library);
	{
		char std[16];

		snprintf(std, sizeof(std), "%d.%d", ctx->mpi_version,
			 ctx->mpi_subversion);
		hpcp_res_str(mpi, "standard", std);
	}
	{
		int level = ctx->mpi_thread_level;

		hpcp_res_str(mpi, "thread_level",
			     level == MPI_THREAD_SINGLE ? "single" :
			     level == MPI_THREAD_FUNNELED ? "funneled" :
			     level == MPI_THREAD_SERIALIZED ? "serialized" :
							      "multiple");
	}
	hpcp_res_int(mpi, "ranks", ctx->size);
	hpcp_res_int(mpi, "nodes", ctx->n_nodes);
	/* A test run standing in for many nodes must never pass for one. */
	hpcp_res_str(mpi, "node_grouping",
		     ctx->rank_is_node ? "test_rank_is_node" : "shared_memory");
	if (ctx->rank_is_node)
		hpcp_res_str(hpcp_json_res(doc->warnings), NULL,
			     HPCP_ENV_TEST_RANK_IS_NODE "=1: test only, every "
			     "rank declared its own node; node figures "
			     "(matrix, outliers, oversubscription, node "
			     "rates) describe simulated nodes, not hosts");
	/* Only what changes numbers, and never a secret (env.h). */
	{
		extern char **environ;
		struct hpcp_res *env = hpcp_res_object(context, "environment");

		for (char **e = environ; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			char key[128];

			if (!eq || (size_t)(eq - *e) >= sizeof(key))
				continue;
			snprintf(key, sizeof(key), "%.*s", (int)(eq - *e), *e);
			if (hpcp_env_allowed(key))
				hpcp_res_str(env, key, eq + 1);
		}
	}
	hpcp_res_int(context, "timer_resolution_ns",
		     (int64_t)ctx->timer_resolution_ns);
	hpcp_res_int(context, "timer_overhead_ns",
		     (int64_t)ctx->timer_overhead_ns);
	hpcp_res_str(context, "timer", "CLOCK_MONOTONIC");

	hosts = hpcp_res_array(context, "hosts");
	/* One pass over the ranks fills every host's list: O(ranks), not
	 * O(nodes x ranks). */
	lists = calloc((size_t)ctx->n_nodes, sizeof(*lists));
	for (int h = 0; h < ctx->n_nodes; h++) {
		struct hpcp_res *host = hpcp_res_object(hosts, NULL);

		hpcp_res_str(host, "name", ctx->hosts[h].name);
		if (lists)
			lists[h] = hpcp_res_array(host, "ranks");
		host_topology(host, ctx->host_topo ? &ctx->host_topo[h] : NULL);
	}
	for (int r = 0; lists && r < ctx->size; r++)
		hpcp_res_int(lists[ctx->ranks[r].node], NULL, r);
	if (!lists)
		doc->oom = 1;
	free(lists);
	ranks = hpcp_res_array(context, "ranks");
	for (int r = 0; r < ctx->size; r++) {
		struct hpcp_res *one = hpcp_res_object(ranks, NULL);

		hpcp_res_int(one, "rank", r);
		hpcp_res_str(one, "host", ctx->hosts[ctx->ranks[r].node].name);
		hpcp_res_int(one, "node", ctx->ranks[r].node);
		hpcp_res_str(one, "cpuset", ctx->ranks[r].cpuset ?
						    ctx->ranks[r].cpuset :
						    "unknown");
	}
}

void hpcp_doc_set_peak_rss(struct hpcp_doc *doc,
			   const struct hpcp_peak_rss *rss, int n_ranks)
{
	cJSON *context, *rank;
	struct hpcp_res *m;
	int r = 0;

	if (!doc || !rss)
		return;
	context = cJSON_GetObjectItemCaseSensitive(doc->root, "context");
	m = hpcp_res_object(hpcp_json_res(context), "peak_rss");
	hpcp_res_int(m, "rank_0_bytes", (int64_t)rss->rank0_bytes);
	hpcp_res_int(m, "max_bytes", (int64_t)rss->max_bytes);
	hpcp_res_int(m, "max_rank", rss->max_rank);
	hpcp_res_str(m, "source",
		     "getrusage(RUSAGE_SELF).ru_maxrss of each rank after the "
		     "last phase, before the final write");
	/* context.ranks[] is in rank order (hpcp_doc_set_context). */
	cJSON_ArrayForEach(rank, cJSON_GetObjectItemCaseSensitive(context,
								  "ranks")) {
		if (!rss->per_rank || r >= n_ranks)
			break;
		hpcp_res_int(hpcp_json_res(rank), "peak_rss_bytes",
			     (int64_t)rss->per_rank[r++]);
	}
}
