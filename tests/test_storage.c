/*
 * The storage phase's MPI-free modules: the data pattern (fill and check
 * agree at any offset and length, a changed byte is found at its exact
 * offset, another file or seed differs), the latency claim's binomial
 * bound against its closed form, and the tree removal.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpcp/claim.h"
#include "hpcp/fsutil.h"
#include "hpcp/iopattern.h"
#include "tap.h"

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

int main(void)
{
	pattern();
	claim();
	rmtree();
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
