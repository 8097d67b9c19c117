/* SPDX-License-Identifier: ISC */
/*
 * sample-scale-floor ROUNDS INTERVAL_MS FDS: the floor of
 * bench/sampling-scale.sh.  Reads "EVERY PHASE ROOT REL" lines from
 * stdin: ROOT/REL is read in round r when (r + PHASE) % EVERY == 0.  The
 * first FDS files get descriptors kept and read with pread (as accountd
 * keeps them, within the same open-file limit); the rest are opened
 * relative to their ROOT (a hierarchy, kept open, as accountd opens a
 * lean container's files), read and closed each time.  Does nothing
 * else; prints its CPU time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct file {
	char		*rel;
	int		 fd, root;
	unsigned	 every, phase;
};

#define MAX_ROOTS	16

static char	*root_name[MAX_ROOTS];
static int	 root_fd[MAX_ROOTS], nroots;

static int
root_of(const char *name)
{
	for (int i = 0; i < nroots; i++)
		if (strcmp(root_name[i], name) == 0)
			return root_fd[i];
	if (nroots == MAX_ROOTS)
		return -1;
	root_name[nroots] = strdup(name);
	root_fd[nroots] = open(name, O_RDONLY | O_DIRECTORY);
	return root_fd[nroots++];
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
	char line[8400], buf[4096];
	struct file *f = NULL;
	size_t n = 0, cap = 0, kept = 0;
	long rounds, interval, fds;
	double t = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: sample-scale-floor ROUNDS INTERVAL_MS "
		    "FDS < list\n");
		return 2;
	}
	rounds = atol(argv[1]);
	interval = atol(argv[2]);
	fds = atol(argv[3]);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		unsigned e, p;
		char root[4096], rel[4096];

		if (sscanf(line, "%u %u %4095s %4095s", &e, &p, root, rel) != 4 ||
		    e == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			f = realloc(f, cap * sizeof(*f));
			if (f == NULL)
				return 1;
		}
		f[n].rel = strdup(rel);
		f[n].root = root_of(root);
		f[n].every = e;
		f[n].phase = p;
		f[n].fd = -1;
		if ((long)kept < fds && (f[n].fd = openat(f[n].root, rel,
		    O_RDONLY)) >= 0)
			kept++;
		n++;
	}
	for (long r = 0; r < rounds; r++) {
		double t0 = cpu_us();

		for (size_t i = 0; i < n; i++) {
			int fd;

			if ((r + f[i].phase) % f[i].every != 0)
				continue;
			if (f[i].fd >= 0) {
				(void)!pread(f[i].fd, buf, sizeof(buf) - 1, 0);
			} else if ((fd = openat(f[i].root, f[i].rel, O_RDONLY)) >= 0) {
				(void)!read(fd, buf, sizeof(buf) - 1);
				close(fd);
			}
		}
		t += cpu_us() - t0;
		if (interval > 0)
			usleep((useconds_t)interval * 1000);
	}
	printf("files=%zu kept=%zu rounds=%ld cpu_us=%.0f\n", n, kept, rounds, t);
	return 0;
}
