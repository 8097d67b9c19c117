/* SPDX-License-Identifier: ISC */
/*
 * The read-only socket, served by an unprivileged process, so that no
 * byte of an unprivileged user is parsed by root (issue 14; OpenBGPD
 * serves its control socket from its unprivileged engine the same way).
 *
 *   client ──frames──► accountd --rsock (rsock_user, no capability)
 *                        │  control.c's server: framing, JSON, limits
 *                        │  per socket and per uid, follower cut-off
 *                        │
 *                        ├─ events, events -f: from its own history,
 *                        │  fed by root (fd 5: one JSON line per event,
 *                        │  the history once at each start)
 *                        │
 *                        ├─ ubc: from the snapshot (the exporters' map),
 *                        │  rendered by ctl_ubc_json() as root renders it
 *                        │
 *                        └─ hello list show plan meminfo quota (and ubc
 *                           naming what the snapshot does not know): a
 *                           fixed record to root (fd 4, rsockrec.h),
 *                           names checked, flags as bits, plan's values
 *                           parsed; root answers with the reply's JSON,
 *                           relayed as it is
 *
 * hello stays root's to answer: acctctl status asks it to learn that
 * accountd itself answers.
 *
 * Root makes and binds accountd.rsock (control.c) and gives the helper
 * the listening socket as fd 3; the helper is started by spawn.c through
 * supervise.c like the other children, and started again when it dies,
 * on the same socket (clients queue in its backlog meanwhile).
 *
 * One forwarded request per connection at a time: the connection is not
 * read until root's reply is relayed, so replies keep their order and
 * what the helper asks of root is bounded by its connections.  Root
 * reads at most RSOCK_READ_AHEAD records ahead, handles RSOCK_REQ_BATCH
 * per turn of its loop and stops reading them while RSOCK_OUT_PAUSE of
 * replies are unread, so a server taken over cannot make root hold more.
 */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "alert.h"
#include "control.h"
#include "ctconf.h"
#include "launch-ledger.h"
#include "log.h"
#include "rsock.h"
#include "rsockrec.h"
#include "snapview.h"
#include "spawn.h"
#include "supervise.h"
#include "xalloc.h"

_Static_assert(RSOCK_NAME_MAX == CT_NAME_MAX, "one name rule");

#define RSOCK_REQ_BATCH		16		/* records per turn (root) */
#define RSOCK_READ_AHEAD	64		/* records read ahead (root) */
#define RSOCK_OUT_PAUSE		(4u << 20)	/* root: unread replies */
#define RSOCK_OUT_RESUME	(1u << 20)
#define RSOCK_FEED_MAX		(8u << 20)	/* root: unread events */
#define RSOCK_LINE_MAX		(1u << 20)	/* helper: one event line */

/* ---- the helper: accountd --rsock ----------------------------------------- */

struct pending {
	uint32_t	 id;
	uint32_t	 seq;		/* the client's frame */
	struct ctl_conn	*c;		/* NULL: gone before the reply */
	struct pending	*next;
};

static struct bufferevent *root_bev;	/* helper: fd 4 */
static struct bufferevent *feed_in;	/* helper: fd 5 */
static struct pending *pend;
static uint32_t last_id;
static struct sfollow snapf;		/* helper: the snapshot, followed */
static struct sview snapv;		/* its last round */
static bool have_snap;

/* The snapshot's last round in snapv (a copy only when accountd
 * published a new one); false when there is none to read (then the
 * request goes to root). */
static bool
snap_current(void)
{
	struct aerr e = { 0 };
	int r;

	if (snapf.path == NULL)
		return false;		/* no -S */
	r = sfollow_update(&snapf, &snapv, NULL, &e);

	if (r < 0 && have_snap)
		log_warn("rsock: %s; asking accountd instead", e.msg);
	have_snap = r >= 0 && (r > 0 || have_snap);
	return have_snap;
}

/* ct_find_bc() over the snapshot: a container by name, else by
 * beancounter id (a name wins a tie). */
