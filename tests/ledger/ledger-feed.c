/* SPDX-License-Identifier: ISC */
/*
 * ledger-feed SNAPSHOT N ROUNDS PERIOD_MS: publish ROUNDS snapshot rounds,
 * one every PERIOD_MS, through accountd's own writer (lib/snapshot.c),
 * for the ledger's tests and benchmark.  The figures are exact so a test
 * can check the ledger's totals against them: at round k (1..ROUNDS)
 * container i ("ct<i>") has
 *
 *	cpu_usage	k * 1000 * (i + 1) usec
 *	I/O		k * 4096 bytes read, k operations read
 *	failcnt		k / 10 (physpages row)
 *	physpages held	1000 pages; ram 256 MiB configured
 *
 * and since_ms the feed's own start, two hours after the header's
 * started_ms: it started while accountd was running, so a ledger made
 * before the feed started counts its whole counters.  The file stays
 * after the last round.  With ROUNDS 0 it publishes until killed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"
#include "ubc.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	struct snap_writer w;
	struct aerr err = { 0 };
	uint32_t n;
	uint64_t rounds, period, started, born;

	if (argc != 5) {
		fprintf(stderr, "usage: ledger-feed SNAPSHOT N ROUNDS "
		    "PERIOD_MS\n");
		return 2;
	}
	n = (uint32_t)strtoul(argv[2], NULL, 10);
	rounds = strtoull(argv[3], NULL, 10);
	period = strtoull(argv[4], NULL, 10);
	if (snapw_open(&w, argv[1], &err) < 0) {
		fprintf(stderr, "ledger-feed: %s\n", err.msg);
		return 1;
	}
	born = now_ms();
	started = born - 7200000;
	for (uint64_t k = 1; rounds == 0 || k <= rounds; k++) {
		struct snap_ct *cts = calloc(n ? n : 1, sizeof(*cts));
		uint32_t cap;

		if (cts == NULL || snapw_begin(&w, n) == NULL) {
			fprintf(stderr, "ledger-feed: cannot map %u records\n", n);
			return 1;
		}
		for (uint32_t i = 0; i < n; i++) {
			struct snap_ct *s = &cts[i];

			memset(s, 0, sizeof(*s));
			snprintf(s->name, sizeof(s->name), "ct%u", i);
			snprintf(s->cgroup, sizeof(s->cgroup), "feed/ct%u", i);
			s->running = 1;
			s->since_ms = born;
			s->cpu_usage = k * 1000 * (i + 1);
			s->ndev = 1;
			snprintf(s->dev[0].dev, sizeof(s->dev[0].dev), "8:0");
			s->dev[0].rbytes = k * 4096;
			s->dev[0].rios = k;
			s->row[UB_PHYSPAGES].present = 1;
			s->row[UB_PHYSPAGES].unit = SNAP_UNIT_PAGES;
			s->row[UB_PHYSPAGES].held = 1000;
			s->row[UB_PHYSPAGES].maxheld = 1000;
			s->row[UB_PHYSPAGES].failcnt = k / 10;
			s->ram = 256ULL << 20;
			s->swap = (uint64_t)INT64_MAX;
		}
		snapw_put(&w, cts, n);
		free(cts);
		cap = w.hdr->capacity;
		memset(w.hdr, 0, offsetof(struct snap_header, seq));
		w.hdr->magic = SNAP_MAGIC;
		w.hdr->version = SNAP_VERSION;
		w.hdr->record_size = sizeof(struct snap_rec);
		w.hdr->capacity = cap;
		w.hdr->time_ms = now_ms();
		w.hdr->interval_ms = period;
		w.hdr->rounds = k;
		w.hdr->started_ms = started;
		snapw_commit(&w, n);
		if (rounds == 0 || k < rounds)
			usleep((useconds_t)period * 1000);
	}
	snapw_close(&w);
	return 0;
}
