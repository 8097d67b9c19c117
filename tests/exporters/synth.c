/* SPDX-License-Identifier: ISC */
/* Synthetic snapshots: see synth.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "params.h"
#include "synth.h"
#include "ubc.h"

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

void
synth_header(struct snap_header *h, uint32_t n, int v2)
{
	memset(h, 0, sizeof(*h));
	h->magic = SNAP_MAGIC;
	h->version = SNAP_VERSION;
	h->record_size = sizeof(struct snap_rec);
	h->capacity = n;
	h->ncts = n;
	h->host_cpus = 16;
	h->time_ms = 1795000000000ull;
	h->interval_ms = 1000;
	h->rounds = 1;
	h->host_ram = 64ull << 30;
	h->host_swap = 8ull << 30;
	h->pid = 1;
	h->started_ms = 1794999000000ull;
	snprintf(h->cgroup_mode, sizeof(h->cgroup_mode), "%s", v2 ? "v2" : "v1");
	snprintf(h->hostname, sizeof(h->hostname), "synth");
	snprintf(h->version_str, sizeof(h->version_str), "0.1.0");
}

static void
row(struct snap_row *r, uint64_t held, uint64_t bar, uint64_t lim,
    uint64_t fail, enum ub_unit unit)
{
	r->held = held;
	r->maxheld = held + held / 4;
	r->barrier = bar;
	r->limit = lim;
	r->failcnt = fail;
	r->present = 1;
	r->unit = unit;
}

void
synth_ct(struct snap_ct *c, uint32_t i, uint32_t seed, int v2)
{
	uint32_t s = (seed ^ (i * 2654435761u)) | 1;
	uint64_t ram = (128ull << 20) << (rnd(&s) % 6);	/* 128M .. 4G */
	uint64_t pages = ram / ACCT_PAGE_SIZE;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "ct%05u", i);
	snprintf(c->cgroup, sizeof(c->cgroup), "accountd/ct%05u", i);
	c->running = i % 10 != 9;
	c->since_ms = 1794999500000ull;
	c->ram = ram;
	c->swap = ram / 2;
	c->cpuunits = 1000;
	c->cpulimit = i % 3 ? 100 : 0;
	c->cpus = i % 4 ? 0 : 2;
	c->numproc = 256;
	if (!c->running)
		return;
	row(&c->row[UB_PHYSPAGES], rnd(&s) % pages, 0, pages,
	    rnd(&s) % 7 == 0 ? rnd(&s) % 50 : 0, UBU_PAGES);
	row(&c->row[UB_SWAPPAGES], rnd(&s) % (pages / 8 + 1), 0, pages / 2, 0,
	    UBU_PAGES);
	row(&c->row[UB_OOMGUARPAGES], c->row[UB_PHYSPAGES].held, pages,
	    VAL_UNLIMITED, rnd(&s) % 20 == 0, UBU_PAGES);
	row(&c->row[UB_NUMPROC], 1 + rnd(&s) % 200, 256, 256,
	    rnd(&s) % 11 == 0 ? rnd(&s) % 100 : 0, UBU_ITEMS);
	row(&c->row[UB_KMEMSIZE], rnd(&s) % (64u << 20), VAL_UNLIMITED,
	    VAL_UNLIMITED, 0, UBU_BYTES);
	row(&c->row[UB_TCPSNDBUF], rnd(&s) % (1u << 20), VAL_UNLIMITED,
	    VAL_UNLIMITED, 0, UBU_BYTES);
	row(&c->row[UB_SHMPAGES], rnd(&s) % 1024, VAL_UNLIMITED, VAL_UNLIMITED,
	    0, UBU_PAGES);
	row(&c->row[UB_LOCKEDPAGES], 0, VAL_UNLIMITED, VAL_UNLIMITED, 0,
	    UBU_PAGES);
	if (v2)
		row(&c->row[UB_DCACHESIZE], rnd(&s) % (16u << 20),
		    VAL_UNLIMITED, VAL_UNLIMITED, 0, UBU_BYTES);
	c->cpu_usage = (uint64_t)rnd(&s) * 1000 + 123456;
	if (v2) {
		c->cpu_user = c->cpu_usage / 3 * 2;
		c->cpu_system = c->cpu_usage - c->cpu_user;
		c->have_psi = 1;
		for (int k = 0; k < 3; k++) {
			c->psi_some[k] = rnd(&s) % 100000000;
			c->psi_full[k] = c->psi_some[k] / 2;
		}
		c->limit_hits = rnd(&s) % 5;
	}
	if (i % 3 == 0) {		/* a disk quota on every third */
		c->have_quota = 1;
		c->quota_flags = 1;
		c->disk_soft = 10ull << 30;
		c->disk_hard = 11ull << 30;
		c->disk_held = (uint64_t)rnd(&s) * 1024;
		c->inodes_soft = 200000;
		c->inodes_hard = VAL_UNLIMITED;
		c->inodes_held = rnd(&s) % 200000;
		c->disk_failcnt = rnd(&s) % 3;
	}
	if (c->cpulimit) {
		c->nr_periods = rnd(&s) % 1000000;
		c->nr_throttled = c->nr_periods / 10;
		c->throttled = (uint64_t)rnd(&s) * 10;
	}
	c->ndev = 2;
	snprintf(c->dev[0].dev, sizeof(c->dev[0].dev), "8:0");
	snprintf(c->dev[1].dev, sizeof(c->dev[1].dev), "254:0");
	for (int d = 0; d < 2; d++) {
		c->dev[d].rbytes = (uint64_t)rnd(&s) * 4096;
		c->dev[d].wbytes = (uint64_t)rnd(&s) * 4096;
		c->dev[d].rios = rnd(&s);
		c->dev[d].wios = rnd(&s);
	}
	c->mem_cache = rnd(&s) % (ram / 2 + 1);
	c->mem_anon = c->row[UB_PHYSPAGES].held * ACCT_PAGE_SIZE / 2;
}
