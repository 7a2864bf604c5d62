/* Numbers on a command line: plain decimals in a range. */
#include "config.h"

#include "hpcpdoc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

int hpcp_doc_parse_real(const char *s, double min, double max, double *out)
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
