/* SPDX-License-Identifier: ISC */
/* Beancounter sampling and accounting: see beancounter.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "bcstore.h"
#include "beancounter.h"
#include "log.h"
#include "vswap.h"
#include "xalloc.h"

static const struct {
	enum cg_ctrl	 ctrl;		/* for v1; v2 has one tree */
	const char	*v1, *v2;
} files[BF_COUNT] = {
	/* fast tier (before BF_FAST_END): kept descriptors, every sample;
	 * slow tier: opened by name every BC_SLOW_EVERY samples */
	[BF_MEM_USAGE] = { CTRL_MEMORY, "memory.usage_in_bytes", "memory.current" },
	[BF_MEM_FAIL] = { CTRL_MEMORY, "memory.failcnt", "memory.events" },
	[BF_SWAP_USAGE] = { CTRL_MEMORY, "memory.memsw.usage_in_bytes",
	    "memory.swap.current" },
	[BF_SWAP_FAIL] = { CTRL_MEMORY, "memory.memsw.failcnt",
	    "memory.swap.events" },
	[BF_OOM] = { CTRL_MEMORY, "memory.oom_control", NULL },
	[BF_PIDS_CUR] = { CTRL_PIDS, "pids.current", "pids.current" },
	[BF_PIDS_EVENTS] = { CTRL_PIDS, "pids.events", "pids.events" },
	[BF_CPU] = { CTRL_CPUACCT, "cpuacct.usage", "cpu.stat" },
	[BF_MEM_LIMIT] = { CTRL_MEMORY, "memory.limit_in_bytes", "memory.max" },
	[BF_MEM_PEAK] = { CTRL_MEMORY, "memory.max_usage_in_bytes",
	    "memory.peak" },
	[BF_SWAP_LIMIT] = { CTRL_MEMORY, "memory.memsw.limit_in_bytes",
	    "memory.swap.max" },
	[BF_SWAP_PEAK] = { CTRL_MEMORY, "memory.memsw.max_usage_in_bytes",
	    "memory.swap.peak" },
	[BF_PIDS_MAX] = { CTRL_PIDS, "pids.max", "pids.max" },
	[BF_PIDS_PEAK] = { CTRL_PIDS, "pids.peak", "pids.peak" },
	[BF_KMEM_USAGE] = { CTRL_MEMORY, "memory.kmem.usage_in_bytes", NULL },
	[BF_KMEM_PEAK] = { CTRL_MEMORY, "memory.kmem.max_usage_in_bytes", NULL },
	[BF_KMEM_FAIL] = { CTRL_MEMORY, "memory.kmem.failcnt", NULL },
	[BF_KMEM_LIMIT] = { CTRL_MEMORY, "memory.kmem.limit_in_bytes", NULL },
	[BF_TCP_USAGE] = { CTRL_MEMORY, "memory.kmem.tcp.usage_in_bytes", NULL },
	[BF_TCP_PEAK] = { CTRL_MEMORY, "memory.kmem.tcp.max_usage_in_bytes",
	    NULL },
	[BF_TCP_FAIL] = { CTRL_MEMORY, "memory.kmem.tcp.failcnt", NULL },
	[BF_TCP_LIMIT] = { CTRL_MEMORY, "memory.kmem.tcp.limit_in_bytes", NULL },
	[BF_MEM_STAT] = { CTRL_MEMORY, "memory.stat", "memory.stat" },
	[BF_CPU_STAT] = { CTRL_CPU, "cpu.stat", NULL },
	[BF_IO] = { CTRL_IO, "blkio.throttle.io_service_bytes_recursive",
	    "io.stat" },
	[BF_IO_OPS] = { CTRL_IO, "blkio.throttle.io_serviced_recursive", NULL },
	[BF_PSI_CPU] = { CTRL_CPU, NULL, "cpu.pressure" },
	[BF_PSI_MEM] = { CTRL_MEMORY, NULL, "memory.pressure" },
	[BF_PSI_IO] = { CTRL_IO, NULL, "io.pressure" },
};

const char *
bc_file_name(enum bc_file f, int version)
{
	return version == 2 ? files[f].v2 : files[f].v1;
}

static int
version_of(enum bc_file f)
{
	enum cg_ctrl c = files[f].ctrl;

	/* cpuacct is a v1 name; on v2 its figures live with cpu */
	return cg_version(&ad->layout, c);
}

/* ---- reading ----------------------------------------------------------- */

