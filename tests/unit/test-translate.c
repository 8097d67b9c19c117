/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the pure translation (policies/translate.c): parameters
 * in, an ordered plan of cgroup writes and notes out.
 *
 * Expectations are computed here from OpenVZ's semantics
 * (docs: reference/openvz-semantics.md), not copied from the code:
 *
 *	cpu.shares   = cpuunits * 1024 / 1000		(libvzctl, v1)
 *	cpu.weight   = cpuunits / 10, within 1..10000	(libvzctl, v2)
 *	ioprio 0..7  -> 320 365 410 460 500 550 600 640	(kernel/bc/io_prio.c)
 *	quota        = period * min(cpulimit, cpus*100) / 100, >= 1 ms
 *	v1 memsw     = ram + swap, and memsw >= mem at every step
 *	v2 swap.max  = swap (not ram + swap), memory.max = ram
 *	--ram alone  -> no swap; unlimited ram -> unlimited swap
 *	pids.max     = numproc limit, "max" when unlimited
 *
 * The v1 memory ordering is checked by simulating the kernel: every
 * write in plan order, starting from a given state, must keep
 * memsw >= mem (the kernel refuses it otherwise, with EINVAL).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "xalloc.h"
#include "../tap.h"

#define K	1024ULL
#define M	(1024ULL * K)
#define G	(1024ULL * M)
#define U	VAL_UNLIMITED
/* what a v1 kernel reads back for "-1": PAGE_COUNTER_MAX * PAGE_SIZE */
#define KERNEL_UNLIMITED	0x7FFFFFFFFFFFF000ULL

/* Set --name value, failing the test (not aborting) on a parse error. */
static int
set(struct ct_params *p, const char *name, const char *value)
{
	const struct param_def *d = param_by_name(name);
	struct aerr err = { 0 };

	if (d == NULL || param_parse(d, value, p, &err) < 0) {
		ok(0, "setting --%s %s: %s", name, value,
		    d ? err.msg : "no such parameter");
		return -1;
	}
	return 0;
}

static void
set_u64(struct ct_params *p, const char *name, uint64_t v)
{
	char buf[32];

	if (v >= U)
		snprintf(buf, sizeof(buf), "unlimited");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
	set(p, name, buf);
}

static int
build(const struct ct_params *p, const struct kcaps *c,
    const struct kstate *st, struct plan *pl)
{
	struct aerr err = { 0 };
	int r = plan_build(p, c, st, pl, &err);

	if (r < 0)
		printf("# plan_build: %s\n", err.msg);
	return r;
}

static const struct plan_op *
find_op(const struct plan *pl, const char *file)
{
	for (size_t i = 0; i < pl->nops; i++)
		if (strcmp(pl->ops[i].file, file) == 0)
			return &pl->ops[i];
	return NULL;
}

static int
op_index(const struct plan *pl, const char *file)
{
	for (size_t i = 0; i < pl->nops; i++)
		if (strcmp(pl->ops[i].file, file) == 0)
			return (int)i;
	return -1;
}

static size_t
count_ops(const struct plan *pl, const char *file)
{
	size_t n = 0;

	for (size_t i = 0; i < pl->nops; i++)
		if (strcmp(pl->ops[i].file, file) == 0)
			n++;
	return n;
}

static size_t
count_notes(const struct plan *pl, enum param_id id, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < pl->nnotes; i++)
		if (pl->notes[i].param == id &&
		    (kind < 0 || pl->notes[i].kind == (enum note_kind)kind))
			n++;
	return n;
}

static void
dump_plan(const struct plan *pl, const struct kcaps *c)
{
	struct sbuf b = SBUF_INIT;
	const char *s, *nl;

	plan_format(pl, c, &b);
	for (s = sbuf_str(&b); *s; s = nl + 1) {
		nl = strchr(s, '\n');
		printf("#   %.*s\n", (int)(nl - s), s);
	}
	sbuf_free(&b);
}

static void
is_op(const struct plan *pl, const char *file, const char *want,
    const char *name)
{
	const struct plan_op *op = find_op(pl, file);

	if (!is_str(op ? op->value : NULL, want, name))
		printf("#   (file %s)\n", file);
}

