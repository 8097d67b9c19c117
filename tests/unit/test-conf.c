/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of accountd.conf parsing (accountd/conf.c, linked in
 * directly): defaults, "key = value" lines, quotes, comments, and the
 * messages for what is refused.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "xalloc.h"
#include "../tap.h"

static const char *const known_keys[] = {
	"cgroup_root", "cgroup_parent", "ct_conf_dir", "sample_dir",
	"state_dir", "run_dir", "socket", "ro_socket", "socket_group",
	"max_connections", "max_connections_per_uid", "follower_timeout",
	"pid_file", "log", "log_level", "discover", "rescan_interval",
	"hook_failure", "sample_interval", "hot_interval",
	"pids_poll_interval", "drift", "alert_hook", "alert_hook_user",
	"alert_hook_timeout", "alert_hook_interval", "alertmanager_url",
	"notify_user", "vswap_mode", "vswap_rate", "guarantee_reserve",
	"meminfo_dir", "exporter", "http_listen", "exporter_user",
	"exporter_path", "metrics_detail", "rrd_dir", "rrd_step", "rrdcached",
	"quota_fallback", "quota_rescan", "ledger", "ledger_user",
	"ledger_program", "ledger_path", "ledger_interval",
	"ledger_retention", "ledger_compact",
};

/* KEY appears in MSG as a whole word (ledger is not found in ledger_user) */
static int
key_in(const char *msg, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = msg; (p = strstr(p, key)) != NULL; p++)
		if ((p == msg || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == ')'))
			return 1;
	return 0;
}

static void
test_defaults(void)
{
	struct acct_config c;

	config_defaults(&c);
	is_str(c.cgroup_root, "auto", "default cgroup_root auto");
	is_str(c.cgroup_parent, "accountd", "default cgroup_parent accountd");
	is_str(c.ct_conf_dir, SYSCONFDIR "/accountd/ct", "default ct_conf_dir "
	    "under sysconfdir");
	is_str(c.sample_dir, PKGDATADIR "/samples", "default sample_dir under "
	    "pkgdatadir");
	is_str(c.state_dir, LOCALSTATEDIR "/lib/accountd", "default state_dir "
	    "under localstatedir");
	is_str(c.run_dir, RUNSTATEDIR "/accountd", "default run_dir under "
	    "runstatedir");
	ok(c.socket == NULL && c.ro_socket == NULL && c.pid_file == NULL,
	    "socket paths are derived later");
	is_str(c.socket_group, "", "default socket_group: none (root only)");
	is_str(c.log, "auto", "default log auto");
	is_str(c.log_level, "info", "default log_level info");
	ok(c.ndiscover == 0 && c.discover == NULL, "no discover pattern by "
	    "default");
	is_u64(c.rescan_interval, 5, "default rescan_interval 5");
	is_str(c.hook_failure, "refuse", "default hook_failure refuse");
	config_finish(&c);
	is_str(c.socket, RUNSTATEDIR "/accountd/accountd.sock", "socket in "
	    "run_dir");
	is_str(c.ro_socket, RUNSTATEDIR "/accountd/accountd.rsock", "read-only "
	    "socket in run_dir");
	is_str(c.pid_file, RUNSTATEDIR "/accountd/accountd.pid", "pid file in "
	    "run_dir");
	config_free(&c);

	/* an explicit path is kept; the read-only socket goes next to the
	 * control socket, the pid file into run_dir */
	config_defaults(&c);
	ok(config_parse("t.conf", "run_dir = /tmp/ad\nsocket = /s.sock\n", &c,
	    NULL) == 0, "run_dir and socket set");
	config_finish(&c);
	is_str(c.socket, "/s.sock", "explicit socket kept by finish");
	is_str(c.ro_socket, "/s.rsock", "ro_socket follows the socket");
	is_str(c.pid_file, "/tmp/ad/accountd.pid", "pid_file follows the "
	    "configured run_dir");
	config_free(&c);
	config_defaults(&c);
	ok(config_parse("t.conf", "run_dir = /tmp/ad\n", &c, NULL) == 0,
	    "run_dir set");
	config_finish(&c);
	is_str(c.ro_socket, "/tmp/ad/accountd.rsock", "without a socket, "
	    "ro_socket follows run_dir");
	config_free(&c);
}

