/* SPDX-License-Identifier: ISC */
/*
 * Alerts: what happens when a container hits a limit (a failcnt grows),
 * or a limit is changed by someone else (drift).  Each failcnt increase,
 * and each new drifted value, becomes one event, delivered at once to:
 *   - the log, as one key=value line;
 *   - the event history (memory, and state_dir/events.log as JSON lines),
 *     and every `acctctl events -f` client that follows;
 *   - the hook program (alert_hook), run directly (no shell) with the
 *     facts in its environment, with a timeout and, for failcnt, at most
 *     one run per container and resource per alert_hook_interval;
 *   - an Alertmanager (alertmanager_url, API v2), posted by a child
 *     process that runs without root.
 */
#ifndef ACCT_ALERT_H
#define ACCT_ALERT_H

#include <stdint.h>

#include <json-c/json.h>

#include "ubc.h"

struct container;
struct ctl_conn;

int	alert_init(void);
void	alert_close(void);
void	alert_failcnt(struct container *, enum ub_res, uint64_t delta);
void	alert_forget(struct container *);	/* its rate limits */
/* A disk quota failcnt (accountd/quota.c): resource diskspace or
 * diskinodes; log, history, followers and events.log. */
void	alert_quota(struct container *, const char *resource,
	    uint64_t failcnt, uint64_t delta, uint64_t held, uint64_t soft,
	    uint64_t hard, const char *unit);
/* A limit file written by someone else (drift.c); action is "reported",
 * "restored" or "restore-failed" (with error). */
void	alert_drift(struct container *, const char *param, const char *files,
	    const char *kernel, const char *configured, const char *action,
	    const char *error);
/* The last `max` events (for ct, or all when NULL), oldest first. */
struct json_object *alert_history(const char *ct, size_t max);
/* Every event of the history, oldest first, to rsock_feed() (as text:
 * a whole history parsed at once is ~3 MiB of json-c objects). */
void	alert_history_feed(void);
/* Send every later event (for ct, or all) to this connection. */
void	alert_follow(struct ctl_conn *, const char *ct);
/* An event made elsewhere (accountd --rsock: from root's feed) into the
 * history and to the followers it matches. */
void	alert_relay(struct json_object *ev);
/* `accountd --notifier ...`: the Alertmanager notifier, exec'd as
 * notify_user; the alerts come on fd 3. */
int	alert_notifier_main(int, char **);

#endif
