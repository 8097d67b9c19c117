/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of accountd/bcid.c, the beancounter ids of named containers,
 * against a model: a name keeps its id until forgotten, no id is handed
 * out twice, and after a close and an open of the file every name still
 * known has the id it had.  20,000 random gets and forgets over 3,000
 * names exercise the names' hash index (moves back at deletion, the last
 * entry filling a hole, growth).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accountd.h"
#include "bcid.h"
#include "ubc.h"
#include "../tap.h"

#define NAMES	3000

struct accountd *ad;		/* none: a rewrite is made at once */

static uint32_t model[NAMES];	/* 0: not known */

static const char *
name(int i)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "web-%d", i);
	return buf;
}

/* Every known name has its model id; returns the number that differ. */
static int
check_all(void)
{
	int bad = 0;

	for (int i = 0; i < NAMES; i++)
		if (model[i] != 0 && bcid_of(name(i)) != model[i])
			bad++;
	return bad;
}

int
main(void)
{
	char dir[] = "/tmp/test-bcid.XXXXXX", path[64];
	struct aerr err = { 0 };
	uint32_t next_seen = 0;
	int bad = 0, dup = 0;
	unsigned seed = 4242;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/bcids", dir);
	ok(bcid_open(path, &err) == 0, "a missing file opens empty");
	ok(bcid_of("101") == 101, "a numeric CTID is its own id");

	for (int step = 0; step < 20000; step++) {
		int i = rand_r(&seed) % NAMES;

		if (rand_r(&seed) % 3 == 0) {
			bcid_forget(name(i));
			model[i] = 0;
			continue;
		}
		uint32_t id = bcid_of(name(i));

		if (model[i] == 0) {
			/* a new id: past every id handed out before */
			if (id < BCID_BASE || id <= next_seen)
				dup++;
			next_seen = id;
			model[i] = id;
		} else if (id != model[i])
			bad++;
	}
	ok(bad == 0 && dup == 0, "20,000 gets and forgets: %d changed ids, "
	    "%d ids not new", bad, dup);
	ok(check_all() == 0, "every known name has its id");

	bcid_close();
	ok(bcid_open(path, &err) == 0, "the file opens again%s%s",
	    err.errnum ? ": " : "", err.msg);
	ok(check_all() == 0, "after a close and an open, every known name has "
	    "its id");
	uint32_t fresh = bcid_of("never-seen");
	ok(fresh > next_seen, "a new name after the open gets a new id "
	    "(%u > %u)", fresh, next_seen);
	bcid_close();

	unlink(path);
	rmdir(dir);
	return done_testing();
}
