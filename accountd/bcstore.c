/* SPDX-License-Identifier: ISC */
/*
 * The beancounter store (bcstore.h): records in memory, written to
 * state_dir/beancounters.db with pwrite().
 *
 * Why not a shared mapping (as before): stores into a MAP_SHARED mapping
 * are free, but when the file shrinks under it (truncate, a tool "resetting"
 * the state folder) the next store raises SIGBUS and kills the daemon;
 * guarding each store with sigsetjmp would spread over every module that
 * updates a counter.  Instead the records are plain memory, a shadow copy
 * holds what the file has, and at the end of each event-loop turn that
 * touched records (bcstore_rec) the changed ones are written, one pwrite
 * each (a few a second: maxheld and failcnt move rarely once a container
 * has run a while).  Before writing, fstat() checks the file still has its
 * full length; a short file is logged and written whole again from memory.
 * Every minute the path is checked to still be this file (a replaced or
 * removed file is written again) and fsync'ed.
 *
 * File layout, version 2 (all integers host order):
 *
 *	0	magic "ACBC" (0x41434243), version 2, record size, records,
 *		rows, row-name size (ROWKEY): six uint32, then 40 bytes pad
 *	64	rows × ROWKEY bytes: the row names, NUL-padded ("dummy",
 *		"dummy.1" ... for the repeated placeholder rows)
 *	hdr	records × record size: name[64], gen u64, used u32, flags u32,
 *		rows × {maxheld, failcnt, raw} u64
 *
 * hdr is 64 + rows × ROWKEY rounded up to 8.  On open, rows are matched
 * by name: a row that is new starts at 0, one that is gone is dropped
 * (logged either way), and the file is rewritten in the current layout.
 * Version 1 (before the names) had a 64-byte header and the 25 rows of
 * v1_rows[] below; it is migrated the same way.  A file shorter than its
 * header says keeps every whole record; the cut one is lost, and logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "bcstore.h"
#include "log.h"
#include "xalloc.h"

#define BCSTORE_MAGIC	0x41434243u	/* "ACBC" */
#define BCSTORE_VERSION	2
#define ROWKEY		24
#define REC_FIXED	offsetof(struct bc_record, row)
#define MIN_RECS	64
#define MAX_FILE	((off_t)1 << 30)	/* 1.5 million records */

_Static_assert(REC_FIXED == 80, "record head: name, gen, used, flags");
_Static_assert(sizeof(struct bc_record) == REC_FIXED +
    UB_COUNT * sizeof(struct bc_saved_row), "no padding in a record");

struct bc_fhead {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	recsize;
	uint32_t	nrec;
	uint32_t	nrows;		/* version 2 */
	uint32_t	keylen;		/* version 2 */
	char		pad[40];
};
_Static_assert(sizeof(struct bc_fhead) == 64, "64-byte header");

/* The rows of a version 1 file, in its order. */
static const char *const v1_rows[] = {
	"kmemsize", "lockedpages", "privvmpages", "shmpages", "dummy",
	"numproc", "physpages", "vmguarpages", "oomguarpages", "numtcpsock",
	"numflock", "numpty", "numsiginfo", "tcpsndbuf", "tcprcvbuf",
	"othersockbuf", "dgramrcvbuf", "numothersock", "dcachesize",
	"numfile", "dummy.1", "dummy.2", "dummy.3", "numiptent", "swappages",
};

static char *spath;			/* the store's path */
static int fd = -1;
static dev_t fdev;
static ino_t fino;
static struct bc_record *recs;		/* what accountd has */
static struct bc_record *shadow;	/* what the file has */
static uint32_t nrec;
static uint32_t *touched;
static uint32_t ntouched;
static uint8_t *is_touched;
static struct event *flush_ev;
static bool flush_armed;

static size_t
hdr_size(uint32_t nrows)
{
	return (sizeof(struct bc_fhead) + (size_t)nrows * ROWKEY + 7) & ~(size_t)7;
}

static size_t
file_size(uint32_t n)
{
	return hdr_size(UB_COUNT) + (size_t)n * sizeof(struct bc_record);
}

