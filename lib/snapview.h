/* SPDX-License-Identifier: ISC */
/*
 * THE reader of the snapshot (snapshot.h) for every program that is not
 * accountd: the exporters, the PCP agent, acctctl's oversell, cpucheck
 * and graph, and the ledger.  A checked copy: names terminated, counts
 * clamped, units and dummy rows fixed, records sorted by name without
 * duplicates; the file is a trust boundary like any input.  A follower
 * takes a new copy only when accountd published a new round, after a
 * look at the header alone.
 *
 * Ownership: a struct sview owns its records; functions that hand out
 * memory say so.
 */
#ifndef ACCT_SNAPVIEW_H
#define ACCT_SNAPVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "snapshot.h"

struct sview {
	struct snap_header h;
	struct snap_ct	*cts;		/* owned; sorted by name, unique */
	size_t		 n;
	/* keep departed records (SNAP_GONE, the ledger's): a name is then
	 * unique among the running and among the departed ones */
	bool		 keep_gone;
};

/* Read a consistent copy and check it (replaces what v held). */
int	sview_load(struct snap *, struct sview *, struct aerr *);
/* Check records in place: terminate strings, clamp counts, sort, drop
 * duplicate names and (unless keep_gone) departed records; returns the
 * number kept. */
size_t	sview_sanitize(struct snap_header *, struct snap_ct *, size_t n,
	    bool keep_gone);
void	sview_free(struct sview *);
const struct snap_ct *sview_find(const struct sview *, const char *name);
/* A row's figure is snap_value() (snapshot.h). */
bool	sv_unlimited(uint64_t v);	/* >= SNAP_UNLIMITED */
/* The name may be used as a file name (RRD): letters, digits, . _ - */
bool	sv_name_ok(const char *);
/* The snapshot's default path next to a control socket path. */
char	*sv_default_path(const char *socket);	/* caller frees */
/* acctctl's: next to -s SOCKET, $ACCTCTL_SOCKET, or the default socket
 * (caller frees). */
char	*sv_cli_path(const char *opt_socket);
/* snap_open + sview_load + snap_close */
int	sv_load_path(const char *path, struct sview *, struct aerr *);

/* Following the file: a new copy only when accountd published a round
 * (a look at the header costs one pread). */
struct sfollow {
	struct snap	 snap;
	char		*path;
	int		 fd;		/* for the look at the header */
	ino_t		 ino;
	bool		 have;
	uint64_t	 pid, rounds, started;
	bool		 keep_gone;	/* as struct sview's */
};

void	sfollow_init(struct sfollow *, const char *path);
void	sfollow_close(struct sfollow *);
/* 1: cur replaced (prev, when given, gets the old cur); 0: no new round;
 * -errno (err set): no snapshot to read. */
int	sfollow_update(struct sfollow *, struct sview *cur, struct sview *prev,
	    struct aerr *);

#endif