static void
fmt_num(uint64_t v, int version, char *buf, size_t len)
{
	if (v >= U)
		snprintf(buf, len, "%s", version == 2 ? "max" : "-1");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/*
 * The reference kernel with vswap_mode=kernel: the parameter mapping as
 * the kernel takes it.  VSwap kept in RAM is tested on its own below.
 */
static void
canon(struct kcaps *c, int version)
{
	kcaps_canonical(c, version);
	c->vswap_mode = VSWAP_KERNEL;
}

/* ---- cpuunits ------------------------------------------------------ */

static void
test_cpuunits(void)
{
	/* the ends of vzctl's range 8..500000, the default, and between */
	static const uint64_t units[] = {
		8, 9, 10, 14, 15, 250, 1000, 1500, 99999, 100000, 100005,
		256000, 262144, 500000,
	};
	struct kcaps c1, c2;
	char name[96], want[32];

	canon(&c1, 1);
	canon(&c2, 2);
	for (size_t i = 0; i < nitems(units); i++) {
		uint64_t u = units[i], shares = u * 1024 / 1000;
		uint64_t w = cpuunits_to_weight(u);
		struct ct_params p = { 0 };
		struct plan pl;

		set_u64(&p, "cpuunits", u);
		/*
		 * v1: OpenVZ's cpuunits * 1024 / 1000.  Above 256000 that
		 * passes the kernel's MAX_SHARES (262144): the plan writes
		 * the ceiling and says so.
		 */
		build(&p, &c1, NULL, &pl);
		if (shares > 262144)
			shares = 262144;
		snprintf(name, sizeof(name), "cpuunits %" PRIu64 " -> cpu.shares "
		    "%" PRIu64, u, shares);
		snprintf(want, sizeof(want), "%" PRIu64, shares);
		is_op(&pl, "cpu.shares", want, name);
		ok(count_notes(&pl, P_CPUUNITS, NOTE_PARTIAL) ==
		    (u * 1024 / 1000 > 262144 ? 1u : 0u) &&
		    count_notes(&pl, P_CPUUNITS, NOTE_NOT_ENFORCED) == 0,
		    "cpuunits %" PRIu64 ": %s", u, u * 1024 / 1000 > 262144 ?
		    "a partial note for the shares ceiling" : "no note");
		ok(count_ops(&pl, "cpu.weight") == 0, "no cpu.weight on v1");
		plan_free(&pl);

		/* v2: cpuunits / 10 (rounding either way), within 1..10000 */
		ok(w >= 1 && w <= 10000 &&
		    (u < 10 ? w == 1 : u > 100005 ? w == 10000 :
		    (w * 10 + 5 >= u && w * 10 <= u + 5)),
		    "cpuunits %" PRIu64 " -> cpu.weight %" PRIu64 " (~u/10, "
		    "1..10000)", u, w);
		build(&p, &c2, NULL, &pl);
		snprintf(want, sizeof(want), "%" PRIu64, w);
		snprintf(name, sizeof(name), "cpuunits %" PRIu64 " written as "
		    "cpu.weight %s", u, want);
		is_op(&pl, "cpu.weight", want, name);
		ok(count_ops(&pl, "cpu.shares") == 0, "no cpu.shares on v2");
		plan_free(&pl);
	}
	is_u64(cpuunits_to_shares(1000), 1024, "default 1000 -> shares 1024");
	is_u64(cpuunits_to_weight(1000), 100, "default 1000 -> weight 100 "
	    "(the v2 default)");
	is_u64(cpuunits_to_weight(8), 1, "8 -> weight 1");
	is_u64(cpuunits_to_weight(500000), 10000, "500000 -> weight 10000");

	/* the weight never decreases with cpuunits and stays in range */
	{
		uint64_t prev = 0, bad = 0;

		for (uint64_t u = 8; u <= 500000; u++) {
			uint64_t w = cpuunits_to_weight(u);

			if (w < prev || w < 1 || w > 10000)
				bad = u;
			prev = w;
		}
		ok(bad == 0, "cpu.weight is monotonic and within 1..10000 over "
		    "8..500000 (first bad: %" PRIu64 ")", bad);
	}
	/* ratios between containers survive in the common range */
	ok(cpuunits_to_weight(2000) == 2 * cpuunits_to_weight(1000) &&
	    cpuunits_to_shares(2000) == 2 * cpuunits_to_shares(1000),
	    "twice the cpuunits gives twice the weight and shares");
}

/* ---- ioprio --------------------------------------------------------- */

static void
test_ioprio(void)
{
	/* OpenVZ's CFQ weights, kernel/bc/io_prio.c */
	static const uint64_t table[8] = {
		320, 365, 410, 460, 500, 550, 600, 640
	};
	static const struct {
		int ver;
		unsigned flags;
		const char *file;	/* NULL: not enforced */
	} files[] = {
		{ 1, CAP_BFQ_WEIGHT, "blkio.bfq.weight" },
		{ 1, CAP_IO_WEIGHT, "blkio.weight" },
		{ 1, CAP_BFQ_WEIGHT | CAP_IO_WEIGHT, "blkio.bfq.weight" },
		{ 1, 0, NULL },
		{ 2, CAP_BFQ_WEIGHT, "io.bfq.weight" },
		{ 2, CAP_IO_WEIGHT, "io.weight" },
		{ 2, CAP_BFQ_WEIGHT | CAP_IO_WEIGHT, "io.bfq.weight" },
		{ 2, 0, NULL },
	};
	char name[96], want[16];

	for (uint64_t prio = 0; prio < 8; prio++)
		for (size_t f = 0; f < nitems(files); f++) {
			struct ct_params p = { 0 };
			struct kcaps c;
			struct plan pl;
			size_t weights;

			canon(&c, files[f].ver);
			c.flags = files[f].flags;
			set_u64(&p, "ioprio", prio);
			build(&p, &c, NULL, &pl);
			weights = count_ops(&pl, "blkio.bfq.weight") +
			    count_ops(&pl, "blkio.weight") +
			    count_ops(&pl, "io.bfq.weight") +
			    count_ops(&pl, "io.weight");
			if (files[f].file == NULL) {
				ok(weights == 0 && count_notes(&pl, P_IOPRIO,
				    NOTE_NOT_ENFORCED) == 1,
				    "ioprio %" PRIu64 " v%d without a weight file: "
				    "one not-enforced note", prio, files[f].ver);
			} else {
				snprintf(want, sizeof(want), "%" PRIu64,
				    table[prio]);
				snprintf(name, sizeof(name), "ioprio %" PRIu64
				    " v%d flags %#x -> %s %s", prio,
				    files[f].ver, files[f].flags, files[f].file,
				    want);
				is_op(&pl, files[f].file, want, name);
				ok(weights == 1 && count_notes(&pl, P_IOPRIO,
				    -1) == 0, "ioprio %" PRIu64 ": one weight "
				    "write, no note", prio);
			}
			plan_free(&pl);
		}
	is_u64(ioprio_to_weight(7), 2 * ioprio_to_weight(0),
	    "prio 7 gets twice the weight of prio 0");
	for (uint64_t prio = 1; prio < 8; prio++)
		ok(ioprio_to_weight(prio) > ioprio_to_weight(prio - 1),
		    "prio %" PRIu64 " weighs more than %" PRIu64, prio, prio - 1);
}

/* ---- cpulimit and cpus ---------------------------------------------- */

static void
test_cpulimit(void)
{
	static const char *const limits[] = {
		NULL, "0", "1", "25", "50", "100", "150", "400", "409600"
	};
	static const char *const cpus[] = { NULL, "0", "1", "2", "4096" };
	static const uint64_t periods[] = { 100000, 50000, 1000000, 1000, 0 };
	unsigned bad = 0, n = 0;

	for (size_t l = 0; l < nitems(limits); l++)
	for (size_t c = 0; c < nitems(cpus); c++)
	for (size_t pi = 0; pi < nitems(periods); pi++)
	for (int ver = 1; ver <= 2; ver++) {
		struct ct_params p = { 0 };
		struct kcaps caps;
		struct plan pl;
		uint64_t pct = 0, period, quota;
		char want[64], q[32];
		const struct plan_op *op;
		int fail = 0;

		canon(&caps, ver);
		caps.cfs_period_us = periods[pi];
		if (limits[l])
			set(&p, "cpulimit", limits[l]);
		if (cpus[c])
			set(&p, "cpus", cpus[c]);
		build(&p, &caps, NULL, &pl);
		n++;
		/* expectation: min over the caps that are set and non-zero */
		if (limits[l] && atoi(limits[l]) > 0)
			pct = strtoull(limits[l], NULL, 10);
		if (cpus[c] && atoi(cpus[c]) > 0) {
			uint64_t cp = strtoull(cpus[c], NULL, 10) * 100;

			pct = pct == 0 || cp < pct ? cp : pct;
		}
		period = periods[pi] ? periods[pi] : 100000;
		quota = pct ? period * pct / 100 : U;
		if (quota < 1000)
			quota = 1000;
		fmt_num(quota, ver, q, sizeof(q));
		if (!limits[l] && !cpus[c]) {
			fail = count_ops(&pl, "cpu.max") +
			    count_ops(&pl, "cpu.cfs_quota_us") +
			    count_ops(&pl, "cpu.cfs_period_us") != 0;
		} else if (ver == 1) {
			snprintf(want, sizeof(want), "%" PRIu64, period);
			op = find_op(&pl, "cpu.cfs_period_us");
			fail |= op == NULL || strcmp(op->value, want) != 0;
			op = find_op(&pl, "cpu.cfs_quota_us");
			fail |= op == NULL || strcmp(op->value, q) != 0;
			fail |= count_ops(&pl, "cpu.max") != 0;
		} else {
			snprintf(want, sizeof(want), "%s %" PRIu64, q, period);
			op = find_op(&pl, "cpu.max");
			fail |= op == NULL || strcmp(op->value, want) != 0;
			fail |= count_ops(&pl, "cpu.cfs_quota_us") != 0;
		}
		/* a cpus cap is partial: the CT still sees every CPU */
		fail |= count_notes(&pl, P_CPUS, NOTE_PARTIAL) !=
		    (cpus[c] && atoi(cpus[c]) > 0 ? 1u : 0u);
		fail |= count_notes(&pl, P_CPULIMIT, -1) != 0;
		if (fail) {
			bad++;
			printf("# cpulimit=%s cpus=%s period=%" PRIu64 " v%d: "
			    "want quota %s\n", limits[l] ? limits[l] : "-",
			    cpus[c] ? cpus[c] : "-", periods[pi], ver, q);
			dump_plan(&pl, &caps);
		}
		plan_free(&pl);
	}
	ok(bad == 0, "cpulimit x cpus x period grid: quota = period * "
	    "min(cpulimit, cpus*100) / 100, >= 1 ms (%u of %u wrong)", bad, n);

	/* a few by name, for the reader */
	{
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;

		canon(&c, 2);
		set(&p, "cpulimit", "50");
		build(&p, &c, NULL, &pl);
		is_op(&pl, "cpu.max", "50000 100000", "cpulimit 50 -> cpu.max "
		    "\"50000 100000\"");
		plan_free(&pl);
		set(&p, "cpus", "2");
		set(&p, "cpulimit", "300");
		build(&p, &c, NULL, &pl);
		is_op(&pl, "cpu.max", "200000 100000", "cpulimit 300 cpus 2 -> "
		    "two CPUs' worth");
		plan_free(&pl);
		set(&p, "cpulimit", "0");
		set(&p, "cpus", "0");
		build(&p, &c, NULL, &pl);
		is_op(&pl, "cpu.max", "max 100000", "cpulimit 0 cpus 0 -> "
		    "\"max 100000\" (the cap is removed)");
		plan_free(&pl);
		canon(&c, 1);
		set(&p, "cpulimit", "unlimited");
		build(&p, &c, NULL, &pl);
		is_op(&pl, "cpu.cfs_quota_us", "-1", "cpulimit unlimited -> "
		    "cfs_quota_us -1");
		ok(op_index(&pl, "cpu.cfs_period_us") <
		    op_index(&pl, "cpu.cfs_quota_us"),
		    "v1: the period is written before the quota");
		plan_free(&pl);
	}
}

/* ---- v1 memory ordering ---------------------------------------------- */

/*
 * Simulate a v1 memory cgroup: apply the plan's memory.limit_in_bytes and
 * memory.memsw.limit_in_bytes writes in order, refusing any step the
 * kernel refuses (mem > memsw).  Returns the index of the first refused
 * op or -1; the final limits are left in *mem and *memsw.
 */
static int
simulate_v1(const struct plan *pl, uint64_t *mem, uint64_t *memsw)
{
	for (size_t i = 0; i < pl->nops; i++) {
		const struct plan_op *op = &pl->ops[i];
		uint64_t v;

		if (op->ctrl != CTRL_MEMORY || op->kind != OP_WRITE)
			continue;
		if (strcmp(op->file, "memory.limit_in_bytes") != 0 &&
		    strcmp(op->file, "memory.memsw.limit_in_bytes") != 0)
			continue;
		v = strcmp(op->value, "-1") == 0 ? KERNEL_UNLIMITED :
		    strtoull(op->value, NULL, 10);
		if (strcmp(op->file, "memory.limit_in_bytes") == 0) {
			if (v > *memsw)
				return (int)i;
			*mem = v;
		} else {
			if (v < *mem)
				return (int)i;
			*memsw = v;
		}
	}
	return -1;
}

static uint64_t
kern(uint64_t v)
{
	return v >= U ? KERNEL_UNLIMITED : v;
}

static void
test_v1_order(void)
{
	/* current limits (memsw >= mem, as the kernel keeps them) */
	static const uint64_t cur_mem[] = {
		128 * M, 256 * M, 1 * G, 4 * G, U, KERNEL_UNLIMITED
	};
	static const uint64_t cur_extra[] = { 0, 256 * M, 2 * G, U };
	static const uint64_t new_ram[] = {
		64 * M, 256 * M, 512 * M, 1 * G, 8 * G, U
	};
	/* 1: unset (ram alone means no swap) */
	static const uint64_t new_swap[] = { 1, 0, 128 * M, 1 * G, U };
	struct kcaps c;

	canon(&c, 1);
	for (size_t a = 0; a < nitems(cur_mem); a++)
	for (size_t b = 0; b < nitems(cur_extra); b++) {
		unsigned bad = 0, n = 0;
		uint64_t m0 = cur_mem[a];
		uint64_t s0 = cur_extra[b] >= U || m0 >= KERNEL_UNLIMITED ?
		    (m0 == U ? U : KERNEL_UNLIMITED) : m0 + cur_extra[b];

		if (m0 >= KERNEL_UNLIMITED && b > 0)
			continue;	/* memsw is unlimited too: done */

		for (size_t r = 0; r < nitems(new_ram); r++)
		for (size_t s = 0; s < nitems(new_swap); s++) {
			struct kstate st = { true, m0, s0 };
			struct ct_params p = { 0 };
			struct plan pl;
			uint64_t mem = kern(m0), memsw = kern(s0);
			uint64_t ram = new_ram[r], swap;
			int refused;

			set_u64(&p, "ram", ram);
			if (new_swap[s] != 1)
				set_u64(&p, "swap", new_swap[s]);
			/* ram alone: swap 0; unlimited ram: unlimited swap */
			swap = new_swap[s] != 1 ? new_swap[s] : ram >= U ? U : 0;
			build(&p, &c, &st, &pl);
			n++;
			refused = simulate_v1(&pl, &mem, &memsw);
			if (refused >= 0 || mem != kern(ram) ||
			    memsw != kern(ram >= U || swap >= U ? U : ram + swap) ||
			    count_ops(&pl, "memory.limit_in_bytes") != 1 ||
			    count_ops(&pl, "memory.memsw.limit_in_bytes") != 1) {
				bad++;
				printf("# from mem=%" PRIu64 " memsw=%" PRIu64
				    " to ram=%" PRIu64 " swap=%" PRIu64 ": %s\n",
				    m0, s0, ram, swap, refused >= 0 ?
				    "a write the kernel refuses" :
				    "wrong final limits");
				dump_plan(&pl, &c);
			}
			plan_free(&pl);
		}
		ok(bad == 0, "v1 from mem=%" PRIu64 " memsw=%" PRIu64 ": memsw "
		    ">= mem at every step, ends at ram and ram+swap (%u of %u "
		    "wrong)", m0, s0, bad, n);
	}

	/* without kstate the plan assumes a fresh (unlimited) cgroup */
	{
		struct ct_params p = { 0 };
		struct plan pl;
		uint64_t mem = KERNEL_UNLIMITED, memsw = KERNEL_UNLIMITED;

		set(&p, "ram", "1G");
		set(&p, "swap", "512M");
		build(&p, &c, NULL, &pl);
		ok(simulate_v1(&pl, &mem, &memsw) < 0 && mem == 1 * G &&
		    memsw == 1 * G + 512 * M, "no kstate: valid from a fresh "
		    "cgroup, mem 1G memsw 1.5G");
		is_op(&pl, "memory.memsw.limit_in_bytes", "1610612736",
		    "v1 memsw = ram + swap");
		plan_free(&pl);
	}
}

/* ---- v1 without swap accounting, v2 memory --------------------------- */

static void
test_memory_nomemsw(void)
{
	struct ct_params p = { 0 };
	struct kcaps c;
	struct plan pl;

	canon(&c, 1);
	c.flags &= ~(unsigned)CAP_MEMSW;
	set(&p, "ram", "512M");
	set(&p, "swap", "1G");
	build(&p, &c, NULL, &pl);
	is_op(&pl, "memory.limit_in_bytes", "536870912",
	    "no memsw: memory.limit_in_bytes = ram");
	ok(count_ops(&pl, "memory.memsw.limit_in_bytes") == 0,
	    "no memsw: no memsw write");
	ok(count_notes(&pl, P_SWAPPAGES, NOTE_NOT_ENFORCED) == 1 &&
	    count_notes(&pl, P_SWAPPAGES, -1) == 1,
	    "no memsw: exactly one not-enforced note for swap");
	ok(count_notes(&pl, P_PHYSPAGES, -1) == 0, "no memsw: ram is enforced");
	plan_free(&pl);

	memset(&p, 0, sizeof(p));
	set(&p, "ram", "512M");
	build(&p, &c, NULL, &pl);
	ok(pl.nops == 1 && pl.nnotes == 0, "no memsw, ram alone: one write, "
	    "no note");
	plan_free(&pl);
}

static void
test_memory_v2(void)
{
	static const struct {
		const char *ram, *swap;		/* swap NULL: unset */
		const char *max, *swapmax;
		bool guard;
	} cases[] = {
		{ "1G", "2G", "1073741824", "2147483648", true },
		{ "1G", NULL, "1073741824", "0", true },
		{ "1G", "0", "1073741824", "0", true },
		{ "1G", "unlimited", "1073741824", "max", true },
		{ "unlimited", NULL, "max", "max", false },
		{ "unlimited", "1G", "max", "1073741824", false },
		{ "256M", "512M", "268435456", "536870912", true },
		{ "4097", NULL, "8192", "0", true },	/* rounded up to pages */
	};
	struct kcaps c;

	canon(&c, 2);
	for (size_t i = 0; i < nitems(cases); i++) {
		struct ct_params p = { 0 };
		struct plan pl;
		char name[128];
		int g, sw, mx;

		set(&p, "ram", cases[i].ram);
		if (cases[i].swap)
			set(&p, "swap", cases[i].swap);
		build(&p, &c, NULL, &pl);
		snprintf(name, sizeof(name), "v2 ram=%s swap=%s: memory.max %s",
		    cases[i].ram, cases[i].swap ? cases[i].swap : "unset",
		    cases[i].max);
		is_op(&pl, "memory.max", cases[i].max, name);
		snprintf(name, sizeof(name), "v2 ram=%s swap=%s: memory.swap.max "
		    "%s (swap alone, not ram+swap)", cases[i].ram,
		    cases[i].swap ? cases[i].swap : "unset", cases[i].swapmax);
		is_op(&pl, "memory.swap.max", cases[i].swapmax, name);
		g = -1;
		for (size_t k = 0; k < pl.nops; k++)
			if (pl.ops[k].kind == OP_MEMGUARD && g < 0)
				g = (int)k;
		sw = op_index(&pl, "memory.swap.max");
		mx = op_index(&pl, "memory.max");
		if (cases[i].guard)
			ok(g >= 0 && g < sw && g < mx &&
			    pl.ops[g].guard == strtoull(cases[i].max, NULL, 10),
			    "v2 ram=%s: the memory guard comes first, guarding "
			    "%s bytes", cases[i].ram, cases[i].max);
		else
			ok(g < 0, "v2 ram=%s: no guard for an unlimited ram",
			    cases[i].ram);
		ok(count_ops(&pl, "memory.limit_in_bytes") == 0 &&
		    count_ops(&pl, "memory.memsw.limit_in_bytes") == 0,
		    "v2: no v1 memory files");
		plan_free(&pl);
	}

	/* v2 without swap accounting */
	{
		struct ct_params p = { 0 };
		struct plan pl;

		c.flags &= ~(unsigned)CAP_SWAP_MAX;
		set(&p, "ram", "1G");
		set(&p, "swap", "1G");
		build(&p, &c, NULL, &pl);
		ok(count_ops(&pl, "memory.swap.max") == 0 &&
		    count_notes(&pl, P_SWAPPAGES, NOTE_NOT_ENFORCED) == 1,
		    "v2 without memory.swap.max: one not-enforced note for swap");
		is_op(&pl, "memory.max", "1073741824", "v2 without swap.max: "
		    "memory.max still written");
		plan_free(&pl);
	}
}

/* ---- memguarantee ------------------------------------------------------ */

static void
test_memguarantee(void)
{
	static const struct {
		const char *ram, *g;
		int ver;
		const char *file, *want;
	} cases[] = {
		/* percent of ram: ram * P / 100, exactly */
		{ "1G", "25%", 2, "memory.low", "268435456" },
		{ "1G", "25", 2, "memory.low", "268435456" },
		{ "1000M", "33%", 2, "memory.low", "346030080" },
		{ "1G", "100%", 2, "memory.low", "1073741824" },
		{ "1G", "0%", 2, "memory.low", "0" },
		{ "1G", "25%", 1, "memory.soft_limit_in_bytes", "268435456" },
		/* bytes */
		{ "1G", "256M", 2, "memory.low", "268435456" },
		{ NULL, "256M", 2, "memory.low", "268435456" },
		{ "1G", "256M", 1, "memory.soft_limit_in_bytes", "268435456" },
		/* auto: no guarantee */
		{ "1G", "auto", 2, "memory.low", "0" },
		{ "1G", "auto", 1, "memory.soft_limit_in_bytes", "-1" },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;
		char name[128];

		canon(&c, cases[i].ver);
		if (cases[i].ram)
			set(&p, "ram", cases[i].ram);
		set(&p, "memguarantee", cases[i].g);
		build(&p, &c, NULL, &pl);
		snprintf(name, sizeof(name), "v%d ram=%s memguarantee=%s -> %s %s",
		    cases[i].ver, cases[i].ram ? cases[i].ram : "unset",
		    cases[i].g, cases[i].file, cases[i].want);
		is_op(&pl, cases[i].file, cases[i].want, name);
		plan_free(&pl);
	}
}

/* ---- numproc ------------------------------------------------------------ */

static void
test_numproc(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "100", "100" }, { "240:240", "240" }, { "0", "0" },
		{ "unlimited", "max" }, { "9223372036854775806",
		"9223372036854775806" },
		/* libvzctl writes the limit */
		{ "100:200", "200" },
	};

	for (int ver = 1; ver <= 2; ver++)
		for (size_t i = 0; i < nitems(cases); i++) {
			struct ct_params p = { 0 };
			struct kcaps c;
			struct plan pl;
			char name[96];

			canon(&c, ver);
			set(&p, "numproc", cases[i].in);
			build(&p, &c, NULL, &pl);
			snprintf(name, sizeof(name), "v%d numproc %s -> pids.max %s",
			    ver, cases[i].in, cases[i].want);
			is_op(&pl, "pids.max", cases[i].want, name);
			plan_free(&pl);
		}
	{
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;

		canon(&c, 2);
		c.version[CTRL_PIDS] = 0;
		set(&p, "numproc", "100");
		build(&p, &c, NULL, &pl);
		ok(pl.nops == 0 && count_notes(&pl, P_NUMPROC,
		    NOTE_NOT_ENFORCED) == 1, "no pids controller: one note");
		plan_free(&pl);
	}
}

