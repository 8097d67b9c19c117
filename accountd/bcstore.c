/* SPDX-License-Identifier: ISC */
/*
 * The beancounter store (bcstore.h): records in memory, written to
 * state_dir/beancounters.db with pwrite().
 *
 * Why not a shared mapping (as before): stores into a MAP_SHARED mapping
 * are free, but when the file shrinks under it (truncate, a tool "resetting"
 * the state folder) the next store raises SIGBUS and kills the daemon;
 * guarding each store with sigsetjmp would spread over every module that
 * updates a counter.  Instead the records are plain memory, and at the end of each event-loop turn that
 * touched records (bcstore_rec) the changed ones are written, one pwrite
 * each (a few a second: maxheld and failcnt move rarely once a container
 * has run a while).  What the file has is kept as a 64-bit sum per record
 * (8 bytes instead of a 680-byte shadow copy: 90 MB at 100,000 records);
 * a change that kept the sum (odds 2^-64) would be written at the next
 * change of the record or the next whole write.  Records are found by
 * name through an open-addressing index (start-up used to scan the store
 * for every container: quadratic), and live in an anonymous mapping grown
 * with mremap(), so the capacity not yet used costs no memory.  Before writing, fstat() checks the file still has its
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
#include <sys/mman.h>
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
static struct bc_record *recs;		/* what accountd has (mapped) */
static uint64_t *sum;			/* rec_sum() of what the file has */
static uint32_t nrec;
static uint32_t *slot;			/* by name: record + 1, 0 empty */
static uint32_t nslot;			/* a power of two, >= 2 * nrec */
static uint32_t free_hint;		/* no free record below it */
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

/* The same bytes give the same sum; a change gives another but with odds
 * of 2^-64 (FNV-1a over 64-bit words, then a final mix). */
static uint64_t
rec_sum(const struct bc_record *r)
{
	const unsigned char *p = (const unsigned char *)r;
	uint64_t h = 0xcbf29ce484222325u, w;

	for (size_t o = 0; o + 8 <= sizeof(*r); o += 8) {
		memcpy(&w, p + o, 8);
		h = (h ^ w) * 0x100000001b3u;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93u;
	return h ^ (h >> 32);
}

static uint32_t
name_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(recs->name) && name[i] != '\0'; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* The index slot holding record i (UINT32_MAX: the record named name),
 * or the empty slot where it would go. */
static uint32_t
slot_of(const char *name, uint32_t i)
{
	uint32_t m = nslot - 1, s = name_hash(name) & m;

	while (slot[s] != 0 && (i == UINT32_MAX ?
	    strncmp(recs[slot[s] - 1].name, name, sizeof(recs->name)) != 0 :
	    slot[s] - 1 != i))
		s = (s + 1) & m;
	return s;
}

static void
index_add(uint32_t i)
{
	slot[slot_of(recs[i].name, i)] = i + 1;
}

/* Linear probing's deletion: each entry after the hole whose home slot
 * is not between the hole and it moves back into the hole. */
static void
index_del(uint32_t i)
{
	uint32_t m = nslot - 1, h = slot_of(recs[i].name, i), j = h;

	if (slot[h] == 0)
		return;
	slot[h] = 0;
	for (;;) {
		uint32_t home;

		j = (j + 1) & m;
		if (slot[j] == 0)
			return;
		home = name_hash(recs[slot[j] - 1].name) & m;
		if (h <= j ? (h < home && home <= j) : (h < home || home <= j))
			continue;
		slot[h] = slot[j];
		slot[j] = 0;
		h = j;
	}
}

static void
index_build(void)
{
	uint32_t n = 16;

	while (n < 2 * nrec)
		n *= 2;
	free(slot);
	slot = xcalloc(n, sizeof(*slot));
	nslot = n;
	for (uint32_t i = 0; i < nrec; i++)
		if (recs[i].used)
			index_add(i);
	free_hint = 0;
}

/* Room for n records: the new ones are zero (fresh pages, which take no
 * memory until written), and the index is built again. */
static void
alloc_recs(uint32_t n)
{
	size_t old = (size_t)nrec * sizeof(*recs), len = (size_t)n * sizeof(*recs);
	void *p;

	if (recs == NULL)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mremap(recs, old, len, MREMAP_MAYMOVE);
	if (p == MAP_FAILED) {
		log_err("bcstore: cannot map %zu bytes: %s", len,
		    strerror(errno));
		abort();
	}
	recs = p;
	sum = xreallocarray(sum, n, sizeof(*sum));
	touched = xreallocarray(touched, n, sizeof(*touched));
	is_touched = xreallocarray(is_touched, n, 1);
	if (n > nrec) {
		memset(&sum[nrec], 0, (n - nrec) * sizeof(*sum));
		memset(&is_touched[nrec], 0, n - nrec);
	}
	nrec = n;
	index_build();
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
	for (uint32_t i = 0; i < nrec; i++)
		sum[i] = rec_sum(&recs[i]);
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
	if (recs != NULL)
		munmap(recs, (size_t)nrec * sizeof(*recs));
	free(sum);
	free(touched);
	free(is_touched);
	free(slot);
	recs = NULL;
	sum = NULL;
	touched = slot = NULL;
	is_touched = NULL;
	nrec = ntouched = nslot = 0;
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
	index_build();
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
			uint64_t h;

			if (i >= nrec || (h = rec_sum(&recs[i])) == sum[i])
				continue;
			if (pwrite_all(fd, &recs[i], sizeof(recs[i]),
			    (off_t)(hdr_size(UB_COUNT) + (size_t)i *
			    sizeof(recs[i]))) == 0)
				sum[i] = h;
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
	uint32_t i, s, free_idx;

	if (recs == NULL)
		return -1;
	s = slot_of(name, UINT32_MAX);
	if (slot[s] != 0)
		return (int)(slot[s] - 1);
	if (!create)
		return -1;
	for (i = free_hint; i < nrec && recs[i].used; i++)
		;
	free_idx = i;
	if (free_idx == nrec) {
		uint32_t old = nrec;
		int r;

		alloc_recs(nrec * 2);
		/* the header's count and the file's length */
		if (fd >= 0 && (r = write_whole(fd)) < 0)
			log_err("%s: cannot grow to %u records: %s", spath, nrec,
			    strerror(-r));
		free_idx = old;
	}
	free_hint = free_idx + 1;
	memset(&recs[free_idx], 0, sizeof(struct bc_record));
	snprintf(recs[free_idx].name, sizeof(recs[free_idx].name), "%s", name);
	recs[free_idx].used = 1;
	index_add(free_idx);
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
		index_del((uint32_t)i);
		if ((uint32_t)i < free_hint)
			free_hint = (uint32_t)i;
		memset(&recs[i], 0, sizeof(struct bc_record));
		touch((uint32_t)i);
	}
}
