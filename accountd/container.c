/* SPDX-License-Identifier: ISC */
/*
 * The container registry and its life cycle.
 *
 * A container is known from a CTID.conf file in ct_conf_dir (its saved
 * settings), from `acctctl create`, or from a discover= pattern.  Its
 * cgroup is CGROUP= from the file (adopted), a discovered path, or
 * cgroup_parent/NAME (created by accountd).  When the cgroup appears (the
 * container starts, or accountd starts and finds it running) the saved
 * settings are applied; `acctctl set` changes the running values and,
 * with --save, the file.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "admit.h"
#include "alert.h"
#include "apply.h"
#include "drift.h"
#include "bcid.h"
#include "control.h"
#include "journal.h"
#include "log.h"
#include "publish.h"
#include "quota.h"
#include "sampler.h"
#include "saver.h"
#include "textfile.h"
#include "xalloc.h"

int
ct_name_check(const char *s, struct aerr *err)
{
	if (ctconf_name_ok(s))
		return 0;
	return aerr_set(err, EINVAL, "bad container name '%s' (accepted: 1 to "
	    "63 letters, digits, '.', '_' or '-', starting with a letter or "
	    "digit, such as 101 or web1)", s);
}

/*
 * A cgroup path as accountd keeps it: relative to each hierarchy's root
 * (leading slashes are dropped), made of plain components.  '.', '..'
 * and empty components are refused rather than resolved, so that no
 * spelling of the root (`./.`) or of a folder outside it can be adopted.
 */
int
ct_cgpath_check(const char *s, struct aerr *err)
{
	const char *p = s;

	while (*p == '/')
		p++;
	if (*p == '\0')
		return aerr_set(err, EINVAL, "bad cgroup path '%s': the root of "
		    "the hierarchy (accepted: a path below the cgroup root such "
		    "as /lxc.payload.web1)", s);
	if (strlen(s) > 512)
		goto bad;
	for (const char *c = p; *c; c++)
		if (!isprint((unsigned char)*c) || *c == '\\')
			goto bad;
	if (strstr(p, "..") != NULL || strstr(p, "//") != NULL ||
	    p[strlen(p) - 1] == '/' || strcmp(p, ".") == 0 ||
	    strncmp(p, "./", 2) == 0 || strstr(p, "/./") != NULL ||
	    (strlen(p) >= 2 && strcmp(p + strlen(p) - 2, "/.") == 0))
		goto bad;
	return 0;
bad:
	return aerr_set(err, EINVAL, "bad cgroup path '%s' (accepted: a path "
	    "below the cgroup root such as /lxc.payload.web1, without '.', "
	    "'..' or empty components)", s);
}

