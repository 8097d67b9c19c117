/* dynprobe: proves that a dynamically linked host binary runs in the guest.
 * Prints the glibc version (gnu_get_libc_version), the paths of libc and libm as
 * mapped into the process (/proc/self/maps), a libm result, and the name of uid 0
 * (getpwuid through the guest's /etc/passwd).  Exits 0 if all of that worked. */
#include <gnu/libc-version.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

static int mapped(const char *needle)
{
    char line[512];
    int found = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *path = strchr(line, '/');
        if (path != NULL && strstr(path, needle) != NULL && !found) {
            printf("dynprobe: mapped %s", path);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    volatile double x = argc > 1 ? 0.5 : 2.0;   /* volatile: keep the libm call */
    struct passwd *pw = getpwuid(0);
    int ok = 1;

    (void)argv;
    printf("dynprobe: glibc %s\n", gnu_get_libc_version());
    ok &= mapped("libc.so.6");
    ok &= mapped("libm.so.6");
    ok &= mapped("ld-linux-x86-64.so.2");
    printf("dynprobe: sqrt(%g) = %.6f\n", x, sqrt(x));
    printf("dynprobe: uid 0 is %s\n", pw != NULL ? pw->pw_name : "(unknown)");
    ok &= pw != NULL && strcmp(pw->pw_name, "root") == 0;
    printf("dynprobe: %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
