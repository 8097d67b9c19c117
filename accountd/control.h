/* SPDX-License-Identifier: ISC */
/*
 * The control sockets.  accountd.sock (0600, or 0660 with socket_group)
 * takes every request; accountd.rsock (0666) takes only the requests
 * marked read-only in ctl.c's table.  Framing and limits: lib/proto.h.
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
	void		*stream;	/* set by a handler that streams */
	void		(*stream_free)(struct ctl_conn *);
};

/* ctl.c: run one request.  Fills reply (an object) or err. */
int	ctl_dispatch(struct ctl_conn *, struct json_object *req,
	    struct json_object *reply, struct sbuf *warn, struct aerr *err);
bool	ctl_is_readonly(const char *cmd);

/* Send a frame on a connection (events of a stream). */
void	ctl_send(struct ctl_conn *, int type, const char *json, size_t len);

#endif
