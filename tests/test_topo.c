/*
 * Unit test of the hwloc wrapper (src/topo.c) against a hand-written XML
 * node with an ENA and an EFA, a synthetic topology, and this host.
 */
#include "hpcp/topo.h"

#include <stdint.h>
#include <string.h>

#include "tap.h"

#ifndef HPCP_TEST_DATADIR
#error "HPCP_TEST_DATADIR must name the tests/data directory"
#endif

#define GIB (1024ULL * 1024 * 1024)

static const struct hpcp_topo_cache *
find_cache(const struct hpcp_host_topo *t, int level, const char *type)
{
	int i;

	for (i = 0; i < t->n_caches; i++)
		if (t->caches[i].level == level &&
		    !strcmp(t->caches[i].type, type))
			return &t->caches[i];
	return NULL;
}

static const struct hpcp_topo_netdev *
find_netdev(const struct hpcp_host_topo *t, unsigned vendor, unsigned device)
{
	int i;

	for (i = 0; i < t->n_netdevs; i++)
		if (t->netdevs[i].vendor_id == vendor &&
		    t->netdevs[i].device_id == device)
			return &t->netdevs[i];
	return NULL;
}

static void check_cache(const struct hpcp_host_topo *t, int level,
			const char *type, uint64_t size, int count)
{
	const struct hpcp_topo_cache *c = find_cache(t, level, type);

	if (!tap_ok(c != NULL, "xml: L%d %s cache is reported", level, type))
		return;
	tap_ok(c->size_bytes == size, "xml: L%d %s size is %llu bytes", level,
	       type, (unsigned long long)size);
	tap_ok(c->count == count, "xml: L%d %s has %d instances", level, type,
	       count);
}

static void test_xml_node(void)
{
	const char *path = HPCP_TEST_DATADIR "/efa-node.xml";
	const struct hpcp_topo_netdev *efa, *ena;
	struct hpcp_host_topo t;
	int i, n_efa = 0;

	tap_is_int(hpcp_topo_probe_xml(path, &t), 0, "xml: probe succeeds");
	tap_is_int(t.valid, 1, "xml: result is marked valid");
	tap_is_str(t.error, "", "xml: no error message on success");
	tap_is_int(t.packages, 1, "xml: one package");
	tap_is_int(t.cores, 4, "xml: four cores");
	tap_is_int(t.pus, 8, "xml: eight PUs");
	tap_is_str(t.cpuset, "0-7", "xml: machine cpuset lists all PUs");
	tap_is_str(t.cpu_model, "Test CPU @ 2.90GHz",
		   "xml: CPU model comes from the package info");

	tap_is_int(t.numa_count, 2, "xml: two NUMA nodes");
	tap_is_int(t.n_numa, 2, "xml: both NUMA nodes are stored");
	tap_is_int(t.numa[0].os_index, 0, "xml: first NUMA node is P#0");
	tap_is_int(t.numa[1].os_index, 1, "xml: second NUMA node is P#1");
	tap_ok(t.numa[0].memory_bytes == 8 * GIB,
	       "xml: NUMA 0 has 8 GiB local memory");
	tap_ok(t.numa[1].memory_bytes == 8 * GIB,
	       "xml: NUMA 1 has 8 GiB local memory");
	tap_is_str(t.numa[0].cpuset, "0-3", "xml: NUMA 0 holds PUs 0-3");
	tap_is_str(t.numa[1].cpuset, "4-7", "xml: NUMA 1 holds PUs 4-7");
	tap_ok(t.memory_bytes == 16 * GIB,
	       "xml: host memory is the sum of the NUMA nodes");

	tap_is_int(t.n_caches, 4, "xml: four cache kinds (L1d L1i L2 L3)");
	check_cache(&t, 1, "data", 48 * 1024, 4);
	check_cache(&t, 1, "instruction", 32 * 1024, 4);
	check_cache(&t, 2, "unified", 1024 * 1024, 4);
	check_cache(&t, 3, "unified", 32 * 1024 * 1024, 2);

	tap_is_int(t.n_netdevs, 2, "xml: ENA and EFA are the only netdevs");
	for (i = 0; i < t.n_netdevs; i++)
		n_efa += t.netdevs[i].is_efa;
	tap_is_int(n_efa, 1, "xml: exactly one netdev is an EFA");

	efa = find_netdev(&t, HPCP_PCI_VENDOR_AMAZON, 0xefa1);
	if (tap_ok(efa != NULL, "xml: EFA 1d0f:efa1 is listed")) {
		tap_is_int(efa->is_efa, 1, "xml: EFA is flagged is_efa");
		tap_is_int(efa->numa_os_index, 1,
			   "xml: EFA is attached to NUMA 1");
		tap_ok(strstr(efa->os_names, "rdmap0s6") != NULL,
		       "xml: EFA os_names contain rdmap0s6 (got \"%s\")",
		       efa->os_names);
		tap_is_str(efa->pci_busid, "0001:00:06.0",
			   "xml: EFA PCI bus id is formatted");
	}

	ena = find_netdev(&t, HPCP_PCI_VENDOR_AMAZON, 0xec20);
	if (tap_ok(ena != NULL, "xml: ENA 1d0f:ec20 is listed")) {
		tap_is_int(ena->is_efa, 0, "xml: ENA is not flagged is_efa");
		tap_is_int(ena->numa_os_index, 0,
			   "xml: ENA is attached to NUMA 0");
		tap_is_str(ena->os_names, "ens5", "xml: ENA os_names is ens5");
		tap_is_str(ena->pci_busid, "0000:00:05.0",
			   "xml: ENA PCI bus id is formatted");
	}
}

