/*
 * The storage phase's MPI-free modules: the data pattern (fill and check
 * agree at any offset and length, a changed byte is found at its exact
 * offset, another file or seed differs), the latency claim's binomial
 * bound against its closed form, and the tree removal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpcp/claim.h"
#include "hpcp/fsutil.h"
#include "hpcp/iopattern.h"
#include "hpcp/lustre.h"
#include "tap.h"

/* The pattern by 4 KiB blocks: a key per block, a word per place. */
static void pattern_blocks(void)
{
	static unsigned char f[4 * 4096], g[4096];
	uint64_t w1, w2;
	int64_t bad;
	int same = 1;

	hpcp_iopat_fill(f, sizeof(f), 11, 2, 8 * 4096);
	/* Two words of one block swapped: found at the first. */
	memcpy(&w1, f + 4096 + 800, 8);
	memcpy(&w2, f + 4096 + 1600, 8);
	memcpy(f + 4096 + 800, &w2, 8);
	memcpy(f + 4096 + 1600, &w1, 8);
	bad = hpcp_iopat_check(f, sizeof(f), 11, 2, 8 * 4096);
	tap_ok(bad >= 4096 + 800 && bad < 4096 + 808,
	       "pattern: two words of a block swapped: found in the first "
	       "(byte %lld)", (long long)bad);
	memcpy(f + 4096 + 800, &w1, 8);
	memcpy(f + 4096 + 1600, &w2, 8);
	/* A whole block in another block's place, of this file or of the
	 * same place in another file: found at its first byte. */
	memcpy(g, f + 2 * 4096, 4096);
	tap_is_int(hpcp_iopat_check(g, 4096, 11, 2, 9 * 4096), 0,
		   "pattern: block 10 read where block 9 belongs fails at "
		   "its first byte");
	hpcp_iopat_fill(g, 4096, 11, 5, 9 * 4096);
	tap_is_int(hpcp_iopat_check(g, 4096, 11, 2, 9 * 4096), 0,
		   "pattern: block 9 of another file fails at its first byte");
	/* Every byte position of the table is checked: one bit flipped at
	 * each offset of a block spanning two keys is found there. */
	for (size_t at = 2000; at < 2000 + 4096; at++) {
		f[at] ^= 0x01;
		if (hpcp_iopat_check(f + 2000, 4096, 11, 2,
				     8 * 4096 + 2000) != (int64_t)(at - 2000))
			same = 0;
		f[at] ^= 0x01;
	}
	tap_ok(same, "pattern: a bit flipped at any of 4 096 offsets across "
	       "a block boundary is found there");
}

static void pattern(void)
{
	unsigned char a[5000], b[5000];
	int same = 1;

	/* Filled in one piece or in odd-sized pieces: the same bytes. */
	hpcp_iopat_fill(a, sizeof(a), 7, 3, 47008 * 3 + 5);
	for (size_t at = 0, n = 1; at < sizeof(b); at += n, n = n * 3 + 1) {
		if (at + n > sizeof(b))
			n = sizeof(b) - at;
		hpcp_iopat_fill(b + at, n, 7, 3, 47008 * 3 + 5 + at);
	}
	tap_ok(memcmp(a, b, sizeof(a)) == 0,
	       "pattern: filled whole or in odd pieces, the same bytes");
	for (size_t i = 0; i < sizeof(a); i++)
		same &= a[i] == hpcp_iopat_byte(7, 3, 47008 * 3 + 5 + i);
	tap_ok(same, "pattern: every byte as hpcp_iopat_byte says");
	tap_is_int(hpcp_iopat_check(a, sizeof(a), 7, 3, 47008 * 3 + 5), -1,
		   "pattern: the check passes what was filled");
	for (size_t at = 0; at < sizeof(a); at += 997) {
		a[at] ^= 0x10;
		if (hpcp_iopat_check(a, sizeof(a), 7, 3, 47008 * 3 + 5) !=
		    (int64_t)at)
			same = 0;
		a[at] ^= 0x10;
	}
	tap_ok(same, "pattern: a changed byte is found at its own offset");
	tap_ok(hpcp_iopat_check(a, sizeof(a), 7, 4, 47008 * 3 + 5) >= 0 &&
	       hpcp_iopat_check(a, sizeof(a), 8, 3, 47008 * 3 + 5) >= 0 &&
	       hpcp_iopat_check(a, sizeof(a), 7, 3, 47008 * 3 + 13) >= 0,
	       "pattern: another file, seed or offset does not match");
	pattern_blocks();
}

