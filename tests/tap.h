/* SPDX-License-Identifier: ISC */
/*
 * A minimal TAP producer for the C unit tests (automake's tap-driver.sh
 * reads it).  Header-only: each test program includes it once.
 *
 *	ok(cond, "name %d", i);
 *	is_str(got, "expected", "name");
 *	is_u64(got, 42, "name");
 *	return done_testing();
 */
#ifndef ACCT_TAP_H
#define ACCT_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
}

static int __attribute__((unused))
is_str(const char *got, const char *want, const char *name)
{
	int r = ok(got != NULL && strcmp(got, want) == 0, "%s", name);

	if (!r)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		    want);
	return r;
}

static int __attribute__((unused))
is_u64(uint64_t got, uint64_t want, const char *name)
{
	int r = ok(got == want, "%s", name);

	if (!r)
		printf("#   got:  %" PRIu64 "\n#   want: %" PRIu64 "\n", got, want);
	return r;
}

static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
