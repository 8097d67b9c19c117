/* SPDX-License-Identifier: ISC */
/* Sampling schedule and kernel event sources: see sampler.h. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "alert.h"
#include "bcstore.h"
#include "intmap.h"
#include "log.h"
#include "publish.h"
#include "sampler.h"
#include "xalloc.h"

#define HOT_RATIO	0.9	/* held/limit that makes a container hot */
#define HOT_SECONDS	2.0	/* stays hot this long after the last reason */

static struct event *base_ev, *fast_ev, *sync_ev, *inotify_ev, *rearm_ev;
static struct event *settle_ev, *pids_ev;
static struct container **settle;	/* limits changed: read after the reply */
static size_t nsettle, settle_cap;
static struct event *slice_ev;
static int ifd = -1;
static unsigned round_no;
static unsigned phases;		/* the next container's phase */
static unsigned nhot, npids;	/* containers hot; v1 with a numproc limit */
static struct intmap by_wd = INTMAP_INIT;	/* inotify watch -> container */

/* processes `acctctl exec` started, watched for their exit (pidfd) */
struct exitwatch {
	int			 fd;
	struct event		*ev;
	char			 name[CT_NAME_MAX];
	uint64_t		 gen;
	bool			 init;	/* v1: the container's init */
	struct exitwatch	*next;
};
static struct exitwatch *exits;

/* A container's sampling state, while it is sampled (ct->smp). */
struct ct_sampler {
	bool		 hot;		/* near a limit: sampled fast */
	double		 hot_until;
	int		 ev_fd;		/* v1 eventfd: OOM and usage thresholds */
	bool		 ev_budget;	/* lean: ev_fd taken from the budget */
	struct event	*ev_obj;
	uint64_t	 ev_limit[2];	/* limits the thresholds were set for */
	bool		 ev_rearm;	/* limits changed: re-arm after the reply */
	int		 wd[4];		/* v2 inotify watches of the events files
					 * and of cgroup.events (emptiness) */
	bool		 init_watched;	/* v1: its init's exit is watched */
	bool		 settling;	/* in settle[]: limits to read back */
	struct event	*chase_ev;	/* after a notification: read again */
	unsigned	 chase_step;
	uint64_t	 fork_mark;	/* forks_seen before its numproc was read */
	unsigned	 rounds;	/* base rounds since it was added */
	bool		 idle;		/* its last round stopped at the gate */
	unsigned	 phase;		/* its rounds are round_no + phase: the
					 * slow tier and the idle container's
					 * full read spread over the rounds */
};

static void	v1_watch_init(struct container *);
static bool	v1_init_wanted(const struct container *, bool slow);

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
near(const struct bc *b, enum ub_res row)
{
	const struct bc_row *r = &b->r[row];

	return bc_present(b, row) && r->limit > 0 && r->limit < VAL_UNLIMITED &&
	    (double)r->held >= HOT_RATIO * (double)r->limit;
}

static void
fast_arm(void)
{
	struct timeval tv = { ad->cfg.hot_interval / 1000,
		(long)(ad->cfg.hot_interval % 1000) * 1000 };
	struct timeval pv = { ad->cfg.pids_poll_interval / 1000,
		(long)(ad->cfg.pids_poll_interval % 1000) * 1000 };

	if (fast_ev != NULL && !evtimer_pending(fast_ev, NULL) && nhot > 0)
		evtimer_add(fast_ev, &tv);
	if (pids_ev != NULL && !evtimer_pending(pids_ev, NULL) && npids > 0)
		evtimer_add(pids_ev, &pv);
}

void
sampler_heat(struct container *ct)
{
	if (ct->smp == NULL)
		return;		/* not sampled (yet) */
	if (!ct->smp->hot) {
		ct->smp->hot = true;
		nhot++;
	}
	ct->smp->hot_until = now_s() + HOT_SECONDS;
	fast_arm();
}

/* After a sample: decide whether the container stays hot. */
static void
judge(struct container *ct, int grew)
{
	const struct bc *b = &ct->bc;

	if (grew > 0 || near(b, UB_PHYSPAGES) || near(b, UB_SWAPPAGES) ||
	    near(b, UB_NUMPROC))
		sampler_heat(ct);
	else if (ct->smp->hot && now_s() > ct->smp->hot_until) {
		ct->smp->hot = false;
		nhot--;
	}
}

static void
gone(struct container *ct)
{
	log_debug("%s: counters gone; checking whether it stopped", ct->name);
	watch_kick_path(ct->cgpath);
}

/* ---- after a notification -------------------------------------------------- */

/*
 * A kernel notification can come before the counter it is about: v1's
 * OOM eventfd fires when the OOM begins and memory.oom_control's oom_kill
 * counts the kill that follows; v2 announces "oom" and then "oom_kill" in
 * memory.events, whose second notification the kernel holds back for up
 * to 10 ms (one per file per 10 ms).  So the container's fast tier is
 * read again every 0.5 ms for 3 ms after a notification, then 1, 2, 4
 * and 8 ms apart (18 ms in all, ten reads, about 0.2 ms of CPU), and the
 * failure it announced is alerted within a millisecond of being counted,
 * not at the next hot sample.  bench/alert-latency.sh measures it.
 */
