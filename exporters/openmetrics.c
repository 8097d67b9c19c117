/* SPDX-License-Identifier: ISC */
/*
 * /metrics: the snapshot in Prometheus text format 0.0.4 or OpenMetrics
 * 1.0 (negotiate.c picks).  Conventions (prometheus.io naming, OpenMetrics
 * 1.0): one prefix, accountd_; base units (bytes, seconds), the unit as
 * the name's suffix; counters end in _total; labels are bounded: the
 * container's name, the beancounter resource (a fixed list of 21), the
 * device (MAJ:MIN), and a few fixed values.
 *
 * The two formats differ in three places only:
 *
 *			text 0.0.4			OpenMetrics 1.0
 *   counter TYPE	# TYPE x_total counter		# TYPE x counter
 *   unit		(none)				# UNIT x_bytes bytes
 *   info		# TYPE x_info gauge		# TYPE x info
 *   end		(none)				# EOF
 *
 * Beancounter rows keep one unit per metric: rows counted in pages or
 * bytes become accountd_beancounter_*_bytes (pages x 4096), rows that
 * count items (numproc, numfile, ...) accountd_beancounter_* without a
 * unit.  Unlimited is +Inf, so held / limit is 0 there and alert rules
 * need no special case.  A row the kernel has no source for is absent,
 * never 0.
 *
 * Speed: 10,000 containers make about 40 MB of text.  No printf: numbers
 * are formatted by hand and each container's label is escaped once.
 * Samples of one family are contiguous (OpenMetrics requires it), so the
 * loops go family by family over all containers.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

enum ftype { F_GAUGE, F_COUNTER, F_INFO };

struct rctx {
	struct sbuf		*o;
	enum mfmt		 fmt;
	const struct snap_header *h;
	const struct snap_ct	*cts;
	size_t			 n;
	char			**lbl;		/* container="NAME", escaped */
	size_t			*lbllen;
	size_t			 mark;		/* start of the family */
	size_t			 samples;	/* in the family */
	enum ftype		 type;
	const char		*name;
};

/* ---- formatting ------------------------------------------------------- */

static void
put(struct rctx *r, const char *s, size_t n)
{
	sbuf_add(r->o, s, n);
}

static void
puts_(struct rctx *r, const char *s)
{
	sbuf_add(r->o, s, strlen(s));
}

/* u64 in decimal into buf (>= 21 bytes); returns the length. */
static size_t
fmt_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return k;
}

