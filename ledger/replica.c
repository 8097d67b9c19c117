/* SPDX-License-Identifier: ISC */
/*
 * The ledger's copy on PostgreSQL (docs/fleet.md), through libpq: the
 * schema (made by its owner with accountd-ledger --init-replica), the
 * writer's replication step and the fleet bill's record source.
 *
 * The local SQLite file stays the durable buffer.  Every commit queues
 * its records in that file (store.c); a step here reads the oldest queued
 * records with their current values, writes them in one PostgreSQL
 * transaction as upserts keyed by (host, container, start) that set the
 * absolute values, and only after that COMMIT drops them from the queue.
 * A crash between the two sends them again, and the upsert makes the
 * second copy land on the first: nothing is lost, nothing counted twice.
 *
 * Every call is bounded: connect_timeout, statement_timeout,
 * lock_timeout and tcp_user_timeout, so a database that is slow or gone
 * stalls the writer a few seconds at most, after its local commit.
 * The password is read from a file (or libpq's PGPASSFILE); a password
 * in the URI, which would sit on a command line, is refused.
 */
#include "config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger.h"
#include "xalloc.h"

#define REPLICA_SCHEMA_VERSION	1
#define MONTHS_KNOWN		64

struct lg_replica {
	char		*uri, *host, *password;
	PGconn		*conn;
	int64_t		 months[MONTHS_KNOWN];	/* partitions known to exist */
	size_t		 nmonths;
};

static const char SCHEMA[] =
    "CREATE SCHEMA IF NOT EXISTS ledger;\n"
    "CREATE TABLE IF NOT EXISTS ledger.schema_version (\n"
    "  version integer PRIMARY KEY,\n"
    "  applied timestamptz NOT NULL DEFAULT now());\n"
    "CREATE TABLE IF NOT EXISTS ledger.host (\n"
    "  host text PRIMARY KEY,\n"
    "  first_seen timestamptz NOT NULL DEFAULT now(),\n"
    "  last_seen timestamptz NOT NULL DEFAULT now(),\n"
    "  last_end bigint NOT NULL DEFAULT 0);\n"
    "CREATE TABLE IF NOT EXISTS ledger.usage (\n"
    "  host text NOT NULL,\n"
    "  container text NOT NULL,\n"
    "  start bigint NOT NULL,\n"
    "  \"end\" bigint NOT NULL,\n"
    "  kind text NOT NULL,\n"
    "  covered_ms bigint NOT NULL,\n"
    "  cpu_usec bigint NOT NULL,\n"
    "  ram_bs bigint NOT NULL,\n"
    "  ram_limit_bs bigint NOT NULL,\n"
    "  ram_alloc_bs bigint NOT NULL,\n"
    "  ram_peak bigint NOT NULL,\n"
    "  swap_bs bigint NOT NULL,\n"
    "  swap_peak bigint NOT NULL,\n"
    "  disk_bs bigint,\n"
    "  disk_peak bigint,\n"
    "  io_rbytes bigint NOT NULL,\n"
    "  io_wbytes bigint NOT NULL,\n"
    "  io_rios bigint NOT NULL,\n"
    "  io_wios bigint NOT NULL,\n"
    "  failcnt bigint NOT NULL,\n"
    "  ram_limit bigint,\n"
    "  swap_limit bigint,\n"
    "  cpulimit bigint,\n"
    "  cpus bigint,\n"
    "  numproc bigint,\n"
    "  disk_soft bigint,\n"
    "  disk_hard bigint,\n"
    "  PRIMARY KEY (host, container, start)\n"
    ") PARTITION BY RANGE (start);\n"
    "CREATE INDEX IF NOT EXISTS usage_start ON ledger.usage (start);\n"
    /* the month's partition, made on demand by the writer, which may not
     * create tables: this function runs with its owner's rights */
    "CREATE OR REPLACE FUNCTION ledger.ensure_partition(t bigint)\n"
    "RETURNS void LANGUAGE plpgsql SECURITY DEFINER\n"
    "SET search_path = ledger, pg_temp AS $f$\n"
    "DECLARE\n"
    "  m timestamp := date_trunc('month', to_timestamp(t) AT TIME ZONE 'UTC');\n"
    "  part text := 'usage_' || to_char(m, 'YYYYMM');\n"
    "BEGIN\n"
    "  IF to_regclass('ledger.' || part) IS NOT NULL THEN RETURN; END IF;\n"
    "  EXECUTE format('CREATE TABLE IF NOT EXISTS ledger.%I PARTITION OF "
    "ledger.usage FOR VALUES FROM (%s) TO (%s)', part,\n"
    "    extract(epoch FROM m AT TIME ZONE 'UTC')::bigint,\n"
    "    extract(epoch FROM (m + interval '1 month') AT TIME ZONE 'UTC')::bigint);\n"
    "EXCEPTION WHEN duplicate_table OR unique_violation THEN\n"
    "  NULL;	-- made by another writer meanwhile\n"
    "END $f$;\n"
    "REVOKE ALL ON FUNCTION ledger.ensure_partition(bigint) FROM PUBLIC;\n"
    "INSERT INTO ledger.schema_version (version) VALUES (1)\n"
    "  ON CONFLICT DO NOTHING;\n";

