/* SPDX-License-Identifier: ISC */
/*
 * LD_PRELOAD=pagesize-64k.so: sysconf(_SC_PAGESIZE) answers 65536, as on
 * an arm64 or ppc64le host with 64 KiB pages, so a test on x86 can show
 * that a reader of the snapshot does not use the host's page size for
 * rows counted in OpenVZ's 4 KiB pages (tests/ledger/page-size.sh).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>

long
sysconf(int name)
{
	static long (*real)(int);

	if (name == _SC_PAGESIZE)
		return 65536;
	if (real == NULL)
		real = (long (*)(int))dlsym(RTLD_NEXT, "sysconf");
	return real != NULL ? real(name) : -1;
}
