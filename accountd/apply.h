/* SPDX-License-Identifier: ISC */
/*
 * Carrying out a plan on a container's cgroup, all or nothing: the old
 * value of every file is read first; if a write fails, the writes already
 * done are undone in reverse order (which retraces the same states, so
 * the v1 memsw >= mem rule holds on the way back too) and the error says
 * what and why:
 *
 *   cannot set ram=64M on 101: usage is 180M (memory.limit_in_bytes:
 *   Device or resource busy)
 *
 * Each plan is recorded in the journal before its first write, so that
 * accountd killed in the middle of one rolls it back at its next start
 * (journal.h).
 */
#ifndef ACCT_APPLY_H
#define ACCT_APPLY_H

#include "cgroup.h"
#include "plan.h"

/* cgpath and live_after are for the journal (journal.h): the
 * container's cgroup and the text of its live file once the plan is
 * done ("" for none).  written, if not NULL, has an entry per op of the
 * plan: set to whether the op was carried out (false: the file already
 * held its value, read just before, and was left alone). */
int	apply_plan(const struct cg_layout *, const struct cg_ct *,
	    const char *ctname, const char *cgpath, const struct plan *,
	    const char *live_after, bool *written, struct aerr *);

#endif
