/* SPDX-License-Identifier: ISC */
/*
 * Reading state_dir/journal (journal.c) back at start: the pure part,
 * apart so that a fuzz target can reach it (tests/fuzz/fuzz-journal.c).
 */
#ifndef ACCT_JOURNALPARSE_H
#define ACCT_JOURNALPARSE_H

#include <json-c/json.h>
#include <stddef.h>

struct jrec_op {
	int		 ctrl;	/* 0..nctrl-1, or -1: not usable */
	const char	*file;	/* a file name without '/', or NULL */
	const char	*old;	/* the value to put back, or NULL */
};

struct jrec {
	struct json_object *j;	/* owns every string below */
	const char	*ct, *cgpath, *before;
	const char	*after;	/* "live_after", or NULL */
	struct jrec_op	*ops;
	size_t		 nops;
};

/*
 * 0 and *r (free with jrec_free()) when text is a journal: an object with
 * strings "ct", "cgroup" and "live_before" and an array "ops" ("live_after"
 * too, or after is NULL); an op
 * whose fields are missing or wrong comes out with ctrl -1 or NULL
 * strings, to be reported, not written.  -EINVAL otherwise (nothing to
 * free).  The names are not checked here (ct_name_check,
 * ct_cgpath_check).
 */
int	jrec_parse(const char *text, int nctrl, struct jrec *r);
void	jrec_free(struct jrec *);

struct sbuf;
/*
 * A journal's text, appended to b (journal_begin writes it): version,
 * ct, cgroup, the ops (an op's NULL file or old is left out; news: each
 * op's new value, shown to a person reading the file, or NULL), the live
 * file before and after (after NULL: left out).  Written by hand, not
 * through json-c objects (a dozen allocations a set); what jrec_parse()
 * reads back is what was given (tests/fuzz/fuzz-journal.c checks it).
 */
void	jrec_render(struct sbuf *b, int version, const char *ct,
	    const char *cgpath, const struct jrec_op *ops,
	    const char *const *news, size_t nops, const char *before,
	    const char *after);

#endif
