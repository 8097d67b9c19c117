/* SPDX-License-Identifier: ISC */
/*
 * THE metric table of the exporters: every figure /metrics (openmetrics.c)
 * and the PCP agent (pcp/pmdaaccountd.c) serve, with its names in both,
 * its help texts, kind, unit, where it comes from in the snapshot and
 * when it has a value.  Both render from here, so a metric is added in
 * one place (docs/HACKING.md, "Adding an exporter metric").
 *
 * `basic` is the row's level in /metrics: at metrics_detail = basic only
 * rows that say so are served (the host rows always).
 *
 * A row may be for one exporter only (om or pcp NULL).  The PCP
 * identifier (cluster, item) is written here and never reused: archives
 * name metrics by it (tests/exporters/pcp-pmids.sh).  /metrics has its
 * families in the order of the table.
 *
 * Values are in the snapshot's units (bytes, microseconds, milliseconds
 * for times of day, percent of a CPU); each exporter converts by `unit`
 * (/metrics: seconds and CPUs; PCP: the same numbers with their pmUnits).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "expo.h"
#include "ubc.h"

#define CT(f)	offsetof(struct snap_ct, f)
#define DEV(f)	offsetof(struct snap_dev, f)

/* the per-container conditions most rows use */
#define RUN	W_RUNNING
#define SETTING	0

