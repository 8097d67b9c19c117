/* SPDX-License-Identifier: ISC */
/*
 * A main() for the exporters' fuzz targets without libFuzzer: replay
 * every file of $ACCT_SRCDIR/tests/exporters/corpus/NAME/ (or the files
 * and folders given) through LLVMFuzzerTestOneInput() and print TAP.  A
 * crash ends the program and the TAP plan is missing: a failure.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int n, failed;

static void
run_file(const char *path, const char *shown)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		printf("not ok %d - %s: %s\n", ++n, shown, strerror(errno));
		failed++;
		return;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	printf("ok %d - %s (%zu bytes)\n", ++n, shown, len);
	free(buf);
}

static void
run_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	int k;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		run_file(path, path);
		return;
	}
	if ((k = scandir(path, &ents, NULL, alphasort)) < 0) {
		printf("not ok %d - corpus %s: %s\n", ++n, path, strerror(errno));
		failed++;
		return;
	}
	for (int i = 0; i < k; i++) {
		char p[4096], shown[512];

		snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(p, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			snprintf(shown, sizeof(shown), "%s/%s", fuzz_target,
			    ents[i]->d_name);
			run_file(p, shown);
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_path(argv[i]);
	} else {
		const char *src = getenv("ACCT_SRCDIR");
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/tests/exporters/corpus/%s",
		    src ? src : ".", fuzz_target);
		run_path(dir);
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
