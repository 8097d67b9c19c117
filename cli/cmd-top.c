/* SPDX-License-Identifier: ISC */
/*
 * acctctl top [-b] [-d seconds] [-n count] [-o column] [--snapshot file]
 * A live view of every container, like top(1), vzubc -w and OpenVZ's
 * vztop: CPU % (of one CPU), RAM and swap against their limits, processes
 * against numproc, I/O rate, and the failcnt that grew since top started,
 * highlighted with the resource that failed.  Keys: c m p f n sort by
 * CPU, memory, processes, failures, name; / filters by name (a
 * substring; empty: all); q quits.  -b prints plain frames (scripts,
 * tests) and -n stops after that many.
 *
 * It reads the snapshot (lib/snapview.h, the one reader) on every
 * refresh: no daemon round trip, any user who can read the file.  Rates
 * are the change between two sampling rounds accountd published, over
 * their time stamps; a container whose cgroup was made anew (cg_gen) or
 * whose counter went back shows no rate until the next round.  The
 * terminal is driven with termios and plain ANSI sequences.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "acctctl.h"
#include "snapview.h"
#include "ubc.h"
#include "xalloc.h"

enum sortkey { SORT_CPU, SORT_MEM, SORT_PROCS, SORT_FAIL, SORT_NAME };
static const char *const sortnames[] = { "cpu", "mem", "procs", "fail",
	"name" };

/* failcnt of every row when top first saw the container (that cgroup) */
struct base {
	char		name[64];
	uint64_t	gen;
	uint64_t	fail[SNAP_ROWS];
};

struct line {
	const struct snap_ct *ct;
	double		cpu;		/* percent of one CPU; < 0: unknown */
	double		io;		/* bytes/s; < 0: unknown */
	uint64_t	ram, ramlim, swap, swaplim, procs, proclim;
	uint64_t	fails;		/* failcnt grown since start */
	int		failrow;	/* the row that grew most; -1: none */
};

struct top {
	struct sfollow	 fol;
	struct sview	 cur, prev;
	bool		 have_prev;
	struct base	*base;
	size_t		 nbase;
	struct line	*lines;
	size_t		 nlines;
	enum sortkey	 sort;
	char		 filter[64];
	bool		 batch;
	int		 rows, cols;
};

static volatile sig_atomic_t stop, resized;
static struct termios saved_tio;
static bool tty_raw;

static void
on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		stop = 1;
}

static void
tty_restore(void)
{
	if (!tty_raw)
		return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	/* cursor shown, attributes off, back from the alternate screen */
	fputs("\033[?25h\033[0m\033[?1049l", stdout);
	fflush(stdout);
	tty_raw = false;
}

static int
tty_setup(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return -errno;
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) < 0)
		return -errno;
	tty_raw = true;
	atexit(tty_restore);
	fputs("\033[?1049h\033[?25l", stdout);
	return 0;
}

