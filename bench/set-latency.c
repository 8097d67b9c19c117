/* SPDX-License-Identifier: ISC */
/*
 * set-latency: time N runs of a command line (the acctctl set being
 * measured, or a peer), alternating between two argument sets so every
 * run really changes the values, and print p50/p90/p99/max in ms.
 *
 *	set-latency N -- CMD A1... --alt-- CMD B1...
 *
 * With "--writes FILE" instead of a command, it performs the floor: the
 * same cgroupfs writes directly from this process (open/write/close),
 * reading "path value1 value2" lines from FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "stats.h"

extern char **environ;

static int
run(char **argv)
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

struct w { char path[512], v[2][64]; };

static int
writes(struct w *ws, int n, int which)
{
	for (int i = 0; i < n; i++) {
		int fd = open(ws[i].path, O_WRONLY | O_TRUNC);
		size_t l = strlen(ws[i].v[which]);

		if (fd < 0 || write(fd, ws[i].v[which], l) != (ssize_t)l) {
			perror(ws[i].path);
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int n, nw = 0;
	char **a = NULL, **b = NULL;
	struct w ws[64];
	double *t;

	if (argc < 4 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: set-latency N -- CMD ... --alt-- CMD ...\n"
		    "       set-latency N --writes FILE\n");
		return 2;
	}
	if (strcmp(argv[2], "--writes") == 0) {
		FILE *f = fopen(argv[3], "r");

		while (f && nw < 64 && fscanf(f, "%511s %63s %63s", ws[nw].path,
		    ws[nw].v[0], ws[nw].v[1]) == 3) {
			/* values may contain spaces encoded as '+' */
			for (int k = 0; k < 2; k++)
				for (char *c = ws[nw].v[k]; *c; c++)
					if (*c == '+')
						*c = ' ';
			nw++;
		}
		if (f)
			fclose(f);
		if (nw == 0) {
			fprintf(stderr, "set-latency: no writes in %s\n", argv[3]);
			return 2;
		}
	} else {
		a = argv + 3;
		for (int i = 3; i < argc; i++)
			if (strcmp(argv[i], "--alt--") == 0) {
				argv[i] = NULL;
				b = argv + i + 1;
			}
		if (b == NULL)
			b = a;
	}
	t = calloc((size_t)n, sizeof(*t));
	for (int i = 0; i < n; i++) {
		double t0 = bench_now_ms();
		int r = nw ? writes(ws, nw, i & 1) : run(i & 1 ? b : a);

		t[i] = bench_now_ms() - t0;
		if (r < 0) {
			fprintf(stderr, "set-latency: run %d failed\n", i);
			return 1;
		}
	}
	printf("n=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f ms\n", n,
	    bench_pct(t, (size_t)n, 0.5), bench_pct(t, (size_t)n, 0.9),
	    bench_pct(t, (size_t)n, 0.99), bench_pct(t, (size_t)n, 1));
	free(t);
	return 0;
}
