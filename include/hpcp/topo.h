/*
 * Hardware topology of one host, read through hwloc.
 *
 * Only src/topo.c includes hwloc headers.  The structures here are plain
 * fixed-size C so a host leader can send its report to rank 0 as MPI_BYTE
 * (the job is assumed to run one binary on one architecture).
 */
#ifndef HPCP_TOPO_H
#define HPCP_TOPO_H

#include <stddef.h>
#include <stdint.h>

#define HPCP_TOPO_MAX_NUMA 16
#define HPCP_TOPO_MAX_CACHES 8
#define HPCP_TOPO_MAX_NETDEVS 16
#define HPCP_TOPO_CPUSET_LEN 128

/* PCI vendor id of Amazon's Elastic Fabric Adapter. */
#define HPCP_PCI_VENDOR_AMAZON 0x1d0f

struct hpcp_topo_numa {
	int os_index;
	uint64_t memory_bytes;                /* local memory of this node */
	char cpuset[HPCP_TOPO_CPUSET_LEN];    /* PUs as a list, "0-3,8" */
};

/* One cache level and type, e.g. all L2 unified caches of the host. */
struct hpcp_topo_cache {
	int level;            /* 1, 2, 3 ... */
	char type[16];        /* "unified", "data" or "instruction" */
	uint64_t size_bytes;  /* size of one instance */
	int count;            /* instances on the host */
};

struct hpcp_topo_netdev {
	char pci_busid[20];   /* "0000:00:06.0" */
	unsigned vendor_id;
	unsigned device_id;
	char os_names[64];    /* OS devices below it, "eth0,rdmap0s6" */
	int numa_os_index;    /* NUMA node it is attached to, -1 unknown */
	int is_efa;           /* vendor is Amazon and it carries an RDMA device */
};

struct hpcp_host_topo {
	int valid;            /* 0: see error */
	char error[128];
	char cpu_model[96];
	int packages;
	int cores;
	int pus;
	int numa_count;       /* may exceed HPCP_TOPO_MAX_NUMA; numa[] is truncated */
	uint64_t memory_bytes;
	char cpuset[HPCP_TOPO_CPUSET_LEN];    /* all PUs of the host */
	int n_numa;
	struct hpcp_topo_numa numa[HPCP_TOPO_MAX_NUMA];
	int n_caches;
	struct hpcp_topo_cache caches[HPCP_TOPO_MAX_CACHES];
	int n_netdevs;        /* network-class PCI devices, EFA included */
	struct hpcp_topo_netdev netdevs[HPCP_TOPO_MAX_NETDEVS];
};

/*
 * Fill *out from this machine (PCI and OS devices included).  Rank-local.
 * Returns 0, or a negative errno code with out->error set.
 */
int hpcp_topo_probe_host(struct hpcp_host_topo *out);

/* The same from an hwloc XML export (tests, offline reports). */
int hpcp_topo_probe_xml(const char *path, struct hpcp_host_topo *out);

/* The same from an hwloc synthetic description, "pack:2 core:4 pu:2". */
int hpcp_topo_probe_synthetic(const char *desc, struct hpcp_host_topo *out);

/* hwloc version this binary runs with, "2.9.0". */
const char *hpcp_topo_library_version(void);

#endif
