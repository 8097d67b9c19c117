/* SPDX-License-Identifier: ISC */
/*
 * Control socket server: accepts connections on the two sockets, reads
 * frames (checking magic, version, type and length before reading the
 * payload), parses the JSON request with a depth limit and hands it to
 * ctl.c.  A malformed frame gets an error reply and the connection is
 * closed; nothing a client sends can stop the loop.
 */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "control.h"
#include "log.h"
#include "proto.h"
#include "xalloc.h"

#define CTL_MAX_CONNS	256
#define CTL_IDLE_SEC	120

static struct evconnlistener *lis_rw, *lis_ro;
static int nconns;

static void
conn_free(struct ctl_conn *c)
{
	if (c->stream_free != NULL)
		c->stream_free(c);
	bufferevent_free(c->bev);
	free(c);
	nconns--;
}

#define CTL_STREAM_BACKLOG	(4u << 20)	/* a follower that stops reading */

void
ctl_send(struct ctl_conn *c, int type, const char *json, size_t len)
{
	uint8_t hdr[ACCT_HDR_LEN];

	if (c->closing)
		return;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
	    CTL_STREAM_BACKLOG) {
		/* it does not read: cut it off rather than hold its backlog */
		log_warn("control: client pid %d does not read its event "
		    "stream; closing it", (int)c->pid);
		c->closing = true;
		shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
		return;
	}
	proto_hdr_encode(hdr, (uint16_t)type, (uint32_t)len, 0);
	bufferevent_write(c->bev, hdr, sizeof(hdr));
	bufferevent_write(c->bev, json, len);
}

static void
send_error(struct ctl_conn *c, uint32_t seq, const struct aerr *e)
{
	struct json_object *o = json_object_new_object();
	const char *s;
	uint8_t hdr[ACCT_HDR_LEN];

	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(aerr_msg(e)));
	json_object_object_add(o, "errno", json_object_new_int(e->errnum));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	proto_hdr_encode(hdr, MSG_REPLY, (uint32_t)strlen(s), seq);
	bufferevent_write(c->bev, hdr, sizeof(hdr));
	bufferevent_write(c->bev, s, strlen(s));
	json_object_put(o);
}

static void
handle(struct ctl_conn *c, uint32_t seq, const char *payload, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct json_object *req, *reply, *cmd;
	struct sbuf warn = SBUF_INIT;
	struct aerr err = { 0 };
	uint8_t hdr[ACCT_HDR_LEN];
	const char *s;

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
	if (ctl_dispatch(c, req, reply, &warn, &err) < 0) {
		send_error(c, seq, &err);
	} else {
		json_object_object_add(reply, "ok", json_object_new_boolean(1));
		if (warn.len > 0) {
			struct json_object *w = json_object_new_array();
			char *p = warn.s, *nl;

			while ((nl = strchr(p, '\n')) != NULL) {
				*nl = '\0';
				json_object_array_add(w, json_object_new_string(p));
				p = nl + 1;
			}
			json_object_object_add(reply, "warnings", w);
		}
		s = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
		proto_hdr_encode(hdr, MSG_REPLY, (uint32_t)strlen(s), seq);
		bufferevent_write(c->bev, hdr, sizeof(hdr));
		bufferevent_write(c->bev, s, strlen(s));
	}
	sbuf_free(&warn);
	json_object_put(reply);
	json_object_put(req);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (!c->closing) {
		uint8_t raw[ACCT_HDR_LEN];
		struct acct_hdr h;
		struct aerr err = { 0 };
		char *payload;

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

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	conn_free(arg);		/* EOF, error or idle timeout */
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct ctl_conn *c;
	struct timeval idle = { CTL_IDLE_SEC, 0 };

	(void)lis;
	(void)sa;
	(void)salen;
	if (nconns >= CTL_MAX_CONNS) {
		log_warn("control: too many connections; refusing one");
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ro = arg != NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
		c->uid = cred.uid;
		c->pid = cred.pid;
	} else {
		c->uid = (uid_t)-1;
	}
	c->bev = bufferevent_socket_new(ad->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_set_timeouts(c->bev, &idle, NULL);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    ACCT_HDR_LEN + ACCT_REQUEST_MAX + 1);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	nconns++;
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

static struct evconnlistener *
listen_on(const char *path, mode_t mode, const char *group, bool ro)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct evconnlistener *l;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_err("socket: %s", strerror(errno));
		return NULL;
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, mode) < 0) {
		log_err("cannot bind %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (group != NULL && *group != '\0') {
		struct group *g = getgrnam(group);

		if (g == NULL || chown(path, 0, g->gr_gid) < 0)
			log_warn("socket_group %s: %s", group,
			    g ? strerror(errno) : "no such group");
	}
	l = evconnlistener_new(ad->base, on_accept, ro ? (void *)1 : NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 64, fd);
	if (l == NULL) {
		log_err("cannot listen on %s", path);
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

	lis_rw = listen_on(ad->cfg.socket, grp && *grp ? 0660 : 0600, grp,
	    false);
	if (lis_rw == NULL)
		return -1;
	lis_ro = listen_on(ad->cfg.ro_socket, 0666, NULL, true);
	if (lis_ro == NULL)
		return -1;
	return 0;
}

void
control_close(void)
{
	if (lis_rw) {
		evconnlistener_free(lis_rw);
		unlink(ad->cfg.socket);
	}
	if (lis_ro) {
		evconnlistener_free(lis_ro);
		unlink(ad->cfg.ro_socket);
	}
	if (resume_ev)
		event_free(resume_ev);
	resume_ev = NULL;
	lis_rw = lis_ro = NULL;
}
