/* SPDX-License-Identifier: ISC */
/* An int -> pointer map: see intmap.h. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "intmap.h"
#include "xalloc.h"

static size_t
slot(const struct intmap *m, int key)
{
	/* Fibonacci hashing: consecutive keys spread over the table */
	return (size_t)(((uint64_t)(uint32_t)key * 0x9e3779b97f4a7c15u) >> 32) &
	    (m->cap - 1);
}

void *
intmap_get(const struct intmap *m, int key)
{
	if (m->cap == 0 || key < 0)
		return NULL;
	for (size_t i = slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key)
			return m->e[i].val;
		if (m->e[i].key < 0)
			return NULL;
	}
}

static void
grow(struct intmap *m, size_t cap)
{
	struct intmap_ent *old = m->e;
	size_t ocap = m->cap;

	m->e = xreallocarray(NULL, cap, sizeof(*m->e));
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < cap; i++)
		m->e[i].key = -1;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key >= 0)
			intmap_put(m, old[i].key, old[i].val);
	free(old);
}

void
intmap_put(struct intmap *m, int key, void *val)
{
	size_t i;

	if (key < 0)
		return;
	/* at most 3/4 full; shrunk below 1/8 in intmap_del() */
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m, m->cap ? m->cap * 2 : 16);
	for (i = slot(m, key); m->e[i].key >= 0; i = (i + 1) & (m->cap - 1))
		if (m->e[i].key == key) {
			m->e[i].val = val;
			return;
		}
	m->e[i].key = key;
	m->e[i].val = val;
	m->n++;
}

void
intmap_del(struct intmap *m, int key)
{
	size_t i, j;

	if (m->cap == 0 || key < 0)
		return;
	for (i = slot(m, key); m->e[i].key != key; i = (i + 1) & (m->cap - 1))
		if (m->e[i].key < 0)
			return;
	/* move back each later entry of the run that may no longer be
	 * found past the hole (its home slot is not between the hole and
	 * it, cyclically) */
	for (j = (i + 1) & (m->cap - 1); m->e[j].key >= 0;
	    j = (j + 1) & (m->cap - 1)) {
		size_t h = slot(m, m->e[j].key);

		if (((j - h) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].key = -1;
	m->e[i].val = NULL;
	m->n--;
	if (m->cap > 16 && m->n * 8 < m->cap)
		grow(m, m->cap / 2);
}

void
intmap_free(struct intmap *m)
{
	free(m->e);
	*m = (struct intmap)INTMAP_INIT;
}
