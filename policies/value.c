/* SPDX-License-Identifier: ISC */
/*
 * Parsing and formatting of parameter values in vzctl's syntax:
 *
 *	N | B:L		one value sets both barrier and limit
 *	1024 2.2G 512M	suffixes K M G T (powers of 1024), P (pages), B
 *	unlimited	LONG_MAX
 *
 * A suffixed value is converted to the parameter's native unit
 * (value * multiplier / unit size, truncated, as vzctl does); --ram and
 * --swap round up to whole pages.  Names starting with num take no suffix.
 * Arithmetic is integer only (128-bit intermediates).  A value beyond
 * LONG_MAX is refused with the range, where vzctl clamped it: a typo
 * must not turn a limit into none.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpulist.h"
#include "params.h"

typedef unsigned __int128 u128;

uint64_t
sat_add(uint64_t a, uint64_t b)
{
	if (a >= VAL_UNLIMITED || b >= VAL_UNLIMITED ||
	    a + b >= VAL_UNLIMITED)
		return VAL_UNLIMITED;
	return a + b;
}

uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	u128 r = (u128)a * b;

	if (a >= VAL_UNLIMITED || b >= VAL_UNLIMITED || r >= VAL_UNLIMITED)
		return VAL_UNLIMITED;
	return (uint64_t)r;
}

static uint64_t
unit_size(enum param_unit u)
{
	switch (u) {
	case PU_PAGES:
		return ACCT_PAGE_SIZE;
	case PU_KBLOCKS:
		return 1024;
	default:
		return 1;
	}
}

static bool
takes_suffix(const struct param_def *d)
{
	if (d->flags & PF_NOSUFFIX)
		return false;
	return d->unit == PU_PAGES || d->unit == PU_BYTES ||
	    d->unit == PU_KBLOCKS || d->unit == PU_BPS;
}

/* The accepted form, for error messages: names what the user may type. */
static const char *
accepted(const struct param_def *d, char *buf, size_t len)
{
	const char *unl = (d->flags & PF_NOUNLIMITED) ? "" : ", or unlimited";

	switch (d->kind) {
	case PK_PAIR:
		if (takes_suffix(d))
			snprintf(buf, len, "N or BARRIER:LIMIT in %s, suffixes "
			    "K M G T P B allowed%s", param_unit_name(d->unit),
			    unl);
		else
			snprintf(buf, len, "N or BARRIER:LIMIT, a count with no "
			    "suffix%s", unl);
		break;
	case PK_SINGLE:
		if (takes_suffix(d))
			snprintf(buf, len, "a number of %s, suffixes K M G T "
			    "allowed%s", param_unit_name(d->unit), unl);
		else if (d->max != VAL_UNLIMITED)
			snprintf(buf, len, "an integer from %llu to %llu%s",
			    (unsigned long long)d->min,
			    (unsigned long long)d->max,
			    d->unit == PU_PERCENT ? " (percent of one CPU)" : "");
		else
			snprintf(buf, len, "a non-negative integer%s", unl);
		break;
	case PK_SHORTCUT:
		snprintf(buf, len, "bytes, suffixes K M G T P B allowed, or "
		    "unlimited");
		break;
	case PK_RATIO:
		snprintf(buf, len, "a decimal ratio such as 1.5 (0: unlimited)");
		break;
	case PK_MEMGUAR:
		snprintf(buf, len, "auto, a percentage of ram (N or N%%), or "
		    "bytes with a suffix K M G T");
		break;
	case PK_LIST:
		snprintf(buf, len, "a list such as 0-3,7, or all");
		break;
	case PK_DEVLIST:
		snprintf(buf, len, "auto, or block devices as MAJ:MIN "
		    "(major 0..4095, minor 0..1048575) separated by spaces or "
		    "commas");
		break;
	case PK_PATH:
		snprintf(buf, len, "an absolute path such as /vz/private/$VEID, "
		    "shorter than %d characters", LIST_MAX);
		break;
	}
	return buf;
}

static int
bad(const struct param_def *d, const char *s, const char *why,
    struct aerr *err)
{
	char form[160];