static void
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' '))
		s[--n] = '\0';
}

/* libpq's message, one line, in the error */
static int
pq_error(struct aerr *err, int e, const char *what, const char *msg)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", msg ? msg : "unknown error");
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	trim(buf);
	return aerr_set(err, e, "%s: %s", what, buf);
}

static int
check_uri(const char *uri, struct aerr *err)
{
	char *msg = NULL;
	PQconninfoOption *o;
	int r = 0;

	if (!replica_is_uri(uri))
		return aerr_set(err, EINVAL, "bad replica '%s' (accepted: a "
		    "postgresql:// URI)", uri);
	if ((o = PQconninfoParse(uri, &msg)) == NULL) {
		r = pq_error(err, EINVAL, "bad replica URI", msg);
		PQfreemem(msg);
		return r;
	}
	for (PQconninfoOption *p = o; p->keyword != NULL; p++)
		if (strcmp(p->keyword, "password") == 0 && p->val != NULL)
			r = aerr_set(err, EINVAL, "the replica URI holds a "
			    "password, which would show on command lines: "
			    "put it in a password file (ledger_replica_"
			    "password_file) or PGPASSFILE");
	PQconninfoFree(o);
	return r;
}

static int
read_password(const char *path, char **out, struct aerr *err)
{
	char buf[512];
	FILE *f;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return 0;
	if ((f = fopen(path, "re")) == NULL)
		return aerr_set(err, errno, "cannot read the password file "
		    "%s: %s", path, strerror(errno));
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	trim(buf);
	if (buf[0] == '\0')
		return aerr_set(err, EINVAL, "the password file %s is empty",
		    path);
	*out = xstrdup(buf);
	return 0;
}