/*
 * Descriptors kept, and how many may be (set from RLIMIT_NOFILE by
 * bc_init()).  In the order they are worth having:
 *   1. every container's gate (its CPU counter, read every round: by
 *      path it costs 4 times a pread), while the budget lasts;
 *   2. the other fast-tier files of a container whose gate moved, and
 *      pidfds, while they leave a gate for every running container
 *      (gates_owed: containers whose gate is read by path); a container
 *      idle for BC_TRIM_AFTER rounds gives its counters back;
 *   3. directories and the v1 eventfd, within a quarter of the budget
 *      (bc_budget_take_dirs);
 *   4. a lean container's v1 eventfd (sampler.c, v1_arm), from the whole
 *      budget while gates are left for every container.
 */
static unsigned long fds_used, fds_budget = 1000, gates_owed;
static bool budget_warned, dirs_told;

void
bc_init(unsigned long budget)
{
	fds_budget = budget;
}

/*
 * Does one more container fit in the descriptor budget with `need`
 * descriptors of its own?  Counts them when it does.  Beyond it a
 * container is "lean": no descriptor stays open for it.
 */
bool
bc_budget_take(unsigned long need, const char *name)
{
	(void)name;
	if (fds_used + need + gates_owed <= fds_budget) {
		fds_used += need;
		return true;
	}
	return false;
}

/* A gate's descriptor: from the whole budget. */
static bool
gate_take(const char *name)
{
	if (fds_used + 1 <= fds_budget) {
		fds_used++;
		return true;
	}
	if (!budget_warned) {
		log_warn("%s and later containers: over the descriptor budget "
		    "(%lu; the open-file limit decides it); their counters are "
		    "read by path, about 4x the CPU, and their failures seen by "
		    "sampling. Raise LimitNOFILE to keep them all", name,
		    fds_budget);
		budget_warned = true;
	}
	return false;
}

/*
 * A container's directories and v1 eventfd (need), with room for its
 * fast-tier counters: kept while all that fits in a quarter of the
 * budget, so that the rest serves the gates of every container and the
 * counters of the busy ones.  Beyond it a container is "lean".
 */
bool
bc_budget_take_dirs(unsigned long need, const char *name)
{
	if (fds_used + need + BF_FAST_END + gates_owed <= fds_budget / 4) {
		fds_used += need;
		return true;
	}
	if (!dirs_told) {
		log_info("%s and later containers keep no directories open "
		    "(they may take a quarter of the %lu descriptors); requests "
		    "open them as needed", name, fds_budget);
		dirs_told = true;
	}
	return false;
}

void
bc_fds(unsigned long *used, unsigned long *budget)
{
	*used = fds_used;
	*budget = fds_budget;
}

void
bc_budget_give(unsigned long n)
{
	fds_used -= n < fds_used ? n : fds_used;
}

static int
dir_of(const struct container *ct, enum bc_file f)
{
	enum cg_ctrl c = files[f].ctrl;

	if (c == CTRL_CPUACCT && cg_version(&ad->layout, CTRL_CPU) == 2)
		c = CTRL_CPU;
	return cg_ct_fd(&ad->layout, &ct->cg, c);
}

static ssize_t
rd(const struct container *ct, enum bc_file f, char *buf, size_t len)
{
	const struct bc *b = &ct->bc;
	enum cg_ctrl c = files[f].ctrl;
	int dfd;

	if (b->fd[f] >= 0)
		return cg_pread(b->fd[f], buf, len);
	if (b->fd[f] == BC_FD_ABSENT)
		return -ENOENT;
	if ((dfd = dir_of(ct, f)) >= 0)
		return cg_read(dfd, bc_file_name(f, version_of(f)), buf, len);
	/* a lean container keeps no directory open */
	if (c == CTRL_CPUACCT && cg_version(&ad->layout, CTRL_CPU) == 2)
		c = CTRL_CPU;
	return cg_read_path(&ad->layout, c, ct->cgpath,
	    bc_file_name(f, version_of(f)), buf, len);
}

static bool
have(const struct bc *b, enum bc_file f)
{
	return b->fd[f] != BC_FD_ABSENT;
}

/* Open a fast-tier file for keeping: through the directory where it is
 * open, by path for a lean container. */
static int
open_counter(const struct container *ct, enum bc_file f)
{
	enum cg_ctrl c = files[f].ctrl;
	int dfd;

	if ((dfd = dir_of(ct, f)) >= 0)
		return cg_open_counter(dfd, bc_file_name(f, version_of(f)));
	if (c == CTRL_CPUACCT && cg_version(&ad->layout, CTRL_CPU) == 2)
		c = CTRL_CPU;
	return cg_open_counter_path(&ad->layout, c, ct->cgpath,
	    bc_file_name(f, version_of(f)));
}

/* v1 pids.events of a container with a numproc limit is polled
 * (sampler.c): its descriptor stays while the container does. */
static bool
polled(const struct bc *b, enum bc_file f)
{
	return f == BF_PIDS_EVENTS && cg_version(&ad->layout, CTRL_PIDS) == 1 &&
	    b->r[UB_NUMPROC].limit < VAL_UNLIMITED;
}

