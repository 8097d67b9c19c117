/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the exporters' pure code (TAP): content negotiation,
 * query strings, the /metrics text in both formats, the snapshot checks,
 * capacity arithmetic and the dashboard's escaping.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../tap.h"
#include "expo.h"
#include "params.h"
#include "synth.h"
#include "ubc.h"
#include "xalloc.h"

static void
test_accept(void)
{
	static const struct {
		const char	*accept;
		enum mfmt	 fmt;
		const char	*ver;
	} cases[] = {
		{ NULL, MFMT_TEXT, NULL },
		{ "", MFMT_TEXT, NULL },
		/* what Prometheus 2.42 sends */
		{ "application/openmetrics-text;version=1.0.0,application/"
		  "openmetrics-text;version=0.0.1;q=0.75,text/plain;version="
		  "0.0.4;q=0.5,*/*;q=0.1", MFMT_OPENMETRICS, "1.0.0" },
		{ "application/openmetrics-text;version=0.0.1",
		  MFMT_OPENMETRICS, "0.0.1" },
		{ "application/openmetrics-text", MFMT_OPENMETRICS, "1.0.0" },
		{ "Application/OpenMetrics-Text ; Version=\"1.0.0\"",
		  MFMT_OPENMETRICS, "1.0.0" },
		{ "application/openmetrics-text;version=2.0.0", MFMT_TEXT, NULL },
		{ "application/openmetrics-text;q=0", MFMT_TEXT, NULL },
		{ "application/openmetrics-text;q=0.5, text/plain;q=0.9",
		  MFMT_TEXT, NULL },
		{ "text/plain;q=0.5, application/openmetrics-text;q=0.5",
		  MFMT_OPENMETRICS, "1.0.0" },
		{ "*/*", MFMT_TEXT, NULL },
		{ "text/plain;version=0.0.4", MFMT_TEXT, NULL },
		{ "application/json", MFMT_TEXT, NULL },
		{ "application/openmetrics-text;q=1.5", MFMT_TEXT, NULL },
		{ ";;,,==;q", MFMT_TEXT, NULL },
		{ "application/openmetrics-text;charset=\"a,b;c\";q=0.9,"
		  "text/plain;q=0.8", MFMT_OPENMETRICS, "1.0.0" },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		const char *v = NULL;
		enum mfmt f = negotiate_format(cases[i].accept, &v);

		ok(f == cases[i].fmt && (cases[i].ver == NULL ||
		    strcmp(v, cases[i].ver) == 0), "Accept: %s -> %s %s",
		    cases[i].accept ? cases[i].accept : "(none)",
		    cases[i].fmt == MFMT_TEXT ? "text" : "OpenMetrics",
		    cases[i].ver ? cases[i].ver : "");
	}
}

static void
test_gzip(void)
{
	static const struct {
		const char	*ae;
		bool		 gz;
	} cases[] = {
		{ NULL, false }, { "", false }, { "gzip", true },
		{ "gzip;q=0", false }, { "deflate, gzip;q=0.5", true },
		{ "*", true }, { "*;q=0", false }, { "identity", false },
		{ "gzip;q=0, *", false }, { "GZIP", true }, { "x-gzip", true },
		{ "br;q=1.0, gzip;q=0.8, *;q=0.1", true },
	};

	for (size_t i = 0; i < nitems(cases); i++)
		ok(negotiate_gzip(cases[i].ae) == cases[i].gz,
		    "Accept-Encoding: %s -> %s", cases[i].ae ? cases[i].ae :
		    "(none)", cases[i].gz ? "gzip" : "plain");
}

static void
test_query(void)
{
	static const char *const allowed[] = { "ct", "resource", "period",
		NULL };
	struct query q;
	struct aerr err = { 0 };
	char longv[300];

	ok(query_parse(NULL, allowed, &q, &err) == 0 && q.n == 0, "no query");
	ok(query_parse("", allowed, &q, &err) == 0 && q.n == 0, "empty query");
	ok(query_parse("ct=101&period=1d", allowed, &q, &err) == 0 &&
	    q.n == 2 && strcmp(query_get(&q, "ct"), "101") == 0 &&
	    strcmp(query_get(&q, "period"), "1d") == 0, "two parameters");
	ok(query_parse("ct=10%31", allowed, &q, &err) == 0 &&
	    strcmp(query_get(&q, "ct"), "101") == 0, "%%XX decoded");
	ok(query_parse("ct=a+b", allowed, &q, &err) == 0 &&
	    strcmp(query_get(&q, "ct"), "a b") == 0, "+ is a space");
	ok(query_parse("&&ct=1&", allowed, &q, &err) == 0 && q.n == 1,
	    "empty parts skipped");
	ok(query_parse("ct", allowed, &q, &err) == 0 &&
	    strcmp(query_get(&q, "ct"), "") == 0, "a key without a value");
	ok(query_parse("x=1", allowed, &q, &err) < 0 && strcmp(err.msg,
	    "unknown query parameter 'x' (accepted: ct, resource, period)") ==
	    0, "unknown key: %s", err.msg);
	ok(query_parse("ct=1&ct=2", allowed, &q, &err) < 0 &&
	    strstr(err.msg, "twice") != NULL, "repeated key: %s", err.msg);
	ok(query_parse("ct=%zz", allowed, &q, &err) < 0, "bad escape: %s",
	    err.msg);
	ok(query_parse("ct=%4", allowed, &q, &err) < 0, "short escape: %s",
	    err.msg);
	ok(query_parse("ct=%00", allowed, &q, &err) < 0, "NUL refused: %s",
	    err.msg);
	ok(query_parse("ct=%0a", allowed, &q, &err) < 0, "newline refused");
	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	memcpy(longv, "ct=", 3);
	ok(query_parse(longv, allowed, &q, &err) < 0 && strstr(err.msg,
	    "too long") != NULL, "long value: %s", err.msg);
	ok(query_parse("x=1", NULL, &q, &err) < 0 && strstr(err.msg,
	    "accepted: none") != NULL, "no keys allowed: %s", err.msg);
}

