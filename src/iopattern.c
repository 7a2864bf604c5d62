#include "config.h"

#include "hpcp/iopattern.h"

#include <string.h>

/* The word at word index w (offset 8 w): a splitmix64 finaliser over the
 * three inputs, so neighbouring words and files share nothing visible. */
static uint64_t word(uint64_t seed, uint64_t file, uint64_t w)
{
	uint64_t z = seed ^ (file * 0x9e3779b97f4a7c15ull) ^
		     (w * 0xd1b54a32d192ed03ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
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
	for (; i + 8 <= len; i += 8) {
		uint64_t v = word(seed, file, (off + i) >> 3);

		for (int b = 0; b < 8; b++)
			p[i + (size_t)b] = (unsigned char)(v >> (8 * b));
	}
	for (; i < len; i++)
		p[i] = hpcp_iopat_byte(seed, file, off + i);
}

int64_t hpcp_iopat_check(const void *buf, size_t len, uint64_t seed,
			 uint64_t file, uint64_t off)
{
	const unsigned char *p = buf;
	unsigned char w[8];
	size_t i = 0;

	for (; i < len && ((off + i) & 7); i++)
		if (p[i] != hpcp_iopat_byte(seed, file, off + i))
			return (int64_t)i;
	for (; i + 8 <= len; i += 8) {
		uint64_t v = word(seed, file, (off + i) >> 3);

		for (int b = 0; b < 8; b++)
			w[b] = (unsigned char)(v >> (8 * b));
		if (memcmp(p + i, w, 8) != 0)
			for (int b = 0; b < 8; b++)
				if (p[i + (size_t)b] != w[b])
					return (int64_t)(i + (size_t)b);
	}
	for (; i < len; i++)
		if (p[i] != hpcp_iopat_byte(seed, file, off + i))
			return (int64_t)i;
	return -1;
}
