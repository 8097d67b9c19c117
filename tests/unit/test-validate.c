/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of whole-set validation (policies/validate.c), in the spirit
 * of vzcfgvalidate: what can never work is refused with a message naming
 * the parameter and what is accepted; what is merely odd is a warning.
 */
#include "config.h"

#include <stdlib.h>

#include "plan.h"
#include "xalloc.h"
#include "../tap.h"

struct kv {
	const char *name, *value;
};

/* Parse a list of --name value pairs; NULL-terminated. */
static void
params_of(struct ct_params *p, const struct kv *kv)
{
	memset(p, 0, sizeof(*p));
	for (; kv->name != NULL; kv++) {
		struct aerr err = { 0 };

		if (param_parse(param_by_name(kv->name), kv->value, p, &err) < 0)
			ok(0, "--%s %s: %s", kv->name, kv->value, err.msg);
	}
}

static void
test_barrier_above_limit(void)
{
	/* every barrier:limit row refuses barrier > limit */
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		struct ct_params p = { 0 };
		struct aerr err = { 0 };
		char name[64];
		int r;

		if (d->kind != PK_PAIR)
			continue;
		p.v[i].set = 1;
		p.v[i].bar = 200;
		p.v[i].lim = 100;
		if (i == P_SWAPPAGES) {		/* swap needs ram */
			p.v[P_PHYSPAGES].set = 1;
			p.v[P_PHYSPAGES].lim = 1000;
		}
		r = params_validate(&p, NULL, NULL, &err);
		snprintf(name, sizeof(name), "--%s", d->name);
		ok(r < 0 && strstr(err.msg, name) && strstr(err.msg, "200:100") &&
		    strstr(err.msg, "must not exceed the limit"),
		    "%s 200:100 refused: %s", name, err.msg);
		p.v[i].bar = 100;
		ok(params_validate(&p, NULL, NULL, &err) == 0, "%s 100:100 "
		    "accepted", name);
		p.v[i].bar = 0;
		p.v[i].lim = VAL_UNLIMITED;
		ok(params_validate(&p, NULL, NULL, &err) == 0, "%s 0:unlimited "
		    "accepted", name);
	}
}

static void
test_errors(void)
{
	static const struct {
		struct kv kv[4];
		const char *words[3];	/* NULL words[0]: accepted */
	} cases[] = {
		{ { { "swap", "1G" } }, { "--swap", "--ram" } },
		{ { { "swappages", "0:1000" } }, { "--swap", "--ram" } },
		{ { { "ram", "1G" }, { "swap", "1G" } }, { NULL } },
		{ { { "ram", "0" } }, { "--ram 0", "accepted" } },
		{ { { "physpages", "0:0" } }, { "--ram 0", "accepted" } },
		{ { { "ram", "0" }, { "swap", "1G" } }, { "--ram 0" } },
		/* pids.max 0 would refuse the first process: as --ram 0 */
		{ { { "numproc", "0" } }, { "--numproc 0", "accepted" } },
		{ { { "numproc", "0:0" } }, { "--numproc 0" } },
		{ { { "numproc", "1" } }, { NULL } },
		{ { { "ram", "1" } }, { NULL } },		/* one page */
		{ { { "ram", "unlimited" }, { "swap", "1G" } }, { NULL } },
		{ { { "memguarantee", "25%" } }, { "--memguarantee 25%",
		    "--ram" } },
		{ { { "memguarantee", "25" } }, { "--memguarantee 25%" } },
		{ { { "memguarantee", "25%" }, { "ram", "unlimited" } },
		    { "--memguarantee 25%" } },
		{ { { "memguarantee", "25%" }, { "ram", "1G" } }, { NULL } },
		{ { { "memguarantee", "0%" } }, { NULL } },
		{ { { "memguarantee", "auto" } }, { NULL } },
		{ { { "memguarantee", "256M" } }, { NULL } },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct ct_params p;
		struct aerr err = { 0 };
		char desc[128] = "";
		size_t n = 0;
		int r, words = 1;

		params_of(&p, cases[i].kv);
		for (const struct kv *kv = cases[i].kv; kv->name; kv++)
			n += (size_t)snprintf(desc + n, sizeof(desc) - n,
			    "--%s %s ", kv->name, kv->value);
		r = params_validate(&p, NULL, NULL, &err);
		if (cases[i].words[0] == NULL) {
			ok(r == 0, "%saccepted%s%s", desc, r < 0 ? ": " : "",
			    r < 0 ? err.msg : "");
			continue;
		}
		for (int w = 0; w < 3 && cases[i].words[w]; w++)
			words &= strstr(err.msg, cases[i].words[w]) != NULL;
		ok(r < 0 && words, "%srefused: %s", desc, err.msg);
	}
}

