/* SPDX-License-Identifier: ISC */
/* Alert delivery: see alert.h. */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "alert.h"
#include "control.h"
#include "eventslog.h"
#include "log.h"
#include "proto.h"
#include "rsock.h"
#include "spawn.h"
#include "supervise.h"
#include "xalloc.h"

#define HISTORY_MAX	1024
#define EVENTS_LOG_MAX	(8u << 20)	/* rotate events.log past 8 MiB */
#define HOOKS_MAX	16		/* hooks running at once */

struct follower {
	struct ctl_conn	*conn;
	char		 ct[CT_NAME_MAX];	/* "" for all */
	struct follower	*next;
};

struct hook {
	pid_t		 pid;
	time_t		 started;
};

/* The history holds each event as its JSON text behind its container's
 * name ("ct\0{...}\0", one allocation of ~250 bytes), not as the JSON
 * object: json-c keeps an object as a hash table, a node per member and
 * the printed text besides, ~3 KiB an event, 3 MiB once 1024 were kept
 * (a daemon's heap grew for hours while the history filled, 12 events a
 * minute).  Those asking for the history get objects parsed again. */
static char *history[HISTORY_MAX];
static size_t hist_head, hist_len;
static uint64_t seq;
static struct follower *followers;
static FILE *events_log;
static struct hook hooks[HOOKS_MAX];
static struct event *hook_timer;
static int notify_fd = -1;	/* to the notifier: one alert per packet */

/* A container's alert hook rate limit (ct->alerts), made at its first
 * failcnt alert while a hook is set, freed with the container. */
struct ct_alerts {
	double		 hook_last[UB_COUNT];	/* when the hook last ran */
	uint64_t	 hook_suppressed[UB_COUNT];	/* failcnt since */
};

static struct ct_alerts *
ct_alerts(struct container *ct)
{
	if (ct->alerts == NULL)
		ct->alerts = xcalloc(1, sizeof(*ct->alerts));
	return ct->alerts;
}

void
alert_forget(struct container *ct)
{
	free(ct->alerts);
	ct->alerts = NULL;
}

/* ---- history and followers --------------------------------------------- */

static void
remember(struct json_object *ev)
{
	size_t i = (hist_head + hist_len) % HISTORY_MAX, nct, ns;
	const char *s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	struct json_object *v;
	const char *ct = json_object_object_get_ex(ev, "ct", &v) ?
	    json_object_get_string(v) : "";
	char *e;

	if (ct == NULL)
		ct = "";
	nct = strlen(ct) + 1;
	ns = strlen(s) + 1;
	e = xmalloc(nct + ns);
	memcpy(e, ct, nct);
	memcpy(e + nct, s, ns);
	if (hist_len == HISTORY_MAX) {
		free(history[hist_head]);
		hist_head = (hist_head + 1) % HISTORY_MAX;
		i = (hist_head + hist_len - 1) % HISTORY_MAX;
	} else {
		hist_len++;
	}
	history[i] = e;
}

/* History entry e is for ct (any when NULL or ""). */
static bool
ev_matches(const char *e, const char *ct)
{
	return ct == NULL || *ct == '\0' || strcmp(e, ct) == 0;
}

struct json_object *
alert_history(const char *ct, size_t max)
{
	struct json_object *a = json_object_new_array();
	size_t n = 0, start;

	/* count matches from the newest back, then emit oldest first */
	for (size_t k = hist_len; k-- > 0 && n < max;)
		if (ev_matches(history[(hist_head + k) % HISTORY_MAX], ct))
			n++;
	start = hist_len;
	for (size_t k = hist_len, m = 0; k-- > 0 && m < n;)
		if (ev_matches(history[(hist_head + k) % HISTORY_MAX], ct)) {
			m++;
			start = k;
		}
	for (size_t k = start; k < hist_len; k++) {
		const char *e = history[(hist_head + k) % HISTORY_MAX];
		struct json_object *ev;

		if (ev_matches(e, ct) &&
		    (ev = json_tokener_parse(e + strlen(e) + 1)) != NULL)
			json_object_array_add(a, ev);
	}
	return a;
}

