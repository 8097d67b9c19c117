/* SPDX-License-Identifier: ISC */
/*
 * Reading a small text file that someone else may have put in place
 * (CTID.conf files, samples, the file of `acctctl create --config`)
 * without trusting what the path names: the open never blocks (a FIFO
 * or a device is refused, not waited on), a symbolic link is followed
 * only when the caller asks, the file must be a regular file, it is
 * capped in size, and a NUL byte is an error naming file and line (the
 * parsers take C strings and would drop what follows silently).
 */
#ifndef ACCT_TEXTFILE_H
#define ACCT_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* The size cap of a CTID.conf or a sample, both when accountd reads one
 * and when acctctl sends one in a request (below ACCT_REQUEST_MAX). */
#define TEXTFILE_CONF_MAX	(64u * 1024)

/*
 * Read `path` (at most `max` bytes) into *out, NUL-terminated, owned by
 * the caller.  follow: whether a symbolic link as the last component is
 * followed (acctctl, running as its user) or refused (accountd).
 * Returns 0 or -errno with err filled.
 */
int	textfile_read(const char *path, size_t max, bool follow, char **out,
	    struct aerr *err);
/* 0, or -EINVAL naming `name` and the line of the first NUL in buf. */
int	textfile_check_nul(const char *name, const char *buf, size_t len,
	    struct aerr *err);

#endif