/* ---- iolimit / iopslimit --------------------------------------------- */

/* io.max line as the kernel documents it: "MAJ:MIN rbps=.. wbps=.." */
static void
io_max_line(const char *dev, const char *bps, const char *iops, char *buf,
    size_t len)
{
	int n = snprintf(buf, len, "%s", dev);

	if (bps)
		n += snprintf(buf + n, len - (size_t)n, " rbps=%s wbps=%s", bps,
		    bps);
	if (iops)
		snprintf(buf + n, len - (size_t)n, " riops=%s wiops=%s", iops,
		    iops);
}

static void
test_io_limits(void)
{
	static const struct {
		const char *iolimit, *iopslimit;	/* NULL: unset */
		const char *v1bps, *v1iops;		/* per-device number */
		const char *v2bps, *v2iops;
	} cases[] = {
		{ "10M", NULL, "10485760", NULL, "10485760", NULL },
		{ NULL, "300", NULL, "300", NULL, "300" },
		{ "1048576", "100", "1048576", "100", "1048576", "100" },
		/* 0 and unlimited: no limit */
		{ "0", NULL, "0", NULL, "max", NULL },
		{ "unlimited", "0", "0", "0", "max", "max" },
		/* big values: 1G and OpenVZ's 2 GB/s maximum, 10-digit iops */
		{ "1G", "1000000000", "1073741824", "1000000000", "1073741824",
		    "1000000000" },
		{ "2G", "4000000000", "2147483648", "4000000000", "2147483648",
		    "4000000000" },
		{ "9223372036854775806", "9223372036854775806",
		    "9223372036854775806", "9223372036854775806",
		    "9223372036854775806", "9223372036854775806" },
	};
	static const struct {
		const char *iodevices;	/* NULL: unset */
		const char *disks;	/* kcaps */
		const char *devs[3];
	} devsets[] = {
		{ NULL, "8:0", { "8:0" } },
		{ "auto", "8:0 8:16", { "8:0", "8:16" } },
		{ "254:0,8:32", "8:0", { "254:0", "8:32" } },
		{ "259:0", "", { "259:0" } },
	};

	for (size_t i = 0; i < nitems(cases); i++)
	for (size_t d = 0; d < nitems(devsets); d++)
	for (int ver = 1; ver <= 2; ver++) {
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;
		unsigned ndev = 0, bad = 0;
		char want[160];

		canon(&c, ver);
		snprintf(c.disks, sizeof(c.disks), "%s", devsets[d].disks);
		if (cases[i].iolimit)
			set(&p, "iolimit", cases[i].iolimit);
		if (cases[i].iopslimit)
			set(&p, "iopslimit", cases[i].iopslimit);
		if (devsets[d].iodevices)
			set(&p, "iodevices", devsets[d].iodevices);
		build(&p, &c, NULL, &pl);
		for (; ndev < 3 && devsets[d].devs[ndev]; ndev++) {
			const char *dev = devsets[d].devs[ndev];
			size_t k, seen = 0;

			if (ver == 2) {
				io_max_line(dev, cases[i].v2bps, cases[i].v2iops,
				    want, sizeof(want));
				for (k = 0; k < pl.nops; k++)
					if (strcmp(pl.ops[k].file, "io.max") == 0 &&
					    strcmp(pl.ops[k].dev, dev) == 0) {
						seen++;
						if (strcmp(pl.ops[k].value, want) != 0 ||
						    pl.ops[k].kind != OP_DEV_V2) {
							bad++;
							printf("#   got  '%s'\n#   want "
							    "'%s'\n", pl.ops[k].value,
							    want);
						}
					}
				bad += seen != 1;
				continue;
			}
			for (int f = 0; f < 4; f++) {
				static const char *const files[4] = {
					"blkio.throttle.read_bps_device",
					"blkio.throttle.write_bps_device",
					"blkio.throttle.read_iops_device",
					"blkio.throttle.write_iops_device",
				};
				const char *num = f < 2 ? cases[i].v1bps :
				    cases[i].v1iops;

				seen = 0;
				for (k = 0; k < pl.nops; k++)
					if (strcmp(pl.ops[k].file, files[f]) == 0 &&
					    strcmp(pl.ops[k].dev, dev) == 0) {
						seen++;
						snprintf(want, sizeof(want), "%s %s",
						    dev, num ? num : "?");
						if (num == NULL ||
						    strcmp(pl.ops[k].value, want) != 0 ||
						    pl.ops[k].kind != OP_DEV_V1) {
							bad++;
							printf("#   %s got '%s' want "
							    "'%s'\n", files[f],
							    pl.ops[k].value, want);
						}
					}
				bad += seen != (num ? 1u : 0u);
			}
		}
		/* nothing for devices not asked for */
		bad += pl.nops != (ver == 2 ? ndev : ndev * (2u *
		    (cases[i].iolimit != NULL) + 2u * (cases[i].iopslimit != NULL)));
		bad += pl.nnotes != 0;
		ok(bad == 0, "v%d iolimit=%s iopslimit=%s iodevices=%s disks='%s': "
		    "%u device(s) limited", ver,
		    cases[i].iolimit ? cases[i].iolimit : "-",
		    cases[i].iopslimit ? cases[i].iopslimit : "-",
		    devsets[d].iodevices ? devsets[d].iodevices : "-",
		    devsets[d].disks, ndev);
		if (bad)
			dump_plan(&pl, &c);
		plan_free(&pl);
	}

	/* no device at all: a note each, no write */
	for (int ver = 1; ver <= 2; ver++) {
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;

		canon(&c, ver);
		c.disks[0] = '\0';
		set(&p, "iolimit", "10M");
		set(&p, "iopslimit", "100");
		build(&p, &c, NULL, &pl);
		ok(pl.nops == 0 && count_notes(&pl, P_IOLIMIT,
		    NOTE_NOT_ENFORCED) == 1 && count_notes(&pl, P_IOPSLIMIT,
		    NOTE_NOT_ENFORCED) == 1,
		    "v%d no disks and no iodevices: one note each for iolimit "
		    "and iopslimit", ver);
		plan_free(&pl);
		c.version[CTRL_IO] = 0;
		set(&p, "ioprio", "3");
		build(&p, &c, NULL, &pl);
		ok(pl.nops == 0 && count_notes(&pl, P_IOLIMIT, -1) == 1 &&
		    count_notes(&pl, P_IOPSLIMIT, -1) == 1 &&
		    count_notes(&pl, P_IOPRIO, -1) == 1,
		    "v%d no io controller: one note each", ver);
		plan_free(&pl);
	}
}