void
alert_history_feed(void)
{
	for (size_t k = 0; k < hist_len; k++) {
		const char *e = history[(hist_head + k) % HISTORY_MAX];

		e += strlen(e) + 1;
		rsock_feed(e, strlen(e));
	}
}

static void
follower_free(struct ctl_conn *c)
{
	struct follower **pp = &followers;

	while (*pp != NULL) {
		if ((*pp)->conn == c) {
			struct follower *f = *pp;

			*pp = f->next;
			free(f);
			continue;
		}
		pp = &(*pp)->next;
	}
	c->stream = NULL;
	c->stream_free = NULL;
}

void
alert_follow(struct ctl_conn *c, const char *ct)
{
	struct follower *f = xcalloc(1, sizeof(*f));

	f->conn = c;
	snprintf(f->ct, sizeof(f->ct), "%s", ct ? ct : "");
	f->next = followers;
	followers = f;
	c->stream = f;
	c->stream_free = follower_free;
	ctl_streaming(c);	/* no idle timeout; it must still read */
}

static void
load_one(struct json_object *ev, void *arg)
{
	(void)arg;
	remember(ev);
}

/* The events of events.log (or its predecessor) back into the history;
 * corrupt lines are skipped and counted (eventslog.c).  Returns whether
 * the file ends in the middle of a line. */
static bool
load_history(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOFOLLOW);
	char *text;
	size_t len = 0, skipped;
	struct stat st;
	ssize_t n;
	bool partial;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warn("%s is not a regular file; its events are not read",
		    path);
		return false;
	}
	/* mapped, not malloc()'ed: glibc serves a block this big with mmap
	 * and, when it is freed, raises its mmap threshold to its size (and
	 * the trim threshold to twice that), so that the heap was never
	 * given back to the kernel again for the daemon's life */
	text = mmap(NULL, 2 * EVENTS_LOG_MAX, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (text == MAP_FAILED) {
		log_warn("%s: cannot map a buffer: %s; its events are not read",
		    path, strerror(errno));
		return false;
	}
	while (len < 2 * EVENTS_LOG_MAX &&
	    (n = read(fd, text + len, 2 * EVENTS_LOG_MAX - len)) > 0)
		len += (size_t)n;
	skipped = eventslog_read(text, len, &seq, load_one, NULL);
	if (skipped > 0)
		log_warn("%s: %zu corrupt or out-of-order lines skipped; events "
		    "continue from seq %llu", path, skipped,
		    (unsigned long long)seq);
	partial = len > 0 && text[len - 1] != '\n';
	munmap(text, 2 * EVENTS_LOG_MAX);
	return partial;
}

/* ---- the hook program ------------------------------------------------------ */

/* Once a second: hooks past their time are killed. */
static void
alert_tick(evutil_socket_t fd, short what, void *arg)
{
	time_t now = time(NULL);

	(void)fd; (void)what; (void)arg;
	for (int i = 0; i < HOOKS_MAX; i++)
		if (hooks[i].pid > 0 &&
		    now - hooks[i].started >= (time_t)ad->cfg.alert_hook_timeout) {
			log_warn("alert hook pid %d ran past %u s; killed with "
			    "what it started", (int)hooks[i].pid,
			    ad->cfg.alert_hook_timeout);
			/* the hook leads its own session and process group
			 * (setsid() below): the group takes its children
			 * along, unless one made a session of its own */
			if (kill(-hooks[i].pid, SIGKILL) < 0)
				kill(hooks[i].pid, SIGKILL);
			hooks[i].started = now + 3600;	/* once */
		}
}

/* spawn.c's reaper: a hook ended. */
static void
hook_exited(pid_t pid, int st, void *arg)
{
	(void)arg;
	for (int i = 0; i < HOOKS_MAX; i++)
		if (hooks[i].pid == pid) {
			hooks[i].pid = 0;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
				log_warn("alert hook: cannot become user %s",
				    ad->cfg.alert_hook_user);
			else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
				log_warn("alert hook exited %d",
				    WEXITSTATUS(st));
			else if (WIFSIGNALED(st))
				log_warn("alert hook killed by signal %d",
				    WTERMSIG(st));
		}
}

/* Runs the hook with `kind` as its argument and `env` (NULL-terminated,
 * the caller's) as its environment; returns whether it was started. */
