/* SPDX-License-Identifier: ISC */
/*
 * The parameter table: one typed row per OpenVZ parameter drives parsing,
 * validation, defaults, help text, `acctctl show`, the ctid.conf keys, the
 * mapping table in docs/ and the man page.  Everything here is pure: no
 * I/O, integer arithmetic only.
 *
 * Values are kept in each parameter's native unit (pages, bytes, items,
 * 1 KiB blocks, percent ...), as vzctl stores them in CTID.conf.
 * "unlimited" is VAL_UNLIMITED, LONG_MAX, which is what OpenVZ prints.
 */
#ifndef ACCT_PARAMS_H
#define ACCT_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define VAL_UNLIMITED	((uint64_t)INT64_MAX)	/* 9223372036854775807 */
#define ACCT_PAGE_SIZE	4096u			/* OpenVZ pages on x86 */

enum param_id {
	/* VSwap */
	P_PHYSPAGES, P_SWAPPAGES, P_VM_OVERCOMMIT, P_MEMGUARANTEE,
	/* user beancounters, in /proc/user_beancounters order */
	P_KMEMSIZE, P_LOCKEDPAGES, P_PRIVVMPAGES, P_SHMPAGES, P_NUMPROC,
	P_VMGUARPAGES, P_OOMGUARPAGES, P_NUMTCPSOCK, P_NUMFLOCK, P_NUMPTY,
	P_NUMSIGINFO, P_TCPSNDBUF, P_TCPRCVBUF, P_OTHERSOCKBUF, P_DGRAMRCVBUF,
	P_NUMOTHERSOCK, P_DCACHESIZE, P_NUMFILE, P_NUMIPTENT, P_AVNUMPROC,
	/* CPU */
	P_CPUUNITS, P_CPULIMIT, P_CPUS, P_CPUMASK, P_NODEMASK,
	/* I/O */
	P_IOPRIO, P_IOLIMIT, P_IOPSLIMIT,
	/* disk quota */
	P_DISKSPACE, P_DISKINODES, P_QUOTATIME, P_QUOTAUGIDLIMIT,
	/* accountd extensions */
	P_IODEVICES, P_VSWAPRATE,
	/* the container's directory tree (disk quota) */
	P_PRIVATE,
	P_COUNT,
	/* command-line shortcuts, not stored: ram, swap */
	P_RAM = P_COUNT, P_SWAP,
	P_ROWS
};

enum param_kind {
	PK_PAIR,	/* barrier[:limit] */
	PK_SINGLE,	/* one number */
	PK_RATIO,	/* decimal ratio, stored in millionths (vm_overcommit) */
	PK_MEMGUAR,	/* auto | N% | bytes */
	PK_LIST,	/* cpu or node list: 0-3,7 | all */
	PK_DEVLIST,	/* MAJ:MIN ... | auto */
	PK_SHORTCUT,	/* --ram / --swap: bytes, stored into another row */
	PK_PATH,	/* an absolute directory path (VE_PRIVATE) */
};

enum param_unit {
	PU_PAGES, PU_BYTES, PU_ITEMS, PU_KBLOCKS, PU_INODES, PU_PERCENT,
	PU_WEIGHT, PU_CPUS, PU_PRIO, PU_BPS, PU_IOPS, PU_SECONDS, PU_COUNT,
	PU_RATIO, PU_NONE,
};

enum param_group { PG_MEMORY, PG_UBC, PG_CPU, PG_IO, PG_DISK };

/*
 * Rows whose kernel values are computed together: a scoped set (`acctctl
 * set` of a few rows) re-plans every row of the group of a row it changes
 * (plan_scope), since one file holds them all (memsw = ram + swap, the CPU
 * cap = min(cpulimit, cpus), io.max per device, kmem.tcp = snd + rcv).
 */
enum param_scope { PS_NONE, PS_MEMORY, PS_CPUCAP, PS_IOLIMIT, PS_TCPBUF };

#define PBIT(id)	(UINT64_C(1) << (id))

/* flags */
#define PF_NOSUFFIX	0x01	/* num* parameters take no suffix */
#define PF_NOUNLIMITED	0x02	/* "unlimited" is not accepted */
#define PF_BAREQLIM	0x04	/* barrier != limit makes no sense */
#define PF_ZERO_UNLIM	0x08	/* 0 means no limit (cpulimit, iolimit) */
#define PF_EXTENSION	0x10	/* accountd's own key, not OpenVZ's */