/* Whether cgroup a is b or holds it (both without leading slashes). */
bool
cg_within(const char *b, const char *a)
{
	size_t n = strlen(a);

	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

/*
 * The registry's second order: the containers sorted by cgroup path
 * (strcmp), so that the paths below a folder, which share its prefix and
 * a '/', lie together.  ct_new() and ct_delete() keep it.
 */
static struct container **bypath;
static size_t nbypath;
static size_t ncts_cap;		/* room in ad->cts */

/* The first index whose path does not sort before path[0..len) (the
 * first of those that start with it, if any). */
static size_t
bypath_lower(const char *path, size_t len)
{
	size_t lo = 0, hi = nbypath;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *q = bypath[mid]->cgpath;

		if (strncmp(q, path, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
bypath_add(struct container *ct)
{
	size_t i = bypath_lower(ct->cgpath, strlen(ct->cgpath));

	if (nbypath % 64 == 0)
		bypath = xreallocarray(bypath, nbypath + 64, sizeof(*bypath));
	memmove(&bypath[i + 1], &bypath[i], (nbypath - i) * sizeof(*bypath));
	bypath[i] = ct;
	nbypath++;
}

static void
bypath_del(struct container *ct)
{
	for (size_t i = bypath_lower(ct->cgpath, strlen(ct->cgpath));
	    i < nbypath && strcmp(bypath[i]->cgpath, ct->cgpath) == 0; i++)
		if (bypath[i] == ct) {
			memmove(&bypath[i], &bypath[i + 1],
			    (nbypath - i - 1) * sizeof(*bypath));
			nbypath--;
			return;
		}
}

/* A container other than self whose cgroup path is path[0..len). */
static const struct container *
bypath_other(const char *path, size_t len, const struct container *self)
{
	for (size_t i = bypath_lower(path, len); i < nbypath; i++) {
		const char *q = bypath[i]->cgpath;

		if (strncmp(q, path, len) != 0 || q[len] != '\0')
			return NULL;
		if (bypath[i] != self)
			return bypath[i];
	}
	return NULL;
}

/* A container other than self whose cgroup is below the folder path. */
static const struct container *
bypath_below(const char *path, const struct container *self)
{
	_cleanup_free_ char *dir = xasprintf("%s/", path);
	size_t len = strlen(dir);

	for (size_t i = bypath_lower(dir, len); i < nbypath &&
	    strncmp(bypath[i]->cgpath, dir, len) == 0; i++)
		if (bypath[i] != self)
			return bypath[i];
	return NULL;
}

/*
 * Two containers never share a cgroup, and neither holds the other's:
 * the holder's counters would include the other's usage (every row
 * counted twice) and the limits of both would apply to the inner one,
 * while `show` reports only its own.  Nor is cgroup_parent, where
 * accountd's own containers live, or a folder above it adopted.
 * Returns 0, or -EBUSY naming what holds the cgroup.
 */
int
ct_cgpath_claim(const char *path, const struct container *self,
    struct aerr *err)
{
	const char *parent = ad->cfg.cgroup_parent;
	const struct container *o;

	while (*path == '/')
		path++;
	while (*parent == '/')
		parent++;
	if (*parent != '\0' && cg_within(parent, path) &&
	    (self == NULL || self->origin != CT_OWN))
		return aerr_set(err, EBUSY, "cgroup /%s is accountd's "
		    "cgroup_parent /%s or holds it (accepted: a cgroup outside "
		    "it, or no --cgroup for a container of accountd's own)",
		    path, parent);
	/* the index by cgroup path: the path itself, each folder above
	 * it, and the first path below it (one binary search each: this
	 * scanned every container, quadratic at start-up) */
	if ((o = bypath_other(path, strlen(path), self)) != NULL)
		return aerr_set(err, EBUSY, "cgroup /%s is already "
		    "container %s's (accepted: a cgroup no other "
		    "container uses)", path, o->name);
	for (size_t k = 1; path[k] != '\0'; k++)
		if (path[k] == '/' && (o = bypath_other(path, k, self)) != NULL)
			return aerr_set(err, EBUSY, "cgroup /%s is inside "
			    "container %s's cgroup /%s (accepted: a cgroup that "
			    "neither holds nor is inside another container's)",
			    path, o->name, o->cgpath);
	if ((o = bypath_below(path, self)) != NULL)
		return aerr_set(err, EBUSY, "cgroup /%s holds container %s's "
		    "cgroup /%s (accepted: a cgroup that neither holds nor is "
		    "inside another container's)", path, o->name, o->cgpath);
	return 0;
}

static int
cmp_ct(const void *a, const void *b)
{
	const struct container *x = *(struct container *const *)a;
	const struct container *y = *(struct container *const *)b;

	return strcmp(x->name, y->name);
}

/* bsearch: a name against a container */
static int
cmp_name_ct(const void *key, const void *elem)
{
	return strcmp(key, (*(struct container *const *)elem)->name);
}

/*
 * A hooked container's cgroup is known only from its runtime's hook, so
 * it is written down, run_dir/hooked/NAME holding the cgroup path, from
 * its start to its end: an accountd that restarts meanwhile finds the
 * container again (ct_load_hooked).  run_dir does not outlive a reboot,
 * nor do the containers.
 */
static void
hook_record(const struct container *ct, bool running)
{
	_cleanup_free_ char *dir = xasprintf("%s/hooked", ad->cfg.run_dir);
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, ct->name);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	_cleanup_fclose_ FILE *f = NULL;

	if (!running) {
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("cannot remove %s: %s", path, strerror(errno));
		return;
	}
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    (f = fopen(tmp, "we")) == NULL ||
	    fprintf(f, "%s\n", ct->cgpath) < 0 || fflush(f) != 0 ||
	    rename(tmp, path) < 0) {
		int e = errno;

		log_warn("%s: cannot record its cgroup in %s (a restart of "
		    "accountd will not find it): %s", ct->name, path,
		    strerror(e));
		if (f != NULL)
			unlink(tmp);
	}
}

size_t
ct_count(void)
{
	return ad->ncts;
}

struct container *
ct_nth(size_t i)
{
	return i < ad->ncts ? ad->cts[i] : NULL;
}

struct container *
ct_find(const char *name)
{
	struct container **f;

	if (ad->ncts == 0)
		return NULL;	/* bsearch wants a non-NULL array */
	f = bsearch(name, ad->cts, ad->ncts, sizeof(*ad->cts), cmp_name_ct);
	return f ? *f : NULL;
}

/* A container by name, else by beancounter id (a name wins a tie). */
struct container *
ct_find_bc(const char *s)
{
	struct container *ct = ct_find(s);
	char *end;
	unsigned long id;

	if (ct != NULL || *s < '1' || *s > '9')
		return ct;
	id = strtoul(s, &end, 10);
	for (size_t i = 0; *end == '\0' && i < ad->ncts; i++)
		if (ad->cts[i]->bcid == id)
			return ad->cts[i];
	return NULL;
}

struct container *
ct_new(const char *name, const char *cgpath, enum ct_origin origin)
{
	struct container *ct = xcalloc(1, sizeof(*ct));
	size_t lo, hi;

	snprintf(ct->name, sizeof(ct->name), "%s", name);
	ct->bcid = bcid_of(name);
	while (*cgpath == '/')
		cgpath++;
	ct->cgpath = xstrdup(cgpath);
	ct->origin = origin;
	cg_ct_init(&ct->cg);
	/* sorted insertion (a qsort per insertion made start-up quadratic) */
	if (ad->ncts == ncts_cap) {
		ncts_cap = ncts_cap ? 2 * ncts_cap : 64;
		ad->cts = xreallocarray(ad->cts, ncts_cap, sizeof(*ad->cts));
	}
	lo = 0, hi = ad->ncts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_ct(&ad->cts[mid], &ct) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&ad->cts[lo + 1], &ad->cts[lo],
	    (ad->ncts - lo) * sizeof(*ad->cts));
	ad->cts[lo] = ct;
	ad->ncts++;
	bypath_add(ct);
	return ct;
}

/*
 * The list and path texts of ct_params are interned (params.h); those no
 * container holds any longer (a deleted container's, a request's) are
 * freed once they outnumber the ones held after the last collection.
 * Called between callbacks (after each request), where the only ct_params
 * alive are the containers' saved and live ones.
 */
void
ct_params_gc(void)
{
	static size_t kept;

	if (params_interned() <= 2 * kept + 64)
		return;
	for (size_t i = 0; i < ad->ncts; i++) {
		params_gc_mark(&ad->cts[i]->conf.params);
		params_gc_mark(ct_live(ad->cts[i]));
	}
	ctl_creating_mark();
	params_gc_sweep();
	kept = params_interned();
}

/* The failure shown for the container (show, create's warning), or none:
 * kept on the heap only while there is one (most containers have none). */
static void
ct_status(struct container *ct, const char *msg)
{
	free(ct->status_msg);
	ct->status_msg = msg != NULL && *msg != '\0' ?
	    xstrndup(msg, CT_STATUS_MAX - 1) : NULL;
}

static void tail_run(void);

static void
ct_free(struct container *ct)
{
	tail_run();	/* (a plan of ct's waiting for its end) */
	alert_forget(ct);
	vswap_forget(ct);
	cg_ct_close(&ct->cg);
	ctconf_free(&ct->conf);
	free(ct->unsaved);
	free(ct->cgpath);
	free(ct->status_msg);
	bc_forget(ct);
	free(ct);
}

void
ct_delete(struct container *ct)
{
	size_t i, j;

	if (ct->origin == CT_HOOKED)
		hook_record(ct, false);
	ct_detach(ct);
	live_forget(ct->name);
	quota_forget(ct);
	bcid_forget(ct->name);
	bypath_del(ct);
	for (i = 0, j = 0; i < ad->ncts; i++)
		if (ad->cts[i] != ct)
			ad->cts[j++] = ad->cts[i];
	ad->ncts = j;
	ct_free(ct);
}

void
ct_shutdown(void)
{
	for (size_t i = 0; i < ad->ncts; i++) {
		ct_detach(ad->cts[i]);
		ct_free(ad->cts[i]);
	}
	free(ad->cts);
	ad->cts = NULL;
	ad->ncts = ncts_cap = 0;
	free(bypath);
	bypath = NULL;
	nbypath = 0;
}

const struct ct_params *
ct_effective(const struct container *ct)
{
	return ct->running ? ct_live(ct) : &ct->conf.params;
}

const struct ct_params *
ct_live(const struct container *ct)
{
	return ct->unsaved != NULL ? ct->unsaved : &ct->conf.params;
}

/* A copy only while the settings in effect differ from the saved ones. */
void
ct_live_set(struct container *ct, const struct ct_params *p)
{
	if (params_identical(p, &ct->conf.params)) {
		free(ct->unsaved);
		ct->unsaved = NULL;
		return;
	}
	if (ct->unsaved == NULL)
		ct->unsaved = xmalloc(sizeof(*ct->unsaved));
	if (p != ct->unsaved)
		*ct->unsaved = *p;
}

/*
 * The settings in effect are read only while the container runs (and set
 * at each start): one that does not run keeps no copy of its own (a
 * start-up loading 100,000 CTID.conf files would otherwise allocate one
 * for each, freed again at its start).
 */
void
ct_conf_set(struct container *ct, struct ctconf *cf)
{
	struct ct_params live = *ct_live(ct);

	ctconf_free(&ct->conf);
	ct->conf = *cf;
	if (ct->running) {
		ct_live_set(ct, &live);
	} else {
		free(ct->unsaved);
		ct->unsaved = NULL;
	}
}

/*
 * A CTID.conf or a sample: accountd's own files, read with the checks of
 * textfile_read() (no FIFO, device or directory, no symbolic link as the
 * last component, 64 KiB, no NUL byte).  accountd never opens a file a
 * client names: `acctctl create --config` sends the file's text.
 */
int
ct_import_file(const char *path, struct ctconf *cf, struct sbuf *warn,
    struct aerr *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if ((r = textfile_read(path, TEXTFILE_CONF_MAX, false, &text, err)) < 0)
		return r;
	return ctconf_parse(path, text, cf, warn, err);
}

/* ve-NAME.conf-sample from ct_conf_dir (as OpenVZ keeps them), then
 * sample_dir; NAME may also be given with the ve- prefix. */
int
ct_load_sample(const char *name, struct ct_params *out, struct aerr *err)
{
	const char *dirs[2] = { ad->cfg.ct_conf_dir, ad->cfg.sample_dir };
	const char *n = strncmp(name, "ve-", 3) == 0 ? name + 3 : name;
	struct ctconf cf;
	int r;

	if (ct_name_check(n, NULL) < 0)
		return aerr_set(err, EINVAL, "bad sample name '%s' (accepted: a "
		    "name such as vswap-1g)", name);
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *path = xasprintf("%s/ve-%s.conf-sample",
		    dirs[i], n);

		if (access(path, R_OK) != 0)
			continue;
		if ((r = ct_import_file(path, &cf, NULL, err)) < 0)
			return r;
		*out = cf.params;
		ctconf_free(&cf);
		return 0;
	}
	return aerr_set(err, EINVAL, "no sample '%s' (looked for ve-%s.conf-sample "
	    "in %s and %s)", name, n, dirs[0], dirs[1]);
}

