/* SPDX-License-Identifier: ISC */
/* accountd.conf parsing; the key table is also the embedded default. */
#include "config.h"

#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kvfile.h"
#include "params.h"
#include "sbuf.h"
#include "words.h"
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
#ifndef SBINDIR
#define SBINDIR "/usr/sbin"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/accountd"
#endif

/*
 * CK_ENUM is a string that must be one of the values its row lists in
 * place of a default, "report|restore" (the first is the default); CK_BOOL
 * is yes or no.  The parser refuses anything else, naming the values,
 * `accountd -n` prints them, and docs/check-docs-sync.sh checks that
 * accountd.conf.5 names each.  Both are stored as the string, as CK_STR.
 */
enum ckind { CK_STR, CK_UINT, CK_LIST, CK_ENUM, CK_BOOL };

static const struct ckey {
	const char	*key;
	enum ckind	 kind;
	size_t		 off;
	const char	*dflt;	/* NULL: derived or empty; CK_ENUM: values */
	const char	*help;
} keys[] = {
	/* keys a SIGHUP can change: listed in RELOADABLE below */
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
	{ "rsock_user", CK_STR, offsetof(struct acct_config, rsock_user),
	  "accountd-rsock", "user the read-only socket's server runs as "
	  "(never root; the default falls back to daemon, then nobody, when "
	  "there is no such user)" },
	{ "socket_group", CK_STR, offsetof(struct acct_config, socket_group),
	  "", "group allowed on the control socket (default: root only)" },
	{ "max_connections", CK_UINT,
	  offsetof(struct acct_config, max_connections), "256",
	  "connections each socket takes; the last 16 of the control socket "
	  "are kept for root (32 to 65536)" },
	{ "max_connections_per_uid", CK_UINT,
	  offsetof(struct acct_config, max_connections_per_uid), "32",
	  "connections one user other than root may hold on each socket" },
	{ "follower_timeout", CK_UINT,
	  offsetof(struct acct_config, follower_timeout), "60",
	  "seconds a client (an event follower too) may leave its replies "
	  "unread before its connection is closed (1 to 86400)" },
	{ "pid_file", CK_STR, offsetof(struct acct_config, pid_file),
	  NULL, "pid file (default: run_dir/accountd.pid)" },
	{ "log", CK_ENUM, offsetof(struct acct_config, log),
	  "auto|stderr|syslog", "stderr, syslog, or auto (stderr with -d, else syslog)" },
	{ "log_level", CK_ENUM, offsetof(struct acct_config, log_level),
	  "info|err|warn|debug", "the least severe messages logged" },
	{ "discover", CK_LIST, offsetof(struct acct_config, discover),
	  NULL, "cgroup pattern of containers to manage, e.g. lxc.payload.%n" },
	{ "rescan_interval", CK_UINT,
	  offsetof(struct acct_config, rescan_interval), "5",
	  "seconds between checks for containers starting and stopping" },
	{ "hook_failure", CK_ENUM, offsetof(struct acct_config, hook_failure),
	  "refuse|allow", "accountd-hook when its settings cannot be put in force: "
	  "refuse (the runtime does not start the container) or allow" },
	{ "sample_interval", CK_UINT,
	  offsetof(struct acct_config, sample_interval), "1000",
	  "milliseconds between samples of every container's counters" },
	{ "hot_interval", CK_UINT, offsetof(struct acct_config, hot_interval),
	  "10", "milliseconds between samples of a container near a limit" },
	{ "pids_poll_interval", CK_UINT,
	  offsetof(struct acct_config, pids_poll_interval), "4",
	  "cgroup v1: milliseconds between checks of pids.events (v1 sends no "
	  "notification)" },
	{ "drift", CK_ENUM, offsetof(struct acct_config, drift), "report|restore",
	  "a limit written by someone else: report it, or restore the "
	  "configured value" },
	{ "alert_hook", CK_STR, offsetof(struct acct_config, alert_hook), "",
	  "program run (no shell) when a failcnt grows; facts in ACCT_* env" },
	{ "alert_hook_user", CK_STR,
	  offsetof(struct acct_config, alert_hook_user), "root",
	  "user the alert hook runs as" },
	{ "alert_hook_timeout", CK_UINT,
	  offsetof(struct acct_config, alert_hook_timeout), "10",
	  "seconds before a running alert hook is killed" },
	{ "alert_hook_interval", CK_UINT,
	  offsetof(struct acct_config, alert_hook_interval), "10",
	  "at most one hook run per container and resource in this many s" },
	{ "alertmanager_url", CK_STR,
	  offsetof(struct acct_config, alertmanager_url), "",
	  "Alertmanager API v2 alerts URL, e.g. http://127.0.0.1:9093/api/v2/alerts" },
	{ "notify_user", CK_STR, offsetof(struct acct_config, notify_user),
	  "nobody", "user the Alertmanager notifier runs as" },
	{ "vswap_mode", CK_ENUM, offsetof(struct acct_config, vswap_mode),
	  "auto|ram|kernel|off", "VSwap emulation: auto, ram, kernel or off (docs/vswap.md)" },
	{ "vswap_rate", CK_STR, offsetof(struct acct_config, vswap_rate),
	  "100M", "virtual swap traffic a container is slowed to, bytes/s "
	  "(OpenVZ: 25600 pages/s); per container: VSWAPRATE" },
	{ "guarantee_reserve", CK_STR,
	  offsetof(struct acct_config, guarantee_reserve), "5%",
	  "host RAM kept out of memguarantee admission: N% of RAM or a size "
	  "such as 2G; a guarantee that would bring the running containers' "
	  "total above RAM minus this is refused (--force admits it)" },
	{ "meminfo_dir", CK_STR, offsetof(struct acct_config, meminfo_dir), "",
	  "if set, a meminfo file per container is kept up to date here" },
	{ "exporter", CK_BOOL, offsetof(struct acct_config, exporter), "no",
	  "yes: run accountd-exporter (/metrics, dashboard, RRD archives) as an "
	  "unprivileged child" },
	{ "http_listen", CK_STR, offsetof(struct acct_config, http_listen),
	  "127.0.0.1:9847", "address:port the exporter serves HTTP on "
	  "([::1]:port for IPv6)" },
	{ "exporter_user", CK_STR, offsetof(struct acct_config, exporter_user),
	  "nobody", "user the exporter runs as (never root)" },
	{ "exporter_path", CK_STR, offsetof(struct acct_config, exporter_path),
	  SBINDIR "/accountd-exporter", "the exporter program" },
	{ "metrics_detail", CK_ENUM,
	  offsetof(struct acct_config, metrics_detail), "full|basic",
	  "what /metrics has per container: full (about 5.5 KB each) or basic "
	  "(running, CPU time, block I/O bytes, memory, swap and process "
	  "beancounters, failures: about 1.1 KB)" },
	{ "rrd_dir", CK_STR, offsetof(struct acct_config, rrd_dir),
	  LOCALSTATEDIR "/lib/accountd-rrd", "per-container RRD archives "
	  "written by the exporter (empty: none)" },
	{ "rrd_step", CK_UINT, offsetof(struct acct_config, rrd_step), "10",
	  "seconds between RRD updates (1 to 300)" },
	{ "rrdcached", CK_STR, offsetof(struct acct_config, rrdcached), "",
	  "write RRD updates through rrdcached at this address (unix:/path or "
	  "host:port)" },
	{ "quota_fallback", CK_ENUM,
	  offsetof(struct acct_config, quota_fallback), "userspace|no",
	  "disk quota where the filesystem has no project quota: userspace "
	  "(accountd counts and refuses opens for writing) or no (refused)" },
	{ "quota_rescan", CK_UINT, offsetof(struct acct_config, quota_rescan),
	  "10", "seconds between recounts of a tree under the userspace "
	  "quota (1 to 86400)" },
	{ "ledger", CK_BOOL, offsetof(struct acct_config, ledger), "yes",
	  "yes: run accountd-ledger, which records every container's usage "
	  "for billing (docs/billing.md), as an unprivileged child" },
	{ "ledger_user", CK_STR, offsetof(struct acct_config, ledger_user),
	  "accountd-ledger", "user the ledger writer runs as (never root, "
	  "never exporter_user; the default falls back to daemon when there "
	  "is no such user)" },
	{ "ledger_program", CK_STR, offsetof(struct acct_config,
	  ledger_program), SBINDIR "/accountd-ledger", "the ledger writer" },
	{ "ledger_path", CK_STR, offsetof(struct acct_config, ledger_path),
	  LOCALSTATEDIR "/lib/accountd-ledger/ledger.db", "the billing ledger "
	  "(SQLite); its folder is made for ledger_user" },
	{ "ledger_interval", CK_UINT,
	  offsetof(struct acct_config, ledger_interval), "3600",
	  "seconds per usage record, aligned to UTC (1 to 86400)" },
	{ "ledger_retention", CK_UINT,
	  offsetof(struct acct_config, ledger_retention), "730",
	  "days usage records are kept (0: forever)" },
	{ "ledger_compact", CK_UINT,
	  offsetof(struct acct_config, ledger_compact), "62",
	  "days after which records are merged into one per UTC day (0: "
	  "never)" },
	{ "ledger_replica", CK_STR, offsetof(struct acct_config,
	  ledger_replica), "", "postgresql:// URI the ledger writer copies "
	  "every record to (docs/fleet.md); empty: none" },
	{ "ledger_replica_password_file", CK_STR, offsetof(struct acct_config,
	  ledger_replica_password_file), "", "file holding the replica's "
	  "password (readable by ledger_user); empty: libpq's PGPASSFILE" },
	{ "ledger_host_id", CK_STR, offsetof(struct acct_config,
	  ledger_host_id), "", "this host's name in the replica; empty: "
	  "/etc/machine-id" },
};

