/* SPDX-License-Identifier: ISC */
/*
 * accountd-hook: puts accountd in a container runtime's start and stop
 * path, so that a container's limits are in force before its first
 * instruction (accountd-hook(8), docs/runtimes.md).
 *
 *	accountd-hook [-f conf] [-o key=value] [-s socket] [-t seconds]
 *	    [-n name] [-p param=value] oci [createRuntime|poststop]
 *	accountd-hook ... lxc [NAME lxc start-host|post-stop]
 *
 * OCI (runc, crun, podman, CRI-O): the container's state comes as JSON
 * on stdin; createRuntime runs after the runtime made the cgroup and
 * before the payload starts.  LXC: lxc.hook.start-host runs in the host's
 * namespaces after the container is set up, before its init runs; LXC
 * gives the facts in LXC_* variables (the arguments too, with
 * lxc.hook.version = 0).
 *
 * At a start the hook finds the cgroup of the container's first process
 * (/proc/PID/cgroup), checks the limits given as annotations
 * (org.openvz.accountd.PARAM=VALUE) or -p with the parameter table's own
 * parser, and asks accountd, on its control socket, to take the container
 * and put its saved settings and these in force; accountd replies once
 * they are written.  Whatever goes wrong (a bad value, no daemon, no
 * answer within the timeout) is one line on stderr and, with
 * hook_failure = refuse in accountd.conf, a non-zero exit, which makes
 * the runtime stop the container before its payload runs.  With allow,
 * the line is logged and the container starts without its limits.  At the
 * end (poststop, post-stop) the hook tells accountd the container ended;
 * that never fails the runtime.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "hookparse.h"
#include "proto.h"
#include "sbuf.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define STATE_MAX	(1024 * 1024)	/* OCI state on stdin */

enum stage { ST_UNKNOWN, ST_START, ST_END };

static const char *conf_path;
static char **overrides;
static size_t noverrides;
static const char *opt_socket, *opt_name;
static char **opt_params;
static size_t nopt_params;
static double timeout_s = 5;
static bool allow;		/* hook_failure = allow */
static char ct_name[HOOK_NAME_MAX + 1] = "?";
/* what SIGALRM prints and how it exits (set before the alarm is armed) */
static char alarm_msg[256];
static int alarm_code = 1;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: accountd-hook [-f conf] [-o key=value] "
	    "[-s socket] [-t seconds] [-n name] [-p param=value] oci "
	    "[createRuntime|poststop]\n"
	    "       accountd-hook [options] lxc [NAME lxc start-host|"
	    "post-stop]\n");
	exit(2);
}

/*
 * The one exit for a failure: one line naming the container and the
 * reason, on stderr (runc and podman show it) and in syslog (LXC does not
 * show a hook's stderr).  A start fails with hook_failure = refuse; with
 * allow, and at the end, the runtime goes on.
 */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail(enum stage st, const char *fmt, ...)
{
	bool refuse = st == ST_START && !allow;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "accountd-hook: %s: %s%s\n", ct_name, msg, refuse ?
	    "" : st == ST_START ? " (hook_failure = allow: started without "
	    "accountd's limits)" : "");
	openlog("accountd-hook", LOG_PID, LOG_DAEMON);
	syslog(refuse ? LOG_ERR : LOG_WARNING, "%s: %s%s", ct_name, msg,
	    refuse ? "; container refused" : st == ST_START ?
	    "; started without its limits (hook_failure = allow)" : "");
	closelog();
	exit(refuse ? 1 : 0);
}

static void
on_alarm(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(STDERR_FILENO, alarm_msg, strlen(alarm_msg));
	(void)w;
	_exit(alarm_code);
}

/* The deadline covers everything: reading stdin, connect (which blocks
 * while accountd's listen queue is full), the request and the reply. */
static void
arm_deadline(enum stage st)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	double t = timeout_s + 0.5;	/* proto_recv's own timeout first */

	snprintf(alarm_msg, sizeof(alarm_msg), "accountd-hook: %s: no answer "
	    "from accountd within %g s%s\n", ct_name, timeout_s,
	    st == ST_START && allow ? " (hook_failure = allow: started "
	    "without accountd's limits)" : "");
	alarm_code = st == ST_START && !allow ? 1 : 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	it.it_value.tv_sec = (time_t)t;
	it.it_value.tv_usec = (suseconds_t)((t - (double)(time_t)t) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}

static char *
read_stdin(enum stage st)
{
	struct sbuf b = SBUF_INIT;
	char buf[8192];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(st, "cannot read the container state on stdin: %s",
			    strerror(errno));
		}
		sbuf_add(&b, buf, (size_t)n);
		if (b.len > STATE_MAX)
			fail(st, "container state on stdin larger than 1 MiB");
	}
	return sbuf_take(&b);
}

