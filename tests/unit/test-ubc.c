/* SPDX-License-Identifier: ISC */
/*
 * The beancounter text forms (policies/ubc.c) against golden files in the
 * exact /proc/user_beancounters and /proc/bc/resources formats (made with
 * an independent printf, Python's, from rows listed by hand), and the
 * vzubc view's choice of rows and marks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "ubc.h"
#include "../tap.h"

#define U VAL_UNLIMITED

static void
set(struct ubc *u, enum ub_res r, uint64_t h, uint64_t m, uint64_t b,
    uint64_t l, uint64_t f)
{
	u->r[r] = (struct ub_row){ h, m, b, l, f, true };
}

static void
sample(struct ubc u[2])
{
	memset(u, 0, 2 * sizeof(*u));
	snprintf(u[0].id, sizeof(u[0].id), "101");
	u[0].bcid = 101;
	set(&u[0], UB_KMEMSIZE, 2752512, 3145728, 14372700, 14790164, 0);
	set(&u[0], UB_LOCKEDPAGES, 0, 0, U, U, 0);
	set(&u[0], UB_SHMPAGES, 12, 40, U, U, 0);
	set(&u[0], UB_NUMPROC, 17, 21, 240, 240, 3);
	set(&u[0], UB_PHYSPAGES, 40960, 65536, 0, 65536, 12);
	set(&u[0], UB_OOMGUARPAGES, 40960, 66000, 65536, U, 1);
	set(&u[0], UB_TCPSNDBUF, 16384, 32768, U, U, 0);
	set(&u[0], UB_SWAPPAGES, 100, 200, 0, 131072, 0);
	snprintf(u[1].id, sizeof(u[1].id), "web-shop");
	u[1].bcid = 2000000000;		/* a named container: its assigned id */
	set(&u[1], UB_NUMPROC, 1, 1, U, U, 0);
	set(&u[1], UB_PHYSPAGES, 256, 300, 0, U, 0);
}