static void
tty_size(struct top *t)
{
	struct winsize ws;

	t->rows = 24;
	t->cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

/* "-" for none or unlimited, else 4 significant characters and a unit */
static void
hsize(char *buf, size_t len, uint64_t v, bool none_is_dash)
{
	static const char units[] = "BKMGTPE";
	double d = (double)v;
	int i = 0;

	if (sv_unlimited(v) || (none_is_dash && v == 0)) {
		snprintf(buf, len, "-");
		return;
	}
	while (d >= 1024 && i < 6) {
		d /= 1024;
		i++;
	}
	if (i == 0 || d >= 100)
		snprintf(buf, len, "%.0f%c", d, units[i]);
	else
		snprintf(buf, len, "%.1f%c", d, units[i]);
}

static void
hcount(char *buf, size_t len, uint64_t v, bool none_is_dash)
{
	if (sv_unlimited(v) || (none_is_dash && v == 0))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static uint64_t
row_held(const struct snap_ct *c, int r)
{
	return c->row[r].present ? snap_value(&c->row[r], c->row[r].held) : 0;
}

static uint64_t
row_limit(const struct snap_ct *c, int r)
{
	return c->row[r].present ? snap_value(&c->row[r], c->row[r].limit) :
	    SNAP_UNLIMITED;
}

static uint64_t
io_bytes(const struct snap_ct *c)
{
	uint64_t s = 0;

	for (uint32_t i = 0; i < c->ndev && i < SNAP_DEVS; i++)
		s += c->dev[i].rbytes + c->dev[i].wbytes;
	return s;
}

/* The baseline of a container, made at first sight of its cgroup. */
static const struct base *
base_of(struct top *t, const struct snap_ct *c)
{
	struct base *b = NULL;

	for (size_t i = 0; i < t->nbase; i++)
		if (strcmp(t->base[i].name, c->name) == 0) {
			b = &t->base[i];
			break;
		}
	if (b == NULL) {
		t->base = xreallocarray(t->base, t->nbase + 1, sizeof(*t->base));
		b = &t->base[t->nbase++];
		snprintf(b->name, sizeof(b->name), "%s", c->name);
		b->gen = c->cg_gen + 1;		/* differs: filled below */
	}
	if (b->gen != c->cg_gen) {
		b->gen = c->cg_gen;
		for (int r = 0; r < SNAP_ROWS; r++)
			b->fail[r] = c->row[r].present ? c->row[r].failcnt : 0;
	}
	return b;
}

static void
make_line(struct top *t, const struct snap_ct *c, struct line *l)
{
	const struct snap_ct *p = t->have_prev ? sview_find(&t->prev, c->name) :
	    NULL;
	const struct base *b = base_of(t, c);
	uint64_t grew = 0;

	memset(l, 0, sizeof(*l));
	l->ct = c;
	l->cpu = l->io = -1;
	if (p != NULL && p->cg_gen == c->cg_gen && c->running && p->running &&
	    t->cur.h.time_ms > t->prev.h.time_ms) {
		double dt = (double)(t->cur.h.time_ms - t->prev.h.time_ms) / 1000;

		if (c->cpu_usage >= p->cpu_usage)
			l->cpu = (double)(c->cpu_usage - p->cpu_usage) / 1e6 /
			    dt * 100;
		if (io_bytes(c) >= io_bytes(p))
			l->io = (double)(io_bytes(c) - io_bytes(p)) / dt;
	}
	l->ram = row_held(c, UB_PHYSPAGES);
	l->ramlim = c->ram ? c->ram : row_limit(c, UB_PHYSPAGES);
	l->swap = row_held(c, UB_SWAPPAGES);
	l->swaplim = c->swap ? c->swap : row_limit(c, UB_SWAPPAGES);
	l->procs = c->row[UB_NUMPROC].present ? c->row[UB_NUMPROC].held : 0;
	l->proclim = c->numproc ? c->numproc : row_limit(c, UB_NUMPROC);
	l->failrow = -1;
	for (int r = 0; r < SNAP_ROWS; r++) {
		uint64_t d;

		if (!c->row[r].present || c->row[r].failcnt < b->fail[r])
			continue;
		d = c->row[r].failcnt - b->fail[r];
		l->fails += d;
		if (d > grew) {
			grew = d;
			l->failrow = r;
		}
	}
}

static int
cmp_line(const struct line *a, const struct line *b, enum sortkey k)
{
	switch (k) {
	case SORT_CPU:
		if (a->cpu != b->cpu)
			return a->cpu > b->cpu ? -1 : 1;
		break;
	case SORT_MEM:
		if (a->ram != b->ram)
			return a->ram > b->ram ? -1 : 1;
		break;
	case SORT_PROCS:
		if (a->procs != b->procs)
			return a->procs > b->procs ? -1 : 1;
		break;
	case SORT_FAIL:
		if (a->fails != b->fails)
			return a->fails > b->fails ? -1 : 1;
		break;
	case SORT_NAME:
		break;
	}
	return strcmp(a->ct->name, b->ct->name);
}

static enum sortkey sort_by;

static int
cmp_qsort(const void *a, const void *b)
{
	return cmp_line(a, b, sort_by);
}

static void
build_lines(struct top *t)
{
	t->lines = xreallocarray(t->lines, t->cur.n ? t->cur.n : 1,
	    sizeof(*t->lines));
	t->nlines = 0;
	for (size_t i = 0; i < t->cur.n; i++) {
		const struct snap_ct *c = &t->cur.cts[i];

		if (*t->filter && strstr(c->name, t->filter) == NULL) {
			base_of(t, c);	/* failures count from start all the same */
			continue;
		}
		make_line(t, c, &t->lines[t->nlines++]);
	}
	sort_by = t->sort;
	qsort(t->lines, t->nlines, sizeof(*t->lines), cmp_qsort);
}

/* One line, cut to the width; in a terminal, a line with failures is
 * shown bold red, the sort column's heading in reverse video. */
static void
put_line(struct top *t, const char *s, const char *attr)
{
	int n = (int)strlen(s);

	if (!t->batch && n > t->cols)
		n = t->cols;
	if (!t->batch && attr != NULL)
		printf("%s%.*s\033[0m", attr, n, s);
	else
		printf("%.*s", n, s);
	fputs(t->batch ? "\n" : "\033[K\r\n", stdout);
}

static void
render(struct top *t, const char *prompt)
{
	char buf[256], tm[16], cpu[16], io[16], ram[16], raml[16], swp[16];
	char swpl[16], pr[16], prl[16], fl[48];
	time_t now = (time_t)(t->cur.h.time_ms / 1000);
	struct tm tmv;
	size_t running = 0, shown, room;

	for (size_t i = 0; i < t->cur.n; i++)
		running += t->cur.cts[i].running != 0;
	localtime_r(&now, &tmv);
	strftime(tm, sizeof(tm), "%H:%M:%S", &tmv);
	if (!t->batch)
		fputs("\033[H", stdout);
	snprintf(buf, sizeof(buf), "acctctl top - %s  %s  %zu containers, %zu "
	    "running  sort: %s%s%s", tm, t->cur.h.hostname, t->cur.n, running,
	    sortnames[t->sort], *t->filter ? "  filter: " : "", t->filter);
	if (t->cur.h.time_ms == 0)
		snprintf(buf, sizeof(buf), "acctctl top - waiting for accountd's "
		    "first sampling round");
	put_line(t, buf, NULL);
	if (prompt != NULL)
		put_line(t, prompt, NULL);
	else if (!t->batch)
		put_line(t, "keys: c m p f n sort  / filter  q quit", NULL);
	snprintf(buf, sizeof(buf), "%-16s %6s %7s %7s %7s %7s %6s %6s %8s  %s",
	    "NAME", "CPU%", "RAM", "RAMLIM", "SWAP", "SWAPLIM", "PROCS",
	    "NPROC", "IO/s", "FAILS+");
	put_line(t, buf, t->batch ? NULL : "\033[7m");
	room = t->batch ? t->nlines : (size_t)(t->rows > 4 ? t->rows - 4 : 0);
	shown = t->nlines < room ? t->nlines : room;
	for (size_t i = 0; i < shown; i++) {
		const struct line *l = &t->lines[i];

		if (l->cpu < 0)
			snprintf(cpu, sizeof(cpu), "-");
		else
			snprintf(cpu, sizeof(cpu), "%.1f", l->cpu);
		if (l->io < 0)
			snprintf(io, sizeof(io), "-");
		else
			hsize(io, sizeof(io), (uint64_t)(l->io + 0.5), false);
		hsize(ram, sizeof(ram), l->ram, false);
		hsize(raml, sizeof(raml), l->ramlim, true);
		hsize(swp, sizeof(swp), l->swap, false);
		hsize(swpl, sizeof(swpl), l->swaplim, true);
		hcount(pr, sizeof(pr), l->procs, false);
		hcount(prl, sizeof(prl), l->proclim, true);
		if (l->fails == 0)
			snprintf(fl, sizeof(fl), "-");
		else
			snprintf(fl, sizeof(fl), "+%llu %s%s",
			    (unsigned long long)l->fails, ub_name(l->failrow),
			    t->batch ? " !" : "");
		if (!l->ct->running)
			snprintf(cpu, sizeof(cpu), "stop");
		snprintf(buf, sizeof(buf), "%-16.16s %6s %7s %7s %7s %7s %6s %6s "
		    "%8s  %s", l->ct->name, cpu, ram, raml, swp, swpl, pr, prl, io,
		    fl);
		put_line(t, buf, l->fails ? "\033[1;31m" : NULL);
	}
	if (t->batch)
		fputs("\n", stdout);
	else
		fputs("\033[J", stdout);
	fflush(stdout);
}

/* Take a new round when accountd published one; the first load makes
 * the baselines.  Returns 0 or -errno (err set). */
static int
refresh(struct top *t, struct aerr *err)
{
	int r = sfollow_update(&t->fol, &t->cur, &t->prev, err);

	if (r < 0)
		return r;
	if (r == 1 && t->prev.cts != NULL)
		t->have_prev = true;
	build_lines(t);
	return 0;
}

static bool
key_sort(struct top *t, int ch)
{
	switch (ch) {
	case 'c': t->sort = SORT_CPU; return true;
	case 'm': t->sort = SORT_MEM; return true;
	case 'p': t->sort = SORT_PROCS; return true;
	case 'f': t->sort = SORT_FAIL; return true;
	case 'n': t->sort = SORT_NAME; return true;
	}
	return false;
}

/* Wait up to ms for keys; returns true to quit (q, or the terminal
 * gone: end of file or a read error).  *editing holds the
 * filter being typed after '/' (Enter sets it, Escape drops it). */
static bool
read_keys(struct top *t, int ms, bool *editing, char *edit, size_t editlen,
    bool *redraw)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char ch;
	ssize_t got;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	/* with VMIN 0 a read of 0 is "nothing more now"; a hang-up is the
	 * terminal gone */
	if (!(pfd.revents & POLLIN))
		return true;
	while ((got = read(STDIN_FILENO, &ch, 1)) != 0) {
		size_t n = strlen(edit);

		if (got < 0)
			return errno != EAGAIN && errno != EINTR;

		*redraw = true;
		if (*editing) {
			if (ch == '\r' || ch == '\n') {
				snprintf(t->filter, sizeof(t->filter), "%s", edit);
				*editing = false;
			} else if (ch == 27) {
				*editing = false;
			} else if (ch == 127 || ch == 8) {
				if (n > 0)
					edit[n - 1] = '\0';
			} else if (ch >= 32 && ch < 127 && n + 1 < editlen) {
				edit[n] = (char)ch;
				edit[n + 1] = '\0';
			}
			continue;
		}
		if (ch == 'q')
			return true;
		if (ch == '/') {
			*editing = true;
			snprintf(edit, editlen, "%s", t->filter);
		} else
			key_sort(t, ch);
	}
	return false;
}

static int
parse_sort(const char *s, enum sortkey *k)
{
	for (size_t i = 0; i < sizeof(sortnames) / sizeof(sortnames[0]); i++)
		if (strcmp(s, sortnames[i]) == 0) {
			*k = (enum sortkey)i;
			return 0;
		}
	return -EINVAL;
}

static int
cmd_top(struct cmd_args *args)
{
	_cleanup_free_ char *path = NULL;
	const char *given = args_get(args, "--snapshot"), *v;
	struct top t = { .sort = SORT_CPU };
	struct aerr err = { 0 };
	double delay = 2;
	long iters = 0;
	int rc = EX_OK;
	char *end;

	t.batch = args_has(args, "-b");
	if ((v = args_get(args, "-d")) != NULL) {
		errno = 0;
		delay = strtod(v, &end);
		if (errno || *end || end == v || !(delay >= 0.1) ||
		    delay > 3600)
			return usage_error("top", "bad -d '%s' (accepted: "
			    "seconds from 0.1 to 3600)", v);
	}
	if ((v = args_get(args, "-n")) != NULL) {
		errno = 0;
		iters = strtol(v, &end, 10);
		if (errno || *end || end == v || iters < 1)
			return usage_error("top", "bad -n '%s' (accepted: "
			    "a count of frames, 1 or more)", v);
	}
	if ((v = args_get(args, "-o")) != NULL && parse_sort(v, &t.sort) < 0)
		return usage_error("top", "bad -o '%s' (accepted: "
		    "cpu, mem, procs, fail, name)", v);
	if (!t.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return usage_error("top", "not a terminal (use -b for plain "
		    "frames)");
	path = given ? xstrdup(given) : sv_cli_path(opt_socket);
	sfollow_init(&t.fol, path);
	if (refresh(&t, &err) < 0) {
		fprintf(stderr, "acctctl top: %s\n", err.msg);
		sfollow_close(&t.fol);
		return EX_NODAEMON;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	if (!t.batch && tty_setup() < 0) {
		fprintf(stderr, "acctctl top: cannot set up the terminal: %s\n",
		    strerror(errno));
		sfollow_close(&t.fol);
		return EX_FAIL;
	}
	tty_size(&t);

	bool editing = false;
	char edit[sizeof(t.filter)] = "", prompt[128];
	struct timespec next, now;

	for (long frame = 1; !stop; frame++) {
		render(&t, editing ? (snprintf(prompt, sizeof(prompt),
		    "filter: %s_", edit), prompt) : NULL);
		if (iters && frame >= iters)
			break;
		clock_gettime(CLOCK_MONOTONIC, &next);
		next.tv_sec += (time_t)delay;
		next.tv_nsec += (long)((delay - (double)(time_t)delay) * 1e9);
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		for (;;) {
			bool redraw = false;
			long ms;

			clock_gettime(CLOCK_MONOTONIC, &now);
			ms = (next.tv_sec - now.tv_sec) * 1000 +
			    (next.tv_nsec - now.tv_nsec) / 1000000;
			if (ms <= 0 || stop)
				break;
			if (t.batch) {
				poll(NULL, 0, (int)ms);
				continue;
			}
			if (read_keys(&t, (int)ms, &editing, edit, sizeof(edit),
			    &redraw)) {
				stop = 1;
				break;
			}
			if (resized) {
				resized = 0;
				tty_size(&t);
				fputs("\033[2J", stdout);
				redraw = true;
			}
			if (redraw) {
				build_lines(&t);
				render(&t, editing ? (snprintf(prompt,
				    sizeof(prompt), "filter: %s_", edit),
				    prompt) : NULL);
			}
		}
		if (stop)
			break;
		if (refresh(&t, &err) < 0) {
			tty_restore();
			fprintf(stderr, "acctctl top: %s\n", err.msg);
			rc = EX_NODAEMON;
			break;
		}
	}
	tty_restore();
	sview_free(&t.cur);
	sview_free(&t.prev);
	sfollow_close(&t.fol);
	free(t.base);
	free(t.lines);
	return rc;
}

static const struct cmd_opt opts[] = {
	{ "-b", NULL, "batch: plain frames, for scripts" },
	{ "-d", "SECONDS", "refresh interval, 0.1 to 3600 (default 2)" },
	{ "-n", "COUNT", "stop after this many frames" },
	{ "-o", "COLUMN", "first sort column: cpu, mem, procs, fail, name" },
	{ "--snapshot", "FILE", "read this snapshot file, not accountd's" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_top_entry = {
	"top", "", "a live view of every container, like top and vztop",
	cmd_top, 0, opts, 0
};