static const struct snap_ct *
snap_find_bc(const char *s)
{
	const struct snap_ct *c = sview_find(&snapv, s);
	char *end;
	unsigned long id;

	if (c != NULL || *s < '1' || *s > '9')
		return c;
	id = strtoul(s, &end, 10);
	for (size_t i = 0; *end == '\0' && i < snapv.n; i++)
		if (snapv.cts[i].bcid == id)
			return &snapv.cts[i];
	return NULL;
}

/*
 * ubc from the snapshot, as ctl.c's ctl_ubc() answers it from the
 * registry (the same checks, the same renderer: ctl_ubc_json()): root is
 * not asked, so a reader of beancounters costs it nothing.  The figures
 * are those of the last sampling round; a container made or destroyed
 * since is known from the next one.  A name the snapshot does not know
 * is root's to answer (1): it may have been made since.
 */
static int
ubc_local(struct json_object *req, struct json_object *reply,
    struct aerr *err)
{
	struct json_object *want = NULL, *a;
	size_t nwant;
	int r;

	if (json_object_object_get_ex(req, "cts", &want) &&
	    !json_object_is_type(want, json_type_array))
		return aerr_set(err, EPROTO, "malformed request: \"cts\" is not "
		    "an array");
	nwant = want != NULL ? json_object_array_length(want) : 0;
	for (size_t i = 0; i < nwant; i++) {
		const char *n = json_object_get_string(
		    json_object_array_get_idx(want, i));

		if ((r = ct_name_check(n ? n : "", err)) < 0)
			return r;
		if (snap_find_bc(n) == NULL)
			return 1;
	}
	a = json_object_new_array();
	for (size_t i = 0; i < snapv.n; i++) {
		const struct snap_ct *c = &snapv.cts[i];
		bool listed = want == NULL;

		for (size_t k = 0; !listed && k < nwant; k++)
			listed = snap_find_bc(json_object_get_string(
			    json_object_array_get_idx(want, k))) == c;
		if (listed && c->running)
			json_object_array_add(a, ctl_ubc_json(c));
	}
	json_object_object_add(reply, "containers", a);
	return 0;
}

/* The one container a request names, checked as root's req_ct() does
 * before it looks the name up (root does that). */
static int
req_name_copy(struct json_object *req, char *out, struct aerr *err)
{
	const char *name;
	int r;

	if ((r = req_name(req, &name, err)) < 0)
		return r;
	snprintf(out, RSOCK_NAME_MAX, "%s", name);
	return 0;
}

static int
fill_record(struct rsock_req *rq, struct json_object *req, struct aerr *err)
{
	struct json_object *want;
	struct ct_params chg;
	bool table;
	int r;

	switch ((enum rsock_kind)rq->kind) {
	case RQ_SHOW:
	case RQ_MEMINFO:
		rq->nct = 1;
		return req_name_copy(req, rq->ct[0], err);
	case RQ_QUOTA:
		rq->nct = 1;
		if ((r = req_name_copy(req, rq->ct[0], err)) < 0 ||
		    (r = req_bool(req, "table", &table, err)) < 0)
			return r;
		rq->flags |= table ? RQF_TABLE : 0;
		return 0;
	case RQ_PLAN:
		rq->nct = 1;
		rq->flags |= RQF_PARAMS;
		if ((r = req_name_copy(req, rq->ct[0], err)) < 0)
			return r;
		if ((r = req_params(req, &chg, err)) < 0)
			return r;
		rsock_params_put(&rq->params, &chg);
		return 0;
	case RQ_UBC:
		if (!json_object_object_get_ex(req, "cts", &want))
			return 0;
		if (!json_object_is_type(want, json_type_array))
			return aerr_set(err, EPROTO, "malformed request: \"cts\" "
			    "is not an array");
		rq->flags |= RQF_CTS;
		for (size_t i = 0; i < json_object_array_length(want); i++) {
			const char *n = json_object_get_string(
			    json_object_array_get_idx(want, i));

			if ((r = ct_name_check(n ? n : "", err)) < 0)
				return r;
			if (i >= RSOCK_CTS)
				return aerr_set(err, E2BIG, "more than %d "
				    "containers named (accepted on the read-only "
				    "socket: up to %d, or none for all)",
				    RSOCK_CTS, RSOCK_CTS);
			snprintf(rq->ct[i], RSOCK_NAME_MAX, "%s", n);
			rq->nct++;
		}
		return 0;
	case RQ_HELLO:
	case RQ_LIST:
	case RQ_KIND_END:
		break;
	}
	return 0;
}

