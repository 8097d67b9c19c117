/* SPDX-License-Identifier: ISC */
/* CTID.conf parsing and rendering: see ctconf.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctconf.h"
#include "xalloc.h"

/*
 * Keys that OpenVZ's CTID.conf uses for things outside accountd's scope
 * (networking, templates, layout).  They are kept as they are, without a
 * warning, so an existing /etc/vz/conf/CTID.conf reads cleanly.
 * CGROUP is accountd's own: the cgroup path of an adopted container.
 */
static const char *const quiet_keys[] = {
	"CGROUP", "ONBOOT", "BOOTORDER", "OSTEMPLATE", "VE_ROOT",
	"VE_LAYOUT", "HOSTNAME", "IP_ADDRESS", "NAMESERVER", "SEARCHDOMAIN",
	"NETFILTER", "IPTABLES", "NETIF", "NETDEV", "ORIGIN_SAMPLE",
	"DISK_QUOTA", "MEMINFO", "NAME", "DESCRIPTION", "CAPABILITY",
	"FEATURES", "DEVICES", "DEVNODES", "MOUNT_OPTS", "STOP_TIMEOUT",
	"LOCAL_UID", "LOCAL_GID", "VEID", "UUID", "CONFIG_CUSTOMIZED",
	"JOURNALED_QUOTA", "BINDMOUNT", "PCI", "HA_ENABLE", "HA_PRIO",
	"TECHNOLOGIES", "VEFORMAT", "APPLY_IPONLY", "SKIP_ARPDETECT",
	"ROOT_PASSWORD", "VE_ENVIRONMENT", "NUMMEMORYSUBGROUPS", "NUMNETIF",
	"PAGECACHE_ISOLATION", "CPULIMIT_MHZ", "MEMGUARANTEE_BYTES",
	"AUTOSTOP", "OSRELEASE",
};

static bool
is_quiet_key(const char *k)
{
	size_t i;

	for (i = 0; i < nitems(quiet_keys); i++)
		if (strcmp(quiet_keys[i], k) == 0)
			return true;
	return false;
}

static void
add_line(struct ctconf *cf, const char *text, size_t n, const char *key)
{
	cf->lines = xreallocarray(cf->lines, cf->nlines + 1,
	    sizeof(*cf->lines));
	cf->lines[cf->nlines].text = xstrndup(text, n);
	cf->lines[cf->nlines].key = key ? xstrdup(key) : NULL;
	cf->nlines++;
}

/*
 * Split "KEY=value" / KEY="value".  Returns 0 with key and value copied
 * into the buffers, 1 for a comment or blank line, -EINVAL otherwise.
 */
static int
split_line(const char *line, size_t n, char *key, size_t klen, char *val,
    size_t vlen)
{
	const char *p = line, *end = line + n, *eq, *v, *ve;
	size_t kl;

	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || *p == '#')
		return 1;
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL)
		return -EINVAL;
	kl = (size_t)(eq - p);
	while (kl > 0 && isspace((unsigned char)p[kl - 1]))
		kl--;
	if (kl == 0 || kl >= klen)
		return -EINVAL;
	for (size_t i = 0; i < kl; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return -EINVAL;
	memcpy(key, p, kl);
	key[kl] = '\0';
	v = eq + 1;
	ve = end;
	while (ve > v && isspace((unsigned char)ve[-1]))
		ve--;
	while (v < ve && isspace((unsigned char)*v))
		v++;
	if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
		v++;
		ve--;
	} else if (v < ve && (*v == '"' || *v == '\'')) {
		return -EINVAL;		/* unbalanced quote */
	}
	if ((size_t)(ve - v) >= vlen)
		return -EINVAL;
	memcpy(val, v, (size_t)(ve - v));
	val[ve - v] = '\0';
	return 0;
}

int
ctconf_parse(const char *name, const char *text, struct ctconf *cf,
    struct sbuf *warnings, struct aerr *err)
{
	struct sbuf unknown = SBUF_INIT;
	const char *p = text;
	unsigned lineno = 0;
	int r;