static bool
run_hook(struct container *ct, const char *kind, const char *rname,
    char *const *env)
{
	char karg[16];
	char *argv[] = { ad->cfg.alert_hook, karg, NULL };
	struct spawn_how how = { 0 };
	struct passwd pw;
	int slot = -1;
	pid_t pid;

	snprintf(karg, sizeof(karg), "%s", kind);
	for (int i = 0; i < HOOKS_MAX && slot < 0; i++)
		if (hooks[i].pid == 0)
			slot = i;
	if (slot < 0) {
		log_warn("alert hook: %d already running; not run for %s/%s "
		    "(passed on with its next run)", HOOKS_MAX, ct->name,
		    rname);
		return false;
	}
	if (ad->cfg.alert_hook_user != NULL && *ad->cfg.alert_hook_user &&
	    strcmp(ad->cfg.alert_hook_user, "root") != 0) {
		struct passwd *p = getpwnam(ad->cfg.alert_hook_user);

		if (p == NULL) {
			log_warn("alert hook: no such user %s; not run for "
			    "%s/%s", ad->cfg.alert_hook_user, ct->name, rname);
			return false;
		}
		pw = *p;
		how.pw = &pw;
	} else {
		how.caps = SPAWN_ALL_CAPS;	/* root's own program */
	}
	how.fd[0] = how.fd[1] = -1;
	how.fd[2] = 2;
	how.nfd = 3;
	how.setsid = true;
	how.exited = hook_exited;
	pid = spawn(argv, env, &how);
	if (pid < 0) {
		log_err("alert hook: fork: %s", strerror(-pid));
		return false;
	}
	hooks[slot].pid = pid;
	hooks[slot].started = time(NULL);
	return true;
}

static bool
run_failcnt_hook(struct container *ct, const char *rname, uint64_t delta,
    uint64_t supp, const struct ub_row *row, const char *when)
{
	char *env[16];
	int n = 0;
	bool ok;

	env[n++] = xasprintf("ACCT_EVENT=failcnt");
	env[n++] = xasprintf("ACCT_CT=%s", ct->name);
	env[n++] = xasprintf("ACCT_RESOURCE=%s", rname);
	env[n++] = xasprintf("ACCT_FAILCNT=%llu", (unsigned long long)row->failcnt);
	env[n++] = xasprintf("ACCT_DELTA=%llu", (unsigned long long)delta);
	env[n++] = xasprintf("ACCT_SUPPRESSED=%llu", (unsigned long long)supp);
	env[n++] = xasprintf("ACCT_HELD=%llu", (unsigned long long)row->held);
	env[n++] = xasprintf("ACCT_MAXHELD=%llu", (unsigned long long)row->maxheld);
	env[n++] = xasprintf("ACCT_BARRIER=%llu", (unsigned long long)row->barrier);
	env[n++] = xasprintf("ACCT_LIMIT=%llu", (unsigned long long)row->limit);
	env[n++] = xasprintf("ACCT_TIME=%s", when);
	env[n++] = xasprintf("ACCT_CGROUP=%s", ct->cgpath);
	env[n++] = xasprintf("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	env[n] = NULL;
	ok = run_hook(ct, "failcnt", rname, env);
	for (int i = 0; i < n; i++)
		free(env[i]);
	return ok;
}

/* ---- the Alertmanager notifier (unprivileged child) ----------------------- */

/*
 * One keep-alive connection carries every post, one at a time (libevent
 * queues the requests of a connection and connects again when it
 * drops); at most NOTIFY_QUEUE_MAX posts wait, and an alert beyond them
 * is dropped and counted, so a slow or silent Alertmanager costs one
 * descriptor and bounded memory, not one connection per alert.
 */
#define NOTIFY_QUEUE_MAX	64

struct notifier {
	struct event_base	*base;
	struct evhttp_uri	*uri;
	struct evhttp_connection *conn;
	const char		*url;
	int			 fd;
	unsigned		 pending;	/* posts sent or queued */
	unsigned long		 dropped;	/* since the last report */
};

static void
posted(struct evhttp_request *req, void *arg)
{
	struct notifier *n = arg;

	int code = req != NULL ? evhttp_request_get_response_code(req) : 0;

	if (n->pending > 0)
		n->pending--;
	if (n->dropped > 0) {	/* at most one line per post done */
		log_warn("alertmanager %s: %lu alerts dropped while %u posts "
		    "were waiting", n->url, n->dropped, NOTIFY_QUEUE_MAX);
		n->dropped = 0;
	}
	if (code == 0)
		log_warn("alertmanager %s: no answer (refused, unreachable or "
		    "timed out); alert not posted", n->url);
	else if (code / 100 != 2)
		log_warn("alertmanager %s: HTTP %d; alert not posted", n->url,
		    code);
}

static void
notifier_read(evutil_socket_t fd, short what, void *arg)
{
	struct notifier *n = arg;
	char buf[8192];
	ssize_t r;

	(void)what;
	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct evhttp_request *req;
		const char *host = evhttp_uri_get_host(n->uri);
		const char *path = evhttp_uri_get_path(n->uri);
		int port = evhttp_uri_get_port(n->uri);

		if (n->pending >= NOTIFY_QUEUE_MAX) {
			n->dropped++;
			continue;
		}
		if (n->conn == NULL) {
			n->conn = evhttp_connection_base_new(n->base, NULL, host,
			    (uint16_t)(port > 0 ? port : 80));
			if (n->conn == NULL) {
				log_warn("alertmanager: cannot reach %s", n->url);
				continue;
			}
			evhttp_connection_set_timeout(n->conn, 5);
		}
		req = evhttp_request_new(posted, n);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
		    host);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), buf, (size_t)r);
		if (evhttp_make_request(n->conn, req, EVHTTP_REQ_POST,
		    path && *path ? path : "/api/v2/alerts") < 0)
			log_warn("alertmanager: cannot send to %s", n->url);
		else
			n->pending++;
	}
	if (r == 0)
		event_base_loopexit(n->base, NULL);	/* accountd went away */
}

