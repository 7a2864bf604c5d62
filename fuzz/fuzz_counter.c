/*
 * libFuzzer target: the EFA counter-file parser (sysfs text).  Whatever it
 * accepts is one decimal number with at most trailing whitespace.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/efa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	uint64_t v = 0;
	char back[32];
	size_t digits = 0;

	if (hpcp_efa_parse_counter(s, size, &v) != NULL)
		return 0;
	while (digits < size && isdigit((unsigned char)s[digits]))
		digits++;
	if (digits == 0)
		abort();
	for (size_t i = digits; i < size; i++)
		if (!isspace((unsigned char)s[i]))
			abort();
	/* The value is the digits, leading zeros aside. */
	snprintf(back, sizeof(back), "%llu", (unsigned long long)v);
	while (digits > 1 && s[0] == '0') {
		s++;
		digits--;
	}
	if (strlen(back) != digits || memcmp(back, s, digits) != 0)
		abort();
	return 0;
}
