/* SPDX-License-Identifier: ISC */
/*
 * exporter-bench: figures for the exporters, printed with their budget.
 *
 *   exporter-bench render N REPS
 *	/metrics at N synthetic containers: median and p90 of REPS renders
 *	of each format, the size, gzip time and size, the dashboard; then a
 *	whole new-round scrape through a snapshot file (snap_read and the
 *	checks, render, gzip) and the peak RSS.  Budget: 20 ms at 1,000,
 *	200 ms at 10,000 (docs/DESIGN.md).
 *   exporter-bench scrape N ROUNDS BUSY_PCT WAKES [basic]
 *	a new round's scrape the way the exporter makes it (mcache.c): read
 *	the snapshot, compare, render and compress what changed, join the
 *	gzip body; BUSY_PCT % of the containers change every round (CPU,
 *	memory, I/O, PSI, a beancounter), WAKES idle ones change once each
 *	round; after 2 x COLD_ROUNDS rounds of warm-up, ROUNDS rounds
 *	measured.  Beside it, in the same rounds, the whole body rendered
 *	and compressed in one go (metrics_render and gzip).  Goal: <= 50 ms
 *	at 10,000 (issue 17).
 *   exporter-bench rrd N ROUNDS DIR STEP [RRDCACHED]
 *	RRD archives of N containers in DIR: creation, then ROUNDS rounds of
 *	updates, per update, directly with librrd or through rrdcached.
 *   exporter-bench rounds SNAPSHOT SECONDS
 *	watch a snapshot for SECONDS and print the intervals between
 *	accountd's rounds (median, p99, max): sampling keeps its pace?
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "expo.h"
#include "synth.h"
#include "ubc.h"
#include "xalloc.h"
#include "stats.h"

static size_t
gz(const char *in, size_t len, double *ms)
{
	z_stream z;
	size_t cap;
	unsigned char *out;
	double t0 = bench_now_ms();

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY);
	cap = deflateBound(&z, len);
	out = xmalloc(cap);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*ms = bench_now_ms() - t0;
	cap = z.total_out;
	deflateEnd(&z);
	free(out);
	return cap;
}

static int
bench_render(uint32_t n, int reps)
{
	struct snap_header h;
	struct snap_ct *cts = xcalloc(n, sizeof(*cts));
	double *t = xcalloc((size_t)reps, sizeof(double));
	double budget = n <= 1000 ? 20 : 200 * (double)n / 10000;
	struct sbuf b = SBUF_INIT;
	struct dash_opts o = { .graphs = true };
	char path[] = "/tmp/exporter-bench.XXXXXX";
	struct rusage ru;

	synth_header(&h, n, 1);
	for (uint32_t i = 0; i < n; i++)
		synth_ct(&cts[i], i, 42, 1);
	printf("%u containers (synthetic, cgroup v2 rows: PSI, 2 devices, "
	    "every tenth stopped), %d renders each:\n", n, reps);
	for (int f = 0; f < 2; f++) {
		double gzms;
		size_t gzlen;

		for (int r = 0; r < reps; r++) {
			double t0;

			sbuf_reset(&b);
			t0 = bench_now_ms();
			metrics_render(&h, cts, n, f ? MFMT_OPENMETRICS :
			    MFMT_TEXT, MD_FULL, &b);
			t[r] = bench_now_ms() - t0;
		}
		gzlen = gz(b.s, b.len, &gzms);
		printf("  /metrics %-11s median %7.2f ms  p90 %7.2f ms  "
		    "%6.1f MB (%zu B/container); gzip %6.1f ms -> %5.2f MB;  "
		    "budget <= %.0f ms: %s\n", f ? "OpenMetrics" : "text 0.0.4",
		    bench_pct(t, (size_t)reps, 0.5), bench_pct(t, (size_t)reps, 0.9),
		    (double)b.len / 1e6, b.len / n, gzms, (double)gzlen / 1e6,
		    budget, bench_pct(t, (size_t)reps, 0.5) <= budget ? "met" :
		    "NOT met");
	}
	for (int r = 0; r < reps; r++) {
		double t0;

		sbuf_reset(&b);
		t0 = bench_now_ms();
		dashboard_render(&h, cts, n, &o, &b);
		t[r] = bench_now_ms() - t0;
	}
	printf("  dashboard page     median %7.2f ms  p90 %7.2f ms  %6.1f MB\n",
	    bench_pct(t, (size_t)reps, 0.5), bench_pct(t, (size_t)reps, 0.9),
	    (double)b.len / 1e6);

	/* a scrape in a new round: read the file, check, render, gzip */
	{
		struct snap_writer w;
		struct snap s;
		struct sview v = { .n = 0 };
		struct aerr err = { 0 };
		int fd = mkstemp(path);
		struct snap_rec *rec;

		if (fd < 0)
			return 1;
		close(fd);
		if (snapw_open(&w, path, &err) < 0 ||
		    (rec = snapw_begin(&w, n)) == NULL) {
			fprintf(stderr, "exporter-bench: %s\n", err.msg);
			return 1;
		}
		snapw_put(&w, cts, n);
		snapw_commit(&w, n);
		snap_open(&s, path, NULL);
		for (int r = 0; r < reps; r++) {
			double t0 = bench_now_ms(), gzms;

			if (sview_load(&s, &v, &err) < 0) {
				fprintf(stderr, "exporter-bench: %s\n", err.msg);
				return 1;
			}
			sbuf_reset(&b);
			metrics_render(&v.h, v.cts, v.n, MFMT_OPENMETRICS, MD_FULL, &b);
			(void)gz(b.s, b.len, &gzms);
			t[r] = bench_now_ms() - t0;
		}
		printf("  new-round scrape (read %.1f MB of snapshot, check, "
		    "render OpenMetrics, gzip) median %.2f ms\n",
		    (double)n * (sizeof(struct snap_rec) +
		    sizeof(struct snap_devs)) / 1e6,
		    bench_pct(t, (size_t)reps, 0.5));
		sview_free(&v);
		snap_close(&s);
		snapw_close(&w);
		unlink(path);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS of this process: %.1f MB (the records %.1f MB, "
	    "their copy, one body and its gzip)\n", (double)ru.ru_maxrss / 1024,
	    (double)n * sizeof(struct snap_ct) / 1e6);
	sbuf_free(&b);
	free(cts);
	free(t);
	return 0;
}

