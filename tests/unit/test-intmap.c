/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of lib/intmap.c, the watch descriptor -> container map:
 * every key put is found with its value until deleted, a deleted key is
 * gone while the others of its probe run stay found, and the table's size
 * follows the keys present: a window of 100 keys sliding over a million
 * (as inotify hands out watch descriptors under container churn) keeps it
 * at 256 slots, where an array indexed by key grew to a million.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "intmap.h"
#include "xalloc.h"
#include "../tap.h"

#define KEYS	5000

static void *
val(int k)
{
	return (void *)(uintptr_t)(k * 7 + 1);
}

int
main(void)
{
	struct intmap m = INTMAP_INIT;
	static void *ref[KEYS];		/* the model: an array by key */
	size_t n = 0, bad = 0, cap_max = 0;
	unsigned seed = 12345;

	ok(intmap_get(&m, 3) == NULL, "an empty map holds nothing");
	intmap_del(&m, 3);
	ok(m.n == 0, "deleting from an empty map is a no-op");

	/* random puts, overwrites and deletes against the model */
	for (int step = 0; step < 200000; step++) {
		int k;

		seed = seed * 1103515245u + 12345u;
		k = (int)((seed >> 8) % KEYS);
		if ((seed >> 4) % 3 == 0) {
			intmap_del(&m, k);
			n -= ref[k] != NULL;
			ref[k] = NULL;
		} else {
			void *v = val(k + step % 2);

			intmap_put(&m, k, v);
			n += ref[k] == NULL;
			ref[k] = v;
		}
		if (step % 1000 == 0)
			for (int j = 0; j < KEYS; j++)
				bad += intmap_get(&m, j) != ref[j];
	}
	for (int j = 0; j < KEYS; j++)
		bad += intmap_get(&m, j) != ref[j];
	ok(bad == 0, "200,000 random puts and deletes: every key as the model "
	    "says (%zu wrong)", bad);
	ok(m.n == n, "count %zu, model %zu", m.n, n);
	ok(m.n * 4 <= m.cap * 3, "at most 3/4 full (%zu of %zu)", m.n, m.cap);
	ok(intmap_get(&m, -1) == NULL, "a negative key is never found");
	intmap_free(&m);

	/* keys handed out cyclically, a window of 100 alive */
	for (int k = 1; k <= 1000000; k++) {
		intmap_put(&m, k, val(k));
		if (k > 100) {
			if (intmap_get(&m, k - 100) != val(k - 100))
				bad++;
			intmap_del(&m, k - 100);
		}
		if (m.cap > cap_max)
			cap_max = m.cap;
	}
	ok(bad == 0, "a sliding window: each key found until deleted");
	ok(m.n == 100, "100 keys left (%zu)", m.n);
	ok(cap_max <= 256, "the table stayed at most 256 slots over a million "
	    "keys (largest %zu)", cap_max);
	for (int k = 1; k <= 1000000 - 100; k += 9973)
		bad += intmap_get(&m, k) != NULL;
	ok(bad == 0, "deleted keys are gone");
	intmap_free(&m);
	ok(m.cap == 0 && m.n == 0, "freed");
	return done_testing();
}
