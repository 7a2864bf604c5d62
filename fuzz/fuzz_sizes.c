/*
 * libFuzzer target: the number parsers on their own (size lists with
 * suffixes, counts, decimals).  Whatever they accept must be in range.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint64_t list[HPCP_MAX_SIZES], one;
	double real;
	int n = -1;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (hpcp_parse_size_list(s, list, HPCP_MAX_SIZES, &n, 1ull << 30) == 0) {
		if (n < 1 || n > HPCP_MAX_SIZES)
			abort();
		for (int i = 0; i < n; i++)
			if (list[i] > (1ull << 30))
				abort();
	}
	(void)hpcp_parse_size(s, &one);
	if (hpcp_parse_count(s, 1, 1000, &one) == 0 && (one < 1 || one > 1000))
		abort();
	if (hpcp_parse_real(s, 0, 10, &real) == 0 &&
	    (!isfinite(real) || real < 0 || real > 10))
		abort();
	free(s);
	return 0;
}