/* A busy container keeps its fast-tier files open while the budget
 * allows (its gate first). */
static void
fast_keep(struct container *ct)
{
	struct bc *b = &ct->bc;

	for (int f = 0; f < BF_FAST_END; f++) {
		int fd;

		if (b->fd[f] != BC_FD_BY_NAME)
			continue;
		if (f == BF_CPU ? !gate_take(ct->name) :
		    !bc_budget_take(1, ct->name))
			continue;
		if ((fd = open_counter(ct, (enum bc_file)f)) < 0) {
			bc_budget_give(1);
			continue;
		}
		b->fd[f] = fd;
		if (f == BF_CPU && b->gate_owed) {
			b->gate_owed = false;
			gates_owed--;
		}
	}
}

/* An idle container gives back all but its gate. */
static void
fast_trim(struct container *ct)
{
	struct bc *b = &ct->bc;

	for (int f = 0; f < BF_FAST_END; f++) {
		if (f == BF_CPU || b->fd[f] < 0 || polled(b, (enum bc_file)f))
			continue;
		close(b->fd[f]);
		b->fd[f] = BC_FD_BY_NAME;
		bc_budget_give(1);
	}
}

static int
rd_u64(const struct container *ct, enum bc_file f, uint64_t *v)
{
	char buf[64];
	ssize_t r = rd(ct, f, buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	*v = cg_parse_u64(buf);
	return 0;
}

static int
rd_key(const struct container *ct, enum bc_file f, const char *key,
    uint64_t *v)
{
	char buf[1024];
	ssize_t r = rd(ct, f, buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	return cg_key_u64(buf, key, v) ? 0 : -ENOENT;
}

static uint64_t
pages(uint64_t bytes)
{
	return bytes >= VAL_UNLIMITED ? VAL_UNLIMITED : bytes / ACCT_PAGE_SIZE;
}

/* ---- accounting ---------------------------------------------------------- */

static struct bc_record *
record(struct container *ct)
{
	return bcstore_rec(ct->bc.rec);
}

static void
held(struct container *ct, enum ub_res r, uint64_t v)
{
	struct bc_record *rec = record(ct);

	ct->bc.r[r].held = v;
	ct->bc.present |= 1u << r;
	if (rec != NULL && v > rec->row[r].maxheld && v < VAL_UNLIMITED)
		rec->row[r].maxheld = v;
}

/* A kernel peak is a maxheld candidate too (it saw what sampling missed) */
static void
peak(struct container *ct, enum ub_res r, uint64_t v)
{
	struct bc_record *rec = record(ct);

	if (rec != NULL && v > rec->row[r].maxheld && v < VAL_UNLIMITED)
		rec->row[r].maxheld = v;
}

/* Advance failcnt from a kernel counter; returns the increase. */
static uint64_t
fails(struct container *ct, enum ub_res r, uint64_t raw, bc_alert_fn alert)
{
	struct bc_record *rec = record(ct);
	uint64_t d;

	if (rec == NULL)
		return 0;
	/* a counter below its base was reset: the cgroup is new */
	d = raw >= rec->row[r].raw ? raw - rec->row[r].raw : raw;
	rec->row[r].raw = raw;
	rec->row[r].failcnt += d;
	if (d > 0 && alert != NULL && !(rec->flags & 1))
		alert(ct, r, d);
	return d;
}

/*
 * A fork the pids controller refused found the container at its limit:
 * held was the limit then, whatever is left by the time accountd reads
 * (the processes that filled it have often exited).  The event reports
 * held at the failure, and maxheld has seen it.
 */
static uint64_t
numproc_fails(struct container *ct, uint64_t raw, bc_alert_fn alert)
{
	struct bc_row *row = &ct->bc.r[UB_NUMPROC];
	struct bc_record *rec = record(ct);
	uint64_t now = row->held, base, d;

	base = rec != NULL ? rec->row[UB_NUMPROC].raw : raw;
	/* as fails() counts: a counter below its base is a new cgroup's */
	if ((raw >= base ? raw - base : raw) > 0 &&
	    row->limit > now && row->limit < VAL_UNLIMITED) {
		peak(ct, UB_NUMPROC, row->limit);
		row->held = row->limit;
	}
	d = fails(ct, UB_NUMPROC, raw, alert);
	row->held = now;	/* the row itself shows what is held now */
	return d;
}

/* The configured value, or a fallback, for rows the kernel has no limit
 * of its own for. */
static void
limits_from_params(struct container *ct, enum ub_res r, enum param_id p,
    uint64_t dflt_lim)
{
	const struct ct_params *cp = ct_effective(ct);

	if (cp->v[p].set) {
		ct->bc.r[r].barrier = cp->v[p].bar;
		ct->bc.r[r].limit = cp->v[p].lim;
	} else {
		ct->bc.r[r].barrier = dflt_lim;
		ct->bc.r[r].limit = dflt_lim;
	}
}

/* ---- the tiers ------------------------------------------------------------ */

/* The gate's value in a CPU counter file's text. */
static bool
gate_value(const char *text, uint64_t *v)
{
	if (cg_version(&ad->layout, CTRL_CPU) == 2)
		return cg_key_u64(text, "usage_usec", v);
	*v = cg_parse_u64(text);
	return true;
}

/* cpu: the CPU counter's text when the gate has just read it */
static int
sample_fast(struct container *ct, bc_alert_fn alert, const char *cpu)
{
	struct bc *b = &ct->bc;
	int v2 = cg_version(&ad->layout, CTRL_MEMORY) == 2;
	uint64_t mem = 0, sw = 0, x = 0;
	char buf[512];
	int n = 0;
	ssize_t r;

	if (have(b, BF_MEM_USAGE)) {
		/* in vswap's ram mode the kernel's limit is RAM+SWAP: what
		 * is above RAM is virtual swap, and a failure at the ceiling
		 * means neither RAM nor swap had room (OpenVZ counts both) */
		uint64_t oom = 0, kills = 0, ramb = 0;
		bool vram = vswap_ram_mode(ct, &ramb, NULL);
		bool have_oomc = false;

		if ((r = rd_u64(ct, BF_MEM_USAGE, &mem)) == -ENODEV)
			return -ENODEV;
		if (have(b, BF_SWAP_USAGE) && rd_u64(ct, BF_SWAP_USAGE, &x) == 0)
			/* v1 counts memory+swap; v2 swap alone */
			sw = v2 ? x : (x > mem ? x - mem : 0);
		if (vram) {
			held(ct, UB_PHYSPAGES, pages(mem < ramb ? mem : ramb));
			held(ct, UB_SWAPPAGES, pages((mem > ramb ? mem - ramb :
			    0) + sw));
		} else {
			held(ct, UB_PHYSPAGES, pages(mem));
			if (have(b, BF_SWAP_USAGE))
				held(ct, UB_SWAPPAGES, pages(sw));
		}
		if (v2) {
			if (rd(ct, BF_MEM_FAIL, buf, sizeof(buf)) > 0) {
				/* "oom": reclaim could not make room, OpenVZ's
				 * meaning; "max" also counts limit hits that
				 * reclaim resolved (kept as limit_hits) */
				cg_key_u64(buf, "max", &b->limit_hits);
				have_oomc = cg_key_u64(buf, "oom", &oom);
				if (cg_key_u64(buf, "oom_kill", &kills)) {
					n += fails(ct, UB_OOMGUARPAGES, kills,
					    alert) > 0;
					b->have_oom = true;
				}
			}
			if (have_oomc)
				n += fails(ct, UB_PHYSPAGES, oom, alert) > 0;
			/* with VSwap, a failure means RAM and swap were both
			 * full: once per failure, as OpenVZ counted it (swap
			 * events count every swap slot refused) */
			if (vswap_active(ct) && have_oomc)
				n += fails(ct, UB_SWAPPAGES, oom, alert) > 0;
			else if (rd_key(ct, BF_SWAP_FAIL, "fail", &x) == 0)
				n += fails(ct, UB_SWAPPAGES, x, alert) > 0;
		} else {
			if (rd_key(ct, BF_OOM, "oom_kill", &kills) == 0) {
				n += fails(ct, UB_OOMGUARPAGES, kills, alert) > 0;
				b->have_oom = true;
			}
			if (vswap_active(ct) && b->have_oom) {
				/* v1 has no "reclaim failed" counter of its own:
				 * the OOM kills at the ceiling stand for it */
				n += fails(ct, UB_PHYSPAGES, kills, alert) > 0;
				n += fails(ct, UB_SWAPPAGES, kills, alert) > 0;
			} else {
				if (rd_u64(ct, BF_MEM_FAIL, &x) == 0)
					n += fails(ct, UB_PHYSPAGES, x, alert) > 0;
				if (rd_u64(ct, BF_SWAP_FAIL, &x) == 0)
					n += fails(ct, UB_SWAPPAGES, x, alert) > 0;
			}
		}
		/* a row only with its OOM counter (shown and hidden by turns
		 * otherwise, as the slow tier checks have_oom) */
		if (b->have_oom)
			held(ct, UB_OOMGUARPAGES, pages(mem + sw));
		vswap_account(ct, mem, sw);
	}
	if (have(b, BF_PIDS_CUR)) {
		if ((r = rd_u64(ct, BF_PIDS_CUR, &x)) == -ENODEV)
			return -ENODEV;
		if (r == 0)
			held(ct, UB_NUMPROC, x);
		if (rd_key(ct, BF_PIDS_EVENTS, "max", &x) == 0)
			n += numproc_fails(ct, x, alert) > 0;
		/* the kernel's peak saw the forks between two samples */
		if (have(b, BF_PIDS_PEAK) && rd_u64(ct, BF_PIDS_PEAK, &x) == 0)
			peak(ct, UB_NUMPROC, x);
	}
	if (have(b, BF_CPU) && (cpu != NULL ||
	    (rd(ct, BF_CPU, buf, sizeof(buf)) > 0 && (cpu = buf, true)))) {
		if (cg_version(&ad->layout, CTRL_CPU) == 2) {
			cg_key_u64(cpu, "usage_usec", &b->cpu_usage);
			cg_key_u64(cpu, "user_usec", &b->cpu_user);
			cg_key_u64(cpu, "system_usec", &b->cpu_system);
			cg_key_u64(cpu, "nr_periods", &b->nr_periods);
			cg_key_u64(cpu, "nr_throttled", &b->nr_throttled);
			cg_key_u64(cpu, "throttled_usec", &b->throttled);
		} else {
			b->cpu_usage = cg_parse_u64(cpu) / 1000;	/* ns */
		}
		b->gate_ok = gate_value(cpu, &b->gate);
		/* a read may catch a change half made (an exit counted
		 * before its reaping): the next round reads again */
		b->reread = true;
	}
	/* v1 throttling (v2 has it in cpu.stat above) */
	if (have(b, BF_CPU_STAT) && rd(ct, BF_CPU_STAT, buf, sizeof(buf)) > 0) {
		cg_key_u64(buf, "nr_periods", &b->nr_periods);
		cg_key_u64(buf, "nr_throttled", &b->nr_throttled);
		if (cg_key_u64(buf, "throttled_time", &x))
			b->throttled = x / 1000;	/* ns */
	}
	return n;
}

static void
parse_io(struct container *ct, int v2)
{
	struct bc *b = &ct->bc;

	char buf[2048], *line, *save = NULL;

	if (rd(ct, BF_IO, buf, sizeof(buf)) <= 0)
		return;
	b->ndev = 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char dev[16];
		struct bc_dev *d = NULL;
		int k;

		if (sscanf(line, "%15s", dev) != 1 || strchr(dev, ':') == NULL)
			continue;
		for (k = 0; k < b->ndev; k++)
			if (strcmp(b->dev[k].dev, dev) == 0)
				d = &b->dev[k];
		if (d == NULL) {
			if (b->ndev == BC_MAX_DEVS)
				continue;
			if (b->dev == NULL)
				b->dev = xcalloc(BC_MAX_DEVS, sizeof(*b->dev));
			d = &b->dev[b->ndev++];
			memset(d, 0, sizeof(*d));
			snprintf(d->dev, sizeof(d->dev), "%s", dev);
		}
		if (v2) {	/* 8:0 rbytes=1 wbytes=2 rios=3 wios=4 ... */
			char *p;

			if ((p = strstr(line, "rbytes=")) != NULL)
				d->rbytes = strtoull(p + 7, NULL, 10);
			if ((p = strstr(line, "wbytes=")) != NULL)
				d->wbytes = strtoull(p + 7, NULL, 10);
			if ((p = strstr(line, "rios=")) != NULL)
				d->rios = strtoull(p + 5, NULL, 10);
			if ((p = strstr(line, "wios=")) != NULL)
				d->wios = strtoull(p + 5, NULL, 10);
		} else {	/* 8:0 Read 123 */
			char op[16];
			unsigned long long v;

			if (sscanf(line, "%*s %15s %llu", op, &v) == 2) {
				if (strcmp(op, "Read") == 0)
					d->rbytes = v;
				else if (strcmp(op, "Write") == 0)
					d->wbytes = v;
			}
		}
	}
	if (v2 || !have(b, BF_IO_OPS) ||
	    rd(ct, BF_IO_OPS, buf, sizeof(buf)) <= 0)
		return;
	save = NULL;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char dev[16], op[16];
		unsigned long long v;

		if (sscanf(line, "%15s %15s %llu", dev, op, &v) != 3)
			continue;
		for (int k = 0; k < b->ndev; k++)
			if (strcmp(b->dev[k].dev, dev) == 0) {
				if (strcmp(op, "Read") == 0)
					b->dev[k].rios = v;
				else if (strcmp(op, "Write") == 0)
					b->dev[k].wios = v;
			}
	}
}

