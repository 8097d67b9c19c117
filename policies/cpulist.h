/* SPDX-License-Identifier: ISC */
/*
 * CPU and NUMA node lists in the kernel's cpuset syntax ("0-3,7"), as
 * fixed-size bitmaps.  Pure code: used to validate cpumask/nodemask and to
 * intersect them with the parent cgroup's effective set.
 */
#ifndef ACCT_CPULIST_H
#define ACCT_CPULIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPULIST_BITS	4096

struct cpubits {
	uint64_t w[CPULIST_BITS / 64];
};

int	cpulist_parse(const char *s, struct cpubits *out);	/* 0 / -EINVAL */
/* 0, or -ENOSPC (buf then empty) when the list does not fit in len:
 * a shortened list would name fewer CPUs, never pass one on. */
int	cpulist_format(const struct cpubits *, char *buf, size_t len);
void	cpubits_and(struct cpubits *dst, const struct cpubits *src);
bool	cpubits_empty(const struct cpubits *);
unsigned cpubits_count(const struct cpubits *);

#endif