/* a connection with every wait bounded; caller PQfinish()es */
static PGconn *
pq_connect(const char *uri, const char *password, struct aerr *err)
{
	const char *kw[] = { "dbname", "connect_timeout", "options",
	    "tcp_user_timeout", "keepalives", "keepalives_idle",
	    "application_name", "password", NULL };
	const char *val[] = { uri, "5", "-c statement_timeout=10000 "
	    "-c lock_timeout=5000 -c idle_in_transaction_session_timeout=60000",
	    "10000", "1", "10", "accountd-ledger", password, NULL };
	PGconn *c;

	if (password == NULL)
		kw[7] = NULL;
	c = PQconnectdbParams(kw, val, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		pq_error(err, ECONNREFUSED, "cannot connect to the replica",
		    c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* a statement without rows; <0 with the error */
static int
pq_exec(PGconn *c, const char *sql, const char *what, struct aerr *err)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(res);
	int r = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		r = pq_error(err, EIO, what, PQresultErrorMessage(res));
	PQclear(res);
	return r;
}

static int
schema_version(PGconn *c, struct aerr *err)
{
	PGresult *res = PQexec(c, "SELECT max(version) FROM "
	    "ledger.schema_version");
	int v = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		/* 42P01 undefined_table, 3F000 invalid_schema_name */
		if (state != NULL && (strcmp(state, "42P01") == 0 ||
		    strcmp(state, "3F000") == 0))
			v = 0;
		else
			v = pq_error(err, EIO, "replica schema version",
			    PQresultErrorMessage(res));
	} else if (!PQgetisnull(res, 0, 0))
		v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

int
replica_init(const char *uri, const char *password_file,
    const char *writer_role, const char *reader_role, struct aerr *err)
{
	char *password = NULL, *sql;
	PGconn *c;
	int v, r = -1;

	if (check_uri(uri, err) < 0 || read_password(password_file, &password,
	    err) < 0)
		return -1;
	if ((c = pq_connect(uri, password, err)) == NULL)
		goto out;
	if ((v = schema_version(c, err)) < 0)
		goto out;
	if (v > REPLICA_SCHEMA_VERSION) {
		aerr_set(err, EINVAL, "the replica's schema version %d is newer "
		    "than this program's (%d)", v, REPLICA_SCHEMA_VERSION);
		goto out;
	}
	if (pq_exec(c, "SET client_min_messages = warning", "set", err) < 0 ||
	    pq_exec(c, "BEGIN", "begin", err) < 0 ||
	    pq_exec(c, SCHEMA, "cannot make the replica's schema", err) < 0)
		goto out;
	for (int i = 0; i < 2; i++) {
		const char *role = i == 0 ? writer_role : reader_role;
		char *id;

		if (role == NULL)
			continue;
		if ((id = PQescapeIdentifier(c, role, strlen(role))) == NULL) {
			pq_error(err, EINVAL, "bad role", PQerrorMessage(c));
			goto out;
		}
		sql = i == 0 ? xasprintf("GRANT USAGE ON SCHEMA ledger TO %s;"
		    "GRANT SELECT, INSERT, UPDATE ON ledger.usage, ledger.host "
		    "TO %s; GRANT SELECT ON ledger.schema_version TO %s;"
		    "GRANT EXECUTE ON FUNCTION ledger.ensure_partition(bigint) "
		    "TO %s", id, id, id, id) :
		    xasprintf("GRANT USAGE ON SCHEMA ledger TO %s;"
		    "GRANT SELECT ON ledger.usage, ledger.host, "
		    "ledger.schema_version TO %s", id, id);
		PQfreemem(id);
		r = pq_exec(c, sql, "cannot grant", err);
		free(sql);
		if (r < 0)
			goto out;
		r = -1;
	}
	if (pq_exec(c, "COMMIT", "commit", err) < 0)
		goto out;
	r = 0;
out:
	PQfinish(c);
	free(password);
	return r;
}

/* The host id: [A-Za-z0-9._-], 1 to 64 characters. */
static int
check_host(const char *s, struct aerr *err)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return aerr_set(err, EINVAL, "bad host id '%s' (accepted: 1 to "
		    "64 of A-Z a-z 0-9 . _ -)", s);
	return 0;
}

struct lg_replica *
replica_new(const char *uri, const char *host_id, const char *password_file,
    struct aerr *err)
{
	struct lg_replica *rp;
	char buf[128] = "";

	if (check_uri(uri, err) < 0)
		return NULL;
	if (host_id == NULL || *host_id == '\0') {
		FILE *f = fopen("/etc/machine-id", "re");

		if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
			aerr_set(err, ENOENT, "no host id: /etc/machine-id "
			    "cannot be read; set ledger_host_id");
			if (f != NULL)
				fclose(f);
			return NULL;
		}
		fclose(f);
		trim(buf);
		host_id = buf;
	}
	if (check_host(host_id, err) < 0)
		return NULL;
	rp = xcalloc(1, sizeof(*rp));
	if (read_password(password_file, &rp->password, err) < 0) {
		free(rp);
		return NULL;
	}
	rp->uri = xstrdup(uri);
	rp->host = xstrdup(host_id);
	return rp;
}

void
replica_free(struct lg_replica *rp)
{
	if (rp == NULL)
		return;
	PQfinish(rp->conn);
	free(rp->uri);
	free(rp->host);
	if (rp->password != NULL)
		explicit_bzero(rp->password, strlen(rp->password));
	free(rp->password);
	free(rp);
}

/* The batch as SQL text: one multi-row upsert. */
struct batch {
	struct lg_replica *rp;
	const char	*host;		/* its SQL literal */
	char		*sql;
	size_t		 len, cap;
	size_t		 n;
	int64_t		 months[MONTHS_KNOWN];
	size_t		 nmonths;
	int64_t		 last_end;
	bool		 oom;
};

