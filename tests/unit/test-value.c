/* SPDX-License-Identifier: ISC */
/*
 * Properties of value parsing (policies/value.c) over many inputs, on top
 * of the table of test-params.c: suffixes agree with each other, a
 * fraction never lowers a value nor reaches the next whole one, values
 * too large are refused (never wrapped, never taken as unlimited), and
 * what is formatted for CTID.conf reads back the same.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>

#include "params.h"
#include "xalloc.h"
#include "../tap.h"

#define U VAL_UNLIMITED

/* The limit a string gives, or UINT64_MAX when refused. */
static uint64_t
lim_of(const char *param, const char *s)
{
	const struct param_def *d = param_by_name(param);
	struct ct_params p = { 0 };
	enum param_id id = d->kind == PK_SHORTCUT ? d->target : param_id(d);

	if (param_parse(d, s, &p, NULL) < 0)
		return UINT64_MAX;
	return p.v[id].lim;
}

static void
test_suffixes_agree(void)
{
	static const struct { const char *a, *b; } same[] = {
		{ "1K", "1024" }, { "1M", "1024K" }, { "1G", "1024M" },
		{ "1T", "1024G" }, { "1k", "1K" }, { "2.5M", "2560K" },
		{ "1P", "4096" }, { "3P", "12K" }, { "10B", "10" },
		{ "0.5K", "512" }, { "0.001K", "1" },
	};

	for (size_t i = 0; i < nitems(same); i++)
		ok(lim_of("kmemsize", same[i].a) == lim_of("kmemsize", same[i].b)
		    && lim_of("kmemsize", same[i].a) != UINT64_MAX,
		    "kmemsize %s == %s", same[i].a, same[i].b);
	/* pages: suffixed values are converted and truncated (vzctl) */
	is_u64(lim_of("physpages", "4096B"), 1, "physpages 4096B is one page");
	is_u64(lim_of("physpages", "4095B"), 0, "physpages 4095B truncates to 0");
	is_u64(lim_of("physpages", "1M"), 256, "physpages 1M is 256 pages");
	/* --ram rounds up to whole pages */
	is_u64(lim_of("ram", "4095B"), 1, "ram 4095B rounds up to one page");
	is_u64(lim_of("ram", "1M"), 256, "ram 1M is 256 pages");
	/* diskspace is in 1 KiB blocks */
	is_u64(lim_of("diskspace", "1M"), 1024, "diskspace 1M is 1024 blocks");
}

/*
 * N.000000000000000001<sfx> lies between N<sfx> and (N+1)<sfx>; when
 * N<sfx> is already unlimited, so is it.  Checked for every suffix over
 * magnitudes from 1 to beyond LONG_MAX, where 128-bit intermediates are
 * at risk of wrapping.
 */
static void
test_fraction_monotonic(void)
{
	static const char *const params[] = { "kmemsize", "physpages", "ram",
	    "diskspace", "iolimit" };
	static const char *const sfx[] = { "", "B", "K", "M", "G", "T", "P" };
	unsigned bad = 0, n = 0;

	for (size_t pi = 0; pi < nitems(params); pi++)
	for (size_t si = 0; si < nitems(sfx); si++)
	for (int mag = 0; mag <= 22; mag++)
	for (int step = 0; step < 4; step++) {
		char whole[64], next[64], frac[80];
		uint64_t ip, a, b, c;

		if (*sfx[si] == '\0' && strcmp(params[pi], "ram") != 0)
			continue;	/* a fraction needs a suffix */
		/* 10^mag, 3*10^mag, 309485010 (where 2^128 wraps with T) */
		if (mag > 19)
			snprintf(whole, sizeof(whole), "%d%0*d", step + 1, mag,
			    0);
		else {
			ip = 1;
			for (int k = 0; k < mag; k++)
				ip *= 10;
			ip = step == 3 ? 309485010ULL + (uint64_t)mag : ip *
			    (uint64_t)(step * 2 + 1);
			snprintf(whole, sizeof(whole), "%" PRIu64, ip);
		}
		snprintf(frac, sizeof(frac), "%s.000000000000000001%s", whole,
		    sfx[si]);
		snprintf(next, sizeof(next), "%s9%s", whole, sfx[si]);
		snprintf(whole + strlen(whole), sizeof(whole) - strlen(whole),
		    "%s", sfx[si]);
		a = lim_of(params[pi], whole);
		b = lim_of(params[pi], frac);
		c = lim_of(params[pi], next);	/* 10x + 9: above */
		n++;
		if (a == UINT64_MAX || b == UINT64_MAX)
			continue;		/* refused (out of range) */
		if (b < a || (a == U && b != U) || (c != UINT64_MAX && b > c)) {
			if (bad++ < 10)
				printf("#   --%s %s -> %" PRIu64 ", %s -> %"
				    PRIu64 "\n", params[pi], whole, a, frac, b);
		}
	}
	ok(bad == 0, "a tiny fraction never lowers a value or wraps it "
	    "(%u of %u wrong)", bad, n);
	is_u64(lim_of("kmemsize", "309485010.000000000000000001T"), UINT64_MAX,
	    "309485010.000000000000000001T (beyond LONG_MAX bytes) is "
	    "refused, not unlimited");
}

