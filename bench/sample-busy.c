/* SPDX-License-Identifier: ISC */
/*
 * sample-busy PERIOD_MS WORK_US HIER...: the busy containers of
 * bench/sampling-scale.sh.  Reads cgroup paths (relative to each
 * hierarchy HIER, one a line) from stdin and starts one child per path,
 * which joins that cgroup in every HIER that has it and then runs
 * WORK_US of CPU every PERIOD_MS (from a random phase), so that the
 * cgroup's counters move between any two samples.  The children die with
 * this process (PR_SET_PDEATHSIG); kill it by its pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
child(const char *rel, long period_ms, long work_us, int nh, char **hier)
{
	char path[4096], pid[32];
	struct timespec pause = { period_ms / 1000, (period_ms % 1000) * 1000000 };
	volatile unsigned long spin = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (int i = 0; i < nh; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", hier[i], rel);
		if ((fd = open(path, O_WRONLY)) < 0)
			continue;	/* not in this hierarchy */
		if (write(fd, pid, strlen(pid)) < 0) {
			fprintf(stderr, "sample-busy: %s: %s\n", path,
			    strerror(errno));
			_exit(1);
		}
		close(fd);
	}
	srand((unsigned)getpid());
	usleep((useconds_t)(rand() % (period_ms * 1000)));
	for (;;) {
		double t0 = now_us();

		while (now_us() - t0 < (double)work_us)
			spin++;
		nanosleep(&pause, NULL);
	}
}

int
main(int argc, char **argv)
{
	char line[4096];
	long period, work;
	int n = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: sample-busy PERIOD_MS WORK_US HIER... "
		    "< cgroup paths\n");
		return 2;
	}
	period = atol(argv[1]);
	work = atol(argv[2]);
	if (period < 1 || work < 0) {
		fprintf(stderr, "sample-busy: bad PERIOD_MS or WORK_US\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		pid_t p;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if ((p = fork()) < 0) {
			perror("sample-busy: fork");
			return 1;
		}
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			child(line, period, work, argc - 3, argv + 3);
		}
		n++;
	}
	fprintf(stderr, "sample-busy: %d busy cgroups\n", n);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
