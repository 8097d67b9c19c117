/* SPDX-License-Identifier: ISC */
/*
 * accountd.conf: "key = value" lines, # comments.  One table of keys
 * (conf.c) gives the defaults (the embedded configuration used when no
 * file exists), the parser, `accountd -n` and accountd.conf(5).
 */
#ifndef ACCT_CONF_H
#define ACCT_CONF_H

#include <stdio.h>

#include "err.h"

struct acct_config {
	char		*cgroup_root;
	char		*cgroup_parent;
	char		*ct_conf_dir;
	char		*sample_dir;
	char		*state_dir;
	char		*run_dir;
	char		*socket;
	char		*ro_socket;
	char		*rsock_user;		/* serves ro_socket (rsock.c) */
	char		*socket_group;
	unsigned	 max_connections;	/* per socket */
	unsigned	 max_connections_per_uid; /* per socket, root apart */
	unsigned	 follower_timeout;	/* s output may stay unread */
	char		*pid_file;
	char		*log;
	char		*log_level;
	char		**discover;
	size_t		 ndiscover;
	unsigned	 rescan_interval;
	char		*hook_failure;		/* refuse or allow (accountd-hook) */
	unsigned	 sample_interval;	/* ms */
	unsigned	 hot_interval;		/* ms */
	unsigned	 pids_poll_interval;	/* ms */
	char		*drift;			/* report or restore */
	char		*alert_hook;
	char		*alert_hook_user;
	unsigned	 alert_hook_timeout;	/* s */
	unsigned	 alert_hook_interval;	/* s */
	char		*alertmanager_url;
	char		*notify_user;
	char		*vswap_mode;		/* auto ram kernel off */
	char		*vswap_rate;		/* bytes/s, suffixes allowed */
	char		*guarantee_reserve;	/* N% of host RAM, or bytes */
	char		*meminfo_dir;
	/* the exporter (accountd/launch-exporter.c, exporters/) */
	char		*exporter;		/* yes or no */
	char		*http_listen;
	char		*exporter_user;
	char		*exporter_path;
	char		*metrics_detail;	/* full or basic */
	char		*rrd_dir;
	unsigned	 rrd_step;		/* s */
	char		*rrdcached;
	/* disk quota (accountd/quota.c, docs/quota.md) */
	char		*quota_fallback;	/* userspace or no */
	unsigned	 quota_rescan;		/* s, userspace path */
	/* the billing ledger (accountd/launch-ledger.c, ledger/) */
	char		*ledger;		/* yes or no */
	char		*ledger_user;
	char		*ledger_program;
	char		*ledger_path;
	unsigned	 ledger_interval;	/* s */
	unsigned	 ledger_retention;	/* days, 0: forever */
	unsigned	 ledger_compact;	/* days, 0: never */
	char		*ledger_replica;	/* postgresql:// URI, "": none */
	char		*ledger_replica_password_file;
	char		*ledger_host_id;	/* "": /etc/machine-id */
};

void	config_defaults(struct acct_config *);
int	config_parse(const char *name, const char *text, struct acct_config *,
	    struct aerr *);
int	config_load(const char *path, struct acct_config *, struct aerr *);
int	config_load_all(const char *path, char *const *overrides, size_t n,
	    struct acct_config *, struct aerr *);
int	config_set(struct acct_config *, const char *key, const char *value,
	    struct aerr *);
void	config_finish(struct acct_config *);	/* derive socket paths */
int	config_check(const struct acct_config *, struct aerr *);
void	config_reload(struct acct_config *cur, struct acct_config *nw,
	    void (*warn)(const char *key));
void	config_print(const struct acct_config *, FILE *);
void	config_free(struct acct_config *);

#endif
