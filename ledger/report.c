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

struct line {
	char		host[72];	/* "" on one host */
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
add_record(struct line *l, const struct lg_rec *r)
{
	uint64_t res;

	if (l->records == 0 || r->start < l->first)
		l->first = r->start;
	if (r->end > l->last)
		l->last = r->end;
	if (l->records == 0 || r->start >= l->last_start) {
		/* the limits in force: those of the last record */
		l->last_start = r->start;
		l->ram_limit = r->ram_limit;
		l->cpulimit = r->cpulimit;
	}
	l->records++;
	add_sat(&l->q.covered_s, r->covered_ms);	/* ms until the end */
	add_sat(&l->q.cpu_usec, r->cpu_usec);
	res = reserved_usec(r->covered_ms, r->cpulimit, r->cpus, r->cpu_usec);
	add_sat(&l->q.cpu_limit_usec, res);
	add_sat(&l->q.cpu_alloc_usec, res > r->cpu_usec ? res : r->cpu_usec);
	add_sat(&l->q.ram_bs, r->ram_bs);
	add_sat(&l->q.ram_limit_bs, r->ram_limit_bs);
	add_sat(&l->q.ram_alloc_bs, r->ram_alloc_bs);
	max_of(&l->q.ram_peak, r->ram_peak);
	add_sat(&l->q.swap_bs, r->swap_bs);
	max_of(&l->q.swap_peak, r->swap_peak);
	if (r->have_disk) {
		l->have_disk = true;
		add_sat(&l->q.disk_bs, r->disk_bs);
		max_of(&l->q.disk_peak, r->disk_peak);
	}
	add_sat(&l->q.io_bytes, r->io_rbytes);
	add_sat(&l->q.io_bytes, r->io_wbytes);
	add_sat(&l->q.io_ops, r->io_rios);
	add_sat(&l->q.io_ops, r->io_wios);
	add_sat(&l->q.failcnt, r->failcnt);
}

/* by container name, then host: one name on several hosts side by side */
static int
by_name(const void *a, const void *b)
{
	const struct line *x = *(const struct line *const *)a;
	const struct line *y = *(const struct line *const *)b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->host, y->host);
}

/* The lines of a period, found by (host, name) in an open hash. */
struct lines {
	struct line	*ls;
	size_t		 n, cap;
	uint32_t	*slots;		/* index + 1, 0: free */
	size_t		 nslots;
};

