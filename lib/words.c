/* SPDX-License-Identifier: ISC */
/* Lists of words in one string (words.h). */
#include "config.h"

#include "words.h"

#include <string.h>

bool
words_has(const char *list, char sep, const char *word, size_t len)
{
	const char seps[2] = { sep, '\0' };

	for (const char *p = list; *p != '\0'; ) {
		size_t n = strcspn(p, seps);

		if (n == len && n > 0 && strncmp(p, word, n) == 0)
			return true;
		p += n;
		p += strspn(p, seps);
	}
	return false;
}
