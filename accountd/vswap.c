/* SPDX-License-Identifier: ISC */
/*
 * The VSwap controller.  See vswap.h and docs/vswap.md for the model.
 *
 *   traffic ---> debt += bytes / rate ---> freeze until paid ---> thaw
 *
 * ram mode (the kernel ceiling is RAM+SWAP, everything stays in RAM):
 *   out   growth of the usage above RAM, seen every sample (a container in
 *         virtual swap is hot: sampled every hot_interval);
 *   in    re-reads of what is above RAM: the memory the container's
 *         processes referenced since the last look (clear_refs, then
 *         smaps_rollup's Referenced), less what was newly allocated, of
 *         which the share held/usage is taken to be in virtual swap (the
 *         uniform-access assumption); each such byte also pushes one out.
 *         Looks are made every 20 ms while the container is busy on CPU
 *         and every second while it idles, so scanning costs little on
 *         a quiet container.  A re-read faster than a look (memory is
 *         read at GB/s) escapes: only kernel mode sees every page.
 * kernel mode (the kernel pages to zram swap): in = major faults x page,
 *   out = growth of swap usage + in.  The time the kernel's own swapping
 *   stalled the container (memory.pressure "full") is already a slowdown
 *   and is taken off the debt: the container pays the larger of the two.
 *
 * Freezing: cgroup v2 cgroup.freeze, v1 freezer.state.  accountd only
 * thaws what it froze; a container frozen by accountd is thawed when it
 * stops being managed, when accountd exits, and at start-up if the store
 * says accountd left it frozen (a crash).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "bcstore.h"
#include "log.h"
#include "sampler.h"
#include "vswap.h"
#include "xalloc.h"

#define SLICE_MIN	0.020
#define SLICE_MAX	1.000
#define DEBT_MIN	0.001		/* freeze when at least 1 ms is owed */
#define STORE_FROZEN	2u		/* bc_record flag: frozen by accountd */

/* A container's VSwap state (ct->vs), made at its first vswap_start()
 * and kept, with its traffic counters, until the container is deleted. */
struct vswap {
	struct vswap_view s;		/* what others may see */
	double		 debt;		/* seconds still owed */
	double		 frozen_at;
	/* ram mode: what the last looks saw */
	uint64_t	 last_held, usage_at_scan, cpu_at_scan;
	double		 last_scan, slice;
	/* kernel mode: counters at the last look */
	uint64_t	 last_majflt, last_swap, last_stall;
	bool		 have_base;
};

static int host_mode = VSWAP_RAM;
static uint64_t default_rate = 100ULL << 20;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
vswap_host_mode(void)
{
	return host_mode;
}

/* auto: kernel paging when every active swap device is zram (compressed
 * RAM, no disk I/O), else keep vswap in RAM. */
static int
choose_mode(const char *cfg)
{
	char line[512];
	int nswap = 0, nzram = 0;
	FILE *f;

	if (strcmp(cfg, "off") == 0)
		return VSWAP_OFF;
	if (strcmp(cfg, "ram") == 0)
		return VSWAP_RAM;
	if (strcmp(cfg, "kernel") == 0)
		return VSWAP_KERNEL;
	if ((f = fopen("/proc/swaps", "re")) == NULL)
		return VSWAP_RAM;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] != '/')
			continue;
		nswap++;
		nzram += strncmp(line, "/dev/zram", 9) == 0;
	}
	fclose(f);
	return nswap > 0 && nswap == nzram ? VSWAP_KERNEL : VSWAP_RAM;
}

/* ---- freezing ------------------------------------------------------------- */

static int
freeze(struct container *ct, bool on)
{
	int v2 = cg_version(&ad->layout, CTRL_MEMORY) == 2, dfd, r;
	struct bc_record *rec;

	if (ct_dirs(ct, NULL) < 0)
		return -EIO;
	dfd = cg_ct_fd(&ad->layout, &ct->cg, v2 ? CTRL_MEMORY : CTRL_FREEZER);
	if (dfd >= 0 && on) {
		/* frozen by someone else (docker pause, lxc-freeze): leave
		 * it to them, the debt waits */
		char st[32] = "";

		if (cg_read(dfd, v2 ? "cgroup.freeze" : "freezer.state", st,
		    sizeof(st)) > 0 && (st[0] == '1' || st[0] == 'F')) {
			ct_dirs_done(ct);
			return -EBUSY;
		}
	}
	if (dfd < 0)
		r = -ENOENT;
	else if (v2)
		r = cg_write(dfd, "cgroup.freeze", on ? "1" : "0", NULL);
	else
		r = cg_write(dfd, "freezer.state", on ? "FROZEN" : "THAWED", NULL);
	ct_dirs_done(ct);
	if (r < 0)
		return r;
	ct->vs->s.frozen = on;
	if ((rec = bcstore_rec(ct->bc.rec)) != NULL) {
		if (on)
			rec->flags |= STORE_FROZEN;
		else
			rec->flags &= ~STORE_FROZEN;
	}
	return 0;
}

