/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of lib/textfile.c, the reader of files accountd did not
 * write itself: a FIFO, a directory, a device and (when asked) a
 * symbolic link are refused at once, a file over the cap and a NUL
 * byte are errors naming the file (and line), a plain file is read.
 * As any user, in a private folder under TMPDIR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textfile.h"
#include "xalloc.h"
#include "../tap.h"

static char dir[256];

static char *
mk(const char *name, const char *text, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, text, len) != (ssize_t)len)
			ok(0, "write %s", p);
		close(fd);
	}
	return p;
}

static void
rm(const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);

	unlink(p);
	free(p);
}

static int
rd(const char *path, size_t max, bool follow, char **out, struct aerr *e)
{
	aerr_clear(e);
	return textfile_read(path, max, follow, out, e);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct aerr e = { 0 };
	char *out = NULL, *p, *big;
	int r;

	snprintf(dir, sizeof(dir), "%s/test-textfile.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP no temporary folder: %s\n", dir);
		return 0;
	}

	p = mk("ok.conf", "A=\"1\"\nB=\"2\"\n", 12);
	r = rd(p, 1024, false, &out, &e);
	ok(r == 0 && out && strcmp(out, "A=\"1\"\nB=\"2\"\n") == 0,
	    "a plain file is read whole");
	free(out);
	out = NULL;

	free(p);
	p = mk("nul.conf", "A=\"1\"\nB=\"2\"\0C=\"3\"\n", 19);
	r = rd(p, 1024, false, &out, &e);
	ok(r == -EINVAL && out == NULL && strstr(e.msg, "nul.conf:2: a NUL byte"),
	    "a NUL byte is an error naming file and line: %s", e.msg);

	big = xmalloc(5000);
	memset(big, 'x', 5000);
	free(p);
	p = mk("big.conf", big, 5000);
	r = rd(p, 4096, false, &out, &e);
	ok(r == -EFBIG && strstr(e.msg, "larger than 4 KiB"),
	    "over the cap: %s", e.msg);
	free(big);

	free(p);
	p = xasprintf("%s/fifo", dir);
	if (mkfifo(p, 0600) == 0) {
		r = rd(p, 1024, true, &out, &e);	/* would block without
							 * O_NONBLOCK */
		ok(r == -EINVAL && strstr(e.msg, "a FIFO"),
		    "a FIFO is refused at once: %s", e.msg);
		unlink(p);
	} else {
		ok(0, "mkfifo %s", p);
	}

	r = rd(dir, 1024, false, &out, &e);
	ok(r == -EINVAL && strstr(e.msg, "a directory"),
	    "a directory is refused: %s", e.msg);

	r = rd("/dev/null", 1024, false, &out, &e);
	ok(r == -EINVAL && strstr(e.msg, "a device"),
	    "a device is refused: %s", e.msg);

	free(p);
	p = xasprintf("%s/link.conf", dir);
	if (symlink("ok.conf", p) == 0) {
		r = rd(p, 1024, false, &out, &e);
		ok(r == -ELOOP && strstr(e.msg, "symbolic link"),
		    "a link is not followed when not asked: %s", e.msg);
		r = rd(p, 1024, true, &out, &e);
		ok(r == 0 && out && out[0] == 'A', "and followed when asked");
		free(out);
		out = NULL;
		unlink(p);
	} else {
		ok(0, "symlink %s", p);
	}

	free(p);
	r = rd("/nonexistent/x.conf", 1024, false, &out, &e);
	ok(r == -ENOENT && strstr(e.msg, "cannot read /nonexistent/x.conf"),
	    "a missing file: %s", e.msg);

	ok(textfile_check_nul("req", "a\nb\nc", 5, &e) == 0, "no NUL: fine");
	ok(textfile_check_nul("req", "a\nb\n\0", 5, &e) == -EINVAL &&
	    strstr(e.msg, "req:3: a NUL byte"), "NUL on line 3: %s", e.msg);

	rm("ok.conf");
	rm("nul.conf");
	rm("big.conf");
	rmdir(dir);
	return done_testing();
}
