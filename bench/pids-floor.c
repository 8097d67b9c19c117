/* SPDX-License-Identifier: ISC */
/*
 * pids-floor INTERVAL_MS SECONDS FILE...: the floor of accountd's v1 pids
 * poll (bench/pids-poll-cost.sh).  Opens every FILE (the containers'
 * pids.events), reads each with one pread, then sleeps INTERVAL_MS
 * (as accountd's timer, re-armed after each round), for SECONDS, doing
 * nothing else, and prints "files=N rounds=R cpu_ns=C": its own CPU time,
 * user and system.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec now, end;
	struct rusage ru;
	long interval_ns;
	int *fd, n = argc - 3, rounds = 0;
	char buf[64];

	if (argc < 4 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: pids-floor INTERVAL_MS SECONDS FILE...\n");
		return 2;
	}
	interval_ns = atol(argv[1]) * 1000000L;
	if ((fd = calloc((size_t)n, sizeof(*fd))) == NULL)
		return 1;
	for (int i = 0; i < n; i++)
		if ((fd[i] = open(argv[i + 3], O_RDONLY | O_CLOEXEC)) < 0) {
			perror(argv[i + 3]);
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[2]);
	for (;;) {
		struct timespec pause = { interval_ns / 1000000000L,
			interval_ns % 1000000000L };

		for (int i = 0; i < n; i++)
			if (pread(fd[i], buf, sizeof(buf), 0) < 0)
				return 1;
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec &&
		    now.tv_nsec >= end.tv_nsec))
			break;
		while (nanosleep(&pause, &pause) != 0)
			;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("files=%d rounds=%d cpu_ns=%lld\n", n, rounds,
	    ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	    ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
	return 0;
}
