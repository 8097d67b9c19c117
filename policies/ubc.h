/* SPDX-License-Identifier: ISC */
/*
 * Beancounters: the rows OpenVZ showed per container (held, maxheld,
 * barrier, limit, failcnt) and their text forms.  Pure code: the
 * daemon fills the rows (accountd/sampler.c), acctctl formats them.
 *
 *   ubc_format_proc()	/proc/user_beancounters, byte for byte: "Version:
 *			2.5", the header, "%10s  %-12s %20lu x5" rows, "id:" on
 *			the first row of each container, the fixed order of
 *			24 rows (dummy rows included), no swappages.
 *   ubc_format_resources() /proc/bc/resources: the same rows without the
 *			dummies, with swappages.
 *   ubc_format_vzubc()	vzubc's table: human units, percent of barrier and
 *			limit, -q only the rows that matter, -r failcnt
 *			relative to a previous look, -c colour.
 *
 * A row with no source on the running kernel is not present and is not
 * printed (never shown as 0); dummy rows are printed as OpenVZ did.
 *
 * Both /proc forms start a container with its beancounter id, a number,
 * because OpenVZ's tools (vzubc, scripts matching `^ *[0-9]+:`) read
 * nothing else there.  A container named by a CTID (a number from 1 to
 * BCID_BASE - 1 without leading zeros) is its own id; every other name
 * gets one from BCID_BASE to BCID_LAST, which accountd assigns, keeps in
 * state_dir/bcids and never hands out twice.  OpenVZ's tools accept ids
 * up to INT_MAX; 0 is the host there and never a container here.
 */
#ifndef ACCT_UBC_H
#define ACCT_UBC_H

#include <stdbool.h>
#include <stdint.h>

#include "sbuf.h"

enum ub_res {
	UB_KMEMSIZE, UB_LOCKEDPAGES, UB_PRIVVMPAGES, UB_SHMPAGES, UB_DUMMY0,
	UB_NUMPROC, UB_PHYSPAGES, UB_VMGUARPAGES, UB_OOMGUARPAGES,
	UB_NUMTCPSOCK, UB_NUMFLOCK, UB_NUMPTY, UB_NUMSIGINFO, UB_TCPSNDBUF,
	UB_TCPRCVBUF, UB_OTHERSOCKBUF, UB_DGRAMRCVBUF, UB_NUMOTHERSOCK,
	UB_DCACHESIZE, UB_NUMFILE, UB_DUMMY1, UB_DUMMY2, UB_DUMMY3,
	UB_NUMIPTENT,
	UB_PROC_ROWS,			/* 24 rows in /proc/user_beancounters */
	UB_SWAPPAGES = UB_PROC_ROWS,	/* only in /proc/bc/resources */
	UB_COUNT
};

enum ub_unit { UBU_PAGES, UBU_BYTES, UBU_ITEMS };

struct ub_row {
	uint64_t	held, maxheld, barrier, limit, failcnt;
	bool		present;
};

#define BCID_BASE	2000000000u
#define BCID_LAST	2147483646u

struct ubc {
	char		id[64];		/* the container's name */
	uint32_t	bcid;		/* its beancounter id; 0: unknown */
	struct ub_row	r[UB_COUNT];
};

const char	*ub_name(enum ub_res);
int		 ub_by_name(const char *);	/* -1 if unknown */
enum ub_unit	 ub_unit(enum ub_res);
bool		 ub_is_dummy(enum ub_res);
/* The id a CTID is its own beancounter id by; 0 when name is no CTID. */
uint32_t	 ub_ctid_bcid(const char *name);

void	ubc_format_proc(const struct ubc *, size_t n, struct sbuf *);
void	ubc_format_resources(const struct ubc *, size_t n, struct sbuf *);

struct vzubc_opts {
	bool	quiet;		/* -q: only rows that matter */
	bool	all;		/* -v: also rows with an unlimited barrier */
	bool	color;		/* -c */
	bool	relative;	/* -r: failcnt minus prev's */
	double	qheld;		/* -qh: held/barrier ratio that matters (0.5) */
	double	qmaxheld;	/* -qm: maxheld/barrier ratio (0.8) */
};

/*
 * vzubc's view.  prev (may be NULL) holds the previous look's rows, in
 * the same order, for -r.
 */
void	ubc_format_vzubc(const struct ubc *, size_t n, const struct ubc *prev,
	    const struct vzubc_opts *, struct sbuf *);
void	ub_human(uint64_t v, enum ub_unit, char *buf, size_t len);

#endif