/*
 * Saving is two steps so that a file that cannot be written stops a set
 * before anything is applied: write NAME.conf.tmp (returned in *tmp),
 * then rename it over NAME.conf once the new values are in effect.
 */
/*
 * Where NAME.conf really is: a symlinked CTID.conf (Virtuozzo links
 * them into the container's private area) is read and rewritten at its
 * target, so the link stays a link.  One link is followed, from
 * ct_conf_dir, and no further: the target lies where someone else may
 * write, so it is opened without following a link (textfile_read) and
 * a target that is a link again is refused, never resolved.
 */
char *
ct_conf_target(const char *name)
{
	_cleanup_free_ char *link = xasprintf("%s/%s.conf", ad->cfg.ct_conf_dir,
	    name);
	char buf[4096];
	ssize_t n;
	struct stat st;

	if (lstat(link, &st) < 0 || !S_ISLNK(st.st_mode) ||
	    (n = readlink(link, buf, sizeof(buf) - 1)) <= 0)
		return xstrdup(link);
	buf[n] = '\0';
	if (buf[0] == '/')
		return xstrdup(buf);
	return xasprintf("%s/%s", ad->cfg.ct_conf_dir, buf);
}

/* A CTID.conf may be rewritten only when it is a regular file (or not
 * there yet). */
int
ct_save_check(const char *target, struct aerr *err)
{
	struct stat st;

	if (lstat(target, &st) == 0 && !S_ISREG(st.st_mode))
		return aerr_set(err, EINVAL, "cannot save %s: not a regular file "
		    "(a %s; accepted: a regular file, or one symbolic link in "
		    "ct_conf_dir to one)", target, S_ISLNK(st.st_mode) ?
		    "symbolic link" : "special file");
	return 0;
}

static int
save_prepare(const char *name, const struct ctconf *cf, char **tmp,
    struct aerr *err)
{
	_cleanup_free_ char *text = ctconf_render(cf);
	_cleanup_free_ char *target = ct_conf_target(name);
	bool kept;
	int r;

	*tmp = NULL;
	if ((r = ct_save_check(target, err)) < 0)
		return r;
	*tmp = xasprintf("%s.tmp", target);
	if ((r = conf_write_tmp(target, *tmp, text, &kept)) < 0) {
		free(*tmp);
		*tmp = NULL;
		return aerr_set(err, -r, "cannot save %s: %s", target,
		    strerror(-r));
	}
	if (!kept)
		log_warn("%s: cannot keep the mode and owner of %s", *tmp,
		    target);
	return 0;
}