static void
parse_psi(struct container *ct, enum bc_file f, int i)
{
	struct bc *b = &ct->bc;

	char buf[256], *p;

	if (rd(ct, f, buf, sizeof(buf)) <= 0)
		return;
	b->have_psi = true;
	if ((p = strstr(buf, "some ")) != NULL &&
	    (p = strstr(p, "total=")) != NULL)
		b->psi_some[i] = strtoull(p + 6, NULL, 10);
	if ((p = strstr(buf, "full ")) != NULL &&
	    (p = strstr(p, "total=")) != NULL)
		b->psi_full[i] = strtoull(p + 6, NULL, 10);
}

static void
sample_slow(struct container *ct, bc_alert_fn alert)
{
	struct bc *b = &ct->bc;
	const struct ct_params *cp = ct_effective(ct);
	int v2 = cg_version(&ad->layout, CTRL_MEMORY) == 2;
	uint64_t x = 0, mlim = VAL_UNLIMITED, y = 0, vram = 0, vswap = 0;
	bool vram_mode = vswap_ram_mode(ct, &vram, &vswap);
	char buf[4096];

	if (have(b, BF_MEM_USAGE)) {
		if (rd_u64(ct, BF_MEM_LIMIT, &mlim) == 0)
			b->r[UB_PHYSPAGES].limit = pages(mlim);
		if (vram_mode)
			mlim = vram;	/* the kernel holds the ceiling */
		b->r[UB_PHYSPAGES].barrier = cp->v[P_PHYSPAGES].set ?
		    cp->v[P_PHYSPAGES].bar : 0;
		if (rd_u64(ct, BF_MEM_PEAK, &x) == 0)
			peak(ct, UB_PHYSPAGES, pages(x));
		if (bc_present(b, UB_SWAPPAGES) && rd_u64(ct, BF_SWAP_LIMIT, &x) == 0)
			b->r[UB_SWAPPAGES].limit = v2 ? pages(x) :
			    x >= VAL_UNLIMITED || mlim >= VAL_UNLIMITED ?
			    VAL_UNLIMITED : pages(x > mlim ? x - mlim : 0);
		b->r[UB_SWAPPAGES].barrier = cp->v[P_SWAPPAGES].set ?
		    cp->v[P_SWAPPAGES].bar : 0;
		if (vram_mode) {
			/* RAM and swap are accountd's lines, not the kernel's */
			b->r[UB_PHYSPAGES].limit = pages(vram);
			b->r[UB_SWAPPAGES].limit = pages(vswap);
			b->present |= 1u << UB_SWAPPAGES;
		}
		if (v2 && rd_u64(ct, BF_SWAP_PEAK, &x) == 0)
			peak(ct, UB_SWAPPAGES, pages(x));
		if (!v2 && rd_u64(ct, BF_SWAP_PEAK, &x) == 0)
			peak(ct, UB_OOMGUARPAGES, pages(x));
		/* OpenVZ's VSwap: oomguarpages = ram:unlimited by default */
		b->r[UB_OOMGUARPAGES].barrier = cp->v[P_OOMGUARPAGES].set ?
		    cp->v[P_OOMGUARPAGES].bar : b->r[UB_PHYSPAGES].limit;
		b->r[UB_OOMGUARPAGES].limit = VAL_UNLIMITED;
		if (!b->have_oom)
			b->present &= ~(1u << UB_OOMGUARPAGES);
	}
	if (have(b, BF_PIDS_CUR)) {
		if (rd_u64(ct, BF_PIDS_MAX, &x) == 0)
			b->r[UB_NUMPROC].barrier = b->r[UB_NUMPROC].limit = x;
	}
	/* v1 kernel memory and TCP buffers have counters of their own */
	if (have(b, BF_KMEM_USAGE) && rd_u64(ct, BF_KMEM_USAGE, &x) == 0) {
		held(ct, UB_KMEMSIZE, x);
		if (rd_u64(ct, BF_KMEM_PEAK, &y) == 0)
			peak(ct, UB_KMEMSIZE, y);
		if (rd_u64(ct, BF_KMEM_FAIL, &y) == 0)
			fails(ct, UB_KMEMSIZE, y, alert);
		if (rd_u64(ct, BF_KMEM_LIMIT, &y) == 0)
			b->r[UB_KMEMSIZE].limit = y;
		b->r[UB_KMEMSIZE].barrier = cp->v[P_KMEMSIZE].set ?
		    cp->v[P_KMEMSIZE].bar : b->r[UB_KMEMSIZE].limit;
	}
	if (have(b, BF_TCP_USAGE) && rd_u64(ct, BF_TCP_USAGE, &x) == 0) {
		held(ct, UB_TCPSNDBUF, x);
		if (rd_u64(ct, BF_TCP_PEAK, &y) == 0)
			peak(ct, UB_TCPSNDBUF, y);
		if (rd_u64(ct, BF_TCP_FAIL, &y) == 0)
			fails(ct, UB_TCPSNDBUF, y, alert);
		if (rd_u64(ct, BF_TCP_LIMIT, &y) == 0)
			b->r[UB_TCPSNDBUF].barrier = b->r[UB_TCPSNDBUF].limit = y;
	}
	if (rd(ct, BF_MEM_STAT, buf, sizeof(buf)) > 0) {
		if (cg_key_u64(buf, "shmem", &x)) {
			held(ct, UB_SHMPAGES, pages(x));
			limits_from_params(ct, UB_SHMPAGES, P_SHMPAGES, VAL_UNLIMITED);
		}
		if (cg_key_u64(buf, "unevictable", &x)) {
			held(ct, UB_LOCKEDPAGES, pages(x));
			limits_from_params(ct, UB_LOCKEDPAGES, P_LOCKEDPAGES,
			    VAL_UNLIMITED);
		}
		if (v2) {
			if (cg_key_u64(buf, "kernel", &x) ||
			    (cg_key_u64(buf, "slab", &x) && cg_key_u64(buf,
			    "kernel_stack", &y) && (x += y, true))) {
				held(ct, UB_KMEMSIZE, x);
				limits_from_params(ct, UB_KMEMSIZE, P_KMEMSIZE,
				    VAL_UNLIMITED);
			}
			if (cg_key_u64(buf, "sock", &x)) {
				held(ct, UB_TCPSNDBUF, x);
				limits_from_params(ct, UB_TCPSNDBUF, P_TCPSNDBUF,
				    VAL_UNLIMITED);
			}
			if (cg_key_u64(buf, "slab_reclaimable", &x)) {
				held(ct, UB_DCACHESIZE, x);
				limits_from_params(ct, UB_DCACHESIZE, P_DCACHESIZE,
				    VAL_UNLIMITED);
			}
			cg_key_u64(buf, "file", &b->mem_cache);
			cg_key_u64(buf, "anon", &b->mem_anon);
		} else {
			cg_key_u64(buf, "cache", &b->mem_cache);
			cg_key_u64(buf, "rss", &b->mem_anon);
		}
	}
	parse_io(ct, cg_version(&ad->layout, CTRL_IO) == 2);
	parse_psi(ct, BF_PSI_CPU, 0);
	parse_psi(ct, BF_PSI_MEM, 1);
	parse_psi(ct, BF_PSI_IO, 2);
}

