/* SPDX-License-Identifier: ISC */
/*
 * A main() for the fuzz targets when libFuzzer is not used: replays every
 * file of the target's corpus through LLVMFuzzerTestOneInput() and prints
 * TAP, so `make check` (with gcc, and ASan with --enable-sanitizers) runs
 * the seeds and every crash input ever found.
 *
 *	fuzz-NAME              replay $ACCT_SRCDIR/tests/fuzz/corpus/NAME/
 *	fuzz-NAME DIR|FILE...  replay those (reproduce a libFuzzer crash)
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
	/* a crash here ends the program: the TAP plan is then missing */
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	printf("ok %d - %s (%zu bytes)\n", ++n, shown, len);
	free(buf);
}

static void
run_dir(const char *dir)
{
	struct dirent **ents;
	int k = scandir(dir, &ents, NULL, alphasort);

	if (k < 0) {
		printf("not ok %d - corpus %s: %s\n", ++n, dir, strerror(errno));
		failed++;
		return;
	}
	for (int i = 0; i < k; i++) {
		char path[4096], shown[512];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			snprintf(shown, sizeof(shown), "%s/%s", fuzz_target,
			    ents[i]->d_name);
			run_file(path, shown);
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;

			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
				run_dir(argv[i]);
			else
				run_file(argv[i], argv[i]);
		}
	} else {
		const char *src = getenv("ACCT_SRCDIR");
		char dir[4096];
		int before;

		if (src == NULL) {
			printf("1..0 # SKIP ACCT_SRCDIR is not set (run by make "
			    "check, or give a corpus directory)\n");
			return 0;
		}
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src,
		    fuzz_target);
		before = n;
		run_dir(dir);
		if (n == before) {
			printf("not ok %d - corpus %s is empty\n", ++n, dir);
			failed++;
		}
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
