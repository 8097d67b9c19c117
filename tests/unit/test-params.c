/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of value parsing and formatting (policies/value.c): vzctl's
 * syntax, suffixes, fractions, unlimited, ranges and the messages of bad
 * input, table-driven with the boundary cases.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "../tap.h"

struct pcase {
	const char *param, *in;
	int ok;
	uint64_t bar, lim;
};

static const struct pcase cases[] = {
	/* one value sets both; B:L sets each */
	{ "numproc", "240", 1, 240, 240 },
	{ "numproc", "240:260", 1, 240, 260 },
	{ "numproc", "unlimited", 1, VAL_UNLIMITED, VAL_UNLIMITED },
	{ "numproc", "0:unlimited", 1, 0, VAL_UNLIMITED },
	/* num* takes no suffix, no fraction */
	{ "numproc", "1K", 0, 0, 0 },
	{ "numfile", "2.5", 0, 0, 0 },
	{ "numproc", "", 0, 0, 0 },
	{ "numproc", "-1", 0, 0, 0 },
	{ "numproc", "12x", 0, 0, 0 },
	{ "numproc", ":5", 0, 0, 0 },
	/* pages with suffixes: value * mult / 4096 */
	{ "physpages", "0:256M", 1, 0, 65536 },
	{ "physpages", "1P", 1, 1, 1 },
	{ "privvmpages", "5M:6M", 1, 1280, 1536 },
	{ "physpages", "65536", 1, 65536, 65536 },
	/* bytes with suffixes and fractions (truncated, as vzctl) */
	{ "kmemsize", "14372700:14790164", 1, 14372700, 14790164 },
	{ "kmemsize", "1k", 1, 1024, 1024 },
	{ "kmemsize", "2.5K", 1, 2560, 2560 },
	{ "kmemsize", "1.1B", 1, 1, 1 },
	{ "kmemsize", "1G", 1, 1073741824, 1073741824 },
	{ "kmemsize", "1T", 1, 1099511627776ULL, 1099511627776ULL },
	{ "kmemsize", "5Q", 0, 0, 0 },
	{ "kmemsize", "5KK", 0, 0, 0 },
	/* LONG_MAX is unlimited; more is refused, never taken as unlimited */
	{ "kmemsize", "9223372036854775807", 1, VAL_UNLIMITED, VAL_UNLIMITED },
	{ "kmemsize", "9223372036854775806", 1, 9223372036854775806ULL,
	  9223372036854775806ULL },
	{ "kmemsize", "9223372036854775808", 0, 0, 0 },
	{ "kmemsize", "99999999999999999999999", 0, 0, 0 },
	{ "kmemsize", "10000000T", 0, 0, 0 },
	{ "numproc", "99999999999999999999", 0, 0, 0 },
	{ "numproc", "1:99999999999999999999", 0, 0, 0 },
	{ "ram", "99999999999T", 0, 0, 0 },
	{ "iolimit", "99999999999T", 0, 0, 0 },
	/* diskspace: 1 KiB blocks; 2.2G as in the vswap samples */
	{ "diskspace", "2G:2.2G", 1, 2097152, 2306867 },
	/* cpuunits range 8..500000 */
	{ "cpuunits", "8", 1, 8, 8 },
	{ "cpuunits", "500000", 1, 500000, 500000 },
	{ "cpuunits", "7", 0, 0, 0 },
	{ "cpuunits", "500001", 0, 0, 0 },
	{ "cpuunits", "1000:2000", 0, 0, 0 },
	/* cpulimit in percent, % allowed; unlimited means 0 */
	{ "cpulimit", "50", 1, 50, 50 },
	{ "cpulimit", "250%", 1, 250, 250 },
	{ "cpulimit", "unlimited", 1, 0, 0 },
	{ "cpulimit", "50.5", 0, 0, 0 },
	/* ioprio 0..7 */
	{ "ioprio", "0", 1, 0, 0 },
	{ "ioprio", "7", 1, 7, 7 },
	{ "ioprio", "8", 0, 0, 0 },
	/* iolimit: bytes/s, suffixes allowed, unlimited = 0 */
	{ "iolimit", "10M", 1, 10485760, 10485760 },
	{ "iolimit", "1048576", 1, 1048576, 1048576 },
	{ "iolimit", "unlimited", 1, 0, 0 },
	{ "iopslimit", "300", 1, 300, 300 },
	{ "iopslimit", "3K", 0, 0, 0 },
	/* quotatime takes no unlimited */
	{ "quotatime", "259200", 1, 259200, 259200 },
	{ "quotatime", "unlimited", 0, 0, 0 },
	/* --ram/--swap: physpages/swappages 0:ceil(bytes/page) */
	{ "ram", "1G", 1, 0, 262144 },
	{ "ram", "1000", 1, 0, 1 },
	{ "ram", "4097", 1, 0, 2 },
	{ "ram", "2.2G", 1, 0, 576717 },
	{ "swap", "unlimited", 1, 0, VAL_UNLIMITED },
	{ "ram", "lots", 0, 0, 0 },
	/* memguarantee */
	{ "memguarantee", "auto", 1, 0, 0 },
	{ "memguarantee", "25", 1, 25, 25 },
	{ "memguarantee", "25%", 1, 25, 25 },
	{ "memguarantee", "101%", 0, 0, 0 },
	{ "memguarantee", "256M", 1, 268435456, 268435456 },
	/* iodevices: MAJ:MIN in the kernel's dev_t range, digits only */
	{ "iodevices", "8:0", 1, 0, 0 },
	{ "iodevices", "4095:1048575", 1, 0, 0 },
	{ "iodevices", "-1:-1", 0, 0, 0 },
	{ "iodevices", "8:-1", 0, 0, 0 },
	{ "iodevices", "+8:0", 0, 0, 0 },
	{ "iodevices", "4096:0", 0, 0, 0 },
	{ "iodevices", "8:1048576", 0, 0, 0 },
	{ "iodevices", "4294967296:0", 0, 0, 0 },
	{ "iodevices", "8:0x", 0, 0, 0 },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		const struct param_def *d = param_by_name(c->param);
		struct ct_params p = { 0 };
		struct aerr err = { 0 };
		enum param_id id;
		int r;

		r = param_parse(d, c->in, &p, &err);
		id = d->kind == PK_SHORTCUT ? d->target : param_id(d);
		if (!c->ok) {
			ok(r < 0 && strstr(err.msg, c->param) != NULL &&
			    strstr(err.msg, "accepted") != NULL,
			    "--%s '%s' refused: %s", c->param, c->in, err.msg);
			continue;
		}
		ok(r == 0 && p.v[id].bar == c->bar && p.v[id].lim == c->lim,
		    "--%s '%s' -> %llu:%llu", c->param, c->in,
		    (unsigned long long)p.v[id].bar,
		    (unsigned long long)p.v[id].lim);
		if (r < 0)
			printf("#   error: %s\n", err.msg);
	}
}

