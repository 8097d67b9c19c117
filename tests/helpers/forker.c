/* SPDX-License-Identifier: ISC */
/*
 * forker N: try to create N child processes that all stay alive until
 * every fork has been tried, then report "ok=A failed=B first_errno=E"
 * and reap them.  Under pids.max = M the first M-1 forks succeed (the
 * forker itself is one of the M).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int n, ok = 0, failed = 0, first = 0, fds[2];
	char c;

	if (argc < 2 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: forker N\n");
		return 2;
	}
	if (pipe(fds) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			close(fds[1]);
			/* wait until the parent closes the pipe */
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (p < 0) {
			if (!first)
				first = errno;
			failed++;
		} else {
			ok++;
		}
	}
	close(fds[1]);
	while (wait(NULL) > 0)
		;
	printf("ok=%d failed=%d first_errno=%d\n", ok, failed, first);
	return 0;
}
