/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the control protocol framing (lib/proto.c): the 16-byte
 * header on the wire, what a receiver refuses (bad magic, version, type,
 * oversized length) and the blocking send/receive helpers over a
 * socketpair.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "xalloc.h"
#include "../tap.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A header built by hand, big-endian, as another client would. */
static void
raw_hdr(uint8_t out[ACCT_HDR_LEN], uint32_t magic, uint16_t version,
    uint16_t type, uint32_t len, uint32_t seq)
{
	put32(out, magic);
	put16(out + 4, version);
	put16(out + 6, type);
	put32(out + 8, len);
	put32(out + 12, seq);
}

static void
test_wire(void)
{
	uint8_t h[ACCT_HDR_LEN], want[ACCT_HDR_LEN];

	proto_hdr_encode(h, MSG_REPLY, 0x01020304, 0xa0b0c0d0);
	raw_hdr(want, 0x41435444, 1, 2, 0x01020304, 0xa0b0c0d0);
	ok(memcmp(h, want, sizeof(h)) == 0, "header on the wire: \"ACTD\", "
	    "version 1, type, length, seq, all big-endian");
	ok(memcmp(h, "ACTD", 4) == 0, "the magic reads ACTD");
	is_u64(ACCT_HDR_LEN, 16, "the header is 16 bytes");
}

static void
test_round_trip(void)
{
	static const uint16_t types[] = {
		MSG_REQUEST, MSG_REPLY, MSG_EVENT, MSG_END
	};
	static const uint32_t seqs[] = { 0, 1, 0x7fffffff, 0xffffffff };

	for (size_t t = 0; t < nitems(types); t++) {
		uint32_t max = proto_max_len(types[t]);
		uint32_t lens[] = { 0, 1, 2, max - 1, max };

		for (size_t l = 0; l < nitems(lens); l++)
			for (size_t s = 0; s < nitems(seqs); s++) {
				uint8_t h[ACCT_HDR_LEN];
				struct acct_hdr d;
				struct aerr err = { 0 };
				int r;

				memset(&d, 0xff, sizeof(d));
				proto_hdr_encode(h, types[t], lens[l], seqs[s]);
				r = proto_hdr_decode(h, &d, &err);
				if (!ok(r == 0 && d.magic == ACCT_PROTO_MAGIC &&
				    d.version == ACCT_PROTO_VERSION &&
				    d.type == types[t] && d.len == lens[l] &&
				    d.seq == seqs[s], "round trip type %u len %u "
				    "seq %u", types[t], lens[l], seqs[s]))
					printf("#   %s\n", err.msg);
			}
	}
}

static void
test_refused(void)
{
	static const struct {
		uint32_t magic;
		uint16_t version, type;
		uint32_t len;
		int errnum;
		const char *words[3];	/* the message names these */
	} cases[] = {
		{ 0x41435445, 1, 1, 0, EPROTO, { "magic", "0x41435445" } },
		{ 0x44544341, 1, 1, 0, EPROTO, { "magic" } },	/* byte order */
		{ 0, 0, 0, 0, EPROTO, { "magic" } },
		{ 0x41435444, 0, 1, 0, EPROTO, { "version", "0", "1" } },
		{ 0x41435444, 2, 1, 0, EPROTO, { "version 2", "1" } },
		{ 0x41435444, 0x100, 1, 0, EPROTO, { "version 256" } },
		{ 0x41435444, 1, 0, 0, EPROTO, { "type 0" } },
		{ 0x41435444, 1, 5, 0, EPROTO, { "type 5" } },
		{ 0x41435444, 1, 0xffff, 0, EPROTO, { "type 65535" } },
		{ 0x41435444, 1, MSG_REQUEST, ACCT_REQUEST_MAX + 1, EMSGSIZE,
		    { "262145", "262144" } },
		{ 0x41435444, 1, MSG_REQUEST, 0xffffffff, EMSGSIZE,
		    { "4294967295", "262144" } },
		{ 0x41435444, 1, MSG_REPLY, ACCT_REPLY_MAX + 1, EMSGSIZE,
		    { "67108865", "67108864" } },
		{ 0x41435444, 1, MSG_EVENT, ACCT_REPLY_MAX + 1, EMSGSIZE,
		    { "limit" } },
		{ 0x41435444, 1, MSG_END, 0xffffffff, EMSGSIZE, { "limit" } },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		uint8_t h[ACCT_HDR_LEN];
		struct acct_hdr d;
		struct aerr err = { 0 };
		int r, words = 1;

		raw_hdr(h, cases[i].magic, cases[i].version, cases[i].type,
		    cases[i].len, 7);
		r = proto_hdr_decode(h, &d, &err);
		for (int w = 0; w < 3 && cases[i].words[w]; w++)
			words &= strstr(err.msg, cases[i].words[w]) != NULL;
		ok(r == -cases[i].errnum && err.errnum == cases[i].errnum &&
		    words, "magic %#x version %u type %u len %u refused: %s",
		    cases[i].magic, cases[i].version, cases[i].type,
		    cases[i].len, err.msg);
	}
	/* a NULL error object is allowed */
	{
		uint8_t h[ACCT_HDR_LEN];
		struct acct_hdr d;

		raw_hdr(h, 1, 1, 1, 0, 0);
		ok(proto_hdr_decode(h, &d, NULL) == -EPROTO, "refused without an "
		    "error object");
	}
}

