/* SPDX-License-Identifier: ISC */
/* Beancounter rows and their text forms: see ubc.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "params.h"
#include "snapshot.h"
#include "ubc.h"

/* The snapshot (lib/snapshot.h) carries these rows in this order and
 * units; its readers know nothing of this file, so the two must agree. */
_Static_assert(SNAP_ROWS == UB_COUNT, "snapshot rows: one per enum ub_res");
_Static_assert(SNAP_UNIT_PAGES == (int)UBU_PAGES &&
    SNAP_UNIT_BYTES == (int)UBU_BYTES && SNAP_UNIT_ITEMS == (int)UBU_ITEMS,
    "snapshot units: enum ub_unit");
_Static_assert(SNAP_PAGE_SIZE == ACCT_PAGE_SIZE, "one page size");
_Static_assert(SNAP_UNLIMITED == VAL_UNLIMITED, "one unlimited");
_Static_assert(SNAP_DUMMY_ROWS == ((1u << UB_DUMMY0) | (1u << UB_DUMMY1) |
    (1u << UB_DUMMY2) | (1u << UB_DUMMY3)), "the dummy rows of ub_is_dummy");

static const struct {
	const char	*name;
	enum ub_unit	 unit;
} rows[UB_COUNT] = {
	[UB_KMEMSIZE] = { "kmemsize", UBU_BYTES },
	[UB_LOCKEDPAGES] = { "lockedpages", UBU_PAGES },
	[UB_PRIVVMPAGES] = { "privvmpages", UBU_PAGES },
	[UB_SHMPAGES] = { "shmpages", UBU_PAGES },
	[UB_DUMMY0] = { "dummy", UBU_ITEMS },
	[UB_NUMPROC] = { "numproc", UBU_ITEMS },
	[UB_PHYSPAGES] = { "physpages", UBU_PAGES },
	[UB_VMGUARPAGES] = { "vmguarpages", UBU_PAGES },
	[UB_OOMGUARPAGES] = { "oomguarpages", UBU_PAGES },
	[UB_NUMTCPSOCK] = { "numtcpsock", UBU_ITEMS },
	[UB_NUMFLOCK] = { "numflock", UBU_ITEMS },
	[UB_NUMPTY] = { "numpty", UBU_ITEMS },
	[UB_NUMSIGINFO] = { "numsiginfo", UBU_ITEMS },
	[UB_TCPSNDBUF] = { "tcpsndbuf", UBU_BYTES },
	[UB_TCPRCVBUF] = { "tcprcvbuf", UBU_BYTES },
	[UB_OTHERSOCKBUF] = { "othersockbuf", UBU_BYTES },
	[UB_DGRAMRCVBUF] = { "dgramrcvbuf", UBU_BYTES },
	[UB_NUMOTHERSOCK] = { "numothersock", UBU_ITEMS },
	[UB_DCACHESIZE] = { "dcachesize", UBU_BYTES },
	[UB_NUMFILE] = { "numfile", UBU_ITEMS },
	[UB_DUMMY1] = { "dummy", UBU_ITEMS },
	[UB_DUMMY2] = { "dummy", UBU_ITEMS },
	[UB_DUMMY3] = { "dummy", UBU_ITEMS },
	[UB_NUMIPTENT] = { "numiptent", UBU_ITEMS },
	[UB_SWAPPAGES] = { "swappages", UBU_PAGES },
};

const char *
ub_name(enum ub_res r)
{
	return rows[r].name;
}

enum ub_unit
ub_unit(enum ub_res r)
{
	return rows[r].unit;
}

bool
ub_is_dummy(enum ub_res r)
{
	return r == UB_DUMMY0 || r == UB_DUMMY1 || r == UB_DUMMY2 ||
	    r == UB_DUMMY3;
}

int
ub_by_name(const char *s)
{
	for (int i = 0; i < UB_COUNT; i++)
		if (!ub_is_dummy((enum ub_res)i) && strcmp(rows[i].name, s) == 0)
			return i;
	return -1;
}

