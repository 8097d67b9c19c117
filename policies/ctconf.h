/* SPDX-License-Identifier: ISC */
/*
 * Per-container configuration files in OpenVZ's ctid.conf form:
 *
 *	# comment
 *	PHYSPAGES="0:256M"
 *	CPUUNITS="1000"
 *
 * Pure code: ctconf_parse() takes the file's text, ctconf_render() gives
 * the text back.  Lines are kept in order; an update rewrites the lines of
 * the keys it changes and appends new keys, so comments, OpenVZ keys that
 * accountd does not use and unknown keys all survive a --save.
 */
#ifndef ACCT_CTCONF_H
#define ACCT_CTCONF_H

#include <stddef.h>

#include "err.h"
#include "params.h"
#include "sbuf.h"

struct ctconf_line {
	char	*text;		/* the line as read or written, no newline */
	char	*key;		/* the key, or NULL for comments/blank lines */
};

struct ctconf {
	struct ctconf_line *lines;
	size_t		 nlines;
	struct ct_params params;	/* the resource keys, parsed */
};

/*
 * Parse `text` (name is used in messages).  Unknown keys go into
 * `warnings` (one line); OpenVZ keys outside accountd's scope are kept
 * silently.  A bad value of a known key is an error naming file and line.
 */
int	ctconf_parse(const char *name, const char *text, struct ctconf *,
	    struct sbuf *warnings, struct aerr *);
/* Rewrite the lines of every parameter set in `p` (and record them). */
void	ctconf_update(struct ctconf *, const struct ct_params *p);
/* Set or replace a raw KEY="value" line (value NULL removes the key). */
void	ctconf_set_raw(struct ctconf *, const char *key, const char *value);
/* The value of a raw key, or NULL.  Borrowed: valid until the next change. */
const char *ctconf_get_raw(const struct ctconf *, const char *key,
	    char *buf, size_t len);
char	*ctconf_render(const struct ctconf *);	/* caller frees */
/* The name rule of a container (its CTID.conf's name): 1 to 63 letters,
 * digits, '.', '_' or '-', starting with a letter or digit. */
bool	ctconf_name_ok(const char *);
void	ctconf_free(struct ctconf *);

#endif