/* v / 10^dec, with the fraction's trailing zeros dropped. */
static void
put_fixed(struct rctx *r, uint64_t v, int dec)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
		1000000 };
	char buf[48];
	size_t k = fmt_u64(buf, v / pow10[dec]);
	uint64_t frac = v % pow10[dec];

	if (frac != 0) {
		int d = dec;

		buf[k++] = '.';
		while (frac % 10 == 0) {
			frac /= 10;
			d--;
		}
		for (int i = d - 1; i >= 0; i--) {
			buf[k + (size_t)i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		k += (size_t)d;
	}
	put(r, buf, k);
}

static void
put_u64(struct rctx *r, uint64_t v)
{
	char buf[24];

	put(r, buf, fmt_u64(buf, v));
}

/* a figure that may be unlimited */
static void
put_lim(struct rctx *r, uint64_t v)
{
	if (sv_unlimited(v))
		put(r, "+Inf", 4);
	else
		put_u64(r, v);
}

static void
escape_label(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sbuf_add(b, "\\\\", 2);
		else if (*s == '"')
			sbuf_add(b, "\\\"", 2);
		else if (*s == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_putc(b, *s);
	}
}

/* ---- families and samples --------------------------------------------- */

static void
family(struct rctx *r, const char *name, enum ftype type, const char *unit,
    const char *help)
{
	r->mark = r->o->len;
	r->samples = 0;
	r->type = type;
	r->name = name;
	puts_(r, "# HELP ");
	puts_(r, name);
	if (r->fmt == MFMT_TEXT && type == F_COUNTER)
		puts_(r, "_total");
	if (r->fmt == MFMT_TEXT && type == F_INFO)
		puts_(r, "_info");
	put(r, " ", 1);
	puts_(r, help);
	puts_(r, "\n# TYPE ");
	puts_(r, name);
	if (r->fmt == MFMT_OPENMETRICS) {
		puts_(r, type == F_COUNTER ? " counter\n" : type == F_INFO ?
		    " info\n" : " gauge\n");
		if (unit != NULL) {
			puts_(r, "# UNIT ");
			puts_(r, name);
			put(r, " ", 1);
			puts_(r, unit);
			put(r, "\n", 1);
		}
	} else {
		puts_(r, type == F_COUNTER ? "_total counter\n" :
		    type == F_INFO ? "_info gauge\n" : " gauge\n");
	}
}

/* A family without samples leaves nothing behind. */
static void
family_end(struct rctx *r)
{
	if (r->samples == 0) {
		r->o->len = r->mark;
		r->o->s[r->mark] = '\0';
	}
}

/* Start a sample: name, suffix, '{', the container's label. */
static void
sample_ct(struct rctx *r, size_t i)
{
	puts_(r, r->name);
	if (r->type == F_COUNTER)
		put(r, "_total{", 7);
	else
		put(r, "{", 1);
	put(r, r->lbl[i], r->lbllen[i]);
	r->samples++;
}

/* ..., key="value"} and the value follows; the value is escaped (a
 * device name comes from the snapshot like the container's) */
static void
label_end(struct rctx *r, const char *key, const char *val)
{
	if (key != NULL) {
		put(r, ",", 1);
		puts_(r, key);
		put(r, "=\"", 2);
		escape_label(r->o, val);
		put(r, "\"", 1);
	}
	put(r, "} ", 2);
}

static void
eol(struct rctx *r)
{
	put(r, "\n", 1);
}

/* One u64 gauge or counter per container, from a field. */
typedef bool (*ct_pred)(const struct rctx *, const struct snap_ct *);

static bool
is_running(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->running;
}

#define FIELD(f)	offsetof(struct snap_ct, f)

static void
per_ct(struct rctx *r, const char *name, enum ftype type, const char *unit,
    const char *help, size_t off, int dec, ct_pred pred)
{
	family(r, name, type, unit, help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];
		uint64_t v;

		if (pred != NULL && !pred(r, c))
			continue;
		memcpy(&v, (const char *)c + off, sizeof(v));
		sample_ct(r, i);
		label_end(r, NULL, NULL);
		if (dec)
			put_fixed(r, v, dec);
		else
			put_u64(r, v);
		eol(r);
	}
	family_end(r);
}

/* A host-wide sample without labels. */
static void
host(struct rctx *r, const char *name, const char *unit, const char *help,
    uint64_t v, int dec)
{
	family(r, name, F_GAUGE, unit, help);
	puts_(r, name);
	put(r, " ", 1);
	if (dec)
		put_fixed(r, v, dec);
	else
		put_u64(r, v);
	eol(r);
	r->samples++;
	family_end(r);
}

/* ---- the beancounters ------------------------------------------------- */

enum bcol { BC_HELD, BC_MAXHELD, BC_BARRIER, BC_LIMIT };

static uint64_t
bc_field(const struct snap_row *row, enum bcol col)
{
	switch (col) {
	case BC_HELD:
		return row->held;
	case BC_MAXHELD:
		return row->maxheld;
	case BC_BARRIER:
		return row->barrier;
	case BC_LIMIT:
		return row->limit;
	}
	return 0;
}

static void
beancounter(struct rctx *r, const char *name, enum bcol col, bool bytes,
    const char *help)
{
	family(r, name, F_GAUGE, bytes ? "bytes" : NULL, help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];

		if (!c->running)
			continue;
		for (int k = 0; k < SNAP_ROWS; k++) {
			const struct snap_row *row = &c->row[k];

			if (!row->present || snap_row_bytes(row) != bytes)
				continue;
			sample_ct(r, i);
			label_end(r, "resource", ub_name((enum ub_res)k));
			put_lim(r, snap_value(row, bc_field(row, col)));
			eol(r);
		}
	}
	family_end(r);
}

static void
failcnt(struct rctx *r)
{
	family(r, "accountd_beancounter_failcnt", F_COUNTER, NULL,
	    "Times a charge against the resource failed (the beancounter "
	    "failcnt; kept across restarts of accountd).");
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];

		if (!c->running)
			continue;
		for (int k = 0; k < SNAP_ROWS; k++) {
			if (!c->row[k].present)
				continue;
			sample_ct(r, i);
			label_end(r, "resource", ub_name((enum ub_res)k));
			put_u64(r, c->row[k].failcnt);
			eol(r);
		}
	}
	family_end(r);
}

