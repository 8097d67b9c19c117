/* SPDX-License-Identifier: ISC */
/*
 * A growable string buffer for building output and messages.  The buffer
 * is always NUL-terminated; len excludes the NUL.  sbuf_take() hands the
 * string to the caller (who frees it) and resets the buffer.
 */
#ifndef ACCT_SBUF_H
#define ACCT_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void	sbuf_add(struct sbuf *, const char *, size_t);
void	sbuf_puts(struct sbuf *, const char *);
void	sbuf_putc(struct sbuf *, char);
void	sbuf_printf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	sbuf_reset(struct sbuf *);
void	sbuf_free(struct sbuf *);
char	*sbuf_take(struct sbuf *);
const char *sbuf_str(const struct sbuf *);

#endif
