/* SPDX-License-Identifier: ISC */
/*
 * Per-container RRD archives (one file per container, rrd_dir/NAME.rrd)
 * and the graphs drawn from them (`acctctl graph`, the dashboard).
 *
 * Layout.  One step (rrd_step, default 10 s), 19 data sources:
 *
 *   ram ram_bar ram_lim ram_fail	physpages held, barrier, limit (bytes),
 *   swap swap_bar swap_lim swap_fail	swappages   failcnt (DERIVE: fails/s)
 *   nproc nproc_lim nproc_fail		numproc (pids.max has one figure)
 *   kmem kmem_lim kmem_fail		kmemsize
 *   cpu cpu_thr cpu_lim		CPU used and throttled (DERIVE of
 *					microseconds: us/s), limit in % of a CPU
 *   io_r io_w				bytes read and written (DERIVE: B/s)
 *
 * ram_fail counts physpages' failcnt plus the OOM kills (oomguarpages'
 * failcnt): on cgroup v1 an OOM kill at the limit leaves memory.failcnt,
 * physpages' source there, at 0, so the RAM graph showed no mark for it.
 *
 * An unlimited barrier or limit is stored as unknown, so no line is drawn.
 *
 * Archives (RRAs): every step for a day; 5-minute AVERAGE and MAX for 31
 * days; 1-hour AVERAGE and MAX for 366 days.  MAX is kept beside the
 * average so that a month or a year still shows the peaks capacity is
 * planned on.  Why a 10 s step rather than the 1 s sampling interval: a
 * day at 1 s is 86,400 rows per data source, 13 MB per container for the
 * day alone, and 10,000 updates a second cost about a third of a core
 * through librrd (reference/dependencies.md section 3); at 10 s the whole
 * file is about 6.7 MB and a year of history.  rrd_step = 1 gives the
 * sampling resolution for those who want it.
 *
 * Writing.  Without rrdcached each update is an rrd_update_r() (about
 * 30 us, page cache only).  With rrdcached (rrdcached = ADDRESS) the
 * updates of a round go in one BATCH on one connection, spoken directly:
 * librrd's rrd_update_r() ignores rrdcached and its rrdc_update() costs a
 * request and a reply per file; BATCH costs under a microsecond per
 * update (measured in bench/).  Archives are created here with
 * rrd_create_r2 (rrdcached needs the file to exist).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

enum ds {
	DS_RAM, DS_RAM_BAR, DS_RAM_LIM, DS_RAM_FAIL,
	DS_SWAP, DS_SWAP_BAR, DS_SWAP_LIM, DS_SWAP_FAIL,
	DS_NPROC, DS_NPROC_LIM, DS_NPROC_FAIL,
	DS_KMEM, DS_KMEM_LIM, DS_KMEM_FAIL,
	DS_CPU, DS_CPU_THR, DS_CPU_LIM,
	DS_IO_R, DS_IO_W,
	DS_COUNT
};

static const struct {
	const char	*name;
	const char	*type;		/* GAUGE or DERIVE */
} dss[DS_COUNT] = {
	[DS_RAM] = { "ram", "GAUGE" },
	[DS_RAM_BAR] = { "ram_bar", "GAUGE" },
	[DS_RAM_LIM] = { "ram_lim", "GAUGE" },
	[DS_RAM_FAIL] = { "ram_fail", "DERIVE" },
	[DS_SWAP] = { "swap", "GAUGE" },
	[DS_SWAP_BAR] = { "swap_bar", "GAUGE" },
	[DS_SWAP_LIM] = { "swap_lim", "GAUGE" },
	[DS_SWAP_FAIL] = { "swap_fail", "DERIVE" },
	[DS_NPROC] = { "nproc", "GAUGE" },
	[DS_NPROC_LIM] = { "nproc_lim", "GAUGE" },
	[DS_NPROC_FAIL] = { "nproc_fail", "DERIVE" },
	[DS_KMEM] = { "kmem", "GAUGE" },
	[DS_KMEM_LIM] = { "kmem_lim", "GAUGE" },
	[DS_KMEM_FAIL] = { "kmem_fail", "DERIVE" },
	[DS_CPU] = { "cpu", "DERIVE" },
	[DS_CPU_THR] = { "cpu_thr", "DERIVE" },
	[DS_CPU_LIM] = { "cpu_lim", "GAUGE" },
	[DS_IO_R] = { "io_r", "DERIVE" },
	[DS_IO_W] = { "io_w", "DERIVE" },
};

