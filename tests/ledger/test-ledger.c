/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the ledger: the delta and reset rules and the integrals
 * (accum.c), the rates parser and the charge arithmetic (rates.c), dates
 * (report.c), and the store (store.c) on a temporary file: a commit and
 * its last-seen counters read back, a commit failing half-way rolled
 * back whole, compaction keeping the sums.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "ledger.h"
#include "ubc.h"
#include "xalloc.h"

static struct snap_header hdr;

static void
mk(struct snap_ct *s, uint64_t since, uint64_t cpu, uint64_t held_pages)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "a");
	s->running = 1;
	s->since_ms = since;
	s->cpu_usage = cpu;
	s->row[UB_PHYSPAGES].present = 1;
	s->row[UB_PHYSPAGES].held = held_pages;
	s->row[UB_PHYSPAGES].maxheld = held_pages;
	s->ram = (uint64_t)INT64_MAX;
	s->swap = (uint64_t)INT64_MAX;
}

static void
test_fold(void)
{
	struct lg_ct ct;
	struct snap_ct s;

	is_u64(lg_delta(10, 4, false), 6, "delta: cur - last");
	is_u64(lg_delta(3, 4, false), 3, "delta: a counter that went back is new");
	is_u64(lg_delta(10, 4, true), 10, "delta: after a restart all is new");

	hdr.started_ms = 1000000;
	/* first sight of a container there at accountd's start: baseline */
	memset(&ct, 0, sizeof(ct));
	hdr.time_ms = 2000000;
	mk(&s, 1000500, 5000000, 100);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 0, "adopted at start: its past is not billed");
	/* a second later: 1 s of 100 pages, 250 ms of CPU */
	hdr.time_ms += 1000;
	mk(&s, 1000500, 5250000, 100);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 250000, "next round: the increase");
	ok(ct.cur.ram_bms == (unsigned __int128)409600 * 1000,
	    "RAM: 409600 bytes x 1000 ms");
	is_u64(ct.cur.covered_ms, 1000, "covered 1 s");
	/* the same round again changes nothing */
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 250000, "a repeated round is ignored");
	/* accountd restarted: new since near its new start, counter on */
	hdr.started_ms = 3000000;
	hdr.time_ms = 3000500;
	mk(&s, 3000100, 5300000, 100);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 300000, "daemon restart: counted from the last "
	    "look, not again");
	is_u64(ct.cur.covered_ms, 1000 + LEDGER_GAP_MS, "a long gap counts as "
	    "LEDGER_GAP_MS");
	/* the container restarted well after accountd's start: new cgroup,
	 * its counter is all new even though it is larger than before */
	hdr.time_ms += 1000;
	mk(&s, 3000100 + 200000, 6000000, 100);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 6300000, "container restart: the whole counter");
	/* a counter that goes back with the same since: reset */
	hdr.time_ms += 1000;
	mk(&s, 3000100 + 200000, 1000, 100);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 6301000, "counter decrease: the new value");
	/* maxheld grew between samples: that is the peak */
	hdr.time_ms += 1000;
	mk(&s, 3000100 + 200000, 2000, 100);
	s.row[UB_PHYSPAGES].maxheld = 5000;
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.ram_peak, 5000ULL * 4096, "peak from maxheld");
	/* limit and max(limit, usage) integrals */
	lg_reset_usage(&ct.cur, 0);
	hdr.time_ms += 1000;
	mk(&s, 3000100 + 200000, 3000, 100);
	s.ram = 1ULL << 20;
	lg_fold(&ct, &hdr, &s, false);
	ok(ct.cur.ram_limit_bms == (unsigned __int128)(1 << 20) * 1000,
	    "limit basis: the limit x time");
	ok(ct.cur.ram_alloc_bms == (unsigned __int128)(1 << 20) * 1000,
	    "max basis: max(limit, held) x time");
	is_u64(ct.cur.ram_limit, 1 << 20, "limit in force kept");
	/* made anew while nobody looked: same since, counter already above
	 * the last look, but another cgroup identity: all of it is new */
	lg_reset_usage(&ct.cur, 0);
	hdr.time_ms += 1000;
	mk(&s, 3000100 + 200000, 4000, 100);
	s.cg_gen = 11;
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 1000, "identity first known: a plain increase");
	hdr.time_ms += 1000;
	mk(&s, 3000100 + 200000, 9000, 100);
	s.cg_gen = 12;
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 10000, "another cgroup identity: the whole "
	    "counter");
	/* a container started while accountd ran: all of it is new */
	memset(&ct, 0, sizeof(ct));
	mk(&s, hdr.started_ms + LEDGER_ADOPT_MS + 1, 777, 1);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 777, "started under accountd: counted whole");
	/* soon after accountd's start, but after the writer's first round */
	memset(&ct, 0, sizeof(ct));
	mk(&s, hdr.started_ms + 2000, 555, 1);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 0, "found at accountd's start: a baseline");
	memset(&ct, 0, sizeof(ct));
	lg_fold(&ct, &hdr, &s, true);
	is_u64(ct.cur.cpu_usec, 555, "appeared under the writer's eyes: whole");
	/* a ledger made after the container started: a baseline */
	memset(&ct, 0, sizeof(ct));
	ct.not_before_ms = hdr.started_ms + LEDGER_ADOPT_MS + 5000;
	mk(&s, hdr.started_ms + LEDGER_ADOPT_MS + 1, 777, 1);
	lg_fold(&ct, &hdr, &s, true);
	is_u64(ct.cur.cpu_usec, 0, "started before the ledger was made: "
	    "a baseline");
}