/* one round of a fleet: the busy ones move, a few idle ones wake up */
static void
churn(struct snap_ct *cts, uint32_t n, unsigned busy_pct, unsigned wakes,
    uint32_t *seed)
{
	for (uint32_t i = 0; i < n; i++) {
		struct snap_ct *c = &cts[i];

		if (!c->running || (i * 2654435761u) % 100 >= busy_pct)
			continue;
		c->cpu_usage += 700000 + *seed % 1000;
		c->cpu_user += 500000;
		c->cpu_system += 200000 + *seed % 1000;
		for (int k = 0; k < 3; k++)
			c->psi_some[k] += 1000 + (uint64_t)k;
		c->psi_full[1] += 10;
		for (uint32_t d = 0; d < c->ndev; d++) {
			c->dev[d].rbytes += 4096 * 3;
			c->dev[d].wbytes += 4096 * 7;
			c->dev[d].rios += 3;
			c->dev[d].wios += 7;
		}
		c->mem_anon += 4096;
		c->row[UB_PHYSPAGES].held++;
		c->row[UB_KMEMSIZE].held += 512;
		*seed = *seed * 1103515245u + 12345u;
	}
	for (unsigned w = 0; w < wakes; w++) {
		*seed = *seed * 1103515245u + 12345u;
		cts[(*seed >> 8) % n].cpu_usage += 1000;
	}
}

static int
bench_scrape(uint32_t n, int reps, unsigned busy_pct, unsigned wakes,
    enum mdetail detail)
{
	struct snap_header h;
	struct snap_ct *cts = xcalloc(n, sizeof(*cts));
	double *tread = xcalloc((size_t)reps, sizeof(double));
	double *tinc = xcalloc((size_t)reps, sizeof(double));
	double *tall = xcalloc((size_t)reps, sizeof(double));
	double *tfull = xcalloc((size_t)reps, sizeof(double));
	size_t *zlen = xcalloc((size_t)reps, sizeof(size_t));
	char path[] = "/tmp/exporter-bench.XXXXXX";
	struct snap_writer w;
	struct snap s;
	struct sview v = { .n = 0 };
	struct aerr err = { 0 };
	struct mcache *mc = mcache_new(detail);
	struct sbuf b = SBUF_INIT;
	uint32_t seed = 1;
	size_t rendered = 0, hot = 0, plain = 0, fullz = 0;
	int fd = mkstemp(path), warm = 2 * 64;

