/* SPDX-License-Identifier: ISC */
/*
 * Admission control for memory guarantees, as Virtuozzo's vcmmd does it:
 * the memguarantee of the running containers (params_guarantee_bytes)
 * may add up to host RAM minus guarantee_reserve (accountd.conf), no more.
 * A create or set that would pass that is refused with the figures;
 * --force admits it and is logged.  A container whose cgroup appears
 * (its runtime starts it) when its guarantee does not fit runs without
 * the guarantee, and says so in its status.  Containers already running
 * when accountd starts were admitted before and are only counted.
 */
#ifndef ACCT_ADMIT_H
#define ACCT_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "accountd.h"

/* Host RAM, the reserve, and what guarantees may add up to (bytes). */
void	admit_room(uint64_t *host, uint64_t *reserve, uint64_t *room);
/* The guarantees of the running containers other than `except`. */
uint64_t admit_committed(const struct container *except, unsigned *n);
/* May `name` run with p, next to the running containers other than ct
 * (NULL when new)?  0, or -ENOSPC with the one-line reason in err.
 * force: admit anyway, logged. */
int	admit_check(const char *name, const struct container *ct,
	    const struct ct_params *p, bool force, struct aerr *err);
/* From now on a starting container is checked (after the first scan). */
void	admit_arm(void);
bool	admit_armed(void);

#endif
