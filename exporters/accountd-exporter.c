/* SPDX-License-Identifier: ISC */
/*
 * accountd-exporter: the HTTP face of accountd (see accountd-exporter in
 * docs/accountd.8 and docs/exporters.md).  An unprivileged process: it
 * reads the snapshot accountd publishes after every sampling round and
 * never talks to the daemon, so a scrape never blocks sampling, events
 * or control requests.  accountd starts it (exporter = yes) as a
 * supervised child with dropped privileges; it also runs standalone, and
 * when started as root it binds its socket and then drops to -u USER.
 *
 *   GET /metrics	Prometheus text 0.0.4 or OpenMetrics 1.0 by the
 *			Accept header, gzip when Accept-Encoding allows
 *   GET /		the dashboard; /?ct=NAME one container
 *   GET /graph?ct=NAME&resource=R&period=P	a PNG from the RRD archive
 *
 * Rendering happens at most once per sampling round and format: the
 * bodies are kept (reference-counted, so a slow client keeps its copy
 * while a new round is rendered) and every scrape within the round sends
 * the same bytes.  Across rounds, /metrics is kept in pieces (mcache.c):
 * a new round renders and compresses only the containers whose samples
 * changed.  Memory is bounded by two snapshot copies, the pieces (about
 * one body and its gzip) and one body per format in use (during a
 * refresh, briefly, the previous copy too).
 *
 * RRD archives (-r DIR) are updated every -t seconds from the snapshot.
 *
 * Connections are bounded in number (-m; one more gets a 503) and in
 * time: a request must arrive whole and be answered within -T seconds
 * (a deadline, not evhttp's idle timer, which a client sending one header
 * line every 20 s would reset for ever).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <rrd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "expo.h"
#include "log.h"
#include "xalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

#define DEFAULT_LISTEN	"127.0.0.1:9847"
#define DEFAULT_MAX_CONNS	64
#define DEFAULT_DEADLINE_S	30

/* A rendered body shared by the cache and replies in flight. */
struct body {
	int		 refs;
	size_t		 len;
	char		*data;
};

enum { BODY_TEXT, BODY_OM1, BODY_OM0, BODY_KINDS };

static struct {
	struct event_base *base;
	struct evhttp	*http;
	struct sfollow	 follow;
	const char	*snap_path;
	struct sview	 cur, prev;
	bool		 have;		/* cur holds a snapshot */
	double		*cpu_pct;	/* per record of cur, or NULL */
	struct body	*cache[BODY_KINDS][2];	/* [format][gzip] */
	struct mcache	*mc;		/* /metrics in pieces */
	bool		 mc_current;	/* mc has the round of cur */
	enum mdetail	 detail;	/* -D */
	bool		 rrd_on;
	struct rrd_writer rrd;
	struct event	*rrd_timer;
	char		 rrd_logged[256];	/* the RRD error last logged */
	/* figures for the log and the benchmark */
	uint64_t	 renders, scrapes;
	double		 last_render_ms;
	unsigned	 max_conns, deadline_s;	/* -m, -T (httpconn.c) */
} X;

static void
body_unref(struct body *b)
{
	if (b != NULL && --b->refs == 0) {
		free(b->data);
		free(b);
	}
}

static void
body_cleanup(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	body_unref(arg);
}

