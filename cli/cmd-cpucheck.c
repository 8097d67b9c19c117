/* SPDX-License-Identifier: ISC */
/*
 * acctctl cpucheck [-v] [-j] [--snapshot FILE]
 * The CPU the running containers were promised, like vzcpucheck:
 *
 *   Current CPU utilization: N	sum of cpuunits (1000 where unset)
 *   Power of the node: M		bogomips x 25 from /proc/cpuinfo
 *
 * and what vzcpucheck could not say on a kernel without fairsched: the
 * CPU limits committed (sum of min(cpulimit, cpus x 100)) against the
 * host's CPUs x 100.  A warning line when either is overcommitted.  -v
 * first lists each container's cpuunits, cpulimit and cpus.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "expo.h"
#include "xalloc.h"

static char *
read_cpuinfo(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	struct sbuf b = SBUF_INIT;
	char buf[4096];
	size_t n;

	if (f == NULL)
		return xstrdup("");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && b.len < (1 << 22))
		sbuf_add(&b, buf, n);
	fclose(f);
	return b.s ? sbuf_take(&b) : xstrdup("");
}

static int
cmd_cpucheck(struct cmd_args *args)
{
	_cleanup_free_ char *path = NULL, *cpuinfo = NULL;
	const char *given = args_get(args, "--snapshot");
	bool verbose = args_has(args, "-v");
	struct sview v = { .n = 0 };
	struct aerr err = { 0 };
	struct capacity cap;
	uint64_t power, host_pct;

	path = given ? xstrdup(given) : sv_cli_path(opt_socket);
	if (sv_load_path(path, &v, &err) < 0) {
		fprintf(stderr, "acctctl cpucheck: %s\n", err.msg);
		return EX_NODAEMON;
	}
	capacity_compute(&v.h, v.cts, v.n, &cap);
	cpuinfo = read_cpuinfo();
	power = capacity_power(cpuinfo);
	host_pct = (uint64_t)cap.cpus * 100;
	if (opt_json) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array();

		for (size_t i = 0; i < v.n; i++) {
			const struct snap_ct *c = &v.cts[i];
			struct json_object *e;
			uint64_t lim = capacity_cpulimit(c);

			if (!c->running)
				continue;
			e = json_object_new_object();
			json_object_object_add(e, "name",
			    json_object_new_string(c->name));
			json_object_object_add(e, "cpuunits", json_object_new_uint64(
			    c->cpuunits ? c->cpuunits : 1000));
			json_object_object_add(e, "cpulimit_pct", lim ?
			    json_object_new_uint64(lim) : NULL);
			json_object_object_add(e, "cpus", c->cpus ?
			    json_object_new_uint64(c->cpus) : NULL);
			json_object_array_add(a, e);
		}
		json_object_object_add(o, "containers", a);
		json_object_object_add(o, "cpuunits",
		    json_object_new_uint64(cap.cpuunits));
		json_object_object_add(o, "power", power ?
		    json_object_new_uint64(power) : NULL);
		json_object_object_add(o, "host_cpus",
		    json_object_new_uint64(cap.cpus));
		json_object_object_add(o, "cpulimit_pct",
		    json_object_new_uint64(cap.cpulimit_pct));
		json_object_object_add(o, "without_cpulimit",
		    json_object_new_uint64(cap.cpu_unlimited));
		json_object_object_add(o, "overcommitted", json_object_new_boolean(
		    power > 0 && cap.cpuunits > power));
		json_object_object_add(o, "limits_overcommitted",
		    json_object_new_boolean(cap.cpulimit_pct > host_pct));
		print_json(o);
		json_object_put(o);
		sview_free(&v);
		return EX_OK;
	}
	if (verbose) {
		printf("CT\t\tCPUUNITS\tCPULIMIT\tCPUS\n");
		printf("------------------------------------------------------\n");
		for (size_t i = 0; i < v.n; i++) {
			const struct snap_ct *c = &v.cts[i];
			uint64_t lim = capacity_cpulimit(c);
			char l[24] = "-", n[24] = "-";

			if (!c->running)
				continue;
			if (lim)
				snprintf(l, sizeof(l), "%llu%%",
				    (unsigned long long)lim);
			if (c->cpus)
				snprintf(n, sizeof(n), "%llu",
				    (unsigned long long)c->cpus);
			printf("%s\t\t%llu\t\t%s\t\t%s\n", c->name,
			    (unsigned long long)(c->cpuunits ? c->cpuunits : 1000),
			    l, n);
		}
	}
	printf("Current CPU utilization: %llu\n",
	    (unsigned long long)cap.cpuunits);
	if (power)
		printf("Power of the node: %llu\n", (unsigned long long)power);
	else
		printf("Power of the node: unknown (no bogomips in "
		    "/proc/cpuinfo)\n");
	printf("CPU limits committed: %llu%% of %llu%% (%u CPUs)",
	    (unsigned long long)cap.cpulimit_pct, (unsigned long long)host_pct,
	    cap.cpus);
	if (cap.cpu_unlimited)
		printf(", %zu running without a limit", cap.cpu_unlimited);
	printf("\n");
	if (power > 0 && cap.cpuunits > power)
		printf("Warning: hardware node is overcommitted\n");
	if (cap.cpulimit_pct > host_pct)
		printf("Warning: CPU limits add up to more than the host's "
		    "CPUs\n");
	sview_free(&v);
	return EX_OK;
}

static const struct cmd_opt opts[] = {
	{ "-v", NULL, "also each running container's units and limit" },
	{ "-j", NULL, "JSON output" },
	{ "--snapshot", "FILE", "read this snapshot file, not accountd's" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_cpucheck_entry = {
	"cpucheck", "", "CPU units and limits promised against the host, like "
	"vzcpucheck", cmd_cpucheck, 0, opts, 0
};