static void
test_format(void)
{
	static const struct { const char *param, *in, *conf; } f[] = {
		{ "numproc", "240", "240" },
		{ "numproc", "240:260", "240:260" },
		{ "physpages", "0:256M", "0:65536" },
		{ "physpages", "0:unlimited", "0:unlimited" },
		{ "vm_overcommit", "1.5", "1.5" },
		{ "vm_overcommit", "2", "2" },
		{ "vm_overcommit", "0.125", "0.125" },
		{ "cpumask", "0-3,7", "0-3,7" },
		{ "cpumask", "3,2,1,0", "0-3" },
		{ "cpumask", "all", "all" },
		{ "iodevices", "8:0,254:0", "8:0 254:0" },
		{ "memguarantee", "256M", "268435456B" },
		{ "memguarantee", "30%", "30" },
	};
	char buf[300];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const struct param_def *d = param_by_name(f[i].param);
		struct ct_params p = { 0 };
		struct ct_params q = { 0 };
		char name[120];

		param_parse(d, f[i].in, &p, NULL);
		param_format(d, &p, buf, sizeof(buf));
		snprintf(name, sizeof(name), "format --%s %s", f[i].param,
		    f[i].in);
		is_str(buf, f[i].conf, name);
		/* what is written reads back the same */
		param_parse(d, buf, &q, NULL);
		ok(p.v[param_id(d)].bar == q.v[param_id(d)].bar &&
		    p.v[param_id(d)].lim == q.v[param_id(d)].lim &&
		    p.v[param_id(d)].kind == q.v[param_id(d)].kind,
		    "round trip --%s %s", f[i].param, f[i].in);
	}
}

static void
test_bytes(void)
{
	static const struct { uint64_t v; const char *s; } b[] = {
		{ 0, "0" }, { 1023, "1023" }, { 1024, "1K" },
		{ 1536, "1.5K" }, { 268435456, "256M" }, { 1073741824, "1G" },
		{ 2362232012ULL, "2.2G" }, { 1099511627776ULL, "1T" },
		{ VAL_UNLIMITED, "unlimited" }, { 1048575, "1M" },
	};
	char buf[32], name[64];

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		fmt_bytes(b[i].v, buf, sizeof(buf));
		snprintf(name, sizeof(name), "fmt_bytes %llu",
		    (unsigned long long)b[i].v);
		is_str(buf, b[i].s, name);
	}
}

