/* SPDX-License-Identifier: ISC */
/*
 * Folding snapshot rounds into interval records: pure code, no I/O.
 *
 * Cumulative counters (CPU time, I/O bytes and operations, failcnt) are
 * billed by their increase.  The delta between two looks is
 *
 *	cur - last	when the counter did not go back and the container
 *			was not restarted in between,
 *	cur		otherwise: a new cgroup counts from zero, so all of
 *			cur is new usage.
 *
 * "Restarted" means its since_ms changed to a time well after accountd's
 * own start: accountd sets since_ms when it first sees a container
 * running, so after a daemon restart every container it adopts gets a new
 * since_ms close to the daemon's start although its cgroup (and counters)
 * lived on; those are not resets.  A container whose cgroup identity
 * (snapshot cg_gen, the inode of its folder) changed was restarted,
 * whenever that happened: a cgroup made again while accountd or the
 * writer was down is a reset although its new counters may already be
 * above the old ones.  failcnt rows are kept monotonic by
 * accountd across cgroup re-creation, so only a decrease resets them.
 *
 * A container seen for the first time (no last-seen counters in the
 * ledger) counts its whole counters when it started while accountd was
 * running: its since_ms is well after accountd's start, or the writer
 * had already seen a round of this accountd run without it (`fresh`: it
 * appeared under the writer's eyes, however soon after accountd's start).
 * One that was already there when accountd started, or that started
 * before the ledger file was made (a ledger set up on a busy host), is
 * taken as a baseline: what it used before the ledger knew it is not
 * billed.
 *
 * A container whose birth accountd saw (SNAP_BORN: its cgroup was made
 * under accountd's eyes at born_ms) counts from 0 whatever the rules
 * above say of a first sight: its counters started at 0 then.  Only a
 * ledger made after that birth takes it as a baseline.
 *
 * A departed container (SNAP_GONE) carries its last read and end time:
 * it is folded like a round at end_ms, which ends it.  The record stays
 * in the snapshot for some rounds; its later copies are older than the
 * last look and change nothing.  The caller folds departed records
 * before running ones, so that a new incarnation under the same name,
 * in the same snapshot, comes after the end of the old one.
 *
 * Gauges (RAM, swap, disk held) are integrated sample by sample: held at
 * the sample times the time since the previous sample, that time capped
 * at LEDGER_GAP_MS (a longer gap means accountd or the ledger was not
 * running: what happened then is not known and not billed).  A born
 * container's first sample also counts the time since its birth; a
 * departed one's last stretch is counted at the RAM held at the sample
 * before (its end read comes after its processes left).
 */
#include "config.h"

#include <string.h>

#include "ledger.h"
#include "ubc.h"

static uint64_t
bytes_of(const struct snap_row *r)
{
	return r->present ? snap_value(r, r->held) : 0;
}

static uint64_t
limit_of(uint64_t v)
{
	return v >= (uint64_t)INT64_MAX ? 0 : v;
}

uint64_t
lg_delta(uint64_t cur, uint64_t last, bool reset)
{
	return reset || cur < last ? cur : cur - last;
}

void
lg_take(struct lg_ct *ct, const struct snap_ct *s, struct lg_counters *c)
{
	const struct snap_row *ram = &s->row[UB_PHYSPAGES];

	(void)ct;
	memset(c, 0, sizeof(*c));
	c->since_ms = s->since_ms;
	c->gen = s->cg_gen;
	c->cpu_usec = s->cpu_usage;
	for (uint32_t i = 0; i < s->ndev && i < SNAP_DEVS; i++) {
		c->io_rbytes += s->dev[i].rbytes;
		c->io_wbytes += s->dev[i].wbytes;
		c->io_rios += s->dev[i].rios;
		c->io_wios += s->dev[i].wios;
	}
	for (int r = 0; r < SNAP_ROWS; r++)
		if (s->row[r].present)
			c->failcnt += s->row[r].failcnt;
	if (ram->present)
		c->ram_maxheld = snap_value(ram, ram->maxheld);
	c->ram_held = bytes_of(ram);
	c->swap_held = bytes_of(&s->row[UB_SWAPPAGES]);
}

void
lg_reset_usage(struct lg_usage *u, int64_t start)
{
	memset(u, 0, sizeof(*u));
	u->start = start;
}