static uint32_t
key_hash(const char *host, const char *name)
{
	uint32_t h = 2166136261u;

	for (; *host; host++)
		h = (h ^ (unsigned char)*host) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

static void
lines_rehash(struct lines *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (size_t i = 0; i < t->n; i++) {
		size_t j = key_hash(t->ls[i].host, t->ls[i].name) &
		    (t->nslots - 1);

		while (t->slots[j] != 0)
			j = (j + 1) & (t->nslots - 1);
		t->slots[j] = (uint32_t)i + 1;
	}
}

static struct line *
line_for(struct lines *t, const char *host, const char *name)
{
	size_t j;

	if (t->nslots == 0 || (t->n + 1) * 2 > t->nslots)
		lines_rehash(t);
	for (j = key_hash(host, name) & (t->nslots - 1); t->slots[j] != 0;
	    j = (j + 1) & (t->nslots - 1)) {
		struct line *l = &t->ls[t->slots[j] - 1];

		if (strcmp(l->name, name) == 0 && strcmp(l->host, host) == 0)
			return l;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->ls = xreallocarray(t->ls, t->cap, sizeof(*t->ls));
	}
	memset(&t->ls[t->n], 0, sizeof(t->ls[t->n]));
	snprintf(t->ls[t->n].host, sizeof(t->ls[t->n].host), "%s", host);
	snprintf(t->ls[t->n].name, sizeof(t->ls[t->n].name), "%s", name);
	t->slots[j] = (uint32_t)++t->n;
	return &t->ls[t->n - 1];
}

static int
take_record(void *arg, const char *host, const char *name,
    const struct lg_rec *r)
{
	add_record(line_for(arg, host ? host : "", name), r);
	return 0;
}

/*
 * The lines of the period, one per container (and host) with records in
 * it, sorted by name; *out (caller frees, with t->ls) holds *n pointers
 * into it.
 */
static int
collect(bill_source_fn source, void *src, int64_t from, int64_t to,
    const char *ct, struct lines *t, struct line ***out, size_t *n,
    struct aerr *err)
{
	struct line **sorted;

	memset(t, 0, sizeof(*t));
	*out = NULL;
	*n = 0;
	if (source(src, from, to, ct, take_record, t, err) < 0) {
		free(t->ls);
		free(t->slots);
		return -1;
	}
	free(t->slots);
	t->slots = NULL;
	sorted = xcalloc(t->n ? t->n : 1, sizeof(*sorted));
	for (size_t i = 0; i < t->n; i++) {
		t->ls[i].q.covered_s /= 1000;
		sorted[i] = &t->ls[i];
	}
	qsort(sorted, t->n, sizeof(*sorted), by_name);
	*out = sorted;
	*n = t->n;
	return 0;
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
    const struct line *l, bool fleet, bool first_line)
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
		if (fleet)
			fprintf(out, "%-16s ", l->host);
		fprintf(out, "%-16s %9s %10s %11s %13llu %10s %10s %14llu "
		    "%10llu %8llu %12s\n", l->name, hours, cb, rb,
		    (unsigned long long)q->ram_peak, swap,
		    *disk ? disk : "-", (unsigned long long)q->io_bytes,
		    (unsigned long long)q->io_ops,
		    (unsigned long long)q->failcnt, tot);
		break;
	case BILL_CSV:
		if (fleet) {
			csv_name(out, l->host);
			fputc(',', out);
		}
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
		fprintf(out, "%s\n    {", first_line ? "" : ",");
		if (fleet) {
			fputs("\"host\": ", out);
			json_name(out, l->host);
			fputs(", ", out);
		}
		fputs("\"container\": ", out);
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
	return bill_report_from(store_records, st, false, from, to, ct, r,
	    fmt, out, err);
}

int
bill_report_from(bill_source_fn source, void *src, bool fleet, int64_t from,
    int64_t to, const char *ct, const struct rates *r, enum bill_fmt fmt,
    FILE *out, struct aerr *err)
{
	struct lines t;
	struct line **lines;
	char a[32], b[32], tot[32];
	int64_t total = 0;
	size_t n;

	if (collect(source, src, from, to, ct, &t, &lines, &n, err) < 0)
		return -1;
	format_utc(from, a, sizeof(a));
	format_utc(to, b, sizeof(b));
	switch (fmt) {
	case BILL_TEXT:
		fprintf(out, "period %s .. %s, %s, cpu_basis %s, ram_basis %s\n",
		    a, b, *r->currency ? r->currency : "(no currency)",
		    cpu_basis_name(r->cpu_basis), ram_basis_name(r->ram_basis));
		if (fleet)
			fprintf(out, "%-16s ", "HOST");
		fprintf(out, "%-16s %9s %10s %11s %13s %10s %10s %14s %10s "
		    "%8s %12s\n", "CONTAINER", "HOURS", "CPU-HOURS",
		    "RAM-GIB-H", "RAM-PEAK", "SWAP-GIB-H", "DISK-GIB-H",
		    "IO-BYTES", "IO-OPS", "FAILCNT", "CHARGE");
		break;
	case BILL_CSV:
		fprintf(out, "%scontainer,first,", fleet ? "host," : "");
		fprintf(out, "last,hours,cpu_hours,"
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
		print_line(out, fmt, r, l, fleet, i == 0);
	}
	free(lines);
	free(t.ls);
	format_nano(total, fmt == BILL_TEXT ? 4 : 6, tot, sizeof(tot));
	if (fmt == BILL_TEXT)
		fprintf(out, "%-16s %*s\n", "TOTAL", fleet ? 139 : 122, tot);
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
