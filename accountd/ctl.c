/* SPDX-License-Identifier: ISC */
/*
 * The control requests, one handler each, registered in one table.  A
 * handler reads its arguments from the request object, fills the reply
 * object, and on failure returns aerr_set(...) with a one-line message
 * naming what was wrong and what is accepted.  Read-only requests are
 * marked CTL_RO and are the only ones the read-only socket accepts.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "admit.h"
#include "alert.h"
#include "bcstore.h"
#include "control.h"
#include "drift.h"
#include "log.h"
#include "meminfo.h"
#include "quota.h"
#include "rsockrec.h"
#include "snapshot.h"
#include "textfile.h"
#include "vzquota.h"
#include "sampler.h"
#include "saver.h"
#include "xalloc.h"

#define CTL_RO	0x01

struct ctl_cmd {
	const char	*name;
	int		(*fn)(struct ctl_conn *, struct json_object *,
			    struct json_object *, struct sbuf *, struct aerr *);
	unsigned	 flags;
};

/* ---- request helpers ---------------------------------------------------- */

const char *
req_str(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An optional flag: absent is false; anything but a JSON boolean is
 * refused (json-c would take the string "false" as true). */
int
req_bool(struct json_object *req, const char *key, bool *out,
    struct aerr *err)
{
	struct json_object *v;

	*out = false;
	if (!json_object_object_get_ex(req, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return aerr_set(err, EINVAL, "malformed request: \"%s\" is not "
		    "a boolean (accepted: true or false)", key);
	*out = json_object_get_boolean(v);
	return 0;
}

/* The container name a request gives, checked by the name rule. */
int
req_name(struct json_object *req, const char **out, struct aerr *err)
{
	if ((*out = req_str(req, "ct")) == NULL)
		return aerr_set(err, EINVAL, "no container given (accepted: a "
		    "container name such as 101)");
	return ct_name_check(*out, err);
}

static int
req_ct(struct json_object *req, struct container **out, struct aerr *err)
{
	const char *name;
	int r;

	if ((r = req_name(req, &name, err)) < 0)
		return r;
	if ((*out = ct_find(name)) == NULL)
		return aerr_set(err, ENOENT, "no container %s (acctctl list -a "
		    "shows the known ones; acctctl create adds one)", name);
	if (ctl_destroying(name))
		return aerr_set(err, EBUSY, "container %s is being destroyed "
		    "(accepted: a request once its destroy is answered)", name);
	return 0;
}

/* "params": {"ram": "1G", ...} into a ct_params of changes. */
int
req_params(struct json_object *req, struct ct_params *chg, struct aerr *err)
{
	struct json_object *ps;

	memset(chg, 0, sizeof(*chg));
	if (!json_object_object_get_ex(req, "params", &ps))
		return 0;
	if (!json_object_is_type(ps, json_type_object))
		return aerr_set(err, EPROTO, "malformed request: \"params\" is "
		    "not an object");
	json_object_object_foreach(ps, k, v) {
		const struct param_def *d = param_by_name(k);
		int r;

		if (d == NULL)
			return aerr_set(err, EINVAL, "unknown parameter --%s "
			    "(acctctl help params lists them)", k);
		if (!json_object_is_type(v, json_type_string))
			return aerr_set(err, EINVAL, "bad value for --%s: not a "
			    "string", k);
		if ((r = param_parse(d, json_object_get_string(v), chg, err)) < 0)
			return r;
	}
	return 0;
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void
add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static const char *
origin_name(enum ct_origin o)
{
	return o == CT_OWN ? "own" : o == CT_ADOPTED ? "adopted" :
	    o == CT_HOOKED ? "hook" : "discovered";
}

/* ---- hello ------------------------------------------------------------ */

static int
ctl_hello(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct json_object *hs = json_object_new_array();

	(void)c; (void)req; (void)warn; (void)err;
	add_str(reply, "version", PACKAGE_VERSION);
	add_str(reply, "cgroup_mode", cg_mode_name(&ad->layout));
	json_object_object_add(reply, "pid", json_object_new_int(getpid()));
	/* where the exporter keeps its archives, for acctctl graph */
	add_str(reply, "rrd_dir", ad->cfg.rrd_dir);
	add_str(reply, "rrdcached", ad->cfg.rrdcached);
	for (int i = 0; i < ad->layout.nhier; i++) {
		struct json_object *h = json_object_new_object();
		struct json_object *cs = json_object_new_array();

		add_str(h, "path", ad->layout.hier[i].path);
		json_object_object_add(h, "version",
		    json_object_new_int(ad->layout.hier[i].version));
		for (int k = 0; k < CTRL_COUNT; k++)
			if (ad->layout.hier[i].ctrls & (1u << k))
				json_object_array_add(cs, json_object_new_string(
				    ctrl_name((enum cg_ctrl)k,
				    ad->layout.hier[i].version)));
		json_object_object_add(h, "controllers", cs);
		json_object_array_add(hs, h);
	}
	json_object_object_add(reply, "hierarchies", hs);
	return 0;
}

/* ---- list and show ------------------------------------------------------ */

static struct json_object *
params_summary(const struct ct_params *p)
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		char v[LIST_MAX + 32];

		if (!p->v[i].set)
			continue;
		param_format_human(d, p, v, sizeof(v));
		add_str(o, d->name, v);
	}
	return o;
}

static struct json_object *
ct_summary(struct container *ct)
{
	struct json_object *o = json_object_new_object();
	const struct ct_params *p = ct_effective(ct);
	struct json_object *dr;
	char b[32];

	add_str(o, "ct", ct->name);
	add_u64(o, "bcid", ct->bcid);
	add_str(o, "status", ct->running ? "running" : "stopped");
	add_str(o, "origin", origin_name(ct->origin));
	add_str(o, "cgroup", ct->cgpath);
	add_u64(o, "nproc", ct_nproc(ct));
	add_u64(o, "mem_used", ct_mem_usage(ct));
	fmt_bytes(params_ram_bytes(p), b, sizeof(b));
	add_str(o, "ram", b);
	fmt_bytes(params_swap_bytes(p), b, sizeof(b));
	add_str(o, "swap", p->v[P_PHYSPAGES].set || p->v[P_SWAPPAGES].set ?
	    b : "unlimited");
	json_object_object_add(o, "params", params_summary(p));
	if ((dr = drift_json(ct)) != NULL)
		json_object_object_add(o, "drift", dr);
	if (ct->status_msg != NULL)
		add_str(o, "error", ct->status_msg);
	return o;
}

static int
ctl_list(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct json_object *a = json_object_new_array();

	(void)c; (void)req; (void)warn; (void)err;
	for (size_t i = 0; i < ct_count(); i++)
		json_object_array_add(a, ct_summary(ct_nth(i)));
	json_object_object_add(reply, "containers", a);
	return 0;
}

static int
ctl_show(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct container *ct;
	const struct ct_params *p;
	struct json_object *ps = json_object_new_array(), *drift;
	struct vswap_view vs;
	struct kcaps caps;
	struct plan pl;
	int r;

	(void)c; (void)warn;
	if ((r = req_ct(req, &ct, err)) < 0) {
		json_object_put(ps);
		return r;
	}
	p = ct_effective(ct);
	if ((r = ct_plan(ct, p, &caps, &pl, err)) < 0) {
		json_object_put(ps);
		return r;
	}
	json_object_object_add(reply, "container", ct_summary(ct));
	if (!json_object_object_get_ex(json_object_object_get(reply,
	    "container"), "drift", &drift))
		drift = NULL;
	add_str(reply, "cgroup_mode", kcaps_mode_name(&caps));
	if (ct->has_conf) {
		char *path = xasprintf("%s/%s.conf", ad->cfg.ct_conf_dir, ct->name);

		add_str(reply, "conf", path);
		free(path);
	}
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		const struct plan_note *n = plan_note_for(&pl, (enum param_id)i);
		struct json_object *o = json_object_new_object();
		struct json_object *files = json_object_new_array(), *dv;
		char v[LIST_MAX + 32];
		bool saved;

		add_str(o, "name", d->name);
		add_str(o, "key", d->key);
		json_object_object_add(o, "set",
		    json_object_new_boolean(p->v[i].set));
		if (p->v[i].set) {
			param_format(d, p, v, sizeof(v));
			add_str(o, "value", v);
			param_format_human(d, p, v, sizeof(v));
			add_str(o, "human", v);
			saved = params_same(&ct->conf.params, p,
			    (enum param_id)i);
			json_object_object_add(o, "saved",
			    json_object_new_boolean(saved));
		} else if (i == P_VSWAPRATE) {
			/* unset: the daemon's vswap_rate */
			snprintf(v, sizeof(v), "%s/s", ad->cfg.vswap_rate);
			add_str(o, "default", v);
		} else if (d->kind == PK_SINGLE && d->dflt != VAL_UNLIMITED) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)d->dflt);
			add_str(o, "default", v);
		} else if (d->kind == PK_PAIR) {
			add_str(o, "default", "unlimited");
		}
		for (size_t k = 0; p->v[i].set && k < pl.nops; k++)
			if (param_written_by((enum param_id)i, pl.ops[k].param))
				if (pl.ops[k].kind != OP_MEMGUARD)
					json_object_array_add(files,
					    json_object_new_string(pl.ops[k].file));
		if (!p->v[i].set)
			add_str(o, "status", "unset");
		else if (i >= P_DISKSPACE && i <= P_QUOTAUGIDLIMIT &&
		    quota_unenforced(ct) != NULL) {
			add_str(o, "status", "not enforced");
			add_str(o, "reason", quota_unenforced(ct));
			n = NULL;
		}
		else if (n != NULL && n->kind == NOTE_NOT_ENFORCED)
			add_str(o, "status", "not enforced");
		else if (n != NULL && n->kind == NOTE_BY_DAEMON)
			add_str(o, "status", json_object_array_length(files) ?
			    "enforced" : "by accountd");
		else if (n != NULL)
			add_str(o, "status", "partial");
		else
			add_str(o, "status", "enforced");
		if (n != NULL)
			add_str(o, "reason", n->reason);
		if (drift != NULL && json_object_object_get_ex(drift, d->name, &dv)) {
			/* the kernel's value differs from what accountd wrote */
			add_str(o, "status", "drifted");
			json_object_object_add(o, "drift", json_object_get(dv));
		}
		json_object_object_add(o, "files", files);
		add_str(o, "help", d->help);
		json_object_array_add(ps, o);
	}
	json_object_object_add(reply, "params", ps);
	plan_free(&pl);
	vswap_view(ct, &vs);
	if (ct->running && vs.active) {
		struct json_object *v = json_object_new_object();

		add_str(v, "mode", vs.mode == VSWAP_KERNEL ? "kernel" : "ram");
		add_u64(v, "rate", vs.rate);
		add_u64(v, "held", vs.held);
		add_u64(v, "in", vs.in);
		add_u64(v, "out", vs.out);
		add_u64(v, "slowed_us", vs.slowed_us);
		add_u64(v, "kernel_stall_us", vs.stall_us);
		json_object_object_add(v, "frozen",
		    json_object_new_boolean(vs.frozen));
		json_object_object_add(reply, "vswap", v);
	}
	{
		struct json_object *q = json_object_new_object();
		struct aerr qe = { 0 };

		if (quota_report(ct, false, q, &qe) == 0)
			json_object_object_add(reply, "quota", q);
		else
			json_object_put(q);
	}
	return 0;
}

