/* SPDX-License-Identifier: ISC */
/* Limits changed by someone else: see drift.h. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "accountd.h"
#include "alert.h"
#include "apply.h"
#include "drift.h"
#include "intmap.h"
#include "log.h"
#include "xalloc.h"

struct drift_file {
	enum cg_ctrl	 ctrl;
	enum param_id	 param;		/* as in the plan op */
	char		 file[48];
	char		 want[128];	/* the kernel's text after accountd wrote */
	char		 got[128];	/* the kernel's text when found drifted */
	bool		 drifted;
	int		 wd;		/* inotify watch, or -1: read every round */
};

struct drift {
	struct drift_file *f;
	size_t		   n;
	bool		   due;		/* a watched file was written */
};

static int ifd = -1;
static struct event *ino_ev, *settle_ev, *poll_ev;
static struct intmap by_wd = INTMAP_INIT;	/* watch -> container */
static unsigned npolled;		/* files without a watch */
static bool watch_warned;

/* ---- reading ----------------------------------------------------------- */

/* The file's value as text, without the trailing newline. */
static int
read_text(struct container *ct, enum cg_ctrl c, const char *file, char *buf,
    size_t len)
{
	int dfd = cg_ct_fd(&ad->layout, &ct->cg, c);
	ssize_t r;

	r = dfd >= 0 ? cg_read(dfd, file, buf, len) :
	    cg_read_path(&ad->layout, c, ct->cgpath, file, buf, len);
	if (r < 0)
		return (int)r;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		buf[--r] = '\0';
	return 0;
}

/* The parameter a user sees a file's drift under. */
static enum param_id
shown_param(const struct container *ct, enum param_id p)
{
	const struct ct_params *live = ct_live(ct);

	/* one quota carries cpulimit and cpus */
	if (p == P_CPULIMIT && !live->v[P_CPULIMIT].set && live->v[P_CPUS].set)
		return P_CPUS;
	if (p == P_TCPSNDBUF && !live->v[P_TCPSNDBUF].set)
		return P_TCPRCVBUF;
	return p;
}

static uint64_t
div_round(uint64_t a, uint64_t b)
{
	return b ? (a + b / 2) / b : 0;
}

/*
 * The kernel's value of a drifted parameter in the user's terms, the way
 * show prints the configured one: the configured parameters with this
 * one's value taken from the kernel, formatted by the same code.  A file
 * with no inverse here is shown as FILE=TEXT.  *bytes gets the RAM or
 * swap figure list prints (empty for other parameters).
 */
static void
kernel_human(struct container *ct, enum param_id p, const struct drift_file *df,
    char *out, size_t len, char *bytes, size_t blen)
{
	struct ct_params k = *ct_live(ct);
	struct pval *v = &k.v[p];
	int ver = cg_version(&ad->layout, df->ctrl);
	uint64_t x = cg_parse_u64(df->got), y = 0, period = 0, vsw = 0;
	char t[128];

	bytes[0] = '\0';
	switch (p) {
	case P_NUMPROC:
		v->bar = v->lim = x;
		break;
	case P_PHYSPAGES:
		/* vswap's RAM mode puts ram+swap in the kernel */
		if (x < VAL_UNLIMITED && vswap_ram_mode(ct, NULL, &vsw))
			x = x > vsw ? x - vsw : 0;
		v->lim = x >= VAL_UNLIMITED ? VAL_UNLIMITED : x / ACCT_PAGE_SIZE;
		fmt_bytes(x, bytes, blen);
		break;
	case P_SWAPPAGES:
		if (ver == 1) {		/* memsw: memory + swap */
			if (read_text(ct, CTRL_MEMORY, "memory.limit_in_bytes", t,
			    sizeof(t)) == 0)
				y = cg_parse_u64(t);
			x = x >= VAL_UNLIMITED || y >= VAL_UNLIMITED ?
			    VAL_UNLIMITED : x > y ? x - y : 0;
		}
		v->lim = x >= VAL_UNLIMITED ? VAL_UNLIMITED : x / ACCT_PAGE_SIZE;
		fmt_bytes(x, bytes, blen);
		break;
	case P_CPULIMIT:
		/* the quota (either file may be the one written) */
		if (ver == 2) {
			if (strncmp(df->got, "max", 3) == 0)
				x = VAL_UNLIMITED;
			else
				x = strtoull(df->got, NULL, 10);
			period = strtoull(strchr(df->got, ' ') ?
			    strchr(df->got, ' ') + 1 : "0", NULL, 10);
		} else {
			if (read_text(ct, CTRL_CPU, "cpu.cfs_quota_us", t,
			    sizeof(t)) < 0)
				break;
			x = t[0] == '-' ? VAL_UNLIMITED : strtoull(t, NULL, 10);
			if (read_text(ct, CTRL_CPU, "cpu.cfs_period_us", t,
			    sizeof(t)) == 0)
				period = strtoull(t, NULL, 10);
		}
		x = x >= VAL_UNLIMITED || period == 0 ? 0 :
		    div_round(x * 100, period);
		if (shown_param(ct, p) == P_CPUS) {
			p = P_CPUS;
			v = &k.v[P_CPUS];
			x = (x + 99) / 100;
		}
		v->bar = v->lim = x;
		break;
	case P_CPUUNITS:
		v->bar = v->lim = ver == 2 ? x * 10 : div_round(x * 1000, 1024);
		break;
	case P_CPUMASK:
	case P_NODEMASK:
		snprintf(out, len, "%s", df->got);
		return;
	default:
		snprintf(out, len, "%s=%s", df->file, df->got);
		return;
	}
	param_format_human(&param_table[p], &k, out, len);
}