static void test_synthetic(void)
{
	struct hpcp_host_topo t;

	tap_is_int(hpcp_topo_probe_synthetic("pack:2 core:3 pu:2", &t), 0,
		   "synthetic: probe succeeds");
	tap_is_int(t.valid, 1, "synthetic: result is marked valid");
	tap_is_int(t.packages, 2, "synthetic: two packages");
	tap_is_int(t.cores, 6, "synthetic: six cores");
	tap_is_int(t.pus, 12, "synthetic: twelve PUs");
	tap_is_str(t.cpuset, "0-11", "synthetic: machine cpuset is 0-11");
	tap_is_int(t.n_netdevs, 0, "synthetic: no netdevs");

	tap_ok(hpcp_topo_probe_synthetic("bogus:x", &t) < 0,
	       "synthetic: a bad description is an error");
	tap_ok(!t.valid && t.error[0],
	       "synthetic: a bad description leaves valid 0 and a message");
}

static void test_errors(void)
{
	struct hpcp_host_topo t;
	int ret;

	ret = hpcp_topo_probe_xml(HPCP_TEST_DATADIR "/no-such-file.xml", &t);
	tap_ok(ret < 0, "missing xml: returns a negative code (%d)", ret);
	tap_is_int(t.valid, 0, "missing xml: result is not valid");
	tap_ok(t.error[0] != '\0', "missing xml: error is set (\"%s\")",
	       t.error);

	tap_ok(hpcp_topo_probe_xml(NULL, &t) < 0 && !t.valid,
	       "null xml path: rejected");
	tap_ok(hpcp_topo_probe_host(NULL) < 0, "null output: rejected");
}

static void test_host(void)
{
	struct hpcp_host_topo t;

	tap_is_int(hpcp_topo_probe_host(&t), 0, "host: probe succeeds");
	tap_is_int(t.valid, 1, "host: result is marked valid");
	tap_ok(t.pus >= 1, "host: at least one PU (%d)", t.pus);
	tap_ok(t.cores >= 1, "host: at least one core (%d)", t.cores);
	tap_ok(t.pus >= t.cores, "host: no fewer PUs than cores");
	tap_ok(t.numa_count >= 1 && t.memory_bytes > 0,
	       "host: NUMA nodes and memory are found");
	tap_ok(t.cpuset[0] != '\0', "host: machine cpuset is set (\"%s\")",
	       t.cpuset);
}

int main(void)
{
	const char *version = hpcp_topo_library_version();

	test_xml_node();
	test_synthetic();
	test_errors();
	test_host();
	tap_ok(strncmp(version, "2.", 2) == 0,
	       "library version is hwloc 2.x (\"%s\")", version);
	return tap_done();
}
