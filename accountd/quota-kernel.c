/* SPDX-License-Identifier: ISC */
/*
 * The kernel path of the disk quota (docs/quota.md, "Kernel path"): what
 * the tree's filesystem offers (quotactl_fd Q_GETINFO), the project id on
 * the tree (FS_IOC_FSSETXATTR with the inherit flag; a populated tree is
 * walked by a child), the project's limits and usage (Q_SETQUOTA,
 * Q_GETQUOTA), and the second level (the filesystem's user and group
 * quota).  The grace is not the kernel's: quota.c lowers the hard limit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/fs.h>

#include "quota.h"
#include "quota-int.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd	443
#endif
#ifndef PRJQUOTA
#define PRJQUOTA	2
#endif
#define EXT4_MAGIC	0xEF53
#define XFS_MAGIC	0x58465342
#define PROJID_BASE	100000	/* ids for containers with non-numeric names */

/* QCMD() shifts a signed int past its range (Q_GETINFO is 0x800005):
 * the same bits, made unsigned. */
static int
qctl(int fd, int cmd, int type, unsigned id, void *addr)
{
	unsigned c = ((unsigned)cmd << SUBCMDSHIFT) |
	    ((unsigned)type & SUBCMDMASK);

	return (int)syscall(SYS_quotactl_fd, fd, (int)c, id, addr);
}

/* ---- what the tree's filesystem offers ------------------------------------ */

static bool
quota_on(int fd, int type)
{
	struct if_dqinfo di;

	return qctl(fd, Q_GETINFO, type, 0, &di) == 0;
}

int
qk_probe(const char *root, struct fsinfo *fi, struct aerr *err)
{
	struct statfs sf;
	struct stat st;
	int fd;

	memset(fi, 0, sizeof(*fi));
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return aerr_set(err, errno == ENOENT || errno == ENOTDIR ?
		    EINVAL : errno, "private directory %s: %s (accepted: an "
		    "existing directory, the container's tree)", root,
		    strerror(errno));
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return aerr_set(err, e, "%s: %s", root, strerror(e));
	}
	fi->dev = st.st_dev;
	switch ((unsigned long)sf.f_type) {
	case EXT4_MAGIC:	snprintf(fi->type, sizeof(fi->type), "ext4"); break;
	case XFS_MAGIC:		snprintf(fi->type, sizeof(fi->type), "xfs"); break;
	case 0x01021994:	snprintf(fi->type, sizeof(fi->type), "tmpfs"); break;
	case 0x9123683E:	snprintf(fi->type, sizeof(fi->type), "btrfs"); break;
	default:
		snprintf(fi->type, sizeof(fi->type), "0x%lx",
		    (unsigned long)sf.f_type);
	}
	fi->prj = quota_on(fd, PRJQUOTA);
	fi->usr = quota_on(fd, USRQUOTA);
	fi->grp = quota_on(fd, GRPQUOTA);
	close(fd);
	return 0;
}

/* ---- kernel path --------------------------------------------------------- */

static int set_projid_fd(int fd, bool dir, uint32_t id);

static uint32_t walk_id;
static int walk_err;
static char walk_path[PATH_MAX];
static uint64_t walk_n;
static int walk_fd = -1;	/* the child's progress pipe */

static int
walk_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	int fd, r;

	(void)f;
	if (flag != FTW_F && flag != FTW_D)
		return 0;		/* symlinks, sockets, devices: see docs */
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY)) < 0) {
		walk_err = errno;
		snprintf(walk_path, sizeof(walk_path), "%s", path);
		return 1;
	}
	r = set_projid_fd(fd, S_ISDIR(st->st_mode), walk_id);
	close(fd);
	if (++walk_n % 10000 == 0 && walk_fd >= 0)
		dprintf(walk_fd, "P %llu\n", (unsigned long long)walk_n);
	if (r < 0) {
		walk_err = -r;
		snprintf(walk_path, sizeof(walk_path), "%s", path);
		return 1;
	}
	return 0;
}