static int
sample(struct container *ct, bool slow, bc_alert_fn alert, const char *cpu)
{
	struct bc_record *rec;
	int n;

	if ((n = sample_fast(ct, alert, cpu)) < 0)
		return n;
	if (slow || ct->bc.samples == 0)
		sample_slow(ct, alert);
	ct->bc.samples++;
	/* the first sample of a new record sets the base: no alerts for
	 * failures that happened before accountd knew the container */
	if ((rec = record(ct)) != NULL)
		rec->flags &= ~1u;
	return n;
}

int
bc_sample(struct container *ct, bool slow, bc_alert_fn alert)
{
	return sample(ct, slow, alert, NULL);
}

/*
 * The idle gate.  Nothing a container holds can grow, and no failure
 * can happen in it, without a task of the container running: memory is
 * charged to the task that allocates, a fork or a refused fork is a
 * task's system call, and the CPU counter moves with every nanosecond a
 * task runs.  So one read of that counter decides whether the rest can
 * have changed.  What can change without it: memory given back by
 * reclaim, peaks and limits that others reset or write, I/O written back
 * later (v2): read when the sampler forces the read (every
 * BC_IDLE_EVERY rounds, sampler.c), at an event, and when accountd
 * changes a limit.  And what a read catches half made: a task that has
 * exited but is not yet reaped still counts in numproc, with the CPU
 * counter already still.  So the gate shuts only after one full read
 * that found the counter still; until then (after a round in which it
 * moved, or any read outside a round: an exit, an event) it reads on.
 */
