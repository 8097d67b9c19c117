/* SPDX-License-Identifier: ISC */
/*
 * Noticing containers start and stop.  inotify watches the directories
 * that hold the registered containers' cgroups and the discover= patterns
 * (in the primary hierarchy); any change there schedules a rescan 20 ms
 * later (coalescing bursts, such as a runtime creating a cgroup in every
 * v1 hierarchy one after another).  A periodic rescan every
 * rescan_interval seconds catches whatever inotify cannot see.
 *
 * A folder made in a watched directory is also a birth seen
 * (ct_born_path): a container in it counts from 0 (docs/billing.md).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "accountd.h"
#include "intmap.h"
#include "log.h"
#include "xalloc.h"

static int		 ifd = -1;
static struct event	*inotify_ev, *rescan_ev, *kick_ev;
struct wdir {
	char		*rel;		/* relative to the primary hierarchy
					 * ("" its root) */
	unsigned	 pass;		/* the pass that last added it */
};
static struct intmap	 dirs = INTMAP_INIT;	/* watch -> struct wdir */
static unsigned		 pass;
#define PENDING_MAX	64
static char		*pending[PENDING_MAX];	/* folders the next check
						 * looks at */
static size_t		 npending;
static bool		 full;		/* the next check looks at all */
static bool		 recheck;	/* watch_update adds every watch again */

static void
schedule(void)
{
	struct timeval tv = { 0, 20000 };

	if (kick_ev != NULL && !evtimer_pending(kick_ev, NULL))
		evtimer_add(kick_ev, &tv);
}

/* The next check looks at REL (taken). */
static void
pend(char *rel)
{
	for (size_t i = 0; i < npending; i++)
		if (strcmp(pending[i], rel) == 0) {
			free(rel);
			return;
		}
	if (npending == PENDING_MAX) {
		full = true;
		free(rel);
		return;
	}
	pending[npending++] = rel;
}

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	(void)what;
	(void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)(void *)p;
			struct wdir *d = intmap_get(&dirs, e->wd);
			char *rel;

			p += sizeof(*e) + e->len;
			if (d == NULL) {
				full = true;	/* overflow, or not ours */
				continue;
			}
			if (e->mask & IN_IGNORED) {	/* the folder is gone */
				intmap_del(&dirs, e->wd);
				free(d->rel);
				free(d);
				full = true;
				continue;
			}
			if (e->len == 0)
				continue;
			rel = xasprintf("%s%s%s", d->rel, *d->rel ? "/" : "",
			    e->name);
			/* a cgroup moved in (rename) is not new: its
			 * counters are older than this event */
			if ((e->mask & IN_CREATE) && (e->mask & IN_ISDIR))
				ct_born_path(rel);
			pend(rel);
		}
	}
	schedule();
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	char *paths[PENDING_MAX];
	size_t n = npending;
	bool all = full;

	(void)fd;
	(void)what;
	(void)arg;
	/* a check may kick again (a cgroup not yet in every hierarchy):
	 * that is the next check's */
	memcpy(paths, pending, n * sizeof(paths[0]));
	npending = 0;
	full = false;
	if (all)
		ct_refresh_all();
	else if (n > 0)
		ct_refresh_paths((const char *const *)paths, n);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
}

static void
on_rescan(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	recheck = true;
	ct_refresh_all();
}

void
watch_kick(void)
{
	full = true;
	schedule();
}

/* A check of the containers at or below RELPATH, shortly. */
void
watch_kick_path(const char *relpath)
{
	pend(xstrdup(relpath));
	schedule();
}

/* The watch on folder REL, or NULL (a few folders: a scan). */
static struct wdir *
watched(const char *rel)
{
	for (size_t i = 0; i < dirs.cap; i++)
		if (dirs.e[i].key >= 0 &&
		    strcmp(((struct wdir *)dirs.e[i].val)->rel, rel) == 0)
			return dirs.e[i].val;
	return NULL;
}

static void
watch_dir(const char *relpath)
{
	const struct cg_hier *h = &ad->layout.hier[ad->layout.primary];
	_cleanup_free_ char *path = xasprintf("%s/%s", h->path, relpath);
	char *slash = strrchr(path, '/');
	const char *rel;
	struct wdir *d;
	int wd;

	if (slash != NULL && slash > path + strlen(h->path))
		*slash = '\0';
	else
		path[strlen(h->path)] = '\0';
	rel = path + strlen(h->path) + (path[strlen(h->path)] == '/');
	/* once per folder: a thousand containers share a few parents */
	if ((d = watched(rel)) != NULL && (!recheck || d->pass == pass))
		return;
	/* the same path gives back the same watch */
	if ((wd = inotify_add_watch(ifd, path, IN_CREATE | IN_DELETE |
	    IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR)) < 0) {
		if (errno != ENOENT)
			log_debug("inotify on %s: %s", path, strerror(errno));
		return;
	}
	if ((d = intmap_get(&dirs, wd)) == NULL) {
		d = xcalloc(1, sizeof(*d));
		d->rel = xstrdup(rel);
		intmap_put(&dirs, wd, d);
	}
	d->pass = pass;
}

void
watch_update(void)
{
	if (ifd < 0)
		return;
	if (recheck)
		pass++;
	for (size_t i = 0; i < ct_count(); i++)
		watch_dir(ct_nth(i)->cgpath);
	for (size_t i = 0; i < ad->cfg.ndiscover; i++) {
		const char *p = ad->cfg.discover[i];

		while (*p == '/')
			p++;
		watch_dir(p);
	}
	recheck = false;
}

int
watch_init(void)
{
	struct timeval tv = { ad->cfg.rescan_interval, 0 };

	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0) {
		log_warn("inotify: %s; relying on rescans every %u s",
		    strerror(errno), ad->cfg.rescan_interval);
	} else {
		inotify_ev = event_new(ad->base, ifd, EV_READ | EV_PERSIST,
		    on_inotify, NULL);
		event_add(inotify_ev, NULL);
	}
	kick_ev = evtimer_new(ad->base, on_kick, NULL);
	if (ad->cfg.rescan_interval > 0) {
		rescan_ev = event_new(ad->base, -1, EV_PERSIST, on_rescan, NULL);
		event_add(rescan_ev, &tv);
	}
	watch_update();
	return 0;
}

void
watch_close(void)
{
	if (inotify_ev)
		event_free(inotify_ev);
	if (rescan_ev)
		event_free(rescan_ev);
	if (kick_ev)
		event_free(kick_ev);
	inotify_ev = rescan_ev = kick_ev = NULL;
	if (ifd >= 0)
		close(ifd);
	ifd = -1;
	for (size_t i = 0; i < dirs.cap; i++)
		if (dirs.e[i].key >= 0) {
			free(((struct wdir *)dirs.e[i].val)->rel);
			free(dirs.e[i].val);
		}
	intmap_free(&dirs);
	for (size_t i = 0; i < npending; i++)
		free(pending[i]);
	npending = 0;
	full = false;
}