/* ---- cpumask / nodemask ------------------------------------------------ */

static void
test_cpuset(void)
{
	static const struct {
		const char *param, *parent, *in;
		const char *want;	/* NULL: refused */
		bool partial;
	} cases[] = {
		{ "cpumask", "0-7", "2-3", "2-3", false },
		{ "cpumask", "0-7", "0-7", "0-7", false },
		{ "cpumask", "0-7", "4-11", "4-7", true },
		{ "cpumask", "0-7", "1,3,5,7,9", "1,3,5,7", true },
		{ "cpumask", "0-7", "8-11", NULL, false },
		{ "cpumask", "0-7", "all", "0-7", false },
		{ "cpumask", "0-3,8-11", "all", "0-3,8-11", false },
		{ "cpumask", "0-3,8-11", "2-9", "2-3,8-9", true },
		{ "cpumask", "", "5", "5", false },	/* parent unknown */
		{ "nodemask", "0-1", "1", "1", false },
		{ "nodemask", "0-1", "0-3", "0-1", true },
		{ "nodemask", "0-1", "2", NULL, false },
		{ "nodemask", "0", "all", "0", false },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		bool cpu = strcmp(cases[i].param, "cpumask") == 0;
		enum param_id id = cpu ? P_CPUMASK : P_NODEMASK;
		const char *file = cpu ? "cpuset.cpus" : "cpuset.mems";
		struct ct_params p = { 0 };
		struct aerr err = { 0 };
		struct kcaps c;
		struct plan pl;
		char name[128];
		int r;

		canon(&c, 2);
		snprintf(cpu ? c.parent_cpus : c.parent_mems, LIST_MAX, "%s",
		    cases[i].parent);
		set(&p, cases[i].param, cases[i].in);
		r = plan_build(&p, &c, NULL, &pl, &err);
		if (cases[i].want == NULL) {
			ok(r < 0 && strstr(err.msg, cases[i].param) != NULL &&
			    strstr(err.msg, cases[i].in) != NULL,
			    "--%s %s with parent %s refused: %s", cases[i].param,
			    cases[i].in, cases[i].parent, err.msg);
			continue;
		}
		snprintf(name, sizeof(name), "--%s %s, parent '%s' -> %s %s",
		    cases[i].param, cases[i].in, cases[i].parent, file,
		    cases[i].want);
		if (r < 0) {
			ok(0, "%s: %s", name, err.msg);
			continue;
		}
		is_op(&pl, file, cases[i].want, name);
		ok(count_notes(&pl, id, NOTE_PARTIAL) ==
		    (cases[i].partial ? 1u : 0u) &&
		    count_notes(&pl, id, -1) == (cases[i].partial ? 1u : 0u),
		    "--%s %s: %s", cases[i].param, cases[i].in,
		    cases[i].partial ? "one partial note (narrowed)" : "no note");
		plan_free(&pl);
	}
	/* no cpuset controller */
	{
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;

		canon(&c, 1);
		c.version[CTRL_CPUSET] = 0;
		set(&p, "cpumask", "0-1");
		set(&p, "nodemask", "0");
		build(&p, &c, NULL, &pl);
		ok(pl.nops == 0 && count_notes(&pl, P_CPUMASK,
		    NOTE_NOT_ENFORCED) == 1 && count_notes(&pl, P_NODEMASK,
		    NOTE_NOT_ENFORCED) == 1, "no cpuset controller: one note each");
		plan_free(&pl);
	}
	/*
	 * A list longer than the room for it must be refused or written
	 * whole; a shortened list would pin the container to fewer CPUs
	 * than asked, silently.  Even CPUs of a 40-, 128- and 512-CPU host.
	 */
	for (unsigned ncpu = 40; ncpu <= 512; ncpu = ncpu == 40 ? 128 : ncpu == 128 ? 512 : 1024) {
		struct ct_params p = { 0 };
		struct aerr err = { 0 };
		struct kcaps c;
		struct plan pl;
		char list[4096];
		size_t n = 0;
		int r;

		for (unsigned cpu = 0; cpu < ncpu; cpu += 2)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%u",
			    cpu ? "," : "", cpu);
		canon(&c, 2);
		snprintf(c.parent_cpus, sizeof(c.parent_cpus), "0-%u", ncpu - 1);
		r = param_parse(param_by_name("cpumask"), list, &p, &err);
		if (r < 0) {
			ok(strstr(err.msg, "cpumask") != NULL && n >= LIST_MAX,
			    "the even CPUs of %u (%zu characters) are refused as "
			    "too long to store", ncpu, n);
			continue;
		}
		r = plan_build(&p, &c, NULL, &pl, &err);
		if (r < 0) {
			ok(strstr(err.msg, "cpumask") != NULL,
			    "the even CPUs of %u (%zu characters) are refused as "
			    "too long to write: %s", ncpu, n, err.msg);
		} else {
			const struct plan_op *op = find_op(&pl, "cpuset.cpus");
			char name[96];

			snprintf(name, sizeof(name), "the even CPUs of %u (%zu "
			    "characters) are written whole", ncpu, n);
			is_str(op ? op->value : NULL, list, name);
			plan_free(&pl);
		}
	}
}

