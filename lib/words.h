/* SPDX-License-Identifier: ISC */
/*
 * Lists of words in one string, "report|restore" or "-a --all": the
 * accepted values of an accountd.conf key, the spellings of an acctctl
 * option.
 */
#ifndef ACCT_WORDS_H
#define ACCT_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* Is the word (its first len bytes) one of list's words, separated by
 * runs of `sep`? */
bool	words_has(const char *list, char sep, const char *word, size_t len);

#endif