	if (why != NULL)
		return aerr_set(err, EINVAL, "bad value for --%s: '%s' (%s; "
		    "accepted: %s)", d->name, s, why,
		    accepted(d, form, sizeof(form)));
	return aerr_set(err, EINVAL, "bad value for --%s: '%s' (accepted: %s)",
	    d->name, s, accepted(d, form, sizeof(form)));
}

/*
 * Parse one amount into the parameter's native unit.  For --ram/--swap
 * (PK_SHORTCUT) the result is bytes.
 */
static int
amount(const struct param_def *d, const char *s, const char *shown,
    uint64_t *out, bool *clamped, struct aerr *err)
{
	const char *p = s;
	u128 ip = 0, frac = 0, scale = 1, mul = 1, v;
	bool digits = false, overflow = false;
	int ndig = 0;

	if (clamped != NULL)
		*clamped = false;
	if (strcmp(s, "unlimited") == 0) {
		if (d->flags & PF_NOUNLIMITED)
			return bad(d, shown, "unlimited is not accepted here", err);
		*out = (d->flags & PF_ZERO_UNLIM) ? 0 : VAL_UNLIMITED;
		return 0;
	}
	while (isdigit((unsigned char)*p)) {
		ip = ip * 10 + (unsigned)(*p - '0');
		if (ip > (u128)UINT64_MAX * 1024)
			overflow = true, ip = (u128)UINT64_MAX * 1024;
		digits = true;
		p++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (ndig < 18) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
				ndig++;
			}
			digits = true;
			p++;
		}
	}
	if (!digits)
		return bad(d, shown, NULL, err);
	if (*p != '\0') {
		switch (tolower((unsigned char)*p)) {
		case 'k': mul = 1ULL << 10; break;
		case 'm': mul = 1ULL << 20; break;
		case 'g': mul = 1ULL << 30; break;
		case 't': mul = 1ULL << 40; break;
		case 'p': mul = ACCT_PAGE_SIZE; break;
		case 'b': mul = 1; break;
		case '%':
			if (d->unit == PU_PERCENT && p[1] == '\0') {
				p++;
				goto nosuffix;
			}
			/* FALLTHROUGH */
		default:
			return bad(d, shown, "unknown suffix", err);
		}
		if (d->kind != PK_SHORTCUT && !takes_suffix(d))
			return bad(d, shown, "this parameter takes no suffix", err);
		if (p[1] != '\0')
			return bad(d, shown, "trailing characters", err);
		/*
		 * bytes = (ip + frac/scale) * mul; native = bytes / unit.
		 * Kept apart so nothing wraps: ip * mul < 2^114 and
		 * frac * mul < 2^100 (frac < scale <= 10^18, mul <= 2^40).
		 */
		v = ip * mul + frac * mul / scale;
		if (d->kind != PK_SHORTCUT)
			v /= unit_size(d->unit);
		goto done;
	}
nosuffix:
	if (ndig > 0 && d->kind != PK_SHORTCUT && !takes_suffix(d))
		return bad(d, shown, "a whole number is needed", err);
	v = ip;			/* a fraction of a native unit is truncated */
done:
	if (overflow || v > VAL_UNLIMITED) {
		char why[96];

		snprintf(why, sizeof(why), "too large: the largest is %llu%s",
		    (unsigned long long)(d->max < VAL_UNLIMITED ? d->max :
		    VAL_UNLIMITED - 1), (d->flags & PF_NOUNLIMITED) ? "" :
		    ", or unlimited");
		return bad(d, shown, why, err);
	}
	/* LONG_MAX is how "unlimited" is stored and written back */
	if (v == VAL_UNLIMITED && (d->flags & PF_NOUNLIMITED))
		return bad(d, shown, "too large", err);
	if ((uint64_t)v < d->min ||
	    ((uint64_t)v > d->max && !(v == VAL_UNLIMITED && d->max == VAL_UNLIMITED))) {
		char why[96];

		snprintf(why, sizeof(why), "out of range %llu..%llu",
		    (unsigned long long)d->min, (unsigned long long)d->max);
		return bad(d, shown, why, err);
	}
	*out = (uint64_t)v;
	return 0;
}

int
parse_amount(const struct param_def *d, const char *s, uint64_t *out,
    bool *clamped, struct aerr *err)
{
	return amount(d, s, s, out, clamped, err);
}

