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
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "accountd.h"
#include "log.h"
#include "xalloc.h"

static int		 ifd = -1;
static struct event	*inotify_ev, *rescan_ev, *kick_ev;
static char		**wd_dir;	/* watch -> folder, relative to the
					 * primary hierarchy ("" its root) */
static size_t		 nwd_dir;

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

			p += sizeof(*e) + e->len;
			/* a cgroup moved in (rename) is not new: its
			 * counters are older than this event */
			if ((e->mask & IN_CREATE) && (e->mask & IN_ISDIR) &&
			    e->len > 0 && e->wd >= 0 && (size_t)e->wd < nwd_dir &&
			    wd_dir[e->wd] != NULL) {
				_cleanup_free_ char *rel = xasprintf("%s%s%s",
				    wd_dir[e->wd], *wd_dir[e->wd] ? "/" : "",
				    e->name);

				ct_born_path(rel);
			}
		}
	}
	watch_kick();
}

static void
on_rescan(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ct_refresh_all();
}

void
watch_kick(void)
{
	struct timeval tv = { 0, 20000 };

	if (kick_ev != NULL && !evtimer_pending(kick_ev, NULL))
		evtimer_add(kick_ev, &tv);
}

static void
watch_dir(const char *relpath)
{
	const struct cg_hier *h = &ad->layout.hier[ad->layout.primary];
	_cleanup_free_ char *path = xasprintf("%s/%s", h->path, relpath);
	char *slash = strrchr(path, '/');
	int wd;

	if (slash != NULL && slash > path + strlen(h->path))
		*slash = '\0';
	else
		path[strlen(h->path)] = '\0';
	/* the same path gives back the same watch */
	if ((wd = inotify_add_watch(ifd, path, IN_CREATE | IN_DELETE |
	    IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR)) < 0) {
		if (errno != ENOENT)
			log_debug("inotify on %s: %s", path, strerror(errno));
		return;
	}
	if ((size_t)wd >= nwd_dir) {
		size_t n = (size_t)wd * 2 + 16;

		wd_dir = xreallocarray(wd_dir, n, sizeof(*wd_dir));
		memset(wd_dir + nwd_dir, 0, (n - nwd_dir) * sizeof(*wd_dir));
		nwd_dir = n;
	}
	if (wd_dir[wd] == NULL)
		wd_dir[wd] = xstrdup(path + strlen(h->path) +
		    (path[strlen(h->path)] == '/'));
}

void
watch_update(void)
{
	if (ifd < 0)
		return;
	for (size_t i = 0; i < ct_count(); i++)
		watch_dir(ct_nth(i)->cgpath);
	for (size_t i = 0; i < ad->cfg.ndiscover; i++) {
		const char *p = ad->cfg.discover[i];

		while (*p == '/')
			p++;
		watch_dir(p);
	}
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
	kick_ev = evtimer_new(ad->base, on_rescan, NULL);
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
	for (size_t i = 0; i < nwd_dir; i++)
		free(wd_dir[i]);
	free(wd_dir);
	wd_dir = NULL;
	nwd_dir = 0;
}
