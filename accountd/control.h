/* SPDX-License-Identifier: ISC */
/*
 * The control sockets.  accountd.sock (0600, or 0660 with socket_group)
 * takes every request; accountd.rsock (0666) takes only the requests
 * marked read-only in ctl.c's table.  Framing and limits: lib/proto.h;
 * connection limits, output bounds and timeouts: control.c.
 */
#ifndef ACCT_CONTROL_H
#define ACCT_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "err.h"
#include "sbuf.h"

struct ctl_conn {
	struct bufferevent *bev;
	bool		 ro;		/* came in on the read-only socket */
	uid_t		 uid;		/* SO_PEERCRED */
	pid_t		 pid;
	bool		 closing;	/* close once the output is flushed */
	bool		 paused;	/* not reading: its output is unread */
	struct ctl_conn	*next;		/* all connections, for the limits */
	void		*stream;	/* set by a handler that streams */
	void		(*stream_free)(struct ctl_conn *);
};

/* ctl.c: run one request.  Fills reply (an object) or err. */
int	ctl_dispatch(struct ctl_conn *, struct json_object *req,
	    struct json_object *reply, struct sbuf *warn, struct aerr *err);
bool	ctl_is_readonly(const char *cmd);

/* Send a frame on a connection (events of a stream).  A connection whose
 * unsent output is already over the bound is dropped instead. */
void	ctl_send(struct ctl_conn *, int type, const char *json, size_t len);
/* The connection now streams: no idle timeout on reading, but its output
 * must still be read (follower_timeout). */
void	ctl_streaming(struct ctl_conn *);

#endif
