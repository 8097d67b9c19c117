/* SPDX-License-Identifier: ISC */
/*
 * httpsink PORTFILE OUTFILE [COUNT]: listen on 127.0.0.1 (a free port,
 * written to PORTFILE), answer COUNT (default 1) HTTP requests with 200,
 * and append each request (request line, headers, body) to OUTFILE.
 * Stands in for an Alertmanager in tests that run where none is
 * installed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int s, count = argc > 3 ? atoi(argv[3]) : 1;
	FILE *pf, *out;

	if (argc < 3) {
		fprintf(stderr, "usage: httpsink PORTFILE OUTFILE [COUNT]\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s, 8) < 0 || getsockname(s, (struct sockaddr *)&a, &al) < 0) {
		perror("httpsink");
		return 1;
	}
	if ((pf = fopen(argv[1], "w")) == NULL)
		return 1;
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	while (count-- > 0) {
		char buf[65536];
		size_t have = 0;
		long body = -1;
		char *hend = NULL;
		int c = accept(s, NULL, NULL);

		if (c < 0)
			continue;
		for (;;) {
			ssize_t r = read(c, buf + have, sizeof(buf) - 1 - have);

			if (r <= 0)
				break;
			have += (size_t)r;
			buf[have] = '\0';
			if (hend == NULL && (hend = strstr(buf, "\r\n\r\n")) != NULL) {
				char *cl = strcasestr(buf, "Content-Length:");

				body = cl ? atol(cl + 15) : 0;
			}
			if (hend != NULL &&
			    (long)(have - (size_t)(hend + 4 - buf)) >= body)
				break;
		}
		if ((out = fopen(argv[2], "a")) != NULL) {
			fwrite(buf, 1, have, out);
			fputs("\n", out);
			fclose(out);
		}
		dprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n");
		close(c);
	}
	return 0;
}
