/* SPDX-License-Identifier: ISC */
/*
 * exporters/: what the unprivileged exporters share.  Everything here
 * works on a checked copy of the snapshot accountd publishes (lib/snapview.h)
 * and is pure except the RRD functions.
 *
 *   metrics.c	  THE metric table: names in /metrics and PCP, help,
 *		  kinds, units, sources; both exporters render from it
 *   openmetrics.c  /metrics in Prometheus text 0.0.4 or OpenMetrics 1.0
 *   mcache.c	  /metrics across rounds: pieces, only what changed made
 *   negotiate.c	  HTTP Accept / Accept-Encoding negotiation, query strings
 *   httpconn.c	  the HTTP exporter's connections: a cap and a deadline
 *   capacity.c	  host capacity: RAM, swap and CPU committed against what
 *		  the host has (vzoversell, vzcpucheck)
 *   dashboard.c	  the HTML page
 *   rrd.c		  per-container RRD archives and their graphs
 *
 * Ownership: functions that hand out memory say so.
 */
#ifndef ACCT_EXPO_H
#define ACCT_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"
#include "sbuf.h"
#include "snapshot.h"
#include "snapview.h"

/* ---- negotiate.c ------------------------------------------------------ */

enum mfmt { MFMT_TEXT, MFMT_OPENMETRICS };

/* The format of /metrics for an Accept header (NULL: none sent);
 * *om_version gets "1.0.0" or "0.0.1" for OpenMetrics. */
enum mfmt negotiate_format(const char *accept, const char **om_version);
/* Whether an Accept-Encoding header allows gzip. */
bool	negotiate_gzip(const char *accept_encoding);

#define QUERY_MAX_PARAMS	8
#define QUERY_MAX_VALUE		128

struct query {
	size_t	n;
	struct {
		char	key[32];
		char	val[QUERY_MAX_VALUE];
	} p[QUERY_MAX_PARAMS];
};

/* Parse "a=1&b=x%20y" (NULL or "" is empty).  Refuses with a message:
 * bad percent escapes, NUL bytes, control characters, over-long keys or
 * values, too many or repeated keys, keys not in `allowed` (NULL-ended). */
int	query_parse(const char *qs, const char *const *allowed, struct query *,
	    struct aerr *);
const char *query_get(const struct query *, const char *key);

/* ---- httpconn.c (accountd-exporter only: libevent) -------------------- */

struct event_base;
struct evhttp;
struct evhttp_request;

/* At most max connections at once (one more: a 503), each closed past
 * its deadline (seconds for a request to arrive whole and its answer to
 * be sent).  httpconn_renew: a request arrived, its deadline starts. */
void	httpconn_init(struct event_base *, struct evhttp *, unsigned max,
	    unsigned deadline_s);
void	httpconn_renew(struct evhttp_request *);
void	httpconn_stop(void);		/* before evhttp_free */
void	httpconn_free(void);		/* after evhttp_free */

/* ---- capacity.c ------------------------------------------------------- */

struct capacity {
	uint64_t	ram, swap;		/* host, bytes */
	uint32_t	cpus;
	size_t		running, stopped;
	/* sums over running containers with a finite limit, bytes */
	uint64_t	ram_held, ram_maxheld, ram_limit, ram_failcnt;
	uint64_t	swap_held, swap_maxheld, swap_limit, swap_failcnt;
	size_t		ram_unlimited, swap_unlimited;	/* not in the sums */
	/* CPU: cpuunits (unset counts as 1000), cpulimit in % of one CPU
	 * (min of cpulimit and cpus x 100) */
	uint64_t	cpuunits;
	uint64_t	cpulimit_pct;
	size_t		cpu_unlimited;
	/* memguarantee of running containers against host RAM minus
	 * guarantee_reserve (accountd's admission control), bytes */
	uint64_t	guarantee, guarantee_room;
};

void	capacity_compute(const struct snap_header *, const struct snap_ct *,
	    size_t n, struct capacity *);
/* Per container (running): vzoversell's flags into buf (>= 8 bytes). */
void	capacity_flags(const struct snap_ct *, char *buf, size_t len);
/* A container's effective CPU limit in % of one CPU; 0: none. */
uint64_t capacity_cpulimit(const struct snap_ct *);
/* vzcpucheck's "power of the node": bogomips x 25 from /proc/cpuinfo
 * text; 0 when there is none. */
uint64_t capacity_power(const char *cpuinfo);
/* percent of a over b, 0 when b is 0 */
double	capacity_pct(uint64_t a, uint64_t b);

/* ---- metrics.c -------------------------------------------------------- */

