/* SPDX-License-Identifier: ISC */
/*
 * The billing ledger (docs/billing.md): per container and per interval,
 * what it used, in a SQLite file written by accountd-ledger and read by
 * `acctctl bill`.
 *
 *   accum.c	pure: fold one snapshot round into a container's interval
 *		record (counter deltas with the reset rules, byte-time
 *		integrals, peaks); no I/O
 *   store.c	the SQLite file: schema and its version, one transaction
 *		per interval (records and last-seen counters together),
 *		compaction and retention, the read-only open of acctctl
 *   rates.c	pure: the rates file parser and the charge arithmetic
 *   report.c	acctctl bill: totals per container (and host, on the
 *		fleet) added up from a source of records, charges,
 *		text/CSV/JSON; raw export (CSV, JSON lines)
 *   replica.c	the copy on PostgreSQL (docs/fleet.md): its schema, the
 *		writer's replication step, the fleet bill's record source
 *
 * Units everywhere: bytes, microseconds, byte-seconds; times are Unix
 * seconds (UTC) in the file and ISO 8601 UTC when printed.  Money is
 * fixed point in nano-units of the currency (int64 rates, 128-bit
 * products), never float.
 */
#ifndef ACCT_LEDGER_H
#define ACCT_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "snapshot.h"

#define LEDGER_SCHEMA_VERSION	1
/* a container found running within this long of accountd's start was
 * there before (adopted), not started: see lg_fold() */
#define LEDGER_ADOPT_MS		60000
/* a longer gap between two samples is integrated as this long */
#define LEDGER_GAP_MS		60000

/* Cumulative counters as last seen; stored in the lastseen table. */
struct lg_counters {
	uint64_t	time_ms;	/* the snapshot round's wall clock */
	uint64_t	since_ms;	/* the container's "running since" */
	uint64_t	gen;		/* the cgroup's identity, 0: unknown */
	uint64_t	cpu_usec;
	uint64_t	io_rbytes, io_wbytes, io_rios, io_wios;
	uint64_t	failcnt;	/* sum over the beancounter rows */
	uint64_t	ram_maxheld;	/* bytes; in memory only */
	uint64_t	ram_held, swap_held; /* bytes; in memory only */
};

/* One record: what a container used in [start, end). */
struct lg_usage {
	int64_t		start, end;	/* Unix s */
	uint64_t	covered_ms;	/* time it was seen running */
	uint64_t	cpu_usec;
	unsigned __int128 ram_bms;	/* byte-milliseconds of RAM held */
	unsigned __int128 ram_limit_bms; /* of the limit (held if none) */
	unsigned __int128 ram_alloc_bms; /* of max(limit, held) */
	unsigned __int128 swap_bms, disk_bms;
	uint64_t	ram_peak, swap_peak, disk_peak;
	uint64_t	io_rbytes, io_wbytes, io_rios, io_wios;
	uint64_t	failcnt;	/* increases */
	bool		have_disk;
	/* limits in force at the last sample (0: none or unlimited) */
	uint64_t	ram_limit, swap_limit, cpulimit, cpus, numproc;
	uint64_t	disk_soft, disk_hard;
};

/* A container as the ledger follows it (accountd-ledger's memory). */
struct lg_ct {
	char		name[64];
	char		cgroup[192];
	bool		have_last;	/* `last` is valid */
	bool		seen;		/* in the latest round */
	bool		dirty;		/* cur holds something to write */
	uint64_t	not_before_ms;	/* the ledger file's birth: a container
					 * started before it is a baseline */
	struct lg_counters last;
	struct lg_usage	cur;
};

/* accum.c */
uint64_t lg_delta(uint64_t cur, uint64_t last, bool reset);
/* Rows of pages are converted by snap_value() (the snapshot's 4 KiB
 * page, never the host's). */
void	lg_fold(struct lg_ct *, const struct snap_header *,
	    const struct snap_ct *, bool fresh);
void	lg_take(struct lg_ct *, const struct snap_ct *, struct lg_counters *);
void	lg_reset_usage(struct lg_usage *, int64_t start);

/* A stored record as the bill and the replica read it. */
struct lg_rec {
	int64_t		start, end;	/* Unix s */
	bool		day;		/* kind 'day' (compacted) */
	bool		have_disk;
	uint64_t	covered_ms, cpu_usec;
	uint64_t	ram_bs, ram_limit_bs, ram_alloc_bs, ram_peak;
	uint64_t	swap_bs, swap_peak, disk_bs, disk_peak;
	uint64_t	io_rbytes, io_wbytes, io_rios, io_wios, failcnt;
	/* limits in force at the end, 0: none */
	uint64_t	ram_limit, swap_limit, cpulimit, cpus, numproc;
	uint64_t	disk_soft, disk_hard;
};

/* the columns of a record, in lg_rec order, in both SQL dialects */
#define LG_REC_COLS \
	"start, \"end\", kind, covered_ms, cpu_usec, ram_bs, ram_limit_bs," \
	" ram_alloc_bs, ram_peak, swap_bs, swap_peak, disk_bs, disk_peak," \
	" io_rbytes, io_wbytes, io_rios, io_wios, failcnt, ram_limit," \
	" swap_limit, cpulimit, cpus, numproc, disk_soft, disk_hard"
#define LG_REC_NCOLS	25

/* store.c */
struct lg_store;
struct lg_store *store_open(const char *path, bool writable,
	    struct aerr *);		/* caller closes */
void	store_close(struct lg_store *);
void	*store_db(struct lg_store *);	/* the sqlite3 handle, borrowed */
/* last-seen counters of a container; 1 found, 0 none, <0 error */
int	store_lastseen(struct lg_store *, const char *name,
	    struct lg_counters *, struct aerr *);
