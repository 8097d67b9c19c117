/* SPDX-License-Identifier: ISC */
/*
 * A container's settings file (CTID.conf) written durably off the event
 * loop.  Writing a file to stay (a temporary file, fsync, rename, fsync of
 * the folder) waits for the filesystem's journal: 4-60 ms each on a busy
 * host, which every other request waited behind when `acctctl create`
 * saved on the loop.  A worker thread does it; the loop is told when it is
 * done and answers the client then (ctl.c's create).  Jobs run one at a
 * time, in the order given.
 *
 * The worker makes system calls only (no allocation, no log, no stdio):
 * accountd forks its helpers from the main thread (spawn.c), and a child
 * must never find a lock held by a thread that does not exist in it.
 */
#ifndef ACCT_SAVER_H
#define ACCT_SAVER_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * TEXT written to TMP for TARGET and synced: mode 0644 for a new file, an
 * existing file's mode and owner kept (*KEPT false when they could not
 * be; the file is still written).  Returns 0 or -errno with *STEP naming
 * what failed ("create", "write", "fsync"); TMP is gone after a failure.
 * conf_write_file() then renames TMP over TARGET and syncs the folder, so
 * that the rename outlives an OS crash.  Both are safe in any thread.
 */
int	conf_write_tmp(const char *target, const char *tmp, const char *text,
	    const char **step, bool *kept);
int	conf_write_file(const char *target, const char *tmp, const char *text,
	    const char **step, bool *kept);

/* Called on the event loop with the job's result (0 or -errno). */
typedef void	save_done_fn(void *arg, int r, const char *step, bool kept);

bool	saver_start(void);	/* false: no thread (callers save in place) */
bool	saver_running(void);
/* TARGET and TEXT are the caller's until DONE runs. */
void	saver_submit(const char *target, const char *text, save_done_fn *done,
	    void *arg);
void	saver_stop(void);	/* what was given is written and reported */

#endif
