/* SPDX-License-Identifier: ISC */
/*
 * memhog MIB [HOLD_SECONDS]: allocate MIB MiB, touch every page, report,
 * then hold the memory for HOLD_SECONDS (default 0) before exiting 0.
 * Killed at a memory limit, it dies by SIGKILL (shell status 137).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long mib, hold = 0, page = sysconf(_SC_PAGESIZE);
	size_t len;
	char *p;

	if (argc < 2 || (mib = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: memhog MIB [HOLD_SECONDS]\n");
		return 2;
	}
	if (argc > 2)
		hold = atol(argv[2]);
	len = (size_t)mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = (char)off;
	printf("memhog: touched %ld MiB\n", mib);
	fflush(stdout);
	if (hold > 0)
		sleep((unsigned)hold);
	return 0;
}
