/* SPDX-License-Identifier: ISC */
/*
 * Drift: a limit file written by someone else (runc update, docker
 * update, a shell's echo) after accountd put its value there.
 *
 * What accountd expects is what the kernel showed right after its own
 * write: every file an applied plan wrote is read back, so the kernel's
 * rounding (memory limits to pages, "-1" shown as a huge number, "max")
 * is never taken for drift, and a parameter accountd never set has no
 * file here at all.  apply_finish() reads it back through the descriptor
 * it wrote with, and a file the plan left alone holds the value it was
 * found holding; drift_applied() takes these when the file's watch dates
 * from before those reads (else it reads the file itself, after adding
 * the watch).  Each such file gets an inotify watch:
 * write(2) on a cgroup file raises IN_MODIFY whoever writes it, so a
 * change is seen at once (after DRIFT_SETTLE_MS, which gathers the writes
 * of one `runc update`) and a sample costs nothing.  A file whose watch
 * cannot be added (fs.inotify.max_user_watches) is read every
 * sample_interval instead.
 *
 * Found drift is reported once per new kernel value: `show`/`list` print
 * the kernel's value beside the configured one, and an event of type
 * "drift" goes where failcnt events go (alert.c).  With `drift = restore`
 * the configured values are put back through ct_set(), the path of
 * `acctctl set` (one plan, all or nothing).
 */
#ifndef ACCT_DRIFT_H
#define ACCT_DRIFT_H

#include <json-c/json.h>

#include "plan.h"

#define DRIFT_SETTLE_MS	20

struct container;

int	drift_init(void);
void	drift_close(void);
/* After a plan was applied to a running container: what its files hold
 * (done: apply_plan_keep()'s and apply_finish()'s account of them, or
 * NULL to read them all). */
struct apply_done;
void	drift_applied(struct container *, const struct plan *,
	    const struct apply_done *done);
/* The container stopped or is forgotten: drop its files and watches. */
void	drift_forget(struct container *);
/* Read the files now; report (or restore) what changed. */
void	drift_check(struct container *);
/* {"numproc": {"kernel": "100", "configured": "20", "files": {...}}, ...}
 * for the drifted parameters, or NULL when there are none.  Owned by the
 * caller. */
struct json_object *drift_json(struct container *);

#endif