struct param_def {
	const char	*name;		/* option name: --physpages */
	const char	*key;		/* CTID.conf key: PHYSPAGES */
	const char	*alias;		/* old key spelling, read only */
	enum param_kind	 kind;
	enum param_unit	 unit;
	enum param_group group;
	unsigned	 flags;
	uint64_t	 min, max;	/* accepted range of each value */
	uint64_t	 dflt;		/* value when unset (shown by show) */
	const char	*v1;		/* cgroup v1 mapping, for docs */
	const char	*v2;		/* cgroup v2 mapping, for docs */
	const char	*help;
	enum param_id	 target;	/* PK_SHORTCUT: the row it sets */
	/* named (.field =) in the rows that have them */
	const char	*unenforced;	/* why there is no mainline mechanism
					 * (shown by show and plan) */
	enum param_scope scope;
	uint64_t	 ops_of;	/* PBIT()s of the rows whose plan ops
					 * write this row's value (and its own) */
};

enum val_kind { VK_NUM, VK_PERCENT, VK_AUTO };

/* Packed: 18 bytes, not 24 (39 rows in each struct ct_params).  Read
 * and write its fields by name (x86-64 and arm64 load them unaligned at
 * no cost); take no pointer to bar or lim. */
struct pval {
	uint64_t	bar;
	uint64_t	lim;
	uint8_t		set;
	uint8_t		kind;		/* enum val_kind (memguarantee) */
} __attribute__((packed));

#define LIST_MAX	256	/* a list or path value's bytes, with its NUL */

/*
 * A container's parameters.  Plain data: copy with struct assignment.
 * The list and path values are interned (params_intern()): one shared
 * copy of each text, never changed nor freed, NULL until set; read them
 * with params_text().  (Four 256-byte arrays in each copy were two thirds
 * of the daemon's memory per container, and almost always empty.)
 */
struct ct_params {
	struct pval	v[P_COUNT];
	const char	*cpumask;
	const char	*nodemask;
	const char	*iodevices;
	const char	*private_dir;	/* P_PRIVATE, as written */
};

extern const struct param_def param_table[P_ROWS];

const struct param_def *param_by_name(const char *name);	/* option */
const struct param_def *param_by_key(const char *key);	/* conf key */
enum param_id	param_id(const struct param_def *);
/* Does a plan op of row `op` write (part of) row `row`'s value? */
bool		param_written_by(enum param_id row, enum param_id op);
const char	*param_unit_name(enum param_unit);

/* Parsing values (value.c).  Return 0 or -errno with err filled.  A value
 * beyond LONG_MAX is refused, so *clamped (if given) is always false. */
int	parse_amount(const struct param_def *, const char *s, uint64_t *out,
	    bool *clamped, struct aerr *);
int	param_parse(const struct param_def *, const char *s,
	    struct ct_params *, struct aerr *);
int	parse_cpulist(const char *s, unsigned maxbit, struct aerr *);

/* Formatting values. */
void	param_format(const struct param_def *, const struct ct_params *,
	    char *buf, size_t len);		/* CTID.conf form */
void	param_format_human(const struct param_def *,
	    const struct ct_params *, char *buf, size_t len);
void	fmt_bytes(uint64_t bytes, char *buf, size_t len);	/* 1G, 1.5G */
const char *param_value_str(const struct param_def *, const struct ct_params *,
	    char *buf, size_t len);

/* Derived values in bytes (VAL_UNLIMITED when unlimited or unset). */
uint64_t params_ram_bytes(const struct ct_params *);
uint64_t params_swap_bytes(const struct ct_params *);
uint64_t params_guarantee_bytes(const struct ct_params *);	/* 0: none */
uint64_t sat_add(uint64_t, uint64_t);
uint64_t sat_mul(uint64_t, uint64_t);

/* The one shared copy of s (at most LIST_MAX - 1 bytes are kept), until
 * a collection finds no kept ct_params holding it.  One thread only. */
const char	*params_intern(const char *s);
/* Collection, for a long-lived process: params_gc_mark() every ct_params
 * it keeps, then params_gc_sweep() frees the other texts.  Only where no
 * other ct_params is alive (accountd: between callbacks, ct_params_gc()). */
size_t		 params_interned(void);		/* texts held now */
void		 params_gc_mark(const struct ct_params *);
void		 params_gc_sweep(void);
/* The text of a list or path row ("" when unset), NULL for other rows. */
const char	*params_text(const struct ct_params *, enum param_id);

/* Merging: every row set in `from` overrides `into`. */
void	params_merge(struct ct_params *into, const struct ct_params *from);
bool	params_isset(const struct ct_params *, enum param_id);
/* Both set to the same value (list and path values too), or both unset. */
bool	params_same(const struct ct_params *, const struct ct_params *,
	    enum param_id);
/* Every field the same, set or not (texts: the same interned copy): one
 * may stand for the other. */
bool	params_identical(const struct ct_params *, const struct ct_params *);

#endif
