/* SPDX-License-Identifier: ISC */
/*
 * The beancounter store (accountd/bcstore.c) against files this test
 * writes itself from the layout documented there: records kept across a
 * reopen; a file cut mid-record keeps every whole record; a file cut
 * while the store is open is written again, not a crash (it was SIGBUS
 * with the shared mapping); an older layout with one row fewer, and the
 * version 1 layout without row names, are migrated by row name; a file
 * that is not a store is moved aside.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bcstore.h"
#include "../tap.h"

#define KEY	24
#define RECHEAD	80

static char dir[] = "/tmp/test-bcstore.XXXXXX";
static char path[256];

static size_t
fsize(void)
{
	struct stat st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static struct bc_record *
rec_of(const char *name)
{
	return bcstore_rec(bcstore_find(name, false));
}

static void
reopen(void)
{
	struct aerr err = { 0 };

	bcstore_close();
	ok(bcstore_open(path, &err) == 0, "reopen: %s", err.msg);
}

/* The file's row names for the rows in `rows` (ub_res values). */
static void
put_keys(FILE *f, const int *rows, int n)
{
	for (int i = 0; i < n; i++) {
		char k[KEY] = { 0 };
		int seen = 0;

		for (int j = 0; j < rows[i]; j++)
			seen += strcmp(ub_name((enum ub_res)j),
			    ub_name((enum ub_res)rows[i])) == 0;
		if (seen)
			snprintf(k, sizeof(k), "%s.%d",
			    ub_name((enum ub_res)rows[i]), seen);
		else
			snprintf(k, sizeof(k), "%s", ub_name((enum ub_res)rows[i]));
		fwrite(k, 1, KEY, f);
	}
}

/* One record with maxheld = 1000 + row and failcnt = row for each row. */
static void
put_rec(FILE *f, const char *name, const int *rows, int n)
{
	char head[RECHEAD] = { 0 };
	uint32_t used = 1;

	snprintf(head, 64, "%s", name);
	memcpy(head + 72, &used, 4);
	fwrite(head, 1, sizeof(head), f);
	for (int i = 0; i < n; i++) {
		uint64_t v[3] = { 1000 + (uint64_t)rows[i], (uint64_t)rows[i],
		    5 };

		fwrite(v, sizeof(v), 1, f);
	}
}

static void
put_head(FILE *f, uint32_t version, uint32_t nrows, uint32_t nrec)
{
	uint32_t h[16] = { 0x41434243u, version,
	    RECHEAD + nrows * 24, nrec, nrows, KEY };

	if (version == 1)
		h[4] = h[5] = 0;
	fwrite(h, sizeof(h), 1, f);
}

static void
basics(void)
{
	struct aerr err = { 0 };
	struct bc_record *r;
	size_t full;

	ok(bcstore_open(path, &err) == 0, "a new store: %s", err.msg);
	for (int i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "10%d", i + 1);
		r = bcstore_rec(bcstore_find(name, true));
		r->row[UB_NUMPROC].failcnt = 7 + (uint64_t)i;
		r->row[UB_PHYSPAGES].maxheld = 30000 + (uint64_t)i;
	}
	bcstore_flush();
	full = fsize();
	reopen();
	r = rec_of("102");
	ok(r != NULL, "record 102 kept");
	if (r != NULL) {
		is_u64(r->row[UB_NUMPROC].failcnt, 8, "failcnt kept");
		is_u64(r->row[UB_PHYSPAGES].maxheld, 30001, "maxheld kept");
	}

	/* cut in the middle of the third record (records are in order) */
	bcstore_close();
	ok(truncate(path, (off_t)(full - 64 * sizeof(struct bc_record) +
	    2 * sizeof(struct bc_record) + 100)) == 0, "cut mid-record");
	reopen();
	ok(rec_of("101") != NULL && rec_of("102") != NULL,
	    "cut mid-record: both whole records kept");
	ok(rec_of("103") == NULL, "cut mid-record: the torn one is lost");
	r = rec_of("101");
	if (r != NULL)
		is_u64(r->row[UB_NUMPROC].failcnt, 7, "a whole record's failcnt");
	is_u64(fsize(), full, "written again at its full length");

	/* cut while open: the next write notices and writes it all */
	ok(truncate(path, 10) == 0, "cut to 10 bytes while open");
	r = rec_of("101");
	r->row[UB_NUMPROC].failcnt = 70;
	bcstore_flush();
	is_u64(fsize(), full, "cut while open: full length again");
	ok(truncate(path, 0) == 0, "cut to 0 bytes while open");
	bcstore_flush();
	is_u64(fsize(), full, "cut to 0 with nothing changed: written again");
	reopen();
	r = rec_of("101");
	ok(r != NULL && r->row[UB_NUMPROC].failcnt == 70,
	    "cut while open: the change and the records survive a reopen");
	ok(rec_of("102") != NULL, "cut while open: the untouched record too");
	bcstore_close();
}

