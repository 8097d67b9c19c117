/* SPDX-License-Identifier: ISC */
/*
 * The disk quota models that need no kernel (docs/quota.md): the grace
 * state machine of a soft:hard pair and the `vzquota stat` text layout.
 * Pure code, integer arithmetic, no I/O.
 *
 * Grace (OpenVZ: "the container may exceed its soft limit for the grace
 * period; once it has expired the soft limit acts as the hard limit"):
 *
 *	usage <= soft ───────────────► UNDER   (grace_end 0, limit = hard)
 *	usage >  soft, now <  end ───► GRACE   (limit = hard)
 *	usage >  soft, now >= end ───► EXPIRED (limit = soft: nothing more
 *	                                        is allocated until usage
 *	                                        drops to the soft limit)
 *
 * The grace starts when the usage is first seen above soft; quotatime 0
 * means no grace at all, so the soft limit is the hard one at once.
 */
#ifndef ACCT_VZQUOTA_H
#define ACCT_VZQUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "sbuf.h"

enum quota_state { QS_OFF, QS_UNDER, QS_GRACE, QS_EXPIRED };

/* One resource (blocks in bytes, or inodes).  VAL_UNLIMITED: no limit. */
struct quota_res {
	uint64_t	usage;
	uint64_t	soft, hard;	/* configured */
	uint64_t	grace_end_ms;	/* wall clock; 0: not over soft */
	uint64_t	failcnt;	/* writes refused / hard limit reached */
};

/*
 * Advance the grace state of `r` for its usage at `now_ms`; returns the
 * hard limit to enforce now (the soft one once the grace has run out).
 */
uint64_t quota_grace_step(struct quota_res *r, uint64_t now_ms,
	    uint64_t quotatime_s);
enum quota_state quota_res_state(const struct quota_res *, uint64_t now_ms);
const char *quota_state_name(enum quota_state);

/* Limits in kernel units from the parameters: blocks in bytes. */
void	quota_limits(const struct ct_params *, struct quota_res *blocks,
	    struct quota_res *inodes, uint64_t *quotatime_s);
/* True when the parameters ask for a first-level quota at all. */
bool	quota_wanted(const struct ct_params *);

/* "6days", "02:30" (hours:minutes, rounded up), as vzquota prints. */
void	quota_time2str(uint64_t secs, char *buf, size_t len);

/*
 * The `vzquota stat` table:
 *	   resource          usage       softlimit      hardlimit    grace
 *	  1k-blocks          12345*          10000          12000    2days
 *	     inodes           4000          131072         144179
 * usage gets a `*` past soft or hard; grace is blank under soft, the
 * time left in the grace, or `none` once it has expired.
 */
void	quota_stat_format(const struct quota_res *blocks,
	    const struct quota_res *inodes, uint64_t now_ms, struct sbuf *);

/*
 * Second level (`vzquota stat -t`): one uid's or gid's figures as the
 * kernel keeps them.  Limits 0: none (the kernel's convention); btime and
 * itime: when its soft limit turns hard (Unix seconds), 0: not over.
 */
struct quota_ugid {
	unsigned	 id;
	bool		 group;
	uint64_t	 bused, bsoft, bhard;	/* bytes */
	uint64_t	 iused, isoft, ihard;
	uint64_t	 btime, itime;
};

struct quota_ugid_info {
	bool		 on;			/* quotaugidlimit > 0 */
	uint64_t	 limit;			/* quotaugidlimit */
	uint64_t	 bgrace[2], igrace[2];	/* per type, seconds */
};

/*
 *	User/group quota: on,active
 *	Ugids: loaded 2, total 2, limit 100
 *	Ugid limit was exceeded: no
 *
 *	User/group grace times and quotafile flags:
 *	   type block_exp_time inode_exp_time  dqi_flags
 *	   user          7days          7days        0h
 *	  group          7days          7days        0h
 *
 *	User/group objects:
 *	ID      type   resource      usage  softlimit  hardlimit    grace status
 *	1000    user  1k-blocks       4096          0          0          loaded
 */
void	quota_ugid_format(const struct quota_ugid_info *,
	    const struct quota_ugid *, size_t n, uint64_t now_s, struct sbuf *);

#endif
