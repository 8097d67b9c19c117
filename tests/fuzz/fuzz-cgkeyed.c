/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: cg_key_u64() and cg_parse_u64() (accountd/cgparse.c), the
 * keyed cgroup-file parser of the sampler (memory.stat, memory.events,
 * cpu.stat, pids.events).
 *
 * Properties: it reads nothing past the text (ASan); for every key the
 * text's lines name, and for some they do not, it answers as a plain
 * line-by-line reading does (the first line whose first word is the key,
 * followed by a space, and its value by cg_parse_u64); a value is
 * VAL_UNLIMITED or below 2^62.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cgparse.h"
#include "fuzz.h"
#include "params.h"

const char fuzz_target[] = "cgkeyed";

/* the reference: split a copy into lines */
static bool
ref_key(const char *text, const char *key, uint64_t *v)
{
	char *copy = strdup(text), *line, *save = NULL;
	size_t kl = strlen(key);
	bool found = false;

	for (line = strtok_r(copy, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*v = cg_parse_u64(line + kl + 1);
			found = true;
		}
	free(copy);
	return found;
}

static void
check_key(const char *s, const char *key)
{
	uint64_t a = 12345, b = 12345;
	bool fa = cg_key_u64(s, key, &a), fb = ref_key(s, key, &b);

	FUZZ_CHECK(fa == fb && a == b, "key [%s] in [%s]: %d %llu, reference "
	    "%d %llu", key, s, fa, (unsigned long long)a, fb,
	    (unsigned long long)b);
	FUZZ_CHECK(!fa || a == VAL_UNLIMITED || a < (1ULL << 62),
	    "key [%s]: %llu", key, (unsigned long long)a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "anon", "file", "oom", "oom_kill",
		"max", "usage_usec", "pgmajfault", "" };
	char *s, *p;

	if (size > 65536)
		return 0;
	s = fuzz_strndup(data, size);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		check_key(s, keys[i]);
	/* the first word of every line, as a key */
	for (p = s; p != NULL && *p != '\0'; ) {
		size_t n = strcspn(p, " \n");
		char key[64];

		if (n < sizeof(key) && p[n] == ' ') {
			memcpy(key, p, n);
			key[n] = '\0';
			/* strtok_r skips empty lines: a key with none before
			 * it reads the same either way */
			check_key(s, key);
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	free(s);
	return 0;
}