/* Every line of the body is a comment or name{labels} value; a family's
 * samples are contiguous; no series appears twice. */
static void
check_body(const char *body, enum mfmt fmt, const char *what)
{
	char **names = NULL, **series = NULL;
	size_t nnames = 0, nseries = 0;
	bool wellformed = true, contiguous = true, unique = true;
	const char *p = body;
	char last[128] = "";

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], name[128];

		if (nl == NULL || len >= sizeof(line)) {
			wellformed = false;
			break;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (line[0] == '#') {
			if (strncmp(line, "# HELP ", 7) && strncmp(line, "# TYPE ", 7)
			    && strncmp(line, "# UNIT ", 7) && strcmp(line, "# EOF"))
				wellformed = false;
			continue;
		}
		if (sscanf(line, "%127[a-z_]", name) != 1 ||
		    strchr(line, ' ') == NULL) {
			wellformed = false;
			continue;
		}
		if (strcmp(name, last) != 0) {
			for (size_t i = 0; i < nnames; i++)
				if (strcmp(names[i], name) == 0)
					contiguous = false;
			names = xreallocarray(names, nnames + 1, sizeof(char *));
			names[nnames++] = xstrdup(name);
			snprintf(last, sizeof(last), "%s", name);
		}
		*strrchr(line, ' ') = '\0';
		series = xreallocarray(series, nseries + 1, sizeof(char *));
		series[nseries++] = xstrdup(line);
	}
	qsort(series, nseries, sizeof(char *), (int (*)(const void *,
	    const void *))strcmp);
	for (size_t i = 1; i < nseries; i++)
		if (strcmp(series[i - 1], series[i]) == 0)
			unique = false;
	ok(wellformed, "%s: every line well formed", what);
	ok(contiguous, "%s: each family's samples together", what);
	ok(unique && nseries > 0, "%s: %zu series, none twice", what, nseries);
	if (fmt == MFMT_OPENMETRICS)
		ok(strlen(body) > 6 && strcmp(body + strlen(body) - 6,
		    "# EOF\n") == 0, "%s: ends with # EOF", what);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	for (size_t i = 0; i < nseries; i++)
		free(series[i]);
	free(names);
	free(series);
}

