/* SPDX-License-Identifier: ISC */
/*
 * The durable part of the beancounters: per container and resource, the
 * maxheld and failcnt that must never go backwards, and the kernel's raw
 * counter they were last advanced from.  Kept in one file mapped shared
 * (state_dir/beancounters.db) of fixed-size records, so an update is a
 * plain store into the page cache: a kill -9 of accountd loses nothing
 * already stored, and the sampler makes no write system call.  msync()
 * runs every minute and at exit for the power-loss case.
 *
 *	header | record | record | ...     record: name, generation (the
 *	                                   cgroup's inode), 25 x {maxheld,
 *	                                   failcnt, raw}
 */
#ifndef ACCT_BCSTORE_H
#define ACCT_BCSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "ubc.h"

struct bc_saved_row {
	uint64_t	maxheld;
	uint64_t	failcnt;
	uint64_t	raw;		/* kernel counter at the last update */
};

struct bc_record {
	char		name[64];
	uint64_t	gen;		/* cgroup inode when last sampled */
	uint32_t	used;
	uint32_t	flags;
	struct bc_saved_row row[UB_COUNT];
};

int	bcstore_open(const char *path, struct aerr *);
void	bcstore_close(void);
void	bcstore_sync(void);
/* The record of a container (created when missing).  Valid until the
 * next bcstore_get (the map can move): callers keep the index instead. */
int	bcstore_find(const char *name, bool create);
struct bc_record *bcstore_rec(int idx);
void	bcstore_forget(const char *name);

#endif
