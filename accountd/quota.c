/* SPDX-License-Identifier: ISC */
/*
 * Disk quota of containers' trees, its state and policy: see quota.h,
 * quota-int.h for the four files, and docs/quota.md.
 *
 *   quota_set ──► check (mechanism of the tree's filesystem) ──► kernel:
 *                 project id on the tree, quotactl(Q_SETQUOTA, PRJQUOTA)
 *                 (quota-kernel.c)
 *             └─► userspace: count child (quota-count.c) + fanotify when
 *                 at the limit (quota-listen.c)
 *   tick (1 s) ─► usage ─► grace step (policies/vzquota.c) ─► the hard
 *                 limit in force (kernel: Q_SETQUOTA when it changes;
 *                 userspace: refuse opens for writing) ─► failcnt, alert
 *
 * The daemon must never open files in a tree it is refusing opens in
 * (its own opens would wait for itself): the scans run in a child, and
 * the listener only reads /proc.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "accountd.h"
#include "alert.h"
#include "log.h"
#include "quota.h"
#include "quota-int.h"
#include "snapshot.h"
#include "xalloc.h"

struct ctquota **qs;
size_t nqs;

/*
 * What must outlive accountd, in state_dir/quota.state, one line per
 * container: "NAME PROJID GRACE_END_BLOCKS GRACE_END_INODES FAILCNT_BLOCKS
 * FAILCNT_INODES TAGGED" (ms of wall clock, 0: none; TAGGED 1 once the
 * whole tree has the project id).  The project id is also on
 * the tree's root; the file keeps it for a tree that lost it and keeps
 * the grace running across a restart.
 */
static struct qsaved *saved;
static size_t nsaved;
static bool saved_dirty;

struct qsaved *
q_saved_find(const char *name)
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
void
q_saved_note(const struct ctquota *q)
{
	struct qsaved *s = q_saved_find(q->ct->name);

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
	struct qsaved *s = q_saved_find(name);

	if (s == NULL)
		return;
	*s = saved[--nsaved];
	saved_dirty = true;
}

static struct event *tick_ev;

double
q_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t
q_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ctquota *
q_find(const struct container *ct)
{
	for (size_t i = 0; i < nqs; i++)
		if (qs[i]->ct == ct)
			return qs[i];
	return NULL;
}

/* ---- where the tree is --------------------------------------------------- */

/* VE_PRIVATE with $VEID / ${VEID} replaced by the container's name. */
static int
expand_root(const char *name, const struct ct_params *p, char *out,
    size_t len, struct aerr *err)
{
	const char *s = params_text(p, P_PRIVATE);
	size_t o = 0;

	while (*s != '\0' && o + 1 < len) {
		size_t skip = 0;

		if (strncmp(s, "${VEID}", 7) == 0)
			skip = 7;
		else if (strncmp(s, "$VEID", 5) == 0)
			skip = 5;
		if (skip) {
			int n = snprintf(out + o, len - o, "%s", name);

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
		    name);
	return 0;
}

/* Whether the directory is the root of a mount (/ included); false when
 * it does not exist (probe says so). */
static bool
is_mount_root(const char *path)
{
	struct statx sx;
	struct stat st, up;
	char *parent;
	bool r;

	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	/* before Linux 5.8: another device above, or no above at all */
	parent = xasprintf("%s/..", path);
	r = stat(path, &st) == 0 && stat(parent, &up) == 0 &&
	    (st.st_dev != up.st_dev || st.st_ino == up.st_ino);
	free(parent);
	return r;
}

/*
 * A filesystem's root is not a container's tree: a quota there would
 * hold every file of that filesystem (the kernel path would give all of
 * them the project id, the userspace path would refuse opens for writing
 * anywhere on it, root's included).
 */
int
quota_check_private(const char *name, const struct ct_params *p,
    struct aerr *err)
{
	char root[PATH_MAX];
	int r;

	if (!p->v[P_PRIVATE].set)
		return 0;
	if ((r = expand_root(name, p, root, sizeof(root), err)) < 0)
		return r;
	if (is_mount_root(root))
		return aerr_set(err, EINVAL, "bad value for --private: '%s' is "
		    "the root of a filesystem (a mount point): a disk quota "
		    "there would hold every file of that filesystem (accepted: "
		    "a directory below it, such as /vz/private/$VEID)", root);
	return 0;
}

/* ---- the tick: usage, grace, limits in force ----------------------------- */

/* A write refused (userspace) or the limit reached (kernel): failcnt
 * of the resource that is at its limit, and an alert. */
void
q_bump(struct ctquota *q, bool inodes, uint64_t n)	/* n refusals: one alert */
{
	struct quota_res *r = inodes ? &q->ino : &q->blk;

	r->failcnt += n;
	q_saved_note(q);
	alert_quota(q->ct, inodes ? "diskinodes" : "diskspace", r->failcnt, n,
	    r->usage, r->soft, r->hard, inodes ? "items" : "bytes");
}

void
q_tick(struct ctquota *q, uint64_t now)
{
	uint64_t fb, fi;
	bool at;

	if (q->mech == QM_KERNEL) {
		int r = qk_usage(q);

		if (r < 0) {
			snprintf(q->status, sizeof(q->status), "cannot read the "
			    "project quota of %s: %s", q->root, strerror(-r));
			return;
		}
	} else if (q->mech == QM_USER) {
		if (q->scan_pid == 0 && q_mono() >= q->next_scan)
			qc_start(q);
		if (!q->scanned)
			return;
	} else {
		return;
	}
	fb = quota_grace_step(&q->blk, now, q->quotatime);
	fi = quota_grace_step(&q->ino, now, q->quotatime);
	if (q->mech == QM_KERNEL && (fb != q->in_force_b ||
	    fi != q->in_force_i)) {
		int r = qk_limits(q, fb, fi);

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
		ql_update();
	} else if (at && !q->at_limit) {
		/* the kernel refuses without telling: count each time the
		 * container is found at its limit */
		q_bump(q, fi != VAL_UNLIMITED && q->ino.usage >= fi, 1);
	}
	q->at_limit = at;
	q_saved_note(q);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	uint64_t now = q_wall_ms();

	(void)fd;
	(void)what;
	(void)arg;
	ql_collect();
	for (size_t i = 0; i < nqs; i++)
		q_tick(qs[i], now);
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
	qc_end(q);
	qc_unwatch(q);
	q->blocked = false;
	ql_update();
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
		int r = qk_limits(q, VAL_UNLIMITED, VAL_UNLIMITED);

		if (r < 0)
			log_warn("%s: cannot remove the project quota of %s: %s",
			    q->ct->name, q->root, strerror(-r));
	}
	q_free(q);
}