const struct metric metric_table[] = {
	/* ---- the host ---- */
	{ .om = "accountd_build", .kind = MK_INFO, .scope = MS_HOST,
	  .src = MS_BUILD_INFO,
	  .help = "accountd's version, the cgroup layout it found, and the "
	    "host name; the value is 1." },
	{ .om = "accountd_snapshot_timestamp_seconds", .kind = MK_INSTANT,
	  .unit = MU_MSEC, .scope = MS_HOST, .src = MS_TIME_MS,
	  .help = "When accountd's last sampling round ended (Unix time); a "
	    "value that stops moving means accountd stopped." },
	{ .om = "accountd_sampling_interval_seconds",
	  .pcp = "host.snapshot.interval", .cluster = CL_HOST, .item = 12,
	  .kind = MK_DISCRETE, .unit = MU_MSEC, .scope = MS_HOST,
	  .src = MS_INTERVAL_MS,
	  .help = "accountd's sample_interval.",
	  .pcp_one = "accountd's sample_interval" },
	{ .om = "accountd_start_time_seconds", .kind = MK_INSTANT,
	  .unit = MU_MSEC, .scope = MS_HOST, .src = MS_STARTED_MS,
	  .help = "When accountd started (Unix time)." },
	{ .pcp = "host.snapshot.time", .cluster = CL_HOST, .item = 10,
	  .kind = MK_INSTANT, .unit = MU_SEC, .scope = MS_HOST,
	  .src = MS_TIME_S,
	  .pcp_one = "when accountd's last sampling round ended (Unix time)",
	  .pcp_help = "A value that stops moving means accountd stopped "
	    "sampling." },
	{ .om = "accountd_sampling_rounds", .pcp = "host.snapshot.rounds",
	  .cluster = CL_HOST, .item = 11, .kind = MK_COUNTER,
	  .unit = MU_COUNT, .scope = MS_HOST, .src = MS_ROUNDS,
	  .help = "Sampling rounds since accountd started.",
	  .pcp_one = "sampling rounds since accountd started" },
	{ .om = "accountd_host_memory_bytes", .pcp = "host.ram",
	  .cluster = CL_HOST, .item = 0, .kind = MK_DISCRETE,
	  .unit = MU_BYTES, .scope = MS_HOST, .src = MS_HOST_RAM,
	  .help = "The host's RAM.", .pcp_one = "the host's RAM" },
	{ .om = "accountd_host_swap_bytes", .pcp = "host.swap",
	  .cluster = CL_HOST, .item = 1, .kind = MK_DISCRETE,
	  .unit = MU_BYTES, .scope = MS_HOST, .src = MS_HOST_SWAP,
	  .help = "The host's swap space.",
	  .pcp_one = "the host's swap space" },
	{ .om = "accountd_host_cpus", .pcp = "host.cpus", .cluster = CL_HOST,
	  .item = 2, .kind = MK_DISCRETE, .flags = MF_U32,
	  .scope = MS_HOST, .src = MS_HOST_CPUS,
	  .help = "CPUs online on the host.",
	  .pcp_one = "CPUs online on the host" },
	{ .om = "accountd_host_memory_committed_bytes",
	  .pcp = "host.ram_committed", .cluster = CL_HOST, .item = 3,
	  .kind = MK_INSTANT, .unit = MU_BYTES, .scope = MS_HOST,
	  .src = MS_RAM_COMMITTED,
	  .help = "Sum of the RAM limits (physpages) of running containers "
	    "that have one (vzoversell's RAM allocated).",
	  .pcp_one = "sum of the RAM limits of running containers",
	  .pcp_help = "Sum of the physpages limits of running containers that "
	    "have one (vzoversell's RAM allocated); compare with "
	    "accountd.host.ram." },
	{ .om = "accountd_host_swap_committed_bytes",
	  .pcp = "host.swap_committed", .cluster = CL_HOST, .item = 4,
	  .kind = MK_INSTANT, .unit = MU_BYTES, .scope = MS_HOST,
	  .src = MS_SWAP_COMMITTED,
	  .help = "Sum of the swap limits (swappages) of running containers "
	    "that have one (vzoversell's Swap allocated).",
	  .pcp_one = "sum of the swap limits of running containers",
	  .pcp_help = "Sum of the swappages limits of running containers that "
	    "have one (vzoversell's Swap allocated); compare with "
	    "accountd.host.swap." },
	{ .om = "accountd_host_memory_used_bytes", .pcp = "host.ram_used",
	  .cluster = CL_HOST, .item = 5, .kind = MK_INSTANT,
	  .unit = MU_BYTES, .scope = MS_HOST, .src = MS_RAM_USED,
	  .help = "Sum of the RAM held (physpages) by running containers.",
	  .pcp_one = "sum of the RAM held by running containers" },
	{ .om = "accountd_host_cpu_limit_committed_cpus",
	  .pcp = "host.cpulimit_committed", .cluster = CL_HOST, .item = 6,
	  .kind = MK_INSTANT, .unit = MU_CPUPCT, .scope = MS_HOST,
	  .src = MS_CPULIMIT_COMMITTED,
	  .help = "Sum of the CPU limits of running containers, in CPUs "
	    "(cpulimit / 100, at most cpus).",
	  .pcp_one = "sum of the CPU limits of running containers, in percent "
	    "of a CPU",
	  .pcp_help = "Sum of min(cpulimit, cpus x 100) over running "
	    "containers, in percent of one CPU; compare with "
	    "accountd.host.cpus x 100." },
	{ .om = "accountd_host_cpu_units_committed",
	  .pcp = "host.cpuunits_committed", .cluster = CL_HOST, .item = 7,
	  .kind = MK_INSTANT, .scope = MS_HOST, .src = MS_CPUUNITS_COMMITTED,
	  .help = "Sum of the cpuunits of running containers (1000 where "
	    "unset; vzcpucheck's current CPU utilization).",
	  .pcp_one = "sum of the cpuunits of running containers (1000 where "
	    "unset)",
	  .pcp_help = "vzcpucheck's current CPU utilization." },
	{ .om = "accountd_host_containers", .kind = MK_INSTANT,
	  .scope = MS_HOST, .src = MS_CONTAINERS,
	  .help = "Containers accountd knows, by state." },
	{ .pcp = "host.containers.running", .cluster = CL_HOST, .item = 8,
	  .kind = MK_INSTANT, .flags = MF_U32, .scope = MS_HOST,
	  .src = MS_RUNNING_N, .pcp_one = "containers running" },
	{ .pcp = "host.containers.stopped", .cluster = CL_HOST, .item = 9,
	  .kind = MK_INSTANT, .flags = MF_U32, .scope = MS_HOST,
	  .src = MS_STOPPED_N,
	  .pcp_one = "containers accountd knows that are not running" },
	{ .om = "accountd_host_containers_unlimited", .kind = MK_INSTANT,
	  .scope = MS_HOST, .src = MS_UNLIMITED,
	  .help = "Running containers without a limit on the resource, left "
	    "out of the committed sums (vzoversell's U and S flags)." },

	/* ---- per container ---- */
	{ .om = "accountd_container_running", .pcp = "running",
	  .cluster = CL_CT, .item = 0, .kind = MK_INSTANT, .flags = MF_U32,
	  .scope = MS_CT, .src = MS_RUNNING,
	  .help = "1 when the container's cgroup exists (it runs), else 0.",
	  .pcp_one = "1 when the container runs (its cgroup exists), else 0",
	  .basic = MB_ALL },
	{ .pcp = "cgroup", .cluster = CL_CT, .item = 1, .kind = MK_DISCRETE,
	  .flags = MF_STRING, .scope = MS_CT, .src = MS_CGROUP,
	  .pcp_one = "the container's cgroup path, relative to the hierarchy "
	    "roots" },

	/* beancounters: /metrics splits rows in bytes from rows of items */
	{ .om = "accountd_beancounter_held_bytes",
	  .om_items = "accountd_beancounter_held", .pcp = "held",
	  .item = 0, .kind = MK_INSTANT, .unit = MU_BYTES, .flags = MF_LIMIT,
	  .scope = MS_ROW, .src = MS_BC_HELD, .om_when = RUN,
	  .pcp_when = RUN,
	  .help = "Beancounter held: the resource in use now (rows counted in "
	    "pages or bytes, in bytes).",
	  .help_items = "Beancounter held for rows that count items (numproc, "
	    "numfile, ...).",
	  .pcp_help = "What is in use now.",
	  .basic = MB_ROWS },
	{ .om = "accountd_beancounter_maxheld_bytes",
	  .om_items = "accountd_beancounter_maxheld", .pcp = "maxheld",
	  .item = 1, .kind = MK_INSTANT, .unit = MU_BYTES, .flags = MF_LIMIT,
	  .scope = MS_ROW, .src = MS_BC_MAXHELD, .om_when = RUN,
	  .pcp_when = RUN,
	  .help = "Beancounter maxheld: the most held since the container "
	    "record was made.",
	  .help_items = "Beancounter maxheld for rows that count items.",
	  .pcp_help = "The most held since the container record was made." },
	{ .om = "accountd_beancounter_barrier_bytes",
	  .om_items = "accountd_beancounter_barrier", .pcp = "barrier",
	  .item = 2, .kind = MK_DISCRETE, .unit = MU_BYTES, .flags = MF_LIMIT,
	  .scope = MS_ROW, .src = MS_BC_BARRIER, .om_when = RUN,
	  .pcp_when = RUN,
	  .help = "Beancounter barrier (+Inf: unlimited).",
	  .help_items = "Beancounter barrier for rows that count items (+Inf: "
	    "unlimited).",
	  .pcp_help = "No value when unlimited.",
	  .basic = MB_ROWS },
	{ .om = "accountd_beancounter_limit_bytes",
	  .om_items = "accountd_beancounter_limit", .pcp = "limit",
	  .item = 3, .kind = MK_DISCRETE, .unit = MU_BYTES, .flags = MF_LIMIT,
	  .scope = MS_ROW, .src = MS_BC_LIMIT, .om_when = RUN,
	  .pcp_when = RUN,
	  .help = "Beancounter limit (+Inf: unlimited).",
	  .help_items = "Beancounter limit for rows that count items (+Inf: "
	    "unlimited).",
	  .pcp_help = "No value when unlimited.",
	  .basic = MB_ROWS },
	{ .om = "accountd_beancounter_failcnt", .pcp = "failcnt", .item = 4,
	  .kind = MK_COUNTER, .unit = MU_COUNT, .scope = MS_ROW,
	  .src = MS_BC_FAILCNT, .om_when = RUN, .pcp_when = RUN,
	  .help = "Times a charge against the resource failed (the beancounter "
	    "failcnt; kept across restarts of accountd).",
	  .pcp_help = "Times a charge against the resource failed; kept across "
	    "restarts of accountd.",
	  .basic = MB_NONZERO },

	/* CPU */
	{ .om = "accountd_container_cpu_usage_seconds", .pcp = "cpu.usage",
	  .cluster = CL_CPU, .item = 0, .kind = MK_COUNTER, .unit = MU_USEC,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(cpu_usage),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "CPU time used by the container's tasks.",
	  .pcp_one = "CPU time used by the container's tasks",
	  .basic = MB_ALL },
	{ .om = "accountd_container_cpu_user_seconds", .pcp = "cpu.user",
	  .cluster = CL_CPU, .item = 1, .kind = MK_COUNTER, .unit = MU_USEC,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(cpu_user),
	  .om_when = RUN | W_CPU_SPLIT, .pcp_when = RUN | W_CPU_SPLIT,
	  .help = "CPU time in user mode (where the kernel reports it).",
	  .pcp_one = "CPU time in user mode",
	  .pcp_help = "CPU time in user mode; no value where the kernel does "
	    "not split it (cgroup v1 cpuacct.usage)." },
	{ .om = "accountd_container_cpu_system_seconds", .pcp = "cpu.system",
	  .cluster = CL_CPU, .item = 2, .kind = MK_COUNTER, .unit = MU_USEC,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(cpu_system),
	  .om_when = RUN | W_CPU_SPLIT, .pcp_when = RUN | W_CPU_SPLIT,
	  .help = "CPU time in kernel mode (where the kernel reports it).",
	  .pcp_one = "CPU time in kernel mode",
	  .pcp_help = "CPU time in kernel mode; no value where the kernel does "
	    "not split it." },
	{ .om = "accountd_container_cpu_cfs_periods", .pcp = "cpu.periods",
	  .cluster = CL_CPU, .item = 4, .kind = MK_COUNTER, .unit = MU_COUNT,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(nr_periods),
	  .om_when = RUN | W_CFS, .pcp_when = RUN,
	  .help = "CFS bandwidth periods that elapsed while the container ran "
	    "under a CPU limit.",
	  .pcp_one = "CFS bandwidth periods elapsed under a CPU limit" },
	{ .om = "accountd_container_cpu_cfs_throttled_periods",
	  .pcp = "cpu.throttled_periods", .cluster = CL_CPU, .item = 5,
	  .kind = MK_COUNTER, .unit = MU_COUNT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(nr_throttled),
	  .om_when = RUN | W_CFS, .pcp_when = RUN,
	  .help = "CFS periods in which the container was throttled by its CPU "
	    "limit.",
	  .pcp_one = "CFS periods in which the container was throttled" },
	{ .om = "accountd_container_cpu_cfs_throttled_seconds",
	  .pcp = "cpu.throttled", .cluster = CL_CPU, .item = 3,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(throttled),
	  .om_when = RUN | W_CFS, .pcp_when = RUN,
	  .help = "Time the container's tasks spent throttled by the CPU "
	    "limit.",
	  .pcp_one = "time the container's tasks were throttled by its CPU "
	    "limit" },

	/* pressure stall totals */
#define PSI_PCP_HELP "Pressure stall information: time some (or all, for " \
	"full) of the container's tasks were stalled on the resource.  cgroup " \
	"v2 only."
	{ .om = "accountd_container_pressure_cpu_waiting_seconds",
	  .pcp = "pressure.cpu.some", .cluster = CL_PSI, .item = 0,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(psi_some[0]),
	  .om_when = RUN | W_PSI, .pcp_when = RUN | W_PSI,
	  .help = "PSI cpu some: time some tasks waited for a CPU.",
	  .pcp_one = "pressure stall time, cpu.some (PSI total)",
	  .pcp_help = PSI_PCP_HELP },
	{ .om = "accountd_container_pressure_memory_waiting_seconds",
	  .pcp = "pressure.memory.some", .cluster = CL_PSI, .item = 1,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(psi_some[1]),
	  .om_when = RUN | W_PSI, .pcp_when = RUN | W_PSI,
	  .help = "PSI memory some: time some tasks stalled on memory.",
	  .pcp_one = "pressure stall time, memory.some (PSI total)",
	  .pcp_help = PSI_PCP_HELP },
	{ .om = "accountd_container_pressure_memory_stalled_seconds",
	  .pcp = "pressure.memory.full", .cluster = CL_PSI, .item = 4,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(psi_full[1]),
	  .om_when = RUN | W_PSI, .pcp_when = RUN | W_PSI,
	  .help = "PSI memory full: time all tasks stalled on memory.",
	  .pcp_one = "pressure stall time, memory.full (PSI total)",
	  .pcp_help = PSI_PCP_HELP },
	{ .om = "accountd_container_pressure_io_waiting_seconds",
	  .pcp = "pressure.io.some", .cluster = CL_PSI, .item = 2,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(psi_some[2]),
	  .om_when = RUN | W_PSI, .pcp_when = RUN | W_PSI,
	  .help = "PSI io some: time some tasks stalled on I/O.",
	  .pcp_one = "pressure stall time, io.some (PSI total)",
	  .pcp_help = PSI_PCP_HELP },
	{ .om = "accountd_container_pressure_io_stalled_seconds",
	  .pcp = "pressure.io.full", .cluster = CL_PSI, .item = 5,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(psi_full[2]),
	  .om_when = RUN | W_PSI, .pcp_when = RUN | W_PSI,
	  .help = "PSI io full: time all tasks stalled on I/O.",
	  .pcp_one = "pressure stall time, io.full (PSI total)",
	  .pcp_help = PSI_PCP_HELP },
	{ .pcp = "pressure.cpu.full", .cluster = CL_PSI, .item = 3,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(psi_full[0]), .pcp_when = RUN | W_PSI,
	  .pcp_one = "pressure stall time, cpu.full (PSI total)",
	  .pcp_help = PSI_PCP_HELP },

	/* block devices */
#define IO_PCP_HELP "Per container and device: instances are named " \
	"CONTAINER::MAJ:MIN."
	{ .om = "accountd_container_io_read_bytes", .pcp = "io.read_bytes",
	  .cluster = CL_IO, .item = 0, .kind = MK_COUNTER, .unit = MU_BYTES,
	  .scope = MS_DEV, .src = MS_FIELD, .off = DEV(rbytes),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "Bytes read from the block device.",
	  .pcp_one = "bytes read from the block device",
	  .pcp_help = IO_PCP_HELP,
	  .basic = MB_ALL },
	{ .om = "accountd_container_io_written_bytes", .pcp = "io.write_bytes",
	  .cluster = CL_IO, .item = 1, .kind = MK_COUNTER, .unit = MU_BYTES,
	  .scope = MS_DEV, .src = MS_FIELD, .off = DEV(wbytes),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "Bytes written to the block device.",
	  .pcp_one = "bytes written to the block device",
	  .pcp_help = IO_PCP_HELP,
	  .basic = MB_ALL },
	{ .om = "accountd_container_io_reads", .pcp = "io.reads",
	  .cluster = CL_IO, .item = 2, .kind = MK_COUNTER, .unit = MU_COUNT,
	  .scope = MS_DEV, .src = MS_FIELD, .off = DEV(rios),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "Read operations on the block device.",
	  .pcp_one = "read operations on the block device",
	  .pcp_help = IO_PCP_HELP },
	{ .om = "accountd_container_io_writes", .pcp = "io.writes",
	  .cluster = CL_IO, .item = 3, .kind = MK_COUNTER, .unit = MU_COUNT,
	  .scope = MS_DEV, .src = MS_FIELD, .off = DEV(wios),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "Write operations on the block device.",
	  .pcp_one = "write operations on the block device",
	  .pcp_help = IO_PCP_HELP },

	/* memory and virtual swap */
	{ .om = "accountd_container_memory_cache_bytes", .pcp = "memory.cache",
	  .cluster = CL_MEM, .item = 0, .kind = MK_INSTANT, .unit = MU_BYTES,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(mem_cache),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "Page cache charged to the container.",
	  .pcp_one = "page cache charged to the container" },
	{ .om = "accountd_container_memory_anon_bytes", .pcp = "memory.anon",
	  .cluster = CL_MEM, .item = 1, .kind = MK_INSTANT, .unit = MU_BYTES,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(mem_anon),
	  .om_when = RUN, .pcp_when = RUN,
	  .help = "Anonymous memory charged to the container.",
	  .pcp_one = "anonymous memory charged to the container" },
	{ .om = "accountd_container_memory_limit_hits",
	  .pcp = "memory.limit_hits", .cluster = CL_MEM, .item = 2,
	  .kind = MK_COUNTER, .unit = MU_COUNT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(limit_hits),
	  .om_when = RUN | W_V2, .pcp_when = RUN | W_V2,
	  .help = "Times memory use reached the limit and reclaim resolved it "
	    "(cgroup v2 memory.events max).",
	  .pcp_one = "times memory use reached the limit and reclaim resolved "
	    "it",
	  .pcp_help = "cgroup v2 memory.events max; no value on cgroup v1." },
	{ .om = "accountd_container_vswap_bytes", .pcp = "vswap.held",
	  .cluster = CL_VSWAP, .item = 0, .kind = MK_INSTANT,
	  .unit = MU_BYTES, .scope = MS_CT, .src = MS_FIELD,
	  .off = CT(vswap), .om_when = RUN, .pcp_when = RUN,
	  .help = "Memory above RAM held in virtual swap (VSwap emulation).",
	  .pcp_one = "memory above RAM held in virtual swap (VSwap "
	    "emulation)" },
	{ .om = "accountd_container_vswap_in_bytes", .pcp = "vswap.in",
	  .cluster = CL_VSWAP, .item = 1, .kind = MK_COUNTER,
	  .unit = MU_BYTES, .scope = MS_CT, .src = MS_FIELD,
	  .off = CT(vswap_in), .om_when = RUN, .pcp_when = RUN,
	  .help = "Bytes brought back from virtual swap.",
	  .pcp_one = "bytes brought back from virtual swap" },
	{ .om = "accountd_container_vswap_out_bytes", .pcp = "vswap.out",
	  .cluster = CL_VSWAP, .item = 2, .kind = MK_COUNTER,
	  .unit = MU_BYTES, .scope = MS_CT, .src = MS_FIELD,
	  .off = CT(vswap_out), .om_when = RUN, .pcp_when = RUN,
	  .help = "Bytes pushed to virtual swap.",
	  .pcp_one = "bytes pushed to virtual swap" },
	{ .om = "accountd_container_vswap_slowed_seconds",
	  .pcp = "vswap.slowed", .cluster = CL_VSWAP, .item = 3,
	  .kind = MK_COUNTER, .unit = MU_USEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(vswap_slowed), .om_when = RUN,
	  .pcp_when = RUN,
	  .help = "Time the container was slowed down as if swapping.",
	  .pcp_one = "time the container was slowed down as if swapping" },

	/* disk quota, first level (docs/quota.md): /metrics has it for
	 * stopped containers too, PCP for running ones */
#define DISK_PCP_HELP "No value for a container without a disk quota, and " \
	"for a limit that is unlimited."
	{ .om = "accountd_container_disk_used_bytes", .pcp = "disk.used",
	  .cluster = CL_DISK, .item = 0, .kind = MK_INSTANT, .unit = MU_BYTES,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(disk_held),
	  .om_when = W_QUOTA, .pcp_when = RUN | W_QUOTA,
	  .help = "Disk space the container's tree holds (its quota's usage).",
	  .pcp_one = "disk space the container's tree holds",
	  .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_soft_limit_bytes", .pcp = "disk.soft",
	  .cluster = CL_DISK, .item = 1, .kind = MK_DISCRETE,
	  .unit = MU_BYTES, .flags = MF_LIMIT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(disk_soft), .om_when = W_QUOTA,
	  .pcp_when = RUN | W_QUOTA | W_NONZERO,
	  .help = "Disk quota soft limit (+Inf: none); past it for the grace "
	    "period it acts as the hard one.",
	  .pcp_one = "disk quota soft limit", .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_hard_limit_bytes", .pcp = "disk.hard",
	  .cluster = CL_DISK, .item = 2, .kind = MK_DISCRETE,
	  .unit = MU_BYTES, .flags = MF_LIMIT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(disk_hard), .om_when = W_QUOTA,
	  .pcp_when = RUN | W_QUOTA | W_NONZERO,
	  .help = "Disk quota hard limit (+Inf: none).",
	  .pcp_one = "disk quota hard limit", .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_used_inodes",
	  .pcp = "disk.inodes_used", .cluster = CL_DISK, .item = 4,
	  .kind = MK_INSTANT, .unit = MU_COUNT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(inodes_held), .om_when = W_QUOTA,
	  .pcp_when = RUN | W_QUOTA,
	  .help = "Inodes the container's tree holds.",
	  .pcp_one = "inodes the container's tree holds",
	  .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_soft_limit_inodes",
	  .pcp = "disk.inodes_soft", .cluster = CL_DISK, .item = 5,
	  .kind = MK_DISCRETE, .unit = MU_COUNT, .flags = MF_LIMIT,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(inodes_soft),
	  .om_when = W_QUOTA, .pcp_when = RUN | W_QUOTA | W_NONZERO,
	  .help = "Inode quota soft limit (+Inf: none).",
	  .pcp_one = "inode quota soft limit", .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_hard_limit_inodes",
	  .pcp = "disk.inodes_hard", .cluster = CL_DISK, .item = 6,
	  .kind = MK_DISCRETE, .unit = MU_COUNT, .flags = MF_LIMIT,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(inodes_hard),
	  .om_when = W_QUOTA, .pcp_when = RUN | W_QUOTA | W_NONZERO,
	  .help = "Inode quota hard limit (+Inf: none).",
	  .pcp_one = "inode quota hard limit", .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_failcnt", .pcp = "disk.failcnt",
	  .cluster = CL_DISK, .item = 3, .kind = MK_COUNTER,
	  .unit = MU_COUNT, .scope = MS_CT, .src = MS_FIELD,
	  .off = CT(disk_failcnt), .om_when = W_QUOTA,
	  .pcp_when = RUN | W_QUOTA,
	  .help = "Disk space quota refusals: writes refused (userspace quota) "
	    "or times the hard limit was reached (kernel quota).",
	  .pcp_one = "disk space quota refusals", .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_inodes_failcnt",
	  .pcp = "disk.inodes_failcnt", .cluster = CL_DISK, .item = 7,
	  .kind = MK_COUNTER, .unit = MU_COUNT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(inodes_failcnt), .om_when = W_QUOTA,
	  .pcp_when = RUN | W_QUOTA,
	  .help = "Inode quota refusals, counted as for disk_failcnt.",
	  .pcp_one = "inode quota refusals", .pcp_help = DISK_PCP_HELP },
	{ .om = "accountd_container_disk_grace_end_seconds",
	  .kind = MK_INSTANT, .unit = MU_MSEC, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(grace_disk_ms), .om_when = W_QUOTA,
	  .help = "When the disk space grace ends (Unix time); 0 while under "
	    "the soft limit." },

	/* configured values: for stopped containers too */
	{ .om = "accountd_container_config_ram_bytes", .pcp = "config.ram",
	  .cluster = CL_CONFIG, .item = 0, .kind = MK_DISCRETE,
	  .unit = MU_BYTES, .flags = MF_LIMIT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(ram), .om_when = W_NONZERO,
	  .pcp_when = W_NONZERO,
	  .help = "The container's configured RAM (--ram; +Inf: unlimited).",
	  .pcp_one = "the container's configured RAM (--ram)",
	  .pcp_help = "No value when unset or unlimited." },
	{ .om = "accountd_container_config_swap_bytes", .pcp = "config.swap",
	  .cluster = CL_CONFIG, .item = 1, .kind = MK_DISCRETE,
	  .unit = MU_BYTES, .flags = MF_LIMIT, .scope = MS_CT,
	  .src = MS_FIELD, .off = CT(swap), .om_when = W_NONZERO,
	  .pcp_when = W_NONZERO,
	  .help = "The container's configured swap (--swap; +Inf: "
	    "unlimited).",
	  .pcp_one = "the container's configured swap (--swap)",
	  .pcp_help = "No value when unset or unlimited." },
	{ .om = "accountd_container_config_cpu_units",
	  .pcp = "config.cpuunits", .cluster = CL_CONFIG, .item = 2,
	  .kind = MK_DISCRETE, .scope = MS_CT, .src = MS_CPUUNITS,
	  .om_when = SETTING, .pcp_when = SETTING,
	  .help = "The container's cpuunits (relative CPU weight; 1000 when "
	    "unset).",
	  .pcp_one = "the container's cpuunits (1000 when unset)" },
	{ .om = "accountd_container_config_cpu_limit_cpus",
	  .pcp = "config.cpulimit", .cluster = CL_CONFIG, .item = 3,
	  .kind = MK_DISCRETE, .unit = MU_CPUPCT, .scope = MS_CT,
	  .src = MS_CPULIMIT, .om_when = W_NONZERO, .pcp_when = W_NONZERO,
	  .help = "The container's CPU limit in CPUs (cpulimit / 100, at most "
	    "cpus); absent when there is none.",
	  .pcp_one = "the container's CPU limit in percent of one CPU (at most "
	    "cpus x 100)",
	  .pcp_help = "No value when there is none." },
	{ .om = "accountd_container_config_cpus", .pcp = "config.cpus",
	  .cluster = CL_CONFIG, .item = 4, .kind = MK_DISCRETE,
	  .flags = MF_LIMIT, .scope = MS_CT, .src = MS_FIELD, .off = CT(cpus),
	  .om_when = W_NONZERO, .pcp_when = W_NONZERO,
	  .help = "CPUs the container may use at once (--cpus).",
	  .pcp_one = "CPUs the container may use at once",
	  .pcp_help = "No value when unset." },
	{ .pcp = "config.numproc", .cluster = CL_CONFIG, .item = 5,
	  .kind = MK_DISCRETE, .unit = MU_COUNT, .flags = MF_LIMIT,
	  .scope = MS_CT, .src = MS_FIELD, .off = CT(numproc),
	  .pcp_when = W_NONZERO,
	  .pcp_one = "the container's numproc setting",
	  .pcp_help = "No value when unset." },
};
const size_t metric_count = sizeof(metric_table) / sizeof(metric_table[0]);

