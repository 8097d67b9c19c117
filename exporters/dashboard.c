/* SPDX-License-Identifier: ISC */
/*
 * The dashboard page (/ of the exporter): how full is this host, and who
 * is near a limit.  One self-contained HTML document: the CSS and the
 * little script (a filter box) are inline, nothing is fetched from
 * another host, so it works on an isolated management network.
 *
 *   /			host capacity (RAM, swap, CPU committed against the
 *			host, oversell), then one row per container: RAM,
 *			swap and process bars against their limits, CPU use,
 *			failcnt (highlighted when not 0) and vzoversell's flags
 *   /?ct=NAME		one container: every beancounter row, and graphs
 *			from its RRD archive (/graph?ct=...) for a period
 *
 * Pure: rendered from the snapshot copy into a buffer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

static const char css[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;"
"color:#1d2330}"
"header{background:#1d2330;color:#fff;padding:10px 18px}"
"header h1{font-size:18px;margin:0}header span{color:#aab;margin-right:14px}"
"main{padding:12px 18px}"
".cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:14px}"
".card{background:#fff;border:1px solid #dde;border-radius:6px;"
"padding:10px 14px;min-width:250px}"
".card h2{font-size:13px;margin:0 0 6px;text-transform:uppercase;"
"color:#556}"
".big{font-size:20px;font-weight:600}"
".bar{position:relative;background:#e8eaef;border-radius:3px;height:14px;"
"min-width:120px}"
".bar>span{position:absolute;left:0;top:0;bottom:0;background:#3c8d5a;"
"border-radius:3px}"
".bar>span.warn{background:#d99a1e}.bar>span.crit{background:#c8322f}"
".bar>i{position:absolute;top:-2px;bottom:-2px;width:2px;background:#1d2330}"
"table{border-collapse:collapse;background:#fff;width:100%}"
"th,td{padding:4px 8px;border-bottom:1px solid #e4e6eb;text-align:left;"
"white-space:nowrap}"
"th{background:#eef0f4;font-size:12px;text-transform:uppercase;color:#556}"
"td.num{text-align:right;font-variant-numeric:tabular-nums}"
"td.fail{background:#fde2e1;color:#a11;font-weight:700}"
"tr.stopped td{color:#999}"
".small{font-size:12px;color:#667}"
"a{color:#1f5fbf;text-decoration:none}"
"input{padding:4px 8px;margin:0 0 8px;width:260px}"
".graphs img{display:block;margin:8px 0;border:1px solid #dde}"
"nav a{margin-right:10px}";

static const char script[] =
"function flt(v){v=v.toLowerCase();"
"document.querySelectorAll('tr.ct').forEach(function(r){"
"r.style.display=r.id.substr(3).toLowerCase().indexOf(v)<0?'none':'';});}";

void
html_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sbuf_puts(b, "&amp;");
			break;
		case '<':
			sbuf_puts(b, "&lt;");
			break;
		case '>':
			sbuf_puts(b, "&gt;");
			break;
		case '"':
			sbuf_puts(b, "&quot;");
			break;
		case '\'':
			sbuf_puts(b, "&#39;");
			break;
		default:
			sbuf_putc(b, *s);
		}
	}
}

/* URL query value escape (container names are plain, but be safe) */
static void
url_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._-", c))
			sbuf_putc(b, (char)c);
		else
			sbuf_printf(b, "%%%02X", c);
	}
}

static void
human(char *buf, size_t len, uint64_t v, bool bytes)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (sv_unlimited(v)) {
		snprintf(buf, len, "unlimited");
		return;
	}
	if (!bytes) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lluB", (unsigned long long)v);
	else
		snprintf(buf, len, d < 10 ? "%.1f%c" : "%.0f%c", d, units[u]);
}

/* A bar of used against limit, with a mark at the barrier when it is
 * below the limit. */
static void
bar(struct sbuf *b, uint64_t used, uint64_t barrier, uint64_t limit)
{
	double pct;

	if (limit == 0 || sv_unlimited(limit)) {
		sbuf_puts(b, "<div class=bar title=\"no limit\"></div>");
		return;
	}
	pct = capacity_pct(used, limit);
	sbuf_printf(b, "<div class=bar title=\"%.1f%% of the limit\">"
	    "<span class=\"%s\" style=\"width:%.1f%%\"></span>", pct,
	    pct >= 95 ? "crit" : pct >= 80 ? "warn" : "", pct > 100 ? 100 :
	    pct);
	if (barrier > 0 && barrier < limit && !sv_unlimited(barrier))
		sbuf_printf(b, "<i style=\"left:%.1f%%\" title=\"barrier\"></i>",
		    capacity_pct(barrier, limit));
	sbuf_puts(b, "</div>");
}

