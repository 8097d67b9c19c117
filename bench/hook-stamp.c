/* SPDX-License-Identifier: ISC */
/*
 * hook-stamp: the payload of bench/hook-cost.sh.  Prints CLOCK_REALTIME
 * in seconds (bash's $EPOCHREALTIME, the same clock: no time namespace)
 * as its first act, so the script can tell when a container's first
 * instruction ran, apart from what the runtime does after it exits.
 */
#include <stdio.h>
#include <time.h>

int
main(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%lld.%06ld\n", (long long)ts.tv_sec, ts.tv_nsec / 1000);
	return 0;
}