/* ---- measuring --------------------------------------------------------------- */

/* Bytes the container's processes referenced since the last call; clears
 * the referenced bits for the next one. */
static uint64_t
referenced(struct container *ct)
{
	pid_t *pids = NULL;
	size_t n = 0;
	uint64_t total = 0;

	if (ct_dirs(ct, NULL) < 0)
		return 0;
	cg_procs(&ad->layout, &ct->cg, &pids, &n);
	ct_dirs_done(ct);
	for (size_t i = 0; i < n; i++) {
		char path[64], buf[4096], *p;
		int fd;
		ssize_t r;

		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pids[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		if ((p = strstr(buf, "\nReferenced:")) != NULL)
			total += strtoull(p + 12, NULL, 10) * 1024;
		snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pids[i]);
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
	}
	free(pids);
	return total;
}

static void
charge(struct container *ct, uint64_t in, uint64_t out)
{
	struct vswap *v = ct->vs;

	v->s.in += in;
	v->s.out += out;
	if (v->s.rate > 0)
		v->debt += (double)(in + out) / (double)v->s.rate;
}

/*
 * Called by the beancounter sampler (every sample, and every vswap tick
 * while the container is in virtual swap) with the kernel's figures:
 * usage = memory in use (v1 usage_in_bytes, v2 memory.current), swapped =
 * the kernel's swap use.
 */
void
vswap_account(struct container *ct, uint64_t usage, uint64_t swapped)
{
	struct vswap *v = ct->vs;
	double now = mono();

	if (v == NULL || !v->s.active)
		return;
	if (v->s.mode == VSWAP_RAM) {
		v->s.held = usage > v->s.ram ? usage - v->s.ram : 0;
		v->s.held += swapped;	/* the host's own swap, under pressure */
		if (v->s.held > v->last_held)
			charge(ct, 0, v->s.held - v->last_held);
		v->last_held = v->s.held;
		/* scan often while the container works (it used more than 5%
		 * of a CPU since the last look), seldom while it idles */
		if (v->s.held > 0 && !v->s.frozen && now - v->last_scan >= v->slice) {
			uint64_t ref = referenced(ct);
			uint64_t grew = usage > v->usage_at_scan ?
			    usage - v->usage_at_scan : 0;
			uint64_t again = ref > grew ? ref - grew : 0;
			uint64_t in = usage > 0 ? (uint64_t)((double)again *
			    (double)v->s.held / (double)usage) : 0;
			double busy = (double)(ct->bc.cpu_usage - v->cpu_at_scan) /
			    1e6 / (now - v->last_scan);

			charge(ct, in, in);
			v->slice = busy > 0.05 ? SLICE_MIN : SLICE_MAX;
			v->last_scan = now;
			v->usage_at_scan = usage;
			v->cpu_at_scan = ct->bc.cpu_usage;
		} else if (v->s.held == 0) {
			v->usage_at_scan = usage;
			v->slice = SLICE_MIN;
		}
	} else {
		/* kernel mode: major faults are swap-ins (zram: one page each) */
		uint64_t majflt = 0, stall = v->last_stall;
		char buf[4096], *p;
		int dfd;

		if (ct_dirs(ct, NULL) == 0) {
			dfd = cg_ct_fd(&ad->layout, &ct->cg, CTRL_MEMORY);
			if (dfd >= 0 && cg_read(dfd, "memory.stat", buf,
			    sizeof(buf)) > 0)
				(void)cg_key_u64(buf, "pgmajfault", &majflt);
			if (dfd >= 0 && cg_read(dfd, "memory.pressure", buf,
			    sizeof(buf)) > 0 && (p = strstr(buf, "full ")) &&
			    (p = strstr(p, "total=")))
				stall = strtoull(p + 6, NULL, 10);
			ct_dirs_done(ct);
		}
		v->s.held = swapped;
		if (v->have_base) {
			/* pgmajfault counts the host's pages (64 KiB on
			 * some arm64 and ppc64le hosts), not OpenVZ's */
			uint64_t in = (majflt > v->last_majflt ? majflt -
			    v->last_majflt : 0) * (uint64_t)sysconf(_SC_PAGESIZE);
			int64_t grew = (int64_t)swapped - (int64_t)v->last_swap +
			    (int64_t)in;

			charge(ct, in, grew > 0 ? (uint64_t)grew : 0);
			/* the kernel's own swapping already held the container
			 * back this long (all its tasks stalled on memory):
			 * it counts against what is owed */
			if (stall > v->last_stall) {
				double st = (double)(stall - v->last_stall) / 1e6;

				v->s.stall_us += (uint64_t)(st * 1e6);
				v->debt -= st;
				if (v->debt < -1.0)
					v->debt = -1.0;	/* no hoard of credit */
			}
		}
		v->last_majflt = majflt;
		v->last_swap = swapped;
		v->last_stall = stall;
		v->have_base = true;
	}
	/* nobody left to pay (the tasks exited or were OOM-killed): what
	 * they owed goes with them, so the next task starts thawed */
	if (bc_present(&ct->bc, UB_NUMPROC) && ct->bc.r[UB_NUMPROC].held == 0 &&
	    v->debt > 0) {
		v->debt = 0;
		if (v->s.frozen && freeze(ct, false) == 0)
			v->s.slowed_us += (uint64_t)((now - v->frozen_at) * 1e6);
	}
	/* pay: freeze while something is owed */
	if (v->s.frozen) {
		double paid = now - v->frozen_at;

		if (paid >= v->debt) {
			if (freeze(ct, false) == 0) {
				/* a thaw comes at the next sample: what was
				 * frozen beyond the debt is credit */
				v->s.slowed_us += (uint64_t)(paid * 1e6);
				v->debt -= paid;
				/* it ran little while frozen, which says nothing
				 * of how busy it is: look again soon */
				v->slice = SLICE_MIN;
			}
		}
	} else if (v->debt >= DEBT_MIN && freeze(ct, true) == 0) {
		v->frozen_at = now;
	}
	/* a container in virtual swap has a full RAM: it is "hot", so the
	 * sampler comes back every hot_interval to thaw it on time */
	if (v->s.frozen || v->s.held > 0)
		sampler_heat(ct);
}

