/*
 * Numbers on a command line, by one rule for both programs: plain
 * decimals, no hex, inf or nan, no trailing text.  Each returns 0, -EINVAL
 * (not a number of that kind) or -ERANGE.  src/num.c: no MPI, no cJSON.
 */
#ifndef HPCP_NUM_H
#define HPCP_NUM_H

#include <stdint.h>

/*
 * One size: digits with an optional k/K, m/M, g/G suffix (powers of 1024),
 * optionally followed by "B" or "iB".  Returns 0 or -EINVAL / -ERANGE.
 */
int hpcp_parse_size(const char *s, uint64_t *out);

/* A comma-separated list of sizes; at most max entries, each <= limit. */
int hpcp_parse_size_list(const char *s, uint64_t *out, int max, int *n,
			 uint64_t limit);

/* A finite decimal number in [min, max] ("0.5", "2"); no suffix. */
int hpcp_parse_real(const char *s, double min, double max, double *out);

/* A decimal whole number in [min, max]; no sign, no suffix. */
int hpcp_parse_count(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out);

/* A duration: a plain decimal and a unit, ns, us, ms or s ("500us",
 * "2.5ms"), into *ns, at most max_ns.  0, -EINVAL or -ERANGE. */
int hpcp_parse_duration(const char *s, double max_ns, double *ns);

#endif