static void
configured_human(const struct container *ct, enum param_id p, char *out,
    size_t len, char *bytes, size_t blen)
{
	bytes[0] = '\0';
	param_format_human(&param_table[p], ct_live(ct), out, len);
	if (p == P_PHYSPAGES)
		fmt_bytes(params_ram_bytes(ct_live(ct)), bytes, blen);
	else if (p == P_SWAPPAGES)
		fmt_bytes(params_swap_bytes(ct_live(ct)), bytes, blen);
}

/*
 * A drifted file in the user's terms: the kernel's value and the
 * configured one (and the byte forms list prints for ram and swap).
 * False when there is nothing to report: v1's memory+swap limit moved
 * with the memory limit, so the swap is still what was set.  Where the
 * inverse loses the change (cpu.shares 340 and 341 are both cpuunits 333,
 * the same quota over another period), the file is named beside it.
 */
static bool
describe(struct container *ct, const struct drift_file *df, char *k,
    size_t klen, char *c, size_t clen, char *kb, char *cb, size_t blen)
{
	enum param_id p = shown_param(ct, df->param);

	kernel_human(ct, df->param, df, k, klen, kb, blen);
	configured_human(ct, p, c, clen, cb, blen);
	if (strcmp(k, c) != 0)
		return true;
	if (p == P_SWAPPAGES)
		return false;
	snprintf(k + strlen(k), klen - strlen(k), " (%s=%s)", df->file, df->got);
	return true;
}

/* ---- watches ------------------------------------------------------------ */

static void
watch_add(struct container *ct, struct drift_file *df)
{
	int h = ad->layout.ctrl_hier[df->ctrl];
	char *path;
	int wd;

	df->wd = -1;
	if (ifd >= 0 && h >= 0) {
		path = xasprintf("%s/%s/%s", ad->layout.hier[h].path, ct->cgpath,
		    df->file);
		wd = inotify_add_watch(ifd, path, IN_MODIFY);
		free(path);
		if (wd >= 0) {
			intmap_put(&by_wd, wd, ct);
			df->wd = wd;
			return;
		}
		if (!watch_warned)
			log_warn("%s: inotify on %s: %s; its limits (and those of "
			    "later containers without a watch) are read every "
			    "sample_interval to find drift", ct->name, df->file,
			    strerror(errno));
		watch_warned = true;
	}
	npolled++;
}

static void
watch_drop(struct drift_file *df)
{
	if (df->wd < 0) {
		npolled--;
		return;
	}
	intmap_del(&by_wd, df->wd);
	if (ifd >= 0)
		inotify_rm_watch(ifd, df->wd);
	df->wd = -1;
}

void
drift_forget(struct container *ct)
{
	struct drift *d = ct->drift;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		watch_drop(&d->f[i]);
	free(d->f);
	free(d);
	ct->drift = NULL;
}

/* ---- what accountd wrote --------------------------------------------------- */

