/* SPDX-License-Identifier: ISC */
/*
 * sectool: the small tools the security tests need, built here so that
 * they run the same on the host and in the VM (busybox, no perl, no
 * util-linux setpriv):
 *
 *   sectool runas USER CMD [ARG...]   exec CMD as USER (its uid, primary
 *                                     group, no other groups)
 *   sectool req SOCKET JSON           send one request frame to accountd,
 *                                     print the reply's payload (JSON)
 *   sectool hold PORTFILE SECONDS     listen on 127.0.0.1 (port written
 *                                     to PORTFILE) and never accept: a
 *                                     server that takes connections and
 *                                     never answers
 *   sectool nofile N CMD [ARG...]     exec CMD with an open-file limit of
 *                                     N it cannot raise (CAP_SYS_RESOURCE
 *                                     dropped from the bounding set): a
 *                                     host with a low LimitNOFILE
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

static int
runas(int argc, char **argv)
{
	struct passwd *pw = getpwnam(argv[0]);

	if (argc < 2 || pw == NULL) {
		fprintf(stderr, "sectool runas: no user %s\n", argv[0]);
		return 2;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid,
	    pw->pw_gid) < 0 || setresuid(pw->pw_uid, pw->pw_uid,
	    pw->pw_uid) < 0) {
		perror("sectool runas");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}

static int
req(const char *sock, const char *json)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct aerr err = { 0 };
	struct acct_hdr h;
	char *payload;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("sectool req: connect");
		return 1;
	}
	if (proto_send(fd, MSG_REQUEST, 1, json, strlen(json), &err) < 0 ||
	    proto_recv(fd, &h, &payload, 10000, &err) < 0) {
		fprintf(stderr, "sectool req: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", payload);
	free(payload);
	return 0;
}

static int
hold(const char *portfile, int seconds)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	FILE *f;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s, 1024) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0) {
		perror("sectool hold");
		return 1;
	}
	if ((f = fopen(portfile, "w")) == NULL) {
		perror(portfile);
		return 1;
	}
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	sleep((unsigned)seconds);
	return 0;
}

static int
nofile(const char *n, char **argv)
{
	struct rlimit rl;
	char *end;

	rl.rlim_cur = rl.rlim_max = strtoul(n, &end, 10);
	if (*n == '\0' || *end != '\0') {
		fprintf(stderr, "sectool nofile: not a number: %s\n", n);
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) < 0 ||
	    setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		perror("sectool nofile");
		return 1;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "runas") == 0)
		return runas(argc - 2, argv + 2);
	if (argc == 4 && strcmp(argv[1], "req") == 0)
		return req(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2], atoi(argv[3]));
	if (argc >= 4 && strcmp(argv[1], "nofile") == 0)
		return nofile(argv[2], argv + 3);
	fprintf(stderr, "usage: sectool runas USER CMD [ARG...] | req SOCKET "
	    "JSON | hold PORTFILE SECONDS | nofile N CMD [ARG...]\n");
	return 2;
}
