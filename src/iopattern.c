#include "config.h"

#include "hpcp/iopattern.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define K_FILE 0x9e3779b97f4a7c15ull
#define K_WORD 0xd1b54a32d192ed03ull

static inline uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The word at word index w (offset 8 w): a splitmix64 finaliser over the
 * three inputs, so neighbouring words and files share nothing visible. */
static inline uint64_t word(uint64_t seed, uint64_t file, uint64_t w)
{
	return mix(seed ^ (file * K_FILE) ^ (w * K_WORD));
}

/* The word as its 8 bytes in memory, little-endian on any host: whole
 * words move as one load or store (a byte at a time, the check cost
 * 5 us per 4 KiB here, all of it inside the read steps' spans). */
static inline uint64_t to_le(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

uint8_t hpcp_iopat_byte(uint64_t seed, uint64_t file, uint64_t off)
{
	/* Little-endian byte order of the word, whatever the host's. */
	return (uint8_t)(word(seed, file, off >> 3) >> (8 * (off & 7)));
}

void hpcp_iopat_fill(void *buf, size_t len, uint64_t seed, uint64_t file,
		     uint64_t off)
{
	unsigned char *p = buf;
	size_t i = 0;

	/* Head and tail byte by byte; whole words in between. */
	for (; i < len && ((off + i) & 7); i++)
		p[i] = hpcp_iopat_byte(seed, file, off + i);
	/* Word by word: (w + 1) K_WORD = w K_WORD + K_WORD (mod 2^64). */
	for (uint64_t base = seed ^ (file * K_FILE),
		      wk = ((off + i) >> 3) * K_WORD; i + 8 <= len;
	     i += 8, wk += K_WORD) {
		uint64_t v = to_le(mix(base ^ wk));

		memcpy(p + i, &v, 8);
	}
	for (; i < len; i++)
		p[i] = hpcp_iopat_byte(seed, file, off + i);
}

int64_t hpcp_iopat_check(const void *buf, size_t len, uint64_t seed,
			 uint64_t file, uint64_t off)
{
	const unsigned char *p = buf;
	size_t i = 0;

	for (; i < len && ((off + i) & 7); i++)
		if (p[i] != hpcp_iopat_byte(seed, file, off + i))
			return (int64_t)i;
	for (uint64_t base = seed ^ (file * K_FILE),
		      wk = ((off + i) >> 3) * K_WORD; i + 8 <= len;
	     i += 8, wk += K_WORD) {
		uint64_t v = to_le(mix(base ^ wk)), got;

		memcpy(&got, p + i, 8);
		if (got != v)
			for (int b = 0; b < 8; b++)
				if (p[i + (size_t)b] !=
				    hpcp_iopat_byte(seed, file,
						    off + i + (size_t)b))
					return (int64_t)(i + (size_t)b);
	}
	for (; i < len; i++)
		if (p[i] != hpcp_iopat_byte(seed, file, off + i))
			return (int64_t)i;
	return -1;
}

int hpcp_iopat_readback(const int *node, int n, int *src, int *shift)
{
	int *order, *count, nodes = 0, big = 0, k = 0, cross = 1;

	if (n < 0)
		return -EINVAL;
	for (int r = 0; r < n; r++)
		if (node[r] + 1 > nodes)
			nodes = node[r] + 1;
	order = malloc((size_t)n * sizeof(*order) + 1);
	count = calloc((size_t)nodes + 1, sizeof(*count));
	if (!order || !count) {
		free(order);
		free(count);
		return -ENOMEM;
	}
	for (int r = 0; r < n; r++)
		if (++count[node[r]] > big)
			big = count[node[r]];
	/* Each node's ranks together, in rank order (a counting sort:
	 * count[v] becomes where node v's next rank goes). */
	for (int v = 0; v < nodes; v++) {
		int c = count[v];

		count[v] = k;
		k += c;
	}
	for (int r = 0; r < n; r++)
		order[count[node[r]]++] = r;
	*shift = n < 2 ? 0 : big < n ? big : 1;
	for (int p = 0; p < n; p++) {
		src[order[p]] = order[(p + *shift) % n];
		cross &= node[src[order[p]]] != node[order[p]];
	}
	free(order);
	free(count);
	return n > 1 && cross;
}
