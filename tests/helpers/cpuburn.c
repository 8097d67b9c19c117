/* SPDX-License-Identifier: ISC */
/*
 * cpuburn SECONDS: spin for SECONDS of wall time and print the CPU time
 * this process got, as "wall=W cpu=C ratio=R" (R = C / W).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double secs, w0, c0, w, c;
	volatile unsigned long spin = 0;

	if (argc < 2 || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: cpuburn SECONDS\n");
		return 2;
	}
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
	} while (now(CLOCK_MONOTONIC) - w0 < secs);
	w = now(CLOCK_MONOTONIC) - w0;
	c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("wall=%.3f cpu=%.3f ratio=%.3f\n", w, c, c / w);
	return 0;
}
