/* SPDX-License-Identifier: ISC */
/*
 * Beancounter ids for containers that are not named by a CTID (see
 * policies/ubc.h for the ranges).  Assigned on first sight, kept in
 * state_dir/bcids (one "NAME ID" line each, "NAME -" when forgotten, and
 * "next ID"), so a name keeps its id across restarts of accountd (a kill -9
 * included) and of the container; forgotten when the registry forgets the
 * container (destroy, or a discovered cgroup that went away).  The counter
 * only grows: an id is never handed out twice, an OS crash included (ids
 * are reserved in synced blocks; bcid.c has the file's rules).
 */
#ifndef ACCT_BCID_H
#define ACCT_BCID_H

#include <stdint.h>

#include "err.h"

int		bcid_open(const char *path, struct aerr *);
void		bcid_close(void);
/* The id of a container name: its CTID, or the one assigned (assigning
 * and saving one when new).  0 only when the range is used up. */
uint32_t	bcid_of(const char *name);
void		bcid_forget(const char *name);

#endif