/* ---- every parameter: an effect or exactly one note ----------------- */

/* The files through which a parameter takes effect. */
static bool
takes_effect(const struct plan *pl, enum param_id id)
{
	static const struct { enum param_id id; const char *files[4]; } eff[] = {
		{ P_PHYSPAGES, { "memory.limit_in_bytes", "memory.max" } },
		{ P_SWAPPAGES, { "memory.memsw.limit_in_bytes",
		    "memory.swap.max" } },
		{ P_MEMGUARANTEE, { "memory.soft_limit_in_bytes",
		    "memory.low" } },
		{ P_KMEMSIZE, { "memory.kmem.limit_in_bytes" } },
		{ P_TCPSNDBUF, { "memory.kmem.tcp.limit_in_bytes" } },
		{ P_TCPRCVBUF, { "memory.kmem.tcp.limit_in_bytes" } },
		{ P_NUMPROC, { "pids.max" } },
		{ P_CPUUNITS, { "cpu.shares", "cpu.weight" } },
		{ P_CPULIMIT, { "cpu.cfs_quota_us", "cpu.max" } },
		{ P_CPUS, { "cpu.cfs_quota_us", "cpu.max" } },
		{ P_CPUMASK, { "cpuset.cpus" } },
		{ P_NODEMASK, { "cpuset.mems" } },
		{ P_IOPRIO, { "blkio.bfq.weight", "blkio.weight",
		    "io.bfq.weight", "io.weight" } },
		{ P_IOLIMIT, { "blkio.throttle.read_bps_device" } },
		{ P_IOPSLIMIT, { "blkio.throttle.read_iops_device" } },
	};

	for (size_t i = 0; i < nitems(eff); i++) {
		if (eff[i].id != id)
			continue;
		for (int f = 0; f < 4 && eff[i].files[f]; f++)
			if (find_op(pl, eff[i].files[f]))
				return true;
	}
	/* v2: one io.max line carries both limits */
	for (size_t k = 0; k < pl->nops; k++)
		if (strcmp(pl->ops[k].file, "io.max") == 0 &&
		    ((id == P_IOLIMIT && strstr(pl->ops[k].value, "rbps=")) ||
		    (id == P_IOPSLIMIT && strstr(pl->ops[k].value, "riops="))))
			return true;
	return false;
}