/* A decimal ratio as millionths: "1.5" -> 1500000. */
static int
parse_ratio(const struct param_def *d, const char *s, uint64_t *out,
    struct aerr *err)
{
	uint64_t ip = 0, frac = 0, scale = 1000000;
	const char *p = s;
	bool digits = false;

	while (isdigit((unsigned char)*p)) {
		ip = ip * 10 + (uint64_t)(*p - '0');
		if (ip > 1000000)
			return bad(d, s, "too large", err);
		digits = true;
		p++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
			digits = true;
			p++;
		}
	}
	if (!digits || *p != '\0')
		return bad(d, s, NULL, err);
	*out = ip * 1000000 + frac;
	return 0;
}

static int
parse_devlist(const struct param_def *d, const char *s, char *out,
    size_t len, struct aerr *err)
{
	char buf[LIST_MAX], *tok, *save = NULL;
	size_t used = 0;

	if (strcmp(s, "auto") == 0 || *s == '\0') {
		snprintf(out, len, "auto");
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return bad(d, s, "too long", err);
	strcpy(buf, s);
	out[0] = '\0';
	for (tok = strtok_r(buf, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		unsigned long maj, min;
		char *end;
		int n;

		/* digits only: sscanf's %u would take -1 as 4294967295 */
		if (!isdigit((unsigned char)*tok))
			return bad(d, s, NULL, err);
		errno = 0;
		maj = strtoul(tok, &end, 10);
		if (errno || *end != ':' || !isdigit((unsigned char)end[1]))
			return bad(d, s, NULL, err);
		min = strtoul(end + 1, &end, 10);
		if (errno || *end != '\0')
			return bad(d, s, NULL, err);
		/* the kernel's dev_t: 12 bits of major, 20 of minor */
		if (maj > 4095 || min > 1048575)
			return bad(d, s, "out of range", err);
		n = snprintf(out + used, len - used, "%s%lu:%lu",
		    used ? " " : "", maj, min);
		if (n < 0 || (size_t)n >= len - used)
			return bad(d, s, "too long", err);
		used += (size_t)n;
	}
	if (used == 0)
		return bad(d, s, NULL, err);
	return 0;
}

int
param_parse(const struct param_def *d, const char *s, struct ct_params *p,
    struct aerr *err)
{
	enum param_id id = param_id(d);
	struct pval v = { 0, 0, 1, VK_NUM };
	const char *colon;
	struct cpubits bits;
	uint64_t x = 0, y = 0;
	int r;

	while (*s == ' ' || *s == '\t')
		s++;
	switch (d->kind) {
	case PK_PAIR:
		colon = strchr(s, ':');
		if (colon != NULL) {
			char bar[64];

			if ((size_t)(colon - s) >= sizeof(bar) || colon == s)
				return bad(d, s, NULL, err);
			memcpy(bar, s, (size_t)(colon - s));
			bar[colon - s] = '\0';
			if ((r = amount(d, bar, s, &x, NULL, err)) < 0 ||
			    (r = amount(d, colon + 1, s, &y, NULL, err)) < 0)
				return r;
			v.bar = x;
			v.lim = y;
		} else {
			if ((r = parse_amount(d, s, &x, NULL, err)) < 0)
				return r;
			v.bar = v.lim = x;
		}
		p->v[id] = v;
		return 0;
	case PK_SINGLE:
		if ((r = parse_amount(d, s, &x, NULL, err)) < 0)
			return r;
		v.bar = v.lim = x;
		p->v[id] = v;
		return 0;
	case PK_SHORTCUT:
		if ((r = parse_amount(d, s, &x, NULL, err)) < 0)
			return r;
		v.bar = 0;
		v.lim = x == VAL_UNLIMITED ? VAL_UNLIMITED :
		    x / ACCT_PAGE_SIZE + (x % ACCT_PAGE_SIZE != 0);
		p->v[d->target] = v;
		return 0;
	case PK_RATIO:
		if ((r = parse_ratio(d, s, &x, err)) < 0)
			return r;
		v.bar = v.lim = x;
		p->v[id] = v;
		return 0;
	case PK_MEMGUAR: {
		size_t n = strlen(s);

		if (strcmp(s, "auto") == 0) {
			v.kind = VK_AUTO;
		} else if (n > 0 && (s[n - 1] == '%' ||
		    isdigit((unsigned char)s[n - 1]))) {
			char num[32];
			char *end;
			unsigned long pct;

			if (n >= sizeof(num))
				return bad(d, s, NULL, err);
			memcpy(num, s, n);
			num[n] = '\0';
			if (num[n - 1] == '%')
				num[n - 1] = '\0';
			errno = 0;
			pct = strtoul(num, &end, 10);
			if (errno || *end != '\0' || end == num || pct > 100 ||
			    !isdigit((unsigned char)num[0]))
				return bad(d, s, "a percentage is 0..100", err);
			v.kind = VK_PERCENT;
			v.bar = v.lim = pct;
		} else {
			if ((r = parse_amount(d, s, &x, NULL, err)) < 0)
				return r;
			v.bar = v.lim = x;
		}
		p->v[id] = v;
		return 0;
	}
	case PK_LIST: {
		char dst[LIST_MAX];

		if (strcmp(s, "all") == 0 || strcmp(s, "auto") == 0) {
			snprintf(dst, LIST_MAX, "all");
		} else {
			if (cpulist_parse(s, &bits) < 0 || cpubits_empty(&bits))
				return bad(d, s, NULL, err);
			if (cpulist_format(&bits, dst, LIST_MAX) < 0)
				return bad(d, s, "the list is too long", err);
		}
		*(id == P_CPUMASK ? &p->cpumask : &p->nodemask) =
		    params_intern(dst);
		p->v[id] = v;
		return 0;
	}
	case PK_DEVLIST: {
		char dst[LIST_MAX];

		if ((r = parse_devlist(d, s, dst, LIST_MAX, err)) < 0)
			return r;
		p->iodevices = params_intern(dst);
		p->v[id] = v;
		return 0;
	}
	case PK_PATH:
		if (s[0] != '/')
			return bad(d, s, "not an absolute path", err);
		if (strlen(s) >= LIST_MAX)
			return bad(d, s, "too long", err);
		for (const char *c = s; *c; c++)
			if (*c == '"' || *c == '\\' || *c == '\n' ||
			    (unsigned char)*c < 0x20)
				return bad(d, s, "quotes, backslashes and "
				    "control characters are not accepted", err);
		p->private_dir = params_intern(s);
		p->v[id] = v;
		return 0;
	}
	return bad(d, s, NULL, err);
}

/* "1G", "1.5G", "512M", "100K", "123" (bytes); one decimal, rounded. */
void
fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char sfx[] = "KMGTPE";
	uint64_t unit = 1024, whole, tenth;
	int i = 0;

	if (b == VAL_UNLIMITED) {
		snprintf(buf, len, "unlimited");
		return;
	}
	if (b < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)b);
		return;
	}
	while (i < 5 && b / unit >= 1024) {
		unit *= 1024;
		i++;
	}
	/* round to tenths; 1023.96K becomes 1M, not 1024K */
	tenth = (uint64_t)(((unsigned __int128)b * 10 + unit / 2) / unit);
	if (tenth >= 10240 && i < 5) {
		unit *= 1024;
		i++;
		tenth = (uint64_t)(((unsigned __int128)b * 10 + unit / 2) / unit);
	}
	whole = tenth / 10;
	tenth %= 10;
	if (tenth == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)whole, sfx[i]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
		    (unsigned long long)tenth, sfx[i]);
}

