/* SPDX-License-Identifier: ISC */
/*
 * The read-only socket's server, `accountd --rsock` (rsock.c): an
 * unprivileged process that parses every byte of accountd.rsock's
 * clients, answers events from an event feed root writes to it, and
 * forwards what needs root's registry as a fixed record (rsockrec.h).
 */
#ifndef ACCT_RSOCK_H
#define ACCT_RSOCK_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

struct ctl_conn;

/* accountd --rsock: the helper's main. */
int	rsock_main(int argc, char **argv);

/* Root: start the helper (supervised) on control_ro_fd(); stop it. */
int	rsock_init(void);
void	rsock_close(void);
/* Root: one event line (JSON, no newline) for the helper's followers. */
void	rsock_feed(const char *line, size_t len);

/* The helper, from control.c: 0 when answered here (reply filled),
 * RSOCK_DISPATCH when ctl_dispatch() answers it here, RSOCK_FORWARDED when
 * it went to root (the connection is held until the reply), -errno (err
 * set) when it is refused. */
#define RSOCK_DISPATCH	1
#define RSOCK_FORWARDED	2
int	rsock_request(struct ctl_conn *, uint32_t seq, struct json_object *req,
	    struct json_object *reply, struct aerr *err);
/* The helper: c is closing; its forwarded request's reply goes nowhere. */
void	rsock_conn_gone(struct ctl_conn *);

#endif