static const char *const res_names[RR_COUNT] = {
	[RR_PHYSPAGES] = "physpages", [RR_SWAPPAGES] = "swappages",
	[RR_NUMPROC] = "numproc", [RR_KMEMSIZE] = "kmemsize",
	[RR_CPU] = "cpu", [RR_IO] = "io",
};

const char *
rrd_res_name(enum rrd_res r)
{
	return res_names[r];
}

int
rrd_res_parse(const char *s, enum rrd_res *out, struct aerr *err)
{
	static const struct {
		const char	*alias;
		enum rrd_res	 r;
	} aliases[] = {
		{ "ram", RR_PHYSPAGES }, { "swap", RR_SWAPPAGES },
		{ "memory", RR_PHYSPAGES }, { "pids", RR_NUMPROC },
	};

	for (int i = 0; i < RR_COUNT; i++)
		if (strcmp(s, res_names[i]) == 0) {
			*out = (enum rrd_res)i;
			return 0;
		}
	for (size_t i = 0; i < nitems(aliases); i++)
		if (strcmp(s, aliases[i].alias) == 0) {
			*out = aliases[i].r;
			return 0;
		}
	return aerr_set(err, EINVAL, "bad resource '%.64s' (accepted: "
	    "physpages or ram, swappages or swap, numproc, kmemsize, cpu, io)",
	    s);
}

int
rrd_period_parse(const char *s, unsigned long *secs, struct aerr *err)
{
	static const struct {
		const char	*name, *alias;
		unsigned long	 secs;
	} p[] = {
		{ "1h", "hour", 3600 },
		{ "1d", "day", 86400 }, { "1w", "week", 7 * 86400 },
		{ "1m", "month", 31 * 86400 }, { "1y", "year", 366 * 86400 },
	};

	for (size_t i = 0; i < nitems(p); i++)
		if (strcmp(s, p[i].name) == 0 || strcmp(s, p[i].alias) == 0) {
			*secs = p[i].secs;
			return 0;
		}
	return aerr_set(err, EINVAL, "bad period '%.64s' (accepted: 1h, 1d, "
	    "1w, 1m, 1y)", s);
}

char *
rrd_path(const char *dir, const char *ct)
{
	return xasprintf("%s/%s.rrd", dir, ct);
}

/* ---- rrdcached: BATCH over one connection ------------------------------ */

static int
cached_connect(const char *addr, struct aerr *err)
{
	struct timeval tv = { 5, 0 };
	int fd;

	if (strncmp(addr, "unix:", 5) == 0 || addr[0] == '/') {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		const char *path = addr[0] == '/' ? addr : addr + 5;

		if (strlen(path) >= sizeof(sun.sun_path))
			return aerr_set(err, ENAMETOOLONG, "rrdcached %s: path "
			    "too long", addr);
		strcpy(sun.sun_path, path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return aerr_set(err, errno, "socket: %s",
			    strerror(errno));
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			int e = errno;

			close(fd);
			return aerr_set(err, e, "rrdcached %s: %s", addr,
			    strerror(e));
		}
	} else {
		char host[256], *colon;
		const char *port = "42217";
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
		int r;

		snprintf(host, sizeof(host), "%s", addr);
		if ((colon = strrchr(host, ':')) != NULL &&
		    strchr(host, ']') < colon) {
			*colon = '\0';
			port = colon + 1;
		}
		if (host[0] == '[') {
			memmove(host, host + 1, strlen(host));
			host[strcspn(host, "]")] = '\0';
		}
		if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
			return aerr_set(err, EINVAL, "rrdcached %s: %s", addr,
			    gai_strerror(r));
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			freeaddrinfo(ai);
			return aerr_set(err, e, "rrdcached %s: %s", addr,
			    strerror(e));
		}
		freeaddrinfo(ai);
	}
	/* a stuck rrdcached must not stop the exporter for long */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -(w < 0 ? errno : EIO);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one reply line ("<status> <message>\n") into buf. */
