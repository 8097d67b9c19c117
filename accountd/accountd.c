/* SPDX-License-Identifier: ISC */
/*
 * accountd: OpenVZ-style resource management and accounting for
 * containers on mainline Linux.  See accountd(8).
 *
 * Start-up: read the configuration (or use the embedded one), find the
 * cgroup layout, make the parent cgroup of accountd's own containers,
 * load the containers' CTID.conf files, apply saved settings to the
 * running ones, then serve the control sockets until SIGTERM.  SIGHUP
 * reloads accountd.conf and the container files.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "admit.h"
#include "alert.h"
#include "drift.h"
#include "quota.h"
#include "bcid.h"
#include "bcstore.h"
#include "launch-exporter.h"
#include "launch-ledger.h"
#include "journal.h"
#include "log.h"
#include "publish.h"
#include "rsock.h"
#include "sampler.h"
#include "saver.h"
#include "spawn.h"
#include "xalloc.h"

struct accountd *ad;

static const char *conf_path;		/* -f; NULL: default or embedded */
static bool verbose;			/* -v, kept across reloads */
static char **overrides;		/* -o key=value, applied last */
static size_t noverrides;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: accountd [-dnv] [-f file] [-o key=value] ... [-s socket]\n"
	    "  -d        stay in the foreground, log to stderr\n"
	    "  -f file   configuration file (default %s/accountd/accountd.conf;\n"
	    "            when it does not exist, the embedded defaults are used)\n"
	    "  -n        check the configuration, print it, and exit\n"
	    "  -o k=v    set a configuration key (accountd.conf(5))\n"
	    "  -s path   control socket (same as -o socket=path)\n"
	    "  -v        more verbose logging (debug)\n", SYSCONFDIR);
	exit(2);
}

bool
config_from_cmdline(const char *key, const char *value)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < noverrides; i++)
		if (strncmp(overrides[i], key, n) == 0 && overrides[i][n] == '=' &&
		    strcmp(overrides[i] + n + 1, value) == 0)
			return true;
	return false;
}

static int
load_config(struct acct_config *c, struct aerr *err)
{
	return config_load_all(conf_path, overrides, noverrides, c, err);
}

/* The folder with `mode`; missing parents 0755, as mkdir -p makes them,
 * so that a private state_dir does not close its siblings (the ledger's
 * folder, reached by an unprivileged writer) to other users.  An
 * existing folder is used as it is (its mode and owner are never
 * changed); one that others may write to is named in a warning, since
 * root's files go there. */