static void
test_render(void)
{
	struct snap_header h;
	struct snap_ct cts[40];
	struct sbuf t = SBUF_INIT, o = SBUF_INIT;

	for (int v2 = 0; v2 < 2; v2++) {
		synth_header(&h, 40, v2);
		for (uint32_t i = 0; i < 40; i++)
			synth_ct(&cts[i], i, 7, v2);
		sbuf_reset(&t);
		sbuf_reset(&o);
		metrics_render(&h, cts, 40, MFMT_TEXT, MD_FULL, &t);
		metrics_render(&h, cts, 40, MFMT_OPENMETRICS, MD_FULL, &o);
		check_body(t.s, MFMT_TEXT, v2 ? "text v2" : "text v1");
		check_body(o.s, MFMT_OPENMETRICS, v2 ? "OpenMetrics v2" :
		    "OpenMetrics v1");
		ok(strstr(t.s, "# TYPE accountd_beancounter_failcnt_total "
		    "counter\n") != NULL, "text: counter TYPE has _total");
		ok(strstr(o.s, "# TYPE accountd_beancounter_failcnt counter\n") !=
		    NULL && strstr(o.s, "accountd_beancounter_failcnt_total{") !=
		    NULL, "OpenMetrics: counter family without _total, samples "
		    "with it");
		ok(strstr(o.s, "# UNIT accountd_beancounter_held_bytes bytes\n")
		    != NULL && strstr(t.s, "# UNIT") == NULL,
		    "UNIT lines in OpenMetrics only");
		ok(strstr(o.s, "# TYPE accountd_build info\n") != NULL &&
		    strstr(t.s, "# TYPE accountd_build_info gauge\n") != NULL,
		    "info type in OpenMetrics, gauge in text");
		ok((strstr(t.s, "accountd_container_pressure_cpu_waiting_seconds"
		    "_total{") != NULL) == (v2 == 1),
		    "pressure only where there is PSI (%s)", v2 ? "v2" : "v1");
	}
	ok(strstr(t.s, "accountd_beancounter_limit_bytes{container=\"ct00000\","
	    "resource=\"kmemsize\"} +Inf\n") != NULL, "unlimited is +Inf");
	ok(strstr(t.s, "container=\"ct00009\"} 0\n") != NULL &&
	    strstr(t.s, "accountd_beancounter_held_bytes{container=\"ct00009\"")
	    == NULL, "a stopped container: running 0, no beancounters");

	/* seconds from microseconds, exactly */
	synth_header(&h, 1, 0);
	synth_ct(&cts[0], 0, 7, 0);
	cts[0].cpu_usage = 1500000;
	cts[0].throttled = 123456;
	cts[0].nr_periods = 5;
	sbuf_reset(&t);
	metrics_render(&h, cts, 1, MFMT_TEXT, MD_FULL, &t);
	ok(strstr(t.s, "accountd_container_cpu_usage_seconds_total{container="
	    "\"ct00000\"} 1.5\n") != NULL, "1500000 us is 1.5 s");
	ok(strstr(t.s, "accountd_container_cpu_cfs_throttled_seconds_total{"
	    "container=\"ct00000\"} 0.123456\n") != NULL, "123456 us is "
	    "0.123456 s");
	ok(strstr(t.s, "accountd_beancounter_limit_bytes{container=\"ct00000\","
	    "resource=\"physpages\"} ") != NULL, "pages rows in bytes");

	/* label escaping */
	snprintf(cts[0].name, sizeof(cts[0].name), "a\"b\\c");
	sbuf_reset(&t);
	metrics_render(&h, cts, 1, MFMT_TEXT, MD_FULL, &t);
	ok(strstr(t.s, "container=\"a\\\"b\\\\c\"") != NULL,
	    "label values escaped");
	/* every label from the snapshot: the device too */
	snprintf(cts[0].dev[0].dev, sizeof(cts[0].dev[0].dev), "8:\"0\\\n");
	sbuf_reset(&t);
	metrics_render(&h, cts, 1, MFMT_OPENMETRICS, MD_FULL, &t);
	ok(strstr(t.s, "device=\"8:\\\"0\\\\\\n\"} ") != NULL,
	    "device label escaped: \" \\ and newline");
	sbuf_free(&t);
	sbuf_free(&o);
}

static void
test_sanitize(void)
{
	struct snap_header h;
	struct snap_ct *cts = xcalloc(4, sizeof(*cts));
	size_t n;

	synth_header(&h, 4, 0);
	memset(h.hostname, 'x', sizeof(h.hostname));
	synth_ct(&cts[0], 2, 1, 0);
	synth_ct(&cts[1], 1, 1, 0);
	synth_ct(&cts[2], 2, 1, 0);	/* a duplicate */
	memset(cts[3].name, 'z', sizeof(cts[3].name));
	cts[3].ndev = 1000;
	cts[3].row[UB_PHYSPAGES].unit = 77;
	cts[3].row[UB_DUMMY0].present = 1;
	n = sview_sanitize(&h, cts, 4, false);
	ok(n == 3, "duplicate dropped (%zu kept)", n);
	ok(strcmp(cts[0].name, "ct00001") == 0 && strcmp(cts[1].name,
	    "ct00002") == 0, "sorted by name");
	ok(strlen(cts[2].name) == 63 && cts[2].ndev == SNAP_DEVS,
	    "unterminated name cut, device count clamped");
	ok(cts[2].row[UB_PHYSPAGES].unit == UBU_ITEMS &&
	    !cts[2].row[UB_DUMMY0].present, "bad unit and dummy rows fixed");
	ok(strlen(h.hostname) == 63, "header strings terminated");
	/* a departed record (kept for the ledger) sorted before the running
	 * container of the same name: dropped, the running one kept */
	memset(cts, 0, 3 * sizeof(*cts));
	synth_ct(&cts[0], 5, 1, 0);
	cts[0].running = 0;
	cts[0].flags = SNAP_GONE;
	synth_ct(&cts[1], 5, 1, 0);
	synth_ct(&cts[2], 6, 1, 0);
	cts[2].running = 0;
	cts[2].flags = SNAP_GONE;
	n = sview_sanitize(&h, cts, 3, false);
	ok(n == 1 && cts[0].running && strcmp(cts[0].name, "ct00005") == 0,
	    "departed records dropped, the running one of the same name kept");
	/* the ledger keeps them (its follower's keep_gone): both records of
	 * a name, the departed one first, and a duplicate still dropped */
	memset(cts, 0, 4 * sizeof(*cts));
	synth_ct(&cts[0], 5, 1, 0);
	synth_ct(&cts[1], 5, 1, 0);
	cts[1].running = 0;
	cts[1].flags = SNAP_GONE;
	synth_ct(&cts[2], 6, 1, 0);
	cts[2].running = 0;
	cts[2].flags = SNAP_GONE;
	synth_ct(&cts[3], 5, 1, 0);
	n = sview_sanitize(&h, cts, 4, true);
	ok(n == 3 && (cts[0].flags & SNAP_GONE) && cts[1].running &&
	    strcmp(cts[1].name, "ct00005") == 0 && (cts[2].flags & SNAP_GONE),
	    "keep_gone: departed records kept beside the running one, "
	    "duplicates dropped");
	ok(sv_name_ok("101") && sv_name_ok("web-1.a_b") && !sv_name_ok("..") &&
	    !sv_name_ok("a/b") && !sv_name_ok("-x") && !sv_name_ok("a:b") &&
	    !sv_name_ok(""), "file-safe names");
	{
		char *p = sv_default_path("/run/x/accountd.sock");

		is_str(p, "/run/x/snapshot", "snapshot next to the socket");
		free(p);
	}
	free(cts);
}

