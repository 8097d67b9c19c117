/* SPDX-License-Identifier: ISC */
/*
 * Disk quota of containers' trees: see quota.h and docs/quota.md.
 *
 *   quota_set ──► check (mechanism of the tree's filesystem) ──► kernel:
 *                 project id on the tree, quotactl(Q_SETQUOTA, PRJQUOTA)
 *             └─► userspace: scan child + fanotify when at the limit
 *   tick (1 s) ─► usage ─► grace step (policies/vzquota.c) ─► the hard
 *                 limit in force (kernel: Q_SETQUOTA when it changes;
 *                 userspace: refuse opens for writing) ─► failcnt, alert
 *
 * The daemon must never open files in a tree it is refusing opens in
 * (its own opens would wait for itself): the scans run in a child, and
 * the listener only reads /proc.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#include <event2/event.h>

#include "accountd.h"
#include "alert.h"
#include "log.h"
#include "quota.h"
#include "snapshot.h"
#include "xalloc.h"
#include "vzquota.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd	443
#endif
#ifndef PRJQUOTA
#define PRJQUOTA	2
#endif
#define EXT4_MAGIC	0xEF53
#define XFS_MAGIC	0x58465342
#define PROJID_BASE	100000	/* ids for containers with non-numeric names */

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
	char		 scan_buf[PATH_MAX + 64];
	size_t		 scan_len;
	uint64_t	 scan_seen;		/* entries so far, this scan */
	bool		 scanned;		/* one full scan done */
	double		 scan_started, scan_secs, next_scan;
	uint64_t	 apparent;
	bool		 blocked;
	uint64_t	 mnt_id;		/* fs_key: one fanotify mark */
	bool		 marked;
	unsigned	 nwatch;		/* inotify watches on its dirs */
	bool		 tagging;		/* kernel: project id being set */
	unsigned	 new_watches;		/* added by the running count */
	bool		 first_count;		/* the running count is the first */
	bool		 changed_in_scan;	/* inotify saw a change meanwhile */
	double		 last_scan_end;
};

static struct ctquota **qs;
static size_t nqs;

/*
 * What must outlive accountd, in state_dir/quota.state, one line per
 * container: "NAME PROJID GRACE_END_BLOCKS GRACE_END_INODES FAILCNT_BLOCKS
 * FAILCNT_INODES TAGGED" (ms of wall clock, 0: none; TAGGED 1 once the
 * whole tree has the project id).  The project id is also on
 * the tree's root; the file keeps it for a tree that lost it and keeps
 * the grace running across a restart.
 */
struct qsaved {
	char		name[CT_NAME_MAX];
	uint32_t	projid;
	uint64_t	grace_b, grace_i, fail_b, fail_i;
	int		tagged;
};
static struct qsaved *saved;
static size_t nsaved;
static bool saved_dirty;

static struct qsaved *
saved_find(const char *name)
{
	for (size_t i = 0; i < nsaved; i++)
		if (strcmp(saved[i].name, name) == 0)
			return &saved[i];
	return NULL;
}

static void
saved_load(void)
{
	_cleanup_free_ char *path = xasprintf("%s/quota.state",
	    ad->cfg.state_dir);
	FILE *f = fopen(path, "re");
	char line[512];

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct qsaved s;
		unsigned long long a, b, c, d;
		unsigned id;
		int tagged = 0;
		char name[CT_NAME_MAX];

		memset(&s, 0, sizeof(s));
		if (sscanf(line, "%63s %u %llu %llu %llu %llu %d", name, &id, &a,
		    &b, &c, &d, &tagged) < 6)
			continue;
		s.tagged = tagged == 1;
		snprintf(s.name, sizeof(s.name), "%s", name);
		s.projid = id, s.grace_b = a, s.grace_i = b;
		s.fail_b = c, s.fail_i = d;
		saved = xreallocarray(saved, nsaved + 1, sizeof(*saved));
		saved[nsaved++] = s;
	}
	fclose(f);
}

static void
saved_write(void)
{
	_cleanup_free_ char *path = xasprintf("%s/quota.state",
	    ad->cfg.state_dir);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	FILE *f;

	if (!saved_dirty)
		return;
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	for (size_t i = 0; i < nsaved; i++)
		fprintf(f, "%s %u %llu %llu %llu %llu %d\n", saved[i].name,
		    saved[i].projid, (unsigned long long)saved[i].grace_b,
		    (unsigned long long)saved[i].grace_i,
		    (unsigned long long)saved[i].fail_b,
		    (unsigned long long)saved[i].fail_i, saved[i].tagged);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		log_warn("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return;
	}
	saved_dirty = false;
}

/* Record what q has that must survive; written at the next tick. */
static void
saved_note(const struct ctquota *q)
{
	struct qsaved *s = saved_find(q->ct->name);

	if (s == NULL) {
		saved = xreallocarray(saved, nsaved + 1, sizeof(*saved));
		s = &saved[nsaved++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", q->ct->name);
	}
	if (s->projid == q->projid && s->grace_b == q->blk.grace_end_ms &&
	    s->grace_i == q->ino.grace_end_ms && s->fail_b == q->blk.failcnt &&
	    s->fail_i == q->ino.failcnt && s->tagged == (q->mech == QM_KERNEL &&
	    !q->tagging))
		return;
	s->tagged = q->mech == QM_KERNEL && !q->tagging;
	s->projid = q->projid;
	s->grace_b = q->blk.grace_end_ms;
	s->grace_i = q->ino.grace_end_ms;
	s->fail_b = q->blk.failcnt;
	s->fail_i = q->ino.failcnt;
	saved_dirty = true;
}

static void
saved_drop(const char *name)
{
	struct qsaved *s = saved_find(name);

	if (s == NULL)
		return;
	*s = saved[--nsaved];
	saved_dirty = true;
}
static struct event *tick_ev;
/*
 * Changes between counts: an inotify watch on every directory of a
 * userspace tree (the count reports them) brings the next count forward
 * to within about a second of a change, at most one count a second.
 */
static int ino_fd = -1;
static struct event *ino_ev;
struct qwatch {
	int		 wd;
	struct ctquota	*q;
};
static struct qwatch *watches;
static size_t nwatches;
#define WATCH_MAX	65536	/* per tree; beyond: the periodic count only */
#define WATCH_MASK	(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | \
			 IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB)
