/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: eventslog_read(), how accountd reads events.log back at
 * start (accountd/eventslog.c).  The file is the daemon's own, but a
 * crash, a full disk or a hand edit leaves anything in it.
 *
 * Properties: the events given out have sequence numbers that are
 * positive, strictly rising, above the starting one and at most
 * EVENTSLOG_SEQ_MAX, and a string "ct"; every non-empty line is either
 * an event or counted as skipped; and reading the same text again from
 * the last sequence number gives no event (so a restart never hands out
 * a number twice).
 */
#include "config.h"

#include <string.h>

#include "eventslog.h"
#include "fuzz.h"

const char fuzz_target[] = "eventslog";

struct seen {
	uint64_t	 start, last;
	size_t		 n;
};

static void
check(struct json_object *ev, void *arg)
{
	struct seen *s = arg;
	struct json_object *v;
	int64_t seq;

	FUZZ_CHECK(json_object_object_get_ex(ev, "seq", &v) &&
	    json_object_is_type(v, json_type_int), "an event without seq");
	seq = json_object_get_int64(v);
	FUZZ_CHECK(seq > 0 && (uint64_t)seq > s->last &&
	    (uint64_t)seq > s->start && (uint64_t)seq <= EVENTSLOG_SEQ_MAX,
	    "seq %lld after %llu", (long long)seq,
	    (unsigned long long)s->last);
	FUZZ_CHECK(json_object_object_get_ex(ev, "ct", &v) &&
	    json_object_is_type(v, json_type_string), "an event without ct");
	s->last = (uint64_t)seq;
	s->n++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0 }, again = { 0 };
	const char *text = (const char *)data;
	size_t skipped, lines = 0;
	uint64_t seq = 0;

	if (size > 1 << 20)
		return 0;
	/* a first byte 0..9 starts from that seq, as after events.log.1 */
	if (size > 0 && data[0] < 10)
		s.start = s.last = seq = data[0];
	skipped = eventslog_read(text, size, &seq, check, &s);
	FUZZ_CHECK(seq == s.last, "seq %llu, last event %llu",
	    (unsigned long long)seq, (unsigned long long)s.last);
	for (size_t i = 0, b = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			lines += i > b;
			b = i + 1;
		}
	FUZZ_CHECK(s.n + skipped == lines, "%zu events + %zu skipped != %zu "
	    "lines", s.n, skipped, lines);
	again.start = again.last = seq;
	(void)eventslog_read(text, size, &seq, check, &again);
	FUZZ_CHECK(again.n == 0, "%zu events read again after seq %llu",
	    again.n, (unsigned long long)again.start);
	return 0;
}
