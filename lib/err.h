/* SPDX-License-Identifier: ISC */
/*
 * The error convention of the whole tree (docs/HACKING.md):
 *
 *   - Low-level code returns 0 on success or -errno on failure.
 *   - Code whose failure must reach a person also fills a struct aerr with
 *     the errno and a one-line message naming what was wrong and what is
 *     accepted.  aerr_set() returns -errnum, so a failure path is one line:
 *
 *         return aerr_set(err, EINVAL, "bad value for --%s: %s", name, s);
 *
 *   - A NULL err is allowed everywhere; the message is then dropped.
 *   - The daemon copies {errnum, msg} into its reply; acctctl prints msg.
 */
#ifndef ACCT_ERR_H
#define ACCT_ERR_H

#include <stddef.h>

/* room for accountd.conf's unknown-key message, which names every key */
#define AERR_MSG_MAX 1024

struct aerr {
	int	errnum;			/* positive errno, 0 when clear */
	char	msg[AERR_MSG_MAX];	/* one line, never newline-terminated */
};

int	aerr_set(struct aerr *e, int errnum, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	aerr_prefix(struct aerr *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	aerr_clear(struct aerr *e);
const char *aerr_msg(const struct aerr *e);

#endif
