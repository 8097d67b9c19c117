/* SPDX-License-Identifier: ISC */
/* accountd.conf parsing; the key table is also the embedded default. */
#include "config.h"

#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/accountd"
#endif

enum ckind { CK_STR, CK_UINT, CK_LIST };

static const struct ckey {
	const char	*key;
	enum ckind	 kind;
	size_t		 off;
	const char	*dflt;	/* NULL: derived or empty */
	const char	*help;
} keys[] = {
	{ "cgroup_root", CK_STR, offsetof(struct acct_config, cgroup_root),
	  "auto", "where the cgroup hierarchies are; auto asks libcgroup" },
	{ "cgroup_parent", CK_STR, offsetof(struct acct_config, cgroup_parent),
	  "accountd", "parent cgroup of the containers accountd creates" },
	{ "ct_conf_dir", CK_STR, offsetof(struct acct_config, ct_conf_dir),
	  SYSCONFDIR "/accountd/ct", "per-container CTID.conf files" },
	{ "sample_dir", CK_STR, offsetof(struct acct_config, sample_dir),
	  PKGDATADIR "/samples", "ve-NAME.conf-sample files for applyconfig" },
	{ "state_dir", CK_STR, offsetof(struct acct_config, state_dir),
	  LOCALSTATEDIR "/lib/accountd", "state that survives restarts" },
	{ "run_dir", CK_STR, offsetof(struct acct_config, run_dir),
	  RUNSTATEDIR "/accountd", "sockets and pid file" },
	{ "socket", CK_STR, offsetof(struct acct_config, socket),
	  NULL, "control socket (default: run_dir/accountd.sock)" },
	{ "ro_socket", CK_STR, offsetof(struct acct_config, ro_socket),
	  NULL, "read-only socket (default: run_dir/accountd.rsock)" },
	{ "socket_group", CK_STR, offsetof(struct acct_config, socket_group),
	  "", "group allowed on the control socket (default: root only)" },
	{ "pid_file", CK_STR, offsetof(struct acct_config, pid_file),
	  NULL, "pid file (default: run_dir/accountd.pid)" },
	{ "log", CK_STR, offsetof(struct acct_config, log),
	  "auto", "stderr, syslog, or auto (stderr with -d, else syslog)" },
	{ "log_level", CK_STR, offsetof(struct acct_config, log_level),
	  "info", "err, warn, info or debug" },
	{ "discover", CK_LIST, offsetof(struct acct_config, discover),
	  NULL, "cgroup pattern of containers to manage, e.g. lxc.payload.%n" },
	{ "rescan_interval", CK_UINT,
	  offsetof(struct acct_config, rescan_interval), "5",
	  "seconds between checks for containers starting and stopping" },
};

static const struct ckey *
find_key(const char *k)
{
	for (size_t i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].key, k) == 0)
			return &keys[i];
	return NULL;
}

int
config_set(struct acct_config *c, const char *key, const char *value,
    struct aerr *err)
{
	const struct ckey *k = find_key(key);
	char *base = (char *)c;

	if (k == NULL) {
		char known[512] = "";
		size_t used = 0;

		for (size_t i = 0; i < nitems(keys); i++)
			used += (size_t)snprintf(known + used, sizeof(known) - used,
			    "%s%s", i ? " " : "", keys[i].key);
		return aerr_set(err, EINVAL, "unknown key '%s' (known: %s)", key,
		    known);
	}
	switch (k->kind) {
	case CK_STR: {
		char **p = (char **)(void *)(base + k->off);

		free(*p);
		*p = xstrdup(value);
		break;
	}
	case CK_UINT: {
		unsigned *p = (unsigned *)(void *)(base + k->off);
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno || *end != '\0' || end == value || v > 86400)
			return aerr_set(err, EINVAL, "bad value for %s: '%s' "
			    "(accepted: an integer from 0 to 86400)", key, value);
		*p = (unsigned)v;
		break;
	}
	case CK_LIST:
		c->discover = xreallocarray(c->discover, c->ndiscover + 1,
		    sizeof(char *));
		c->discover[c->ndiscover++] = xstrdup(value);
		break;
	}
	return 0;
}

