/* SPDX-License-Identifier: ISC */
/*
 * acctctl oversell [-j] [--snapshot FILE]
 * acctctl oversell [-j] --prometheus URL	(the fleet, docs/fleet.md)
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

static int oversell_fleet(const char *url);

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

	if (args_get(args, "--prometheus") != NULL)
		return oversell_fleet(args_get(args, "--prometheus"));
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

/*
 * The fleet view: every host's figures from a Prometheus server that
 * scrapes them all (per instance), added up here, in the layout above.
 * The containers near a limit come from the fleet rules'
 * instance:accountd_containers_near_limit:count: 0 where a host has none,
 * "-" when the rules are not loaded (no fleet:accountd_hosts:count).
 */
enum { F_RAM, F_RAM_C, F_SWAP, F_SWAP_C, F_CPUS, F_CPUS_C, F_CTS, F_NEAR,
	F_N };
static const char *const fleet_query[F_N] = {
	"sum by (instance) (accountd_host_memory_bytes)",
	"sum by (instance) (accountd_host_memory_committed_bytes)",
	"sum by (instance) (accountd_host_swap_bytes)",
	"sum by (instance) (accountd_host_swap_committed_bytes)",
	"sum by (instance) (accountd_host_cpus)",
	"sum by (instance) (accountd_host_cpu_limit_committed_cpus)",
	"sum by (instance) (accountd_host_containers)",
	"sum by (instance) (instance:accountd_containers_near_limit:count)"
	" or (0 * sum by (instance) (accountd_host_memory_bytes)"
	" and on () fleet:accountd_hosts:count)",
};

struct fleet_host {
	char		name[128];
	double		v[F_N];
	bool		have[F_N];
};

static int
by_instance(const void *a, const void *b)
{
	return strcmp(((const struct fleet_host *)a)->name,
	    ((const struct fleet_host *)b)->name);
}

static struct json_object *
jcpu(double avail, double alloc)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "available", json_object_new_double(avail));
	json_object_object_add(o, "allocated", json_object_new_double(alloc));
	json_object_object_add(o, "oversell_pct", avail > 0 ?
	    json_object_new_double(alloc / avail * 100) : NULL);
	return o;
}

static struct json_object *
jfleet(const double *v, const char *name)
{
	struct json_object *o = json_object_new_object();
	uint64_t r = (uint64_t)v[F_RAM], rc = (uint64_t)v[F_RAM_C];
	uint64_t sw = (uint64_t)v[F_SWAP], sc = (uint64_t)v[F_SWAP_C];

	if (name != NULL)
		json_object_object_add(o, "instance",
		    json_object_new_string(name));
	json_object_object_add(o, "ram", javail(r, rc));
	json_object_object_add(o, "swap", javail(sw, sc));
	json_object_object_add(o, "ram_swap", javail(r + sw, rc + sc));
	json_object_object_add(o, "cpu", jcpu(v[F_CPUS], v[F_CPUS_C]));
	json_object_object_add(o, "containers",
	    json_object_new_uint64((uint64_t)v[F_CTS]));
	return o;
}

static void
fleet_row(const char *name, const double *v, bool have_near)
{
	char s[10][16];
	uint64_t r = (uint64_t)v[F_RAM], rc = (uint64_t)v[F_RAM_C];
	uint64_t sw = (uint64_t)v[F_SWAP], sc = (uint64_t)v[F_SWAP_C];

	hr(s[0], 16, r);
	hr(s[1], 16, rc);
	dp(s[2], 16, rc, r);
	hr(s[3], 16, sw);
	hr(s[4], 16, sc);
	dp(s[5], 16, sc, sw);
	dp(s[6], 16, rc + sc, r + sw);
	/* CPUs in thousandths for the percentage */
	dp(s[7], 16, (uint64_t)(v[F_CPUS_C] * 1000), (uint64_t)(v[F_CPUS] *
	    1000));
	snprintf(s[8], 16, "%.0f", v[F_CTS]);
	if (have_near)
		snprintf(s[9], 16, "%.0f", v[F_NEAR]);
	else
		snprintf(s[9], 16, "-");
	printf("%-22s %6s %6s %6s  %6s %6s %6s  %6s  %5.1f %6.1f %6s  %4s %4s\n",
	    name, s[0], s[1], s[2], s[3], s[4], s[5], s[6], v[F_CPUS],
	    v[F_CPUS_C], s[7], s[8], s[9]);
}