/* The file's records (version 5) are smaller than a reader's copy:
 * what is written comes back the same through snap_read, devices and
 * row units and presence too, across a growth of the file; a file of
 * another version is refused, saying so. */
static void
test_file(void)
{
	char path[] = "/tmp/acctd-test-snap.XXXXXX";
	struct snap_writer w;
	struct snap s;
	struct snap_header h;
	struct snap_ct *in = xcalloc(100, sizeof(*in)), *out = NULL;
	struct aerr err = { 0 };
	size_t n = 0;
	int fd = mkstemp(path), same = 1, rr;

	ok(fd >= 0 && snapw_open(&w, path, &err) == 0, "writer opened");
	if (fd >= 0)
		close(fd);
	for (uint32_t i = 0; i < 100; i++)
		synth_ct(&in[i], i, 7, (int)(i % 2));
	in[3].ndev = 2;
	snprintf(in[3].dev[1].dev, sizeof(in[3].dev[1].dev), "253:1");
	in[3].dev[1].wios = 12345;
	in[4].ndev = 0;
	for (int round = 0; round < 2; round++) {	/* 10, then 100 */
		uint32_t k = round ? 100 : 10;

		ok(snapw_begin(&w, k) != NULL, "room for %u records", k);
		snapw_put(&w, in, k);
		snapw_commit(&w, k);
		snap_open(&s, path, NULL);
		rr = snap_read(&s, &h, &out, &n, &err);
		ok(rr == 0 && n == k, "%zu records read back%s%s", n,
		    rr ? ": " : "", rr ? err.msg : "");
		snap_close(&s);
		size_t bad = n;

		for (size_t i = 0; i < n && same; i++) {
			struct snap_ct want = in[i];

			for (uint32_t d = want.ndev; d < SNAP_DEVS; d++)
				memset(&want.dev[d], 0, sizeof(want.dev[d]));
			same = memcmp(&want, &out[i], sizeof(want)) == 0;
			if (!same)
				bad = i;
		}
		ok(same, "round %d: every record the same (first differing: "
		    "%zu of %zu)", round, bad, n);
		free(out);
		out = NULL;
	}
	ok(h.record_size == sizeof(struct snap_rec) &&
	    sizeof(struct snap_rec) + sizeof(struct snap_devs) <
	    sizeof(struct snap_ct), "a record %zu bytes in the file, %zu "
	    "with its device slot, %zu in a reader", sizeof(struct snap_rec),
	    sizeof(struct snap_rec) + sizeof(struct snap_devs),
	    sizeof(struct snap_ct));
	w.hdr->version = 4;
	snap_open(&s, path, NULL);
	ok(snap_read(&s, &h, &out, &n, &err) == -EPROTO &&
	    strstr(err.msg, "not a version 5 snapshot") != NULL,
	    "a version 4 file refused: %s", err.msg);
	snap_close(&s);
	snapw_close(&w);
	unlink(path);
	free(in);
}

