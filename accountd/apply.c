/* SPDX-License-Identifier: ISC */
/* All-or-nothing application of a plan: see apply.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "apply.h"
#include "journal.h"
#include "log.h"
#include "xalloc.h"

/* The line of a per-device file that belongs to dev, or the "no limit"
 * value for it (v1: "MAJ:MIN 0"; v2 io.max: all keys "max"). */
static void
old_dev_value(const char *content, const struct plan_op *op, char *out,
    size_t len)
{
	size_t dl = strlen(op->dev);
	const char *p = content;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > dl && strncmp(p, op->dev, dl) == 0 && p[dl] == ' ') {
			snprintf(out, len, "%.*s", (int)n, p);
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (op->kind == OP_DEV_V1)
		snprintf(out, len, "%s 0", op->dev);
	else
		snprintf(out, len, "%s rbps=max wbps=max riops=max wiops=max",
		    op->dev);
}

/*
 * The old value of op's file, and whether it must be written.  A file
 * that will be written stays open in *fd for the write and the read-back
 * (cg_open_rw); one that will not is closed at once (*fd -1).
 */
static int
snapshot(int dfd, const struct plan_op *op, const struct cg_seen *seen,
    struct journal_undo *u, int *fd, struct aerr *err)
{
	const char *was = cg_seen_get(seen, op->ctrl, op->file);
	char buf[4096];
	ssize_t r;

	u->needed = false;
	*fd = -1;
	if (op->kind == OP_MEMGUARD)
		return 0;
	/* read a moment ago to make the plan, holding the op's value */
	if (op->kind == OP_WRITE && was != NULL && strcmp(was, op->value) == 0) {
		snprintf(u->value, sizeof(u->value), "%s", was);
		return 0;
	}
	if ((*fd = cg_open_rw(dfd, op->file)) >= 0) {
		if ((r = cg_pread(*fd, buf, sizeof(buf))) < 0) {
			close(*fd);
			*fd = -1;
		}
	} else {	/* (not readable and writable: the error of a read) */
		r = cg_read(dfd, op->file, buf, sizeof(buf));
	}
	if (r < 0)
		return aerr_set(err, (int)-r, "%s: cannot read the current value: "
		    "%s", op->file, strerror((int)-r));
	if (op->kind == OP_WRITE) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(u->value, sizeof(u->value), "%s", buf);
	} else {
		old_dev_value(buf, op, u->value, sizeof(u->value));
	}
	/* the file says what the write would: nothing to write or undo */
	u->needed = strcmp(u->value, op->value) != 0;
	if (!u->needed && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return 0;
}

/* What a written file holds after the plan, for drift (apply.h): read
 * back through the descriptor of the write, which is closed. */
static void
readback(int fd, struct apply_done *d)
{
	char buf[sizeof(d->now)];
	ssize_t r;

	if ((r = cg_pread(fd, buf, sizeof(buf))) >= 0) {
		while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
			buf[--r] = '\0';
		d->known = true;
		memcpy(d->now, buf, (size_t)r + 1);
	}
	close(fd);
}

static void
usage_text(const struct cg_layout *l, const struct cg_ct *ct, char *buf,
    size_t len)
{
	int fd = cg_ct_fd(l, ct, CTRL_MEMORY);
	uint64_t u = 0;

	buf[0] = '\0';
	if (fd < 0 || (cg_read_u64(fd, cg_version(l, CTRL_MEMORY) == 1 ?
	    "memory.usage_in_bytes" : "memory.current", &u) < 0))
		return;
	fmt_bytes(u, buf, len);
}

/*
 * v2 does not refuse a memory.max below usage: it reclaims and then
 * OOM-kills.  Ask for reclaim through memory.high (which never kills),
 * then refuse, as v1 does, if usage still does not fit.
 */
static int
memguard(int dfd, const struct plan_op *op)
{
	char old[64];
	uint64_t cur;
	int r;

	if ((r = cg_read_u64(dfd, "memory.current", &cur)) < 0)
		return r;
	if (cur <= op->guard)
		return 0;
	if (cg_read(dfd, "memory.high", old, sizeof(old)) < 0)
		snprintf(old, sizeof(old), "max");
	old[strcspn(old, "\n")] = '\0';
	{
		char v[32];

		snprintf(v, sizeof(v), "%llu", (unsigned long long)op->guard);
		(void)cg_write(dfd, "memory.high", v, NULL);
	}
	(void)cg_write(dfd, "memory.high", old, NULL);
	if ((r = cg_read_u64(dfd, "memory.current", &cur)) < 0)
		return r;
	return cur <= op->guard ? 0 : -EBUSY;
}

/* What became of each op of a plan carried out (apply.h), but what the
 * files written hold now (apply_finish). */
static void
results(const struct plan *pl, const struct journal_undo *undo,
    struct apply_done *res)
{
	for (size_t i = 0; i < pl->nops; i++) {
		res[i].written = pl->ops[i].kind == OP_MEMGUARD || undo[i].needed;
		res[i].known = false;
		if (pl->ops[i].kind == OP_WRITE && !undo[i].needed) {
			res[i].known = true;
			snprintf(res[i].now, sizeof(res[i].now), "%s",
			    pl->ops[i].value);
		}
	}
}