static int
save_commit(const char *name, char *tmp, struct aerr *err)
{
	_cleanup_free_ char *path = ct_conf_target(name);
	int r = 0;

	if (rename(tmp, path) < 0) {
		r = aerr_set(err, errno, "cannot save %s: %s", path,
		    strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return r;
}

static void
save_abort(char *tmp)
{
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
}

int
ct_save(const char *name, const struct ctconf *cf, struct aerr *err)
{
	char *tmp;
	int r;

	if ((r = save_prepare(name, cf, &tmp, err)) < 0)
		return r;
	return save_commit(name, tmp, err);
}

/* A deep copy of a ctconf, through its text. */
static void
ctconf_copy(const struct ctconf *from, struct ctconf *to)
{
	_cleanup_free_ char *text = ctconf_render(from);

	if (ctconf_parse("copy", text, to, NULL, NULL) < 0)
		memset(to, 0, sizeof(*to));
	to->params = from->params;
}

/*
 * A lean container (over the descriptor budget) keeps no directory open;
 * what needs its directories holds them open for the time it works.
 */
int
ct_dirs(struct container *ct, struct aerr *err)
{
	int r;

	if (!ct->running || !ct->lean)
		return 0;
	if (ct->dir_holds++ > 0)
		return 0;
	if ((r = cg_ct_open(&ad->layout, ct->cgpath, &ct->cg, err)) < 0) {
		ct->dir_holds = 0;
		return r;
	}
	return 0;
}

void
ct_dirs_done(struct container *ct)
{
	if (!ct->lean || ct->dir_holds == 0)
		return;
	if (--ct->dir_holds == 0)
		cg_ct_close(&ct->cg);
}

/* What the kernel offers for this container, and how VSwap is done;
 * p: the parameters to be planned (NULL: any); seen: cg_kcaps()'s. */
static void
caps_seen(const struct container *ct, const struct ct_params *p,
    struct kcaps *caps, struct cg_seen *seen)
{
	bool cpuset = p == NULL || p->v[P_CPUMASK].set || p->v[P_NODEMASK].set;
	bool open = ct->running && (!ct->lean || ct->dir_holds > 0);

	cg_kcaps(&ad->layout, ct->cgpath, open ? &ct->cg : NULL, cpuset, caps,
	    seen);
	caps->vswap_mode = (uint8_t)vswap_host_mode();
}

void
ct_caps(const struct container *ct, const struct ct_params *p,
    struct kcaps *caps)
{
	caps_seen(ct, p, caps, NULL);
}

/* The plan for kernel capabilities already known. */
static int
ct_plan_caps(struct container *ct, const struct ct_params *p,
    const struct kcaps *caps, struct plan *pl, struct cg_seen *seen,
    struct aerr *err)
{
	struct kstate st = { 0 };

	if (ct->running && ct_dirs(ct, NULL) == 0) {
		cg_kstate(&ad->layout, &ct->cg, &st, seen);
		ct_dirs_done(ct);
	}
	return plan_build(p, caps, &st, pl, err);
}

int
ct_plan(struct container *ct, const struct ct_params *p,
    struct kcaps *caps, struct plan *pl, struct aerr *err)
{
	ct_caps(ct, p, caps);
	return ct_plan_caps(ct, p, caps, pl, NULL, err);
}

/* The generation of a running container's cgroup: the inode of its
 * folder in the primary hierarchy (a cgroup made again is another). */
static uint64_t
ct_gen(const struct container *ct)
{
	struct stat st;
	int fd = ct->cg.dfd[ad->layout.primary];

	return fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/*
 * The end of a set's plan, after its reply (ct_reply_sent()): the
 * read-back of the files written (drift), their closing and the emptying
 * of the journal (journal_settle()) are 9 of a 6-parameter set's system
 * calls that nothing in the reply depends on.  Only a set defers them: it is the
 * request a client waits on, and nothing between its apply and its reply
 * can end the container.  Whatever else comes first (another plan, a
 * container's end) runs it.
 */
static struct {
	bool		  armed;	/* a request is being answered */
	struct container *ct;		/* a plan waits to be finished */
	struct plan	  pl;
	int		 *fds;
	struct apply_done *done;
} tail;

static void
tail_run(void)
{
	struct container *ct = tail.ct;

	if (ct == NULL)
		return;
	tail.ct = NULL;
	apply_finish(&tail.pl, tail.fds, tail.done);
	drift_applied(ct, &tail.pl, tail.done);
	plan_free(&tail.pl);
	free(tail.fds);
	free(tail.done);
	journal_settle();
}

void
ct_reply_pending(void)
{
	tail_run();
	tail.armed = true;
}

void
ct_reply_sent(void)
{
	tail.armed = false;
	tail_run();
}

/*
 * Apply `p` (a whole set or a scoped subset) to the running container;
 * live_after and saved_after are its live and saved sets once done, for
 * the live file (journal.h).  known: the capabilities the caller just
 * validated against (a set) and the files it read for them, or NULL to
 * find them.  defer: the plan's end may wait for the reply (tail).
 */
static int
ct_apply(struct container *ct, const struct ct_params *p,
    const struct ct_params *live_after, const struct ct_params *saved_after,
    const struct kcaps *known, const struct cg_seen *known_seen, bool defer,
    struct aerr *err)
{
	_cleanup_free_ char *live = NULL;
	struct apply_done *done;
	struct cg_seen seen = { 0 };
	struct kcaps caps;
	struct plan pl;
	int *fds;
	int r;

	tail_run();
	if ((r = ct_dirs(ct, err)) < 0)
		return r;
	if (known != NULL) {
		caps = *known;
		if (known_seen != NULL)
			seen = *known_seen;
	} else {
		caps_seen(ct, p, &caps, &seen);
	}
	if ((r = ct_plan_caps(ct, p, &caps, &pl, &seen, err)) == 0) {
		live = live_render(live_after, saved_after, ct_gen(ct));
		done = xcalloc(pl.nops ? pl.nops : 1, sizeof(*done));
		fds = xcalloc(pl.nops ? pl.nops : 1, sizeof(*fds));
		r = apply_plan_keep(&ad->layout, &ct->cg, ct->name, ct->cgpath,
		    &pl, live, &seen, done, fds, err);
		tail.ct = r == 0 ? ct : NULL;
		tail.pl = pl;
		tail.fds = fds;
		tail.done = done;
		if (r < 0) {
			plan_free(&pl);
			free(fds);
			free(done);
		} else if (!defer || !tail.armed) {
			tail_run();
		}
	}
	ct_dirs_done(ct);
	return r;
}

int
ct_set(struct container *ct, const struct ct_params *chg, bool save,
    struct sbuf *warn, struct aerr *err)
{
	struct ct_params eff = *ct_effective(ct), saved = ct->conf.params;
	struct ct_params scope;
	struct cg_seen seen = { 0 };
	struct ctconf nc;
	struct kcaps caps;
	char *tmp = NULL;
	int r;

	if (!ct->running && !save)
		return aerr_set(err, ESRCH, "container %s is not running (no "
		    "cgroup %s): use --save to store settings for its next "
		    "start", ct->name, ct->cgpath);
	params_merge(&eff, chg);
	params_merge(&saved, chg);
	plan_scope(&eff, chg, &scope);
	caps_seen(ct, &scope, &caps, &seen);
	if ((r = params_validate(&eff, &caps, warn, err)) < 0)
		return aerr_prefix(err, "%s: ", ct->name);
	if (save) {
		if ((r = params_validate(&saved, &caps, NULL, err)) < 0)
			return aerr_prefix(err, "%s (saved settings): ", ct->name);
		ctconf_copy(&ct->conf, &nc);
		ctconf_update(&nc, chg);
		/* a discovered container keeps its cgroup across restarts */
		if (ct->origin == CT_DISCOVERED)
			ctconf_set_raw(&nc, "CGROUP", ct->cgpath);
		if ((r = save_prepare(ct->name, &nc, &tmp, err)) < 0) {
			ctconf_free(&nc);
			return r;
		}
	}
	/* the disk quota is set first and put back if the cgroup part
	 * fails: it is the part that can be refused by the filesystem */
	if (quota_changes(chg) &&
	    (r = quota_set(ct, &eff, chg->v[P_PRIVATE].set, warn, err)) < 0) {
		if (save) {
			save_abort(tmp);
			ctconf_free(&nc);
		}
		return r;
	}
	if (ct->running) {
		if ((r = ct_apply(ct, &scope, &eff, save ? &nc.params :
		    &ct->conf.params, &caps, &seen, true, err)) < 0) {
			struct aerr qe = { 0 };

			if (quota_changes(chg) &&
			    quota_set(ct, ct_effective(ct), false, NULL, &qe) < 0)
				log_warn("%s: disk quota not put back: %s",
				    ct->name, qe.msg);
			if (save) {
				save_abort(tmp);
				ctconf_free(&nc);
			}
			return r;
		}
		ct_live_set(ct, &eff);
		vswap_start(ct);
		sampler_limits_changed(ct);
	}
	if (!save)
		return 0;
	if ((r = save_commit(ct->name, tmp, err)) < 0) {
		ctconf_free(&nc);
		return aerr_prefix(err, "applied but not saved: ");
	}
	ct_conf_set(ct, &nc);
	ct->has_conf = true;
	return 0;
}

/* ---- starting and stopping -------------------------------------------- */

/*
 * On v1 a runtime makes a container's cgroup in one hierarchy after the
 * other.  A cgroup younger than START_GRACE seconds that is not yet in
 * every hierarchy accountd uses is looked at again shortly; an older one
 * is managed as it is (a runtime may leave some hierarchies out).  The
 * age is the directory's ctime, which kernfs sets at mkdir.
 */
#define START_GRACE	2

/* ---- birth and end ------------------------------------------------------- */

/*
 * A container whose cgroup accountd saw being made is "born": its kernel
 * counters started at 0 then, so all of them are its usage (the ledger
 * bills it from 0 and its first failures are alerted; docs/billing.md).
 * Seen are: own cgroups accountd makes, cgroups inotify shows appearing
 * in a watched folder (discover= parents, the folders of registered
 * containers), and those a runtime hook announces (ct_born_observed).
 * inotify may report a creation before the rescan that starts the
 * container: such paths wait here for BORN_KEEP_S seconds.
 */
#define BORN_MAX	1024
#define BORN_KEEP_S	10

static struct {
	char	*path;
	time_t	 at;
} born[BORN_MAX];
static size_t nborn;

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* When the cgroup was made: its directory's ctime (kernfs sets it at
 * mkdir), never later than now. */
static uint64_t
birth_ms(const struct container *ct)
{
	const struct cg_hier *h = &ad->layout.hier[ad->layout.primary];
	uint64_t now = wall_ms(), t;
	struct stat st;

	if (fstatat(h->fd, ct->cgpath, &st, 0) < 0)
		return now;
	t = (uint64_t)st.st_ctim.tv_sec * 1000 +
	    (uint64_t)st.st_ctim.tv_nsec / 1000000;
	return t != 0 && t < now ? t : now;
}

/* Was RELPATH's creation reported?  Forgets it. */
static bool
born_take(const char *relpath)
{
	time_t now = time(NULL);
	bool found = false;
	size_t k = 0;

	for (size_t i = 0; i < nborn; i++) {
		if (!found && strcmp(born[i].path, relpath) == 0) {
			found = true;
			free(born[i].path);
		} else if (now - born[i].at > BORN_KEEP_S) {
			free(born[i].path);
		} else {
			born[k++] = born[i];
		}
	}
	nborn = k;
	return found;
}

/*
 * The birth of a registered container's cgroup was seen (a runtime hook
 * reported it, or accountd made it): its counters count from 0.  Marking
 * a container that runs already is right as long as nothing billed it
 * yet, which is the case right after its start.
 */
void
ct_born_observed(struct container *ct)
{
	if (ct->running && ct->born_ms == 0)
		ct->born_ms = birth_ms(ct);
	else if (!ct->running)
		ct->born_ms = 1;	/* its start takes the real time */
}

/* inotify saw RELPATH (below the primary hierarchy) being made. */
void
ct_born_path(const char *relpath)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	while (*relpath == '/')
		relpath++;
	for (size_t i = 0; i < ad->ncts; i++) {
		struct container *ct = ad->cts[i];

		/* already started by a rescan that ran before this event */
		if (strcmp(ct->cgpath, relpath) == 0 && ct->running) {
			if (ct->born_ms == 0 && time(NULL) - ct->since <= 2)
				ct->born_ms = birth_ms(ct);
			goto out;
		}
	}
	(void)born_take(relpath);	/* no duplicate; prunes old ones */
	if (nborn == BORN_MAX) {
		free(born[0].path);
		memmove(born, born + 1, (BORN_MAX - 1) * sizeof(born[0]));
		nborn--;
	}
	born[nborn].path = xstrdup(relpath);
	born[nborn++].at = time(NULL);
out:
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	/* bench/birth-end.sh reads this figure */
	log_debug("%s: birth seen in %.1f us", relpath,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3);
}

/*
 * The end of a running container whose cgroup still exists (destroy, or
 * its last process left): read every counter one last time, alerting any
 * failure of its last moment, and keep them for the ledger as a departed
 * record.  The caller then detaches it.
 */
void
ct_end(struct container *ct)
{
	if (!ct->running)
		return;
	if (ct_dirs(ct, NULL) == 0) {
		sampler_final(ct);
		ct_dirs_done(ct);
	}
	publish_departed(ct);
}

/*
 * The path was checked to have no '.' or '..', but a folder may still
 * lead back to the hierarchy's root or out of it (a symbolic link in a
 * tree given as cgroup_root): the root's processes are the host's.
 */
static bool
cg_below_root(struct container *ct)
{
	int p = ad->layout.primary, dfd = ct->cg.dfd[p];
	struct stat a, b;

	if (dfd < 0 || fstat(dfd, &a) < 0 || fstat(ad->layout.hier[p].fd,
	    &b) < 0)
		return true;	/* nothing open there: nothing to refuse */
	if (a.st_dev == b.st_dev && a.st_ino != b.st_ino)
		return true;
	if (ct->status_msg == NULL || strcmp(ct->status_msg, "not managed: "
	    "its cgroup is the root of the hierarchy or outside it") != 0)
		log_err("%s: cgroup %s is the root of %s or outside it; not "
		    "managed", ct->name, ct->cgpath, ad->layout.hier[p].path);
	ct_status(ct, "not managed: its cgroup is the root of the hierarchy "
	    "or outside it");
	return false;
}

/*
 * The cgroup is there: open it, start accounting and apply the saved
 * settings, with `extra` (a runtime hook's annotations, or NULL) on top.
 * Returns 0 when the container runs with its settings in force (or is
 * left to be looked at again, inside START_GRACE), else -errno with err
 * filled; the container then runs without limits (live cleared), its
 * accounting on, and the error kept for show and list.
 */
static int
ct_start(struct container *ct, const struct ct_params *extra,
    struct sbuf *warnp, struct aerr *err)
{
	struct sbuf warn = SBUF_INIT;
	struct aerr aerr = { 0 };
	struct ct_params live;
	struct stat st;
	int n, r, want = 0;

	if ((n = cg_ct_open(&ad->layout, ct->cgpath, &ct->cg, err)) < 0) {
		log_debug("%s: %s", ct->name, err->msg);
		return n;
	}
	if (!cg_below_root(ct)) {
		cg_ct_close(&ct->cg);
		return aerr_set(err, EPERM, "%s: %s", ct->name, ct->status_msg);
	}
	for (int i = 0; i < ad->layout.nhier; i++)
		want += ad->layout.hier[i].ctrls != 0;
	if (n < want) {
		if (!ct->adopt_now &&
		    fstat(ct->cg.dfd[ad->layout.primary], &st) == 0 &&
		    time(NULL) - st.st_ctime < START_GRACE) {
			cg_ct_close(&ct->cg);
			watch_kick_path(ct->cgpath);	/* look again shortly */
			return 0;
		}
		log_info("%s: cgroup %s is in %d of %d hierarchies; managing "
		    "what is there", ct->name, ct->cgpath, n, want);
	}
	ct->adopt_now = false;
	/* its directories and (v1) eventfd stay open if the budget allows */
	ct->fds_taken = (unsigned)n + (cg_version(&ad->layout, CTRL_MEMORY) == 1);
	ct->lean = !bc_budget_take_dirs(ct->fds_taken, ct->name);
	if (ct->lean)
		ct->fds_taken = 0;
	ct->dir_holds = ct->lean ? 1 : 0;	/* held through the start */
	ct->running = true;
	ct->since = time(NULL);
	if (ct->born_ms != 0 || born_take(ct->cgpath))
		ct->born_ms = birth_ms(ct);
	ct_status(ct, NULL);
	live = ct->conf.params;
	/* values set without --save before accountd restarted, for this
	 * same cgroup, are still the ones in effect */
	if (live_load(ct->name, ct_gen(ct), &live) == 0)
		log_info("%s: values not saved are kept from before the "
		    "restart", ct->name);
	if (extra != NULL)
		params_merge(&live, extra);
	ct_live_set(ct, &live);
	if (admit_armed() && !ct->admit_forced &&
	    admit_check(ct->name, ct, &live, false, &aerr) < 0) {
		/* the runtime started it: it runs, without the guarantee */
		log_err("%s; it runs without its guarantee", aerr.msg);
		ct_status(ct, aerr.msg);
		memset(&live.v[P_MEMGUARANTEE], 0,
		    sizeof(live.v[P_MEMGUARANTEE]));
		ct_live_set(ct, &live);
	}
	ct->admit_forced = false;
	bc_start(ct);
	/* an apply error names the container, a validation error not */
	if ((r = params_validate(&live, NULL, warnp ? warnp : &warn,
	    err)) < 0)
		aerr_prefix(err, "%s: ", ct->name);
	else
		r = ct_apply(ct, &live, &live, &ct->conf.params, NULL,
		    NULL, false, err);
	if (r < 0) {
		log_err("%s not applied: %s", extra ? "settings" :
		    "saved settings", err->msg);
		ct_status(ct, err->msg);
		memset(&live, 0, sizeof(live));
		ct_live_set(ct, &live);
	} else {
		log_info("%s: running in %s, %s applied", ct->name,
		    ct->cgpath, extra ? "saved and given settings" :
		    "saved settings");
	}
	vswap_start(ct);
	sampler_add_deferred(ct, extra != NULL);	/* a hook waits */
	ct_dirs_done(ct);	/* a lean container lets its directories go */
	sbuf_free(&warn);
	return r;
}

static void
ct_started(struct container *ct)
{
	struct aerr err = { 0 };

	(void)ct_start(ct, NULL, NULL, &err);
}

/* Stop accounting and close the cgroup; the record stays in the store. */
void
ct_detach(struct container *ct)
{
	if (!ct->running)
		return;
	tail_run();
	sampler_remove(ct);
	drift_forget(ct);
	vswap_stop(ct);
	bc_stop(ct);
	cg_ct_close(&ct->cg);
	bc_budget_give(ct->fds_taken);
	ct->fds_taken = 0;
	ct->lean = false;
	ct->dir_holds = 0;
	ct->running = false;
	ct->born_ms = 0;
}

/* The cgroup is gone: its counters as last read (at its last process's
 * exit where a signal told, else at the last sample) are its end. */
static void
ct_stopped(struct container *ct)
{
	if (ct->origin == CT_HOOKED)
		hook_record(ct, false);	/* ended without its hook */
	publish_departed(ct);
	ct_detach(ct);
	live_forget(ct->name);	/* what was not saved ends with it */
	log_info("%s: stopped (cgroup %s is gone)", ct->name, ct->cgpath);
}

/* Name from a discover= pattern such as lxc.payload.%n. */
static bool
match_pattern(const char *pattern, const char *path, char *name, size_t len)
{
	const char *pn = strstr(pattern, "%n");
	size_t pre, suf, pl = strlen(path);

	if (pn == NULL) {
		const char *base = strrchr(path, '/');

		if (fnmatch(pattern, path, FNM_PATHNAME) != 0)
			return false;
		snprintf(name, len, "%s", base ? base + 1 : path);
		return true;
	}
	pre = (size_t)(pn - pattern);
	suf = strlen(pn + 2);
	if (pl < pre + suf + 1 || strncmp(path, pattern, pre) != 0 ||
	    strcmp(path + pl - suf, pn + 2) != 0)
		return false;
	snprintf(name, len, "%.*s", (int)(pl - pre - suf), path + pre);
	return strchr(name, '/') == NULL;
}

/* A 64-digit hex container id (Docker, containerd) is too long for a
 * name: it becomes its first 12 digits, the short id `docker ps` shows. */
static void
short_id(char *name)
{
	size_t n = strspn(name, "0123456789abcdef");

	if (n >= 32 && name[n] == '\0')
		name[12] = '\0';
}

/* The discover= pattern that finds cgroup RELPATH, or NULL. */
const char *
ct_discover_pattern(const char *relpath)
{
	char name[CT_NAME_MAX];

	while (*relpath == '/')
		relpath++;
	for (size_t i = 0; i < ad->cfg.ndiscover; i++) {
		const char *pat = ad->cfg.discover[i];

		while (*pat == '/')
			pat++;
		if (match_pattern(pat, relpath, name, sizeof(name)))
			return ad->cfg.discover[i];
	}
	return NULL;
}

/* Adds a container for each folder a discover= pattern finds that none
 * names yet; returns how many were added. */
static size_t
discover(void)
{
	const struct cg_hier *h = &ad->layout.hier[ad->layout.primary];
	size_t added = 0;

	for (size_t i = 0; i < ad->cfg.ndiscover; i++) {
		const char *pat = ad->cfg.discover[i];
		_cleanup_free_ char *g = NULL;
		char *pn;
		glob_t gl;

		while (*pat == '/')
			pat++;
		g = xasprintf("%s/%s", h->path, pat);
		if ((pn = strstr(g, "%n")) != NULL)
			memmove(pn + 1, pn + 2, strlen(pn + 2) + 1), *pn = '*';
		if (glob(g, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &gl) != 0)
			continue;
		for (size_t k = 0; k < gl.gl_pathc; k++) {
			const char *relp = gl.gl_pathv[k] + strlen(h->path) + 1;
			char name[CT_NAME_MAX];
			struct container *ct;

			if (!match_pattern(pat, relp, name, sizeof(name)))
				continue;
			short_id(name);
			if (ct_name_check(name, NULL) < 0)
				continue;
			ct = ct_find(name);
			if (ct == NULL && ct_cgpath_claim(relp, NULL, NULL) == 0) {
				ct = ct_new(name, relp, CT_DISCOVERED);
				added++;
			}
		}
		globfree(&gl);
	}
	return added;
}

/* One container of a refresh: started when its cgroup appeared, stopped
 * when it went away.  Returns true when the container was deleted (a
 * discovered or hooked one without a file, or one no pattern finds). */
static bool
refresh_one(struct container *ct)
{
	bool exists;

	if (ctl_destroying(ct->name))
		return false;	/* ctl.c forgets it, or starts it again */
	exists = cg_ct_exists(&ad->layout, ct->cgpath);
	/* a hooked container's cgroup may linger after the hook said it
	 * ended: only the hook starts it again */
	if (exists && !ct->running && !ct->hook_ended)
		ct_started(ct);
	else if (!exists && ct->running)
		ct_stopped(ct);
	if (!exists && (ct->origin == CT_DISCOVERED ||
	    ct->origin == CT_HOOKED) && !ct->has_conf) {
		ct_delete(ct);
		return true;
	}
	/* its pattern was removed (reload): let it go, or keep it as adopted
	 * when its settings were saved (CGROUP= in its file), as the next
	 * start would */
	if (ct->origin == CT_DISCOVERED &&
	    ct_discover_pattern(ct->cgpath) == NULL) {
		if (ct->has_conf) {
			ct->origin = CT_ADOPTED;
			log_info("%s: no discover= pattern finds %s any more; "
			    "kept as adopted (it has saved settings)", ct->name,
			    ct->cgpath);
		} else {
			log_info("%s: no discover= pattern finds %s any more; "
			    "no longer managed, its limits are left as they "
			    "are", ct->name, ct->cgpath);
			ct_delete(ct);
			return true;
		}
	}
	return false;
}

/*
 * The full check (the periodic rescan, start, reload): containers whose
 * cgroup appeared get their saved settings; those whose cgroup went away
 * are marked stopped (discovered ones without a file are forgotten).
 * One stat per container.
 */
void
ct_refresh_all(void)
{
	discover();
	log_debug("check of all %zu containers", ad->ncts);
	for (size_t i = 0; i < ad->ncts; i++)
		if (refresh_one(ad->cts[i]))
			i--;
	watch_update();
}

/* Whether cgroup path CG is PATH or below it. */
static bool
path_covers(const char *path, const char *cg)
{
	size_t n;

	while (*path == '/')
		path++;
	n = strlen(path);

	return strncmp(cg, path, n) == 0 && (cg[n] == '\0' || cg[n] == '/');
}

/*
 * The check after inotify named what changed (PATHS, below the primary
 * hierarchy): only the containers at or below those folders are looked
 * at, so that a host where containers come and go does not stat every
 * cgroup at every birth (with a thousand containers, a few births a
 * second made these stats most of accountd's work, and each one held the
 * requests waiting).  A container newly discovered makes it a full check.
 */
void
ct_refresh_paths(const char *const *paths, size_t npaths)
{
	size_t seen = 0, all = ad->ncts;

	if (discover() > 0) {
		ct_refresh_all();
		return;
	}
	for (size_t i = 0; i < ad->ncts; i++) {
		struct container *ct = ad->cts[i];
		size_t k;

		for (k = 0; k < npaths; k++)
			if (path_covers(paths[k], ct->cgpath))
				break;
		if (k == npaths)
			continue;
		seen++;
		if (refresh_one(ct))
			i--;
	}
	/* tests/integration/watch-births.sh reads this line */
	log_debug("check of %zu folder%s: %zu of %zu containers", npaths,
	    npaths == 1 ? "" : "s", seen, all);
	watch_update();
}

/* ---- runtime hooks (accountd-hook) --------------------------------------- */

/* Whether processes are in the container's cgroup. */
static bool
ct_has_procs(struct container *ct)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (!ct->running || ct_dirs(ct, NULL) < 0)
		return false;
	if (cg_procs(&ad->layout, &ct->cg, &pids, &n) < 0)
		n = 0;
	free(pids);
	ct_dirs_done(ct);
	return n > 0;
}

