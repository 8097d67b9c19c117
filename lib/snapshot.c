/* SPDX-License-Identifier: ISC */
/* The shared snapshot file: see snapshot.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"
#include "xalloc.h"

_Static_assert(offsetof(struct snap_rec, present) ==
    offsetof(struct snap_ct, row), "the figures first, the same in both");
_Static_assert(SNAP_ROWS <= 32, "a bit of snap_rec.present per row");
_Static_assert(offsetof(struct snap_row, present) == sizeof(struct snap_frow),
    "a reader's row starts with the file's");
_Static_assert(sizeof(struct snap_rec) % 8 == 0 &&
    sizeof(struct snap_devs) % 8 == 0, "records and slots aligned");

static size_t
size_for(uint32_t cap)
{
	return sizeof(struct snap_header) + (size_t)cap *
	    (sizeof(struct snap_rec) + sizeof(struct snap_devs));
}

/* record i's device slot in a map of `cap` records */
static size_t
devs_at(uint32_t cap)
{
	return sizeof(struct snap_header) + (size_t)cap * sizeof(struct snap_rec);
}

static void
pack(const struct snap_ct *c, struct snap_rec *r, struct snap_devs *d)
{
	memcpy(r, c, SNAP_FIGURES_SIZE);
	r->present = 0;
	memset(r->pad2, 0, sizeof(r->pad2));
	for (int i = 0; i < SNAP_ROWS; i++) {
		const struct snap_row *x = &c->row[i];

		r->row[i] = (struct snap_frow){ x->held, x->maxheld, x->barrier,
		    x->limit, x->failcnt };
		r->unit[i] = (uint8_t)x->unit;
		if (x->present)
			r->present |= 1u << i;
	}
	memcpy(d->dev, c->dev, sizeof(d->dev));
}

static void
unpack(const struct snap_rec *r, const struct snap_devs *d, struct snap_ct *c)
{
	uint32_t nd = r->ndev < SNAP_DEVS ? r->ndev : SNAP_DEVS;
	uint32_t present = r->present;

	memcpy(c, r, SNAP_FIGURES_SIZE);
	for (int i = 0; i < SNAP_ROWS; i++) {
		memcpy(&c->row[i], &r->row[i], sizeof(r->row[i]));
		c->row[i].present = (present >> i) & 1u;
		c->row[i].unit = r->unit[i];
	}
	memcpy(c->dev, d->dev, nd * sizeof(c->dev[0]));
	memset(c->dev + nd, 0, (SNAP_DEVS - nd) * sizeof(c->dev[0]));
}

uint64_t
snap_value(const struct snap_row *r, uint64_t v)
{
	if (v >= SNAP_UNLIMITED)
		return SNAP_UNLIMITED;
	if (r->unit == SNAP_UNIT_PAGES)
		return v > SNAP_UNLIMITED / SNAP_PAGE_SIZE ? SNAP_UNLIMITED :
		    v * SNAP_PAGE_SIZE;
	return v;
}

bool
snap_row_bytes(const struct snap_row *r)
{
	return r->unit == SNAP_UNIT_PAGES || r->unit == SNAP_UNIT_BYTES;
}

/* ---- writer -------------------------------------------------------------- */

static int
wmap(struct snap_writer *w, uint32_t cap)
{
	void *p;

	if (ftruncate(w->fd, (off_t)size_for(cap)) < 0)
		return -errno;
	if (w->hdr != NULL)
		munmap(w->hdr, w->maplen);
	p = mmap(NULL, size_for(cap), PROT_READ | PROT_WRITE, MAP_SHARED, w->fd,
	    0);
	if (p == MAP_FAILED) {
		w->hdr = NULL;
		return -errno;
	}
	w->hdr = p;
	w->maplen = size_for(cap);
	return 0;
}

int
snapw_open(struct snap_writer *w, const char *path, struct aerr *err)
{
	int r;

	memset(w, 0, sizeof(*w));
	/* a fresh file each start: readers see the new one by its inode */
	(void)unlink(path);
	w->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0)
		return aerr_set(err, errno, "%s: %s", path, strerror(errno));
	fchmod(w->fd, 0644);
	if ((r = wmap(w, 64)) < 0)
		return aerr_set(err, -r, "%s: %s", path, strerror(-r));
	memset(w->hdr, 0, sizeof(*w->hdr));
	w->hdr->magic = SNAP_MAGIC;
	w->hdr->version = SNAP_VERSION;
	w->hdr->record_size = sizeof(struct snap_rec);
	w->hdr->capacity = 64;
	return 0;
}

void
snapw_close(struct snap_writer *w)
{
	if (w->hdr != NULL)
		munmap(w->hdr, w->maplen);
	if (w->fd >= 0)
		close(w->fd);
	w->hdr = NULL;
	w->fd = -1;
}

