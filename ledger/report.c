/* SPDX-License-Identifier: ISC */
/*
 * acctctl bill: per-container totals over a period, with the rates
 * applied; and the raw records for an external billing system.
 * Containers destroyed during the period appear like the others: the
 * ledger keeps their records.
 *
 * The totals are added up here from one range query over the index on
 * start, not with SQL aggregates: SQLite spends about 60 ms per aggregate
 * column on 720,000 records, so the 19 sums and peaks of a bill took
 * 1.4 s where reading the columns and adding them in C takes 0.5 s
 * (docs/billing.md).
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger.h"
#include "xalloc.h"

#define NANO	1000000000ULL
#define GIB	(1ULL << 30)

/* YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or "YYYY-MM-DD HH:MM:SS", UTC. */
int
parse_utc(const char *s, int64_t *out)
{
	struct tm tm, chk;
	const char *e;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(s, "%Y-%m-%d", &tm)) == NULL || strlen(s) < 10 ||
	    s[4] != '-' || s[7] != '-')
		return -1;
	if (*e == 'T' || *e == ' ') {
		const char *f = strptime(e + 1, "%H:%M:%S", &tm);

		if (f == NULL || f - e != 9)
			return -1;
		e = f;
		if (*e == 'Z')
			e++;
	}
	if (*e != '\0' || tm.tm_year < 70 || tm.tm_year > 1100)
		return -1;
	chk = tm;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* refuse dates that timegm() would normalise (2026-02-30) */
	if (tm.tm_mday != chk.tm_mday || tm.tm_mon != chk.tm_mon)
		return -1;
	*out = (int64_t)t;
	return 0;
}