/*
 * A runtime's hook says container NAME starts in cgroup CGPATH, before its
 * payload runs: take it (known by name or not), apply its saved settings
 * with `extra` on top, and return only once they are written (the same
 * all-or-nothing apply as a set).  A known container with processes in
 * another cgroup is refused; an empty one is let go (and removed if
 * accountd made it, for a CTID.conf, before the runtime named the
 * container's cgroup).  On failure the container still runs, accounted,
 * without limits; the error is returned and kept for show.
 */
int
ct_hook_start(const char *name, const char *cgpath,
    const struct ct_params *extra, struct sbuf *warn, struct aerr *err)
{
	struct container *ct = ct_find(name);
	int r;

	while (*cgpath == '/')
		cgpath++;
	if (!cg_ct_exists(&ad->layout, cgpath))
		return aerr_set(err, EINVAL, "%s: no cgroup %s in the primary "
		    "hierarchy (the hook names the cgroup of the container's "
		    "first process)", name, cgpath);
	if ((r = ct_cgpath_claim(cgpath, ct, err)) < 0)
		return aerr_prefix(err, "%s: ", name);
	if (ct != NULL && strcmp(ct->cgpath, cgpath) != 0) {
		if (ct_has_procs(ct))
			return aerr_set(err, EBUSY, "container %s already runs "
			    "in cgroup %s (the runtime gives %s)", name,
			    ct->cgpath, cgpath);
		if (ct->running) {
			struct aerr re = { 0 };

			ct_detach(ct);
			if (ct->origin == CT_OWN &&
			    cg_ct_remove(&ad->layout, ct->cgpath, &re) < 0)
				log_warn("%s: %s", name, re.msg);
		}
		bypath_del(ct);
		free(ct->cgpath);
		ct->cgpath = xstrdup(cgpath);
		bypath_add(ct);
	}
	if (ct == NULL)
		ct = ct_new(name, cgpath, CT_HOOKED);
	ct->origin = CT_HOOKED;
	if (!ct->running) {
		ct->adopt_now = true;	/* the runtime made it all: no grace */
		r = ct_start(ct, extra, warn, err);
		/* the runtime made the cgroup just before its hook: the
		 * counters count from its mkdir */
		if (ct->running)
			ct_born_observed(ct);
	} else {
		/* found first by a rescan (discover=): apply it all now */
		struct ct_params p = ct->conf.params;

		params_merge(&p, extra);
		if ((r = params_validate(&p, NULL, warn, err)) < 0)
			aerr_prefix(err, "%s: ", name);
		else if ((r = ct_apply(ct, &p, &p, &ct->conf.params, NULL,
		    NULL, false, err)) == 0) {
			ct_live_set(ct, &p);
			ct_status(ct, NULL);
			vswap_start(ct);
			sampler_limits_changed(ct);
		} else {
			ct_status(ct, err->msg);
		}
	}
	if (r == 0 && !ct->running)
		r = aerr_set(err, EIO, "%s: cgroup %s could not be opened",
		    name, cgpath);
	ct->hook_ended = false;
	if (ct->running)
		hook_record(ct, true);
	watch_update();
	return r;
}

