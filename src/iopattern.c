#include "config.h"

#include "hpcp/iopattern.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define K_FILE 0x9e3779b97f4a7c15ull
#define K_BLOCK 0xd1b54a32d192ed03ull
#define K_PLACE 0x8cb92ba72f3d8dd7ull

/* Words in a block: 4 KiB, the page and the random sub-phase's transfer. */
#define BLOCK_WORDS 512u

static inline uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One word per place in a block, the same in every block and file: 4 KiB,
 * so it stays in L1 while a check streams through a buffer.  A check then
 * costs an exclusive or and a compare per word, as cheap as fio's
 * verify=pattern, where a hash per word cost more than the 4 KiB read. */
static uint64_t place[BLOCK_WORDS];
static pthread_once_t place_once = PTHREAD_ONCE_INIT;

static void place_init(void)
{
	for (uint64_t j = 0; j < BLOCK_WORDS; j++)
		place[j] = mix((j + 1) * K_PLACE);
}

/* The block's key: a splitmix64 finaliser over (seed, file, block), so
 * neighbouring blocks and files share nothing visible. */
static inline uint64_t key(uint64_t seed, uint64_t file, uint64_t block)
{
	return mix(seed ^ (file * K_FILE) ^ (block * K_BLOCK));
}

/* Word w (offset 8 w): its block's key xor its place's word. */
static inline uint64_t word(uint64_t seed, uint64_t file, uint64_t w)
{
	return key(seed, file, w / BLOCK_WORDS) ^ place[w % BLOCK_WORDS];
}

/* The word as its 8 bytes in memory, little-endian on any host: whole
 * words move as one load or store. */
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
	pthread_once(&place_once, place_init);
	/* Little-endian byte order of the word, whatever the host's. */
	return (uint8_t)(word(seed, file, off >> 3) >> (8 * (off & 7)));
}

void hpcp_iopat_fill(void *buf, size_t len, uint64_t seed, uint64_t file,
		     uint64_t off)
{
	unsigned char *p = buf;
	size_t i = 0;

	pthread_once(&place_once, place_init);
	/* Head and tail byte by byte; whole words in between, a block's
	 * stretch at a time. */
	for (; i < len && ((off + i) & 7); i++)
		p[i] = hpcp_iopat_byte(seed, file, off + i);
	while (i + 8 <= len) {
		uint64_t w = (off + i) >> 3, j = w % BLOCK_WORDS;
		uint64_t k = key(seed, file, w / BLOCK_WORDS);

		for (; j < BLOCK_WORDS && i + 8 <= len; j++, i += 8) {
			uint64_t v = to_le(k ^ place[j]);

			memcpy(p + i, &v, 8);
		}
	}
	for (; i < len; i++)
		p[i] = hpcp_iopat_byte(seed, file, off + i);
}

/* OR over words j < n of buf[j] ^ k ^ place[j]: 0 when all match. */
static uint64_t stretch_diff(const unsigned char *buf, size_t n, uint64_t k,
			     const uint64_t *pl)
{
	uint64_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, g0, g1, g2, g3;
	size_t j = 0;

	for (; j + 4 <= n; j += 4) {
		memcpy(&g0, buf + 8 * j, 8);
		memcpy(&g1, buf + 8 * j + 8, 8);
		memcpy(&g2, buf + 8 * j + 16, 8);
		memcpy(&g3, buf + 8 * j + 24, 8);
		d0 |= g0 ^ k ^ to_le(pl[j]);
		d1 |= g1 ^ k ^ to_le(pl[j + 1]);
		d2 |= g2 ^ k ^ to_le(pl[j + 2]);
		d3 |= g3 ^ k ^ to_le(pl[j + 3]);
	}
	for (; j < n; j++) {
		memcpy(&g0, buf + 8 * j, 8);
		d0 |= g0 ^ k ^ to_le(pl[j]);
	}
	return d0 | d1 | d2 | d3;
}

/* The first byte of p[from..to) that differs from the pattern. */
static int64_t first_bad(const unsigned char *p, size_t from, size_t to,
			 uint64_t seed, uint64_t file, uint64_t off)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != hpcp_iopat_byte(seed, file, off + i))
			return (int64_t)i;
	return -1;
}

int64_t hpcp_iopat_check(const void *buf, size_t len, uint64_t seed,
			 uint64_t file, uint64_t off)
{
	const unsigned char *p = buf;
	size_t i = 0;

	pthread_once(&place_once, place_init);
	for (; i < len && ((off + i) & 7); i++)
		if (p[i] != hpcp_iopat_byte(seed, file, off + i))
			return (int64_t)i;
	while (i + 8 <= len) {
		uint64_t w = (off + i) >> 3, j0 = w % BLOCK_WORDS, diff = 0;
		uint64_t k = to_le(key(seed, file, w / BLOCK_WORDS));
		size_t n = (len - i) / 8, start = i;

		if (n > BLOCK_WORDS - j0)
			n = BLOCK_WORDS - j0;
		/* All of the stretch first, without branches, four
		 * independent words at a time (a single chain ran at one
		 * word per cycle and a half); the place of a difference only
		 * when there is one. */
		diff = stretch_diff(p + i, n, k, place + j0);
		i += 8 * n;
		if (diff)
			return first_bad(p, start, i, seed, file, off);
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