/* ---- devices and pressure --------------------------------------------- */

enum iocol { IO_RBYTES, IO_WBYTES, IO_RIOS, IO_WIOS };

static void
io(struct rctx *r, const char *name, const char *unit, enum iocol col,
    const char *help)
{
	family(r, name, F_COUNTER, unit, help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];

		if (!c->running)
			continue;
		for (uint32_t d = 0; d < c->ndev; d++) {
			const struct snap_dev *dv = &c->dev[d];
			uint64_t v = col == IO_RBYTES ? dv->rbytes :
			    col == IO_WBYTES ? dv->wbytes : col == IO_RIOS ?
			    dv->rios : dv->wios;

			sample_ct(r, i);
			label_end(r, "device", dv->dev);
			put_u64(r, v);
			eol(r);
		}
	}
	family_end(r);
}

static void
pressure(struct rctx *r, const char *name, int which, bool full,
    const char *help)
{
	family(r, name, F_COUNTER, "seconds", help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];

		if (!c->running || !c->have_psi)
			continue;
		sample_ct(r, i);
		label_end(r, NULL, NULL);
		put_fixed(r, full ? c->psi_full[which] : c->psi_some[which], 6);
		eol(r);
	}
	family_end(r);
}

/* ---- predicates -------------------------------------------------------- */

static bool
has_cpu_split(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->running && (c->cpu_user != 0 || c->cpu_system != 0);
}

static bool
has_cfs(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->running && c->nr_periods != 0;
}

static bool
v2_running(const struct rctx *r, const struct snap_ct *c)
{
	return c->running && strcmp(r->h->cgroup_mode, "v2") == 0;
}

static bool
has_quota(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->have_quota != 0;
}

static bool
has_ram(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->ram != 0;
}

static bool
has_swap(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->swap != 0;
}

static bool
has_cpus(const struct rctx *r, const struct snap_ct *c)
{
	(void)r;
	return c->cpus != 0;
}

/* ---- the page ---------------------------------------------------------- */

static void
config_lim(struct rctx *r, const char *name, const char *unit,
    const char *help, size_t off, ct_pred pred)
{
	family(r, name, F_GAUGE, unit, help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];
		uint64_t v;

		if (!pred(r, c))
			continue;
		memcpy(&v, (const char *)c + off, sizeof(v));
		sample_ct(r, i);
		label_end(r, NULL, NULL);
		put_lim(r, v);
		eol(r);
	}
	family_end(r);
}

