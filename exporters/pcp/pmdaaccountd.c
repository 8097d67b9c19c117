/* SPDX-License-Identifier: ISC */
/*
 * pmdaaccountd: a Performance Co-Pilot agent (a daemon PMDA) that serves
 * accountd's figures under accountd.*, read from the snapshot accountd
 * publishes after every sampling round (no privilege needed: it runs as
 * the pcp user).  See exporters/pcp/README and docs/exporters.md.
 *
 * Domain 432 (free in PCP's stdpmid; change it in domain.h and Install
 * if a local PMDA already has it).
 *
 * Instance domains, both managed with pmdaCache so that containers come
 * and go: a container keeps its instance number for as long as the PMDA
 * runs, and across restarts when the cache can be saved
 * ($PCP_VAR_DIR/config/pmda/432.*); a container that is gone becomes
 * inactive (left out of instance lists, its number kept for its return).
 *
 *   432.0  containers, by name ("101")
 *   432.1  container::device ("101::8:0"), for accountd.io.*
 *
 * Semantics follow what the figures are: counters (failcnt, CPU time,
 * I/O, pressure stall time) are PM_SEM_COUNTER; what is held now is
 * PM_SEM_INSTANT; limits and settings are PM_SEM_DISCRETE.  Units are
 * bytes for beancounter rows counted in pages or bytes (pages x 4096),
 * counts for the others, microseconds for time.  An unlimited barrier or
 * limit has no value (not a huge number), and a row the running kernel
 * has no source for has no values at all.
 *
 * The metric table (names, help, semantics) is built from one list below;
 * `pmdaaccountd -N` prints the PMNS and `-H` the help text in newhelp
 * form, which is how exporters/pcp/pmns and help are generated.
 */
#include "config.h"

#include <errno.h>
#include <pcp/pmapi.h>
#include <pcp/pmda.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

#define ACCOUNTD_DOMAIN	432

enum { CT_INDOM, DEV_INDOM, NINDOMS };

/* clusters */
enum {
	CL_HOST = 0, CL_CT = 1, CL_CPU = 2, CL_PSI = 3, CL_MEM = 4,
	CL_CONFIG = 5, CL_VSWAP = 6, CL_IO = 7, CL_DISK = 8,
	CL_BC = 10		/* + the beancounter row (enum ub_res) */
};

/* what a metric reads */
enum src {
	S_HOST_RAM, S_HOST_SWAP, S_HOST_CPUS, S_HOST_RAM_COMMIT,
	S_HOST_SWAP_COMMIT, S_HOST_RAM_USED, S_HOST_CPULIM_COMMIT,
	S_HOST_UNITS_COMMIT, S_HOST_RUNNING, S_HOST_STOPPED, S_HOST_TIME,
	S_HOST_ROUNDS, S_HOST_INTERVAL,
	S_RUNNING, S_CGROUP,
	S_CPU_USAGE, S_CPU_USER, S_CPU_SYSTEM, S_CPU_THROTTLED, S_CPU_PERIODS,
	S_CPU_THR_PERIODS,
	S_PSI,			/* + which (0..5) in arg */
	S_MEM_CACHE, S_MEM_ANON, S_MEM_HITS,
	S_CFG_RAM, S_CFG_SWAP, S_CFG_CPUUNITS, S_CFG_CPULIMIT, S_CFG_CPUS,
	S_CFG_NUMPROC,
	S_VSWAP, S_VSWAP_IN, S_VSWAP_OUT, S_VSWAP_SLOWED,
	S_IO,			/* + column in arg */
	S_DISK,			/* + field in arg (disk_vals order) */
	S_BC,			/* row in arg >> 8, column in arg & 0xff */
};

struct mdef {
	char		*name;		/* after "accountd." */
	enum src	 src;
	int		 arg;
	pmDesc		 desc;
	char		*oneline;
	char		*help;
};

static struct mdef *defs;
static size_t ndefs;
static pmdaMetric *metrics;
static pmdaIndom indoms[NINDOMS] = {
	{ CT_INDOM, 0, NULL }, { DEV_INDOM, 0, NULL },
};

static struct sfollow follow;
static struct sview view;
static struct capacity cap;
static char *snap_path;
static int snap_errno;			/* last failure to read, or 0 */

#define U_NONE		((pmUnits)PMDA_PMUNITS(0, 0, 0, 0, 0, 0))
#define U_BYTES		((pmUnits)PMDA_PMUNITS(1, 0, 0, PM_SPACE_BYTE, 0, 0))
#define U_COUNT		((pmUnits)PMDA_PMUNITS(0, 0, 1, 0, 0, PM_COUNT_ONE))
#define U_USEC		((pmUnits)PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_USEC, 0))
#define U_MSEC		((pmUnits)PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_MSEC, 0))
#define U_SEC		((pmUnits)PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_SEC, 0))

