/* SPDX-License-Identifier: ISC */
/*
 * The durable part of the beancounters: per container and resource, the
 * maxheld and failcnt that must never go backwards, and the kernel's raw
 * counter they were last advanced from (state_dir/beancounters.db).
 *
 * The records live in accountd's own memory; the file is a copy written
 * with pwrite(), each changed record at the end of the event loop's turn
 * that changed it (before the daemon waits again), so a kill -9 loses
 * nothing a client could have read.  The file is never mapped: a file
 * truncated or replaced under the daemon cannot fault it (a shared
 * mapping of a truncated file raises SIGBUS on the next store); the next
 * write notices the short file, logs it, and writes the whole store again
 * from memory.  Layout (bcstore.c has the details):
 *
 *	header | row names | record | record | ...
 *	record: name, generation (the cgroup's inode), used, flags,
 *	        one {maxheld, failcnt, raw} per row name
 *
 * The row names make a change of the beancounter rows a migration (rows
 * matched by name, new ones start at 0), not a new store; a file cut
 * mid-record keeps every whole record.
 */
#ifndef ACCT_BCSTORE_H
#define ACCT_BCSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "ubc.h"

struct event_base;

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
/* Changed records are written at the end of each loop turn from now on;
 * without it, only by bcstore_flush, bcstore_sync and bcstore_close. */
void	bcstore_attach(struct event_base *);
void	bcstore_close(void);
void	bcstore_flush(void);	/* changed records to the file, now */
void	bcstore_sync(void);	/* every minute: the file still ours, fsync */
/* The record of a container (created when missing).  Valid until the
 * next bcstore_find (the array can move): callers keep the index. */
int	bcstore_find(const char *name, bool create);
/* A record to read or change; a change reaches the file at the end of
 * the loop's turn.  NULL for a bad index. */
struct bc_record *bcstore_rec(int idx);
void	bcstore_forget(const char *name);

#endif
