/* SPDX-License-Identifier: ISC */
/*
 * The exporters' fuzz targets (fuzz-http.c, fuzz-snapshot.c), in the
 * libFuzzer form.  For make check each is linked with fuzz-driver.c,
 * which replays tests/exporters/corpus/NAME/ and prints TAP; built with
 * clang -fsanitize=fuzzer (-DACCT_LIBFUZZER) they fuzz.  (The same form
 * as tests/fuzz/ on the tests branch, so they can move there.)
 */
#ifndef ACCT_EXP_FUZZ_H
#define ACCT_EXP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern const char *fuzz_target;
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
