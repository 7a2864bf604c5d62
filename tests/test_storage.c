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

static void layouts(void);

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void lustre(void)
{
	char dir[] = "/tmp/hpcp-test-lustre-XXXXXX", p[256], why[256];
	struct hpcp_lustre_counters c;
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
	layouts();
}

/* A lov_user_md v1/v3 blob of 32 bytes (no objects) at p. */
static void put_plain(unsigned char *p, uint32_t magic, uint32_t pattern,
		      uint32_t stripe_size, uint16_t count)
{
	memset(p, 0, 32);
	put32(p, magic);
	put32(p + 4, pattern);
	put32(p + 24, stripe_size);
	p[28] = (unsigned char)count;
	p[29] = (unsigned char)(count >> 8);
}

struct comp { uint32_t id, flags; uint64_t start, end; uint32_t pattern,
	      stripe_size; uint16_t count; };

/* A lov_comp_md v1 of n components (header, entries, then one blob each)
 * under magic; its length. */
static size_t put_magic_composite(unsigned char *buf, uint32_t magic,
				  const struct comp *c, int n)
{
	size_t blobs = 32 + 48 * (size_t)n;

	memset(buf, 0, blobs + 32 * (size_t)n);
	put32(buf, magic);
	put32(buf + 4, (uint32_t)(blobs + 32 * (size_t)n));
	buf[14] = (unsigned char)n;
	for (int i = 0; i < n; i++) {
		unsigned char *e = buf + 32 + 48 * i;
		uint32_t off = (uint32_t)(blobs + 32 * (size_t)i);

		put32(e, c[i].id);
		put32(e + 4, c[i].flags);
		put64(e + 8, c[i].start);
		put64(e + 16, c[i].end);
		put32(e + 24, off);
		put32(e + 28, 32);
		put_plain(buf + off, 0x0BD10BD0u, c[i].pattern,
			  c[i].stripe_size, c[i].count);
	}
	return blobs + 32 * (size_t)n;
}

static size_t put_composite(unsigned char *buf, const struct comp *c, int n)
{
	return put_magic_composite(buf, 0x0BD60BD0u, c, n);
}

/* Layouts from the lustre.lov attribute: plain ones, a progressive file
 * layout and the component its data mostly went through, data on the
 * MDT, mirrors, an extension reserve, and what is refused. */