	if (fd < 0)
		return 1;
	close(fd);
	synth_header(&h, n, 1);
	for (uint32_t i = 0; i < n; i++)
		synth_ct(&cts[i], i, 42, 1);
	if (snapw_open(&w, path, &err) < 0 || snap_open(&s, path, &err) < 0) {
		fprintf(stderr, "exporter-bench: %s\n", err.msg);
		return 1;
	}
	for (int r = -warm; r < reps; r++) {
		struct snap_rec *rec;
		double t0, t1, t2, fz;
		size_t len;
		char *body;

		churn(cts, n, busy_pct, wakes, &seed);
		h.rounds++;
		h.time_ms += 1000;
		if ((rec = snapw_begin(&w, n)) == NULL)
			return 1;
		snapw_put(&w, cts, n);
		w.hdr->rounds = h.rounds;
		w.hdr->time_ms = h.time_ms;
		snapw_commit(&w, n);

		t0 = bench_now_ms();
		if (sview_load(&s, &v, &err) < 0) {
			fprintf(stderr, "exporter-bench: %s\n", err.msg);
			return 1;
		}
		t1 = bench_now_ms();
		mcache_update(mc, &v.h, v.cts, v.n);
		body = mcache_body(mc, MFMT_OPENMETRICS, true, &len);
		t2 = bench_now_ms();
		free(body);
		if (r < 0)
			continue;
		tread[r] = t1 - t0;
		tinc[r] = t2 - t1;
		tall[r] = t2 - t0;
		zlen[r] = len;
		rendered += mcache_stats(mc)->rendered;
		hot += mcache_stats(mc)->hot;
		/* the same round in one go */
		sbuf_reset(&b);
		t0 = bench_now_ms();
		metrics_render(&v.h, v.cts, v.n, MFMT_OPENMETRICS, detail, &b);
		fullz = gz(b.s, b.len, &fz);
		tfull[r] = bench_now_ms() - t0 + tread[r];
		plain = b.len;
	}
	{
		double inc = bench_pct(tall, (size_t)reps, 0.5);
		double full = bench_pct(tfull, (size_t)reps, 0.5);
		size_t nf;

		metrics_families(detail, &nf);
		printf("%u containers (synthetic, v2 rows), metrics_detail %s, "
		    "%u %% busy + %u idle waking per round, %d rounds after %d "
		    "of warm-up:\n", n, mdetail_name(detail), busy_pct, wakes,
		    reps, warm);
		printf("  new-round scrape, pieces (mcache): median %7.2f ms  "
		    "p90 %7.2f ms  [read+check %.2f, compare+render+gzip "
		    "%.2f]  goal <= 50 ms: %s\n", inc,
		    bench_pct(tall, (size_t)reps, 0.9),
		    bench_pct(tread, (size_t)reps, 0.5),
		    bench_pct(tinc, (size_t)reps, 0.5),
		    inc <= 50 * (double)n / 10000 ? "met" : "NOT met");
		/* the goal was set on a quiet host where the whole took 203
		 * ms; the ratio holds whatever else the machine runs */
		printf("  new-round scrape, whole (render + gzip in one go): "
		    "median %7.2f ms  -> pieces/whole %.2f (goal as a ratio: "
		    "<= 50/203 = 0.25, issue 17's quiet figures: %s)\n", full,
		    full > 0 ? inc / full : 0, full > 0 && inc / full <= 50.0 /
		    203 ? "met" : "NOT met");
		printf("  per round: %.0f container-families rendered of %zu "
		    "(%.1f %%), %.0f hot; body %.1f MB (%zu B/container), gzip "
		    "%.2f MB in pieces vs %.2f MB whole (%.2fx)\n",
		    (double)rendered / reps, (size_t)n * nf,
		    100.0 * (double)rendered / reps / ((double)n * nf),
		    (double)hot / reps, (double)plain / 1e6, plain / n,
		    (double)zlen[reps - 1] / 1e6, (double)fullz / 1e6,
		    fullz ? (double)zlen[reps - 1] / (double)fullz : 0);
	}
	mcache_free(mc);
	sview_free(&v);
	snap_close(&s);
	snapw_close(&w);
	unlink(path);
	sbuf_free(&b);
	free(cts);
	free(tread);
	free(tinc);
	free(tall);
	free(tfull);
	free(zlen);
	return 0;
}

