/* SPDX-License-Identifier: ISC */
/* Memory guarantee admission: see admit.h. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "admit.h"
#include "cgroup.h"
#include "log.h"
#include "params.h"

static bool armed;

void
admit_arm(void)
{
	armed = true;
}

bool
admit_armed(void)
{
	return armed;
}

void
admit_room(uint64_t *host, uint64_t *reserve, uint64_t *room)
{
	const struct kcaps *caps = cg_host();
	struct ct_params p;
	uint64_t res;

	memset(&p, 0, sizeof(p));
	/* the same syntax as memguarantee: N% (of host RAM) or bytes;
	 * config_check refused anything else */
	if (param_parse(param_by_name("memguarantee"), ad->cfg.guarantee_reserve,
	    &p, NULL) < 0)
		res = 0;
	else if (p.v[P_MEMGUARANTEE].kind == VK_PERCENT)
		res = (uint64_t)((unsigned __int128)caps->host_ram *
		    p.v[P_MEMGUARANTEE].lim / 100);
	else
		res = p.v[P_MEMGUARANTEE].kind == VK_AUTO ? 0 :
		    p.v[P_MEMGUARANTEE].lim;
	*host = caps->host_ram;
	*reserve = res;
	*room = res < caps->host_ram ? caps->host_ram - res : 0;
}

uint64_t
admit_committed(const struct container *except, unsigned *n)
{
	uint64_t sum = 0;

	*n = 0;
	for (size_t i = 0; i < ct_count(); i++) {
		const struct container *c = ct_nth(i);
		uint64_t g;

		if (c == except || !c->running ||
		    (g = params_guarantee_bytes(ct_live(c))) == 0)
			continue;
		sum = sat_add(sum, g);
		(*n)++;
	}
	return sum;
}

int
admit_check(const char *name, const struct container *ct,
    const struct ct_params *p, bool force, struct aerr *err)
{
	uint64_t add = params_guarantee_bytes(p), host, reserve, room, have;
	char a[32], h[32], c[32], r[32], m[32], t[32];
	unsigned n;

	if (add == 0)
		return 0;
	have = admit_committed(ct, &n);
	admit_room(&host, &reserve, &room);
	if (sat_add(have, add) <= room)
		return 0;
	fmt_bytes(add, a, sizeof(a));
	fmt_bytes(have, c, sizeof(c));
	fmt_bytes(sat_add(have, add), t, sizeof(t));
	fmt_bytes(room, m, sizeof(m));
	fmt_bytes(host, h, sizeof(h));
	fmt_bytes(reserve, r, sizeof(r));
	if (force) {
		log_warn("%s: memguarantee %s admitted by --force: running "
		    "containers are now guaranteed %s (%s before, in %u), above "
		    "the %s the host holds for them (%s RAM minus "
		    "guarantee_reserve %s)", name, a, t, c, n, m, h, r);
		return 0;
	}
	return aerr_set(err, ENOSPC, "%s: memguarantee %s refused: it would "
	    "bring the guarantees of running containers to %s (%s now, in %u), "
	    "above the %s the host holds for them (%s RAM minus "
	    "guarantee_reserve %s); --force admits it anyway", name, a, t, c, n,
	    m, h, r);
}
