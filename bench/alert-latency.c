/* SPDX-License-Identifier: ISC */
/*
 * alert-latency SOCKET CT KIND FILE KEY COUNT -- COMMAND...
 *
 * How long from a kernel counter changing to accountd's alert reaching a
 * client.  A watcher thread reads FILE (a cgroup counter file; KEY selects
 * the "KEY value" line, or "-" for a bare number) every 100 us and notes
 * when its value changes; the main thread follows accountd's events for
 * CT and notes when each KIND event arrives.  COMMAND (the workload that
 * makes the counter move) is run COUNT times.  Each kernel change is
 * matched with the first event whose failcnt covers it (failcnt only
 * grows, so that event announced it; it may come before the watcher,
 * which polls, sees the change: 0); prints the latencies' median, p90,
 * p99 and max in ms.
 *
 * The floor, in the same run: with ALERT_FLOOR=eventfd (cgroup v1: an
 * eventfd on FILE, memory.oom_control, through cgroup.event_control) or
 * ALERT_FLOOR=inotify (IN_MODIFY on FILE), a third thread waits for the
 * kernel's notification itself and then reads FILE every 50 us until
 * the value moves (a notification can come before its count): the
 * soonest any notified reader sees the change, without accountd.
 * ALERT_FLOOR=none says there is no kernel notification to wait for.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "stats.h"

#define MAXCH	100000

static const char *file, *key;
static volatile int stop;
static double ch_t[MAXCH];
static unsigned long long ch_v[MAXCH];
static int nch;
static double ev_t[MAXCH];
static unsigned long long ev_f[MAXCH];
static int nev;
static double fl_t[MAXCH];
static unsigned long long fl_v[MAXCH];
static int nfl;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned long long
readval(int fd)
{
	char buf[1024], *p;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (strcmp(key, "-") == 0)
		return strtoull(buf, NULL, 10);
	for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, strlen(key)) == 0 && p[strlen(key)] == ' ')
			return strtoull(p + strlen(key) + 1, NULL, 10);
	return 0;
}

static void *
watcher(void *arg)
{
	int fd = open(file, O_RDONLY);
	unsigned long long last;

	(void)arg;
	if (fd < 0) {
		perror(file);
		exit(1);
	}
	last = readval(fd);
	while (!stop) {
		unsigned long long v = readval(fd);

		if (v != last) {
			double t = bench_now_ms();

			pthread_mutex_lock(&mu);
			if (nch < MAXCH) {
				ch_t[nch] = t;
				ch_v[nch] = v;
				nch++;
			}
			pthread_mutex_unlock(&mu);
			last = v;
		}
		usleep(100);
	}
	return NULL;
}

/* The floor's waiter (see the top): the kernel's notification, then
 * reads until the value moves. */
static const char *fl_how;

static void *
floor_waiter(void *arg)
{
	const char *how = fl_how;
	int cfd = open(file, O_RDONLY), nfd;
	unsigned long long last;

	(void)arg;
	if (cfd < 0) {
		perror(file);
		exit(1);
	}
	if (strcmp(how, "eventfd") == 0) {
		char *dir = strdup(file), line[64], ctl[4096];
		int wfd;

		nfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		snprintf(ctl, sizeof(ctl), "%s/cgroup.event_control",
		    dirname(dir));
		snprintf(line, sizeof(line), "%d %d", nfd, cfd);
		if ((wfd = open(ctl, O_WRONLY)) < 0 ||
		    write(wfd, line, strlen(line)) < 0) {
			perror(ctl);
			exit(1);
		}
		close(wfd);
		free(dir);
	} else {
		nfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (nfd < 0 || inotify_add_watch(nfd, file, IN_MODIFY) < 0) {
			perror(file);
			exit(1);
		}
	}
	last = readval(cfd);
	while (!stop) {
		struct pollfd p = { nfd, POLLIN, 0 };
		char drain[4096];
		double t0;

		if (poll(&p, 1, 100) <= 0)
			continue;
		while (read(nfd, drain, sizeof(drain)) > 0)
			;
		for (t0 = bench_now_ms(); bench_now_ms() - t0 < 50;) {
			unsigned long long v = readval(cfd);

			if (v != last) {
				double t = bench_now_ms();

				pthread_mutex_lock(&mu);
				if (nfl < MAXCH) {
					fl_t[nfl] = t;
					fl_v[nfl] = v;
					nfl++;
				}
				pthread_mutex_unlock(&mu);
				last = v;
				break;
			}
			usleep(50);
		}
	}
	return NULL;
}

/* latency of each change to the first of (t, v) that reaches its value */
static int
match(const double *t, const unsigned long long *v, int n, double *lat,
    int *missed)
{
	int nlat = 0;

	*missed = 0;
	for (int i = 0; i < nch; i++) {
		int k;

		for (k = 0; k < n; k++)
			if (v[k] >= ch_v[i])
				break;
		if (k == n) {
			/* a miss is an infinite latency: in the
			 * percentiles, not left out of them */
			(*missed)++;
			lat[nlat++] = INFINITY;
			continue;
		}
		lat[nlat++] = t[k] - ch_t[i] < 0 ? 0 : t[k] - ch_t[i];
	}
	return nlat;
}