/*
 * The runtime's hook says the container ended (OCI poststop, LXC
 * post-stop): stop following it (its cgroup may linger for a moment) and,
 * without a CTID.conf, forget it.  Its beancounter record stays in the
 * store, as for any stop.
 */
void
ct_hook_end(struct container *ct)
{
	if (ct->running) {
		ct_end(ct);	/* the last read, while the cgroup may linger */
		ct_detach(ct);
		log_info("%s: ended (said its runtime's hook)", ct->name);
	}
	ct->hook_ended = true;
	hook_record(ct, false);
	if (!ct->has_conf)
		ct_delete(ct);
	watch_update();
}

/* At start: the hooked containers that ran when accountd stopped.  Those
 * whose cgroup is gone ended meanwhile. */
static void
ct_load_hooked(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/hooked", ad->cfg.run_dir);
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
		_cleanup_fclose_ FILE *f = NULL;
		char cg[600], *nl;
		struct container *ct;

		if (de->d_name[0] == '.' || ct_name_check(de->d_name, NULL) < 0 ||
		    ct_find(de->d_name) != NULL)
			continue;
		if ((f = fopen(path, "re")) == NULL ||
		    fgets(cg, sizeof(cg), f) == NULL)
			continue;
		if ((nl = strchr(cg, '\n')) != NULL)
			*nl = '\0';
		if (ct_cgpath_check(cg, NULL) < 0 ||
		    !cg_ct_exists(&ad->layout, cg)) {
			unlink(path);
			continue;
		}
		ct = ct_new(de->d_name, cg, CT_HOOKED);
		ct->adopt_now = true;
		log_info("%s: hooked container still running in %s", ct->name,
		    ct->cgpath);
	}
	closedir(d);
}

