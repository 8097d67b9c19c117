/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: ctconf_parse(), ctconf_render() and ctconf_update() on a
 * CTID.conf text.
 *
 * Properties, when the text parses:
 *   - render gives the text back (a final newline added if missing);
 *   - the rendered text parses to the same parameters;
 *   - rewriting every parameter through ctconf_update() (what --save does)
 *     renders a file that parses to the same parameters again.
 * When it does not parse, the message names the file and a line.
 */
#include "config.h"

#include <string.h>

#include "ctconf.h"
#include "fuzz.h"

const char fuzz_target[] = "ctconf";

static uint64_t
norm(unsigned i, uint64_t v)
{
	return (param_table[i].flags & PF_ZERO_UNLIM) && v == VAL_UNLIMITED ?
	    0 : v;
}

static void
same_params(const struct ct_params *a, const struct ct_params *b,
    const char *what)
{
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct pval *x = &a->v[i], *y = &b->v[i];

		FUZZ_CHECK(x->set == y->set && (!x->set ||
		    (norm(i, x->bar) == norm(i, y->bar) &&
		    norm(i, x->lim) == norm(i, y->lim) && x->kind == y->kind)),
		    "%s: %s was %llu:%llu (set %d), now %llu:%llu (set %d)",
		    what, param_table[i].key, (unsigned long long)x->bar,
		    (unsigned long long)x->lim, x->set,
		    (unsigned long long)y->bar, (unsigned long long)y->lim,
		    y->set);
	}
	if (a->v[P_CPUMASK].set)
		FUZZ_CHECK(strcmp(params_text(a, P_CPUMASK),
		    params_text(b, P_CPUMASK)) == 0, "%s: cpumask",
		    what);
	if (a->v[P_NODEMASK].set)
		FUZZ_CHECK(strcmp(params_text(a, P_NODEMASK),
		    params_text(b, P_NODEMASK)) == 0, "%s: nodemask",
		    what);
	if (a->v[P_IODEVICES].set)
		FUZZ_CHECK(strcmp(params_text(a, P_IODEVICES),
		    params_text(b, P_IODEVICES)) == 0,
		    "%s: iodevices", what);
	if (a->v[P_PRIVATE].set)
		FUZZ_CHECK(strcmp(params_text(a, P_PRIVATE),
		    params_text(b, P_PRIVATE)) == 0,
		    "%s: private", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf warn = SBUF_INIT;
	struct aerr err = { 0 };
	struct ctconf cf, back, saved;
	struct ct_params all;
	char *text, *out, *out2;
	size_t tl;

	if (size > 65536)
		return 0;
	text = fuzz_strndup(data, size);
	if (ctconf_parse("fuzz.conf", text, &cf, &warn, &err) < 0) {
		FUZZ_CHECK(strncmp(err.msg, "fuzz.conf:", 10) == 0,
		    "error without file:line: %s", err.msg);
		sbuf_free(&warn);
		free(text);
		return 0;
	}
	FUZZ_CHECK(warn.len == 0 || (warn.s[warn.len - 1] == '\n' &&
	    strchr(warn.s, '\n') == warn.s + warn.len - 1),
	    "warnings are not one line: [%s]", sbuf_str(&warn));

	/* render gives the text back */
	out = ctconf_render(&cf);
	tl = strlen(text);
	FUZZ_CHECK(strncmp(out, text, tl) == 0 && (strlen(out) == tl ||
	    (strlen(out) == tl + 1 && out[tl] == '\n' && tl > 0 &&
	    text[tl - 1] != '\n')), "render differs from the input");
	FUZZ_CHECK(ctconf_parse("again", out, &back, NULL, &err) == 0,
	    "rendered text does not parse: %s", err.msg);
	same_params(&cf.params, &back.params, "render");
	ctconf_free(&back);

	/* --save of every parameter, then read back */
	all = cf.params;
	ctconf_update(&cf, &all);
	out2 = ctconf_render(&cf);
	FUZZ_CHECK(ctconf_parse("saved", out2, &saved, NULL, &err) == 0,
	    "saved text does not parse: %s", err.msg);
	same_params(&all, &saved.params, "update");
	ctconf_free(&saved);

	free(out);
	free(out2);
	ctconf_free(&cf);
	sbuf_free(&warn);
	free(text);
	return 0;
}
