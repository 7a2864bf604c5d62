#include "config.h"

#include "hpcp/cpuset.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORDS (HPCP_CPUSET_BITS / 64)

void hpcp_cpuset_zero(struct hpcp_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void hpcp_cpuset_set(struct hpcp_cpuset *s, unsigned cpu)
{
	if (cpu < HPCP_CPUSET_BITS)
		s->bits[cpu / 64] |= 1ull << (cpu % 64);
}

int hpcp_cpuset_isset(const struct hpcp_cpuset *s, unsigned cpu)
{
	return cpu < HPCP_CPUSET_BITS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

int hpcp_cpuset_count(const struct hpcp_cpuset *s)
{
	int n = 0;

	for (int i = 0; i < WORDS; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

int hpcp_cpuset_intersects(const struct hpcp_cpuset *a,
			   const struct hpcp_cpuset *b)
{
	for (int i = 0; i < WORDS; i++)
		if (a->bits[i] & b->bits[i])
			return 1;
	return 0;
}

int hpcp_cpuset_subset(const struct hpcp_cpuset *a,
		       const struct hpcp_cpuset *b)
{
	for (int i = 0; i < WORDS; i++)
		if (a->bits[i] & ~b->bits[i])
			return 0;
	return 1;
}

void hpcp_cpuset_or(struct hpcp_cpuset *dst, const struct hpcp_cpuset *src)
{
	for (int i = 0; i < WORDS; i++)
		dst->bits[i] |= src->bits[i];
}

static int parse_cpu(const char **p, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v >= HPCP_CPUSET_BITS)
		return -EINVAL;
	*p = end;
	*out = (unsigned)v;
	return 0;
}

int hpcp_cpuset_parse(const char *list, struct hpcp_cpuset *out)
{
	const char *p = list;

	hpcp_cpuset_zero(out);
	if (!list)
		return -EINVAL;
	if (!*p)
		return 0;
	for (;;) {
		unsigned lo, hi;

		if (parse_cpu(&p, &lo))
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) || hi < lo)
				return -EINVAL;
		}
		for (unsigned c = lo; c <= hi; c++)
			hpcp_cpuset_set(out, c);
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

void hpcp_cpuset_format(const struct hpcp_cpuset *s, char *buf, size_t len)
{
	size_t used = 0;
	int first = 1;

	if (!len)
		return;
	buf[0] = '\0';
	for (unsigned c = 0; c < HPCP_CPUSET_BITS; c++) {
		unsigned end = c;
		int n;

		if (!hpcp_cpuset_isset(s, c))
			continue;
		while (end + 1 < HPCP_CPUSET_BITS &&
		       hpcp_cpuset_isset(s, end + 1))
			end++;
		if (end == c)
			n = snprintf(buf + used, len - used, "%s%u",
				     first ? "" : ",", c);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u",
				     first ? "" : ",", c, end);
		if (n < 0 || (size_t)n >= len - used) {
			/* Keep the text parseable up to the cut, and say so. */
			if (len >= 4)
				snprintf(buf + (used < len - 4 ? used : len - 4),
					 4, "...");
			return;
		}
		used += (size_t)n;
		first = 0;
		c = end;
	}
}

int hpcp_cpuset_self(struct hpcp_cpuset *out)
{
	cpu_set_t mask;

	hpcp_cpuset_zero(out);
	CPU_ZERO(&mask);
	if (sched_getaffinity(0, sizeof(mask), &mask) != 0)
		return -errno;
	for (unsigned c = 0; c < CPU_SETSIZE && c < HPCP_CPUSET_BITS; c++)
		if (CPU_ISSET(c, &mask))
			hpcp_cpuset_set(out, c);
	return 0;
}

void hpcp_binding_check(const struct hpcp_cpuset *host,
			const struct hpcp_cpuset *ranks, const int *rank_ids,
			int n, struct hpcp_binding_verdict *v)
{
	struct hpcp_cpuset usable;
	int host_pus = hpcp_cpuset_count(host);

	memset(v, 0, sizeof(*v));
	v->ranks = n;
	v->shared_a = v->shared_b = -1;
	hpcp_cpuset_zero(&usable);
	for (int i = 0; i < n; i++) {
		int bound = hpcp_cpuset_count(&ranks[i]) < host_pus ||
			    !hpcp_cpuset_subset(host, &ranks[i]);

		hpcp_cpuset_or(&usable, &ranks[i]);
		if (!bound) {
			v->unbound++;
			continue;
		}
		for (int j = 0; j < i && !v->shared_pu; j++) {
			int other_bound =
				hpcp_cpuset_count(&ranks[j]) < host_pus ||
				!hpcp_cpuset_subset(host, &ranks[j]);

			if (other_bound &&
			    hpcp_cpuset_intersects(&ranks[i], &ranks[j])) {
				v->shared_pu = 1;
				v->shared_a = rank_ids[j];
				v->shared_b = rank_ids[i];
			}
		}
	}
	v->usable_pus = hpcp_cpuset_count(&usable);
	if (v->usable_pus == 0)
		v->usable_pus = host_pus;
	v->more_ranks_than_pus = n > v->usable_pus;
}
