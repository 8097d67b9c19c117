/* SPDX-License-Identifier: ISC */
/* The container's /proc/meminfo: see meminfo.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "log.h"
#include "meminfo.h"
#include "xalloc.h"

static uint64_t
stat_key(const char *buf, const char *key)
{
	uint64_t v = 0;

	(void)cg_key_u64(buf, key, &v);	/* 0 when the kernel lacks it */
	return v;
}

static void
line(struct sbuf *b, const char *label, uint64_t bytes)
{
	char l[32];

	snprintf(l, sizeof(l), "%s:", label);
	sbuf_printf(b, "%-16s%8llu kB\n", l, (unsigned long long)(bytes / 1024));
}

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int
meminfo_text(struct container *ct, struct sbuf *b)
{
	const struct ct_params *p = ct_effective(ct);
	int v2 = cg_version(&ad->layout, CTRL_MEMORY) == 2, dfd, r;
	struct kcaps caps;
	char st[8192] = "";
	uint64_t ram, swap, used, sw, cache, anon, shmem, act_a, inact_a,
	    act_f, inact_f, slab_r, slab_u, memfree;

	if (!ct->running)
		return -ESRCH;
	ct_caps(ct, NULL, &caps);
	ram = min64(params_ram_bytes(p), caps.host_ram);
	swap = p->v[P_SWAPPAGES].set || p->v[P_PHYSPAGES].set ?
	    min64(params_swap_bytes(p), p->v[P_SWAPPAGES].set ?
	    params_swap_bytes(p) : caps.host_swap) : caps.host_swap;
	if ((r = ct_dirs(ct, NULL)) < 0)
		return r;
	dfd = cg_ct_fd(&ad->layout, &ct->cg, CTRL_MEMORY);
	if (dfd >= 0)
		(void)cg_read(dfd, "memory.stat", st, sizeof(st));
	ct_dirs_done(ct);
	used = ct->bc.r[UB_PHYSPAGES].held * ACCT_PAGE_SIZE;
	sw = bc_present(&ct->bc, UB_SWAPPAGES) ?
	    ct->bc.r[UB_SWAPPAGES].held * ACCT_PAGE_SIZE : 0;
	cache = stat_key(st, v2 ? "file" : "cache");
	anon = stat_key(st, v2 ? "anon" : "rss");
	shmem = stat_key(st, "shmem");
	act_a = stat_key(st, "active_anon");
	inact_a = stat_key(st, "inactive_anon");
	act_f = stat_key(st, "active_file");
	inact_f = stat_key(st, "inactive_file");
	slab_r = stat_key(st, "slab_reclaimable");
	slab_u = stat_key(st, "slab_unreclaimable");
	used = min64(used, ram);
	memfree = ram - used;
	/* cache that is not shared memory can be dropped */
	cache = min64(cache, used);
	line(b, "MemTotal", ram);
	line(b, "MemFree", memfree);
	line(b, "MemAvailable", min64(ram, memfree + (cache > shmem ?
	    cache - shmem : 0) + slab_r));
	line(b, "Buffers", 0);
	line(b, "Cached", cache);
	line(b, "SwapCached", 0);
	line(b, "Active", act_a + act_f);
	line(b, "Inactive", inact_a + inact_f);
	line(b, "Active(anon)", act_a);
	line(b, "Inactive(anon)", inact_a);
	line(b, "Active(file)", act_f);
	line(b, "Inactive(file)", inact_f);
	line(b, "Unevictable", stat_key(st, "unevictable"));
	line(b, "Mlocked", stat_key(st, "unevictable"));
	line(b, "SwapTotal", swap);
	line(b, "SwapFree", swap > sw ? swap - sw : 0);
	line(b, "Dirty", stat_key(st, v2 ? "file_dirty" : "dirty"));
	line(b, "Writeback", stat_key(st, v2 ? "file_writeback" : "writeback"));
	line(b, "AnonPages", anon);
	line(b, "Mapped", stat_key(st, v2 ? "file_mapped" : "mapped_file"));
	line(b, "Shmem", shmem);
	line(b, "Slab", slab_r + slab_u);
	line(b, "SReclaimable", slab_r);
	line(b, "SUnreclaim", slab_u);
	return 0;
}

/*
 * A meminfo file to rewrite: opened without following a symbolic link
 * and without blocking, and only if it is a regular file of accountd's
 * own with one link.  meminfo_dir may be a folder others can write to;
 * a link or a file put there by someone else is refused, never written
 * through.  Returns an fd, or -errno.
 */
static int
open_own(const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Each file is rewritten in place (same inode), so a bind mount of it
 * keeps seeing the new figures. */
void
meminfo_publish(void)
{
	static bool warned;
	const char *dir = ad->cfg.meminfo_dir;

	if (dir == NULL || *dir == '\0')
		return;
	for (size_t i = 0; i < ct_count(); i++) {
		struct container *ct = ct_nth(i);
		struct sbuf b = SBUF_INIT;
		char *path;
		int fd;

		if (!ct->running || meminfo_text(ct, &b) < 0) {
			sbuf_free(&b);
			continue;
		}
		path = xasprintf("%s/%s", dir, ct->name);
		fd = open_own(path);
		if (fd >= 0) {
			if (pwrite(fd, b.s, b.len, 0) != (ssize_t)b.len ||
			    ftruncate(fd, (off_t)b.len) < 0)
				log_debug("%s: %s", path, strerror(errno));
			close(fd);
		} else if (!warned) {
			log_warn("%s: not written: %s (a symbolic link, or not "
			    "a plain file of accountd's own; further refusals "
			    "are logged at debug level)", path, strerror(-fd));
			warned = true;
		} else {
			log_debug("%s: not written: %s", path, strerror(-fd));
		}
		free(path);
		sbuf_free(&b);
	}
}