static int
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -(r < 0 ? errno : EPIPE);
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

/* ---- the writer --------------------------------------------------------- */

int
rrdw_init(struct rrd_writer *w, const char *dir, const char *daemon,
    unsigned step, struct aerr *err)
{
	struct stat st;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (step == 0 || step > 300)
		return aerr_set(err, EINVAL, "bad RRD step %u (accepted: 1 to "
		    "300 seconds)", step);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(dir, W_OK | X_OK) < 0)
		return aerr_set(err, errno ? errno : ENOTDIR, "RRD folder %s: "
		    "not a writable folder", dir);
	w->dir = xstrdup(dir);
	w->daemon = daemon && *daemon ? xstrdup(daemon) : NULL;
	w->step = step;
	return 0;
}

void
rrdw_close(struct rrd_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->nknown; i++)
		free(w->known[i]);
	free(w->known);
	free(w->dir);
	free(w->daemon);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
known(struct rrd_writer *w, const char *name)
{
	const char *key = name;

	return w->nknown > 0 && bsearch(&key, w->known, w->nknown,
	    sizeof(char *), cmp_str) != NULL;
}

static void
remember(struct rrd_writer *w, const char *name)
{
	w->known = xreallocarray(w->known, w->nknown + 1, sizeof(char *));
	w->known[w->nknown++] = xstrdup(name);
	qsort(w->known, w->nknown, sizeof(char *), cmp_str);
}

static int
create(struct rrd_writer *w, const char *path, time_t t)
{
	const char *argv[DS_COUNT + 5];
	char *owned[DS_COUNT + 5];
	unsigned hb = w->step * 3;
	unsigned long per5 = 300 / w->step ? 300 / w->step : 1;
	unsigned long per60 = 3600 / w->step ? 3600 / w->step : 1;
	int argc = 0, r;

	for (int i = 0; i < DS_COUNT; i++)
		owned[argc++] = xasprintf("DS:%s:%s:%u:0:U", dss[i].name,
		    dss[i].type, hb);
	owned[argc++] = xasprintf("RRA:AVERAGE:0.5:1:%u", 86400 / w->step);
	owned[argc++] = xasprintf("RRA:AVERAGE:0.5:%lu:%u", per5, 31 * 288);
	owned[argc++] = xasprintf("RRA:MAX:0.5:%lu:%u", per5, 31 * 288);
	owned[argc++] = xasprintf("RRA:AVERAGE:0.5:%lu:%u", per60, 366 * 24);
	owned[argc++] = xasprintf("RRA:MAX:0.5:%lu:%u", per60, 366 * 24);
	for (int i = 0; i < argc; i++)
		argv[i] = owned[i];
	rrd_clear_error();
	r = rrd_create_r2(path, w->step, t - (time_t)w->step, 1, NULL, NULL,
	    argc, argv);
	for (int i = 0; i < argc; i++)
		free(owned[i]);
	return r;
}

static void
add_val(struct sbuf *b, uint64_t v)
{
	if (sv_unlimited(v))
		sbuf_puts(b, ":U");
	else
		sbuf_printf(b, ":%llu", (unsigned long long)v);
}