static int fan_fd = -1;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct ctquota *
find_q(const struct container *ct)
{
	for (size_t i = 0; i < nqs; i++)
		if (qs[i]->ct == ct)
			return qs[i];
	return NULL;
}

/* QCMD() shifts a signed int past its range (Q_GETINFO is 0x800005):
 * the same bits, made unsigned. */
static int
qctl(int fd, int cmd, int type, unsigned id, void *addr)
{
	unsigned c = ((unsigned)cmd << SUBCMDSHIFT) |
	    ((unsigned)type & SUBCMDMASK);

	return (int)syscall(SYS_quotactl_fd, fd, (int)c, id, addr);
}

/* ---- where the tree is, and what its filesystem offers ---------------- */

/* VE_PRIVATE with $VEID / ${VEID} replaced by the container's name. */
static int
expand_root(const struct container *ct, const struct ct_params *p,
    char *out, size_t len, struct aerr *err)
{
	const char *s = p->private_dir;
	size_t o = 0;

	while (*s != '\0' && o + 1 < len) {
		size_t skip = 0;

		if (strncmp(s, "${VEID}", 7) == 0)
			skip = 7;
		else if (strncmp(s, "$VEID", 5) == 0)
			skip = 5;
		if (skip) {
			int n = snprintf(out + o, len - o, "%s", ct->name);

			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
			s += skip;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	if (*s != '\0')
		return aerr_set(err, ENAMETOOLONG, "%s: private path too long",
		    ct->name);
	return 0;
}

struct fsinfo {
	char	 type[16];
	bool	 prj, usr, grp;		/* quota accounting and limits on */
	dev_t	 dev;
};

static bool
quota_on(int fd, int type)
{
	struct if_dqinfo di;

	return qctl(fd, Q_GETINFO, type, 0, &di) == 0;
}

static int
probe(const char *root, struct fsinfo *fi, struct aerr *err)
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

	const struct qsaved *s = saved_find(q->ct->name);

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
static int
kernel_limits(struct ctquota *q, uint64_t bhard, uint64_t ihard)
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

static int
kernel_usage(struct ctquota *q)
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

/* ---- userspace path: the count ------------------------------------------- */

/*
 * The scan child: counts every entry (as `find | wc -l`, the root
 * included) and the blocks they hold (st_blocks, hard links once, as
 * `du`), on this filesystem only, and writes "P n" progress lines and a
 * final "D blocks_bytes inodes apparent_bytes" line.
 */
struct seen {
	dev_t	dev;
	ino_t	ino;
};
static struct seen *seen_tab;
static size_t seen_cap, seen_n;
static uint64_t sc_blocks, sc_inodes, sc_apparent;
static int sc_fd;

static bool
seen_add(dev_t dev, ino_t ino)
{
	size_t h;

	if (seen_n * 2 >= seen_cap) {
		struct seen *old = seen_tab;
		size_t oc = seen_cap;

		seen_cap = seen_cap ? seen_cap * 2 : 4096;
		seen_tab = xcalloc(seen_cap, sizeof(*seen_tab));
		seen_n = 0;
		for (size_t i = 0; i < oc; i++)
			if (old[i].ino != 0)
				(void)seen_add(old[i].dev, old[i].ino);
		free(old);
	}
	h = ((size_t)ino * 2654435761u ^ (size_t)dev) & (seen_cap - 1);
	while (seen_tab[h].ino != 0) {
		if (seen_tab[h].ino == ino && seen_tab[h].dev == dev)
			return false;
		h = (h + 1) & (seen_cap - 1);
	}
	seen_tab[h].dev = dev;
	seen_tab[h].ino = ino;
	seen_n++;
	return true;
}

static int
scan_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)path;
	(void)f;
	if (flag == FTW_NS)
		return 0;
	if (st->st_nlink > 1 && !S_ISDIR(st->st_mode) &&
	    !seen_add(st->st_dev, st->st_ino))
		return 0;
	if (flag == FTW_D && strchr(path, '\n') == NULL)
		dprintf(sc_fd, "W %s\n", path);	/* for the parent's watch */
	sc_inodes++;
	sc_blocks += (uint64_t)st->st_blocks * 512;
	sc_apparent += (uint64_t)st->st_size;
	if (sc_inodes % 10000 == 0)
		dprintf(sc_fd, "P %llu\n", (unsigned long long)sc_inodes);
	return 0;
}

static void
scan_child(const char *root, int fd)
{
	sc_fd = fd;
	if (nftw(root, scan_one, 64, FTW_PHYS | FTW_MOUNT) < 0) {
		dprintf(fd, "E %s\n", strerror(errno));
		_exit(1);
	}
	dprintf(fd, "D %llu %llu %llu\n", (unsigned long long)sc_blocks,
	    (unsigned long long)sc_inodes, (unsigned long long)sc_apparent);
	_exit(0);
}

/*
 * The tagging child (kernel path): the project id and the inherit flag on
 * every directory and regular file of the tree, "P n" progress, then
 * "T n" or "E path: error".
 */
static void
tag_child(const char *root, uint32_t id, int fd)
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

static void tick_one(struct ctquota *q, uint64_t now);