uint32_t
ub_ctid_bcid(const char *name)
{
	uint64_t v = 0;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v >= BCID_BASE)
			return 0;
	}
	return (uint32_t)v;
}

/* ---- /proc/user_beancounters and /proc/bc/resources -------------------- */

static void
header(struct sbuf *b)
{
	sbuf_puts(b, "Version: 2.5\n");
	sbuf_printf(b, "%10s  %-12s %20s %20s %20s %20s %20s\n", "uid",
	    "resource", "held", "maxheld", "barrier", "limit", "failcnt");
}

static void
row(struct sbuf *b, const char *uid, const char *name, const struct ub_row *r)
{
	sbuf_printf(b, "%10s  %-12s %20llu %20llu %20llu %20llu %20llu\n", uid,
	    name, (unsigned long long)r->held, (unsigned long long)r->maxheld,
	    (unsigned long long)r->barrier, (unsigned long long)r->limit,
	    (unsigned long long)r->failcnt);
}

static void
format(const struct ubc *u, size_t n, bool resources, struct sbuf *b)
{
	static const struct ub_row dummy = { 0, 0, VAL_UNLIMITED, VAL_UNLIMITED,
		0, true };

	header(b);
	for (size_t i = 0; i < n; i++) {
		char uid[80];
		bool first = true;
		int last = resources ? UB_COUNT : UB_PROC_ROWS;

		/* the id, or the name from a daemon too old to send one */
		if (u[i].bcid != 0)
			snprintf(uid, sizeof(uid), "%u:", (unsigned)u[i].bcid);
		else
			snprintf(uid, sizeof(uid), "%s:", u[i].id);
		for (int k = 0; k < last; k++) {
			const struct ub_row *r = &u[i].r[k];

			if (ub_is_dummy((enum ub_res)k)) {
				if (resources)
					continue;
				r = &dummy;
			} else if (!r->present) {
				continue;
			}
			row(b, first ? uid : "", rows[k].name, r);
			first = false;
		}
	}
}

void
ubc_format_proc(const struct ubc *u, size_t n, struct sbuf *b)
{
	format(u, n, false, b);
}

void
ubc_format_resources(const struct ubc *u, size_t n, struct sbuf *b)
{
	format(u, n, true, b);
}

/* ---- vzubc ------------------------------------------------------------- */

#define C_HEAD	"\033[1;32m"
#define C_RED	"\033[1;31m"
#define C_YEL	"\033[1;33m"
#define C_OFF	"\033[0;39m"

static bool
nolimit(uint64_t v)
{
	return v == 0 || v >= VAL_UNLIMITED || v == 2147483647ULL;
}

/* K M G T P suffixes (1024) with 2 significant digits below 10 (3.2M),
 * 3 from 10 (12.5M); counts in 1000s above 99999; "-" for none. */
void
ub_human(uint64_t v, enum ub_unit u, char *buf, size_t len)
{
	static const char sfx[] = " KMGTPE";
	double x;
	int i = 0;

	if (nolimit(v)) {
		snprintf(buf, len, "-");
		return;
	}
	x = (double)v * (u == UBU_PAGES ? (double)ACCT_PAGE_SIZE : 1.0);
	if (u == UBU_ITEMS) {
		while (x >= 100000 && i < 6) {
			x /= 1000;
			i++;
		}
	} else {
		while (x >= 1000 && i < 6) {
			x /= 1024;
			i++;
		}
	}
	if (i == 0)
		snprintf(buf, len, "%.0f", x);
	else if (x < 10)
		snprintf(buf, len, "%.2g%c", x, sfx[i]);
	else if (x < 1000)
		snprintf(buf, len, "%.3g%c", x, sfx[i]);
	else	/* items: up to 99999 of a unit, no exponent */
		snprintf(buf, len, "%.0f%c", x, sfx[i]);
}

