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
#include "apply.h"
#include "log.h"
#include "publish.h"
#include "quota.h"
#include "sampler.h"
#include "xalloc.h"

int
ct_name_check(const char *s, struct aerr *err)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CT_NAME_MAX || !isalnum((unsigned char)s[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			goto bad;
	return 0;
bad:
	return aerr_set(err, EINVAL, "bad container name '%s' (accepted: 1 to "
	    "63 letters, digits, '.', '_' or '-', starting with a letter or "
	    "digit, such as 101 or web1)", s);
}

int
ct_cgpath_check(const char *s, struct aerr *err)
{
	const char *p = s;

	while (*p == '/')
		p++;
	if (*p == '\0' || strlen(s) > 512)
		goto bad;
	for (const char *c = p; *c; c++)
		if (!isprint((unsigned char)*c) || *c == '\\')
			goto bad;
	if (strstr(p, "..") != NULL || strstr(p, "//") != NULL)
		goto bad;
	return 0;
bad:
	return aerr_set(err, EINVAL, "bad cgroup path '%s' (accepted: a path "
	    "below the cgroup root such as /lxc.payload.web1, without '..')", s);
}

static int
cmp_ct(const void *a, const void *b)
{
	const struct container *x = *(struct container *const *)a;
	const struct container *y = *(struct container *const *)b;

	return strcmp(x->name, y->name);
}

struct container *
ct_find(const char *name)
{
	struct container key, *kp = &key, **f;

	if (ad->ncts == 0)
		return NULL;	/* bsearch wants a non-NULL array */
	snprintf(key.name, sizeof(key.name), "%s", name);
	f = bsearch(&kp, ad->cts, ad->ncts, sizeof(*ad->cts), cmp_ct);
	return f ? *f : NULL;
}

struct container *
ct_new(const char *name, const char *cgpath, enum ct_origin origin)
{
	struct container *ct = xcalloc(1, sizeof(*ct));

	snprintf(ct->name, sizeof(ct->name), "%s", name);
	while (*cgpath == '/')
		cgpath++;
	ct->cgpath = xstrdup(cgpath);
	ct->origin = origin;
	cg_ct_init(&ct->cg);
	ad->cts = xreallocarray(ad->cts, ad->ncts + 1, sizeof(*ad->cts));
	ad->cts[ad->ncts++] = ct;
	qsort(ad->cts, ad->ncts, sizeof(*ad->cts), cmp_ct);
	return ct;
}

static void
ct_free(struct container *ct)
{
	cg_ct_close(&ct->cg);
	ctconf_free(&ct->conf);
	free(ct->cgpath);
	free(ct);
}

void
ct_delete(struct container *ct)
{
	size_t i, j;

	ct_detach(ct);
	quota_forget(ct);
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
	ad->ncts = 0;
}

const struct ct_params *
ct_effective(const struct container *ct)
{
	return ct->running ? &ct->live : &ct->conf.params;
}

static char *
read_small_file(const char *path, struct aerr *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct sbuf b = SBUF_INIT;
	char buf[4096];
	size_t n;

	if (f == NULL) {
		aerr_set(err, errno, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sbuf_add(&b, buf, n);
		if (b.len > 1024 * 1024) {
			sbuf_free(&b);
			aerr_set(err, EFBIG, "%s: larger than 1 MiB", path);
			return NULL;
		}
	}
	return sbuf_take(&b);
}

int
ct_import_file(const char *path, struct ctconf *cf, struct sbuf *warn,
    struct aerr *err)
{
	_cleanup_free_ char *text = read_small_file(path, err);

	if (text == NULL)
		return -(err && err->errnum ? err->errnum : EIO);
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
/* Where NAME.conf really is: a symlinked CTID.conf (Virtuozzo links
 * them) is rewritten at its target, so the link stays a link. */
static char *
conf_target(const char *name)
{
	_cleanup_free_ char *link = xasprintf("%s/%s.conf", ad->cfg.ct_conf_dir,
	    name);
	char *real = realpath(link, NULL);

	return real != NULL ? real : xstrdup(link);
}

static int
save_prepare(const char *name, const struct ctconf *cf, char **tmp,
    struct aerr *err)
{
	_cleanup_free_ char *text = ctconf_render(cf);
	_cleanup_free_ char *target = conf_target(name);
	_cleanup_close_ int fd = -1;
	size_t n = strlen(text);

	*tmp = xasprintf("%s.tmp", target);
	fd = open(*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) < 0) {
		int e = errno ? errno : EIO;

		if (fd >= 0)
			unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return aerr_set(err, e, "cannot save %s: %s", target,
		    strerror(e));
	}
	return 0;
}

static int
save_commit(const char *name, char *tmp, struct aerr *err)
{
	_cleanup_free_ char *path = conf_target(name);
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

/* What the kernel offers for this container, and how VSwap is done. */
void
ct_caps(const struct container *ct, struct kcaps *caps)
{
	cg_kcaps(&ad->layout, ct->cgpath, caps, NULL);
	caps->vswap_mode = (uint8_t)vswap_host_mode();
}

int
ct_plan(struct container *ct, const struct ct_params *p,
    struct kcaps *caps, struct plan *pl, struct aerr *err)
{
	struct kstate st = { 0 };

	ct_caps(ct, caps);
	if (ct->running && ct_dirs(ct, NULL) == 0) {
		cg_kstate(&ad->layout, &ct->cg, &st);
		ct_dirs_done(ct);
	}
	return plan_build(p, caps, &st, pl, err);
}

/* Apply `p` (a whole set or a scoped subset) to the running container. */
static int
ct_apply(struct container *ct, const struct ct_params *p, struct aerr *err)
{
	struct kcaps caps;
	struct plan pl;
	int r;

	if ((r = ct_dirs(ct, err)) < 0)
		return r;
	if ((r = ct_plan(ct, p, &caps, &pl, err)) == 0) {
		r = apply_plan(&ad->layout, &ct->cg, ct->name, &pl, err);
		plan_free(&pl);
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
	ct_caps(ct, &caps);
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
		plan_scope(&eff, chg, &scope);
		if ((r = ct_apply(ct, &scope, err)) < 0) {
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
		ct->live = eff;
		vswap_start(ct);
		sampler_limits_changed(ct);
	}
	if (!save)
		return 0;
	if ((r = save_commit(ct->name, tmp, err)) < 0) {
		ctconf_free(&nc);
		return aerr_prefix(err, "applied but not saved: ");
	}
	ctconf_free(&ct->conf);
	ct->conf = nc;
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

static void
ct_started(struct container *ct)
{
	struct aerr err = { 0 };
	struct sbuf warn = SBUF_INIT;
	struct stat st;
	int n, want = 0;

	if ((n = cg_ct_open(&ad->layout, ct->cgpath, &ct->cg, &err)) < 0) {
		log_debug("%s: %s", ct->name, err.msg);
		return;
	}
	for (int i = 0; i < ad->layout.nhier; i++)
		want += ad->layout.hier[i].ctrls != 0;
	if (n < want) {
		if (!ct->adopt_now &&
		    fstat(ct->cg.dfd[ad->layout.primary], &st) == 0 &&
		    time(NULL) - st.st_ctime < START_GRACE) {
			cg_ct_close(&ct->cg);
			watch_kick();		/* look again shortly */
			return;
		}
		log_info("%s: cgroup %s is in %d of %d hierarchies; managing "
		    "what is there", ct->name, ct->cgpath, n, want);
	}
	ct->adopt_now = false;
	/* its directories and (v1) eventfd stay open if the budget allows */
	ct->fds_taken = (unsigned)n + (cg_version(&ad->layout, CTRL_MEMORY) == 1);
	ct->lean = !bc_budget_take(ct->fds_taken, ct->name);
	if (ct->lean)
		ct->fds_taken = 0;
	ct->dir_holds = ct->lean ? 1 : 0;	/* held through the start */
	ct->running = true;
	ct->since = time(NULL);
	if (ct->born_ms != 0 || born_take(ct->cgpath))
		ct->born_ms = birth_ms(ct);
	ct->status_msg[0] = '\0';
	ct->live = ct->conf.params;
	bc_start(ct);
	if (params_validate(&ct->live, NULL, &warn, &err) < 0 ||
	    ct_apply(ct, &ct->live, &err) < 0) {
		log_err("%s: saved settings not applied: %s", ct->name, err.msg);
		snprintf(ct->status_msg, sizeof(ct->status_msg), "%s", err.msg);
		memset(&ct->live, 0, sizeof(ct->live));
	} else {
		log_info("%s: running in %s, saved settings applied", ct->name,
		    ct->cgpath);
	}
	vswap_start(ct);
	sampler_add(ct);
	ct_dirs_done(ct);	/* a lean container lets its directories go */
	sbuf_free(&warn);
}

/* Stop accounting and close the cgroup; the record stays in the store. */
void
ct_detach(struct container *ct)
{
	if (!ct->running)
		return;
	sampler_remove(ct);
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
	publish_departed(ct);
	ct_detach(ct);
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

static void
discover(void)
{
	const struct cg_hier *h = &ad->layout.hier[ad->layout.primary];

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
			if (ct == NULL)
				ct = ct_new(name, relp, CT_DISCOVERED);
		}
		globfree(&gl);
	}
}

/*
 * The periodic and event-driven check: containers whose cgroup appeared
 * get their saved settings; those whose cgroup went away are marked
 * stopped (discovered ones without a file are forgotten).
 */
void
ct_refresh_all(void)
{
	discover();
	for (size_t i = 0; i < ad->ncts; i++) {
		struct container *ct = ad->cts[i];
		bool exists = cg_ct_exists(&ad->layout, ct->cgpath);

		if (exists && !ct->running)
			ct_started(ct);
		else if (!exists && ct->running)
			ct_stopped(ct);
		if (!exists && ct->origin == CT_DISCOVERED && !ct->has_conf) {
			ct_delete(ct);
			i--;
			continue;
		}
		/* its pattern was removed (reload): let it go, or keep it as
		 * adopted when its settings were saved (CGROUP= in its file),
		 * as the next start would */
		if (ct->origin == CT_DISCOVERED &&
		    ct_discover_pattern(ct->cgpath) == NULL) {
			if (ct->has_conf) {
				ct->origin = CT_ADOPTED;
				log_info("%s: no discover= pattern finds %s any "
				    "more; kept as adopted (it has saved "
				    "settings)", ct->name, ct->cgpath);
			} else {
				log_info("%s: no discover= pattern finds %s any "
				    "more; no longer managed, its limits are "
				    "left as they are", ct->name, ct->cgpath);
				ct_delete(ct);
				i--;
			}
		}
	}
	watch_update();
}

static int
ct_load_one(const char *name, const char *path, struct aerr *err)
{
	struct sbuf warn = SBUF_INIT;
	struct ctconf cf;
	struct container *ct;
	char cg[600];
	const char *cgpath;
	enum ct_origin origin = CT_OWN;
	int r;

	if ((r = ct_import_file(path, &cf, &warn, err)) < 0) {
		sbuf_free(&warn);
		return r;
	}
	if (warn.len > 0)
		log_warn("%.*s", (int)warn.len - 1, sbuf_str(&warn));
	sbuf_free(&warn);
	if ((cgpath = ctconf_get_raw(&cf, "CGROUP", cg, sizeof(cg))) != NULL) {
		if ((r = ct_cgpath_check(cgpath, err)) < 0) {
			ctconf_free(&cf);
			return aerr_prefix(err, "%s: ", path);
		}
		origin = CT_ADOPTED;
	}
	ct = ct_find(name);
	if (ct == NULL) {
		_cleanup_free_ char *own = xasprintf("%s/%s",
		    ad->cfg.cgroup_parent, name);

		ct = ct_new(name, cgpath ? cgpath : own, origin);
	}
	ctconf_free(&ct->conf);
	ct->conf = cf;
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
	DIR *d = opendir(ad->cfg.ct_conf_dir);

	(void)err;
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
		else if (ct_load_one(name, path, &e) < 0)
			log_err("%s: not managed, its file could not be used: %s",
			    name, e.msg);
	}
	closedir(d);
	return 0;
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
	if (ct->bc.r[UB_NUMPROC].present)
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
	if (!ct->running || !ct->bc.r[UB_PHYSPAGES].present)
		return 0;
	return ct->bc.r[UB_PHYSPAGES].held * ACCT_PAGE_SIZE;
}
