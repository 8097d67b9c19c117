/* SPDX-License-Identifier: ISC */
/*
 * ledger-bench: figures for the billing ledger, printed with their budget.
 *
 *   ledger-bench write N REPS DIR
 *	one interval's transaction for N containers (records and last-seen
 *	counters, synchronous=FULL) into DIR/ledger.db, REPS times: median
 *	and max.  Budget: under 1 s at 10,000.  Also the in-memory work of
 *	one sampling round at N containers (lg_fold), median.
 *   ledger-bench fill FILE N HOURS
 *	a ledger of N containers with HOURS hourly records each, made
 *	through the writer's own commit path, for timing acctctl bill.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger.h"
#include "ubc.h"
#include "xalloc.h"
#include "stats.h"

static struct lg_ct *
make_cts(size_t n, int64_t start)
{
	struct lg_ct *cts = xcalloc(n, sizeof(*cts));

	for (size_t i = 0; i < n; i++) {
		struct lg_ct *c = &cts[i];

		snprintf(c->name, sizeof(c->name), "ct%05zu", i);
		snprintf(c->cgroup, sizeof(c->cgroup), "lxc.payload.ct%05zu", i);
		c->have_last = c->dirty = true;
		c->last.cpu_usec = 1000000 * i;
		c->last.since_ms = 1;
		lg_reset_usage(&c->cur, start);
		c->cur.covered_ms = 3600000;
		c->cur.cpu_usec = 1000000 + i;
		c->cur.ram_bms = (unsigned __int128)(256 + i % 1024) * 1048576 *
		    3600000;
		c->cur.ram_limit_bms = c->cur.ram_alloc_bms = c->cur.ram_bms * 2;
		c->cur.ram_peak = (512 + i % 1024) * 1048576ULL;
		c->cur.io_rbytes = i * 4096;
		c->cur.io_rios = i;
		c->cur.ram_limit = 1ULL << 30;
		c->cur.cpulimit = 100;
	}
	return cts;
}

static int
bench_write(size_t n, int reps, const char *dir)
{
	char *path = xasprintf("%s/ledger.db", dir);
	struct aerr err = { 0 };
	struct lg_store *st = store_open(path, true, &err);
	double *t = xcalloc((size_t)reps, sizeof(double)), mx = 0;
	int64_t start = 1793491200;
	struct lg_ct *cts;
	struct snap_header h;
	struct snap_ct *s;
	double *f;

	if (st == NULL) {
		fprintf(stderr, "ledger-bench: %s\n", err.msg);
		return 1;
	}
	cts = make_cts(n, start);
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now_ms();

		if (store_commit(st, cts, n, start + 3600, &err) < 0) {
			fprintf(stderr, "ledger-bench: %s\n", err.msg);
			return 1;
		}
		t[r] = bench_now_ms() - t0;
		if (t[r] > mx)
			mx = t[r];
		start += 3600;
		for (size_t i = 0; i < n; i++) {
			cts[i].cur.start = start;
			cts[i].dirty = true;
		}
	}
	printf("write one interval, %zu containers: median %.1f ms, max %.1f "
	    "ms over %d intervals (budget: < 1000 ms)\n", n, bench_pct(t, (size_t)reps, 0.5), mx, reps);
	store_close(st);

	/* the in-memory part of a sampling round */
	memset(&h, 0, sizeof(h));
	s = xcalloc(n, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s[i].running = 1;
		s[i].row[UB_PHYSPAGES].present = 1;
		s[i].row[UB_PHYSPAGES].held = 1000 + i;
		s[i].ram = 1ULL << 30;
		s[i].ndev = 2;
	}
	f = xcalloc(21, sizeof(double));
	for (int r = 0; r < 21; r++) {
		double t0;

		h.time_ms += 1000;
		for (size_t i = 0; i < n; i++)
			s[i].cpu_usage += 1000;
		t0 = bench_now_ms();
		for (size_t i = 0; i < n; i++)
			lg_fold(&cts[i], &h, &s[i], false);
		f[r] = bench_now_ms() - t0;
	}
	printf("fold one sampling round, %zu containers: median %.2f ms (the "
	    "writer's CPU per round, in its own process)\n", n, bench_pct(f, 21, 0.5));
	free(s);
	free(f);
	free(cts);
	free(t);
	free(path);
	return 0;
}

static int
bench_fill(const char *path, size_t n, int hours)
{
	struct aerr err = { 0 };
	struct lg_store *st = store_open(path, true, &err);
	int64_t start = 1793491200;	/* 2026-11-01 */
	struct lg_ct *cts;
	double t0 = bench_now_ms();

	if (st == NULL) {
		fprintf(stderr, "ledger-bench: %s\n", err.msg);
		return 1;
	}
	cts = make_cts(n, start);
	for (int hr = 0; hr < hours; hr++) {
		if (store_commit(st, cts, n, start + 3600, &err) < 0) {
			fprintf(stderr, "ledger-bench: %s\n", err.msg);
			return 1;
		}
		start += 3600;
		for (size_t i = 0; i < n; i++) {
			cts[i].cur.start = start;
			cts[i].dirty = true;
		}
	}
	printf("filled %s: %zu containers x %d hourly records in %.1f s\n",
	    path, n, hours, (bench_now_ms() - t0) / 1e3);
	store_close(st);
	free(cts);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "write") == 0)
		return bench_write(strtoul(argv[2], NULL, 10), atoi(argv[3]),
		    argv[4]);
	if (argc == 5 && strcmp(argv[1], "fill") == 0)
		return bench_fill(argv[2], strtoul(argv[3], NULL, 10),
		    atoi(argv[4]));
	fprintf(stderr, "usage: ledger-bench write N REPS DIR | fill FILE N "
	    "HOURS\n");
	return 2;
}
