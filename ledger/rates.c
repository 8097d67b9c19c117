/* SPDX-License-Identifier: ISC */
/*
 * The rates file of acctctl bill (docs/billing.md), and the charge
 * arithmetic.  Pure code.
 *
 *	# prices per unit, in the currency below
 *	currency      = EUR
 *	cpu_hour      = 0.01	# per hour of one CPU's time (by cpu_basis)
 *	cpu_basis     = usage	# usage | limit | max
 *	ram_gib_hour  = 0.005	# per GiB-hour of RAM (by ram_basis)
 *	ram_basis     = average	# average | limit | max
 *	swap_gib_hour = 0.001
 *	disk_gib_hour = 0.0001
 *	io_gib        = 0.02	# per GiB read or written
 *	io_mops       = 0.05	# per million read or write operations
 *
 * Prices are decimals with up to 9 digits after the point, kept in
 * nano-units (int64); a charge is quantity x price / unit in 128-bit
 * integers, rounded half up to a nano-unit.  No floating point.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvfile.h"
#include "ledger.h"
#include "xalloc.h"

#define NANO		1000000000LL
#define PRICE_MAX	(1000000000LL * NANO)	/* 1e9 per unit */
#define GIB		(1ULL << 30)

static const struct rkey {
	const char	*key;
	size_t		 off;		/* of the int64_t price; 0: special */
	const char	*help;
} rkeys[] = {
	{ "currency", 0, "currency code printed with the charges" },
	{ "cpu_hour", offsetof(struct rates, cpu_hour),
	  "per hour of one CPU's time, measured as cpu_basis says" },
	{ "cpu_basis", 0, "usage (CPU time used), limit (cpulimit, or cpus, "
	  "for the time the container ran; the time used where neither is "
	  "set) or max (the larger of the two, record by record)" },
	{ "ram_gib_hour", offsetof(struct rates, ram_gib_hour),
	  "per GiB-hour of RAM, measured as ram_basis says" },
	{ "ram_basis", 0, "average (RAM held), limit (the ram limit; RAM held "
	  "where unlimited) or max (the larger of the two: OpenCost's "
	  "max(request, usage))" },
	{ "swap_gib_hour", offsetof(struct rates, swap_gib_hour),
	  "per GiB-hour of swap (virtual swap included)" },
	{ "disk_gib_hour", offsetof(struct rates, disk_gib_hour),
	  "per GiB-hour of disk space (containers with a disk quota)" },
	{ "io_gib", offsetof(struct rates, io_gib),
	  "per GiB read or written" },
	{ "io_mops", offsetof(struct rates, io_mops),
	  "per million read or write operations" },
};

const char *
ram_basis_name(enum ram_basis b)
{
	return b == RAM_LIMIT ? "limit" : b == RAM_MAX ? "max" : "average";
}

const char *
cpu_basis_name(enum cpu_basis b)
{
	return b == CPU_LIMIT ? "limit" : b == CPU_MAX ? "max" : "usage";
}

void
rates_defaults(struct rates *r)
{
	memset(r, 0, sizeof(*r));
	r->ram_basis = RAM_AVERAGE;
}

/* "12", "0.005", "3." -> nano-units; -1 when not such a decimal */
int
parse_decimal_nano(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0, scale = NANO;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > PRICE_MAX / NANO)
			return -1;
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++) {
			if (scale == 1)
				return -1;	/* more than 9 digits */
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (*p != '\0')
		return -1;
	*out = whole * NANO + frac;
	return 0;
}

void
format_nano(int64_t v, int decimals, char *buf, size_t len)
{
	int64_t div = 1, q;

	for (int i = decimals; i < 9; i++)
		div *= 10;
	q = (v + div / 2) / div;	/* v >= 0 */
	if (decimals == 0)
		snprintf(buf, len, "%lld", (long long)q);
	else {
		int64_t p10 = 1;

		for (int i = 0; i < decimals; i++)
			p10 *= 10;
		snprintf(buf, len, "%lld.%0*lld", (long long)(q / p10),
		    decimals, (long long)(q % p10));
	}
}

static char *
known_keys(void)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < nitems(rkeys); i++) {
		char *t = xasprintf("%s%s%s", s, i ? ", " : "", rkeys[i].key);

		free(s);
		s = t;
	}
	return s;
}