/* One transaction: every dirty container's record and every followed
 * container's last-seen counters. */
int	store_commit(struct lg_store *, struct lg_ct *cts, size_t n,
	    int64_t end, struct aerr *);
/* Hourly records older than compact_days become one per UTC day;
 * records older than retention_days go (0: never, for either). */
int	store_maintain(struct lg_store *, int64_t now, unsigned compact_days,
	    unsigned retention_days, struct aerr *);
int	store_meta_get(struct lg_store *, const char *key, char *buf,
	    size_t len);
/*
 * The replication queue (docs/fleet.md): once enabled, every commit also
 * queues the (container, start) of each record it wrote, in the same
 * transaction; the first enable queues every record already there.
 * store_replica_batch() calls `fn` for up to `max` queued records in
 * queue order with their current values and returns how many it gave
 * (<0 error) and in *last the highest queue position given;
 * store_replica_ack() drops the queue up to it.
 */
int	store_replica_enable(struct lg_store *, struct aerr *);
typedef int (*lg_rec_fn)(void *arg, const char *host, const char *ct,
	    const struct lg_rec *);
int	store_replica_batch(struct lg_store *, size_t max, lg_rec_fn fn,
	    void *arg, int64_t *last, struct aerr *);
int	store_replica_ack(struct lg_store *, int64_t last, struct aerr *);
int64_t	store_replica_pending(struct lg_store *);
/* the local bill's record source (bill_source_fn; `src` the store) */
int	store_records(void *src, int64_t from, int64_t to, const char *ct,
	    lg_rec_fn fn, void *arg, struct aerr *);

/* rates.c */
enum ram_basis { RAM_AVERAGE, RAM_LIMIT, RAM_MAX };
enum cpu_basis { CPU_USAGE, CPU_LIMIT, CPU_MAX };
struct rates {
	char		currency[16];
	int64_t		cpu_hour;	/* nano-units per ... */
	int64_t		ram_gib_hour;
	int64_t		swap_gib_hour;
	int64_t		disk_gib_hour;
	int64_t		io_gib;
	int64_t		io_mops;
	enum ram_basis	ram_basis;
	enum cpu_basis	cpu_basis;
};
void	rates_defaults(struct rates *);
int	rates_parse(const char *name, const char *text, struct rates *,
	    struct aerr *);
int	rates_load(const char *path, struct rates *, struct aerr *);
void	rates_print(const struct rates *, FILE *);
int	parse_decimal_nano(const char *, int64_t *);
void	format_nano(int64_t v, int decimals, char *buf, size_t len);
const char *ram_basis_name(enum ram_basis);
const char *cpu_basis_name(enum cpu_basis);

/* Quantities of a bill line, in base units. */
struct bill_qty {
	uint64_t	covered_s;
	uint64_t	cpu_usec;
	uint64_t	cpu_limit_usec;	/* the CPU limit's time (used where none) */
	uint64_t	cpu_alloc_usec;	/* max(limit, used), record by record */
	uint64_t	ram_bs, ram_limit_bs, ram_alloc_bs, swap_bs, disk_bs;
	uint64_t	ram_peak, swap_peak, disk_peak;
	uint64_t	io_bytes, io_ops;
	uint64_t	failcnt;
};
struct bill_charges {
	int64_t		cpu, ram, swap, disk, io_bytes, io_ops, total;
};
void	rates_apply(const struct rates *, const struct bill_qty *,
	    struct bill_charges *);

/* report.c */
enum bill_fmt { BILL_TEXT, BILL_CSV, BILL_JSON, BILL_JSONL };
int	parse_utc(const char *, int64_t *);
void	format_utc(int64_t, char *buf, size_t len);
int	bill_report(struct lg_store *, int64_t from, int64_t to,
	    const char *ct, const struct rates *, enum bill_fmt, FILE *,
	    struct aerr *);
int	bill_raw(struct lg_store *, int64_t from, int64_t to, const char *ct,
	    enum bill_fmt, FILE *, struct aerr *);
/*
 * The same report from another source of records: `source` calls the
 * given function once per record of [from, to) (of container `ct` when
 * not NULL); `fleet`: the lines are per host and container, with a host
 * column.
 */
typedef int (*bill_source_fn)(void *src, int64_t from, int64_t to,
	    const char *ct, lg_rec_fn fn, void *arg, struct aerr *);
int	bill_report_from(bill_source_fn source, void *src, bool fleet,
	    int64_t from, int64_t to, const char *ct, const struct rates *,
	    enum bill_fmt, FILE *, struct aerr *);

/* replica.c (built with libpq only: HAVE_LIBPQ) */
struct lg_replica;
/* a postgresql:// or postgres:// URI (also without libpq) */
static inline bool
replica_is_uri(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0;
}
/* Checks the URI (no password in it) and the host id; connects later. */
struct lg_replica *replica_new(const char *uri, const char *host_id,
	    const char *password_file, struct aerr *);
void	replica_free(struct lg_replica *);
/* One batch of the queue to the database: the number of records copied
 * (0: queue empty) or <0 with the error; bounded by timeouts. */
int	replica_step(struct lg_replica *, struct lg_store *, size_t max,
	    struct aerr *);
/* accountd-ledger --init-replica: the schema, as its owner, and the
 * grants to the writer and reader roles (NULL: none) */
int	replica_init(const char *uri, const char *password_file,
	    const char *writer_role, const char *reader_role, struct aerr *);
/* the fleet bill's record source (`src` a struct fleet_query) */
struct fleet_query {
	const char	*uri;
	const char	*const *hosts;	/* NULL-terminated; NULL: every host */
};
int	fleet_records(void *src, int64_t from, int64_t to, const char *ct,
	    lg_rec_fn fn, void *arg, struct aerr *);

#endif