static void layouts(void)
{
	static unsigned char buf[32 + 20 * 80];
	const uint64_t M = 1u << 20, EOF64 = UINT64_MAX;
	struct hpcp_lustre_layout l;
	/* lfs setstripe -E 1M -c 1 -E 256M -c 4 -E -1 -c -1: the default
	 * PFL of many sites; only the first two instantiated. */
	const struct comp pfl[] = {
		{ 1, 0x10, 0, M, 1, M, 1 },
		{ 2, 0x10, M, 256 * M, 1, M, 4 },
		{ 3, 0, 256 * M, EOF64, 1, 4 * M, 0xFFFF },
	};
	const struct comp dom[] = {
		{ 1, 0x10, 0, M, 0x100, M, 0 },
		{ 2, 0x10, M, EOF64, 1, M, 2 },
	};
	/* Two mirrors (ids 1 and 2 in bits 16-30) of the whole file. */
	const struct comp flr[] = {
		{ 0x10001, 0x10, 0, EOF64, 1, M, 2 },
		{ 0x20002, 0x10, 0, EOF64, 1, M, 8 },
	};
	/* lfs setstripe -E 1G -z 64M -E -1 -z 256M, 64 MiB written: as the
	 * server stamps it (the SEL magic), a zero-length component between
	 * the two extension reserves. */
	const struct comp sel[] = {
		{ 1, 0x10, 0, 64 * M, 1, M, 1 },
		{ 2, 0x40, 64 * M, 1024 * M, 1, 64 * 1024, 1 },
		{ 3, 0, 1024 * M, 1024 * M, 1, M, 1 },
		{ 4, 0x40, 1024 * M, EOF64, 1, 256 * 1024, 1 },
	};
	struct comp many[20];
	size_t n;
	int rc;

	put_plain(buf, 0x0BD10BD0u, 1, (uint32_t)M, 4);
	tap_ok(hpcp_lustre_parse_layout(buf, 32, &l) == 0 && !l.composite &&
	       l.n == 1 && l.total == 1 && l.c[0].stripe_count == 4 &&
	       l.c[0].stripe_size == M && l.c[0].start == 0 &&
	       l.c[0].end == EOF64 && l.c[0].instantiated &&
	       strcmp(hpcp_lustre_pattern_name(&l.c[0]), "raid0") == 0 &&
	       hpcp_lustre_main_component(&l, 5 * M) == 0,
	       "lustre layout: a lov_user_md v1, 4 stripes of 1 MiB over the "
	       "whole file");
	put_plain(buf, 0x0BD50BD0u, 1, (uint32_t)M, 2);
	tap_ok(hpcp_lustre_parse_layout(buf, 48, &l) == 0 &&
	       l.c[0].stripe_count == 2,
	       "lustre layout: a lov_user_md on chosen OSTs (v3's shape)");
	put_plain(buf, 0x0BD30BD0u, 0x201, 4 * (uint32_t)M, 16);
	tap_ok(hpcp_lustre_parse_layout(buf, 48, &l) == 0 && !l.composite &&
	       l.c[0].stripe_count == 16 && l.c[0].stripe_size == 4 * M &&
	       strcmp(hpcp_lustre_pattern_name(&l.c[0]), "overstriping") == 0,
	       "lustre layout: a lov_user_md v3, overstriped, 16 x 4 MiB");

	n = put_composite(buf, pfl, 3);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == 0 && l.composite &&
	       l.n == 3 && l.total == 3 && l.c[1].start == M &&
	       l.c[1].end == 256 * M && l.c[1].stripe_count == 4 &&
	       l.c[2].end == EOF64 && l.c[2].stripe_count == -1 &&
	       l.c[2].stripe_size == 4 * M && l.c[0].instantiated &&
	       !l.c[2].instantiated && l.c[0].mirror == 0,
	       "lustre layout: a 3-component PFL, extents, stripes (-1 for "
	       "every OST) and which are instantiated");
	tap_ok(hpcp_lustre_main_component(&l, 0) == 0 &&
	       hpcp_lustre_main_component(&l, M / 2) == 0 &&
	       hpcp_lustre_main_component(&l, 2 * M) == 0 &&
	       hpcp_lustre_main_component(&l, 64 * M) == 1 &&
	       hpcp_lustre_main_component(&l, 1024 * M) == 1,
	       "lustre layout: the component holding the most of the file "
	       "(0 B, 512 KiB and 2 MiB: the first, a tie to the first; "
	       "64 MiB: the second; 1 GiB: still the second, the third not "
	       "instantiated, so holding no data)");
	l.c[2].instantiated = 1;
	tap_ok(hpcp_lustre_main_component(&l, 1024 * M) == 2,
	       "lustre layout: 1 GiB once the third is instantiated: the "
	       "third");
	n = put_composite(buf, dom, 2);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == 0 &&
	       strcmp(hpcp_lustre_pattern_name(&l.c[0]), "mdt") == 0 &&
	       l.c[0].stripe_count == 0 &&
	       hpcp_lustre_main_component(&l, 512 * 1024) == 0 &&
	       hpcp_lustre_main_component(&l, 8 * M) == 1,
	       "lustre layout: data on the MDT for the first 1 MiB, then 2 "
	       "stripes");
	n = put_composite(buf, flr, 2);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == 0 &&
	       l.c[0].mirror == 1 && l.c[1].mirror == 2 &&
	       hpcp_lustre_main_component(&l, 8 * M) == 0,
	       "lustre layout: two mirrors, the first one's stripes (2, not "
	       "8)");
	n = put_magic_composite(buf, 0x0BD80BD0u, sel, 4);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == 0 && l.composite &&
	       l.n == 4 && l.c[1].extension &&
	       l.c[1].extension_size == 64 * M && l.c[1].stripe_size == 0 &&
	       l.c[3].extension_size == 256 * M &&
	       l.c[2].start == l.c[2].end && !l.c[2].extension &&
	       strcmp(hpcp_lustre_pattern_name(&l.c[1]), "extension") == 0 &&
	       hpcp_lustre_main_component(&l, 64 * M) == 0,
	       "lustre layout: a self-extending layout under the SEL magic, "
	       "its zero-length component read, its reserves (64 and 256 "
	       "MiB, sizes in KiB) never the data's component");
	for (int i = 0; i < 20; i++)
		many[i] = (struct comp){ (uint32_t)i + 1, 0x10, i * M,
					 (i + 1) * M, 1, (uint32_t)M, 1 };
	n = put_composite(buf, many, 20);
	rc = hpcp_lustre_parse_layout(buf, n, &l);
	tap_ok(rc == 0 && l.n == HPCP_LU_MAX_COMPONENTS && l.total == 20,
	       "lustre layout: 20 components, %u kept and 20 counted", l.n);

	/* Refused: too short, an unknown magic, entries or a blob past the
	 * end, an empty extent, no entries. */
	n = put_composite(buf, pfl, 3);
	tap_ok(hpcp_lustre_parse_layout(buf, 31, &l) == -EINVAL &&
	       hpcp_lustre_parse_layout(buf, 32 + 48, &l) == -EINVAL &&
	       hpcp_lustre_parse_layout(buf, n - 1, &l) == -EINVAL,
	       "lustre layout: a composite layout cut short is refused");
	put32(buf + 32 + 48 + 24, (uint32_t)n);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == -EINVAL,
	       "lustre layout: a blob past the attribute's end is refused");
	n = put_composite(buf, pfl, 3);
	put64(buf + 32 + 48 + 16, 0);      /* the second: 1 MiB to 0 */
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == -EINVAL,
	       "lustre layout: an extent ending before its start is refused");
	n = put_composite(buf, pfl, 3);
	put64(buf + 32 + 8, (uint64_t)INT64_MAX + 1);
	put64(buf + 32 + 16, EOF64);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == -EINVAL,
	       "lustre layout: a start past 2^63 is refused");
	n = put_composite(buf, pfl, 3);
	put64(buf + 32 + 16, EOF64 - 1);
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == -EINVAL,
	       "lustre layout: an end past 2^63 other than EOF is refused");
	n = put_composite(buf, pfl, 3);
	buf[14] = 0;
	tap_ok(hpcp_lustre_parse_layout(buf, n, &l) == -EINVAL,
	       "lustre layout: a composite layout of no component is refused");
	put_plain(buf, 0x0BD20BD0u, 1, (uint32_t)M, 4);
	tap_ok(hpcp_lustre_parse_layout(buf, 32, &l) == -EINVAL &&
	       hpcp_lustre_parse_layout(buf, 3, &l) == -EINVAL,
	       "lustre layout: another magic (a join layout) or 3 bytes are "
	       "refused");
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