static void
drop_cache(void)
{
	for (int i = 0; i < BODY_KINDS; i++)
		for (int z = 0; z < 2; z++) {
			body_unref(X.cache[i][z]);
			X.cache[i][z] = NULL;
		}
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the snapshot ------------------------------------------------------- */

/* CPU use per container since the previous snapshot (both sorted). */
static void
compute_cpu(void)
{
	double dt;
	size_t j = 0;

	free(X.cpu_pct);
	X.cpu_pct = NULL;
	if (X.prev.n == 0 || X.cur.h.time_ms <= X.prev.h.time_ms)
		return;
	dt = (double)(X.cur.h.time_ms - X.prev.h.time_ms) * 1000.0;	/* us */
	X.cpu_pct = xcalloc(X.cur.n ? X.cur.n : 1, sizeof(double));
	for (size_t i = 0; i < X.cur.n; i++) {
		const struct snap_ct *c = &X.cur.cts[i];

		while (j < X.prev.n && strcmp(X.prev.cts[j].name, c->name) < 0)
			j++;
		if (j < X.prev.n && strcmp(X.prev.cts[j].name, c->name) == 0 &&
		    c->cpu_usage >= X.prev.cts[j].cpu_usage)
			X.cpu_pct[i] = (double)(c->cpu_usage -
			    X.prev.cts[j].cpu_usage) * 100.0 / dt;
	}
}

static int
refresh(struct aerr *err)
{
	int r = sfollow_update(&X.follow, &X.cur, &X.prev, err);

	if (r > 0) {
		X.have = true;
		X.mc_current = false;
		drop_cache();
		compute_cpu();
		/* the previous round was only needed for the CPU rates */
		sview_free(&X.prev);
	}
	return r < 0 ? r : 0;
}

/* ---- replies ------------------------------------------------------------ */

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *fmt, ...)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
	evbuffer_add(b, "\n", 1);
	evhttp_add_header(oh, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(oh, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
send_body(struct evhttp_request *req, struct body *body, const char *type,
    bool gz)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(oh, "Content-Type", type);
	evhttp_add_header(oh, "Cache-Control", "no-store");
	if (gz)
		evhttp_add_header(oh, "Content-Encoding", "gzip");
	body->refs++;
	evbuffer_add_reference(b, body->data, body->len, body_cleanup, body);
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static struct body *
identity_body(enum mfmt fmt)
{
	struct body *body = xcalloc(1, sizeof(*body));

	body->refs = 1;
	body->data = mcache_body(X.mc, fmt, false, &body->len);
	return body;
}

/* Header lookup that tolerates a request without headers. */
static const char *
header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

static const char *const no_params[] = { NULL };

static void
serve_metrics(struct evhttp_request *req, const char *qs)
{
	struct aerr err = { 0 };
	struct query q;
	const char *omv;
	enum mfmt fmt = negotiate_format(header(req, "Accept"), &omv);
	bool gz = negotiate_gzip(header(req, "Accept-Encoding"));
	int kind = fmt == MFMT_TEXT ? BODY_TEXT :
	    strcmp(omv, "0.0.1") == 0 ? BODY_OM0 : BODY_OM1;

	if (query_parse(qs, no_params, &q, &err) < 0) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "%s", err.msg);
		return;
	}
	if (refresh(&err) < 0 && !X.have) {
		reply_text(req, 503, "Service Unavailable", "no snapshot: %s",
		    err.msg);
		return;
	}
	X.scrapes++;
	if (!X.mc_current) {
		const struct mcache_stats *st;
		double t0 = now_ms();

		mcache_update(X.mc, &X.cur.h, X.cur.cts, X.cur.n);
		X.mc_current = true;
		X.last_render_ms = now_ms() - t0;
		X.renders++;
		st = mcache_stats(X.mc);
		log_debug("/metrics: a new round, %zu containers: %zu "
		    "container-family pairs rendered (%zu hot), %zu pieces, "
		    "%zu bytes compressed, %.2f ms", X.cur.n, st->rendered,
		    st->hot, st->pieces, st->text_bytes, X.last_render_ms);
	}
	if (X.cache[kind][gz] == NULL) {
		struct body *body = xcalloc(1, sizeof(*body));

		body->refs = 1;
		body->data = mcache_body(X.mc, fmt, gz, &body->len);
		if (body->data != NULL) {
			X.cache[kind][gz] = body;
			log_debug("rendered /metrics (%s) %s: %zu bytes",
			    fmt == MFMT_TEXT ? "text" : "OpenMetrics",
			    gz ? "gzip" : "identity", body->len);
		} else {
			free(body);
			gz = false;	/* zlib failed: send it plain */
			if (X.cache[kind][0] == NULL)
				X.cache[kind][0] = identity_body(fmt);
		}
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Vary",
	    "Accept, Accept-Encoding");
	send_body(req, X.cache[kind][gz], metrics_content_type(fmt, omv), gz);
}

static const char *const dash_params[] = { "ct", "sort", "period", NULL };
static const char *const graph_params[] = { "ct", "resource", "period",
	NULL };