static const struct ckey *
find_key(const char *k)
{
	for (size_t i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].key, k) == 0)
			return &keys[i];
	return NULL;
}

static const char *
values_of(const struct ckey *k)
{
	return k->kind == CK_BOOL ? "yes|no" : k->dflt;
}

/* "report, restore" */
static const char *
accepted_list(const struct ckey *k, char *buf, size_t len)
{
	const char *p = values_of(k);
	size_t used = 0;

	buf[0] = '\0';
	while (*p != '\0' && used < len) {
		size_t n = strcspn(p, "|");

		used += (size_t)snprintf(buf + used, len - used, "%s%.*s",
		    used ? ", " : "", (int)n, p);
		p += n;
		p += strspn(p, "|");
	}
	return buf;
}

int
config_set(struct acct_config *c, const char *key, const char *value,
    struct aerr *err)
{
	const struct ckey *k = find_key(key);
	char *base = (char *)c;

	if (k == NULL) {
		char known[AERR_MSG_MAX] = "";
		size_t used = 0;

		for (size_t i = 0; i < nitems(keys) && used + 1 < sizeof(known);
		    i++)
			used += (size_t)snprintf(known + used, sizeof(known) - used,
			    "%s%s", i ? " " : "", keys[i].key);
		return aerr_set(err, EINVAL, "unknown key '%s' (known: %s)", key,
		    known);
	}
	switch (k->kind) {
	case CK_ENUM:
	case CK_BOOL:
		if (!words_has(values_of(k), '|', value, strlen(value))) {
			char acc[128];

			return aerr_set(err, EINVAL, "bad %s '%s' (accepted: %s)",
			    key, value, accepted_list(k, acc, sizeof(acc)));
		}
		/* FALLTHROUGH */
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
		if (errno || *end != '\0' || end == value || v > 86400000)
			return aerr_set(err, EINVAL, "bad value for %s: '%s' "
			    "(accepted: an integer from 0 to 86400000)", key,
			    value);
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
	for (size_t i = 0; i < nitems(keys); i++) {
		char first[32];

		if (keys[i].dflt == NULL)
			continue;
		if (keys[i].kind == CK_ENUM) {	/* the first value */
			snprintf(first, sizeof(first), "%.*s",
			    (int)strcspn(keys[i].dflt, "|"), keys[i].dflt);
			(void)config_set(c, keys[i].key, first, NULL);
		} else
			(void)config_set(c, keys[i].key, keys[i].dflt, NULL);
	}
}

static int
conf_pair(void *ctx, const char *key, const char *value, struct aerr *err)
{
	return config_set(ctx, key, value, err);
}

int
config_parse(const char *name, const char *text, struct acct_config *c,
    struct aerr *err)
{
	return kvfile_parse(name, text, 1024, KV_UNQUOTE, conf_pair, c, err);
}

int
config_load(const char *path, struct acct_config *c, struct aerr *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	ssize_t len;

	config_defaults(c);
	if (path == NULL)
		return 0;
	/* O_NONBLOCK: a FIFO must not hang the start; it is refused below */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) < 0)
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		return 0;	/* /dev/null: the embedded defaults */
	if (!S_ISREG(st.st_mode))
		return aerr_set(err, EINVAL, "%s is not a regular file "
		    "(accepted: an accountd.conf file, or /dev/null)", path);
	if (st.st_size > 1024 * 1024)
		return aerr_set(err, EFBIG, "%s is larger than 1 MiB (accepted: "
		    "an accountd.conf file)", path);
	text = xmalloc((size_t)st.st_size + 1);
	if ((len = pread(fd, text, (size_t)st.st_size, 0)) < 0)
		return aerr_set(err, errno, "cannot read %s: %s", path,
		    strerror(errno));
	text[len] = '\0';
	return config_parse(path, text, c, err);
}