static int
apply_fds(const struct cg_layout *l, const struct cg_ct *ct,
    const char *ctname, const char *cgpath, const struct plan *pl,
    const char *live_after, const struct cg_seen *seen,
    struct apply_done *res, int *fds, struct aerr *err)
{
	unsigned delay = journal_test_delay_us();
	_cleanup_free_ struct journal_undo *undo = NULL;
	struct aerr e = { 0 };
	size_t i, done = 0;
	int r = 0;

	undo = xcalloc(pl->nops ? pl->nops : 1, sizeof(*undo));
	for (i = 0; i < pl->nops; i++) {
		const struct plan_op *op = &pl->ops[i];
		int dfd = cg_ct_fd(l, ct, op->ctrl);

		if (dfd < 0)
			return aerr_set(err, ENXIO, "cannot set %s on %s: the "
			    "container has no %s cgroup", op->why, ctname,
			    ctrl_name(op->ctrl, cg_version(l, op->ctrl)));
		if ((r = snapshot(dfd, &pl->ops[i], seen, &undo[i], &fds[i],
		    &e)) < 0)
			return aerr_set(err, e.errnum, "cannot set %s on %s: %s",
			    op->why, ctname, e.msg);
	}
	/*
	 * Every file holds its value and the live file its text (a set
	 * made again): nothing to write, so nothing to record either (the
	 * journal's two writes and the live file's one).
	 */
	for (i = 0; i < pl->nops && pl->ops[i].kind != OP_MEMGUARD &&
	    !undo[i].needed; i++)
		;
	if (i == pl->nops && journal_live_is(ctname, live_after)) {
		results(pl, undo, res);
		return 0;
	}
	journal_begin(ctname, cgpath, pl, undo, live_after);
	for (i = 0; i < pl->nops; i++) {
		const struct plan_op *op = &pl->ops[i];
		int dfd = cg_ct_fd(l, ct, op->ctrl);

		if (op->kind != OP_MEMGUARD && !undo[i].needed) {
			/*
			 * The value is in force already (a set that changes
			 * some of a group, the CFS period): not written again.
			 * A write of the same cpu.cfs_* value costs the kernel
			 * a walk of every CPU (tg_set_bandwidth: a third of a
			 * set's time in accountd, bench/set-latency.sh).
			 */
			done = i + 1;
			continue;
		} else if (op->kind == OP_MEMGUARD) {
			if ((r = memguard(dfd, op)) < 0) {
				aerr_set(&e, -r, "memory.max: %s", strerror(-r));
				break;
			}
		} else if ((r = fds[i] >= 0 ?
		    cg_write_fd(fds[i], op->file, op->value, &e) :
		    cg_write(dfd, op->file, op->value, &e)) < 0) {
			break;
		}
		done = i + 1;
		if (delay > 0)
			usleep(delay);
	}
	if (r == 0) {
		journal_commit();
		results(pl, undo, res);
		return 0;
	}

	/* undo, newest first */
	{
		const struct plan_op *op = &pl->ops[i];
		char usage[32] = "", rb[256] = "";
		size_t used = 0;

		for (size_t k = done; k-- > 0;) {
			struct aerr ue = { 0 };

			if (!undo[k].needed)
				continue;
			if (cg_write(cg_ct_fd(l, ct, pl->ops[k].ctrl),
			    pl->ops[k].file, undo[k].value, &ue) < 0) {
				log_err("%s: rollback failed: %s", ctname, ue.msg);
				used += (size_t)snprintf(rb + used, sizeof(rb) - used,
				    "%s%s", used ? ", " : "; rollback failed for ",
				    pl->ops[k].file);
				if (used >= sizeof(rb))
					used = sizeof(rb) - 1;
			}
		}
		journal_end();
		if (op->ctrl == CTRL_MEMORY && (-r == EBUSY || -r == EINVAL) &&
		    (op->param == P_PHYSPAGES || op->param == P_SWAPPAGES))
			usage_text(l, ct, usage, sizeof(usage));
		if (usage[0])
			return aerr_set(err, -r, "cannot set %s on %s: usage is "
			    "%s (%s)%s", op->why, ctname, usage, e.msg, rb);
		return aerr_set(err, -r, "cannot set %s on %s: %s%s", op->why,
		    ctname, e.msg, rb);
	}
}

int
apply_plan_keep(const struct cg_layout *l, const struct cg_ct *ct,
    const char *ctname, const char *cgpath, const struct plan *pl,
    const char *live_after, const struct cg_seen *seen,
    struct apply_done *res, int *fds, struct aerr *err)
{
	int r;

	for (size_t i = 0; i < pl->nops; i++)
		fds[i] = -1;
	r = apply_fds(l, ct, ctname, cgpath, pl, live_after, seen, res, fds,
	    err);
	for (size_t i = 0; r < 0 && i < pl->nops; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	return r;
}

void
apply_finish(const struct plan *pl, int *fds, struct apply_done *res)
{
	for (size_t i = 0; i < pl->nops; i++) {
		if (fds[i] < 0)
			continue;
		if (pl->ops[i].kind == OP_WRITE && res[i].written)
			readback(fds[i], &res[i]);
		else
			close(fds[i]);
		fds[i] = -1;
	}
}