/* Birth and end (SNAP_BORN, SNAP_GONE): docs/billing.md */
static void
test_birth_end(void)
{
	struct lg_ct ct;
	struct snap_ct s, g;
	uint64_t t0;

	hdr.started_ms = 1000000;
	/* born 1 s after accountd's start, first seen in the writer's
	 * first round: counted from 0, not a baseline */
	memset(&ct, 0, sizeof(ct));
	t0 = hdr.started_ms + 1000;
	hdr.time_ms = t0 + 400;
	mk(&s, t0, 400000, 100);
	s.flags = SNAP_BORN;
	s.born_ms = t0;
	s.cg_gen = 7;
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 400000, "born: counted from 0 at first sight");
	ok(ct.cur.ram_bms == (unsigned __int128)409600 * 400,
	    "born: RAM from its birth (400 ms)");
	/* a round later, then it ends: the end read is folded at end_ms */
	hdr.time_ms += 1000;
	mk(&s, t0, 1400000, 200);
	s.flags = SNAP_BORN;
	s.born_ms = t0;
	s.cg_gen = 7;
	lg_fold(&ct, &hdr, &s, false);
	g = s;
	g.running = 0;
	g.flags = SNAP_GONE | SNAP_BORN;
	g.cpu_usage = 1500000;
	g.row[UB_PHYSPAGES].held = 10;	/* its processes left */
	g.end_ms = hdr.time_ms + 300;
	hdr.time_ms += 1000;		/* the round that publishes it */
	lg_fold(&ct, &hdr, &g, false);
	is_u64(ct.cur.cpu_usec, 1500000, "gone: the last read is billed");
	is_u64(ct.cur.covered_ms, 400 + 1000 + 300, "gone: covered up to its "
	    "end, not to the round");
	ok(ct.cur.ram_bms == (unsigned __int128)409600 * 400 +
	    (unsigned __int128)819200 * 1000 + (unsigned __int128)819200 * 300,
	    "gone: the last stretch at the RAM held before the end");
	/* the same departed record in the next rounds: nothing more */
	hdr.time_ms += 1000;
	lg_fold(&ct, &hdr, &g, false);
	is_u64(ct.cur.cpu_usec, 1500000, "gone again: nothing twice");
	is_u64(ct.cur.covered_ms, 1700, "gone again: no more time");
	/* a new incarnation under the same name, in the same round */
	mk(&s, t0 + 4000, 50000, 1);
	s.flags = SNAP_BORN;
	s.born_ms = t0 + 3900;
	s.cg_gen = 8;
	lg_fold(&ct, &hdr, &g, false);
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 1550000, "reborn: the new counter whole");
	/* born and gone between two rounds: only its departed record */
	memset(&ct, 0, sizeof(ct));
	mk(&g, t0, 123456, 50);
	g.running = 0;
	g.flags = SNAP_GONE | SNAP_BORN;
	g.born_ms = t0 + 10;
	g.end_ms = t0 + 210;
	g.cg_gen = 9;
	lg_fold(&ct, &hdr, &g, false);
	is_u64(ct.cur.cpu_usec, 123456, "a life between two rounds: billed");
	is_u64(ct.cur.covered_ms, 200, "... for its 200 ms");
	/* born before the ledger file was made: a baseline */
	memset(&ct, 0, sizeof(ct));
	ct.not_before_ms = t0 + 100;
	mk(&s, t0, 999, 1);
	s.flags = SNAP_BORN;
	s.born_ms = t0;
	lg_fold(&ct, &hdr, &s, false);
	is_u64(ct.cur.cpu_usec, 0, "born before the ledger: a baseline");
}

