/* SPDX-License-Identifier: ISC */
/*
 * What accountd-hook reads from the runtime, as pure functions (no I/O),
 * so that the unit tests and the fuzz target see exactly what the hook
 * does: the OCI state on stdin, a PARAM=VALUE limit (annotation or -p),
 * and the text of /proc/PID/cgroup.
 */
#ifndef ACCT_HOOKPARSE_H
#define ACCT_HOOKPARSE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "err.h"

#define HOOK_ANNOT_PREFIX	"org.openvz.accountd."
#define HOOK_NAME_MAX		64

struct hook_state {
	char	 name[HOOK_NAME_MAX + 1];  /* annotation ct, or the id */
	long	 pid;			/* 0: none */
	bool	 stopped;		/* status "stopped": the end */
	struct json_object *params;	/* {"ram": "1G", ...}, owned */
};

/*
 * Parse an OCI state.  The name is the annotation org.openvz.accountd.ct,
 * else the id (a 64-digit hex id shortened to 12 digits, as discover=
 * does); every other org.openvz.accountd.PARAM annotation is checked with
 * the parameter table's parser into st->params (with_params false: not
 * even looked at, for the end).  Returns 0 or -errno with err naming the
 * annotation; st->params is the caller's to free (hook_state_free) either
 * way.
 */
int	hook_oci_parse(const char *text, bool with_params,
	    struct hook_state *st, struct aerr *err);
void	hook_state_free(struct hook_state *);

/* PARAM=VALUE, checked, added to ps; `what` prefixes a refusal (such as
 * "annotation org.openvz.accountd.ram"). */
int	hook_param_add(struct json_object *ps, const char *what,
	    const char *name, const char *value, struct aerr *err);

/*
 * The cgroup path in the text of /proc/PID/cgroup: the v1 memory
 * controller's (accountd's primary hierarchy), else pids', else cpu's,
 * else the v2 "0::" line.  A malloc'ed string, or NULL with err set when
 * there is none or it is the root.
 */
char	*hook_cgroup_pick(const char *text, struct aerr *err);

#endif
