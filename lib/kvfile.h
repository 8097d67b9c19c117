/* SPDX-License-Identifier: ISC */
/*
 * The reader of `key = value` files: accountd.conf (accountd/conf.c) and
 * the rates file of acctctl bill (ledger/rates.c).  One line each; '#'
 * starts a comment; blank lines are skipped; white space around the key
 * and the value is dropped.  The caller's function gets each pair and
 * says what it makes of it; its error comes back prefixed with the file
 * and line ("accountd.conf:7: unknown key 'x' (known: ...)").
 */
#ifndef ACCT_KVFILE_H
#define ACCT_KVFILE_H

#include <stddef.h>

#include "err.h"

#define KV_UNQUOTE	0x01	/* "value" in double quotes loses them */

typedef int (*kvfile_fn)(void *ctx, const char *key, const char *value,
    struct aerr *err);

/*
 * Parse `text` (NUL-terminated), named `name` in messages, calling fn for
 * each pair in order and stopping at the first error.  A line longer than
 * line_max - 1 characters, or one without '=', is an error.  Returns 0,
 * or fn's negative return (or -EINVAL) with err filled.
 */
int	kvfile_parse(const char *name, const char *text, size_t line_max,
	    unsigned flags, kvfile_fn fn, void *ctx, struct aerr *err);

#endif
