/* SPDX-License-Identifier: ISC */
/*
 * The lines accountd reads from the quota's helpers (quota-count.c,
 * quota-listen.c): the count child's "W path", "T n", "P n", "D blocks
 * inodes apparent", "E text" and the listener's "D n root".  They come
 * from processes that walk the containers' trees: pure, apart, so that a
 * fuzz target reaches them (tests/fuzz/fuzz-quotaline.c).
 */
#ifndef ACCT_QUOTALINE_H
#define ACCT_QUOTALINE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* A helper's output cut into lines: at most QL_LINE_MAX - 1 bytes each. */
#define QL_LINE_MAX	(PATH_MAX + 64)
struct ql_buf {
	char	buf[QL_LINE_MAX];
	size_t	len;
	int	skip;		/* inside a line too long: dropped to its end */
};

/*
 * Append data[0..n) to b and call fn(ctx, line) for each complete line,
 * its newline removed.  A line of QL_LINE_MAX bytes or more, or one
 * holding a NUL byte, is dropped whole (no tail of it read as a line of
 * its own).  Lines are given out in order; what follows the last newline
 * waits for the next call.
 */
void	ql_feed(struct ql_buf *b, const char *data, size_t n,
	    void (*fn)(void *, const char *), void *ctx);

enum ql_kind {
	QL_UNKNOWN,	/* not one of ours: ignored */
	QL_WATCH,	/* "W path": a directory to watch (text) */
	QL_TAGGED,	/* "T n": entries given the project id (v[0]) */
	QL_PROGRESS,	/* "P n": entries counted so far (v[0]) */
	QL_DONE,	/* "D blocks inodes apparent": the count (v[0..2]) */
	QL_ERROR,	/* "E text": what failed (text) */
};

struct ql_line {
	enum ql_kind	 kind;
	uint64_t	 v[3];
	const char	*text;		/* borrowed from the line */
};

/* One line of the count child; numbers are decimal digits only, one
 * space apart, below 2^64.  Returns the kind (also in out->kind). */
enum ql_kind ql_count_line(const char *line, struct ql_line *out);

/* One line of the listener: "D n root", n refusals (1 or more) in the
 * tree at root (an absolute path).  Returns 0, or -EINVAL. */
int	ql_listener_line(const char *line, uint64_t *n, const char **root);

#endif