enum mkind { MK_INSTANT, MK_DISCRETE, MK_COUNTER, MK_INFO };
/* the unit of the value metric_value() gives */
enum munit {
	MU_NONE,	/* a number without a unit */
	MU_COUNT,	/* events or items */
	MU_BYTES,
	MU_USEC,	/* /metrics: seconds with 6 decimals */
	MU_MSEC,	/* /metrics: seconds with 3 decimals */
	MU_SEC,
	MU_CPUPCT	/* percent of one CPU; /metrics: CPUs, 2 decimals */
};
enum mscope {
	MS_HOST,	/* one value */
	MS_CT,		/* per container */
	MS_DEV,		/* per container and block device */
	MS_ROW		/* per container and beancounter row */
};
enum msrc {
	MS_FIELD,	/* the u64 at `off` of struct snap_ct (MS_DEV:
			 * struct snap_dev) */
	MS_BUILD_INFO, MS_CONTAINERS, MS_UNLIMITED,	/* /metrics only */
	MS_TIME_MS, MS_TIME_S, MS_INTERVAL_MS, MS_STARTED_MS, MS_ROUNDS,
	MS_HOST_RAM, MS_HOST_SWAP, MS_HOST_CPUS, MS_RAM_COMMITTED,
	MS_SWAP_COMMITTED, MS_RAM_USED, MS_CPULIMIT_COMMITTED,
	MS_CPUUNITS_COMMITTED, MS_RUNNING_N, MS_STOPPED_N,
	MS_RUNNING, MS_CGROUP, MS_CPUUNITS, MS_CPULIMIT,
	MS_BC_HELD, MS_BC_MAXHELD, MS_BC_BARRIER, MS_BC_LIMIT, MS_BC_FAILCNT
};
/* when a container has a value (all must hold) */
enum {
	W_RUNNING = 1 << 0,
	W_CPU_SPLIT = 1 << 1,	/* the kernel splits user and system time */
	W_CFS = 1 << 2,		/* CFS periods elapsed (a CPU limit) */
	W_V2 = 1 << 3,		/* on cgroup v2 */
	W_PSI = 1 << 4,
	W_QUOTA = 1 << 5,	/* it has a disk quota */
	W_NONZERO = 1 << 6	/* 0 is no value (unset) */
};
enum {
	MF_LIMIT = 1 << 0,	/* unlimited: +Inf in /metrics, none in PCP */
	MF_U32 = 1 << 1,	/* PCP type U32 (else U64) */
	MF_STRING = 1 << 2	/* PCP string (the cgroup path) */
};
/* PCP clusters (beancounter rows: CL_BC + the row, item = column) */
enum { CL_HOST = 0, CL_CT = 1, CL_CPU = 2, CL_PSI = 3, CL_MEM = 4,
	CL_CONFIG = 5, CL_VSWAP = 6, CL_IO = 7, CL_DISK = 8, CL_BC = 10 };

/* metrics_detail: what /metrics has per container (the host families are
 * in both) */
enum mdetail { MD_FULL, MD_BASIC };
/* struct metric's level: in metrics_detail = basic? */
enum {
	MB_NO = 0,	/* full only */
	MB_ALL,		/* basic too */
	MB_ROWS,	/* basic too, the rows of metric_basic_rows only */
	MB_NONZERO	/* basic too, the samples that are not 0 */
};

struct metric {
	const char	*om;		/* /metrics family; NULL: PCP only */
	const char	*om_items;	/* MS_ROW: the family of rows of
					 * items (om: rows in bytes) */
	const char	*pcp;		/* after "accountd." (MS_ROW: after
					 * "accountd.bc.ROW."); NULL: /metrics
					 * only */
	unsigned	 cluster, item;	/* PCP identifier, never reused */
	enum mkind	 kind;
	enum munit	 unit;
	unsigned	 flags;		/* MF_* */
	enum mscope	 scope;
	enum msrc	 src;
	size_t		 off;		/* MS_FIELD */
	unsigned	 om_when, pcp_when;	/* W_*, per exporter */
	unsigned	 basic;		/* MB_*: /metrics's level */
	const char	*help, *help_items;	/* /metrics HELP */
	const char	*pcp_one, *pcp_help;	/* PCP texts (help: one) */
};

extern const struct metric metric_table[];
extern const size_t metric_count;
/* beancounter rows in metrics_detail = basic (bits of enum ub_res) */
extern const uint32_t metric_basic_rows;
int	mdetail_parse(const char *, enum mdetail *, struct aerr *);
const char *mdetail_name(enum mdetail);

/* The value of a metric for container c (sub: the device or row), under
 * the conditions `when`: 1 and *v, or 0 when it has none.  Host metrics
 * ignore c and sub. */
int	metric_value(const struct metric *, unsigned when,
	    const struct snap_header *, const struct capacity *,
	    const struct snap_ct *c, unsigned sub, uint64_t *v);

/* ---- openmetrics.c ---------------------------------------------------- */

/* Render /metrics for the snapshot into out (appends), in one go. */
void	metrics_render(const struct snap_header *, const struct snap_ct *,
	    size_t n, enum mfmt, enum mdetail, struct sbuf *out);
const char *metrics_content_type(enum mfmt, const char *om_version);

/* The pieces of the body, for mcache.c.  A family of /metrics: a table
 * row, or for beancounter columns split by unit, its rows of items. */
struct mfam {
	const struct metric *m;
	bool		 items;
};

