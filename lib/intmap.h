/* SPDX-License-Identifier: ISC */
/*
 * A map from a non-negative int (an inotify watch descriptor) to a
 * pointer: open addressing, linear probing, deletion by moving entries
 * back (no tombstones), so its size follows the keys present, not the
 * largest key ever seen.  inotify hands out watch descriptors cyclically
 * (1, 2, 3, ... up to INT_MAX before any is reused), so an array indexed
 * by them grows with every watch ever added: under container churn, 8
 * bytes per watch, without end.
 */
#ifndef ACCT_INTMAP_H
#define ACCT_INTMAP_H

#include <stddef.h>

struct intmap_ent {
	int	 key;		/* -1: empty */
	void	*val;
};

struct intmap {
	struct intmap_ent	*e;
	size_t			 cap;	/* 0 or a power of two */
	size_t			 n;
};

#define INTMAP_INIT	{ NULL, 0, 0 }

void	*intmap_get(const struct intmap *, int key);	/* NULL: absent */
void	 intmap_put(struct intmap *, int key, void *val); /* key >= 0 */
void	 intmap_del(struct intmap *, int key);
void	 intmap_free(struct intmap *);

#endif