static void
test_limits(void)
{
	is_u64(proto_max_len(MSG_REQUEST), 256 * 1024, "a request is at most "
	    "256 KiB");
	is_u64(proto_max_len(MSG_REPLY), 64 * 1024 * 1024, "a reply is at "
	    "most 64 MiB");
	is_u64(proto_max_len(MSG_EVENT), 64 * 1024 * 1024, "an event is at "
	    "most 64 MiB");
	is_u64(proto_max_len(MSG_END), 64 * 1024 * 1024, "an end frame as a "
	    "reply");
	/* a request longer than a request but fine as a reply */
	{
		uint8_t h[ACCT_HDR_LEN];
		struct acct_hdr d;

		proto_hdr_encode(h, MSG_REPLY, ACCT_REQUEST_MAX + 1, 1);
		ok(proto_hdr_decode(h, &d, NULL) == 0, "a 256 KiB + 1 reply is "
		    "accepted");
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
test_socket(void)
{
	static const char msg[] = "{\"cmd\": \"list\"}";
	struct acct_hdr h;
	struct aerr err = { 0 };
	struct timespec t0;
	char *payload = NULL;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		ok(0, "socketpair: %s", strerror(errno));
		return;
	}
	r = proto_send(sv[0], MSG_REQUEST, 42, msg, strlen(msg), &err);
	ok(r == 0, "send a request (%s)", err.msg);
	r = proto_recv(sv[1], &h, &payload, 1000, &err);
	ok(r == 0 && h.type == MSG_REQUEST && h.seq == 42 &&
	    h.len == strlen(msg) && payload && strcmp(payload, msg) == 0,
	    "receive it: type, seq and a NUL-terminated payload");
	free(payload);

	/* an empty payload (end of a stream) */
	proto_send(sv[0], MSG_END, 43, "", 0, &err);
	r = proto_recv(sv[1], &h, &payload, 1000, &err);
	ok(r == 0 && h.type == MSG_END && payload && payload[0] == '\0',
	    "an empty end frame arrives as an empty string");
	free(payload);

	/* too large to send: refused before anything is written */
	{
		size_t big = ACCT_REQUEST_MAX + 1;
		char *p = xcalloc(big, 1);

		r = proto_send(sv[0], MSG_REQUEST, 1, p, big, &err);
		ok(r == -EMSGSIZE && strstr(err.msg, "262145"), "a request of "
		    "256 KiB + 1 is not sent: %s", err.msg);
		free(p);
	}

	/* an oversized header is refused before the payload is read */
	{
		uint8_t hdr[ACCT_HDR_LEN];

		raw_hdr(hdr, ACCT_PROTO_MAGIC, 1, MSG_REQUEST, 0x7fffffff, 9);
		if (write(sv[0], hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
			ok(0, "write a header");
		payload = (char *)1;
		r = proto_recv(sv[1], &h, &payload, 1000, &err);
		ok(r == -EMSGSIZE && payload == NULL, "a 2 GiB request header is "
		    "refused, nothing allocated: %s", err.msg);
	}

	/* nothing arrives: a timeout, not a hang */
	{
		long waited;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = proto_recv(sv[1], &h, &payload, 50, &err);
		waited = ms_since(&t0);
		/* at least the 50 ms asked for (a timeout that comes at once
		 * drops slow but healthy peers), at most a loaded machine's
		 * slack more */
		ok(r == -ETIMEDOUT && waited >= 49 && waited < 2000,
		    "no frame within 50 ms: timed out after %ld ms (%s)",
		    waited, err.msg);
	}

	/* half a frame, then the peer goes away */
	{
		uint8_t hdr[ACCT_HDR_LEN];

		proto_hdr_encode(hdr, MSG_REPLY, 100, 1);
		if (write(sv[0], hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr) ||
		    write(sv[0], "{\"ok\"", 5) != 5)
			ok(0, "write half a frame");
		close(sv[0]);
		r = proto_recv(sv[1], &h, &payload, 1000, &err);
		ok(r == -ECONNRESET && payload == NULL && strstr(err.msg,
		    "closed"), "a frame cut short by the peer closing: %s",
		    err.msg);
	}
	close(sv[1]);
}

int
main(void)
{
	test_wire();
	test_round_trip();
	test_refused();
	test_limits();
	test_socket();
	return done_testing();
}
