/* SPDX-License-Identifier: ISC */
/* Reading the apply journal back: see journalparse.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "journalparse.h"
#include "sbuf.h"
#include "xalloc.h"

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
jrec_parse(const char *text, int nctrl, struct jrec *r)
{
	struct json_object *ops, *v;

	memset(r, 0, sizeof(*r));
	if (text == NULL || (r->j = json_tokener_parse(text)) == NULL)
		return -EINVAL;
	r->ct = jstr(r->j, "ct");
	r->cgpath = jstr(r->j, "cgroup");
	r->before = jstr(r->j, "live_before");
	r->after = jstr(r->j, "live_after");
	if (r->ct == NULL || r->cgpath == NULL || r->before == NULL ||
	    !json_object_object_get_ex(r->j, "ops", &ops) ||
	    !json_object_is_type(ops, json_type_array)) {
		jrec_free(r);
		return -EINVAL;
	}
	r->nops = json_object_array_length(ops);
	r->ops = xcalloc(r->nops ? r->nops : 1, sizeof(*r->ops));
	for (size_t k = 0; k < r->nops; k++) {
		struct json_object *o = json_object_array_get_idx(ops, k);
		struct jrec_op *op = &r->ops[k];

		op->file = jstr(o, "file");
		op->old = jstr(o, "old");
		op->ctrl = -1;
		if (op->file != NULL && (*op->file == '\0' ||
		    strchr(op->file, '/') != NULL || strcmp(op->file, "..") == 0 ||
		    strcmp(op->file, ".") == 0))
			op->file = NULL;
		if (o != NULL && json_object_is_type(o, json_type_object) &&
		    json_object_object_get_ex(o, "ctrl", &v) &&
		    json_object_is_type(v, json_type_int)) {
			int64_t c = json_object_get_int64(v);

			if (c >= 0 && c < nctrl)
				op->ctrl = (int)c;
		}
	}
	return 0;
}

void
jrec_free(struct jrec *r)
{
	if (r->j != NULL)
		json_object_put(r->j);
	free(r->ops);
	memset(r, 0, sizeof(*r));
}

/* s as a JSON string: what json-c's reader takes back byte for byte */
static void
put_str(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			sbuf_puts(b, "\\\"");
			break;
		case '\\':
			sbuf_puts(b, "\\\\");
			break;
		case '\n':
			sbuf_puts(b, "\\n");
			break;
		case '\t':
			sbuf_puts(b, "\\t");
			break;
		default:
			if (c < 0x20)
				sbuf_printf(b, "\\u%04x", c);
			else
				sbuf_putc(b, (char)c);
		}
	}
	sbuf_putc(b, '"');
}

void
jrec_render(struct sbuf *b, int version, const char *ct, const char *cgpath,
    const struct jrec_op *ops, const char *const *news, size_t nops,
    const char *before, const char *after)
{
	sbuf_printf(b, "{\"version\":%d,\"ct\":", version);
	put_str(b, ct);
	sbuf_puts(b, ",\"cgroup\":");
	put_str(b, cgpath);
	sbuf_puts(b, ",\"ops\":[");
	for (size_t k = 0; k < nops; k++) {
		sbuf_printf(b, "%s{\"ctrl\":%d", k ? "," : "", ops[k].ctrl);
		if (ops[k].file != NULL) {
			sbuf_puts(b, ",\"file\":");
			put_str(b, ops[k].file);
		}
		if (ops[k].old != NULL) {
			sbuf_puts(b, ",\"old\":");
			put_str(b, ops[k].old);
		}
		if (news != NULL && news[k] != NULL) {
			sbuf_puts(b, ",\"new\":");
			put_str(b, news[k]);
		}
		sbuf_putc(b, '}');
	}
	sbuf_puts(b, "],\"live_before\":");
	put_str(b, before);
	if (after != NULL) {
		sbuf_puts(b, ",\"live_after\":");
		put_str(b, after);
	}
	sbuf_putc(b, '}');
}