int
rsock_request(struct ctl_conn *c, uint32_t seq, struct json_object *req,
    struct json_object *reply, struct aerr *err)
{
	const char *cmd = req_str(req, "cmd"), *ct;
	_cleanup_free_ struct rsock_req *rq = NULL;
	struct pending *p;
	int r;

	if (cmd == NULL)
		return RSOCK_DISPATCH;
	if (strcmp(cmd, "events") == 0) {
		/* answered here; a beancounter id becomes its name */
		const struct snap_ct *sc;

		ct = req_str(req, "ct");
		if (ct != NULL && ctconf_name_ok(ct) && snap_current() &&
		    (sc = snap_find_bc(ct)) != NULL && strcmp(sc->name, ct) != 0)
			json_object_object_add(req, "ct",
			    json_object_new_string(sc->name));
		return RSOCK_DISPATCH;
	}
	if (strcmp(cmd, "ubc") == 0 && snap_current() &&
	    (r = ubc_local(req, reply, err)) <= 0)
		return r;
	if (rsock_kind_of(cmd) == 0 && !ctl_known(cmd))
		return RSOCK_DISPATCH;	/* ctl_dispatch() says what is wrong */
	if (rsock_kind_of(cmd) == 0)	/* a read-only request not taught */
		return aerr_set(err, ENOSYS, "'%s' is not served on the read-only "
		    "socket yet (its server has no record kind for it in "
		    "accountd/rsockrec.c): use the control socket", cmd);
	if (root_bev == NULL)
		return aerr_set(err, EAGAIN, "accountd is not answering "
		    "(its read-only socket's server lost root)");
	rq = xcalloc(1, sizeof(*rq));
	rq->magic = RSOCK_MAGIC;
	rq->version = RSOCK_VERSION;
	rq->kind = (uint16_t)rsock_kind_of(cmd);
	rq->id = ++last_id;
	rq->uid = (int32_t)c->uid;
	rq->pid = (int32_t)c->pid;
	if ((r = fill_record(rq, req, err)) < 0)
		return r;
	bufferevent_write(root_bev, rq, sizeof(*rq));
	p = xcalloc(1, sizeof(*p));
	p->id = rq->id;
	p->seq = seq;
	p->c = c;
	p->next = pend;
	pend = p;
	ctl_hold(c, rsock_conn_gone);
	return RSOCK_FORWARDED;
}

void
rsock_conn_gone(struct ctl_conn *c)
{
	for (struct pending *p = pend; p != NULL; p = p->next)
		if (p->c == c)
			p->c = NULL;
}

/* Root's replies: a struct rsock_reply and its JSON, relayed as it is. */
static void
on_reply(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	(void)arg;
	for (;;) {
		struct rsock_reply h;
		struct pending **pp, *p;
		char *json;

		if (evbuffer_get_length(in) < sizeof(h))
			return;
		evbuffer_copyout(in, &h, sizeof(h));
		if (h.len > RSOCK_REPLY_MAX) {
			log_err("rsock: a reply of %u bytes from accountd; "
			    "exiting", h.len);
			event_base_loopexit(ad->base, NULL);
			return;
		}
		if (evbuffer_get_length(in) < sizeof(h) + h.len)
			return;
		evbuffer_drain(in, sizeof(h));
		json = xmalloc(h.len + 1u);
		evbuffer_remove(in, json, h.len);
		for (pp = &pend; *pp != NULL && (*pp)->id != h.id;
		    pp = &(*pp)->next)
			;
		if ((p = *pp) != NULL) {
			*pp = p->next;
			if (p->c != NULL) {
				ctl_reply(p->c, p->seq, json, h.len);
				ctl_release(p->c);
			}
			free(p);
		}
		free(json);
	}
}