void
quota_forget(struct container *ct)
{
	struct ctquota *q = q_find(ct);

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
	const struct ctquota *q = q_find(ct);

	return q != NULL && q->mech == QM_NONE ? q->status : NULL;
}

int
quota_set(struct container *ct, const struct ct_params *eff, bool strict,
    struct sbuf *warn, struct aerr *err)
{
	struct ctquota *old = q_find(ct), *q;
	struct quota_res b, i;
	struct fsinfo fi;
	uint64_t qt;
	int r;

	ql_collect();	/* the old record's refusals, before it is copied */
	if (strict && (r = quota_check_private(ct->name, eff, err)) < 0)
		return aerr_prefix(err, "%s: ", ct->name);	/* quota or not */
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
	if ((r = expand_root(ct->name, eff, q->root, sizeof(q->root),
	    err)) < 0 || (r = qk_probe(q->root, &fi, err)) < 0 ||
	    (r = quota_check_private(ct->name, eff, err)) < 0) {
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
	    q_saved_find(ct->name) != NULL) {
		/* accountd restarted: the grace goes on, failcnt too */
		const struct qsaved *s = q_saved_find(ct->name);

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
		if ((r = qk_on(q, old, err)) < 0) {
			free(q);
			return r;
		}
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
		qc_start(q);
	if (q->mech == QM_KERNEL)
		log_info("%s: disk quota on %s (%s, project quota, id %u)",
		    ct->name, q->root, q->fstype, q->projid);
	else
		log_info("%s: disk quota on %s (%s, userspace)", ct->name,
		    q->root, q->fstype);
	q_tick(q, q_wall_ms());
	return 0;
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
	struct ctquota *q = q_find(ct);
	uint64_t now = q_wall_ms();

	ql_collect();		/* refusals since the last tick */
	if (q != NULL && q->mech == QM_NONE)
		return aerr_set(err, ENODATA, "%s has no disk quota in force: %s",
		    ct->name, q->status);
	if (q == NULL)
		return aerr_set(err, ENODATA, "%s has no disk quota (acctctl set "
		    "%s --private PATH --diskspace SOFT:HARD turns it on)",
		    ct->name, ct->name);
	if (q->mech == QM_KERNEL)
		q_tick(q, now);	/* the kernel's figures are cheap: fresh */
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

		if (q->mech == QM_KERNEL && q->ugidlimit > 0)
			qk_ugid_report(q, arr, reply);
		json_object_object_add(reply, "ugid", arr);
	}
	return 0;
}

void
quota_fill(const struct container *ct, struct snap_rec *s)
{
	const struct ctquota *q = q_find(ct);

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

/* ---- set-up -------------------------------------------------------------- */

int
quota_init(void)
{
	struct timeval sec = { 1, 0 };

	ql_init();
	qc_init();
	tick_ev = event_new(ad->base, -1, EV_PERSIST, on_tick, NULL);
	event_add(tick_ev, &sec);
	saved_load();
	for (size_t i = 0; i < ct_count(); i++) {
		struct container *ct = ct_nth(i);
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
			q_saved_note(qs[i]);
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
	ql_close();
	qc_close();
}
