/*
 * splitmix64 (Steele, Lea, Flood 2014): the project's one seeded
 * generator; a seed gives the same stream on every platform and rank,
 * unlike rand().
 */
#ifndef HPCP_RAND_H
#define HPCP_RAND_H

#include <stdint.h>

static inline uint64_t hpcp_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
