/* SPDX-License-Identifier: ISC */
/*
 * A plan: the ordered list of cgroup file writes that puts a container's
 * parameters into effect, plus a note for every set parameter the kernel
 * cannot enforce (never dropped silently).  plan_build() is pure: it takes
 * the parameters, what the kernel offers (struct kcaps) and the few live
 * values that decide the order of writes (struct kstate), and does no I/O.
 * accountd/apply.c carries the plan out, all or nothing.
 */
#ifndef ACCT_PLAN_H
#define ACCT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "params.h"
#include "sbuf.h"

enum cg_ctrl {
	CTRL_MEMORY, CTRL_CPU, CTRL_CPUACCT, CTRL_CPUSET, CTRL_IO, CTRL_PIDS,
	CTRL_FREEZER, CTRL_COUNT
};

/* kcaps.flags: files whose presence changes the mapping */
#define CAP_MEMSW	0x01	/* v1 memory.memsw.* (swap accounting on) */
#define CAP_KMEM	0x02	/* v1 memory.kmem.limit_in_bytes is honoured */
#define CAP_KMEM_TCP	0x04	/* v1 memory.kmem.tcp.limit_in_bytes */
#define CAP_SWAP_MAX	0x08	/* v2 memory.swap.max */
#define CAP_BFQ_WEIGHT	0x10	/* blkio.bfq.weight / io.bfq.weight */
#define CAP_IO_WEIGHT	0x20	/* blkio.weight / io.weight */

/* What the running kernel offers; found by accountd/cgroup.c. */
struct kcaps {
	uint8_t		version[CTRL_COUNT];	/* 0 absent, 1 or 2 */
	unsigned	flags;
	uint64_t	cfs_period_us;
	unsigned	ncpus;
	char		parent_cpus[LIST_MAX];	/* the parent's effective set */
	char		parent_mems[LIST_MAX];
	char		disks[LIST_MAX];	/* devices for iodevices=auto */
	uint64_t	host_ram;		/* bytes */
	uint64_t	host_swap;		/* bytes */
	uint8_t		vswap_mode;		/* enum vswap_mode */
};

/*
 * How --ram/--swap (a VSwap configuration: finite RAM, swap > 0) are put
 * into effect (docs/vswap.md):
 *   VSWAP_OFF	  the kernel limits RAM and swap as they are; no slowdown
 *   VSWAP_RAM	  the kernel ceiling is RAM+swap, all of it in host RAM;
 *		  accountd counts what is above RAM as virtual swap and
 *		  slows the container at its vswap rate
 *   VSWAP_KERNEL the kernel pages what is above RAM to (zram) swap;
 *		  accountd slows the traffic to the vswap rate
 */
enum vswap_mode { VSWAP_OFF, VSWAP_RAM, VSWAP_KERNEL };

/* Live values that decide the order of the v1 memory writes. */
struct kstate {
	bool		valid;
	uint64_t	mem_limit;	/* bytes; VAL_UNLIMITED if unlimited */
	uint64_t	memsw_limit;
};

enum op_kind {
	OP_WRITE,	/* write value; undo writes the old first line back */
	OP_DEV_V1,	/* blkio.throttle.*: "MAJ:MIN N" for one device */
	OP_DEV_V2,	/* io.max: "MAJ:MIN key=val ..." for one device */
	OP_MEMGUARD,	/* v2: refuse unless usage fits in `guard` bytes */
};

struct plan_op {
	enum cg_ctrl	ctrl;
	enum op_kind	kind;
	enum param_id	param;		/* the parameter it implements */
	char		file[48];
	char		value[128];
	char		dev[24];	/* MAJ:MIN for device ops */
	uint64_t	guard;		/* OP_MEMGUARD */
	char		why[96];	/* "ram=1G", shown by plan */
};

enum note_kind { NOTE_NOT_ENFORCED, NOTE_PARTIAL, NOTE_BY_DAEMON };

struct plan_note {
	enum param_id	param;
	enum note_kind	kind;
	char		reason[200];
};

struct plan {
	struct plan_op	 *ops;
	size_t		  nops;
	struct plan_note *notes;
	size_t		  nnotes;
};

int	plan_build(const struct ct_params *, const struct kcaps *,
	    const struct kstate *, struct plan *, struct aerr *);
void	plan_free(struct plan *);
void	plan_format(const struct plan *, const struct kcaps *, struct sbuf *);
const struct plan_note *plan_note_for(const struct plan *, enum param_id);
const char *ctrl_name(enum cg_ctrl, int version);
void	kcaps_canonical(struct kcaps *, int version);
const char *kcaps_mode_name(const struct kcaps *);

/*
 * The parameters a change has to write: those in `chg`, taken from the
 * effective set `eff`, plus the ones they are computed with (ram and swap
 * make memsw; cpulimit and cpus make one quota; iolimit, iopslimit and
 * iodevices make one io.max line; tcpsndbuf and tcprcvbuf one limit).
 */
void	plan_scope(const struct ct_params *eff, const struct ct_params *chg,
	    struct ct_params *out);

/* Validation in the spirit of vzcfgvalidate (validate.c).  Errors fail;
 * warnings are appended to `warn`, one per line.  caps may be NULL. */
int	params_validate(const struct ct_params *, const struct kcaps *,
	    struct sbuf *warn, struct aerr *);

/* The cpuunits conversions (exported for tests and docs). */
uint64_t cpuunits_to_shares(uint64_t);
uint64_t cpuunits_to_weight(uint64_t);
uint64_t ioprio_to_weight(uint64_t);
bool	params_vswap(const struct ct_params *, const struct kcaps *);

#endif