static void
test_rates(void)
{
	struct rates r;
	struct aerr err = { 0 };
	struct bill_qty q;
	struct bill_charges c;
	int64_t v;
	char buf[64];

	ok(parse_decimal_nano("0.005", &v) == 0 && v == 5000000, "0.005");
	ok(parse_decimal_nano("12", &v) == 0 && v == 12000000000LL, "12");
	ok(parse_decimal_nano("0.0000000001", &v) < 0, "10 decimals refused");
	ok(parse_decimal_nano("-1", &v) < 0, "negative refused");
	ok(parse_decimal_nano("1e3", &v) < 0, "exponent refused");
	ok(parse_decimal_nano("", &v) < 0, "empty refused");
	format_nano(1234567890, 2, buf, sizeof(buf));
	is_str(buf, "1.23", "format 2 decimals");
	format_nano(1235000000, 2, buf, sizeof(buf));
	is_str(buf, "1.24", "rounded half up");
	format_nano(5, 9, buf, sizeof(buf));
	is_str(buf, "0.000000005", "9 decimals");

	ok(rates_parse("r", "currency = EUR\ncpu_hour = 0.01 # c\n"
	    "ram_basis = max\n\n", &r, &err) == 0, "a rates file parses");
	ok(r.cpu_hour == 10000000 && r.ram_basis == RAM_MAX &&
	    strcmp(r.currency, "EUR") == 0, "its values");
	ok(rates_parse("r", "cpu_hours = 1\n", &r, &err) < 0 &&
	    strstr(err.msg, "r:1: unknown key 'cpu_hours' (known: currency, "
	    "cpu_hour") != NULL, "unknown key: %s", err.msg);
	ok(rates_parse("r", "\nio_gib = cheap\n", &r, &err) < 0 &&
	    strstr(err.msg, "r:2: bad io_gib 'cheap' (accepted:") != NULL,
	    "bad price: %s", err.msg);
	ok(rates_parse("r", "ram_basis = peak\n", &r, &err) < 0 &&
	    strstr(err.msg, "accepted: average, limit, max") != NULL,
	    "bad basis: %s", err.msg);
	ok(rates_parse("r", "cpu_basis = max\n", &r, &err) == 0 &&
	    r.cpu_basis == CPU_MAX, "cpu_basis max");
	ok(rates_parse("r", "cpu_basis = peak\n", &r, &err) < 0 &&
	    strstr(err.msg, "accepted: usage, limit, max") != NULL,
	    "bad cpu basis: %s", err.msg);
	ok(rates_parse("r", "io_gib = 1\nio_gib = 2\n", &r, &err) < 0 &&
	    strstr(err.msg, "given twice") != NULL, "twice: %s", err.msg);
	ok(rates_parse("r", "io_gib\n", &r, &err) < 0, "no '='");

	rates_defaults(&r);
	r.cpu_hour = 10000000;			/* 0.01 */
	r.ram_gib_hour = 5000000;		/* 0.005 */
	r.io_gib = 20000000;			/* 0.02 */
	r.io_mops = 50000000;			/* 0.05 */
	memset(&q, 0, sizeof(q));
	q.cpu_usec = 7200000000ULL;		/* 2 CPU hours */
	q.ram_bs = (1ULL << 30) * 3600 * 10;	/* 10 GiB-hours */
	q.io_bytes = 3ULL << 30;		/* 3 GiB */
	q.io_ops = 2000000;			/* 2 Mops */
	rates_apply(&r, &q, &c);
	ok(c.cpu == 20000000 && c.ram == 50000000 && c.io_bytes == 60000000 &&
	    c.io_ops == 100000000 && c.total == 230000000,
	    "charges: 0.02 + 0.05 + 0.06 + 0.10 = 0.23");
	q.cpu_alloc_usec = 3ULL * 3600000000ULL;	/* 3 CPU hours */
	r.cpu_basis = CPU_MAX;
	rates_apply(&r, &q, &c);
	ok(c.cpu == 30000000, "cpu_basis max: 3 CPU-hours x 0.01");
}