static void
host_part(struct rctx *r)
{
	struct capacity cap;

	capacity_compute(r->h, r->cts, r->n, &cap);
	family(r, "accountd_build", F_INFO, NULL,
	    "accountd's version, the cgroup layout it found, and the host "
	    "name; the value is 1.");
	puts_(r, "accountd_build_info{version=\"");
	escape_label(r->o, r->h->version_str);
	puts_(r, "\",cgroup_mode=\"");
	escape_label(r->o, r->h->cgroup_mode);
	puts_(r, "\",hostname=\"");
	escape_label(r->o, r->h->hostname);
	puts_(r, "\"} 1\n");
	r->samples++;
	family_end(r);

	host(r, "accountd_snapshot_timestamp_seconds", "seconds",
	    "When accountd's last sampling round ended (Unix time); a value "
	    "that stops moving means accountd stopped.", r->h->time_ms, 3);
	host(r, "accountd_sampling_interval_seconds", "seconds",
	    "accountd's sample_interval.", r->h->interval_ms, 3);
	host(r, "accountd_start_time_seconds", "seconds",
	    "When accountd started (Unix time).", r->h->started_ms, 3);
	family(r, "accountd_sampling_rounds", F_COUNTER, NULL,
	    "Sampling rounds since accountd started.");
	puts_(r, "accountd_sampling_rounds_total ");
	put_u64(r, r->h->rounds);
	eol(r);
	r->samples++;
	family_end(r);

	host(r, "accountd_host_memory_bytes", "bytes",
	    "The host's RAM.", cap.ram, 0);
	host(r, "accountd_host_swap_bytes", "bytes",
	    "The host's swap space.", cap.swap, 0);
	host(r, "accountd_host_cpus", NULL,
	    "CPUs online on the host.", cap.cpus, 0);
	host(r, "accountd_host_memory_committed_bytes", "bytes",
	    "Sum of the RAM limits (physpages) of running containers that have "
	    "one (vzoversell's RAM allocated).", cap.ram_limit, 0);
	host(r, "accountd_host_swap_committed_bytes", "bytes",
	    "Sum of the swap limits (swappages) of running containers that "
	    "have one (vzoversell's Swap allocated).", cap.swap_limit, 0);
	host(r, "accountd_host_memory_used_bytes", "bytes",
	    "Sum of the RAM held (physpages) by running containers.",
	    cap.ram_held, 0);
	host(r, "accountd_host_cpu_limit_committed_cpus", "cpus",
	    "Sum of the CPU limits of running containers, in CPUs (cpulimit "
	    "/ 100, at most cpus).", cap.cpulimit_pct, 2);
	host(r, "accountd_host_cpu_units_committed", NULL,
	    "Sum of the cpuunits of running containers (1000 where unset; "
	    "vzcpucheck's current CPU utilization).", cap.cpuunits, 0);

	family(r, "accountd_host_containers", F_GAUGE, NULL,
	    "Containers accountd knows, by state.");
	puts_(r, "accountd_host_containers{state=\"running\"} ");
	put_u64(r, cap.running);
	puts_(r, "\naccountd_host_containers{state=\"stopped\"} ");
	put_u64(r, cap.stopped);
	eol(r);
	r->samples += 2;
	family_end(r);

	family(r, "accountd_host_containers_unlimited", F_GAUGE, NULL,
	    "Running containers without a limit on the resource, left out of "
	    "the committed sums (vzoversell's U and S flags).");
	puts_(r, "accountd_host_containers_unlimited{resource=\"physpages\"} ");
	put_u64(r, cap.ram_unlimited);
	puts_(r, "\naccountd_host_containers_unlimited{resource=\"swappages\"} ");
	put_u64(r, cap.swap_unlimited);
	puts_(r, "\naccountd_host_containers_unlimited{resource=\"cpu\"} ");
	put_u64(r, cap.cpu_unlimited);
	eol(r);
	r->samples += 3;
	family_end(r);
}

