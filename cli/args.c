/* SPDX-License-Identifier: ISC */
/*
 * The one reader of acctctl's command lines.  Each command declares its
 * options in its struct cmd_entry (a table of struct cmd_opt: spellings,
 * value, help line); args_parse reads argv against that table, and
 * args_help prints --help from the same table, so what is parsed and what
 * is documented cannot drift apart.
 *
 * Rules: an option is one argv word spelt exactly as the table has it
 * (OpenVZ's -rc and -qh are whole words, not bundles); a value follows as
 * the next word, or after '=' for a --long spelling; "--" ends options;
 * -h and --help print the help on every command.  A command with
 * CMD_PARAMS also takes every parameter of the table (policies/params.c)
 * as --NAME VALUE, checked at once with the daemon's own parser.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "params.h"
#include "words.h"
#include "xalloc.h"

const struct cmd_opt json_opts[] = {
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

static size_t
nopts(const struct cmd_entry *c)
{
	size_t n = 0;

	while (c->opts != NULL && c->opts[n].names != NULL)
		n++;
	return n;
}

static int
opt_index(const struct cmd_entry *c, const char *word, size_t len)
{
	for (size_t i = 0; i < nopts(c); i++)
		if (words_has(c->opts[i].names, ' ', word, len))
			return (int)i;
	return -1;
}

bool
args_known(const struct cmd_entry *c, const char *name)
{
	return opt_index(c, name, strlen(name)) >= 0;
}

/* The accepted options, for the error naming an unknown one. */
static void
accepted(const struct cmd_entry *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nopts(c) && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%.*s",
		    used ? " " : "", (int)strcspn(c->opts[i].names, " "),
		    c->opts[i].names);
	if (used < len)
		snprintf(buf + used, len - used, "%s-h", used ? " " : "");
}

int
args_parse(const struct cmd_entry *c, int argc, char **argv,
    struct cmd_args *a)
{
	size_t n = nopts(c);
	bool opts_done = false;
	int r, rest_at = 0;	/* CMD_REST: where the first positional was */

	memset(a, 0, sizeof(*a));
	a->cmd = c;
	a->argc = argc;
	a->argv = argv;
	a->val = xcalloc(n ? n : 1, sizeof(*a->val));
	a->pos = xcalloc((size_t)argc + 1, sizeof(*a->pos));
	if (c->flags & CMD_PARAMS)
		a->params = json_object_new_object();
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *eq = NULL;
		size_t len = strlen(w);
		int k;

		if (strcmp(w, "--") == 0 && (!opts_done || (rest_at > 0 &&
		    i == rest_at + 1))) {
			opts_done = true;	/* and exec's CT -- COMMAND */
			rest_at = 0;
			continue;
		}
		if (opts_done || w[0] != '-' || w[1] == '\0') {
			/* "-" is a value (standard input) */
			if (c->maxpos >= 0 && a->npos >= c->maxpos) {
				r = usage_error(c->name, "unexpected argument "
				    "'%s' (accepted: %s)", w, c->args);
				goto fail;
			}
			a->pos[a->npos++] = argv[i];
			if ((c->flags & CMD_REST) && !opts_done) {
				opts_done = true;
				rest_at = i;
			}
			continue;
		}
		if (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0) {
			args_free(a);
			return ARGS_HELP;
		}
		if (w[1] == '-' && (eq = strchr(w, '=')) != NULL)
			len = (size_t)(eq - w);
		if ((k = opt_index(c, w, len)) >= 0) {
			const struct cmd_opt *o = &c->opts[k];

			if (o->value == NULL) {
				if (eq != NULL) {
					r = usage_error(c->name, "%.*s takes no "
					    "value", (int)len, w);
					goto fail;
				}
				a->val[k] = "";
			} else if (eq != NULL)
				a->val[k] = eq + 1;
			else if (i + 1 < argc)
				a->val[k] = argv[++i];
			else {
				r = usage_error(c->name, "%s needs a value (%s)",
				    w, o->value);
				goto fail;
			}
			continue;
		}
		if ((c->flags & CMD_PARAMS) && w[1] == '-') {
			char name[64];
			const char *val;

			snprintf(name, sizeof(name), "%.*s", (int)len - 2, w + 2);
			if (param_by_name(name) != NULL) {
				if (eq != NULL)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else
					val = NULL;
				if ((r = param_opt_add(c->name, name, val,
				    a->params)) != EX_OK)
					goto fail;
				continue;
			}
			r = usage_error(c->name, "unknown option or argument '%s' "
			    "(acctctl help params lists the parameters)", w);
			goto fail;
		}
		{
			char acc[512];

			accepted(c, acc, sizeof(acc));
			r = usage_error(c->name, "unknown argument '%s' "
			    "(accepted: %s)", w, acc);
		}
		goto fail;
	}
	return EX_OK;
