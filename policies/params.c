/* SPDX-License-Identifier: ISC */
/*
 * The parameter table (see params.h).  Semantics and spellings follow
 * OpenVZ (vzctl(8), ctid.conf(5)); the v1/v2 columns are what
 * translate.c writes and are printed by `acctctl help params` and copied
 * into docs/mapping.md.  A row with NULL v1 and v2 is accepted, stored and
 * shown, and reported by show/plan as not enforced on this kernel.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "params.h"

#define U	VAL_UNLIMITED
#define NONE	NULL

/* the mechanism of the disk quota rows (docs/quota.md) */
#define QUOTA_L1	"project quota on ext4/XFS (quotactl PRJQUOTA), " \
			"else accountd's userspace accounting"
#define QUOTA_GRACE	"kept by accountd: past it the kernel hard limit " \
			"is lowered to the soft one"
#define QUOTA_L2	"user and group quota of the same filesystem"

/* a beancounter with no mainline mechanism: why, shown by show and plan */
#define UBC(n, k, u, f, help, why) \
	{ n, k, NULL, PK_PAIR, u, PG_UBC, f, 0, U, U, NONE, NONE, help, 0, \
	  .unenforced = why }

const struct param_def param_table[P_ROWS] = {
	[P_PHYSPAGES] = { "physpages", "PHYSPAGES", NULL, PK_PAIR, PU_PAGES,
	    PG_MEMORY, 0, 0, U, U,
	    "memory.limit_in_bytes = limit", "memory.max = limit",
	    "RAM: the limit is the container's memory; the barrier is ignored "
	    "(use 0). --ram sets 0:RAM.", 0, .scope = PS_MEMORY },
	[P_SWAPPAGES] = { "swappages", "SWAPPAGES", NULL, PK_PAIR, PU_PAGES,
	    PG_MEMORY, 0, 0, U, U,
	    "memory.memsw.limit_in_bytes = ram + swap",
	    "memory.swap.max = limit",
	    "swap: the limit is the swap the container may use on top of its "
	    "RAM; the barrier is ignored. --swap sets 0:SWAP.", 0,
	    .scope = PS_MEMORY },
	[P_VM_OVERCOMMIT] = { "vm_overcommit", "VM_OVERCOMMIT", NULL, PK_RATIO,
	    PU_RATIO, PG_MEMORY, 0, 0, U, 0, NONE, NONE,
	    "ratio of virtual memory to RAM+swap (OpenVZ derived privvmpages "
	    "from it); stored and shown", 0,
	    .unenforced = "mainline Linux has no per-cgroup virtual memory "
	    "limit (overcommit is host-wide); stored only (OpenVZ derived "
	    "privvmpages from it)" },
	[P_MEMGUARANTEE] = { "memguarantee", "MEMGUARANTEE", NULL, PK_MEMGUAR,
	    PU_BYTES, PG_MEMORY, 0, 0, U, 0,
	    "memory.soft_limit_in_bytes", "memory.low",
	    "memory protected from host reclaim: auto (none), N% of ram, or "
	    "bytes", 0, .scope = PS_MEMORY },
	[P_KMEMSIZE] = { "kmemsize", "KMEMSIZE", NULL, PK_PAIR, PU_BYTES,
	    PG_UBC, 0, 0, U, U, "memory.kmem.limit_in_bytes = limit", NONE,
	    "unswappable kernel memory, bytes", 0 },
	[P_LOCKEDPAGES] = UBC("lockedpages", "LOCKEDPAGES", PU_PAGES, 0,
	    "mlock()ed memory, pages",
	    "mlock is limited per process (RLIMIT_MEMLOCK), "
	    "not per cgroup; locked memory counts in the memory limit"),
	[P_PRIVVMPAGES] = UBC("privvmpages", "PRIVVMPAGES", PU_PAGES, 0,
	    "allocated virtual memory, pages",
	    "mainline Linux has no per-cgroup virtual memory "
	    "limit (overcommit is host-wide)"),
	[P_SHMPAGES] = UBC("shmpages", "SHMPAGES", PU_PAGES, PF_BAREQLIM,
	    "IPC shared memory and tmpfs, pages",
	    "shared memory and tmpfs count in the memory limit; "
	    "there is no separate limit"),
	[P_NUMPROC] = { "numproc", "NUMPROC", NULL, PK_PAIR, PU_ITEMS, PG_UBC,
	    PF_NOSUFFIX | PF_BAREQLIM, 0, U, U, "pids.max = limit",
	    "pids.max = limit",
	    "processes and threads", 0 },
	[P_VMGUARPAGES] = UBC("vmguarpages", "VMGUARPAGES", PU_PAGES, 0,
	    "memory allocation guarantee, pages",
	    "mainline Linux has no allocation guarantee; use "
	    "memguarantee"),
	[P_OOMGUARPAGES] = UBC("oomguarpages", "OOMGUARPAGES", PU_PAGES, 0,
	    "out-of-memory guarantee, pages",
	    "mainline Linux has no OOM guarantee; use "
	    "memguarantee to protect memory from reclaim"),
	[P_NUMTCPSOCK] = UBC("numtcpsock", "NUMTCPSOCK", PU_ITEMS,
	    PF_NOSUFFIX | PF_BAREQLIM, "TCP sockets",
	    "mainline Linux has no per-cgroup socket count limit"),
	[P_NUMFLOCK] = UBC("numflock", "NUMFLOCK", PU_ITEMS, PF_NOSUFFIX,
	    "file locks",
	    "mainline Linux has no per-cgroup file lock limit"),
	[P_NUMPTY] = UBC("numpty", "NUMPTY", PU_ITEMS,
	    PF_NOSUFFIX | PF_BAREQLIM, "pseudo-terminals",
	    "mainline Linux has no per-cgroup pty limit (devpts "
	    "max= inside the container can cap it)"),
	[P_NUMSIGINFO] = UBC("numsiginfo", "NUMSIGINFO", PU_ITEMS,
	    PF_NOSUFFIX | PF_BAREQLIM, "queued signal structures",
	    "queued signals are limited per user "
	    "(RLIMIT_SIGPENDING), not per cgroup"),
	[P_TCPSNDBUF] = { "tcpsndbuf", "TCPSNDBUF", NULL, PK_PAIR, PU_BYTES,
	    PG_UBC, 0, 0, U, U,
	    "memory.kmem.tcp.limit_in_bytes = tcpsndbuf + tcprcvbuf", NONE,
	    "TCP send buffers, bytes", 0, .scope = PS_TCPBUF },
	[P_TCPRCVBUF] = { "tcprcvbuf", "TCPRCVBUF", NULL, PK_PAIR, PU_BYTES,
	    PG_UBC, 0, 0, U, U,
	    "memory.kmem.tcp.limit_in_bytes = tcpsndbuf + tcprcvbuf", NONE,
	    "TCP receive buffers, bytes", 0, .scope = PS_TCPBUF,
	    .ops_of = PBIT(P_TCPSNDBUF) },
	[P_OTHERSOCKBUF] = UBC("othersockbuf", "OTHERSOCKBUF", PU_BYTES, 0,
	    "non-TCP socket send buffers, bytes",
	    "socket buffers count in the memory limit; there "
	    "is no separate limit"),
	[P_DGRAMRCVBUF] = UBC("dgramrcvbuf", "DGRAMRCVBUF", PU_BYTES, 0,
	    "non-TCP socket receive buffers, bytes",
	    "socket buffers count in the memory limit; there "
	    "is no separate limit"),
	[P_NUMOTHERSOCK] = UBC("numothersock", "NUMOTHERSOCK", PU_ITEMS,
	    PF_NOSUFFIX | PF_BAREQLIM, "non-TCP sockets",
	    "mainline Linux has no per-cgroup socket count "
	    "limit"),
	[P_DCACHESIZE] = { "dcachesize", "DCACHESIZE", "DCACHE", PK_PAIR,
	    PU_BYTES, PG_UBC, 0, 0, U, U, NONE, NONE,
	    "dentry and inode caches, bytes", 0,
	    .unenforced = "dentry and inode caches count in the memory limit; "
	    "there is no separate limit" },
	[P_NUMFILE] = UBC("numfile", "NUMFILE", PU_ITEMS,
	    PF_NOSUFFIX | PF_BAREQLIM, "open files",
	    "open files are limited per process (RLIMIT_NOFILE), "
	    "not per cgroup"),
	[P_NUMIPTENT] = { "numiptent", "NUMIPTENT", "IPTENTRIES", PK_PAIR,
	    PU_ITEMS, PG_UBC, PF_NOSUFFIX | PF_BAREQLIM, 0, U, U, NONE, NONE,
	    "iptables entries", 0,
	    .unenforced = "mainline Linux has no per-container iptables entry "
	    "limit" },
	[P_AVNUMPROC] = UBC("avnumproc", "AVNUMPROC", PU_ITEMS, PF_NOSUFFIX,
	    "expected average number of processes (OpenVZ used it to check "
	    "other values); stored and shown",
	    "a planning figure of OpenVZ's; nothing to enforce"),
	[P_CPUUNITS] = { "cpuunits", "CPUUNITS", NULL, PK_SINGLE, PU_WEIGHT,
	    PG_CPU, PF_NOSUFFIX, 8, 500000, 1000,
	    "cpu.shares = cpuunits * 1024 / 1000",
	    "cpu.weight = cpuunits / 10, within 1..10000",
	    "relative CPU weight, 8..500000", 0 },
	[P_CPULIMIT] = { "cpulimit", "CPULIMIT", NULL, PK_SINGLE, PU_PERCENT,
	    PG_CPU, PF_NOSUFFIX | PF_ZERO_UNLIM, 0, 409600, 0,
	    "cpu.cfs_quota_us = cpu.cfs_period_us * min(cpulimit, cpus*100) / 100",
	    "cpu.max = \"quota period\", quota as for v1",
	    "CPU cap in percent of one CPU (200 = two CPUs); 0: none", 0,
	    .scope = PS_CPUCAP },
	[P_CPUS] = { "cpus", "CPUS", NULL, PK_SINGLE, PU_CPUS, PG_CPU,
	    PF_NOSUFFIX | PF_ZERO_UNLIM, 0, 4096, 0,
	    "folded into the CPU cap (cpus * 100 %)",
	    "folded into cpu.max (cpus * 100 %)",
	    "number of CPUs the container may use at once; 0: all", 0,
	    .scope = PS_CPUCAP, .ops_of = PBIT(P_CPULIMIT) },
	[P_CPUMASK] = { "cpumask", "CPUMASK", NULL, PK_LIST, PU_NONE, PG_CPU,
	    0, 0, 0, 0, "cpuset.cpus (within the parent's)",
	    "cpuset.cpus (within the parent's)",
	    "CPUs the container may run on: a list like 0-3,7, or all", 0 },
	[P_NODEMASK] = { "nodemask", "NODEMASK", NULL, PK_LIST, PU_NONE,
	    PG_CPU, 0, 0, 0, 0, "cpuset.mems (within the parent's)",
	    "cpuset.mems (within the parent's)",
	    "NUMA memory nodes: a list like 0-1, or all", 0 },
	[P_IOPRIO] = { "ioprio", "IOPRIO", NULL, PK_SINGLE, PU_PRIO, PG_IO,
	    PF_NOSUFFIX, 0, 7, 4,
	    "blkio.bfq.weight or blkio.weight from 320 365 410 460 500 550 600 640",
	    "io.bfq.weight or io.weight, same table",
	    "I/O priority 0..7 (higher gets more disk time)", 0 },
	[P_IOLIMIT] = { "iolimit", "IOLIMIT", NULL, PK_SINGLE, PU_BPS, PG_IO,
	    PF_ZERO_UNLIM, 0, U, 0,
	    "blkio.throttle.{read,write}_bps_device per device",
	    "io.max rbps= wbps= per device",
	    "disk bandwidth, bytes/s (suffixes K M G T P B); 0: none", 0,
	    .scope = PS_IOLIMIT },
	[P_IOPSLIMIT] = { "iopslimit", "IOPSLIMIT", NULL, PK_SINGLE, PU_IOPS,
	    PG_IO, PF_NOSUFFIX | PF_ZERO_UNLIM, 0, U, 0,
	    "blkio.throttle.{read,write}_iops_device per device",
	    "io.max riops= wiops= per device",
	    "disk operations per second; 0: none", 0, .scope = PS_IOLIMIT },
	[P_DISKSPACE] = { "diskspace", "DISKSPACE", NULL, PK_PAIR, PU_KBLOCKS,
	    PG_DISK, 0, 0, U, U, QUOTA_L1, QUOTA_L1,
	    "disk space soft:hard, 1 KiB blocks (suffixes K M G T); "
	    "unlimited: quota off", 0 },
	[P_DISKINODES] = { "diskinodes", "DISKINODES", NULL, PK_PAIR,
	    PU_INODES, PG_DISK, PF_NOSUFFIX, 0, U, U, QUOTA_L1, QUOTA_L1,
	    "inodes soft:hard", 0 },
	[P_QUOTATIME] = { "quotatime", "QUOTATIME", NULL, PK_SINGLE,
	    PU_SECONDS, PG_DISK, PF_NOSUFFIX | PF_NOUNLIMITED, 0, U, 259200,
	    QUOTA_GRACE, QUOTA_GRACE,
	    "grace period of the soft disk limits, seconds (unset: 259200, "
	    "3 days)", 0 },
	[P_QUOTAUGIDLIMIT] = { "quotaugidlimit", "QUOTAUGIDLIMIT", NULL,
	    PK_SINGLE, PU_COUNT, PG_DISK, PF_NOSUFFIX | PF_NOUNLIMITED, 0, U, 0,
	    QUOTA_L2, QUOTA_L2,
	    "second-level quota: number of uids+gids tracked; 0: off", 0 },
	[P_IODEVICES] = { "iodevices", "IODEVICES", NULL, PK_DEVLIST, PU_NONE,
	    PG_IO, PF_EXTENSION, 0, 0, 0,
	    "the devices iolimit and iopslimit apply to",
	    "the devices iolimit and iopslimit apply to",
	    "block devices for iolimit/iopslimit: MAJ:MIN list, or auto "
	    "(the host's disks)", 0, .scope = PS_IOLIMIT,
	    .ops_of = PBIT(P_IOLIMIT) | PBIT(P_IOPSLIMIT) },
	[P_VSWAPRATE] = { "vswaprate", "VSWAPRATE", NULL, PK_SINGLE, PU_BPS,
	    PG_MEMORY, PF_EXTENSION | PF_ZERO_UNLIM, 0, U, U,
	    "accountd freezes the container to slow its vswap traffic to this",
	    "accountd freezes the container to slow its vswap traffic to this",
	    "virtual swap traffic the container is slowed to, bytes/s "
	    "(suffixes K M G); unset: vswap_rate of accountd.conf; 0: no "
	    "slowdown", 0 },
	[P_PRIVATE] = { "private", "VE_PRIVATE", NULL, PK_PATH, PU_NONE,
	    PG_DISK, 0, 0, 0, 0, "the tree the disk quota applies to",
	    "the tree the disk quota applies to",
	    "the container's directory tree, an absolute path ($VEID is "
	    "replaced by the container's name)", 0 },
	[P_RAM] = { "ram", NULL, NULL, PK_SHORTCUT, PU_BYTES, PG_MEMORY, 0,
	    0, U, U, "memory.limit_in_bytes", "memory.max",
	    "RAM, bytes (suffixes K M G T P B): sets physpages 0:RAM, rounded "
	    "up to pages", P_PHYSPAGES },
	[P_SWAP] = { "swap", NULL, NULL, PK_SHORTCUT, PU_BYTES, PG_MEMORY, 0,
	    0, U, U, "memory.memsw.limit_in_bytes = ram + swap",
	    "memory.swap.max",
	    "swap, bytes (suffixes K M G T P B): sets swappages 0:SWAP, rounded "
	    "up to pages", P_SWAPPAGES },
};