static void
container_part(struct rctx *r)
{
	family(r, "accountd_container_running", F_GAUGE, NULL,
	    "1 when the container's cgroup exists (it runs), else 0.");
	for (size_t i = 0; i < r->n; i++) {
		sample_ct(r, i);
		label_end(r, NULL, NULL);
		put(r, r->cts[i].running ? "1\n" : "0\n", 2);
	}
	family_end(r);

	beancounter(r, "accountd_beancounter_held_bytes", BC_HELD, true,
	    "Beancounter held: the resource in use now (rows counted in pages "
	    "or bytes, in bytes).");
	beancounter(r, "accountd_beancounter_maxheld_bytes", BC_MAXHELD, true,
	    "Beancounter maxheld: the most held since the container record "
	    "was made.");
	beancounter(r, "accountd_beancounter_barrier_bytes", BC_BARRIER, true,
	    "Beancounter barrier (+Inf: unlimited).");
	beancounter(r, "accountd_beancounter_limit_bytes", BC_LIMIT, true,
	    "Beancounter limit (+Inf: unlimited).");
	beancounter(r, "accountd_beancounter_held", BC_HELD, false,
	    "Beancounter held for rows that count items (numproc, numfile, "
	    "...).");
	beancounter(r, "accountd_beancounter_maxheld", BC_MAXHELD, false,
	    "Beancounter maxheld for rows that count items.");
	beancounter(r, "accountd_beancounter_barrier", BC_BARRIER, false,
	    "Beancounter barrier for rows that count items (+Inf: "
	    "unlimited).");
	beancounter(r, "accountd_beancounter_limit", BC_LIMIT, false,
	    "Beancounter limit for rows that count items (+Inf: unlimited).");
	failcnt(r);

	per_ct(r, "accountd_container_cpu_usage_seconds", F_COUNTER, "seconds",
	    "CPU time used by the container's tasks.", FIELD(cpu_usage), 6,
	    is_running);
	per_ct(r, "accountd_container_cpu_user_seconds", F_COUNTER, "seconds",
	    "CPU time in user mode (where the kernel reports it).",
	    FIELD(cpu_user), 6, has_cpu_split);
	per_ct(r, "accountd_container_cpu_system_seconds", F_COUNTER, "seconds",
	    "CPU time in kernel mode (where the kernel reports it).",
	    FIELD(cpu_system), 6, has_cpu_split);
	per_ct(r, "accountd_container_cpu_cfs_periods", F_COUNTER, NULL,
	    "CFS bandwidth periods that elapsed while the container ran "
	    "under a CPU limit.", FIELD(nr_periods), 0, has_cfs);
	per_ct(r, "accountd_container_cpu_cfs_throttled_periods", F_COUNTER,
	    NULL, "CFS periods in which the container was throttled by its "
	    "CPU limit.", FIELD(nr_throttled), 0, has_cfs);
	per_ct(r, "accountd_container_cpu_cfs_throttled_seconds", F_COUNTER,
	    "seconds", "Time the container's tasks spent throttled by the CPU "
	    "limit.", FIELD(throttled), 6, has_cfs);

	pressure(r, "accountd_container_pressure_cpu_waiting_seconds", 0, false,
	    "PSI cpu some: time some tasks waited for a CPU.");
	pressure(r, "accountd_container_pressure_memory_waiting_seconds", 1,
	    false, "PSI memory some: time some tasks stalled on memory.");
	pressure(r, "accountd_container_pressure_memory_stalled_seconds", 1,
	    true, "PSI memory full: time all tasks stalled on memory.");
	pressure(r, "accountd_container_pressure_io_waiting_seconds", 2, false,
	    "PSI io some: time some tasks stalled on I/O.");
	pressure(r, "accountd_container_pressure_io_stalled_seconds", 2, true,
	    "PSI io full: time all tasks stalled on I/O.");

	io(r, "accountd_container_io_read_bytes", "bytes", IO_RBYTES,
	    "Bytes read from the block device.");
	io(r, "accountd_container_io_written_bytes", "bytes", IO_WBYTES,
	    "Bytes written to the block device.");
	io(r, "accountd_container_io_reads", NULL, IO_RIOS,
	    "Read operations on the block device.");
	io(r, "accountd_container_io_writes", NULL, IO_WIOS,
	    "Write operations on the block device.");

	per_ct(r, "accountd_container_memory_cache_bytes", F_GAUGE, "bytes",
	    "Page cache charged to the container.", FIELD(mem_cache), 0,
	    is_running);
	per_ct(r, "accountd_container_memory_anon_bytes", F_GAUGE, "bytes",
	    "Anonymous memory charged to the container.", FIELD(mem_anon), 0,
	    is_running);
	per_ct(r, "accountd_container_memory_limit_hits", F_COUNTER, NULL,
	    "Times memory use reached the limit and reclaim resolved it "
	    "(cgroup v2 memory.events max).", FIELD(limit_hits), 0,
	    v2_running);
	per_ct(r, "accountd_container_vswap_bytes", F_GAUGE, "bytes",
	    "Memory above RAM held in virtual swap (VSwap emulation).",
	    FIELD(vswap), 0, is_running);
	per_ct(r, "accountd_container_vswap_in_bytes", F_COUNTER, "bytes",
	    "Bytes brought back from virtual swap.", FIELD(vswap_in), 0,
	    is_running);
	per_ct(r, "accountd_container_vswap_out_bytes", F_COUNTER, "bytes",
	    "Bytes pushed to virtual swap.", FIELD(vswap_out), 0, is_running);
	per_ct(r, "accountd_container_vswap_slowed_seconds", F_COUNTER,
	    "seconds", "Time the container was slowed down as if swapping.",
	    FIELD(vswap_slowed), 6, is_running);

	/* disk quota, first level (docs/quota.md) */
	per_ct(r, "accountd_container_disk_used_bytes", F_GAUGE, "bytes",
	    "Disk space the container's tree holds (its quota's usage).",
	    FIELD(disk_held), 0, has_quota);
	config_lim(r, "accountd_container_disk_soft_limit_bytes", "bytes",
	    "Disk quota soft limit (+Inf: none); past it for the grace "
	    "period it acts as the hard one.", FIELD(disk_soft), has_quota);
	config_lim(r, "accountd_container_disk_hard_limit_bytes", "bytes",
	    "Disk quota hard limit (+Inf: none).", FIELD(disk_hard),
	    has_quota);
	per_ct(r, "accountd_container_disk_used_inodes", F_GAUGE, NULL,
	    "Inodes the container's tree holds.", FIELD(inodes_held), 0,
	    has_quota);
	config_lim(r, "accountd_container_disk_soft_limit_inodes", NULL,
	    "Inode quota soft limit (+Inf: none).", FIELD(inodes_soft),
	    has_quota);
	config_lim(r, "accountd_container_disk_hard_limit_inodes", NULL,
	    "Inode quota hard limit (+Inf: none).", FIELD(inodes_hard),
	    has_quota);
	per_ct(r, "accountd_container_disk_failcnt", F_COUNTER, NULL,
	    "Disk space quota refusals: writes refused (userspace quota) or "
	    "times the hard limit was reached (kernel quota).",
	    FIELD(disk_failcnt), 0, has_quota);
	per_ct(r, "accountd_container_disk_inodes_failcnt", F_COUNTER, NULL,
	    "Inode quota refusals, counted as for disk_failcnt.",
	    FIELD(inodes_failcnt), 0, has_quota);
	per_ct(r, "accountd_container_disk_grace_end_seconds", F_GAUGE,
	    "seconds", "When the disk space grace ends (Unix time); 0 while "
	    "under the soft limit.", FIELD(grace_disk_ms), 3, has_quota);

	config_lim(r, "accountd_container_config_ram_bytes", "bytes",
	    "The container's configured RAM (--ram; +Inf: unlimited).",
	    FIELD(ram), has_ram);
	config_lim(r, "accountd_container_config_swap_bytes", "bytes",
	    "The container's configured swap (--swap; +Inf: unlimited).",
	    FIELD(swap), has_swap);
	family(r, "accountd_container_config_cpu_units", F_GAUGE, NULL,
	    "The container's cpuunits (relative CPU weight; 1000 when unset).");
	for (size_t i = 0; i < r->n; i++) {
		sample_ct(r, i);
		label_end(r, NULL, NULL);
		put_u64(r, r->cts[i].cpuunits ? r->cts[i].cpuunits : 1000);
		eol(r);
	}
	family_end(r);
	family(r, "accountd_container_config_cpu_limit_cpus", F_GAUGE, "cpus",
	    "The container's CPU limit in CPUs (cpulimit / 100, at most "
	    "cpus); absent when there is none.");
	for (size_t i = 0; i < r->n; i++) {
		uint64_t lim = capacity_cpulimit(&r->cts[i]);

		if (lim == 0)
			continue;
		sample_ct(r, i);
		label_end(r, NULL, NULL);
		put_fixed(r, lim, 2);
		eol(r);
	}
	family_end(r);
	per_ct(r, "accountd_container_config_cpus", F_GAUGE, NULL,
	    "CPUs the container may use at once (--cpus).", FIELD(cpus), 0,
	    has_cpus);
}

