/*
 * Whether a latency claim such as "99.9 % of operations within 1 ms" is
 * supported by n measured operations of which k exceeded the bound: at
 * confidence c, the one-sided (Clopper-Pearson) upper bound of the
 * exceedance probability must not exceed 1 - q, that is
 * P(Binomial(n, 1 - q) <= k) <= 1 - c.  With no exceedance this is
 * n >= ln(1 - c) / ln(q): 4603 operations for q = 0.999, c = 0.99.
 * No MPI: unit-tested.
 */
#ifndef HPCP_CLAIM_H
#define HPCP_CLAIM_H

#include <stdint.h>

/* 1 when the claim holds at confidence c, else 0. */
int hpcp_claim_holds(uint64_t n, uint64_t k, double q, double c);

/* The fewest operations that can support it: ceil(ln(1 - c) / ln(q)). */
uint64_t hpcp_claim_min_count(double q, double c);

#endif