bool
param_written_by(enum param_id row, enum param_id op)
{
	return op == row || (row < P_COUNT && op < P_COUNT &&
	    (param_table[row].ops_of & PBIT(op)) != 0);
}

const struct param_def *
param_by_name(const char *name)
{
	unsigned i;

	for (i = 0; i < P_ROWS; i++)
		if (strcmp(param_table[i].name, name) == 0)
			return &param_table[i];
	return NULL;
}

const struct param_def *
param_by_key(const char *key)
{
	unsigned i;

	for (i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];

		if ((d->key != NULL && strcmp(d->key, key) == 0) ||
		    (d->alias != NULL && strcmp(d->alias, key) == 0))
			return d;
	}
	return NULL;
}

enum param_id
param_id(const struct param_def *d)
{
	return (enum param_id)(d - param_table);
}

const char *
param_unit_name(enum param_unit u)
{
	static const char *names[] = {
		[PU_PAGES] = "pages", [PU_BYTES] = "bytes", [PU_ITEMS] = "items",
		[PU_KBLOCKS] = "1k-blocks", [PU_INODES] = "inodes",
		[PU_PERCENT] = "percent", [PU_WEIGHT] = "units",
		[PU_CPUS] = "cpus", [PU_PRIO] = "priority",
		[PU_BPS] = "bytes/s", [PU_IOPS] = "ops/s",
		[PU_SECONDS] = "seconds", [PU_COUNT] = "count",
		[PU_RATIO] = "ratio", [PU_NONE] = "",
	};

	return names[u];
}

