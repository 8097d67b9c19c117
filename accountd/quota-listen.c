/* SPDX-License-Identifier: ISC */
/*
 * The fanotify listener of the userspace disk quota (docs/quota.md,
 * "Enforcing"): while a container is at its limit, its filesystem is
 * marked for open permission events, and a thread of its own answers
 * them, refusing opens for writing in the trees at their limit.  The
 * event loop tells the thread which trees those are (ql_update) and takes
 * the refusals it counted (ql_collect).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "quota-int.h"
#include "xalloc.h"

static int fan_fd = -1;

/* The filesystem (one fanotify mark covers all of it). */
uint64_t
ql_key(const char *path)
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

void
ql_update(void)
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
		ql_collect();
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

void
ql_collect(void)
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

		q_bump(q, q->in_force_i != VAL_UNLIMITED &&
		    q->ino.usage >= q->in_force_i, got[i].n);
	}
}

int
ql_fd(void)
{
	return fan_fd;
}

void
ql_init(void)
{
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
}

void
ql_close(void)
{
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
}
