/* SPDX-License-Identifier: ISC */
/*
 * The control protocol between acctctl (and other clients) and accountd.
 *
 * A stream of frames on a unix socket.  Every frame starts with a 16-byte
 * header in network byte order:
 *
 *	 0       4        6      8        12       16
 *	+-------+--------+------+--------+--------+---------------+
 *	| magic |version | type | length |  seq   | payload ...   |
 *	+-------+--------+------+--------+--------+---------------+
 *
 * magic is "ACTD", version is ACCT_PROTO_VERSION and is checked on every
 * frame, length is the payload size and is checked against a per-type
 * limit before anything is read.  The payload is one JSON object (UTF-8,
 * no terminating NUL):
 *
 *	request	{"cmd": "set", "ct": "101", ...}
 *	reply	{"ok": true, ...} or {"ok": false, "error": "...", "errno": N}
 *	event	{"type": "failcnt", ...}  (streams: acctctl events -f)
 *	end	{}  ends a stream
 *
 * Bump ACCT_PROTO_VERSION if the header or the meaning of any field
 * changes.
 */
#ifndef ACCT_PROTO_H
#define ACCT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ACCT_PROTO_MAGIC	0x41435444u	/* "ACTD" */
#define ACCT_PROTO_VERSION	1
#define ACCT_HDR_LEN		16
#define ACCT_REQUEST_MAX	(256u * 1024)		/* a request */
#define ACCT_REPLY_MAX		(64u * 1024 * 1024)	/* a reply or event */

enum acct_msg_type {
	MSG_REQUEST = 1,
	MSG_REPLY = 2,
	MSG_EVENT = 3,
	MSG_END = 4,
};

struct acct_hdr {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;
	uint32_t	len;
	uint32_t	seq;
};

void	proto_hdr_encode(uint8_t out[ACCT_HDR_LEN], uint16_t type,
	    uint32_t len, uint32_t seq);
int	proto_hdr_decode(const uint8_t in[ACCT_HDR_LEN], struct acct_hdr *,
	    struct aerr *);
uint32_t proto_max_len(uint16_t type);

/* Blocking helpers for clients.  Return 0 or -errno (err filled). */
int	proto_send(int fd, uint16_t type, uint32_t seq, const char *payload,
	    size_t len, struct aerr *);
/* Reads one frame; *payload is NUL-terminated and owned by the caller. */
int	proto_recv(int fd, struct acct_hdr *, char **payload, int timeout_ms,
	    struct aerr *);

#endif
