/* SPDX-License-Identifier: ISC */
/*
 * Publishing what accountd knows into the shared snapshot file
 * (run_dir/snapshot), which the unprivileged exporters read.  Called at
 * the end of each sampling round: copying a few hundred bytes per
 * container, with no system call.
 *
 * A container that ends (destroyed, or its cgroup removed) leaves the
 * registry at once, but its last counters must still reach the ledger,
 * which reads the snapshot on its own schedule: it stays in the snapshot
 * as a departed record (SNAP_GONE, running 0, its final counters and
 * end time) for SNAP_GONE_ROUNDS rounds and at least GONE_MS.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "admit.h"
#include "bcstore.h"
#include "log.h"
#include "quota.h"
#include "meminfo.h"
#include "publish.h"
#include "snapshot.h"
#include "xalloc.h"

#define GONE_MS		5000

static struct snap_writer w = { .fd = -1 };
static uint64_t rounds, started_ms;

struct departed {
	struct snap_rec	s;
	struct snap_devs dv;
	unsigned	rounds;		/* published this many times */
	uint64_t	until_ms;	/* and kept at least until then */
};
static struct departed *dep;
static size_t ndep;

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
publish_init(void)
{
	_cleanup_free_ char *path = xasprintf("%s/snapshot", ad->cfg.run_dir);
	struct aerr err = { 0 };

	started_ms = wall_ms();
	if (snapw_open(&w, path, &err) < 0) {
		log_warn("snapshot for exporters: %s", err.msg);
		return -1;
	}
	return 0;
}

static void
fill(struct snap_rec *s, struct snap_devs *dv, const struct container *ct)
{
	const struct ct_params *p = ct_effective(ct);
	const struct bc *b = &ct->bc;
	struct vswap_view vs;

	/* the name and cgroup only change when the record moves */
	if (strncmp(s->name, ct->name, sizeof(s->name)) != 0) {
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", ct->name);
	}
	if (strncmp(s->cgroup, ct->cgpath, sizeof(s->cgroup)) != 0)
		snprintf(s->cgroup, sizeof(s->cgroup), "%s", ct->cgpath);
	s->running = ct->running;
	s->origin = (uint32_t)ct->origin;
	s->since_ms = (uint64_t)ct->since * 1000;
	s->cg_gen = ct->bc.gen;
	s->bcid = ct->bcid;
	s->guarantee = params_guarantee_bytes(p);
	s->flags = ct->running && ct->born_ms ? SNAP_BORN : 0;
	s->born_ms = ct->running ? ct->born_ms : 0;
	s->end_ms = 0;
	s->ram = params_ram_bytes(p);
	s->swap = p->v[P_PHYSPAGES].set || p->v[P_SWAPPAGES].set ?
	    params_swap_bytes(p) : VAL_UNLIMITED;
	s->cpuunits = p->v[P_CPUUNITS].set ? p->v[P_CPUUNITS].lim : 0;
	s->cpulimit = p->v[P_CPULIMIT].set ? p->v[P_CPULIMIT].lim : 0;
	s->cpus = p->v[P_CPUS].set ? p->v[P_CPUS].lim : 0;
	s->numproc = p->v[P_NUMPROC].set ? p->v[P_NUMPROC].lim : 0;
	quota_fill(ct, s);	/* the tree has a quota, running or not */
	if (!ct->running) {
		memset(s->row, 0, sizeof(s->row));
		s->present = 0;
		memset(s->unit, 0, sizeof(s->unit));
		return;
	}
	s->present = 0;
	for (int r = 0; r < UB_COUNT; r++) {
		struct ub_row u = bc_public_row(ct, (enum ub_res)r);

		s->row[r].held = u.held;
		s->row[r].maxheld = u.maxheld;
		s->row[r].barrier = u.barrier;
		s->row[r].limit = u.limit;
		s->row[r].failcnt = u.failcnt;
		if (u.present && !ub_is_dummy((enum ub_res)r))
			s->present |= 1u << r;
		s->unit[r] = (uint8_t)ub_unit((enum ub_res)r);
	}
	s->cpu_usage = b->cpu_usage;
	s->cpu_user = b->cpu_user;
	s->cpu_system = b->cpu_system;
	s->nr_periods = b->nr_periods;
	s->nr_throttled = b->nr_throttled;
	s->throttled = b->throttled;
	s->have_psi = b->have_psi;
	memcpy(s->psi_some, b->psi_some, sizeof(s->psi_some));
	memcpy(s->psi_full, b->psi_full, sizeof(s->psi_full));
	s->ndev = (uint32_t)(b->ndev < SNAP_DEVS ? b->ndev : SNAP_DEVS);
	for (uint32_t d = 0; d < s->ndev; d++) {	/* most have none */
		struct snap_dev *o = &dv->dev[d];

		snprintf(o->dev, sizeof(o->dev), "%s", b->dev[d].dev);
		o->rbytes = b->dev[d].rbytes;
		o->wbytes = b->dev[d].wbytes;
		o->rios = b->dev[d].rios;
		o->wios = b->dev[d].wios;
	}
	s->mem_cache = b->mem_cache;
	s->mem_anon = b->mem_anon;
	s->limit_hits = b->limit_hits;
	vswap_view(ct, &vs);
	s->vswap = vs.held;
	s->vswap_in = vs.in;
	s->vswap_out = vs.out;
	s->vswap_slowed = vs.slowed_us;
}