static void
add_counters(struct lg_usage *u, const struct lg_counters *now,
    const struct lg_counters *last, bool reset)
{
	u->cpu_usec += lg_delta(now->cpu_usec, last->cpu_usec, reset);
	u->io_rbytes += lg_delta(now->io_rbytes, last->io_rbytes, reset);
	u->io_wbytes += lg_delta(now->io_wbytes, last->io_wbytes, reset);
	u->io_rios += lg_delta(now->io_rios, last->io_rios, reset);
	u->io_wios += lg_delta(now->io_wios, last->io_wios, reset);
	u->failcnt += lg_delta(now->failcnt, last->failcnt, false);
}

static uint64_t
capped(uint64_t dt)
{
	return dt > LEDGER_GAP_MS ? LEDGER_GAP_MS : dt;
}

/*
 * One round of a running container, or the end of a departed one.  The
 * caller skips the other records that are not running (their counters
 * in the snapshot are stale).
 */
void
lg_fold(struct lg_ct *ct, const struct snap_header *h,
    const struct snap_ct *s, bool fresh)
{
	static const struct lg_counters zero;
	struct lg_usage *u = &ct->cur;
	struct lg_counters now;
	bool adopted = s->since_ms <= h->started_ms + LEDGER_ADOPT_MS;
	bool gone = (s->flags & SNAP_GONE) != 0;
	bool born = (s->flags & SNAP_BORN) && s->born_ms != 0 &&
	    s->born_ms >= ct->not_before_ms;
	uint64_t dt = 0, ram, swap, lim;

	lg_take(ct, s, &now);
	now.time_ms = gone && s->end_ms != 0 ? s->end_ms : h->time_ms;
	ram = now.ram_held;
	swap = now.swap_held;
	if (!ct->have_last) {
		if (born || ((!adopted || fresh) &&
		    now.since_ms >= ct->not_before_ms))
			add_counters(u, &now, &zero, true);
		if (born && now.time_ms > s->born_ms)
			dt = capped(now.time_ms - s->born_ms);
	} else {
		bool restarted;

		if (now.time_ms <= ct->last.time_ms)
			return;		/* the same round, or the clock went back */
		restarted = (now.since_ms != ct->last.since_ms && !adopted) ||
		    (now.gen != 0 && ct->last.gen != 0 &&
		    now.gen != ct->last.gen);
		add_counters(u, &now, &ct->last, restarted);
		dt = capped(now.time_ms - ct->last.time_ms);
		/* reborn since the last look: from its birth */
		if (restarted && born && s->born_ms > ct->last.time_ms &&
		    now.time_ms > s->born_ms)
			dt = capped(now.time_ms - s->born_ms);
		/* the stretch up to the end: held until the last process
		 * left, which the sample before saw better than the end
		 * read (after it); the larger of the two */
		if (gone && !restarted) {
			ram = ct->last.ram_held > ram ? ct->last.ram_held : ram;
			swap = ct->last.swap_held > swap ? ct->last.swap_held :
			    swap;
		}
		/* maxheld grew since the last look: that was this
		 * interval's peak, even if no sample caught it */
		if (!restarted && now.ram_maxheld > ct->last.ram_maxheld &&
		    now.ram_maxheld > u->ram_peak)
			u->ram_peak = now.ram_maxheld;
	}
	lim = limit_of(s->ram);
	u->ram_bms += (unsigned __int128)ram * dt;
	u->ram_limit_bms += (unsigned __int128)(lim ? lim : ram) * dt;
	u->ram_alloc_bms += (unsigned __int128)(lim > ram ? lim : ram) * dt;
	u->swap_bms += (unsigned __int128)swap * dt;
	if (ram > u->ram_peak)
		u->ram_peak = ram;
	if (swap > u->swap_peak)
		u->swap_peak = swap;
	if (s->have_quota) {
		u->have_disk = true;
		u->disk_bms += (unsigned __int128)s->disk_held * dt;
		if (s->disk_held > u->disk_peak)
			u->disk_peak = s->disk_held;
		u->disk_soft = limit_of(s->disk_soft);
		u->disk_hard = limit_of(s->disk_hard);
	}
	u->covered_ms += dt;
	u->ram_limit = lim;
	u->swap_limit = limit_of(s->swap);
	u->cpulimit = s->cpulimit;
	u->cpus = s->cpus;
	u->numproc = limit_of(s->numproc);
	ct->last = now;
	ct->have_last = true;
	ct->dirty = true;
	snprintf(ct->cgroup, sizeof(ct->cgroup), "%s", s->cgroup);
}