static int
ctl_meminfo(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct container *ct;
	struct sbuf b = SBUF_INIT;
	int r;

	(void)c; (void)warn;
	if ((r = req_ct(req, &ct, err)) < 0)
		return r;
	if (!ct->running)
		return aerr_set(err, ESRCH, "container %s is not running",
		    ct->name);
	if ((r = meminfo_text(ct, &b)) < 0) {
		sbuf_free(&b);
		return aerr_set(err, -r, "%s: cannot read its memory figures: %s",
		    ct->name, strerror(-r));
	}
	add_str(reply, "meminfo", sbuf_str(&b));
	sbuf_free(&b);
	return 0;
}

/* ---- quota ----------------------------------------------------------- */

static int
ctl_quota(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct container *ct;
	bool table;
	int r;

	(void)c; (void)warn;
	if ((r = req_ct(req, &ct, err)) < 0 ||
	    (r = req_bool(req, "table", &table, err)) < 0)
		return r;
	return quota_report(ct, table, reply, err);
}

/* Second-level limits of one uid or gid: {"ugid_type": "user"|"group",
 * "id": "N", "blocks": "S:H", "inodes": "S:H"} */
static int
ctl_quota_ugid(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	const char *type = req_str(req, "ugid_type"), *id = req_str(req, "id");
	const char *bl = req_str(req, "blocks"), *in = req_str(req, "inodes");
	struct container *ct;
	struct ct_params p;
	unsigned long n;
	char *end;
	int r;

	(void)c; (void)warn; (void)reply;
	if ((r = req_ct(req, &ct, err)) < 0)
		return r;
	if (type == NULL || (strcmp(type, "user") != 0 &&
	    strcmp(type, "group") != 0))
		return aerr_set(err, EINVAL, "no user or group given (accepted: "
		    "-u UID or -g GID)");
	errno = 0;
	n = id ? strtoul(id, &end, 10) : 0;
	if (id == NULL || *id == '\0' || !isdigit((unsigned char)*id) ||
	    errno || *end != '\0' || n >= UINT32_MAX)
		return aerr_set(err, EINVAL, "bad %s id '%s' (accepted: a number "
		    "from 0 to 4294967294, as seen inside the container)",
		    strcmp(type, "user") == 0 ? "user" : "group", id ? id : "");
	memset(&p, 0, sizeof(p));
	if (bl == NULL)
		return aerr_set(err, EINVAL, "no block limits given (accepted: "
		    "SOFT:HARD in 1 KiB blocks, suffixes K M G T)");
	if ((r = param_parse(param_by_name("diskspace"), bl, &p, err)) < 0 ||
	    (in != NULL && (r = param_parse(param_by_name("diskinodes"), in,
	    &p, err)) < 0))
		return r;
	if (in == NULL)
		p.v[P_DISKINODES].bar = p.v[P_DISKINODES].lim = VAL_UNLIMITED;
	return quota_set_ugid(ct, strcmp(type, "group") == 0, (unsigned)n,
	    p.v[P_DISKSPACE].bar, p.v[P_DISKSPACE].lim,
	    p.v[P_DISKINODES].bar, p.v[P_DISKINODES].lim, err);
}