static void
cell_row(struct sbuf *b, const struct snap_row *row)
{
	char h[32], l[32];
	bool bytes = snap_row_bytes(row);
	uint64_t held = snap_value(row, row->held);
	uint64_t lim = snap_value(row, row->limit);

	if (!row->present) {
		sbuf_puts(b, "<td class=small>-</td><td></td>");
		return;
	}
	human(h, sizeof(h), held, bytes);
	human(l, sizeof(l), lim, bytes);
	sbuf_printf(b, "<td class=num>%s / %s</td><td>", h, l);
	bar(b, held, snap_value(row, row->barrier), lim);
	sbuf_puts(b, "</td>");
}

static uint64_t
fails(const struct snap_ct *c)
{
	uint64_t f = 0;

	for (int r = 0; r < SNAP_ROWS; r++)
		if (c->row[r].present)
			f += c->row[r].failcnt;
	return f;
}

static void
fail_cell(struct sbuf *b, const struct snap_ct *c)
{
	uint64_t f = fails(c);

	if (f == 0) {
		sbuf_puts(b, "<td class=num>0</td>");
		return;
	}
	sbuf_puts(b, "<td class=\"num fail\" title=\"");
	for (int r = 0, first = 1; r < SNAP_ROWS; r++)
		if (c->row[r].present && c->row[r].failcnt > 0) {
			sbuf_printf(b, "%s%s: %llu", first ? "" : ", ",
			    ub_name((enum ub_res)r),
			    (unsigned long long)c->row[r].failcnt);
			first = 0;
		}
	sbuf_printf(b, "\">%llu</td>", (unsigned long long)f);
}

