/*
 * Numbers on a command line, by one rule for both programs (hpcp/num.h):
 * no MPI, no cJSON, so the report tool and the fuzz targets compile it.
 */
#include "config.h"

#include "hpcp/num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int hpcp_parse_size(const char *s, uint64_t *out)
{
	uint64_t value = 0;
	uint64_t scale = 1;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (value > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	switch (*p) {
	case 'k': case 'K':
		scale = 1ull << 10;
		p++;
		break;
	case 'm': case 'M':
		scale = 1ull << 20;
		p++;
		break;
	case 'g': case 'G':
		scale = 1ull << 30;
		p++;
		break;
	default:
		break;
	}
	if (scale > 1 && strcmp(p, "iB") == 0)
		p += 2;
	else if (*p == 'B')
		p++;
	if (*p != '\0')
		return -EINVAL;
	if (value > UINT64_MAX / scale)
		return -ERANGE;
	*out = value * scale;
	return 0;
}

int hpcp_parse_size_list(const char *s, uint64_t *out, int max, int *n,
			 uint64_t limit)
{
	char item[64];
	const char *p = s;
	int count = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		uint64_t v;
		int rc;

		if (len == 0 || len >= sizeof(item))
			return -EINVAL;
		memcpy(item, p, len);
		item[len] = '\0';
		rc = hpcp_parse_size(item, &v);
		if (rc)
			return rc;
		if (v > limit)
			return -ERANGE;
		if (count == max)
			return -E2BIG;
		out[count++] = v;
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = count;
	return 0;
}

int hpcp_parse_count(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	uint64_t value = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		unsigned digit;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		digit = (unsigned)(*p - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	if (value < min || value > max)
		return -ERANGE;
	*out = value;
	return 0;
}

int hpcp_parse_real(const char *s, double min, double max, double *out)
{
	char *end = NULL;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	/* Plain decimals only: no hex, no inf or nan spelled out. */
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '+' && *p != 'e' && *p != 'E')
			return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int hpcp_parse_duration(const char *s, double max_ns, double *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	char num[64];
	size_t n = 0;

	if (!s)
		return -EINVAL;
	/* the number is what comes before the unit's letters */
	while (s[n] && !isalpha((unsigned char)s[n]))
		n++;
	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double v;
		int rc;

		if (strcmp(s + n, units[i].unit) != 0)
			continue;
		rc = hpcp_parse_real(num, 0, max_ns / units[i].ns, &v);
		if (rc == 0)
			*ns = v * units[i].ns;
		return rc;
	}
	return -EINVAL;
}