/* Every value formatted for CTID.conf parses back to the same value. */
static void
test_format_reads_back(void)
{
	static const uint64_t vals[] = {
		0, 1, 2, 4095, 4096, 65536, 1ULL << 31, 1ULL << 32,
		(1ULL << 62) + 1, U - 1, U,
	};
	unsigned bad = 0, n = 0;

	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];

		if (d->kind != PK_PAIR && d->kind != PK_SINGLE)
			continue;
		for (size_t a = 0; a < nitems(vals); a++)
		for (size_t b = 0; b < nitems(vals); b++) {
			struct ct_params p = { 0 }, q = { 0 };
			char buf[64];

			if (vals[a] < d->min || vals[b] < d->min ||
			    (vals[a] > d->max && vals[a] != U) ||
			    (vals[b] > d->max && vals[b] != U) ||
			    (d->kind == PK_SINGLE && a != b))
				continue;
			if ((vals[a] == U || vals[b] == U) &&
			    (d->max != U || (d->flags & PF_NOUNLIMITED)))
				continue;
			if (d->flags & PF_ZERO_UNLIM && (vals[a] == U ||
			    vals[b] == U))
				continue;	/* stored as 0 */
			p.v[i].set = 1;
			p.v[i].bar = vals[a];
			p.v[i].lim = vals[b];
			param_format(d, &p, buf, sizeof(buf));
			n++;
			if (param_parse(d, buf, &q, NULL) < 0 ||
			    q.v[i].bar != p.v[i].bar || q.v[i].lim != p.v[i].lim) {
				if (bad++ < 10)
					printf("#   --%s %" PRIu64 ":%" PRIu64 " -> "
					    "'%s' reads back %" PRIu64 ":%" PRIu64
					    "\n", d->name, vals[a], vals[b], buf,
					    q.v[i].bar, q.v[i].lim);
			}
		}
	}
	ok(bad == 0, "numeric values of every row format and read back the "
	    "same (%u of %u wrong)", bad, n);
}

/*
 * quotatime and quotaugidlimit take no "unlimited": a value too large to
 * store must be refused, not clamped to LONG_MAX, which CTID.conf would
 * then hold as "unlimited" and refuse on the next read.
 */
static void
test_no_unlimited(void)
{
	static const char *const params[] = { "quotatime", "quotaugidlimit" };

	for (size_t i = 0; i < nitems(params); i++) {
		const struct param_def *d = param_by_name(params[i]);
		struct ct_params p = { 0 }, q = { 0 };
		char buf[64];

		ok(lim_of(params[i], "99999999999999999999") == UINT64_MAX,
		    "%s 99999999999999999999 is refused", params[i]);
		ok(lim_of(params[i], "9223372036854775807") == UINT64_MAX,
		    "%s LONG_MAX (unlimited) is refused", params[i]);
		if (param_parse(d, "9223372036854775806", &p, NULL) == 0) {
			param_format(d, &p, buf, sizeof(buf));
			ok(param_parse(d, buf, &q, NULL) == 0 &&
			    q.v[param_id(d)].lim == 9223372036854775806ULL,
			    "%s LONG_MAX - 1 is stored as '%s' and reads back",
			    params[i], buf);
		} else {
			ok(0, "%s LONG_MAX - 1 accepted", params[i]);
		}
	}
}

/* What admission control adds up: memguarantee in bytes. */
static void
test_guarantee_bytes(void)
{
	static const struct { const char *ram, *g; uint64_t want; } t[] = {
		{ "1G", "50", 512ull << 20 },		/* % of ram */
		{ "1G", "100%", 1ull << 30 },
		{ "1G", "256M", 256ull << 20 },	/* a size */
		{ "1G", "auto", 0 },			/* no guarantee */
		{ NULL, "50", 0 },		/* % of an unlimited ram */
		{ "1G", NULL, 0 },			/* unset */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ct_params p = { 0 };

		if (t[i].ram != NULL)
			param_parse(param_by_name("ram"), t[i].ram, &p, NULL);
		if (t[i].g != NULL)
			param_parse(param_by_name("memguarantee"), t[i].g, &p,
			    NULL);
		ok(params_guarantee_bytes(&p) == t[i].want,
		    "ram %s memguarantee %s: %" PRIu64 " bytes guaranteed",
		    t[i].ram ? t[i].ram : "unset", t[i].g ? t[i].g : "unset",
		    params_guarantee_bytes(&p));
	}
}

int
main(void)
{
	test_suffixes_agree();
	test_fraction_monotonic();
	test_format_reads_back();
	test_no_unlimited();
	test_guarantee_bytes();
	return done_testing();
}