/* The text on one line, for test names: \n \r \t shown escaped. */
static const char *
esc(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s && n + 3 < len; s++) {
		const char *e = *s == '\n' ? "\\n" : *s == '\r' ? "\\r" :
		    *s == '\t' ? "\\t" : NULL;

		if (e) {
			buf[n++] = e[0];
			buf[n++] = e[1];
		} else
			buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

static void
test_lines(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "cgroup_parent = x", "x" },
		{ "cgroup_parent=x", "x" },
		{ "cgroup_parent\t=\tx\t", "x" },
		{ "   cgroup_parent = x   ", "x" },
		{ "cgroup_parent = \"x\"", "x" },
		{ "cgroup_parent = \"a b\"", "a b" },
		{ "cgroup_parent = a b", "a b" },
		{ "cgroup_parent = \"\"", "" },
		{ "cgroup_parent =", "" },
		{ "cgroup_parent = \"", "\"" },
		{ "cgroup_parent = x # a comment", "x" },
		{ "cgroup_parent = x#y", "x" },
		{ "cgroup_parent = a=b", "a=b" },
		{ "cgroup_parent = x\r", "x" },
		{ "# cgroup_parent = y\ncgroup_parent = x\n# trailing", "x" },
		{ "\n\n   \t\n# c\n  # indented\ncgroup_parent = x\n\n", "x" },
		/* the last of repeated keys wins */
		{ "cgroup_parent = a\ncgroup_parent = x", "x" },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct acct_config c;
		struct aerr err = { 0 };
		char shown[128];
		int r;

		config_defaults(&c);
		r = config_parse("t.conf", cases[i].text, &c, &err);
		ok(r == 0 && c.cgroup_parent &&
		    strcmp(c.cgroup_parent, cases[i].want) == 0,
		    "[%s] gives cgroup_parent '%s'", esc(cases[i].text, shown,
		    sizeof(shown)), cases[i].want);
		if (r < 0 || strcmp(c.cgroup_parent, cases[i].want) != 0)
			printf("#   got '%s' %s\n", r == 0 ? c.cgroup_parent : "",
			    r < 0 ? err.msg : "");
		config_free(&c);
	}
}