/*
 * The end of a running container: its figures as last read (the caller
 * reads them one last time where the cgroup still exists) are kept as a
 * departed record.  Call before the container is detached.
 */
void
publish_departed(const struct container *ct)
{
	struct departed *d;

	if (!ct->running)
		return;
	dep = xreallocarray(dep, ndep + 1, sizeof(*dep));
	d = &dep[ndep++];
	memset(d, 0, sizeof(*d));
	fill(&d->s, &d->dv, ct);
	d->s.running = 0;
	d->s.flags |= SNAP_GONE;
	d->s.end_ms = wall_ms();
	d->until_ms = d->s.end_ms + GONE_MS;
}

void
publish(void)
{
	struct snap_header *h;
	struct snap_rec *rec;
	struct snap_devs *dv;
	uint32_t n = (uint32_t)ct_count(), k = 0;
	uint64_t now = wall_ms();

	if ((rec = snapw_begin(&w, n + (uint32_t)ndep)) == NULL)
		return;
	dv = snapw_devs(&w);
	for (uint32_t i = 0; i < n; i++)
		fill(&rec[i], &dv[i], ct_nth(i));
	/* departed containers after the registry's (sorted) records */
	for (size_t i = 0; i < ndep; i++) {
		rec[n + i] = dep[i].s;
		if (dep[i].s.ndev > 0)
			dv[n + i] = dep[i].dv;
		if (++dep[i].rounds < SNAP_GONE_ROUNDS || now < dep[i].until_ms)
			dep[k++] = dep[i];
	}
	n += (uint32_t)ndep;
	ndep = k;
	h = w.hdr;
	h->time_ms = now;
	h->interval_ms = ad->cfg.sample_interval;
	h->rounds = ++rounds;
	if (rounds % 60 == 1) {		/* what changes seldom, once a minute */
		const struct kcaps *caps = cg_host();
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		uint64_t ram, reserve, room;

		h->host_ram = caps->host_ram;
		admit_room(&ram, &reserve, &room);
		h->guarantee_room = room;
		h->host_swap = caps->host_swap;
		h->host_cpus = cpus > 0 ? (uint32_t)cpus : 1;
		h->pid = (uint64_t)getpid();
		h->started_ms = started_ms;
		snprintf(h->cgroup_mode, sizeof(h->cgroup_mode), "%s",
		    cg_mode_name(&ad->layout));
		gethostname(h->hostname, sizeof(h->hostname) - 1);
		snprintf(h->version_str, sizeof(h->version_str), "%s",
		    PACKAGE_VERSION);
	}
	snapw_commit(&w, n);
	meminfo_publish();
}

void
publish_close(void)
{
	snapw_close(&w);
	free(dep);
	dep = NULL;
	ndep = 0;
}
