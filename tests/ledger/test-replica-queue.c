/* SPDX-License-Identifier: ISC */
/*
 * Unit tests (TAP) of the replication queue in the ledger file
 * (ledger/store.c, docs/fleet.md), without a database: the first enable
 * queues the records already there, each commit queues what it wrote in
 * the same transaction, a batch gives the records with their values of
 * now in queue order and a record queued twice once, the ack drops the
 * queue up to its position, and compaction leaves queued records alone
 * (they would never reach the replica) but not the others.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "../tap.h"

static int64_t
scalar(struct lg_store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

struct seen {
	size_t		n;
	int64_t		start[64];
	uint64_t	cpu[64];
	char		name[64][16];
};

static int
take(void *arg, const char *host, const char *ct, const struct lg_rec *r)
{
	struct seen *s = arg;

	if (host != NULL || s->n == 64)
		return -1;
	s->start[s->n] = r->start;
	s->cpu[s->n] = r->cpu_usec;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", ct);
	s->n++;
	return 0;
}

static void
commit_hour(struct lg_store *st, struct lg_ct *ct, int64_t start,
    uint64_t cpu, struct aerr *err)
{
	lg_reset_usage(&ct->cur, start);
	ct->dirty = true;
	ct->cur.cpu_usec = cpu;
	ct->cur.covered_ms = 3600000;
	ok(store_commit(st, ct, 1, start + 3600, err) == 0, "commit %lld: %s",
	    (long long)start, err->msg);
}

int
main(void)
{
	char dir[] = "/tmp/test-replica-queue.XXXXXX", path[64];
	int64_t day = 1793491200;	/* 2026-11-01 */
	struct lg_store *st;
	struct aerr err = { 0 };
	struct lg_ct ct;
	struct seen s;
	int64_t last;
	int n;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/l.db", dir);
	st = store_open(path, true, &err);
	ok(st != NULL, "create a ledger: %s", err.msg);
	if (st == NULL)
		return 1;
	memset(&ct, 0, sizeof(ct));
	snprintf(ct.name, sizeof(ct.name), "web");
	/* two records before replication is enabled */
	commit_hour(st, &ct, day, 10, &err);
	commit_hour(st, &ct, day + 3600, 20, &err);
	ok(store_replica_enable(st, &err) == 0, "enable: %s", err.msg);
	ok(scalar(st, "SELECT count(*) FROM replica_queue") == 2,
	    "the first enable queues the records already there");
	ok(store_replica_enable(st, &err) == 0, "enable again");
	ok(store_replica_pending(st) == 2, "and not twice");
	/* one more, and the second hour written again (a longer record of
	 * the same start: its values of now go, once) */
	commit_hour(st, &ct, day + 7200, 30, &err);
	commit_hour(st, &ct, day + 3600, 5, &err);
	ok(store_replica_pending(st) == 4, "each commit queues what it wrote");
	memset(&s, 0, sizeof(s));
	n = store_replica_batch(st, 100, take, &s, &last, &err);
	ok(n == 3 && s.n == 3, "a batch: three records (%d)", n);
	ok(s.start[0] == day && s.start[1] == day + 7200 &&
	    s.start[2] == day + 3600, "in queue order, the twice-queued one "
	    "at its last place");
	ok(s.cpu[2] == 25, "with its values of now (%llu)",
	    (unsigned long long)s.cpu[2]);
	ok(strcmp(s.name[0], "web") == 0, "named");
	memset(&s, 0, sizeof(s));
	n = store_replica_batch(st, 2, take, &s, &last, &err);
	ok(n == 2 && s.start[0] == day && s.start[1] == day + 3600,
	    "a batch of 2: the oldest two queue rows");
	ok(store_replica_ack(st, last, &err) == 0, "ack: %s", err.msg);
	ok(store_replica_pending(st) == 2, "the ack drops what was given");
	/* compaction three days later: the day holds queued records, so it
	 * stays hourly; once acknowledged it is compacted */
	ok(store_maintain(st, day + 3 * 86400, 1, 0, &err) == 0,
	    "maintain: %s", err.msg);
	ok(scalar(st, "SELECT count(*) FROM usage WHERE kind = 'interval'") == 3,
	    "queued records are not compacted");
	memset(&s, 0, sizeof(s));
	n = store_replica_batch(st, 100, take, &s, &last, &err);
	ok(n == 2 && store_replica_ack(st, last, &err) == 0 &&
	    store_replica_pending(st) == 0, "the rest given and acknowledged");
	ok(store_maintain(st, day + 3 * 86400, 1, 0, &err) == 0,
	    "maintain: %s", err.msg);
	ok(scalar(st, "SELECT count(*) FROM usage") == 1 &&
	    scalar(st, "SELECT sum(cpu_usec) FROM usage") == 65,
	    "then compacted into one day record, sums kept");
	memset(&s, 0, sizeof(s));
	ok(store_replica_batch(st, 100, take, &s, &last, &err) == 0 &&
	    last == 0, "an empty queue gives nothing");
	ok(scalar(st, "SELECT value FROM meta WHERE key = 'replica_cursor'") > 0,
	    "the cursor is noted");
	store_close(st);
	unlink(path);
	rmdir(dir);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