void
drift_applied(struct container *ct, const struct plan *pl,
    const struct apply_done *done)
{
	struct drift *d = ct->drift;

	if (d == NULL)
		d = ct->drift = xcalloc(1, sizeof(*d));
	for (size_t k = 0; k < pl->nops; k++) {
		const struct plan_op *op = &pl->ops[k];
		struct drift_file *df = NULL;
		bool new_file = false;

		/* per-device lines (I/O throttles) are not followed */
		if (op->kind != OP_WRITE)
			continue;
		for (size_t i = 0; i < d->n && df == NULL; i++)
			if (d->f[i].ctrl == op->ctrl &&
			    strcmp(d->f[i].file, op->file) == 0)
				df = &d->f[i];
		if (df == NULL) {
			d->f = xreallocarray(d->f, d->n + 1, sizeof(*d->f));
			df = &d->f[d->n++];
			memset(df, 0, sizeof(*df));
			df->ctrl = op->ctrl;
			snprintf(df->file, sizeof(df->file), "%s", op->file);
			/* the watch first: a write after the read is seen */
			watch_add(ct, df);
			new_file = true;
		}
		df->param = op->param;
		df->drifted = false;
		df->got[0] = '\0';
		/*
		 * What apply_finish() found after the write (read back
		 * through the same descriptor: the kernel's rounding
		 * included) or apply_plan_keep() before it (a file left
		 * alone) is what the file holds, when
		 * its watch was there before that read: a write after it is
		 * an event.  3 of a set's system calls a file.
		 */
		if (done != NULL && done[k].known && !new_file && df->wd >= 0) {
			snprintf(df->want, sizeof(df->want), "%s", done[k].now);
			continue;
		}
		if (read_text(ct, op->ctrl, op->file, df->want,
		    sizeof(df->want)) < 0)
			snprintf(df->want, sizeof(df->want), "%s", op->value);
	}
}

/* ---- checking ----------------------------------------------------------- */

struct found {
	enum param_id	 param;		/* as shown */
	char		 kernel[LIST_MAX + 32], configured[LIST_MAX + 32];
	char		 files[256];	/* "pids.max=100 ..." */
};

void
drift_check(struct container *ct)
{
	struct drift *d = ct->drift;
	struct found fd[8];
	struct ct_params chg;
	size_t nf = 0;
	char now[128], b[32], b2[32];

	if (d == NULL || !ct->running)
		return;
	d->due = false;
	if (ct_dirs(ct, NULL) < 0)
		return;
	memset(&chg, 0, sizeof(chg));
	for (size_t i = 0; i < d->n; i++) {
		struct drift_file *df = &d->f[i];
		enum param_id p = shown_param(ct, df->param);
		struct found *f = NULL;
		size_t used;

		if (read_text(ct, df->ctrl, df->file, now, sizeof(now)) < 0)
			continue;	/* gone: the watcher will see it stop */
		if (strcmp(now, df->want) == 0) {
			if (df->drifted)
				log_info("%s: %s is back to %s", ct->name,
				    df->file, df->want);
			df->drifted = false;
			continue;
		}
		if (df->drifted && strcmp(now, df->got) == 0)
			continue;	/* reported already */
		df->drifted = true;
		snprintf(df->got, sizeof(df->got), "%s", now);
		for (size_t k = 0; k < nf && f == NULL; k++)
			if (fd[k].param == p)
				f = &fd[k];
		if (f == NULL && nf == nitems(fd))
			continue;
		if (f == NULL) {
			f = &fd[nf];
			memset(f, 0, sizeof(*f));
			f->param = p;
			if (!describe(ct, df, f->kernel, sizeof(f->kernel),
			    f->configured, sizeof(f->configured), b, b2,
			    sizeof(b)))
				continue;
			nf++;
		}
		used = strlen(f->files);
		snprintf(f->files + used, sizeof(f->files) - used, "%s%s=%s",
		    used ? " " : "", df->file, now);
		chg.v[df->param] = ct_live(ct)->v[df->param];
		chg.v[p] = ct_live(ct)->v[p];
	}
	ct_dirs_done(ct);
	if (nf == 0)
		return;
	if (strcmp(ad->cfg.drift, "restore") == 0) {
		struct aerr err = { 0 };
		struct sbuf warn = SBUF_INIT;
		int r;

		/* the configured lists go with their parameters */
		chg.cpumask = ct_live(ct)->cpumask;
		chg.nodemask = ct_live(ct)->nodemask;
		chg.iodevices = ct_live(ct)->iodevices;
		r = ct_set(ct, &chg, false, &warn, &err);
		sbuf_free(&warn);
		for (size_t k = 0; k < nf; k++)
			alert_drift(ct, param_table[fd[k].param].name,
			    fd[k].files, fd[k].kernel, fd[k].configured,
			    r == 0 ? "restored" : "restore-failed",
			    r == 0 ? NULL : err.msg);
		return;
	}
	for (size_t k = 0; k < nf; k++)
		alert_drift(ct, param_table[fd[k].param].name, fd[k].files,
		    fd[k].kernel, fd[k].configured, "reported", NULL);
}

