/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: rsockrec_decode(), how root reads a record from the read-
 * only socket's server (accountd/rsockrec.c).  The server is unprivileged
 * and parses any local user's bytes, so a record it sends is a trust
 * boundary: a server taken over could send anything.
 *
 * Properties: the answer is 0 or -EPROTO; a record taken has a known
 * kind, only that kind's flags, a name count within RSOCK_CTS, every name
 * used terminated and following the container name rule and every other
 * one empty, the parameter texts terminated, and every parameter set
 * formats and parses back to itself (so root may format it as text for
 * the plan, and that text is what the row's own parser accepts).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ctconf.h"
#include "fuzz.h"
#include "rsockrec.h"

const char fuzz_target[] = "rsockrec";

static void one(const uint8_t *data, size_t size);

/* The input as it is (sizes other than a record's are refused), then
 * fitted to a record's size (cut, or padded with zeros), so that the
 * checks past the size are reached whatever the input's length, also
 * when a new parameter row changes the record's size. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t fitted[sizeof(struct rsock_req)];

	one(data, size);
	memset(fitted, 0, sizeof(fitted));
	memcpy(fitted, data, size < sizeof(fitted) ? size : sizeof(fitted));
	one(fitted, sizeof(fitted));
	return 0;
}

static void
one(const uint8_t *data, size_t size)
{
	static struct rsock_req r;
	struct aerr err = { 0 };
	struct ct_params p;
	int rc;

	rc = rsockrec_decode(data, size, &r, &err);
	FUZZ_CHECK(rc == 0 || rc == -EPROTO, "rc %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(err.msg[0] != '\0', "a refusal without a message");
		return;
	}
	FUZZ_CHECK(size == sizeof(r), "a record of %zu bytes", size);
	FUZZ_CHECK(r.kind >= RQ_HELLO && r.kind < RQ_KIND_END, "kind %u",
	    r.kind);
	FUZZ_CHECK(r.nct <= RSOCK_CTS, "%u names", r.nct);
	FUZZ_CHECK(rsock_kind_of(rsock_kind_name(r.kind)) == r.kind,
	    "kind %u has no name", r.kind);
	FUZZ_CHECK((r.flags & ~(RQF_TABLE | RQF_PARAMS | RQF_CTS)) == 0,
	    "flags %#x", r.flags);
	FUZZ_CHECK(!(r.flags & RQF_TABLE) || r.kind == RQ_QUOTA, "table on %s",
	    rsock_kind_name(r.kind));
	for (unsigned i = 0; i < RSOCK_CTS; i++) {
		FUZZ_CHECK(memchr(r.ct[i], '\0', RSOCK_NAME_MAX) != NULL,
		    "name %u not terminated", i);
		if (i < r.nct)
			FUZZ_CHECK(ctconf_name_ok(r.ct[i]), "name '%s'", r.ct[i]);
		else
			FUZZ_CHECK(r.ct[i][0] == '\0', "unused name %u", i);
	}
	FUZZ_CHECK(memchr(r.params.cpumask, '\0', LIST_MAX) &&
	    memchr(r.params.nodemask, '\0', LIST_MAX) &&
	    memchr(r.params.iodevices, '\0', LIST_MAX) &&
	    memchr(r.params.private_dir, '\0', LIST_MAX),
	    "a parameter text not terminated");
	rsock_params_get(&r.params, &p);
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		struct ct_params q;
		char text[LIST_MAX + 64];

		if (!p.v[i].set)
			continue;
		FUZZ_CHECK(r.kind == RQ_PLAN, "--%s on %s", d->name,
		    rsock_kind_name(r.kind));
		param_format(d, &p, text, sizeof(text));
		memset(&q, 0, sizeof(q));
		FUZZ_CHECK(param_parse(d, text, &q, NULL) == 0 &&
		    params_same(&p, &q, (enum param_id)i),
		    "--%s '%s' does not parse back", d->name, text);
	}
	params_gc_sweep();	/* nothing kept: every text goes */
}
