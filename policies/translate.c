/* SPDX-License-Identifier: ISC */
/*
 * Translation of OpenVZ parameters into cgroup writes: pure, table-driven,
 * integer arithmetic with saturation (docs/mapping.md shows the result).
 *
 * Order of the plan.  CPU, cpuset, I/O and pids come first and memory
 * last: the memory writes are the ones the kernel may refuse (v1 returns
 * EBUSY when it cannot reclaim below a lower limit), and a refusal then
 * rolls back everything before it.
 *
 * cgroup v1 memory and swap.  v1 limits memory and memory+swap:
 *
 *	memory.limit_in_bytes        = ram
 *	memory.memsw.limit_in_bytes  = ram + swap
 *
 * and the kernel refuses any write that would make memsw < mem.  Which
 * file goes first depends on the current limits:
 *
 *	new memsw >= current mem:  memsw first, then mem   (growing)
 *	otherwise:                 mem first, then memsw   (shrinking)
 *
 * In the first order the first write needs new memsw >= current mem (the
 * condition) and the second new mem <= new memsw (always true).  In the
 * second, new mem <= new memsw < current mem <= current memsw, so the first
 * write is valid too.  Either way memsw >= mem holds at every step.
 *
 * cgroup v2 limits swap on its own: memory.swap.max = swap.  Lowering
 * memory.max below usage does not fail on v2, it OOM-kills; a guard op
 * (OP_MEMGUARD) makes the applier try reclaim first and refuse as v1
 * would, so both kernels behave alike.
 *
 * cpuunits.  v1: cpu.shares = cpuunits * 1024 / 1000 (what OpenVZ's
 * fair scheduler did: the default 1000 gives 1024).  v2: cpu.weight =
 * cpuunits / 10, rounded, within 1..10000.  Linear keeps the ratio between
 * containers exact over 10..100000, which covers every OpenVZ sample; the
 * two ends clamp (8 -> 1, 500000 -> 10000).  The curve crun and runc use
 * keeps the ends apart but bends every ratio in between (2x cpuunits would
 * give 1.74x weight); for a relative weight the ratio is what users set.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "plan.h"
#include "xalloc.h"

/* OpenVZ's CFQ weights for ioprio 0..7 (kernel/bc/io_prio.c). */
static const uint64_t ioprio_weight[8] = {
	320, 365, 410, 460, 500, 550, 600, 640
};


#define CPU_SHARES_MAX	262144	/* the kernel's ceiling for cpu.shares */

uint64_t
cpuunits_to_shares(uint64_t u)
{
	uint64_t s = u * 1024 / 1000;

	if (s < 2)
		return 2;
	return s > CPU_SHARES_MAX ? CPU_SHARES_MAX : s;
}

uint64_t
cpuunits_to_weight(uint64_t u)
{
	uint64_t w = (u + 5) / 10;

	if (w < 1)
		return 1;
	return w > 10000 ? 10000 : w;
}

uint64_t
ioprio_to_weight(uint64_t prio)
{
	return ioprio_weight[prio > 7 ? 7 : prio];
}

const char *
ctrl_name(enum cg_ctrl c, int version)
{
	static const char *v1[CTRL_COUNT] = {
		"memory", "cpu", "cpuacct", "cpuset", "blkio", "pids", "freezer"
	};
	static const char *v2[CTRL_COUNT] = {
		"memory", "cpu", "cpu", "cpuset", "io", "pids", "freezer"
	};

	return version == 2 ? v2[c] : v1[c];
}

static struct plan_op *
add_op(struct plan *pl, enum cg_ctrl c, enum param_id p, const char *file,
    const char *why)
{
	struct plan_op *op;

	pl->ops = xreallocarray(pl->ops, pl->nops + 1, sizeof(*pl->ops));
	op = &pl->ops[pl->nops++];
	memset(op, 0, sizeof(*op));
	op->ctrl = c;
	op->kind = OP_WRITE;
	op->param = p;
	snprintf(op->file, sizeof(op->file), "%s", file);
	snprintf(op->why, sizeof(op->why), "%s", why);
	return op;
}

