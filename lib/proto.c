/* SPDX-License-Identifier: ISC */
/* Control protocol framing: see proto.h for the wire format. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "xalloc.h"

void
proto_hdr_encode(uint8_t out[ACCT_HDR_LEN], uint16_t type, uint32_t len,
    uint32_t seq)
{
	uint32_t v32;
	uint16_t v16;

	v32 = htonl(ACCT_PROTO_MAGIC);
	memcpy(out, &v32, 4);
	v16 = htons(ACCT_PROTO_VERSION);
	memcpy(out + 4, &v16, 2);
	v16 = htons(type);
	memcpy(out + 6, &v16, 2);
	v32 = htonl(len);
	memcpy(out + 8, &v32, 4);
	v32 = htonl(seq);
	memcpy(out + 12, &v32, 4);
}

uint32_t
proto_max_len(uint16_t type)
{
	return type == MSG_REQUEST ? ACCT_REQUEST_MAX : ACCT_REPLY_MAX;
}

int
proto_hdr_decode(const uint8_t in[ACCT_HDR_LEN], struct acct_hdr *h,
    struct aerr *err)
{
	uint32_t v32;
	uint16_t v16;

	memcpy(&v32, in, 4);
	h->magic = ntohl(v32);
	memcpy(&v16, in + 4, 2);
	h->version = ntohs(v16);
	memcpy(&v16, in + 6, 2);
	h->type = ntohs(v16);
	memcpy(&v32, in + 8, 4);
	h->len = ntohl(v32);
	memcpy(&v32, in + 12, 4);
	h->seq = ntohl(v32);

	if (h->magic != ACCT_PROTO_MAGIC)
		return aerr_set(err, EPROTO,
		    "not an accountd control frame (bad magic 0x%08x)", h->magic);
	if (h->version != ACCT_PROTO_VERSION)
		return aerr_set(err, EPROTO,
		    "protocol version %u not supported (this side speaks %u)",
		    h->version, ACCT_PROTO_VERSION);
	if (h->type < MSG_REQUEST || h->type > MSG_END)
		return aerr_set(err, EPROTO, "unknown frame type %u", h->type);
	if (h->len > proto_max_len(h->type))
		return aerr_set(err, EMSGSIZE,
		    "frame of %u bytes exceeds the limit of %u bytes",
		    h->len, proto_max_len(h->type));
	return 0;
}

/* A peer that closed gives EPIPE, never SIGPIPE (MSG_NOSIGNAL): the
 * caller says so in a message instead of dying of the signal. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
proto_send(int fd, uint16_t type, uint32_t seq, const char *payload,
    size_t len, struct aerr *err)
{
	uint8_t hdr[ACCT_HDR_LEN];
	int r;

	if (len > proto_max_len(type))
		return aerr_set(err, EMSGSIZE, "message of %zu bytes too large",
		    len);
	proto_hdr_encode(hdr, type, (uint32_t)len, seq);
	/* header and payload in one sendmsg: one system call, and the
	 * daemon wakes once, to the whole frame */
	{
		struct iovec iov[2] = { { hdr, sizeof(hdr) },
			{ (void *)(uintptr_t)payload, len } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t w;

		do
			w = sendmsg(fd, &m, MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != ENOTSOCK)
			return aerr_set(err, errno, "cannot write to accountd: "
			    "%s", strerror(errno));
		if (w < 0)
			w = 0;
		if ((size_t)w == sizeof(hdr) + len)
			return 0;
		if ((size_t)w < sizeof(hdr) &&
		    (r = write_all(fd, hdr + w, sizeof(hdr) - (size_t)w)) < 0)
			return aerr_set(err, -r, "cannot write to accountd: %s",
			    strerror(-r));
		w = (size_t)w < sizeof(hdr) ? 0 : w - (ssize_t)sizeof(hdr);
		if ((r = write_all(fd, payload + w, len - (size_t)w)) < 0)
			return aerr_set(err, -r, "cannot write to accountd: %s",
			    strerror(-r));
	}
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Read exactly n bytes, waiting at most until deadline (-1: forever);
 * ready: the bytes are likely there already (a frame's payload, sent with
 * its header), so a read is tried before the poll. */
static int
read_all(int fd, void *p, size_t n, long deadline, bool ready,
    struct aerr *err)
{
	char *c = p;

	while (ready && n > 0) {
		ssize_t r = recv(fd, c, n, MSG_DONTWAIT);

		if (r <= 0)
			break;	/* an error or the end: found again below */
		c += r;
		n -= (size_t)r;
	}
	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = -1;
		ssize_t r;

		if (deadline >= 0) {
			long left = deadline - now_ms();

			if (left <= 0)
				return aerr_set(err, ETIMEDOUT,
				    "no answer from accountd (timed out)");
			wait = (int)left;
		}
		r = poll(&pfd, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return aerr_set(err, errno, "poll: %s", strerror(errno));
		if (r == 0)
			continue;
		r = read(fd, c, n);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return aerr_set(err, errno, "cannot read from accountd: %s",
			    strerror(errno));
		}
		if (r == 0)
			return aerr_set(err, ECONNRESET,
			    "accountd closed the connection");
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int
proto_recv(int fd, struct acct_hdr *h, char **payload, int timeout_ms,
    struct aerr *err)
{
	uint8_t hdr[ACCT_HDR_LEN];
	long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	char *p;
	int r;

	*payload = NULL;
	if ((r = read_all(fd, hdr, sizeof(hdr), deadline, false, err)) < 0)
		return r;
	if ((r = proto_hdr_decode(hdr, h, err)) < 0)
		return r;
	p = xmalloc((size_t)h->len + 1);
	if ((r = read_all(fd, p, h->len, deadline, true, err)) < 0) {
		free(p);
		return r;
	}
	p[h->len] = '\0';
	*payload = p;
	return 0;
}