fail:
	args_free(a);
	return r;
}

static int
must_index(const struct cmd_args *a, const char *name)
{
	int k = opt_index(a->cmd, name, strlen(name));

	if (k < 0) {	/* a command asked for an option it did not declare */
		fprintf(stderr, "acctctl %s: internal error: no option %s in "
		    "the spec\n", a->cmd->name, name);
		abort();
	}
	return k;
}

/*
 * Every value given to option NAME, in order (args_get has the last):
 * the command's words read again as args_parse read them.  Returns how
 * many, at most max stored in out (borrowed from argv).
 */
int
args_all(const struct cmd_args *a, const char *name, const char **out,
    int max)
{
	int want = must_index(a, name), n = 0;

	for (int i = 1; i < a->argc; i++) {
		const char *w = a->argv[i], *eq = NULL, *v;
		size_t len = strlen(w);
		int k;

		if (strcmp(w, "--") == 0)
			break;
		if (w[0] != '-' || w[1] == '\0')
			continue;
		if (w[1] == '-' && (eq = strchr(w, '=')) != NULL)
			len = (size_t)(eq - w);
		if ((k = opt_index(a->cmd, w, len)) < 0 ||
		    a->cmd->opts[k].value == NULL)
			continue;
		v = eq != NULL ? eq + 1 : i + 1 < a->argc ? a->argv[++i] : NULL;
		if (k == want && v != NULL && n++ < max)
			out[n - 1] = v;
	}
	return n;
}

bool
args_has(const struct cmd_args *a, const char *name)
{
	return a->val[must_index(a, name)] != NULL;
}

const char *
args_get(const struct cmd_args *a, const char *name)
{
	return a->val[must_index(a, name)];
}

void
args_free(struct cmd_args *a)
{
	free(a->val);
	free(a->pos);
	json_object_put(a->params);
	a->val = NULL;
	a->pos = NULL;
	a->params = NULL;
}

/* usage: acctctl NAME [-a] [-o FIELD,...] [--PARAM VALUE ...] ARGS */
void
args_synopsis(const struct cmd_entry *c, FILE *f)
{
	fprintf(f, "usage: acctctl %s", c->name);
	for (size_t i = 0; i < nopts(c); i++) {
		const struct cmd_opt *o = &c->opts[i];

		fprintf(f, " [%.*s%s%s]", (int)strcspn(o->names, " "), o->names,
		    o->value ? " " : "", o->value ? o->value : "");
	}
	if (c->flags & CMD_PARAMS)
		fprintf(f, " [--PARAM VALUE ...]");
	fprintf(f, "%s%s\n", *c->args ? " " : "", c->args);
}

static void
help_line(FILE *f, const char *names, const char *value, const char *help)
{
	char left[64];
	size_t used = 0;

	for (const char *p = names; *p != '\0' && used < sizeof(left); ) {
		size_t n = strcspn(p, " ");

		used += (size_t)snprintf(left + used, sizeof(left) - used,
		    "%s%.*s", used ? ", " : "", (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
	if (value != NULL && used < sizeof(left))
		snprintf(left + used, sizeof(left) - used, " %s", value);
	if (strlen(left) > 22)
		fprintf(f, "  %s\n  %-22s  %s\n", left, "", help);
	else
		fprintf(f, "  %-22s  %s\n", left, help);
}

/* --help: the synopsis, the summary, then one line an option. */
void
args_help(const struct cmd_entry *c, FILE *f)
{
	args_synopsis(c, f);
	fprintf(f, "  %s\n\n", c->summary);
	for (size_t i = 0; i < nopts(c); i++)
		help_line(f, c->opts[i].names, c->opts[i].value,
		    c->opts[i].help);
	if (c->flags & CMD_PARAMS)
		help_line(f, "--PARAM", "VALUE",
		    "a parameter (acctctl help params lists them)");
	help_line(f, "-h --help", NULL, "this help");
}

/*
 * The one error of a command line: "acctctl CMD: what was wrong (what is
 * accepted)" and the command's synopsis (cmd_find: acctctl's table, or
 * acctctl-graph's one entry), exit status 2.
 */
int
usage_error(const char *cmd, const char *fmt, ...)
{
	const struct cmd_entry *c = cmd_find(cmd);
	va_list ap;

	fprintf(stderr, "acctctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (c != NULL)
		args_synopsis(c, stderr);
	return EX_USAGE;
}
