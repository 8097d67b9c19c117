/* SPDX-License-Identifier: ISC */
/*
 * accountd: the daemon's shared state.  One process, one libevent loop;
 * it owns every cgroupfs write (cgroup.c), the container registry
 * (container.c), the watch for containers starting and stopping
 * (watch.c) and the control sockets (control.c, ctl.c).
 */
#ifndef ACCT_ACCOUNTD_H
#define ACCT_ACCOUNTD_H

#include <stdbool.h>
#include <time.h>

#include "beancounter.h"
#include "cgroup.h"
#include "conf.h"
#include "ctconf.h"
#include "params.h"
#include "plan.h"
#include "sbuf.h"
#include "vswap.h"

#define CT_NAME_MAX	64
#define CT_STATUS_MAX	256

enum ct_origin {
	CT_OWN,		/* accountd created the cgroup */
	CT_ADOPTED,	/* an existing cgroup named by CGROUP= */
	CT_DISCOVERED,	/* found by a discover= pattern */
	CT_HOOKED,	/* named by its runtime's hook (accountd-hook) */
};

struct container {
	char		 name[CT_NAME_MAX];
	uint32_t	 bcid;		/* beancounter id (bcid.h); 0: none */
	char		*cgpath;	/* relative to each hierarchy root */
	enum ct_origin	 origin;
	bool		 has_conf;	/* a CTID.conf file exists */
	struct ctconf	 conf;		/* the saved settings (the file) */
	struct ct_params *unsaved;	/* the settings in effect (saved +
					 * unsaved, read with ct_live()) when
					 * they differ from conf.params; NULL:
					 * the same (most containers: 968
					 * bytes each saved) */
	bool		 running;	/* the cgroup exists */
	struct cg_ct	 cg;		/* open while running */
	char		*status_msg;	/* last failure applying at start, at
					 * most CT_STATUS_MAX - 1 bytes; NULL:
					 * none (container.c's ct_status()) */
	time_t		 since;		/* when it was last seen starting */
	uint64_t	 born_ms;	/* this cgroup's birth was seen (wall
					 * ms, its ctime); 0: not seen */
	bool		 adopt_now;	/* acctctl create: no start-up grace */
	bool		 admit_forced;	/* create --force: guarantee admitted */
	bool		 hook_ended;	/* hooked: the runtime said it ended */
	bool		 lean;		/* over the fd budget: nothing kept open */
	int		 dir_holds;	/* lean: users of the open directories */
	unsigned	 fds_taken;	/* budget taken for directories, eventfd */
	struct bc	 bc;		/* accounting, while running */
	/* each module's own state, reached only through its functions */
	struct ct_sampler *smp;		/* sampler.c: while sampled */
	struct vswap	*vs;		/* vswap.c: VSwap emulation */
	struct drift	*drift;		/* drift.c: files accountd wrote */
	struct ct_alerts *alerts;	/* alert.c: hook rate limits */
};

struct event;
struct event_base;

struct accountd {
	struct acct_config  cfg;
	struct cg_layout    layout;
	struct event_base  *base;
	struct container  **cts;	/* container.c's, sorted by name: others
					 * use ct_count() and ct_nth() */
	size_t		    ncts;
	bool		    foreground;
};

extern struct accountd *ad;

/* accountd.c: was key=value given with -o (a reload keeps it)? */
bool	config_from_cmdline(const char *key, const char *value);

/* container.c */
int	ct_name_check(const char *, struct aerr *);
int	ct_cgpath_check(const char *, struct aerr *);
int	ct_cgpath_claim(const char *path, const struct container *self,
	    struct aerr *);
/* the registry, sorted by name: ct_nth(i) for i < ct_count() (borrowed;
 * a container may be deleted by what the loop calls, so recount) */
size_t	ct_count(void);
struct container *ct_nth(size_t i);
struct container *ct_find(const char *name);
struct container *ct_find_bc(const char *name_or_bcid);
struct container *ct_new(const char *name, const char *cgpath,
	    enum ct_origin);
void	ct_delete(struct container *);
void	ct_detach(struct container *);
int	ct_dirs(struct container *, struct aerr *);
void	ct_dirs_done(struct container *);
int	ct_load_all(struct aerr *);
int	ct_load_sample(const char *name, struct ct_params *, struct aerr *);
int	ct_import_file(const char *path, struct ctconf *, struct sbuf *warn,
	    struct aerr *);
int	ct_save(const char *name, const struct ctconf *, struct aerr *);
/* The file a container's settings are saved to (CTID.conf, or where its
 * one link in ct_conf_dir points), and whether it may be rewritten. */
char	*ct_conf_target(const char *name);
bool	cg_within(const char *b, const char *a);	/* a is b or holds it */
int	ct_save_check(const char *target, struct aerr *);
int	ct_set(struct container *, const struct ct_params *chg, bool save,
	    struct sbuf *warn, struct aerr *);
/* around a request (control.c): a set's plan ends after the reply */
void	ct_reply_pending(void);
void	ct_reply_sent(void);
void	ct_caps(const struct container *, const struct ct_params *,
	    struct kcaps *);
int	ct_plan(struct container *, const struct ct_params *,
	    struct kcaps *, struct plan *, struct aerr *);
const struct ct_params *ct_effective(const struct container *);
/* The settings in effect while running (saved + unsaved), and setting
 * them; ct_conf_set() replaces the saved settings (taking cf) and keeps
 * those in effect of a running container as they were. */
const struct ct_params *ct_live(const struct container *);
void	ct_live_set(struct container *, const struct ct_params *);
void	ct_conf_set(struct container *, struct ctconf *cf);
void	ct_params_gc(void);
void	ct_refresh_all(void);
void	ct_refresh_paths(const char *const *paths, size_t npaths);
/* birth and end (docs/billing.md): a hook's request that the runtime
 * just made the container's cgroup calls ct_born_observed() (before or
 * right after the container starts); inotify calls ct_born_path(); the
 * end of a container whose cgroup still exists (destroy, a hook's
 * poststop before the removal) is ct_end(), then ct_detach() */
void	ct_born_observed(struct container *);
void	ct_born_path(const char *relpath);
void	ct_end(struct container *);
const char *ct_discover_pattern(const char *);
void	ct_shutdown(void);
uint64_t ct_nproc(struct container *);
int	ct_enter(struct container *, pid_t, struct aerr *);
uint64_t ct_mem_usage(struct container *);
int	ct_hook_start(const char *name, const char *cgpath,
	    const struct ct_params *extra, struct sbuf *warn, struct aerr *);
void	ct_hook_end(struct container *);

/* watch.c */
int	watch_init(void);
void	watch_update(void);
void	watch_kick(void);
void	watch_kick_path(const char *relpath);
void	watch_close(void);

/* control.c */
int	control_init(void);
void	control_close(void);

#endif
