/* SPDX-License-Identifier: ISC */
/*
 * A checked copy of the snapshot (see snapview.h).  Its readers run
 * without privileges and read a file another process writes; a short or
 * garbled file must give wrong figures at worst, never a crash or an
 * unbounded label.  So every string is terminated here, every count clamped, and
 * the records sorted by name with duplicates dropped (so /metrics never
 * has two series with the same labels, and lookups are a binary search).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapview.h"
#include "xalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

static void
terminate(char *s, size_t size)
{
	s[size - 1] = '\0';
}

static int
by_name(const void *a, const void *b)
{
	const struct snap_ct *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* a departed record and a running one of the same name side by
	 * side: the departed first */
	if (c == 0)
		c = (int)(y->flags & SNAP_GONE) - (int)(x->flags & SNAP_GONE);
	return c;
}

size_t
sview_sanitize(struct snap_header *h, struct snap_ct *cts, size_t n,
    bool keep_gone)
{
	bool sorted = true;
	size_t k;

	terminate(h->cgroup_mode, sizeof(h->cgroup_mode));
	terminate(h->hostname, sizeof(h->hostname));
	terminate(h->version_str, sizeof(h->version_str));
	if (h->host_cpus == 0)
		h->host_cpus = 1;
	for (size_t i = 0; i < n; i++) {
		struct snap_ct *c = &cts[i];

		terminate(c->name, sizeof(c->name));
		terminate(c->cgroup, sizeof(c->cgroup));
		c->running = c->running != 0;
		if (c->ndev > SNAP_DEVS)
			c->ndev = SNAP_DEVS;
		for (uint32_t d = 0; d < c->ndev; d++)
			terminate(c->dev[d].dev, sizeof(c->dev[d].dev));
		for (int r = 0; r < SNAP_ROWS; r++) {
			struct snap_row *row = &c->row[r];

			row->present = row->present != 0 &&
			    !(SNAP_DUMMY_ROWS & (1u << r));
			if (row->unit > SNAP_UNIT_ITEMS)
				row->unit = SNAP_UNIT_ITEMS;
		}
		if (c->have_psi > 1)
			c->have_psi = 1;
		if (i > 0 && strcmp(cts[i - 1].name, c->name) >= 0)
			sorted = false;
	}
	if (!sorted)
		qsort(cts, n, sizeof(*cts), by_name);
	/* drop empty names, departed containers (kept for the ledger: a
	 * new incarnation may have the same name) and duplicates (keep the
	 * first) */
	k = 0;
	for (size_t i = 0; i < n; i++) {
		bool gone = (cts[i].flags & SNAP_GONE) != 0;

		if (cts[i].name[0] == '\0' || (gone && !keep_gone) ||
		    (k > 0 && strcmp(cts[k - 1].name, cts[i].name) == 0 &&
		    ((cts[k - 1].flags & SNAP_GONE) != 0) == gone))
			continue;
		if (k != i)
			cts[k] = cts[i];
		k++;
	}
	h->ncts = (uint32_t)k;
	return k;
}

void
sview_free(struct sview *v)
{
	free(v->cts);
	v->cts = NULL;
	v->n = 0;
}

int
sview_load(struct snap *s, struct sview *v, struct aerr *err)
{
	struct snap_header h;
	struct snap_ct *cts;
	size_t n;
	int r;

	if ((r = snap_read(s, &h, &cts, &n, err)) < 0)
		return r;
	n = sview_sanitize(&h, cts, n, v->keep_gone);
	sview_free(v);
	v->h = h;
	v->cts = cts;
	v->n = n;
	return 0;
}

const struct snap_ct *
sview_find(const struct sview *v, const char *name)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->cts[mid].name, name);

		if (c == 0)
			return &v->cts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool
sv_unlimited(uint64_t v)
{
	return v >= SNAP_UNLIMITED;
}

bool
sv_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("._-", s[i]) != NULL))
			return false;
	return true;
}

char *
sv_default_path(const char *socket)
{
	const char *slash = strrchr(socket, '/');

	if (slash == NULL)
		return xstrdup("snapshot");
	return xasprintf("%.*s/snapshot", (int)(slash - socket), socket);
}

char *
sv_cli_path(const char *opt_socket)
{
	const char *s = opt_socket ? opt_socket : getenv("ACCTCTL_SOCKET");

	return s ? sv_default_path(s) :
	    xstrdup(RUNSTATEDIR "/accountd/snapshot");
}

int
sv_load_path(const char *path, struct sview *v, struct aerr *err)
{
	struct snap s;
	int r;

	if ((r = snap_open(&s, path, err)) < 0)
		return r;
	r = sview_load(&s, v, err);
	snap_close(&s);
	return r;
}

/* ---- following the file: a new copy only when accountd published ---- */

void
sfollow_init(struct sfollow *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->path = xstrdup(path);
	snap_open(&f->snap, path, NULL);
}

void
sfollow_close(struct sfollow *f)
{
	snap_close(&f->snap);
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* A look at the header only (one pread): has a new round been published? */
static bool
sfollow_changed(struct sfollow *f)
{
	struct snap_header h;
	struct stat st;

	if (!f->have || stat(f->path, &st) < 0)
		return true;
	if (f->fd < 0 || st.st_ino != f->ino) {
		if (f->fd >= 0)
			close(f->fd);
		f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
		f->ino = st.st_ino;
		if (f->fd < 0)
			return true;
	}
	if (pread(f->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return true;
	return h.pid != f->pid || h.rounds != f->rounds ||
	    h.started_ms != f->started || (h.seq & 1);
}

int
sfollow_update(struct sfollow *f, struct sview *cur, struct sview *prev,
    struct aerr *err)
{
	struct sview v = { .n = 0, .keep_gone = f->keep_gone };
	int r;

	if (!sfollow_changed(f))
		return 0;
	if ((r = sview_load(&f->snap, &v, err)) < 0)
		return r;
	if (f->have && v.h.rounds == f->rounds && v.h.pid == f->pid &&
	    v.h.started_ms == f->started) {
		sview_free(&v);
		return 0;
	}
	if (prev != NULL) {
		sview_free(prev);
		*prev = *cur;
	} else {
		sview_free(cur);
	}
	*cur = v;
	f->have = true;
	f->pid = v.h.pid;
	f->rounds = v.h.rounds;
	f->started = v.h.started_ms;
	return 1;
}