static void
test_dates(void)
{
	int64_t t;
	char buf[32];

	ok(parse_utc("2026-11-01", &t) == 0 && t == 1793491200, "a date");
	ok(parse_utc("2026-11-01T01:00:00Z", &t) == 0 && t == 1793494800,
	    "a time");
	ok(parse_utc("2026-02-30", &t) < 0, "no 30 February");
	ok(parse_utc("2026-11-1", &t) < 0, "two-digit day");
	ok(parse_utc("yesterday", &t) < 0, "words refused");
	ok(parse_utc("2026-11-01T25:00:00Z", &t) < 0, "hour 25");
	format_utc(1793491200, buf, sizeof(buf));
	is_str(buf, "2026-11-01T00:00:00Z", "ISO 8601 UTC");
}

static int64_t
scalar(struct lg_store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		char *more = realloc(buf, cap += 65536);

		if (more == NULL)
			abort();
		buf = more;
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (*len == cap);
	fclose(f);
	return buf;
}

/*
 * A commit that fails half-way: a trigger on this connection refuses the
 * second container's record after the first container's record and
 * last-seen counters went in.  store_commit must roll all of it back: the
 * same connection (which would see its own uncommitted rows) reads the
 * old figures, no transaction is left open, and the file's bytes are
 * those from before.
 */
static void
test_failed_commit(struct lg_store *st, const char *path, struct lg_ct *cts,
    int64_t end)
{
	struct aerr err = { 0 };
	const char *const q[] = {
		"SELECT count(*) FROM usage",
		"SELECT sum(cpu_usec) FROM usage",
		"SELECT sum(cpu_usec) FROM lastseen",
		"SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
		    "'last_commit'",
	};
	int64_t before[nitems(q)];
	char *file0, *file1;
	size_t len0, len1;
	int same = 1, r;

	for (size_t i = 0; i < nitems(q); i++)
		before[i] = scalar(st, q[i]);
	file0 = slurp(path, &len0);
	ok(sqlite3_exec(store_db(st), "CREATE TEMP TRIGGER refuse_c1 BEFORE "
	    "INSERT ON main.usage WHEN NEW.ct = (SELECT id FROM main.container "
	    "WHERE name = 'c1') BEGIN SELECT RAISE(ABORT, 'injected failure'); "
	    "END", NULL, NULL, NULL) == SQLITE_OK, "a trigger to fail c1's "
	    "record");
	for (int i = 0; i < 2; i++) {
		lg_reset_usage(&cts[i].cur, end - 3600);
		cts[i].dirty = true;
		cts[i].cur.cpu_usec = 1000000;
		cts[i].cur.covered_ms = 3600000;
		cts[i].last.cpu_usec += 5000;
	}
	r = store_commit(st, cts, 2, end, &err);
	ok(r < 0 && strstr(err.msg, "injected failure") != NULL,
	    "the commit fails on c1's record: %s", err.msg);
	ok(sqlite3_get_autocommit(store_db(st)) != 0,
	    "no transaction is left open after the failure");
	for (size_t i = 0; i < nitems(q); i++) {
		int64_t now = scalar(st, q[i]);

		if (now != before[i]) {
			printf("# %s: %" PRId64 " before, %" PRId64 " after\n",
			    q[i], before[i], now);
			same = 0;
		}
	}
	ok(same, "c0's record, both last-seen counters and last_commit are "
	    "rolled back");
	file1 = slurp(path, &len1);
	ok(file0 != NULL && file1 != NULL && len0 == len1 &&
	    memcmp(file0, file1, len0) == 0, "the file's bytes are as before "
	    "(%zu, %zu)", len0, len1);
	free(file0);
	free(file1);
	sqlite3_exec(store_db(st), "DROP TRIGGER temp.refuse_c1", NULL, NULL,
	    NULL);
	for (int i = 0; i < 2; i++) {
		cts[i].dirty = false;
		cts[i].last.cpu_usec -= 5000;
	}
}

