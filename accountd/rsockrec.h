/* SPDX-License-Identifier: ISC */
/*
 * The record `accountd --rsock` (the unprivileged server of the read-only
 * socket) sends root for a request it cannot answer alone: a fixed-size,
 * pre-parsed record (kind, container names checked against the name rule,
 * flags as bits, plan's parameters parsed), never a client's bytes.  Root
 * decodes it with rsockrec_decode() (pure; fuzzed: tests/fuzz/fuzz-rsockrec.c)
 * and answers with a struct rsock_reply header and that many bytes of the
 * reply's JSON, as it would be sent to the client.
 */
#ifndef ACCT_RSOCKREC_H
#define ACCT_RSOCKREC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "params.h"

#define RSOCK_MAGIC	0x4b534f52u	/* "RSOK" */
#define RSOCK_VERSION	2		/* 2: struct pval packed */
#define RSOCK_NAME_MAX	64		/* CT_NAME_MAX */
#define RSOCK_CTS	64		/* names of one ubc request */
#define RSOCK_REPLY_MAX	(64u << 20)	/* one reply's JSON, at most */

enum rsock_kind {
	RQ_HELLO = 1,
	RQ_LIST,
	RQ_SHOW,
	RQ_PLAN,
	RQ_UBC,
	RQ_MEMINFO,
	RQ_QUOTA,
	RQ_KIND_END
};

#define RQF_TABLE	0x1u		/* quota: "table": true */
#define RQF_PARAMS	0x2u		/* plan: params holds changes */
#define RQF_CTS		0x4u		/* ubc: only the containers named */

/* plan's changes as sent: a struct ct_params with its list and path
 * values as text (in a process, they point to its interned texts) */
struct rsock_params {
	struct pval	v[P_COUNT];
	char		cpumask[LIST_MAX];
	char		nodemask[LIST_MAX];
	char		iodevices[LIST_MAX];
	char		private_dir[LIST_MAX];
};

struct rsock_req {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	kind;		/* enum rsock_kind */
	uint32_t	id;		/* the helper's; echoed in the reply */
	uint32_t	flags;		/* RQF_* */
	int32_t		uid;		/* the client's (SO_PEERCRED), for */
	int32_t		pid;		/* the log only */
	uint32_t	nct;		/* names used in ct[] */
	char		ct[RSOCK_CTS][RSOCK_NAME_MAX];
	struct rsock_params params;	/* plan: the changes (RQF_PARAMS) */
};

struct rsock_reply {
	uint32_t	id;
	uint32_t	len;		/* JSON bytes that follow */
};

/* The request's kind for a command's name, 0 for none. */
enum rsock_kind rsock_kind_of(const char *cmd);
const char	*rsock_kind_name(enum rsock_kind);

/*
 * Check a record read from the helper: its size, magic, version and kind,
 * only the flags of that kind, as many names as the kind takes, each
 * terminated and following the name rule, unused names and parameter
 * strings terminated; plan's parameters each set to a value that
 * formats and parses back to itself (the same row, range and text).
 * 0 and *out filled, or -EPROTO with a message.
 */
int	rsockrec_decode(const void *buf, size_t len, struct rsock_req *out,
	    struct aerr *);
/* Between the record's form and a ct_params (its texts interned); the
 * record's texts are terminated (rsockrec_decode() checked). */
void	rsock_params_put(struct rsock_params *, const struct ct_params *);
void	rsock_params_get(const struct rsock_params *, struct ct_params *);

#endif
