/* SPDX-License-Identifier: ISC */
/*
 * The slow filesystem work of `acctctl create` done off the event loop:
 * the container's cgroup made in every hierarchy (mkdir in cgroupfs waits
 * for the kernel's cgroup lock, 5-40 ms on a busy host) and its settings
 * file (CTID.conf) written to stay (a temporary file, fsync, rename, fsync
 * of the folder: the filesystem's journal, 4-60 ms).  Every other request
 * waited behind both when they ran on the loop.  One worker thread runs
 * the jobs, one at a time in the order given; the loop is told through an
 * eventfd and finishes each (ctl.c's create makes the container and
 * answers then).  A destroy's rmdir of the cgroup and rename of its file
 * go the same way (ctl.c's destroy forgets the container then).  A job
 * shares nothing with the loop but what it is given.  spawn.c's children only exec after fork(), so a lock the worker
 * holds at a fork (malloc's, stderr's) is never needed in a child.
 */
#ifndef ACCT_SAVER_H
#define ACCT_SAVER_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * TEXT written to TMP for TARGET and synced: mode 0644 for a new file, an
 * existing file's mode and owner kept (*KEPT false when they could not
 * be; the file is still written).  Returns 0 or -errno; TMP is gone
 * after a failure.
 * conf_write_file() then renames TMP over TARGET and syncs the folder, so
 * that the rename outlives an OS crash: 0 once renamed, *DIR_ERR then 0
 * or the folder's fsync's -errno.  Both are safe in any thread.
 */
int	conf_write_tmp(const char *target, const char *tmp, const char *text,
	    bool *kept);
int	conf_write_file(const char *target, const char *tmp, const char *text,
	    bool *kept, int *dir_err);

/* RUN(ARG) is called in the worker thread, then DONE(ARG) on the event
 * loop, job after job in the order given. */
typedef void	save_run_fn(void *arg);
typedef void	save_done_fn(void *arg);

bool	saver_start(void);	/* false: no thread (callers work in place) */
bool	saver_running(void);
void	saver_submit(save_run_fn *run, save_done_fn *done, void *arg);
void	saver_stop(void);	/* what was given is written and reported */

#endif
