/* SPDX-License-Identifier: ISC */
/* What the benchmarks share: a monotonic clock in ms and percentiles. */
#ifndef ACCT_BENCH_STATS_H
#define ACCT_BENCH_STATS_H

#include <stddef.h>

double	bench_now_ms(void);
/* Sorts v in place and returns the p-quantile (0 <= p <= 1), nearest rank. */
double	bench_pct(double *v, size_t n, double p);

#endif