bool
params_isset(const struct ct_params *p, enum param_id id)
{
	return p->v[id].set != 0;
}

/*
 * The interned texts: an open-addressing set, grown at half full.  A
 * daemon holding 100,000 containers shares a handful of texts (lists and
 * paths repeat; $VEID stays in VE_PRIVATE).
 */
static char **itab;
static unsigned char *imark;	/* params_gc_mark()ed */
static size_t icap, icount;

static size_t
text_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
	return (size_t)h;
}

/* The table again with ncap slots; sweep: without the unmarked texts
 * (freed).  The marks are cleared. */
static void
rehash(size_t ncap, bool sweep)
{
	char **n = calloc(ncap, sizeof(*n));
	unsigned char *nm = calloc(ncap, 1);
	size_t i;

	if (n == NULL || nm == NULL)
		abort();
	icount = 0;
	for (size_t k = 0; k < icap; k++) {
		if (itab[k] == NULL)
			continue;
		if (sweep && !imark[k]) {
			free(itab[k]);
			continue;
		}
		for (i = text_hash(itab[k]) & (ncap - 1); n[i] != NULL;
		    i = (i + 1) & (ncap - 1))
			;
		n[i] = itab[k];
		icount++;
	}
	free(itab);
	free(imark);
	itab = n;
	imark = nm;
	icap = ncap;
}