static int
mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(path);
	struct stat st;

	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	if (mkdir(p, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(p, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_mode & 0022)
		log_warn("%s is writable by %s (mode %04o): accountd keeps "
		    "root's files there; a folder only root writes is safer",
		    p, st.st_mode & 0002 ? "every user" : "its group",
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

/*
 * The sampler keeps a descriptor open per counter file: about 20 per
 * container.  Raise the soft limit to the hard one, and the hard one (as
 * root) to systemd's default hard limit, which serves 100,000 containers
 * a tenth busy (a gate and, on v1, an eventfd each; beancounters.md).
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_max < 524288) {
		struct rlimit want = { 524288, 524288 };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warn("cannot raise the open file limit: %s", strerror(errno));
}

/*
 * One accountd per run_dir: the pid file is locked (flock) for the
 * daemon's life.  Taken before anything is created or removed, so that a
 * second accountd exits without touching the first one's sockets.  The
 * descriptor is inherited across daemon(), which keeps the lock; the pid
 * is written after it (pidfile_write).
 */
static int pidfile_fd = -1;

static int
pidfile_lock(const char *path, struct aerr *err)
{
	char buf[32] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return aerr_set(err, errno, "cannot open the pid file %s: %s",
		    path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e != EWOULDBLOCK) {
			close(fd);
			return aerr_set(err, e, "cannot lock %s: %s", path,
			    strerror(e));
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		return aerr_set(err, EEXIST, "another accountd (pid %s) is "
		    "running with this run_dir (%s is locked); not starting",
		    *buf ? buf : "unknown", path);
	}
	pidfile_fd = fd;
	return 0;
}

static int
pidfile_write(void)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(pidfile_fd, 0) < 0 ||
	    pwrite(pidfile_fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

static void
reload_refused(const char *key)
{
	log_warn("reload: %s changed; it takes effect at the next start",
	    key);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (sig == SIGCHLD) {
		spawn_reap();
		return;
	}
	if (sig == SIGHUP) {
		struct acct_config nc;
		struct aerr err = { 0 };

		if (load_config(&nc, &err) < 0) {
			log_err("reload: %s; keeping the running configuration",
			    err.msg);
			return;
		}
		config_reload(&ad->cfg, &nc, reload_refused);
		{
			enum log_level lvl;

			if (log_level_parse(ad->cfg.log_level, &lvl) == 0)
				log_set_level(verbose ? LOG_LVL_DEBUG : lvl);
		}
		cg_host_probe(&ad->layout);
		ct_load_all(&err);
		ct_refresh_all();
		log_info("configuration reloaded");
		return;
	}
	log_info("caught signal %d, shutting down", (int)sig);
	event_base_loopbreak(ad->base);
}

int
main(int argc, char **argv)
{
	static struct accountd state;
	struct event *sigs[5];
	static const int signos[5] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT,
		SIGCHLD };
	bool check_only = false, use_syslog;
	enum log_level lvl;
	struct aerr err = { 0 };
	int ch, r;

	/* accountd's own helpers, exec'd by spawn.c */
	if (argc >= 2 && strcmp(argv[1], "--notifier") == 0)
		return alert_notifier_main(argc, argv);	/* alert.c */
	if (argc >= 2 && strcmp(argv[1], "--quota-count") == 0)
		return quota_count_main(argc, argv);	/* quota-count.c */
	if (argc >= 2 && strcmp(argv[1], "--quota-listener") == 0)
		return quota_listener_main(argc, argv);	/* quota-listen.c */
	if (argc >= 2 && strcmp(argv[1], "--rsock") == 0)
		return rsock_main(argc, argv);		/* rsock.c */
	ad = &state;
	while ((ch = getopt(argc, argv, "df:hno:s:v")) != -1) {
		switch (ch) {
		case 'd':
			ad->foreground = true;
			break;
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'o':
			overrides = xreallocarray(overrides, noverrides + 1,
			    sizeof(char *));
			overrides[noverrides++] = optarg;
			break;
		case 's':
			overrides = xreallocarray(overrides, noverrides + 1,
			    sizeof(char *));
			overrides[noverrides++] = xasprintf("socket=%s", optarg);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (load_config(&ad->cfg, &err) < 0) {
		fprintf(stderr, "accountd: %s\n", err.msg);
		return 1;
	}
	if (check_only) {
		config_print(&ad->cfg, stdout);
		return 0;
	}
	(void)log_level_parse(ad->cfg.log_level, &lvl);	/* checked */
	if (verbose)
		lvl = LOG_LVL_DEBUG;
	use_syslog = strcmp(ad->cfg.log, "syslog") == 0 ||
	    (strcmp(ad->cfg.log, "auto") == 0 && !ad->foreground);
	log_init("accountd", use_syslog, lvl);

	/* first: a second accountd says so and leaves everything alone */
	if ((r = mkdir_p(ad->cfg.run_dir, 0755)) < 0 ||
	    (r = pidfile_lock(ad->cfg.pid_file, &err)) < 0) {
		if (err.errnum == 0)
			aerr_set(&err, -r, "cannot create %s: %s",
			    ad->cfg.run_dir, strerror(-r));
		log_err("%s", err.msg);
		if (use_syslog)		/* and to whoever started it */
			fprintf(stderr, "accountd: %s\n", err.msg);
		return 1;
	}

	if (cg_layout_detect(ad->cfg.cgroup_root, &ad->layout, &err) < 0) {
		log_err("%s", err.msg);
		return 1;
	}
	log_info("cgroup %s: %d hierarchies, containers watched in %s",
	    cg_mode_name(&ad->layout), ad->layout.nhier,
	    ad->layout.hier[ad->layout.primary].path);
	if ((*ad->cfg.meminfo_dir && (r = mkdir_p(ad->cfg.meminfo_dir, 0755)) < 0) ||
	    (r = mkdir_p(ad->cfg.run_dir, 0755)) < 0 ||
	    (r = mkdir_p(ad->cfg.state_dir, 0750)) < 0 ||
	    (r = mkdir_p(ad->cfg.ct_conf_dir, 0755)) < 0) {
		log_err("cannot create run, state or ct_conf_dir: %s",
		    strerror(-r));
		return 1;
	}
	/* a plan cut short by a kill: its old values back before anything
	 * else reads or writes limits */
	journal_recover(&ad->layout);
	if (cg_parent_create(&ad->layout, ad->cfg.cgroup_parent, &err) < 0) {
		log_err("cannot create the parent cgroup: %s", err.msg);
		return 1;
	}
	cg_host_probe(&ad->layout);
	/* before anything is left behind (sockets, pid file) */
	{
		_cleanup_free_ char *db = xasprintf("%s/beancounters.db",
		    ad->cfg.state_dir);

		_cleanup_free_ char *ids = xasprintf("%s/bcids",
		    ad->cfg.state_dir);

		if (bcstore_open(db, &err) < 0) {
			log_err("beancounter store: %s", err.msg);
			return 1;
		}
		if (bcid_open(ids, &err) < 0) {
			log_err("beancounter ids: %s", err.msg);
			return 1;
		}
	}
	if (!ad->foreground && daemon(0, 0) < 0) {
		log_err("daemon: %s", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	{
		/*
		 * Precise timers: libevent otherwise reads the coarse
		 * monotonic clock, which moves once a tick (4 ms at
		 * HZ=250), and every timer under a tick (the reads that
		 * follow a kernel notification, 0.5 ms apart; the v1 pids
		 * poll) waited for the next tick.
		 */
		struct event_config *cfg = event_config_new();

		if (cfg != NULL)
			event_config_set_flag(cfg,
			    EVENT_BASE_FLAG_PRECISE_TIMER);
		ad->base = cfg != NULL ? event_base_new_with_config(cfg) :
		    NULL;
		if (cfg != NULL)
			event_config_free(cfg);
	}
	if (ad->base == NULL) {
		log_err("cannot create the event loop");
		return 1;
	}
	bcstore_attach(ad->base);	/* changed records written each turn */
	saver_start();		/* creates' settings files, off the loop */
	if (control_init() < 0)
		return 1;
	if ((r = pidfile_write()) < 0)
		log_warn("cannot write %s: %s", ad->cfg.pid_file,
		    strerror(-r));
	raise_nofile();
	alert_init();
	publish_init();
	if (exporter_init() < 0)
		log_err("the exporter is not running (exporter = yes)");
	if (billing_init() < 0)
		log_err("the ledger is not running (ledger = yes)");
	if (rsock_init() < 0)
		log_err("the read-only socket is not served (rsock_user)");
	sampler_init();
	drift_init();
	vswap_init();
	ct_load_all(&err);
	quota_init();
	watch_init();
	ct_refresh_all();
	admit_arm();	/* what ran before accountd was admitted then */
	for (int i = 0; i < 5; i++) {
		sigs[i] = evsignal_new(ad->base, signos[i], on_signal, NULL);
		event_add(sigs[i], NULL);
	}
	log_info("accountd %s ready: %zu containers, socket %s",
	    PACKAGE_VERSION, ad->ncts, ad->cfg.socket);

	event_base_dispatch(ad->base);

	for (int i = 0; i < 5; i++)
		event_free(sigs[i]);
	saver_stop();		/* creates being saved: made and answered */
	exporter_close();
	billing_close();
	rsock_close();
	control_close();
	watch_close();
	vswap_close();		/* thaw what accountd froze */
	quota_close();
	ct_shutdown();
	drift_close();
	sampler_close();
	publish_close();
	alert_close();
	bcstore_close();
	bcid_close();
	unlink(ad->cfg.pid_file);	/* still locked: ours to remove */
	close(pidfile_fd);
	event_base_free(ad->base);
	cg_layout_free(&ad->layout);
	config_free(&ad->cfg);
	return 0;
}