/* The text of /proc/PID/cgroup (at most 64 KiB), or NULL. */
static char *
read_cgroup_file(long pid, char *why, size_t whylen)
{
	char path[64];
	struct sbuf b = SBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && b.len < 65536)
		sbuf_add(&b, buf, n);
	fclose(f);
	return sbuf_take(&b);
}

static void
add_opt_params(enum stage st, struct json_object *ps)
{
	struct aerr err = { 0 };

	for (size_t i = 0; i < nopt_params; i++) {
		char *eq = strchr(opt_params[i], '=');
		_cleanup_free_ char *k = NULL;

		if (eq == NULL)
			fail(st, "-p %s: expected PARAM=VALUE, such as "
			    "numproc=50", opt_params[i]);
		k = xstrndup(opt_params[i], (size_t)(eq - opt_params[i]));
		if (hook_param_add(ps, "-p", k, eq + 1, &err) < 0)
			fail(st, "%s", err.msg);
	}
}

static int
load_config(struct acct_config *c, struct aerr *err)
{
	return config_load_all(conf_path, overrides, noverrides, c, err);
}

/* One request, one reply; the reply object is the caller's. */
static struct json_object *
call(enum stage st, const char *sock, struct json_object *req)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *s = json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN);
	struct json_object *reply, *e;
	struct acct_hdr h;
	struct aerr err = { 0 };
	char *payload = NULL;
	int fd;

	if (strlen(sock) >= sizeof(sun.sun_path))
		fail(st, "control socket path too long: %s", sock);
	strcpy(sun.sun_path, sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		fail(st, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		fail(st, "cannot reach accountd at %s: %s", sock,
		    strerror(errno));
	if (proto_send(fd, MSG_REQUEST, 1, s, strlen(s), &err) < 0)
		fail(st, "%s", err.msg);
	if (proto_recv(fd, &h, &payload, (int)(timeout_s * 1000), &err) < 0) {
		if (err.errnum == ETIMEDOUT)
			fail(st, "no answer from accountd within %g s",
			    timeout_s);
		fail(st, "%s", err.msg);
	}
	close(fd);
	if (h.type != MSG_REPLY ||
	    (reply = json_tokener_parse(payload)) == NULL ||
	    !json_object_is_type(reply, json_type_object))
		fail(st, "malformed reply from accountd");
	free(payload);
	if (!json_object_object_get_ex(reply, "ok", &e) ||
	    !json_object_get_boolean(e)) {
		const char *m = json_object_object_get_ex(reply, "error", &e) ?
		    json_object_get_string(e) : "refused";

		fail(st, "%s", m);
	}
	return reply;
}

static enum stage
stage_of(const char *s)
{
	if (s == NULL)
		return ST_UNKNOWN;
	if (strcmp(s, "createRuntime") == 0 || strcmp(s, "prestart") == 0 ||
	    strcmp(s, "start-host") == 0)
		return ST_START;
	if (strcmp(s, "poststop") == 0 || strcmp(s, "post-stop") == 0)
		return ST_END;
	return ST_UNKNOWN;
}

int
main(int argc, char **argv)
{
	struct acct_config cfg;
	struct aerr err = { 0 };
	struct json_object *req, *ps, *reply;
	enum stage st = ST_UNKNOWN;
	const char *mode, *sock;
	_cleanup_free_ char *text = NULL, *text2 = NULL, *cgpath = NULL;
	long pid = 0;
	char why[256];
	int ch, r;

	while ((ch = getopt(argc, argv, "+f:hn:o:p:s:t:")) != -1) {
		switch (ch) {
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			opt_name = optarg;
			break;
		case 'o':
			overrides = xreallocarray(overrides, noverrides + 1,
			    sizeof(char *));
			overrides[noverrides++] = optarg;
			break;
		case 'p':
			opt_params = xreallocarray(opt_params, nopt_params + 1,
			    sizeof(char *));
			opt_params[nopt_params++] = optarg;
			break;
		case 's':
			opt_socket = optarg;
			break;
		case 't': {
			char *end;

			errno = 0;
			timeout_s = strtod(optarg, &end);
			if (errno || *end != '\0' || !(timeout_s >= 0.1 &&
			    timeout_s <= 600)) {
				fprintf(stderr, "accountd-hook: bad -t '%s' "
				    "(accepted: 0.1 to 600 seconds)\n", optarg);
				return 2;
			}
			break;
		}
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	mode = argv[optind++];

	/* the stage first: it decides what a failure means */
	if (strcmp(mode, "oci") == 0) {
		if (optind < argc)
			st = stage_of(argv[optind]);
		if (optind < argc && st == ST_UNKNOWN) {
			fprintf(stderr, "accountd-hook: unknown OCI stage '%s' "
			    "(accepted: createRuntime, poststop)\n",
			    argv[optind]);
			return 2;
		}
	} else if (strcmp(mode, "lxc") == 0) {
		/* LXC_HOOK_TYPE (lxc.hook.version = 1), else the last
		 * argument LXC appended: NAME lxc TYPE */
		st = stage_of(getenv("LXC_HOOK_TYPE"));
		if (st == ST_UNKNOWN && optind < argc)
			st = stage_of(argv[argc - 1]);
		if (st == ST_UNKNOWN) {
			fprintf(stderr, "accountd-hook: lxc: use it as "
			    "lxc.hook.start-host or lxc.hook.post-stop (no "
			    "hook type in LXC_HOOK_TYPE or the arguments)\n");
			return 2;
		}
	} else {
		usage();
	}

	/* the policy: without it a failure could not be judged, so a
	 * configuration that cannot be read refuses */
	if (load_config(&cfg, &err) < 0) {
		allow = false;
		fail(st == ST_UNKNOWN ? ST_START : st, "accountd.conf: %s",
		    err.msg);
	}
	allow = strcmp(cfg.hook_failure, "allow") == 0;
	sock = opt_socket ? opt_socket : cfg.socket;
	arm_deadline(st == ST_UNKNOWN ? ST_START : st);

	req = json_object_new_object();
	ps = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("hook"));
	if (strcmp(mode, "oci") == 0) {
		struct hook_state hs;

		text = read_stdin(st == ST_UNKNOWN ? ST_START : st);
		/* the stage from the status, if not given; the annotations
		 * are looked at for a start only */
		r = hook_oci_parse(text, false, &hs, &err);
		if (st == ST_UNKNOWN)
			st = hs.stopped ? ST_END : ST_START;
		if (r == 0 && st == ST_START) {
			hook_state_free(&hs);
			r = hook_oci_parse(text, true, &hs, &err);
		}
		if (hs.name[0] != '\0')
			snprintf(ct_name, sizeof(ct_name), "%s", hs.name);
		if (r < 0) {
			hook_state_free(&hs);
			fail(st, "%s", err.msg);
		}
		pid = hs.pid;
		json_object_put(ps);
		ps = json_object_get(hs.params);
		hook_state_free(&hs);
	} else {
		const char *n = getenv("LXC_NAME"), *p = getenv("LXC_PID");

		/* without LXC_NAME: the NAME LXC appended (version 0) */
		if (n == NULL && argc - optind >= 3)
			n = argv[argc - 3];
		if (n == NULL && opt_name == NULL)
			fail(st, "no container name (LXC_NAME is not set; run "
			    "it as an LXC hook, or give -n NAME)");
		if (n != NULL)
			snprintf(ct_name, sizeof(ct_name), "%s", n);
		if (p != NULL) {
			char *end;

			pid = strtol(p, &end, 10);
			if (*end != '\0')
				pid = 0;
		}
	}
	if (opt_name != NULL)
		snprintf(ct_name, sizeof(ct_name), "%s", opt_name);
	arm_deadline(st);	/* again: now with the name and the stage */
	json_object_object_add(req, "ct", json_object_new_string(ct_name));

	if (st == ST_END) {
		json_object_object_add(req, "event",
		    json_object_new_string("end"));
		json_object_put(ps);
		reply = call(st, sock, req);
		json_object_put(reply);
		json_object_put(req);
		config_free(&cfg);
		return 0;
	}

	add_opt_params(st, ps);
	if (pid <= 0)
		fail(st, "no process id (%s)", strcmp(mode, "oci") == 0 ?
		    "\"pid\" in the OCI state" : "LXC_PID; LXC sets it for "
		    "lxc.hook.start-host");
	if ((text2 = read_cgroup_file(pid, why, sizeof(why))) == NULL)
		fail(st, "%s", why);
	if ((cgpath = hook_cgroup_pick(text2, &err)) == NULL)
		fail(st, "process %ld: %s", pid, err.msg);
	json_object_object_add(req, "event", json_object_new_string("start"));
	json_object_object_add(req, "cgroup", json_object_new_string(cgpath));
	json_object_object_add(req, "params", ps);
	reply = call(st, sock, req);
	json_object_put(reply);
	json_object_put(req);
	config_free(&cfg);
	return 0;
}