/* ---- rights ---------------------------------------------------------- */

/*
 * The rights of socket_group, who are operators, not root (the table is
 * in accountd(8)): they set, show, create and destroy containers, but
 * adopting an existing cgroup and moving a process they do not own stay
 * root's, and no request names a file for accountd to read.  The peer's
 * uid is the kernel's (SO_PEERCRED).
 */
static bool
peer_is_root(const struct ctl_conn *c)
{
	return c->uid == 0;
}

static int
root_only(const struct ctl_conn *c, const char *what, struct aerr *err)
{
	if (peer_is_root(c))
		return 0;
	return aerr_set(err, EPERM, "%s is root's (uid %d is an operator: "
	    "socket_group may set, show, create and destroy containers)",
	    what, (int)c->uid);
}

/* VE_PRIVATE names a tree accountd counts and guards as root (disk
 * quota): naming one is root's, as naming a file to read is. */
static int
private_root_only(const struct ctl_conn *c, const struct ct_params *p,
    struct aerr *err)
{
	if (!p->v[P_PRIVATE].set)
		return 0;
	return root_only(c, "naming a container's private area (--private, "
	    "VE_PRIVATE) for the disk quota", err);
}

/* ---- set ------------------------------------------------------------- */

static int
ctl_set(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct container *ct;
	struct ct_params chg, sample;
	const char *sname = req_str(req, "applyconfig");
	bool save, reset, force;
	int r;

	(void)reply;
	if ((r = req_ct(req, &ct, err)) < 0 ||
	    (r = req_bool(req, "save", &save, err)) < 0 ||
	    (r = req_bool(req, "reset_ub", &reset, err)) < 0 ||
	    (r = req_bool(req, "force", &force, err)) < 0 ||
	    (r = req_params(req, &chg, err)) < 0 ||
	    (r = private_root_only(c, &chg, err)) < 0)
		return r;
	if (reset) {
		/* vzctl --reset_ub: apply the saved settings again */
		if (!ct->running)
			return aerr_set(err, ESRCH, "container %s is not running",
			    ct->name);
		struct ct_params saved = ct->conf.params;

		params_merge(&saved, &chg);	/* what is given wins */
		chg = saved;
	}
	if (sname != NULL) {
		if ((r = ct_load_sample(sname, &sample, err)) < 0)
			return r;
		/* the sample first, the options given on top of it */
		params_merge(&sample, &chg);
		chg = sample;
	}
	for (unsigned i = 0; i < P_COUNT; i++)
		if (chg.v[i].set)
			goto some;
	return aerr_set(err, EINVAL, "nothing to set (give parameters such as "
	    "--ram 1G, or --applyconfig NAME)");
some:
	if (ct->running) {	/* raising a guarantee must fit */
		struct ct_params eff = *ct_effective(ct);

		params_merge(&eff, &chg);
		if (params_guarantee_bytes(&eff) >
		    params_guarantee_bytes(ct_live(ct)) &&
		    (r = admit_check(ct->name, ct, &eff, force, err)) < 0)
			return r;
	}
	if ((r = ct_set(ct, &chg, save, warn, err)) < 0)
		return r;
	log_info("%s: set by uid %d (pid %d)%s", ct->name, (int)c->uid,
	    (int)c->pid, save ? ", saved" : "");
	return 0;
}

/* ---- plan ------------------------------------------------------------ */

/* The plan of ct's parameters with the changes chg. */
static int
plan_reply(struct container *ct, const struct ct_params *chg,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct ct_params p;
	struct kcaps caps;
	struct plan pl;
	struct sbuf text = SBUF_INIT;
	int r;

	p = *ct_effective(ct);
	params_merge(&p, chg);
	ct_caps(ct, &p, &caps);
	if ((r = params_validate(&p, &caps, warn, err)) < 0)
		return r;
	if ((r = ct_plan(ct, &p, &caps, &pl, err)) < 0)
		return r;
	plan_format(&pl, &caps, &text);
	add_str(reply, "text", sbuf_str(&text));
	sbuf_free(&text);
	plan_free(&pl);
	return 0;
}

static int
ctl_plan(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct container *ct;
	struct ct_params chg;
	int r;

	(void)c;
	if ((r = req_ct(req, &ct, err)) < 0 ||
	    (r = req_params(req, &chg, err)) < 0)
		return r;
	return plan_reply(ct, &chg, reply, warn, err);
}

/* ---- create and destroy ------------------------------------------------ */

/* The imported CTID.conf: its text, which acctctl read as its user and
 * sent; accountd opens no file a client names. */