/* Root's event feed: each line into the history and to the followers. */
static void
on_feed(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	(void)arg;
	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		struct json_tokener *tok = json_tokener_new_ex(16);
		struct json_object *ev = json_tokener_parse_ex(tok, line,
		    (int)n);

		if (ev != NULL && json_object_is_type(ev, json_type_object))
			alert_relay(ev);
		json_object_put(ev);
		json_tokener_free(tok);
		free(line);
	}
	if (evbuffer_get_length(in) > RSOCK_LINE_MAX) {
		log_warn("rsock: an event line over %u bytes; dropped",
		    RSOCK_LINE_MAX);
		evbuffer_drain(in, evbuffer_get_length(in));
	}
}

static void
on_term(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	event_base_loopexit(ad->base, NULL);
}

static void
on_root_gone(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)what; (void)arg;
	log_info("rsock: accountd closed its end; exiting");
	event_base_loopexit(ad->base, NULL);
}

static int
arg_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v > 1000000)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/*
 * accountd --rsock [-d] [-v] -m MAX -u PER_UID -t FOLLOWER_TIMEOUT
 * [-S SNAPSHOT]: exec'd by supervise.c (spawn.c) as rsock_user with no
 * capability and no descriptor of accountd's but its three: the
 * listening accountd.rsock (3), the requests to root (4) and the event
 * feed (5).
 */
int
rsock_main(int argc, char **argv)
{
	static struct accountd state;
	bool to_stderr = false, verbose = false;
	struct event *term;
	int i;

	ad = &state;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-d") == 0)
			to_stderr = true;
		else if (strcmp(a, "-v") == 0)
			verbose = true;
		else if (v != NULL && strcmp(a, "-m") == 0 &&
		    arg_uint(v, &state.cfg.max_connections) == 0)
			i++;
		else if (v != NULL && strcmp(a, "-u") == 0 &&
		    arg_uint(v, &state.cfg.max_connections_per_uid) == 0)
			i++;
		else if (v != NULL && strcmp(a, "-t") == 0 &&
		    arg_uint(v, &state.cfg.follower_timeout) == 0)
			i++;
		else if (v != NULL && strcmp(a, "-S") == 0)
			sfollow_init(&snapf, argv[++i]);
		else
			break;
	}
	log_init("accountd-rsock", !to_stderr, verbose ? LOG_LVL_DEBUG :
	    LOG_LVL_INFO);
	if (i != argc || getuid() == 0 || geteuid() == 0 ||
	    state.cfg.max_connections == 0 ||
	    state.cfg.max_connections_per_uid == 0 ||
	    state.cfg.follower_timeout == 0) {
		log_err("rsock: usage: accountd --rsock [-d] [-v] -m MAX -u "
		    "PER_UID -t FOLLOWER_TIMEOUT [-S SNAPSHOT], run by accountd "
		    "as rsock_user (never root) with the read-only socket as "
		    "fd 3");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	state.base = event_base_new();
	if (state.base == NULL)
		return 1;
	for (int fd = 3; fd <= 5; fd++)
		if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			log_err("rsock: fd %d: %s", fd, strerror(errno));
			return 1;
		}
	root_bev = bufferevent_socket_new(state.base, 4, BEV_OPT_CLOSE_ON_FREE);
	feed_in = bufferevent_socket_new(state.base, 5, BEV_OPT_CLOSE_ON_FREE);
	if (root_bev == NULL || feed_in == NULL)
		return 1;
	bufferevent_setcb(root_bev, on_reply, NULL, on_root_gone, NULL);
	bufferevent_setcb(feed_in, on_feed, NULL, on_root_gone, NULL);
	bufferevent_enable(root_bev, EV_READ | EV_WRITE);
	bufferevent_enable(feed_in, EV_READ);
	if (control_serve_ro(3) < 0)
		return 1;
	/* stopped by accountd: leave as on EOF, through main's return */
	term = evsignal_new(state.base, SIGTERM, on_term, NULL);
	event_add(term, NULL);
	log_debug("rsock: serving the read-only socket as uid %d",
	    (int)getuid());
	event_base_dispatch(state.base);
	event_free(term);
	if (snapf.path != NULL)
		sfollow_close(&snapf);
	sview_free(&snapv);
	return 0;
}

