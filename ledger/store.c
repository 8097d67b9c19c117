/* SPDX-License-Identifier: ISC */
/*
 * The ledger file: SQLite with a rollback journal, synchronous=FULL.  The
 * schema is SCHEMA below and docs/billing.md; PRAGMA user_version holds
 * its version (LEDGER_SCHEMA_VERSION), and a file of a newer version is
 * refused rather than misread.
 *
 * Durability: each interval is one transaction holding the records and
 * the last-seen counters they were computed from, so after a crash (kill
 * -9 at any moment) the file holds either both or neither, and the next
 * run computes the following deltas from what was really recorded.  An
 * error (full disk, read-only file) rolls the transaction back and leaves
 * the recorded ones as they were; the caller keeps its interval in memory
 * and tries again.
 *
 * Not WAL: a WAL reader needs to write the -shm file (or finds nothing,
 * or refuses), and acctctl bill must work for any user who can read the
 * file.  With a rollback journal a reader needs read access only.  The
 * price, a writer waiting for a long report to finish, is paid by
 * accountd-ledger alone (busy timeout), never by accountd.
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "xalloc.h"

struct lg_store {
	sqlite3		*db;
	sqlite3_stmt	*ins_ct, *ins_use, *ins_last, *get_last;
	sqlite3_stmt	*ins_queue;	/* replication on: store_replica_enable */
	bool		 writable;
};

