/* SPDX-License-Identifier: ISC */
/*
 * Per-container accounting: the beancounter rows (held, maxheld, barrier,
 * limit, failcnt) from the kernel's own counters, plus CPU, I/O and
 * pressure figures.  docs/beancounters.md has the source of every row on
 * cgroup v1 and v2.
 *
 * Two tiers.  The fast one (usage, failure counters, process count and
 * peak, CPU time and throttling: 8 or 10 files) is read every sample
 * through kept descriptors
 * (pread: about 2 us a file here, against 9-12 us for open/read/close).
 * The slow one (limits, peaks, kernel memory, memory.stat, I/O, pressure)
 * is read by name every BC_SLOW_EVERY samples and after every change
 * accountd makes.  A round's sample first reads the CPU counter, the
 * idle gate: a container whose counter has not moved is not read further
 * (bc_sample_round), except every BC_IDLE_EVERY rounds.
 * Kept descriptors are not free: a cgroup file holds a page-sized buffer
 * in the kernel (about 5 KB of slab per descriptor, measured), and the
 * open-file limit bounds them: bc_init() gets a budget, shared out as
 * beancounter.c says (gates first), and what does not fit is read by
 * name (logged once).
 *
 * maxheld and failcnt are kept in the store (bcstore.h) and only ever
 * grow: a kernel counter that went backwards (the cgroup was recreated:
 * the container restarted) starts a new base and its whole value is
 * added; so is a counter whose cgroup generation (inode) changed while
 * accountd was not running.
 */
#ifndef ACCT_BEANCOUNTER_H
#define ACCT_BEANCOUNTER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "ubc.h"

#define BC_SLOW_EVERY	30
#define BC_IDLE_EVERY	120	/* an idle container is read in full this
				 * often (a multiple of BC_SLOW_EVERY) */
#define BC_TRIM_AFTER	30	/* idle rounds after which a container's
				 * counter files go back to the budget */
#define BC_IDLE		(-EAGAIN)	/* bc_sample_round(): not read, idle */
#define BC_FD_ABSENT	(-1)	/* no such file on this kernel */
#define BC_FD_BY_NAME	(-2)	/* read by name (slow tier, or no budget) */
#define BC_MAX_DEVS	8

enum bc_file {
	/* fast tier; pids.peak (a fork burst between two samples) and v1
	 * cpu.stat (throttling) are read each sample too, so that maxheld
	 * and the throttling figures are current within one sample */
	BF_MEM_USAGE, BF_MEM_FAIL, BF_SWAP_USAGE, BF_SWAP_FAIL, BF_OOM,
	BF_PIDS_CUR, BF_PIDS_EVENTS, BF_PIDS_PEAK, BF_CPU, BF_CPU_STAT,
	BF_FAST_END,
	/* slow tier */
	BF_MEM_LIMIT = BF_FAST_END, BF_MEM_PEAK, BF_SWAP_LIMIT, BF_SWAP_PEAK,
	BF_PIDS_MAX, BF_KMEM_USAGE, BF_KMEM_PEAK, BF_KMEM_FAIL,
	BF_KMEM_LIMIT, BF_TCP_USAGE, BF_TCP_PEAK, BF_TCP_FAIL, BF_TCP_LIMIT,
	BF_MEM_STAT, BF_IO, BF_IO_OPS, BF_PSI_CPU, BF_PSI_MEM,
	BF_PSI_IO,
	BF_COUNT
};

struct bc_dev {
	char		dev[16];
	uint64_t	rbytes, wbytes, rios, wios;
};

/* A row as sampled (24 bytes, not struct ub_row's 48): maxheld and
 * failcnt are the store record's (bcstore.h), read with bc_public_row(),
 * and whether the row is present is a bit of struct bc's present. */
struct bc_row {
	uint64_t	 held, barrier, limit;
};

_Static_assert(UB_COUNT <= 32, "struct bc's present has a bit per row");

struct bc {
	struct bc_row	 r[UB_COUNT];
	uint32_t	 present;	/* bit (1u << row): sampled here */
	int		 rec;		/* index in the store */
	int		 fd[BF_COUNT];	/* kept fd, BC_FD_ABSENT or BC_FD_BY_NAME */
	uint64_t	 gen;		/* inode of the cgroup */
	unsigned	 samples;
	/* the idle gate: the CPU counter (v1 cpuacct.usage in ns, v2
	 * usage_usec) as last read, and the rounds in a row it stood */
	uint64_t	 gate;
	bool		 gate_ok;
	bool		 gate_owed;	/* the gate's file has no kept fd */
	bool		 reread;	/* read once more before the gate shuts */
	unsigned	 idle_run;
	bool		 have_oom;	/* the OOM-kill counter was read */
	/* CPU (microseconds) */
	uint64_t	 cpu_usage, cpu_user, cpu_system;
	uint64_t	 nr_periods, nr_throttled, throttled;
	/* pressure, cumulative stall microseconds: cpu, memory, io */
	bool		 have_psi;
	uint64_t	 psi_some[3], psi_full[3];
	/* I/O per device: BC_MAX_DEVS of them, allocated at the first (most
	 * containers of a large host do no block I/O); freed by bc_start()
	 * and bc_forget() */
	struct bc_dev	*dev;
	int		 ndev;
	/* memory.stat extras */
	uint64_t	 mem_cache, mem_anon;
	uint64_t	 limit_hits;	/* v2 memory.events max */
};

struct container;

/* Called for every failcnt increase found by a sample. */
typedef void (*bc_alert_fn)(struct container *, enum ub_res, uint64_t delta);

void	bc_init(unsigned long fd_budget);
bool	bc_budget_take(unsigned long need, const char *name);
bool	bc_budget_take_dirs(unsigned long need, const char *name);
void	bc_budget_give(unsigned long n);
void	bc_start(struct container *);	/* open fds, load saved rows */
void	bc_stop(struct container *);
void	bc_forget(struct container *);	/* the container goes: free */
/* One sample; slow: read the slow tier too.  Returns -ENODEV when the
 * cgroup is gone, else the number of rows whose failcnt grew. */
int	bc_sample(struct container *, bool slow, bc_alert_fn);
/* A round's sample, through the idle gate: the CPU counter is read
 * first and, unless force, nothing more when it has not moved since the
 * last read (BC_IDLE).  Else as bc_sample(). */
int	bc_sample_round(struct container *, bool slow, bool force, bc_alert_fn);
int	bc_sample_events(struct container *, bc_alert_fn);	/* failures only */
void	bc_fds(unsigned long *used, unsigned long *budget);
int	bc_peek_usage(struct container *, uint64_t *);
bool	bc_pids_moved(struct container *);	/* pids.events alone */
/* THE row as shown (acctctl ubc and show, the snapshot): the sample with
 * maxheld and failcnt of the kept record, maxheld at least held. */
struct ub_row bc_public_row(const struct container *, enum ub_res);
static inline bool
bc_present(const struct bc *b, enum ub_res r)
{
	return (b->present >> r) & 1u;
}
void	bc_ubc(const struct container *, struct ubc *);	/* rows for output */
const char *bc_file_name(enum bc_file, int version);

#endif