static void
head(struct sbuf *b, const struct snap_header *h, const char *title)
{
	char when[64];
	time_t t = (time_t)(h->time_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	sbuf_puts(b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	    "<meta name=viewport content=\"width=device-width\">"
	    "<meta http-equiv=refresh content=10><title>");
	html_escape(b, title);
	sbuf_puts(b, "</title><style>");
	sbuf_puts(b, css);
	sbuf_puts(b, "</style><script>");
	sbuf_puts(b, script);
	sbuf_puts(b, "</script></head><body><header><h1>");
	html_escape(b, title);
	sbuf_puts(b, "</h1><span>accountd ");
	html_escape(b, h->version_str);
	sbuf_puts(b, "</span><span>cgroup ");
	html_escape(b, h->cgroup_mode);
	sbuf_printf(b, "</span><span>sampled %s</span><span>round %llu</span>"
	    "</header><main>", when, (unsigned long long)h->rounds);
}

static void
card(struct sbuf *b, const char *title, uint64_t used, uint64_t committed,
    uint64_t avail, bool bytes, size_t unlimited, const char *unl_what)
{
	char u[32], c[32], a[32];

	human(u, sizeof(u), used, bytes);
	human(c, sizeof(c), committed, bytes);
	human(a, sizeof(a), avail, bytes);
	sbuf_printf(b, "<div class=card id=\"cap-%s\"><h2>%s</h2>"
	    "<div class=big>%.0f%% committed</div>", title, title,
	    capacity_pct(committed, avail));
	sbuf_printf(b, "<div class=small>used %s, committed %s of %s</div>",
	    u, c, a);
	bar(b, committed, used, avail);
	if (unlimited > 0)
		sbuf_printf(b, "<div class=small>%zu running without a %s limit "
		    "(not counted)</div>", unlimited, unl_what);
	sbuf_puts(b, "</div>");
}

static void
capacity_cards(struct sbuf *b, const struct snap_header *h,
    const struct snap_ct *cts, size_t n)
{
	struct capacity cap;

	capacity_compute(h, cts, n, &cap);
	sbuf_puts(b, "<div class=cards>");
	sbuf_printf(b, "<div class=card id=cap-containers><h2>Containers</h2>"
	    "<div class=big>%zu running</div><div class=small>%zu stopped, "
	    "%u CPUs</div></div>", cap.running, cap.stopped, cap.cpus);
	card(b, "RAM", cap.ram_held, cap.ram_limit, cap.ram, true,
	    cap.ram_unlimited, "RAM");
	card(b, "Swap", cap.swap_held, cap.swap_limit, cap.swap, true,
	    cap.swap_unlimited, "swap");
	card(b, "RAM+Swap", cap.ram_held + cap.swap_held,
	    cap.ram_limit + cap.swap_limit, cap.ram + cap.swap, true, 0, "");
	card(b, "Guarantee", cap.guarantee, cap.guarantee, cap.guarantee_room,
	    true, 0, "");
	sbuf_printf(b, "<div class=card id=cap-CPU><h2>CPU</h2><div class=big>"
	    "%.0f%% committed</div><div class=small>limits add up to %.2f of "
	    "%u CPUs; cpuunits %llu</div>", capacity_pct(cap.cpulimit_pct,
	    (uint64_t)cap.cpus * 100), (double)cap.cpulimit_pct / 100, cap.cpus,
	    (unsigned long long)cap.cpuunits);
	bar(b, cap.cpulimit_pct, 0, (uint64_t)cap.cpus * 100);
	if (cap.cpu_unlimited > 0)
		sbuf_printf(b, "<div class=small>%zu running without a CPU limit"
		    "</div>", cap.cpu_unlimited);
	sbuf_puts(b, "</div></div>");
}

struct order {
	const struct snap_ct *c;
	double		 key;
	size_t		 idx;
};

static int
by_key(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;	/* largest first */
	return strcmp(x->c->name, y->c->name);
}

static double
ram_ratio(const struct snap_ct *c)
{
	const struct snap_row *r = &c->row[UB_PHYSPAGES];
	uint64_t lim = snap_value(r, r->limit);

	if (!r->present || lim == 0 || sv_unlimited(lim))
		return (double)snap_value(r, r->held) / 1e18;	/* after limited */
	return (double)snap_value(r, r->held) / (double)lim;
}

static void
table(struct sbuf *b, const struct snap_ct *cts, size_t n,
    const struct dash_opts *o)
{
	struct order *ord = xcalloc(n ? n : 1, sizeof(*ord));
	const char *sort = o->sort ? o->sort : "name";

	for (size_t i = 0; i < n; i++) {
		ord[i].c = &cts[i];
		ord[i].idx = i;
		if (strcmp(sort, "ram") == 0)
			ord[i].key = ram_ratio(&cts[i]);
		else if (strcmp(sort, "cpu") == 0)
			ord[i].key = o->cpu_pct ? o->cpu_pct[i] : 0;
		else if (strcmp(sort, "fails") == 0)
			ord[i].key = (double)fails(&cts[i]);
	}
	if (strcmp(sort, "name") != 0)
		qsort(ord, n, sizeof(*ord), by_key);
	sbuf_printf(b, "<input placeholder=\"filter containers\" "
	    "oninput=\"flt(this.value)\"> <nav class=small>sort: "
	    "<a href=\"/?sort=name\">name</a><a href=\"/?sort=ram\">RAM</a>"
	    "<a href=\"/?sort=cpu\">CPU</a><a href=\"/?sort=fails\">failcnt</a>"
	    "</nav><table id=containers><thead><tr><th>Container</th>"
	    "<th>RAM</th><th></th><th>Swap</th><th></th><th>Processes</th>"
	    "<th></th><th>CPU</th><th>failcnt</th><th>Flags</th></tr></thead>"
	    "<tbody>\n");
	for (size_t k = 0; k < n; k++) {
		const struct snap_ct *c = ord[k].c;
		char flags[8];

		sbuf_puts(b, "<tr class=\"ct");
		if (!c->running)
			sbuf_puts(b, " stopped");
		sbuf_puts(b, "\" id=\"ct-");
		html_escape(b, c->name);
		sbuf_puts(b, "\"><td><a href=\"/?ct=");
		url_escape(b, c->name);
		sbuf_puts(b, "\">");
		html_escape(b, c->name);
		sbuf_puts(b, "</a></td>");
		if (!c->running) {
			sbuf_puts(b, "<td colspan=9>stopped</td></tr>\n");
			continue;
		}
		cell_row(b, &c->row[UB_PHYSPAGES]);
		cell_row(b, &c->row[UB_SWAPPAGES]);
		cell_row(b, &c->row[UB_NUMPROC]);
		if (o->cpu_pct != NULL) {
			uint64_t lim = capacity_cpulimit(c);

			if (lim)
				sbuf_printf(b, "<td class=num>%.0f%% / %llu%%</td>",
				    o->cpu_pct[ord[k].idx],
				    (unsigned long long)lim);
			else
				sbuf_printf(b, "<td class=num>%.0f%%</td>",
				    o->cpu_pct[ord[k].idx]);
		} else {
			sbuf_printf(b, "<td class=num>%.1fs</td>",
			    (double)c->cpu_usage / 1e6);
		}
		fail_cell(b, c);
		capacity_flags(c, flags, sizeof(flags));
		sbuf_printf(b, "<td>%s</td></tr>\n", flags);
	}
	sbuf_puts(b, "</tbody></table><p class=small>Flags as vzoversell: "
	    "U no RAM limit, S no swap limit, f RAM failcnt &gt; 0, F another "
	    "failcnt &gt; 0. A bar's mark is the barrier. Metrics: "
	    "<a href=\"/metrics\">/metrics</a>.</p>");
	free(ord);
}

static void
one_ct(struct sbuf *b, const struct snap_ct *c, const struct dash_opts *o)
{
	static const char *const periods[] = { "1h", "1d", "1w", "1m", "1y" };
	static const char *const gres[] = { "physpages", "swappages",
		"numproc", "kmemsize", "cpu", "io" };
	const char *period = o->period ? o->period : "1d";

	sbuf_puts(b, "<nav><a href=\"/\">&larr; all containers</a></nav><h2>");
	html_escape(b, c->name);
	sbuf_printf(b, "</h2><p class=small>cgroup ");
	html_escape(b, c->cgroup);
	sbuf_printf(b, ", %s</p>", c->running ? "running" : "stopped");
	sbuf_puts(b, "<table id=beancounters><thead><tr><th>resource</th>"
	    "<th>held</th><th>maxheld</th><th>barrier</th><th>limit</th>"
	    "<th></th><th>failcnt</th></tr></thead><tbody>\n");
	for (int r = 0; r < SNAP_ROWS; r++) {
		const struct snap_row *row = &c->row[r];
		bool bytes = snap_row_bytes(row);
		char v[4][32];

		if (!row->present)
			continue;
		human(v[0], 32, snap_value(row, row->held), bytes);
		human(v[1], 32, snap_value(row, row->maxheld), bytes);
		human(v[2], 32, snap_value(row, row->barrier), bytes);
		human(v[3], 32, snap_value(row, row->limit), bytes);
		sbuf_printf(b, "<tr><td>%s</td><td class=num>%s</td>"
		    "<td class=num>%s</td><td class=num>%s</td><td class=num>%s"
		    "</td><td>", ub_name((enum ub_res)r), v[0], v[1], v[2], v[3]);
		bar(b, snap_value(row, row->held), snap_value(row, row->barrier),
		    snap_value(row, row->limit));
		sbuf_printf(b, "</td><td class=\"num%s\">%llu</td></tr>\n",
		    row->failcnt ? " fail" : "",
		    (unsigned long long)row->failcnt);
	}
	sbuf_puts(b, "</tbody></table>");
	if (!o->graphs) {
		sbuf_puts(b, "<p class=small>No graphs: the exporter keeps no RRD "
		    "archives (rrd_dir is off).</p>");
		return;
	}
	sbuf_puts(b, "<nav class=small>period: ");
	for (size_t i = 0; i < nitems(periods); i++) {
		sbuf_puts(b, "<a href=\"/?ct=");
		url_escape(b, c->name);
		sbuf_printf(b, "&amp;period=%s\">%s</a>", periods[i], periods[i]);
	}
	sbuf_puts(b, "</nav><div class=graphs>");
	for (size_t i = 0; i < nitems(gres); i++) {
		int r = ub_by_name(gres[i]);

		if (r >= 0 && !c->row[r].present)
			continue;
		sbuf_puts(b, "<img alt=\"");
		sbuf_printf(b, "%s\" src=\"/graph?ct=", gres[i]);
		url_escape(b, c->name);
		sbuf_printf(b, "&amp;resource=%s&amp;period=%s\" "
		    "loading=lazy>", gres[i], period);
	}
	sbuf_puts(b, "</div>");
}

void
dashboard_render(const struct snap_header *h, const struct snap_ct *cts,
    size_t n, const struct dash_opts *o, struct sbuf *out)
{
	char title[128];
	const struct snap_ct *c = NULL;

	if (o->ct != NULL)
		for (size_t i = 0; i < n && c == NULL; i++)
			if (strcmp(cts[i].name, o->ct) == 0)
				c = &cts[i];
	snprintf(title, sizeof(title), "accountd on %s%s%s", h->hostname,
	    c ? ": " : "", c ? c->name : "");
	head(out, h, title);
	if (c != NULL) {
		one_ct(out, c, o);
	} else {
		capacity_cards(out, h, cts, n);
		table(out, cts, n, o);
	}
	sbuf_puts(out, "</main></body></html>\n");
}