static int
req_conf_text(struct json_object *req, struct ctconf *cf, struct sbuf *warn,
    struct aerr *err)
{
	const char *name = req_str(req, "config_name");
	struct json_object *v;
	const char *text;
	size_t len;
	int r;

	if (!json_object_object_get_ex(req, "config_text", &v) ||
	    !json_object_is_type(v, json_type_string))
		return aerr_set(err, EPROTO, "malformed request: \"config_text\" "
		    "is not a string");
	text = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (name == NULL || *name == '\0')
		name = "config";
	if (len > TEXTFILE_CONF_MAX)
		return aerr_set(err, EFBIG, "%s: larger than %u KiB (accepted: a "
		    "CTID.conf of at most %u KiB)", name, TEXTFILE_CONF_MAX / 1024,
		    TEXTFILE_CONF_MAX / 1024);
	if ((r = textfile_check_nul(name, text, len, err)) < 0)
		return r;
	return ctconf_parse(name, text, cf, warn, err);
}

/* The container of a create whose settings are saved: made and started.
 * Takes CF. */
static void
create_finish(const char *name, const char *cgpath, bool adopted, bool made,
    bool force, uid_t uid, struct ctconf *cf, struct sbuf *warn)
{
	struct container *ct = ct_new(name, cgpath, adopted ? CT_ADOPTED :
	    CT_OWN);

	ct_conf_set(ct, cf);
	ct->has_conf = true;
	ct->adopt_now = true;	/* the user names an existing cgroup */
	ct->admit_forced = force;
	if (made)
		ct_born_observed(ct);	/* counted from its mkdir */
	{
		const char *one = ct->cgpath;

		ct_refresh_paths(&one, 1);	/* it starts; the others wait */
	}
	if (ct->status_msg != NULL) {
		/* created, but its settings could not be applied */
		sbuf_printf(warn, "%s\n", ct->status_msg);
	}
	if (quota_wanted(ct_effective(ct))) {
		struct aerr qe = { 0 };

		if (quota_set(ct, ct_effective(ct), false, warn, &qe) < 0)
			sbuf_printf(warn, "disk quota not in force: %s\n",
			    qe.msg);
	}
	log_info("%s: created by uid %d (%s cgroup %s)", name, (int)uid,
	    ct->origin == CT_ADOPTED ? "adopted" : "own", ct->cgpath);
}

/*
 * A create's cgroup and settings file are made by the saver's thread
 * (saver.h) while the loop serves other requests: mkdir in cgroupfs and
 * the file's fsync held every request waiting 5-60 ms on a busy host.
 * The container is registered once both are done, and the client
 * answered then; its connection reads nothing more meanwhile.  Until then
 * the name and the cgroup are taken: another create of either is
 * refused, other requests do not know the container yet (as before its
 * create).
 */
struct creating {
	struct ctl_conn	*c;		/* NULL: the client went away */
	uint32_t	 seq;
	uid_t		 uid;
	char		*name, *cgpath, *target, *tmp, *text;
	struct ctconf	 cf;
	struct sbuf	 warn;
	bool		 adopted, mkcg, force;
	/* the worker's: */
	bool		 made, kept;
	int		 r, dir_err;
	struct aerr	 err;
	struct creating	*next;
};
static struct creating *creating;

static const struct creating *
creating_find(const char *name, const char *cgpath)
{
	for (const struct creating *p = creating; p != NULL; p = p->next)
		if ((name != NULL && strcmp(p->name, name) == 0) ||
		    (cgpath != NULL && (cg_within(p->cgpath, cgpath) ||
		    cg_within(cgpath, p->cgpath))))
			return p;
	return NULL;
}

/* ct_params_gc(): the texts a create being made holds */
void
ctl_creating_mark(void)
{
	for (struct creating *p = creating; p != NULL; p = p->next)
		params_gc_mark(&p->cf.params);
}

static void
creating_conn_gone(struct ctl_conn *c)
{
	for (struct creating *p = creating; p != NULL; p = p->next)
		if (p->c == c)
			p->c = NULL;
}

/* In the saver's thread: the cgroup, then the file; all or nothing. */
static void
create_run(void *arg)
{
	struct creating *p = arg;

	if (p->mkcg) {
		if ((p->r = cg_ct_create(&ad->layout, p->cgpath, &p->err)) < 0) {
			/* what was made in the hierarchies before the one
			 * that failed */
			cg_ct_remove(&ad->layout, p->cgpath, NULL);
			return;
		}
		p->made = true;
	}
	p->r = conf_write_file(p->target, p->tmp, p->text, &p->kept,
	    &p->dir_err);
	if (p->r < 0) {
		aerr_set(&p->err, -p->r, "cannot save %s: %s", p->target,
		    strerror(-p->r));
		if (p->made)
			cg_ct_remove(&ad->layout, p->cgpath, NULL);
	}
}

