/* SPDX-License-Identifier: ISC */
/*
 * The HTTP exporter's connections, bounded in number and in time.
 *
 * evhttp's timeout (evhttp_set_timeout) is an idle timer per read: a
 * client sending one header line every 20 s keeps a connection for ever.
 * Here each connection has a deadline instead: its request must arrive
 * whole within `deadline` seconds of the connection (or of its previous
 * request), and its answer be sent within `deadline` seconds of the
 * request; past it the connection is closed.  At most `max` connections
 * are served at once; one more gets a 503 and is closed, and refusals are
 * logged at most once a minute with their count.
 */
#include "config.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "expo.h"
#include "log.h"
#include "xalloc.h"

static struct {
	unsigned	 max, deadline_s;
	struct event	*sweep;
	uint64_t	 refused, refused_logged;
	double		 refused_log_ms;
} H;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * libevent 2.1 has one hook per connection, the bufferevent callback
 * (evhttp_set_bevcb).  Each connection's bufferevent is made there and
 * kept with a reference of ours, so a sweep can tell when evhttp freed
 * it (its callbacks and their argument cleared) and otherwise find the
 * connection (that argument) to close when its deadline passed.  Made
 * without BEV_OPT_CLOSE_ON_FREE: evhttp then closes the socket itself
 * when it frees the connection, our reference does not hold it open.
 */
struct conn {
	struct bufferevent *bev;
	double		 deadline;	/* monotonic ms */
};
static struct conn *conns;
static size_t nconns;

static struct evhttp_connection *
conn_evcon(struct bufferevent *bev)
{
	void *arg = NULL;

	bufferevent_getcb(bev, NULL, NULL, NULL, &arg);
	return arg;
}

/* Forget the connections evhttp freed; close those past their deadline
 * when `expire`. */
static void
conns_sweep(bool expire)
{
	double now = now_ms();
	size_t k = 0;

	for (size_t i = 0; i < nconns; i++) {
		struct evhttp_connection *evcon = conn_evcon(conns[i].bev);

		if (evcon != NULL && expire && now >= conns[i].deadline) {
			log_debug("a connection past its %u s deadline closed",
			    H.deadline_s);
			evhttp_connection_free(evcon);
			evcon = NULL;
		}
		if (evcon == NULL) {
			bufferevent_decref(conns[i].bev);
			continue;
		}
		conns[k++] = conns[i];
	}
	nconns = k;
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	conns_sweep(true);
}

/* One connection past the cap: a 503, then closed. */
static void
refuse(evutil_socket_t fd, short what, void *arg)
{
	struct bufferevent *bev = arg;
	struct evhttp_connection *evcon = conn_evcon(bev);
	char body[96], msg[320];
	int n;
	double now = now_ms();

	(void)fd;
	(void)what;
	if (evcon != NULL) {
		snprintf(body, sizeof(body), "too many connections (at most %u "
		    "at once), try again\n", H.max);
		n = snprintf(msg, sizeof(msg), "HTTP/1.1 503 Service Unavailable"
		    "\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\nRetry-After: "
		    "1\r\n\r\n%s", strlen(body), body);
		(void)!send(bufferevent_getfd(bev), msg, (size_t)n,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		evhttp_connection_free(evcon);
	}
	bufferevent_decref(bev);
	H.refused++;
	if (H.refused_log_ms == 0 || now - H.refused_log_ms >= 60000) {
		log_warn("%llu connection(s) refused: at most %u at once (-m)",
		    (unsigned long long)(H.refused - H.refused_logged),
		    H.max);
		H.refused_logged = H.refused;
		H.refused_log_ms = now;
	}
}

static struct bufferevent *
new_conn(struct event_base *base, void *arg)
{
	static const struct timeval now = { 0, 0 };
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);

	(void)arg;
	if (bev == NULL)
		return NULL;
	bufferevent_incref(bev);
	conns_sweep(false);	/* the count is of connections still open */
	if (nconns >= H.max) {
		/* evhttp finishes setting the connection up first */
		event_base_once(base, -1, EV_TIMEOUT, refuse, bev, &now);
		return bev;
	}
	conns = xreallocarray(conns, nconns + 1, sizeof(*conns));
	conns[nconns].bev = bev;
	conns[nconns].deadline = now_ms() + H.deadline_s * 1000.0;
	nconns++;
	return bev;
}

void
httpconn_renew(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;

	for (size_t i = 0; i < nconns; i++)
		if (conns[i].bev == bev)
			conns[i].deadline = now_ms() + H.deadline_s * 1000.0;
}

void
httpconn_init(struct event_base *base, struct evhttp *http, unsigned max,
    unsigned deadline_s)
{
	static const struct timeval second = { 1, 0 };

	H.max = max;
	H.deadline_s = deadline_s;
	evhttp_set_bevcb(http, new_conn, NULL);
	H.sweep = event_new(base, -1, EV_PERSIST, on_sweep, NULL);
	event_add(H.sweep, &second);
}

void
httpconn_stop(void)
{
	if (H.sweep != NULL)
		event_free(H.sweep);
	H.sweep = NULL;
}

void
httpconn_free(void)
{
	conns_sweep(false);	/* evhttp freed them all */
	free(conns);
	conns = NULL;
}
