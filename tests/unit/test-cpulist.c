/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of CPU and node lists (policies/cpulist.c) in the kernel's
 * cpuset syntax: "0-3,7".  Lists come from users (--cpumask) and from
 * cgroupfs (cpuset.cpus.effective, newline-terminated).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cpulist.h"
#include "xalloc.h"
#include "../tap.h"

static bool
bit(const struct cpubits *b, unsigned i)
{
	return (b->w[i / 64] >> (i % 64)) & 1;
}

static void
test_parse_format(void)
{
	static const struct { const char *in, *out; unsigned count; } cases[] = {
		{ "0", "0", 1 },
		{ "0-3", "0-3", 4 },
		{ "0-3,7", "0-3,7", 5 },
		{ "0,2,4", "0,2,4", 3 },
		{ "1-1", "1", 1 },
		{ "3,2,1,0", "0-3", 4 },
		{ "0-3,2-5", "0-5", 6 },
		{ "7,0-3", "0-3,7", 5 },
		{ "4095", "4095", 1 },
		{ "0-4095", "0-4095", 4096 },
		{ "63-64", "63-64", 2 },		/* across a word */
		{ "0-3\n", "0-3", 4 },			/* as cgroupfs gives it */
		{ "  8-9", "8-9", 2 },
		{ "", "", 0 },
		{ "\n", "", 0 },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct cpubits b, again;
		char buf[64], name[80];
		int r = cpulist_parse(cases[i].in, &b);

		snprintf(name, sizeof(name), "'%.*s' -> '%s'",
		    (int)strcspn(cases[i].in, "\n"), cases[i].in, cases[i].out);
		if (!ok(r == 0, "%s parses", name))
			continue;
		cpulist_format(&b, buf, sizeof(buf));
		is_str(buf, cases[i].out, name);
		is_u64(cpubits_count(&b), cases[i].count, "count");
		ok(cpulist_parse(buf, &again) == 0 &&
		    memcmp(&b, &again, sizeof(b)) == 0, "'%s' reads back the same",
		    buf);
	}
}

static void
test_refused(void)
{
	static const struct { const char *in; int err; } bad[] = {
		{ "3-1", -EINVAL },		/* reversed */
		{ "4096", -ERANGE },		/* 4095 is the last */
		{ "0-4096", -ERANGE },
		{ "99999999999999999999", -ERANGE },
		{ "a", -EINVAL }, { "1,", -EINVAL }, { ",1", -EINVAL },
		{ "1-", -EINVAL }, { "-1", -EINVAL }, { "1 2", -EINVAL },
		{ "1--2", -EINVAL }, { "1,,2", -EINVAL }, { "1-2-3", -EINVAL },
		{ "0x3", -EINVAL }, { "1\n2", -EINVAL }, { "+1", -EINVAL },
	};

	for (size_t i = 0; i < nitems(bad); i++) {
		struct cpubits b;
		int r = cpulist_parse(bad[i].in, &b);

		ok(r == bad[i].err, "'%.*s' refused with %s (got %d)",
		    (int)strcspn(bad[i].in, "\n"), bad[i].in,
		    bad[i].err == -ERANGE ? "ERANGE" : "EINVAL", r);
	}
}

static void
test_ops(void)
{
	struct cpubits a, b, e;
	char buf[64];

	cpulist_parse("0-7", &a);
	cpulist_parse("4-11", &b);
	cpubits_and(&a, &b);
	cpulist_format(&a, buf, sizeof(buf));
	is_str(buf, "4-7", "0-7 and 4-11 is 4-7");
	cpulist_parse("8-9", &b);
	cpubits_and(&a, &b);
	ok(cpubits_empty(&a), "4-7 and 8-9 is empty");
	cpulist_parse("", &e);
	ok(cpubits_empty(&e) && cpubits_count(&e) == 0, "'' is empty");
	cpulist_parse("4095", &e);
	ok(!cpubits_empty(&e) && bit(&e, 4095) && !bit(&e, 4094),
	    "bit 4095 alone");
}

static void
test_format_room(void)
{
	struct cpubits b;
	char buf[16];

	cpulist_parse("0-3,7,9-10", &b);	/* 10 characters */
	ok(cpulist_format(&b, buf, 11) == 0 && strcmp(buf, "0-3,7,9-10") == 0,
	    "a list that just fits is written whole");
	ok(cpulist_format(&b, buf, 10) == -ENOSPC && buf[0] == '\0',
	    "one byte short: -ENOSPC and an empty buffer, never a shorter "
	    "list");
	ok(cpulist_format(&b, buf, 5) == -ENOSPC && buf[0] == '\0',
	    "much too short: -ENOSPC and an empty buffer");
}

/* Random sets read back the same after formatting (xorshift, fixed). */
static void
test_random_round_trip(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned bad = 0;
	char *buf = xmalloc(32768);

	for (int n = 0; n < 300; n++) {
		struct cpubits b, again;
		unsigned density = (unsigned)(n % 7);

		memset(&b, 0, sizeof(b));
		for (size_t w = 0; w < nitems(b.w); w++) {
			uint64_t v = ~0ULL;

			/* density 0: full words; more: sparser, and runs */
			for (unsigned k = 0; k < density; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				v &= k % 2 ? x : x | (x >> 1);
			}
			b.w[w] = n % 11 == 0 && w > 3 ? 0 : v;
		}
		if (cpulist_format(&b, buf, 32768) < 0 ||
		    cpulist_parse(buf, &again) < 0 ||
		    memcmp(&b, &again, sizeof(b)) != 0)
			bad++;
	}
	ok(bad == 0, "300 random sets: format then parse gives the set back "
	    "(%u differ)", bad);
	free(buf);
}

int
main(void)
{
	test_parse_format();
	test_refused();
	test_ops();
	test_format_room();
	test_random_round_trip();
	return done_testing();
}
