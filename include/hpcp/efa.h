/*
 * EFA hardware counters from sysfs, read before and after each probe.
 *
 * An EFA device is a directory <root>/<dev> whose device/vendor file reads
 * 0x1d0f (Amazon).  Every file under <dev>/ports/<port>/hw_counters/ and
 * <dev>/hw_counters/ is a counter (cumulative, unsigned 64-bit), taken by
 * the name found: no name is hard-coded, so new driver counters appear by
 * themselves.  The root is /sys/class/infiniband unless the global
 * option --efa-root names another (tests use a fake tree; the
 * document records the root read).  Below a device, symbolic links are
 * never followed (ports, a port, hw_counters, a counter file).
 *
 * Plain C, no libfabric: the structures are fixed-size so a rank can send
 * its deltas to rank 0 as MPI_BYTE.
 */
#ifndef HPCP_EFA_H
#define HPCP_EFA_H

#include <stddef.h>
#include <stdint.h>

#define HPCP_EFA_DEFAULT_ROOT "/sys/class/infiniband"
#define HPCP_EFA_MAX_DEVICES 4
#define HPCP_EFA_MAX_COUNTERS 96   /* per device, ports and device together */
#define HPCP_EFA_MAX_WARNINGS 4

struct hpcp_efa_counter {
	char name[48];       /* file name, e.g. "tx_bytes" */
	char scope[12];      /* "port1" ... or "device" */
	uint64_t value;      /* in a snapshot: the reading; in deltas: after - before */
};

struct hpcp_efa_device {
	char name[32];       /* e.g. "rdmap0s6" */
	int n_counters;
	struct hpcp_efa_counter counters[HPCP_EFA_MAX_COUNTERS];
};

struct hpcp_efa_set {
	int n_devices;
	struct hpcp_efa_device devices[HPCP_EFA_MAX_DEVICES];
	int n_warnings;      /* counters skipped: unreadable, malformed, reset */
	char warnings[HPCP_EFA_MAX_WARNINGS][160];
};

/* given (the --efa-root option) when set, else the default; never
 * the environment. */
const char *hpcp_efa_root(const char *given);

/*
 * Read every counter of every EFA device under root into *out.  Rank-local.
 * Returns the number of EFA devices found (0: none, or root missing); a
 * counter file that cannot be read or does not hold a decimal number is
 * skipped with a warning, never fatal.
 */
int hpcp_efa_snapshot(const char *root, struct hpcp_efa_set *out);

/*
 * after - before for every counter present in both (matched by device,
 * scope and name) into *out.  A counter that went backwards (driver
 * reload) is skipped with a warning.  Returns the number of counters.
 */
int hpcp_efa_delta(const struct hpcp_efa_set *before,
		   const struct hpcp_efa_set *after, struct hpcp_efa_set *out);

/*
 * One counter file's text: a decimal number, optional trailing whitespace,
 * nothing else.  Returns NULL with *out set, or why the text was refused.
 */
const char *hpcp_efa_parse_counter(const char *s, size_t len, uint64_t *out);

/* Sum of name over every device and scope of set (e.g. "tx_bytes"). */
uint64_t hpcp_efa_sum(const struct hpcp_efa_set *set, const char *name);

#endif