/* metrics_detail = basic: the memory, swap and process rows, beside the
 * CPU time, block I/O bytes and failures (docs/exporters.md, "Metrics") */
const uint32_t metric_basic_rows = (1u << UB_PHYSPAGES) |
    (1u << UB_SWAPPAGES) | (1u << UB_NUMPROC);

int
mdetail_parse(const char *s, enum mdetail *d, struct aerr *err)
{
	if (strcmp(s, "full") == 0)
		*d = MD_FULL;
	else if (strcmp(s, "basic") == 0)
		*d = MD_BASIC;
	else
		return aerr_set(err, EINVAL, "bad metrics_detail '%s' "
		    "(accepted: basic, full)", s);
	return 0;
}

const char *
mdetail_name(enum mdetail d)
{
	return d == MD_BASIC ? "basic" : "full";
}

static uint64_t
field(const void *base, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

static uint64_t
row_field(const struct snap_row *row, enum msrc src)
{
	switch (src) {
	case MS_BC_HELD:
		return snap_value(row, row->held);
	case MS_BC_MAXHELD:
		return snap_value(row, row->maxheld);
	case MS_BC_BARRIER:
		return snap_value(row, row->barrier);
	case MS_BC_LIMIT:
		return snap_value(row, row->limit);
	default:
		return row->failcnt;
	}
}

static uint64_t
host_value(const struct metric *m, const struct snap_header *h,
    const struct capacity *cap)
{
	switch (m->src) {
	case MS_TIME_MS:
		return h->time_ms;
	case MS_TIME_S:
		return h->time_ms / 1000;
	case MS_INTERVAL_MS:
		return h->interval_ms;
	case MS_STARTED_MS:
		return h->started_ms;
	case MS_ROUNDS:
		return h->rounds;
	case MS_HOST_RAM:
		return cap->ram;
	case MS_HOST_SWAP:
		return cap->swap;
	case MS_HOST_CPUS:
		return cap->cpus;
	case MS_RAM_COMMITTED:
		return cap->ram_limit;
	case MS_SWAP_COMMITTED:
		return cap->swap_limit;
	case MS_RAM_USED:
		return cap->ram_held;
	case MS_CPULIMIT_COMMITTED:
		return cap->cpulimit_pct;
	case MS_CPUUNITS_COMMITTED:
		return cap->cpuunits;
	case MS_RUNNING_N:
		return cap->running;
	case MS_STOPPED_N:
		return cap->stopped;
	default:
		return 0;
	}
}

int
metric_value(const struct metric *m, unsigned when,
    const struct snap_header *h, const struct capacity *cap,
    const struct snap_ct *c, unsigned sub, uint64_t *v)
{
	if (m->scope == MS_HOST) {
		*v = host_value(m, h, cap);
		return 1;
	}
	if (((when & W_RUNNING) && !c->running) ||
	    ((when & W_CPU_SPLIT) && c->cpu_user == 0 && c->cpu_system == 0) ||
	    ((when & W_CFS) && c->nr_periods == 0) ||
	    ((when & W_V2) && strcmp(h->cgroup_mode, "v2") != 0) ||
	    ((when & W_PSI) && !c->have_psi) ||
	    ((when & W_QUOTA) && !c->have_quota))
		return 0;
	switch (m->scope) {
	case MS_ROW:
		if (sub >= SNAP_ROWS || !c->row[sub].present)
			return 0;
		*v = row_field(&c->row[sub], m->src);
		break;
	case MS_DEV:
		if (sub >= c->ndev)
			return 0;
		*v = field(&c->dev[sub], m->off);
		break;
	default:
		switch (m->src) {
		case MS_RUNNING:
			*v = c->running != 0;
			break;
		case MS_CPUUNITS:
			*v = c->cpuunits ? c->cpuunits : 1000;
			break;
		case MS_CPULIMIT:
			*v = capacity_cpulimit(c);
			break;
		case MS_FIELD:
			*v = field(c, m->off);
			break;
		default:
			return 0;
		}
	}
	return (when & W_NONZERO) && *v == 0 ? 0 : 1;
}