static void
test_errors(void)
{
	static const struct {
		const char *text;
		const char *words[3];	/* the message names these */
	} cases[] = {
		{ "log = stderr\nno equals sign here\n",
		    { "t.conf:2:", "key = value" } },
		{ "\n\n\nsocket_grp = wheel\n", { "t.conf:4:", "socket_grp",
		    "known:" } },
		{ "rescan_interval = abc", { "t.conf:1:", "rescan_interval",
		    "0 to 86400000" } },
		{ "rescan_interval = -1", { "rescan_interval", "'-1'" } },
		{ "rescan_interval = 86400001", { "rescan_interval",
		    "86400001" } },
		{ "hot_interval = 1e3", { "hot_interval", "1e3" } },
		{ "rescan_interval = 5s", { "rescan_interval", "5s" } },
		{ "rescan_interval =", { "rescan_interval" } },
		{ "rescan_interval = 99999999999999999999",
		    { "rescan_interval" } },
		{ "= value", { "t.conf:1:" } },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct acct_config c;
		struct aerr err = { 0 };
		int r, words = 1;

		config_defaults(&c);
		r = config_parse("t.conf", cases[i].text, &c, &err);
		for (int w = 0; w < 3 && cases[i].words[w]; w++)
			words &= strstr(err.msg, cases[i].words[w]) != NULL;
		ok(r < 0 && words, "refused: %s", err.msg);
		config_free(&c);
	}
	/* the unknown-key message lists every known key */
	{
		struct acct_config c;
		struct aerr err = { 0 };
		int all = 1;

		char *printed = NULL, *line, *save = NULL;
		size_t plen = 0, nprinted = 0, missing = 0;
		FILE *f;

		config_defaults(&c);
		config_parse("t.conf", "loglevel = debug", &c, &err);
		for (size_t k = 0; k < nitems(known_keys); k++)
			if (!key_in(err.msg, known_keys[k])) {
				printf("# not in the message: %s\n",
				    known_keys[k]);
				all = 0;
			}
		ok(all, "unknown key: the message lists all %zu known keys",
		    nitems(known_keys));
		ok(strlen(err.msg) > 0 && err.msg[strlen(err.msg) - 1] == ')',
		    "the unknown-key message is whole (%zu bytes), not cut: "
		    "...%s", strlen(err.msg), err.msg + (strlen(err.msg) > 40 ?
		    strlen(err.msg) - 40 : 0));
		/* every key config_print() writes is named too */
		f = open_memstream(&printed, &plen);
		config_print(&c, f);
		fclose(f);
		for (line = strtok_r(printed, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			char key[64];

			if (sscanf(line, "%63[a-z_0-9] =", key) != 1 &&
			    sscanf(line, "#%63[a-z_0-9] =", key) != 1)
				continue;
			nprinted++;
			if (!key_in(err.msg, key)) {
				printf("# printed but not in the message: "
				    "%s\n", key);
				missing++;
			}
		}
		ok(nprinted >= nitems(known_keys) && missing == 0,
		    "the message names all %zu keys config_print writes",
		    nprinted);
		free(printed);
		config_free(&c);
	}
	/* a line of 1024 characters or more is refused, not cut */
	{
		struct acct_config c;
		struct aerr err = { 0 };
		char *text = xmalloc(2048);

		memset(text, 'x', 2047);
		text[2047] = '\0';
		memcpy(text, "cgroup_parent = ", 16);
		config_defaults(&c);
		ok(config_parse("t.conf", text, &c, &err) < 0 &&
		    strstr(err.msg, "t.conf:1:") && strstr(err.msg, "too long"),
		    "a 2047-character line is refused: %s", err.msg);
		config_free(&c);
		free(text);
	}
}

static void
test_values(void)
{
	struct acct_config c;
	struct aerr err = { 0 };

	config_defaults(&c);
	ok(config_parse("t.conf", "rescan_interval = 0", &c, &err) == 0 &&
	    c.rescan_interval == 0, "rescan_interval 0 accepted");
	ok(config_parse("t.conf", "rescan_interval = 86400000", &c, &err) == 0
	    && c.rescan_interval == 86400000, "rescan_interval 86400000 "
	    "accepted");
	ok(config_parse("t.conf", "rescan_interval = \"30\"", &c, &err) == 0 &&
	    c.rescan_interval == 30, "rescan_interval \"30\" accepted");
	config_free(&c);

	/* discover repeats, in order; it adds to what is there */
	config_defaults(&c);
	ok(config_parse("t.conf",
	    "discover = lxc.payload.%n\n"
	    "log = stderr\n"
	    "discover = \"machine.slice/machine-%n.scope\"\n"
	    "discover = docker/%n\n", &c, &err) == 0, "three discover lines");
	ok(c.ndiscover == 3 && strcmp(c.discover[0], "lxc.payload.%n") == 0 &&
	    strcmp(c.discover[1], "machine.slice/machine-%n.scope") == 0 &&
	    strcmp(c.discover[2], "docker/%n") == 0,
	    "discover keeps every pattern, in order, quotes removed");
	ok(config_set(&c, "discover", "x/%n", &err) == 0 && c.ndiscover == 4,
	    "config_set adds a pattern");
	config_free(&c);
	ok(c.ndiscover == 0 && c.discover == NULL && c.log == NULL,
	    "config_free leaves an empty config");
}

/* config_check: each value is refused or taken, and a refusal names the
 * key and what is accepted. */
static void
test_checks(void)
{
	static const struct {
		const char *line;
		const char *want;	/* NULL: accepted */
	} cases[] = {
		{ "sample_interval = 10", NULL },
		{ "sample_interval = 9", "10 to 60000" },
		{ "sample_interval = 60001", "10 to 60000" },
		{ "hot_interval = 1000\nsample_interval = 2000\n"
		    "pids_poll_interval = 2000", NULL },
		{ "hot_interval = 0", "hot_interval" },
		{ "pids_poll_interval = 60001", "1 to 60000" },
		{ "pids_poll_interval = 0", "1 to 60000" },
		{ "pids_poll_interval = 1", NULL },
		{ "rescan_interval = 0", NULL },
		{ "rescan_interval = 86400", NULL },
		{ "rescan_interval = 86401", "0 (off) to 86400" },
		{ "max_connections = 32", NULL },
		{ "max_connections = 31", "32 to 65536" },
		{ "max_connections = 65537", "32 to 65536" },
		{ "max_connections_per_uid = 0", "1 to max_connections" },
		{ "max_connections = 64\nmax_connections_per_uid = 65",
		  "1 to max_connections, 64" },
		{ "max_connections_per_uid = 256", NULL },
		{ "follower_timeout = 0", "1 to 86400" },
		{ "follower_timeout = 86401", "1 to 86400" },
		{ "hook_failure = allow", NULL },
		{ "hook_failure = ignore", "refuse, allow" },
		{ "alert_hook_timeout = 0", "1 to 86400" },
		{ "alert_hook_timeout = 86401", "1 to 86400" },
		{ "alert_hook_interval = 0", NULL },
		{ "alert_hook_interval = 100000", "0 to 86400" },
		{ "drift = restore", NULL },
		{ "drift = report", NULL },
		{ "drift = fix", "report, restore" },
		{ "vswap_mode = kernel", NULL },
		{ "vswap_mode = fast", "auto, ram, kernel, off" },
		{ "vswap_rate = 0", NULL },
		{ "vswap_rate = 50M", NULL },
		{ "vswap_rate = soon", "bad vswap_rate" },
		{ "meminfo_dir = run/meminfo", "absolute path" },
		{ "log_level = loud", "info, err, warn, debug" },
		{ "cgroup_parent = ../up", "without '..'" },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct acct_config c;
		struct aerr err = { 0 };
		int r;

		char name[128], *nl;

		snprintf(name, sizeof(name), "%s", cases[i].line);
		while ((nl = strchr(name, '\n')) != NULL)
			*nl = ';';
		config_defaults(&c);
		r = config_parse("t.conf", cases[i].line, &c, &err);
		if (r == 0)
			r = config_check(&c, &err);
		if (cases[i].want == NULL)
			ok(r == 0, "'%s' accepted%s%s", name, r < 0 ? ": " : "",
			    r < 0 ? err.msg : "");
		else
			ok(r < 0 && strstr(err.msg, cases[i].want) != NULL,
			    "'%s' refused: %s", name, err.msg);
		config_free(&c);
	}
}

/* What `accountd -n` prints reads back as the same configuration. */
static void
test_print_reads_back(void)
{
	struct acct_config a, b;
	struct aerr err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int same;

	config_defaults(&a);
	config_parse("t.conf", "discover = lxc.payload.%n\ndiscover = a/%n\n"
	    "rescan_interval = 17\nsocket_group = wheel\nlog_level = debug\n",
	    &a, &err);
	/* values whose quotes or outer spaces a plain print would lose */
	config_set(&a, "cgroup_parent", " spaced ", &err);
	config_set(&a, "discover", "\"quoted\"", &err);
	config_finish(&a);
	f = open_memstream(&text, &len);
	config_print(&a, f);
	fclose(f);
	config_defaults(&b);
	ok(config_parse("printed", text, &b, &err) == 0, "the printed "
	    "configuration parses (%s)", err.msg);
	same = strcmp(a.socket, b.socket) == 0 &&
	    strcmp(a.socket_group, b.socket_group) == 0 &&
	    strcmp(a.log_level, b.log_level) == 0 &&
	    strcmp(a.run_dir, b.run_dir) == 0 &&
	    a.rescan_interval == b.rescan_interval &&
	    strcmp(a.cgroup_parent, b.cgroup_parent) == 0 &&
	    a.ndiscover == b.ndiscover && b.ndiscover == 3 &&
	    strcmp(a.discover[1], b.discover[1]) == 0 &&
	    strcmp(a.discover[2], b.discover[2]) == 0;
	ok(same, "and gives the same values, spaces and quotes included");
	if (!same)
		printf("# printed:\n%s", text);
	free(text);
	config_free(&a);
	config_free(&b);
}

static void
test_load(void)
{
	struct acct_config c;
	struct aerr err = { 0 };
	char path[] = "/tmp/acct-test-conf-XXXXXX";
	int fd;

	ok(config_load(NULL, &c, &err) == 0 && strcmp(c.log, "auto") == 0,
	    "no file: the embedded defaults");
	config_free(&c);
	ok(config_load("/nonexistent/accountd.conf", &c, &err) == -ENOENT &&
	    strstr(err.msg, "/nonexistent/accountd.conf"),
	    "a missing file is an error naming it: %s", err.msg);
	config_free(&c);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, "log = syslog\n", 13) != 13) {
		ok(0, "temporary file: %s", strerror(errno));
		return;
	}
	close(fd);
	ok(config_load(path, &c, &err) == 0 && strcmp(c.log, "syslog") == 0 &&
	    strcmp(c.log_level, "info") == 0, "a file sets its keys over the "
	    "defaults");
	config_free(&c);
	unlink(path);
}

