/* SPDX-License-Identifier: ISC */
/*
 * One line of state_dir/bcids (accountd/bcid.c has the file's rules),
 * read at start.  Pure; fuzzed (tests/fuzz/fuzz-bcids.c): the file is the
 * daemon's own, but an OS crash can leave a line cut short or NUL bytes
 * where appended lines were.
 */
#ifndef ACCT_BCIDLINE_H
#define ACCT_BCIDLINE_H

#include <stdint.h>

#define BCID_NAME_MAX	128	/* with the NUL; a longer name is refused */

enum bcid_line {
	BCL_SKIP,	/* a comment or an empty line */
	BCL_ID,		/* "NAME ID": NAME has ID */
	BCL_FORGET,	/* "NAME -": NAME has none any more */
	BCL_NEXT,	/* "next ID": no id at or past ID was handed out */
};

/* The kind of line (a NUL-terminated line, its newline optional), with
 * the name in `name` and the id, from BCID_BASE to BCID_LAST + 1, in
 * `id`; -EINVAL for anything else (nothing else set). */
int	bcid_line_parse(const char *line, char name[BCID_NAME_MAX],
	    uint32_t *id);

#endif
