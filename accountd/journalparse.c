/* SPDX-License-Identifier: ISC */
/* Reading the apply journal back: see journalparse.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "journalparse.h"
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