/*
 * The notifier is its own program, `accountd --notifier [-d] [-v] URL`,
 * exec'd by supervise.c (spawn.c) as notify_user with no capability and
 * no descriptor of accountd's but the socket, fd 3: what parses the
 * network's answers shares no memory with root.
 */
int
alert_notifier_main(int argc, char **argv)
{
	struct notifier n = { .fd = 3 };
	bool to_stderr = false, verbose = false;
	struct event *ev;
	int i = 2;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-d") == 0)
			to_stderr = true;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = true;
	}
	log_init("accountd-notifier", !to_stderr, verbose ? LOG_LVL_DEBUG :
	    LOG_LVL_INFO);
	if (i != argc - 1 || getuid() == 0) {
		log_err("notifier: usage: accountd --notifier [-d] [-v] URL, "
		    "run by accountd as notify_user (never root)");
		return 1;
	}
	n.url = argv[i];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	n.base = event_base_new();
	n.uri = evhttp_uri_parse(n.url);
	if (n.base == NULL || n.uri == NULL || evhttp_uri_get_host(n.uri) == NULL) {
		log_err("notifier: bad alertmanager_url '%s' (accepted: "
		    "http://HOST:PORT/api/v2/alerts)", n.url);
		return 1;
	}
	ev = event_new(n.base, n.fd, EV_READ | EV_PERSIST, notifier_read, &n);
	event_add(ev, NULL);
	event_base_dispatch(n.base);
	return 0;
}

/* supervise.c's prepare: a new socket pair for each start. */
static int
notifier_prepare(struct child *ch, const struct passwd *pw, char **argv)
{
	int sv[2], n = 0;

	(void)pw;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("notifier: socketpair: %s", strerror(errno));
		return -1;
	}
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = sv[0];
	(void)fcntl(notify_fd, F_SETFL, O_NONBLOCK);
	ch->fd3 = sv[1];
	argv[n++] = spawn_self();
	argv[n++] = (char *)"--notifier";
	if (ad->foreground || strcmp(ad->cfg.log, "stderr") == 0)
		argv[n++] = (char *)"-d";
	if (strcmp(ad->cfg.log_level, "debug") == 0)
		argv[n++] = (char *)"-v";
	argv[n++] = ad->cfg.alertmanager_url;
	argv[n] = NULL;
	log_info("alerts go to %s (notifier user %s)",
	    ad->cfg.alertmanager_url, ch->user);
	return 0;
}

