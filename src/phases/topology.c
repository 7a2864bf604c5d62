/*
 * topology: what each host is made of and where the ranks sit on it.
 *
 * The hardware itself (packages, cores, PUs, NUMA memory, caches, network
 * PCI devices with EFA adapters) was read by each host's leader when the
 * context was built and is recorded in context.hosts[].topology.  This phase
 * reads it against the ranks' bindings: how many PUs the ranks of a host
 * may use, which NUMA nodes each rank spans, which EFA adapter is local to
 * it, and whether the host is oversubscribed (more ranks than usable PUs,
 * or two ranks bound to the same PU), which skews every latency measured
 * on it.  Rank 0 does the work; it measures nothing, so no timing.
 */
#include "config.h"

#include "hpcp/metrics.h"

HPCP_PHASE_NO_METRICS(topology);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/cpuset.h"
#include "hpcp/ctx.h"
#include "hpcp/log.h"
#include "hpcp/phase.h"
#include "hpcp/report.h"

static void warn(struct hpcp_res *warnings, const char *msg)
{
	hpcp_log(HPCP_LOG_WARN, "%s", msg);
	hpcp_res_str(warnings, NULL, msg);
}

/* The rank's NUMA nodes and EFA adapters on its own NUMA nodes. */
static void describe_rank(struct hpcp_res *bindings,
			  const struct hpcp_ctx *ctx, int r,
			  const struct hpcp_cpuset *set)
{
	const struct hpcp_host_topo *t = &ctx->host_topo[ctx->ranks[r].node];
	struct hpcp_res *b = hpcp_res_object(bindings, NULL);
	struct hpcp_res *numa, *efa;

	hpcp_res_int(b, "rank", r);
	hpcp_res_str(b, "host", ctx->hosts[ctx->ranks[r].node].name);
	hpcp_res_str(b, "cpuset", ctx->ranks[r].cpuset);
	hpcp_res_int(b, "pus_count", hpcp_cpuset_count(set));
	numa = hpcp_res_array(b, "numa_nodes");
	efa = hpcp_res_array(b, "local_efa_adapters");
	for (int i = 0; i < t->n_numa; i++) {
		struct hpcp_cpuset nset;

		if (hpcp_cpuset_parse(t->numa[i].cpuset, &nset) != 0 ||
		    !hpcp_cpuset_intersects(set, &nset))
			continue;
		hpcp_res_int(numa, NULL, t->numa[i].os_index);
		for (int d = 0; d < t->n_netdevs; d++)
			if (t->netdevs[d].is_efa &&
			    t->netdevs[d].numa_os_index == t->numa[i].os_index)
				hpcp_res_str(efa, NULL, t->netdevs[d].pci_busid);
	}
}

static int check_host(const struct hpcp_ctx *ctx, int h,
		      struct hpcp_res *hosts, struct hpcp_res *bindings,
		      struct hpcp_res *warnings)
{
	const struct hpcp_host_topo *t = &ctx->host_topo[h];
	const char *name = ctx->hosts[h].name;
	struct hpcp_cpuset host_set, *sets;
	struct hpcp_binding_verdict v;
	struct hpcp_res *entry, *efa;
	int *ids, n = 0, n_efa = 0;
	char msg[512];

	sets = calloc((size_t)ctx->hosts[h].n_ranks, sizeof(*sets));
	ids = calloc((size_t)ctx->hosts[h].n_ranks, sizeof(*ids));
	if (!sets || !ids) {
		free(sets);
		free(ids);
		return -ENOMEM;
	}
	if (hpcp_cpuset_parse(t->cpuset, &host_set) != 0)
		hpcp_cpuset_zero(&host_set);
	for (int r = 0; r < ctx->size; r++) {
		if (ctx->ranks[r].node != h)
			continue;
		/* An unreadable binding counts as "anywhere on the host". */
		if (hpcp_cpuset_parse(ctx->ranks[r].cpuset, &sets[n]) != 0)
			sets[n] = host_set;
		ids[n] = r;
		describe_rank(bindings, ctx, r, &sets[n]);
		n++;
	}
	hpcp_binding_check(&host_set, sets, ids, n, &v);

	entry = hpcp_res_object(hosts, NULL);
	hpcp_res_str(entry, "name", name);
	hpcp_res_int(entry, "ranks_count", n);
	hpcp_res_int(entry, "pus_count", t->pus);
	hpcp_res_int(entry, "usable_pus_count", v.usable_pus);
	hpcp_res_int(entry, "unbound_ranks_count", v.unbound);
	hpcp_res_bool(entry, "oversubscribed", hpcp_binding_oversubscribed(&v));
	efa = hpcp_res_array(entry, "efa_adapters");
	for (int d = 0; d < t->n_netdevs; d++) {
		struct hpcp_res *a;

		if (!t->netdevs[d].is_efa)
			continue;
		n_efa++;
		a = hpcp_res_object(efa, NULL);
		hpcp_res_str(a, "pci_busid", t->netdevs[d].pci_busid);
		hpcp_res_str(a, "os_devices", t->netdevs[d].os_names);
		if (t->netdevs[d].numa_os_index >= 0)
			hpcp_res_int(a, "numa_node",
				     t->netdevs[d].numa_os_index);
		else
			hpcp_res_null(a, "numa_node");
	}
	hpcp_res_int(entry, "efa_adapters_count", n_efa);

	if (v.more_ranks_than_pus) {
		snprintf(msg, sizeof(msg),
			 "host %s is oversubscribed: %d ranks share %d PU(s); "
			 "latencies measured there include scheduling delays",
			 name, n, v.usable_pus);
		warn(warnings, msg);
	}
	if (v.shared_pu) {
		snprintf(msg, sizeof(msg),
			 "host %s is oversubscribed: ranks %d and %d are bound "
			 "to the same PU(s)",
			 name, v.shared_a, v.shared_b);
		warn(warnings, msg);
	}
	free(sets);
	free(ids);
	return hpcp_binding_oversubscribed(&v);
}

static int topology_run(struct hpcp_ctx *ctx, struct hpcp_res *out,
			char *why, size_t len)
{
	struct hpcp_res *hosts, *bindings, *warnings;
	int oversubscribed = 0;

	if (ctx->rank != 0)
		return 0;
	for (int h = 0; h < ctx->n_nodes; h++) {
		if (!ctx->host_topo[h].valid) {
			snprintf(why, len, "host %s: %s", ctx->hosts[h].name,
				 ctx->host_topo[h].error);
			return -EIO;
		}
	}
	hpcp_res_str(out, "source", "hwloc");
	hosts = hpcp_res_array(out, "hosts");
	bindings = hpcp_res_array(out, "bindings");
	warnings = hpcp_res_array(out, "warnings");
	for (int h = 0; h < ctx->n_nodes; h++) {
		int rc = check_host(ctx, h, hosts, bindings, warnings);

		if (rc < 0) {
			snprintf(why, len, "out of memory");
			return rc;
		}
		oversubscribed |= rc;
	}
	hpcp_res_bool(out, "oversubscribed", oversubscribed);
	return 0;
}

const struct hpcp_phase hpcp_phase_topology = {
	.name = "topology",
	.summary = "hosts' hardware (hwloc), rank bindings, EFA locality, "
		   "oversubscription",
	.run = topology_run,
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
