/* SPDX-License-Identifier: ISC */
/* The error object: see err.h for the convention. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int
aerr_set(struct aerr *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum <= 0)
		errnum = EINVAL;
	if (e != NULL) {
		e->errnum = errnum;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

/* Put context in front of an existing message: "101: " + "bad value". */
int
aerr_prefix(struct aerr *e, const char *fmt, ...)
{
	char head[AERR_MSG_MAX];
	size_t hl, tl;
	va_list ap;

	if (e == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	hl = strlen(head);
	tl = strnlen(e->msg, sizeof(e->msg) - 1);
	if (hl > sizeof(e->msg) - 1)
		hl = sizeof(e->msg) - 1;
	if (hl + tl > sizeof(e->msg) - 1)
		tl = sizeof(e->msg) - 1 - hl;
	memmove(e->msg + hl, e->msg, tl);
	memcpy(e->msg, head, hl);
	e->msg[hl + tl] = '\0';
	return -(e->errnum > 0 ? e->errnum : EINVAL);
}

void
aerr_clear(struct aerr *e)
{
	if (e != NULL) {
		e->errnum = 0;
		e->msg[0] = '\0';
	}
}

const char *
aerr_msg(const struct aerr *e)
{
	if (e == NULL || e->msg[0] == '\0')
		return "unknown error";
	return e->msg;
}
