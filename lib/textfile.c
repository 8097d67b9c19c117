/* SPDX-License-Identifier: ISC */
/* Small text files read without trusting the path: see textfile.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbuf.h"
#include "textfile.h"
#include "xalloc.h"

int
textfile_check_nul(const char *name, const char *buf, size_t len,
    struct aerr *err)
{
	const char *z = memchr(buf, '\0', len);
	unsigned line = 1;

	if (z == NULL)
		return 0;
	for (const char *p = buf; p < z; p++)
		line += *p == '\n';
	return aerr_set(err, EINVAL, "%s:%u: a NUL byte (accepted: a text "
	    "file)", name, line);
}

static const char *
kind_of(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" :
	    S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device" :
	    "not a regular file";
}

int
textfile_read(const char *path, size_t max, bool follow, char **out,
    struct aerr *err)
{
	_cleanup_close_ int fd = -1;
	struct sbuf b = SBUF_INIT;
	struct stat st;
	char buf[4096];
	ssize_t n;
	int r;

	*out = NULL;
	/* O_NONBLOCK: opening a FIFO with no writer would wait for one */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
	    (follow ? 0 : O_NOFOLLOW));
	if (fd < 0 && errno == ELOOP && !follow)
		return aerr_set(err, ELOOP, "%s: a symbolic link, not followed "
		    "(accepted: a regular file)", path);
	if (fd < 0)
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) < 0)
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return aerr_set(err, EINVAL, "%s: %s (accepted: a regular file)",
		    path, kind_of(st.st_mode));
	if ((size_t)st.st_size > max)
		goto big;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno;
			sbuf_free(&b);
			return aerr_set(err, r, "cannot read %s: %s", path,
			    strerror(r));
		}
		if (n == 0)
			break;
		sbuf_add(&b, buf, (size_t)n);
		if (b.len > max)
			goto big;
	}
	if ((r = textfile_check_nul(path, b.s ? b.s : "", b.len, err)) < 0) {
		sbuf_free(&b);
		return r;
	}
	*out = sbuf_take(&b);
	return 0;
big:
	sbuf_free(&b);
	return aerr_set(err, EFBIG, "%s: larger than %zu KiB (accepted: a "
	    "text file of at most %zu KiB)", path, max / 1024, max / 1024);
}
