/* SPDX-License-Identifier: ISC */
/*
 * Reading events.log back at start-up (alert.c keeps the history of
 * events it serves to `acctctl events` from it).  Pure: text in, events
 * out, so that the fuzz target (tests/fuzz/fuzz-eventslog.c) runs the
 * very code the daemon runs.
 */
#ifndef ACCT_EVENTSLOG_H
#define ACCT_EVENTSLOG_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define EVENTSLOG_LINE_MAX	4096		/* longer lines are corrupt */
#define EVENTSLOG_SEQ_MAX	(UINT64_C(1) << 53)	/* sane, and exact in
							 * a JSON double */

/*
 * Every line of `text` (len bytes, NULs included) that is one event: a
 * JSON object with an integer "seq" above the last one taken (starting
 * from *seq) and at most EVENTSLOG_SEQ_MAX, and a string "ct".  Each is
 * passed to fn (borrowed: fn takes a reference if it keeps it), in
 * order, and *seq becomes its seq; so the sequence numbers given out are
 * positive and rising whatever the file holds.  Returns the number of
 * lines skipped as corrupt (empty lines are not counted).
 */
size_t	eventslog_read(const char *text, size_t len, uint64_t *seq,
	    void (*fn)(struct json_object *ev, void *arg), void *arg);

#endif