static void *
follower(void *arg)
{
	void **a = arg;
	int fd = *(int *)a[0];
	const char *kind = a[1];

	for (;;) {
		struct acct_hdr h;
		struct aerr err = { 0 };
		char *payload, *p;

		if (proto_recv(fd, &h, &payload, -1, &err) < 0)
			return NULL;
		if (h.type == MSG_EVENT) {
			double t = bench_now_ms();
			char want[64];

			snprintf(want, sizeof(want), "\"resource\":\"%s\"",
			    kind);
			if (strstr(payload, want) != NULL &&
			    (p = strstr(payload, "\"failcnt\":")) != NULL) {
				pthread_mutex_lock(&mu);
				if (nev < MAXCH) {
					ev_t[nev] = t;
					ev_f[nev] = strtoull(p + 10, NULL, 10);
					nev++;
				}
				pthread_mutex_unlock(&mu);
			}
		}
		free(payload);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct aerr err = { 0 };
	pthread_t w, f, fw;
	double *lat;
	int fd, count, nlat = 0, missed = 0;
	char req[256], *payload;
	struct acct_hdr h;
	void *farg[2];
	unsigned long long base;

	if (argc < 9 || strcmp(argv[7], "--") != 0) {
		fprintf(stderr, "usage: alert-latency SOCKET CT KIND FILE KEY COUNT"
		    " -- COMMAND...\n");
		return 2;
	}
	file = argv[4];
	fl_how = getenv("ALERT_FLOOR");
	key = argv[5];
	count = atoi(argv[6]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("connect");
		return 1;
	}
	snprintf(req, sizeof(req), "{\"cmd\":\"events\",\"ct\":\"%s\","
	    "\"count\":0,\"follow\":true}", argv[2]);
	if (proto_send(fd, MSG_REQUEST, 1, req, strlen(req), &err) < 0 ||
	    proto_recv(fd, &h, &payload, 5000, &err) < 0) {
		fprintf(stderr, "alert-latency: %s\n", err.msg);
		return 1;
	}
	free(payload);
	{
		int tfd = open(file, O_RDONLY);

		base = tfd >= 0 ? readval(tfd) : 0;
		if (tfd >= 0)
			close(tfd);
	}
	farg[0] = &fd;
	farg[1] = argv[3];
	pthread_create(&w, NULL, watcher, NULL);
	pthread_create(&f, NULL, follower, farg);
	if (fl_how != NULL && strcmp(fl_how, "none") != 0)
		pthread_create(&fw, NULL, floor_waiter, NULL);
	usleep(200000);
	for (int i = 0; i < count; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			int nul = open("/dev/null", O_WRONLY);

			dup2(nul, 1);
			dup2(nul, 2);
			execvp(argv[8], argv + 8);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		usleep(150000);		/* let the counter settle in between */
	}
	usleep(1500000);		/* the last alerts */
	stop = 1;
	pthread_join(w, NULL);
	pthread_mutex_lock(&mu);
	lat = calloc((size_t)nch + 1, sizeof(*lat));
	nlat = match(ev_t, ev_f, nev, lat, &missed);
	pthread_mutex_unlock(&mu);
	(void)base;
	if (nlat == 0) {
		printf("%s: no kernel counter changes (%d events)\n", argv[3],
		    nev);
		return 1;
	}
	printf("%s: %d counter changes, %d events, %d missed; latency ms "
	    "(a miss counts as inf): p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
	    argv[3], nch, nev, missed,
	    bench_pct(lat, (size_t)nlat, 0.5), bench_pct(lat, (size_t)nlat, 0.9),
	    bench_pct(lat, (size_t)nlat, 0.99), bench_pct(lat, (size_t)nlat, 1));
	if (fl_how != NULL && strcmp(fl_how, "none") != 0) {
		double *fl = calloc((size_t)nch + 1, sizeof(*fl));
		int fmissed, nf;

		pthread_join(fw, NULL);
		nf = match(fl_t, fl_v, nfl, fl, &fmissed);
		printf("%s: floor, a bare %s waiter in the same run: %d missed; "
		    "p50=%.2f p90=%.2f p99=%.2f max=%.2f; accountd/floor p50 "
		    "+%.2f ms, p99 +%.2f ms\n", argv[3], fl_how, fmissed,
		    bench_pct(fl, (size_t)nf, 0.5), bench_pct(fl, (size_t)nf, 0.9),
		    bench_pct(fl, (size_t)nf, 0.99), bench_pct(fl, (size_t)nf, 1),
		    bench_pct(lat, (size_t)nlat, 0.5) - bench_pct(fl, (size_t)nf,
		    0.5), bench_pct(lat, (size_t)nlat, 0.99) - bench_pct(fl,
		    (size_t)nf, 0.99));
		free(fl);
	} else if (fl_how != NULL) {
		printf("%s: floor: none, the kernel sends no notification "
		    "(accountd polls)\n", argv[3]);
	}
	if (missed > 0) {
		printf("%s: FAIL: %d of %d counter changes got no alert\n",
		    argv[3], missed, nch);
		return 1;
	}
	return 0;
}