/* Adds a watch; counts it in q->new_watches when the directory is new. */
static void
watch_dir(struct ctquota *q, const char *path)
{
	int wd;

	if (ino_fd < 0 || q->nwatch >= WATCH_MAX)
		return;
	if ((wd = inotify_add_watch(ino_fd, path, WATCH_MASK | IN_ONLYDIR |
	    IN_DONT_FOLLOW)) < 0)
		return;
	for (size_t i = 0; i < nwatches; i++)
		if (watches[i].wd == wd)
			return;		/* already watched */
	watches = xreallocarray(watches, nwatches + 1, sizeof(*watches));
	watches[nwatches].wd = wd;
	watches[nwatches].q = q;
	nwatches++;
	q->nwatch++;
	q->new_watches++;
}

static void
unwatch(struct ctquota *q)
{
	for (size_t i = 0; i < nwatches;) {
		if (watches[i].q == q) {
			(void)inotify_rm_watch(ino_fd, watches[i].wd);
			watches[i] = watches[--nwatches];
		} else {
			i++;
		}
	}
	q->nwatch = 0;
}

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	char buf[8192] __attribute__((aligned(8)));
	ssize_t n;

	(void)what;
	(void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			for (size_t i = 0; i < nwatches; i++) {
				struct ctquota *q = watches[i].q;

				if (watches[i].wd != e->wd)
					continue;
				if (e->mask & IN_IGNORED) {
					q->nwatch--;
					watches[i] = watches[--nwatches];
					break;
				}
				/* count again soon, at most once a second */
				if (q->next_scan > q->last_scan_end + 1.0)
					q->next_scan = q->last_scan_end + 1.0;
				if (q->scan_pid > 0)
					q->changed_in_scan = true;
				break;
			}
			p += sizeof(*e) + e->len;
		}
	}
}

static void
scan_line(struct ctquota *q, const char *l)
{
	unsigned long long a, b, c;

	if (l[0] == 'W' && l[1] == ' ') {
		watch_dir(q, l + 2);
	} else if (sscanf(l, "T %llu", &a) == 1) {
		log_info("%s: quota: project id %u set on %llu entries of %s in "
		    "%.2f s", q->ct->name, q->projid, a, q->root,
		    mono() - q->scan_started);
	} else if (l[0] == 'E' && q->mech == QM_KERNEL) {
		snprintf(q->status, sizeof(q->status), "cannot give project id "
		    "%u to %s", q->projid, l + 2);
		log_warn("%s: %s", q->ct->name, q->status);
	} else if (sscanf(l, "P %llu", &a) == 1) {
		q->scan_seen = a;
	} else if (sscanf(l, "D %llu %llu %llu", &a, &b, &c) == 3) {
		q->blk.usage = a;
		q->ino.usage = b;
		q->apparent = c;
		q->scan_secs = mono() - q->scan_started;
		if (!q->scanned)
			log_info("%s: quota: first count of %s: %llu files, "
			    "%llu KiB, %.2f s", q->ct->name, q->root, b,
			    a / 1024, q->scan_secs);
		q->scanned = true;
		q->status[0] = '\0';
	} else if (l[0] == 'E') {
		snprintf(q->status, sizeof(q->status), "count of %s failed: %s",
		    q->root, l + 2);
	}
}

static void
scan_end(struct ctquota *q)
{
	if (q->scan_ev != NULL)
		event_free(q->scan_ev);
	q->scan_ev = NULL;
	if (q->scan_fd >= 0)
		close(q->scan_fd);
	q->scan_fd = -1;
	if (q->scan_pid > 0) {
		kill(q->scan_pid, SIGKILL);
		(void)waitpid(q->scan_pid, NULL, WNOHANG);
	}
	q->scan_pid = 0;
}

static void
on_scan(evutil_socket_t fd, short what, void *arg)
{
	struct ctquota *q = arg;
	ssize_t n;

	(void)what;
	n = read(fd, q->scan_buf + q->scan_len,
	    sizeof(q->scan_buf) - q->scan_len - 1);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		(void)waitpid(q->scan_pid, NULL, WNOHANG);
		q->scan_pid = 0;	/* exited: nothing to kill */
		scan_end(q);
		if (q->mech == QM_KERNEL) {
			q->tagging = false;
			tick_one(q, wall_ms());
			return;
		}
		q->last_scan_end = mono();
		q->next_scan = q->last_scan_end + ad->cfg.quota_rescan;
		/*
		 * A directory made since the last count was not watched while
		 * files went into it, and a change during the count may have
		 * been missed by it: count again in a second.
		 */
		if (q->changed_in_scan || (q->new_watches > 0 && q->scanned &&
		    !q->first_count))
			q->next_scan = q->last_scan_end + 1.0;
		tick_one(q, wall_ms());
		return;
	}
	q->scan_len += (size_t)n;
	q->scan_buf[q->scan_len] = '\0';
	for (;;) {
		char *nl = strchr(q->scan_buf, '\n');

		if (nl == NULL)
			break;
		*nl = '\0';
		scan_line(q, q->scan_buf);
		q->scan_len -= (size_t)(nl + 1 - q->scan_buf);
		memmove(q->scan_buf, nl + 1, q->scan_len + 1);
	}
	if (q->scan_len >= sizeof(q->scan_buf) - 1)
		q->scan_len = 0;	/* a line that long is not ours */
}

static void
scan_start(struct ctquota *q)
{
	int p[2];
	pid_t pid;

	if (q->scan_pid > 0 || pipe2(p, O_CLOEXEC) < 0)
		return;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		if (fan_fd >= 0)
			close(fan_fd);
		if (ino_fd >= 0)
			close(ino_fd);
		if (q->mech == QM_KERNEL)
			tag_child(q->root, q->projid, p[1]);
		scan_child(q->root, p[1]);
	}
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	q->scan_pid = pid;
	q->scan_fd = p[0];
	q->scan_len = 0;
	q->scan_seen = 0;
	q->new_watches = 0;
	q->changed_in_scan = false;
	q->first_count = !q->scanned;
	q->scan_started = mono();
	q->scan_ev = event_new(ad->base, p[0], EV_READ | EV_PERSIST, on_scan, q);
	event_add(q->scan_ev, NULL);
}

