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

/* What became of one op of an applied plan. */
struct apply_done {
	bool	written;	/* carried out (false: the file held the value,
				 * read just before, and was left alone) */
	bool	known;		/* now is what the file holds (OP_WRITE only):
				 * read back after the write, through the
				 * descriptor of the write, or the value it
				 * was found holding */
	char	now[128];	/* without the trailing newline */
};

/* cgpath and live_after are for the journal (journal.h): the
 * container's cgroup and the text of its live file once the plan is
 * done ("" for none).  seen: files read to make the plan (cg_kcaps,
 * cg_kstate), not read again when they hold the op's value; may be NULL.
 * res and fds have an entry per op of the plan.  When the plan succeeds,
 * the files written are still open in fds (-1 for the others) and res
 * says what became of each op but what the written files hold now:
 * apply_finish() reads that back and closes them.  apply_plan_keep()
 * and apply_finish() are apart so that a request's reply goes out
 * between them (container.c: ct_reply_sent()).  On failure nothing is
 * left open. */
int	apply_plan_keep(const struct cg_layout *, const struct cg_ct *,
	    const char *ctname, const char *cgpath, const struct plan *,
	    const char *live_after, const struct cg_seen *seen,
	    struct apply_done *res, int *fds, struct aerr *);
void	apply_finish(const struct plan *, int *fds, struct apply_done *res);

#endif
