/* memhog MIB: allocate MIB mebibytes one at a time and write to every page, so that
 * the memory is really charged to the caller's cgroup.  Prints its progress (every
 * 16 MiB) unbuffered; exits 0 when all of it was touched, 2 if malloc failed.
 * A memory cgroup limit below MIB (and no swap) ends it with SIGKILL from the OOM killer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    long page = sysconf(_SC_PAGESIZE);

    if (mib <= 0) {
        fprintf(stderr, "usage: memhog MIB\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    for (long i = 1; i <= mib; i++) {
        char *p = malloc(1 << 20);
        if (p == NULL) {
            printf("memhog: malloc failed after %ld MiB\n", i - 1);
            return 2;
        }
        for (long off = 0; off < (1 << 20); off += page)
            p[off] = (char)i;
        if (i % 16 == 0)
            printf("memhog: touched %ld MiB\n", i);
    }
    printf("memhog: survived, touched %ld MiB\n", mib);
    return 0;
}