/* ---- root's side ---------------------------------------------------------- */

static struct bufferevent *req_bev;	/* root: the helper's records */
static struct bufferevent *feed_out;	/* root: the event feed */
static char rs_max[16], rs_per_uid[16], rs_timeout[16];
static char *rs_snap;

static void
rec_reply(uint32_t id, const char *json)
{
	struct rsock_reply h = { .id = id, .len = (uint32_t)strlen(json) };

	bufferevent_write(req_bev, &h, sizeof(h));
	bufferevent_write(req_bev, json, h.len);
}

static void
on_records(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	_cleanup_free_ struct rsock_req *raw = xmalloc(sizeof(*raw));
	_cleanup_free_ struct rsock_req *rq = xmalloc(sizeof(*rq));

	(void)arg;
	for (int n = 0; n < RSOCK_REQ_BATCH &&
	    evbuffer_get_length(in) >= sizeof(*raw); n++) {
		struct aerr err = { 0 };
		char *s;

		if (evbuffer_get_length(bufferevent_get_output(bev)) >
		    RSOCK_OUT_PAUSE) {
			bufferevent_disable(bev, EV_READ);	/* on_drained */
			return;
		}
		evbuffer_remove(in, raw, sizeof(*raw));
		if (rsockrec_decode(raw, sizeof(*raw), rq, &err) < 0) {
			static time_t warned;

			if (time(NULL) - warned >= 60) {
				log_warn("rsock: %s", err.msg);
				warned = time(NULL);
			}
			s = ctl_render(-EPROTO, NULL, NULL, &err);
		} else {
			s = ctl_forwarded(rq);
		}
		rec_reply(raw->id, s);
		free(s);
		ct_params_gc();
	}
	if (evbuffer_get_length(in) >= sizeof(*raw)) {
		/* the rest at the next turn: root's own work goes first */
		bufferevent_trigger(bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
	}
}

static void
on_drained(struct bufferevent *bev, void *arg)
{
	(void)arg;
	bufferevent_enable(bev, EV_READ);
	on_records(bev, NULL);
}

static void
free_pair(void)
{
	if (req_bev != NULL)
		bufferevent_free(req_bev);
	if (feed_out != NULL)
		bufferevent_free(feed_out);
	req_bev = feed_out = NULL;
}

static void
on_helper_gone(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)what; (void)arg;
	free_pair();	/* supervise.c starts it again, with new pairs */
}

void
rsock_feed(const char *line, size_t len)
{
	static time_t warned;

	if (feed_out == NULL)
		return;
	if (evbuffer_get_length(bufferevent_get_output(feed_out)) >
	    RSOCK_FEED_MAX) {
		if (time(NULL) - warned >= 60) {
			log_warn("rsock: the read-only socket's server does not "
			    "read its events; events dropped for its followers");
			warned = time(NULL);
		}
		return;
	}
	bufferevent_write(feed_out, line, len);
	bufferevent_write(feed_out, "\n", 1);
}

