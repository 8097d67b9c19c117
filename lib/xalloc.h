/* SPDX-License-Identifier: ISC */
/*
 * Allocation wrappers that abort on exhaustion (an accounting daemon that
 * cannot allocate 100 bytes cannot do anything useful), and cleanup
 * attributes for scope-bound ownership:
 *
 *	_cleanup_free_ char *p = xstrdup(s);   freed when p goes out of scope
 *	return steal_ptr(p);                   hands ownership to the caller
 */
#ifndef ACCT_XALLOC_H
#define ACCT_XALLOC_H

#include <stddef.h>
#include <stdio.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

void	freep(void *);
void	closep(int *);
void	fclosep(FILE **);

#define _cleanup_free_	 __attribute__((cleanup(freep)))
#define _cleanup_close_	 __attribute__((cleanup(closep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))

/* Take the value out of a cleanup-managed variable. */
#define steal_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define steal_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#endif
