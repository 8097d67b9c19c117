/* SPDX-License-Identifier: ISC */
/*
 * acctctl: the command-line client of accountd.  One file per command
 * (cmd-NAME.c) defines a struct cmd_entry; acctctl.c lists them in one
 * table.  Commands that read accept -j for JSON.
 *
 * Exit codes (acctctl(8)):
 */
#ifndef ACCT_ACCTCTL_H
#define ACCT_ACCTCTL_H

#include <stdbool.h>

#include <json-c/json.h>

#include "err.h"

enum {
	EX_OK = 0,
	EX_FAIL = 1,		/* the request failed (kernel, save, ...) */
	EX_USAGE = 2,		/* bad command line, parameter or value */
	EX_NOCT = 3,		/* no such container */
	EX_NOTRUNNING = 4,	/* the container is not running */
	EX_NODAEMON = 5,	/* accountd cannot be reached */
	EX_PERM = 6,		/* not allowed */
	EX_NUMPROC = 7,		/* exec/attach: the container is at numproc */
};

#define CMD_READONLY	0x01	/* works on the read-only socket */

struct cmd_entry {
	const char	*name;
	const char	*args;		/* usage after the command name */
	const char	*summary;
	int		(*exec)(int argc, char **argv);
	unsigned	 flags;
};

extern const char *opt_socket;	/* -s */
extern bool opt_json;		/* -j */

/* client.c */
int	client_call(struct json_object *req, bool need_rw,
	    struct json_object **reply);
int	client_call_keep(struct json_object *req, bool need_rw,
	    struct json_object **reply, int *keep);
int	client_exit_code(int errnum);
struct json_object *client_req(const char *cmd, const char *ct);
const char *jstr(struct json_object *, const char *key);
uint64_t ju64(struct json_object *, const char *key);
bool	jbool(struct json_object *, const char *key);
void	print_json(struct json_object *);
/* promquery.c: an instant query's result vector (caller puts); the
 * URL check and the answer's parser on their own (tests/fuzz) */
int	prom_query(const char *url, const char *promql,
	    struct json_object **result, struct aerr *);
int	prom_url_check(const char *url, struct aerr *);
int	prom_answer(const char *buf, size_t len, const char *promql,
	    struct json_object **result, struct aerr *);
void	print_warnings(struct json_object *reply);

/* options.c: --name value options shared by set, create and plan */
int	parse_param_opts(const char *cmd, int *argc, char ***argv,
	    struct json_object *params, bool *any);
int	usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
const struct cmd_entry *cmd_find(const char *name);

/* acctctl graph's usage, shared by acctctl and acctctl-graph */
#define GRAPH_ARGS	"CT [-r resource] [-p period] -o file.png"

#endif