static struct child notifier = { .name = "alert notifier",
	.prepare = notifier_prepare, .pid = -1, .fd3 = -1 };

static void
notify_alertmanager(struct container *ct, const char *alertname,
    const char *rlabel, const char *rname, const char *when,
    const char *summary, const char *description)
{
	struct json_object *a, *al, *labels, *ann;
	const char *s;
	char ends[40], host[256] = "localhost";
	time_t t = time(NULL) + 300;
	struct tm tm;

	if (notify_fd < 0)
		return;
	gethostname(host, sizeof(host));
	gmtime_r(&t, &tm);
	strftime(ends, sizeof(ends), "%Y-%m-%dT%H:%M:%SZ", &tm);
	labels = json_object_new_object();
	json_object_object_add(labels, "alertname",
	    json_object_new_string(alertname));
	json_object_object_add(labels, "container",
	    json_object_new_string(ct->name));
	json_object_object_add(labels, rlabel, json_object_new_string(rname));
	json_object_object_add(labels, "instance", json_object_new_string(host));
	json_object_object_add(labels, "severity",
	    json_object_new_string("warning"));
	ann = json_object_new_object();
	json_object_object_add(ann, "summary", json_object_new_string(summary));
	json_object_object_add(ann, "description",
	    json_object_new_string(description));
	al = json_object_new_object();
	json_object_object_add(al, "labels", labels);
	json_object_object_add(al, "annotations", ann);
	json_object_object_add(al, "startsAt", json_object_new_string(when));
	json_object_object_add(al, "endsAt", json_object_new_string(ends));
	a = json_object_new_array();
	json_object_array_add(a, al);
	s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	if (send(notify_fd, s, strlen(s), MSG_DONTWAIT) < 0)
		log_warn("alertmanager: notifier busy or gone (%s); alert for "
		    "%s/%s not posted", strerror(errno), ct->name, rname);
	json_object_put(a);
}

/* events.log past EVENTS_LOG_MAX becomes events.log.1 (replacing the
 * one before); a new one is started. */
static void
events_log_rotate(void)
{
	_cleanup_free_ char *path = xasprintf("%s/events.log",
	    ad->cfg.state_dir);
	_cleanup_free_ char *old = xasprintf("%s.1", path);

	fclose(events_log);
	if (rename(path, old) < 0)
		log_warn("cannot rotate %s: %s", path, strerror(errno));
	events_log = fopen(path, "ae");
	if (events_log == NULL)
		log_warn("cannot write %s: %s", path, strerror(errno));
}

/* ---- the event -------------------------------------------------------------- */

/* A new event of `type` for ct: seq and time (also into `when`). */
static struct json_object *
event_start(const char *type, struct container *ct, char *when, size_t len)
{
	struct json_object *ev = json_object_new_object();
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(when, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), len - strlen(when), ".%03ldZ",
	    now.tv_nsec / 1000000);
	json_object_object_add(ev, "seq", json_object_new_int64((int64_t)++seq));
	json_object_object_add(ev, "time", json_object_new_string(when));
	json_object_object_add(ev, "type", json_object_new_string(type));
	json_object_object_add(ev, "ct", json_object_new_string(ct->name));
	return ev;
}

void
alert_relay(struct json_object *ev)
{
	const char *s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	struct json_object *v;
	const char *ct = json_object_object_get_ex(ev, "ct", &v) ?
	    json_object_get_string(v) : "";

	remember(ev);
	for (struct follower *f = followers; f != NULL; f = f->next)
		if (f->ct[0] == '\0' || strcmp(f->ct, ct) == 0)
			ctl_send(f->conn, MSG_EVENT, s, strlen(s));
}

/* The history, every follower (the read-only socket's through its
 * helper's feed) and events.log. */
static void
event_deliver(struct container *ct, struct json_object *ev)
{
	const char *s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);

	(void)ct;
	alert_relay(ev);
	rsock_feed(s, strlen(s));
	if (events_log != NULL) {
		fprintf(events_log, "%s\n", s);
		fflush(events_log);
		if (ftell(events_log) > (long)EVENTS_LOG_MAX)
			events_log_rotate();
	}
}