struct json_object *
drift_json(struct container *ct)
{
	const struct drift *d = ct->drift;
	struct json_object *o = NULL;

	if (d == NULL || !ct->running)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		const struct drift_file *df = &d->f[i];
		enum param_id p = shown_param(ct, df->param);
		const char *name = param_table[p].name;
		struct json_object *e, *files;
		char k[LIST_MAX + 32], c[LIST_MAX + 32], kb[32], cb[32];

		if (!df->drifted)
			continue;
		if (o == NULL)
			o = json_object_new_object();
		if (!json_object_object_get_ex(o, name, &e)) {
			if (!describe(ct, df, k, sizeof(k), c, sizeof(c), kb,
			    cb, sizeof(kb)))
				continue;
			e = json_object_new_object();
			json_object_object_add(e, "kernel",
			    json_object_new_string(k));
			json_object_object_add(e, "configured",
			    json_object_new_string(c));
			if (kb[0]) {
				json_object_object_add(e, "kernel_bytes",
				    json_object_new_string(kb));
				json_object_object_add(e, "configured_bytes",
				    json_object_new_string(cb));
			}
			json_object_object_add(e, "files",
			    json_object_new_object());
			json_object_object_add(o, name, e);
		}
		json_object_object_get_ex(e, "files", &files);
		json_object_object_add(files, df->file,
		    json_object_new_string(df->got));
	}
	if (o != NULL && json_object_object_length(o) == 0) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* ---- events --------------------------------------------------------------- */

static void
settle_arm(void)
{
	struct timeval tv = { 0, DRIFT_SETTLE_MS * 1000 };

	if (settle_ev != NULL && !evtimer_pending(settle_ev, NULL))
		evtimer_add(settle_ev, &tv);
}

static void
on_settle(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	for (size_t i = 0; i < ct_count(); i++) {
		struct container *ct = ct_nth(i);

		if (ct->drift != NULL && ct->drift->due)
			drift_check(ct);
	}
}

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	(void)what; (void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)(void *)p;
			struct container *ct = intmap_get(&by_wd, e->wd);

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				/* events were lost: look at everyone */
				for (size_t i = 0; i < ct_count(); i++)
					if (ct_nth(i)->drift != NULL)
						ct_nth(i)->drift->due = true;
				settle_arm();
				continue;
			}
			if (ct == NULL || ct->drift == NULL)
				continue;
			if (e->mask & IN_IGNORED) {
				/* the file went (the cgroup was removed) */
				for (size_t i = 0; i < ct->drift->n; i++)
					if (ct->drift->f[i].wd == e->wd) {
						ct->drift->f[i].wd = -1;
						npolled++;
					}
				intmap_del(&by_wd, e->wd);
				continue;
			}
			ct->drift->due = true;
			settle_arm();
		}
	}
}

/* Files without a watch are read every sample_interval. */
static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (npolled == 0)
		return;
	for (size_t i = 0; i < ct_count(); i++) {
		struct drift *d = ct_nth(i)->drift;

		for (size_t k = 0; d != NULL && k < d->n; k++)
			if (d->f[k].wd < 0) {
				drift_check(ct_nth(i));
				break;
			}
	}
}

int
drift_init(void)
{
	struct timeval tv = { ad->cfg.sample_interval / 1000,
		(long)(ad->cfg.sample_interval % 1000) * 1000 };

	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0) {
		log_warn("inotify: %s; limits are read every sample_interval to "
		    "find drift", strerror(errno));
	} else {
		ino_ev = event_new(ad->base, ifd, EV_READ | EV_PERSIST,
		    on_inotify, NULL);
		event_add(ino_ev, NULL);
	}
	settle_ev = evtimer_new(ad->base, on_settle, NULL);
	poll_ev = event_new(ad->base, -1, EV_PERSIST, on_poll, NULL);
	event_add(poll_ev, &tv);
	return 0;
}

void
drift_close(void)
{
	if (ino_ev) event_free(ino_ev);
	if (settle_ev) event_free(settle_ev);
	if (poll_ev) event_free(poll_ev);
	ino_ev = settle_ev = poll_ev = NULL;
	if (ifd >= 0)
		close(ifd);
	ifd = -1;
	intmap_free(&by_wd);
}
