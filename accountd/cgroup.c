/* SPDX-License-Identifier: ISC */
/*
 * cgroupfs access: layouts, container directories, the one write path and
 * the readers.  See cgroup.h.
 *
 * Kernel quirks handled here:
 *  - v1 cpuset: a new cgroup starts with empty cpuset.cpus/mems and no task
 *    can join it until both are set; cg_ct_create() copies the parent's, or
 *    has the kernel copy them (cgroup.clone_children on the levels it made).
 *  - v2: a controller must be enabled in every ancestor's
 *    cgroup.subtree_control before its files appear in a child.
 *  - "max" (v2) and 9223372036854771712 (v1, LONG_MAX rounded down to a
 *    page) both mean unlimited; cg_parse_u64() maps both to VAL_UNLIMITED.
 *  - A kept fd needs pread(fd, 0): read() again returns EOF.  After the
 *    cgroup is removed, pread fails with ENODEV.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "pidcgroup.h"
#include "xalloc.h"

static const struct {
	const char	*name;
	enum cg_ctrl	 ctrl;
} ctrl_names[] = {
	{ "memory", CTRL_MEMORY }, { "cpu", CTRL_CPU },
	{ "cpuacct", CTRL_CPUACCT }, { "cpuset", CTRL_CPUSET },
	{ "blkio", CTRL_IO }, { "io", CTRL_IO }, { "pids", CTRL_PIDS },
	{ "freezer", CTRL_FREEZER },
};

/* v2 controllers accountd enables in subtree_control */
static const char *const v2_wanted[] = { "cpu", "cpuset", "io", "memory",
	"pids" };

static int
ctrl_of(const char *name)
{
	for (size_t i = 0; i < nitems(ctrl_names); i++)
		if (strcmp(ctrl_names[i].name, name) == 0)
			return (int)ctrl_names[i].ctrl;
	return -1;
}

static const char *rel(const char *relpath);

/* ---- the one write path and the readers ----------------------------- */

/*
 * A cgroup file takes each write whole, from offset 0, whatever it held;
 * O_TRUNC would only make the kernel walk a truncation through kernfs
 * (4 % of the daemon's time in a run of sets, perf).  A test's fake tree
 * of plain files needs it (cg_layout_detect() decides, by the mount).
 */
static int write_flags = O_WRONLY | O_TRUNC | O_CLOEXEC;
static bool fake_tree = true;

int
cg_write(int dfd, const char *file, const char *val, struct aerr *err)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dfd, file, write_flags);
	if (fd < 0)
		return aerr_set(err, errno, "%s=%s: cannot open: %s", file, val,
		    strerror(errno));
	return cg_write_fd(fd, file, val, err);
}

/*
 * The write itself, on an fd from cg_write() or cg_open_rw() (file names
 * it in the error).  write(), not pwrite(): seq_open() takes FMODE_PWRITE
 * from cgroup files, and the kernel ignores the offset of a cgroup write
 * anyway.  A fake tree's plain file is written from 0 and cut to the text.
 */
int
cg_write_fd(int fd, const char *file, const char *val, struct aerr *err)
{
	size_t n = strlen(val);
	ssize_t w;

	if (fake_tree && lseek(fd, 0, SEEK_SET) < 0)
		return aerr_set(err, errno, "%s=%s: %s", file, val,
		    strerror(errno));
	w = write(fd, val, n);

	if (w < 0)
		return aerr_set(err, errno, "%s=%s: %s", file, val,
		    strerror(errno));
	if ((size_t)w != n)
		return aerr_set(err, EIO, "%s=%s: short write", file, val);
	if (fake_tree && ftruncate(fd, (off_t)n) < 0)
		return aerr_set(err, errno, "%s=%s: %s", file, val,
		    strerror(errno));
	return 0;
}

/*
 * A cgroup file opened to be read (cg_pread) and then written
 * (cg_write_fd) and read back, all through one descriptor: a plan's write
 * costs 5 system calls instead of 9 (its old value, the write and the
 * read-back each opening the file).  Returns the fd (the caller's) or
 * -errno.
 */