static void
test_store(void)
{
	char dir[] = "/tmp/test-ledger.XXXXXX";
	char path[64];
	struct lg_store *st;
	struct aerr err = { 0 };
	struct lg_ct cts[2];
	struct lg_counters c;
	int64_t day = 1793491200;	/* 2026-11-01 */

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/l.db", dir);
	st = store_open(path, true, &err);
	ok(st != NULL, "create a ledger: %s", err.msg);
	if (st == NULL)
		return;
	is_u64((uint64_t)scalar(st, "PRAGMA user_version"),
	    LEDGER_SCHEMA_VERSION, "schema version");
	memset(cts, 0, sizeof(cts));
	for (int i = 0; i < 2; i++) {
		snprintf(cts[i].name, sizeof(cts[i].name), "c%d", i);
		cts[i].have_last = cts[i].dirty = true;
		cts[i].last.cpu_usec = 1000 + (uint64_t)i;
		cts[i].last.since_ms = 42;
		cts[i].last.gen = 7 + (uint64_t)i;
	}
	/* 24 hourly records each, then compaction of that day */
	for (int h = 0; h < 24; h++) {
		for (int i = 0; i < 2; i++) {
			lg_reset_usage(&cts[i].cur, day + h * 3600);
			cts[i].dirty = true;
			cts[i].cur.cpu_usec = 10;
			cts[i].cur.covered_ms = 3600000;
			cts[i].cur.ram_peak = (uint64_t)h;
		}
		ok(store_commit(st, cts, 2, day + (h + 1) * 3600, &err) == 0 ||
		    h != 0, "commit: %s", err.msg);
	}
	is_u64((uint64_t)scalar(st, "SELECT count(*) FROM usage"), 48,
	    "48 records");
	ok(store_lastseen(st, "c1", &c, &err) == 1 && c.cpu_usec == 1001 &&
	    c.since_ms == 42 && c.gen == 8, "last-seen counters read back");
	ok(store_lastseen(st, "nope", &c, &err) == 0, "none for a stranger");
	test_failed_commit(st, path, cts, day + 25 * 3600);
	/* a read-only connection sees what was committed */
	{
		struct lg_store *ro = store_open(path, false, &err);

		ok(ro != NULL, "read-only open: %s", err.msg);
		if (ro != NULL) {
			ok(scalar(ro, "SELECT sum(cpu_usec) FROM usage") == 480,
			    "the reader sees the sums");
			store_close(ro);
		}
	}
	ok(store_maintain(st, day + 3 * 86400, 1, 0, &err) == 0,
	    "compaction: %s", err.msg);
	is_u64((uint64_t)scalar(st, "SELECT count(*) FROM usage"), 2,
	    "one day record per container");
	is_u64((uint64_t)scalar(st, "SELECT sum(cpu_usec) FROM usage"), 480,
	    "sums kept");
	is_u64((uint64_t)scalar(st, "SELECT max(ram_peak) FROM usage"), 23,
	    "peak kept");
	ok(scalar(st, "SELECT count(*) FROM usage WHERE kind = 'day' AND "
	    "start = 1793491200 AND end = 1793577600") == 2,
	    "day records span the UTC day");
	ok(store_maintain(st, day + 1000 * 86400, 0, 30, &err) == 0 &&
	    scalar(st, "SELECT count(*) FROM usage") == 0,
	    "retention deletes old records");
	store_close(st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			ok(0, "cleanup");
	}
}

int
main(void)
{
	test_fold();
	test_birth_end();
	test_rates();
	test_dates();
	test_store();
	return done_testing();
}