static void
add_note(struct plan *pl, enum param_id p, enum note_kind k,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_note(struct plan *pl, enum param_id p, enum note_kind k,
    const char *fmt, ...)
{
	struct plan_note *n;
	va_list ap;

	pl->notes = xreallocarray(pl->notes, pl->nnotes + 1,
	    sizeof(*pl->notes));
	n = &pl->notes[pl->nnotes++];
	n->param = p;
	n->kind = k;
	va_start(ap, fmt);
	vsnprintf(n->reason, sizeof(n->reason), fmt, ap);
	va_end(ap);
}

/* "ram=1G" and the like: the parameter in the user's terms. */
static void
why_of(const struct ct_params *p, enum param_id id, char *buf, size_t len)
{
	const struct param_def *d = &param_table[id];
	char v[LIST_MAX];

	if (id == P_PHYSPAGES) {
		fmt_bytes(params_ram_bytes(p), v, sizeof(v));
		snprintf(buf, len, "ram=%s", v);
	} else if (id == P_SWAPPAGES) {
		fmt_bytes(params_swap_bytes(p), v, sizeof(v));
		snprintf(buf, len, "swap=%s", v);
	} else {
		param_format_human(d, p, v, sizeof(v));
		snprintf(buf, len, "%s=%s", d->name, v);
	}
}

static void
fmt_limit(uint64_t v, int version, char *buf, size_t len)
{
	if (v >= VAL_UNLIMITED)
		snprintf(buf, len, "%s", version == 2 ? "max" : "-1");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* ---- CPU ---------------------------------------------------------- */

static void
plan_cpu(const struct ct_params *p, const struct kcaps *caps,
    struct plan *pl)
{
	int ver = caps->version[CTRL_CPU];
	uint64_t pct = 0, period, quota;
	struct plan_op *op;
	char why[96];

	if (ver == 0) {
		for (enum param_id id = P_CPUUNITS; id <= P_CPUS; id++)
			if (p->v[id].set)
				add_note(pl, id, NOTE_NOT_ENFORCED,
				    "no cpu controller on this kernel");
		return;
	}
	if (p->v[P_CPUUNITS].set) {
		uint64_t u = p->v[P_CPUUNITS].lim;

		why_of(p, P_CPUUNITS, why, sizeof(why));
		if (ver == 1) {
			op = add_op(pl, CTRL_CPU, P_CPUUNITS, "cpu.shares", why);
			snprintf(op->value, sizeof(op->value), "%llu",
			    (unsigned long long)cpuunits_to_shares(u));
			if (u * 1024 / 1000 > CPU_SHARES_MAX)
				add_note(pl, P_CPUUNITS, NOTE_PARTIAL, "cpu.shares "
				    "stops at %u: cpuunits above %u all weigh the "
				    "same", CPU_SHARES_MAX, CPU_SHARES_MAX * 1000 / 1024);
		} else {
			op = add_op(pl, CTRL_CPU, P_CPUUNITS, "cpu.weight", why);
			snprintf(op->value, sizeof(op->value), "%llu",
			    (unsigned long long)cpuunits_to_weight(u));
		}
	}
	if (!p->v[P_CPULIMIT].set && !p->v[P_CPUS].set)
		return;
	if (p->v[P_CPULIMIT].set && p->v[P_CPULIMIT].lim > 0)
		pct = p->v[P_CPULIMIT].lim;
	if (p->v[P_CPUS].set && p->v[P_CPUS].lim > 0) {
		uint64_t c = p->v[P_CPUS].lim * 100;

		pct = pct == 0 || c < pct ? c : pct;
		add_note(pl, P_CPUS, NOTE_PARTIAL, "caps CPU time at %llu%%; "
		    "the container still sees all host CPUs (lxcfs can show "
		    "the count)", (unsigned long long)c);
	}
	period = caps->cfs_period_us ? caps->cfs_period_us : 100000;
	quota = pct ? sat_mul(period, pct) / 100 : VAL_UNLIMITED;
	if (quota < 1000)
		quota = 1000;		/* the kernel's minimum, 1 ms */
	if (p->v[P_CPULIMIT].set && p->v[P_CPUS].set)
		snprintf(why, sizeof(why), "cpulimit=%llu%% cpus=%llu",
		    (unsigned long long)p->v[P_CPULIMIT].lim,
		    (unsigned long long)p->v[P_CPUS].lim);
	else
		why_of(p, p->v[P_CPULIMIT].set ? P_CPULIMIT : P_CPUS, why,
		    sizeof(why));
	if (ver == 1) {
		op = add_op(pl, CTRL_CPU, P_CPULIMIT, "cpu.cfs_period_us", why);
		snprintf(op->value, sizeof(op->value), "%llu",
		    (unsigned long long)period);
		op = add_op(pl, CTRL_CPU, P_CPULIMIT, "cpu.cfs_quota_us", why);
		fmt_limit(quota, 1, op->value, sizeof(op->value));
	} else {
		char q[32];

		op = add_op(pl, CTRL_CPU, P_CPULIMIT, "cpu.max", why);
		fmt_limit(quota, 2, q, sizeof(q));
		snprintf(op->value, sizeof(op->value), "%s %llu", q,
		    (unsigned long long)period);
	}
}

/* ---- cpuset ------------------------------------------------------- */

static int
plan_cpuset_one(const struct ct_params *p, const struct kcaps *caps,
    struct plan *pl, enum param_id id, struct aerr *err)
{
	const char *want = params_text(p, id);
	const char *parent = id == P_CPUMASK ? caps->parent_cpus :
	    caps->parent_mems;
	const char *file = id == P_CPUMASK ? "cpuset.cpus" : "cpuset.mems";
	struct cpubits w, par;
	struct plan_op *op;
	char why[96];

	if (!p->v[id].set)
		return 0;
	if (caps->version[CTRL_CPUSET] == 0) {
		add_note(pl, id, NOTE_NOT_ENFORCED,
		    "no cpuset controller on this kernel");
		return 0;
	}
	if (cpulist_parse(parent, &par) < 0)
		memset(&par, 0, sizeof(par));
	if (strcmp(want, "all") == 0) {
		w = par;
	} else {
		if (cpulist_parse(want, &w) < 0)
			return aerr_set(err, EINVAL, "bad --%s: %s",
			    param_table[id].name, want);
		if (!cpubits_empty(&par)) {
			struct cpubits asked = w;
			char got[LIST_MAX];

			cpubits_and(&w, &par);
			if (memcmp(&asked, &w, sizeof(w)) != 0 &&
			    !cpubits_empty(&w)) {
				if (cpulist_format(&w, got, sizeof(got)) < 0)
					snprintf(got, sizeof(got), "some");
				add_note(pl, id, NOTE_PARTIAL, "only %s of %s are "
				    "available to the container (its parent has "
				    "%s)", got, want, parent);
			}
		}
	}
	if (cpubits_empty(&w))
		return aerr_set(err, EINVAL, "--%s %s has no %s in common with "
		    "the ones available to the container (%s)",
		    param_table[id].name, want,
		    id == P_CPUMASK ? "CPU" : "node", parent[0] ? parent : "none");
	why_of(p, id, why, sizeof(why));
	op = add_op(pl, CTRL_CPUSET, id, file, why);
	if (cpulist_format(&w, op->value, sizeof(op->value)) < 0)
		return aerr_set(err, E2BIG, "--%s %s: the list of %ss is too "
		    "long to write (more than %zu characters)",
		    param_table[id].name, want,
		    id == P_CPUMASK ? "CPU" : "node", sizeof(op->value) - 1);
	return 0;
}

/* ---- I/O ---------------------------------------------------------- */

static void
plan_io(const struct ct_params *p, const struct kcaps *caps, struct plan *pl)
{
	int ver = caps->version[CTRL_IO];
	const char *devs;
	struct plan_op *op;
	char why[96], list[LIST_MAX], *tok, *save = NULL;
	bool bps = p->v[P_IOLIMIT].set, iops = p->v[P_IOPSLIMIT].set;

	if (ver == 0) {
		for (enum param_id id = P_IOPRIO; id <= P_IOPSLIMIT; id++)
			if (p->v[id].set)
				add_note(pl, id, NOTE_NOT_ENFORCED,
				    "no blkio/io controller on this kernel");
		return;
	}
	if (p->v[P_IOPRIO].set) {
		const char *f = NULL;

		if (caps->flags & CAP_BFQ_WEIGHT)
			f = ver == 1 ? "blkio.bfq.weight" : "io.bfq.weight";
		else if (caps->flags & CAP_IO_WEIGHT)
			f = ver == 1 ? "blkio.weight" : "io.weight";
		if (f == NULL) {
			add_note(pl, P_IOPRIO, NOTE_NOT_ENFORCED,
			    "no I/O weight on this kernel (neither BFQ nor "
			    "%s)", ver == 1 ? "blkio.weight" : "io.weight");
		} else {
			why_of(p, P_IOPRIO, why, sizeof(why));
			op = add_op(pl, CTRL_IO, P_IOPRIO, f, why);
			snprintf(op->value, sizeof(op->value), "%llu",
			    (unsigned long long)ioprio_to_weight(
			    p->v[P_IOPRIO].lim));
		}
	}
	if (!bps && !iops)
		return;
	devs = p->v[P_IODEVICES].set &&
	    strcmp(params_text(p, P_IODEVICES), "auto") != 0 ?
	    params_text(p, P_IODEVICES) : caps->disks;
	if (devs[0] == '\0') {
		if (bps)
			add_note(pl, P_IOLIMIT, NOTE_NOT_ENFORCED,
			    "no block devices to limit (set iodevices)");
		if (iops)
			add_note(pl, P_IOPSLIMIT, NOTE_NOT_ENFORCED,
			    "no block devices to limit (set iodevices)");
		return;
	}
	snprintf(list, sizeof(list), "%s", devs);
	for (tok = strtok_r(list, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		uint64_t b = p->v[P_IOLIMIT].lim, o = p->v[P_IOPSLIMIT].lim;

		if (ver == 1) {
			static const char *const f[4] = {
				"blkio.throttle.read_bps_device",
				"blkio.throttle.write_bps_device",
				"blkio.throttle.read_iops_device",
				"blkio.throttle.write_iops_device",
			};

			for (int i = 0; i < 4; i++) {
				enum param_id id = i < 2 ? P_IOLIMIT : P_IOPSLIMIT;
				uint64_t v = i < 2 ? b : o;

				if (!p->v[id].set)
					continue;
				why_of(p, id, why, sizeof(why));
				op = add_op(pl, CTRL_IO, id, f[i], why);
				op->kind = OP_DEV_V1;
				snprintf(op->dev, sizeof(op->dev), "%s", tok);
				/* 0 removes the rule: no limit */
				snprintf(op->value, sizeof(op->value), "%s %llu",
				    tok, (unsigned long long)
				    (v >= VAL_UNLIMITED ? 0 : v));
			}
		} else {
			/* room for " rbps=N wbps=N" with 19-digit numbers */
			char rb[64] = "", ro[64] = "";

			if (bps) {
				char n[24];

				fmt_limit(b == 0 ? VAL_UNLIMITED : b, 2, n,
				    sizeof(n));
				snprintf(rb, sizeof(rb), " rbps=%s wbps=%s", n, n);
			}
			if (iops) {
				char n[24];

				fmt_limit(o == 0 ? VAL_UNLIMITED : o, 2, n,
				    sizeof(n));
				snprintf(ro, sizeof(ro), " riops=%s wiops=%s", n,
				    n);
			}
			if (bps && iops)
				snprintf(why, sizeof(why), "iolimit+iopslimit");
			else
				why_of(p, bps ? P_IOLIMIT : P_IOPSLIMIT, why,
				    sizeof(why));
			op = add_op(pl, CTRL_IO, bps ? P_IOLIMIT : P_IOPSLIMIT,
			    "io.max", why);
			op->kind = OP_DEV_V2;
			snprintf(op->dev, sizeof(op->dev), "%s", tok);
			snprintf(op->value, sizeof(op->value), "%s%s%s", tok,
			    rb, ro);
		}
	}
}

/* ---- pids and kernel memory ---------------------------------------- */

static void
plan_pids(const struct ct_params *p, const struct kcaps *caps,
    struct plan *pl)
{
	struct plan_op *op;
	char why[96];

	if (!p->v[P_NUMPROC].set)
		return;
	if (caps->version[CTRL_PIDS] == 0) {
		add_note(pl, P_NUMPROC, NOTE_NOT_ENFORCED,
		    "no pids controller on this kernel");
		return;
	}
	why_of(p, P_NUMPROC, why, sizeof(why));
	op = add_op(pl, CTRL_PIDS, P_NUMPROC, "pids.max", why);
	if (p->v[P_NUMPROC].lim >= VAL_UNLIMITED)
		snprintf(op->value, sizeof(op->value), "max");
	else
		snprintf(op->value, sizeof(op->value), "%llu",
		    (unsigned long long)p->v[P_NUMPROC].lim);
}

static void
plan_kmem(const struct ct_params *p, const struct kcaps *caps,
    struct plan *pl)
{
	int ver = caps->version[CTRL_MEMORY];
	struct plan_op *op;
	char why[96];

	if (p->v[P_KMEMSIZE].set) {
		if (ver == 1 && (caps->flags & CAP_KMEM)) {
			why_of(p, P_KMEMSIZE, why, sizeof(why));
			op = add_op(pl, CTRL_MEMORY, P_KMEMSIZE,
			    "memory.kmem.limit_in_bytes", why);
			fmt_limit(p->v[P_KMEMSIZE].lim, 1, op->value,
			    sizeof(op->value));
		} else {
			add_note(pl, P_KMEMSIZE, NOTE_NOT_ENFORCED, "%s",
			    ver == 2 ? "kernel memory counts in memory.max; "
			    "cgroup v2 has no separate limit" :
			    "this kernel ignores writes to "
			    "memory.kmem.limit_in_bytes (no effect from Linux "
			    "5.16); kernel memory counts in the memory limit");
		}
	}
	if (p->v[P_TCPSNDBUF].set || p->v[P_TCPRCVBUF].set) {
		/* one kernel limit covers both: the sum of those set */
		uint64_t snd = p->v[P_TCPSNDBUF].set ? p->v[P_TCPSNDBUF].lim : 0;
		uint64_t rcv = p->v[P_TCPRCVBUF].set ? p->v[P_TCPRCVBUF].lim : 0;
		enum param_id id = p->v[P_TCPSNDBUF].set ? P_TCPSNDBUF :
		    P_TCPRCVBUF;

		if (ver == 1 && (caps->flags & CAP_KMEM_TCP)) {
			op = add_op(pl, CTRL_MEMORY, id,
			    "memory.kmem.tcp.limit_in_bytes",
			    "tcpsndbuf+tcprcvbuf");
			fmt_limit(sat_add(snd, rcv), 1, op->value,
			    sizeof(op->value));
		} else {
			const char *why2 = ver == 2 ?
			    "socket memory counts in memory.max; cgroup v2 has "
			    "no separate limit" :
			    "no memory.kmem.tcp.limit_in_bytes on this kernel";

			if (p->v[P_TCPSNDBUF].set)
				add_note(pl, P_TCPSNDBUF, NOTE_NOT_ENFORCED,
				    "%s", why2);
			if (p->v[P_TCPRCVBUF].set)
				add_note(pl, P_TCPRCVBUF, NOTE_NOT_ENFORCED,
				    "%s", why2);
		}
	}
}

/* ---- memory --------------------------------------------------------- */

static void
plan_memguarantee(const struct ct_params *p, int ver, struct plan *pl)
{
	const struct pval *g = &p->v[P_MEMGUARANTEE];
	uint64_t bytes;
	struct plan_op *op;
	char why[96];

	if (!g->set)
		return;
	bytes = g->kind == VK_AUTO && ver == 1 ? VAL_UNLIMITED :
	    params_guarantee_bytes(p);
	/* v1 has no "guarantee": the soft limit is what global reclaim
	 * pushes a group back to, which protects that much of it. */
	if (ver == 1 && bytes == 0)
		bytes = VAL_UNLIMITED;
	why_of(p, P_MEMGUARANTEE, why, sizeof(why));
	op = add_op(pl, CTRL_MEMORY, P_MEMGUARANTEE,
	    ver == 1 ? "memory.soft_limit_in_bytes" : "memory.low", why);
	fmt_limit(bytes, ver, op->value, sizeof(op->value));
	if (ver == 2 && bytes >= VAL_UNLIMITED)
		snprintf(op->value, sizeof(op->value), "max");
}

static void
plan_memory(const struct ct_params *p, const struct kcaps *caps,
    const struct kstate *st, struct plan *pl)
{
	int ver = caps->version[CTRL_MEMORY];
	bool ram_set = p->v[P_PHYSPAGES].set, swap_set = p->v[P_SWAPPAGES].set;
	uint64_t ram = params_ram_bytes(p), swap = params_swap_bytes(p);
	struct plan_op *op;
	char wram[96], wswap[96];

	if (ver == 0) {
		for (enum param_id id = P_PHYSPAGES; id <= P_MEMGUARANTEE; id++)
			if (p->v[id].set && param_table[id].unenforced == NULL)
				add_note(pl, id, NOTE_NOT_ENFORCED,
				    "no memory controller on this kernel");
		return;
	}
	if (ram_set && p->v[P_PHYSPAGES].bar != 0)
		add_note(pl, P_PHYSPAGES, NOTE_PARTIAL,
		    "the barrier is not used; the limit is the RAM limit");
	if (swap_set && p->v[P_SWAPPAGES].bar != 0)
		add_note(pl, P_SWAPPAGES, NOTE_PARTIAL,
		    "the barrier is not used; the limit is the swap limit");
	why_of(p, P_PHYSPAGES, wram, sizeof(wram));
	why_of(p, P_SWAPPAGES, wswap, sizeof(wswap));

	/* VSwap kept in RAM: the kernel's ceiling is ram+swap (the plan
	 * writes it as "ram"); accountd draws the line at ram itself */
	if (params_vswap(p, caps) && caps->vswap_mode == VSWAP_RAM) {
		char ceil[32];

		ram = sat_add(ram, swap);
		fmt_bytes(ram, ceil, sizeof(ceil));
		add_note(pl, P_PHYSPAGES, NOTE_BY_DAEMON, "the kernel ceiling is "
		    "ram+swap (%s), held in RAM; accountd counts what is above "
		    "ram as virtual swap and slows the container", ceil);
		strncat(wram, "+swap: vswap ceiling", sizeof(wram) -
		    strlen(wram) - 1);
		/* nothing more in the kernel's swap: v1 memsw = the ceiling,
		 * v2 memory.swap.max = 0 */
		swap = 0;
		if (ver == 2) {
			strncat(wswap, ": kept in RAM", sizeof(wswap) -
			    strlen(wswap) - 1);
			add_note(pl, P_SWAPPAGES, NOTE_BY_DAEMON, "virtual swap: "
			    "kept in RAM by accountd (cgroup v2 has no "
			    "memory+swap limit, so the host's swap is not used)");
		}
	} else if (params_vswap(p, caps) && caps->vswap_mode == VSWAP_KERNEL &&
	    (caps->flags & (ver == 1 ? CAP_MEMSW : CAP_SWAP_MAX))) {
		add_note(pl, P_SWAPPAGES, NOTE_BY_DAEMON, "the kernel pages what "
		    "is above ram to swap; accountd slows that traffic to the "
		    "vswap rate");
	}

	if (ram_set && ver == 1) {
		uint64_t memsw = sat_add(ram, swap);
		uint64_t cur_mem = st && st->valid ? st->mem_limit : VAL_UNLIMITED;
		struct plan_op mem_op, sw_op;
		bool memsw_first;

		memset(&mem_op, 0, sizeof(mem_op));
		memset(&sw_op, 0, sizeof(sw_op));
		if (!(caps->flags & CAP_MEMSW)) {
			op = add_op(pl, CTRL_MEMORY, P_PHYSPAGES,
			    "memory.limit_in_bytes", wram);
			fmt_limit(ram, 1, op->value, sizeof(op->value));
			if (swap_set)
				add_note(pl, P_SWAPPAGES, NOTE_NOT_ENFORCED,
				    "swap accounting is off on this kernel "
				    "(no memory.memsw.*; boot with "
				    "swapaccount=1)");
		} else {
			memsw_first = memsw >= cur_mem;
			strncat(wswap, ": ram+swap", sizeof(wswap) -
			    strlen(wswap) - 1);
			if (memsw_first) {
				op = add_op(pl, CTRL_MEMORY, P_SWAPPAGES,
				    "memory.memsw.limit_in_bytes", wswap);
				fmt_limit(memsw, 1, op->value, sizeof(op->value));
				op = add_op(pl, CTRL_MEMORY, P_PHYSPAGES,
				    "memory.limit_in_bytes", wram);
				fmt_limit(ram, 1, op->value, sizeof(op->value));
			} else {
				op = add_op(pl, CTRL_MEMORY, P_PHYSPAGES,
				    "memory.limit_in_bytes", wram);
				fmt_limit(ram, 1, op->value, sizeof(op->value));
				op = add_op(pl, CTRL_MEMORY, P_SWAPPAGES,
				    "memory.memsw.limit_in_bytes", wswap);
				fmt_limit(memsw, 1, op->value, sizeof(op->value));
			}
		}
	} else if (ram_set && ver == 2) {
		if (ram < VAL_UNLIMITED) {
			op = add_op(pl, CTRL_MEMORY, P_PHYSPAGES, "memory.current",
			    wram);
			op->kind = OP_MEMGUARD;
			op->guard = ram;
			snprintf(op->value, sizeof(op->value), "<= %llu",
			    (unsigned long long)ram);
		}
		if (caps->flags & CAP_SWAP_MAX) {
			op = add_op(pl, CTRL_MEMORY, P_SWAPPAGES,
			    "memory.swap.max", wswap);
			fmt_limit(swap, 2, op->value, sizeof(op->value));
		} else if (swap_set && !(params_vswap(p, caps) &&
		    caps->vswap_mode == VSWAP_RAM)) {
			add_note(pl, P_SWAPPAGES, NOTE_NOT_ENFORCED,
			    "no memory.swap.max on this kernel (swap accounting "
			    "off)");
		}
		op = add_op(pl, CTRL_MEMORY, P_PHYSPAGES, "memory.max", wram);
		fmt_limit(ram, 2, op->value, sizeof(op->value));
	}
	plan_memguarantee(p, ver, pl);
}

/* A VSwap configuration: finite RAM, some swap, and emulation on. */
bool
params_vswap(const struct ct_params *p, const struct kcaps *caps)
{
	return caps->vswap_mode != VSWAP_OFF && p->v[P_PHYSPAGES].set &&
	    params_ram_bytes(p) < VAL_UNLIMITED && p->v[P_SWAPPAGES].set &&
	    params_swap_bytes(p) > 0;
}

int
plan_build(const struct ct_params *p, const struct kcaps *caps,
    const struct kstate *st, struct plan *pl, struct aerr *err)
{
	int r;

	memset(pl, 0, sizeof(*pl));
	plan_cpu(p, caps, pl);
	if ((r = plan_cpuset_one(p, caps, pl, P_CPUMASK, err)) < 0 ||
	    (r = plan_cpuset_one(p, caps, pl, P_NODEMASK, err)) < 0) {
		plan_free(pl);
		return r;
	}
	plan_io(p, caps, pl);
	plan_pids(p, caps, pl);
	plan_kmem(p, caps, pl);
	plan_memory(p, caps, st, pl);
	if (p->v[P_VSWAPRATE].set)
		add_note(pl, P_VSWAPRATE, params_vswap(p, caps) ? NOTE_BY_DAEMON :
		    NOTE_NOT_ENFORCED, "%s", params_vswap(p, caps) ?
		    "accountd freezes the container to pay for its vswap traffic" :
		    caps->vswap_mode == VSWAP_OFF ? "vswap emulation is off "
		    "(vswap_mode)" : "no virtual swap without finite ram and "
		    "some swap");
	/* disk quota is not a cgroup write: accountd/quota.c keeps it */
	for (unsigned i = P_DISKSPACE; i <= P_QUOTAUGIDLIMIT; i++)
		if (p->v[i].set)
			add_note(pl, (enum param_id)i, NOTE_BY_DAEMON, "%s",
			    i == P_QUOTAUGIDLIMIT ? "second-level quota: user "
			    "and group quota of the container's filesystem "
			    "(docs/quota.md)" : "disk quota of the container's "
			    "tree (VE_PRIVATE), see acctctl quota");
	for (unsigned i = 0; i < P_COUNT; i++)
		if (p->v[i].set && param_table[i].unenforced != NULL)
			add_note(pl, (enum param_id)i, NOTE_NOT_ENFORCED, "%s",
			    param_table[i].unenforced);
	return 0;
}

void
plan_scope(const struct ct_params *eff, const struct ct_params *chg,
    struct ct_params *out)
{
	struct ct_params want;

	memset(&want, 0, sizeof(want));
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < P_COUNT; i++)
		want.v[i].set = chg->v[i].set;
	/* a changed row brings the rows of its scope group */
	for (unsigned i = 0; i < P_COUNT; i++) {
		enum param_scope g = param_table[i].scope;

		for (unsigned k = 0; chg->v[i].set && g != PS_NONE &&
		    k < P_COUNT; k++)
			if (param_table[k].scope == g)
				want.v[k].set = 1;
	}
	for (unsigned i = 0; i < P_COUNT; i++)
		if (want.v[i].set && eff->v[i].set)
			out->v[i] = eff->v[i];
	out->cpumask = eff->cpumask;
	out->nodemask = eff->nodemask;
	out->iodevices = eff->iodevices;
	out->private_dir = eff->private_dir;
}

void
plan_free(struct plan *pl)
{
	free(pl->ops);
	free(pl->notes);
	memset(pl, 0, sizeof(*pl));
}

const struct plan_note *
plan_note_for(const struct plan *pl, enum param_id id)
{
	for (size_t i = 0; i < pl->nnotes; i++)
		if (pl->notes[i].param == id)
			return &pl->notes[i];
	return NULL;
}

const char *
kcaps_mode_name(const struct kcaps *c)
{
	bool v1 = false, v2 = false;

	for (int i = 0; i < CTRL_COUNT; i++) {
		v1 |= c->version[i] == 1;
		v2 |= c->version[i] == 2;
	}
	return v1 && v2 ? "hybrid" : v2 ? "v2" : v1 ? "v1" : "none";
}

void
plan_format(const struct plan *pl, const struct kcaps *caps, struct sbuf *b)
{
	size_t i;

	sbuf_printf(b, "# cgroup %s:", kcaps_mode_name(caps));
	for (int c = 0; c < CTRL_COUNT; c++)
		if (caps->version[c] && !(caps->version[c] == 2 &&
		    c == CTRL_CPUACCT))
			sbuf_printf(b, " %s", ctrl_name((enum cg_ctrl)c,
			    caps->version[c]));
	sbuf_putc(b, '\n');
	if (pl->nops == 0)
		sbuf_puts(b, "# nothing to write\n");
	for (i = 0; i < pl->nops; i++) {
		const struct plan_op *op = &pl->ops[i];

		sbuf_printf(b, "%2zu  %-7s %-34s %-26s # %s%s\n", i + 1,
		    ctrl_name(op->ctrl, caps->version[op->ctrl]), op->file,
		    op->value, op->why,
		    op->kind == OP_MEMGUARD ? " (check: reclaim or refuse)" : "");
	}
	for (i = 0; i < pl->nnotes; i++) {
		const struct plan_note *n = &pl->notes[i];

		sbuf_printf(b, "%s %-14s %s\n",
		    n->kind == NOTE_PARTIAL ? "partial:     " :
		    n->kind == NOTE_BY_DAEMON ? "accountd:    " : "not enforced:",
		    param_table[n->param].name, n->reason);
	}
}

void
kcaps_canonical(struct kcaps *c, int version)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < CTRL_COUNT; i++)
		c->version[i] = (uint8_t)version;
	c->flags = version == 1 ? CAP_MEMSW | CAP_KMEM_TCP | CAP_BFQ_WEIGHT :
	    CAP_SWAP_MAX | CAP_IO_WEIGHT;
	c->cfs_period_us = 100000;
	c->ncpus = 4;
	snprintf(c->parent_cpus, sizeof(c->parent_cpus), "0-3");
	snprintf(c->parent_mems, sizeof(c->parent_mems), "0");
	snprintf(c->disks, sizeof(c->disks), "8:0");
	c->host_ram = 16ULL << 30;
	c->host_swap = 0;
	c->vswap_mode = VSWAP_RAM;	/* auto on a host without swap */
}
