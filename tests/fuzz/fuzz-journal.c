/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: jrec_parse(), how accountd reads state_dir/journal back at
 * start (accountd/journalparse.c) to roll an interrupted change back.  The
 * file is the daemon's own, but a crash mid-write, a full disk or a hand
 * edit leaves anything in it, and what it names is written as root.
 *
 * Properties: a journal read has its three strings and as many ops as
 * its array; every op's controller is -1 or in range, and every file it
 * would write is a plain name (not empty, no '/', not . or ..); a text
 * that is not a journal gives -EINVAL and nothing to free.  And the
 * writer: a journal read, written again by jrec_render() (how
 * journal_begin() writes it), reads back the same.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "journalparse.h"
#include "sbuf.h"

const char fuzz_target[] = "journal";

#define NCTRL	8

static bool
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* r written by jrec_render() and read again is r */
static void
roundtrip(const struct jrec *r)
{
	struct sbuf t = SBUF_INIT;
	struct jrec b;

	jrec_render(&t, 1, r->ct, r->cgpath, r->ops, NULL, r->nops,
	    r->before, r->after);
	FUZZ_CHECK(jrec_parse(sbuf_str(&t), NCTRL, &b) == 0,
	    "jrec_render wrote what jrec_parse refuses: %s", sbuf_str(&t));
	FUZZ_CHECK(same(r->ct, b.ct) && same(r->cgpath, b.cgpath) &&
	    same(r->before, b.before) && same(r->after, b.after) &&
	    r->nops == b.nops, "read back otherwise: %s", sbuf_str(&t));
	for (size_t k = 0; k < r->nops; k++)
		FUZZ_CHECK(r->ops[k].ctrl == b.ops[k].ctrl &&
		    same(r->ops[k].file, b.ops[k].file) &&
		    same(r->ops[k].old, b.ops[k].old),
		    "op %zu read back otherwise: %s", k, sbuf_str(&t));
	jrec_free(&b);
	sbuf_free(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jrec r;
	char *text;
	int rc;

	if (size > 1 << 20)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = jrec_parse(text, NCTRL, &r);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
	if (rc == 0) {
		FUZZ_CHECK(r.ct != NULL && r.cgpath != NULL && r.before != NULL,
		    "a journal without its strings");
		for (size_t k = 0; k < r.nops; k++) {
			const struct jrec_op *op = &r.ops[k];

			FUZZ_CHECK(op->ctrl >= -1 && op->ctrl < NCTRL,
			    "op %zu: ctrl %d", k, op->ctrl);
			FUZZ_CHECK(op->file == NULL || (*op->file != '\0' &&
			    strchr(op->file, '/') == NULL &&
			    strcmp(op->file, ".") != 0 &&
			    strcmp(op->file, "..") != 0),
			    "op %zu: file '%s' written", k, op->file);
		}
		roundtrip(&r);
		jrec_free(&r);
	} else {
		FUZZ_CHECK(r.j == NULL && r.ops == NULL, "-EINVAL left memory");
	}
	free(text);
	return 0;
}