size_t
params_interned(void)
{
	return icount;
}

void
params_gc_mark(const struct ct_params *p)
{
	const char *t[] = { p->cpumask, p->nodemask, p->iodevices,
	    p->private_dir };

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		if (t[k] == NULL || icap == 0)
			continue;
		for (size_t i = text_hash(t[k]) & (icap - 1); itab[i] != NULL;
		    i = (i + 1) & (icap - 1))
			if (itab[i] == t[k]) {
				imark[i] = 1;
				break;
			}
	}
}

void
params_gc_sweep(void)
{
	size_t ncap = 64;

	if (icap == 0)
		return;
	for (size_t k = 0; k < icap; k++)
		icount -= itab[k] != NULL && !imark[k];
	while (2 * icount > ncap)
		ncap *= 2;
	rehash(ncap, true);
}

const char *
params_intern(const char *s)
{
	char cut[LIST_MAX];
	size_t i;

	if (strlen(s) >= LIST_MAX) {
		memcpy(cut, s, LIST_MAX - 1);
		cut[LIST_MAX - 1] = '\0';
		s = cut;
	}
	if (2 * (icount + 1) > icap)
		rehash(icap ? 2 * icap : 64, false);
	for (i = text_hash(s) & (icap - 1); itab[i] != NULL;
	    i = (i + 1) & (icap - 1))
		if (strcmp(itab[i], s) == 0)
			return itab[i];
	if ((itab[i] = strdup(s)) == NULL)
		abort();
	icount++;
	return itab[i];
}