/* ---- per container ----------------------------------------------------------------- */

void
vswap_start(struct container *ct)
{
	const struct ct_params *p = ct_effective(ct);
	struct kcaps caps = { .vswap_mode = (uint8_t)host_mode };
	struct bc_record *rec = bcstore_rec(ct->bc.rec);
	struct vswap *v;
	bool was_frozen;

	if (ct->vs == NULL)
		ct->vs = xcalloc(1, sizeof(*ct->vs));
	v = ct->vs;
	was_frozen = v->s.frozen;

	v->s.active = params_vswap(p, &caps);
	v->s.mode = host_mode;
	v->s.ram = params_ram_bytes(p);
	v->s.swap = params_swap_bytes(p);
	v->s.rate = p->v[P_VSWAPRATE].set ? p->v[P_VSWAPRATE].lim : default_rate;
	if (v->slice == 0)
		v->slice = SLICE_MIN;
	/* left frozen by an accountd that died: thaw */
	if (!was_frozen && rec != NULL && (rec->flags & STORE_FROZEN)) {
		log_warn("%s: was left frozen by accountd; thawing", ct->name);
		v->s.frozen = true;
		freeze(ct, false);
	}
	if (!v->s.active && v->s.frozen)
		freeze(ct, false);
}

void
vswap_stop(struct container *ct)
{
	if (ct->vs == NULL)
		return;
	if (ct->vs->s.frozen && freeze(ct, false) == 0)
		ct->vs->s.slowed_us += (uint64_t)((mono() - ct->vs->frozen_at) * 1e6);
	ct->vs->debt = 0;
}

void
vswap_forget(struct container *ct)
{
	free(ct->vs);
	ct->vs = NULL;
}

void
vswap_view(const struct container *ct, struct vswap_view *out)
{
	if (ct->vs != NULL)
		*out = ct->vs->s;
	else
		memset(out, 0, sizeof(*out));
}

bool
vswap_active(const struct container *ct)
{
	return ct->vs != NULL && ct->vs->s.active;
}

bool
vswap_ram_mode(const struct container *ct, uint64_t *ram, uint64_t *swap)
{
	if (ct->vs == NULL || !ct->vs->s.active || ct->vs->s.mode != VSWAP_RAM)
		return false;
	if (ram != NULL)
		*ram = ct->vs->s.ram;
	if (swap != NULL)
		*swap = ct->vs->s.swap;
	return true;
}

int
vswap_init(void)
{
	struct ct_params p;

	host_mode = choose_mode(ad->cfg.vswap_mode);
	memset(&p, 0, sizeof(p));
	if (param_parse(param_by_name("vswaprate"), ad->cfg.vswap_rate, &p,
	    NULL) == 0)
		default_rate = p.v[P_VSWAPRATE].lim;
	log_info("vswap: %s mode, %llu bytes/s",
	    host_mode == VSWAP_OFF ? "off" : host_mode == VSWAP_RAM ? "ram" :
	    "kernel", (unsigned long long)default_rate);
	return 0;
}

void
vswap_close(void)
{
	for (size_t i = 0; i < ct_count(); i++)
		vswap_stop(ct_nth(i));
}