/* On the loop: the container made, the client answered. */
static void
create_done(void *arg)
{
	struct creating *p = arg, **pp;

	for (pp = &creating; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	if (!p->kept)
		log_warn("%s: cannot keep its mode and owner", p->target);
	if (p->dir_err < 0)	/* the rename may not outlive an OS crash */
		log_warn("%s: fsync of its folder failed: %s", p->target,
		    strerror(-p->dir_err));
	if (p->r < 0)
		ctconf_free(&p->cf);
	else if (ct_find(p->name) != NULL)
		ctconf_free(&p->cf);	/* a reload read the file first */
	else
		create_finish(p->name, p->cgpath, p->adopted, p->made,
		    p->force, p->uid, &p->cf, &p->warn);
	if (p->c != NULL) {
		struct json_object *reply = json_object_new_object();
		_cleanup_free_ char *s = ctl_render(p->r, reply, &p->warn,
		    &p->err);

		ctl_reply(p->c, p->seq, s, strlen(s));
		json_object_put(reply);
		ctl_release(p->c);
	}
	sbuf_free(&p->warn);
	free(p->name);
	free(p->cgpath);
	free(p->target);
	free(p->tmp);
	free(p->text);
	free(p);
	ct_params_gc();
}

/* Takes CF and WARN's text. */
static int
create_defer(struct ctl_conn *c, const char *name, const char *cgpath,
    bool adopted, bool mkcg, bool force, struct ctconf *cf,
    struct sbuf *warn, struct aerr *err)
{
	_cleanup_free_ char *target = ct_conf_target(name);
	struct creating *p;
	int r;

	if ((r = ct_save_check(target, err)) < 0) {
		ctconf_free(cf);
		return r;
	}
	p = xcalloc(1, sizeof(*p));
	p->c = c;
	p->seq = c->seq;
	p->uid = c->uid;
	p->name = xstrdup(name);
	p->cgpath = xstrdup(cgpath);
	p->tmp = xasprintf("%s.tmp", target);
	p->target = target;
	target = NULL;
	p->text = ctconf_render(cf);
	p->cf = *cf;
	p->warn = *warn;
	*warn = (struct sbuf)SBUF_INIT;
	p->adopted = adopted;
	p->mkcg = mkcg;
	p->force = force;
	p->kept = true;
	p->next = creating;
	creating = p;
	ctl_hold(c, creating_conn_gone);
	saver_submit(create_run, create_done, p);
	return CTL_DEFERRED;
}

static int
ctl_create(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	const char *name = req_str(req, "ct"), *cgroup = req_str(req, "cgroup");
	const char *sname = req_str(req, "applyconfig");
	struct ct_params chg, sample;
	struct ctconf cf;
	_cleanup_free_ char *cgpath = NULL;
	char cgbuf[600];
	bool made = false, adopted, force, mkcg;
	int r;

	(void)reply;
	if (name == NULL)
		return aerr_set(err, EINVAL, "no container given (accepted: a "
		    "container name such as 101)");
	if ((r = ct_name_check(name, err)) < 0 ||
	    (r = req_bool(req, "force", &force, err)) < 0)
		return r;
	if (ct_find(name) != NULL)
		return aerr_set(err, EEXIST, "container %s already exists", name);
	if (creating_find(name, NULL) != NULL)
		return aerr_set(err, EBUSY, "container %s is being created "
		    "(accepted: another name)", name);
	if (json_object_object_get_ex(req, "config", NULL))
		return aerr_set(err, EINVAL, "\"config\" (a file for accountd to "
		    "read) is not accepted: acctctl reads the file and sends its "
		    "text (accepted: \"config_text\")");
	if ((r = req_params(req, &chg, err)) < 0)
		return r;
	if (json_object_object_get_ex(req, "config_text", NULL)) {
		if ((r = req_conf_text(req, &cf, warn, err)) < 0)
			return r;
		/* the file's CGROUP= adopts, as --cgroup does (and as it
		 * would when accountd next reads the saved file) */
		if (cgroup == NULL)
			cgroup = ctconf_get_raw(&cf, "CGROUP", cgbuf,
			    sizeof(cgbuf));
	} else {
		char *head = xasprintf("# container %s, created by acctctl "
		    "create\n", name);

		(void)ctconf_parse(name, head, &cf, NULL, NULL);
		free(head);
	}
	if (cgroup != NULL && ((r = ct_cgpath_check(cgroup, err)) < 0 ||
	    (r = root_only(c, "adopting an existing cgroup (--cgroup, or "
	    "CGROUP= in the --config file)", err)) < 0)) {
		ctconf_free(&cf);
		return r;
	}
	adopted = cgroup != NULL;
	/* cgroup may point into cf's lines: copied before cf changes */
	cgpath = adopted ? xstrdup(cgroup) : xasprintf("%s/%s",
	    ad->cfg.cgroup_parent, name);
	if ((r = ct_cgpath_claim(cgpath, NULL, err)) < 0) {
		ctconf_free(&cf);
		return r;
	}
	if (creating_find(NULL, cgpath) != NULL) {
		ctconf_free(&cf);
		return aerr_set(err, EBUSY, "cgroup /%s is being taken by a "
		    "create (accepted: a cgroup no other container uses)",
		    cgpath);
	}
	if (sname != NULL) {
		if ((r = ct_load_sample(sname, &sample, err)) < 0) {
			ctconf_free(&cf);
			return r;
		}
		ctconf_update(&cf, &sample);
		ctconf_set_raw(&cf, "ORIGIN_SAMPLE", sname);
	}
	ctconf_update(&cf, &chg);
	if ((r = private_root_only(c, &cf.params, err)) < 0) {
		ctconf_free(&cf);
		return r;
	}
	if (adopted)
		ctconf_set_raw(&cf, "CGROUP", cgpath);
	if ((r = params_validate(&cf.params, NULL, warn, err)) < 0) {
		ctconf_free(&cf);
		return aerr_prefix(err, "%s: ", name);
	}
	/* own containers run at once, adopted ones when their cgroup is
	 * there: their guarantee must fit now */
	if ((!adopted || cg_ct_exists(&ad->layout, cgpath)) &&
	    (r = admit_check(name, NULL, &cf.params, force, err)) < 0) {
		ctconf_free(&cf);
		return r;
	}
	if (cf.params.v[P_PRIVATE].set &&
	    (r = quota_check_private(name, &cf.params, err)) < 0) {
		ctconf_free(&cf);
		return aerr_prefix(err, "%s: ", name);
	}
	/* own containers get their cgroup now, so they exist at once (made
	 * off the loop with the file, see create_defer) */
	mkcg = !adopted && !cg_ct_exists(&ad->layout, cgpath);
	if (c->bev != NULL && saver_running())
		return create_defer(c, name, cgpath, adopted, mkcg, force, &cf,
		    warn, err);
	if (mkcg) {
		if ((r = cg_ct_create(&ad->layout, cgpath, err)) < 0) {
			ctconf_free(&cf);
			return r;
		}
		made = true;
	}
	if ((r = ct_save(name, &cf, err)) < 0) {
		if (made)
			cg_ct_remove(&ad->layout, cgpath, NULL);
		ctconf_free(&cf);
		return r;
	}
	create_finish(name, cgpath, adopted, made, force, c->uid, &cf, warn);
	return 0;
}

/*
 * A destroy's rmdir of the cgroup and rename of its settings file are made
 * by the saver's thread, as a create's mkdir and write: the rmdir of a
 * container's folders in every hierarchy held the loop 5-30 ms under churn
 * (every request waiting).  The last accounting read is made on the loop
 * before; the container stays registered, stopped, until both are done
 * (requests naming it are refused meanwhile, and no check starts it
 * again); then it is forgotten and the client answered.  A failed rmdir
 * (EBUSY: a process or a child cgroup came in) makes again the folders
 * removed before it, starts the container again (its limits applied) and
 * answers the error, its file untouched.
 */
struct destroying {
	struct ctl_conn	*c;		/* NULL: the client went away */
	uint32_t	 seq;
	char		*name, *cgpath, *path, *gone;
	struct sbuf	 warn;
	bool		 rmcg;
	/* the worker's: */
	int		 r;
	struct aerr	 err;
	struct destroying *next;
};
static struct destroying *destroying;

bool
ctl_destroying(const char *name)
{
	for (const struct destroying *p = destroying; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return true;
	return false;
}

static void
destroying_conn_gone(struct ctl_conn *c)
{
	for (struct destroying *p = destroying; p != NULL; p = p->next)
		if (p->c == c)
			p->c = NULL;
}

/* In the saver's thread: the cgroup, then the file; all or nothing (the
 * folders removed before a failure are made again, and get the
 * container's limits when destroy_done() starts it). */
static void
destroy_run(void *arg)
{
	struct destroying *p = arg;
	struct aerr again = { 0 };

	if (p->rmcg && (p->r = cg_ct_remove(&ad->layout, p->cgpath,
	    &p->err)) < 0) {
		(void)cg_ct_create(&ad->layout, p->cgpath, &again);
		return;
	}
	if (p->path != NULL && rename(p->path, p->gone) < 0 &&
	    errno != ENOENT) {
		p->r = aerr_set(&p->err, errno, "cannot move %s aside: %s",
		    p->path, strerror(errno));
		if (p->rmcg)
			(void)cg_ct_create(&ad->layout, p->cgpath, &again);
	}
}

/* On the loop: the container forgotten (or started again), the client
 * answered. */
static void
destroy_done(void *arg)
{
	struct destroying *p = arg, **pp;
	struct container *ct;

	for (pp = &destroying; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	if ((ct = ct_find(p->name)) != NULL) {
		if (p->r == 0) {
			log_info("%s: destroyed", ct->name);
			bcstore_forget(ct->name);
			ct_delete(ct);
		} else {
			const char *one = ct->cgpath;

			ct_refresh_paths(&one, 1);	/* what is left runs */
		}
	}
	if (p->c != NULL) {
		struct json_object *reply = json_object_new_object();
		_cleanup_free_ char *s = ctl_render(p->r, reply, &p->warn,
		    &p->err);

		ctl_reply(p->c, p->seq, s, strlen(s));
		json_object_put(reply);
		ctl_release(p->c);
	}
	sbuf_free(&p->warn);
	free(p->name);
	free(p->cgpath);
	free(p->path);
	free(p->gone);
	free(p);
}

static int
ctl_destroy(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct container *ct;
	bool force, defer, rmcg = false;
	_cleanup_free_ char *path = NULL, *gone = NULL;
	const char *pat;
	int r;

	(void)c; (void)reply;
	if ((r = req_ct(req, &ct, err)) < 0 ||
	    (r = req_bool(req, "force", &force, err)) < 0)
		return r;
	defer = c->bev != NULL && saver_running();
	/* a running container a pattern finds would come straight back;
	 * a stopped one is let go, and found again (without its settings)
	 * when its cgroup comes back while the pattern is there */
	if (ct->origin != CT_OWN && (pat = ct_discover_pattern(ct->cgpath))) {
		if (ct->running && config_from_cmdline("discover", pat))
			return aerr_set(err, EINVAL, "%s is found by discover=%s, "
			    "given to accountd with -o: restart accountd without "
			    "-o discover=%s to stop managing it", ct->name, pat,
			    pat);
		if (ct->running)
			return aerr_set(err, EINVAL, "%s is found by discover=%s in "
			    "accountd.conf; remove the pattern and reload (SIGHUP) "
			    "to stop managing it", ct->name, pat);
		sbuf_printf(warn, "discover=%s will find %s again, without its "
		    "settings, if its cgroup %s comes back\n", pat, ct->name,
		    ct->cgpath);
	}
	if (ct->origin == CT_OWN && ct->running) {
		pid_t *pids;
		size_t n;

		if ((r = ct_dirs(ct, err)) < 0)
			return r;
		cg_procs(&ad->layout, &ct->cg, &pids, &n);
		ct_dirs_done(ct);
		if (n > 0 && force && ct_dirs(ct, err) < 0)
			n = 0;
		if (n > 0 && !force) {
			free(pids);
			return aerr_set(err, EBUSY, "container %s has %zu "
			    "processes: stop them first, or use --force to kill "
			    "them", ct->name, n);
		}
		vswap_stop(ct);		/* frozen tasks would not die */
		for (int tries = 0; n > 0 && tries < 50; tries++) {
			for (size_t i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			free(pids);
			usleep(20000);
			cg_procs(&ad->layout, &ct->cg, &pids, &n);
		}
		free(pids);
		ct_end(ct);	/* the last read, for the ledger */
		ct_detach(ct);
		rmcg = true;
		if (!defer && (r = cg_ct_remove(&ad->layout, ct->cgpath,
		    err)) < 0)
			return r;
	} else if (ct->origin != CT_OWN) {
		sbuf_printf(warn, "%s is no longer managed; its cgroup %s and "
		    "limits are left as they are\n", ct->name, ct->cgpath);
	}
	if (ct->has_conf) {
		path = xasprintf("%s/%s.conf", ad->cfg.ct_conf_dir, ct->name);
		gone = xasprintf("%s.destroyed", path);
	}
	if (defer && (rmcg || path != NULL)) {
		struct destroying *p = xcalloc(1, sizeof(*p));

		p->c = c;
		p->seq = c->seq;
		p->name = xstrdup(ct->name);
		p->cgpath = xstrdup(ct->cgpath);
		p->path = path;
		p->gone = gone;
		path = gone = NULL;
		p->warn = *warn;
		*warn = (struct sbuf)SBUF_INIT;
		p->rmcg = rmcg;
		p->next = destroying;
		destroying = p;
		ctl_hold(c, destroying_conn_gone);
		saver_submit(destroy_run, destroy_done, p);
		return CTL_DEFERRED;
	}
	if (path != NULL) {
		if (rename(path, gone) < 0 && errno != ENOENT)
			return aerr_set(err, errno, "cannot move %s aside: %s",
			    path, strerror(errno));
	}
	log_info("%s: destroyed", ct->name);
	bcstore_forget(ct->name);	/* the end of its beancounter record */
	ct_delete(ct);
	return 0;
}

/* ---- attach --------------------------------------------------------- */

/*
 * Whether uid owns process pid: its real, effective and saved uids are
 * all uid (a set-uid program the user started is not the user's), as
 * /proc/PID/status says.  Returns 1, 0, or -errno.
 */
static int
pid_owned_by(pid_t pid, uid_t uid)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long r, e, sv;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Uid: %lu %lu %lu", &r, &e, &sv) == 3)
			return r == uid && e == uid && sv == uid;
	return -EINVAL;
}

static int
ctl_attach(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct json_object *v;
	struct container *ct;
	int64_t pid;
	int r;

	(void)reply; (void)warn;
	if ((r = req_ct(req, &ct, err)) < 0)
		return r;
	if (!json_object_object_get_ex(req, "pid", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (pid = json_object_get_int64(v)) <= 0 || pid > 0x3fffffff)
		return aerr_set(err, EINVAL, "bad pid (accepted: a process id)");
	if (!ct->running)
		return aerr_set(err, ESRCH, "container %s is not running (no "
		    "cgroup %s)", ct->name, ct->cgpath);
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return aerr_set(err, EINVAL, "no process %lld", (long long)pid);
	if (!peer_is_root(c) && pid_owned_by((pid_t)pid, c->uid) != 1)
		return root_only(c, "moving a process of another user "
		    "(attach)", err);
	if ((r = ct_enter(ct, (pid_t)pid, err)) < 0)
		return r;
	/* what acctctl exec starts: read the container when it exits */
	sampler_watch_exit(ct, (pid_t)pid);
	log_info("%s: pid %lld attached by uid %d", ct->name, (long long)pid,
	    (int)c->uid);
	return 0;
}

/* ---- hook: a runtime's start and end (accountd-hook) -------------------- */

/*
 * {"cmd": "hook", "event": "start", "ct": NAME, "cgroup": PATH,
 *  "params": {...}}: the runtime made the container's cgroup and its
 * payload has not run yet; the reply comes once the saved settings and
 * the given ones are written.  {"event": "end", "ct": NAME}: it ended.
 * Root only: the hook runs as root from the runtime.
 */
static int
ctl_hook(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	const char *name = req_str(req, "ct"), *ev = req_str(req, "event");
	const char *cgroup = req_str(req, "cgroup");
	struct ct_params chg;
	struct container *ct;
	int r;

	if (c->uid != 0)
		return aerr_set(err, EPERM, "the hook request is root's only "
		    "(accountd-hook runs as root from the container runtime)");
	if (name == NULL)
		return aerr_set(err, EINVAL, "no container given (accepted: a "
		    "container name such as 101)");
	if ((r = ct_name_check(name, err)) < 0)
		return r;
	if (ev != NULL && strcmp(ev, "end") == 0) {
		ct = ct_find(name);
		json_object_object_add(reply, "known",
		    json_object_new_boolean(ct != NULL));
		if (ct != NULL && ct->origin == CT_HOOKED) {
			ct_hook_end(ct);
			log_info("%s: end told by a hook (uid %d, pid %d)", name,
			    (int)c->uid, (int)c->pid);
		}
		return 0;
	}
	if (ev == NULL || strcmp(ev, "start") != 0)
		return aerr_set(err, EINVAL, "bad hook event '%s' (accepted: "
		    "start, end)", ev ? ev : "");
	if (cgroup == NULL)
		return aerr_set(err, EINVAL, "%s: no cgroup given (accepted: the "
		    "container's cgroup path, such as /lxc.payload.%s)", name,
		    name);
	if ((r = ct_cgpath_check(cgroup, err)) < 0 ||
	    (r = req_params(req, &chg, err)) < 0)
		return r;
	if ((r = ct_hook_start(name, cgroup, &chg, warn, err)) < 0)
		return r;
	ct = ct_find(name);
	json_object_object_add(reply, "container", ct_summary(ct));
	log_info("%s: started by a hook in %s (uid %d, pid %d)", name,
	    ct->cgpath, (int)c->uid, (int)c->pid);
	return 0;
}

/* ---- beancounters and events -------------------------------------------- */

/* Rows of every running container (or those named in "cts"). */
static int
ctl_ubc(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	struct json_object *want = NULL, *a = json_object_new_array();

	(void)c; (void)warn;
	if (json_object_object_get_ex(req, "cts", &want) &&
	    !json_object_is_type(want, json_type_array)) {
		json_object_put(a);
		return aerr_set(err, EPROTO, "malformed request: \"cts\" is not "
		    "an array");
	}
	if (want != NULL) {
		for (size_t i = 0; i < json_object_array_length(want); i++) {
			const char *n = json_object_get_string(
			    json_object_array_get_idx(want, i));
			int r;

			if ((r = ct_name_check(n ? n : "", err)) < 0 ||
			    ct_find_bc(n) == NULL) {
				json_object_put(a);
				return r < 0 ? r : aerr_set(err, ENOENT,
				    "no container %s", n);
			}
		}
	}
	for (size_t i = 0; i < ct_count(); i++) {
		const struct container *ct = ct_nth(i);
		_cleanup_free_ struct snap_ct *s = NULL;
		_cleanup_free_ struct snap_rec *q = NULL;
		struct ubc u;
		bool listed = want == NULL;

		for (size_t k = 0; want != NULL && k < json_object_array_length(want);
		    k++)
			listed |= ct_find_bc(json_object_get_string(
			    json_object_array_get_idx(want, k))) == ct;
		if (!listed || !ct->running)
			continue;
		/* the figures as the snapshot holds them: one renderer for
		 * root and for the read-only socket's server */
		s = xcalloc(1, sizeof(*s));
		q = xcalloc(1, sizeof(*q));
		quota_fill(ct, q);	/* the quota's figures */
		memcpy(s, q, SNAP_FIGURES_SIZE);
		snprintf(s->name, sizeof(s->name), "%s", ct->name);
		s->bcid = ct->bcid;
		s->running = 1;
		bc_ubc(ct, &u);
		for (int r = 0; r < UB_COUNT; r++) {
			s->row[r].held = u.r[r].held;
			s->row[r].maxheld = u.r[r].maxheld;
			s->row[r].barrier = u.r[r].barrier;
			s->row[r].limit = u.r[r].limit;
			s->row[r].failcnt = u.r[r].failcnt;
			s->row[r].present = u.r[r].present;
		}
		json_object_array_add(a, ctl_ubc_json(s));
	}
	json_object_object_add(reply, "containers", a);
	return 0;
}

/* A disk quota row as OpenVZ's tools count it: blocks of 1 KiB (usage
 * rounded up), or inodes. */
static void
quota_row(struct json_object *rows, const char *name, uint64_t held,
    uint64_t soft, uint64_t hard, uint64_t failcnt, uint64_t div)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "resource", name);
	add_u64(o, "held", (held + div - 1) / div);
	add_u64(o, "barrier", soft == VAL_UNLIMITED ? soft : soft / div);
	add_u64(o, "limit", hard == VAL_UNLIMITED ? hard : hard / div);
	add_u64(o, "failcnt", failcnt);
	add_str(o, "unit", div == 1024 ? "1k-blocks" : "inodes");
	json_object_array_add(rows, o);
}

struct json_object *
ctl_ubc_json(const struct snap_ct *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *rows = json_object_new_array();

	add_str(o, "id", s->name);
	add_u64(o, "bcid", s->bcid);
	for (int r = 0; r < UB_COUNT; r++) {
		const struct snap_row *w = &s->row[r];
		struct json_object *row;

		if (ub_is_dummy((enum ub_res)r) || !w->present)
			continue;
		row = json_object_new_object();
		add_str(row, "resource", ub_name((enum ub_res)r));
		add_u64(row, "held", w->held);
		add_u64(row, "maxheld", w->maxheld);
		add_u64(row, "barrier", w->barrier);
		add_u64(row, "limit", w->limit);
		add_u64(row, "failcnt", w->failcnt);
		json_object_array_add(rows, row);
	}
	json_object_object_add(o, "rows", rows);
	/* disk quota rows apart: the text forms stay OpenVZ's */
	if (s->have_quota) {
		rows = json_object_new_array();
		quota_row(rows, "diskspace", s->disk_held, s->disk_soft,
		    s->disk_hard, s->disk_failcnt, 1024);
		quota_row(rows, "diskinodes", s->inodes_held, s->inodes_soft,
		    s->inodes_hard, s->inodes_failcnt, 1);
		json_object_object_add(o, "quota_rows", rows);
	}
	return o;
}

static int
ctl_events(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	const char *ct = req_str(req, "ct");
	struct json_object *v;
	int64_t count = 20;
	bool follow;
	int r;

	(void)warn;
	if ((ct != NULL && *ct && (r = ct_name_check(ct, err)) < 0) ||
	    (r = req_bool(req, "follow", &follow, err)) < 0)
		return r;
	if (ct != NULL && *ct && ct_find(ct) == NULL && ct_find_bc(ct) != NULL)
		ct = ct_find_bc(ct)->name;	/* a beancounter id */
	if (json_object_object_get_ex(req, "count", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    (count = json_object_get_int64(v)) < 0 || count > 100000)
			return aerr_set(err, EINVAL, "bad count (accepted: 0 to "
			    "100000)");
	}
	json_object_object_add(reply, "events",
	    alert_history(ct, (size_t)count));
	if (follow) {
		if (c->stream != NULL)
			return aerr_set(err, EBUSY, "this connection already "
			    "follows events");
		alert_follow(c, ct);
	}
	return 0;
}

/* ---- table ------------------------------------------------------------ */

static const struct ctl_cmd cmds[] = {
	{ "hello", ctl_hello, CTL_RO },
	{ "list", ctl_list, CTL_RO },
	{ "show", ctl_show, CTL_RO },
	{ "plan", ctl_plan, CTL_RO },
	{ "ubc", ctl_ubc, CTL_RO },
	{ "meminfo", ctl_meminfo, CTL_RO },
	{ "events", ctl_events, CTL_RO },
	{ "quota", ctl_quota, CTL_RO },
	{ "quota_ugid", ctl_quota_ugid, 0 },
	{ "set", ctl_set, 0 },
	{ "create", ctl_create, 0 },
	{ "destroy", ctl_destroy, 0 },
	{ "attach", ctl_attach, 0 },
	{ "hook", ctl_hook, 0 },
};

bool
ctl_known(const char *cmd)
{
	for (size_t i = 0; i < nitems(cmds); i++)
		if (strcmp(cmds[i].name, cmd) == 0)
			return true;
	return false;
}

bool
ctl_is_readonly(const char *cmd)
{
	for (size_t i = 0; i < nitems(cmds); i++)
		if (strcmp(cmds[i].name, cmd) == 0)
			return (cmds[i].flags & CTL_RO) != 0;
	return true;	/* unknown: let dispatch say so */
}

/*
 * A request of the read-only socket, forwarded by its helper as a checked
 * record (rsockrec_decode()): the request object is made here from the
 * record's fields, never from a client's bytes, and run by the handler
 * that runs it on the control socket, so that the reply is the same.
 */
char *
ctl_forwarded(const struct rsock_req *rq)
{
	struct ctl_conn c = { .ro = true, .uid = (uid_t)rq->uid,
	    .pid = (pid_t)rq->pid };
	struct json_object *req = json_object_new_object();
	struct json_object *reply = json_object_new_object();
	struct sbuf warn = SBUF_INIT;
	struct aerr err = { 0 };
	struct container *ct;
	char *s;
	int r;

	add_str(req, "cmd", rsock_kind_name(rq->kind));
	if (rq->kind == RQ_UBC && (rq->flags & RQF_CTS)) {
		struct json_object *a = json_object_new_array();

		for (uint32_t i = 0; i < rq->nct; i++)
			json_object_array_add(a,
			    json_object_new_string(rq->ct[i]));
		json_object_object_add(req, "cts", a);
	} else if (rq->nct == 1) {
		add_str(req, "ct", rq->ct[0]);
	}
	if (rq->flags & RQF_TABLE)
		json_object_object_add(req, "table",
		    json_object_new_boolean(1));
	if (rq->kind == RQ_PLAN) {
		struct ct_params chg;

		rsock_params_get(&rq->params, &chg);
		if ((r = req_ct(req, &ct, &err)) == 0)
			r = plan_reply(ct, &chg, reply, &warn, &err);
	} else {
		r = ctl_dispatch(&c, req, reply, &warn, &err);
	}
	s = ctl_render(r, reply, &warn, &err);
	sbuf_free(&warn);
	json_object_put(reply);
	json_object_put(req);
	return s;
}

int
ctl_dispatch(struct ctl_conn *c, struct json_object *req,
    struct json_object *reply, struct sbuf *warn, struct aerr *err)
{
	const char *cmd = req_str(req, "cmd");

	sampler_settle();	/* limits a set changed are read back first */
	for (size_t i = 0; i < nitems(cmds); i++)
		if (strcmp(cmds[i].name, cmd) == 0)
			return cmds[i].fn(c, req, reply, warn, err);
	return aerr_set(err, EINVAL, "unknown request '%s'", cmd);
}
