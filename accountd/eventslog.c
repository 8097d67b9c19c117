/* SPDX-License-Identifier: ISC */
/* Reading events.log back: see eventslog.h. */
#include "config.h"

#include <string.h>

#include "eventslog.h"

/* One line; returns the event (owned by the caller) or NULL. */
static struct json_object *
parse_line(const char *line, size_t n, uint64_t after)
{
	struct json_tokener *tok;
	struct json_object *ev, *v;
	int64_t s;

	if (n > EVENTSLOG_LINE_MAX || memchr(line, '\0', n) != NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(8)) == NULL)
		return NULL;
	ev = json_tokener_parse_ex(tok, line, (int)n);
	if (ev == NULL || json_tokener_get_parse_end(tok) != n ||
	    !json_object_is_type(ev, json_type_object) ||
	    !json_object_object_get_ex(ev, "seq", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (s = json_object_get_int64(v)) <= 0 ||
	    (uint64_t)s <= after || (uint64_t)s > EVENTSLOG_SEQ_MAX ||
	    !json_object_object_get_ex(ev, "ct", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(ev);
		ev = NULL;
	}
	json_tokener_free(tok);
	return ev;
}

size_t
eventslog_read(const char *text, size_t len, uint64_t *seq,
    void (*fn)(struct json_object *, void *), void *arg)
{
	size_t skipped = 0;

	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - text) : len;
		struct json_object *ev, *v;

		if (n > 0) {
			if ((ev = parse_line(text, n, *seq)) != NULL) {
				json_object_object_get_ex(ev, "seq", &v);
				*seq = (uint64_t)json_object_get_int64(v);
				fn(ev, arg);
				json_object_put(ev);
			} else {
				skipped++;
			}
		}
		if (nl == NULL)
			break;
		text += n + 1;
		len -= n + 1;
	}
	return skipped;
}