void
config_defaults(struct acct_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < nitems(keys); i++)
		if (keys[i].dflt != NULL)
			(void)config_set(c, keys[i].key, keys[i].dflt, NULL);
}

int
config_parse(const char *name, const char *text, struct acct_config *c,
    struct aerr *err)
{
	const char *p = text;
	unsigned lineno = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], *k, *v, *eq, *e;
		int r;

		lineno++;
		if (n >= sizeof(line))
			return aerr_set(err, EINVAL, "%s:%u: line too long", name,
			    lineno);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : p + n;
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL)
			return aerr_set(err, EINVAL, "%s:%u: expected 'key = value'",
			    name, lineno);
		*eq = '\0';
		for (e = eq; e > k && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);
		    e--)
			e[-1] = '\0';
		if (strlen(v) >= 2 && v[0] == '"' && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		if ((r = config_set(c, k, v, err)) < 0)
			return aerr_prefix(err, "%s:%u: ", name, lineno);
	}
	return 0;
}

int
config_load(const char *path, struct acct_config *c, struct aerr *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	long sz;

	config_defaults(c);
	if (path == NULL)
		return 0;
	if ((f = fopen(path, "re")) == NULL)
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (sz = ftell(f)) < 0 ||
	    sz > 1024 * 1024 || fseek(f, 0, SEEK_SET) < 0)
		return aerr_set(err, EFBIG, "%s: not a readable config file",
		    path);
	text = xmalloc((size_t)sz + 1);
	len = fread(text, 1, (size_t)sz, f);
	text[len] = '\0';
	return config_parse(path, text, c, err);
}

void
config_finish(struct acct_config *c)
{
	if (c->socket == NULL)
		c->socket = xasprintf("%s/accountd.sock", c->run_dir);
	if (c->ro_socket == NULL)
		c->ro_socket = xasprintf("%s/accountd.rsock", c->run_dir);
	if (c->pid_file == NULL)
		c->pid_file = xasprintf("%s/accountd.pid", c->run_dir);
}

/*
 * A value as config_parse() reads it back: quoted when the quotes would
 * otherwise be lost to it (spaces at either end, or quotes at both ends,
 * which the parser strips once).
 */
static void
print_value(FILE *out, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (n > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[n - 1]) ||
	    (n >= 2 && v[0] == '"' && v[n - 1] == '"')))
		fprintf(out, "%s = \"%s\"\n", key, v);
	else
		fprintf(out, "%s = %s\n", key, v);
}

void
config_print(const struct acct_config *c, FILE *out)
{
	const char *base = (const char *)c;

	for (size_t i = 0; i < nitems(keys); i++) {
		const struct ckey *k = &keys[i];

		fprintf(out, "# %s\n", k->help);
		switch (k->kind) {
		case CK_STR: {
			const char *v = *(char *const *)(const void *)(base +
			    k->off);

			print_value(out, k->key, v ? v : "");
			break;
		}
		case CK_UINT:
			fprintf(out, "%s = %u\n", k->key,
			    *(const unsigned *)(const void *)(base + k->off));
			break;
		case CK_LIST:
			if (c->ndiscover == 0)
				fprintf(out, "#%s =\n", k->key);
			for (size_t j = 0; j < c->ndiscover; j++)
				print_value(out, k->key, c->discover[j]);
			break;
		}
	}
}

void
config_free(struct acct_config *c)
{
	char *base = (char *)c;

	for (size_t i = 0; i < nitems(keys); i++)
		if (keys[i].kind == CK_STR)
			free(*(char **)(void *)(base + keys[i].off));
	for (size_t j = 0; j < c->ndiscover; j++)
		free(c->discover[j]);
	free(c->discover);
	memset(c, 0, sizeof(*c));
}
