/* SPDX-License-Identifier: ISC */
/*
 * Validation of a container's whole parameter set, in the spirit of
 * vzcfgvalidate: what can never work is an error (nothing is applied);
 * what is merely odd is a warning, printed and applied.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

int
params_validate(const struct ct_params *p, const struct kcaps *caps,
    struct sbuf *warn, struct aerr *err)
{
	uint64_t ram = params_ram_bytes(p);
	char a[32], b[32];
	unsigned i;

	for (i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		const struct pval *v = &p->v[i];

		if (!v->set || d->kind != PK_PAIR)
			continue;
		if (v->bar > v->lim) {
			char val[80];

			param_format(d, p, val, sizeof(val));
			return aerr_set(err, EINVAL, "barrier above limit for "
			    "--%s: %s (the barrier must not exceed the limit)",
			    d->name, val);
		}
		if ((d->flags & PF_BAREQLIM) && v->bar != v->lim && warn)
			sbuf_printf(warn, "%s: barrier and limit differ; only "
			    "the limit is used\n", d->name);
	}
	if (p->v[P_SWAPPAGES].set && !p->v[P_PHYSPAGES].set)
		return aerr_set(err, EINVAL, "--swap needs --ram: swap is a limit "
		    "on top of RAM, set both (or physpages and swappages)");
	if (p->v[P_PHYSPAGES].set && p->v[P_PHYSPAGES].lim == 0)
		return aerr_set(err, EINVAL, "--ram 0 would leave the container no "
		    "memory at all (accepted: a size such as 256M, or unlimited)");
	/* as for ram: OpenVZ gives 0 no meaning of "none", and pids.max 0
	 * would refuse the container its first process */
	if (p->v[P_NUMPROC].set && p->v[P_NUMPROC].lim == 0)
		return aerr_set(err, EINVAL, "--numproc 0 would leave the "
		    "container no process at all (accepted: a count of 1 or "
		    "more, or unlimited)");
	if (p->v[P_MEMGUARANTEE].set) {
		const struct pval *g = &p->v[P_MEMGUARANTEE];

		if (g->kind == VK_PERCENT && g->lim > 0 && ram >= VAL_UNLIMITED)
			return aerr_set(err, EINVAL, "--memguarantee %llu%% needs "
			    "a ram limit to be a percentage of (set --ram, or give "
			    "bytes)", (unsigned long long)g->lim);
		if (g->kind == VK_NUM && g->lim > ram && warn) {
			fmt_bytes(g->lim, a, sizeof(a));
			fmt_bytes(ram, b, sizeof(b));
			sbuf_printf(warn, "memguarantee %s is above ram %s\n", a, b);
		}
	}
	if (p->v[P_IOLIMIT].set && p->v[P_IOLIMIT].lim > 0 &&
	    p->v[P_IOLIMIT].lim < 65536 && warn)
		sbuf_printf(warn, "iolimit %llu is %llu bytes/s (vzctl 4 took a "
		    "bare number as MB/s; write %lluM for that)\n",
		    (unsigned long long)p->v[P_IOLIMIT].lim,
		    (unsigned long long)p->v[P_IOLIMIT].lim,
		    (unsigned long long)p->v[P_IOLIMIT].lim);
	if (caps == NULL || warn == NULL)
		return 0;
	if (ram < VAL_UNLIMITED && caps->host_ram && ram > caps->host_ram) {
		fmt_bytes(ram, a, sizeof(a));
		fmt_bytes(caps->host_ram, b, sizeof(b));
		sbuf_printf(warn, "ram %s is above the host's RAM (%s)\n", a, b);
	}
	if (p->v[P_CPULIMIT].set && caps->ncpus &&
	    p->v[P_CPULIMIT].lim > (uint64_t)caps->ncpus * 100)
		sbuf_printf(warn, "cpulimit %llu%% is more than the host's %u "
		    "CPUs (%u%%)\n", (unsigned long long)p->v[P_CPULIMIT].lim,
		    caps->ncpus, caps->ncpus * 100);
	if (p->v[P_CPUS].set && caps->ncpus &&
	    p->v[P_CPUS].lim > caps->ncpus)
		sbuf_printf(warn, "cpus %llu is more than the host's %u CPUs\n",
		    (unsigned long long)p->v[P_CPUS].lim, caps->ncpus);
	return 0;
}
