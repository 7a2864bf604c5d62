/*
 * Hardware topology of one host through hwloc.
 *
 * This is the only file that includes <hwloc.h>: everything hwloc knows is
 * copied into the plain fixed-size struct hpcp_host_topo so the rest of the
 * tool (and the MPI gather of host reports) never sees hwloc types.
 */
#include "config.h"
#include "hpcp/topo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

/* EFA PCI device ids are 0xefa0, 0xefa1, ...; ENA uses 0xec20, 0xec21 ... */
#define EFA_DEVICE_ID_MASK 0xfff0
#define EFA_DEVICE_ID_BASE 0xefa0

#define PCI_BASE_CLASS_NETWORK 0x02

enum topo_source {
	TOPO_SOURCE_HOST,
	TOPO_SOURCE_XML,
	TOPO_SOURCE_SYNTHETIC,
};

/* Copy a possibly long string, always NUL-terminated, never overflowing. */
static void copy_str(char *dst, size_t dst_len, const char *src)
{
	size_t len;

	if (!dst_len)
		return;
	len = src ? strnlen(src, dst_len - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

__attribute__((format(printf, 3, 4)))
static int fail(struct hpcp_host_topo *out, int code, const char *fmt, ...)
{
	va_list ap;

	out->valid = 0;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	return code;
}

/*
 * Write a bitmap as a list ("0-3,8").  A list cut in the middle of a number
 * would silently name wrong PUs, so on overflow keep only whole elements and
 * end with ",..." to show the list is incomplete.
 */
static void bitmap_to_list(char *dst, size_t dst_len, hwloc_const_bitmap_t set)
{
	static const char more[] = ",...";
	char *comma;
	int need;

	if (!set) {
		dst[0] = '\0';
		return;
	}
	need = hwloc_bitmap_list_snprintf(dst, dst_len, set);
	if (need >= 0 && (size_t)need < dst_len)
		return;

	dst[dst_len - sizeof(more)] = '\0';
	comma = strrchr(dst, ',');
	if (comma)
		*comma = '\0';
	else
		dst[0] = '\0';
	strcat(dst, comma ? more : more + 1);
}

static void fill_numa(hwloc_topology_t topo, struct hpcp_host_topo *out)
{
	int i;

	out->numa_count = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	out->n_numa = out->numa_count < HPCP_TOPO_MAX_NUMA ?
		      out->numa_count : HPCP_TOPO_MAX_NUMA;

	/* Memory is summed over all nodes, not only the ones we keep. */
	for (i = 0; i < out->numa_count; i++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(topo,
							 HWLOC_OBJ_NUMANODE, i);

		if (!node)
			continue;
		out->memory_bytes += node->attr->numanode.local_memory;
		if (i >= out->n_numa)
			continue;
		out->numa[i].os_index = (int)node->os_index;
		out->numa[i].memory_bytes = node->attr->numanode.local_memory;
		bitmap_to_list(out->numa[i].cpuset, sizeof(out->numa[i].cpuset),
			       node->cpuset);
	}
	if (!out->memory_bytes)
		out->memory_bytes = hwloc_get_root_obj(topo)->total_memory;
}

static const char *cache_type_name(hwloc_obj_cache_type_t type)
{
	switch (type) {
	case HWLOC_OBJ_CACHE_DATA:
		return "data";
	case HWLOC_OBJ_CACHE_INSTRUCTION:
		return "instruction";
	case HWLOC_OBJ_CACHE_UNIFIED:
	default:
		return "unified";
	}
}

static struct hpcp_topo_cache *find_or_add_cache(struct hpcp_host_topo *out,
						 int level, const char *type)
{
	struct hpcp_topo_cache *cache;
	int i;

	for (i = 0; i < out->n_caches; i++) {
		cache = &out->caches[i];
		if (cache->level == level && !strcmp(cache->type, type))
			return cache;
	}
	if (out->n_caches >= HPCP_TOPO_MAX_CACHES)
		return NULL;
	cache = &out->caches[out->n_caches++];
	cache->level = level;
	copy_str(cache->type, sizeof(cache->type), type);
	return cache;
}

static void fill_caches(hwloc_topology_t topo, struct hpcp_host_topo *out)
{
	/* Ordered so the report reads L1d, L1i, L2, L3 ... */
	static const hwloc_obj_type_t cache_types[] = {
		HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE,
		HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
		HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE,
		HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
	};
	size_t t;

	for (t = 0; t < sizeof(cache_types) / sizeof(cache_types[0]); t++) {
		hwloc_obj_t obj = NULL;

		while ((obj = hwloc_get_next_obj_by_type(topo, cache_types[t],
							 obj))) {
			const struct hwloc_cache_attr_s *attr =
				&obj->attr->cache;
			struct hpcp_topo_cache *cache;

			cache = find_or_add_cache(out, (int)attr->depth,
						  cache_type_name(attr->type));
			if (!cache)
				continue;
			cache->count++;
			/*
			 * Hybrid CPUs mix instance sizes at one level; report
			 * the largest rather than whichever came first.
			 */
			if (attr->size > cache->size_bytes)
				cache->size_bytes = attr->size;
		}
	}
}

static void fill_cpu_model(hwloc_topology_t topo, struct hpcp_host_topo *out)
{
	const char *model;
	hwloc_obj_t pkg;

	model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo),
					   "CPUModel");
	pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
	if (!model && pkg)
		model = hwloc_obj_get_info_by_name(pkg, "CPUModel");
	copy_str(out->cpu_model, sizeof(out->cpu_model), model);
}