/*
 * A metric's PMID is (cluster, item), both written in the table below and
 * never reused: archives and pmlogger configurations name metrics by
 * PMID, so a metric added in the middle must not renumber the others (a
 * new metric takes the next free item of its cluster; a metric removed
 * leaves its number unused).  tests/exporters/pcp-pmids.sh checks the
 * numbers against tests/exporters/pcp-pmids.list.
 */
static void
def(const char *name, int cluster, int item, enum src src, int arg, int type,
    int indom, int sem, pmUnits units, const char *oneline, const char *help)
{
	struct mdef *d;

	for (size_t i = 0; i < ndefs; i++)
		if ((int)pmID_cluster(defs[i].desc.pmid) == cluster &&
		    (int)pmID_item(defs[i].desc.pmid) == item) {
			fprintf(stderr, "pmdaaccountd: %s and %s are both "
			    "%d:%d\n", defs[i].name, name, cluster, item);
			abort();
		}
	defs = xreallocarray(defs, ndefs + 1, sizeof(*defs));
	d = &defs[ndefs++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	d->src = src;
	d->arg = arg;
	d->desc.pmid = PMDA_PMID(cluster, item);
	d->desc.type = type;
	d->desc.indom = indom;		/* serial now; pmdaInit completes it */
	d->desc.sem = sem;
	d->desc.units = units;
	d->oneline = xstrdup(oneline);
	d->help = xstrdup(help ? help : oneline);
}

#define HOST(n, item, s, t, sem, u, o, h) \
	def("host." n, CL_HOST, item, s, 0, t, PM_INDOM_NULL, sem, u, o, h)
#define PERCT(n, cl, item, s, a, t, sem, u, o, h) \
	def(n, cl, item, s, a, t, CT_INDOM, sem, u, o, h)

static void
build_table(void)
{
	static const char *const psi_names[6] = { "cpu.some", "memory.some",
		"io.some", "cpu.full", "memory.full", "io.full" };
	static const char *const cols[5] = { "held", "maxheld", "barrier",
		"limit", "failcnt" };

	HOST("ram", 0, S_HOST_RAM, PM_TYPE_U64, PM_SEM_DISCRETE, U_BYTES,
	    "the host's RAM", NULL);
	HOST("swap", 1, S_HOST_SWAP, PM_TYPE_U64, PM_SEM_DISCRETE, U_BYTES,
	    "the host's swap space", NULL);
	HOST("cpus", 2, S_HOST_CPUS, PM_TYPE_U32, PM_SEM_DISCRETE, U_NONE,
	    "CPUs online on the host", NULL);
	HOST("ram_committed", 3, S_HOST_RAM_COMMIT, PM_TYPE_U64, PM_SEM_INSTANT,
	    U_BYTES, "sum of the RAM limits of running containers",
	    "Sum of the physpages limits of running containers that have one "
	    "(vzoversell's RAM allocated); compare with accountd.host.ram.");
	HOST("swap_committed", 4, S_HOST_SWAP_COMMIT, PM_TYPE_U64, PM_SEM_INSTANT,
	    U_BYTES, "sum of the swap limits of running containers",
	    "Sum of the swappages limits of running containers that have one "
	    "(vzoversell's Swap allocated); compare with accountd.host.swap.");
	HOST("ram_used", 5, S_HOST_RAM_USED, PM_TYPE_U64, PM_SEM_INSTANT, U_BYTES,
	    "sum of the RAM held by running containers", NULL);
	HOST("cpulimit_committed", 6, S_HOST_CPULIM_COMMIT, PM_TYPE_U64,
	    PM_SEM_INSTANT, U_NONE,
	    "sum of the CPU limits of running containers, in percent of a CPU",
	    "Sum of min(cpulimit, cpus x 100) over running containers, in "
	    "percent of one CPU; compare with accountd.host.cpus x 100.");
	HOST("cpuunits_committed", 7, S_HOST_UNITS_COMMIT, PM_TYPE_U64,
	    PM_SEM_INSTANT, U_NONE,
	    "sum of the cpuunits of running containers (1000 where unset)",
	    "vzcpucheck's current CPU utilization.");
	HOST("containers.running", 8, S_HOST_RUNNING, PM_TYPE_U32, PM_SEM_INSTANT,
	    U_NONE, "containers running", NULL);
	HOST("containers.stopped", 9, S_HOST_STOPPED, PM_TYPE_U32, PM_SEM_INSTANT,
	    U_NONE, "containers accountd knows that are not running", NULL);
	HOST("snapshot.time", 10, S_HOST_TIME, PM_TYPE_U64, PM_SEM_INSTANT, U_SEC,
	    "when accountd's last sampling round ended (Unix time)",
	    "A value that stops moving means accountd stopped sampling.");
	HOST("snapshot.rounds", 11, S_HOST_ROUNDS, PM_TYPE_U64, PM_SEM_COUNTER,
	    U_COUNT, "sampling rounds since accountd started", NULL);
	HOST("snapshot.interval", 12, S_HOST_INTERVAL, PM_TYPE_U64, PM_SEM_DISCRETE,
	    U_MSEC, "accountd's sample_interval", NULL);

	PERCT("running", CL_CT, 0, S_RUNNING, 0, PM_TYPE_U32, PM_SEM_INSTANT,
	    U_NONE, "1 when the container runs (its cgroup exists), else 0",
	    NULL);
	PERCT("cgroup", CL_CT, 1, S_CGROUP, 0, PM_TYPE_STRING, PM_SEM_DISCRETE,
	    U_NONE, "the container's cgroup path, relative to the hierarchy "
	    "roots", NULL);

	PERCT("cpu.usage", CL_CPU, 0, S_CPU_USAGE, 0, PM_TYPE_U64, PM_SEM_COUNTER,
	    U_USEC, "CPU time used by the container's tasks", NULL);
	PERCT("cpu.user", CL_CPU, 1, S_CPU_USER, 0, PM_TYPE_U64, PM_SEM_COUNTER,
	    U_USEC, "CPU time in user mode",
	    "CPU time in user mode; no value where the kernel does not split "
	    "it (cgroup v1 cpuacct.usage).");
	PERCT("cpu.system", CL_CPU, 2, S_CPU_SYSTEM, 0, PM_TYPE_U64,
	    PM_SEM_COUNTER, U_USEC, "CPU time in kernel mode",
	    "CPU time in kernel mode; no value where the kernel does not split "
	    "it.");
	PERCT("cpu.throttled", CL_CPU, 3, S_CPU_THROTTLED, 0, PM_TYPE_U64,
	    PM_SEM_COUNTER, U_USEC,
	    "time the container's tasks were throttled by its CPU limit", NULL);
	PERCT("cpu.periods", CL_CPU, 4, S_CPU_PERIODS, 0, PM_TYPE_U64,
	    PM_SEM_COUNTER, U_COUNT,
	    "CFS bandwidth periods elapsed under a CPU limit", NULL);
	PERCT("cpu.throttled_periods", CL_CPU, 5, S_CPU_THR_PERIODS, 0,
	    PM_TYPE_U64, PM_SEM_COUNTER, U_COUNT,
	    "CFS periods in which the container was throttled", NULL);
	for (int i = 0; i < 6; i++) {
		char name[64], one[128];

		snprintf(name, sizeof(name), "pressure.%s", psi_names[i]);
		snprintf(one, sizeof(one), "pressure stall time, %s (PSI total)",
		    psi_names[i]);
		PERCT(name, CL_PSI, i, S_PSI, i, PM_TYPE_U64, PM_SEM_COUNTER, U_USEC,
		    one, "Pressure stall information: time some (or all, for "
		    "full) of the container's tasks were stalled on the "
		    "resource.  cgroup v2 only.");
	}
	PERCT("memory.cache", CL_MEM, 0, S_MEM_CACHE, 0, PM_TYPE_U64,
	    PM_SEM_INSTANT, U_BYTES, "page cache charged to the container",
	    NULL);
	PERCT("memory.anon", CL_MEM, 1, S_MEM_ANON, 0, PM_TYPE_U64, PM_SEM_INSTANT,
	    U_BYTES, "anonymous memory charged to the container", NULL);
	PERCT("memory.limit_hits", CL_MEM, 2, S_MEM_HITS, 0, PM_TYPE_U64,
	    PM_SEM_COUNTER, U_COUNT,
	    "times memory use reached the limit and reclaim resolved it",
	    "cgroup v2 memory.events max; no value on cgroup v1.");
	PERCT("config.ram", CL_CONFIG, 0, S_CFG_RAM, 0, PM_TYPE_U64,
	    PM_SEM_DISCRETE, U_BYTES, "the container's configured RAM (--ram)",
	    "No value when unset or unlimited.");
	PERCT("config.swap", CL_CONFIG, 1, S_CFG_SWAP, 0, PM_TYPE_U64,
	    PM_SEM_DISCRETE, U_BYTES, "the container's configured swap (--swap)",
	    "No value when unset or unlimited.");
	PERCT("config.cpuunits", CL_CONFIG, 2, S_CFG_CPUUNITS, 0, PM_TYPE_U64,
	    PM_SEM_DISCRETE, U_NONE, "the container's cpuunits (1000 when "
	    "unset)", NULL);
	PERCT("config.cpulimit", CL_CONFIG, 3, S_CFG_CPULIMIT, 0, PM_TYPE_U64,
	    PM_SEM_DISCRETE, U_NONE, "the container's CPU limit in percent of "
	    "one CPU (at most cpus x 100)", "No value when there is none.");
	PERCT("config.cpus", CL_CONFIG, 4, S_CFG_CPUS, 0, PM_TYPE_U64,
	    PM_SEM_DISCRETE, U_NONE, "CPUs the container may use at once",
	    "No value when unset.");
	PERCT("config.numproc", CL_CONFIG, 5, S_CFG_NUMPROC, 0, PM_TYPE_U64,
	    PM_SEM_DISCRETE, U_COUNT, "the container's numproc setting",
	    "No value when unset.");
	PERCT("vswap.held", CL_VSWAP, 0, S_VSWAP, 0, PM_TYPE_U64, PM_SEM_INSTANT,
	    U_BYTES, "memory above RAM held in virtual swap (VSwap emulation)",
	    NULL);
	PERCT("vswap.in", CL_VSWAP, 1, S_VSWAP_IN, 0, PM_TYPE_U64, PM_SEM_COUNTER,
	    U_BYTES, "bytes brought back from virtual swap", NULL);
	PERCT("vswap.out", CL_VSWAP, 2, S_VSWAP_OUT, 0, PM_TYPE_U64,
	    PM_SEM_COUNTER, U_BYTES, "bytes pushed to virtual swap", NULL);
	PERCT("vswap.slowed", CL_VSWAP, 3, S_VSWAP_SLOWED, 0, PM_TYPE_U64,
	    PM_SEM_COUNTER, U_USEC,
	    "time the container was slowed down as if swapping", NULL);
	{
		/* disk quota, first level (docs/quota.md), in disk_val order */
		static const struct { const char *n, *h; int sem, bytes; }
		    dk[] = {
			{ "disk.used", "disk space the container's tree holds",
			    PM_SEM_INSTANT, 1 },
			{ "disk.soft", "disk quota soft limit",
			    PM_SEM_DISCRETE, 1 },
			{ "disk.hard", "disk quota hard limit",
			    PM_SEM_DISCRETE, 1 },
			{ "disk.failcnt", "disk space quota refusals",
			    PM_SEM_COUNTER, 0 },
			{ "disk.inodes_used", "inodes the container's tree "
			    "holds", PM_SEM_INSTANT, 0 },
			{ "disk.inodes_soft", "inode quota soft limit",
			    PM_SEM_DISCRETE, 0 },
			{ "disk.inodes_hard", "inode quota hard limit",
			    PM_SEM_DISCRETE, 0 },
			{ "disk.inodes_failcnt", "inode quota refusals",
			    PM_SEM_COUNTER, 0 },
		};

		for (size_t k = 0; k < nitems(dk); k++)
			PERCT(dk[k].n, CL_DISK, (int)k, S_DISK, (int)k, PM_TYPE_U64,
			    dk[k].sem, dk[k].bytes ? U_BYTES : U_COUNT,
			    dk[k].h, "No value for a container without a disk "
			    "quota, and for a limit that is unlimited.");
	}
	{
		static const char *const io[4][2] = {
			{ "io.read_bytes", "bytes read from the block device" },
			{ "io.write_bytes", "bytes written to the block device" },
			{ "io.reads", "read operations on the block device" },
			{ "io.writes", "write operations on the block device" },
		};

		for (int i = 0; i < 4; i++)
			def(io[i][0], CL_IO, i, S_IO, i, PM_TYPE_U64, DEV_INDOM,
			    PM_SEM_COUNTER, i < 2 ? U_BYTES : U_COUNT, io[i][1],
			    "Per container and device: instances are named "
			    "CONTAINER::MAJ:MIN.");
	}
	for (int r = 0; r < UB_COUNT; r++) {
		bool bytes = ub_unit((enum ub_res)r) != UBU_ITEMS;

		if (ub_is_dummy((enum ub_res)r))
			continue;
		for (int c = 0; c < 5; c++) {
			char name[64], one[160], help[512];

			snprintf(name, sizeof(name), "bc.%s.%s",
			    ub_name((enum ub_res)r), cols[c]);
			snprintf(one, sizeof(one), "beancounter %s %s",
			    ub_name((enum ub_res)r), cols[c]);
			snprintf(help, sizeof(help), "The %s of the %s beancounter "
			    "(OpenVZ's /proc/user_beancounters column)%s.  %s",
			    cols[c], ub_name((enum ub_res)r), bytes && c != 4 ?
			    ", in bytes (pages x 4096 for rows counted in pages)" :
			    "", c == 0 ? "What is in use now." : c == 1 ?
			    "The most held since the container record was made." :
			    c == 4 ? "Times a charge against the resource failed; "
			    "kept across restarts of accountd." :
			    "No value when unlimited.");
			def(name, CL_BC + r, c, S_BC, r << 8 | c, PM_TYPE_U64,
			    CT_INDOM, c == 4 ? PM_SEM_COUNTER : c < 2 ?
			    PM_SEM_INSTANT : PM_SEM_DISCRETE, c == 4 ? U_COUNT :
			    bytes ? U_BYTES : U_COUNT, one, help);
		}
	}
	metrics = xcalloc(ndefs, sizeof(*metrics));
	for (size_t i = 0; i < ndefs; i++) {
		metrics[i].m_user = &defs[i];
		metrics[i].m_desc = defs[i].desc;
	}
}

/* ---- the snapshot and the instance domains ------------------------------ */

static void
refresh(void)
{
	struct aerr err = { 0 };
	pmInDom ct = indoms[CT_INDOM].it_indom, dev = indoms[DEV_INDOM].it_indom;
	int r = sfollow_update(&follow, &view, NULL, &err);

	if (r < 0) {
		if (snap_errno != err.errnum)
			pmNotifyErr(LOG_WARNING, "%s", err.msg);
		snap_errno = err.errnum;
		return;
	}
	snap_errno = 0;
	if (r == 0)
		return;
	capacity_compute(&view.h, view.cts, view.n, &cap);
	pmdaCacheOp(ct, PMDA_CACHE_INACTIVE);
	pmdaCacheOp(dev, PMDA_CACHE_INACTIVE);
	for (size_t i = 0; i < view.n; i++) {
		const struct snap_ct *c = &view.cts[i];

		/* private data: the record's index + 1 in this view */
		pmdaCacheStore(ct, PMDA_CACHE_ADD, c->name,
		    (void *)(uintptr_t)(i + 1));
		for (uint32_t d = 0; d < c->ndev && c->running; d++) {
			char name[96];

			snprintf(name, sizeof(name), "%s::%s", c->name,
			    c->dev[d].dev);
			pmdaCacheStore(dev, PMDA_CACHE_ADD, name,
			    (void *)(uintptr_t)((i + 1) << 4 | d));
		}
	}
	/* instance numbers survive a restart of the PMDA where it may write
	 * $PCP_VAR_DIR/config/pmda; where not, they hold while it runs */
	pmdaCacheOp(ct, PMDA_CACHE_SAVE);
	pmdaCacheOp(dev, PMDA_CACHE_SAVE);
}

static int
ct_fetch(unsigned int inst, struct snap_ct **out, uint32_t *dev)
{
	void *priv = NULL;
	int sts;
	uintptr_t v;
	bool is_dev = dev != NULL;

	sts = pmdaCacheLookup(indoms[is_dev ? DEV_INDOM : CT_INDOM].it_indom,
	    (int)inst, NULL, &priv);
	if (sts != PMDA_CACHE_ACTIVE)
		return PM_ERR_INST;
	v = (uintptr_t)priv;
	if (is_dev) {
		*dev = (uint32_t)(v & 0xf);
		v >>= 4;
	}
	if (v == 0 || v > view.n)
		return PM_ERR_INST;
	*out = &view.cts[v - 1];
	return 0;
}

static int
put_u64(pmAtomValue *atom, uint64_t v)
{
	atom->ull = v;
	return PMDA_FETCH_STATIC;
}

/* a figure that may be unlimited or unset: no value then */
static int
put_lim(pmAtomValue *atom, uint64_t v)
{
	if (v == 0 || sv_unlimited(v))
		return PMDA_FETCH_NOVALUES;
	return put_u64(atom, v);
}

static int
fetch_cb(pmdaMetric *m, unsigned int inst, pmAtomValue *atom)
{
	const struct mdef *d = m->m_user;
	struct snap_ct *c = NULL;
	uint32_t dv = 0;
	int sts;

	if (!follow.have)
		return PM_ERR_AGAIN;		/* accountd is not running */
	if (d->desc.indom == PM_INDOM_NULL) {
		switch (d->src) {
		case S_HOST_RAM:
			return put_u64(atom, cap.ram);
		case S_HOST_SWAP:
			return put_u64(atom, cap.swap);
		case S_HOST_CPUS:
			atom->ul = cap.cpus;
			return PMDA_FETCH_STATIC;
		case S_HOST_RAM_COMMIT:
			return put_u64(atom, cap.ram_limit);
		case S_HOST_SWAP_COMMIT:
			return put_u64(atom, cap.swap_limit);
		case S_HOST_RAM_USED:
			return put_u64(atom, cap.ram_held);
		case S_HOST_CPULIM_COMMIT:
			return put_u64(atom, cap.cpulimit_pct);
		case S_HOST_UNITS_COMMIT:
			return put_u64(atom, cap.cpuunits);
		case S_HOST_RUNNING:
			atom->ul = (uint32_t)cap.running;
			return PMDA_FETCH_STATIC;
		case S_HOST_STOPPED:
			atom->ul = (uint32_t)cap.stopped;
			return PMDA_FETCH_STATIC;
		case S_HOST_TIME:
			return put_u64(atom, view.h.time_ms / 1000);
		case S_HOST_ROUNDS:
			return put_u64(atom, view.h.rounds);
		case S_HOST_INTERVAL:
			return put_u64(atom, view.h.interval_ms);
		default:
			return PM_ERR_PMID;
		}
	}
	sts = ct_fetch(inst, &c, d->src == S_IO ? &dv : NULL);
	if (sts < 0)
		return sts;
	if (d->src == S_RUNNING) {
		atom->ul = c->running;
		return PMDA_FETCH_STATIC;
	}
	if (d->src == S_CGROUP) {
		atom->cp = c->cgroup;
		return PMDA_FETCH_STATIC;
	}
	/* configured values hold for stopped containers too */
	switch (d->src) {
	case S_CFG_RAM:
		return put_lim(atom, c->ram);
	case S_CFG_SWAP:
		return put_lim(atom, c->swap);
	case S_CFG_CPUUNITS:
		return put_u64(atom, c->cpuunits ? c->cpuunits : 1000);
	case S_CFG_CPULIMIT:
		return put_lim(atom, capacity_cpulimit(c));
	case S_CFG_CPUS:
		return put_lim(atom, c->cpus);
	case S_CFG_NUMPROC:
		return put_lim(atom, c->numproc);
	default:
		break;
	}
	if (!c->running)
		return PMDA_FETCH_NOVALUES;
	switch (d->src) {
	case S_CPU_USAGE:
		return put_u64(atom, c->cpu_usage);
	case S_CPU_USER:
		return c->cpu_user || c->cpu_system ? put_u64(atom, c->cpu_user) :
		    PMDA_FETCH_NOVALUES;
	case S_CPU_SYSTEM:
		return c->cpu_user || c->cpu_system ?
		    put_u64(atom, c->cpu_system) : PMDA_FETCH_NOVALUES;
	case S_CPU_THROTTLED:
		return put_u64(atom, c->throttled);
	case S_CPU_PERIODS:
		return put_u64(atom, c->nr_periods);
	case S_CPU_THR_PERIODS:
		return put_u64(atom, c->nr_throttled);
	case S_PSI:
		if (!c->have_psi)
			return PMDA_FETCH_NOVALUES;
		return put_u64(atom, d->arg < 3 ? c->psi_some[d->arg] :
		    c->psi_full[d->arg - 3]);
	case S_MEM_CACHE:
		return put_u64(atom, c->mem_cache);
	case S_MEM_ANON:
		return put_u64(atom, c->mem_anon);
	case S_MEM_HITS:
		if (strcmp(view.h.cgroup_mode, "v2") != 0)
			return PMDA_FETCH_NOVALUES;
		return put_u64(atom, c->limit_hits);
	case S_VSWAP:
		return put_u64(atom, c->vswap);
	case S_VSWAP_IN:
		return put_u64(atom, c->vswap_in);
	case S_VSWAP_OUT:
		return put_u64(atom, c->vswap_out);
	case S_VSWAP_SLOWED:
		return put_u64(atom, c->vswap_slowed);
	case S_DISK: {
		const uint64_t v[8] = { c->disk_held, c->disk_soft,
		    c->disk_hard, c->disk_failcnt, c->inodes_held,
		    c->inodes_soft, c->inodes_hard, c->inodes_failcnt };

		if (!c->have_quota || d->arg < 0 || d->arg >= 8)
			return PMDA_FETCH_NOVALUES;
		if (d->arg == 1 || d->arg == 2 || d->arg == 5 || d->arg == 6)
			return put_lim(atom, v[d->arg]);
		return put_u64(atom, v[d->arg]);
	}
	case S_IO: {
		const struct snap_dev *x;

		if (dv >= c->ndev)
			return PM_ERR_INST;
		x = &c->dev[dv];
		return put_u64(atom, d->arg == 0 ? x->rbytes : d->arg == 1 ?
		    x->wbytes : d->arg == 2 ? x->rios : x->wios);
	}
	case S_BC: {
		const struct snap_row *row = &c->row[d->arg >> 8];

		if (!row->present)
			return PMDA_FETCH_NOVALUES;
		switch (d->arg & 0xff) {
		case 0:
			return put_u64(atom, snap_value(row, row->held));
		case 1:
			return put_u64(atom, snap_value(row, row->maxheld));
		case 2:
			return sv_unlimited(row->barrier) ? PMDA_FETCH_NOVALUES :
			    put_u64(atom, snap_value(row, row->barrier));
		case 3:
			return sv_unlimited(row->limit) ? PMDA_FETCH_NOVALUES :
			    put_u64(atom, snap_value(row, row->limit));
		default:
			return put_u64(atom, row->failcnt);
		}
	}
	default:
		return PM_ERR_PMID;
	}
}

static pmdaInterface dispatch;

static int
do_fetch(int n, pmID *ids, pmResult **resp, pmdaExt *pmda)
{
	refresh();
	return pmdaFetch(n, ids, resp, pmda);
}

static int
do_instance(pmInDom indom, int inst, char *name, pmInResult **res,
    pmdaExt *pmda)
{
	refresh();
	return pmdaInstance(indom, inst, name, res, pmda);
}

static int
do_text(int ident, int type, char **buf, pmdaExt *pmda)
{
	(void)pmda;
	if (type & PM_TEXT_INDOM) {
		int serial = pmInDom_serial((pmInDom)ident);

		if (serial == CT_INDOM)
			*buf = type & PM_TEXT_ONELINE ? (char *)"accountd's "
			    "containers, by name" : (char *)"Every container "
			    "accountd knows: its own, adopted and discovered "
			    "ones.  A container keeps its instance number while "
			    "it is gone and when it comes back.";
		else if (serial == DEV_INDOM)
			*buf = type & PM_TEXT_ONELINE ? (char *)"container and "
			    "block device" : (char *)"Instances named CONTAINER::"
			    "MAJ:MIN, one per device a running container did I/O "
			    "on.";
		else
			return PM_ERR_TEXT;
		return 0;
	}
	/* defs[] hold the PMIDs without the domain: compare the rest */
	for (size_t i = 0; i < ndefs; i++)
		if (pmID_cluster(defs[i].desc.pmid) == pmID_cluster(ident) &&
		    pmID_item(defs[i].desc.pmid) == pmID_item(ident)) {
			*buf = type & PM_TEXT_ONELINE ? defs[i].oneline :
			    defs[i].help;
			return 0;
		}
	return PM_ERR_TEXT;
}

/* ---- -N and -H: the PMNS and help files from the table ------------------ */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct mdef *)a)->name,
	    ((const struct mdef *)b)->name);
}