/* A valid value for every row of the table. */
static const char *
sample_value(enum param_id id)
{
	switch (id) {
	case P_PHYSPAGES: return "0:262144";
	case P_SWAPPAGES: return "0:131072";
	case P_VM_OVERCOMMIT: return "1.5";
	case P_MEMGUARANTEE: return "128M";
	case P_CPUUNITS: return "1000";
	case P_CPULIMIT: return "50";
	case P_CPUS: return "2";
	case P_CPUMASK: return "0-1";
	case P_NODEMASK: return "0";
	case P_IOPRIO: return "4";
	case P_IOLIMIT: return "10M";
	case P_IOPSLIMIT: return "300";
	case P_QUOTATIME: return "0";
	case P_QUOTAUGIDLIMIT: return "100";
	case P_IODEVICES: return "8:0";
	case P_VSWAPRATE: return "50M";
	case P_PRIVATE: return "/vz/private/101";
	default: return "100:200";
	}
}

static void
check_coverage(const char *what, const struct ct_params *p,
    const struct kcaps *c)
{
	struct plan pl;
	unsigned bad = 0;

	if (build(p, c, NULL, &pl) < 0) {
		ok(0, "%s: plan built", what);
		return;
	}
	for (unsigned i = 0; i < P_COUNT; i++) {
		enum param_id id = (enum param_id)i;
		size_t notes = count_notes(&pl, id, -1);
		size_t ne = count_notes(&pl, id, NOTE_NOT_ENFORCED);
		bool eff = takes_effect(&pl, id);

		if (!p->v[i].set) {
			if (notes) {
				bad++;
				printf("#   %s: note for a parameter not set\n",
				    param_table[i].name);
			}
			continue;
		}
		/* iodevices only says where iolimit/iopslimit apply,
		 * private where the disk quota does */
		if (id == P_IODEVICES || id == P_PRIVATE)
			continue;
		if (notes > 1 || (!eff && notes != 1) || (eff && ne != 0)) {
			bad++;
			printf("#   %s: %s, %zu note(s)\n", param_table[i].name,
			    eff ? "written" : "not written", notes);
		}
	}
	ok(bad == 0, "%s: every parameter set is written or has exactly one "
	    "note (%u wrong)", what, bad);
	if (bad)
		dump_plan(&pl, c);
	plan_free(&pl);
}

static void
test_coverage(void)
{
	struct kcaps caps[5];
	const char *names[5] = {
		"v1 canonical", "v2 canonical", "v1 no optional files",
		"no controllers", "v1 all files",
	};
	struct ct_params all = { 0 };

	canon(&caps[0], 1);
	canon(&caps[1], 2);
	canon(&caps[2], 1);
	caps[2].flags = 0;
	caps[2].disks[0] = '\0';
	canon(&caps[3], 1);
	memset(caps[3].version, 0, sizeof(caps[3].version));
	canon(&caps[4], 1);
	caps[4].flags = CAP_MEMSW | CAP_KMEM | CAP_KMEM_TCP | CAP_IO_WEIGHT;

	for (unsigned i = 0; i < P_COUNT; i++)
		set(&all, param_table[i].name, sample_value((enum param_id)i));
	for (int k = 0; k < 5; k++) {
		char what[96];

		snprintf(what, sizeof(what), "all parameters, %s", names[k]);
		check_coverage(what, &all, &caps[k]);
	}
	/* each parameter alone: valid, and then written or noted */
	for (unsigned i = 0; i < P_COUNT; i++) {
		struct ct_params one = { 0 };
		struct aerr err = { 0 };

		set(&one, param_table[i].name, sample_value((enum param_id)i));
		if (params_validate(&one, NULL, NULL, &err) < 0) {
			ok(i == P_SWAPPAGES, "%s alone is refused by validation "
			    "(%s)", param_table[i].name, err.msg);
			continue;
		}
		for (int k = 0; k < 5; k++) {
			char what[96];

			snprintf(what, sizeof(what), "%s alone, %s",
			    param_table[i].name, names[k]);
			check_coverage(what, &one, &caps[k]);
		}
	}
}

/* ---- each op's file is the one its row's mapping names ------------------ */

