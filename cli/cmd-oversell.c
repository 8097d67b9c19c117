/* SPDX-License-Identifier: ISC */
/*
 * acctctl oversell [-j] [--snapshot FILE]
 * How much RAM and swap the running containers were promised against
 * what the host has, in vzoversell's layout: per container RAM and swap
 * used, peak, limit and fails, a TOTAL row, then available, allocated
 * and oversell per RAM, Swap and RAM+Swap, the memory guarantees
 * committed against what accountd admits, and the flags explained.
 *
 * It reads the snapshot (next to the control socket, 0644), so it works
 * for any user and never waits for the daemon.  The arithmetic is
 * exporters/capacity.c's, shared with the dashboard and /metrics.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

/* vzoversell's hr(): "- " for 0 or unlimited, else 3 digits and a unit
 * letter, a space for plain numbers */
static void
hr(char *buf, size_t len, uint64_t v)
{
	static const char units[] = " KMGTPEZY";
	double d = (double)v;
	int i = 0;

	if (v == 0 || sv_unlimited(v)) {
		snprintf(buf, len, "- ");
		return;
	}
	while (d >= 1024 && i < 8) {
		d /= 1024;
		i++;
	}
	if (d < 100)
		snprintf(buf, len, "%.3g%c", d, units[i]);
	else
		snprintf(buf, len, "%d%c", (int)d, units[i]);
}

/* vzoversell's dp(): percent, "- " when there is nothing to compare */
static void
dp(char *buf, size_t len, uint64_t part, uint64_t whole)
{
	double r;

	if (whole == 0 || sv_unlimited(whole)) {
		snprintf(buf, len, "- ");
		return;
	}
	r = (double)part / (double)whole * 100;
	if (r < 10)
		snprintf(buf, len, "%.1g", r);
	else
		snprintf(buf, len, "%d", (int)r);
	if (strcmp(buf, "0") == 0)
		snprintf(buf, len, "- ");
	else
		strncat(buf, "%", len - strlen(buf) - 1);
}

static struct json_object *
jfig(uint64_t used, uint64_t peak, uint64_t limit, uint64_t fails)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "used", json_object_new_uint64(used));
	json_object_object_add(o, "peak", json_object_new_uint64(peak));
	json_object_object_add(o, "limit", sv_unlimited(limit) ? NULL :
	    json_object_new_uint64(limit));
	json_object_object_add(o, "fails", json_object_new_uint64(fails));
	return o;
}

static struct json_object *
javail(uint64_t avail, uint64_t alloc)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "available", json_object_new_uint64(avail));
	json_object_object_add(o, "allocated", json_object_new_uint64(alloc));
	json_object_object_add(o, "oversell_pct", avail ?
	    json_object_new_double(capacity_pct(alloc, avail)) : NULL);
	return o;
}

static void
figs(const struct snap_row *r, uint64_t f[4])
{
	if (!r->present) {
		f[0] = f[1] = f[3] = 0;
		f[2] = VAL_UNLIMITED;
		return;
	}
	f[0] = snap_value(r, r->held);
	f[1] = snap_value(r, r->maxheld);
	f[2] = snap_value(r, r->limit);
	f[3] = r->failcnt;
}