/* The name of row r in the file: its ub_name, ".N" for the Nth repeat. */
static void
row_key(int r, char out[ROWKEY])
{
	int seen = 0;

	for (int k = 0; k < r; k++)
		if (strcmp(ub_name((enum ub_res)k), ub_name((enum ub_res)r)) == 0)
			seen++;
	memset(out, 0, ROWKEY);
	if (seen == 0)
		snprintf(out, ROWKEY, "%s", ub_name((enum ub_res)r));
	else
		snprintf(out, ROWKEY, "%s.%d", ub_name((enum ub_res)r), seen);
}

static int
row_by_key(const char *key)
{
	char k[ROWKEY];

	for (int r = 0; r < UB_COUNT; r++) {
		row_key(r, k);
		if (strncmp(k, key, ROWKEY) == 0)
			return r;
	}
	return -1;
}

static void
alloc_recs(uint32_t n)
{
	recs = xreallocarray(recs, n, sizeof(*recs));
	shadow = xreallocarray(shadow, n, sizeof(*shadow));
	touched = xreallocarray(touched, n, sizeof(*touched));
	is_touched = xreallocarray(is_touched, n, 1);
	if (n > nrec) {
		memset(&recs[nrec], 0, (n - nrec) * sizeof(*recs));
		memset(&shadow[nrec], 0, (n - nrec) * sizeof(*shadow));
		memset(&is_touched[nrec], 0, n - nrec);
	}
	nrec = n;
}

static int
pwrite_all(int f, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(f, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n, len -= (size_t)n, off += n;
	}
	return 0;
}

/* Header, row names and every record into f, at its full length. */
static int
write_whole(int f)
{
	size_t hl = hdr_size(UB_COUNT);
	_cleanup_free_ char *h = xcalloc(1, hl);
	struct bc_fhead *fh = (struct bc_fhead *)(void *)h;
	int r;

	fh->magic = BCSTORE_MAGIC;
	fh->version = BCSTORE_VERSION;
	fh->recsize = sizeof(struct bc_record);
	fh->nrec = nrec;
	fh->nrows = UB_COUNT;
	fh->keylen = ROWKEY;
	for (int k = 0; k < UB_COUNT; k++)
		row_key(k, h + sizeof(*fh) + (size_t)k * ROWKEY);
	if ((r = pwrite_all(f, h, hl, 0)) < 0 ||
	    (r = pwrite_all(f, recs, (size_t)nrec * sizeof(*recs),
	    (off_t)hl)) < 0)
		return r;
	if (ftruncate(f, (off_t)file_size(nrec)) < 0)
		return -errno;
	memcpy(shadow, recs, (size_t)nrec * sizeof(*recs));
	return 0;
}

static void
note_identity(void)
{
	struct stat st;

	if (fstat(fd, &st) == 0) {
		fdev = st.st_dev;
		fino = st.st_ino;
	}
}

/* Write the store to PATH.tmp and rename it over PATH: the file is never
 * half old, half new. */
static int
rewrite(void)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", spath);
	int f, r;

	(void)unlink(tmp);
	f = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (f < 0)
		return -errno;
	if ((r = write_whole(f)) == 0 && fsync(f) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, spath) < 0)
		r = -errno;
	if (r < 0) {
		close(f);
		unlink(tmp);
		return r;
	}
	if (fd >= 0)
		close(fd);
	fd = f;
	note_identity();
	return 0;
}

/* Forget every record (the memory only; the file is not touched). */
static void
drop_records(void)
{
	free(recs);
	free(shadow);
	free(touched);
	free(is_touched);
	recs = shadow = NULL;
	touched = NULL;
	is_touched = NULL;
	nrec = ntouched = 0;
}

static void
fresh(void)
{
	drop_records();
	alloc_recs(MIN_RECS);
}

/* Move an unreadable store aside (kept for inspection). */
static void
aside(const char *why)
{
	_cleanup_free_ char *bad = xasprintf("%s.bad", spath);

	log_err("%s: %s; moved aside to %s and started afresh", spath, why,
	    bad);
	(void)rename(spath, bad);
}

/*
 * Records from a file's content: rows matched by name.  Returns 1 when
 * the file must be written again (another layout, or cut), 0 when it can
 * stay, -1 when it is not a store.
 */