static void
put(struct batch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct batch *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->sql + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 1;
		b->sql = xreallocarray(b->sql, b->cap, 1);
	}
	b->len += (size_t)n;
}

static int64_t
month_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm);
}

static void
put_opt(struct batch *b, uint64_t v)
{
	if (v == 0)
		put(b, ",NULL");
	else
		put(b, ",%lld", (long long)(v > INT64_MAX ? INT64_MAX : v));
}

static void
put_num(struct batch *b, uint64_t v)
{
	put(b, ",%lld", (long long)(v > INT64_MAX ? INT64_MAX : v));
}

static int
add_row(void *arg, const char *host, const char *ct, const struct lg_rec *r)
{
	struct batch *b = arg;
	char *name = PQescapeLiteral(b->rp->conn, ct, strlen(ct));
	int64_t m = month_of(r->start);
	size_t i;

	(void)host;
	if (name == NULL) {
		b->oom = true;
		return -1;
	}
	for (i = 0; i < b->nmonths && b->months[i] != m; i++)
		;
	if (i == b->nmonths && i < MONTHS_KNOWN)
		b->months[b->nmonths++] = m;
	if (r->end > b->last_end)
		b->last_end = r->end;
	put(b, "%s(%s,%s,%lld,%lld,'%s'", b->n ? ",\n" : "", b->host, name,
	    (long long)r->start, (long long)r->end, r->day ? "day" :
	    "interval");
	PQfreemem(name);
	put_num(b, r->covered_ms);
	put_num(b, r->cpu_usec);
	put_num(b, r->ram_bs);
	put_num(b, r->ram_limit_bs);
	put_num(b, r->ram_alloc_bs);
	put_num(b, r->ram_peak);
	put_num(b, r->swap_bs);
	put_num(b, r->swap_peak);
	if (r->have_disk) {
		put_num(b, r->disk_bs);
		put_num(b, r->disk_peak);
	} else
		put(b, ",NULL,NULL");
	put_num(b, r->io_rbytes);
	put_num(b, r->io_wbytes);
	put_num(b, r->io_rios);
	put_num(b, r->io_wios);
	put_num(b, r->failcnt);
	put_opt(b, r->ram_limit);
	put_opt(b, r->swap_limit);
	put_opt(b, r->cpulimit);
	put_opt(b, r->cpus);
	put_opt(b, r->numproc);
	put_opt(b, r->disk_soft);
	put_opt(b, r->disk_hard);
	put(b, ")");
	b->n++;
	return 0;
}

/* every column of a record but the key takes the value sent */
static void
put_update(struct batch *b)
{
	const char *cols = LG_REC_COLS;
	bool first = true;

	put(b, " ON CONFLICT (host, container, start) DO UPDATE SET ");
	while (*cols) {
		size_t n = strcspn(cols, ",");

		if (n != 5 || strncmp(cols, "start", n) != 0) {
			put(b, "%s%.*s = EXCLUDED.%.*s", first ? "" : ", ",
			    (int)n, cols, (int)n, cols);
			first = false;
		}
		cols += n;
		cols += strspn(cols, ", ");
	}
}

static bool
month_known(struct lg_replica *rp, int64_t m)
{
	for (size_t i = 0; i < rp->nmonths; i++)
		if (rp->months[i] == m)
			return true;
	return false;
}

int
replica_step(struct lg_replica *rp, struct lg_store *st, size_t max,
    struct aerr *err)
{
	struct batch b = { .rp = rp };
	char *host = NULL, *sql;
	int64_t last;
	int n, v;