static const unsigned chase_us[] = { 500, 500, 500, 500, 500, 500, 1000,
	2000, 4000, 8000 };

static void
on_chase(evutil_socket_t fd, short what, void *arg)
{
	struct container *ct = arg;
	struct timeval tv = { 0, 0 };

	(void)fd;
	(void)what;
	if (!ct->running || ct->smp == NULL)
		return;
	if (bc_sample_events(ct, alert_failcnt) == -ENODEV) {
		gone(ct);
		return;
	}
	if (++ct->smp->chase_step < nitems(chase_us)) {
		tv.tv_usec = (long)chase_us[ct->smp->chase_step];
		evtimer_add(ct->smp->chase_ev, &tv);
	}
}

static void
chase(struct container *ct)
{
	struct timeval tv = { 0, (long)chase_us[0] };

	if (ct->smp->chase_ev == NULL)
		ct->smp->chase_ev = evtimer_new(ad->base, on_chase, ct);
	if (ct->smp->chase_ev == NULL)
		return;
	/* from the start again: this notification's count is what comes */
	ct->smp->chase_step = 0;
	evtimer_add(ct->smp->chase_ev, &tv);
}

/* ---- v1 eventfds ---------------------------------------------------------- */

static void
on_eventfd(evutil_socket_t fd, short what, void *arg)
{
	struct container *ct = arg;
	uint64_t v;
	int n;

	(void)what;
	(void)!read(fd, &v, sizeof(v));
	if (!ct->running)
		return;
	if ((n = bc_sample_events(ct, alert_failcnt)) == -ENODEV) {
		gone(ct);
		return;
	}
	sampler_heat(ct);
	chase(ct);
}

/*
 * v1: one eventfd per container carries three registrations made through
 * cgroup.event_control: OOM (memory.oom_control) and usage thresholds at
 * HOT_RATIO of the memory and memory+swap limits.  Closing the eventfd
 * drops all of them, so re-arming after a limit change starts afresh.
 */
static int
v1_register(struct container *ct, int efd, const char *file,
    uint64_t threshold)
{
	int mfd = cg_ct_fd(&ad->layout, &ct->cg, CTRL_MEMORY), cfd;
	char buf[96];
	int r;

	if ((cfd = cg_open_counter(mfd, file)) < 0)
		return cfd;
	if (threshold)
		snprintf(buf, sizeof(buf), "%d %d %llu", efd, cfd,
		    (unsigned long long)threshold);
	else
		snprintf(buf, sizeof(buf), "%d %d", efd, cfd);
	r = cg_write(mfd, "cgroup.event_control", buf, NULL);
	close(cfd);	/* the kernel holds its own reference */
	return r;
}

/*
 * The usage thresholds are registered off the event loop.  Each write of
 * one to cgroup.event_control waits in the kernel for an RCU grace period
 * (20 to 40 ms here), and held every request and the sampler as long:
 * bench/set-latency.sh's probe, `acctctl status` 100 ms after a set, took
 * 40 ms instead of 2.  The OOM registration (no wait) stays on the loop,
 * so no OOM is missed meanwhile; a threshold only makes a container hot
 * sooner, and until it is in place sampling does that.  One worker thread
 * takes jobs from a fixed ring: descriptors it owns (duplicates of the
 * container's memory directory and of the eventfd), a file name and a
 * threshold.  It opens, writes and closes, nothing else (no allocation,
 * no log, no state but the ring), so the main thread's fork in spawn.c
 * never finds it holding a lock the child could need.  A full ring, or no
 * worker, makes the registration on the loop, as before.
 */
#define REG_RING	256

struct reg_job {
	int		 dfd, efd;
	const char	*file;		/* a string literal */
	uint64_t	 threshold;
};
static struct reg_job reg_ring[REG_RING];
static unsigned reg_head, reg_tail;	/* put at head, taken at tail */
static bool reg_stop, reg_started;
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cv = PTHREAD_COND_INITIALIZER;
static pthread_t reg_thread;
static atomic_uint reg_failed;		/* reported by the loop */