static int
oversell_fleet(const char *url)
{
	struct fleet_host *hosts = NULL;
	size_t n = 0, oversold = 0;
	double all[F_N] = { 0 };
	bool have_near = false;
	struct aerr err = { 0 };
	int rc = EX_OK;

	for (int k = 0; k < F_N; k++) {
		struct json_object *res;
		size_t len;

		if (prom_query(url, fleet_query[k], &res, &err) < 0) {
			fprintf(stderr, "acctctl oversell: %s\n", err.msg);
			free(hosts);
			return EX_FAIL;
		}
		len = json_object_array_length(res);
		for (size_t i = 0; i < len; i++) {
			struct json_object *e = json_object_array_get_idx(res, i),
			    *m, *inst, *val;
			const char *name = "";
			size_t h;

			if (json_object_object_get_ex(e, "metric", &m) &&
			    json_object_object_get_ex(m, "instance", &inst))
				name = json_object_get_string(inst);
			if (!json_object_object_get_ex(e, "value", &val) ||
			    json_object_array_length(val) != 2)
				continue;
			for (h = 0; h < n && strcmp(hosts[h].name, name) != 0;
			    h++)
				;
			if (h == n) {
				hosts = xreallocarray(hosts, n + 1,
				    sizeof(*hosts));
				memset(&hosts[n], 0, sizeof(*hosts));
				snprintf(hosts[n].name, sizeof(hosts[n].name),
				    "%s", name);
				n++;
			}
			hosts[h].v[k] = strtod(json_object_get_string(
			    json_object_array_get_idx(val, 1)), NULL);
			hosts[h].have[k] = true;
			if (k == F_NEAR)
				have_near = true;
		}
		json_object_put(res);
	}
	qsort(hosts, n, sizeof(*hosts), by_instance);
	for (size_t h = 0; h < n; h++) {
		for (int k = 0; k < F_N; k++)
			all[k] += hosts[h].v[k];
		if (hosts[h].v[F_RAM] + hosts[h].v[F_SWAP] > 0 &&
		    hosts[h].v[F_RAM_C] + hosts[h].v[F_SWAP_C] >
		    hosts[h].v[F_RAM] + hosts[h].v[F_SWAP])
			oversold++;
	}
	if (opt_json) {
		struct json_object *o = json_object_new_object(),
		    *a = json_object_new_array();

		json_object_object_add(o, "prometheus",
		    json_object_new_string(url));
		for (size_t h = 0; h < n; h++) {
			struct json_object *j = jfleet(hosts[h].v,
			    hosts[h].name);

			json_object_object_add(j, "near_limit", have_near ?
			    json_object_new_uint64((uint64_t)hosts[h].v[F_NEAR]) :
			    NULL);
			json_object_array_add(a, j);
		}
		json_object_object_add(o, "hosts", a);
		json_object_object_add(o, "fleet", jfleet(all, NULL));
		json_object_object_add(o, "hosts_oversold",
		    json_object_new_uint64(oversold));
		json_object_object_add(o, "near_limit", have_near ?
		    json_object_new_uint64((uint64_t)all[F_NEAR]) : NULL);
		print_json(o);
		json_object_put(o);
	} else if (n == 0) {
		printf("no accountd host in %s (no accountd_host_memory_bytes "
		    "series)\n", url);
		rc = EX_FAIL;
	} else {
		printf("%-22s %-20s  %-20s  %6s  %-19s  %4s %4s\n", "",
		    "-------- RAM -------", "------- Swap -------", "RAM+Sw",
		    "------- CPU -------", "", "near");
		printf("%-22s %6s %6s %6s  %6s %6s %6s  %6s  %5s %6s %6s  %4s "
		    "%4s\n", "HOST", "avail", "alloc", "over", "avail", "alloc",
		    "over", "over", "CPUs", "limits", "over", "CTs", "lim");
		for (size_t h = 0; h < n; h++)
			fleet_row(hosts[h].name, hosts[h].v, have_near);
		fleet_row("FLEET", all, have_near);
		printf("\n%zu hosts, %zu oversold (RAM+Swap allocated above "
		    "available)\n", n, oversold);
	}
	free(hosts);
	return rc;
}

static const struct cmd_opt opts[] = {
	{ "-j", NULL, "JSON output" },
	{ "--snapshot", "FILE", "read this snapshot file, not accountd's" },
	{ "--prometheus", "URL", "the fleet: every host's figures from this "
	    "Prometheus server (docs/fleet.md)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_oversell_entry = {
	"oversell", "", "RAM and swap promised against the host, like "
	"vzoversell", cmd_oversell, 0, opts, 0
};
