/* SPDX-License-Identifier: ISC */
/*
 * Control socket server: accepts connections, reads frames (checking
 * magic, version, type and length before reading the payload), parses
 * the JSON request with a depth limit and hands it to ctl.c.  A
 * malformed frame gets an error reply and the connection is closed;
 * nothing a client sends can stop the loop.
 *
 * Root serves accountd.sock only.  accountd.rsock is made and bound here
 * by root, but served by `accountd --rsock` (rsock.c), an unprivileged
 * process that runs this same code on the listening socket it is given
 * (control_serve_ro()), so that no byte of an unprivileged user is parsed
 * by root: what it cannot answer itself reaches root as a fixed record.
 *
 * What one client may hold, so that no local user can starve the daemon
 * or lock root out:
 *
 *   connections  each socket has its own max_connections (the read-only
 *                socket's clients never take the control socket's), of
 *                which the last CTL_ROOT_SLOTS of the control socket are
 *                root's alone; a uid other than root may hold
 *                max_connections_per_uid on each socket.  A refused
 *                client gets an error frame; the log says so once per
 *                CTL_LOG_INTERVAL, then how many more there were.
 *   input        one request at most (the read watermark).
 *   output       requests are handled only while the unsent output is
 *                below CTL_OUT_PAUSE: above it the connection is not read
 *                (the client's writes block) until it drains to
 *                CTL_OUT_RESUME.  Replies therefore stay within that
 *                bound plus one reply; events are not paced by the client,
 *                so a frame that finds more than CTL_OUT_MAX unsent drops
 *                the connection.
 *   time         a request must arrive within CTL_IDLE_SEC (not for
 *                followers); output left unread for follower_timeout
 *                seconds drops the connection (followers included).
 */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "control.h"
#include "log.h"
#include "proto.h"
#include "rsock.h"
#include "xalloc.h"

#define CTL_IDLE_SEC	120
#define CTL_ROOT_SLOTS	16		/* of the control socket, root only */
#define CTL_OUT_PAUSE	(256u << 10)	/* stop reading requests above this */
#define CTL_OUT_RESUME	(64u << 10)	/* read again once drained to this */
#define CTL_OUT_MAX	(4u << 20)	/* an event finding more drops it */
#define CTL_LOG_INTERVAL 10		/* s between lines of one kind */

static struct evconnlistener *lis_rw, *lis_ro;
static int ro_fd = -1;			/* root: the bound accountd.rsock */
static struct ctl_conn *conns;		/* every open connection */
static unsigned nconns_rw, nconns_ro;

/*
 * A warning a client can provoke at will is logged at most once per
 * CTL_LOG_INTERVAL; those left out are counted, and the count is logged
 * when the interval is over.
 */
struct ratelim {
	const char	*what;		/* "refused connections", ... */
	time_t		 last;
	unsigned	 skipped;
	struct event	*flush;
};

static struct ratelim rl_refused = { .what = "connections refused" };
static struct ratelim rl_dropped = { .what = "connections closed for not reading" };