static void claim(void)
{
	/* No exceedance: n >= ln(0.01) / ln(0.999) = 4602.9. */
	tap_is_int((long long)hpcp_claim_min_count(0.999, 0.99), 4603,
		   "claim: 4603 operations for p99.9 at 99 %");
	tap_is_int((long long)hpcp_claim_min_count(0.99, 0.95), 299,
		   "claim: 299 operations for p99 at 95 %");
	tap_ok(hpcp_claim_holds(4603, 0, 0.999, 0.99) &&
	       !hpcp_claim_holds(4602, 0, 0.999, 0.99),
	       "claim: zero exceedances hold from 4603 operations, not 4602");
	/* One exceedance: P(X <= 1) = 0.999^n + n 0.001 0.999^(n-1) <= 0.01
	 * from n = 6636 (computed apart). */
	tap_ok(hpcp_claim_holds(6636, 1, 0.999, 0.99) &&
	       !hpcp_claim_holds(6635, 1, 0.999, 0.99),
	       "claim: one exceedance needs 6636 operations");
	tap_ok(!hpcp_claim_holds(20000, 40, 0.999, 0.99),
	       "claim: 40 in 20 000 above the bound (0.2 %%) does not hold");
}

static void rmtree(void)
{
	char dir[] = "/tmp/hpcp-test-storage-XXXXXX", p[128], why[256];
	struct stat st;
	int fd;

	tap_ok(mkdtemp(dir) != NULL, "rmtree: a tree to remove");
	snprintf(p, sizeof(p), "%s/a", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/b", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/b/f", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/link", dir);
	tap_ok(symlink("/etc/hostname", p) == 0, "rmtree: with a link out");
	tap_is_int(hpcp_rmtree(dir, 3, why, sizeof(why)), 0,
		   "rmtree: removes it all");
	tap_ok(lstat(dir, &st) != 0 && stat("/etc/hostname", &st) == 0,
	       "rmtree: nothing left, the link's target untouched");
	tap_is_int(hpcp_rmtree(dir, 3, why, sizeof(why)), 0,
		   "rmtree: a missing tree is success");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	if (f && buf && fread(buf, 1, (1 << 16) - 1, f) == 0)
		buf[0] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* The fixtures' deltas, computed by hand from the files. */
static void lustre_style(const char *style)
{
	struct hpcp_lustre_counters a = { 0 }, b = { 0 }, d;
	char path[512], what[64];
	char *t;
	static const struct { int i; uint64_t v; } want[] = {
		{ HPCP_LU_READ_COUNT, 512 }, { HPCP_LU_READ_BYTES, 1u << 30 },
		{ HPCP_LU_WRITE_COUNT, 256 },
		{ HPCP_LU_WRITE_BYTES, 512u << 20 },
		{ HPCP_LU_OPEN, 32 }, { HPCP_LU_CLOSE, 32 },
		{ HPCP_LU_GETATTR, 1000 }, { HPCP_LU_CREATE, 500 },
		{ HPCP_LU_UNLINK, 500 }, { HPCP_LU_MKDIR, 2 },
		{ HPCP_LU_FSYNC, 2 }, { HPCP_LU_RA_HITS, 3000 },
		{ HPCP_LU_RA_MISSES, 500 }, { HPCP_LU_READ_RPCS, 100 },
		{ HPCP_LU_READ_RPC_PAGES, 20500 },
		{ HPCP_LU_READ_INFLIGHT_SUM, 160 },
		{ HPCP_LU_WRITE_RPCS, 140 },
		{ HPCP_LU_WRITE_RPC_PAGES, 35840 },
		{ HPCP_LU_WRITE_INFLIGHT_SUM, 200 },
	};
	int exact = 1;

	snprintf(path, sizeof(path), "%s/lustre/%s-before.txt",
		 HPCP_TEST_DATADIR, style);
	t = slurp(path);
	tap_is_int(t ? hpcp_lustre_parse(t, 0, &a) : -1, 0, path);
	free(t);
	snprintf(path, sizeof(path), "%s/lustre/%s-after.txt",
		 HPCP_TEST_DATADIR, style);
	t = slurp(path);
	tap_is_int(t ? hpcp_lustre_parse(t, 0, &b) : -1, 0, path);
	free(t);
	hpcp_lustre_delta(&a, &b, &d);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (d.v[want[i].i] != want[i].v) {
			printf("# %s %s: got %llu, want %llu\n", style,
			       hpcp_lustre_counter_name(want[i].i),
			       (unsigned long long)d.v[want[i].i],
			       (unsigned long long)want[i].v);
			exact = 0;
		}
	tap_ok(exact && d.found == 7 && d.instances == 1,
	       "lustre %s names: every delta exact (llite, read-ahead, two "
	       "OSCs' RPCs), one llite instance", style);
	snprintf(what, sizeof(what), "lustre %s names: read-ahead hit ratio "
		 "3000 / 3500", style);
	tap_ok(fabs(hpcp_lustre_ra_hit_ratio(&d) - 3000.0 / 3500) < 1e-12,
	       "%s", what);
	tap_ok(d.v[HPCP_LU_READ_RPC_PAGES] / d.v[HPCP_LU_READ_RPCS] == 205 &&
	       d.v[HPCP_LU_WRITE_RPC_PAGES] / d.v[HPCP_LU_WRITE_RPCS] == 256,
	       "lustre %s names: 205 and 256 pages per read and write RPC",
	       style);
}

static void lustre(void)
{
	char dir[] = "/tmp/hpcp-test-lustre-XXXXXX", p[256], why[256];
	struct hpcp_lustre_counters c;
	unsigned char lov[32] = { 0 };
	uint32_t count = 0, size = 0;
	FILE *f;
	int rc;

	lustre_style("old");
	lustre_style("new");
	/* The files themselves, without lctl's headers, in a tree. */
	if (!mkdtemp(dir))
		return;
	snprintf(p, sizeof(p), "%s/llite", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/llite/fsx-1", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/llite/fsx-1/read_ahead_stats", dir);
	f = fopen(p, "w");
	if (f) {
		fputs("snapshot_time 1.0 secs.nsecs\nhits 7 samples [pages]\n"
		      "misses 3 samples [pages]\n", f);
		fclose(f);
	}
	tap_ok(hpcp_lustre_snapshot(dir, &c, why, sizeof(why)) == 0 &&
	       c.found == 2 && c.v[HPCP_LU_RA_HITS] == 7 &&
	       c.v[HPCP_LU_RA_MISSES] == 3,
	       "lustre: a tree's read_ahead_stats file read as such");
	/* Two client mounts: the stats of both summed, and counted. */
	for (int i = 1; i <= 2; i++) {
		snprintf(p, sizeof(p), "%s/llite/fsx-%d", dir, i);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/llite/fsx-%d/stats", dir, i);
		f = fopen(p, "w");
		if (f) {
			fprintf(f, "snapshot_time 1.0 secs.nsecs\n"
				"open %d samples [reqs]\n", 10 * i);
			fclose(f);
		}
	}
	rc = hpcp_lustre_snapshot(dir, &c, why, sizeof(why));
	tap_ok(rc == 0 && c.instances == 2 && c.v[HPCP_LU_OPEN] == 30,
	       "lustre: two llite instances, counted (%u) and summed (%llu "
	       "opens)", c.instances,
	       (unsigned long long)c.v[HPCP_LU_OPEN]);
	hpcp_rmtree(dir, 3, why, sizeof(why));
	tap_ok(hpcp_lustre_snapshot(dir, &c, why, sizeof(why)) == -ENOENT &&
	       strstr(why, dir) != NULL, "lustre: no tree, -ENOENT: %s", why);
	/* lov_user_md v1: magic, pattern, object id, 1 MiB x 4 stripes. */
	lov[0] = 0xD0; lov[1] = 0x0B; lov[2] = 0xD1; lov[3] = 0x0B;
	lov[26] = 0x10;            /* 0x00100000 */
	lov[28] = 4;
	tap_ok(hpcp_lustre_parse_lov(lov, sizeof(lov), &count, &size) == 0 &&
	       count == 4 && size == 1u << 20,
	       "lustre: stripe count 4 and size 1 MiB from a lov_user_md v1");
	lov[2] = 0xD6;            /* a composite layout */
	tap_ok(hpcp_lustre_parse_lov(lov, sizeof(lov), &count, &size) ==
	       -EINVAL, "lustre: a composite layout is not read as v1");
}

/* One placement: the plan is a permutation, every reader's writer on
 * another node exactly when the test says it can be. */
static void plan(const char *name, const int *node, int n, int want_cross,
		 int want_shift)
{
	int src[16], seen[16] = { 0 }, shift = -1, perm = 1, cross = 1;
	int rc = hpcp_iopat_readback(node, n, src, &shift);

	for (int r = 0; r < n; r++) {
		if (src[r] < 0 || src[r] >= n || seen[src[r]]++)
			perm = 0;
		else
			cross &= node[src[r]] != node[r];
	}
	tap_ok(rc == want_cross && perm && shift == want_shift &&
	       (!want_cross || cross),
	       "read-back plan, %s: every file read once%s (shift %d, "
	       "returned %d)", name, want_cross ? ", by another node" : "",
	       shift, rc);
}

static void readback(void)
{
	static const int block[] = { 0, 0, 1, 1 };
	static const int robin[] = { 0, 1, 0, 1 };
	static const int one[] = { 0, 0, 0, 0 };
	static const int big[] = { 0, 0, 0, 1 };
	/* 3 nodes of 3, 2 and 1 ranks, round-robin as far as it goes. */
	static const int uneven[] = { 0, 1, 2, 0, 1, 0 };
	static const int eight[] = { 0, 1, 2, 3, 0, 1, 2, 3 };

	plan("2 nodes, block", block, 4, 1, 2);
	plan("2 nodes, round-robin", robin, 4, 1, 2);
	plan("one node", one, 4, 0, 1);
	plan("3 + 1 ranks", big, 4, 0, 3);
	plan("3 + 2 + 1 ranks", uneven, 6, 1, 3);
	plan("4 nodes, round-robin", eight, 8, 1, 2);
	plan("one rank", one, 1, 0, 0);
}

int main(void)
{
	pattern();
	readback();
	lustre();
	claim();
	rmtree();
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