static void
test_capacity(void)
{
	struct snap_header h;
	struct snap_ct c[4];
	struct capacity cap;
	char flags[8];

	synth_header(&h, 4, 0);
	h.host_ram = 4ull << 30;
	h.host_swap = 1ull << 30;
	h.host_cpus = 2;
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 4; i++) {
		snprintf(c[i].name, sizeof(c[i].name), "c%d", i);
		c[i].running = i < 3;
		c[i].row[UB_PHYSPAGES].present = 1;
		c[i].row[UB_PHYSPAGES].unit = UBU_PAGES;
		c[i].row[UB_SWAPPAGES].present = 1;
		c[i].row[UB_SWAPPAGES].unit = UBU_PAGES;
	}
	c[0].row[UB_PHYSPAGES].limit = (1ull << 30) / 4096;	/* 1G */
	c[0].row[UB_PHYSPAGES].held = 1000;
	c[0].row[UB_SWAPPAGES].limit = (512ull << 20) / 4096;
	c[0].cpulimit = 150;
	c[0].cpus = 1;				/* min: 100 */
	c[1].row[UB_PHYSPAGES].limit = (2ull << 30) / 4096;	/* 2G */
	c[1].row[UB_PHYSPAGES].failcnt = 3;
	c[1].row[UB_SWAPPAGES].limit = VAL_UNLIMITED;
	c[1].cpulimit = 50;
	c[1].cpuunits = 500;
	c[2].row[UB_PHYSPAGES].limit = VAL_UNLIMITED;
	c[2].row[UB_SWAPPAGES].limit = 0;
	c[2].row[UB_NUMPROC].present = 1;
	c[2].row[UB_NUMPROC].failcnt = 9;
	c[3].row[UB_PHYSPAGES].limit = (8ull << 30) / 4096;	/* stopped */
	h.guarantee_room = 3ull << 30;
	c[0].guarantee = 512ull << 20;
	c[1].guarantee = 1ull << 30;
	c[3].guarantee = 8ull << 30;		/* stopped: not counted */
	capacity_compute(&h, c, 4, &cap);
	is_u64(cap.guarantee, 1536ull << 20, "guarantees of running: 512M + 1G");
	is_u64(cap.guarantee_room, 3ull << 30, "guarantee room from the header");
	is_u64(cap.running, 3, "running");
	is_u64(cap.stopped, 1, "stopped");
	is_u64(cap.ram_limit, 3ull << 30, "RAM allocated: 1G + 2G");
	is_u64(cap.ram_unlimited, 1, "one without a RAM limit");
	is_u64(cap.swap_limit, 512ull << 20, "swap allocated");
	is_u64(cap.swap_unlimited, 1, "one with unlimited swap");
	is_u64(cap.ram_held, 1000 * 4096, "RAM used");
	is_u64(cap.ram_failcnt, 3, "RAM fails");
	is_u64(cap.cpuunits, 1000 + 500 + 1000, "cpuunits, 1000 where unset");
	is_u64(cap.cpulimit_pct, 100 + 50, "cpulimit at most cpus x 100");
	is_u64(cap.cpu_unlimited, 1, "one without a CPU limit");
	capacity_flags(&c[0], flags, sizeof(flags));
	is_str(flags, "", "c0: no flags");
	capacity_flags(&c[1], flags, sizeof(flags));
	is_str(flags, "Sf", "c1: unlimited swap, RAM failcnt");
	capacity_flags(&c[2], flags, sizeof(flags));
	is_str(flags, "UF", "c2: no RAM limit, another failcnt");
	is_u64(capacity_power("processor\t: 0\nbogomips\t: 4800.00\n\n"
	    "processor\t: 1\nBogoMIPS\t: 4800.00\n"), 240000,
	    "power: bogomips x 25");
	is_u64(capacity_power("nothing here"), 0, "no bogomips: 0");
}

static void
test_dashboard(void)
{
	struct snap_header h;
	struct snap_ct c[2];
	struct dash_opts o = { .graphs = true };
	struct sbuf b = SBUF_INIT;

	synth_header(&h, 2, 0);
	synth_ct(&c[0], 0, 3, 0);
	synth_ct(&c[1], 1, 3, 0);
	snprintf(c[1].name, sizeof(c[1].name), "a<b&c\"");
	c[0].row[UB_NUMPROC].failcnt = 4;
	h.guarantee_room = 1ull << 30;
	c[0].guarantee = 256ull << 20;
	dashboard_render(&h, c, 2, &o, &b);
	ok(strstr(b.s, "id=\"cap-Guarantee\"><h2>Guarantee</h2><div class=big>25% "
	    "committed") != NULL, "the Guarantee card: 256M of 1G committed");
	ok(strstr(b.s, "a&lt;b&amp;c&quot;") != NULL && strstr(b.s, "a<b") ==
	    NULL, "names are HTML-escaped");
	ok(strstr(b.s, "<tr class=\"ct\" id=\"ct-ct00000\">") != NULL,
	    "a row per container");
	ok(strstr(b.s, "class=\"num fail\"") != NULL, "failcnt highlighted");
	ok(strstr(b.s, "http://") == NULL && strstr(b.s, "https://") == NULL &&
	    strstr(b.s, "src=\"//") == NULL, "no external resources");
	sbuf_reset(&b);
	o.ct = "ct00000";
	o.period = "1w";
	dashboard_render(&h, c, 2, &o, &b);
	ok(strstr(b.s, "/graph?ct=ct00000&amp;resource=physpages&amp;"
	    "period=1w") != NULL, "one container: graphs for the period");
	sbuf_free(&b);
}