/* Print the non-terminal `prefix` (without "accountd.") and below. */
static void
pmns_node(const struct mdef *sorted, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);
	char last[64] = "";

	printf("%s%s%s {\n", "accountd", plen ? "." : "", prefix);
	for (size_t i = 0; i < n; i++) {
		const char *name = sorted[i].name, *rest, *dot;

		if (plen && (strncmp(name, prefix, plen) != 0 ||
		    name[plen] != '.'))
			continue;
		rest = plen ? name + plen + 1 : name;
		dot = strchr(rest, '.');
		if (dot == NULL) {
			printf("\t%-24s ACCOUNTD:%u:%u\n", rest,
			    pmID_cluster(sorted[i].desc.pmid),
			    pmID_item(sorted[i].desc.pmid));
		} else if ((size_t)(dot - rest) < sizeof(last) &&
		    (strlen(last) != (size_t)(dot - rest) ||
		    strncmp(last, rest, (size_t)(dot - rest)) != 0)) {
			snprintf(last, sizeof(last), "%.*s", (int)(dot - rest),
			    rest);
			printf("\t%s\n", last);
		}
	}
	printf("}\n\n");
	/* then each child non-terminal */
	last[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = sorted[i].name, *rest, *dot;
		char child[128];

		if (plen && (strncmp(name, prefix, plen) != 0 ||
		    name[plen] != '.'))
			continue;
		rest = plen ? name + plen + 1 : name;
		if ((dot = strchr(rest, '.')) == NULL)
			continue;
		if (strlen(last) == (size_t)(dot - rest) &&
		    strncmp(last, rest, (size_t)(dot - rest)) == 0)
			continue;
		snprintf(last, sizeof(last), "%.*s", (int)(dot - rest), rest);
		snprintf(child, sizeof(child), "%s%s%s", prefix, plen ? "." : "",
		    last);
		pmns_node(sorted, n, child);
	}
}

