/* SPDX-License-Identifier: ISC */
/*
 * sample-floor PID PREFIX ROUNDS SLOW [INTERVAL_MS]: the floor of sampling.  Finds the
 * cgroup files process PID (accountd) keeps open under PREFIX (its fast
 * tier), adds the slow-tier files accountd reads by name in the same
 * cgroups, opens descriptors of its own to all of them, and reads them
 * with pread on accountd's schedule (fast every round, slow every SLOW-th,
 * one round every INTERVAL_MS, default 1000: caches go as cold between
 * rounds as they do for accountd), doing nothing else.  Prints its CPU
 * time.
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
	"pids.events", "pids.peak", "cpu.stat", "cpuacct.usage", "memory.current", "memory.events",
	"memory.swap.current", "memory.swap.events", NULL
};

/* accountd's slow tier, read by name (accountd/beancounter.c) */
static const char *const slow[] = {
	"memory.limit_in_bytes", "memory.max_usage_in_bytes",
	"memory.memsw.limit_in_bytes", "memory.memsw.max_usage_in_bytes",
	"pids.max", "memory.kmem.usage_in_bytes",
	"memory.kmem.max_usage_in_bytes", "memory.kmem.failcnt",
	"memory.kmem.limit_in_bytes", "memory.kmem.tcp.usage_in_bytes",
	"memory.kmem.tcp.max_usage_in_bytes", "memory.kmem.tcp.failcnt",
	"memory.kmem.tcp.limit_in_bytes", "memory.stat",
	"blkio.throttle.io_service_bytes_recursive",
	"blkio.throttle.io_serviced_recursive", "memory.max", "memory.peak",
	"memory.swap.max", "memory.swap.peak", "io.stat", "cpu.pressure",
	"memory.pressure", "io.pressure", NULL
};

static int
is_fast(const char *path)
{
	const char *base = strrchr(path, '/') + 1;

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

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: sample-floor PID PREFIX ROUNDS SLOW "
		    "[INTERVAL_MS]\n");
		return 2;
	}
	int interval = argc == 6 ? atoi(argv[5]) : 1000;
	rounds = atoi(argv[3]);
	int every = atoi(argv[4]);
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
		fds = realloc(fds, sizeof(int) * (size_t)(n + 2));
		tier = realloc(tier, sizeof(int) * (size_t)(n + 2));
		fds[n] = fd;
		tier[n] = is_fast(link);
		n++;
		/* one kept file per cgroup directory brings its slow files */
		if (strstr(link, v2 ? "/memory.current" : "/memory.usage_in_bytes")
		    != NULL || (v2 && strstr(link, "/pids.current")) ||
		    (!v2 && (strstr(link, "/pids.current") ||
		    strstr(link, "/cpuacct.usage")))) {
			char *slash = strrchr(link, '/');

			for (int k = 0; slow[k]; k++) {
				char sp[4200];
				int sfd;

				snprintf(sp, sizeof(sp), "%.*s/%s",
				    (int)(slash - link), link, slow[k]);
				if ((sfd = open(sp, O_RDONLY)) < 0)
					continue;
				fds = realloc(fds, sizeof(int) * (size_t)(n + 1));
				tier = realloc(tier, sizeof(int) * (size_t)(n + 1));
				fds[n] = sfd;
				tier[n] = 0;
				n++;
			}
		}
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "sample-floor: no files of %s under %s\n", argv[1],
		    argv[2]);
		return 1;
	}
	t = 0;
	for (int r = 0; r < rounds; r++) {
		t0 = cpu_us();
		for (int i = 0; i < n; i++)
			if (tier[i] || r % every == 0)
				if (pread(fds[i], buf, sizeof(buf) - 1, 0) < 0)
					return 1;
		t += cpu_us() - t0;
		if (interval > 0)
			usleep((useconds_t)interval * 1000);
	}
	printf("files=%d rounds=%d cpu_us=%.0f\n", n, rounds, t);
	return 0;
}