/*
 * One alert: the event (history, followers, events.log), the log line,
 * the hook (at most one run per container and slot per interval) and
 * the Alertmanager.  `slot` is the hook's rate-limit slot; `maxheld`
 * whether the row has one (beancounters do, quota rows do not).
 */
static void
alert_emit(struct container *ct, const char *res, enum ub_res slot,
    const struct ub_row *row, uint64_t delta, const char *unit, bool maxheld)
{
	char when[48], sum[128], desc[128];
	struct json_object *ev = event_start("failcnt", ct, when, sizeof(when));
	double t;

	json_object_object_add(ev, "resource", json_object_new_string(res));
	json_object_object_add(ev, "failcnt", json_object_new_uint64(row->failcnt));
	json_object_object_add(ev, "delta", json_object_new_uint64(delta));
	json_object_object_add(ev, "held", json_object_new_uint64(row->held));
	if (maxheld)
		json_object_object_add(ev, "maxheld",
		    json_object_new_uint64(row->maxheld));
	json_object_object_add(ev, "barrier", json_object_new_uint64(row->barrier));
	json_object_object_add(ev, "limit", json_object_new_uint64(row->limit));
	json_object_object_add(ev, "unit", json_object_new_string(unit));

	if (maxheld)
		log_warn("alert ct=%s resource=%s failcnt=%llu delta=%llu "
		    "held=%llu maxheld=%llu barrier=%llu limit=%llu", ct->name,
		    res, (unsigned long long)row->failcnt,
		    (unsigned long long)delta, (unsigned long long)row->held,
		    (unsigned long long)row->maxheld,
		    (unsigned long long)row->barrier,
		    (unsigned long long)row->limit);
	else
		log_warn("alert ct=%s resource=%s failcnt=%llu delta=%llu "
		    "held=%llu barrier=%llu limit=%llu", ct->name, res,
		    (unsigned long long)row->failcnt,
		    (unsigned long long)delta, (unsigned long long)row->held,
		    (unsigned long long)row->barrier,
		    (unsigned long long)row->limit);
	event_deliver(ct, ev);
	t = (double)time(NULL);
	if (ad->cfg.alert_hook != NULL && *ad->cfg.alert_hook) {
		struct ct_alerts *a = ct_alerts(ct);

		if (t - a->hook_last[slot] >= ad->cfg.alert_hook_interval &&
		    run_failcnt_hook(ct, res, delta, a->hook_suppressed[slot],
		    row, when)) {
			a->hook_last[slot] = t;
			a->hook_suppressed[slot] = 0;
		} else {
			a->hook_suppressed[slot] += delta;
		}
	}
	snprintf(sum, sizeof(sum), "%s hit its %s limit (failcnt +%llu, now %llu)",
	    ct->name, res, (unsigned long long)delta,
	    (unsigned long long)row->failcnt);
	snprintf(desc, sizeof(desc), "held %llu maxheld %llu barrier %llu limit "
	    "%llu", (unsigned long long)row->held,
	    (unsigned long long)row->maxheld, (unsigned long long)row->barrier,
	    (unsigned long long)row->limit);
	notify_alertmanager(ct, "AccountdFailcnt", "resource", res, when, sum,
	    desc);
	json_object_put(ev);
}

void
alert_failcnt(struct container *ct, enum ub_res r, uint64_t delta)
{
	struct ub_row row = bc_public_row(ct, r);

	alert_emit(ct, ub_name(r), r, &row, delta,
	    ub_unit(r) == UBU_PAGES ? "pages" : ub_unit(r) == UBU_BYTES ?
	    "bytes" : "items", true);
}

/*
 * A quota row's alert, as for a beancounter.  The hook's rate limit needs
 * a slot per resource: the quota rows take those of the placeholder rows
 * dummy0/dummy1, which never alert themselves.
 */
void
alert_quota(struct container *ct, const char *res, uint64_t failcnt,
    uint64_t delta, uint64_t held, uint64_t soft, uint64_t hard,
    const char *unit)
{
	struct ub_row row = { .held = held, .maxheld = held, .barrier = soft,
	    .limit = hard, .failcnt = failcnt };

	alert_emit(ct, res, strcmp(res, "diskinodes") == 0 ? UB_DUMMY1 :
	    UB_DUMMY0, &row, delta, unit, false);
}