static const char SCHEMA[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE container (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  cgroup TEXT NOT NULL DEFAULT '',\n"
    "  first_seen INTEGER NOT NULL,\n"
    "  last_seen INTEGER NOT NULL);\n"
    "CREATE TABLE usage (\n"
    "  ct INTEGER NOT NULL REFERENCES container(id),\n"
    "  start INTEGER NOT NULL,\n"
    "  end INTEGER NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  covered_ms INTEGER NOT NULL,\n"
    "  cpu_usec INTEGER NOT NULL,\n"
    "  ram_bs INTEGER NOT NULL,\n"
    "  ram_limit_bs INTEGER NOT NULL,\n"
    "  ram_alloc_bs INTEGER NOT NULL,\n"
    "  ram_peak INTEGER NOT NULL,\n"
    "  swap_bs INTEGER NOT NULL,\n"
    "  swap_peak INTEGER NOT NULL,\n"
    "  disk_bs INTEGER,\n"
    "  disk_peak INTEGER,\n"
    "  io_rbytes INTEGER NOT NULL,\n"
    "  io_wbytes INTEGER NOT NULL,\n"
    "  io_rios INTEGER NOT NULL,\n"
    "  io_wios INTEGER NOT NULL,\n"
    "  failcnt INTEGER NOT NULL,\n"
    "  ram_limit INTEGER,\n"
    "  swap_limit INTEGER,\n"
    "  cpulimit INTEGER,\n"
    "  cpus INTEGER,\n"
    "  numproc INTEGER,\n"
    "  disk_soft INTEGER,\n"
    "  disk_hard INTEGER);\n"
    "CREATE UNIQUE INDEX usage_ct_start ON usage(ct, start);\n"
    "CREATE INDEX usage_start ON usage(start);\n"
    "CREATE TABLE lastseen (\n"
    "  ct INTEGER PRIMARY KEY REFERENCES container(id),\n"
    "  time_ms INTEGER NOT NULL,\n"
    "  since_ms INTEGER NOT NULL,\n"
    "  cpu_usec INTEGER NOT NULL,\n"
    "  io_rbytes INTEGER NOT NULL,\n"
    "  io_wbytes INTEGER NOT NULL,\n"
    "  io_rios INTEGER NOT NULL,\n"
    "  io_wios INTEGER NOT NULL,\n"
    "  failcnt INTEGER NOT NULL,\n"
    "  ram_maxheld INTEGER NOT NULL,\n"
    "  gen INTEGER NOT NULL DEFAULT 0);\n";


static const char INS_USAGE[] =
    "INSERT INTO usage (ct, start, end, kind, covered_ms, cpu_usec, ram_bs,"
    " ram_limit_bs, ram_alloc_bs, ram_peak, swap_bs, swap_peak, disk_bs,"
    " disk_peak, io_rbytes, io_wbytes, io_rios, io_wios, failcnt, ram_limit,"
    " swap_limit, cpulimit, cpus, numproc, disk_soft, disk_hard)"
    " VALUES (?,?,?,'interval',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (ct, start) DO UPDATE SET end = max(end, excluded.end),"
    " covered_ms = covered_ms + excluded.covered_ms,"
    " cpu_usec = cpu_usec + excluded.cpu_usec,"
    " ram_bs = ram_bs + excluded.ram_bs,"
    " ram_limit_bs = ram_limit_bs + excluded.ram_limit_bs,"
    " ram_alloc_bs = ram_alloc_bs + excluded.ram_alloc_bs,"
    " ram_peak = max(ram_peak, excluded.ram_peak),"
    " swap_bs = swap_bs + excluded.swap_bs,"
    " swap_peak = max(swap_peak, excluded.swap_peak),"
    " disk_bs = coalesce(disk_bs, 0) + excluded.disk_bs,"
    " disk_peak = max(coalesce(disk_peak, 0), excluded.disk_peak),"
    " io_rbytes = io_rbytes + excluded.io_rbytes,"
    " io_wbytes = io_wbytes + excluded.io_wbytes,"
    " io_rios = io_rios + excluded.io_rios,"
    " io_wios = io_wios + excluded.io_wios,"
    " failcnt = failcnt + excluded.failcnt,"
    " ram_limit = excluded.ram_limit, swap_limit = excluded.swap_limit,"
    " cpulimit = excluded.cpulimit, cpus = excluded.cpus,"
    " numproc = excluded.numproc, disk_soft = excluded.disk_soft,"
    " disk_hard = excluded.disk_hard";

static int
db_error(struct lg_store *st, struct aerr *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	int e = (code & 0xff) == SQLITE_FULL ? ENOSPC :
	    (code & 0xff) == SQLITE_READONLY ? EROFS :
	    (code & 0xff) == SQLITE_BUSY ? EBUSY : EIO;

	return aerr_set(err, e, "%s: %s", what, sqlite3_errmsg(st->db));
}

static int
exec(struct lg_store *st, const char *sql, struct aerr *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = db_error(st, err, "sqlite");

		sqlite3_free(msg);
		return r;
	}
	return 0;
}

static int
user_version(struct lg_store *st)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static int
create_schema(struct lg_store *st, struct aerr *err)
{
	char host[64] = "", *sql;
	int r;

	gethostname(host, sizeof(host) - 1);
	sql = sqlite3_mprintf("BEGIN IMMEDIATE;\n%s"
	    "INSERT INTO meta VALUES ('created', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'));\n"
	    "INSERT INTO meta VALUES ('host', %Q);\n"
	    "PRAGMA user_version = %d;\nCOMMIT;", SCHEMA, host,
	    LEDGER_SCHEMA_VERSION);
	if (sql == NULL)
		return aerr_set(err, ENOMEM, "ledger: out of memory");
	r = exec(st, sql, err);
	sqlite3_free(sql);
	if (r < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int
prepare(struct lg_store *st, const char *sql, sqlite3_stmt **q,
    struct aerr *err)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, q,
	    NULL) != SQLITE_OK)
		return db_error(st, err, "ledger: prepare");
	return 0;
}

