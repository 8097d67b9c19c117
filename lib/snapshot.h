/* SPDX-License-Identifier: ISC */
/*
 * The snapshot: what accountd knows about every container after each
 * sampling round, in a shared file (run_dir/snapshot, mode 0644) that
 * exporters map read-only.  Exporters (OpenMetrics HTTP, PCP agent, RRD
 * writer) never talk to the privileged daemon to get figures and never
 * block it: a scrape reads memory.
 *
 * Layout (version 5): struct snap_header, then `capacity` struct snap_rec
 * records, of which the first `ncts` are valid, then `capacity` struct
 * snap_devs, record i's block devices at index i (its first ndev valid).
 * A reader gets each record as a struct snap_ct (snap_read): the same
 * fields, rows with their unit and presence, and the devices.  The file
 * keeps what each container needs in less room (1,664 bytes a record,
 * 2,216 in version 4; the writer maps it, so every byte counts in its
 * memory): a row is five figures, its unit and presence are beside the
 * rows, and the device slots, apart, are written (and take memory) only
 * for containers that did block I/O.  Consistency by a sequence lock: the
 * writer makes seq odd, writes, makes it even; a reader copies what it
 * needs and retries when seq was odd or changed (snap_read does this).
 * The file only grows; a reader remaps when the file is larger than its
 * map.
 *
 * Units: bytes, microseconds, pages only in rows whose unit says so.
 * VAL_UNLIMITED (INT64_MAX) means unlimited.  Bump SNAP_VERSION when any
 * of this changes.
 */
#ifndef ACCT_SNAPSHOT_H
#define ACCT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SNAP_MAGIC	0x50414e53u	/* "SNAP" */
#define SNAP_VERSION	5
#define SNAP_ROWS	25		/* enum ub_res, UB_COUNT (asserted) */
#define SNAP_DEVS	8
/* A row whose unit is pages counts OpenVZ's 4 KiB pages, whatever the
 * host's page size (policies' ACCT_PAGE_SIZE, asserted equal). */
#define SNAP_PAGE_SIZE	4096u
#define SNAP_UNLIMITED	((uint64_t)INT64_MAX)	/* VAL_UNLIMITED */
/* rows that are placeholders in OpenVZ's table (ub_is_dummy, asserted):
 * never present */
#define SNAP_DUMMY_ROWS	((1u << 4) | (1u << 20) | (1u << 21) | (1u << 22))

/* struct snap_row's unit (enum ub_unit, asserted equal) */
enum snap_unit { SNAP_UNIT_PAGES, SNAP_UNIT_BYTES, SNAP_UNIT_ITEMS };

struct snap_header {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	record_size;	/* sizeof(struct snap_rec) */
	uint32_t	capacity;	/* records the file has room for */
	uint32_t	ncts;		/* records in use */
	uint32_t	host_cpus;
	uint64_t	seq;		/* sequence lock: odd while writing */
	uint64_t	time_ms;	/* wall clock of the sampling round */
	uint64_t	interval_ms;	/* sample_interval */
	uint64_t	rounds;		/* sampling rounds since start */
	uint64_t	host_ram;	/* bytes */
	uint64_t	host_swap;	/* bytes */
	uint64_t	pid;		/* accountd's pid */
	uint64_t	started_ms;	/* when accountd started */
	char		cgroup_mode[8];	/* v1, v2, hybrid */
	char		hostname[64];
	char		version_str[16];
	uint64_t	guarantee_room;	/* host_ram - guarantee_reserve */
	uint8_t		reserved[56];
};

/* A row as a reader gets it (struct snap_ct) */
struct snap_row {
	uint64_t	held, maxheld, barrier, limit, failcnt;
	uint32_t	present;	/* 0: no source on this kernel */
	uint32_t	unit;		/* enum snap_unit */
};

/* A row in the file (struct snap_rec) */
struct snap_frow {
	uint64_t	held, maxheld, barrier, limit, failcnt;
};

/* THE conversion of a row's figure: bytes for rows of pages or bytes,
 * items otherwise; SNAP_UNLIMITED stays, a product that would reach it
 * saturates to it.  Every reader of the snapshot uses this one. */
uint64_t snap_value(const struct snap_row *, uint64_t v);
bool	snap_row_bytes(const struct snap_row *);	/* pages or bytes */

struct snap_dev {
	char		dev[16];	/* MAJ:MIN */
	uint64_t	rbytes, wbytes, rios, wios;
};

/* A record's devices in the file */
struct snap_devs {
	struct snap_dev	dev[SNAP_DEVS];
};