/*
 * A limit changed by someone else (drift.c): once per new kernel value.
 * No rate limit is needed: a value is reported once, not per sample.
 */
void
alert_drift(struct container *ct, const char *param, const char *files,
    const char *kernel, const char *configured, const char *action,
    const char *error)
{
	char when[48], sum[256], desc[512];
	struct json_object *ev = event_start("drift", ct, when, sizeof(when));

	json_object_object_add(ev, "resource", json_object_new_string(param));
	json_object_object_add(ev, "kernel", json_object_new_string(kernel));
	json_object_object_add(ev, "configured",
	    json_object_new_string(configured));
	json_object_object_add(ev, "files", json_object_new_string(files));
	json_object_object_add(ev, "action", json_object_new_string(action));
	if (error != NULL)
		json_object_object_add(ev, "error", json_object_new_string(error));
	log_warn("drift ct=%s param=%s kernel=%s configured=%s files=\"%s\" "
	    "action=%s%s%s", ct->name, param, kernel, configured, files, action,
	    error ? " error=" : "", error ? error : "");
	event_deliver(ct, ev);
	if (ad->cfg.alert_hook != NULL && *ad->cfg.alert_hook) {
		char *env[12];
		int n = 0;

		env[n++] = xasprintf("ACCT_EVENT=drift");
		env[n++] = xasprintf("ACCT_CT=%s", ct->name);
		env[n++] = xasprintf("ACCT_RESOURCE=%s", param);
		env[n++] = xasprintf("ACCT_KERNEL=%s", kernel);
		env[n++] = xasprintf("ACCT_CONFIGURED=%s", configured);
		env[n++] = xasprintf("ACCT_FILES=%s", files);
		env[n++] = xasprintf("ACCT_ACTION=%s", action);
		env[n++] = xasprintf("ACCT_TIME=%s", when);
		env[n++] = xasprintf("ACCT_CGROUP=%s", ct->cgpath);
		env[n++] = xasprintf("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
		env[n] = NULL;
		(void)run_hook(ct, "drift", param, env);
		for (int i = 0; i < n; i++)
			free(env[i]);
	}
	snprintf(sum, sizeof(sum), "%s: %s changed outside accountd to %s "
	    "(configured %s), %s", ct->name, param, kernel, configured, action);
	snprintf(desc, sizeof(desc), "%s%s%s", files, error ? "; " : "",
	    error ? error : "");
	notify_alertmanager(ct, "AccountdDrift", "resource", param, when, sum,
	    desc);
	json_object_put(ev);
}

/* ---- set-up ------------------------------------------------------------------- */

int
alert_init(void)
{
	_cleanup_free_ char *path = xasprintf("%s/events.log", ad->cfg.state_dir);
	struct timeval sec = { 1, 0 };
	struct stat st;
	bool partial;

	if (stat(path, &st) == 0 && (size_t)st.st_size > EVENTS_LOG_MAX) {
		_cleanup_free_ char *old = xasprintf("%s.1", path);

		rename(path, old);
		load_history(old);
	}
	partial = load_history(path);
	events_log = fopen(path, "ae");
	if (events_log == NULL)
		log_warn("cannot write %s: %s", path, strerror(errno));
	else if (partial)	/* cut by a crash: the next event starts a line */
		fputc('\n', events_log);
	hook_timer = event_new(ad->base, -1, EV_PERSIST, alert_tick, NULL);
	event_add(hook_timer, &sec);
	if (ad->cfg.alertmanager_url != NULL && *ad->cfg.alertmanager_url) {
		notifier.user = ad->cfg.notify_user;
		notifier.path = spawn_self();
		if (child_start(&notifier) < 0)
			log_err("cannot start the alert notifier");
	}
	return 0;
}

void
alert_close(void)
{
	if (hook_timer != NULL)
		event_free(hook_timer);
	hook_timer = NULL;
	if (events_log != NULL)
		fclose(events_log);
	events_log = NULL;
	if (notify_fd >= 0)
		close(notify_fd);	/* the notifier exits on EOF */
	notify_fd = -1;
	child_stop(&notifier);
	for (size_t k = 0; k < hist_len; k++)
		free(history[(hist_head + k) % HISTORY_MAX]);
	hist_len = 0;
}