void
format_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* qty / unit as a nano-scaled value, for printing with format_nano */
static int64_t
scaled(uint64_t qty, unsigned __int128 unit)
{
	unsigned __int128 v = ((unsigned __int128)qty * NANO + unit / 2) / unit;

	return v > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static uint64_t
col(sqlite3_stmt *q, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(q, i);

	return v < 0 ? 0 : (uint64_t)v;
}

static const char RECORDS[] =
    "SELECT ct, start, end, covered_ms, cpu_usec, ram_bs, ram_limit_bs,"
    " ram_alloc_bs, ram_peak, swap_bs, swap_peak, disk_bs, disk_peak,"
    " io_rbytes, io_wbytes, io_rios, io_wios, failcnt, ram_limit, cpulimit,"
    " cpus FROM usage WHERE start >= ?1 AND start < ?2 AND (?3 IS NULL OR"
    " ct = (SELECT id FROM container WHERE name = ?3))";

struct line {
	char		name[64];
	int64_t		first, last, last_start;
	struct bill_qty	q;
	uint64_t	ram_limit, cpulimit, records;
	bool		have_disk;
	struct bill_charges c;
};

static void
add_sat(uint64_t *acc, uint64_t v)
{
	if (__builtin_add_overflow(*acc, v, acc))
		*acc = UINT64_MAX;
}

static void
max_of(uint64_t *acc, uint64_t v)
{
	if (v > *acc)
		*acc = v;
}

/*
 * CPU time reserved by a record's limits: cpulimit (percent of one CPU)
 * or cpus, the smaller when both are set, for the time it ran; the time
 * used where neither is set.
 */
static uint64_t
reserved_usec(uint64_t covered_ms, uint64_t cpulimit, uint64_t cpus,
    uint64_t used)
{
	uint64_t pct = cpulimit;

	if (cpus != 0 && (pct == 0 || cpus * 100 < pct))
		pct = cpus * 100;
	return pct == 0 ? used : covered_ms * 10 * pct;
}

/* One record into its container's line. */
static void
add_record(struct line *l, sqlite3_stmt *q)
{
	int64_t start = sqlite3_column_int64(q, 1);
	int64_t end = sqlite3_column_int64(q, 2);
	uint64_t covered = col(q, 3), cpu = col(q, 4), res;

	if (l->records == 0 || start < l->first)
		l->first = start;
	if (end > l->last)
		l->last = end;
	if (l->records == 0 || start >= l->last_start) {
		/* the limits in force: those of the last record */
		l->last_start = start;
		l->ram_limit = col(q, 18);
		l->cpulimit = col(q, 19);
	}
	l->records++;
	add_sat(&l->q.covered_s, covered);	/* ms until the end */
	add_sat(&l->q.cpu_usec, cpu);
	res = reserved_usec(covered, col(q, 19), col(q, 20), cpu);
	add_sat(&l->q.cpu_limit_usec, res);
	add_sat(&l->q.cpu_alloc_usec, res > cpu ? res : cpu);
	add_sat(&l->q.ram_bs, col(q, 5));
	add_sat(&l->q.ram_limit_bs, col(q, 6));
	add_sat(&l->q.ram_alloc_bs, col(q, 7));
	max_of(&l->q.ram_peak, col(q, 8));
	add_sat(&l->q.swap_bs, col(q, 9));
	max_of(&l->q.swap_peak, col(q, 10));
	if (sqlite3_column_type(q, 11) != SQLITE_NULL) {
		l->have_disk = true;
		add_sat(&l->q.disk_bs, col(q, 11));
		max_of(&l->q.disk_peak, col(q, 12));
	}
	add_sat(&l->q.io_bytes, col(q, 13));
	add_sat(&l->q.io_bytes, col(q, 14));
	add_sat(&l->q.io_ops, col(q, 15));
	add_sat(&l->q.io_ops, col(q, 16));
	add_sat(&l->q.failcnt, col(q, 17));
}

static int
by_name(const void *a, const void *b)
{
	const struct line *x = *(const struct line *const *)a;
	const struct line *y = *(const struct line *const *)b;

	return strcmp(x->name, y->name);
}

/*
 * The lines of the period, one per container with records in it, sorted
 * by name; *out (caller frees, with *lines) holds *n pointers into it.
 */
static int
collect(sqlite3 *db, int64_t from, int64_t to, const char *ct,
    struct line **lines, struct line ***out, size_t *n, struct aerr *err)
{
	sqlite3_stmt *q = NULL;
	struct line *ls = NULL, **sorted = NULL;
	size_t cap = 0, used = 0;
	int rc;

	*lines = NULL;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, RECORDS, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	if (ct != NULL)
		sqlite3_bind_text(q, 3, ct, -1, SQLITE_STATIC);
	/* container ids are small integers: lines indexed by id */
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(q, 0);

		if (id < 0 || id > 100000000) {
			aerr_set(err, EINVAL, "ledger: container id %lld out of "
			    "range", (long long)id);
			goto out;
		}
		if ((size_t)id >= cap) {
			size_t ncap = cap ? cap : 1024;

			while (ncap <= (size_t)id)
				ncap *= 2;
			ls = xreallocarray(ls, ncap, sizeof(*ls));
			memset(ls + cap, 0, (ncap - cap) * sizeof(*ls));
			cap = ncap;
		}
		add_record(&ls[id], q);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM container", -1, &q,
	    NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(q, 0);
		const unsigned char *name = sqlite3_column_text(q, 1);

		if (id >= 0 && (size_t)id < cap && ls[id].records > 0)
			snprintf(ls[id].name, sizeof(ls[id].name), "%s",
			    name ? (const char *)name : "");
	}
	if (rc != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < cap; i++)
		if (ls[i].records > 0) {
			ls[i].q.covered_s /= 1000;
			used++;
		}
	sorted = xcalloc(used ? used : 1, sizeof(*sorted));
	used = 0;
	for (size_t i = 0; i < cap; i++)
		if (ls[i].records > 0)
			sorted[used++] = &ls[i];
	qsort(sorted, used, sizeof(*sorted), by_name);
	sqlite3_finalize(q);
	*lines = ls;
	*out = sorted;
	*n = used;
	return 0;
fail:
	aerr_set(err, EIO, "ledger: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(q);
	free(ls);
	return -1;
}

static void
csv_name(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\n\r") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void
json_name(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static uint64_t
cpu_basis_usec(const struct rates *r, const struct bill_qty *q)
{
	return r->cpu_basis == CPU_LIMIT ? q->cpu_limit_usec :
	    r->cpu_basis == CPU_MAX ? q->cpu_alloc_usec : q->cpu_usec;
}

static uint64_t
ram_basis_bs(const struct rates *r, const struct bill_qty *q)
{
	return r->ram_basis == RAM_LIMIT ? q->ram_limit_bs :
	    r->ram_basis == RAM_MAX ? q->ram_alloc_bs : q->ram_bs;
}

static void
print_line(FILE *out, enum bill_fmt fmt, const struct rates *r,
    const struct line *l, bool first_line)
{
	char a[32], b[32], hours[32], cpu[32], cb[32], ram[32], rb[32], swap[32],
	    disk[32], ch[6][32], tot[32];
	const struct bill_qty *q = &l->q;
	unsigned __int128 gibh = (unsigned __int128)GIB * 3600;
	int dec = fmt == BILL_TEXT ? 4 : 6;

	format_utc(l->first, a, sizeof(a));
	format_utc(l->last, b, sizeof(b));
	format_nano(scaled(q->covered_s, 3600), 3, hours, sizeof(hours));
	format_nano(scaled(q->cpu_usec, 3600000000ULL), 4, cpu, sizeof(cpu));
	format_nano(scaled(cpu_basis_usec(r, q), 3600000000ULL), 4, cb,
	    sizeof(cb));
	format_nano(scaled(q->ram_bs, gibh), 4, ram, sizeof(ram));
	format_nano(scaled(ram_basis_bs(r, q), gibh), 4, rb, sizeof(rb));
	format_nano(scaled(q->swap_bs, gibh), 4, swap, sizeof(swap));
	if (l->have_disk)
		format_nano(scaled(q->disk_bs, gibh), 4, disk, sizeof(disk));
	else
		snprintf(disk, sizeof(disk), "%s", fmt == BILL_JSON ? "null" :
		    "");
	format_nano(l->c.cpu, dec, ch[0], sizeof(ch[0]));
	format_nano(l->c.ram, dec, ch[1], sizeof(ch[1]));
	format_nano(l->c.swap, dec, ch[2], sizeof(ch[2]));
	format_nano(l->c.disk, dec, ch[3], sizeof(ch[3]));
	format_nano(l->c.io_bytes, dec, ch[4], sizeof(ch[4]));
	format_nano(l->c.io_ops, dec, ch[5], sizeof(ch[5]));
	format_nano(l->c.total, dec, tot, sizeof(tot));
	switch (fmt) {
	case BILL_TEXT:
		fprintf(out, "%-16s %9s %10s %11s %13llu %10s %10s %14llu "
		    "%10llu %8llu %12s\n", l->name, hours, cb, rb,
		    (unsigned long long)q->ram_peak, swap,
		    *disk ? disk : "-", (unsigned long long)q->io_bytes,
		    (unsigned long long)q->io_ops,
		    (unsigned long long)q->failcnt, tot);
		break;
	case BILL_CSV:
		csv_name(out, l->name);
		fprintf(out, ",%s,%s,%s,%s,%s,%s,%s,%llu,%s,%s,%llu,%llu,%llu,",
		    a, b, hours, cpu, cb, ram, rb, (unsigned long long)q->ram_peak,
		    swap, disk, (unsigned long long)q->io_bytes,
		    (unsigned long long)q->io_ops,
		    (unsigned long long)q->failcnt);
		if (l->ram_limit)
			fprintf(out, "%llu", (unsigned long long)l->ram_limit);
		fputc(',', out);
		if (l->cpulimit)
			fprintf(out, "%llu", (unsigned long long)l->cpulimit);
		fprintf(out, ",%s,%s,%s,%s,%s,%s,%s\n", ch[0], ch[1], ch[2],
		    ch[3], ch[4], ch[5], tot);
		break;
	default:
		fprintf(out, "%s\n    {\"container\": ", first_line ? "" : ",");
		json_name(out, l->name);
		fprintf(out, ", \"first\": \"%s\", \"last\": \"%s\", "
		    "\"records\": %llu,\n     \"usage\": {\"hours\": %s, "
		    "\"cpu_hours\": %s, \"cpu_basis_hours\": %s, "
		    "\"ram_gib_hours\": %s, "
		    "\"ram_basis_gib_hours\": %s, \"ram_peak_bytes\": %llu, "
		    "\"swap_gib_hours\": %s, \"disk_gib_hours\": %s, "
		    "\"io_bytes\": %llu, \"io_ops\": %llu, \"failcnt\": %llu},\n"
		    "     \"limits\": {\"ram_bytes\": ", a, b,
		    (unsigned long long)l->records, hours, cpu, cb, ram, rb,
		    (unsigned long long)q->ram_peak, swap, disk,
		    (unsigned long long)q->io_bytes,
		    (unsigned long long)q->io_ops,
		    (unsigned long long)q->failcnt);
		if (l->ram_limit)
			fprintf(out, "%llu", (unsigned long long)l->ram_limit);
		else
			fputs("null", out);
		fputs(", \"cpulimit_pct\": ", out);
		if (l->cpulimit)
			fprintf(out, "%llu", (unsigned long long)l->cpulimit);
		else
			fputs("null", out);
		fprintf(out, "},\n     \"charges\": {\"cpu\": %s, \"ram\": %s, "
		    "\"swap\": %s, \"disk\": %s, \"io_bytes\": %s, "
		    "\"io_ops\": %s, \"total\": %s}}", ch[0], ch[1], ch[2],
		    ch[3], ch[4], ch[5], tot);
		break;
	}
}

int
bill_report(struct lg_store *st, int64_t from, int64_t to, const char *ct,
    const struct rates *r, enum bill_fmt fmt, FILE *out, struct aerr *err)
{
	struct line *ls, **lines;
	char a[32], b[32], tot[32];
	int64_t total = 0;
	size_t n;

	if (collect(store_db(st), from, to, ct, &ls, &lines, &n, err) < 0)
		return -1;
	format_utc(from, a, sizeof(a));
	format_utc(to, b, sizeof(b));
	switch (fmt) {
	case BILL_TEXT:
		fprintf(out, "period %s .. %s, %s, cpu_basis %s, ram_basis %s\n",
		    a, b, *r->currency ? r->currency : "(no currency)",
		    cpu_basis_name(r->cpu_basis), ram_basis_name(r->ram_basis));
		fprintf(out, "%-16s %9s %10s %11s %13s %10s %10s %14s %10s "
		    "%8s %12s\n", "CONTAINER", "HOURS", "CPU-HOURS",
		    "RAM-GIB-H", "RAM-PEAK", "SWAP-GIB-H", "DISK-GIB-H",
		    "IO-BYTES", "IO-OPS", "FAILCNT", "CHARGE");
		break;
	case BILL_CSV:
		fprintf(out, "container,first,last,hours,cpu_hours,"
		    "cpu_basis_hours,"
		    "ram_gib_hours,ram_basis_gib_hours,ram_peak_bytes,"
		    "swap_gib_hours,disk_gib_hours,io_bytes,io_ops,failcnt,"
		    "ram_limit_bytes,cpulimit_pct,charge_cpu,charge_ram,"
		    "charge_swap,charge_disk,charge_io_bytes,charge_io_ops,"
		    "charge_total\n");
		break;
	default:
		fprintf(out, "{\"period\": {\"begin\": \"%s\", \"end\": \"%s\"},"
		    "\n  \"currency\": \"%s\", \"cpu_basis\": \"%s\", "
		    "\"ram_basis\": \"%s\",\n  \"containers\": [", a, b,
		    r->currency, cpu_basis_name(r->cpu_basis),
		    ram_basis_name(r->ram_basis));
		break;
	}
	for (size_t i = 0; i < n; i++) {
		struct line *l = lines[i];

		rates_apply(r, &l->q, &l->c);
		total = total > INT64_MAX - l->c.total ? INT64_MAX :
		    total + l->c.total;
		print_line(out, fmt, r, l, i == 0);
	}
	free(lines);
	free(ls);
	format_nano(total, fmt == BILL_TEXT ? 4 : 6, tot, sizeof(tot));
	if (fmt == BILL_TEXT)
		fprintf(out, "%-16s %122s\n", "TOTAL", tot);
	else if (fmt == BILL_JSON)
		fprintf(out, "%s],\n  \"total\": %s}\n", n ? "\n  " : "", tot);
	return 0;
}

static const char RAW[] =
    "SELECT c.name, c.cgroup, u.start, u.end, u.kind, u.covered_ms,"
    " u.cpu_usec, u.ram_bs, u.ram_limit_bs, u.ram_alloc_bs, u.ram_peak,"
    " u.swap_bs, u.swap_peak, u.disk_bs, u.disk_peak, u.io_rbytes,"
    " u.io_wbytes, u.io_rios, u.io_wios, u.failcnt, u.ram_limit,"
    " u.swap_limit, u.cpulimit, u.cpus, u.numproc, u.disk_soft, u.disk_hard"
    " FROM usage u JOIN container c ON c.id = u.ct"
    " WHERE u.start >= ?1 AND u.start < ?2 AND (?3 IS NULL OR c.name = ?3)"
    " ORDER BY u.start, c.name";

int
bill_raw(struct lg_store *st, int64_t from, int64_t to, const char *ct,
    enum bill_fmt fmt, FILE *out, struct aerr *err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	int rc, ncol;

	if (sqlite3_prepare_v2(db, RAW, -1, &q, NULL) != SQLITE_OK)
		return aerr_set(err, EIO, "ledger: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	if (ct != NULL)
		sqlite3_bind_text(q, 3, ct, -1, SQLITE_STATIC);
	ncol = sqlite3_column_count(q);
	if (fmt == BILL_CSV) {
		fputs("container", out);
		for (int i = 1; i < ncol; i++)
			fprintf(out, ",%s", sqlite3_column_name(q, i));
		fputc('\n', out);
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			const char *name = i == 0 ? "container" :
			    sqlite3_column_name(q, i);
			bool null = sqlite3_column_type(q, i) == SQLITE_NULL;
			char v[64];

			if (fmt == BILL_JSONL)
				fprintf(out, "%s\"%s\": ", i ? ", " : "{", name);
			else if (i > 0)
				fputc(',', out);
			if (i <= 1 || i == 4) {
				const char *s = (const char *)
				    sqlite3_column_text(q, i);

				if (fmt == BILL_JSONL)
					json_name(out, s ? s : "");
				else
					csv_name(out, s ? s : "");
				continue;
			}
			if (null) {
				if (fmt == BILL_JSONL)
					fputs("null", out);
				continue;
			}
			if (i == 2 || i == 3) {
				format_utc(sqlite3_column_int64(q, i), v,
				    sizeof(v));
				fprintf(out, fmt == BILL_JSONL ? "\"%s\"" : "%s",
				    v);
			} else
				fprintf(out, "%lld",
				    (long long)sqlite3_column_int64(q, i));
		}
		fputs(fmt == BILL_JSONL ? "}\n" : "\n", out);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return aerr_set(err, EIO, "ledger: %s", sqlite3_errmsg(db));
	return 0;
}
