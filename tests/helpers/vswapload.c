/* SPDX-License-Identifier: ISC */
/*
 * vswapload MIB: write MIB MiB of memory sequentially (every byte), then
 * read it all back (a sum over every 8-byte word), and print the time of
 * each phase: "write=W read=R total=T" (seconds).  The VSwap benchmark's
 * workload: pushed past RAM it swaps out, read back it swaps in.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t mib, len;
	uint64_t *p, sum = 0;
	double t0, t1, t2;

	if (argc != 2 || (mib = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: vswapload MIB\n");
		return 2;
	}
	len = mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		perror("vswapload: mmap");
		return 1;
	}
	t0 = now();
	for (size_t off = 0; off < len; off += 1 << 20)
		memset((char *)p + off, (int)(off >> 20) | 1, 1 << 20);
	t1 = now();
	for (size_t i = 0; i < len / 8; i++)
		sum += p[i];
	t2 = now();
	printf("write=%.3f read=%.3f total=%.3f sum=%llu\n", t1 - t0, t2 - t1,
	    t2 - t0, (unsigned long long)(sum & 0xff));
	return 0;
}