static time_t
mono_sec(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

static void
rl_flush(evutil_socket_t fd, short what, void *arg)
{
	struct ratelim *rl = arg;

	(void)fd; (void)what;
	if (rl->skipped == 0)
		return;
	log_warn("control: %u more %s in the last %d s", rl->skipped,
	    rl->what, CTL_LOG_INTERVAL);
	rl->skipped = 0;
	rl->last = mono_sec();
}

static void __attribute__((format(printf, 2, 3)))
log_limited(struct ratelim *rl, const char *fmt, ...)
{
	time_t now = mono_sec();
	va_list ap;
	char msg[512];

	if (rl->last != 0 && now - rl->last < CTL_LOG_INTERVAL) {
		struct timeval tv = { rl->last + CTL_LOG_INTERVAL - now, 0 };

		rl->skipped++;
		if (rl->flush == NULL)
			rl->flush = evtimer_new(ad->base, rl_flush, rl);
		if (!evtimer_pending(rl->flush, NULL))
			evtimer_add(rl->flush, &tv);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("%s", msg);
	rl->last = now != 0 ? now : 1;
}

static void
conn_free(struct ctl_conn *c)
{
	struct ctl_conn **pp;

	if (c->stream_free != NULL)
		c->stream_free(c);
	if (c->held)
		c->held_gone(c);	/* its request still being answered */
	for (pp = &conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	bufferevent_free(c->bev);
	if (c->ro)
		nconns_ro--;
	else
		nconns_rw--;
	free(c);
}

static size_t
out_len(struct ctl_conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Drop a connection that does not read what it is sent.  Not freed here
 * (the caller may be walking the followers): shutting the socket down
 * makes the loop report the error, and on_event() frees it. */
static void
conn_drop(struct ctl_conn *c, const char *why)
{
	log_limited(&rl_dropped, "control: client pid %d (uid %d) %s; "
	    "closing its connection", (int)c->pid, (int)c->uid, why);
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
}

/* Every frame goes out here: one bound for replies and events. */
static void
conn_write(struct ctl_conn *c, int type, uint32_t seq, const char *json,
    size_t len)
{
	uint8_t hdr[ACCT_HDR_LEN];

	if (c->closing)
		return;
	if (out_len(c) > CTL_OUT_MAX) {
		conn_drop(c, "does not read its replies or events (over "
		    "4 MiB unsent)");
		return;
	}
	proto_hdr_encode(hdr, (uint16_t)type, (uint32_t)len, seq);
	/* writing is enabled with the first frame that waits (see
	 * on_accept), once: enabling again would restart the write timeout
	 * of a follower that reads nothing */
	if (!(bufferevent_get_enabled(c->bev) & EV_WRITE))
		bufferevent_enable(c->bev, EV_WRITE);
	bufferevent_write(c->bev, hdr, sizeof(hdr));
	bufferevent_write(c->bev, json, len);
}

/*
 * A request's reply, sent at once when nothing waits before it: one
 * sendmsg now rather than the loop's next turn (epoll_ctl, epoll_wait,
 * writev, epoll_ctl), which also ran the turn's other work first.  What
 * the socket does not take (a full buffer, an error) goes through the
 * bufferevent as any frame, which reports the error in its turn.
 */
static void
conn_reply_now(struct ctl_conn *c, uint32_t seq, const char *json,
    size_t len)
{
	uint8_t hdr[ACCT_HDR_LEN];
	struct iovec iov[2];
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t w;

	if (c->closing || out_len(c) > 0) {
		conn_write(c, MSG_REPLY, seq, json, len);
		return;
	}
	proto_hdr_encode(hdr, MSG_REPLY, (uint32_t)len, seq);
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ (void *)(uintptr_t)json, len };
	w = sendmsg(bufferevent_getfd(c->bev), &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0)
		w = 0;
	if ((size_t)w < sizeof(hdr) + len &&
	    !(bufferevent_get_enabled(c->bev) & EV_WRITE))
		bufferevent_enable(c->bev, EV_WRITE);
	if ((size_t)w < sizeof(hdr)) {
		bufferevent_write(c->bev, hdr + w, sizeof(hdr) - (size_t)w);
		bufferevent_write(c->bev, json, len);
	} else if ((size_t)w < sizeof(hdr) + len) {
		w -= (ssize_t)sizeof(hdr);
		bufferevent_write(c->bev, json + w, len - (size_t)w);
	}
}

void
ctl_send(struct ctl_conn *c, int type, const char *json, size_t len)
{
	conn_write(c, type, 0, json, len);
}

void
ctl_streaming(struct ctl_conn *c)
{
	struct timeval wt = { ad->cfg.follower_timeout, 0 };

	bufferevent_set_timeouts(c->bev, NULL, &wt);
}

char *
ctl_render(int r, struct json_object *reply, struct sbuf *warn,
    const struct aerr *e)
{
	struct json_object *o = r < 0 ? json_object_new_object() : reply;
	char *s;

	if (r < 0) {
		json_object_object_add(o, "ok", json_object_new_boolean(0));
		json_object_object_add(o, "error",
		    json_object_new_string(aerr_msg(e)));
		json_object_object_add(o, "errno",
		    json_object_new_int(e->errnum));
	} else {
		json_object_object_add(reply, "ok", json_object_new_boolean(1));
		if (warn != NULL && warn->len > 0) {
			struct json_object *w = json_object_new_array();
			char *p = warn->s, *nl;

			while ((nl = strchr(p, '\n')) != NULL) {
				*nl = '\0';
				json_object_array_add(w, json_object_new_string(p));
				p = nl + 1;
			}
			json_object_object_add(reply, "warnings", w);
		}
	}
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	if (r < 0)
		json_object_put(o);
	return s;
}

static void
send_error(struct ctl_conn *c, uint32_t seq, const struct aerr *e)
{
	_cleanup_free_ char *s = ctl_render(-1, NULL, NULL, e);

	conn_write(c, MSG_REPLY, seq, s, strlen(s));
}

void
ctl_reply(struct ctl_conn *c, uint32_t seq, const char *json, size_t len)
{
	conn_write(c, MSG_REPLY, seq, json, len);
}

void
ctl_hold(struct ctl_conn *c, void (*gone)(struct ctl_conn *))
{
	c->held = true;
	c->held_gone = gone;
	bufferevent_disable(c->bev, EV_READ);
}

static void on_read(struct bufferevent *, void *);

void
ctl_release(struct ctl_conn *c)
{
	c->held = false;
	if (c->closing || c->paused)
		return;		/* on_write() reads on */
	bufferevent_enable(c->bev, EV_READ);
	on_read(c->bev, c);	/* the requests already read */
}

static void
handle(struct ctl_conn *c, uint32_t seq, const char *payload, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct json_object *req, *reply, *cmd;
	struct sbuf warn = SBUF_INIT;
	struct aerr err = { 0 };
	char *s;
	int r;

	req = json_tokener_parse_ex(tok, payload, (int)len);
	if (req == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(req, json_type_object)) {
		aerr_set(&err, EPROTO, "malformed request: not one JSON object");
		send_error(c, seq, &err);
		json_object_put(req);
		json_tokener_free(tok);
		return;
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(req, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		aerr_set(&err, EPROTO, "malformed request: no \"cmd\"");
		send_error(c, seq, &err);
		json_object_put(req);
		return;
	}
	if (c->ro && !ctl_is_readonly(json_object_get_string(cmd))) {
		aerr_set(&err, EPERM, "'%s' is not allowed on the read-only "
		    "socket (use the control socket, as root)",
		    json_object_get_string(cmd));
		send_error(c, seq, &err);
		json_object_put(req);
		return;
	}
	reply = json_object_new_object();
	/* the read-only socket's server answers, forwards or dispatches */
	r = c->ro ? rsock_request(c, seq, req, reply, &err) : RSOCK_DISPATCH;
	if (r == RSOCK_FORWARDED) {
		json_object_put(reply);
		json_object_put(req);
		return;
	}
	if (r == RSOCK_DISPATCH) {
		ct_reply_pending();
		c->seq = seq;
		r = ctl_dispatch(c, req, reply, &warn, &err);
	}
	if (r == CTL_DEFERRED) {	/* the handler answers later */
		ct_reply_sent();
		json_object_put(reply);
		json_object_put(req);
		ct_params_gc();
		return;
	}
	s = ctl_render(r, reply, &warn, &err);
	conn_reply_now(c, seq, s, strlen(s));
	ct_reply_sent();
	free(s);
	sbuf_free(&warn);
	json_object_put(reply);
	json_object_put(req);
	ct_params_gc();	/* texts no container holds (params.h) */
}

/* Handle the requests read so far, while the client reads its replies:
 * above CTL_OUT_PAUSE unsent, stop reading it until on_write(). */
static void
on_read(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (!c->closing && !c->held) {
		uint8_t raw[ACCT_HDR_LEN];
		struct acct_hdr h;
		struct aerr err = { 0 };
		char *payload;

		if (out_len(c) > CTL_OUT_PAUSE) {
			c->paused = true;
			bufferevent_disable(bev, EV_READ);
			return;
		}
		if (evbuffer_get_length(in) < ACCT_HDR_LEN)
			return;
		evbuffer_copyout(in, raw, sizeof(raw));
		if (proto_hdr_decode(raw, &h, &err) < 0 ||
		    h.type != MSG_REQUEST) {
			if (err.errnum == 0)
				aerr_set(&err, EPROTO, "expected a request frame");
			log_debug("control: %s; closing", err.msg);
			send_error(c, 0, &err);
			c->closing = true;
			bufferevent_disable(bev, EV_READ);
			return;
		}
		if (evbuffer_get_length(in) < ACCT_HDR_LEN + (size_t)h.len)
			return;
		evbuffer_drain(in, ACCT_HDR_LEN);
		payload = xmalloc(h.len + 1u);
		evbuffer_remove(in, payload, h.len);
		payload[h.len] = '\0';
		handle(c, h.seq, payload, h.len);
		free(payload);
	}
}

/* Called when the output has drained to CTL_OUT_RESUME (the write low
 * watermark) or below. */
static void
on_write(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->closing) {
		if (out_len(c) == 0)
			conn_free(c);
		return;
	}
	if (c->paused) {
		c->paused = false;
		if (c->held)
			return;		/* ctl_release() reads on */
		bufferevent_enable(bev, EV_READ);
		on_read(bev, c);	/* the requests already read */
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	(void)bev;
	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_WRITING))
		log_limited(&rl_dropped, "control: client pid %d (uid %d) "
		    "left %zu bytes unread for %u s; closing its connection",
		    (int)c->pid, (int)c->uid, out_len(c),
		    ad->cfg.follower_timeout);
	conn_free(c);		/* EOF, error or timeout */
}

/* An error frame to a client refused at accept, without waiting: the
 * socket is new, so the frame fits in its buffer. */
static void
refuse(int fd, uid_t uid, pid_t pid, bool ro, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	uint8_t hdr[ACCT_HDR_LEN];
	char msg[256];
	const char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "errno", json_object_new_int(EAGAIN));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	proto_hdr_encode(hdr, MSG_REPLY, (uint32_t)strlen(s), 0);
	if (send(fd, hdr, sizeof(hdr), MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)sizeof(hdr))
		(void)send(fd, s, strlen(s), MSG_DONTWAIT | MSG_NOSIGNAL);
	json_object_put(o);
	close(fd);
	log_limited(&rl_refused, "control: refused a connection on the %s "
	    "socket from uid %d (pid %d): %s", ro ? "read-only" : "control",
	    (int)uid, (int)pid, msg);
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t cl = sizeof(cred);
	struct ctl_conn *c;
	struct timeval idle = { CTL_IDLE_SEC, 0 };
	struct timeval wt = { ad->cfg.follower_timeout, 0 };
	bool ro = arg != NULL;
	unsigned max = ad->cfg.max_connections, mine = 0;
	unsigned n = ro ? nconns_ro : nconns_rw;

	(void)lis;
	(void)sa;
	(void)salen;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
		cred.uid = (uid_t)-1;	/* counted as one more user */
	for (c = conns; c != NULL; c = c->next)
		if (c->ro == ro && c->uid == cred.uid)
			mine++;
	if (n >= max) {
		refuse(fd, cred.uid, cred.pid, ro, "accountd has all its %u "
		    "connections on this socket in use", max);
		return;
	}
	if (cred.uid != 0 && !ro && n >= max - CTL_ROOT_SLOTS) {
		refuse(fd, cred.uid, cred.pid, ro, "the last %u connections of "
		    "the control socket are kept for root", CTL_ROOT_SLOTS);
		return;
	}
	if (cred.uid != 0 && mine >= ad->cfg.max_connections_per_uid) {
		refuse(fd, cred.uid, cred.pid, ro, "uid %d already has %u "
		    "connections to accountd (max_connections_per_uid)",
		    (int)cred.uid, mine);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ro = ro;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->bev = bufferevent_socket_new(ad->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_set_timeouts(c->bev, &idle, &wt);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    ACCT_HDR_LEN + ACCT_REQUEST_MAX + 1);
	bufferevent_setwatermark(c->bev, EV_WRITE, CTL_OUT_RESUME, 0);
	/*
	 * Reading only: writing is enabled by the first frame that has to
	 * wait (conn_write).  Enabled here, an empty output cost each
	 * connection two epoll_ctl and a turn of the loop before its
	 * request was read (4 of a set's system calls).
	 */
	bufferevent_enable(c->bev, EV_READ);
	c->next = conns;
	conns = c;
	if (ro)
		nconns_ro++;
	else
		nconns_rw++;
}

/*
 * accept() failing (EMFILE, ENFILE) leaves the listening socket readable
 * and the loop would spin on it: stop listening for 100 ms instead.
 */
static struct event *resume_ev;

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (lis_rw)
		evconnlistener_enable(lis_rw);
	if (lis_ro)
		evconnlistener_enable(lis_ro);
}

static void
on_accept_error(struct evconnlistener *lis, void *arg)
{
	static time_t warned;
	struct timeval tv = { 0, 100000 };
	int e = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (time(NULL) - warned >= 60) {
		log_warn("control: cannot accept a connection: %s; pausing",
		    evutil_socket_error_to_string(e));
		warned = time(NULL);
	}
	evconnlistener_disable(lis);
	if (resume_ev == NULL)
		resume_ev = evtimer_new(ad->base, on_resume, NULL);
	evtimer_add(resume_ev, &tv);
}

/* A bound, listening socket at path, or -1. */
static int
bind_on(const char *path, mode_t mode, const char *group)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, 64) < 0) {
		log_err("cannot bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (group != NULL && *group != '\0') {
		struct group *g = getgrnam(group);

		if (g == NULL || chown(path, 0, g->gr_gid) < 0)
			log_warn("socket_group %s: %s", group,
			    g ? strerror(errno) : "no such group");
	}
	return fd;
}

