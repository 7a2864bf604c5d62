/*
 * Unit test of the EFA sysfs counter reader (src/efa.c) against fake
 * sysfs trees built in a temporary directory: two EFA devices and one
 * Mellanox device that must be ignored, counters bumped between
 * snapshots, malformed files, a counter going backwards, a full array.
 */
#include "config.h"
#include "hpcp/efa.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

#define DEV0 "rdmap0s6"
#define DEV1 "rdmap1s7"
#define P0 DEV0 "/ports/1/hw_counters/"
#define D0 DEV0 "/hw_counters/"
#define P1 DEV1 "/ports/1/hw_counters/"

/* The sets are ~28 KiB each: keep them off the stack. */
static struct hpcp_efa_set snap1, snap2, snap3, delta;

/* mkdir -p of root/rel/.. (every component of rel but the last). */
static void make_parents(const char *root, const char *rel)
{
	char path[1024];
	char *p;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	for (p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

static int write_file(const char *root, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;
	int n, ok;

	make_parents(root, rel);
	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	f = fopen(path, "w");
	if (!f)
		return 0;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static int write_u64(const char *root, const char *rel, uint64_t v)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64 "\n", v);
	return write_file(root, rel, text);
}

/* What the driver does between snapshots: the counter grows by k. */
static int bump(const char *root, const char *rel, uint64_t k)
{
	char path[1024];
	uint64_t v;
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fscanf(f, "%" SCNu64, &v);
	fclose(f);
	return n == 1 && write_u64(root, rel, v + k);
}

static const struct hpcp_efa_device *find_dev(const struct hpcp_efa_set *s,
					      const char *dev)
{
	int i;

	for (i = 0; i < s->n_devices; i++)
		if (!strcmp(s->devices[i].name, dev))
			return &s->devices[i];
	return NULL;
}

static const struct hpcp_efa_counter *find(const struct hpcp_efa_set *s,
					   const char *dev, const char *scope,
					   const char *name)
{
	const struct hpcp_efa_device *d = find_dev(s, dev);
	int i;

	if (!d)
		return NULL;
	for (i = 0; i < d->n_counters; i++)
		if (!strcmp(d->counters[i].scope, scope) &&
		    !strcmp(d->counters[i].name, name))
			return &d->counters[i];
	return NULL;
}

/* Value of a counter, or UINT64_MAX - 1 as an impossible marker. */
static uint64_t value(const struct hpcp_efa_set *s, const char *dev,
		      const char *scope, const char *name)
{
	const struct hpcp_efa_counter *c = find(s, dev, scope, name);

	return c ? c->value : UINT64_MAX - 1;
}

static int has_warning(const struct hpcp_efa_set *s, const char *text)
{
	int i;

	for (i = 0; i < s->n_warnings && i < HPCP_EFA_MAX_WARNINGS; i++)
		if (strstr(s->warnings[i], text))
			return 1;
	return 0;
}

static void diag_warnings(const struct hpcp_efa_set *s)
{
	int i;

	for (i = 0; i < s->n_warnings && i < HPCP_EFA_MAX_WARNINGS; i++)
		tap_diag(s->warnings[i]);
}

static int sorted(const struct hpcp_efa_device *d)
{
	int i, c;

	for (i = 1; i < d->n_counters; i++) {
		c = strcmp(d->counters[i - 1].scope, d->counters[i].scope);
		if (!c)
			c = strcmp(d->counters[i - 1].name,
				   d->counters[i].name);
		if (c >= 0)
			return 0;
	}
	return 1;
}

static int build_tree(const char *root)
{
	int ok = 1;

	ok &= write_file(root, DEV0 "/device/vendor", "0x1d0f\n");
	ok &= write_u64(root, P0 "tx_bytes", 5000000000ULL);
	ok &= write_u64(root, P0 "rx_bytes", 1000);
	ok &= write_u64(root, P0 "tx_pkts", 10);
	ok &= write_u64(root, P0 "rx_drops", 0);
	ok &= write_file(root, P0 "lifespan", "10\n");
	ok &= write_u64(root, D0 "submitted_cmds", 42);
	ok &= write_u64(root, D0 "cmds_err", 0);

	ok &= write_file(root, "mlx5_0/device/vendor", "0x15b3\n");
	ok &= write_u64(root, "mlx5_0/ports/1/hw_counters/tx_bytes", 777);
	ok &= write_u64(root, "mlx5_0/hw_counters/submitted_cmds", 9);

	ok &= write_file(root, DEV1 "/device/vendor", "0x1d0f\n");
	ok &= write_u64(root, P1 "tx_bytes", 300);
	ok &= write_u64(root, P1 "rx_bytes", 400);
	return ok;
}

static void test_snapshot(const char *root)
{
	const struct hpcp_efa_counter *c;

	tap_is_int(hpcp_efa_snapshot(root, &snap1), 2,
		   "snapshot finds exactly the 2 EFA devices");
	tap_is_int(snap1.n_devices, 2, "n_devices matches the return value");
	tap_is_str(snap1.devices[0].name, DEV0, "first device is " DEV0);
	tap_is_str(snap1.devices[1].name, DEV1, "second device is " DEV1);
	tap_ok(!find_dev(&snap1, "mlx5_0"), "non-EFA mlx5_0 is ignored");
	tap_is_int(snap1.n_warnings, 0, "a clean tree gives no warnings");
	diag_warnings(&snap1);

	tap_is_int(snap1.devices[0].n_counters, 6,
		   DEV0 ": 4 port and 2 device counters");
	tap_is_int(snap1.devices[1].n_counters, 2, DEV1 ": 2 port counters");
	tap_ok(value(&snap1, DEV0, "port1", "tx_bytes") == 5000000000ULL,
	       "tx_bytes above 2^32 read exactly in scope port1");
	tap_ok(value(&snap1, DEV0, "port1", "rx_bytes") == 1000,
	       "rx_bytes read in scope port1");
	tap_ok(value(&snap1, DEV0, "port1", "tx_pkts") == 10,
	       "tx_pkts read in scope port1");
	tap_ok(value(&snap1, DEV0, "port1", "rx_drops") == 0,
	       "a zero counter is read");
	tap_ok(value(&snap1, DEV0, "device", "submitted_cmds") == 42,
	       "submitted_cmds read in scope device");
	tap_ok(value(&snap1, DEV0, "device", "cmds_err") == 0,
	       "cmds_err read in scope device");
	tap_ok(value(&snap1, DEV1, "port1", "tx_bytes") == 300 &&
	       value(&snap1, DEV1, "port1", "rx_bytes") == 400,
	       "second device's counters read");
	c = find(&snap1, DEV0, "port1", "lifespan");
	tap_ok(!c && !find(&snap1, DEV0, "device", "lifespan"),
	       "lifespan is not a counter");
	tap_ok(sorted(&snap1.devices[0]) && sorted(&snap1.devices[1]),
	       "counters are sorted by scope then name");
	tap_ok(!strcmp(snap1.devices[0].counters[0].scope, "device"),
	       "device scope sorts before port1");
	tap_ok(hpcp_efa_sum(&snap1, "tx_bytes") == 5000000300ULL,
	       "sum of tx_bytes over both EFA devices, not mlx5_0");
	tap_ok(hpcp_efa_sum(&snap1, "no_such_counter") == 0,
	       "sum of an unknown counter is 0");
}

static void test_delta(const char *root)
{
	int ok = 1, n;

	ok &= bump(root, P0 "tx_bytes", 1234);
	ok &= bump(root, P0 "rx_bytes", 56);
	ok &= bump(root, D0 "submitted_cmds", 3);
	ok &= bump(root, P1 "tx_bytes", 100);
	ok &= bump(root, P1 "rx_bytes", 1ULL << 33);
	tap_ok(ok, "counter files bumped between snapshots");

	tap_is_int(hpcp_efa_snapshot(root, &snap2), 2,
		   "second snapshot finds 2 devices");
	tap_ok(value(&snap2, DEV0, "port1", "tx_bytes") == 5000001234ULL,
	       "tx_bytes now reads 5000001234");
	n = hpcp_efa_delta(&snap1, &snap2, &delta);
	tap_is_int(n, 8, "delta covers all 8 counters");
	tap_is_int(delta.n_devices, 2, "delta has both devices");
	tap_is_int(delta.n_warnings, 0, "delta of growing counters warns not");
	tap_ok(value(&delta, DEV0, "port1", "tx_bytes") == 1234,
	       "delta tx_bytes across 2^32 is exactly 1234");
	tap_ok(value(&delta, DEV0, "port1", "rx_bytes") == 56,
	       "delta rx_bytes is 56");
	tap_ok(value(&delta, DEV0, "device", "submitted_cmds") == 3,
	       "delta of a device-scope counter is 3");
	tap_ok(value(&delta, DEV1, "port1", "tx_bytes") == 100,
	       "delta on the second device is 100");
	tap_ok(value(&delta, DEV1, "port1", "rx_bytes") == 1ULL << 33,
	       "delta of 2^33 is exact");
	tap_ok(value(&delta, DEV0, "port1", "tx_pkts") == 0 &&
	       value(&delta, DEV0, "port1", "rx_drops") == 0 &&
	       value(&delta, DEV0, "device", "cmds_err") == 0,
	       "untouched counters have delta 0");
	tap_ok(hpcp_efa_sum(&delta, "tx_bytes") == 1334,
	       "sum of delta tx_bytes over both devices is 1334");
	tap_ok(hpcp_efa_delta(&snap1, &snap1, &delta) == 8 &&
	       hpcp_efa_sum(&delta, "tx_bytes") == 0,
	       "delta of a snapshot with itself is all zero");
}

static void test_backwards(const char *root)
{
	int n;

	tap_ok(write_u64(root, P0 "rx_bytes", 5), "rx_bytes reset to 5");
	hpcp_efa_snapshot(root, &snap3);
	n = hpcp_efa_delta(&snap2, &snap3, &delta);
	tap_is_int(n, 7, "the counter going backwards is left out");
	tap_ok(!find(&delta, DEV0, "port1", "rx_bytes"),
	       "no bogus huge delta for rx_bytes");
	tap_is_int(delta.n_warnings, 1, "one warning for it");
	tap_ok(has_warning(&delta, DEV0 "/port1/rx_bytes: went backwards"),
	       "the warning names device, scope and counter");
	diag_warnings(&delta);
	tap_ok(value(&delta, DEV0, "port1", "tx_bytes") == 0,
	       "other counters are still in the delta");
}

static void test_only_in_one(const char *root)
{
	char path[1024];
	int n;

	/* A new counter appears (driver upgrade); one disappears. */
	write_u64(root, P1 "new_counter", 5);
	snprintf(path, sizeof(path), "%s/%s", root, P1 "rx_bytes");
	unlink(path);
	hpcp_efa_snapshot(root, &snap2);
	n = hpcp_efa_delta(&snap3, &snap2, &delta);
	tap_is_int(n, 7, "counters in only one snapshot are ignored");
	tap_ok(!find(&delta, DEV1, "port1", "new_counter") &&
	       !find(&delta, DEV1, "port1", "rx_bytes"),
	       "neither the new nor the vanished counter is in the delta");
	tap_is_int(delta.n_warnings, 0, "and they give no warning");
}

/* The environment never picks the tree (issue 19): only the option. */
static void test_root_env(void)
{
	const char *old = getenv("HPCPROBE_SYSFS_ROOT");
	char *saved = old ? strdup(old) : NULL;

	setenv("HPCPROBE_SYSFS_ROOT", "/tmp/fake-sysfs", 1);
	tap_is_str(hpcp_efa_root(NULL), HPCP_EFA_DEFAULT_ROOT,
		   "HPCPROBE_SYSFS_ROOT is not honoured");
	tap_is_str(hpcp_efa_root(""), HPCP_EFA_DEFAULT_ROOT,
		   "an empty option means the default");
	tap_is_str(hpcp_efa_root("/tmp/t"), "/tmp/t",
		   "the option names the tree");
	unsetenv("HPCPROBE_SYSFS_ROOT");
	if (saved) {
		setenv("HPCPROBE_SYSFS_ROOT", saved, 1);
		free(saved);
	}
}

/* No name or value found through a link below a device reaches a set. */
static int leaked(const struct hpcp_efa_set *s)
{
	for (int d = 0; d < s->n_devices; d++)
		for (int c = 0; c < s->devices[d].n_counters; c++)
			if (strstr(s->devices[d].counters[c].name, "leak"))
				return 1;
	for (int w = 0; w < s->n_warnings; w++)
		if (strstr(s->warnings[w], "leak"))
			return 1;
	return 0;
}

/*
 * Symbolic links below a device are never followed: a generator over the
 * places a link can be (ports, a port, a port's hw_counters, the device's
 * hw_counters, a counter file), each pointing at a tree outside holding
 * files named "leak...".  The device directory itself is a link, as in
 * sysfs, and is followed; its real counter is read.
 */
static void test_links(const char *base)
{
	static const struct {
		const char *link, *target, *label;
	} cases[] = {
		{ "ports", "out/ports", "ports" },
		{ "ports/1", "out/ports/1", "a port" },
		{ "ports/2/hw_counters", "out/hw", "a port's hw_counters" },
		{ "hw_counters", "out/hw", "the device's hw_counters" },
		{ "ports/3/hw_counters/leak_file", "out/hw/leak_value",
		  "a counter file" },
	};
	char root[1024], path[2048], target[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n, ok = 1, real_port;

		snprintf(root, sizeof(root), "%s/links%zu", base, i);
		ok &= write_file(root, "real/device/vendor", "0x1d0f\n");
		/* The real counter where this case puts no link. */
		real_port = strncmp(cases[i].link, "ports", 5) != 0;
		ok &= write_u64(root, real_port ?
				"real/ports/9/hw_counters/tx_bytes" :
				"real/hw_counters/tx_bytes", 5);
		ok &= write_u64(root, "out/hw/leak_value", 12);
		ok &= write_u64(root, "out/ports/1/hw_counters/leak_port", 13);
		make_parents(root, "class/x");
		snprintf(path, sizeof(path), "%s/class/" DEV0, root);
		ok &= symlink("../real", path) == 0;
		snprintf(path, sizeof(path), "%s/real/%s", root,
			 cases[i].link);
		snprintf(target, sizeof(target), "%s/%s", root,
			 cases[i].target);
		make_parents(root, path + strlen(root) + 1);
		ok &= symlink(target, path) == 0;
		if (!ok) {
			tap_ok(0, "link under %s: tree built", cases[i].label);
			continue;
		}
		snprintf(path, sizeof(path), "%s/class", root);
		n = hpcp_efa_snapshot(path, &snap3);
		tap_ok(n == 1 && find(&snap3, DEV0, real_port ? "port9" :
				      "device", "tx_bytes") &&
		       !leaked(&snap3),
		       "link as %s: not followed, nothing of it read or "
		       "named; the device (a link, as in sysfs) read",
		       cases[i].label);
		diag_warnings(&snap3);
	}
}

static void test_malformed(const char *base)
{
	/* Labels, not the texts, name the tests: a newline would break TAP. */
	static const struct {
		const char *text, *label;
	} bad[] = {
		{ "abc", "letters" },
		{ "", "an empty file" },
		{ "-5", "a negative number" },
		{ "99999999999999999999999", "23 digits" },
		{ "12abc", "digits then letters" },
		{ "18446744073709551616\n", "UINT64_MAX + 1" },
		{ " 7\n", "leading blank" },
		{ "0x10\n", "hex" },
		{ "1 2\n", "two numbers" },
		{ "5                                                               "
		  "                                    \n", "a 100-byte file" },
	};
	char root[1024];
	size_t i;
	int n;

	snprintf(root, sizeof(root), "%s/malformed", base);
	write_file(root, "rdmap2s8/device/vendor", "0x1d0f");
	write_u64(root, "rdmap2s8/ports/1/hw_counters/good_a", 7);
	write_file(root, "rdmap2s8/ports/1/hw_counters/good_max",
		   "18446744073709551615\n");
	write_file(root, "rdmap2s8/hw_counters/good_b", "8 \n\n");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(root, "rdmap2s8/ports/1/hw_counters/bad",
			   bad[i].text);
		n = hpcp_efa_snapshot(root, &snap3);
		tap_ok(n == 1 && snap3.devices[0].n_counters == 3 &&
		       !find(&snap3, "rdmap2s8", "port1", "bad"),
		       "malformed (%s) is skipped", bad[i].label);
		tap_ok(snap3.n_warnings == 1 &&
		       has_warning(&snap3, "rdmap2s8/port1/bad: "),
		       "malformed (%s) gives a warning naming the file",
		       bad[i].label);
		diag_warnings(&snap3);
		tap_ok(value(&snap3, "rdmap2s8", "port1", "good_a") == 7 &&
		       value(&snap3, "rdmap2s8", "device", "good_b") == 8 &&
		       value(&snap3, "rdmap2s8", "port1", "good_max") ==
		       UINT64_MAX,
		       "good counters beside the malformed (%s) are still read",
		       bad[i].label);
	}

	/* More bad files than warning slots: capped, summarised. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "rdmap2s8/hw_counters/bad%zu", i);
		write_file(root, rel, bad[i].text);
	}
	n = hpcp_efa_snapshot(root, &snap3);
	tap_ok(n == 1 && snap3.devices[0].n_counters == 3,
	       "many malformed files: the good counters are still read");
	tap_is_int(snap3.n_warnings, HPCP_EFA_MAX_WARNINGS,
		   "warnings are capped at HPCP_EFA_MAX_WARNINGS");
	tap_ok(strstr(snap3.warnings[HPCP_EFA_MAX_WARNINGS - 1],
		      "more warnings not shown") != NULL,
	       "the last warning slot summarises the rest");
	diag_warnings(&snap3);
}

static void test_long_name(const char *base)
{
	char root[1024], rel[256];
	int n;

	snprintf(root, sizeof(root), "%s/longname", base);
	write_file(root, "rdmap3s9/device/vendor", "0x1d0f\n");
	write_u64(root, "rdmap3s9/hw_counters/ok", 1);
	snprintf(rel, sizeof(rel), "rdmap3s9/hw_counters/%s",
		 "a_counter_name_much_longer_than_the_48_byte_name_field");
	write_u64(root, rel, 2);
	n = hpcp_efa_snapshot(root, &snap3);
	tap_ok(n == 1 && snap3.devices[0].n_counters == 1,
	       "a counter name too long for the field is skipped");
	tap_ok(has_warning(&snap3, "name too long"),
	       "with a warning saying so");
}

static void test_full(const char *base)
{
	char root[1024], rel[128];
	const struct hpcp_efa_device *d;
	int i, n;

	snprintf(root, sizeof(root), "%s/full", base);
	write_file(root, "rdmap4s10/device/vendor", "0x1d0f\n");
	for (i = 0; i < HPCP_EFA_MAX_COUNTERS + 4; i++) {
		snprintf(rel, sizeof(rel), "rdmap4s10/hw_counters/c%03d", i);
		write_u64(root, rel, (uint64_t)i);
	}
	n = hpcp_efa_snapshot(root, &snap3);
	d = &snap3.devices[0];
	tap_ok(n == 1 && d->n_counters == HPCP_EFA_MAX_COUNTERS,
	       "counters beyond HPCP_EFA_MAX_COUNTERS are dropped");
	snprintf(rel, sizeof(rel), "c%03d", HPCP_EFA_MAX_COUNTERS - 1);
	tap_ok(n == 1 && !strcmp(d->counters[d->n_counters - 1].name, rel),
	       "the first ones in name order are kept");
	tap_ok(snap3.n_warnings == 1 && has_warning(&snap3, "4 counters dropped"),
	       "one warning says how many were dropped");
	diag_warnings(&snap3);
}

static void test_missing_root(const char *base)
{
	char root[1024];

	snprintf(root, sizeof(root), "%s/does-not-exist", base);
	tap_is_int(hpcp_efa_snapshot(root, &snap3), 0,
		   "a missing root gives 0 devices");
	tap_is_int(snap3.n_warnings, 0, "and no warning");
	snprintf(root, sizeof(root), "%s/" DEV0 "/device/vendor", base);
	tap_is_int(hpcp_efa_snapshot(root, &snap3), 0,
		   "a root that is a file gives 0 devices");
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	char dir[] = "/tmp/hpcp-test-efa.XXXXXX";
	char sys[sizeof(dir) + 8];

	if (!mkdtemp(dir))
		tap_skip_all("cannot make a temporary directory");
	/* The main tree; the other tests build their own beside it. */
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	if (!build_tree(sys)) {
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
		tap_skip_all("cannot build the fake sysfs tree");
	}

	test_snapshot(sys);
	test_delta(sys);
	test_backwards(sys);
	test_only_in_one(sys);
	test_root_env();
	test_links(dir);
	test_missing_root(sys);
	test_malformed(dir);
	test_long_name(dir);
	test_full(dir);

	tap_ok(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	       "temporary tree removed");
	return tap_done();
}