/* "t:v:v:..." for one container */
static void
values(struct sbuf *b, const struct snap_ct *c, time_t t)
{
	const struct snap_row *ram = &c->row[UB_PHYSPAGES];
	const struct snap_row *oom = &c->row[UB_OOMGUARPAGES];
	const struct snap_row *swap = &c->row[UB_SWAPPAGES];
	const struct snap_row *np = &c->row[UB_NUMPROC];
	const struct snap_row *km = &c->row[UB_KMEMSIZE];
	uint64_t rd = 0, wr = 0, lim = capacity_cpulimit(c);

	sbuf_printf(b, "%lld", (long long)t);
#define ROW(row, bar) do {						\
	if ((row)->present) {						\
		add_val(b, snap_value(row, (row)->held));			\
		if (bar)						\
			add_val(b, snap_value(row, (row)->barrier));	\
		add_val(b, snap_value(row, (row)->limit));			\
		add_val(b, (row)->failcnt);				\
	} else {							\
		sbuf_puts(b, (bar) ? ":U:U:U:U" : ":U:U:U");		\
	}								\
} while (0)
	if (ram->present) {
		add_val(b, snap_value(ram, ram->held));
		add_val(b, snap_value(ram, ram->barrier));
		add_val(b, snap_value(ram, ram->limit));
		/* with the OOM kills (see the top comment) */
		add_val(b, ram->failcnt + (oom->present ? oom->failcnt : 0));
	} else {
		sbuf_puts(b, ":U:U:U:U");
	}
	ROW(swap, 1);
	ROW(np, 0);
	ROW(km, 0);
#undef ROW
	add_val(b, c->cpu_usage);
	add_val(b, c->throttled);
	if (lim)
		add_val(b, lim);
	else
		sbuf_puts(b, ":U");
	for (uint32_t d = 0; d < c->ndev; d++) {
		rd += c->dev[d].rbytes;
		wr += c->dev[d].wbytes;
	}
	add_val(b, rd);
	add_val(b, wr);
}

/* The rrdcached path: one BATCH for the round.  Returns failed updates,
 * or -errno when the daemon could not be used at all. */
static int
batch(struct rrd_writer *w, char **paths, char **vals, size_t n)
{
	struct sbuf b = SBUF_INIT;
	struct aerr err = { 0 };
	char line[512];
	long nerr;
	int r;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (w->fd < 0 && (w->fd = cached_connect(w->daemon, &err)) < 0) {
			r = w->fd;
			w->fd = -1;
			snprintf(w->last_error, sizeof(w->last_error), "%s",
			    err.msg);
			return r;
		}
		if ((r = write_all(w->fd, "BATCH\n", 6)) == 0 &&
		    (r = read_line(w->fd, line, sizeof(line))) == 0 &&
		    atoi(line) == 0)
			break;
		close(w->fd);	/* a stale connection: reconnect once */
		w->fd = -1;
		if (attempt == 1)
			return r < 0 ? r : -EPROTO;
	}
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&b, "UPDATE %s %s\n", paths[i], vals[i]);
	sbuf_puts(&b, ".\n");
	r = write_all(w->fd, b.s, b.len);
	sbuf_free(&b);
	if (r == 0)
		r = read_line(w->fd, line, sizeof(line));
	if (r < 0) {
		close(w->fd);
		w->fd = -1;
		return r;
	}
	/* "N errors", then N lines "<command number> <message>" */
	nerr = strtol(line, NULL, 10);
	if (nerr < 0) {
		snprintf(w->last_error, sizeof(w->last_error), "rrdcached: %s",
		    line);
		return -EPROTO;
	}
	for (long i = 0; i < nerr && i < (long)n + 1; i++) {
		if (read_line(w->fd, line, sizeof(line)) < 0)
			break;
		if (i == 0)
			snprintf(w->last_error, sizeof(w->last_error),
			    "rrdcached: %s", line);
	}
	return (int)nerr;
}