static struct evconnlistener *
serve(int fd, bool ro)
{
	struct evconnlistener *l;

	l = evconnlistener_new(ad->base, on_accept, ro ? (void *)1 : NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (l == NULL) {
		log_err("cannot listen on fd %d", fd);
		close(fd);
		return NULL;
	}
	evconnlistener_set_error_cb(l, on_accept_error);
	return l;
}

int
control_init(void)
{
	const char *grp = ad->cfg.socket_group;
	int fd;

	fd = bind_on(ad->cfg.socket, grp && *grp ? 0660 : 0600, grp);
	if (fd < 0 || (lis_rw = serve(fd, false)) == NULL)
		return -1;
	/* bound by root, served by accountd --rsock (rsock.c) */
	ro_fd = bind_on(ad->cfg.ro_socket, 0666, NULL);
	return ro_fd < 0 ? -1 : 0;
}

int
control_ro_fd(void)
{
	return ro_fd;
}

int
control_serve_ro(int fd)
{
	lis_ro = serve(fd, true);
	return lis_ro != NULL ? 0 : -1;
}

void
control_close(void)
{
	if (lis_rw) {
		evconnlistener_free(lis_rw);
		unlink(ad->cfg.socket);
	}
	if (lis_ro)
		evconnlistener_free(lis_ro);
	if (ro_fd >= 0) {
		close(ro_fd);
		unlink(ad->cfg.ro_socket);
	}
	ro_fd = -1;
	if (resume_ev)
		event_free(resume_ev);
	resume_ev = NULL;
	if (rl_refused.flush)
		event_free(rl_refused.flush);
	if (rl_dropped.flush)
		event_free(rl_dropped.flush);
	rl_refused.flush = rl_dropped.flush = NULL;
	lis_rw = lis_ro = NULL;
}