void
metrics_render(const struct snap_header *h, const struct snap_ct *cts,
    size_t n, enum mfmt fmt, struct sbuf *out)
{
	struct rctx r = { .o = out, .fmt = fmt, .h = h, .cts = cts, .n = n };
	struct sbuf lb = SBUF_INIT;
	size_t *off = xcalloc(n ? n : 1, sizeof(size_t));

	/* each container's label once: container="NAME" */
	for (size_t i = 0; i < n; i++) {
		off[i] = lb.len;
		sbuf_add(&lb, "container=\"", 11);
		escape_label(&lb, cts[i].name);
		sbuf_putc(&lb, '"');
	}
	r.lbl = xcalloc(n ? n : 1, sizeof(char *));
	r.lbllen = xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		r.lbl[i] = lb.s + off[i];
		r.lbllen[i] = (i + 1 < n ? off[i + 1] : lb.len) - off[i];
	}
	host_part(&r);
	container_part(&r);
	if (fmt == MFMT_OPENMETRICS)
		puts_(&r, "# EOF\n");
	free(r.lbl);
	free(r.lbllen);
	free(off);
	sbuf_free(&lb);
}

const char *
metrics_content_type(enum mfmt fmt, const char *om_version)
{
	if (fmt == MFMT_OPENMETRICS)
		return strcmp(om_version, "0.0.1") == 0 ?
		    "application/openmetrics-text; version=0.0.1; charset=utf-8" :
		    "application/openmetrics-text; version=1.0.0; charset=utf-8";
	return "text/plain; version=0.0.4; charset=utf-8";
}