int
cg_open_rw(int dfd, const char *file)
{
	int fd = openat(dfd, file, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

ssize_t
cg_read(int dfd, const char *file, char *buf, size_t len)
{
	_cleanup_close_ int fd = -1;
	ssize_t r;

	if (len == 0)
		return -EINVAL;
	fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return r;
}

int
cg_open_counter(int dfd, const char *file)
{
	int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

ssize_t
cg_pread(int fd, char *buf, size_t len)
{
	ssize_t r;

	if (len == 0)
		return -EINVAL;
	r = pread(fd, buf, len - 1, 0);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return r;
}

/* Open REL/FILE of a controller's hierarchy for cg_pread() without a
 * directory fd (a lean container's kept counter); the caller owns it. */
int
cg_open_counter_path(const struct cg_layout *l, enum cg_ctrl c,
    const char *relpath, const char *file)
{
	_cleanup_free_ char *p = NULL;
	int fd;

	if (l->ctrl_hier[c] < 0)
		return -ENOENT;
	p = xasprintf("%s/%s", rel(relpath), file);
	fd = openat(l->hier[l->ctrl_hier[c]].fd, p, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Read REL/FILE of a controller's hierarchy without a directory fd. */
ssize_t
cg_read_path(const struct cg_layout *l, enum cg_ctrl c, const char *relpath,
    const char *file, char *buf, size_t len)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t r;

	if (l->ctrl_hier[c] < 0 || len == 0)
		return -ENOENT;
	p = xasprintf("%s/%s", rel(relpath), file);
	fd = openat(l->hier[l->ctrl_hier[c]].fd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return r;
}

bool
cg_has_file(int dfd, const char *file)
{
	return faccessat(dfd, file, F_OK, 0) == 0;
}

int
cg_read_u64(int dfd, const char *file, uint64_t *out)
{
	char buf[64];
	ssize_t r = cg_read(dfd, file, buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	*out = cg_parse_u64(buf);
	return 0;
}

/* ---- layouts ------------------------------------------------------- */

static int
add_hier(struct cg_layout *l, const char *path, int version, unsigned ctrls,
    struct aerr *err)
{
	struct cg_hier *h;
	int fd;

	for (int i = 0; i < l->nhier; i++)
		if (strcmp(l->hier[i].path, path) == 0) {
			l->hier[i].ctrls |= ctrls;
			return i;
		}
	if (l->nhier == CG_MAX_HIER)
		return aerr_set(err, E2BIG, "too many cgroup hierarchies");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return aerr_set(err, errno, "cannot open cgroup hierarchy %s: %s",
		    path, strerror(errno));
	h = &l->hier[l->nhier];
	h->path = xstrdup(path);
	h->version = version;
	h->fd = fd;
	h->ctrls = ctrls;
	return l->nhier++;
}

/* Controllers listed in a v2 cgroup.controllers file, as a bitmask. */
static unsigned
v2_ctrls(int dfd)
{
	char buf[512], *tok, *save = NULL;
	unsigned m = 0;

	if (cg_read(dfd, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \n", &save)) {
		int c = ctrl_of(tok);

		if (c == CTRL_CPU)
			m |= 1u << CTRL_CPUACCT;	/* cpu.stat on v2 */
		if (c >= 0 && c != CTRL_FREEZER)
			m |= 1u << c;
	}
	return m;
}

static unsigned
v1_ctrls_of_name(const char *name)
{
	char buf[256], *tok, *save = NULL;
	unsigned m = 0;

	snprintf(buf, sizeof(buf), "%s", name);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		int c = ctrl_of(tok);

		if (c >= 0 && strcmp(tok, "io") != 0)
			m |= 1u << c;
	}
	return m;
}

static unsigned
bound(const struct cg_layout *l)
{
	unsigned m = 0;

	for (int i = 0; i < l->nhier; i++)
		m |= l->hier[i].ctrls;
	return m;
}

/* An explicit root: a v2 mount, or a directory of v1 (and v2) mounts. */
static int
scan_root(const char *root, struct cg_layout *l, struct aerr *err)
{
	_cleanup_close_ int rfd = -1;
	struct dirent *de;
	char *v2path[CG_MAX_HIER];
	int nv2 = 0, r = 0;
	DIR *d;

	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return aerr_set(err, errno, "cgroup root %s: %s", root,
		    strerror(errno));
	if (cg_has_file(rfd, "cgroup.controllers")) {
		unsigned m = v2_ctrls(rfd) | 1u << CTRL_FREEZER;

		return add_hier(l, root, 2, m, err) < 0 ? -errno : 0;
	}
	if ((d = opendir(root)) == NULL)
		return aerr_set(err, errno, "cgroup root %s: %s", root,
		    strerror(errno));
	while ((de = readdir(d)) != NULL && r >= 0) {
		char *path, *real;
		struct stat st;
		int dfd;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", root, de->d_name);
		real = realpath(path, NULL);
		free(path);
		if (real == NULL)
			continue;
		if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    (dfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			free(real);
			continue;
		}
		if (!cg_has_file(dfd, "cgroup.procs")) {
			close(dfd);
			free(real);
			continue;
		}
		if (cg_has_file(dfd, "cgroup.controllers")) {
			if (nv2 < CG_MAX_HIER)
				v2path[nv2++] = xstrdup(real);
		} else {
			const char *base = strrchr(real, '/');
			unsigned m = v1_ctrls_of_name(base ? base + 1 : real);

			if (m != 0)
				r = add_hier(l, real, 1, m, err);
		}
		close(dfd);
		free(real);
	}
	closedir(d);
	/* v2 mounts of a hybrid host get what v1 left unbound */
	for (int i = 0; i < nv2; i++) {
		int fd = open(v2path[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		unsigned m = fd >= 0 ? v2_ctrls(fd) & ~bound(l) : 0;

		if (fd >= 0)
			close(fd);
		if (m != 0 && r >= 0)
			r = add_hier(l, v2path[i], 2, m, err);
		free(v2path[i]);
	}
	return r < 0 ? r : 0;
}

/* cgroup_root=auto: libcgroup reads the mount table for us. */
static int
discover_libcgroup(struct cg_layout *l, struct aerr *err)
{
	struct cgroup_mount_point mp;
	void *h = NULL;
	int r;

	if (cgroup_init() != 0)
		return -ENOENT;
	r = cgroup_get_controller_begin(&h, &mp);
	while (r == 0) {
		int c = ctrl_of(mp.name), fd, ver;
		unsigned m;

		if (c >= 0) {
			fd = open(mp.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			ver = fd >= 0 && cg_has_file(fd, "cgroup.controllers") ?
			    2 : 1;
			if (fd >= 0)
				close(fd);
			m = 1u << c;
			if (ver == 2 && c == CTRL_CPU)
				m |= 1u << CTRL_CPUACCT;
			if (ver == 2)
				m |= 1u << CTRL_FREEZER;
			if (add_hier(l, mp.path, ver, m & ~bound(l), err) < 0) {
				cgroup_get_controller_end(&h);
				return -EIO;
			}
		}
		r = cgroup_get_controller_next(&h, &mp);
	}
	cgroup_get_controller_end(&h);
	return l->nhier > 0 ? 0 : -ENOENT;
}

int
cg_layout_detect(const char *root, struct cg_layout *l, struct aerr *err)
{
	int r;

	memset(l, 0, sizeof(*l));
	l->primary = -1;
	if (root == NULL || strcmp(root, "auto") == 0) {
		if ((r = discover_libcgroup(l, err)) < 0 && r != -ENOENT)
			return r;
		if (l->nhier == 0 &&
		    (r = scan_root("/sys/fs/cgroup", l, err)) < 0)
			return r;
	} else if ((r = scan_root(root, l, err)) < 0) {
		return r;
	}
	for (int c = 0; c < CTRL_COUNT; c++) {
		l->ctrl_hier[c] = -1;
		for (int i = 0; i < l->nhier; i++)
			if (l->hier[i].ctrls & (1u << c))
				l->ctrl_hier[c] = i;
	}
	for (int c = CTRL_MEMORY; c < CTRL_COUNT && l->primary < 0; c++)
		if (l->ctrl_hier[c] >= 0)
			l->primary = l->ctrl_hier[c];
	if (l->primary >= 0) {
		struct statfs sf;
		bool kernfs = fstatfs(l->hier[l->primary].fd, &sf) == 0 &&
		    (sf.f_type == CGROUP_SUPER_MAGIC ||
		    sf.f_type == CGROUP2_SUPER_MAGIC);

		write_flags = O_WRONLY | O_CLOEXEC | (kernfs ? 0 : O_TRUNC);
		fake_tree = !kernfs;
	}
	if (l->primary < 0) {
		cg_layout_free(l);
		return aerr_set(err, ENOENT, "no cgroup hierarchy with memory, "
		    "cpu, blkio/io or pids found under %s (expected cgroup v1 "
		    "controller directories or a cgroup2 mount)",
		    root ? root : "/sys/fs/cgroup");
	}
	return 0;
}

void
cg_layout_free(struct cg_layout *l)
{
	for (int i = 0; i < l->nhier; i++) {
		free(l->hier[i].path);
		if (l->hier[i].fd >= 0)
			close(l->hier[i].fd);
	}
	l->nhier = 0;
}

int
cg_version(const struct cg_layout *l, enum cg_ctrl c)
{
	return l->ctrl_hier[c] < 0 ? 0 : l->hier[l->ctrl_hier[c]].version;
}

const char *
cg_mode_name(const struct cg_layout *l)
{
	bool v1 = false, v2 = false;

	for (int i = 0; i < l->nhier; i++) {
		v1 |= l->hier[i].version == 1;
		v2 |= l->hier[i].version == 2;
	}
	return v1 && v2 ? "hybrid" : v2 ? "v2" : "v1";
}

/* ---- container directories ------------------------------------------- */

void
cg_ct_init(struct cg_ct *ct)
{
	for (int i = 0; i < CG_MAX_HIER; i++)
		ct->dfd[i] = -1;
}

static const char *
rel(const char *relpath)
{
	while (*relpath == '/')
		relpath++;
	return *relpath ? relpath : ".";
}

int
cg_ct_open(const struct cg_layout *l, const char *relpath, struct cg_ct *ct,
    struct aerr *err)
{
	int n = 0;

	cg_ct_close(ct);
	for (int i = 0; i < l->nhier; i++) {
		ct->dfd[i] = openat(l->hier[i].fd, rel(relpath),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ct->dfd[i] >= 0)
			n++;
	}
	if (ct->dfd[l->primary] < 0) {
		cg_ct_close(ct);
		return aerr_set(err, ENOENT, "cgroup %s does not exist in %s",
		    relpath, l->hier[l->primary].path);
	}
	return n;
}

void
cg_ct_close(struct cg_ct *ct)
{
	for (int i = 0; i < CG_MAX_HIER; i++) {
		if (ct->dfd[i] >= 0)
			close(ct->dfd[i]);
		ct->dfd[i] = -1;
	}
}

int
cg_ct_fd(const struct cg_layout *l, const struct cg_ct *ct, enum cg_ctrl c)
{
	return l->ctrl_hier[c] < 0 ? -1 : ct->dfd[l->ctrl_hier[c]];
}

bool
cg_ct_exists(const struct cg_layout *l, const char *relpath)
{
	struct stat st;

	return fstatat(l->hier[l->primary].fd, rel(relpath), &st, 0) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* v1 cpuset: give a new level its parent's CPUs and memory nodes. */
static int
cpuset_inherit(int parent, int child, struct aerr *err)
{
	static const char *const f[] = { "cpuset.cpus", "cpuset.mems" };
	char cur[LIST_MAX], par[LIST_MAX];
	int r;

	for (size_t i = 0; i < nitems(f); i++) {
		if (cg_read(child, f[i], cur, sizeof(cur)) < 0 ||
		    (cur[0] != '\n' && cur[0] != '\0'))
			continue;
		if (cg_read(parent, f[i], par, sizeof(par)) < 0)
			continue;
		par[strcspn(par, "\n")] = '\0';
		if ((r = cg_write(child, f[i], par, err)) < 0)
			return r;
	}
	return 0;
}

/*
 * v1 cpuset: a level accountd has just made, the container parent or one
 * above it, hands its CPUs and memory nodes to its children itself, at mkdir
 * (cgroup.clone_children, which the kernel also copies to each child).
 * Each write of cpuset.cpus (cpuset_inherit() at a container's create)
 * rebuilds the scheduler domains, walking every cpuset, on the event loop;
 * the copy at mkdir does not.  Only on a level accountd made: the host's
 * cgroups are not ours to change.  On failure, cpuset_inherit() still
 * copies at each create.
 */
static void
cpuset_clone(int dfd)
{
	struct aerr err = { 0 };

	if (cg_write(dfd, "cgroup.clone_children", "1", &err) < 0)
		log_debug("%s (containers' cpusets are copied at each create)",
		    err.msg);
}

/* Is `word` one of the space-separated words of `list`? */
static bool
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (p[n] == '\0' || isspace((unsigned char)p[n])))
			return true;
	return false;
}

/* v2: enable the controllers accountd uses in this level's children. */
static int
v2_enable(int dfd, struct aerr *err)
{
	char avail[512], have[512], want[256] = "";
	size_t used = 0;

	if (cg_read(dfd, "cgroup.controllers", avail, sizeof(avail)) < 0)
		return 0;
	if (cg_read(dfd, "cgroup.subtree_control", have, sizeof(have)) < 0)
		have[0] = '\0';
	for (size_t i = 0; i < nitems(v2_wanted); i++)
		if (has_word(avail, v2_wanted[i]) && !has_word(have, v2_wanted[i]))
			used += (size_t)snprintf(want + used, sizeof(want) - used,
			    "%s+%s", used ? " " : "", v2_wanted[i]);
	return used ? cg_write(dfd, "cgroup.subtree_control", want, err) : 0;
}

/* Every level of relpath in every hierarchy; `parent`: relpath is the
 * container parent, and each level made here hands its cpuset on. */
static int
create(const struct cg_layout *l, const char *relpath, bool parent,
    struct aerr *err)
{
	for (int i = 0; i < l->nhier; i++) {
		const struct cg_hier *h = &l->hier[i];
		_cleanup_free_ char *path = xstrdup(rel(relpath));
		int cur = dup(h->fd), r = 0;
		char *p = path, *slash;

		if (cur < 0)
			return aerr_set(err, errno, "dup: %s", strerror(errno));
		for (;;) {
			bool made;
			int next;

			slash = strchr(p, '/');
			if (slash)
				*slash = '\0';
			if (h->version == 2 && (r = v2_enable(cur, err)) < 0)
				break;
			made = mkdirat(cur, p, 0755) == 0;
			if (!made && errno != EEXIST) {
				r = aerr_set(err, errno, "cannot create cgroup "
				    "%s/%s: %s", h->path, rel(relpath),
				    strerror(errno));
				break;
			}
			next = openat(cur, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (next < 0) {
				r = aerr_set(err, errno, "cannot open cgroup "
				    "%s/%s: %s", h->path, rel(relpath),
				    strerror(errno));
				break;
			}
			if (h->version == 1 && (h->ctrls & (1u << CTRL_CPUSET)) &&
			    (r = cpuset_inherit(cur, next, err)) < 0) {
				close(next);
				break;
			}
			if (made && (parent || slash != NULL) && h->version == 1 &&
			    (h->ctrls & (1u << CTRL_CPUSET)))
				cpuset_clone(next);
			close(cur);
			cur = next;
			if (slash == NULL)
				break;
			p = slash + 1;
		}
		close(cur);
		if (r < 0)
			return r;
	}
	return 0;
}

int
cg_ct_create(const struct cg_layout *l, const char *relpath, struct aerr *err)
{
	return create(l, relpath, false, err);
}

int
cg_parent_create(const struct cg_layout *l, const char *relpath,
    struct aerr *err)
{
	return create(l, relpath, true, err);
}

int
cg_ct_remove(const struct cg_layout *l, const char *relpath, struct aerr *err)
{
	int r = 0;

	for (int i = 0; i < l->nhier; i++)
		if (unlinkat(l->hier[i].fd, rel(relpath), AT_REMOVEDIR) < 0 &&
		    errno != ENOENT && r == 0)
			r = aerr_set(err, errno, "cannot remove cgroup %s/%s: %s",
			    l->hier[i].path, rel(relpath), strerror(errno));
	return r;
}

int
cg_attach(const struct cg_layout *l, const struct cg_ct *ct, pid_t pid,
    struct aerr *err)
{
	char buf[24];
	int r;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int i = 0; i < l->nhier; i++) {
		if (ct->dfd[i] < 0)
			continue;
		if ((r = cg_write(ct->dfd[i], "cgroup.procs", buf, err)) < 0)
			return aerr_prefix(err, "cannot attach pid %d: ", (int)pid);
	}
	return 0;
}

/* Moves pid into the container's cgroup of one controller only. */
int
cg_attach_ctrl(const struct cg_layout *l, const struct cg_ct *ct,
    enum cg_ctrl c, pid_t pid, struct aerr *err)
{
	char buf[24];
	int dfd = cg_ct_fd(l, ct, c);

	if (dfd < 0)
		return aerr_set(err, ENOENT, "no %s cgroup", ctrl_name(c,
		    cg_version(l, c)));
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (cg_write(dfd, "cgroup.procs", buf, err) < 0)
		return aerr_prefix(err, "cannot attach pid %d: ", (int)pid);
	return 0;
}

/* Moves pid into RELPATH (from cg_pid_cgroup) of controller c's hierarchy. */
int
cg_attach_path(const struct cg_layout *l, enum cg_ctrl c, const char *relpath,
    pid_t pid, struct aerr *err)
{
	_cleanup_free_ char *file = NULL;
	char buf[24];

	if (l->ctrl_hier[c] < 0)
		return aerr_set(err, ENOENT, "no %s hierarchy", ctrl_name(c, 1));
	file = xasprintf("%s/cgroup.procs", rel(relpath));
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cg_write(l->hier[l->ctrl_hier[c]].fd, file, buf, err);
}

/*
 * The cgroup of pid in controller c's hierarchy, relative to its root
 * ("/a/b"), from /proc/PID/cgroup: "ID:CONTROLLERS:/PATH" lines, the v2
 * one being "0::/PATH".
 */
int
cg_pid_cgroup(const struct cg_layout *l, enum cg_ctrl c, pid_t pid, char *out,
    size_t len)
{
	_cleanup_fclose_ FILE *f = NULL;
	const char *want = ctrl_name(c, 1);
	char path[64], line[4096];
	int ver = cg_version(l, c);

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = pidcg_line(line, ver == 2, want);

		if (p == NULL)
			continue;
		if ((size_t)snprintf(out, len, "%s", p) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	return -ENOENT;
}

int
cg_procs(const struct cg_layout *l, const struct cg_ct *ct, pid_t **pids,
    size_t *n)
{
	_cleanup_close_ int fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	pid_t *v = NULL;
	size_t cnt = 0;
	long x;

	*pids = NULL;
	*n = 0;
	if (ct->dfd[l->primary] < 0)
		return -ENOENT;
	fd = openat(ct->dfd[l->primary], "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL)
		return -errno;
	fd = -1;
	while (fscanf(f, "%ld", &x) == 1) {
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = (pid_t)x;
	}
	*pids = v;
	*n = cnt;
	return 0;
}

/* ---- what the kernel offers ------------------------------------------ */

/* The nearest existing directory of relpath (or an ancestor) in h. */
static int
open_nearest(const struct cg_hier *h, const char *relpath, bool parent)
{
	_cleanup_free_ char *p = xstrdup(rel(relpath));
	char *slash;

	if (parent) {
		slash = strrchr(p, '/');
		if (slash == NULL)
			return dup(h->fd);
		*slash = '\0';
	}
	for (;;) {
		int fd = openat(h->fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0)
			return fd;
		slash = strrchr(p, '/');
		if (slash == NULL)
			return dup(h->fd);
		*slash = '\0';
	}
}

static uint64_t
meminfo(const char *key)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	size_t kl = strlen(key);
	unsigned long long kb;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':' &&
		    sscanf(line + kl + 1, "%llu", &kb) == 1)
			return (uint64_t)kb * 1024;
	return 0;
}

/* Whole disks for iodevices=auto: /sys/block minus virtual devices. */
static void
host_disks(char *buf, size_t len)
{
	static const char *const skip[] = { "loop", "ram", "zram", "nbd",
		"sr", "fd" };
	size_t used = 0;
	struct dirent *de;
	DIR *d = opendir("/sys/block");

	buf[0] = '\0';
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *path, dev[32];
		_cleanup_fclose_ FILE *f = NULL;
		bool virt = de->d_name[0] == '.';

		for (size_t i = 0; i < nitems(skip) && !virt; i++)
			virt = strncmp(de->d_name, skip[i], strlen(skip[i])) == 0;
		if (virt)
			continue;
		path = xasprintf("/sys/block/%s/dev", de->d_name);
		f = fopen(path, "re");
		free(path);
		if (f == NULL || fgets(dev, sizeof(dev), f) == NULL)
			continue;
		dev[strcspn(dev, "\n")] = '\0';
		if (used + strlen(dev) + 2 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used ? " " : "", dev);
	}
	closedir(d);
}

/* memory.kmem.limit_in_bytes is accepted but ignored from Linux 5.16. */
static bool
kernel_honours_kmem(void)
{
	struct utsname u;
	unsigned maj = 0, min = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &maj, &min) != 2)
		return false;
	return maj < 5 || (maj == 5 && min < 16);
}

static void
read_list(int dfd, const char *f1, const char *f2, char *out, size_t len)
{
	char buf[LIST_MAX];

	out[0] = '\0';
	if (cg_read(dfd, f1, buf, sizeof(buf)) < 0 &&
	    (f2 == NULL || cg_read(dfd, f2, buf, sizeof(buf)) < 0))
		return;
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, len, "%s", buf);
}

/*
 * The host's facts: CPUs, RAM, swap, disks, the controllers' versions and
 * whether the kernel honours kmem limits.  They change only with the host
 * (hotplug, swapon, another kernel), so they are probed once at start and
 * again on SIGHUP (cg_host_probe), not at every plan: a set used to read
 * /proc/meminfo four times, /sys/block twice and uname twice.
 *
 * The CAP_* files (memsw, kmem, BFQ, io.weight, swap.max) are a
 * controller's file types, which the kernel gives every cgroup below the
 * root alike: they are learnt from the first cgroup below a root that a
 * plan looks at, kept with the host's facts and forgotten with them on
 * SIGHUP (say, after an I/O scheduler module was loaded).  A set used to
 * test them, five faccessat and two directory opens, each time.
 */
static struct kcaps host;
static bool host_kmem, host_probed;
static unsigned file_caps;
static bool file_caps_known;

void
cg_host_probe(const struct cg_layout *l)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&host, 0, sizeof(host));
	for (int i = 0; i < CTRL_COUNT; i++)
		host.version[i] = (uint8_t)cg_version(l, (enum cg_ctrl)i);
	host.ncpus = n > 0 ? (unsigned)n : 1;
	host.cfs_period_us = 100000;
	host.host_ram = meminfo("MemTotal");
	host.host_swap = meminfo("SwapTotal");
	host_disks(host.disks, sizeof(host.disks));
	host_kmem = kernel_honours_kmem();
	file_caps_known = false;
	host_probed = true;
}

const struct kcaps *
cg_host(void)
{
	return &host;
}

/* dfd: the cgroup's directory in h, or <0 to look from its nearest
 * existing ancestor; *below_root: whether what was looked at is a
 * cgroup below h's root (so that the answer holds for every one). */
static int
caps_dir(const struct cg_hier *h, const char *relpath, int dfd,
    bool *below_root)
{
	_cleanup_free_ char *p = NULL;
	char *slash;
	int fd;

	*below_root = true;
	if (dfd >= 0)
		return dup(dfd);
	p = xstrdup(rel(relpath));
	for (;;) {
		if (strcmp(p, ".") != 0 && (fd = openat(h->fd, p,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			return fd;
		slash = strrchr(p, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	*below_root = false;
	return dup(h->fd);
}

/*
 * The CAP_* flags of the files in the memory and I/O hierarchies;
 * *below_root: whether the answer holds for every container (looked at in
 * a cgroup below the root that has the controller: on v2 a cgroup whose
 * parent does not enable it has none of its files).
 */
static unsigned
probe_file_caps(const struct cg_layout *l, const char *relpath,
    const struct cg_ct *ct, bool *below_root)
{
	unsigned flags = 0;
	bool below;
	int fd;

	*below_root = true;
	if (l->ctrl_hier[CTRL_MEMORY] >= 0) {
		const struct cg_hier *h = &l->hier[l->ctrl_hier[CTRL_MEMORY]];

		fd = caps_dir(h, relpath, ct != NULL ?
		    cg_ct_fd(l, ct, CTRL_MEMORY) : -1, &below);
		*below_root &= below;
		if (h->version == 1) {
			if (cg_has_file(fd, "memory.memsw.limit_in_bytes"))
				flags |= CAP_MEMSW;
			if (cg_has_file(fd, "memory.kmem.limit_in_bytes") &&
			    host_kmem)
				flags |= CAP_KMEM;
			if (cg_has_file(fd, "memory.kmem.tcp.limit_in_bytes"))
				flags |= CAP_KMEM_TCP;
		} else if (cg_has_file(fd, "memory.swap.max") ||
		    (!cg_has_file(fd, "memory.max") &&
		    access("/proc/swaps", F_OK) == 0)) {
			/* the root has neither file; assume a child would */
			flags |= CAP_SWAP_MAX;
		}
		if (h->version == 2 && !cg_has_file(fd, "memory.max"))
			*below_root = false;
		if (fd >= 0)
			close(fd);
	}
	if (l->ctrl_hier[CTRL_IO] >= 0) {
		const struct cg_hier *h = &l->hier[l->ctrl_hier[CTRL_IO]];

		fd = caps_dir(h, relpath, ct != NULL ?
		    cg_ct_fd(l, ct, CTRL_IO) : -1, &below);
		*below_root &= below;
		if (cg_has_file(fd, h->version == 1 ? "blkio.bfq.weight" :
		    "io.bfq.weight"))
			flags |= CAP_BFQ_WEIGHT;
		if (cg_has_file(fd, h->version == 1 ? "blkio.weight" :
		    "io.weight"))
			flags |= CAP_IO_WEIGHT;
		if (h->version == 2 && !cg_has_file(fd, "io.stat"))
			*below_root = false;
		if (fd >= 0)
			close(fd);
	}
	return flags;
}

void
cg_seen_add(struct cg_seen *s, enum cg_ctrl c, const char *file,
    const char *text)
{
	size_t n = strcspn(text, "\n");

	if (s == NULL || s->n >= CG_SEEN_MAX || strlen(file) >=
	    sizeof(s->f[0].file) || n >= sizeof(s->f[0].text))
		return;
	s->f[s->n].ctrl = c;
	memcpy(s->f[s->n].file, file, strlen(file) + 1);
	memcpy(s->f[s->n].text, text, n);
	s->f[s->n].text[n] = '\0';
	s->n++;
}

const char *
cg_seen_get(const struct cg_seen *s, enum cg_ctrl c, const char *file)
{
	for (unsigned i = 0; s != NULL && i < s->n; i++)
		if (s->f[i].ctrl == c && strcmp(s->f[i].file, file) == 0)
			return s->f[i].text;
	return NULL;
}

int
cg_kcaps(const struct cg_layout *l, const char *relpath,
    const struct cg_ct *ct, bool cpuset, struct kcaps *c,
    struct cg_seen *seen)
{
	int fd;

	if (!host_probed)
		cg_host_probe(l);
	*c = host;
	/* what the cgroup's files offer (a test's fake tree has its own) */
	if (file_caps_known) {
		c->flags |= file_caps;
	} else {
		bool below_root;
		unsigned f = probe_file_caps(l, relpath, ct, &below_root);

		c->flags |= f;
		if (below_root) {
			file_caps = f;
			file_caps_known = true;
		}
	}
	/* the cgroup's own state: its CPU period, its parent's cpuset */
	if (l->ctrl_hier[CTRL_CPU] >= 0) {
		const struct cg_hier *h = &l->hier[l->ctrl_hier[CTRL_CPU]];
		int dfd = ct != NULL ? cg_ct_fd(l, ct, CTRL_CPU) : -1;
		char buf[64];

		fd = dfd >= 0 ? dfd : open_nearest(h, relpath, false);
		if (h->version == 1 &&
		    cg_read(fd, "cpu.cfs_period_us", buf, sizeof(buf)) > 0) {
			c->cfs_period_us = cg_parse_u64(buf);
			if (fd == dfd)
				cg_seen_add(seen, CTRL_CPU, "cpu.cfs_period_us",
				    buf);
		} else if (h->version == 2 &&
		    cg_read(fd, "cpu.max", buf, sizeof(buf)) > 0 &&
		    strchr(buf, ' ') != NULL) {
			c->cfs_period_us = cg_parse_u64(strchr(buf, ' ') + 1);
			if (fd == dfd)
				cg_seen_add(seen, CTRL_CPU, "cpu.max", buf);
		}
		if (c->cfs_period_us == 0 || c->cfs_period_us >= VAL_UNLIMITED)
			c->cfs_period_us = 100000;
		if (fd != dfd && fd >= 0)
			close(fd);
	}
	/* the parent's cpuset only for a plan that sets cpumask or nodemask
	 * (the only rows that read it); it is read each time, as hotplug
	 * and the parent's owner change it without telling anyone */
	if (cpuset && l->ctrl_hier[CTRL_CPUSET] >= 0) {
		const struct cg_hier *h = &l->hier[l->ctrl_hier[CTRL_CPUSET]];

		fd = open_nearest(h, relpath, true);
		if (h->version == 1) {
			read_list(fd, "cpuset.effective_cpus", "cpuset.cpus",
			    c->parent_cpus, sizeof(c->parent_cpus));
			read_list(fd, "cpuset.effective_mems", "cpuset.mems",
			    c->parent_mems, sizeof(c->parent_mems));
		} else {
			read_list(fd, "cpuset.cpus.effective", NULL,
			    c->parent_cpus, sizeof(c->parent_cpus));
			read_list(fd, "cpuset.mems.effective", NULL,
			    c->parent_mems, sizeof(c->parent_mems));
		}
		close(fd);
	}
	return 0;
}

int
cg_kstate(const struct cg_layout *l, const struct cg_ct *ct, struct kstate *s,
    struct cg_seen *seen)
{
	int fd = cg_ct_fd(l, ct, CTRL_MEMORY);
	char buf[64];

	memset(s, 0, sizeof(*s));
	if (fd < 0 || cg_version(l, CTRL_MEMORY) != 1)
		return 0;
	if (cg_read(fd, "memory.limit_in_bytes", buf, sizeof(buf)) < 0)
		return 0;
	s->mem_limit = cg_parse_u64(buf);
	cg_seen_add(seen, CTRL_MEMORY, "memory.limit_in_bytes", buf);
	if (cg_read(fd, "memory.memsw.limit_in_bytes", buf, sizeof(buf)) < 0) {
		s->memsw_limit = VAL_UNLIMITED;
	} else {
		s->memsw_limit = cg_parse_u64(buf);
		cg_seen_add(seen, CTRL_MEMORY, "memory.memsw.limit_in_bytes",
		    buf);
	}
	s->valid = true;
	return 0;
}