static void
test_rrd_names(void)
{
	enum rrd_res r;
	unsigned long s;
	struct aerr err = { 0 };

	ok(rrd_res_parse("ram", &r, &err) == 0 && r == RR_PHYSPAGES,
	    "ram is physpages");
	ok(rrd_res_parse("numproc", &r, &err) == 0 && r == RR_NUMPROC,
	    "numproc");
	ok(rrd_res_parse("nope", &r, &err) < 0 && strstr(err.msg, "accepted")
	    != NULL, "bad resource: %s", err.msg);
	ok(rrd_period_parse("1w", &s, &err) == 0 && s == 7 * 86400, "1w");
	ok(rrd_period_parse("1y", &s, &err) == 0 && s == 366 * 86400, "1y");
	ok(rrd_period_parse("2d", &s, &err) < 0, "bad period: %s", err.msg);
}

/*
 * Under --enable-sanitizers: rrd_graph_v() keeps fontconfig's caches and
 * some strings of its own for the life of the process (lsan.supp says
 * which); librrd has no frame pointers, so its frames are found only by
 * the slow unwinder.
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions(void)
{
	return "leak:librrd.so\nleak:libfontconfig.so\nleak:libpango\n"
	    "leak:libcairo\nleak:libglib\nleak:libgobject\n";
}

/* An unlimited limit is stored unknown: the legend says "unlimited"
 * where GPRINT printed "-nan B"; a real limit is printed as before. */
static void
test_rrd_legend(void)
{
	char dir[] = "/tmp/acctd-test-legend.XXXXXX";
	struct rrd_writer w;
	struct snap_ct c;
	struct aerr err = { 0 };
	time_t now = time(NULL);

	if (mkdtemp(dir) == NULL || rrdw_init(&w, dir, NULL, 1, &err) < 0) {
		ok(0, "archive folder: %s", err.msg);
		return;
	}
	for (int lim = 0; lim < 2; lim++) {
		struct sbuf legend = SBUF_INIT;
		struct graph_req g = { .dir = dir, .ct = "leg1", .res =
		    RR_KMEMSIZE, .secs = 3600, .width = 300, .height = 100,
		    .end = now, .legend = &legend };
		unsigned char *png = NULL;
		size_t len = 0;

		synth_ct(&c, 0, 1, 0);
		snprintf(c.name, sizeof(c.name), "leg1");
		c.running = 1;
		c.row[UB_KMEMSIZE].present = 1;
		c.row[UB_KMEMSIZE].held = 1 << 20;
		c.row[UB_KMEMSIZE].limit = lim ? 64 << 20 : VAL_UNLIMITED;
		for (int k = 0; k < 5; k++)	/* a few steps of 1 s */
			rrdw_update(&w, &c, 1, now - 20 + lim * 10 + k);
		ok(rrd_graph_draw(&g, NULL, &png, &len, &err) == 0 && len > 0,
		    "kmemsize graph drawn");
		if (lim == 0)
			ok(strstr(sbuf_str(&legend), "limit unlimited") != NULL &&
			    strstr(sbuf_str(&legend), "nan") == NULL,
			    "unlimited kmemsize: 'limit unlimited', no nan");
		else
			ok(strstr(sbuf_str(&legend), "limit  64.00MB") != NULL,
			    "kmemsize limited to 64M: 'limit  64.00MB'");
		if (strstr(sbuf_str(&legend), "nan") != NULL)
			printf("# legend:\n%s", sbuf_str(&legend));
		free(png);
		sbuf_free(&legend);
	}
	rrdw_close(&w);
	{
		_cleanup_free_ char *f = rrd_path(dir, "leg1");

		unlink(f);
		rmdir(dir);
	}
}

/* The metric table: every row is served somewhere with its texts; PCP
 * identifiers are unique (their stability: tests/exporters/pcp-pmids.sh) */
static void
test_table(void)
{
	bool texts = true, unique = true, names = true;

	for (size_t i = 0; i < metric_count; i++) {
		const struct metric *m = &metric_table[i];

		if ((m->om == NULL && m->pcp == NULL) ||
		    (m->om != NULL && (m->help == NULL ||
		    (m->om_items != NULL) != (m->help_items != NULL))) ||
		    (m->pcp != NULL && m->pcp_one == NULL &&
		    m->pcp_help == NULL))
			texts = false;
		if (m->om != NULL && (strncmp(m->om, "accountd_", 9) != 0 ||
		    strstr(m->om, "_total") != NULL))
			names = false;
		for (size_t k = 0; k < i && m->pcp != NULL; k++) {
			const struct metric *x = &metric_table[k];

			if (x->pcp != NULL && x->item == m->item &&
			    (x->scope == MS_ROW) == (m->scope == MS_ROW) &&
			    (m->scope == MS_ROW || x->cluster == m->cluster))
				unique = false;
		}
	}
	ok(texts, "metric table: every row has a name and its help texts");
	ok(names, "metric table: /metrics names have the prefix, no _total");
	ok(unique, "metric table: PCP identifiers unique");
}