static void
layouts(void)
{
	int rows[UB_COUNT], n = 0;
	char bad[300];
	struct bc_record *r;
	FILE *f;

	/* version 2, one row fewer (numproc), and another order: last first */
	rows[n++] = UB_COUNT - 1;
	for (int i = 0; i < UB_COUNT - 1; i++)
		if (i != UB_NUMPROC)
			rows[n++] = i;
	f = fopen(path, "w");
	put_head(f, 2, (uint32_t)n, 2);
	put_keys(f, rows, n);
	if ((64 + n * KEY) % 8)
		fwrite("\0\0\0\0\0\0\0", 1, 8 - (64 + n * KEY) % 8, f);
	put_rec(f, "201", rows, n);
	put_rec(f, "202", rows, n);
	fclose(f);
	reopen();
	r = rec_of("201");
	ok(r != NULL, "old layout: record kept, not moved aside");
	if (r != NULL) {
		is_u64(r->row[UB_PHYSPAGES].maxheld, 1000 + UB_PHYSPAGES,
		    "old layout: physpages maxheld by name");
		is_u64(r->row[UB_NUMFILE].failcnt, UB_NUMFILE,
		    "old layout: numfile failcnt by name");
		is_u64(r->row[UB_COUNT - 1].maxheld, 1000 + UB_COUNT - 1,
		    "old layout: the row written first lands in its place");
		is_u64(r->row[UB_DUMMY2].failcnt, UB_DUMMY2,
		    "old layout: the third placeholder row by its name");
		is_u64(r->row[UB_NUMPROC].failcnt, 0,
		    "old layout: the new row starts at 0");
	}
	ok(rec_of("202") != NULL, "old layout: second record kept");
	reopen();
	r = rec_of("201");
	ok(r != NULL && r->row[UB_NUMFILE].failcnt == UB_NUMFILE,
	    "migrated store reads back in the new layout");
	bcstore_close();

	/* version 1: a 64-byte header, 25 rows in enum order, no names */
	n = 0;
	for (int i = 0; i < 25; i++)
		rows[n++] = i;
	f = fopen(path, "w");
	put_head(f, 1, 25, 1);
	put_rec(f, "301", rows, n);
	fclose(f);
	reopen();
	r = rec_of("301");
	ok(r != NULL && r->row[UB_NUMPROC].failcnt == UB_NUMPROC &&
	    r->row[UB_SWAPPAGES].maxheld == 1000 + UB_SWAPPAGES,
	    "version 1 migrated by row name");
	bcstore_close();

	/* not a store: moved aside */
	f = fopen(path, "w");
	fputs("this is not a beancounter store, but long enough for a header "
	    "to be read from it\n", f);
	fclose(f);
	reopen();
	snprintf(bad, sizeof(bad), "%s.bad", path);
	ok(access(bad, F_OK) == 0, "unknown format moved aside to .bad");
	ok(bcstore_find("301", false) < 0, "and a fresh store opened");
	bcstore_close();
	unlink(bad);
}

/* How many of many()'s records are wrong: every third forgotten. */
static int
many_found(void)
{
	char name[16];
	int bad = 0;

	for (int i = 0; i < 5000; i++) {
		struct bc_record *r;

		snprintf(name, sizeof(name), "ct%d", i);
		r = rec_of(name);
		if (i % 3 == 0)
			bad += r != NULL;
		else
			bad += r == NULL || r->row[UB_NUMPROC].failcnt !=
			    (uint64_t)i;
	}
	return bad;
}

/* Thousands of records, as at a large host's start: each found again by
 * name after the store grew, after others were forgotten (the index by
 * name moves entries back into the holes) and after a reopen; a forgotten
 * one's record is reused. */
static void
many(void)
{
	struct aerr err = { 0 };
	char name[16];
	int bad = 0, i, first_free = -1;

	unlink(path);
	ok(bcstore_open(path, &err) == 0, "a new store: %s", err.msg);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "ct%d", i);
		bad += bcstore_find(name, true) != i;
		bcstore_rec(i)->row[UB_NUMPROC].failcnt = (uint64_t)i;
	}
	ok(bad == 0, "5000 records, in order");
	for (i = 0; i < 5000; i += 3) {
		snprintf(name, sizeof(name), "ct%d", i);
		bcstore_forget(name);
	}
	ok(many_found() == 0, "each found by name after a third were "
	    "forgotten");
	bcstore_flush();
	reopen();
	ok(many_found() == 0, "and after a reopen");
	first_free = bcstore_find("new", true);
	is_u64((uint64_t)first_free, 0, "a forgotten record is reused");
	is_u64((uint64_t)bcstore_find("new", false), 0, "and found by name");
	bcstore_close();
	unlink(path);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot make a temporary folder\n");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/beancounters.db", dir);
	basics();
	layouts();
	many();
	unlink(path);
	rmdir(dir);
	return done_testing();
}