static int
set_projid_fd(int fd, bool dir, uint32_t id)
{
	struct fsxattr fa;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
		return -errno;
	if (fa.fsx_projid == id && (!dir || (fa.fsx_xflags &
	    FS_XFLAG_PROJINHERIT)))
		return 0;
	fa.fsx_projid = id;
	if (dir)
		fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0)
		return -errno;
	return 0;
}

/* The tree's project id as recorded on its root, or 0. */
static uint32_t
root_projid(const char *root)
{
	struct fsxattr fa;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint32_t id = 0;

	if (fd < 0)
		return 0;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) == 0 &&
	    (fa.fsx_xflags & FS_XFLAG_PROJINHERIT))
		id = fa.fsx_projid;
	close(fd);
	return id;
}

static bool
projid_taken(uint32_t id, const struct ctquota *self, int fd)
{
	struct if_dqblk dq;

	for (size_t i = 0; i < nqs; i++)
		if (qs[i] != self && qs[i]->mech == QM_KERNEL &&
		    qs[i]->projid == id)
			return true;
	memset(&dq, 0, sizeof(dq));
	if (qctl(fd, Q_GETQUOTA, PRJQUOTA, id, &dq) == 0 &&
	    (dq.dqb_curinodes > 0 || dq.dqb_bhardlimit || dq.dqb_ihardlimit ||
	    dq.dqb_bsoftlimit || dq.dqb_isoftlimit))
		return true;
	return false;
}

/*
 * The project id: the one already on the tree's root (set by an earlier
 * run: the id is kept with the tree itself), else the container's name
 * when it is a number (as vzquota's quota id is the CTID), else the first
 * free id from PROJID_BASE.
 */
static int
pick_projid(struct ctquota *q, int fd, struct aerr *err)
{
	char *end;
	unsigned long n;
	uint32_t id;

	const struct qsaved *s = q_saved_find(q->ct->name);

	if ((id = root_projid(q->root)) != 0) {
		q->projid = id;
		return 0;
	}
	if (s != NULL && s->projid != 0) {
		bool other = false;

		for (size_t i = 0; i < nqs; i++)
			if (qs[i] != q && qs[i]->mech == QM_KERNEL &&
			    qs[i]->projid == s->projid)
				other = true;
		if (!other) {
			q->projid = s->projid;
			return 0;
		}
	}
	errno = 0;
	n = strtoul(q->ct->name, &end, 10);
	if (errno == 0 && *end == '\0' && n > 0 && n < PROJID_BASE &&
	    !projid_taken((uint32_t)n, q, fd)) {
		q->projid = (uint32_t)n;
		return 0;
	}
	for (id = PROJID_BASE; id < PROJID_BASE + 1000000; id++)
		if (!projid_taken(id, q, fd)) {
			q->projid = id;
			return 0;
		}
	return aerr_set(err, ENOSPC, "%s: no free project id", q->ct->name);
}

static uint64_t
lim_k(uint64_t v)
{
	return v == VAL_UNLIMITED ? 0 : v;	/* the kernel's 0 is none */
}

/*
 * Limits in force: the kernel soft limits stay 0 (none) because the
 * kernel's grace is per filesystem; accountd keeps each container's
 * grace and lowers the hard limit to the soft one when it runs out.
 */