static int
set_key(struct rates *r, const char *k, const char *v, struct aerr *err)
{
	if (strcmp(k, "currency") == 0) {
		size_t n = strlen(v);

		if (n == 0 || n >= sizeof(r->currency))
			return aerr_set(err, EINVAL, "bad currency '%s' (accepted: "
			    "1 to %zu letters, such as EUR)", v,
			    sizeof(r->currency) - 1);
		for (size_t i = 0; i < n; i++)
			if (!isalpha((unsigned char)v[i]))
				return aerr_set(err, EINVAL, "bad currency '%s' "
				    "(accepted: letters only, such as EUR)", v);
		memcpy(r->currency, v, n + 1);
		return 0;
	}
	if (strcmp(k, "cpu_basis") == 0) {
		if (strcmp(v, "usage") == 0)
			r->cpu_basis = CPU_USAGE;
		else if (strcmp(v, "limit") == 0)
			r->cpu_basis = CPU_LIMIT;
		else if (strcmp(v, "max") == 0)
			r->cpu_basis = CPU_MAX;
		else
			return aerr_set(err, EINVAL, "bad cpu_basis '%s' "
			    "(accepted: usage, limit, max)", v);
		return 0;
	}
	if (strcmp(k, "ram_basis") == 0) {
		if (strcmp(v, "average") == 0)
			r->ram_basis = RAM_AVERAGE;
		else if (strcmp(v, "limit") == 0)
			r->ram_basis = RAM_LIMIT;
		else if (strcmp(v, "max") == 0)
			r->ram_basis = RAM_MAX;
		else
			return aerr_set(err, EINVAL, "bad ram_basis '%s' "
			    "(accepted: average, limit, max)", v);
		return 0;
	}
	for (size_t i = 0; i < nitems(rkeys); i++) {
		int64_t p;

		if (rkeys[i].off == 0 || strcmp(rkeys[i].key, k) != 0)
			continue;
		if (parse_decimal_nano(v, &p) < 0)
			return aerr_set(err, EINVAL, "bad %s '%s' (accepted: a "
			    "price such as 0.005: digits, at most 9 after the "
			    "point, below 1000000000)", k, v);
		*(int64_t *)(void *)((char *)r + rkeys[i].off) = p;
		return 0;
	}
	{
		_cleanup_free_ char *known = known_keys();

		return aerr_set(err, EINVAL, "unknown key '%s' (known: %s)", k,
		    known);
	}
}

struct rates_ctx {
	struct rates	*r;
	uint32_t	 seen;	/* keys given, by table index */
};

static int
rates_pair(void *ctx, const char *k, const char *v, struct aerr *err)
{
	struct rates_ctx *rc = ctx;

	for (size_t i = 0; i < nitems(rkeys); i++)
		if (strcmp(rkeys[i].key, k) == 0) {
			if (rc->seen & (1u << i))
				return aerr_set(err, EINVAL, "%s given twice", k);
			rc->seen |= 1u << i;
		}
	return set_key(rc->r, k, v, err);
}

int
rates_parse(const char *name, const char *text, struct rates *r,
    struct aerr *err)
{
	struct rates_ctx rc = { r, 0 };

	rates_defaults(r);
	return kvfile_parse(name, text, 512, 0, rates_pair, &rc, err);
}

int
rates_load(const char *path, struct rates *r, struct aerr *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char buf[65536];
	size_t n;

	if (f == NULL)
		return aerr_set(err, errno, "cannot read the rates file %s: %s",
		    path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (n == sizeof(buf) - 1)
		return aerr_set(err, EFBIG, "%s: too large for a rates file "
		    "(accepted: up to 64 KiB)", path);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL)
		return aerr_set(err, EINVAL, "%s: not a text file", path);
	return rates_parse(path, buf, r, err);
}

/* The normalized form: every key, in table order; parses back the same. */
void
rates_print(const struct rates *r, FILE *out)
{
	for (size_t i = 0; i < nitems(rkeys); i++) {
		char v[40];

		if (strcmp(rkeys[i].key, "currency") == 0) {
			if (*r->currency != '\0')
				fprintf(out, "currency = %s\n", r->currency);
			continue;
		}
		if (strcmp(rkeys[i].key, "cpu_basis") == 0) {
			fprintf(out, "cpu_basis = %s\n",
			    cpu_basis_name(r->cpu_basis));
			continue;
		}
		if (strcmp(rkeys[i].key, "ram_basis") == 0) {
			fprintf(out, "ram_basis = %s\n",
			    ram_basis_name(r->ram_basis));
			continue;
		}
		format_nano(*(const int64_t *)(const void *)((const char *)r +
		    rkeys[i].off), 9, v, sizeof(v));
		fprintf(out, "%s = %s\n", rkeys[i].key, v);
	}
}

static int64_t
charge(uint64_t qty, int64_t price, unsigned __int128 unit)
{
	unsigned __int128 v = (unsigned __int128)qty * (uint64_t)price;

	v = (v + unit / 2) / unit;
	return v > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)v;
}

void
rates_apply(const struct rates *r, const struct bill_qty *q,
    struct bill_charges *c)
{
	uint64_t ram = r->ram_basis == RAM_LIMIT ? q->ram_limit_bs :
	    r->ram_basis == RAM_MAX ? q->ram_alloc_bs : q->ram_bs;
	uint64_t cpu = r->cpu_basis == CPU_LIMIT ? q->cpu_limit_usec :
	    r->cpu_basis == CPU_MAX ? q->cpu_alloc_usec : q->cpu_usec;

	c->cpu = charge(cpu, r->cpu_hour, 3600000000ULL);
	c->ram = charge(ram, r->ram_gib_hour, (unsigned __int128)GIB * 3600);
	c->swap = charge(q->swap_bs, r->swap_gib_hour,
	    (unsigned __int128)GIB * 3600);
	c->disk = charge(q->disk_bs, r->disk_gib_hour,
	    (unsigned __int128)GIB * 3600);
	c->io_bytes = charge(q->io_bytes, r->io_gib, GIB);
	c->io_ops = charge(q->io_ops, r->io_mops, 1000000);
	{
		/* each is at most INT64_MAX: the sum saturates too */
		__int128 t = (__int128)c->cpu + c->ram + c->swap + c->disk +
		    c->io_bytes + c->io_ops;

		c->total = t > INT64_MAX ? INT64_MAX : (int64_t)t;
	}
}