static void
serve_dashboard(struct evhttp_request *req, const char *qs)
{
	struct aerr err = { 0 };
	struct query q;
	struct dash_opts o = { .graphs = X.rrd_on };
	struct sbuf b = SBUF_INIT;
	struct body *body;
	unsigned long secs;

	if (query_parse(qs, dash_params, &q, &err) < 0) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "%s", err.msg);
		return;
	}
	o.sort = query_get(&q, "sort");
	o.ct = query_get(&q, "ct");
	o.period = query_get(&q, "period");
	if (o.sort != NULL && strcmp(o.sort, "name") != 0 &&
	    strcmp(o.sort, "ram") != 0 && strcmp(o.sort, "cpu") != 0 &&
	    strcmp(o.sort, "fails") != 0) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "bad sort '%s' "
		    "(accepted: name, ram, cpu, fails)", o.sort);
		return;
	}
	if (o.period != NULL && rrd_period_parse(o.period, &secs, &err) < 0) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "%s", err.msg);
		return;
	}
	if (refresh(&err) < 0 && !X.have) {
		reply_text(req, 503, "Service Unavailable", "no snapshot: %s",
		    err.msg);
		return;
	}
	if (o.ct != NULL && sview_find(&X.cur, o.ct) == NULL) {
		reply_text(req, HTTP_NOTFOUND, "Not Found", "unknown container "
		    "'%s'", o.ct);
		return;
	}
	o.cpu_pct = X.cpu_pct;
	dashboard_render(&X.cur.h, X.cur.cts, X.cur.n, &o, &b);
	body = xcalloc(1, sizeof(*body));
	body->refs = 1;
	body->len = b.len;
	body->data = sbuf_take(&b);
	send_body(req, body, "text/html; charset=utf-8", false);
	body_unref(body);	/* the reply holds it now */
}

static void
serve_graph(struct evhttp_request *req, const char *qs)
{
	struct aerr err = { 0 };
	struct query q;
	struct graph_req g = { .width = 600, .height = 200 };
	const char *res, *period;
	unsigned char *png = NULL;
	size_t len = 0;
	struct body *body;

	if (query_parse(qs, graph_params, &q, &err) < 0) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "%s", err.msg);
		return;
	}
	g.ct = query_get(&q, "ct");
	res = query_get(&q, "resource");
	period = query_get(&q, "period");
	if (g.ct == NULL) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "missing ct= "
		    "(the container's name)");
		return;
	}
	if (rrd_res_parse(res ? res : "physpages", &g.res, &err) < 0 ||
	    rrd_period_parse(period ? period : "1d", &g.secs, &err) < 0) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "%s", err.msg);
		return;
	}
	if (!X.rrd_on) {
		reply_text(req, HTTP_NOTFOUND, "Not Found", "no graphs: this "
		    "exporter keeps no RRD archives (start it with -r DIR)");
		return;
	}
	(void)refresh(&err);
	if (!sv_name_ok(g.ct) || sview_find(&X.cur, g.ct) == NULL) {
		_cleanup_free_ char *path = sv_name_ok(g.ct) ?
		    rrd_path(X.rrd.dir, g.ct) : NULL;

		/* a container that is gone still has its history */
		if (path == NULL || access(path, F_OK) != 0) {
			reply_text(req, HTTP_NOTFOUND, "Not Found", "unknown "
			    "container '%s'", g.ct);
			return;
		}
	}
	g.dir = X.rrd.dir;
	g.daemon = X.rrd.daemon;
	if (rrd_graph_draw(&g, NULL, &png, &len, &err) < 0) {
		reply_text(req, err.errnum == ENOENT ? HTTP_NOTFOUND :
		    HTTP_INTERNAL, err.errnum == ENOENT ? "Not Found" :
		    "Internal Server Error", "%s", err.msg);
		return;
	}
	body = xcalloc(1, sizeof(*body));
	body->refs = 1;
	body->len = len;
	body->data = (char *)png;
	send_body(req, body, "image/png", false);
	body_unref(body);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;

	(void)arg;
	httpconn_renew(req);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "only GET and HEAD "
		    "are served");
		return;
	}
	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, "/metrics") == 0)
		serve_metrics(req, qs);
	else if (strcmp(path, "/") == 0)
		serve_dashboard(req, qs);
	else if (strcmp(path, "/graph") == 0)
		serve_graph(req, qs);
	else
		reply_text(req, HTTP_NOTFOUND, "Not Found", "not found (the "
		    "exporter serves /metrics, / and /graph)");
}

/* ---- RRD timer ---------------------------------------------------------- */