/* Does the mapping text name `file`?  "a.{b,c}_d" names a.b_d and a.c_d. */
static bool
text_names(const char *text, const char *file)
{
	const char *ob, *cb, *w;

	if (text == NULL)
		return false;
	if (strstr(text, file) != NULL)
		return true;
	for (ob = strchr(text, '{'); ob != NULL; ob = strchr(ob + 1, '{')) {
		const char *alt, *end;

		if ((cb = strchr(ob, '}')) == NULL)
			return false;
		for (w = ob; w > text && w[-1] != ' '; w--)
			;
		end = cb + 1 + strcspn(cb + 1, " ,;)");
		for (alt = ob + 1; alt < cb; alt += strcspn(alt, ",}") + 1) {
			char name[128];
			int n = snprintf(name, sizeof(name), "%.*s%.*s%.*s",
			    (int)(ob - w), w, (int)strcspn(alt, ",}"), alt,
			    (int)(end - cb - 1), cb + 1);

			if (n > 0 && (size_t)n < sizeof(name) &&
			    strcmp(name, file) == 0)
				return true;
		}
	}
	return false;
}

static void
test_ops_named(void)
{
	struct ct_params all = { 0 };

	for (unsigned i = 0; i < P_COUNT; i++)
		set(&all, param_table[i].name, sample_value((enum param_id)i));
	for (int v = 1; v <= 2; v++) {
		struct kcaps c;
		struct plan pl;
		unsigned bad = 0;

		canon(&c, v);
		if (v == 1)
			c.flags |= CAP_KMEM | CAP_KMEM_TCP;
		if (build(&all, &c, NULL, &pl) < 0) {
			ok(0, "v%d: plan built", v);
			continue;
		}
		for (size_t k = 0; k < pl.nops; k++) {
			const struct plan_op *o = &pl.ops[k];
			const struct param_def *d = &param_table[o->param];

			if (o->kind == OP_MEMGUARD)
				continue;	/* reads memory.current, writes
						 * nothing (show lists it not) */
			if (!text_names(v == 1 ? d->v1 : d->v2, o->file)) {
				bad++;
				printf("#   v%d: %s writes %s, its mapping says "
				    "'%s'\n", v, d->name, o->file,
				    v == 1 ? d->v1 : d->v2);
			}
		}
		ok(pl.nops > 0 && bad == 0, "v%d reference kernel: each of %zu "
		    "ops writes a file its row's mapping names (%u not)", v,
		    pl.nops, bad);
		plan_free(&pl);
	}
}

/* ---- order of the plan ------------------------------------------------ */

static void
test_order(void)
{
	struct ct_params p = { 0 };

	set(&p, "ram", "1G");
	set(&p, "swap", "1G");
	set(&p, "memguarantee", "10%");
	set(&p, "kmemsize", "64M");
	set(&p, "tcpsndbuf", "1M");
	set(&p, "tcprcvbuf", "1M");
	set(&p, "cpuunits", "500");
	set(&p, "cpulimit", "100");
	set(&p, "cpumask", "0-1");
	set(&p, "ioprio", "2");
	set(&p, "iolimit", "5M");
	set(&p, "numproc", "200");
	for (int ver = 1; ver <= 2; ver++) {
		struct kcaps c;
		struct plan pl;
		int last_other = -1, first_mem = -1;

		canon(&c, ver);
		c.flags |= CAP_KMEM;
		build(&p, &c, NULL, &pl);
		for (size_t i = 0; i < pl.nops; i++) {
			if (pl.ops[i].ctrl == CTRL_MEMORY) {
				if (first_mem < 0)
					first_mem = (int)i;
			} else {
				last_other = (int)i;
			}
		}
		ok(first_mem > last_other, "v%d: memory writes come last (the "
		    "kernel may refuse them; what comes before is rolled back)",
		    ver);
		plan_free(&pl);
	}
}

/* ---- tcp buffers and kmem --------------------------------------------- */

static void
test_kmem(void)
{
	struct ct_params p = { 0 };
	struct kcaps c;
	struct plan pl;

	canon(&c, 1);
	c.flags |= CAP_KMEM;
	set(&p, "kmemsize", "14372700:14790164");
	set(&p, "tcpsndbuf", "1720320:2703360");
	set(&p, "tcprcvbuf", "1720320:2703360");
	build(&p, &c, NULL, &pl);
	is_op(&pl, "memory.kmem.limit_in_bytes", "14790164",
	    "v1 kmemsize: the limit");
	is_op(&pl, "memory.kmem.tcp.limit_in_bytes", "5406720",
	    "v1 tcp buffers: tcpsndbuf + tcprcvbuf limits");
	ok(count_ops(&pl, "memory.kmem.tcp.limit_in_bytes") == 1,
	    "one tcp write for both buffers");
	plan_free(&pl);

	/* one buffer alone: the limit is that buffer, not unlimited */
	for (int which = 0; which < 2; which++) {
		struct ct_params one = { 0 };

		set(&one, which ? "tcprcvbuf" : "tcpsndbuf", "1M");
		build(&one, &c, NULL, &pl);
		is_op(&pl, "memory.kmem.tcp.limit_in_bytes", "1048576", which ?
		    "v1 tcprcvbuf 1M alone: a 1M TCP limit" :
		    "v1 tcpsndbuf 1M alone: a 1M TCP limit");
		plan_free(&pl);
	}

	canon(&c, 2);
	build(&p, &c, NULL, &pl);
	ok(pl.nops == 0 && count_notes(&pl, P_KMEMSIZE, NOTE_NOT_ENFORCED) == 1
	    && count_notes(&pl, P_TCPSNDBUF, NOTE_NOT_ENFORCED) == 1 &&
	    count_notes(&pl, P_TCPRCVBUF, NOTE_NOT_ENFORCED) == 1,
	    "v2: kmemsize and tcp buffers are each noted, nothing written");
	plan_free(&pl);
}

/* ---- plan_scope ---------------------------------------------------------- */

static void
test_scope(void)
{
	static const struct {
		const char *changed[3];
		enum param_id want[6];	/* terminated by P_COUNT */
	} cases[] = {
		{ { "ram" }, { P_PHYSPAGES, P_SWAPPAGES, P_MEMGUARANTEE,
		    P_COUNT } },
		{ { "swap" }, { P_PHYSPAGES, P_SWAPPAGES, P_MEMGUARANTEE,
		    P_COUNT } },
		{ { "memguarantee" }, { P_PHYSPAGES, P_SWAPPAGES,
		    P_MEMGUARANTEE, P_COUNT } },
		{ { "cpus" }, { P_CPULIMIT, P_CPUS, P_COUNT } },
		{ { "cpulimit" }, { P_CPULIMIT, P_CPUS, P_COUNT } },
		{ { "iodevices" }, { P_IOLIMIT, P_IOPSLIMIT, P_IODEVICES,
		    P_COUNT } },
		{ { "iopslimit" }, { P_IOLIMIT, P_IOPSLIMIT, P_IODEVICES,
		    P_COUNT } },
		{ { "tcprcvbuf" }, { P_TCPSNDBUF, P_TCPRCVBUF, P_COUNT } },
		{ { "cpuunits" }, { P_CPUUNITS, P_COUNT } },
		{ { "numproc", "ioprio" }, { P_NUMPROC, P_IOPRIO, P_COUNT } },
		{ { "cpumask" }, { P_CPUMASK, P_COUNT } },
	};
	struct ct_params eff = { 0 };

	set(&eff, "ram", "1G");
	set(&eff, "swap", "2G");
	set(&eff, "memguarantee", "50%");
	set(&eff, "cpus", "2");
	set(&eff, "cpulimit", "150");
	set(&eff, "cpuunits", "2000");
	set(&eff, "iolimit", "10M");
	set(&eff, "iopslimit", "500");
	set(&eff, "iodevices", "8:0");
	set(&eff, "tcpsndbuf", "1M");
	set(&eff, "tcprcvbuf", "2M");
	set(&eff, "numproc", "300");
	set(&eff, "ioprio", "6");
	set(&eff, "cpumask", "0-1");
	set(&eff, "kmemsize", "64M");
	for (size_t i = 0; i < nitems(cases); i++) {
		struct ct_params chg = { 0 }, out;
		bool want[P_COUNT] = { false };
		unsigned bad = 0;

		for (int k = 0; k < 3 && cases[i].changed[k]; k++) {
			const struct param_def *d =
			    param_by_name(cases[i].changed[k]);
			enum param_id id = d->kind == PK_SHORTCUT ? d->target :
			    param_id(d);

			chg.v[id] = eff.v[id];
		}
		for (int k = 0; cases[i].want[k] != P_COUNT; k++)
			want[cases[i].want[k]] = true;
		/* the change has been merged into eff before scoping */
		plan_scope(&eff, &chg, &out);
		for (unsigned id = 0; id < P_COUNT; id++) {
			if (!!out.v[id].set != want[id] || (out.v[id].set &&
			    memcmp(&out.v[id], &eff.v[id], sizeof(out.v[id])))) {
				bad++;
				printf("#   %s: %s\n", param_table[id].name,
				    out.v[id].set ? "in scope" : "not in scope");
			}
		}
		ok(bad == 0, "plan_scope of a change to %s%s%s: its group, with "
		    "the effective values", cases[i].changed[0],
		    cases[i].changed[1] ? " and " : "",
		    cases[i].changed[1] ? cases[i].changed[1] : "");
	}
	/* unset members of a group stay unset */
	{
		struct ct_params e = { 0 }, chg = { 0 }, out;

		set(&e, "ram", "1G");
		set(&chg, "ram", "1G");
		plan_scope(&e, &chg, &out);
		ok(out.v[P_PHYSPAGES].set && !out.v[P_SWAPPAGES].set &&
		    !out.v[P_MEMGUARANTEE].set, "plan_scope: ram alone stays "
		    "alone when swap and memguarantee are unset");
		is_str(params_text(&out, P_CPUMASK), "", "plan_scope copies the lists");
	}
}

