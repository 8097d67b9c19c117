/* SPDX-License-Identifier: ISC */
/*
 * Fuzz targets: one LLVMFuzzerTestOneInput() per parser.  Built two ways
 * (tests/fuzz/fuzz.am):
 *
 *   - with clang and -fsanitize=fuzzer by `make fuzz` (ACCT_LIBFUZZER
 *     defined): libFuzzer supplies main() and mutates the inputs;
 *   - with the project's compiler for `make check`: driver.c supplies a
 *     main() that replays tests/fuzz/corpus/<target>/ (seeds and every
 *     crash found so far) and prints TAP.
 *
 * A target checks properties as well as surviving: FUZZ_CHECK aborts with
 * a message, which libFuzzer reports as a crash and saves the input.
 */
#ifndef ACCT_FUZZ_H
#define ACCT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The target's name: its corpus is tests/fuzz/corpus/<fuzz_target>/. */
extern const char fuzz_target[];

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-%s: property violated: %s: ",	\
		    fuzz_target, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated copy of the input (inputs may contain NULs). */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	return s;
}

#endif