/* ---- /metrics across rounds (mcache.c) --------------------------------- */

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of a body sorted: the series are the same whatever their
 * order within a family. */
static char **
sorted_lines(const char *body, size_t *n)
{
	char *copy = xstrdup(body), *save = NULL;
	char **v = NULL;
	size_t k = 0;

	for (char *l = strtok_r(copy, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		v = xreallocarray(v, k + 1, sizeof(char *));
		v[k++] = xstrdup(l);
	}
	free(copy);
	qsort(v, k, sizeof(char *), cmp_line);
	*n = k;
	return v;
}

static bool
same_series(const char *a, const char *b)
{
	size_t na, nb;
	char **x = sorted_lines(a, &na), **y = sorted_lines(b, &nb);
	bool same = na == nb;

	for (size_t i = 0; i < na && i < nb; i++) {
		if (same && strcmp(x[i], y[i]) != 0) {
			printf("# first difference: '%s' / '%s'\n", x[i],
			    y[i]);
			same = false;
		}
	}
	for (size_t i = 0; i < na; i++)
		free(x[i]);
	for (size_t i = 0; i < nb; i++)
		free(y[i]);
	free(x);
	free(y);
	return same;
}

/* The family heads in order: "# " lines, and which family each sample
 * follows (samples of a family are contiguous). */
static bool
same_families(const char *a, const char *b)
{
	struct sbuf x = SBUF_INIT, y = SBUF_INIT;
	const char *in[2] = { a, b };
	struct sbuf *out[2] = { &x, &y };
	bool same;

	for (int k = 0; k < 2; k++)
		for (const char *l = in[k]; *l; ) {
			const char *e = strchr(l, '\n');
			size_t len = e ? (size_t)(e - l) : strlen(l);

			if (l[0] == '#') {
				sbuf_add(out[k], l, len);
				sbuf_putc(out[k], '\n');
			}
			l += len + (e != NULL);
		}
	same = x.len == y.len && memcmp(x.s, y.s, x.len) == 0;
	sbuf_free(&x);
	sbuf_free(&y);
	return same;
}

static char *
gunzip(const char *in, size_t len, size_t *outlen)
{
	z_stream z;
	struct sbuf o = SBUF_INIT;
	char buf[65536];
	int r;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + 15) != Z_OK)
		return NULL;
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = (unsigned char *)buf;
		z.avail_out = sizeof(buf);
		r = inflate(&z, Z_NO_FLUSH);
		sbuf_add(&o, buf, sizeof(buf) - z.avail_out);
	} while (r == Z_OK);
	inflateEnd(&z);
	/* one member, ended, nothing after it */
	if (r != Z_STREAM_END || z.avail_in != 0) {
		sbuf_free(&o);
		return NULL;
	}
	*outlen = o.len;
	return o.s ? sbuf_take(&o) : xstrdup("");
}

/* The body from the cache, identity and gzip, against metrics_render of
 * the same records: the same series, the same families in the same order,
 * and the gzip body decodes to the identity body byte for byte. */
static bool
check_round(struct mcache *mc, const struct snap_header *h,
    const struct snap_ct *cts, size_t n, enum mfmt fmt, enum mdetail d,
    const char *what)
{
	struct sbuf want = SBUF_INIT;
	size_t len, zlen, ulen = 0;
	char *body = mcache_body(mc, fmt, false, &len);
	char *zbody = mcache_body(mc, fmt, true, &zlen);
	char *unz = zbody ? gunzip(zbody, zlen, &ulen) : NULL;
	bool good;

	metrics_render(h, cts, n, fmt, d, &want);
	good = ok(same_series(body, want.s) && same_families(body, want.s),
	    "%s: the same series and families as a whole render", what);
	good &= ok(unz != NULL && ulen == len && memcmp(unz, body, len) == 0,
	    "%s: the gzip body decodes to the identity body", what);
	free(body);
	free(zbody);
	free(unz);
	sbuf_free(&want);
	return good;
}

