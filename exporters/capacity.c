/* SPDX-License-Identifier: ISC */
/*
 * Host capacity against what the running containers were promised, the
 * arithmetic of vzoversell and vzcpucheck (reference: openvz-semantics
 * section 7), used by `acctctl oversell`, `acctctl cpucheck`, the
 * dashboard and the accountd_host_* metrics alike.
 *
 *   RAM	allocated = sum of physpages limits (bytes) of running containers
 *		that have one; a container without a RAM limit is flagged U
 *		and left out of the allocated sum (it has no promise to
 *		count), but its use and peak are counted.
 *   Swap	the same with swappages; no swap limit is flagged S.
 *   oversell	allocated / available, in percent.
 *   Guarantee	sum of memguarantee (bytes) of running containers against
 *		host RAM minus guarantee_reserve, what accountd admits.
 *   CPU	"utilization" = sum of cpuunits (unset counts as the default
 *		1000), "power of the node" = bogomips x 25 as vzcpucheck
 *		computes it; the CPU limit committed = sum of min(cpulimit,
 *		cpus x 100) in percent of one CPU, against cpus x 100.
 *
 * Integer arithmetic with saturation; percentages are computed only for
 * display.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"

uint64_t
capacity_cpulimit(const struct snap_ct *c)
{
	uint64_t lim = c->cpulimit, cpus = c->cpus;

	if (cpus > 0 && cpus < UINT64_MAX / 100) {
		if (lim == 0 || lim > cpus * 100)
			lim = cpus * 100;
	}
	return lim;
}

void
capacity_compute(const struct snap_header *h, const struct snap_ct *cts,
    size_t n, struct capacity *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->ram = h->host_ram;
	cap->swap = h->host_swap;
	cap->cpus = h->host_cpus ? h->host_cpus : 1;
	cap->guarantee_room = h->guarantee_room;
	for (size_t i = 0; i < n; i++) {
		const struct snap_ct *c = &cts[i];
		const struct snap_row *ram = &c->row[UB_PHYSPAGES];
		const struct snap_row *swap = &c->row[UB_SWAPPAGES];
		uint64_t lim;

		if (!c->running) {
			cap->stopped++;
			continue;
		}
		cap->running++;
		cap->guarantee = sat_add(cap->guarantee, c->guarantee);
		if (ram->present) {
			cap->ram_held = sat_add(cap->ram_held,
			    snap_value(ram, ram->held));
			cap->ram_maxheld = sat_add(cap->ram_maxheld,
			    snap_value(ram, ram->maxheld));
			cap->ram_failcnt = sat_add(cap->ram_failcnt, ram->failcnt);
		}
		lim = ram->present ? snap_value(ram, ram->limit) : VAL_UNLIMITED;
		if (lim == 0 || sv_unlimited(lim))
			cap->ram_unlimited++;
		else
			cap->ram_limit = sat_add(cap->ram_limit, lim);
		if (swap->present) {
			cap->swap_held = sat_add(cap->swap_held,
			    snap_value(swap, swap->held));
			cap->swap_maxheld = sat_add(cap->swap_maxheld,
			    snap_value(swap, swap->maxheld));
			cap->swap_failcnt = sat_add(cap->swap_failcnt,
			    swap->failcnt);
		}
		lim = swap->present ? snap_value(swap, swap->limit) : VAL_UNLIMITED;
		if (sv_unlimited(lim))
			cap->swap_unlimited++;
		else
			cap->swap_limit = sat_add(cap->swap_limit, lim);
		cap->cpuunits = sat_add(cap->cpuunits,
		    c->cpuunits ? c->cpuunits : 1000);
		lim = capacity_cpulimit(c);
		if (lim == 0)
			cap->cpu_unlimited++;
		else
			cap->cpulimit_pct = sat_add(cap->cpulimit_pct, lim);
	}
}

void
capacity_flags(const struct snap_ct *c, char *buf, size_t len)
{
	const struct snap_row *ram = &c->row[UB_PHYSPAGES];
	const struct snap_row *swap = &c->row[UB_SWAPPAGES];
	uint64_t lim = ram->present ? snap_value(ram, ram->limit) : VAL_UNLIMITED;
	bool other = false;
	size_t k = 0;

	if (len == 0)
		return;
	if ((lim == 0 || sv_unlimited(lim)) && k + 1 < len)
		buf[k++] = 'U';
	if ((!swap->present || sv_unlimited(swap->limit)) && k + 1 < len)
		buf[k++] = 'S';
	if (ram->present && ram->failcnt > 0 && k + 1 < len)
		buf[k++] = 'f';
	for (int r = 0; r < SNAP_ROWS; r++)
		if (r != UB_PHYSPAGES && c->row[r].present &&
		    c->row[r].failcnt > 0)
			other = true;
	if (other && k + 1 < len)
		buf[k++] = 'F';
	buf[k] = '\0';
}

uint64_t
capacity_power(const char *cpuinfo)
{
	const char *p = cpuinfo;
	double sum = 0;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');

		if (strncasecmp(p, "bogomips", 8) == 0) {
			const char *colon = strchr(p, ':');

			if (colon != NULL && (nl == NULL || colon < nl)) {
				double v = strtod(colon + 1, NULL);

				if (v > 0 && v < 1e9)
					sum += v;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return (uint64_t)(sum * 25);
}

double
capacity_pct(uint64_t a, uint64_t b)
{
	return b == 0 ? 0 : (double)a * 100.0 / (double)b;
}
