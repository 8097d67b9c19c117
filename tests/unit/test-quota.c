/* SPDX-License-Identifier: ISC */
/*
 * The disk quota models (policies/vzquota.c): the grace state machine step
 * by step, the limits taken from the parameters, and the vzquota stat
 * layout against tests/unit/quota-stat.golden.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vzquota.h"
#include "../tap.h"

#define U	VAL_UNLIMITED
#define KB(n)	((uint64_t)(n) * 1024)

static void
grace(void)
{
	struct quota_res r = { .soft = KB(100), .hard = KB(120) };
	uint64_t lim;

	r.usage = KB(50);
	lim = quota_grace_step(&r, 1000, 60);
	is_u64(lim, KB(120), "under soft: hard limit enforced");
	is_u64(r.grace_end_ms, 0, "under soft: no grace");
	ok(quota_res_state(&r, 1000) == QS_UNDER, "state under");

	r.usage = KB(110);
	lim = quota_grace_step(&r, 2000, 60);
	is_u64(lim, KB(120), "over soft: hard still the limit");
	is_u64(r.grace_end_ms, 62000, "grace ends quotatime after first seen");
	ok(quota_res_state(&r, 2000) == QS_GRACE, "state grace");
	lim = quota_grace_step(&r, 30000, 60);
	is_u64(r.grace_end_ms, 62000, "grace end does not move");
	is_u64(lim, KB(120), "within grace: hard");
	lim = quota_grace_step(&r, 62000, 60);
	is_u64(lim, KB(100), "grace over: soft acts as hard");
	ok(quota_res_state(&r, 62000) == QS_EXPIRED, "state expired");

	r.usage = KB(90);
	lim = quota_grace_step(&r, 70000, 60);
	is_u64(lim, KB(120), "back under soft: hard again");
	is_u64(r.grace_end_ms, 0, "back under soft: grace reset");
	r.usage = KB(101);
	(void)quota_grace_step(&r, 80000, 60);
	is_u64(r.grace_end_ms, 140000, "a new excursion gets a new grace");

	/* quotatime 0: no grace */
	memset(&r, 0, sizeof(r));
	r.soft = KB(100), r.hard = KB(120), r.usage = KB(10);
	is_u64(quota_grace_step(&r, 5, 0), KB(100),
	    "quotatime 0: soft enforced at once");
	/* soft == hard or unlimited soft: nothing to wait for */
	r.soft = r.hard = KB(100), r.usage = KB(200);
	is_u64(quota_grace_step(&r, 5, 60), KB(100), "soft == hard: hard");
	is_u64(r.grace_end_ms, 0, "soft == hard: no grace");
	r.soft = U, r.hard = U;
	is_u64(quota_grace_step(&r, 5, 60), U, "unlimited stays unlimited");
	ok(quota_res_state(&r, 5) == QS_OFF, "state off");
	/* saturation */
	r.soft = 1, r.hard = 2, r.usage = 2, r.grace_end_ms = 0;
	(void)quota_grace_step(&r, U - 5, U);
	is_u64(r.grace_end_ms, U, "grace end saturates");
}

static void
limits(void)
{
	struct ct_params p;
	struct quota_res b, i;
	struct aerr err = { 0 };
	uint64_t qt;

	memset(&p, 0, sizeof(p));
	ok(!quota_wanted(&p), "nothing set: no quota");
	quota_limits(&p, &b, &i, &qt);
	is_u64(qt, 259200, "quotatime unset: QUOTA_EXPTIME, 3 days");
	ok(param_parse(param_by_name("diskspace"), "10G:11G", &p, &err) == 0,
	    "diskspace 10G:11G parses");
	ok(param_parse(param_by_name("diskinodes"), "200000:220000", &p,
	    &err) == 0, "diskinodes parses");
	ok(param_parse(param_by_name("quotatime"), "3600", &p, &err) == 0,
	    "quotatime parses");
	quota_limits(&p, &b, &i, &qt);
	is_u64(b.soft, 10ull << 30, "10G soft in bytes");
	is_u64(b.hard, 11ull << 30, "11G hard in bytes");
	is_u64(i.soft, 200000, "inode soft");
	is_u64(i.hard, 220000, "inode hard");
	is_u64(qt, 3600, "quotatime");
	ok(quota_wanted(&p), "quota wanted");
	ok(param_parse(param_by_name("diskspace"), "unlimited", &p, &err) == 0 &&
	    param_parse(param_by_name("diskinodes"), "unlimited", &p, &err) == 0,
	    "unlimited accepted");
	ok(!quota_wanted(&p), "unlimited: quota off");
	ok(param_parse(param_by_name("private"), "relative/dir", &p, &err) < 0,
	    "private must be absolute");
	ok(strstr(err.msg, "absolute") != NULL, "error says why: %s", err.msg);
	ok(param_parse(param_by_name("private"), "/vz/private/$VEID", &p,
	    &err) == 0 && strcmp(p.private_dir, "/vz/private/$VEID") == 0,
	    "private keeps $VEID");
}