static void
percent(uint64_t v, uint64_t of, char *buf, size_t len)
{
	double p;

	if (nolimit(of) || v == 0) {
		snprintf(buf, len, "-");
		return;
	}
	p = 100.0 * (double)v / (double)of;
	if (p < 10)
		snprintf(buf, len, "%.1g%%", p);
	else
		snprintf(buf, len, "%.0f%%", p);
}

/*
 * How much a row matters: 2 when it failed or is over its barrier, 1 when
 * held or maxheld are near it, else 0.  Like vzubc, it compares with the
 * barrier, or with the limit when the barrier is 0 (VSwap rows).
 */
static int
importance(const struct ub_row *r, uint64_t fails, const struct vzubc_opts *o)
{
	uint64_t ref = r->barrier != 0 ? r->barrier : r->limit;
	double qh = o->qheld > 1 ? o->qheld / 100 : o->qheld;
	double qm = o->qmaxheld > 1 ? o->qmaxheld / 100 : o->qmaxheld;

	if (qh > qm)
		qh = qm;
	if (fails > 0 || (!nolimit(ref) && r->held > ref))
		return 2;
	if (nolimit(ref))
		return 0;
	if ((double)r->held > (double)ref * qh ||
	    (double)r->maxheld > (double)ref * qm)
		return 1;
	return 0;
}

void
ubc_format_vzubc(const struct ubc *u, size_t n, const struct ubc *prev,
    const struct vzubc_opts *o, struct sbuf *b)
{
	const char *line = "-------------------------------------------------"
	    "-------------------";

	for (size_t i = 0; i < n; i++) {
		bool headed = false;

		for (int k = 0; k < UB_COUNT; k++) {
			const struct ub_row *r = &u[i].r[k];
			uint64_t ref = r->barrier != 0 ? r->barrier : r->limit;
			uint64_t fails = r->failcnt;
			char h[16], hb[16], hl[16], m[16], mb[16], ml[16], br[16],
			    lm[16], fl[24];
			int lvl;

			if (ub_is_dummy((enum ub_res)k) || !r->present)
				continue;
			if (o->relative && prev != NULL) {
				uint64_t p = prev[i].r[k].failcnt;

				fails = fails >= p ? fails - p : fails;
			}
			lvl = importance(r, fails, o);
			if (!o->all && nolimit(ref) && lvl < 2)
				continue;
			if (o->quiet && lvl == 0)
				continue;
			if (!headed) {
				sbuf_printf(b, "%s%s\n", o->color ? C_HEAD : "", line);
				char ct[80];

				snprintf(ct, sizeof(ct), "CT %s", u[i].id);
				sbuf_printf(b, "%-13s| HELD  Bar%%  Lim%%| MAXH  "
				    "Bar%%  Lim%%| BAR | LIM |%sFAIL\n", ct,
				    o->relative ? "+" : " ");
				sbuf_printf(b, "-------------+-----------------+------"
				    "-----------+-----+-----+------%s\n",
				    o->color ? C_OFF : "");
				headed = true;
			}
			ub_human(r->held, ub_unit(k), h, sizeof(h));
			percent(r->held, r->barrier, hb, sizeof(hb));
			percent(r->held, r->limit, hl, sizeof(hl));
			ub_human(r->maxheld, ub_unit(k), m, sizeof(m));
			percent(r->maxheld, r->barrier, mb, sizeof(mb));
			percent(r->maxheld, r->limit, ml, sizeof(ml));
			ub_human(r->barrier, ub_unit(k), br, sizeof(br));
			ub_human(r->limit, ub_unit(k), lm, sizeof(lm));
			if (fails == 0)
				snprintf(fl, sizeof(fl), "-");
			else
				snprintf(fl, sizeof(fl), "%llu",
				    (unsigned long long)fails);
			sbuf_printf(b, "%s%13s|%5s %5s %5s|%5s %5s %5s|%5s|%5s| "
			    "%5s%s\n", !o->color ? "" : lvl == 2 ? C_RED :
			    lvl == 1 ? C_YEL : C_OFF, ub_name(k), h, hb, hl, m, mb,
			    ml, br, lm, fl, o->color ? C_OFF : "");
		}
	}
}