const char *
params_text(const struct ct_params *p, enum param_id id)
{
	const char *s;

	switch (id) {
	case P_CPUMASK:
		s = p->cpumask;
		break;
	case P_NODEMASK:
		s = p->nodemask;
		break;
	case P_IODEVICES:
		s = p->iodevices;
		break;
	case P_PRIVATE:
		s = p->private_dir;
		break;
	default:
		return NULL;
	}
	return s != NULL ? s : "";
}

bool
params_same(const struct ct_params *a, const struct ct_params *b,
    enum param_id id)
{
	const struct pval *x = &a->v[id], *y = &b->v[id];
	const char *sa = params_text(a, id), *sb = params_text(b, id);

	if (!x->set || !y->set)
		return !x->set && !y->set;
	return x->bar == y->bar && x->lim == y->lim && x->kind == y->kind &&
	    (sa == NULL || strcmp(sa, sb) == 0);
}

bool
params_identical(const struct ct_params *a, const struct ct_params *b)
{
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct pval *x = &a->v[i], *y = &b->v[i];

		if (x->bar != y->bar || x->lim != y->lim || x->set != y->set ||
		    x->kind != y->kind)
			return false;
	}
	return a->cpumask == b->cpumask && a->nodemask == b->nodemask &&
	    a->iodevices == b->iodevices && a->private_dir == b->private_dir;
}

void
params_merge(struct ct_params *into, const struct ct_params *from)
{
	unsigned i;

	for (i = 0; i < P_COUNT; i++)
		if (from->v[i].set)
			into->v[i] = from->v[i];
	if (from->v[P_CPUMASK].set)
		into->cpumask = from->cpumask;
	if (from->v[P_NODEMASK].set)
		into->nodemask = from->nodemask;
	if (from->v[P_IODEVICES].set)
		into->iodevices = from->iodevices;
	if (from->v[P_PRIVATE].set)
		into->private_dir = from->private_dir;
}