/* ---- userspace path: refusing opens for writing -------------------------- */

/* The filesystem (one fanotify mark covers all of it). */
static uint64_t
fs_key(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_dev;
}

/*
 * One mark per filesystem while any container on it is blocked
 * (FAN_MARK_FILESYSTEM: opens through every mount of it, bind mounts in
 * containers' namespaces included, come to accountd).
 */
static void fan_table(void);
static void fan_collect(void);

static void
marks_update(void)
{
	bool changed = false;

	for (size_t i = 0; i < nqs; i++) {
		struct ctquota *q = qs[i];
		bool want = q->mech == QM_USER && q->blocked, other = false;

		if (want == q->marked || fan_fd < 0)
			continue;
		for (size_t k = 0; k < nqs; k++)
			if (k != i && qs[k]->marked && qs[k]->mnt_id == q->mnt_id)
				other = true;
		if (want && !other && fanotify_mark(fan_fd, FAN_MARK_ADD |
		    FAN_MARK_FILESYSTEM, FAN_OPEN_PERM, AT_FDCWD,
		    q->root) < 0) {
			snprintf(q->status, sizeof(q->status), "cannot refuse "
			    "writes (fanotify): %s", strerror(errno));
			continue;
		}
		if (!want && !other)
			(void)fanotify_mark(fan_fd, FAN_MARK_REMOVE |
			    FAN_MARK_FILESYSTEM, FAN_OPEN_PERM, AT_FDCWD,
			    q->root);
		q->marked = want;
		changed = true;
	}
	if (changed) {
		/* refusals of trees about to leave the table are counted
		 * first (a raised limit, a removed container) */
		fan_collect();
		fan_table();
	}
}

/*
 * Whether the process is opening for writing: it is blocked in the
 * open, so /proc/PID/syscall shows the call and its arguments.  What is
 * not an open(2) family call (exec, io_uring ...) is let through.
 */
static bool
opening_to_write(pid_t pid)
{
	char path[64], buf[512];
	unsigned long long a[7] = { 0 };
	long nr;
	int fd, n;
	unsigned long long flags;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	/*
	 * The opener may not have gone to sleep yet when its event is read
	 * (the file then says "running"): look again for up to 20 ms.
	 */
	for (int tries = 0;; tries++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return false;
		n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
		close(fd);
		if (n <= 0)
			return false;
		buf[n] = '\0';
		if (sscanf(buf, "%ld %llx %llx %llx %llx", &nr, &a[0], &a[1],
		    &a[2], &a[3]) >= 2)
			break;
		if (tries >= 200)
			return false;
		usleep(100);
	}
	switch (nr) {
	case 2:		flags = a[1]; break;	/* open */
	case 85:	return true;		/* creat */
	case 257:	flags = a[2]; break;	/* openat */
	case 303:	flags = a[2]; break;	/* open_by_handle_at */
	case 437:	return true;		/* openat2: flags not at hand */
	default:	return false;
	}
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/*
 * The listener is a thread of its own, so that accountd's own opens
 * (state, configuration, logs) on a marked filesystem are answered while
 * the event loop waits in them: a single-threaded listener would wait for
 * itself.  It shares with the loop only this table, under `fan_mu`: the
 * trees being refused (rebuilt by marks_update) and the refusals it
 * counted (taken by the tick, which raises failcnt and the alerts).
 */
struct fblock {
	char		 root[PATH_MAX];
	struct ctquota	*q;		/* only compared, never used there */
	uint64_t	 refused;
};
static pthread_mutex_t fan_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fblock *fblocks;
static size_t nfblocks;
static pthread_t fan_thread;
static bool fan_running;
static int fan_stop[2] = { -1, -1 };

static struct fblock *
blocked_owner(const char *path)		/* fan_mu held */
{
	for (size_t i = 0; i < nfblocks; i++) {
		size_t n = strlen(fblocks[i].root);

		if (strncmp(path, fblocks[i].root, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' ||
		    (n > 0 && fblocks[i].root[n - 1] == '/')))
			return &fblocks[i];
	}
	return NULL;
}

static void
fan_answer(int fd, const struct fanotify_event_metadata *m)
{
	struct fanotify_response resp = { .fd = m->fd, .response = FAN_ALLOW };
	char lp[64], path[PATH_MAX];
	ssize_t l;

	snprintf(lp, sizeof(lp), "/proc/self/fd/%d", m->fd);
	l = readlink(lp, path, sizeof(path) - 1);
	if (l > 0 && m->pid != getpid()) {
		struct fblock *b;

		path[l] = '\0';
		pthread_mutex_lock(&fan_mu);
		if ((b = blocked_owner(path)) != NULL &&
		    opening_to_write(m->pid)) {
			resp.response = FAN_DENY;
			b->refused++;
		}
		pthread_mutex_unlock(&fan_mu);
	}
	(void)write(fd, &resp, sizeof(resp));
	close(m->fd);
}

static void *
fan_main(void *arg)
{
	char buf[4096] __attribute__((aligned(8)));

	(void)arg;
	for (;;) {
		struct pollfd pf[2] = { { fan_fd, POLLIN, 0 },
		    { fan_stop[0], POLLIN, 0 } };
		ssize_t n;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		while ((n = read(fan_fd, buf, sizeof(buf))) > 0) {
			struct fanotify_event_metadata *m = (void *)buf;

			for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n))
				if (m->fd >= 0)
					fan_answer(fan_fd, m);
		}
	}
	return NULL;
}

/* The loop's side: the table from the containers' state, and the
 * refusals counted since the last look. */
