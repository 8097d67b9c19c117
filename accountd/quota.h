/* SPDX-License-Identifier: ISC */
/*
 * Two-level disk quota of a container's directory tree (docs/quota.md).
 *
 * Kernel path, where the tree's filesystem has project quota turned on
 * (ext4 with the project feature and prjquota, XFS with prjquota): the
 * tree gets a project id with the inherit flag, and the limits are set
 * with quotactl(PRJQUOTA).  Userspace path otherwise (quota_fallback =
 * userspace): a child process counts the tree every quota_rescan
 * seconds and, while the container is at its limit, a fanotify
 * permission listener refuses opens for writing in the tree.
 *
 * The grace (quotatime) is kept by accountd for both paths, per
 * container (policies/vzquota.h): the kernel's own grace is per
 * filesystem.
 */
#ifndef ACCT_QUOTA_D_H
#define ACCT_QUOTA_D_H

#include <stdbool.h>

#include <json-c/json.h>

#include "err.h"
#include "params.h"
#include "sbuf.h"

struct container;
struct snap_rec;

int	quota_init(void);		/* after ct_load_all */
/* accountd --quota-listener: the fanotify listener (quota-listen.c). */
int	quota_listener_main(int argc, char **argv);
/* accountd --quota-count: a tree's count or tagging walk (quota-count.c). */
int	quota_count_main(int argc, char **argv);
void	quota_close(void);
/*
 * Put the quota parameters of `eff` into effect for ct: check first
 * (nothing changes on an error), then set.  Called by ct_set when a disk
 * parameter or the private path changes.  `warn` gets odd-but-accepted.
 * Without `strict` (the path was not given in this request) a missing
 * tree is a warning and the quota is recorded as not in force.
 */
int	quota_set(struct container *, const struct ct_params *eff,
	    bool strict, struct sbuf *warn, struct aerr *);
/* The private path (VE_PRIVATE) refused where a quota cannot be: the
 * root of a filesystem.  0 when unset or acceptable. */
int	quota_check_private(const char *name, const struct ct_params *,
	    struct aerr *);
/* Why the container's quota parameters are not in force (no tree), or
 * NULL.  Borrowed. */
const char *quota_unenforced(const struct container *);
bool	quota_changes(const struct ct_params *chg);
void	quota_forget(struct container *);	/* ct deleted */
/* acctctl quota: the figures, limits, grace, and with `table` the user
 * and group table. */
int	quota_report(struct container *, bool table, struct json_object *,
	    struct aerr *);
/* second level: limits of one uid or gid (1 KiB blocks, inodes). */
int	quota_set_ugid(struct container *, bool group, unsigned id,
	    uint64_t bsoft, uint64_t bhard, uint64_t isoft, uint64_t ihard,
	    struct aerr *);
/* The quota's figures as the snapshot carries them (also what ubc's
 * quota rows are rendered from: ctl_ubc_json()). */
void	quota_fill(const struct container *, struct snap_rec *);

#endif
