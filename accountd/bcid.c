/* SPDX-License-Identifier: ISC */
/*
 * Assigned beancounter ids and their file: see bcid.h.
 *
 * A create or a destroy must not wait for the disk (an fsync under
 * container churn held the event loop 15-60 ms, and every request behind
 * it).  What must survive an OS crash is only the promise that no id is
 * handed out twice; a name's id needs to survive only accountd's own end
 * (a kill -9 included).  So the file has two parts:
 *
 *   "next N"     the high-water mark, written with fsync (file and folder)
 *                before any id at or past the previous mark is handed out:
 *                ids are reserved BCID_BLOCK at a time, one fsync per block
 *   "NAME ID"    a name's id, and "NAME -" a name forgotten: appended with
 *                one write() each, no fsync, read in order at start
 *
 * The file is rewritten whole (new file, fsync, rename, fsync of the
 * folder) when a block is used up, when the appended lines outgrow the map
 * (BCID_SLACK lines past it), and at a clean stop, which writes the exact
 * next id.  A kill -9 of accountd loses nothing: the appended lines are in
 * the page cache.  An OS crash can lose appended lines (a name then gets
 * a new id the next time it is seen; a forgotten name keeps its old one)
 * and skips what is left of the block: after it, ids continue from the
 * mark, past every id handed out before the crash.  A line cut by the
 * crash is ignored with a warning (a cut ID has fewer than BCID_BASE's ten
 * digits and is out of range).
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accountd.h"
#include "bcid.h"
#include "bcidline.h"
#include "log.h"
#include "ubc.h"
#include "xalloc.h"

#define BCID_BLOCK	1024	/* ids reserved by one fsync */
#define BCID_SLACK	4096	/* appended lines before a rewrite */

struct bcid_ent {
	char		*name;
	uint32_t	 id;
};

static char *path;
static int log_fd = -1;		/* path, O_APPEND; -1: rewrite before use */
static size_t appended;		/* lines appended since the last rewrite */
static struct bcid_ent *ents;
static size_t nents, ents_cap;
/* The names' index: open addressing, linear probing, deletion by moving
 * entries back; a slot holds an index into ents plus one (0: empty).  A
 * scan of ents per lookup made the start with N names in the file, and N
 * creates, quadratic: 13 s to read 100,000 names. */
static uint32_t *slots;
static size_t nslots;		/* 0 or a power of two, over twice nents */
static uint32_t next_id = BCID_BASE;
static uint32_t mark = BCID_BASE;	/* on disk, synced: next is below */
static bool dirty;		/* a rewrite is due at the loop's next turn */

/* The mark of a new block: BCID_BLOCK past the next id, at most one past
 * the last id (a larger "next" would be refused when read). */
static uint32_t
block_mark(void)
{
	return next_id > BCID_LAST + 1 - BCID_BLOCK ? BCID_LAST + 1 :
	    next_id + BCID_BLOCK;
}

/* fsync of the folder holding path: makes a rename in it durable. */
static int
sync_dir(void)
{
	_cleanup_free_ char *dir = xstrdup(path);
	_cleanup_close_ int fd = open(dirname(dir), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);

	return fd < 0 || fsync(fd) < 0 ? -errno : 0;
}

/* Write the whole map, with "next" at new_mark, to a new file, sync it,
 * rename it over the old one and sync the folder: a crash leaves either
 * file, never half of one.  Then appends go to the new file. */
static int
rewrite(uint32_t new_mark)
{
	_cleanup_free_ char *tmp = NULL;
	FILE *f;
	int bad;

	if (path == NULL)
		return 0;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	tmp = xasprintf("%s.new", path);
	if ((f = fopen(tmp, "we")) == NULL)
		goto fail;
	fprintf(f, "# beancounter ids of containers not named by a CTID, "
	    "written by accountd\n# ids are never reused: none at or past "
	    "next has been handed out\nnext %u\n", (unsigned)new_mark);
	for (size_t i = 0; i < nents; i++)
		fprintf(f, "%s %u\n", ents[i].name, (unsigned)ents[i].id);
	bad = fflush(f) != 0 || fsync(fileno(f)) < 0;
	if (fclose(f) != 0 || bad || rename(tmp, path) < 0 || sync_dir() < 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		goto fail;
	}
	mark = new_mark;
	appended = 0;
	dirty = false;
	if ((log_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		goto fail;
	return 0;
fail:
	log_warn("cannot write %s: %s (beancounter ids of named containers "
	    "may change at the next start)", path, strerror(errno));
	return -1;
}

static void
flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (dirty)
		(void)rewrite(block_mark());
}

/* A rewrite at the loop's next turn, when an append failed. */
static void
rewrite_soon(void)
{
	static const struct timeval now = { 0, 0 };

	if (dirty)
		return;
	dirty = true;
	if (ad == NULL || ad->base == NULL ||
	    event_base_once(ad->base, -1, EV_TIMEOUT, flush, NULL, &now) < 0)
		flush(-1, 0, NULL);
}

/* One line to the file's end: "NAME ID", or "NAME -" (id 0). */
static void
append(const char *name, uint32_t id)
{
	char line[160];
	int n;

	if (path == NULL || dirty)
		return;		/* no file, or a rewrite is coming */
	if (log_fd < 0 || appended >= nents + BCID_SLACK) {
		(void)rewrite(block_mark());
		return;		/* the map, this name included, is written */
	}
	if (id != 0)
		n = snprintf(line, sizeof(line), "%s %u\n", name, (unsigned)id);
	else
		n = snprintf(line, sizeof(line), "%s -\n", name);
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    write(log_fd, line, (size_t)n) != n) {
		log_warn("cannot append to %s: %s (the file is written again)",
		    path, n >= 0 && (size_t)n >= sizeof(line) ? "name too long" :
		    strerror(errno));
		rewrite_soon();
		return;
	}
	appended++;
}