	if (rp->conn != NULL && PQstatus(rp->conn) != CONNECTION_OK) {
		PQfinish(rp->conn);
		rp->conn = NULL;
	}
	if (rp->conn == NULL) {
		if ((rp->conn = pq_connect(rp->uri, rp->password, err)) == NULL)
			return -1;
		rp->nmonths = 0;
		if ((v = schema_version(rp->conn, err)) < 0)
			goto fail;
		if (v != REPLICA_SCHEMA_VERSION) {
			aerr_set(err, EINVAL, "the replica's schema version is %d,"
			    " this program writes %d%s", v,
			    REPLICA_SCHEMA_VERSION, v == 0 ? ": make it with "
			    "accountd-ledger --init-replica as its owner" : "");
			goto fail;
		}
	}
	host = PQescapeLiteral(rp->conn, rp->host, strlen(rp->host));
	if (host == NULL) {
		pq_error(err, ENOMEM, "replica", PQerrorMessage(rp->conn));
		goto fail;
	}
	/* plain VALUES: typed by the columns they go to, NULLs too */
	b.host = host;
	b.cap = 65536;
	b.sql = xmalloc(b.cap);
	put(&b, "INSERT INTO ledger.usage (host, container, " LG_REC_COLS
	    ") VALUES\n");
	if ((n = store_replica_batch(st, max, add_row, &b, &last, err)) < 0) {
		if (b.oom)
			aerr_set(err, ENOMEM, "replica: out of memory");
		goto fail_keep;
	}
	if (last == 0) {
		free(b.sql);
		PQfreemem(host);
		return 0;
	}
	if (pq_exec(rp->conn, "BEGIN", "replica begin", err) < 0)
		goto fail;
	for (size_t i = 0; i < b.nmonths; i++) {
		if (month_known(rp, b.months[i]))
			continue;
		sql = xasprintf("SELECT ledger.ensure_partition(%lld)",
		    (long long)b.months[i]);
		v = pq_exec(rp->conn, sql, "replica partition", err);
		free(sql);
		if (v < 0)
			goto fail;
	}
	if (b.n > 0) {
		put_update(&b);
		if (pq_exec(rp->conn, b.sql, "cannot write the replica", err) < 0)
			goto fail;
	}
	sql = xasprintf("INSERT INTO ledger.host (host, last_end) VALUES "
	    "(%s, %lld) ON CONFLICT (host) DO UPDATE SET last_seen = now(), "
	    "last_end = greatest(ledger.host.last_end, EXCLUDED.last_end)",
	    host, (long long)b.last_end);
	v = pq_exec(rp->conn, sql, "cannot write the replica", err);
	free(sql);
	if (v < 0 || pq_exec(rp->conn, "COMMIT", "replica commit", err) < 0)
		goto fail;
	for (size_t i = 0; i < b.nmonths; i++)
		if (!month_known(rp, b.months[i]) && rp->nmonths < MONTHS_KNOWN)
			rp->months[rp->nmonths++] = b.months[i];
	free(b.sql);
	PQfreemem(host);
	/* in the database: out of the queue (a failure here sends the
	 * batch again, onto itself) */
	if (store_replica_ack(st, last, err) < 0)
		return -1;
	return n;
fail:
	/* a new connection at the next try: no transaction left open */
	PQfinish(rp->conn);
	rp->conn = NULL;
fail_keep:
	free(b.sql);
	if (host != NULL)
		PQfreemem(host);
	return -1;
}

/* COPY text: \N is NULL; backslash escapes in text fields */
static char *
unescape(char *s)
{
	char *o = s, *r = s;

	for (; *s; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' :
		    *s;
	}
	*o = '\0';
	return r;
}

static uint64_t
num(const char *s, bool *null)
{
	long long v;

	if (strcmp(s, "\\N") == 0) {
		if (null != NULL)
			*null = true;
		return 0;
	}
	v = strtoll(s, NULL, 10);
	return v < 0 ? 0 : (uint64_t)v;
}

