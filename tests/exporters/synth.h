/* SPDX-License-Identifier: ISC */
/*
 * Synthetic snapshots for the exporters' tests and benchmarks: n
 * containers with plausible figures (the rows a cgroup v1 or v2 host
 * has, some failcnts, two devices, every tenth container stopped),
 * deterministic for a seed.
 */
#ifndef ACCT_SYNTH_H
#define ACCT_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

void	synth_header(struct snap_header *, uint32_t n, int v2);
void	synth_ct(struct snap_ct *, uint32_t i, uint32_t seed, int v2);

#endif