static void
rrd_tick(evutil_socket_t fd, short what, void *arg)
{
	struct aerr err = { 0 };
	struct timeval tv;
	time_t now = time(NULL);
	int failed;

	(void)fd;
	(void)what;
	(void)arg;
	if (refresh(&err) < 0 && !X.have) {
		log_warn("RRD: no snapshot: %s", err.msg);
	} else {
		/* the round's own time, so a late tick stores the right one */
		time_t t = (time_t)(X.cur.h.time_ms / 1000);

		if (t > now || now - t > 5 * (time_t)X.rrd.step)
			t = now;
		failed = rrdw_update(&X.rrd, X.cur.cts, X.cur.n, t);
		/* say it once per kind of failure, not every step */
		if (failed > 0 && strcmp(X.rrd.last_error, X.rrd_logged) != 0)
			log_warn("RRD: %d of %zu updates failed: %s (said once "
			    "until it changes)", failed, X.cur.n,
			    X.rrd.last_error);
		snprintf(X.rrd_logged, sizeof(X.rrd_logged), "%s",
		    failed > 0 ? X.rrd.last_error : "");
		log_debug("RRD: %zu containers in %.2f ms", X.cur.n,
		    X.rrd.last_ms);
	}
	/* next step boundary */
	tv.tv_sec = (time_t)X.rrd.step - now % (time_t)X.rrd.step;
	tv.tv_usec = 0;
	evtimer_add(X.rrd_timer, &tv);
}

/* ---- set-up -------------------------------------------------------------- */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: accountd-exporter [-dv] [-D level] [-l addr:port] "
	    "[-s snapshot] [-r rrd_dir [-t step] [-c rrdcached]] [-u user]\n"
	    "  -d          log to stderr (default: syslog once serving, when "
	    "not on a terminal)\n"
	    "  -D level    metrics per container in /metrics: full (default) "
	    "or basic\n"
	    "  -l a:p      listen on address:port (default %s; [::1]:p for "
	    "IPv6)\n"
	    "  -m n        serve at most n connections at once (default %d; "
	    "one more gets a 503)\n"
	    "  -s path     accountd's snapshot (default %s/accountd/snapshot)\n"
	    "  -r dir      keep per-container RRD archives in dir (off by "
	    "default)\n"
	    "  -t secs     RRD step (default 10)\n"
	    "  -T secs     a request must arrive and be answered within secs "
	    "(default %d)\n"
	    "  -c address  write RRD updates through rrdcached (unix:/path or "
	    "host:port)\n"
	    "  -u user     user to run as when started as root (default "
	    "nobody)\n"
	    "  -v          debug logging\n", DEFAULT_LISTEN, DEFAULT_MAX_CONNS,
	    RUNSTATEDIR, DEFAULT_DEADLINE_S);
	exit(2);
}

/* A number in lo..hi (lo >= 1) from an option; 0 (said why) if not. */
static unsigned
parse_count(const char *s, unsigned lo, unsigned hi, const char *opt,
    const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || *s == '-' || v < lo || v > hi) {
		fprintf(stderr, "accountd-exporter: bad %s '%s' (accepted: %u "
		    "to %u %s)\n", opt, s, lo, hi, what);
		return 0;
	}
	return (unsigned)v;
}