struct lg_store *
store_open(const char *path, bool writable, struct aerr *err)
{
	struct lg_store *st = xcalloc(1, sizeof(*st));
	int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
	    SQLITE_OPEN_READONLY;
	int v;

	st->writable = writable;
	if (!writable && access(path, R_OK) < 0) {
		aerr_set(err, errno, "cannot read the ledger %s: %s", path,
		    strerror(errno));
		free(st);
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		aerr_set(err, EIO, "cannot open the ledger %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 30000);
	if (writable && exec(st, "PRAGMA journal_mode = DELETE; "
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", err) < 0)
		goto fail;
	v = user_version(st);
	if (v < 0) {
		db_error(st, err, path);
		goto fail;
	}
	if (v == 0 && writable && create_schema(st, err) < 0)
		goto fail;
	if (v == 0 && !writable) {
		aerr_set(err, EINVAL, "%s is not a ledger (no schema version)",
		    path);
		goto fail;
	}
	if (v > LEDGER_SCHEMA_VERSION) {
		aerr_set(err, EINVAL, "%s: ledger schema version %d is newer "
		    "than this program's (%d)", path, v, LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	if (writable && (prepare(st, "INSERT INTO container (name, cgroup, "
	    "first_seen, last_seen) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO "
	    "UPDATE SET cgroup = excluded.cgroup, last_seen = "
	    "excluded.last_seen RETURNING id", &st->ins_ct, err) < 0 ||
	    prepare(st, INS_USAGE, &st->ins_use, err) < 0 ||
	    prepare(st, "INSERT OR REPLACE INTO lastseen VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?)", &st->ins_last, err) < 0 ||
	    prepare(st, "SELECT l.time_ms, l.since_ms, l.cpu_usec, l.io_rbytes,"
	    " l.io_wbytes, l.io_rios, l.io_wios, l.failcnt, l.ram_maxheld, l.gen"
	    " FROM"
	    " lastseen l JOIN container c ON c.id = l.ct WHERE c.name = ?",
	    &st->get_last, err) < 0))
		goto fail;
	return st;
fail:
	aerr_prefix(err, "%s: ", path);
	store_close(st);
	return NULL;
}

void
store_close(struct lg_store *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->ins_ct);
	sqlite3_finalize(st->ins_use);
	sqlite3_finalize(st->ins_last);
	sqlite3_finalize(st->get_last);
	sqlite3_finalize(st->ins_queue);
	sqlite3_close(st->db);
	free(st);
}

void *
store_db(struct lg_store *st)
{
	return st->db;
}

int
store_lastseen(struct lg_store *st, const char *name, struct lg_counters *c,
    struct aerr *err)
{
	sqlite3_stmt *q = st->get_last;
	int r;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW)
		return db_error(st, err, "last-seen counters");
	memset(c, 0, sizeof(*c));
	c->time_ms = (uint64_t)sqlite3_column_int64(q, 0);
	c->since_ms = (uint64_t)sqlite3_column_int64(q, 1);
	c->cpu_usec = (uint64_t)sqlite3_column_int64(q, 2);
	c->io_rbytes = (uint64_t)sqlite3_column_int64(q, 3);
	c->io_wbytes = (uint64_t)sqlite3_column_int64(q, 4);
	c->io_rios = (uint64_t)sqlite3_column_int64(q, 5);
	c->io_wios = (uint64_t)sqlite3_column_int64(q, 6);
	c->failcnt = (uint64_t)sqlite3_column_int64(q, 7);
	c->ram_maxheld = (uint64_t)sqlite3_column_int64(q, 8);
	c->gen = (uint64_t)sqlite3_column_int64(q, 9);
	sqlite3_reset(q);
	return 1;
}

static int64_t
i64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int64_t
bs(unsigned __int128 bms)
{
	unsigned __int128 v = bms / 1000;

	return v > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static void
bind_opt(sqlite3_stmt *q, int i, uint64_t v)
{
	if (v == 0)
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_int64(q, i, i64(v));
}

static int
step_done(struct lg_store *st, sqlite3_stmt *q, struct aerr *err,
    const char *what)
{
	int r = sqlite3_step(q);

	sqlite3_reset(q);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return db_error(st, err, what);
	return 0;
}

static int
container_id(struct lg_store *st, const struct lg_ct *ct, int64_t now,
    int64_t *id, struct aerr *err)
{
	sqlite3_stmt *q = st->ins_ct;
	int r;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, ct->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ct->cgroup, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_int64(q, 4, now);
	r = sqlite3_step(q);
	if (r != SQLITE_ROW) {
		sqlite3_reset(q);
		return db_error(st, err, "container row");
	}
	*id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

static int
put_usage(struct lg_store *st, int64_t id, const struct lg_usage *u,
    int64_t end, struct aerr *err)
{
	sqlite3_stmt *q = st->ins_use;
	int i = 1;

	sqlite3_bind_int64(q, i++, id);
	sqlite3_bind_int64(q, i++, u->start);
	sqlite3_bind_int64(q, i++, end);
	sqlite3_bind_int64(q, i++, i64(u->covered_ms));
	sqlite3_bind_int64(q, i++, i64(u->cpu_usec));
	sqlite3_bind_int64(q, i++, bs(u->ram_bms));
	sqlite3_bind_int64(q, i++, bs(u->ram_limit_bms));
	sqlite3_bind_int64(q, i++, bs(u->ram_alloc_bms));
	sqlite3_bind_int64(q, i++, i64(u->ram_peak));
	sqlite3_bind_int64(q, i++, bs(u->swap_bms));
	sqlite3_bind_int64(q, i++, i64(u->swap_peak));
	if (u->have_disk) {
		sqlite3_bind_int64(q, i++, bs(u->disk_bms));
		sqlite3_bind_int64(q, i++, i64(u->disk_peak));
	} else {
		sqlite3_bind_null(q, i++);
		sqlite3_bind_null(q, i++);
	}
	sqlite3_bind_int64(q, i++, i64(u->io_rbytes));
	sqlite3_bind_int64(q, i++, i64(u->io_wbytes));
	sqlite3_bind_int64(q, i++, i64(u->io_rios));
	sqlite3_bind_int64(q, i++, i64(u->io_wios));
	sqlite3_bind_int64(q, i++, i64(u->failcnt));
	bind_opt(q, i++, u->ram_limit);
	bind_opt(q, i++, u->swap_limit);
	bind_opt(q, i++, u->cpulimit);
	bind_opt(q, i++, u->cpus);
	bind_opt(q, i++, u->numproc);
	bind_opt(q, i++, u->disk_soft);
	bind_opt(q, i++, u->disk_hard);
	return step_done(st, q, err, "usage record");
}

static int
put_last(struct lg_store *st, int64_t id, const struct lg_counters *c,
    struct aerr *err)
{
	sqlite3_stmt *q = st->ins_last;

	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, i64(c->time_ms));
	sqlite3_bind_int64(q, 3, i64(c->since_ms));
	sqlite3_bind_int64(q, 4, i64(c->cpu_usec));
	sqlite3_bind_int64(q, 5, i64(c->io_rbytes));
	sqlite3_bind_int64(q, 6, i64(c->io_wbytes));
	sqlite3_bind_int64(q, 7, i64(c->io_rios));
	sqlite3_bind_int64(q, 8, i64(c->io_wios));
	sqlite3_bind_int64(q, 9, i64(c->failcnt));
	sqlite3_bind_int64(q, 10, i64(c->ram_maxheld));
	sqlite3_bind_int64(q, 11, i64(c->gen));
	return step_done(st, q, err, "last-seen counters");
}

/* the record (id, start) is to be copied to the replica */
static int
queue_put(struct lg_store *st, int64_t id, int64_t start, struct aerr *err)
{
	sqlite3_bind_int64(st->ins_queue, 1, id);
	sqlite3_bind_int64(st->ins_queue, 2, start);
	return step_done(st, st->ins_queue, err, "replication queue");
}

int
store_commit(struct lg_store *st, struct lg_ct *cts, size_t n, int64_t end,
    struct aerr *err)
{
	if (exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct lg_ct *ct = &cts[i];
		int64_t id = 0;

		if (!ct->dirty && !ct->have_last)
			continue;
		if (container_id(st, ct, end, &id, err) < 0 ||
		    (ct->dirty && put_usage(st, id, &ct->cur, end, err) < 0) ||
		    (ct->dirty && st->ins_queue != NULL &&
		    queue_put(st, id, ct->cur.start, err) < 0) ||
		    (ct->have_last && put_last(st, id, &ct->last, err) < 0))
			goto fail;
	}
	{
		char *sql = sqlite3_mprintf("INSERT OR REPLACE INTO meta VALUES "
		    "('last_commit', '%lld')", (long long)end);
		int r = sql ? exec(st, sql, err) :
		    aerr_set(err, ENOMEM, "ledger: out of memory");

		sqlite3_free(sql);
		if (r < 0)
			goto fail;
	}
	if (exec(st, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Compaction: the interval records of each UTC day before the cut-off
 * become one 'day' record (sums added, peaks and limits the day's
 * largest); merged into a day record already there.
 */
static const char COMPACT[] =
    "CREATE TEMP TABLE IF NOT EXISTS compact AS SELECT * FROM usage WHERE 0;"
    "DELETE FROM temp.compact;"
    "INSERT INTO temp.compact SELECT ct, (start / 86400) * 86400, max(end),"
    " 'day', sum(covered_ms), sum(cpu_usec), sum(ram_bs), sum(ram_limit_bs),"
    " sum(ram_alloc_bs), max(ram_peak), sum(swap_bs), max(swap_peak),"
    " sum(disk_bs), max(disk_peak), sum(io_rbytes), sum(io_wbytes),"
    " sum(io_rios), sum(io_wios), sum(failcnt), max(ram_limit),"
    " max(swap_limit), max(cpulimit), max(cpus), max(numproc),"
    " max(disk_soft), max(disk_hard)"
    " FROM usage WHERE kind = 'interval' AND start < :cut"
    " GROUP BY ct, start / 86400;"
    "DELETE FROM usage WHERE kind = 'interval' AND start < :cut;"
    "INSERT INTO usage SELECT * FROM temp.compact WHERE true"
    " ON CONFLICT (ct, start) DO UPDATE SET end = max(end, excluded.end),"
    " kind = 'day',"
    " covered_ms = covered_ms + excluded.covered_ms,"
    " cpu_usec = cpu_usec + excluded.cpu_usec,"
    " ram_bs = ram_bs + excluded.ram_bs,"
    " ram_limit_bs = ram_limit_bs + excluded.ram_limit_bs,"
    " ram_alloc_bs = ram_alloc_bs + excluded.ram_alloc_bs,"
    " ram_peak = max(ram_peak, excluded.ram_peak),"
    " swap_bs = swap_bs + excluded.swap_bs,"
    " swap_peak = max(swap_peak, excluded.swap_peak),"
    " disk_bs = coalesce(disk_bs + excluded.disk_bs, disk_bs, excluded.disk_bs),"
    " disk_peak = max(coalesce(disk_peak, 0), coalesce(excluded.disk_peak, 0)),"
    " io_rbytes = io_rbytes + excluded.io_rbytes,"
    " io_wbytes = io_wbytes + excluded.io_wbytes,"
    " io_rios = io_rios + excluded.io_rios,"
    " io_wios = io_wios + excluded.io_wios,"
    " failcnt = failcnt + excluded.failcnt;"
    "DELETE FROM temp.compact;";

static int
exec_bound(struct lg_store *st, const char *sql, const char *name,
    int64_t v, struct aerr *err)
{
	const char *tail = sql;

	while (*tail != '\0') {
		sqlite3_stmt *q;
		int idx, r;

		if (sqlite3_prepare_v2(st->db, tail, -1, &q, &tail) != SQLITE_OK)
			return db_error(st, err, "ledger: maintenance");
		if (q == NULL)
			break;
		if ((idx = sqlite3_bind_parameter_index(q, name)) > 0)
			sqlite3_bind_int64(q, idx, v);
		while ((r = sqlite3_step(q)) == SQLITE_ROW)
			;
		sqlite3_finalize(q);
		if (r != SQLITE_DONE)
			return db_error(st, err, "ledger: maintenance");
	}
	return 0;
}

/*
 * Records still queued for the replica are not compacted: the replica
 * holds interval records, and a queued record merged into a day record
 * would never reach it.  The cut stops at the day of the oldest one.
 */
static int64_t
compact_cut(struct lg_store *st, int64_t cut)
{
	sqlite3_stmt *q;

	if (st->ins_queue == NULL || sqlite3_prepare_v2(st->db,
	    "SELECT min(q_start) FROM replica_queue", -1, &q, NULL) != SQLITE_OK)
		return cut;
	if (sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_type(q, 0) != SQLITE_NULL) {
		int64_t oldest = sqlite3_column_int64(q, 0) / 86400 * 86400;

		if (oldest < cut)
			cut = oldest;
	}
	sqlite3_finalize(q);
	return cut;
}

int
store_maintain(struct lg_store *st, int64_t now, unsigned compact_days,
    unsigned retention_days, struct aerr *err)
{
	if (exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (compact_days > 0 && exec_bound(st, COMPACT, ":cut",
	    compact_cut(st, (now / 86400 - (int64_t)compact_days) * 86400),
	    err) < 0)
		goto fail;
	if (retention_days > 0 && (exec_bound(st, "DELETE FROM usage WHERE "
	    "end <= :cut", ":cut", now - (int64_t)retention_days * 86400,
	    err) < 0 ||
	    exec_bound(st, "DELETE FROM lastseen WHERE time_ms <= :cut * 1000;"
	    "DELETE FROM container WHERE id NOT IN (SELECT ct FROM usage) AND "
	    "id NOT IN (SELECT ct FROM lastseen)", ":cut",
	    now - (int64_t)retention_days * 86400, err) < 0))
		goto fail;
	if (exec(st, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_meta_get(struct lg_store *st, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *q;
	int r = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(buf, len, "%s", sqlite3_column_text(q, 0));
		r = 0;
	}
	sqlite3_finalize(q);
	return r;
}

/* Columns `i` .. `i` + LG_REC_NCOLS - 1 of a row (LG_REC_COLS). */
static uint64_t
col(sqlite3_stmt *q, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(q, i);

	return v < 0 ? 0 : (uint64_t)v;
}

static void
read_rec(sqlite3_stmt *q, int i, struct lg_rec *r)
{
	const unsigned char *kind = sqlite3_column_text(q, i + 2);

	memset(r, 0, sizeof(*r));
	r->start = sqlite3_column_int64(q, i);
	r->end = sqlite3_column_int64(q, i + 1);
	r->day = kind != NULL && strcmp((const char *)kind, "day") == 0;
	r->covered_ms = col(q, i + 3);
	r->cpu_usec = col(q, i + 4);
	r->ram_bs = col(q, i + 5);
	r->ram_limit_bs = col(q, i + 6);
	r->ram_alloc_bs = col(q, i + 7);
	r->ram_peak = col(q, i + 8);
	r->swap_bs = col(q, i + 9);
	r->swap_peak = col(q, i + 10);
	r->have_disk = sqlite3_column_type(q, i + 11) != SQLITE_NULL;
	r->disk_bs = col(q, i + 11);
	r->disk_peak = col(q, i + 12);
	r->io_rbytes = col(q, i + 13);
	r->io_wbytes = col(q, i + 14);
	r->io_rios = col(q, i + 15);
	r->io_wios = col(q, i + 16);
	r->failcnt = col(q, i + 17);
	r->ram_limit = col(q, i + 18);
	r->swap_limit = col(q, i + 19);
	r->cpulimit = col(q, i + 20);
	r->cpus = col(q, i + 21);
	r->numproc = col(q, i + 22);
	r->disk_soft = col(q, i + 23);
	r->disk_hard = col(q, i + 24);
}

/*
 * The records of [from, to), one range query over the index on start;
 * container names are read first, by id.
 */
int
store_records(void *src, int64_t from, int64_t to, const char *ct,
    lg_rec_fn fn, void *arg, struct aerr *err)
{
	struct lg_store *st = src;
	sqlite3_stmt *q = NULL;
	char **names = NULL;
	size_t cap = 0;
	int rc, r = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT id, name FROM container", -1,
	    &q, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(q, 0);
		const unsigned char *name = sqlite3_column_text(q, 1);

		if (id < 0 || id > 100000000) {
			aerr_set(err, EINVAL, "ledger: container id %lld out of "
			    "range", (long long)id);
			goto out;
		}
		if ((size_t)id >= cap) {
			size_t ncap = cap ? cap : 1024;

			while (ncap <= (size_t)id)
				ncap *= 2;
			names = xreallocarray(names, ncap, sizeof(*names));
			memset(names + cap, 0, (ncap - cap) * sizeof(*names));
			cap = ncap;
		}
		free(names[id]);
		names[id] = xstrdup(name ? (const char *)name : "");
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(st->db, "SELECT ct, " LG_REC_COLS " FROM usage"
	    " WHERE start >= ?1 AND start < ?2 AND (?3 IS NULL OR"
	    " ct = (SELECT id FROM container WHERE name = ?3))", -1, &q,
	    NULL) != SQLITE_OK) {
		q = NULL;
		goto fail;
	}
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	if (ct != NULL)
		sqlite3_bind_text(q, 3, ct, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(q, 0);
		struct lg_rec rec;

		read_rec(q, 1, &rec);
		if (fn(arg, NULL, id >= 0 && (size_t)id < cap && names[id] ?
		    names[id] : "", &rec) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	r = 0;
	goto out;
fail:
	aerr_set(err, EIO, "ledger: %s", sqlite3_errmsg(st->db));
out:
	sqlite3_finalize(q);
	for (size_t i = 0; i < cap; i++)
		free(names[i]);
	free(names);
	return r;
}

/*
 * The replication queue: a table of the same file, so that a record and
 * its place in the queue are written by one transaction.  It is not part
 * of the schema version: readers never look at it, and older writers
 * ignore it (they only stop queueing).
 */
int
store_replica_enable(struct lg_store *st, struct aerr *err)
{
	char since[32];

	if (st->ins_queue != NULL)
		return 0;
	if (exec(st, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS replica_queue"
	    " (seq INTEGER PRIMARY KEY AUTOINCREMENT, q_ct INTEGER NOT NULL,"
	    " q_start INTEGER NOT NULL)", err) < 0)
		goto fail;
	/* the first time: every record already there is to be copied */
	if (store_meta_get(st, "replica_since", since, sizeof(since)) < 0 &&
	    exec(st, "INSERT INTO replica_queue (q_ct, q_start) SELECT ct, start"
	    " FROM usage ORDER BY start, ct; INSERT INTO meta VALUES"
	    " ('replica_since', CAST(strftime('%s', 'now') AS TEXT))", err) < 0)
		goto fail;
	if (exec(st, "COMMIT", err) < 0)
		goto fail;
	return prepare(st, "INSERT INTO replica_queue (q_ct, q_start) VALUES"
	    " (?, ?)",
	    &st->ins_queue, err);
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_replica_batch(struct lg_store *st, size_t max, lg_rec_fn fn, void *arg,
    int64_t *last, struct aerr *err)
{
	sqlite3_stmt *q;
	int rc, n = 0;

	*last = 0;
	/* a record queued twice (written again within its interval) is
	 * sent once, with its values of now */
	if (sqlite3_prepare_v2(st->db, "SELECT q.s, c.name, " LG_REC_COLS
	    " FROM (SELECT max(seq) AS s, q_ct, q_start FROM (SELECT * FROM"
	    " replica_queue ORDER BY seq LIMIT ?) GROUP BY q_ct, q_start) q"
	    " LEFT JOIN container c ON c.id = q.q_ct"
	    " LEFT JOIN usage u ON u.ct = q.q_ct AND u.start = q.q_start"
	    " ORDER BY q.s", -1, &q, NULL) != SQLITE_OK)
		return db_error(st, err, "replication queue");
	sqlite3_bind_int64(q, 1, (sqlite3_int64)max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct lg_rec rec;

		if (sqlite3_column_int64(q, 0) > *last)
			*last = sqlite3_column_int64(q, 0);
		/* gone (retention) since it was queued: nothing to copy */
		if (sqlite3_column_type(q, 1) == SQLITE_NULL ||
		    sqlite3_column_type(q, 2) == SQLITE_NULL)
			continue;
		read_rec(q, 2, &rec);
		if (fn(arg, NULL, (const char *)sqlite3_column_text(q, 1),
		    &rec) < 0) {
			sqlite3_finalize(q);
			return -1;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_error(st, err, "replication queue");
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	return *last == 0 ? 0 : n > 0 ? n : 1;
}

int
store_replica_ack(struct lg_store *st, int64_t last, struct aerr *err)
{
	char *sql = sqlite3_mprintf("BEGIN IMMEDIATE; DELETE FROM replica_queue"
	    " WHERE seq <= %lld; INSERT OR REPLACE INTO meta VALUES"
	    " ('replica_cursor', '%lld'); COMMIT", (long long)last,
	    (long long)last);
	int r;

	if (sql == NULL)
		return aerr_set(err, ENOMEM, "ledger: out of memory");
	r = exec(st, sql, err);
	sqlite3_free(sql);
	if (r < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int64_t
store_replica_pending(struct lg_store *st)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM replica_queue",
	    -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}