static int
load(const char *buf, size_t len)
{
	const struct bc_fhead *fh = (const void *)buf;
	const char *keys = NULL;
	int map[256];
	uint32_t nrows, whole, fnrec;
	size_t hl, rs, fixed = REC_FIXED;
	int again = 0, added = 0, dropped = 0;

	if (len < sizeof(*fh) || fh->magic != BCSTORE_MAGIC)
		return -1;
	if (fh->version == 1) {
		nrows = nitems(v1_rows);
		hl = sizeof(*fh);
	} else if (fh->version == 2 && fh->keylen == ROWKEY &&
	    fh->nrows > 0 && fh->nrows <= nitems(map)) {
		nrows = fh->nrows;
		hl = hdr_size(nrows);
		keys = buf + sizeof(*fh);
	} else {
		return -1;
	}
	rs = fixed + (size_t)nrows * sizeof(struct bc_saved_row);
	if (fh->recsize != rs || len < hl)
		return -1;
	for (uint32_t k = 0; k < nrows; k++) {
		char key[ROWKEY + 1];

		if (keys != NULL)
			memcpy(key, keys + (size_t)k * ROWKEY, ROWKEY);
		else
			snprintf(key, sizeof(key), "%s", v1_rows[k]);
		key[ROWKEY] = '\0';
		map[k] = row_by_key(key);
		if (map[k] < 0) {
			log_warn("%s: row %s is no longer kept: its maxheld and "
			    "failcnt are dropped", spath, key);
			dropped++;
		}
	}
	for (int r = 0; r < UB_COUNT; r++) {
		bool found = false;

		for (uint32_t k = 0; k < nrows; k++)
			if (map[k] == r)
				found = true;
		added += !found;
	}
	fnrec = fh->nrec;
	whole = (uint32_t)((len - hl) / rs);
	if (whole > fnrec)
		whole = fnrec;
	if (whole < fnrec) {
		log_warn("%s: cut at byte %zu (its header says %zu): kept the %u "
		    "whole records of %u, the record at byte %zu is lost", spath,
		    len, hl + (size_t)fnrec * rs, whole, fnrec,
		    hl + (size_t)whole * rs);
		again = 1;
	}
	alloc_recs(fnrec > MIN_RECS ? fnrec : MIN_RECS);
	for (uint32_t i = 0; i < whole; i++) {
		const char *src = buf + hl + (size_t)i * rs;
		struct bc_record *d = &recs[i];

		memcpy(d, src, fixed);
		d->name[sizeof(d->name) - 1] = '\0';
		if (!d->used) {
			memset(d, 0, sizeof(*d));
			continue;
		}
		for (uint32_t k = 0; k < nrows; k++)
			if (map[k] >= 0)
				memcpy(&d->row[map[k]], src + fixed + (size_t)k *
				    sizeof(struct bc_saved_row),
				    sizeof(struct bc_saved_row));
	}
	if (fh->version != BCSTORE_VERSION || added || dropped ||
	    nrows != UB_COUNT) {
		log_info("%s: layout of %u rows (version %u) migrated by row name "
		    "to %d rows: %d new, %d dropped", spath, nrows, fh->version,
		    UB_COUNT, added, dropped);
		again = 1;
	} else {
		for (uint32_t k = 0; k < nrows; k++)
			if (map[k] != (int)k)
				again = 1;	/* same rows, another order */
	}
	return again;
}

