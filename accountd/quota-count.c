/* SPDX-License-Identifier: ISC */
/*
 * The userspace count of the disk quota (docs/quota.md, "Userspace
 * path"): a child walks the tree and writes its figures down a pipe the
 * event loop reads; an inotify watch on every directory the count reports
 * brings the next count forward after a change.  The same pipe carries
 * the kernel path's tagging walk (qk_tag_child), a child for the same
 * reason: accountd itself never opens files in a quota'd tree.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "quota.h"
#include "quota-int.h"
#include "spawn.h"
#include "xalloc.h"

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
 * Changes between counts: an inotify watch on every directory of a
 * userspace tree (the count reports them) brings the next count forward
 * to within about a second of a change, at most one count a second.
 */
static int ino_fd = -1;
static struct event *ino_ev;
struct qwatch {
	int		 wd;
	struct ctquota	*q;
	char		*path;
};
static struct qwatch *watches;
static size_t nwatches;
#define WATCH_MAX	65536	/* per tree; beyond: the periodic count only */
#define WATCH_MASK	(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | \
			 IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB)

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
	watches[nwatches].path = xstrdup(path);
	nwatches++;
	q->nwatch++;
	q->new_watches++;
	ql_dir_added(q, path);	/* marked at once when at the limit */
}

void
qc_unwatch(struct ctquota *q)
{
	for (size_t i = 0; i < nwatches;) {
		if (watches[i].q == q) {
			(void)inotify_rm_watch(ino_fd, watches[i].wd);
			free(watches[i].path);
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
					free(watches[i].path);
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
scan_line(void *arg, const char *l)
{
	struct ctquota *q = arg;
	struct ql_line ql;

	switch (ql_count_line(l, &ql)) {
	case QL_WATCH:
		watch_dir(q, ql.text);
		break;
	case QL_TAGGED:
		log_info("%s: quota: project id %u set on %llu entries of %s in "
		    "%.2f s", q->ct->name, q->projid,
		    (unsigned long long)ql.v[0], q->root,
		    q_mono() - q->scan_started);
		break;
	case QL_PROGRESS:
		q->scan_seen = ql.v[0];
		break;
	case QL_DONE:
		q->blk.usage = ql.v[0];
		q->ino.usage = ql.v[1];
		q->apparent = ql.v[2];
		q->scan_secs = q_mono() - q->scan_started;
		if (!q->scanned)
			log_info("%s: quota: first count of %s: %llu files, "
			    "%llu KiB, %.2f s", q->ct->name, q->root,
			    (unsigned long long)ql.v[1],
			    (unsigned long long)ql.v[0] / 1024, q->scan_secs);
		q->scanned = true;
		q->status[0] = '\0';
		break;
	case QL_ERROR:
		if (q->mech == QM_KERNEL) {
			snprintf(q->status, sizeof(q->status), "cannot give "
			    "project id %u to %s", q->projid, ql.text);
			log_warn("%s: %s", q->ct->name, q->status);
		} else {
			snprintf(q->status, sizeof(q->status), "count of %s "
			    "failed: %s", q->root, ql.text);
		}
		break;
	case QL_UNKNOWN:
		break;
	}
}

void
qc_end(struct ctquota *q)
{
	if (q->scan_ev != NULL)
		event_free(q->scan_ev);
	q->scan_ev = NULL;
	if (q->scan_fd >= 0)
		close(q->scan_fd);
	q->scan_fd = -1;
	if (q->scan_pid > 0) {
		kill(q->scan_pid, SIGKILL);
		spawn_forget(q->scan_pid);	/* reaped as a stranger */
	}
	q->scan_pid = 0;
}

static void
on_scan(evutil_socket_t fd, short what, void *arg)
{
	struct ctquota *q = arg;
	char chunk[4096];
	ssize_t n;

	(void)what;
	n = read(fd, chunk, sizeof(chunk));
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		spawn_forget(q->scan_pid);	/* spawn_reap() collects it */
		q->scan_pid = 0;	/* exited: nothing to kill */
		qc_end(q);
		if (q->mech == QM_KERNEL) {
			q->tagging = false;
			q_tick(q, q_wall_ms());
			return;
		}
		q->last_scan_end = q_mono();
		q->next_scan = q->last_scan_end + ad->cfg.quota_rescan;
		/*
		 * A directory made since the last count was not watched while
		 * files went into it, and a change during the count may have
		 * been missed by it: count again in a second.
		 */
		if (q->changed_in_scan || (q->new_watches > 0 && q->scanned &&
		    !q->first_count))
			q->next_scan = q->last_scan_end + 1.0;
		q_tick(q, q_wall_ms());
		return;
	}
	ql_feed(&q->scan_lb, chunk, (size_t)n, scan_line, q);
}

/*
 * The count (or the kernel path's tagging walk) is `accountd --quota-count
 * [--tag PROJID] ROOT`, exec'd by spawn.c: root, but only with what the
 * walk needs -- reading every directory and file (CAP_DAC_READ_SEARCH)
 * and setting the project id on files of any owner (CAP_FOWNER) -- and no
 * descriptor of accountd's (not the pid file's lock: a restart after
 * accountd died is never refused for a count still running).
 */
int
quota_count_main(int argc, char **argv)
{
	unsigned long id;
	char *end;

	if (argc == 3)
		scan_child(argv[2], STDOUT_FILENO);
	if (argc == 5 && strcmp(argv[2], "--tag") == 0) {
		errno = 0;
		id = strtoul(argv[3], &end, 10);
		if (errno == 0 && *end == '\0' && end != argv[3] &&
		    id <= UINT32_MAX)
			qk_tag_child(argv[4], (uint32_t)id, STDOUT_FILENO);
	}
	fprintf(stderr, "usage: accountd --quota-count [--tag PROJID] ROOT "
	    "(run by accountd)\n");
	return 2;
}

void
qc_start(struct ctquota *q)
{
	struct spawn_how how = { .caps = (1ULL << CAP_DAC_READ_SEARCH) |
	    (1ULL << CAP_FOWNER), .nfd = 3, .pdeath = SIGKILL };
	char idarg[16];
	char *argv[6];
	int p[2], n = 0;
	pid_t pid;

	if (q->scan_pid > 0 || pipe2(p, O_CLOEXEC) < 0)
		return;
	argv[n++] = spawn_self();
	argv[n++] = (char *)"--quota-count";
	if (q->mech == QM_KERNEL) {
		snprintf(idarg, sizeof(idarg), "%u", q->projid);
		argv[n++] = (char *)"--tag";
		argv[n++] = idarg;
	}
	argv[n++] = q->root;
	argv[n] = NULL;
	how.fd[0] = -1;
	how.fd[1] = p[1];
	how.fd[2] = 2;
	if ((pid = spawn(argv, NULL, &how)) < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	q->scan_pid = pid;
	q->scan_fd = p[0];
	q->scan_lb.len = 0;
	q->scan_lb.skip = 0;
	q->scan_seen = 0;
	q->new_watches = 0;
	q->changed_in_scan = false;
	q->first_count = !q->scanned;
	q->scan_started = q_mono();
	q->scan_ev = event_new(ad->base, p[0], EV_READ | EV_PERSIST, on_scan, q);
	event_add(q->scan_ev, NULL);
}

void
qc_init(void)
{
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd >= 0) {
		ino_ev = event_new(ad->base, ino_fd, EV_READ | EV_PERSIST,
		    on_inotify, NULL);
		event_add(ino_ev, NULL);
	}
}

void
qc_close(void)
{
	if (ino_ev != NULL)
		event_free(ino_ev);
	ino_ev = NULL;
	if (ino_fd >= 0)
		close(ino_fd);
	ino_fd = -1;
	for (size_t i = 0; i < nwatches; i++)
		free(watches[i].path);
	free(watches);
	watches = NULL;
	nwatches = 0;
}

void
qc_dirs(const struct ctquota *q, void (*fn)(const char *))
{
	for (size_t i = 0; i < nwatches; i++)
		if (watches[i].q == q)
			fn(watches[i].path);
}