static int
ct_load_one(const char *name, struct aerr *err)
{
	_cleanup_free_ char *target = ct_conf_target(name);
	struct sbuf warn = SBUF_INIT;
	struct ctconf cf;
	struct container *ct;
	char cg[600];
	const char *cgpath;
	enum ct_origin origin = CT_OWN;
	int r;

	/* a symlinked CTID.conf is read at its target, one link and no
	 * further: see ct_conf_target() */
	if ((r = ct_import_file(target, &cf, &warn, err)) < 0) {
		sbuf_free(&warn);
		return r;
	}
	if (warn.len > 0)
		log_warn("%.*s", (int)warn.len - 1, sbuf_str(&warn));
	sbuf_free(&warn);
	if ((cgpath = ctconf_get_raw(&cf, "CGROUP", cg, sizeof(cg))) != NULL) {
		if ((r = ct_cgpath_check(cgpath, err)) < 0) {
			ctconf_free(&cf);
			return aerr_prefix(err, "%s: ", target);
		}
		origin = CT_ADOPTED;
	}
	ct = ct_find(name);
	if (ct == NULL) {
		_cleanup_free_ char *own = xasprintf("%s/%s",
		    ad->cfg.cgroup_parent, name);

		if ((r = ct_cgpath_claim(cgpath ? cgpath : own, NULL, err)) < 0) {
			ctconf_free(&cf);
			return r;
		}
		ct = ct_new(name, cgpath ? cgpath : own, origin);
	}
	ct_conf_set(ct, &cf);
	ct->has_conf = true;
	/* accountd's own containers exist from the moment they are known:
	 * an OpenVZ CTID.conf dropped into ct_conf_dir gets its cgroup */
	if (ct->origin == CT_OWN && !cg_ct_exists(&ad->layout, ct->cgpath)) {
		if ((r = cg_ct_create(&ad->layout, ct->cgpath, err)) < 0)
			return aerr_prefix(err, "%s: ", name);
		ct_born_observed(ct);
	}
	return 0;
}

