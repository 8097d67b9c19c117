/* SPDX-License-Identifier: ISC */
/*
 * A container's view of /proc/meminfo: MemTotal is its RAM, SwapTotal
 * its swap, the free figures come from its usage (as OpenVZ's kernel and
 * lxcfs show them).  Served by `acctctl meminfo CT`, and, with
 * meminfo_dir set, kept up to date in a file per container that can be
 * bind-mounted over the container's /proc/meminfo (docs/vswap.md).
 */
#ifndef ACCT_MEMINFO_H
#define ACCT_MEMINFO_H

#include "sbuf.h"

struct container;

int	meminfo_text(struct container *, struct sbuf *);
void	meminfo_publish(void);

#endif