int
rrdw_update(struct rrd_writer *w, const struct snap_ct *cts, size_t n,
    time_t t)
{
	char **paths = xcalloc(n ? n : 1, sizeof(char *));
	char **vals = xcalloc(n ? n : 1, sizeof(char *));
	size_t k = 0;
	int failed = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	w->last_error[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct snap_ct *c = &cts[i];
		struct sbuf b = SBUF_INIT;

		if (!c->running || !sv_name_ok(c->name))
			continue;
		paths[k] = rrd_path(w->dir, c->name);
		if (!known(w, c->name)) {
			if (access(paths[k], F_OK) != 0 &&
			    create(w, paths[k], t) != 0) {
				snprintf(w->last_error, sizeof(w->last_error),
				    "%s", rrd_get_error());
				failed++;
				w->errors++;
				free(paths[k]);
				continue;
			}
			remember(w, c->name);
		}
		values(&b, c, t);
		vals[k++] = sbuf_take(&b);
	}
	if (w->daemon != NULL) {
		int r = batch(w, paths, vals, k);

		if (r < 0)
			failed += (int)k;
		else
			failed += r;
	} else {
		for (size_t i = 0; i < k; i++) {
			const char *argv[1] = { vals[i] };

			rrd_clear_error();
			if (rrd_update_r(paths[i], NULL, 1, argv) != 0) {
				if (w->last_error[0] == '\0')
					snprintf(w->last_error,
					    sizeof(w->last_error), "%s",
					    rrd_get_error());
				failed++;
			}
		}
	}
	for (size_t i = 0; i < k; i++) {
		free(paths[i]);
		free(vals[i]);
	}
	free(paths);
	free(vals);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	w->updates += k;
	w->errors += (uint64_t)failed;
	w->last_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return failed;
}

/* ---- graphs ------------------------------------------------------------- */

/* DEF needs ':' in the file name escaped */
static char *
def_path(const char *path)
{
	struct sbuf b = SBUF_INIT;

	for (const char *p = path; *p; p++) {
		if (*p == ':' || *p == '\\')
			sbuf_putc(&b, '\\');
		sbuf_putc(&b, *p);
	}
	return sbuf_take(&b);
}

struct argv {
	char	*v[64];
	int	 n;
};

static void __attribute__((format(printf, 2, 3)))
arg(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->n >= (int)nitems(a->v) - 1)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v[a->n++] = s;
}

/*
 * Is the last value stored for data source ds known?  An unlimited limit
 * is stored unknown, and GPRINT would print it as "-nan B": the legend
 * then says "unlimited" instead.  Through rrdcached the file is flushed
 * first, so the last update is in it.
 */
static bool
last_known(const char *path, const char *daemon, const char *ds)
{
	time_t last;
	unsigned long n = 0;
	char **names = NULL, **vals = NULL;
	bool known = true;

	if (daemon != NULL && *daemon)
		rrdc_flush_if_daemon(daemon, path);
	if (rrd_lastupdate_r(path, &last, &n, &names, &vals) != 0) {
		rrd_clear_error();
		return true;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (strcmp(names[i], ds) == 0)
			known = strcmp(vals[i], "U") != 0 &&
			    strstr(vals[i], "nan") == NULL;
		free(names[i]);
		free(vals[i]);
	}
	free(names);
	free(vals);
	return known;
}