/* Keys of a fixed set (CK_ENUM, CK_BOOL): refused as they are read, with
 * file, line and the values; accountd -n prints the values above them. */
static void
test_enum_kinds(void)
{
	static const struct { const char *line, *want; } cases[] = {
		{ "\ndrift = fix", "t.conf:2: bad drift 'fix' (accepted: report, "
		  "restore)" },
		{ "exporter = true", "t.conf:1: bad exporter 'true' (accepted: "
		  "yes, no)" },
		{ "ledger = \"maybe\"", "t.conf:1: bad ledger 'maybe' (accepted: "
		  "yes, no)" },
		{ "quota_fallback = kernel", "t.conf:1: bad quota_fallback "
		  "'kernel' (accepted: userspace, no)" },
		{ "log = Syslog", "t.conf:1: bad log 'Syslog' (accepted: auto, "
		  "stderr, syslog)" },
	};
	struct acct_config c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < nitems(cases); i++) {
		struct aerr err = { 0 };

		config_defaults(&c);
		ok(config_parse("t.conf", cases[i].line, &c, &err) < 0 &&
		    strcmp(err.msg, cases[i].want) == 0, "parser refuses: %s",
		    err.msg);
		config_free(&c);
	}
	config_defaults(&c);
	ok(config_parse("t.conf", "ledger = no\nvswap_mode = off\n", &c,
	    NULL) == 0 && strcmp(c.ledger, "no") == 0 &&
	    strcmp(c.vswap_mode, "off") == 0, "accepted values are kept");
	f = open_memstream(&buf, &len);
	config_print(&c, f);
	fclose(f);
	ok(strstr(buf, "# accepted: auto, ram, kernel, off\nvswap_mode = "
	    "off\n") != NULL, "accountd -n prints the values above the key");
	ok(strstr(buf, "# accepted: yes, no\nledger = no\n") != NULL,
	    "and yes, no above a boolean");
	free(buf);
	config_free(&c);
}

int
main(void)
{
	test_defaults();
	test_lines();
	test_errors();
	test_values();
	test_checks();
	test_print_reads_back();
	test_load();
	test_enum_kinds();
	return done_testing();
}