/* The families in their order for a level (static storage). */
const struct mfam *metrics_families(enum mdetail, size_t *n);
/* HELP, TYPE (and UNIT) lines */
void	metrics_head(const struct mfam *, enum mfmt, struct sbuf *);
/* a host family: its head and samples */
void	metrics_host(const struct mfam *, enum mfmt, const struct snap_header *,
	    const struct capacity *, struct sbuf *);
/* The samples of a per-container family for cts[idx[0..k)] (idx NULL:
 * cts[0..k)); lbl[i], lbllen[i]: cts[i]'s label from metrics_label.
 * Returns the number of samples. */
size_t	metrics_samples(const struct mfam *, enum mdetail,
	    const struct snap_header *, const struct snap_ct *cts,
	    const uint32_t *idx, size_t k, const char *const *lbl,
	    const size_t *lbllen, struct sbuf *);
/* container="NAME", escaped */
void	metrics_label(struct sbuf *, const char *name);
/* Would a and b (one container, two rounds) render the same samples? */
bool	metrics_same(const struct mfam *, enum mdetail,
	    const struct snap_header *, const struct snap_ct *a,
	    const struct snap_ct *b);

/* ---- mcache.c --------------------------------------------------------- */

/* /metrics kept across rounds: every family in pieces (its samples for a
 * bucket of containers that did not change lately, and for those that
 * did), each piece kept as text and as a raw deflate stream ended by a
 * sync flush; a body joins them.  A round renders and compresses only
 * the pieces whose containers changed. */
struct mcache;

struct mcache_stats {
	size_t		 rendered;	/* container-family pairs this round */
	size_t		 pieces;	/* compressed this round */
	size_t		 hot;		/* container-family pairs kept hot */
	size_t		 text_bytes;	/* compressed this round */
};

struct mcache *mcache_new(enum mdetail);
void	mcache_free(struct mcache *);
/* A new round: cts sorted by name, unique (a struct sview's). */
void	mcache_update(struct mcache *, const struct snap_header *,
	    const struct snap_ct *cts, size_t n);
/* The body of the round in a format, gzip or identity: *len bytes
 * (caller frees).  NULL when zlib failed. */
char	*mcache_body(struct mcache *, enum mfmt, bool gzip, size_t *len);
const struct mcache_stats *mcache_stats(const struct mcache *);

/* ---- dashboard.c ------------------------------------------------------ */

struct dash_opts {
	const char	*sort;		/* name, ram, cpu, fails */
	const char	*ct;		/* one container's page, or NULL */
	const char	*period;	/* graphs: 1d 1w 1m 1y */
	bool		 graphs;	/* RRD archives are kept */
	/* CPU use in % of one CPU since the previous snapshot, per record
	 * of the view (may be NULL) */
	const double	*cpu_pct;
};

void	dashboard_render(const struct snap_header *, const struct snap_ct *,
	    size_t n, const struct dash_opts *, struct sbuf *out);
void	html_escape(struct sbuf *, const char *);

/* ---- rrd.c ------------------------------------------------------------ */

/* Resources that have a graph (and data sources in the archive). */
enum rrd_res { RR_PHYSPAGES, RR_SWAPPAGES, RR_NUMPROC, RR_KMEMSIZE,
	RR_CPU, RR_IO, RR_COUNT };

int	rrd_res_parse(const char *, enum rrd_res *, struct aerr *);
const char *rrd_res_name(enum rrd_res);
/* The seconds a period name covers: 1h 1d 1w 1m 1y (also hour day week
 * month year). */
int	rrd_period_parse(const char *, unsigned long *secs, struct aerr *);

struct rrd_writer {
	char		*dir;
	char		*daemon;	/* rrdcached address or NULL */
	unsigned	 step;		/* seconds */
	int		 fd;		/* rrdcached connection, or -1 */
	char		**known;	/* archives seen to exist (sorted) */
	size_t		 nknown;
	/* figures of the last round */
	uint64_t	 updates, errors;
	double		 last_ms;
	char		 last_error[256];	/* of the last round, or "" */
};

int	rrdw_init(struct rrd_writer *, const char *dir, const char *daemon,
	    unsigned step, struct aerr *);
void	rrdw_close(struct rrd_writer *);
/* One update per running container at time t (seconds); archives are
 * created as needed.  Returns the number of failed updates. */
int	rrdw_update(struct rrd_writer *, const struct snap_ct *, size_t n,
	    time_t t);
/* Archive path of a container (caller frees). */
char	*rrd_path(const char *dir, const char *ct);

struct graph_req {
	const char	*dir;		/* archive folder */
	const char	*ct;
	enum rrd_res	 res;
	unsigned long	 secs;		/* period */
	const char	*daemon;	/* rrdcached to flush through, or NULL */
	unsigned	 width, height;
	time_t		 end;		/* 0: now */
	struct sbuf	*legend;	/* if set: the legend's lines appended */
};

/* Draw a graph: into the file `out`, or (out NULL) into memory, *png
 * (caller frees, *len bytes). */
int	rrd_graph_draw(const struct graph_req *, const char *out,
	    unsigned char **png, size_t *len, struct aerr *);

#endif
