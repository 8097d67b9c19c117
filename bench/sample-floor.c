/* SPDX-License-Identifier: ISC */
/*
 * sample-floor PID PREFIX ROUNDS: the floor of sampling.  Finds the
 * cgroup files process PID (accountd) keeps open under PREFIX, opens its
 * own descriptors to the same files, and reads them with pread on the
 * same schedule as accountd (the fast tier every round, the slow tier
 * every 5th), doing nothing else.  Prints the CPU time per container and
 * round in microseconds.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* accountd's fast tier (accountd/beancounter.c, enum bc_file) */
static const char *const fast[] = {
	"memory.usage_in_bytes", "memory.failcnt", "memory.memsw.usage_in_bytes",
	"memory.memsw.failcnt", "memory.oom_control", "pids.current",
	"pids.events", "cpuacct.usage", "memory.current", "memory.events",
	"memory.swap.current", "memory.swap.events", NULL
};

static int
is_fast(const char *path, int v2)
{
	const char *base = strrchr(path, '/') + 1;

	if (strcmp(base, "cpu.stat") == 0)
		return v2;	/* CPU time: fast on v2, throttling (slow) on v1 */
	for (int i = 0; fast[i]; i++)
		if (strcmp(base, fast[i]) == 0)
			return 1;
	return 0;
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	char dir[64], link[4096], buf[4096];
	int *fds = NULL, *tier = NULL, n = 0, rounds, v2;
	struct dirent *de;
	DIR *d;
	double t0, t;

	if (argc != 4) {
		fprintf(stderr, "usage: sample-floor PID PREFIX ROUNDS\n");
		return 2;
	}
	rounds = atoi(argv[3]);
	v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
	snprintf(dir, sizeof(dir), "/proc/%s/fd", argv[1]);
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char p[128];
		ssize_t l;
		int fd;

		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if ((l = readlink(p, link, sizeof(link) - 1)) <= 0)
			continue;
		link[l] = '\0';
		if (strstr(link, argv[2]) == NULL || strchr(link, '.') == NULL)
			continue;
		if ((fd = open(link, O_RDONLY)) < 0)
			continue;
		fds = realloc(fds, sizeof(int) * (size_t)(n + 1));
		tier = realloc(tier, sizeof(int) * (size_t)(n + 1));
		fds[n] = fd;
		tier[n] = is_fast(link, v2);
		n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "sample-floor: no files of %s under %s\n", argv[1],
		    argv[2]);
		return 1;
	}
	t0 = cpu_us();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			if (tier[i] || r % 5 == 0)
				if (pread(fds[i], buf, sizeof(buf) - 1, 0) < 0)
					return 1;
	t = cpu_us() - t0;
	printf("files=%d rounds=%d cpu_us=%.0f\n", n, rounds, t);
	return 0;
}