int
bc_sample_round(struct container *ct, bool slow, bool force,
    bc_alert_fn alert)
{
	struct bc *b = &ct->bc;
	const char *cpu = NULL;
	char buf[512];
	bool still = false;
	uint64_t g;
	ssize_t r;
	int n;

	if (b->gate_ok && have(b, BF_CPU)) {
		if ((r = rd(ct, BF_CPU, buf, sizeof(buf))) == -ENODEV)
			return -ENODEV;
		if (r > 0) {
			cpu = buf;
			if ((still = gate_value(buf, &g) && g == b->gate)) {
				if (++b->idle_run == BC_TRIM_AFTER)
					fast_trim(ct);
				if (!force && !b->reread)
					return BC_IDLE;
			} else {
				b->idle_run = 0;
				fast_keep(ct);
			}
		}
	}
	n = sample(ct, slow, alert, cpu);
	/* the gate shuts after one full read with the counter still */
	b->reread = !still;
	return n;
}

int
bc_sample_events(struct container *ct, bc_alert_fn alert)
{
	return sample_fast(ct, alert, NULL);
}

/*
 * Has the kernel refused a fork since the last sample?  One read of
 * pids.events against the count the record holds (the v1 pids poll:
 * v1 sends no notification); the sample that follows a yes alerts.
 */
