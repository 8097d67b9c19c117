/* SPDX-License-Identifier: ISC */
/*
 * mksnap FILE N [v1|v2|quotes] [SECONDS [one]]: write a snapshot of N
 * synthetic containers (synth.c) to FILE through the writer accountd uses
 * (lib/snapshot.c), for the exporters' tests and benchmarks.  "quotes":
 * v2, with a backslash, a double quote and a newline in the first
 * container's name and device (labels to escape).  With
 * SECONDS, publish a new round every second for that long, as accountd
 * does, with a little CPU time and a failcnt added each round; with
 * "one", to container 7 only, and the last container is gone from the
 * third round on (the exporter's pieces across rounds, mcache.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"
#include "synth.h"
#include "ubc.h"

int
main(int argc, char **argv)
{
	struct snap_writer w;
	struct aerr err = { 0 };
	struct snap_header h;
	struct snap_ct *cts;
	uint32_t n;
	int v2, quotes, secs, one;

	if (argc < 3 || argc > 6) {
		fprintf(stderr, "usage: mksnap FILE N [v1|v2|quotes] "
		    "[SECONDS [one]]\n");
		return 2;
	}
	n = (uint32_t)strtoul(argv[2], NULL, 10);
	quotes = argc > 3 && strcmp(argv[3], "quotes") == 0;
	v2 = quotes || (argc > 3 && strcmp(argv[3], "v2") == 0);
	secs = argc > 4 ? atoi(argv[4]) : 0;
	one = argc > 5 && strcmp(argv[5], "one") == 0;
	if (snapw_open(&w, argv[1], &err) < 0) {
		fprintf(stderr, "mksnap: %s\n", err.msg);
		return 1;
	}
	synth_header(&h, n, v2);
	cts = calloc(n ? n : 1, sizeof(*cts));
	if (cts == NULL)
		return 1;
	for (int round = 0; round <= secs; round++) {
		struct timespec ts;
		uint32_t cap;

		if (one && round == 2 && n > 8)
			n--;
		if (snapw_begin(&w, n) == NULL) {
			fprintf(stderr, "mksnap: cannot map %u records\n", n);
			return 1;
		}
		for (uint32_t i = 0; i < n; i++) {
			synth_ct(&cts[i], i, 42, v2);
			if (one && i != 7)
				continue;
			cts[i].cpu_usage += (uint64_t)round * 250000;
			if (cts[i].running)
				cts[i].row[UB_NUMPROC].failcnt += (uint64_t)round;
		}
		if (quotes && n > 0) {
			snprintf(cts[0].name, sizeof(cts[0].name),
			    "a\"b\\c\nd");
			snprintf(cts[0].dev[0].dev, sizeof(cts[0].dev[0].dev),
			    "8:\"0\\");
		}
		snapw_put(&w, cts, n);
		clock_gettime(CLOCK_REALTIME, &ts);
		cap = w.hdr->capacity;
		memcpy(w.hdr, &h, offsetof(struct snap_header, seq));
		w.hdr->capacity = cap;
		w.hdr->time_ms = (uint64_t)ts.tv_sec * 1000 +
		    (uint64_t)ts.tv_nsec / 1000000;
		w.hdr->interval_ms = h.interval_ms;
		w.hdr->rounds = (uint64_t)round + 1;
		w.hdr->host_ram = h.host_ram;
		w.hdr->host_swap = h.host_swap;
		w.hdr->pid = (uint64_t)getpid();
		w.hdr->started_ms = h.started_ms;
		memcpy(w.hdr->cgroup_mode, h.cgroup_mode, sizeof(h.cgroup_mode));
		memcpy(w.hdr->hostname, h.hostname, sizeof(h.hostname));
		memcpy(w.hdr->version_str, h.version_str, sizeof(h.version_str));
		snapw_commit(&w, n);
		if (round < secs)
			sleep(1);
	}
	snapw_close(&w);
	free(cts);
	return 0;
}
