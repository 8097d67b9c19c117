/* SPDX-License-Identifier: ISC */
/*
 * One line of /proc/PID/cgroup, as cg_pid_cgroup() (cgroup.c) reads it:
 * pure, apart so that a fuzz target reaches it (tests/fuzz/fuzz-pidcg.c).
 */
#ifndef ACCT_PIDCGROUP_H
#define ACCT_PIDCGROUP_H

#include <stdbool.h>

/*
 * line: "ID:CONTROLLERS:/PATH" (v1) or "0::/PATH" (v2), with or without
 * its newline; changed in place.  The path when the line is the one of
 * controller `want` (v1: one of its comma-separated names) or the v2
 * line, else NULL.
 */
const char *pidcg_line(char *line, bool v2, const char *want);

#endif