static char *
slurp(const char *file)
{
	const char *dir = getenv("ACCT_SRCDIR");
	char path[1024];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/unit/%s", dir ? dir : ".", file);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void
stat_golden(void)
{
	struct quota_res b = { .usage = KB(12345), .soft = KB(10000),
	    .hard = KB(12000), .grace_end_ms = 3 * 86400 * 1000ull };
	struct quota_res i = { .usage = 4000, .soft = 131072, .hard = 144179 };
	struct sbuf out = SBUF_INIT;
	char *want = slurp("quota-stat.golden");
	char t[16];

	quota_stat_format(&b, &i, 1000ull * 86400, &out);	/* 2 days left */
	b.grace_end_ms = 500;					/* expired */
	i.usage = 144180, i.grace_end_ms = 1000ull * 86400 + 5400 * 1000;
	quota_stat_format(&b, &i, 1000ull * 86400, &out);
	b.soft = b.hard = U, b.usage = 1;
	i.soft = i.hard = U, i.usage = 1;
	quota_stat_format(&b, &i, 0, &out);
	ok(want != NULL && strcmp(want, sbuf_str(&out)) == 0,
	    "vzquota stat layout byte for byte as quota-stat.golden");
	if (want == NULL || strcmp(want, sbuf_str(&out)) != 0)
		printf("# got:\n%s", sbuf_str(&out));
	quota_time2str(59, t, sizeof(t));
	is_str(t, "00:01", "59 s rounds up to a minute");
	quota_time2str(3 * 3600 + 1, t, sizeof(t));
	is_str(t, "03:01", "hours:minutes");
	quota_time2str(7 * 86400, t, sizeof(t));
	is_str(t, "7days", "days");
	free(want);
	sbuf_free(&out);
}

static void
ugid_golden(void)
{
	struct quota_ugid_info in = { .on = true, .limit = 100,
	    .bgrace = { 604800, 604800 }, .igrace = { 604800, 3600 } };
	struct quota_ugid u[2] = {
		{ .id = 1000, .bused = KB(4096), .iused = 12 },
		{ .id = 33, .group = true, .bused = KB(600), .bsoft = KB(512),
		    .bhard = KB(1024), .btime = 1000 + 7200, .iused = 5,
		    .isoft = 4, .ihard = 10, .itime = 900 },
	};
	struct sbuf out = SBUF_INIT;
	char *want = slurp("quota-ugid.golden");

	quota_ugid_format(&in, u, 2, 1000, &out);
	ok(want != NULL && strcmp(want, sbuf_str(&out)) == 0,
	    "vzquota stat -t layout byte for byte as quota-ugid.golden");
	if (want == NULL || strcmp(want, sbuf_str(&out)) != 0)
		printf("# got:\n%s", sbuf_str(&out));
	ok(strstr(sbuf_str(&out), "02:00 loaded") != NULL,
	    "a group past its soft limit shows the grace left");
	ok(strstr(sbuf_str(&out), "none loaded") != NULL,
	    "past its inode grace: none");
	free(want);
	sbuf_free(&out);
}

int
main(void)
{
	grace();
	limits();
	stat_golden();
	ugid_golden();
	return done_testing();
}