static int
reg_write(int dfd, int efd, const char *file, uint64_t threshold)
{
	char buf[96];
	int cfd, wfd, r = 0;
	size_t n;

	if ((cfd = openat(dfd, file, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = (size_t)snprintf(buf, sizeof(buf), "%d %d %llu", efd, cfd,
	    (unsigned long long)threshold);
	if ((wfd = openat(dfd, "cgroup.event_control", O_WRONLY | O_CLOEXEC)) < 0)
		r = -errno;
	else if (write(wfd, buf, n) != (ssize_t)n)
		r = -EIO;
	if (wfd >= 0)
		close(wfd);
	close(cfd);		/* the kernel holds its own reference */
	return r;
}

static void *
reg_worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct reg_job j;
		bool stop;

		pthread_mutex_lock(&reg_mu);
		while (reg_head == reg_tail && !reg_stop)
			pthread_cond_wait(&reg_cv, &reg_mu);
		if (reg_head == reg_tail) {
			pthread_mutex_unlock(&reg_mu);
			return NULL;
		}
		j = reg_ring[reg_tail++ % REG_RING];
		stop = reg_stop;
		pthread_mutex_unlock(&reg_mu);
		/* stopping: what is left is only closed */
		if (!stop && reg_write(j.dfd, j.efd, j.file, j.threshold) < 0)
			atomic_fetch_add(&reg_failed, 1);
		close(j.dfd);
		close(j.efd);
	}
}

static void
reg_start(void)
{
	sigset_t all, old;

	/* signals stay the main thread's (libevent's handlers) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	reg_stop = false;
	reg_started = pthread_create(&reg_thread, NULL, reg_worker, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!reg_started)
		log_warn("no worker thread for memory thresholds; registering "
		    "them on the event loop");
}

static void
reg_join(void)
{
	if (!reg_started)
		return;
	pthread_mutex_lock(&reg_mu);
	reg_stop = true;
	pthread_cond_signal(&reg_cv);
	pthread_mutex_unlock(&reg_mu);
	pthread_join(reg_thread, NULL);
	reg_started = false;
}

/* A threshold for the worker; false: make it here. */
static bool
reg_queue(int mfd, int efd, const char *file, uint64_t threshold)
{
	struct reg_job j = { -1, -1, file, threshold };
	bool queued = false;

	if (!reg_started ||
	    (j.dfd = fcntl(mfd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (j.efd = fcntl(efd, F_DUPFD_CLOEXEC, 0)) < 0)
		goto out;
	pthread_mutex_lock(&reg_mu);
	if (reg_head - reg_tail < REG_RING) {
		reg_ring[reg_head++ % REG_RING] = j;
		pthread_cond_signal(&reg_cv);
		queued = true;
	}
	pthread_mutex_unlock(&reg_mu);
out:
	if (!queued) {
		if (j.dfd >= 0)
			close(j.dfd);
		if (j.efd >= 0)
			close(j.efd);
	}
	return queued;
}

static void
v1_disarm(struct container *ct)
{
	if (ct->smp->ev_fd < 0)
		return;
	event_free(ct->smp->ev_obj);
	close(ct->smp->ev_fd);
	ct->smp->ev_fd = -1;
	ct->smp->ev_obj = NULL;
	if (ct->smp->ev_budget)
		bc_budget_give(1);
	ct->smp->ev_budget = false;
}

static void v1_arm_efd(struct container *, const uint64_t[2]);

static void
v1_arm(struct container *ct)
{
	uint64_t lim[2];

	lim[0] = ct->bc.r[UB_PHYSPAGES].limit;
	lim[1] = bc_present(&ct->bc, UB_SWAPPAGES) &&
	    ct->bc.r[UB_SWAPPAGES].limit < VAL_UNLIMITED && lim[0] < VAL_UNLIMITED ?
	    lim[0] + ct->bc.r[UB_SWAPPAGES].limit : VAL_UNLIMITED;
	if (ct->smp->ev_fd >= 0 && lim[0] == ct->smp->ev_limit[0] &&
	    lim[1] == ct->smp->ev_limit[1])
		return;
	v1_disarm(ct);
	ct->smp->ev_limit[0] = lim[0];
	ct->smp->ev_limit[1] = lim[1];
	/*
	 * A lean container (its directories not kept) takes its eventfd
	 * from the whole budget, like a gate, and opens its directories
	 * for the registrations only: the kernel keeps them without the
	 * directory.  Without a descriptor left, sampling finds its
	 * failures.
	 */
	if (ct->lean) {
		struct aerr err = { 0 };

		if (!bc_budget_take(1, ct->name))
			return;
		if (ct_dirs(ct, &err) < 0) {
			bc_budget_give(1);
			return;
		}
		v1_arm_efd(ct, lim);
		if (ct->smp->ev_fd >= 0)
			ct->smp->ev_budget = true;
		else
			bc_budget_give(1);
		ct_dirs_done(ct);
		return;
	}
	v1_arm_efd(ct, lim);
}

/* The registrations on a new eventfd, the container's memory directory
 * open. */
static void
v1_arm_efd(struct container *ct, const uint64_t lim[2])
{
	static const char *const file[2] = { "memory.usage_in_bytes",
		"memory.memsw.usage_in_bytes" };
	int efd;

	if (cg_ct_fd(&ad->layout, &ct->cg, CTRL_MEMORY) < 0 ||
	    (efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return;
	if (v1_register(ct, efd, "memory.oom_control", 0) < 0) {
		close(efd);
		return;
	}
	for (int i = 0; i < 2; i++) {
		uint64_t thr = (uint64_t)(HOT_RATIO * (double)lim[i]) *
		    ACCT_PAGE_SIZE;

		if (lim[i] == 0 || lim[i] >= VAL_UNLIMITED)
			continue;
		if (!reg_queue(cg_ct_fd(&ad->layout, &ct->cg, CTRL_MEMORY), efd,
		    file[i], thr))
			(void)v1_register(ct, efd, file[i], thr);
	}
	ct->smp->ev_fd = efd;
	ct->smp->ev_obj = event_new(ad->base, efd, EV_READ | EV_PERSIST, on_eventfd,
	    ct);
	event_add(ct->smp->ev_obj, NULL);
}

/* ---- v2 inotify ------------------------------------------------------------ */

/* cgroup.events changed: when the last process has left ("populated 0"),
 * the counters will not move again; read them all now, so that the end
 * is known even if the cgroup is removed before the next sample. */
static void
v2_populated(struct container *ct)
{
	char buf[256], *p;
	int dfd = ct->cg.dfd[ad->layout.primary];
	ssize_t n;

	n = dfd >= 0 ? cg_read(dfd, "cgroup.events", buf, sizeof(buf)) :
	    cg_read_path(&ad->layout, CTRL_MEMORY, ct->cgpath,
	    "cgroup.events", buf, sizeof(buf));
	if (n <= 0 || (p = strstr(buf, "populated ")) == NULL ||
	    p[10] != '0')
		return;
	log_debug("%s: empty; reading its counters", ct->name);
	sampler_final(ct);
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
			struct container *ct = intmap_get(&by_wd, e->wd);

			p += sizeof(*e) + e->len;
			if (ct == NULL || !ct->running || !(e->mask & IN_MODIFY))
				continue;
			if (e->wd == ct->smp->wd[3]) {
				v2_populated(ct);
				continue;
			}
			if (bc_sample_events(ct, alert_failcnt) == -ENODEV)
				gone(ct);
			else {
				sampler_heat(ct);
				chase(ct);
			}
		}
	}
}

static bool watches_full;	/* the inotify watch limit was met: said once */

static void
v2_watch(struct container *ct)
{
	static const enum bc_file f[3] = { BF_MEM_FAIL, BF_SWAP_FAIL,
		BF_PIDS_EVENTS };

	for (int i = 0; i < 3; i++) {
		enum cg_ctrl c = f[i] == BF_PIDS_EVENTS ? CTRL_PIDS : CTRL_MEMORY;
		const char *name = bc_file_name(f[i], 2);
		char *path;
		int wd;

		/* a watch takes no descriptor: a lean container, whose
		 * files are not kept, is watched too */
		ct->smp->wd[i] = -1;
		if (ifd < 0 || ct->bc.fd[f[i]] == BC_FD_ABSENT ||
		    cg_ct_fd(&ad->layout, &ct->cg, c) < 0)
			continue;
		path = xasprintf("%s/%s/%s", ad->layout.hier[
		    ad->layout.ctrl_hier[c]].path, ct->cgpath, name);
		wd = inotify_add_watch(ifd, path, IN_MODIFY);
		free(path);
		if (wd < 0 && errno == ENOSPC) {
			if (!watches_full)
				log_warn("%s and later containers: no inotify "
				    "watch left (fs.inotify.max_user_watches); "
				    "their failures are found by sampling",
				    ct->name);
			watches_full = true;
			continue;
		}
		if (wd < 0) {
			log_warn("%s: inotify on %s: %s; relying on sampling",
			    ct->name, name, strerror(errno));
			continue;
		}
		intmap_put(&by_wd, wd, ct);
		ct->smp->wd[i] = wd;
	}
	/* the container's emptiness (its end), where the unified
	 * hierarchy is the primary one */
	ct->smp->wd[3] = -1;
	if (ifd >= 0 && ad->layout.hier[ad->layout.primary].version == 2) {
		char *path = xasprintf("%s/%s/cgroup.events",
		    ad->layout.hier[ad->layout.primary].path, ct->cgpath);
		int wd = inotify_add_watch(ifd, path, IN_MODIFY);

		free(path);
		if (wd >= 0) {
			intmap_put(&by_wd, wd, ct);
			ct->smp->wd[3] = wd;
		}
	}
}

/* ---- the host's forks ---------------------------------------------------- */

/*
 * A v1 cgroup's pids.events is silent, so a fork refused at numproc is
 * seen by reading it; but a container's process count grows only by
 * forks (and clones of threads), each of which takes a pid.  The last pid
 * the kernel handed out (/proc/loadavg's fifth field, 2 us to read however
 * many CPUs and containers) moves by at least the number of tasks made
 * host-wide, so a container whose numproc held at its last read, plus the
 * host's forks since, is below its limit cannot have had a fork refused:
 * its pids.events is not read.  On a quiet host that is every container;
 * under a fork storm, only those the storm could have filled.  A process
 * moved into a container (cgroup.procs) takes no pid: it is seen at the
 * next sample, as before.  Counts pids of accountd's own pid namespace:
 * accountd runs in the host's (DESIGN.md).
 */
static int loadavg_fd = -1;
static uint64_t forks_seen;		/* pids handed out since start, at least */
static uint64_t last_pid, pid_max;
static bool forks_known;		/* false: read every container, always */

static uint64_t
forks_now(void)
{
	char buf[128], *sp;
	ssize_t n;
	unsigned long long p;

	if (loadavg_fd < 0) {
		FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

		if (f == NULL || fscanf(f, "%" SCNu64, &pid_max) != 1)
			pid_max = 4194304;	/* the kernel's PID_MAX_LIMIT */
		if (f != NULL)
			fclose(f);
		if ((loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) < 0)
			return forks_seen;
	}
	n = pread(loadavg_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		forks_known = false;
		return forks_seen;
	}
	buf[n] = '\0';
	if ((sp = strrchr(buf, ' ')) == NULL || sscanf(sp, "%llu", &p) != 1) {
		forks_known = false;
		return forks_seen;
	}
	if (forks_known)	/* a wrap counts the whole way round */
		forks_seen += p >= last_pid ? p - last_pid : pid_max - last_pid + p;
	last_pid = p;
	forks_known = true;
	return forks_seen;
}

/* Could a fork have been refused in the container since its last read? */
static bool
pids_may_be_full(const struct container *ct, uint64_t f)
{
	const struct bc_row *r = &ct->bc.r[UB_NUMPROC];

	return !forks_known || r->held + (f - ct->smp->fork_mark) >= r->limit;
}

/* ---- timers ----------------------------------------------------------------- */

/* Containers the kernel tells nothing about soon enough, looked at every
 * pids_poll_interval: v1 with a numproc limit (pids.events is silent),
 * and v2 with VSwap (no usage thresholds: memory.current is watched so
 * that a container going past its RAM is sampled fast from the start). */
static bool
pids_polled(const struct container *ct)
{
	return cg_version(&ad->layout, CTRL_PIDS) == 1 &&
	    ct->bc.fd[BF_PIDS_EVENTS] >= 0 &&
	    ct->bc.r[UB_NUMPROC].limit < VAL_UNLIMITED;
}

static bool
vswap_watched(const struct container *ct)
{
	return vswap_active(ct) && cg_version(&ad->layout, CTRL_MEMORY) == 2;
}

/*
 * A round: every running container through its idle gate
 * (bc_sample_round): one read of its CPU counter, and the rest only if
 * it moved.  Read in full whatever the gate says: a hot container, and
 * every container once every BC_IDLE_EVERY rounds (what can change
 * without its tasks running: memory reclaimed, peaks, others' writes),
 * at a phase of its own so that those reads, and the slow tier's, are
 * spread over the rounds rather than all in one.
 *
 * The round goes in slices of ROUND_SLICE containers, one slice per turn
 * of the event loop, so that a request waits for one slice and not for a round:
 * with a thousand containers a round is some 10,000 reads, tens of ms of
 * CPU and, on a busy machine, hundreds of ms that root's `acctctl set`
 * waited behind (bench/soak.sh).  The next slice starts at the first
 * name after the last one sampled (the registry is sorted by name and
 * may change between slices); the snapshot is published when the round
 * ends.  A round still going when the next is due is let finish first.
 */
#define ROUND_SLICE	64

static bool in_round;
static unsigned round_r;		/* this round's number */
static uint64_t round_forks;		/* forks_now() at its start */
static unsigned round_idle, round_run;	/* containers idle, sampled */
static char round_next[CT_NAME_MAX];	/* "" from the start */
static double round_t0, round_longest;	/* s: its start, its longest slice */
static unsigned round_slices;
static size_t round_cts;

/* The first container in the registry whose name is NAME or after it. */
static size_t
ct_from(const char *name)
{
	size_t lo = 0, hi = ct_count();

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ct_nth(mid)->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
on_slice(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval now = { 0, 0 };
	size_t i = ct_from(round_next), done = 0;
	double t0 = now_s();
	unsigned nfail;

	(void)fd; (void)what; (void)arg;
	for (; i < ct_count() && done < ROUND_SLICE; i++) {
		struct container *ct = ct_nth(i);
		unsigned k;
		bool slow, idle_now;
		int n;

		if (!ct->running || ct->smp == NULL)
			continue;
		done++;
		k = round_r + ct->smp->phase;
		ct->smp->rounds++;
		slow = k % BC_SLOW_EVERY == 0;
		round_run++;
		n = bc_sample_round(ct, slow, ct->smp->hot ||
		    k % BC_IDLE_EVERY == 0, alert_failcnt);
		if (n == -ENODEV) {
			gone(ct);
			continue;
		}
		/* idle: no task ran, so none forked; numproc held stands */
		ct->smp->fork_mark = round_forks;
		if ((idle_now = n == BC_IDLE)) {
			round_idle++;
			n = 0;
		}
		/* a forced read of an idle container leaves it idle */
		if (idle_now != ct->smp->idle &&
		    (idle_now || ct->bc.idle_run == 0)) {
			ct->smp->idle = idle_now;
			log_debug("%s: %s", ct->name, idle_now ? "idle: its CPU "
			    "counter alone is read" : "moving: read in full");
		}
		if (slow && cg_version(&ad->layout, CTRL_MEMORY) == 1)
			v1_arm(ct);
		/* an idle container started no process since it was last
		 * looked at (a process is seen running before it is idle) */
		if (!idle_now && v1_init_wanted(ct, slow))
			v1_watch_init(ct);
		judge(ct, n);
		npids += pids_polled(ct) || vswap_watched(ct);
	}
	round_cts += done;
	round_slices++;
	if (now_s() - t0 > round_longest)
		round_longest = now_s() - t0;
	if (i < ct_count()) {
		snprintf(round_next, sizeof(round_next), "%s", ct_nth(i)->name);
		evtimer_add(slice_ev, &now);	/* requests first */
		return;
	}
	in_round = false;
	if ((nfail = atomic_exchange(&reg_failed, 0)) > 0)
		log_debug("sampling: %u memory threshold registrations failed "
		    "(their containers are found near a limit by sampling)", nfail);
	/* every 30 s, not at round 0, where every container's first sample
	 * makes none idle (bench/sampling-scale.sh reads this line) */
	if (round_r > 0 && round_r % BC_SLOW_EVERY == 0) {
		unsigned long used, budget;

		bc_fds(&used, &budget);
		log_debug("sampling: %u of %u containers idle (one read each); "
		    "%lu of %lu descriptors kept", round_idle, round_run, used,
		    budget);
	}
	publish();
	fast_arm();
	/* tests/integration/sampling-slices.sh reads this line */
	log_debug("sampling round %u: %zu containers in %u slices, %.1f ms, "
	    "longest slice %.1f ms", round_no, round_cts, round_slices,
	    (now_s() - round_t0) * 1e3, round_longest * 1e3);
}

static void
on_base(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (in_round) {
		log_debug("sampling: a round still going when the next is due");
		return;
	}
	round_r = round_no++;
	round_forks = forks_now();
	round_idle = round_run = 0;
	npids = 0;
	round_next[0] = '\0';
	round_t0 = now_s();
	round_longest = 0;
	round_slices = 0;
	round_cts = 0;
	in_round = true;
	on_slice(-1, 0, NULL);
}

static void
on_fast(evutil_socket_t fd, short what, void *arg)
{
	uint64_t f = forks_now();

	(void)fd; (void)what; (void)arg;
	for (size_t i = 0; i < ct_count(); i++) {
		struct container *ct = ct_nth(i);
		int n;

		if (!ct->running || !ct->smp->hot)
			continue;
		if ((n = bc_sample_events(ct, alert_failcnt)) == -ENODEV)
			gone(ct);
		else {
			ct->smp->fork_mark = f;
			judge(ct, n);
		}
	}
	fast_arm();
}

/*
 * Every pids_poll_interval: one read of pids.events for each v1
 * container with a numproc limit that the host's forks since its last
 * read could have filled (see forks_now(); a fork refusal is sampled and
 * alerted at once), and every VSWAP_WATCH_MS or so of memory.current for
 * each v2 container with VSwap.
 * One read, not a sample: a sixth of the CPU per poll of reading the
 * whole fast tier, so ten times as often for 1.7 times the CPU
 * (bench/pids-poll-cost.sh: 22 % of a core per 1,000 containers at 4 ms,
 * all of them at their limit; on a host without forks, one read of
 * /proc/loadavg per poll).
 */
#define VSWAP_WATCH_MS	40	/* the VSwap watch's interval, at least */

static void
on_pids(evutil_socket_t fd, short what, void *arg)
{
	static unsigned ticks;
	static uint64_t last_f;
	static bool any_full = true;
	unsigned every = VSWAP_WATCH_MS / ad->cfg.pids_poll_interval;
	bool vsw = every <= 1 || ++ticks % every == 0;
	uint64_t f = forks_now();

	(void)fd; (void)what; (void)arg;
	/* no fork since the last poll, none full then, no VSwap watch due */
	if (forks_known && f == last_f && !any_full && !vsw) {
		fast_arm();
		return;
	}
	last_f = f;
	any_full = false;
	for (size_t i = 0; i < ct_count(); i++) {
		struct container *ct = ct_nth(i);
		int n;

		if (!ct->running)
			continue;
		if (pids_polled(ct)) {
			if (!pids_may_be_full(ct, f))
				continue;
			any_full = true;
			if (bc_pids_moved(ct) &&
			    (n = bc_sample_events(ct, alert_failcnt)) >= 0) {
				ct->smp->fork_mark = f;
				judge(ct, n);
			}
		} else if (vsw && vswap_watched(ct)) {
			struct vswap_view vs;
			uint64_t u;

			vswap_view(ct, &vs);
			if (bc_peek_usage(ct, &u) == 0 &&
			    (double)u >= HOT_RATIO * (double)vs.ram)
				sampler_heat(ct);
		}
	}
	fast_arm();
}

static void
on_sync(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	bcstore_sync();
}

void
sampler_add(struct container *ct)
{
	sampler_add_deferred(ct, false);
}

/*
 * As sampler_add(); with defer, the v1 registrations (an RCU grace period
 * each, 20 to 40 ms) are made 100 ms later, as after a set: a runtime's
 * hook waits for accountd's reply before the container may run.  Until
 * then its failures are seen by sampling.
 */
void
sampler_add_deferred(struct container *ct, bool defer)
{
	static const struct timeval later = { 0, 100000 };

	if (ct->smp == NULL) {
		ct->smp = xcalloc(1, sizeof(*ct->smp));
		ct->smp->phase = phases++ % BC_IDLE_EVERY;
	}
	ct->smp->ev_fd = -1;
	ct->smp->ev_obj = NULL;
	for (int i = 0; i < 4; i++)
		ct->smp->wd[i] = -1;
	ct->smp->ev_limit[0] = ct->smp->ev_limit[1] = 0;
	bc_sample(ct, true, alert_failcnt);
	if (cg_version(&ad->layout, CTRL_MEMORY) == 1 && defer &&
	    rearm_ev != NULL) {
		ct->smp->ev_rearm = true;
		evtimer_add(rearm_ev, &later);
	} else if (cg_version(&ad->layout, CTRL_MEMORY) == 1)
		v1_arm(ct);
	else
		v2_watch(ct);
	ct->smp->init_watched = false;
	if (v1_init_wanted(ct, false))
		v1_watch_init(ct);
	judge(ct, 0);
	if (pids_polled(ct) || vswap_watched(ct)) {
		npids++;	/* polled from now, not from the next round */
		fast_arm();
	}
}

/*
 * v1 thresholds after limit changes, once they have stopped for 100 ms:
 * each registration and the release of the old ones wait for an RCU grace
 * period in the kernel (measured here: 20 to 40 ms each), which `acctctl
 * set` should not wait for, nor a run of sets pay each time.  Meanwhile
 * the old registrations (OOM, thresholds at the old limits) stay and the
 * container is sampled as before.
 */
static void
on_rearm(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	for (size_t i = 0; i < ct_count(); i++) {
		struct container *ct = ct_nth(i);

		if (ct->smp == NULL)
			continue;
		if (ct->smp->ev_rearm && ct->running)
			v1_arm(ct);
		ct->smp->ev_rearm = false;
	}
}

/*
 * After accountd changed a container's limits: read them back (both
 * tiers), so that a new limit shows at once.  Not before the reply: the
 * read is two dozen files, a third of a set's system calls in accountd,
 * and nothing in the reply depends on it.  It runs from a timer of no
 * delay, after the reply is written in the same turn of the loop, or
 * sooner, at the next request (sampler_settle()).
 */
void
sampler_limits_changed(struct container *ct)
{
	static const struct timeval now = { 0, 0 };

	if (!ct->running || ct->smp == NULL || ct->smp->settling)
		return;
	if (nsettle == settle_cap) {
		settle_cap = settle_cap ? settle_cap * 2 : 16;
		settle = xreallocarray(settle, settle_cap, sizeof(*settle));
	}
	settle[nsettle++] = ct;
	ct->smp->settling = true;
	if (settle_ev != NULL)
		evtimer_add(settle_ev, &now);
	else
		sampler_settle();
}

static void
settle_one(struct container *ct)
{
	static const struct timeval later = { 0, 100000 };

	bc_sample(ct, true, alert_failcnt);
	if (cg_version(&ad->layout, CTRL_MEMORY) == 1 && rearm_ev != NULL) {
		ct->smp->ev_rearm = true;
		evtimer_add(rearm_ev, &later);	/* (again: from now) */
	}
	judge(ct, 0);
	if (pids_polled(ct) || vswap_watched(ct)) {
		npids++;
		fast_arm();
	}
}

void
sampler_settle(void)
{
	/* (a read may end a container: taken off the list first) */
	while (nsettle > 0) {
		struct container *ct = settle[--nsettle];

		ct->smp->settling = false;
		if (ct->running)
			settle_one(ct);
	}
}

static void
on_settle(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sampler_settle();
}

/* The last read of a container: everything, both tiers, alerting the
 * failures of its last moment.  Its cgroup may be gone already. */
void
sampler_final(struct container *ct)
{
	struct timespec t0, t1;

	if (!ct->running)
		return;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	if (bc_sample(ct, true, alert_failcnt) == -ENODEV)
		gone(ct);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	/* bench/birth-end.sh reads this figure */
	log_debug("%s: end read in %.1f us", ct->name,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3);
}

static void
exit_free(struct exitwatch *x)
{
	for (struct exitwatch **pp = &exits; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	event_free(x->ev);
	close(x->fd);
	bc_budget_give(1);
	free(x);
}

static void
on_exit_fd(evutil_socket_t fd, short what, void *arg)
{
	struct exitwatch *x = arg;
	struct container *ct = ct_find(x->name);

	(void)fd;
	(void)what;
	/* the same cgroup still: read what the process left behind */
	if (ct != NULL && ct->running && ct->bc.gen == x->gen) {
		sampler_final(ct);
		if (x->init && ct->smp != NULL)
			ct->smp->init_watched = false;	/* another may come */
	}
	exit_free(x);
}

/*
 * A process attached to a container (acctctl exec then runs the command
 * in it) is watched through a pidfd (one descriptor from the budget, until
 * it exits; none over the budget): at its exit the container is read,
 * which on v1, where no kernel signal says a cgroup became empty, is the
 * end of a container that ran one command.
 */
static bool
watch_exit(struct container *ct, pid_t pid, bool init)
{
	struct exitwatch *x;
	int fd;

	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		log_debug("%s: pidfd of %d: %s; its exit is seen by sampling",
		    ct->name, (int)pid, strerror(errno));
		return false;
	}
	/* held until the process exits: from the containers' budget */
	if (!bc_budget_take(1, ct->name)) {
		close(fd);
		return false;
	}
	x = xcalloc(1, sizeof(*x));
	x->fd = fd;
	x->gen = ct->bc.gen;
	x->init = init;
	snprintf(x->name, sizeof(x->name), "%s", ct->name);
	x->ev = event_new(ad->base, fd, EV_READ, on_exit_fd, x);
	x->next = exits;
	exits = x;
	event_add(x->ev, NULL);
	return true;
}

void
sampler_watch_exit(struct container *ct, pid_t pid)
{
	(void)watch_exit(ct, pid, false);
}

/* ---- v1: the end of a container is its init's ---------------------------- */

/* Is PID the first process of a PID namespace of its own (NSpid ends in
 * 1, after its pid outside)? */
static bool
ns_init(pid_t pid)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *last;

		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		last = strrchr(line, '\t');
		return last != NULL && last != strchr(line, '\t') &&
		    strtol(last + 1, NULL, 10) == 1;
	}
	return false;
}

#define INIT_SCAN	16	/* processes looked at for an init */

/*
 * v1 has no signal that a cgroup became empty.  A container that a
 * runtime starts has an init in a PID namespace of its own, and its end
 * is the init's: the kernel kills and reaps the namespace's other
 * processes before the init's exit is reported.  So the init (or the one
 * process of a container that has a single one) is watched through a
 * pidfd, and its exit reads the container's end.  Looked for at the
 * first samples after the start and, while none is found, every fourth
 * slow round; at most INIT_SCAN processes are looked at.
 */
static void
v1_watch_init(struct container *ct)
{
	pid_t *pids, init = 0;
	size_t n;

	if (ct_dirs(ct, NULL) < 0)
		return;
	if (cg_procs(&ad->layout, &ct->cg, &pids, &n) == 0) {
		if (n == 1)
			init = pids[0];
		for (size_t i = 0; i < n && i < INIT_SCAN && init == 0; i++)
			if (ns_init(pids[i]))
				init = pids[i];
		free(pids);
	}
	ct_dirs_done(ct);
	if (init != 0 && watch_exit(ct, init, true))
		ct->smp->init_watched = true;
}

static bool
v1_init_wanted(const struct container *ct, bool slow)
{
	return ad->layout.hier[ad->layout.primary].version == 1 &&
	    !ct->smp->init_watched && (ct->smp->rounds <= 5 ||
	    (slow && (round_no / BC_SLOW_EVERY) % 4 == 0));
}

void
sampler_remove(struct container *ct)
{
	if (ct->smp == NULL)
		return;
	if (ct->smp->settling)
		for (size_t i = 0; i < nsettle; i++)
			if (settle[i] == ct) {
				settle[i] = settle[--nsettle];
				break;
			}
	v1_disarm(ct);
	if (ct->smp->chase_ev != NULL)
		event_free(ct->smp->chase_ev);
	for (int i = 0; i < 4; i++) {
		if (ct->smp->wd[i] >= 0) {
			if (ifd >= 0)
				inotify_rm_watch(ifd, ct->smp->wd[i]);
			intmap_del(&by_wd, ct->smp->wd[i]);
			ct->smp->wd[i] = -1;
		}
	}
	if (ct->smp->hot) {
		ct->smp->hot = false;
		nhot--;
	}
	free(ct->smp);
	ct->smp = NULL;
}

int
sampler_init(void)
{
	struct timeval tv = { ad->cfg.sample_interval / 1000,
		(long)(ad->cfg.sample_interval % 1000) * 1000 };
	struct timeval minute = { 60, 0 };

	if (cg_version(&ad->layout, CTRL_MEMORY) == 2 ||
	    cg_version(&ad->layout, CTRL_PIDS) == 2) {
		ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (ifd < 0)
			log_warn("inotify: %s; failures are seen by sampling only",
			    strerror(errno));
		else {
			inotify_ev = event_new(ad->base, ifd, EV_READ | EV_PERSIST,
			    on_inotify, NULL);
			event_add(inotify_ev, NULL);
		}
	}
	{
		/* what the open-file limit leaves after a reserve for
		 * clients, logs and the store goes to containers */
		struct rlimit rl;
		unsigned long limit = 1024;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
			limit = rl.rlim_cur;
		bc_init(limit > 512 ? limit - 512 : 0);
	}
	if (cg_version(&ad->layout, CTRL_MEMORY) == 1)
		reg_start();
	base_ev = event_new(ad->base, -1, EV_PERSIST, on_base, NULL);
	event_add(base_ev, &tv);
	slice_ev = evtimer_new(ad->base, on_slice, NULL);
	fast_ev = evtimer_new(ad->base, on_fast, NULL);
	pids_ev = evtimer_new(ad->base, on_pids, NULL);
	rearm_ev = evtimer_new(ad->base, on_rearm, NULL);
	settle_ev = evtimer_new(ad->base, on_settle, NULL);
	sync_ev = event_new(ad->base, -1, EV_PERSIST, on_sync, NULL);
	event_add(sync_ev, &minute);
	return 0;
}

void
sampler_close(void)
{
	reg_join();
	if (base_ev) event_free(base_ev);
	if (slice_ev) event_free(slice_ev);
	if (fast_ev) event_free(fast_ev);
	if (pids_ev) event_free(pids_ev);
	if (sync_ev) event_free(sync_ev);
	if (inotify_ev) event_free(inotify_ev);
	if (rearm_ev) event_free(rearm_ev);
	if (settle_ev) event_free(settle_ev);
	base_ev = slice_ev = fast_ev = sync_ev = inotify_ev = rearm_ev = NULL;
	settle_ev = pids_ev = NULL;
	in_round = false;
	if (loadavg_fd >= 0)
		close(loadavg_fd);
	loadavg_fd = -1;
	forks_known = false;
	free(settle);
	settle = NULL;
	nsettle = settle_cap = 0;
	while (exits != NULL)
		exit_free(exits);
	if (ifd >= 0)
		close(ifd);
	ifd = -1;
	intmap_free(&by_wd);
}
