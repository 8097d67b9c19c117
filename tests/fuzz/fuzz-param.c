/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: param_parse() over every row of the parameter table.  The
 * first byte of the input chooses the row (including the --ram/--swap
 * shortcuts), the rest is the value as a user or CTID.conf gives it.
 *
 * Properties: a refusal comes with a message naming the option; an
 * accepted value is within the row's range and, formatted as CTID.conf
 * stores it, parses back to the same value.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "params.h"

const char fuzz_target[] = "param";

/* 0 and unlimited both mean "no limit" where PF_ZERO_UNLIM is set. */
static uint64_t
norm(const struct param_def *d, uint64_t v)
{
	return (d->flags & PF_ZERO_UNLIM) && v == VAL_UNLIMITED ? 0 : v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct param_def *d, *row;
	struct ct_params p, q;
	struct aerr err = { 0 };
	enum param_id id;
	char *s, buf[LIST_MAX + 64];
	int r;

	if (size < 1 || size > 4096)
		return 0;
	d = &param_table[data[0] % P_ROWS];
	s = fuzz_strndup(data + 1, size - 1);
	memset(&p, 0, sizeof(p));
	r = param_parse(d, s, &p, &err);
	if (r < 0) {
		char opt[64];

		snprintf(opt, sizeof(opt), "--%s", d->name);
		FUZZ_CHECK(err.errnum > 0 && strstr(err.msg, opt) != NULL,
		    "refusal of [%s] does not name %s: %s", s, opt, err.msg);
		free(s);
		return 0;
	}
	id = d->kind == PK_SHORTCUT ? d->target : param_id(d);
	row = &param_table[id];
	FUZZ_CHECK(p.v[id].set, "--%s [%s] accepted but not set", d->name, s);
	if (row->kind == PK_PAIR || row->kind == PK_SINGLE) {
		FUZZ_CHECK(p.v[id].bar >= row->min && p.v[id].lim >= row->min &&
		    (p.v[id].bar <= row->max || p.v[id].bar == VAL_UNLIMITED) &&
		    (p.v[id].lim <= row->max || p.v[id].lim == VAL_UNLIMITED),
		    "--%s [%s] out of range: %llu:%llu", d->name, s,
		    (unsigned long long)p.v[id].bar,
		    (unsigned long long)p.v[id].lim);
	}
	if (row->kind == PK_PAIR || row->kind == PK_SINGLE ||
	    row->kind == PK_SHORTCUT)
		FUZZ_CHECK(p.v[id].bar <= VAL_UNLIMITED &&
		    p.v[id].lim <= VAL_UNLIMITED, "--%s [%s] above LONG_MAX",
		    d->name, s);

	/* what --save writes reads back the same */
	param_format(row, &p, buf, sizeof(buf));
	memset(&q, 0, sizeof(q));
	r = param_parse(row, buf, &q, &err);
	FUZZ_CHECK(r == 0, "--%s [%s] formats as [%s], which is refused: %s",
	    d->name, s, buf, err.msg);
	FUZZ_CHECK(norm(row, p.v[id].bar) == norm(row, q.v[id].bar) &&
	    norm(row, p.v[id].lim) == norm(row, q.v[id].lim) &&
	    p.v[id].kind == q.v[id].kind,
	    "--%s [%s] -> [%s] reads back %llu:%llu, not %llu:%llu", d->name,
	    s, buf, (unsigned long long)q.v[id].bar,
	    (unsigned long long)q.v[id].lim, (unsigned long long)p.v[id].bar,
	    (unsigned long long)p.v[id].lim);
	FUZZ_CHECK(strcmp(params_text(&p, P_CPUMASK),
	    params_text(&q, P_CPUMASK)) == 0 &&
	    strcmp(params_text(&p, P_NODEMASK),
	    params_text(&q, P_NODEMASK)) == 0 &&
	    strcmp(params_text(&p, P_IODEVICES),
	    params_text(&q, P_IODEVICES)) == 0 &&
	    strcmp(params_text(&p, P_PRIVATE),
	    params_text(&q, P_PRIVATE)) == 0,
	    "--%s [%s] -> [%s]: lists differ after reading back", d->name, s,
	    buf);
	free(s);
	return 0;
}