static void
test_mcache(void)
{
	enum { N = 300 };
	struct snap_header h;
	struct snap_ct *cts = xcalloc(N + 1, sizeof(*cts));
	struct mcache *mc = mcache_new(MD_FULL);
	const struct mcache_stats *st;
	size_t len, n = N, nfam;
	char *body;
	bool all = true;

	metrics_families(MD_FULL, &nfam);
	synth_header(&h, N, 1);
	for (uint32_t i = 0; i < N; i++)
		synth_ct(&cts[i], i, 3, 1);
	mcache_update(mc, &h, cts, n);
	check_round(mc, &h, cts, n, MFMT_OPENMETRICS, MD_FULL, "first round");
	check_round(mc, &h, cts, n, MFMT_TEXT, MD_FULL, "first round, text");

	/* one container among many changes: the next body has it, and only
	 * its pieces were made again */
	h.rounds++;
	cts[123].cpu_usage = 4242000001;
	mcache_update(mc, &h, cts, n);
	st = mcache_stats(mc);
	body = mcache_body(mc, MFMT_OPENMETRICS, false, &len);
	ok(strstr(body, "accountd_container_cpu_usage_seconds_total{container="
	    "\"ct00123\"} 4242.000001\n") != NULL, "a changed value is in the "
	    "next round's body");
	free(body);
	ok(st->rendered > 0 && st->rendered <= 2 * nfam, "only the changed "
	    "container's pieces were made again (%zu container-families)",
	    st->rendered);
	check_round(mc, &h, cts, n, MFMT_OPENMETRICS, MD_FULL, "one changed");

	/* a removed container disappears, a new one appears */
	h.rounds++;
	memmove(&cts[40], &cts[41], (N - 41) * sizeof(*cts));
	n--;
	mcache_update(mc, &h, cts, n);
	body = mcache_body(mc, MFMT_TEXT, false, &len);
	ok(strstr(body, "container=\"ct00040\"") == NULL, "a removed container "
	    "disappears");
	free(body);
	check_round(mc, &h, cts, n, MFMT_TEXT, MD_FULL, "one removed");
	h.rounds++;
	synth_ct(&cts[n], 900, 3, 1);
	n++;
	mcache_update(mc, &h, cts, n);
	check_round(mc, &h, cts, n, MFMT_OPENMETRICS, MD_FULL, "one added");

	/* many rounds: a busy tenth, the others idle, some waking up once;
	 * containers go back to their buckets (COLD_ROUNDS) and out again */
	for (int r = 0; r < 140; r++) {
		h.rounds++;
		for (size_t i = 0; i < n; i += 10)
			cts[i].cpu_usage += 1000 + (uint64_t)r;
		cts[(r * 7 + 3) % n].row[UB_NUMPROC].held++;
		if (r == 70)
			cts[5].row[UB_PHYSPAGES].failcnt++;
		mcache_update(mc, &h, cts, n);
		if (r % 20 == 0 || r == 64 || r == 65 || r == 139)
			all &= check_round(mc, &h, cts, n, r % 40 ?
			    MFMT_TEXT : MFMT_OPENMETRICS, MD_FULL, "rounds");
	}
	ok(all, "140 rounds of a busy tenth and wake-ups: every body checked "
	    "was right");
	st = mcache_stats(mc);
	ok(st->hot < n * nfam / 4, "idle containers are kept in buckets (%zu "
	    "of %zu container-families hot)", st->hot, n * nfam);

	/* a different cgroup mode starts again */
	snprintf(h.cgroup_mode, sizeof(h.cgroup_mode), "v1");
	mcache_update(mc, &h, cts, n);
	check_round(mc, &h, cts, n, MFMT_TEXT, MD_FULL, "cgroup mode changed");
	mcache_free(mc);

	/* metrics_detail = basic */
	mc = mcache_new(MD_BASIC);
	mcache_update(mc, &h, cts, n);
	check_round(mc, &h, cts, n, MFMT_OPENMETRICS, MD_BASIC, "basic");
	body = mcache_body(mc, MFMT_TEXT, false, &len);
	ok(strstr(body, "accountd_beancounter_held_bytes{container=\"ct00001\","
	    "resource=\"physpages\"}") != NULL && strstr(body,
	    "resource=\"kmemsize\"") == NULL && strstr(body,
	    "accountd_container_memory_cache_bytes") == NULL &&
	    strstr(body, "accountd_host_memory_bytes ") != NULL,
	    "basic: the basic rows, no full-only metric, every host metric");
	ok(strstr(body, "accountd_beancounter_failcnt_total{container=\""
	    "ct00000\",resource=\"kmemsize\"}") == NULL, "basic: a failcnt of "
	    "0 is left out");
	ok(len / n <= 1536, "basic: %zu bytes per container (<= 1.5 KB)",
	    len / n);
	free(body);
	mcache_free(mc);

	/* nothing at all */
	mc = mcache_new(MD_FULL);
	mcache_update(mc, &h, cts, 0);
	check_round(mc, &h, cts, 0, MFMT_OPENMETRICS, MD_FULL, "no containers");
	mcache_free(mc);
	free(cts);
}

int
main(void)
{
	test_table();
	test_accept();
	test_gzip();
	test_query();
	test_render();
	test_mcache();
	test_sanitize();
	test_file();
	test_capacity();
	test_dashboard();
	test_rrd_names();
	test_rrd_legend();
	return done_testing();
}
