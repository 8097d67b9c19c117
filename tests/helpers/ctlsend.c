/* SPDX-License-Identifier: ISC */
/*
 * ctlsend SOCKET: send accountd malformed control traffic (requests that
 * name a container use 106, which the bad-input test creates), one case per
 * connection, and print what came back.  Used by the bad-input test to
 * show that every malformed frame gets an error (or a close) and that
 * the daemon keeps serving.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

static int
dial(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("ctlsend: connect");
		exit(1);
	}
	return fd;
}

/* Print the reply (or "closed"/"no reply") within 3 s. */
static void
answer(const char *name, int fd)
{
	struct acct_hdr h;
	struct aerr err = { 0 };
	char *payload;

	if (proto_recv(fd, &h, &payload, 3000, &err) < 0) {
		printf("%-12s %s\n", name, err.errnum == ETIMEDOUT ?
		    "no reply" : "closed");
	} else {
		printf("%-12s reply %s\n", name, payload);
		free(payload);
	}
	close(fd);
}

static void
raw(const char *sock, const char *name, const void *buf, size_t len)
{
	int fd = dial(sock);

	if (write(fd, buf, len) < 0)
		perror("write");
	shutdown(fd, SHUT_WR);
	answer(name, fd);
}

static void
frame(const char *sock, const char *name, uint16_t type, const char *payload,
    uint32_t claimed)
{
	uint8_t hdr[ACCT_HDR_LEN];
	int fd = dial(sock);

	if (claimed == UINT32_MAX)
		claimed = (uint32_t)strlen(payload);
	proto_hdr_encode(hdr, type, claimed, 7);
	if (write(fd, hdr, sizeof(hdr)) < 0 ||
	    write(fd, payload, strlen(payload)) < 0)
		perror("write");
	answer(name, fd);
}

int
main(int argc, char **argv)
{
	uint8_t hdr[ACCT_HDR_LEN];
	char deep[512];
	const char *s;

	if (argc != 2) {
		fprintf(stderr, "usage: ctlsend SOCKET\n");
		return 2;
	}
	s = argv[1];
	signal(SIGPIPE, SIG_IGN);	/* the daemon may close first */
	setvbuf(stdout, NULL, _IOLBF, 0);
	raw(s, "garbage", "GET / HTTP/1.0\r\n\r\n", 18);
	proto_hdr_encode(hdr, MSG_REQUEST, 2, 0);
	hdr[4] = 0x7f;				/* version 0x7f01 */
	raw(s, "badversion", hdr, sizeof(hdr));
	proto_hdr_encode(hdr, 99, 2, 0);
	raw(s, "badtype", hdr, sizeof(hdr));
	frame(s, "hugelen", MSG_REQUEST, "", 0x7fffffff);
	frame(s, "truncated", MSG_REQUEST, "{\"cmd\":", 100);
	frame(s, "notjson", MSG_REQUEST, "hello", UINT32_MAX);
	frame(s, "array", MSG_REQUEST, "[1,2,3]", UINT32_MAX);
	frame(s, "trailing", MSG_REQUEST, "{\"cmd\":\"list\"} x", UINT32_MAX);
	frame(s, "nocmd", MSG_REQUEST, "{\"ct\":\"106\"}", UINT32_MAX);
	frame(s, "cmdnumber", MSG_REQUEST, "{\"cmd\":5}", UINT32_MAX);
	frame(s, "unknowncmd", MSG_REQUEST, "{\"cmd\":\"format-disk\"}", UINT32_MAX);
	frame(s, "badparams", MSG_REQUEST,
	    "{\"cmd\":\"set\",\"ct\":\"106\",\"params\":[1]}", UINT32_MAX);
	frame(s, "paramtype", MSG_REQUEST,
	    "{\"cmd\":\"set\",\"ct\":\"106\",\"params\":{\"ram\":5}}", UINT32_MAX);
	frame(s, "badname", MSG_REQUEST,
	    "{\"cmd\":\"show\",\"ct\":\"../../etc\"}", UINT32_MAX);
	frame(s, "badpid", MSG_REQUEST,
	    "{\"cmd\":\"attach\",\"ct\":\"106\",\"pid\":-5}", UINT32_MAX);
	frame(s, "badcgroup", MSG_REQUEST,
	    "{\"cmd\":\"create\",\"ct\":\"x1\",\"cgroup\":\"/a/../../b\"}", UINT32_MAX);
	memset(deep, '[', sizeof(deep));
	deep[0] = '{';
	deep[sizeof(deep) - 1] = '\0';
	frame(s, "deepjson", MSG_REQUEST, deep, UINT32_MAX);
	frame(s, "reply-type", MSG_REPLY, "{}", UINT32_MAX);
	return 0;
}