/* ---- VSwap modes ---------------------------------------------------------- */

static void
test_vswap(void)
{
	static const struct {
		int	ver, mode;
		const char *ram, *swap;
		bool	vswap;
		const char *mem, *memsw;	/* v1 limit, memsw; v2 max, swap.max */
	} cases[] = {
		/* kept in RAM: the kernel ceiling is ram+swap, no host swap */
		{ 1, VSWAP_RAM, "256M", "512M", true, "805306368", "805306368" },
		{ 2, VSWAP_RAM, "256M", "512M", true, "805306368", "0" },
		{ 2, VSWAP_RAM, "1G", "unlimited", true, "max", "0" },
		/* no swap, or no finite ram: no virtual swap */
		{ 1, VSWAP_RAM, "256M", "0", false, "268435456", "268435456" },
		{ 2, VSWAP_RAM, "256M", NULL, false, "268435456", "0" },
		{ 2, VSWAP_RAM, "unlimited", "1G", false, "max", "1073741824" },
		/* paged by the kernel: the plain mapping */
		{ 1, VSWAP_KERNEL, "256M", "512M", true, "268435456", "805306368" },
		{ 2, VSWAP_KERNEL, "256M", "512M", true, "268435456", "536870912" },
		/* off: the plain mapping and no daemon notes */
		{ 1, VSWAP_OFF, "256M", "512M", false, "268435456", "805306368" },
		{ 2, VSWAP_OFF, "256M", "512M", false, "268435456", "536870912" },
	};
	static const char *modes[] = { "off", "ram", "kernel" };

	for (size_t i = 0; i < nitems(cases); i++) {
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;
		char name[128];
		int v = cases[i].ver;

		kcaps_canonical(&c, v);
		c.vswap_mode = (uint8_t)cases[i].mode;
		set(&p, "ram", cases[i].ram);
		if (cases[i].swap)
			set(&p, "swap", cases[i].swap);
		set(&p, "vswaprate", "50M");
		build(&p, &c, NULL, &pl);
		snprintf(name, sizeof(name), "v%d %s mode ram=%s swap=%s", v,
		    modes[cases[i].mode], cases[i].ram,
		    cases[i].swap ? cases[i].swap : "unset");
		ok(params_vswap(&p, &c) == cases[i].vswap, "%s: virtual swap %s",
		    name, cases[i].vswap ? "on" : "off");
		is_op(&pl, v == 1 ? "memory.limit_in_bytes" : "memory.max",
		    cases[i].mem, name);
		is_op(&pl, v == 1 ? "memory.memsw.limit_in_bytes" :
		    "memory.swap.max", cases[i].memsw, name);
		ok(count_notes(&pl, P_VSWAPRATE, cases[i].vswap ? NOTE_BY_DAEMON :
		    NOTE_NOT_ENFORCED) == 1, "%s: vswaprate %s", name,
		    cases[i].vswap ? "put in effect by accountd" : "not enforced");
		if (cases[i].mode == VSWAP_OFF)
			ok(count_notes(&pl, P_PHYSPAGES, NOTE_BY_DAEMON) +
			    count_notes(&pl, P_SWAPPAGES, NOTE_BY_DAEMON) == 0,
			    "%s: no accountd notes", name);
		else if (cases[i].vswap && cases[i].mode == VSWAP_RAM)
			ok(count_notes(&pl, P_PHYSPAGES, NOTE_BY_DAEMON) == 1 &&
			    count_notes(&pl, P_SWAPPAGES, NOTE_NOT_ENFORCED) == 0,
			    "%s: physpages noted as drawn by accountd", name);
		else if (cases[i].vswap)
			ok(count_notes(&pl, P_SWAPPAGES, NOTE_BY_DAEMON) == 1,
			    "%s: swap traffic noted as slowed by accountd", name);
		plan_free(&pl);
	}

	/* v2 ram mode without memory.swap.max: nothing left unenforced */
	{
		struct ct_params p = { 0 };
		struct kcaps c;
		struct plan pl;

		kcaps_canonical(&c, 2);
		c.flags &= ~(unsigned)CAP_SWAP_MAX;
		set(&p, "ram", "256M");
		set(&p, "swap", "256M");
		build(&p, &c, NULL, &pl);
		is_op(&pl, "memory.max", "536870912", "v2 ram mode without "
		    "swap.max: memory.max is the ceiling");
		ok(count_notes(&pl, P_SWAPPAGES, NOTE_NOT_ENFORCED) == 0,
		    "v2 ram mode without swap.max: swap is not reported as "
		    "unenforced");
		plan_free(&pl);
	}
}

/* ---- kcaps_canonical ---------------------------------------------------- */

static void
test_canonical(void)
{
	struct kcaps c;

	kcaps_canonical(&c, 1);
	ok((c.flags & CAP_MEMSW) && !(c.flags & CAP_SWAP_MAX) &&
	    c.version[CTRL_MEMORY] == 1 && c.cfs_period_us == 100000,
	    "canonical v1: memsw, period 100 ms");
	is_str(kcaps_mode_name(&c), "v1", "canonical v1 mode name");
	ok(c.host_swap == 0 && c.vswap_mode == VSWAP_RAM,
	    "canonical: no host swap, so vswap is kept in RAM (auto)");
	kcaps_canonical(&c, 2);
	ok((c.flags & CAP_SWAP_MAX) && !(c.flags & CAP_MEMSW) &&
	    c.version[CTRL_IO] == 2, "canonical v2: swap.max");
	is_str(kcaps_mode_name(&c), "v2", "canonical v2 mode name");
	c.version[CTRL_CPUSET] = 1;
	is_str(kcaps_mode_name(&c), "hybrid", "mixed versions: hybrid");
	is_str(ctrl_name(CTRL_IO, 1), "blkio", "v1 io controller is blkio");
	is_str(ctrl_name(CTRL_IO, 2), "io", "v2 io controller is io");
}

int
main(void)
{
	test_cpuunits();
	test_ioprio();
	test_cpulimit();
	test_v1_order();
	test_memory_nomemsw();
	test_memory_v2();
	test_memguarantee();
	test_numproc();
	test_io_limits();
	test_cpuset();
	test_kmem();
	test_coverage();
	test_ops_named();
	test_order();
	test_scope();
	test_vswap();
	test_canonical();
	return done_testing();
}