struct snap_rec *
snapw_begin(struct snap_writer *w, uint32_t n)
{
	if (w->hdr == NULL)
		return NULL;
	if (n > w->hdr->capacity) {
		uint32_t cap = w->hdr->capacity;

		while (cap < n)
			cap *= 2;
		/* the header moves with the map; mark it busy first */
		__atomic_add_fetch(&w->hdr->seq, 1, __ATOMIC_RELEASE);
		if (wmap(w, cap) < 0)
			return NULL;
		w->hdr->capacity = cap;
	} else {
		__atomic_add_fetch(&w->hdr->seq, 1, __ATOMIC_RELEASE);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return (struct snap_rec *)(void *)(w->hdr + 1);
}

struct snap_devs *
snapw_devs(struct snap_writer *w)
{
	if (w->hdr == NULL)
		return NULL;
	return (struct snap_devs *)(void *)((char *)w->hdr +
	    devs_at(w->hdr->capacity));
}

void
snapw_put(struct snap_writer *w, const struct snap_ct *cts, uint32_t n)
{
	struct snap_rec *r = (struct snap_rec *)(void *)(w->hdr + 1);
	struct snap_devs *d = snapw_devs(w);

	for (uint32_t i = 0; i < n && i < w->hdr->capacity; i++)
		pack(&cts[i], &r[i], &d[i]);
}

void
snapw_commit(struct snap_writer *w, uint32_t n)
{
	if (w->hdr == NULL)
		return;
	w->hdr->ncts = n;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_add_fetch(&w->hdr->seq, 1, __ATOMIC_RELEASE);
}

/* ---- reader -------------------------------------------------------------- */

int
snap_open(struct snap *s, const char *path, struct aerr *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->path = xstrdup(path);
	(void)err;
	return 0;
}

void
snap_close(struct snap *s)
{
	if (s->map != NULL)
		munmap(s->map, s->maplen);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* (Re)open and map the file when it is new or has grown. */
static int
rmap(struct snap *s, struct aerr *err)
{
	struct stat st, cur;
	void *p;

	if (s->fd >= 0 && stat(s->path, &cur) == 0 && fstat(s->fd, &st) == 0 &&
	    cur.st_ino == st.st_ino && (size_t)st.st_size <= s->maplen)
		return 0;
	if (s->fd >= 0 && stat(s->path, &cur) == 0 && fstat(s->fd, &st) == 0 &&
	    cur.st_ino != st.st_ino) {
		close(s->fd);		/* accountd restarted: a new file */
		s->fd = -1;
	}
	if (s->fd < 0 && (s->fd = open(s->path, O_RDONLY | O_CLOEXEC)) < 0)
		return aerr_set(err, errno, "cannot read %s: %s (is accountd "
		    "running?)", s->path, strerror(errno));
	if (fstat(s->fd, &st) < 0 || (size_t)st.st_size < sizeof(struct snap_header))
		return aerr_set(err, EAGAIN, "%s: not ready", s->path);
	if (s->map != NULL)
		munmap(s->map, s->maplen);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, s->fd, 0);
	if (p == MAP_FAILED) {
		s->map = NULL;
		return aerr_set(err, errno, "%s: mmap: %s", s->path,
		    strerror(errno));
	}
	s->map = p;
	s->maplen = (size_t)st.st_size;
	return 0;
}

int
snap_read(struct snap *s, struct snap_header *h, struct snap_ct **cts,
    size_t *ncts, struct aerr *err)
{
	struct snap_ct *out = NULL;
	int r;

	*cts = NULL;
	*ncts = 0;
	for (int tries = 0; tries < 200; tries++) {
		const struct snap_header *sh;
		uint64_t s0, s1;

		if ((r = rmap(s, err)) < 0)
			return r;
		sh = s->map;
		if (sh->magic != SNAP_MAGIC || sh->version != SNAP_VERSION ||
		    sh->record_size != sizeof(struct snap_rec))
			return aerr_set(err, EPROTO, "%s: not a version %d "
			    "snapshot (accountd and this exporter differ?)",
			    s->path, SNAP_VERSION);
		s0 = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
		if (s0 & 1) {
			usleep(200);
			continue;
		}
		/* Bound the copy by a header copy, never by the live header:
		 * a round that begins meanwhile may grow ncts and capacity
		 * past this map.  ncts beyond capacity is a damaged file. */
		memcpy(h, sh, sizeof(*h));
		if (h->seq != s0)
			continue;
		if (h->ncts > h->capacity)
			return aerr_set(err, EPROTO, "%s: damaged (%u records in "
			    "room for %u)", s->path, h->ncts, h->capacity);
		if (size_for(h->capacity) > s->maplen) {
			/* grown: remap on the next try */
			munmap(s->map, s->maplen);
			s->map = NULL;
			s->maplen = 0;
			continue;
		}
		out = xreallocarray(out, h->ncts ? h->ncts : 1, sizeof(*out));
		{
			const struct snap_rec *rec = (const void *)(sh + 1);
			const struct snap_devs *dv = (const void *)
			    ((const char *)sh + devs_at(h->capacity));

			for (uint32_t i = 0; i < h->ncts; i++)
				unpack(&rec[i], &dv[i], &out[i]);
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s1 = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
		if (s0 == s1) {
			*cts = out;
			*ncts = h->ncts;
			return 0;
		}
	}
	free(out);
	return aerr_set(err, EBUSY, "%s: could not get a consistent snapshot",
	    s->path);
}