static void
print_pmns(void)
{
	struct mdef *sorted = xcalloc(ndefs, sizeof(*sorted));

	memcpy(sorted, defs, ndefs * sizeof(*sorted));
	qsort(sorted, ndefs, sizeof(*sorted), cmp_name);
	printf("/*\n * Metrics of accountd (pmdaaccountd), generated by "
	    "pmdaaccountd -N.\n */\n\n");
	pmns_node(sorted, ndefs, "");
	free(sorted);
}

/* newhelp wants lines it need not split */
static void
print_wrapped(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > 72) {
			cut = 72;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = 72;
		}
		printf("%.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void
print_help(void)
{
	printf("#\n# Help text of accountd's metrics, generated by pmdaaccountd "
	    "-H\n#\n");
	printf("@ ACCOUNTD.%d accountd's containers, by name\n", CT_INDOM);
	printf("Every container accountd knows.\n\n");
	printf("@ ACCOUNTD.%d container and block device\n", DEV_INDOM);
	printf("Instances named CONTAINER::MAJ:MIN.\n\n");
	for (size_t i = 0; i < ndefs; i++) {
		printf("@ accountd.%s %s\n", defs[i].name, defs[i].oneline);
		print_wrapped(defs[i].help);
		printf("\n");
	}
}

/* ---- main ---------------------------------------------------------------- */

static pmLongOptions longopts[] = {
	PMDA_OPTIONS_HEADER("Options"),
	PMOPT_DEBUG,
	PMDAOPT_DOMAIN,
	PMDAOPT_LOGFILE,
	PMDAOPT_USERNAME,
	{ "snapshot", 1, 's', "FILE", "accountd's snapshot "
	    "[" RUNSTATEDIR "/accountd/snapshot]" },
	{ "pmns", 0, 'N', NULL, "print the PMNS and exit" },
	{ "help-text", 0, 'H', NULL, "print the help text (newhelp form) and "
	    "exit" },
	PMOPT_HELP,
	PMDA_OPTIONS_END
};

static pmdaOptions opts = {
	.short_options = "D:d:l:U:s:NH?",
	.long_options = longopts,
};

int
main(int argc, char **argv)
{
	char *username = NULL;
	int c;

	pmSetProgname(argv[0]);
	pmGetUsername(&username);
	build_table();
	pmdaDaemon(&dispatch, PMDA_INTERFACE_7, pmGetProgname(),
	    ACCOUNTD_DOMAIN, "accountd.log", NULL);
	snap_path = xstrdup(RUNSTATEDIR "/accountd/snapshot");
	while ((c = pmdaGetOptions(argc, argv, &opts, &dispatch)) != EOF) {
		switch (c) {
		case 's':
			free(snap_path);
			snap_path = xstrdup(opts.optarg);
			break;
		case 'N':
			print_pmns();
			return 0;
		case 'H':
			print_help();
			return 0;
		default:
			opts.errors++;
		}
	}
	if (opts.errors || opts.optind != argc) {
		pmdaUsageMessage(&opts);
		return 1;
	}
	if (opts.username)
		username = opts.username;
	pmdaOpenLog(&dispatch);
	pmSetProcessIdentity(username);
	sfollow_init(&follow, snap_path);
	dispatch.version.any.fetch = do_fetch;
	dispatch.version.any.instance = do_instance;
	dispatch.version.any.text = do_text;
	pmdaSetFetchCallBack(&dispatch, fetch_cb);
	pmdaSetFlags(&dispatch, PMDA_EXT_FLAG_HASHED);
	pmdaInit(&dispatch, indoms, NINDOMS, metrics, (int)ndefs);
	/* the indom table now holds full pmInDoms; load saved numbers */
	pmdaCacheOp(indoms[CT_INDOM].it_indom, PMDA_CACHE_LOAD);
	pmdaCacheOp(indoms[DEV_INDOM].it_indom, PMDA_CACHE_LOAD);
	pmdaConnect(&dispatch);
	pmNotifyErr(LOG_INFO, "serving accountd.* from %s", snap_path);
	pmdaMain(&dispatch);
	sfollow_close(&follow);
	return 0;
}