static void
usage_graph(struct argv *a, const char *f, const char *held, const char *bar,
    const char *lim, const char *fail, bool bytes, bool peaks, bool lim_known)
{
	/* bytes in 1024 steps with a unit letter; counts as integers */
	const char *fmt = bytes ? "%6.2lf%sB" : "%6.0lf";

	arg(a, "DEF:held=%s:%s:AVERAGE", f, held);
	arg(a, "DEF:peak=%s:%s:MAX", f, held);
	arg(a, "DEF:lim=%s:%s:AVERAGE", f, lim);
	arg(a, "DEF:fail=%s:%s:MAX", f, fail);
	arg(a, "CDEF:failv=fail,0,GT,1,UNKN,IF");
	arg(a, "AREA:held#3c8d5a90:held (in use)");
	if (peaks)
		arg(a, "LINE1:peak#1e5a35:peak");
	if (bar != NULL) {
		arg(a, "DEF:bar=%s:%s:AVERAGE", f, bar);
		/* a barrier of 0 (VSwap configs) or equal to the limit is not
		 * a line of its own */
		arg(a, "CDEF:barv=bar,0,GT,lim,UN,bar,lim,LT,ADDNAN,0,GT,*,"
		    "bar,UNKN,IF");
		arg(a, "LINE2:barv#d99a1e:barrier:dashes");
	}
	arg(a, "LINE2:lim#c8322f:limit");
	/* rrdtool 1.7.2 drops the first character of a TICK legend; a
	 * space there is harmless where it does not */
	arg(a, "TICK:failv#c8322f60:1.0:%s", strcmp(fail, "ram_fail") == 0 ?
	    " failcnt went up or OOM kill" : " failcnt went up");
	arg(a, "COMMENT:\\n");
	arg(a, "GPRINT:held:LAST:now %s", fmt);
	arg(a, "GPRINT:peak:MAX:peak %s", fmt);
	if (lim_known)
		arg(a, "GPRINT:lim:LAST:limit %s\\n", fmt);
	else
		arg(a, "COMMENT:limit unlimited\\n");
}

