/* SPDX-License-Identifier: ISC */
/*
 * Inside the disk quota (quota.h is its face to the rest of the daemon).
 * Four files, one facility each, sharing the per-container record below:
 *
 *	quota.c		state and policy: the records, quota_set (check,
 *			then put in force), the 1 s tick (usage → grace →
 *			limit in force → failcnt), quota.state, the reports
 *	quota-kernel.c	project quota: the filesystem's offer (probe),
 *			project ids, quotactl limits and usage, the second
 *			level, the tagging child
 *	quota-count.c	the userspace count: the counting child and its
 *			pipe, inotify watches that bring the next count
 *			forward
 *	quota-listen.c	the fanotify listener (a thread): which trees are
 *			refused, and the refusals it counted
 *
 * Only quota.c adds or removes records; the others read them and fill
 * their own fields.  Everything runs on the event loop's thread except
 * the listener's thread, which sees only its own table (quota-listen.c).
 */
#ifndef ACCT_QUOTA_INT_H
#define ACCT_QUOTA_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "accountd.h"
#include "err.h"
#include "quotaline.h"
#include "vzquota.h"

struct event;

enum qmech { QM_NONE, QM_KERNEL, QM_USER };

struct ctquota {
	struct container *ct;		/* borrowed */
	enum qmech	 mech;
	char		 root[PATH_MAX];
	char		 fstype[16];
	uint32_t	 projid;
	uint64_t	 quotatime;
	uint64_t	 ugidlimit;
	struct quota_res blk, ino;
	uint64_t	 in_force_b, in_force_i;	/* hard limits in force */
	bool		 at_limit;		/* blocked (for failcnt edges) */
	char		 status[256];
	/* userspace path */
	pid_t		 scan_pid;
	int		 scan_fd;
	struct event	*scan_ev;
	struct ql_buf	 scan_lb;		/* the count's lines */
	uint64_t	 scan_seen;		/* entries so far, this scan */
	bool		 scanned;		/* one full scan done */
	double		 scan_started, scan_secs, next_scan;
	uint64_t	 apparent;
	bool		 blocked;
	bool		 marked;		/* the listener has its dirs */
	unsigned	 nwatch;		/* inotify watches on its dirs */
	bool		 tagging;		/* kernel: project id being set */
	unsigned	 new_watches;		/* added by the running count */
	bool		 first_count;		/* the running count is the first */
	bool		 changed_in_scan;	/* inotify saw a change meanwhile */
	double		 last_scan_end;
};

/* Every container with a quota record (quota.c owns the array). */
extern struct ctquota **qs;
extern size_t nqs;

/* A container's line of state_dir/quota.state (quota.c). */
struct qsaved {
	char		name[CT_NAME_MAX];
	uint32_t	projid;
	uint64_t	grace_b, grace_i, fail_b, fail_i;
	int		tagged;
};

/* ---- quota.c ---- */
struct ctquota *q_find(const struct container *);	/* or NULL */
double	q_mono(void);
uint64_t q_wall_ms(void);
struct qsaved *q_saved_find(const char *name);	/* borrowed, or NULL */
void	q_saved_note(const struct ctquota *);
/* n refusals (userspace) or a limit reached (kernel): failcnt, alert. */
void	q_bump(struct ctquota *, bool inodes, uint64_t n);
void	q_tick(struct ctquota *, uint64_t now_ms);

/* ---- quota-kernel.c ---- */
struct fsinfo {
	char	 type[16];
	bool	 prj, usr, grp;		/* quota accounting and limits on */
	dev_t	 dev;
};
int	qk_probe(const char *root, struct fsinfo *, struct aerr *);
/* Project id on the tree, limits set (q->blk, q->ino, grace stepped):
 * q is in force on return 0; nothing of q is to undo on an error. */
int	qk_on(struct ctquota *q, const struct ctquota *old, struct aerr *);
int	qk_limits(struct ctquota *, uint64_t bhard, uint64_t ihard);
int	qk_usage(struct ctquota *);
void	qk_tag_child(const char *root, uint32_t id, int fd)
	    __attribute__((noreturn));
/* acctctl quota -t: the uid/gid records into arr, the kernel's grace
 * times as "ugid_grace" into reply. */
void	qk_ugid_report(struct ctquota *, struct json_object *arr,
	    struct json_object *reply);

/* ---- quota-count.c ---- */
void	qc_init(void);
void	qc_close(void);
void	qc_start(struct ctquota *);	/* the count, or the tagging walk */
void	qc_end(struct ctquota *);
void	qc_unwatch(struct ctquota *);
/* Each directory of the tree the counts reported (and still watched). */
void	qc_dirs(const struct ctquota *, void (*)(const char *dir));

/* ---- quota-listen.c ---- */
void	ql_init(void);
void	ql_close(void);
/* Marks from the records' `blocked`; starts the listener when needed. */
void	ql_update(void);
void	ql_dir_added(struct ctquota *, const char *dir);	/* counted */
/* The refusals counted since the last look, into failcnt. */
void	ql_collect(void);

#endif
