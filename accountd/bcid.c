/* SPDX-License-Identifier: ISC */
/* Assigned beancounter ids and their file: see bcid.h. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accountd.h"
#include "bcid.h"
#include "log.h"
#include "ubc.h"
#include "xalloc.h"

struct bcid_ent {
	char		*name;
	uint32_t	 id;
};

static char *path;
static struct bcid_ent *ents;
static size_t nents;
static uint32_t next_id = BCID_BASE;
static bool dirty;		/* a save is due at the loop's next turn */

/* Write the whole map to a new file and rename it over the old one, so a
 * crash leaves either map, never half of one. */
static void
save(void)
{
	_cleanup_free_ char *tmp = NULL;
	FILE *f;
	int bad;

	if (path == NULL)
		return;
	tmp = xasprintf("%s.new", path);
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("cannot write %s: %s (beancounter ids of named "
		    "containers may change at the next start)", tmp,
		    strerror(errno));
		return;
	}
	fprintf(f, "# beancounter ids of containers not named by a CTID, "
	    "written by accountd\n# ids are never reused: next is the next "
	    "one handed out\nnext %u\n", (unsigned)next_id);
	for (size_t i = 0; i < nents; i++)
		fprintf(f, "%s %u\n", ents[i].name, (unsigned)ents[i].id);
	bad = fflush(f) != 0 || fsync(fileno(f)) < 0;
	if (fclose(f) != 0 || bad || rename(tmp, path) < 0) {
		log_warn("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
}

static void
flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (dirty)
		save();
	dirty = false;
}

/* One save for all the ids a scan hands out (a thousand discovered
 * containers at start make one write, not a thousand). */
static void
save_soon(void)
{
	static const struct timeval now = { 0, 0 };

	if (dirty)
		return;
	dirty = true;
	if (ad == NULL || ad->base == NULL ||
	    event_base_once(ad->base, -1, EV_TIMEOUT, flush, NULL, &now) < 0)
		flush(-1, 0, NULL);
}

static void
add(const char *name, uint32_t id)
{
	ents = xreallocarray(ents, nents + 1, sizeof(*ents));
	ents[nents].name = xstrdup(name);
	ents[nents++].id = id;
}

int
bcid_open(const char *p, struct aerr *err)
{
	FILE *f;
	char line[256], name[128];
	unsigned long id;
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
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127s %lu", name, &id) != 2 ||
		    id < BCID_BASE || id > (unsigned long)BCID_LAST + 1) {
			log_warn("%s:%d: ignored (expected NAME ID with ID from "
			    "%u to %u)", path, lineno, BCID_BASE, BCID_LAST);
			continue;
		}
		if (strcmp(name, "next") == 0) {
			if (id > next_id)
				next_id = (uint32_t)id;
			continue;
		}
		add(name, (uint32_t)id);
		if (id >= next_id)
			next_id = (uint32_t)id + 1;
	}
	fclose(f);
	return 0;
}

void
bcid_close(void)
{
	flush(-1, 0, NULL);
	for (size_t i = 0; i < nents; i++)
		free(ents[i].name);
	free(ents);
	ents = NULL;
	nents = 0;
	free(path);
	path = NULL;
	next_id = BCID_BASE;
}

uint32_t
bcid_of(const char *name)
{
	uint32_t id = ub_ctid_bcid(name);

	if (id != 0)
		return id;
	for (size_t i = 0; i < nents; i++)
		if (strcmp(ents[i].name, name) == 0)
			return ents[i].id;
	if (next_id > BCID_LAST) {
		log_warn("%s: no beancounter id left (ids %u to %u are used "
		    "up); OpenVZ's tools will not see it", name, BCID_BASE,
		    BCID_LAST);
		return 0;
	}
	id = next_id++;
	add(name, id);
	save_soon();
	log_debug("%s: beancounter id %u", name, (unsigned)id);
	return id;
}

void
bcid_forget(const char *name)
{
	for (size_t i = 0; i < nents; i++) {
		if (strcmp(ents[i].name, name) != 0)
			continue;
		free(ents[i].name);
		ents[i] = ents[--nents];
		save_soon();
		return;
	}
}