/*
 * The NUMA node an I/O object is attached to: the single node in the nodeset
 * of its first CPU-side ancestor.  Memory-only nodes (HBM, CXL) sharing that
 * locality are skipped; if several CPU nodes remain (device attached at
 * package or machine level) the attachment is ambiguous and -1 is returned.
 */
static int io_numa_os_index(hwloc_topology_t topo, hwloc_obj_t io)
{
	hwloc_obj_t ancestor = hwloc_get_non_io_ancestor_obj(topo, io);
	hwloc_obj_t node = NULL;
	int found = -1, matches = 0;

	if (!ancestor || !ancestor->nodeset)
		return -1;
	while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE,
						  node))) {
		if (!hwloc_bitmap_isset(ancestor->nodeset, node->os_index))
			continue;
		if (hwloc_bitmap_iszero(node->cpuset))
			continue;
		found = (int)node->os_index;
		matches++;
	}
	return matches == 1 ? found : -1;
}

/* Append ",name" to a comma list only if the whole name fits. */
static void append_name(char *list, size_t list_len, const char *name)
{
	size_t used = strlen(list);
	size_t add = strlen(name) + (used ? 1 : 0);

	if (used + add + 1 > list_len)
		return;
	if (used)
		list[used++] = ',';
	memcpy(list + used, name, strlen(name) + 1);
}

static int is_efa_device_id(unsigned device_id)
{
	return (device_id & EFA_DEVICE_ID_MASK) == EFA_DEVICE_ID_BASE;
}

static void fill_netdev(hwloc_topology_t topo, hwloc_obj_t pci,
			struct hpcp_topo_netdev *dev, int has_rdma)
{
	struct hwloc_pcidev_attr_s *attr = &pci->attr->pcidev;
	hwloc_obj_t child;

	snprintf(dev->pci_busid, sizeof(dev->pci_busid),
		 "%04x:%02x:%02x.%01x", (unsigned)attr->domain & 0xffffu,
		 (unsigned)attr->bus, (unsigned)attr->dev,
		 (unsigned)attr->func & 0xfu);
	dev->vendor_id = attr->vendor_id;
	dev->device_id = attr->device_id;
	for (child = pci->io_first_child; child; child = child->next_sibling)
		if (child->type == HWLOC_OBJ_OS_DEVICE && child->name)
			append_name(dev->os_names, sizeof(dev->os_names),
				    child->name);
	dev->numa_os_index = io_numa_os_index(topo, pci);
	dev->is_efa = attr->vendor_id == HPCP_PCI_VENDOR_AMAZON &&
		      (is_efa_device_id(attr->device_id) || has_rdma);
}

/*
 * Network PCI functions: network class (Ethernet, InfiniBand ...), EFA by id
 * (in case its class is ever reported differently), or anything exposing a
 * network/RDMA OS device.  Other Amazon devices, such as the EBS NVMe
 * controllers, are deliberately left out.
 */
static void fill_netdevs(hwloc_topology_t topo, struct hpcp_host_topo *out)
{
	hwloc_obj_t pci = NULL;

	while ((pci = hwloc_get_next_pcidev(topo, pci))) {
		const struct hwloc_pcidev_attr_s *attr = &pci->attr->pcidev;
		int has_net = 0, has_rdma = 0;
		hwloc_obj_t child;

		for (child = pci->io_first_child; child;
		     child = child->next_sibling) {
			if (child->type != HWLOC_OBJ_OS_DEVICE)
				continue;
			if (child->attr->osdev.type == HWLOC_OBJ_OSDEV_NETWORK)
				has_net = 1;
			if (child->attr->osdev.type ==
			    HWLOC_OBJ_OSDEV_OPENFABRICS)
				has_rdma = 1;
		}
		if ((attr->class_id >> 8) != PCI_BASE_CLASS_NETWORK &&
		    !(attr->vendor_id == HPCP_PCI_VENDOR_AMAZON &&
		      is_efa_device_id(attr->device_id)) &&
		    !has_net && !has_rdma)
			continue;
		if (out->n_netdevs >= HPCP_TOPO_MAX_NETDEVS)
			break;
		fill_netdev(topo, pci, &out->netdevs[out->n_netdevs++],
			    has_rdma);
	}
}

