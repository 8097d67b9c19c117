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
 *
 *	set-latency N [--gap MS] [--probe-at MS] -- CMD A... --alt-- CMD B...
 *	    [--probe-- CMD P...]
 *
 *	set-latency N -- CMD A... --alt-- CMD B... --vs-- CMD P... --vs-alt-- CMD Q...
 *
 * --vs-- runs a peer (P, then Q, alternating as A and B) right after each
 * run and times it apart, so both see the same moments of a busy host;
 * its figures are printed after "vs: ", and then the CPU time (user and
 * system) of each command per run.
 *
 *	set-latency N -- CMD A... --alt-- CMD B... --vs-- ... --floor-- F1...
 *	    [--floor-- F2...]
 *
 * --floor-- runs F (a program that does nothing, linked as the command
 * is) after each run and its peer, timed apart: the cost of an exec
 * itself in the same moments, printed after "floor1: " (and "floor2: ").
 *
 * --gap waits MS after each run (untimed), so work a daemon defers until
 * the runs stop (accountd's v1 thresholds, 100 ms after the last set) is
 * done between them.  --probe-- runs CMD P MS (--probe-at, default 105)
 * after each run and times it apart: a request landing while that
 * deferred work runs shows what it costs the daemon's other clients.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "stats.h"

extern char **environ;

static int
run(char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;

	/* what the command prints (acctctl status) is not measured output */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
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

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* CPU time (user + system, ms) of the children reaped so far */
static double
child_cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void
report(const char *what, double *t, int n)
{
	printf("%sn=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f ms\n", what, n,
	    bench_pct(t, (size_t)n, 0.5), bench_pct(t, (size_t)n, 0.9),
	    bench_pct(t, (size_t)n, 0.99), bench_pct(t, (size_t)n, 1));
}

int
main(int argc, char **argv)
{
	int n, nw = 0, gap = 0, probe_at = 105;
	char **a = NULL, **b = NULL, **probe = NULL, **va = NULL, **vb = NULL;
	char **fl[2] = { NULL, NULL };
	struct w ws[64];
	double *t, *tp, *tf[2], cpu = 0, vcpu = 0, fcpu[2] = { 0, 0 };
	int nfl = 0;

	if (argc < 4 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: set-latency N [--gap MS] [--probe-at MS] "
		    "-- CMD ... --alt-- CMD ... [--probe-- CMD ...]\n"
		    "       set-latency N --writes FILE\n");
		return 2;
	}
	while (argc > 4 && (strcmp(argv[2], "--gap") == 0 ||
	    strcmp(argv[2], "--probe-at") == 0)) {
		int v = atoi(argv[3]);

		if (v < 0 || v > 60000) {
			fprintf(stderr, "set-latency: bad %s %s (0 to 60000 ms)\n",
			    argv[2], argv[3]);
			return 2;
		}
		*(strcmp(argv[2], "--gap") == 0 ? &gap : &probe_at) = v;
		argv[3] = argv[1];
		argv += 2;
		argc -= 2;
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
			} else if (strcmp(argv[i], "--probe--") == 0) {
				argv[i] = NULL;
				probe = argv + i + 1;
			} else if (strcmp(argv[i], "--vs--") == 0) {
				argv[i] = NULL;
				va = argv + i + 1;
			} else if (strcmp(argv[i], "--vs-alt--") == 0) {
				argv[i] = NULL;
				vb = argv + i + 1;
			} else if (strcmp(argv[i], "--floor--") == 0 && nfl < 2) {
				argv[i] = NULL;
				fl[nfl++] = argv + i + 1;
			}
		if (b == NULL)
			b = a;
		if (vb == NULL)
			vb = va;
	}
	t = calloc((size_t)n, sizeof(*t));
	tp = calloc((size_t)n, sizeof(*tp));
	tf[0] = calloc((size_t)n, sizeof(*tf[0]));
	tf[1] = calloc((size_t)n, sizeof(*tf[1]));
	if (t == NULL || tp == NULL || tf[0] == NULL || tf[1] == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		double t0 = bench_now_ms(), c0 = child_cpu_ms();
		int r = nw ? writes(ws, nw, i & 1) : run(i & 1 ? b : a);

		t[i] = bench_now_ms() - t0;
		cpu += child_cpu_ms() - c0;
		if (r == 0 && va != NULL) {
			t0 = bench_now_ms();
			c0 = child_cpu_ms();
			r = run(i & 1 ? vb : va);
			tp[i] = bench_now_ms() - t0;
			vcpu += child_cpu_ms() - c0;
		}
		for (int k = 0; r == 0 && k < nfl; k++) {
			t0 = bench_now_ms();
			c0 = child_cpu_ms();
			r = run(fl[k]);
			tf[k][i] = bench_now_ms() - t0;
			fcpu[k] += child_cpu_ms() - c0;
		}
		if (r == 0 && probe != NULL) {
			sleep_ms(probe_at);
			t0 = bench_now_ms();
			r = run(probe);
			tp[i] = bench_now_ms() - t0;
		}
		if (r < 0) {
			fprintf(stderr, "set-latency: run %d failed\n", i);
			return 1;
		}
		sleep_ms(gap);
	}
	report("", t, n);
	if (probe != NULL)
		report("probe: ", tp, n);
	if (va != NULL) {
		report("vs: ", tp, n);
		/* CPU, which a busy host's waits do not inflate */
		printf("cpu: %.3f ms per run, vs: %.3f ms per run\n", cpu / n,
		    vcpu / n);
	}
	for (int k = 0; k < nfl; k++) {
		char what[16];

		snprintf(what, sizeof(what), "floor%d: ", k + 1);
		report(what, tf[k], n);
		printf("floor%d cpu: %.3f ms per run\n", k + 1, fcpu[k] / n);
	}
	free(t);
	free(tp);
	free(tf[0]);
	free(tf[1]);
	return 0;
}