static const char *const reloadable[] = { "log_level", "discover",
	"drift", "alert_hook", "alert_hook_user", "alert_hook_timeout",
	"alert_hook_interval", "hook_failure" };

void
config_finish(struct acct_config *c)
{
	if (c->socket == NULL)
		c->socket = xasprintf("%s/accountd.sock", c->run_dir);
	if (c->ro_socket == NULL) {
		/* next to the control socket, as acctctl looks for it */
		size_t n = strlen(c->socket);

		if (n > 5 && strcmp(c->socket + n - 5, ".sock") == 0)
			c->ro_socket = xasprintf("%.*s.rsock", (int)(n - 5),
			    c->socket);
		else
			c->ro_socket = xasprintf("%s.ro", c->socket);
	}
	if (c->pid_file == NULL)
		c->pid_file = xasprintf("%s/accountd.pid", c->run_dir);
}

/*
 * accountd.conf as accountd and accountd-hook read it: PATH (NULL: the
 * installed file if it is there, else the built-in defaults), then each
 * "key=value" of overrides (-o), then the derived values, checked.
 * Returns 0 or -errno with err set.
 */
int
config_load_all(const char *path, char *const *overrides, size_t n,
    struct acct_config *c, struct aerr *err)
{
	_cleanup_free_ char *dflt = xasprintf("%s/accountd/accountd.conf",
	    SYSCONFDIR);
	int r;

