/* SPDX-License-Identifier: ISC */
/*
 * The apply journal: a `kill -9` of accountd at any moment of a plan
 * ends, after the restart, in the old limits or the new ones, never a
 * mix; and the values in effect that were not saved (a set without
 * --save) are known again after a restart.
 *
 *   apply_plan_keep(): read every old value
 *                  journal_begin(): state_dir/journal = {container,
 *                      cgroup, each file's old and new value, the live
 *                      file before and after}
 *                  write the files (on failure: undo, journal_end())
 *                  journal_commit(): state_dir/live/CT = the live set
 *                      (or removed when it equals the saved one), then
 *                      the journal is emptied, or, when the live file
 *                      changed, later (journal_settle(), after a set's
 *                      reply): the live file written is the commit
 *
 *   start-up:      journal_recover() before any container is served: a
 *                  journal left behind whose live file already holds
 *                  its live_after (and live_after differs from
 *                  live_before) is a plan done; any other is rolled back
 *                  (old values written newest first, as the undo of
 *                  apply_plan_keep() does) and state_dir/live/CT is put
 *                  back as it was before.
 *
 * Rolling back, not forward: the old values were in force and valid
 * before the plan began, the request that asked for the new ones got no
 * answer, and the undo order is the one apply_plan_keep() already proves.
 */
#ifndef ACCT_JOURNAL_H
#define ACCT_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "params.h"
#include "plan.h"

struct journal_undo {		/* one file of the plan */
	bool	needed;		/* it has an old value to put back */
	char	value[256];	/* the old value */
};

/*
 * Record a plan before its first write: container, cgroup, every file's
 * old and new value, the live file as it is and as it will be
 * (live_after: its text, "" for no file; see live_render()).  A journal
 * that cannot be written is logged, and the plan goes ahead without it:
 * a full state_dir must not keep limits from being set.
 */
void	journal_begin(const char *ct, const char *cgpath, const struct plan *,
	    const struct journal_undo *, const char *live_after);
/* The plan is done: the live file becomes live_after; the journal is
 * emptied, at once or by journal_settle() (see above). */
void	journal_commit(void);
/* Empty the journal of a plan done (journal_commit) if it still holds
 * it; every other use of the journal or the live files does it first. */
void	journal_settle(void);
/* The plan was undone in process: the journal is emptied, the live
 * file stays. */
void	journal_end(void);
/* Does CT's live file hold text (as accountd wrote it last)?  A plan
 * that writes no file and leaves it so needs no journal. */
bool	journal_live_is(const char *ct, const char *text);
/* At start-up, before containers are served: roll back what a journal
 * left behind. */
void	journal_recover(const struct cg_layout *);

/* The live file's text for a live set: "" when it equals the saved set
 * (no file), else the values and the cgroup's generation gen (the inode
 * of its primary folder).  Caller frees. */
char	*live_render(const struct ct_params *live, const struct ct_params *saved,
	    uint64_t gen);
/* CT's live set recorded for cgroup generation gen: 0 and *out, or
 * -ENOENT (none; one of an earlier cgroup is removed). */
int	live_load(const char *ct, uint64_t gen, struct ct_params *out);
void	live_forget(const char *ct);

/* Tests only: ACCOUNTD_TEST_APPLY_DELAY_MS in the environment makes
 * apply_plan_keep() wait that long after each write, and journal_settle()
 * before it empties the journal, so a test can kill accountd in the
 * middle of a plan or after its reply.  In microseconds; 0 normally. */
unsigned journal_test_delay_us(void);

#endif