static size_t
name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 1099511628211ull;
	return (size_t)h;
}

/* The slot holding name, or the empty one where it goes (nslots > 0). */
static size_t
slot_of(const char *name)
{
	size_t m = nslots - 1, i = name_hash(name) & m;

	while (slots[i] != 0 && strcmp(ents[slots[i] - 1].name, name) != 0)
		i = (i + 1) & m;
	return i;
}

static void
index_build(size_t n)
{
	free(slots);
	slots = xcalloc(n, sizeof(*slots));
	nslots = n;
	for (size_t k = 0; k < nents; k++)
		slots[slot_of(ents[k].name)] = (uint32_t)k + 1;
}

static void
add(const char *name, uint32_t id)
{
	if (nents == ents_cap) {
		ents_cap = ents_cap ? 2 * ents_cap : 64;
		ents = xreallocarray(ents, ents_cap, sizeof(*ents));
	}
	ents[nents].name = xstrdup(name);
	ents[nents++].id = id;
	if (2 * nents >= nslots)
		index_build(nslots ? 2 * nslots : 128);
	else
		slots[slot_of(name)] = (uint32_t)nents;
}

static struct bcid_ent *
find(const char *name)
{
	uint32_t k = nslots ? slots[slot_of(name)] : 0;

	return k ? &ents[k - 1] : NULL;
}

static void
drop(struct bcid_ent *e)
{
	size_t m = nslots - 1, i = slot_of(e->name), last = nents - 1;

	/* empty its slot, moving back the entries of the probe run after it
	 * whose home is not in the cyclic range (i, j] */
	slots[i] = 0;
	for (size_t j = (i + 1) & m; slots[j] != 0; j = (j + 1) & m) {
		size_t h = name_hash(ents[slots[j] - 1].name) & m;

		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		slots[i] = slots[j];
		slots[j] = 0;
		i = j;
	}
	free(e->name);
	/* the last entry fills the hole */
	if ((size_t)(e - ents) != last) {
		size_t s = slot_of(ents[last].name);

		*e = ents[last];
		slots[s] = (uint32_t)(e - ents) + 1;
	}
	nents = last;
}

int
bcid_open(const char *p, struct aerr *err)
{
	FILE *f;
	char line[256], name[BCID_NAME_MAX];
	uint32_t id;
	int lineno = 0;

	bcid_close();
	path = xstrdup(p);
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct bcid_ent *e;

		lineno++;
		switch (bcid_line_parse(line, name, &id)) {
		case BCL_SKIP:
			break;
		case BCL_FORGET:
			if ((e = find(name)) != NULL)
				drop(e);
			break;
		case BCL_NEXT:
			if (id > next_id)
				next_id = id;
			break;
		case BCL_ID:
			if ((e = find(name)) != NULL)
				e->id = id;
			else
				add(name, id);
			if (id >= next_id)
				next_id = id + 1;
			break;
		default:
			log_warn("%s:%d: ignored (expected NAME ID with ID from "
			    "%u to %u, NAME -, or next ID)", path, lineno,
			    BCID_BASE, BCID_LAST);
			/* the rest of a line longer than the buffer */
			while (strchr(line, '\n') == NULL &&
			    fgets(line, sizeof(line), f) != NULL)
				;
		}
	}
	fclose(f);
	/* everything below next_id may have been handed out; appends go to
	 * this file until the first new id rewrites it with a new mark */
	mark = next_id;
	if ((log_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		log_warn("cannot append to %s: %s (the file is written again "
		    "at the first change)", path, strerror(errno));
	return 0;
}

void
bcid_close(void)
{
	/* a clean stop: the exact next id, no block skipped at the start */
	if (path != NULL && (dirty || appended > 0 || mark != next_id))
		(void)rewrite(next_id);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	for (size_t i = 0; i < nents; i++)
		free(ents[i].name);
	free(ents);
	ents = NULL;
	nents = ents_cap = 0;
	free(slots);
	slots = NULL;
	nslots = 0;
	appended = 0;
	dirty = false;
	free(path);
	path = NULL;
	next_id = mark = BCID_BASE;
}

uint32_t
bcid_of(const char *name)
{
	uint32_t id = ub_ctid_bcid(name);
	struct bcid_ent *e;

	if (id != 0)
		return id;
	if ((e = find(name)) != NULL)
		return e->id;
	if (next_id > BCID_LAST) {
		log_warn("%s: no beancounter id left (ids %u to %u are used "
		    "up); OpenVZ's tools will not see it", name, BCID_BASE,
		    BCID_LAST);
		return 0;
	}
	id = next_id++;
	add(name, id);
	/* the mark must be past the id, on disk, before anyone sees it */
	if (path != NULL && id >= mark) {
		uint32_t m = block_mark();

		if (rewrite(m) < 0)
			mark = m;	/* warned: try again a block later */
	} else
		append(name, id);
	log_debug("%s: beancounter id %u", name, (unsigned)id);
	return id;
}

void
bcid_forget(const char *name)
{
	struct bcid_ent *e = find(name);

	if (e == NULL)
		return;
	drop(e);
	append(name, 0);
}