static int
bench_rrd(uint32_t n, int rounds, const char *dir, unsigned step,
    const char *daemon)
{
	struct rrd_writer w;
	struct aerr err = { 0 };
	struct snap_ct *cts = xcalloc(n, sizeof(*cts));
	double *t = xcalloc((size_t)rounds, sizeof(double));
	time_t t0 = time(NULL) - (time_t)(rounds + 2) * (time_t)step;
	double c0;
	int failed;

	for (uint32_t i = 0; i < n; i++) {
		synth_ct(&cts[i], i, 42, 0);
		cts[i].running = 1;
		if (cts[i].row[UB_PHYSPAGES].present == 0)
			synth_ct(&cts[i], i + 1, 42, 0);
		snprintf(cts[i].name, sizeof(cts[i].name), "ct%05u", i);
	}
	if (rrdw_init(&w, dir, daemon, step, &err) < 0) {
		fprintf(stderr, "exporter-bench: %s\n", err.msg);
		return 1;
	}
	c0 = bench_now_ms();
	failed = rrdw_update(&w, cts, n, t0);	/* creates the archives */
	printf("RRD, %u containers, step %u s, %s:\n  creating the archives "
	    "(and a first update): %.1f ms per container%s%s\n", n, step,
	    daemon ? "through rrdcached (BATCH)" : "librrd rrd_update_r",
	    (bench_now_ms() - c0) / n, failed ? "; failures: " : "",
	    failed ? w.last_error : "");
	for (int r = 0; r < rounds; r++) {
		for (uint32_t i = 0; i < n; i++)
			cts[i].cpu_usage += 1000000;
		c0 = bench_now_ms();
		failed = rrdw_update(&w, cts, n, t0 + (time_t)(r + 1) *
		    (time_t)step);
		t[r] = bench_now_ms() - c0;
		if (failed)
			fprintf(stderr, "  round %d: %d failed: %s\n", r, failed,
			    w.last_error);
	}
	printf("  one round of updates: median %.2f ms = %.2f us per "
	    "container (p90 %.2f ms);\n  at one round per %u s that is %.2f %% "
	    "of a core for %u containers, %.1f %% for 10,000\n",
	    bench_pct(t, (size_t)rounds, 0.5), bench_pct(t, (size_t)rounds, 0.5) * 1e3 / n,
	    bench_pct(t, (size_t)rounds, 0.9), step,
	    bench_pct(t, (size_t)rounds, 0.5) / (step * 10.0), n,
	    bench_pct(t, (size_t)rounds, 0.5) * 10000 / n / (step * 10.0));
	{
		char *p = rrd_path(dir, cts[0].name);
		FILE *f = fopen(p, "r");

		if (f != NULL) {
			fseek(f, 0, SEEK_END);
			printf("  archive size: %.2f MB per container\n",
			    (double)ftell(f) / 1e6);
			fclose(f);
		}
		free(p);
	}
	rrdw_close(&w);
	free(cts);
	free(t);
	return 0;
}

static int
bench_rounds(const char *path, int secs)
{
	struct snap_header h;
	double *iv = xcalloc((size_t)secs * 100 + 16, sizeof(double));
	size_t n = 0;
	uint64_t last_round = 0, last_ms = 0;
	double end = bench_now_ms() + secs * 1000.0;
	FILE *f;

	while (bench_now_ms() < end) {
		if ((f = fopen(path, "r")) != NULL) {
			if (fread(&h, sizeof(h), 1, f) == 1 && !(h.seq & 1) &&
			    h.rounds != last_round) {
				if (last_round != 0 && h.rounds == last_round + 1 &&
				    n < (size_t)secs * 100)
					iv[n++] = (double)(h.time_ms - last_ms);
				last_round = h.rounds;
				last_ms = h.time_ms;
			}
			fclose(f);
		}
		usleep(5000);
	}
	if (n == 0) {
		printf("  no rounds seen in %s\n", path);
		return 1;
	}
	printf("  sampling rounds: %zu intervals, median %.0f ms, p99 %.0f ms, "
	    "max %.0f ms\n", n, bench_pct(iv, n, 0.5), bench_pct(iv, n, 0.99),
	    bench_pct(iv, n, 1.0));
	free(iv);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "render") == 0)
		return bench_render((uint32_t)atoi(argv[2]), atoi(argv[3]));
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "scrape") == 0)
		return bench_scrape((uint32_t)atoi(argv[2]), atoi(argv[3]),
		    (unsigned)atoi(argv[4]), (unsigned)atoi(argv[5]),
		    argc == 7 && strcmp(argv[6], "basic") == 0 ? MD_BASIC :
		    MD_FULL);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "rrd") == 0)
		return bench_rrd((uint32_t)atoi(argv[2]), atoi(argv[3]), argv[4],
		    (unsigned)atoi(argv[5]), argc == 7 ? argv[6] : NULL);
	if (argc == 4 && strcmp(argv[1], "rounds") == 0)
		return bench_rounds(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: exporter-bench render N REPS\n"
	    "       exporter-bench scrape N ROUNDS BUSY_PCT WAKES [basic]\n"
	    "       exporter-bench rrd N ROUNDS DIR STEP [RRDCACHED]\n"
	    "       exporter-bench rounds SNAPSHOT SECONDS\n");
	return 2;
}