int
bcstore_open(const char *path, struct aerr *err)
{
	struct stat st;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = 1;

	free(spath);
	spath = xstrdup(path);
	fresh();
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0 || fstat(fd, &st) < 0)
		return aerr_set(err, errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		close(fd);
		fd = -1;
		return aerr_set(err, EINVAL, "%s: not a regular file of at most "
		    "1 GiB", path);
	}
	if (st.st_size > 0) {
		buf = xmalloc((size_t)st.st_size);
		while (len < (size_t)st.st_size) {
			ssize_t n = pread(fd, buf + len, (size_t)st.st_size - len,
			    (off_t)len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		if ((r = load(buf, len)) < 0) {
			aside("unknown format");
			fresh();
			r = 1;
		}
	}
	note_identity();
	if (r == 1 && (r = rewrite()) < 0)
		return aerr_set(err, -r, "%s: cannot write: %s", path,
		    strerror(-r));
	return 0;
}

void
bcstore_flush(void)
{
	struct stat st;

	flush_armed = false;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size < file_size(nrec)) {
		int r;

		log_warn("%s: cut to %lld bytes while accountd ran (it has "
		    "%zu): written again from memory", spath,
		    (long long)st.st_size, file_size(nrec));
		if ((r = write_whole(fd)) < 0)
			log_err("%s: cannot write: %s", spath, strerror(-r));
	} else {
		for (uint32_t k = 0; k < ntouched; k++) {
			uint32_t i = touched[k];

			if (i >= nrec || memcmp(&recs[i], &shadow[i],
			    sizeof(recs[i])) == 0)
				continue;
			if (pwrite_all(fd, &recs[i], sizeof(recs[i]),
			    (off_t)(hdr_size(UB_COUNT) + (size_t)i *
			    sizeof(recs[i]))) == 0)
				shadow[i] = recs[i];
		}
	}
	for (uint32_t k = 0; k < ntouched; k++)
		if (touched[k] < nrec)
			is_touched[touched[k]] = 0;
	ntouched = 0;
}

static void
on_flush(evutil_socket_t f, short what, void *arg)
{
	(void)f;
	(void)what;
	(void)arg;
	bcstore_flush();
}

void
bcstore_attach(struct event_base *base)
{
	if (flush_ev == NULL)
		flush_ev = event_new(base, -1, 0, on_flush, NULL);
}

static void
touch(uint32_t i)
{
	if (!is_touched[i]) {
		is_touched[i] = 1;
		touched[ntouched++] = i;
	}
	if (flush_ev != NULL && !flush_armed) {
		flush_armed = true;
		event_active(flush_ev, EV_TIMEOUT, 1);
	}
}

void
bcstore_sync(void)
{
	struct stat st;

	if (fd < 0)
		return;
	if (lstat(spath, &st) < 0 || st.st_dev != fdev || st.st_ino != fino) {
		int r;

		log_warn("%s: removed or replaced while accountd ran: written "
		    "again from memory", spath);
		if ((r = rewrite()) < 0)
			log_err("%s: cannot write: %s", spath, strerror(-r));
	}
	bcstore_flush();
	(void)fdatasync(fd);
}

void
bcstore_close(void)
{
	if (fd >= 0) {
		bcstore_flush();
		(void)fsync(fd);
		close(fd);
	}
	fd = -1;
	if (flush_ev != NULL)
		event_free(flush_ev);
	flush_ev = NULL;
	flush_armed = false;
	drop_records();
	free(spath);
	spath = NULL;
}

int
bcstore_find(const char *name, bool create)
{
	uint32_t i, free_idx = UINT32_MAX;

	if (recs == NULL)
		return -1;
	for (i = 0; i < nrec; i++) {
		struct bc_record *r = &recs[i];

		if (r->used && strncmp(r->name, name, sizeof(r->name)) == 0)
			return (int)i;
		if (!r->used && free_idx == UINT32_MAX)
			free_idx = i;
	}
	if (!create)
		return -1;
	if (free_idx == UINT32_MAX) {
		uint32_t old = nrec;
		int r;

		alloc_recs(nrec * 2);
		/* the header's count and the file's length */
		if (fd >= 0 && (r = write_whole(fd)) < 0)
			log_err("%s: cannot grow to %u records: %s", spath, nrec,
			    strerror(-r));
		free_idx = old;
	}
	memset(&recs[free_idx], 0, sizeof(struct bc_record));
	snprintf(recs[free_idx].name, sizeof(recs[free_idx].name), "%s", name);
	recs[free_idx].used = 1;
	touch(free_idx);
	return (int)free_idx;
}

struct bc_record *
bcstore_rec(int idx)
{
	if (recs == NULL || idx < 0 || (uint32_t)idx >= nrec)
		return NULL;
	touch((uint32_t)idx);
	return &recs[idx];
}

void
bcstore_forget(const char *name)
{
	int i = bcstore_find(name, false);

	if (i >= 0) {
		memset(&recs[i], 0, sizeof(struct bc_record));
		touch((uint32_t)i);
	}
}