static void
fmt_native(uint64_t v, char *buf, size_t len)
{
	if (v == VAL_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* The CTID.conf form of a set parameter. */
void
param_format(const struct param_def *d, const struct ct_params *p, char *buf,
    size_t len)
{
	enum param_id id = param_id(d);
	const struct pval *v = &p->v[id];
	char a[32], b[32];

	switch (d->kind) {
	case PK_PAIR:
		fmt_native(v->bar, a, sizeof(a));
		fmt_native(v->lim, b, sizeof(b));
		if (v->bar == v->lim)
			snprintf(buf, len, "%s", a);
		else
			snprintf(buf, len, "%s:%s", a, b);
		break;
	case PK_SINGLE:
		fmt_native(v->lim, buf, len);
		break;
	case PK_RATIO:
		if (v->lim % 1000000 == 0)
			snprintf(buf, len, "%llu",
			    (unsigned long long)(v->lim / 1000000));
		else {
			snprintf(a, sizeof(a), "%06llu",
			    (unsigned long long)(v->lim % 1000000));
			for (size_t i = strlen(a); i > 1 && a[i - 1] == '0'; i--)
				a[i - 1] = '\0';
			snprintf(buf, len, "%llu.%s",
			    (unsigned long long)(v->lim / 1000000), a);
		}
		break;
	case PK_MEMGUAR:
		if (v->kind == VK_AUTO)
			snprintf(buf, len, "auto");
		else if (v->kind == VK_PERCENT)
			snprintf(buf, len, "%llu", (unsigned long long)v->lim);
		else
			snprintf(buf, len, "%lluB", (unsigned long long)v->lim);
		break;
	case PK_LIST:
	case PK_DEVLIST:
	case PK_PATH:
		snprintf(buf, len, "%s", params_text(p, id));
		break;
	case PK_SHORTCUT:
		snprintf(buf, len, "-");
		break;
	}
}

/* A human form for show: sizes in K/M/G, pages shown as bytes. */
void
param_format_human(const struct param_def *d, const struct ct_params *p,
    char *buf, size_t len)
{
	enum param_id id = param_id(d);
	const struct pval *v = &p->v[id];
	uint64_t mult = d->unit == PU_PAGES ? ACCT_PAGE_SIZE :
	    d->unit == PU_KBLOCKS ? 1024 : 1;
	char a[32], b[32];

	if (d->kind == PK_MEMGUAR && v->kind == VK_PERCENT) {
		snprintf(buf, len, "%llu%%", (unsigned long long)v->lim);
		return;
	}
	if (d->kind == PK_MEMGUAR && v->kind == VK_NUM) {
		fmt_bytes(v->lim, buf, len);
		return;
	}
	if ((d->kind != PK_PAIR && d->kind != PK_SINGLE) ||
	    (d->unit != PU_PAGES && d->unit != PU_BYTES &&
	    d->unit != PU_KBLOCKS && d->unit != PU_BPS)) {
		param_format(d, p, buf, len);
		if (d->kind == PK_SINGLE && d->unit == PU_PERCENT &&
		    v->lim != 0)
			strncat(buf, "%", len - strlen(buf) - 1);
		return;
	}
	fmt_bytes(v->bar == VAL_UNLIMITED ? v->bar : sat_mul(v->bar, mult),
	    a, sizeof(a));
	fmt_bytes(v->lim == VAL_UNLIMITED ? v->lim : sat_mul(v->lim, mult),
	    b, sizeof(b));
	if (d->kind == PK_SINGLE || v->bar == v->lim)
		snprintf(buf, len, "%s%s", b, d->unit == PU_BPS ? "/s" : "");
	else
		snprintf(buf, len, "%s:%s", a, b);
}

uint64_t
params_ram_bytes(const struct ct_params *p)
{
	const struct pval *v = &p->v[P_PHYSPAGES];

	if (!v->set)
		return VAL_UNLIMITED;
	return sat_mul(v->lim, ACCT_PAGE_SIZE);
}

/* What memguarantee protects: N% of ram (none while ram is unlimited),
 * or bytes; 0 for auto and unset.  Admission control adds these up. */
uint64_t
params_guarantee_bytes(const struct ct_params *p)
{
	const struct pval *g = &p->v[P_MEMGUARANTEE];
	uint64_t ram = params_ram_bytes(p);

	if (!g->set || g->kind == VK_AUTO)
		return 0;
	if (g->kind == VK_PERCENT)
		return ram >= VAL_UNLIMITED ? 0 :
		    (uint64_t)((unsigned __int128)ram * g->lim / 100);
	return g->lim;
}

uint64_t
params_swap_bytes(const struct ct_params *p)
{
	const struct pval *v = &p->v[P_SWAPPAGES];

	/* --ram alone means no swap; an unlimited (pre-VSwap) RAM leaves swap
	 * unlimited too, as OpenVZ's kernel did */
	if (!v->set)
		return p->v[P_PHYSPAGES].set &&
		    p->v[P_PHYSPAGES].lim < VAL_UNLIMITED ? 0 : VAL_UNLIMITED;
	return sat_mul(v->lim, ACCT_PAGE_SIZE);
}