/* supervise.c's prepare: new pairs, the history, the arguments. */
static int
rsock_prepare(struct child *ch, const struct passwd *pw, char **argv)
{
	int rq[2], fd[2], lis, n = 0;

	(void)pw;
	if ((lis = fcntl(control_ro_fd(), F_DUPFD_CLOEXEC, 3)) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rq) < 0) {
		log_err("rsock: socketpair: %s", strerror(errno));
		close(lis);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) < 0) {
		log_err("rsock: socketpair: %s", strerror(errno));
		close(lis);
		close(rq[0]);
		close(rq[1]);
		return -1;
	}
	free_pair();
	evutil_make_socket_nonblocking(rq[0]);
	evutil_make_socket_nonblocking(fd[0]);
	req_bev = bufferevent_socket_new(ad->base, rq[0], BEV_OPT_CLOSE_ON_FREE);
	feed_out = bufferevent_socket_new(ad->base, fd[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(req_bev, on_records, on_drained, on_helper_gone, NULL);
	bufferevent_setwatermark(req_bev, EV_WRITE, RSOCK_OUT_RESUME, 0);
	/* what root reads ahead of its work: the server writes no faster
	 * than root answers, whatever it sends */
	bufferevent_setwatermark(req_bev, EV_READ, 0,
	    RSOCK_READ_AHEAD * sizeof(struct rsock_req));
	bufferevent_setcb(feed_out, NULL, NULL, on_helper_gone, NULL);
	bufferevent_enable(req_bev, EV_READ | EV_WRITE);
	bufferevent_enable(feed_out, EV_WRITE);
	alert_history_feed();
	ch->fd3 = lis;
	ch->fd4 = rq[1];
	ch->fd5 = fd[1];
	snprintf(rs_max, sizeof(rs_max), "%u", ad->cfg.max_connections);
	snprintf(rs_per_uid, sizeof(rs_per_uid), "%u",
	    ad->cfg.max_connections_per_uid);
	snprintf(rs_timeout, sizeof(rs_timeout), "%u", ad->cfg.follower_timeout);
	argv[n++] = spawn_self();
	argv[n++] = (char *)"--rsock";
	if (ad->foreground || strcmp(ad->cfg.log, "stderr") == 0)
		argv[n++] = (char *)"-d";
	if (strcmp(ad->cfg.log_level, "debug") == 0)
		argv[n++] = (char *)"-v";
	argv[n++] = (char *)"-m";
	argv[n++] = rs_max;
	argv[n++] = (char *)"-u";
	argv[n++] = rs_per_uid;
	argv[n++] = (char *)"-t";
	argv[n++] = rs_timeout;
	argv[n++] = (char *)"-S";
	argv[n++] = rs_snap;
	argv[n] = NULL;
	return 0;
}

static struct child helper = { .name = "read-only socket server",
	.prepare = rsock_prepare, .pid = -1, .fd3 = -1, .fd4 = -1, .fd5 = -1 };

/* Another helper runs as user (the server must not share its user with
 * the ledger: a compromised server could rewrite billing data). */
static bool
user_taken(const char *user)
{
	const char *ledger = billing_user();

	return (ledger != NULL && strcmp(ledger, user) == 0) ||
	    (strcmp(ad->cfg.exporter, "yes") == 0 &&
	    strcmp(ad->cfg.exporter_user, user) == 0);
}

int
rsock_init(void)
{
	static const char *const fallback[] = { "daemon", "bin", "nobody" };
	const char *user = ad->cfg.rsock_user;

	if (geteuid() != 0) {
		/* on a fake cgroupfs, as a user: the server runs as it too */
		static char me_name[64];
		struct passwd *me = getpwuid(geteuid());

		if (me != NULL) {
			snprintf(me_name, sizeof(me_name), "%s", me->pw_name);
			user = me_name;
		}
	} else if (getpwnam(user) == NULL &&
	    strcmp(user, "accountd-rsock") == 0) {
		/* the default, before a package made the user: the first
		 * system user no other helper runs as; nobody last, since a
		 * client running as nobody could then signal the server
		 * (never root) */
		for (size_t i = 0; i < nitems(fallback); i++) {
			user = fallback[i];
			if (getpwnam(user) != NULL && !user_taken(user))
				break;
		}
		log_warn("rsock: no user accountd-rsock (the default "
		    "rsock_user); serving the read-only socket as %s: make the "
		    "user (useradd --system accountd-rsock) or set rsock_user",
		    user);
	}
	helper.user = user;
	helper.path = spawn_self();
	free(rs_snap);
	rs_snap = xasprintf("%s/snapshot", ad->cfg.run_dir);
	return child_start(&helper);
}

void
rsock_close(void)
{
	free_pair();		/* the server leaves on EOF */
	child_stop(&helper);
	free(rs_snap);
	rs_snap = NULL;
}