/* One COPY line: host, container, then LG_REC_COLS. */
static int
parse_line(char *line, lg_rec_fn fn, void *arg, struct aerr *err)
{
	char *f[LG_REC_NCOLS + 2];
	struct lg_rec r;
	size_t i = 0;
	bool nodisk = false;

	for (char *p = line; i < LG_REC_NCOLS + 2; i++) {
		f[i] = p;
		if ((p = strchr(p, '\t')) == NULL) {
			i++;
			break;
		}
		*p++ = '\0';
	}
	if (i != LG_REC_NCOLS + 2)
		return aerr_set(err, EIO, "replica: a row of %zu fields", i);
	memset(&r, 0, sizeof(r));
	r.start = (int64_t)num(f[2], NULL);
	r.end = (int64_t)num(f[3], NULL);
	r.day = strcmp(f[4], "day") == 0;
	r.covered_ms = num(f[5], NULL);
	r.cpu_usec = num(f[6], NULL);
	r.ram_bs = num(f[7], NULL);
	r.ram_limit_bs = num(f[8], NULL);
	r.ram_alloc_bs = num(f[9], NULL);
	r.ram_peak = num(f[10], NULL);
	r.swap_bs = num(f[11], NULL);
	r.swap_peak = num(f[12], NULL);
	r.disk_bs = num(f[13], &nodisk);
	r.have_disk = !nodisk;
	r.disk_peak = num(f[14], NULL);
	r.io_rbytes = num(f[15], NULL);
	r.io_wbytes = num(f[16], NULL);
	r.io_rios = num(f[17], NULL);
	r.io_wios = num(f[18], NULL);
	r.failcnt = num(f[19], NULL);
	r.ram_limit = num(f[20], NULL);
	r.swap_limit = num(f[21], NULL);
	r.cpulimit = num(f[22], NULL);
	r.cpus = num(f[23], NULL);
	r.numproc = num(f[24], NULL);
	r.disk_soft = num(f[25], NULL);
	r.disk_hard = num(f[26], NULL);
	return fn(arg, unescape(f[0]), unescape(f[1]), &r);
}

/*
 * The records of [from, to) from every host (or the named ones): one
 * COPY of a range query, which the partitions by month and the index on
 * start serve; added up by the caller as on one host.
 */
int
fleet_records(void *src, int64_t from, int64_t to, const char *ct,
    lg_rec_fn fn, void *arg, struct aerr *err)
{
	const struct fleet_query *fq = src;
	struct batch b = { 0 };
	PGconn *c;
	PGresult *res;
	char *buf, *lit;
	int n, r = -1, v;

	if (check_uri(fq->uri, err) < 0 ||
	    (c = pq_connect(fq->uri, NULL, err)) == NULL)
		return -1;
	if ((v = schema_version(c, err)) < 0)
		goto out;
	if (v != REPLICA_SCHEMA_VERSION) {
		aerr_set(err, EINVAL, "%s: no fleet ledger there (schema "
		    "version %d, this program reads %d)", fq->uri, v,
		    REPLICA_SCHEMA_VERSION);
		goto out;
	}
	b.cap = 1024;
	b.sql = xmalloc(b.cap);
	put(&b, "COPY (SELECT host, container, " LG_REC_COLS " FROM "
	    "ledger.usage WHERE start >= %lld AND start < %lld", (long long)from,
	    (long long)to);
	if (ct != NULL) {
		if ((lit = PQescapeLiteral(c, ct, strlen(ct))) == NULL)
			goto oom;
		put(&b, " AND container = %s", lit);
		PQfreemem(lit);
	}
	for (size_t i = 0; fq->hosts != NULL && fq->hosts[i] != NULL; i++) {
		if ((lit = PQescapeLiteral(c, fq->hosts[i],
		    strlen(fq->hosts[i]))) == NULL)
			goto oom;
		put(&b, "%s%s", i == 0 ? " AND host IN (" : ", ", lit);
		PQfreemem(lit);
		if (fq->hosts[i + 1] == NULL)
			put(&b, ")");
	}
	put(&b, ") TO STDOUT");
	res = PQexec(c, b.sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		pq_error(err, EIO, "fleet ledger", PQresultErrorMessage(res));
		PQclear(res);
		goto out;
	}
	PQclear(res);
	while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
		if (n > 0 && buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		v = parse_line(buf, fn, arg, err);
		PQfreemem(buf);
		if (v < 0) {
			/* drain: the connection goes anyway */
			goto out;
		}
	}
	if (n == -2) {
		pq_error(err, EIO, "fleet ledger", PQerrorMessage(c));
		goto out;
	}
	res = PQgetResult(c);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pq_error(err, EIO, "fleet ledger", PQresultErrorMessage(res));
		PQclear(res);
		goto out;
	}
	PQclear(res);
	r = 0;
	goto out;
oom:
	pq_error(err, ENOMEM, "fleet ledger", PQerrorMessage(c));
out:
	free(b.sql);
	PQfinish(c);
	return r;
}