	memset(cf, 0, sizeof(*cf));
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char key[64];
		/* as long as the line: keys outside the scope (IP_ADDRESS
		 * with many addresses) may have long values */
		_cleanup_free_ char *val = xmalloc(n + 1);
		const struct param_def *d;

		lineno++;
		r = split_line(p, n, key, sizeof(key), val, n + 1);
		if (r == 1) {
			add_line(cf, p, n, NULL);
		} else if (r < 0) {
			sbuf_free(&unknown);
			ctconf_free(cf);
			return aerr_set(err, EINVAL, "%s:%u: cannot parse line "
			    "(expected KEY=\"value\")", name, lineno);
		} else {
			d = param_by_key(key);
			if (d != NULL) {
				if ((r = param_parse(d, val, &cf->params, err)) < 0) {
					sbuf_free(&unknown);
					ctconf_free(cf);
					return aerr_prefix(err, "%s:%u: ", name,
					    lineno);
				}
			} else if (!is_quiet_key(key)) {
				sbuf_printf(&unknown, "%s%s", unknown.len ? ", " :
				    "", key);
			}
			add_line(cf, p, n, key);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (unknown.len > 0 && warnings != NULL)
		sbuf_printf(warnings, "%s: unknown keys kept and ignored: %s\n",
		    name, sbuf_str(&unknown));
	sbuf_free(&unknown);
	return 0;
}

void
ctconf_set_raw(struct ctconf *cf, const char *key, const char *value)
{
	size_t i, j;
	bool done = false;

	for (i = 0, j = 0; i < cf->nlines; i++) {
		struct ctconf_line *l = &cf->lines[i];

		if (l->key != NULL && strcmp(l->key, key) == 0) {
			if (value == NULL || done) {
				free(l->text);
				free(l->key);
				continue;	/* drop it */
			}
			free(l->text);
			l->text = xasprintf("%s=\"%s\"", key, value);
			done = true;
		}
		cf->lines[j++] = *l;
	}
	cf->nlines = j;
	if (!done && value != NULL) {
		char *t = xasprintf("%s=\"%s\"", key, value);

		add_line(cf, t, strlen(t), key);
		free(t);
	}
}

const char *
ctconf_get_raw(const struct ctconf *cf, const char *key, char *buf,
    size_t len)
{
	const char *found = NULL;
	char k[64];
	size_t i;

	for (i = 0; i < cf->nlines; i++) {
		const struct ctconf_line *l = &cf->lines[i];

		if (l->key != NULL && strcmp(l->key, key) == 0 &&
		    split_line(l->text, strlen(l->text), k, sizeof(k), buf,
		    len) == 0)
			found = buf;
	}
	return found;
}

void
ctconf_update(struct ctconf *cf, const struct ct_params *p)
{
	unsigned i;

	for (i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		char val[LIST_MAX + 32];

		if (!p->v[i].set)
			continue;
		param_format(d, p, val, sizeof(val));
		/* an old spelling (DCACHE) is replaced by the current key, in
		 * its place: rename it, and set_raw rewrites the first line */
		if (d->alias != NULL)
			for (size_t k = 0; k < cf->nlines; k++)
				if (cf->lines[k].key != NULL &&
				    strcmp(cf->lines[k].key, d->alias) == 0) {
					free(cf->lines[k].key);
					cf->lines[k].key = xstrdup(d->key);
				}
		ctconf_set_raw(cf, d->key, val);
	}
	params_merge(&cf->params, p);
}

char *
ctconf_render(const struct ctconf *cf)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	for (i = 0; i < cf->nlines; i++) {
		sbuf_puts(&b, cf->lines[i].text);
		sbuf_putc(&b, '\n');
	}
	return sbuf_take(&b);
}

void
ctconf_free(struct ctconf *cf)
{
	size_t i;

	for (i = 0; i < cf->nlines; i++) {
		free(cf->lines[i].text);
		free(cf->lines[i].key);
	}
	free(cf->lines);
	cf->lines = NULL;
	cf->nlines = 0;
}

bool
ctconf_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 64 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			return false;
	return true;
}