static void
test_warnings(void)
{
	static const struct {
		struct kv kv[4];
		const char *warn;	/* a substring, NULL: no warning */
	} cases[] = {
		{ { { "ram", "32G" } }, "ram 32G is above the host's RAM (16G)" },
		{ { { "ram", "16G" } }, NULL },
		{ { { "ram", "unlimited" } }, NULL },
		{ { { "cpulimit", "500" } }, "cpulimit 500% is more than the "
		    "host's 4 CPUs" },
		{ { { "cpulimit", "400" } }, NULL },
		{ { { "cpus", "5" } }, "cpus 5 is more than the host's 4 CPUs" },
		{ { { "cpus", "4" } }, NULL },
		{ { { "numproc", "100:200" } }, "numproc: barrier and limit "
		    "differ" },
		{ { { "numtcpsock", "100:200" } }, "numtcpsock" },
		{ { { "numothersock", "1:2" } }, "numothersock" },
		{ { { "numpty", "1:2" } }, "numpty" },
		{ { { "numsiginfo", "1:2" } }, "numsiginfo" },
		{ { { "numfile", "1:2" } }, "numfile" },
		{ { { "numiptent", "1:2" } }, "numiptent" },
		/* vzcfgvalidate wants bar == lim for shmpages too */
		{ { { "shmpages", "1:2" } }, "shmpages" },
		{ { { "numproc", "100" } }, NULL },
		/* numflock: a gap between barrier and limit is recommended */
		{ { { "numflock", "188:206" } }, NULL },
		{ { { "memguarantee", "2G" }, { "ram", "1G" } },
		    "memguarantee 2G is above ram 1G" },
		{ { { "memguarantee", "512M" }, { "ram", "1G" } }, NULL },
	};
	struct kcaps caps;

	kcaps_canonical(&caps, 2);	/* 16G of RAM, 4 CPUs */
	for (size_t i = 0; i < nitems(cases); i++) {
		struct sbuf warn = SBUF_INIT;
		struct ct_params p;
		struct aerr err = { 0 };
		const char *w;
		char desc[128] = "";
		size_t n = 0;
		int r;

		params_of(&p, cases[i].kv);
		for (const struct kv *kv = cases[i].kv; kv->name; kv++)
			n += (size_t)snprintf(desc + n, sizeof(desc) - n,
			    "--%s %s ", kv->name, kv->value);
		r = params_validate(&p, &caps, &warn, &err);
		w = sbuf_str(&warn);
		if (cases[i].warn == NULL)
			ok(r == 0 && *w == '\0', "%sno warning%s%.*s", desc,
			    *w ? ": " : "", (int)strcspn(w, "\n"), w);
		else
			ok(r == 0 && strstr(w, cases[i].warn) &&
			    strchr(w, '\n') == w + strlen(w) - 1,
			    "%sone warning line: %.*s", desc,
			    (int)strcspn(w, "\n"), w);
		sbuf_free(&warn);
	}
	/* without caps or without a warning buffer, no host checks, no crash */
	{
		struct kv kv[] = { { "ram", "64G" }, { "cpulimit", "9000" },
		    { "numproc", "1:2" }, { NULL, NULL } };
		struct sbuf warn = SBUF_INIT;
		struct ct_params p;

		params_of(&p, kv);
		ok(params_validate(&p, NULL, &warn, NULL) == 0 &&
		    strstr(sbuf_str(&warn), "ram") == NULL &&
		    strstr(sbuf_str(&warn), "numproc") != NULL,
		    "caps NULL: no host warnings, the others still given");
		ok(params_validate(&p, &caps, NULL, NULL) == 0, "warn NULL: "
		    "accepted silently");
		sbuf_free(&warn);
	}
}

int
main(void)
{
	test_barrier_above_limit();
	test_errors();
	test_warnings();
	return done_testing();
}