static int
cmd_oversell(struct cmd_args *args)
{
	_cleanup_free_ char *path = NULL;
	const char *given = args_get(args, "--snapshot");
	struct sview v = { .n = 0 };
	struct aerr err = { 0 };
	struct capacity cap;
	struct json_object *jr = NULL, *jcts = NULL;
	char allflags[16] = "";

	path = given ? xstrdup(given) : sv_cli_path(opt_socket);
	if (sv_load_path(path, &v, &err) < 0) {
		fprintf(stderr, "acctctl oversell: %s\n", err.msg);
		return EX_NODAEMON;
	}
	capacity_compute(&v.h, v.cts, v.n, &cap);
	if (opt_json) {
		jr = json_object_new_object();
		jcts = json_object_new_array();
	} else {
		printf("           --------- RAM ---------  -------- Swap ---------"
		    "  Flags\n");
		printf("            used  peak limit fails   used  peak limit fails"
		    "\n");
	}
	for (size_t i = 0; i < v.n; i++) {
		const struct snap_ct *c = &v.cts[i];
		uint64_t ram[4], swap[4];
		char flags[8], s[8][16];

		if (!c->running)
			continue;
		figs(&c->row[UB_PHYSPAGES], ram);
		figs(&c->row[UB_SWAPPAGES], swap);
		capacity_flags(c, flags, sizeof(flags));
		for (char *f = flags; *f; f++) {
			size_t k = strlen(allflags);

			if (strchr(allflags, *f) == NULL &&
			    k + 1 < sizeof(allflags)) {
				allflags[k] = *f;
				allflags[k + 1] = '\0';
			}
		}
		if (opt_json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "name",
			    json_object_new_string(c->name));
			json_object_object_add(o, "ram", jfig(ram[0], ram[1],
			    ram[2], ram[3]));
			json_object_object_add(o, "swap", jfig(swap[0], swap[1],
			    swap[2], swap[3]));
			json_object_object_add(o, "flags",
			    json_object_new_string(flags));
			json_object_array_add(jcts, o);
			continue;
		}
		for (int k = 0; k < 4; k++) {
			hr(s[k], sizeof(s[k]), ram[k]);
			hr(s[4 + k], sizeof(s[k]), swap[k]);
		}
		printf("%10s %5s %5s %5s %5s  %5s %5s %5s %5s  %s\n", c->name,
		    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], flags);
	}
	if (opt_json) {
		struct json_object *tot = json_object_new_object();

		json_object_object_add(tot, "ram", jfig(cap.ram_held,
		    cap.ram_maxheld, cap.ram_limit, cap.ram_failcnt));
		json_object_object_add(tot, "swap", jfig(cap.swap_held,
		    cap.swap_maxheld, cap.swap_limit, cap.swap_failcnt));
		json_object_object_add(jr, "containers", jcts);
		json_object_object_add(jr, "total", tot);
		json_object_object_add(jr, "ram", javail(cap.ram, cap.ram_limit));
		json_object_object_add(jr, "swap", javail(cap.swap,
		    cap.swap_limit));
		json_object_object_add(jr, "ram_swap", javail(cap.ram + cap.swap,
		    cap.ram_limit + cap.swap_limit));
		tot = json_object_new_object();
		json_object_object_add(tot, "available",
		    json_object_new_uint64(cap.guarantee_room));
		json_object_object_add(tot, "committed",
		    json_object_new_uint64(cap.guarantee));
		json_object_object_add(jr, "guarantee", tot);
		json_object_object_add(jr, "unlimited_ram",
		    json_object_new_uint64(cap.ram_unlimited));
		json_object_object_add(jr, "unlimited_swap",
		    json_object_new_uint64(cap.swap_unlimited));
		print_json(jr);
		json_object_put(jr);
	} else {
		char t[8][16], a[3][16], b[3][16], o[3][16];

		hr(t[0], 16, cap.ram_held);
		hr(t[1], 16, cap.ram_maxheld);
		hr(t[2], 16, cap.ram_limit);
		hr(t[3], 16, cap.ram_failcnt);
		hr(t[4], 16, cap.swap_held);
		hr(t[5], 16, cap.swap_maxheld);
		hr(t[6], 16, cap.swap_limit);
		hr(t[7], 16, cap.swap_failcnt);
		printf("           ----- ----- ----- -----  ----- ----- ----- -----"
		    "\n");
		printf(" TOTAL     %5s %5s %5s %5s  %5s %5s %5s %5s\n\n", t[0],
		    t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
		hr(a[0], 16, cap.ram);
		hr(b[0], 16, cap.ram_limit);
		dp(o[0], 16, cap.ram_limit, cap.ram);
		hr(a[1], 16, cap.swap);
		hr(b[1], 16, cap.swap_limit);
		dp(o[1], 16, cap.swap_limit, cap.swap);
		hr(a[2], 16, cap.ram + cap.swap);
		hr(b[2], 16, cap.ram_limit + cap.swap_limit);
		dp(o[2], 16, cap.ram_limit + cap.swap_limit, cap.ram + cap.swap);
		printf("RAM        available: %5s  allocated: %5s  oversell: %s\n",
		    a[0], b[0], o[0]);
		printf("Swap       available: %5s  allocated: %5s  oversell: %s\n",
		    a[1], b[1], o[1]);
		printf("RAM+Swap   available: %5s  allocated: %5s  oversell: %s\n",
		    a[2], b[2], o[2]);
		/* what accountd admits: RAM minus guarantee_reserve */
		hr(a[0], 16, cap.guarantee_room);
		hr(b[0], 16, cap.guarantee);
		dp(o[0], 16, cap.guarantee, cap.guarantee_room);
		printf("Guarantee  available: %5s  committed: %5s  share: %s\n",
		    a[0], b[0], o[0]);
		if (allflags[0] != '\0') {
			printf("\nFlags:\n");
			if (strchr(allflags, 'U'))
				printf("  U: no RAM limit, not counted into RAM "
				    "allocated\n");
			if (strchr(allflags, 'S'))
				printf("  S: unlimited swap, not counted into total "
				    "swap limit\n");
			if (strchr(allflags, 'f'))
				printf("  f: RAM failcnt > 0, use acctctl ubc to check "
				    "details\n");
			if (strchr(allflags, 'F'))
				printf("  F: beancounter failcnt > 0, use acctctl ubc "
				    "to check details\n");
		}
	}
	sview_free(&v);
	return EX_OK;
}

static const struct cmd_opt opts[] = {
	{ "-j", NULL, "JSON output" },
	{ "--snapshot", "FILE", "read this snapshot file, not accountd's" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_oversell_entry = {
	"oversell", "", "RAM and swap promised against the host, like "
	"vzoversell", cmd_oversell, 0, opts, 0
};