bool
bc_pids_moved(struct container *ct)
{
	const struct bc_record *rec = record(ct);
	uint64_t x;

	return rec != NULL && have(&ct->bc, BF_PIDS_EVENTS) &&
	    rd_key(ct, BF_PIDS_EVENTS, "max", &x) == 0 &&
	    x != rec->row[UB_NUMPROC].raw;
}

/* Memory in use, by one read (the v2 VSwap watch). */
int
bc_peek_usage(struct container *ct, uint64_t *usage)
{
	return have(&ct->bc, BF_MEM_USAGE) ?
	    rd_u64(ct, BF_MEM_USAGE, usage) : -ENOENT;
}

/* ---- start and stop --------------------------------------------------------- */

void
bc_start(struct container *ct)
{
	struct bc *b = &ct->bc;
	struct bc_record *rec;
	struct stat st;
	bool keep;
	int fresh;

	free(b->dev);
	memset(b, 0, sizeof(*b));
	/* the gate of every container, and the other fast-tier files of a
	 * container that keeps its directories, get kept descriptors while
	 * the budget lasts; a lean one's are kept while it is busy */
	keep = !ct->lean;
	for (int f = 0; f < BF_COUNT; f++) {
		int dfd = dir_of(ct, (enum bc_file)f);
		const char *name = bc_file_name((enum bc_file)f,
		    version_of((enum bc_file)f));

		b->fd[f] = BC_FD_ABSENT;
		if (dfd < 0 || name == NULL || !cg_has_file(dfd, name))
			continue;
		b->fd[f] = BC_FD_BY_NAME;
		if (f == BF_CPU ? gate_take(ct->name) :
		    keep && f < BF_FAST_END && bc_budget_take(1, ct->name)) {
			int fd = cg_open_counter(dfd, name);

			if (fd >= 0)
				b->fd[f] = fd;
			else
				bc_budget_give(1);
		}
		if (f == BF_CPU && b->fd[f] < 0) {
			b->gate_owed = true;
			gates_owed++;
		}
	}
	/* kernel memory is only counted where accounting is on */
	fresh = bcstore_find(ct->name, false) < 0;
	b->rec = bcstore_find(ct->name, true);
	rec = record(ct);
	if (rec == NULL)
		return;
	b->gen = fstat(ct->cg.dfd[ad->layout.primary], &st) == 0 ?
	    (uint64_t)st.st_ino : 0;
	if (rec->gen != b->gen) {
		/* a new cgroup: its counters started at zero */
		for (int r = 0; r < UB_COUNT; r++)
			rec->row[r].raw = 0;
		rec->gen = b->gen;
	}
	/* first sample: base, no alerts; except for a cgroup whose birth
	 * accountd saw: its counters started at 0, so all of them, even a
	 * failure of its first moment, are news */
	if (fresh && ct->born_ms == 0)
		rec->flags |= 1u;
}