int
ct_load_all(struct aerr *err)
{
	struct dirent *de;
	DIR *d;

	(void)err;
	ct_load_hooked();	/* first: a CTID.conf then finds it by name */
	d = opendir(ad->cfg.ct_conf_dir);
	if (d == NULL) {
		if (errno != ENOENT)
			log_warn("cannot read %s: %s", ad->cfg.ct_conf_dir,
			    strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char name[CT_NAME_MAX];
		struct aerr e = { 0 };
		_cleanup_free_ char *path = NULL;

		if (n <= 5 || strcmp(de->d_name + n - 5, ".conf") != 0 ||
		    n - 5 >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 5), de->d_name);
		path = xasprintf("%s/%s", ad->cfg.ct_conf_dir, de->d_name);
		if (ct_name_check(name, &e) < 0)
			log_warn("%s ignored: %s", path, e.msg);
		else if (ct_load_one(name, &e) < 0)
			log_err("%s: not managed, its file could not be used: %s",
			    name, e.msg);
	}
	closedir(d);
	return 0;
}

/* Tasks (threads) of a process: what moving it in adds to pids.current. */
static uint64_t
task_count(pid_t pid)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[256];
	unsigned long n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %lu", &n) == 1)
			return n > 0 ? n : 1;
	return 1;
}

/*
 * Moves pid into the container (acctctl exec and attach), refused at the
 * numproc limit: the kernel checks pids.max when a task forks, not when
 * one is moved in, so without this check a container could be entered
 * past its limit without end.
 *
 * Checking and moving are two steps, and a fork in the container (or a
 * task moved in by someone else) may come between them.  So the tasks go
 * into the pids cgroup first and the count is read again: if it is now
 * above the limit the process is moved back where it was and refused,
 * before it joins any other hierarchy.  No task of ours stays past the
 * limit; for the few microseconds in between, the count may be over it by
 * the tasks of the one process being moved (accountd moves one at a
 * time), and forks in the container fail as they would at the limit.
 */
int
ct_enter(struct container *ct, pid_t pid, struct aerr *err)
{
	uint64_t max = VAL_UNLIMITED, cur = 0, n;
	char back[1024], buf[32];
	int pfd, r;

	if ((r = ct_dirs(ct, err)) < 0)
		return r;
	pfd = cg_ct_fd(&ad->layout, &ct->cg, CTRL_PIDS);
	if (pfd < 0 || cg_read(pfd, "pids.max", buf, sizeof(buf)) < 0 ||
	    (max = cg_parse_u64(buf)) >= VAL_UNLIMITED ||
	    cg_read_u64(pfd, "pids.current", &cur) < 0 ||
	    cg_pid_cgroup(&ad->layout, CTRL_PIDS, pid, back, sizeof(back)) < 0)
		goto move;	/* no limit (or nothing to check it with) */
	{
		const char *b = back[0] == '/' ? back + 1 : back;
		size_t cl = strlen(ct->cgpath);

		if (strncmp(b, ct->cgpath, cl) == 0 &&
		    (b[cl] == '\0' || b[cl] == '/'))
			goto move;	/* inside already: counted there */
	}
	n = task_count(pid);
	if (cur + n > max)
		goto full;
	if ((r = cg_attach_ctrl(&ad->layout, &ct->cg, CTRL_PIDS, pid, err)) < 0)
		goto out;
	if (cg_read_u64(pfd, "pids.current", &cur) == 0 && cur > max) {
		struct aerr be = { 0 };

		/* something got in between the check and the move */
		if (cg_attach_path(&ad->layout, CTRL_PIDS, back, pid, &be) < 0) {
			log_err("%s: pid %d entered past numproc (%llu of %llu) "
			    "and could not be moved back: %s", ct->name, (int)pid,
			    (unsigned long long)cur, (unsigned long long)max,
			    be.msg);
			goto move;
		}
		log_info("%s: pid %d moved back: %llu of %llu tasks once it "
		    "was in (something came between check and move)",
		    ct->name, (int)pid, (unsigned long long)cur,
		    (unsigned long long)max);
		cur = cur > n ? cur - n : 0;
		goto full;
	}
move:
	r = cg_attach(&ad->layout, &ct->cg, pid, err);
out:
	ct_dirs_done(ct);
	return r;
full:
	ct_dirs_done(ct);
	return aerr_set(err, EUSERS, "container %s is at its numproc limit (%llu "
	    "of %llu tasks; pid %d has %llu): not entered, as a task moved in "
	    "would pass the limit (wait for a process to exit, or raise "
	    "--numproc)", ct->name, (unsigned long long)cur,
	    (unsigned long long)max, (int)pid, (unsigned long long)n);
}

/* From the last sample where there is one, else read now. */
uint64_t
ct_nproc(struct container *ct)
{
	uint64_t n = 0;
	pid_t *pids;
	size_t cnt;

	if (!ct->running)
		return 0;
	if (bc_present(&ct->bc, UB_NUMPROC))
		return ct->bc.r[UB_NUMPROC].held;
	if (ct_dirs(ct, NULL) < 0)
		return 0;
	if (cg_procs(&ad->layout, &ct->cg, &pids, &cnt) == 0) {
		n = cnt;
		free(pids);
	}
	ct_dirs_done(ct);
	return n;
}

uint64_t
ct_mem_usage(struct container *ct)
{
	if (!ct->running || !bc_present(&ct->bc, UB_PHYSPAGES))
		return 0;
	return ct->bc.r[UB_PHYSPAGES].held * ACCT_PAGE_SIZE;
}
