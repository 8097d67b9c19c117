/* SPDX-License-Identifier: ISC */
/*
 * qtool: the disk quota tests' writer (tests/integration/quota-*.sh).
 *
 *	qtool [-u UID[:GID]] write FILE KIB	write up to KIB KiB (1 KiB writes,
 *						fsync at the end)
 *	qtool [-u UID[:GID]] create DIR N	create up to N empty files
 *	qtool [-u UID[:GID]] mkfiles DIR N SIZE	N files of SIZE bytes in
 *						subfolders of 1000 (the du test)
 *
 * prints "done=N errno=NAME" (errno=0 when all went through) and exits
 * 0.  -u drops to that uid (and gid) first: ext4 quota limits do not
 * stop root (CAP_SYS_RESOURCE).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
ename(int e)
{
	switch (e) {
	case 0:		return "0";
	case EDQUOT:	return "EDQUOT";
	case ENOSPC:	return "ENOSPC";
	case EPERM:	return "EPERM";
	case EACCES:	return "EACCES";
	default:	return strerror(e);
	}
}

static int
drop(const char *spec)
{
	unsigned long uid, gid;
	char *end;

	uid = strtoul(spec, &end, 10);
	gid = *end == ':' ? strtoul(end + 1, NULL, 10) : uid;
	if (setgroups(0, NULL) < 0 || setresgid((gid_t)gid, (gid_t)gid,
	    (gid_t)gid) < 0 || setresuid((uid_t)uid, (uid_t)uid,
	    (uid_t)uid) < 0) {
		perror("qtool: drop privileges");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char buf[1024], path[4096];
	long n, done = 0, size = 0;
	int fd, e = 0;

	memset(buf, 'q', sizeof(buf));
	if (argc > 2 && strcmp(argv[1], "-u") == 0) {
		if (drop(argv[2]) < 0)
			return 1;
		argv += 2;
		argc -= 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: qtool [-u UID[:GID]] write FILE KIB | "
		    "create DIR N | mkfiles DIR N SIZE\n");
		return 2;
	}
	n = atol(argv[3]);
	if (strcmp(argv[1], "write") == 0) {
		if ((fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0) {
			e = errno;
		} else {
			for (; done < n; done++)
				if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
					e = errno;
					break;
				}
			if (e == 0 && fsync(fd) < 0)
				e = errno;
			close(fd);
		}
	} else if (strcmp(argv[1], "create") == 0) {
		for (; done < n; done++) {
			snprintf(path, sizeof(path), "%s/f%ld", argv[2], done);
			if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL,
			    0644)) < 0) {
				e = errno;
				break;
			}
			close(fd);
		}
	} else if (strcmp(argv[1], "mkfiles") == 0 && argc > 4) {
		size = atol(argv[4]);
		for (; done < n; done++) {
			if (done % 1000 == 0) {
				snprintf(path, sizeof(path), "%s/d%ld", argv[2],
				    done / 1000);
				if (mkdir(path, 0755) < 0 && errno != EEXIST) {
					e = errno;
					break;
				}
			}
			snprintf(path, sizeof(path), "%s/d%ld/f%ld", argv[2],
			    done / 1000, done);
			if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0) {
				e = errno;
				break;
			}
			/* sizes vary from 0 to size - 1 */
			for (long k = done % (size ? size : 1); k > 0;
			    k -= (long)sizeof(buf))
				if (write(fd, buf, k > (long)sizeof(buf) ?
				    sizeof(buf) : (size_t)k) < 0) {
					e = errno;
					break;
				}
			close(fd);
			if (e)
				break;
		}
	} else {
		fprintf(stderr, "qtool: unknown command '%s'\n", argv[1]);
		return 2;
	}
	printf("done=%ld errno=%s\n", done, ename(e));
	return 0;
}