static void
fan_table(void)
{
	size_t n = 0;

	pthread_mutex_lock(&fan_mu);
	for (size_t i = 0; i < nqs; i++)
		if (qs[i]->mech == QM_USER && qs[i]->blocked && qs[i]->marked)
			n++;
	/* keep the counts of trees that stay */
	{
		struct fblock *nb = xcalloc(n ? n : 1, sizeof(*nb));
		size_t k = 0;

		for (size_t i = 0; i < nqs; i++) {
			struct ctquota *q = qs[i];

			if (q->mech != QM_USER || !q->blocked || !q->marked)
				continue;
			snprintf(nb[k].root, sizeof(nb[k].root), "%s", q->root);
			nb[k].q = q;
			for (size_t j = 0; j < nfblocks; j++)
				if (fblocks[j].q == q)
					nb[k].refused = fblocks[j].refused;
			k++;
		}
		free(fblocks);
		fblocks = nb;
		nfblocks = n;
	}
	pthread_mutex_unlock(&fan_mu);
}

static void bump(struct ctquota *q, bool inodes, uint64_t n);
static void saved_note(const struct ctquota *q);

static void
fan_collect(void)
{
	struct { struct ctquota *q; uint64_t n; } got[64];
	size_t ng = 0;

	pthread_mutex_lock(&fan_mu);
	for (size_t i = 0; i < nfblocks && ng < nitems(got); i++)
		if (fblocks[i].refused > 0) {
			got[ng].q = fblocks[i].q;
			got[ng++].n = fblocks[i].refused;
			fblocks[i].refused = 0;
		}
	pthread_mutex_unlock(&fan_mu);
	for (size_t i = 0; i < ng; i++) {
		struct ctquota *q = got[i].q;

		bump(q, q->in_force_i != VAL_UNLIMITED &&
		    q->ino.usage >= q->in_force_i, got[i].n);
	}
}

/* ---- the tick: usage, grace, limits in force ----------------------------- */

/* A write refused (userspace) or the limit reached (kernel): failcnt
 * of the resource that is at its limit, and an alert. */
static void
bump(struct ctquota *q, bool inodes, uint64_t n)	/* n refusals: one alert */
{
	struct quota_res *r = inodes ? &q->ino : &q->blk;

	r->failcnt += n;
	saved_note(q);
	alert_quota(q->ct, inodes ? "diskinodes" : "diskspace", r->failcnt, n,
	    r->usage, r->soft, r->hard, inodes ? "items" : "bytes");
}

static void
tick_one(struct ctquota *q, uint64_t now)
{
	uint64_t fb, fi;
	bool at;

	if (q->mech == QM_KERNEL) {
		int r = kernel_usage(q);

		if (r < 0) {
			snprintf(q->status, sizeof(q->status), "cannot read the "
			    "project quota of %s: %s", q->root, strerror(-r));
			return;
		}
	} else if (q->mech == QM_USER) {
		if (q->scan_pid == 0 && mono() >= q->next_scan)
			scan_start(q);
		if (!q->scanned)
			return;
	} else {
		return;
	}
	fb = quota_grace_step(&q->blk, now, q->quotatime);
	fi = quota_grace_step(&q->ino, now, q->quotatime);
	if (q->mech == QM_KERNEL && (fb != q->in_force_b ||
	    fi != q->in_force_i)) {
		int r = kernel_limits(q, fb, fi);

		if (r < 0)
			snprintf(q->status, sizeof(q->status), "cannot set the "
			    "project quota of %s: %s", q->root, strerror(-r));
		else if (fb != q->blk.hard || fi != q->ino.hard)
			log_info("%s: quota grace over: the soft limit acts as "
			    "the hard one", q->ct->name);
	}
	if (q->mech == QM_USER) {
		q->in_force_b = fb;
		q->in_force_i = fi;
	}
	/* at the limit: the next allocation is refused */
	at = (fb != VAL_UNLIMITED && q->blk.usage + 1024 > fb) ||
	    (fi != VAL_UNLIMITED && q->ino.usage >= fi);
	if (q->mech == QM_USER) {
		q->blocked = at;
		marks_update();
	} else if (at && !q->at_limit) {
		/* the kernel refuses without telling: count each time the
		 * container is found at its limit */
		bump(q, fi != VAL_UNLIMITED && q->ino.usage >= fi, 1);
	}
	q->at_limit = at;
	saved_note(q);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	uint64_t now = wall_ms();

	(void)fd;
	(void)what;
	(void)arg;
	fan_collect();
	for (size_t i = 0; i < nqs; i++)
		tick_one(qs[i], now);
	saved_write();
}

/* ---- turning the quota on, changing it, turning it off ------------------- */

bool
quota_changes(const struct ct_params *chg)
{
	return chg->v[P_DISKSPACE].set || chg->v[P_DISKINODES].set ||
	    chg->v[P_QUOTATIME].set || chg->v[P_QUOTAUGIDLIMIT].set ||
	    chg->v[P_PRIVATE].set;
}

static void
q_free(struct ctquota *q)
{
	scan_end(q);
	unwatch(q);
	q->blocked = false;
	marks_update();
	for (size_t i = 0; i < nqs; i++)
		if (qs[i] == q) {
			qs[i] = qs[--nqs];
			break;
		}
	free(q);
}

static void
q_off(struct ctquota *q)
{
	if (q->mech == QM_KERNEL) {
		int r = kernel_limits(q, VAL_UNLIMITED, VAL_UNLIMITED);

		if (r < 0)
			log_warn("%s: cannot remove the project quota of %s: %s",
			    q->ct->name, q->root, strerror(-r));
	}
	q_free(q);
}

void
quota_forget(struct container *ct)
{
	struct ctquota *q = find_q(ct);

	if (q != NULL)
		q_free(q);
	saved_drop(ct->name);	/* destroyed */
}

/*
 * The quota is wanted but has no tree to apply to (no VE_PRIVATE, or it
 * does not exist): an OpenVZ CTID.conf or sample keeps its DISKSPACE on a
 * host where the container's files live elsewhere.  Recorded and warned
 * about, not an error, unless the request named the path itself.
 */