static void fill_from_topology(hwloc_topology_t topo,
			       struct hpcp_host_topo *out)
{
	out->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	out->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	out->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	bitmap_to_list(out->cpuset, sizeof(out->cpuset),
		       hwloc_get_root_obj(topo)->cpuset);
	fill_cpu_model(topo, out);
	fill_numa(topo, out);
	fill_caches(topo, out);
	fill_netdevs(topo, out);
	out->valid = 1;
}

static int probe(enum topo_source source, const char *arg,
		 struct hpcp_host_topo *out)
{
	hwloc_topology_t topo;
	int ret = 0;

	if (hwloc_topology_init(&topo) < 0)
		return fail(out, -ENOMEM, "hwloc: cannot initialise topology");

	/*
	 * hwloc drops PCI/OS devices (hence all NICs) and instruction caches
	 * by default.
	 */
	hwloc_topology_set_io_types_filter(topo,
					   HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	hwloc_topology_set_icache_types_filter(topo,
					       HWLOC_TYPE_FILTER_KEEP_ALL);

	switch (source) {
	case TOPO_SOURCE_XML:
		if (hwloc_topology_set_xml(topo, arg) < 0)
			ret = fail(out, -EIO, "hwloc: cannot read XML %s: %s",
				   arg, strerror(errno));
		break;
	case TOPO_SOURCE_SYNTHETIC:
		if (hwloc_topology_set_synthetic(topo, arg) < 0)
			ret = fail(out, -EINVAL,
				   "hwloc: bad synthetic description \"%s\"",
				   arg);
		break;
	case TOPO_SOURCE_HOST:
		break;
	}

	if (!ret && hwloc_topology_load(topo) < 0)
		ret = fail(out, -EIO, "hwloc: cannot load %s topology: %s",
			   source == TOPO_SOURCE_HOST ? "host" :
			   source == TOPO_SOURCE_XML ? "XML" : "synthetic",
			   strerror(errno));
	if (!ret)
		fill_from_topology(topo, out);

	hwloc_topology_destroy(topo);
	return ret;
}

int hpcp_topo_probe_host(struct hpcp_host_topo *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	return probe(TOPO_SOURCE_HOST, NULL, out);
}

int hpcp_topo_probe_xml(const char *path, struct hpcp_host_topo *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return fail(out, -EINVAL, "hwloc: no XML path given");
	/* hwloc's own error for a missing file is not specific enough. */
	if (access(path, R_OK) < 0) {
		int err = errno;

		return fail(out, -err, "hwloc: cannot open XML %s: %s", path,
			    strerror(err));
	}
	return probe(TOPO_SOURCE_XML, path, out);
}

int hpcp_topo_probe_synthetic(const char *desc, struct hpcp_host_topo *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!desc || !*desc)
		return fail(out, -EINVAL,
			    "hwloc: no synthetic description given");
	return probe(TOPO_SOURCE_SYNTHETIC, desc, out);
}

/*
 * The release of the hwloc library we run with, which may differ from the
 * headers we were built against.  hwloc_get_api_version() only gives the
 * API version (2.9.0 reports 2.8.0), so prefer the "hwlocVersion" info the
 * library puts on the root of every topology it discovers itself; a
 * one-PU synthetic topology is the cheapest such discovery.  Computed once;
 * the first call is not thread-safe.
 */
const char *hpcp_topo_library_version(void)
{
	static char version[24];
	hwloc_topology_t topo;
	hwloc_obj_t root;
	unsigned api;

	if (version[0])
		return version;

	if (hwloc_topology_init(&topo) == 0) {
		if (hwloc_topology_set_synthetic(topo, "pu:1") == 0 &&
		    hwloc_topology_load(topo) == 0) {
			root = hwloc_get_root_obj(topo);
			copy_str(version, sizeof(version),
				 hwloc_obj_get_info_by_name(root,
							    "hwlocVersion"));
		}
		hwloc_topology_destroy(topo);
	}
	if (!version[0]) {
		api = hwloc_get_api_version();
		snprintf(version, sizeof(version), "%u.%u.%u",
			 (api >> 16) & 0xffffu, (api >> 8) & 0xffu,
			 api & 0xffu);
	}
	return version;
}