static char *
slurp(const char *name)
{
	const char *src = getenv("ACCT_SRCDIR");
	char path[1024], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/unit/%s", src ? src : ".", name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void
golden(const char *file, void (*fmt)(const struct ubc *, size_t, struct sbuf *))
{
	struct ubc u[2];
	struct sbuf b = SBUF_INIT;
	char *want = slurp(file);

	sample(u);
	fmt(u, 2, &b);
	ok(want != NULL && strcmp(want, sbuf_str(&b)) == 0, "byte for byte as %s",
	    file);
	if (want != NULL && strcmp(want, sbuf_str(&b)) != 0)
		printf("# got:\n%s", sbuf_str(&b));
	free(want);
	sbuf_free(&b);
}

static void
vzubc(void)
{
	struct ubc u[2], prev[2];
	struct vzubc_opts o = { .qheld = 0.5, .qmaxheld = 0.8 };
	struct sbuf b = SBUF_INIT;

	sample(u);
	ubc_format_vzubc(u, 2, NULL, &o, &b);
	/* rows with an unlimited barrier and limit are hidden without -v */
	ok(strstr(sbuf_str(&b), "lockedpages") == NULL, "unlimited rows hidden");
	ok(strstr(sbuf_str(&b), "CT 101") != NULL, "container header");
	ok(strstr(sbuf_str(&b), "CT web-shop") == NULL,
	    "a container with nothing limited shows no table");
	ok(strstr(sbuf_str(&b), "physpages|") != NULL &&
	    strstr(sbuf_str(&b), " 256M|") != NULL, "physpages limit 65536 "
	    "pages shown as 256M");
	sbuf_reset(&b);

	o.quiet = true;		/* -q: only failed or near rows */
	ubc_format_vzubc(u, 2, NULL, &o, &b);
	ok(strstr(sbuf_str(&b), "numproc") != NULL &&
	    strstr(sbuf_str(&b), "physpages") != NULL &&
	    strstr(sbuf_str(&b), "kmemsize") == NULL,
	    "-q keeps failed rows (numproc, physpages), drops kmemsize at 19%%");
	sbuf_reset(&b);

	memcpy(prev, u, sizeof(prev));	/* -r: nothing new since then */
	o.relative = true;
	ubc_format_vzubc(u, 2, prev, &o, &b);
	ok(strstr(sbuf_str(&b), "+FAIL") != NULL, "-r heads the column +FAIL");
	ok(strstr(sbuf_str(&b), "numproc") == NULL,
	    "-r -q: a row that did not fail since the last look is quiet");
	sbuf_reset(&b);

	prev[0].r[UB_NUMPROC].failcnt = 1;
	ubc_format_vzubc(u, 2, prev, &o, &b);
	ok(strstr(sbuf_str(&b), "numproc") != NULL && strstr(sbuf_str(&b),
	    "|     2\n") != NULL, "-r shows the 2 new failures");
	sbuf_reset(&b);

	o.relative = false;
	o.quiet = false;
	o.color = true;
	ubc_format_vzubc(u, 2, NULL, &o, &b);
	ok(strstr(sbuf_str(&b), "\033[1;31m    physpages") != NULL,
	    "-c: a failed row is red");
	ok(strstr(sbuf_str(&b), "\033[1;32m") != NULL, "-c: header in green");
	sbuf_free(&b);
}

static void
names(void)
{
	ok(ub_by_name("physpages") == UB_PHYSPAGES, "physpages by name");
	ok(ub_by_name("swappages") == UB_SWAPPAGES, "swappages by name");
	ok(ub_by_name("dummy") == -1, "dummy is not a resource");
	ok(UB_PROC_ROWS == 24, "24 rows in /proc/user_beancounters");
	ok(strcmp(ub_name(UB_NUMIPTENT), "numiptent") == 0 &&
	    UB_NUMIPTENT == 23, "numiptent is the 24th row");
}

/* The ids: a CTID is its own; anything else is not one (0). */
static void
bcids(void)
{
	static const struct { const char *name; uint32_t want; } t[] = {
		{ "101", 101 }, { "1", 1 }, { "1999999999", 1999999999 },
		{ "2000000000", 0 }, { "4294967397", 0 }, { "0", 0 },
		{ "0101", 0 }, { "web1", 0 }, { "101a", 0 }, { "", 0 },
	};
	struct ubc u[1];
	struct sbuf b = SBUF_INIT;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(ub_ctid_bcid(t[i].name) == t[i].want, "bcid of '%s': %u",
		    t[i].name, (unsigned)ub_ctid_bcid(t[i].name));
	memset(u, 0, sizeof(u));
	snprintf(u[0].id, sizeof(u[0].id), "web1");
	set(&u[0], UB_NUMPROC, 1, 1, U, U, 0);
	ubc_format_proc(u, 1, &b);
	ok(strstr(sbuf_str(&b), "     web1:  kmemsize") == NULL &&
	    strstr(sbuf_str(&b), "\n     web1:  ") != NULL,
	    "no id from an older daemon: the name, as before");
	sbuf_free(&b);
}

static void
human(void)
{
	static const struct { uint64_t v; enum ub_unit u; const char *want; }
	    t[] = {
		{ 512, UBU_BYTES, "512" },
		{ 3330048, UBU_BYTES, "3.2M" },
		{ 2097152, UBU_BYTES, "2M" },
		{ 99999, UBU_ITEMS, "99999" },
		{ 3330048, UBU_ITEMS, "3330K" },	/* no exponent */
		{ 250000, UBU_ITEMS, "250K" },
		{ 1, UBU_PAGES, "4K" },
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ub_human(t[i].v, t[i].u, buf, sizeof(buf));
		ok(strcmp(buf, t[i].want) == 0, "human %llu: '%s', want '%s'",
		    (unsigned long long)t[i].v, buf, t[i].want);
	}
}

int
main(void)
{
	golden("ubc-proc.golden", ubc_format_proc);
	golden("ubc-resources.golden", ubc_format_resources);
	vzubc();
	names();
	bcids();
	human();
	return done_testing();
}