int
qk_limits(struct ctquota *q, uint64_t bhard, uint64_t ihard)
{
	struct if_dqblk dq;
	int fd, r = 0;

	if ((fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	memset(&dq, 0, sizeof(dq));
	dq.dqb_bhardlimit = bhard == VAL_UNLIMITED ? 0 : bhard / 1024;
	if (bhard != VAL_UNLIMITED && dq.dqb_bhardlimit == 0)
		dq.dqb_bhardlimit = 1;		/* 0 would mean none */
	dq.dqb_ihardlimit = lim_k(ihard);
	if (ihard == 0)
		dq.dqb_ihardlimit = 1;
	dq.dqb_valid = QIF_LIMITS;
	if (qctl(fd, Q_SETQUOTA, PRJQUOTA, q->projid, &dq) < 0)
		r = -errno;
	close(fd);
	if (r == 0) {
		q->in_force_b = bhard;
		q->in_force_i = ihard;
	}
	return r;
}

int
qk_usage(struct ctquota *q)
{
	struct if_dqblk dq;
	int fd, r = 0;

	if ((fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	memset(&dq, 0, sizeof(dq));
	if (qctl(fd, Q_GETQUOTA, PRJQUOTA, q->projid, &dq) < 0)
		r = -errno;
	close(fd);
	if (r == 0) {
		q->blk.usage = dq.dqb_curspace;
		q->ino.usage = dq.dqb_curinodes;
	}
	return r;
}

/*
 * The tagging child (kernel path): the project id and the inherit flag on
 * every directory and regular file of the tree, "P n" progress, then
 * "T n" or "E path: error".
 */
void
qk_tag_child(const char *root, uint32_t id, int fd)
{
	walk_fd = fd;
	walk_id = id;
	walk_err = 0;
	walk_n = 0;
	if (nftw(root, walk_one, 64, FTW_PHYS | FTW_MOUNT) != 0 || walk_err) {
		int e = walk_err ? walk_err : errno;

		dprintf(fd, "E %s: %s\n", walk_path[0] ? walk_path : root,
		    strerror(e));
		_exit(1);
	}
	dprintf(fd, "T %llu\n", (unsigned long long)walk_n);
	_exit(0);
}
/* ---- second level -------------------------------------------------------- */

int
quota_set_ugid(struct container *ct, bool group, unsigned id, uint64_t bsoft,
    uint64_t bhard, uint64_t isoft, uint64_t ihard, struct aerr *err)
{
	struct ctquota *q = q_find(ct);
	struct if_dqblk dq;
	int fd, r = 0;

	if (q == NULL || q->mech == QM_NONE)
		return aerr_set(err, ENODATA, "%s has no disk quota (set "
		    "--diskspace and --private first)", ct->name);
	if (q->ugidlimit == 0)
		return aerr_set(err, EINVAL, "%s: the second level is off "
		    "(quotaugidlimit 0): set --quotaugidlimit N", ct->name);
	if (q->mech != QM_KERNEL)
		return aerr_set(err, EOPNOTSUPP, "%s: the userspace quota has no "
		    "second level", ct->name);
	if (bsoft > bhard || isoft > ihard)
		return aerr_set(err, EINVAL, "soft limit above hard limit "
		    "(accepted: SOFT:HARD with SOFT <= HARD)");
	if ((fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return aerr_set(err, errno, "%s: %s", q->root, strerror(errno));
	memset(&dq, 0, sizeof(dq));
	dq.dqb_bsoftlimit = lim_k(bsoft);
	dq.dqb_bhardlimit = lim_k(bhard);
	dq.dqb_isoftlimit = lim_k(isoft);
	dq.dqb_ihardlimit = lim_k(ihard);
	dq.dqb_valid = QIF_LIMITS;
	if (qctl(fd, Q_SETQUOTA, group ? GRPQUOTA : USRQUOTA, id, &dq) < 0)
		r = aerr_set(err, errno, "%s: cannot set the %s quota of %u: %s",
		    ct->name, group ? "group" : "user", id, strerror(errno));
	close(fd);
	return r;
}

static void
ugid_table(struct ctquota *q, struct json_object *arr)
{
	int fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return;
	for (int type = USRQUOTA; type <= GRPQUOTA; type++) {
		struct if_nextdqblk nd;
		unsigned id = 0;

		for (;;) {
			struct json_object *o;

			memset(&nd, 0, sizeof(nd));
			if (qctl(fd, Q_GETNEXTQUOTA, type, id, &nd) < 0)
				break;
			o = json_object_new_object();
			json_object_object_add(o, "type", json_object_new_string(
			    type == USRQUOTA ? "user" : "group"));
			json_object_object_add(o, "id",
			    json_object_new_int64(nd.dqb_id));
			json_object_object_add(o, "blocks_used",
			    json_object_new_uint64(nd.dqb_curspace));
			json_object_object_add(o, "blocks_soft",
			    json_object_new_uint64(nd.dqb_bsoftlimit * 1024));
			json_object_object_add(o, "blocks_hard",
			    json_object_new_uint64(nd.dqb_bhardlimit * 1024));
			json_object_object_add(o, "inodes_used",
			    json_object_new_uint64(nd.dqb_curinodes));
			json_object_object_add(o, "inodes_soft",
			    json_object_new_uint64(nd.dqb_isoftlimit));
			json_object_object_add(o, "inodes_hard",
			    json_object_new_uint64(nd.dqb_ihardlimit));
			json_object_object_add(o, "btime",
			    json_object_new_uint64(nd.dqb_btime));
			json_object_object_add(o, "itime",
			    json_object_new_uint64(nd.dqb_itime));
			json_object_array_add(arr, o);
			if (++n >= 4096 || nd.dqb_id == UINT32_MAX)
				break;
			id = nd.dqb_id + 1;
		}
	}
	close(fd);
}

/* acctctl quota -t: the kernel's records, and its grace (one per
 * filesystem and type). */
void
qk_ugid_report(struct ctquota *q, struct json_object *arr,
    struct json_object *reply)
{
	struct json_object *g = json_object_new_object();
	int fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ugid_table(q, arr);
	for (int t = USRQUOTA; fd >= 0 && t <= GRPQUOTA; t++) {
		struct if_dqinfo di;
		struct json_object *x;

		memset(&di, 0, sizeof(di));
		if (qctl(fd, Q_GETINFO, t, 0, &di) < 0)
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "block_grace",
		    json_object_new_uint64(di.dqi_bgrace));
		json_object_object_add(x, "inode_grace",
		    json_object_new_uint64(di.dqi_igrace));
		json_object_object_add(g, t == USRQUOTA ? "user" : "group", x);
	}
	if (fd >= 0)
		close(fd);
	json_object_object_add(reply, "ugid_grace", g);
}

/* ---- turning it on ------------------------------------------------------- */

int
qk_on(struct ctquota *q, const struct ctquota *old, struct aerr *err)
{
	const struct qsaved *s = q_saved_find(q->ct->name);
	uint64_t fb, fin;
	bool was;
	int fd, r;

	if ((fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return aerr_set(err, errno, "%s: %s", q->root, strerror(errno));
	if (q->projid == 0 && (r = pick_projid(q, fd, err)) < 0) {
		close(fd);
		return r;
	}
	/*
	 * The root now (what is made at its top inherits the id at once);
	 * the rest of a populated tree by a child, in the background: the
	 * usage grows as it goes.  Once tagged, a tree stays so (new files
	 * inherit; ext4 and XFS refuse a rename across projects), so a
	 * change of limits only sets them.
	 */
	was = root_projid(q->root) == q->projid;
	r = set_projid_fd(fd, true, q->projid);
	close(fd);
	if (r < 0)
		return aerr_set(err, -r, "%s: cannot give %s project id %u: %s",
		    q->ct->name, q->root, q->projid, strerror(-r));
	if (old != NULL && old->mech == QM_KERNEL)
		q->tagging = old->projid != q->projid || old->tagging;
	else
		q->tagging = !(was && s != NULL && s->projid == q->projid &&
		    s->tagged);
	(void)qk_usage(q);
	fb = quota_grace_step(&q->blk, q_wall_ms(), q->quotatime);
	fin = quota_grace_step(&q->ino, q_wall_ms(), q->quotatime);
	if ((r = qk_limits(q, fb, fin)) < 0)
		return aerr_set(err, -r, "%s: cannot set the project quota of %s "
		    "(project %u): %s", q->ct->name, q->root, q->projid,
		    strerror(-r));
	return 0;
}