void
bc_forget(struct container *ct)
{
	free(ct->bc.dev);
	ct->bc.dev = NULL;
	ct->bc.ndev = 0;
}

void
bc_stop(struct container *ct)
{
	if (ct->bc.gate_owed) {
		ct->bc.gate_owed = false;
		gates_owed--;
	}
	for (int f = 0; f < BF_COUNT; f++) {
		if (ct->bc.fd[f] >= 0) {
			close(ct->bc.fd[f]);
			bc_budget_give(1);
		}
		ct->bc.fd[f] = BC_FD_ABSENT;
	}
}

struct ub_row
bc_public_row(const struct container *ct, enum ub_res r)
{
	const struct bc_record *rec = bcstore_rec(ct->bc.rec);
	const struct bc_row *b = &ct->bc.r[r];
	struct ub_row u = {
		.held = b->held, .barrier = b->barrier, .limit = b->limit,
		.present = bc_present(&ct->bc, r),
	};

	if (rec != NULL) {
		u.maxheld = rec->row[r].maxheld;
		u.failcnt = rec->row[r].failcnt;
	}
	if (u.maxheld < u.held)
		u.maxheld = u.held;
	return u;
}

void
bc_ubc(const struct container *ct, struct ubc *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", ct->name);
	for (int r = 0; r < UB_COUNT; r++)
		u->r[r] = bc_public_row(ct, (enum ub_res)r);
}