int
rrd_graph_draw(const struct graph_req *g, const char *out,
    unsigned char **png, size_t *len, struct aerr *err)
{
	_cleanup_free_ char *path = rrd_path(g->dir, g->ct);
	_cleanup_free_ char *f = def_path(path);
	static const char *const what[RR_COUNT] = {
		[RR_PHYSPAGES] = "RAM (physpages)",
		[RR_SWAPPAGES] = "swap (swappages)",
		[RR_NUMPROC] = "processes (numproc)",
		[RR_KMEMSIZE] = "kernel memory (kmemsize)",
		[RR_CPU] = "CPU", [RR_IO] = "disk I/O",
	};
	struct argv a = { .n = 0 };
	time_t end = g->end ? g->end : time(NULL);
	bool peaks = g->secs > 86400;
	rrd_info_t *info;
	int r = 0;

	if (!sv_name_ok(g->ct))
		return aerr_set(err, EINVAL, "bad container name '%.64s'", g->ct);
	if (access(path, R_OK) != 0)
		return aerr_set(err, ENOENT, "no RRD archive for container "
		    "'%s' (%s: %s)", g->ct, path, strerror(errno));
	arg(&a, "graphv");
	arg(&a, "%s", out ? out : "-");
	arg(&a, "--imgformat=PNG");
	arg(&a, "--start=%lld", (long long)(end - (time_t)g->secs));
	arg(&a, "--end=%lld", (long long)end);
	arg(&a, "--width=%u", g->width ? g->width : 600);
	arg(&a, "--height=%u", g->height ? g->height : 200);
	arg(&a, "--lower-limit=0");
	arg(&a, "--slope-mode");
	arg(&a, "--title=%s: %s, last %s", g->ct, what[g->res],
	    g->secs <= 3600 ? "hour" : g->secs <= 86400 ? "day" : g->secs <= 7 * 86400 ? "week" :
	    g->secs <= 31 * 86400 ? "month" : "year");
	if (g->daemon != NULL && *g->daemon)
		arg(&a, "--daemon=%s", g->daemon);
	switch (g->res) {
	case RR_PHYSPAGES:
		arg(&a, "--base=1024");
		arg(&a, "--vertical-label=bytes");
		usage_graph(&a, f, "ram", "ram_bar", "ram_lim", "ram_fail", true,
		    peaks, last_known(path, g->daemon, "ram_lim"));
		break;
	case RR_SWAPPAGES:
		arg(&a, "--base=1024");
		arg(&a, "--vertical-label=bytes");
		usage_graph(&a, f, "swap", "swap_bar", "swap_lim", "swap_fail",
		    true, peaks, last_known(path, g->daemon, "swap_lim"));
		break;
	case RR_NUMPROC:
		arg(&a, "--vertical-label=processes");
		usage_graph(&a, f, "nproc", NULL, "nproc_lim", "nproc_fail",
		    false, peaks, last_known(path, g->daemon, "nproc_lim"));
		break;
	case RR_KMEMSIZE:
		arg(&a, "--base=1024");
		arg(&a, "--vertical-label=bytes");
		usage_graph(&a, f, "kmem", NULL, "kmem_lim", "kmem_fail", true,
		    peaks, last_known(path, g->daemon, "kmem_lim"));
		break;
	case RR_CPU:
		arg(&a, "--vertical-label=%% of one CPU");
		arg(&a, "DEF:cpu=%s:cpu:AVERAGE", f);
		arg(&a, "DEF:cpumax=%s:cpu:MAX", f);
		arg(&a, "DEF:thr=%s:cpu_thr:AVERAGE", f);
		arg(&a, "DEF:lim=%s:cpu_lim:AVERAGE", f);
		arg(&a, "CDEF:pct=cpu,10000,/");
		arg(&a, "CDEF:pctmax=cpumax,10000,/");
		arg(&a, "CDEF:thrpct=thr,10000,/");
		arg(&a, "AREA:pct#1f5fbf90:CPU used");
		if (peaks)
			arg(&a, "LINE1:pctmax#123c7a:peak");
		arg(&a, "LINE1:thrpct#d99a1e:throttled");
		arg(&a, "LINE2:lim#c8322f:cpulimit");
		arg(&a, "COMMENT:\\n");
		arg(&a, "GPRINT:pct:LAST:now %%5.1lf%%%%");
		arg(&a, "GPRINT:pctmax:MAX:peak %%5.1lf%%%%");
		if (last_known(path, g->daemon, "cpu_lim"))
			arg(&a, "GPRINT:lim:LAST:limit %%5.0lf%%%%\\n");
		else
			arg(&a, "COMMENT:no limit\\n");
		break;
	case RR_IO:
		arg(&a, "--base=1024");
		arg(&a, "--vertical-label=bytes/s");
		arg(&a, "DEF:rd=%s:io_r:AVERAGE", f);
		arg(&a, "DEF:wr=%s:io_w:AVERAGE", f);
		arg(&a, "AREA:rd#3c8d5a90:read");
		arg(&a, "LINE2:wr#1f5fbf:written");
		arg(&a, "COMMENT:\\n");
		arg(&a, "GPRINT:rd:AVERAGE:read avg %%6.2lf%%sB/s");
		arg(&a, "GPRINT:wr:AVERAGE:written avg %%6.2lf%%sB/s\\n");
		break;
	case RR_COUNT:
		break;
	}
	a.v[a.n] = NULL;
	rrd_clear_error();
	info = rrd_graph_v(a.n, a.v);
	if (info == NULL || rrd_test_error()) {
		r = aerr_set(err, EIO, "rrd_graph: %s", rrd_test_error() ?
		    rrd_get_error() : "failed");
	} else {
		for (rrd_info_t *p = info; g->legend != NULL && p != NULL;
		    p = p->next)
			if (p->type == RD_I_STR &&
			    strncmp(p->key, "legend[", 7) == 0)
				sbuf_printf(g->legend, "%s\n", p->value.u_str);
	}
	if (r == 0 && out == NULL) {
		r = aerr_set(err, EIO, "rrd_graph: no image returned");
		for (rrd_info_t *p = info; p != NULL; p = p->next)
			if (p->type == RD_I_BLO && strcmp(p->key, "image") == 0) {
				*png = xmalloc(p->value.u_blo.size ?
				    p->value.u_blo.size : 1);
				memcpy(*png, p->value.u_blo.ptr,
				    p->value.u_blo.size);
				*len = p->value.u_blo.size;
				r = 0;
			}
	}
	if (info != NULL)
		rrd_info_free(info);
	for (int i = 0; i < a.n; i++)
		free(a.v[i]);
	return r;
}
