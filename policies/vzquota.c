/* SPDX-License-Identifier: ISC */
/* Disk quota grace state machine and vzquota stat layout: see vzquota.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vzquota.h"

#define QUOTA_EXPTIME	259200	/* vzctl's default quotatime, 3 days */

static bool
soft_applies(const struct quota_res *r)
{
	return r->soft != VAL_UNLIMITED && r->soft < r->hard;
}

uint64_t
quota_grace_step(struct quota_res *r, uint64_t now_ms, uint64_t quotatime_s)
{
	if (!soft_applies(r) || r->usage <= r->soft) {
		r->grace_end_ms = 0;
		if (soft_applies(r) && quotatime_s == 0)
			return r->soft;
		return r->hard;
	}
	if (r->grace_end_ms == 0)
		r->grace_end_ms = sat_add(now_ms, sat_mul(quotatime_s, 1000));
	if (now_ms >= r->grace_end_ms)
		return r->soft;
	return r->hard;
}

enum quota_state
quota_res_state(const struct quota_res *r, uint64_t now_ms)
{
	if (r->soft == VAL_UNLIMITED && r->hard == VAL_UNLIMITED)
		return QS_OFF;
	if (r->grace_end_ms == 0 || !soft_applies(r) || r->usage <= r->soft)
		return QS_UNDER;
	return now_ms >= r->grace_end_ms ? QS_EXPIRED : QS_GRACE;
}

const char *
quota_state_name(enum quota_state s)
{
	static const char *const n[] = { "off", "under", "grace", "expired" };

	return n[s];
}

static void
limits_of(const struct pval *v, uint64_t mult, struct quota_res *r)
{
	memset(r, 0, sizeof(*r));
	r->soft = r->hard = VAL_UNLIMITED;
	if (!v->set)
		return;
	if (v->bar != VAL_UNLIMITED)
		r->soft = sat_mul(v->bar, mult);
	if (v->lim != VAL_UNLIMITED)
		r->hard = sat_mul(v->lim, mult);
	if (r->soft > r->hard)
		r->soft = r->hard;
}

void
quota_limits(const struct ct_params *p, struct quota_res *blocks,
    struct quota_res *inodes, uint64_t *quotatime_s)
{
	limits_of(&p->v[P_DISKSPACE], 1024, blocks);
	limits_of(&p->v[P_DISKINODES], 1, inodes);
	*quotatime_s = p->v[P_QUOTATIME].set ? p->v[P_QUOTATIME].lim :
	    QUOTA_EXPTIME;
}

bool
quota_wanted(const struct ct_params *p)
{
	struct quota_res b, i;
	uint64_t qt;

	quota_limits(p, &b, &i, &qt);
	return b.hard != VAL_UNLIMITED || b.soft != VAL_UNLIMITED ||
	    i.hard != VAL_UNLIMITED || i.soft != VAL_UNLIMITED;
}

void
quota_time2str(uint64_t secs, char *buf, size_t len)
{
	uint64_t min = (secs + 59) / 60;

	if (secs >= 86400)
		snprintf(buf, len, "%lludays",
		    (unsigned long long)((secs + 43200) / 86400));
	else
		snprintf(buf, len, "%02llu:%02llu",
		    (unsigned long long)(min / 60),
		    (unsigned long long)(min % 60));
}

static void
fmt_num(uint64_t v, char *buf, size_t len)
{
	if (v == VAL_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void
stat_line(const char *name, const struct quota_res *r, uint64_t div,
    uint64_t now_ms, struct sbuf *out)
{
	char s[24], h[24], g[16] = "";
	uint64_t use = (r->usage + div - 1) / div;
	bool over = (r->soft != VAL_UNLIMITED && r->usage > r->soft) ||
	    (r->hard != VAL_UNLIMITED && r->usage > r->hard);

	fmt_num(r->soft == VAL_UNLIMITED ? r->soft : r->soft / div, s,
	    sizeof(s));
	fmt_num(r->hard == VAL_UNLIMITED ? r->hard : r->hard / div, h,
	    sizeof(h));
	switch (quota_res_state(r, now_ms)) {
	case QS_GRACE:
		quota_time2str((r->grace_end_ms - now_ms + 999) / 1000, g,
		    sizeof(g));
		break;
	case QS_EXPIRED:
		snprintf(g, sizeof(g), "none");
		break;
	default:
		break;
	}
	sbuf_printf(out, "%11s %14llu%c %14s %14s %8s\n", name,
	    (unsigned long long)use, over ? '*' : ' ', s, h, g);
}

static void
ugid_line(const struct quota_ugid *u, const char *res, uint64_t used,
    uint64_t soft, uint64_t hard, uint64_t t, uint64_t now_s,
    struct sbuf *out)
{
	char g[16] = "";

	if (t != 0 && soft != 0 && used > soft) {
		if (t > now_s)
			quota_time2str(t - now_s, g, sizeof(g));
		else
			snprintf(g, sizeof(g), "none");
	}
	sbuf_printf(out, "%-7u %5s %10s %10llu%c %10llu %10llu %8s %s\n",
	    u->id, u->group ? "group" : "user", res,
	    (unsigned long long)used, (soft && used > soft) ||
	    (hard && used > hard) ? '*' : ' ', (unsigned long long)soft,
	    (unsigned long long)hard, g, "loaded");
}

void
quota_ugid_format(const struct quota_ugid_info *in,
    const struct quota_ugid *u, size_t n, uint64_t now_s, struct sbuf *out)
{
	static const char *const types[2] = { "user", "group" };
	char b[16], i[16];

	sbuf_printf(out, "User/group quota: %s\n", in->on ? "on,active" :
	    "off,inactive");
	sbuf_printf(out, "Ugids: loaded %zu, total %zu, limit %llu\n", n, n,
	    (unsigned long long)in->limit);
	sbuf_printf(out, "Ugid limit was exceeded: %s\n",
	    in->on && n > in->limit ? "yes" : "no");
	sbuf_printf(out, "\nUser/group grace times and quotafile flags:\n");
	sbuf_printf(out, "%7s %14s %14s %10s\n", "type", "block_exp_time",
	    "inode_exp_time", "dqi_flags");
	for (int t = 0; t < 2; t++) {
		quota_time2str(in->bgrace[t], b, sizeof(b));
		quota_time2str(in->igrace[t], i, sizeof(i));
		sbuf_printf(out, "%7s %14s %14s %10s\n", types[t], b, i, "0h");
	}
	sbuf_printf(out, "\nUser/group objects:\n");
	sbuf_printf(out, "%-7s %5s %10s %10s  %10s %10s %8s %s\n", "ID", "type",
	    "resource", "usage", "softlimit", "hardlimit", "grace", "status");
	for (size_t k = 0; k < n; k++) {
		ugid_line(&u[k], "1k-blocks", (u[k].bused + 1023) / 1024,
		    u[k].bsoft / 1024, u[k].bhard / 1024, u[k].btime, now_s,
		    out);
		ugid_line(&u[k], "inodes", u[k].iused, u[k].isoft, u[k].ihard,
		    u[k].itime, now_s, out);
	}
}

void
quota_stat_format(const struct quota_res *blocks,
    const struct quota_res *inodes, uint64_t now_ms, struct sbuf *out)
{
	sbuf_printf(out, "%11s %14s  %14s %14s %8s\n", "resource", "usage",
	    "softlimit", "hardlimit", "grace");
	stat_line("1k-blocks", blocks, 1024, now_ms, out);
	stat_line("inodes", inodes, 1, now_ms, out);
}
