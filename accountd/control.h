/* SPDX-License-Identifier: ISC */
/*
 * The control sockets.  accountd.sock (0600, or 0660 with socket_group)
 * takes every request; accountd.rsock (0666) takes only the requests
 * marked read-only in ctl.c's table, and is served by accountd --rsock
 * (rsock.c), not by root.  Framing and limits: lib/proto.h; connection
 * limits, output bounds and timeouts: control.c.
 */
#ifndef ACCT_CONTROL_H
#define ACCT_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "err.h"
#include "params.h"
#include "sbuf.h"

struct ctl_conn {
	struct bufferevent *bev;
	bool		 ro;		/* came in on the read-only socket */
	uid_t		 uid;		/* SO_PEERCRED */
	pid_t		 pid;
	bool		 closing;	/* close once the output is flushed */
	bool		 paused;	/* not reading: its output is unread */
	bool		 held;		/* not reading: a request forwarded
					 * to root is unanswered (rsock.c) */
	struct ctl_conn	*next;		/* all connections, for the limits */
	void		(*held_gone)(struct ctl_conn *); /* closed while held */
	uint32_t	 seq;		/* the request being handled */
	void		*stream;	/* set by a handler that streams */
	void		(*stream_free)(struct ctl_conn *);
};

/* ctl.c: run one request.  Fills reply (an object) or err. */
int	ctl_dispatch(struct ctl_conn *, struct json_object *req,
	    struct json_object *reply, struct sbuf *warn, struct aerr *err);
bool	ctl_is_readonly(const char *cmd);
bool	ctl_known(const char *cmd);		/* in ctl.c's table */
/* ctl.c: the request fields as every handler reads them (the helper of
 * the read-only socket reads them so too, before forwarding) */
const char *req_str(struct json_object *req, const char *key);
int	req_name(struct json_object *req, const char **out, struct aerr *err);
int	req_bool(struct json_object *req, const char *key, bool *out,
	    struct aerr *err);
int	req_params(struct json_object *req, struct ct_params *chg,
	    struct aerr *err);
struct rsock_req;
/* ctl.c: run a request the read-only socket's helper forwarded (checked
 * by rsockrec_decode()); returns the reply's JSON (caller frees). */
char	*ctl_forwarded(const struct rsock_req *);
struct snap_ct;
/* ctl.c: one container of a ubc reply, from its figures as the snapshot
 * holds them (root fills one from the registry; the read-only socket's
 * server reads the snapshot): THE renderer of ubc rows and quota rows. */
struct json_object *ctl_ubc_json(const struct snap_ct *);

/* The reply's JSON for a handler's result r: reply with "ok" (and
 * "warnings"), or the error (caller frees). */
char	*ctl_render(int r, struct json_object *reply, struct sbuf *warn,
	    const struct aerr *err);
/*
 * A request answered later (rsock.c's forwarding, ctl.c's create): the
 * handler holds the connection (no further request is read until
 * ctl_release()) and returns CTL_DEFERRED; the reply goes with
 * ctl_reply(), for the request's c->seq.  GONE is called if the
 * connection closes while held.
 */
#define CTL_DEFERRED	3
void	ctl_reply(struct ctl_conn *, uint32_t seq, const char *json,
	    size_t len);
void	ctl_hold(struct ctl_conn *, void (*gone)(struct ctl_conn *));
void	ctl_release(struct ctl_conn *);
/* ct_params_gc(): marks the texts of creates being saved (ctl.c) */
void	ctl_creating_mark(void);
/* a destroy of container NAME is being made (ctl.c): it is not started */
bool	ctl_destroying(const char *name);

/* Root: make and bind both sockets, serve accountd.sock; the bound
 * accountd.rsock is control_ro_fd(), for accountd --rsock. */
int	control_ro_fd(void);
/* accountd --rsock: serve the read-only socket on fd. */
int	control_serve_ro(int fd);

/* Send a frame on a connection (events of a stream).  A connection whose
 * unsent output is already over the bound is dropped instead. */
void	ctl_send(struct ctl_conn *, int type, const char *json, size_t len);
/* The connection now streams: no idle timeout on reading, but its output
 * must still be read (follower_timeout). */
void	ctl_streaming(struct ctl_conn *);

#endif