/*
 * A container's figures, the same in the file's record (struct snap_rec)
 * and in the reader's copy (struct snap_ct), which start with these:
 *
 * name, cgroup: NUL-terminated (the reader checks)
 * running; origin: 0 own, 1 adopted, 2 discovered, 3 hook
 * since_ms: running since (wall clock)
 * CPU, microseconds: cpu_usage ... throttled
 * pressure stall totals, microseconds, of cpu, memory, io: psi_some,
 *   psi_full, if have_psi
 * ndev: devices in the record's struct snap_devs (at most SNAP_DEVS)
 * memory details, bytes: mem_cache, mem_anon; limit_hits: times usage
 *   hit the limit (v2)
 * configured values (VAL_UNLIMITED when unlimited; 0 when unset): ram,
 *   swap (bytes), cpuunits (0: unset, 1000), cpulimit (percent of one
 *   CPU; 0: none), cpus, numproc
 * virtual swap (VSwap emulation), bytes and microseconds: vswap ...
 * disk quota, first level (see docs/quota.md); have_quota 0: none.
 *   Blocks in bytes, inodes in items; soft/hard VAL_UNLIMITED when
 *   unlimited; grace_*_ms: wall clock when the grace ends, 0: not over
 *   the soft limit; failcnt: writes refused.
 * cg_gen: the cgroup's identity (inode of its folder; 0: unknown):
 *   another value under the same name is a new cgroup, counters from 0
 * bcid: beancounter id, the number before the colon in /proc/user_
 *   beancounters (policies/ubc.h); 0: none
 * guarantee: memguarantee in force, bytes (0: none); admission adds
 *   these up
 * flags, birth and end (docs/billing.md, "Birth and end"): SNAP_BORN,
 *   accountd saw the cgroup being made at born_ms (wall clock), so its
 *   counters count from 0 then; SNAP_GONE, a departed container kept for
 *   SNAP_GONE_ROUNDS rounds after its end (end_ms, wall clock) with the
 *   counters of its last read (running is 0; readers other than the
 *   ledger skip it, and its name may also appear in a running record: a
 *   new incarnation)
 */
#define SNAP_FIGURES							\
	char		name[64];					\
	char		cgroup[192];					\
	uint32_t	running;					\
	uint32_t	origin;						\
	uint64_t	since_ms;					\
	uint64_t	cpu_usage, cpu_user, cpu_system;		\
	uint64_t	nr_periods, nr_throttled, throttled;		\
	uint32_t	have_psi;					\
	uint32_t	ndev;						\
	uint64_t	psi_some[3], psi_full[3];			\
	uint64_t	mem_cache, mem_anon;				\
	uint64_t	limit_hits;					\
	uint64_t	ram, swap;					\
	uint64_t	cpuunits;					\
	uint64_t	cpulimit;					\
	uint64_t	cpus;						\
	uint64_t	numproc;					\
	uint64_t	vswap, vswap_in, vswap_out, vswap_slowed;	\
	uint32_t	have_quota;					\
	uint32_t	quota_flags;					\
	uint64_t	disk_held, disk_soft, disk_hard, disk_failcnt;	\
	uint64_t	inodes_held, inodes_soft, inodes_hard,		\
			inodes_failcnt;					\
	uint64_t	grace_disk_ms, grace_inodes_ms;			\
	uint64_t	cg_gen;						\
	uint64_t	bcid;						\
	uint64_t	guarantee;					\
	uint32_t	flags;						\
	uint32_t	pad;						\
	uint64_t	born_ms;					\
	uint64_t	end_ms;						\
	uint64_t	reserved[2]

/* A record in the file */
struct snap_rec {
	SNAP_FIGURES;
	uint32_t	present;	/* bit (1u << row): the row's present */
	uint8_t		unit[SNAP_ROWS];	/* each row's enum snap_unit */
	uint8_t		pad2[3];
	struct snap_frow row[SNAP_ROWS];	/* enum ub_res order */
};

/* A record as a reader gets it */
struct snap_ct {
	SNAP_FIGURES;
	struct snap_row	row[SNAP_ROWS];	/* enum ub_res order */
	struct snap_dev	dev[SNAP_DEVS];
};

/* The figures' bytes, at the start of both (asserted) */
#define SNAP_FIGURES_SIZE	offsetof(struct snap_rec, present)

#define SNAP_BORN		0x1u
#define SNAP_GONE		0x2u
/* departed records stay this many rounds (and at least 5 s): a reader
 * that polls more slowly than the rounds still sees each of them */
#define SNAP_GONE_ROUNDS	8

/* Reader side (exporters).  A copy is taken: header and records. */
struct snap {
	int		 fd;
	void		*map;
	size_t		 maplen;
	char		*path;
};

int	snap_open(struct snap *, const char *path, struct aerr *);
void	snap_close(struct snap *);
/* Copy a consistent snapshot.  *cts (caller frees) gets ncts records. */
int	snap_read(struct snap *, struct snap_header *, struct snap_ct **cts,
	    size_t *ncts, struct aerr *);

/* Writer side (accountd). */
struct snap_writer {
	int		 fd;
	struct snap_header *hdr;
	size_t		 maplen;
};

int	snapw_open(struct snap_writer *, const char *path, struct aerr *);
void	snapw_close(struct snap_writer *);
/* Room for n records; returns the array to fill (valid until the next
 * call), and snapw_devs() the records' device slots (a record with ndev
 * 0 needs none written).  Call snapw_begin, fill, snapw_commit. */
struct snap_rec *snapw_begin(struct snap_writer *, uint32_t n);
struct snap_devs *snapw_devs(struct snap_writer *);
void	snapw_commit(struct snap_writer *, uint32_t n);
/* Between snapw_begin and snapw_commit: records 0 .. n - 1 from whole
 * ones (tests and benchmarks that make up a snapshot) */
void	snapw_put(struct snap_writer *, const struct snap_ct *, uint32_t n);

#endif
