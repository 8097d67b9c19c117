/* SPDX-License-Identifier: ISC */
/*
 * Parsing what cgroup files hold, apart from reading them (pure: the
 * fuzz target tests/fuzz/fuzz-cgkeyed.c links it alone).  The sampler's
 * innermost loop: no allocation, no copy, one pass.
 */
#ifndef ACCT_CGPARSE_H
#define ACCT_CGPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* A counter value: decimal digits; "max" (v2), "-1" (v1) and v1's
 * LONG_MAX rounded down to a page are VAL_UNLIMITED. */
uint64_t cg_parse_u64(const char *s);

/*
 * The value of `key` in a flat keyed file's text, one "key value" per
 * line (memory.stat, memory.events, cpu.stat, pids.events; v1 and v2):
 * true and *v set (by cg_parse_u64), or false and *v untouched.  A key
 * matches a whole first word only ("pgmajfault" is not
 * "total_pgmajfault"); the first line with it wins.
 */
bool	cg_key_u64(const char *buf, const char *key, uint64_t *v);

#endif
