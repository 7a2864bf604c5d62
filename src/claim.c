#include "config.h"

#include "hpcp/claim.h"

#include <math.h>

uint64_t hpcp_claim_min_count(double q, double c)
{
	/* The small slack keeps an exact integer ratio from rounding up. */
	return (uint64_t)ceil(log(1 - c) / log(q) - 1e-9);
}

int hpcp_claim_holds(uint64_t n, uint64_t k, double q, double c)
{
	double p = 1 - q, lp = log(p), lq = log1p(-p), cdf = 0;

	if (n == 0 || k >= n)
		return 0;
	/* P(X <= k) by summing the pmf in log space (n in the millions). */
	for (uint64_t j = 0; j <= k; j++) {
		double lc = lgamma((double)n + 1) - lgamma((double)j + 1) -
			    lgamma((double)(n - j) + 1);

		cdf += exp(lc + (double)j * lp + (double)(n - j) * lq);
		if (cdf > 1 - c)
			return 0;
	}
	return cdf <= 1 - c;
}
