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
#include <stdio.h>

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

/*
 * A command declares its options as data (tmux's args template): every
 * spelling, whether it takes a value, one help line.  One parser (args.c)
 * reads argv against it and prints --help from it, so the help, the
 * parser and acctctl.8's check (docs/check-docs-sync.sh) see one list.
 */
struct cmd_opt {
	const char	*names;		/* "-a --all": every spelling */
	const char	*value;		/* NULL: a flag; else the value's name */
	const char	*help;
};

#define CMD_PARAMS	0x01	/* takes the parameters' --NAME VALUE */
#define CMD_REST	0x02	/* options end at the first positional (exec) */

struct cmd_entry;

/* What args_parse found: per option of the spec its value ("" for a flag
 * given, NULL if absent; the last one given wins), the positional
 * arguments in order, and the parameters' --NAME VALUE as JSON. */
struct cmd_args {
	const struct cmd_entry	*cmd;
	const char		**val;
	char			**pos;
	int			 npos;
	int			 argc;		/* the command's own argv */
	char			**argv;
	struct json_object	*params;	/* CMD_PARAMS: NAME -> value */
};

struct cmd_entry {
	const char	*name;
	const char	*args;		/* the positional arguments, for usage */
	const char	*summary;
	int		(*exec)(struct cmd_args *);
	unsigned	 flags;
	const struct cmd_opt *opts;	/* ends with { NULL } */
	int		 maxpos;	/* positional arguments at most; -1 any */
};

extern const struct cmd_opt json_opts[];	/* -j alone */

#define ARGS_HELP	(-1)	/* args_parse: -h or --help was given */

/* args.c */
int	args_parse(const struct cmd_entry *, int argc, char **argv,
	    struct cmd_args *);
bool	args_has(const struct cmd_args *, const char *name);
const char *args_get(const struct cmd_args *, const char *name);
int	args_all(const struct cmd_args *, const char *name, const char **out,
	    int max);
void	args_free(struct cmd_args *);
bool	args_known(const struct cmd_entry *, const char *name);
void	args_synopsis(const struct cmd_entry *, FILE *);
void	args_help(const struct cmd_entry *, FILE *);

/* graph-opts.c: acctctl graph's options, shared with acctctl-graph */
extern const struct cmd_opt graph_opts[];
#define GRAPH_ARGS	"CT"
#define GRAPH_SUMMARY	"a PNG of use against barrier and limit from the RRD " \
	"archive"

/* bill-opts.c: acctctl bill's options, shared with acctctl-bill */
extern const struct cmd_opt bill_opts[];
#define BILL_ARGS	""
#define BILL_SUMMARY	"usage and charges from the billing ledger"

/* cmd-graph.c: run acctctl's helper program NAME (acctctl-graph,
 * acctctl-bill) with argv; returns only if it could not be run */
int	helper_exec(const char *name, char **argv);

extern const char *opt_socket;	/* -s */
extern bool opt_json;		/* -j */

/* client.c */
int	client_call(struct json_object *req, struct json_object **reply);
int	client_call_keep(struct json_object *req, struct json_object **reply,
	    int *keep);
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

/* options.c: one --NAME VALUE of set, create and plan, checked */
int	param_opt_add(const char *cmd, const char *name, const char *val,
	    struct json_object *params);
int	usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
const struct cmd_entry *cmd_find(const char *name);

#endif
