/* SPDX-License-Identifier: ISC */
/*
 * ctlabuse: what a local user can do to accountd's read-only socket, for
 * the security tests.  flood, follow and exec first drop to nobody
 * (65534) when run as root, so the daemon sees an unprivileged peer.
 *
 *	ctlabuse flood SOCKET MAXBYTES HOLD
 *		one connection: send {"cmd":"ubc"} frames, never reading,
 *		until MAXBYTES are sent or the daemon has taken nothing for
 *		2 s; print "sent=BYTES", hold the connection HOLD seconds
 *		without reading, then read to the end and print
 *		"unread=BYTES closed=1" if the daemon had closed it (else
 *		closed=0).
 *	ctlabuse follow SOCKET N HOLD
 *		N connections, each asking to follow the events and never
 *		reading; print "open=K" (those not closed at once by the
 *		daemon) and hold them HOLD seconds.
 *
 * Prints "ready" on its own line (flushed) when the abuse is in place, so
 * a test can act while it holds.
 *
 *	ctlabuse exec PROGRAM ARGS...
 *		run a program as nobody (busybox's setpriv cannot).
 *
 *	ctlabuse send SOCKET JSON
 *		send one request as it is (as the caller, no drop) and print
 *		the reply's payload: for requests acctctl cannot make.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

static int
dial(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static size_t
frame(uint8_t *buf, const char *json)
{
	size_t n = strlen(json);

	proto_hdr_encode(buf, MSG_REQUEST, (uint32_t)n, 7);
	memcpy(buf + ACCT_HDR_LEN, json, n);
	return ACCT_HDR_LEN + n;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
flood(const char *path, unsigned long long max, unsigned hold)
{
	uint8_t one[64], batch[64 * 256];
	size_t n = frame(one, "{\"cmd\":\"ubc\"}"), blen = 0, off = 0;
	unsigned long long sent = 0, unread = 0;
	double last = now();
	char buf[65536];
	int fd = dial(path), closed = 0;
	ssize_t r;

	if (fd < 0) {
		perror("ctlabuse: connect");
		return 1;
	}
	for (int i = 0; i < 256; i++, blen += n)
		memcpy(batch + blen, one, n);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < max && now() - last < 2.0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = send(fd, batch + off, blen - off, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;		/* closed by the daemon */
		}
		sent += (unsigned long long)r;
		off = (off + (size_t)r) % blen;
		last = now();
	}
	printf("sent=%llu\nready\n", sent);
	fflush(stdout);
	sleep(hold);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 3000) <= 0)
			break;		/* still open, nothing more to read */
		r = read(fd, buf, sizeof(buf));
		if (r <= 0) {
			closed = 1;
			break;
		}
		unread += (unsigned long long)r;
	}
	printf("unread=%llu closed=%d\n", unread, closed);
	return 0;
}

static int
follow(const char *path, int n, unsigned hold)
{
	uint8_t req[128];
	size_t len = frame(req, "{\"cmd\":\"events\",\"follow\":true,"
	    "\"count\":0}");
	int *fds = calloc((size_t)n, sizeof(int)), open_ = 0;

	if (fds == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		fds[i] = dial(path);
		if (fds[i] >= 0 &&
		    send(fds[i], req, len, MSG_NOSIGNAL) != (ssize_t)len) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	usleep(300000);
	/* a refused connection has an error reply and is closed by now;
	 * an accepted one has its first reply ("ok":true) waiting */
	for (int i = 0; i < n; i++) {
		char buf[1024];
		ssize_t r;

		if (fds[i] < 0)
			continue;
		r = recv(fds[i], buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN) || (r > 0 &&
		    memmem(buf, (size_t)r, "\"ok\":false", 10) != NULL)) {
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		open_++;
	}
	printf("open=%d\nready\n", open_);
	fflush(stdout);
	sleep(hold);
	return 0;
}

static int
send_one(const char *path, const char *json)
{
	struct acct_hdr h;
	struct aerr err = { 0 };
	char *payload;
	int fd = dial(path);

	if (fd < 0) {
		perror("ctlabuse: connect");
		return 1;
	}
	if (proto_send(fd, MSG_REQUEST, 1, json, strlen(json), &err) < 0 ||
	    proto_recv(fd, &h, &payload, 5000, &err) < 0) {
		fprintf(stderr, "ctlabuse: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", payload);
	free(payload);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return send_one(argv[2], argv[3]);
	if (getuid() == 0) {
		gid_t g = 65534;

		if (setgroups(1, &g) < 0 || setresgid(g, g, g) < 0 ||
		    setresuid(65534, 65534, 65534) < 0) {
			perror("ctlabuse: dropping to nobody");
			return 1;
		}
	}
	if (argc >= 3 && strcmp(argv[1], "exec") == 0) {
		execv(argv[2], argv + 2);
		perror("ctlabuse: exec");
		return 127;
	}
	if (argc == 5 && strcmp(argv[1], "flood") == 0)
		return flood(argv[2], strtoull(argv[3], NULL, 10),
		    (unsigned)atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "follow") == 0)
		return follow(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]));
	fprintf(stderr, "usage: ctlabuse flood SOCKET MAXBYTES HOLD\n"
	    "       ctlabuse follow SOCKET N HOLD\n"
	    "       ctlabuse exec PROGRAM ARGS...\n"
	    "       ctlabuse send SOCKET JSON\n");
	return 2;
}