/* Bind addr:port; returns the socket or -1 (logged). */
static int
bind_listen(const char *spec)
{
	char host[128], *colon;
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned long port;
	char *end;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	snprintf(host, sizeof(host), "%s", spec);
	colon = strrchr(host, ':');
	if (colon == NULL || colon == host)
		goto bad;
	*colon = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end != '\0' || end == colon + 1 || port > 65535)
		goto bad;
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			goto bad;
		host[n - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
		log_err("cannot listen on %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
bad:
	log_err("bad listen address '%s' (accepted: IPv4:PORT such as %s, "
	    "or [IPv6]:PORT)", spec, DEFAULT_LISTEN);
	return -1;
}

static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (user == NULL || strcmp(user, "root") == 0 || *user == '\0') {
		log_err("will not serve HTTP as root: give -u USER");
		return -1;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_err("no user '%s' to run as", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_err("user '%s' is root: will not serve HTTP as root", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid,
	    pw->pw_gid) < 0 || setresuid(pw->pw_uid, pw->pw_uid,
	    pw->pw_uid) < 0) {
		log_err("cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	return 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("caught signal %d, shutting down", (int)sig);
	event_base_loopbreak(X.base);
}

int
main(int argc, char **argv)
{
	const char *listen_on = DEFAULT_LISTEN, *user = "nobody";
	const char *rrd_dir = NULL, *rrdcached = NULL;
	unsigned step = 10;
	bool to_stderr = isatty(2), verbose = false;
	struct event *sigs[2];
	struct aerr err = { 0 };
	int ch, fd;

	X.snap_path = RUNSTATEDIR "/accountd/snapshot";
	X.max_conns = DEFAULT_MAX_CONNS;
	X.deadline_s = DEFAULT_DEADLINE_S;
	while ((ch = getopt(argc, argv, "c:dD:hl:m:r:s:t:T:u:v")) != -1) {
		switch (ch) {
		case 'D':
			if (mdetail_parse(optarg, &X.detail, &err) < 0) {
				fprintf(stderr, "accountd-exporter: -D: %s\n",
				    err.msg);
				return 2;
			}
			break;
		case 'c':
			rrdcached = optarg;
			break;
		case 'd':
			to_stderr = true;
			break;
		case 'l':
			listen_on = optarg;
			break;
		case 'm':
			if ((X.max_conns = parse_count(optarg, 1, 100000,
			    "-m", "connections")) == 0)
				return 2;
			break;
		case 'r':
			rrd_dir = *optarg ? optarg : NULL;
			break;
		case 's':
			X.snap_path = optarg;
			break;
		case 't': {
			char *end;

			errno = 0;
			step = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || step == 0 || step > 300) {
				fprintf(stderr, "accountd-exporter: bad -t '%s' "
				    "(accepted: 1 to 300 seconds)\n", optarg);
				return 2;
			}
			break;
		}
		case 'T':
			if ((X.deadline_s = parse_count(optarg, 1, 3600,
			    "-T", "seconds")) == 0)
				return 2;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* errors at start go to standard error whatever -d says; syslog
	 * (without -d) from the moment it serves */
	log_init("accountd-exporter", 0, verbose ? LOG_LVL_DEBUG :
	    LOG_LVL_INFO);
	signal(SIGPIPE, SIG_IGN);
	if ((fd = bind_listen(listen_on)) < 0)
		return 1;
	if (drop_privileges(user) < 0)
		return 1;
	if (geteuid() == 0) {
		log_err("will not serve HTTP as root");
		return 1;
	}
	sfollow_init(&X.follow, X.snap_path);
	X.mc = mcache_new(X.detail);
	if (rrd_dir != NULL) {
		if (rrdw_init(&X.rrd, rrd_dir, rrdcached, step, &err) < 0) {
			log_err("%s", err.msg);
			return 1;
		}
		X.rrd_on = true;
	}
	X.base = event_base_new();
	X.http = X.base ? evhttp_new(X.base) : NULL;
	if (X.http == NULL || evhttp_accept_socket(X.http, fd) < 0) {
		log_err("cannot set up the HTTP server");
		return 1;
	}
	/* the others get a 405 from on_request (evhttp would say 501) */
	evhttp_set_allowed_methods(X.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(X.http, (int)X.deadline_s);	/* idle, within the deadline */
	evhttp_set_max_headers_size(X.http, 16384);
	evhttp_set_max_body_size(X.http, 0);
	evhttp_set_default_content_type(X.http, "text/plain; charset=utf-8");
	evhttp_set_gencb(X.http, on_request, NULL);
	httpconn_init(X.base, X.http, X.max_conns, X.deadline_s);
	if (X.rrd_on) {
		struct timeval now = { 0, 0 };

		X.rrd_timer = evtimer_new(X.base, rrd_tick, NULL);
		evtimer_add(X.rrd_timer, &now);
	}
	sigs[0] = evsignal_new(X.base, SIGTERM, on_signal, NULL);
	sigs[1] = evsignal_new(X.base, SIGINT, on_signal, NULL);
	event_add(sigs[0], NULL);
	event_add(sigs[1], NULL);
	if (!to_stderr)
		log_init("accountd-exporter", 1, verbose ? LOG_LVL_DEBUG :
		    LOG_LVL_INFO);
	log_info("serving /metrics (metrics_detail %s) and the dashboard on "
	    "http://%s/ (snapshot %s, RRD %s%s%s, user %s)",
	    mdetail_name(X.detail), listen_on, X.snap_path,
	    X.rrd_on ? rrd_dir : "off", rrdcached ? " via rrdcached " : "",
	    rrdcached ? rrdcached : "", getpwuid(geteuid()) ?
	    getpwuid(geteuid())->pw_name : "?");
	event_base_dispatch(X.base);

	for (int i = 0; i < 2; i++)
		event_free(sigs[i]);
	if (X.rrd_timer != NULL)
		event_free(X.rrd_timer);
	drop_cache();
	mcache_free(X.mc);
	httpconn_stop();
	evhttp_free(X.http);
	httpconn_free();
	event_base_free(X.base);
	if (X.rrd_on)
		rrdw_close(&X.rrd);
	sview_free(&X.cur);
	sview_free(&X.prev);
	free(X.cpu_pct);
	sfollow_close(&X.follow);
	return 0;
}