static int
unenforced(struct container *ct, struct ctquota *old, const char *why,
    struct sbuf *warn)
{
	struct ctquota *q = xcalloc(1, sizeof(*q));

	q->ct = ct;
	q->scan_fd = -1;
	q->mech = QM_NONE;
	snprintf(q->status, sizeof(q->status), "%s", why);
	if (old != NULL) {
		if (old->mech == QM_KERNEL)
			q_off(old);
		else
			q_free(old);
	}
	qs = xreallocarray(qs, nqs + 1, sizeof(*qs));
	qs[nqs++] = q;
	if (warn != NULL)
		sbuf_printf(warn, "disk quota not in force: %s\n", why);
	log_info("%s: disk quota not in force: %s", ct->name, why);
	return 0;
}

const char *
quota_unenforced(const struct container *ct)
{
	const struct ctquota *q = find_q(ct);

	return q != NULL && q->mech == QM_NONE ? q->status : NULL;
}

int
quota_set(struct container *ct, const struct ct_params *eff, bool strict,
    struct sbuf *warn, struct aerr *err)
{
	struct ctquota *old = find_q(ct), *q;
	struct quota_res b, i;
	struct fsinfo fi;
	uint64_t qt;
	int r, fd;

	fan_collect();	/* the old record's refusals, before it is copied */
	quota_limits(eff, &b, &i, &qt);
	if (!quota_wanted(eff)) {
		if (eff->v[P_QUOTAUGIDLIMIT].set &&
		    eff->v[P_QUOTAUGIDLIMIT].lim > 0)
			return aerr_set(err, EINVAL, "%s: quotaugidlimit needs a "
			    "first-level quota (the second level cannot be on "
			    "while the first is off): set --diskspace",
			    ct->name);
		if (old != NULL) {
			log_info("%s: disk quota off", ct->name);
			q_off(old);
		}
		saved_drop(ct->name);
		return 0;
	}
	if (!eff->v[P_PRIVATE].set)
		return unenforced(ct, old, "it needs the container's tree: "
		    "set --private PATH (VE_PRIVATE)", warn);
	q = xcalloc(1, sizeof(*q));
	q->ct = ct;
	q->scan_fd = -1;
	if ((r = expand_root(ct, eff, q->root, sizeof(q->root), err)) < 0 ||
	    (r = probe(q->root, &fi, err)) < 0) {
		free(q);
		if (r == -EINVAL && !strict)
			return unenforced(ct, old, err->msg, warn);
		return r;
	}
	{
		/* the canonical path: the listener compares kernel paths */
		char *rp = realpath(q->root, NULL);

		if (rp != NULL) {
			snprintf(q->root, sizeof(q->root), "%s", rp);
			free(rp);
		}
	}
	snprintf(q->fstype, sizeof(q->fstype), "%s", fi.type);
	if (fi.prj) {
		q->mech = QM_KERNEL;
	} else if (strcmp(ad->cfg.quota_fallback, "userspace") == 0) {
		q->mech = QM_USER;
	} else {
		aerr_set(err, EOPNOTSUPP, "%s: %s is on %s without project quota "
		    "and quota_fallback is no (accepted: a tree on ext4 or XFS "
		    "mounted with prjquota, or quota_fallback = userspace)",
		    ct->name, q->root, fi.type);
		free(q);
		return -EOPNOTSUPP;
	}
	q->ugidlimit = eff->v[P_QUOTAUGIDLIMIT].set ?
	    eff->v[P_QUOTAUGIDLIMIT].lim : 0;
	if (q->ugidlimit > 0 && q->mech == QM_KERNEL && (!fi.usr || !fi.grp)) {
		aerr_set(err, EOPNOTSUPP, "%s: quotaugidlimit %llu needs user "
		    "and group quota on %s (mount it with usrquota,grpquota), "
		    "or quotaugidlimit 0", ct->name,
		    (unsigned long long)q->ugidlimit, q->root);
		free(q);
		return -EOPNOTSUPP;
	}
	if (q->ugidlimit > 0 && q->mech == QM_USER && warn != NULL)
		sbuf_printf(warn, "quotaugidlimit: the userspace quota has no "
		    "second level; per-user limits are not enforced\n");
	q->blk = b;
	q->ino = i;
	q->quotatime = qt;
	if ((old == NULL || old->mech == QM_NONE) &&
	    saved_find(ct->name) != NULL) {
		/* accountd restarted: the grace goes on, failcnt too */
		const struct qsaved *s = saved_find(ct->name);

		q->blk.grace_end_ms = s->grace_b;
		q->ino.grace_end_ms = s->grace_i;
		q->blk.failcnt = s->fail_b;
		q->ino.failcnt = s->fail_i;
	}
	if (old != NULL && strcmp(old->root, q->root) == 0 &&
	    old->mech == q->mech) {
		/* same tree: keep the counts, grace and failcnt */
		q->blk.usage = old->blk.usage, q->ino.usage = old->ino.usage;
		q->blk.grace_end_ms = old->blk.grace_end_ms;
		q->ino.grace_end_ms = old->ino.grace_end_ms;
		q->blk.failcnt = old->blk.failcnt;
		q->ino.failcnt = old->ino.failcnt;
		q->projid = old->projid;
		q->scanned = old->scanned;
		q->apparent = old->apparent;
	}
	if (q->mech == QM_KERNEL) {
		uint64_t fb, fin;
		bool was;

		if ((fd = open(q->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = aerr_set(err, errno, "%s: %s", q->root,
			    strerror(errno));
			free(q);
			return r;
		}
		if (q->projid == 0 && (r = pick_projid(q, fd, err)) < 0) {
			close(fd);
			free(q);
			return r;
		}
		/*
		 * The root now (what is made at its top inherits the id at
		 * once); the rest of a populated tree by a child, in the
		 * background: the usage grows as it goes.  Once tagged, a
		 * tree stays so (new files inherit; ext4 and XFS refuse a
		 * rename across projects), so a change of limits only sets
		 * them.
		 */
		was = root_projid(q->root) == q->projid;
		r = set_projid_fd(fd, true, q->projid);
		close(fd);
		if (r < 0) {
			aerr_set(err, -r, "%s: cannot give %s project id %u: %s",
			    ct->name, q->root, q->projid, strerror(-r));
			free(q);
			return r;
		}
		if (old != NULL && old->mech == QM_KERNEL)
			q->tagging = old->projid != q->projid || old->tagging;
		else
			q->tagging = !(was && saved_find(ct->name) != NULL &&
			    saved_find(ct->name)->projid == q->projid &&
			    saved_find(ct->name)->tagged);
		(void)kernel_usage(q);
		fb = quota_grace_step(&q->blk, wall_ms(), q->quotatime);
		fin = quota_grace_step(&q->ino, wall_ms(), q->quotatime);
		if ((r = kernel_limits(q, fb, fin)) < 0) {
			aerr_set(err, -r, "%s: cannot set the project quota of %s "
			    "(project %u): %s", ct->name, q->root, q->projid,
			    strerror(-r));
			free(q);
			return r;
		}
	} else {
		q->mnt_id = fs_key(q->root);
	}
	if (old != NULL) {
		/* the new settings are in force: drop the old ones */
		if (old->mech == QM_KERNEL && (q->mech != QM_KERNEL ||
		    old->projid != q->projid))
			q_off(old);
		else
			q_free(old);
	}
	qs = xreallocarray(qs, nqs + 1, sizeof(*qs));
	qs[nqs++] = q;
	if (q->tagging)
		scan_start(q);
	if (q->mech == QM_KERNEL)
		log_info("%s: disk quota on %s (%s, project quota, id %u)",
		    ct->name, q->root, q->fstype, q->projid);
	else
		log_info("%s: disk quota on %s (%s, userspace)", ct->name,
		    q->root, q->fstype);
	tick_one(q, wall_ms());
	return 0;
}

/* ---- second level -------------------------------------------------------- */

int
quota_set_ugid(struct container *ct, bool group, unsigned id, uint64_t bsoft,
    uint64_t bhard, uint64_t isoft, uint64_t ihard, struct aerr *err)
{
	struct ctquota *q = find_q(ct);
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

/* ---- what acctctl and the exporters see ---------------------------------- */

static void
res_json(struct json_object *o, const char *name, const struct quota_res *r,
    uint64_t in_force, uint64_t now)
{
	struct json_object *x = json_object_new_object();

	json_object_object_add(x, "usage", json_object_new_uint64(r->usage));
	json_object_object_add(x, "soft", json_object_new_uint64(r->soft));
	json_object_object_add(x, "hard", json_object_new_uint64(r->hard));
	json_object_object_add(x, "in_force", json_object_new_uint64(in_force));
	json_object_object_add(x, "grace_end_ms",
	    json_object_new_uint64(r->grace_end_ms));
	json_object_object_add(x, "failcnt", json_object_new_uint64(r->failcnt));
	json_object_object_add(x, "state", json_object_new_string(
	    quota_state_name(quota_res_state(r, now))));
	json_object_object_add(o, name, x);
}

int
quota_report(struct container *ct, bool table, struct json_object *reply,
    struct aerr *err)
{
	struct ctquota *q = find_q(ct);
	uint64_t now = wall_ms();

	fan_collect();		/* refusals since the last tick */
	if (q != NULL && q->mech == QM_NONE)
		return aerr_set(err, ENODATA, "%s has no disk quota in force: %s",
		    ct->name, q->status);
	if (q == NULL)
		return aerr_set(err, ENODATA, "%s has no disk quota (acctctl set "
		    "%s --private PATH --diskspace SOFT:HARD turns it on)",
		    ct->name, ct->name);
	if (q->mech == QM_KERNEL)
		tick_one(q, now);	/* the kernel's figures are cheap: fresh */
	json_object_object_add(reply, "root", json_object_new_string(q->root));
	json_object_object_add(reply, "fstype",
	    json_object_new_string(q->fstype));
	json_object_object_add(reply, "mechanism", json_object_new_string(
	    q->mech == QM_KERNEL ? "project" : "userspace"));
	if (q->mech == QM_KERNEL)
		json_object_object_add(reply, "projid",
		    json_object_new_int64(q->projid));
	json_object_object_add(reply, "quotatime",
	    json_object_new_uint64(q->quotatime));
	json_object_object_add(reply, "quotaugidlimit",
	    json_object_new_uint64(q->ugidlimit));
	json_object_object_add(reply, "now_ms", json_object_new_uint64(now));
	json_object_object_add(reply, "failcnt",
	    json_object_new_uint64(q->blk.failcnt + q->ino.failcnt));
	json_object_object_add(reply, "counted",
	    json_object_new_boolean(q->mech == QM_KERNEL || q->scanned));
	if (q->mech == QM_KERNEL) {
		json_object_object_add(reply, "tagging",
		    json_object_new_boolean(q->tagging));
		json_object_object_add(reply, "tag_seen",
		    json_object_new_uint64(q->scan_seen));
	}
	if (q->mech == QM_USER) {
		json_object_object_add(reply, "scanning",
		    json_object_new_boolean(q->scan_pid > 0));
		json_object_object_add(reply, "scan_seen",
		    json_object_new_uint64(q->scan_seen));
		json_object_object_add(reply, "scan_seconds",
		    json_object_new_double(q->scan_secs));
		json_object_object_add(reply, "apparent",
		    json_object_new_uint64(q->apparent));
		json_object_object_add(reply, "refusing",
		    json_object_new_boolean(q->blocked && q->marked));
	}
	if (q->status[0])
		json_object_object_add(reply, "status",
		    json_object_new_string(q->status));
	res_json(reply, "blocks", &q->blk, q->in_force_b, now);
	res_json(reply, "inodes", &q->ino, q->in_force_i, now);
	if (table) {
		struct json_object *arr = json_object_new_array();

		if (q->mech == QM_KERNEL && q->ugidlimit > 0) {
			struct json_object *g = json_object_new_object();
			int fd = open(q->root, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);

			ugid_table(q, arr);
			/* the kernel's grace: one per filesystem and type */
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
				json_object_object_add(g, t == USRQUOTA ?
				    "user" : "group", x);
			}
			if (fd >= 0)
				close(fd);
			json_object_object_add(reply, "ugid_grace", g);
		}
		json_object_object_add(reply, "ugid", arr);
	}
	return 0;
}

void
quota_fill(const struct container *ct, struct snap_ct *s)
{
	const struct ctquota *q = find_q(ct);

	s->have_quota = s->quota_flags = 0;
	s->disk_held = s->disk_soft = s->disk_hard = s->disk_failcnt = 0;
	s->inodes_held = s->inodes_soft = s->inodes_hard = 0;
	s->inodes_failcnt = s->grace_disk_ms = s->grace_inodes_ms = 0;
	if (q == NULL || q->mech == QM_NONE || (q->mech == QM_USER &&
	    !q->scanned))
		return;
	s->have_quota = 1;
	s->quota_flags = q->mech == QM_KERNEL ? 1 : 2;	/* project, userspace */
	s->disk_held = q->blk.usage;
	s->disk_soft = q->blk.soft;
	s->disk_hard = q->blk.hard;
	s->disk_failcnt = q->blk.failcnt;
	s->inodes_held = q->ino.usage;
	s->inodes_soft = q->ino.soft;
	s->inodes_hard = q->ino.hard;
	s->inodes_failcnt = q->ino.failcnt;
	s->grace_disk_ms = q->blk.grace_end_ms;
	s->grace_inodes_ms = q->ino.grace_end_ms;
}

static void
row_json(struct json_object *rows, const char *name,
    const struct quota_res *r, uint64_t div)
{
	struct json_object *o = json_object_new_object();
	uint64_t s = r->soft == VAL_UNLIMITED ? r->soft : r->soft / div;
	uint64_t h = r->hard == VAL_UNLIMITED ? r->hard : r->hard / div;

	json_object_object_add(o, "resource", json_object_new_string(name));
	json_object_object_add(o, "held",
	    json_object_new_uint64((r->usage + div - 1) / div));
	json_object_object_add(o, "barrier", json_object_new_uint64(s));
	json_object_object_add(o, "limit", json_object_new_uint64(h));
	json_object_object_add(o, "failcnt", json_object_new_uint64(r->failcnt));
	json_object_object_add(o, "unit", json_object_new_string(
	    div == 1024 ? "1k-blocks" : "inodes"));
	json_object_array_add(rows, o);
}

bool
quota_rows(const struct container *ct, struct json_object *rows)
{
	const struct ctquota *q = find_q(ct);

	if (q == NULL || q->mech == QM_NONE || (q->mech == QM_USER &&
	    !q->scanned))
		return false;
	row_json(rows, "diskspace", &q->blk, 1024);
	row_json(rows, "diskinodes", &q->ino, 1);
	return true;
}

/* ---- set-up -------------------------------------------------------------- */

int
quota_init(void)
{
	struct timeval sec = { 1, 0 };

	fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
	    O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (fan_fd < 0)
		log_info("quota: no fanotify permission events (%s): the "
		    "userspace quota counts but cannot refuse writes",
		    strerror(errno));
	else if (pipe2(fan_stop, O_CLOEXEC) < 0 ||
	    pthread_create(&fan_thread, NULL, fan_main, NULL) != 0) {
		log_warn("quota: cannot start the fanotify listener: the "
		    "userspace quota cannot refuse writes");
		close(fan_fd);
		fan_fd = -1;
	} else {
		fan_running = true;
	}
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd >= 0) {
		ino_ev = event_new(ad->base, ino_fd, EV_READ | EV_PERSIST,
		    on_inotify, NULL);
		event_add(ino_ev, NULL);
	}
	tick_ev = event_new(ad->base, -1, EV_PERSIST, on_tick, NULL);
	event_add(tick_ev, &sec);
	saved_load();
	for (size_t i = 0; i < ad->ncts; i++) {
		struct container *ct = ad->cts[i];
		const struct ct_params *p = ct_effective(ct);
		struct aerr err = { 0 };

		if (!quota_wanted(p))
			continue;
		if (quota_set(ct, p, false, NULL, &err) < 0)
			log_warn("%s: disk quota not in force: %s", ct->name,
			    err.msg);
	}
	return 0;
}

void
quota_close(void)
{
	for (size_t i = 0; i < nqs; i++)
		if (qs[i]->mech != QM_NONE)
			saved_note(qs[i]);
	saved_write();
	free(saved);
	saved = NULL;
	nsaved = 0;
	while (nqs > 0)
		q_free(qs[nqs - 1]);	/* limits stay set in the kernel */
	free(qs);
	qs = NULL;
	if (tick_ev != NULL)
		event_free(tick_ev);
	tick_ev = NULL;
	if (fan_running) {
		(void)write(fan_stop[1], "x", 1);
		pthread_join(fan_thread, NULL);
		fan_running = false;
	}
	for (int k = 0; k < 2; k++)
		if (fan_stop[k] >= 0)
			close(fan_stop[k]);
	fan_stop[0] = fan_stop[1] = -1;
	if (fan_fd >= 0)
		close(fan_fd);
	fan_fd = -1;
	free(fblocks);
	fblocks = NULL;
	nfblocks = 0;
	if (ino_ev != NULL)
		event_free(ino_ev);
	ino_ev = NULL;
	if (ino_fd >= 0)
		close(ino_fd);
	ino_fd = -1;
	free(watches);
	watches = NULL;
	nwatches = 0;
}