	if (path == NULL && access(dflt, F_OK) == 0)
		path = dflt;
	if ((r = config_load(path, c, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(overrides[i], '=');
		_cleanup_free_ char *k = NULL;

		if (eq == NULL)
			return aerr_set(err, EINVAL, "-o %s: expected key=value",
			    overrides[i]);
		k = xstrndup(overrides[i], (size_t)(eq - overrides[i]));
		if ((r = config_set(c, k, eq + 1, err)) < 0)
			return aerr_prefix(err, "-o: ");
	}
	config_finish(c);
	return config_check(c, err);
}

/* Values that cannot be wrong only at run time are checked here, so that
 * accountd -n catches them. */
int
config_check(const struct acct_config *c, struct aerr *err)
{
	if (*c->cgroup_parent == '\0' || *c->cgroup_parent == '/' ||
	    strstr(c->cgroup_parent, "..") != NULL)
		return aerr_set(err, EINVAL, "bad cgroup_parent '%s' (accepted: "
		    "a relative cgroup path such as accountd, without '..')",
		    c->cgroup_parent);
	for (size_t i = 0; i < c->ndiscover; i++)
		if (strstr(c->discover[i], "..") != NULL ||
		    *c->discover[i] == '\0')
			return aerr_set(err, EINVAL, "bad discover pattern '%s' "
			    "(accepted: a cgroup path pattern such as "
			    "lxc.payload.%%n)", c->discover[i]);
	if (c->sample_interval < 10 || c->sample_interval > 60000)
		return aerr_set(err, EINVAL, "bad sample_interval %u (accepted: "
		    "10 to 60000 ms)", c->sample_interval);
	if (c->hot_interval < 1 || c->hot_interval > c->sample_interval)
		return aerr_set(err, EINVAL, "bad hot_interval %u (accepted: 1 "
		    "ms up to sample_interval)", c->hot_interval);
	if (c->pids_poll_interval < 1 || c->pids_poll_interval > 60000)
		return aerr_set(err, EINVAL, "bad pids_poll_interval %u "
		    "(accepted: 1 to 60000 ms)", c->pids_poll_interval);
	if (c->max_connections < 32 || c->max_connections > 65536)
		return aerr_set(err, EINVAL, "bad max_connections %u (accepted: "
		    "32 to 65536)", c->max_connections);
	if (c->max_connections_per_uid < 1 ||
	    c->max_connections_per_uid > c->max_connections)
		return aerr_set(err, EINVAL, "bad max_connections_per_uid %u "
		    "(accepted: 1 to max_connections, %u)",
		    c->max_connections_per_uid, c->max_connections);
	if (c->follower_timeout < 1 || c->follower_timeout > 86400)
		return aerr_set(err, EINVAL, "bad follower_timeout %u (accepted: "
		    "1 to 86400 s)", c->follower_timeout);
	if (c->rescan_interval > 86400)
		return aerr_set(err, EINVAL, "bad rescan_interval %u (accepted: "
		    "0 (off) to 86400 s)", c->rescan_interval);
	if (c->alert_hook_timeout < 1 || c->alert_hook_timeout > 86400)
		return aerr_set(err, EINVAL, "bad alert_hook_timeout %u "
		    "(accepted: 1 to 86400 s)", c->alert_hook_timeout);
	if (c->alert_hook_interval > 86400)
		return aerr_set(err, EINVAL, "bad alert_hook_interval %u "
		    "(accepted: 0 to 86400 s)", c->alert_hook_interval);
	if (*c->alert_hook != '\0' && *c->alert_hook != '/')
		return aerr_set(err, EINVAL, "alert_hook '%s' must be an absolute "
		    "path (it is run directly, without a shell)", c->alert_hook);
	{
		struct ct_params p;
		struct aerr e = { 0 };

		memset(&p, 0, sizeof(p));
		if (param_parse(param_by_name("vswaprate"), c->vswap_rate, &p,
		    &e) < 0)
			return aerr_set(err, EINVAL, "bad vswap_rate '%s' "
			    "(accepted: bytes/s such as 100M, or 0 for no "
			    "slowdown)", c->vswap_rate);
	}
	{
		struct ct_params p;
		struct aerr e = { 0 };

		memset(&p, 0, sizeof(p));
		if (strcmp(c->guarantee_reserve, "auto") == 0 ||
		    param_parse(param_by_name("memguarantee"),
		    c->guarantee_reserve, &p, &e) < 0)
			return aerr_set(err, EINVAL, "bad guarantee_reserve '%s' "
			    "(accepted: a percentage of host RAM such as 5%%, "
			    "or a size such as 2G; 0 keeps nothing back)",
			    c->guarantee_reserve);
	}
	if (c->quota_rescan < 1 || c->quota_rescan > 86400)
		return aerr_set(err, EINVAL, "bad quota_rescan %u (accepted: 1 "
		    "to 86400 s)", c->quota_rescan);
	if (*c->meminfo_dir != '\0' && *c->meminfo_dir != '/')
		return aerr_set(err, EINVAL, "meminfo_dir '%s' must be an "
		    "absolute path", c->meminfo_dir);
	if (strcmp(c->exporter, "yes") == 0 && (strcmp(c->exporter_user,
	    "root") == 0 || *c->exporter_user == '\0'))
		return aerr_set(err, EINVAL, "exporter_user '%s': the exporter "
		    "serves HTTP and never runs as root", c->exporter_user);
	if (*c->exporter_path != '/')
		return aerr_set(err, EINVAL, "exporter_path '%s' must be an "
		    "absolute path", c->exporter_path);
	if (strchr(c->http_listen, ':') == NULL)
		return aerr_set(err, EINVAL, "bad http_listen '%s' (accepted: "
		    "ADDRESS:PORT such as 127.0.0.1:9847)", c->http_listen);
	if (*c->rrd_dir != '\0' && *c->rrd_dir != '/')
		return aerr_set(err, EINVAL, "rrd_dir '%s' must be an absolute "
		    "path", c->rrd_dir);
	if (c->rrd_step < 1 || c->rrd_step > 300)
		return aerr_set(err, EINVAL, "bad rrd_step %u (accepted: 1 to "
		    "300 seconds)", c->rrd_step);
	if (strcmp(c->ledger, "yes") == 0 && (strcmp(c->ledger_user,
	    "root") == 0 || *c->ledger_user == '\0'))
		return aerr_set(err, EINVAL, "ledger_user '%s': the ledger "
		    "writer never runs as root", c->ledger_user);
	if (strcmp(c->ledger, "yes") == 0 && strcmp(c->exporter, "yes") == 0 &&
	    strcmp(c->ledger_user, c->exporter_user) == 0)
		return aerr_set(err, EINVAL, "ledger_user '%s' is also "
		    "exporter_user: the exporter serves HTTP and must not be able "
		    "to write the billing ledger (accepted: two different users)",
		    c->ledger_user);
	if (*c->ledger_program != '/')
		return aerr_set(err, EINVAL, "ledger_program '%s' must be an "
		    "absolute path", c->ledger_program);
	if (*c->ledger_path != '/')
		return aerr_set(err, EINVAL, "ledger_path '%s' must be an "
		    "absolute path", c->ledger_path);
	if (c->ledger_interval < 1 || c->ledger_interval > 86400)
		return aerr_set(err, EINVAL, "bad ledger_interval %u (accepted: "
		    "1 to 86400 seconds)", c->ledger_interval);
	if (c->ledger_retention > 36500)
		return aerr_set(err, EINVAL, "bad ledger_retention %u "
		    "(accepted: 0 (forever) to 36500 days)", c->ledger_retention);
	if (c->ledger_compact > 36500)
		return aerr_set(err, EINVAL, "bad ledger_compact %u (accepted: "
		    "0 (never) to 36500 days)", c->ledger_compact);
	if (*c->ledger_replica != '\0') {
		const char *a = strstr(c->ledger_replica, "://");
		size_t auth = a ? strcspn(a + 3, "/?") : 0;
		const char *at = a ? memchr(a + 3, '@', auth) : NULL;

		if (a == NULL || (strncmp(c->ledger_replica, "postgresql://",
		    13) != 0 && strncmp(c->ledger_replica, "postgres://",
		    11) != 0))
			return aerr_set(err, EINVAL, "bad ledger_replica '%s' "
			    "(accepted: a postgresql:// URI)",
			    c->ledger_replica);
		if (at != NULL && memchr(a + 3, ':', (size_t)(at - a - 3)))
			return aerr_set(err, EINVAL, "ledger_replica holds a "
			    "password, which would show on command lines: put "
			    "it in ledger_replica_password_file");
	}
	if (*c->ledger_replica_password_file != '\0' &&
	    *c->ledger_replica_password_file != '/')
		return aerr_set(err, EINVAL, "ledger_replica_password_file '%s' "
		    "must be an absolute path", c->ledger_replica_password_file);
	if (strlen(c->ledger_host_id) > 64 || strspn(c->ledger_host_id,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
	    != strlen(c->ledger_host_id))
		return aerr_set(err, EINVAL, "bad ledger_host_id '%s' (accepted: "
		    "1 to 64 of A-Z a-z 0-9 . _ -)", c->ledger_host_id);
	if (strcmp(c->rsock_user, "root") == 0 || *c->rsock_user == '\0')
		return aerr_set(err, EINVAL, "rsock_user '%s': the read-only "
		    "socket's server parses any local user's requests and never "
		    "runs as root (accepted: an unprivileged user of its own)",
		    c->rsock_user);
	if (*c->alertmanager_url != '\0' && (strcmp(c->notify_user,
	    "root") == 0 || *c->notify_user == '\0'))
		return aerr_set(err, EINVAL, "notify_user '%s': the notifier "
		    "talks to the network and never runs as root (accepted: an "
		    "unprivileged user such as nobody)", c->notify_user);
	if (*c->alertmanager_url != '\0' &&
	    strncmp(c->alertmanager_url, "http://", 7) != 0)
		return aerr_set(err, EINVAL, "bad alertmanager_url '%s' "
		    "(accepted: http://HOST:PORT/api/v2/alerts)",
		    c->alertmanager_url);
	return 0;
}

static bool
is_reloadable(const char *key)
{
	for (size_t i = 0; i < nitems(reloadable); i++)
		if (strcmp(reloadable[i], key) == 0)
			return true;
	return false;
}

static char *
value_str(const struct acct_config *c, const struct ckey *k)
{
	const char *base = (const char *)c;

	switch (k->kind) {
	case CK_STR:
	case CK_ENUM:
	case CK_BOOL: {
		const char *v = *(char *const *)(const void *)(base + k->off);

		return xstrdup(v ? v : "");
	}
	case CK_UINT:
		return xasprintf("%u", *(const unsigned *)(const void *)(base +
		    k->off));
	case CK_LIST: {
		struct sbuf b = SBUF_INIT;

		for (size_t j = 0; j < c->ndiscover; j++)
			sbuf_printf(&b, "%s\n", c->discover[j]);
		return sbuf_take(&b);
	}
	}
	return xstrdup("");
}

/*
 * SIGHUP: take the keys that can change at run time from `nw` into `cur`;
 * name the others that changed (they need a restart).  `nw` is freed.
 */
void
config_reload(struct acct_config *cur, struct acct_config *nw,
    void (*warn)(const char *key))
{
	char *base_cur = (char *)cur, *base_nw = (char *)nw;

	for (size_t i = 0; i < nitems(keys); i++) {
		const struct ckey *k = &keys[i];
		_cleanup_free_ char *a = value_str(cur, k);
		_cleanup_free_ char *b = value_str(nw, k);

		if (strcmp(a, b) == 0)
			continue;
		if (!is_reloadable(k->key)) {
			warn(k->key);
			continue;
		}
		switch (k->kind) {
		case CK_STR:
		case CK_ENUM:
		case CK_BOOL: {
			char **x = (char **)(void *)(base_cur + k->off);
			char **y = (char **)(void *)(base_nw + k->off);
			char *t = *x;

			*x = *y;
			*y = t;
			break;
		}
		case CK_UINT:
			*(unsigned *)(void *)(base_cur + k->off) =
			    *(unsigned *)(void *)(base_nw + k->off);
			break;
		case CK_LIST: {
			char **t = cur->discover;
			size_t n = cur->ndiscover;

			cur->discover = nw->discover;
			cur->ndiscover = nw->ndiscover;
			nw->discover = t;
			nw->ndiscover = n;
			break;
		}
		}
	}
	config_free(nw);
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
		if (k->kind == CK_ENUM || k->kind == CK_BOOL) {
			char acc[128];

			fprintf(out, "# accepted: %s\n",
			    accepted_list(k, acc, sizeof(acc)));
		}
		switch (k->kind) {
		case CK_STR:
		case CK_ENUM:
		case CK_BOOL: {
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
		if (keys[i].kind == CK_STR || keys[i].kind == CK_ENUM ||
		    keys[i].kind == CK_BOOL)
			free(*(char **)(void *)(base + keys[i].off));
	for (size_t j = 0; j < c->ndiscover; j++)
		free(c->discover[j]);
	free(c->discover);
	memset(c, 0, sizeof(*c));
}