static void
test_table(void)
{
	/* every stored row has a key; lookups agree */
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];

		ok(d->name && d->key && param_by_key(d->key) == d &&
		    param_by_name(d->name) == d && d->help,
		    "table row %s/%s", d->name, d->key);
	}
	ok(param_by_key("DCACHE") == &param_table[P_DCACHESIZE],
	    "alias DCACHE reads dcachesize");
	ok(param_by_key("IPTENTRIES") == &param_table[P_NUMIPTENT],
	    "alias IPTENTRIES reads numiptent");
	ok(param_by_name("ram")->target == P_PHYSPAGES, "ram sets physpages");
	ok(param_by_name("nosuch") == NULL, "unknown name");
	/* the row carries what show and plan say of it */
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];

		if (d->v1 == NULL && d->v2 == NULL)
			ok(d->unenforced != NULL && *d->unenforced,
			    "%s: no v1 or v2 mapping, and the row says why",
			    d->name);
		else
			ok(d->unenforced == NULL, "%s: mapped, so no reason "
			    "for not enforcing it", d->name);
	}
	ok(param_written_by(P_CPUS, P_CPULIMIT) &&
	    param_written_by(P_IODEVICES, P_IOPSLIMIT) &&
	    param_written_by(P_TCPRCVBUF, P_TCPSNDBUF) &&
	    !param_written_by(P_CPULIMIT, P_CPUS) &&
	    param_written_by(P_NUMPROC, P_NUMPROC) &&
	    !param_written_by(P_NUMPROC, P_PHYSPAGES),
	    "the files of cpus, iodevices and tcprcvbuf are their group's");
}

/* show's "saved": list and path values live beside the row */
static void
test_same(void)
{
	struct ct_params a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ok(param_parse(param_by_name("cpumask"), "1-2", &a, NULL) == 0 &&
	    param_parse(param_by_name("cpumask"), "0-1", &b, NULL) == 0,
	    "two cpumasks parse");
	ok(!params_same(&a, &b, P_CPUMASK), "cpumask 1-2 is not 0-1");
	ok(param_parse(param_by_name("cpumask"), "1-2", &b, NULL) == 0 &&
	    params_same(&a, &b, P_CPUMASK), "cpumask 1-2 is 1-2");
	ok(param_parse(param_by_name("iodevices"), "8:0", &a, NULL) == 0 &&
	    param_parse(param_by_name("iodevices"), "8:16", &b, NULL) == 0 &&
	    !params_same(&a, &b, P_IODEVICES), "iodevices 8:0 is not 8:16");
	ok(param_parse(param_by_name("numproc"), "100", &a, NULL) == 0 &&
	    !params_same(&a, &b, P_NUMPROC), "set is not unset");
	ok(params_same(&a, &b, P_CPUUNITS), "unset is unset");
}

/* accountd keeps one copy of a container's settings while those in
 * effect are identical to the saved ones: any difference must show */
static void
test_identical(void)
{
	struct ct_params a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ok(params_identical(&a, &b), "two empty settings are identical");
	ok(param_parse(param_by_name("numproc"), "100", &a, NULL) == 0 &&
	    !params_identical(&a, &b), "a set row makes them differ");
	b = a;
	ok(params_identical(&a, &b), "a copy is identical");
	b.v[P_NUMPROC].lim = 101;
	ok(!params_identical(&a, &b), "a limit makes them differ");
	b = a;
	b.v[P_CPUUNITS].bar = 5;
	ok(!params_identical(&a, &b), "so does an unset row's value");
	b = a;
	b.v[P_MEMGUARANTEE].kind = VK_PERCENT;
	ok(!params_identical(&a, &b), "and a value's kind");
	b = a;
	ok(param_parse(param_by_name("cpumask"), "0", &b, NULL) == 0 &&
	    !params_identical(&a, &b), "and a list's text");
	ok(param_parse(param_by_name("cpumask"), "0", &a, NULL) == 0 &&
	    params_identical(&a, &b), "the same list: identical again");
}

/* List and path texts are interned: equal texts share one copy, struct
 * assignment shares it, and a collection keeps what is marked. */
static void
test_intern(void)
{
	const struct param_def *cm = param_by_name("cpumask");
	const struct param_def *pv = param_by_name("private");
	struct ct_params a, b, c;
	size_t before;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	is_str(params_text(&a, P_CPUMASK), "", "an unset list reads \"\"");
	ok(params_text(&a, P_NUMPROC) == NULL, "a row without text: NULL");
	ok(param_parse(cm, "0-1", &a, NULL) == 0 &&
	    param_parse(cm, "0,1", &b, NULL) == 0 && a.cpumask == b.cpumask,
	    "the same list parsed twice: one copy");
	ok(param_parse(pv, "/vz/private/$VEID", &c, NULL) == 0,
	    "a path parsed");
	b = c;
	ok(b.private_dir == c.private_dir, "assignment shares the copy");
	before = params_interned();
	ok(before >= 2, "two texts held (%zu)", before);
	params_gc_mark(&a);
	params_gc_sweep();
	is_str(params_text(&a, P_CPUMASK), "0-1", "a marked text survives");
	ok(params_interned() == 1, "the unmarked ones are gone (%zu of %zu "
	    "left)", params_interned(), before);
	ok(params_intern("0-1") == a.cpumask, "and is found again");
	{
		char big[LIST_MAX + 10];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok(strlen(params_intern(big)) == LIST_MAX - 1,
		    "a longer text is cut to LIST_MAX - 1 bytes");
	}
}

int
main(void)
{
	test_same();
	test_identical();
	test_intern();
	test_cases();
	test_format();
	test_bytes();
	test_table();
	return done_testing();
}
