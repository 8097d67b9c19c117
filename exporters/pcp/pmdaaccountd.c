/* SPDX-License-Identifier: ISC */
/*
 * pmdaaccountd: a Performance Co-Pilot agent (a daemon PMDA) that serves
 * accountd's figures under accountd.*, read from the snapshot accountd
 * publishes after every sampling round (no privilege needed: it runs as
 * the pcp user).  See exporters/pcp/README and docs/exporters.md.
 *
 * Domain 432 (free in PCP's stdpmid; change it in domain.h and Install
 * if a local PMDA already has it).
 *
 * Instance domains, both managed with pmdaCache so that containers come
 * and go: a container keeps its instance number for as long as the PMDA
 * runs, and across restarts when the cache can be saved
 * ($PCP_VAR_DIR/config/pmda/432.*); a container that is gone becomes
 * inactive (left out of instance lists, its number kept for its return).
 *
 *   432.0  containers, by name ("101")
 *   432.1  container::device ("101::8:0"), for accountd.io.*
 *
 * Semantics follow what the figures are: counters (failcnt, CPU time,
 * I/O, pressure stall time) are PM_SEM_COUNTER; what is held now is
 * PM_SEM_INSTANT; limits and settings are PM_SEM_DISCRETE.  Units are
 * bytes for beancounter rows counted in pages or bytes (pages x 4096),
 * counts for the others, microseconds for time.  An unlimited barrier or
 * limit has no value (not a huge number), and a row the running kernel
 * has no source for has no values at all.
 *
 * The metrics (names, identifiers, help, semantics, units) are those of
 * the exporters' metric table, exporters/metrics.c, that /metrics is
 * rendered from too; `pmdaaccountd -N` prints the PMNS and `-H` the help
 * text in newhelp form, which is how exporters/pcp/pmns and help are
 * generated.
 */
#include "config.h"

#include <errno.h>
#include <pcp/pmapi.h>
#include <pcp/pmda.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

#define ACCOUNTD_DOMAIN	432

enum { CT_INDOM, DEV_INDOM, NINDOMS };

struct mdef {
	char		*name;		/* after "accountd." */
	const struct metric *m;		/* its row in metric_table */
	unsigned	 row;		/* MS_ROW: the beancounter row */
	pmDesc		 desc;
	char		*oneline;
	char		*help;
};

static struct mdef *defs;
static size_t ndefs;
static pmdaMetric *metrics;
static pmdaIndom indoms[NINDOMS] = {
	{ CT_INDOM, 0, NULL }, { DEV_INDOM, 0, NULL },
};

static struct sfollow follow;
static struct sview view;
static struct capacity cap;
static char *snap_path;
static int snap_errno;			/* last failure to read, or 0 */

#define U_NONE		((pmUnits)PMDA_PMUNITS(0, 0, 0, 0, 0, 0))
#define U_BYTES		((pmUnits)PMDA_PMUNITS(1, 0, 0, PM_SPACE_BYTE, 0, 0))
#define U_COUNT		((pmUnits)PMDA_PMUNITS(0, 0, 1, 0, 0, PM_COUNT_ONE))
#define U_USEC		((pmUnits)PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_USEC, 0))
#define U_MSEC		((pmUnits)PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_MSEC, 0))
#define U_SEC		((pmUnits)PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_SEC, 0))

/*
 * A metric's PMID is (cluster, item), both written in the table below and
 * never reused: archives and pmlogger configurations name metrics by
 * PMID, so a metric added in the middle must not renumber the others (a
 * new metric takes the next free item of its cluster; a metric removed
 * leaves its number unused).  tests/exporters/pcp-pmids.sh checks the
 * numbers against tests/exporters/pcp-pmids.list.
 */
/*
 * A metric's PMID is (cluster, item), both written in the metric table
 * (exporters/metrics.c) and never reused: archives and pmlogger
 * configurations name metrics by PMID, so a metric added in the middle
 * must not renumber the others (a new metric takes the next free item of
 * its cluster; a metric removed leaves its number unused).
 * tests/exporters/pcp-pmids.sh checks the numbers against
 * tests/exporters/pcp-pmids.list.
 */
static void
def(const char *name, const struct metric *m, unsigned row, unsigned cluster,
    const char *oneline, const char *help)
{
	static const pmUnits units[] = {
		[MU_NONE] = U_NONE, [MU_COUNT] = U_COUNT, [MU_BYTES] = U_BYTES,
		[MU_USEC] = U_USEC, [MU_MSEC] = U_MSEC, [MU_SEC] = U_SEC,
		[MU_CPUPCT] = U_NONE,
	};
	struct mdef *d;
	bool bytes_row = m->scope != MS_ROW ||
	    ub_unit((enum ub_res)row) != UBU_ITEMS;

	for (size_t i = 0; i < ndefs; i++)
		if (pmID_cluster(defs[i].desc.pmid) == cluster &&
		    pmID_item(defs[i].desc.pmid) == m->item) {
			fprintf(stderr, "pmdaaccountd: %s and %s are both "
			    "%u:%u\n", defs[i].name, name, cluster, m->item);
			abort();
		}
	defs = xreallocarray(defs, ndefs + 1, sizeof(*defs));
	d = &defs[ndefs++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	d->m = m;
	d->row = row;
	d->desc.pmid = PMDA_PMID(cluster, m->item);
	d->desc.type = m->flags & MF_STRING ? PM_TYPE_STRING :
	    m->flags & MF_U32 ? PM_TYPE_U32 : PM_TYPE_U64;
	/* serial now; pmdaInit completes it */
	d->desc.indom = m->scope == MS_HOST ? PM_INDOM_NULL :
	    m->scope == MS_DEV ? DEV_INDOM : CT_INDOM;
	d->desc.sem = m->kind == MK_COUNTER ? PM_SEM_COUNTER :
	    m->kind == MK_DISCRETE ? PM_SEM_DISCRETE : PM_SEM_INSTANT;
	d->desc.units = m->unit == MU_BYTES && !bytes_row ? U_COUNT :
	    units[m->unit];
	d->oneline = xstrdup(oneline);
	d->help = xstrdup(help ? help : oneline);
}

/* The PCP metrics of the metric table; a beancounter column is one
 * metric per row, bc.ROW.COLUMN, in cluster CL_BC + ROW. */
static void
build_table(void)
{
	for (size_t i = 0; i < metric_count; i++) {
		const struct metric *m = &metric_table[i];

		if (m->pcp == NULL)
			continue;
		if (m->scope != MS_ROW) {
			def(m->pcp, m, 0, m->cluster, m->pcp_one, m->pcp_help);
			continue;
		}
		for (int r = 0; r < UB_COUNT; r++) {
			const char *res = ub_name((enum ub_res)r);
			bool bytes = ub_unit((enum ub_res)r) != UBU_ITEMS &&
			    m->unit == MU_BYTES;
			char name[64], one[160], help[512];

			if (ub_is_dummy((enum ub_res)r))
				continue;
			snprintf(name, sizeof(name), "bc.%s.%s", res, m->pcp);
			snprintf(one, sizeof(one), "beancounter %s %s", res,
			    m->pcp);
			snprintf(help, sizeof(help), "The %s of the %s beancounter "
			    "(OpenVZ's /proc/user_beancounters column)%s.  %s",
			    m->pcp, res, bytes ? ", in bytes (pages x 4096 for "
			    "rows counted in pages)" : "", m->pcp_help);
			def(name, m, (unsigned)r, CL_BC + (unsigned)r, one, help);
		}
	}
	metrics = xcalloc(ndefs, sizeof(*metrics));
	for (size_t i = 0; i < ndefs; i++) {
		metrics[i].m_user = &defs[i];
		metrics[i].m_desc = defs[i].desc;
	}
}

/* ---- the snapshot and the instance domains ------------------------------ */

static void
refresh(void)
{
	struct aerr err = { 0 };
	pmInDom ct = indoms[CT_INDOM].it_indom, dev = indoms[DEV_INDOM].it_indom;
	int r = sfollow_update(&follow, &view, NULL, &err);

	if (r < 0) {
		if (snap_errno != err.errnum)
			pmNotifyErr(LOG_WARNING, "%s", err.msg);
		snap_errno = err.errnum;
		return;
	}
	snap_errno = 0;
	if (r == 0)
		return;
	capacity_compute(&view.h, view.cts, view.n, &cap);
	pmdaCacheOp(ct, PMDA_CACHE_INACTIVE);
	pmdaCacheOp(dev, PMDA_CACHE_INACTIVE);
	for (size_t i = 0; i < view.n; i++) {
		const struct snap_ct *c = &view.cts[i];

		/* private data: the record's index + 1 in this view */
		pmdaCacheStore(ct, PMDA_CACHE_ADD, c->name,
		    (void *)(uintptr_t)(i + 1));
		for (uint32_t d = 0; d < c->ndev && c->running; d++) {
			char name[96];

			snprintf(name, sizeof(name), "%s::%s", c->name,
			    c->dev[d].dev);
			pmdaCacheStore(dev, PMDA_CACHE_ADD, name,
			    (void *)(uintptr_t)((i + 1) << 4 | d));
		}
	}
	/* instance numbers survive a restart of the PMDA where it may write
	 * $PCP_VAR_DIR/config/pmda; where not, they hold while it runs */
	pmdaCacheOp(ct, PMDA_CACHE_SAVE);
	pmdaCacheOp(dev, PMDA_CACHE_SAVE);
}

static int
ct_fetch(unsigned int inst, struct snap_ct **out, uint32_t *dev)
{
	void *priv = NULL;
	int sts;
	uintptr_t v;
	bool is_dev = dev != NULL;

	sts = pmdaCacheLookup(indoms[is_dev ? DEV_INDOM : CT_INDOM].it_indom,
	    (int)inst, NULL, &priv);
	if (sts != PMDA_CACHE_ACTIVE)
		return PM_ERR_INST;
	v = (uintptr_t)priv;
	if (is_dev) {
		*dev = (uint32_t)(v & 0xf);
		v >>= 4;
	}
	if (v == 0 || v > view.n)
		return PM_ERR_INST;
	*out = &view.cts[v - 1];
	return 0;
}

static int
fetch_cb(pmdaMetric *pm, unsigned int inst, pmAtomValue *atom)
{
	const struct mdef *d = pm->m_user;
	const struct metric *m = d->m;
	struct snap_ct *c = NULL;
	uint32_t dv = 0;
	uint64_t v;
	int sts;

	if (!follow.have)
		return PM_ERR_AGAIN;		/* accountd is not running */
	if (m->scope != MS_HOST) {
		sts = ct_fetch(inst, &c, m->scope == MS_DEV ? &dv : NULL);
		if (sts < 0)
			return sts;
		if (m->scope == MS_DEV && dv >= c->ndev)
			return PM_ERR_INST;
		if (m->src == MS_CGROUP) {
			atom->cp = c->cgroup;
			return PMDA_FETCH_STATIC;
		}
	}
	if (!metric_value(m, m->pcp_when, &view.h, &cap, c,
	    m->scope == MS_ROW ? d->row : dv, &v) ||
	    ((m->flags & MF_LIMIT) && sv_unlimited(v)))
		return PMDA_FETCH_NOVALUES;
	if (m->flags & MF_U32)
		atom->ul = (uint32_t)v;
	else
		atom->ull = v;
	return PMDA_FETCH_STATIC;
}

static pmdaInterface dispatch;

static int
do_fetch(int n, pmID *ids, pmResult **resp, pmdaExt *pmda)
{
	refresh();
	return pmdaFetch(n, ids, resp, pmda);
}

static int
do_instance(pmInDom indom, int inst, char *name, pmInResult **res,
    pmdaExt *pmda)
{
	refresh();
	return pmdaInstance(indom, inst, name, res, pmda);
}

static int
do_text(int ident, int type, char **buf, pmdaExt *pmda)
{
	(void)pmda;
	if (type & PM_TEXT_INDOM) {
		int serial = pmInDom_serial((pmInDom)ident);

		if (serial == CT_INDOM)
			*buf = type & PM_TEXT_ONELINE ? (char *)"accountd's "
			    "containers, by name" : (char *)"Every container "
			    "accountd knows: its own, adopted and discovered "
			    "ones.  A container keeps its instance number while "
			    "it is gone and when it comes back.";
		else if (serial == DEV_INDOM)
			*buf = type & PM_TEXT_ONELINE ? (char *)"container and "
			    "block device" : (char *)"Instances named CONTAINER::"
			    "MAJ:MIN, one per device a running container did I/O "
			    "on.";
		else
			return PM_ERR_TEXT;
		return 0;
	}
	/* defs[] hold the PMIDs without the domain: compare the rest */
	for (size_t i = 0; i < ndefs; i++)
		if (pmID_cluster(defs[i].desc.pmid) == pmID_cluster(ident) &&
		    pmID_item(defs[i].desc.pmid) == pmID_item(ident)) {
			*buf = type & PM_TEXT_ONELINE ? defs[i].oneline :
			    defs[i].help;
			return 0;
		}
	return PM_ERR_TEXT;
}

/* ---- -N and -H: the PMNS and help files from the table ------------------ */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct mdef *)a)->name,
	    ((const struct mdef *)b)->name);
}

/* Print the non-terminal `prefix` (without "accountd.") and below. */
static void
pmns_node(const struct mdef *sorted, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);
	char last[64] = "";

	printf("%s%s%s {\n", "accountd", plen ? "." : "", prefix);
	for (size_t i = 0; i < n; i++) {
		const char *name = sorted[i].name, *rest, *dot;

		if (plen && (strncmp(name, prefix, plen) != 0 ||
		    name[plen] != '.'))
			continue;
		rest = plen ? name + plen + 1 : name;
		dot = strchr(rest, '.');
		if (dot == NULL) {
			printf("\t%-24s ACCOUNTD:%u:%u\n", rest,
			    pmID_cluster(sorted[i].desc.pmid),
			    pmID_item(sorted[i].desc.pmid));
		} else if ((size_t)(dot - rest) < sizeof(last) &&
		    (strlen(last) != (size_t)(dot - rest) ||
		    strncmp(last, rest, (size_t)(dot - rest)) != 0)) {
			snprintf(last, sizeof(last), "%.*s", (int)(dot - rest),
			    rest);
			printf("\t%s\n", last);
		}
	}
	printf("}\n\n");
	/* then each child non-terminal */
	last[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = sorted[i].name, *rest, *dot;
		char child[128];

		if (plen && (strncmp(name, prefix, plen) != 0 ||
		    name[plen] != '.'))
			continue;
		rest = plen ? name + plen + 1 : name;
		if ((dot = strchr(rest, '.')) == NULL)
			continue;
		if (strlen(last) == (size_t)(dot - rest) &&
		    strncmp(last, rest, (size_t)(dot - rest)) == 0)
			continue;
		snprintf(last, sizeof(last), "%.*s", (int)(dot - rest), rest);
		snprintf(child, sizeof(child), "%s%s%s", prefix, plen ? "." : "",
		    last);
		pmns_node(sorted, n, child);
	}
}

static void
print_pmns(void)
{
	struct mdef *sorted = xcalloc(ndefs, sizeof(*sorted));

	memcpy(sorted, defs, ndefs * sizeof(*sorted));
	qsort(sorted, ndefs, sizeof(*sorted), cmp_name);
	printf("/*\n * Metrics of accountd (pmdaaccountd), generated by "
	    "pmdaaccountd -N.\n */\n\n");
	pmns_node(sorted, ndefs, "");
	free(sorted);
}

/* newhelp wants lines it need not split */
static void
print_wrapped(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > 72) {
			cut = 72;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = 72;
		}
		printf("%.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void
print_help(void)
{
	printf("#\n# Help text of accountd's metrics, generated by pmdaaccountd "
	    "-H\n#\n");
	printf("@ ACCOUNTD.%d accountd's containers, by name\n", CT_INDOM);
	printf("Every container accountd knows.\n\n");
	printf("@ ACCOUNTD.%d container and block device\n", DEV_INDOM);
	printf("Instances named CONTAINER::MAJ:MIN.\n\n");
	for (size_t i = 0; i < ndefs; i++) {
		printf("@ accountd.%s %s\n", defs[i].name, defs[i].oneline);
		print_wrapped(defs[i].help);
		printf("\n");
	}
}

/* ---- main ---------------------------------------------------------------- */

static pmLongOptions longopts[] = {
	PMDA_OPTIONS_HEADER("Options"),
	PMOPT_DEBUG,
	PMDAOPT_DOMAIN,
	PMDAOPT_LOGFILE,
	PMDAOPT_USERNAME,
	{ "snapshot", 1, 's', "FILE", "accountd's snapshot "
	    "[" RUNSTATEDIR "/accountd/snapshot]" },
	{ "pmns", 0, 'N', NULL, "print the PMNS and exit" },
	{ "help-text", 0, 'H', NULL, "print the help text (newhelp form) and "
	    "exit" },
	PMOPT_HELP,
	PMDA_OPTIONS_END
};

static pmdaOptions opts = {
	.short_options = "D:d:l:U:s:NH?",
	.long_options = longopts,
};

int
main(int argc, char **argv)
{
	char *username = NULL;
	int c;

	pmSetProgname(argv[0]);
	pmGetUsername(&username);
	build_table();
	pmdaDaemon(&dispatch, PMDA_INTERFACE_7, pmGetProgname(),
	    ACCOUNTD_DOMAIN, "accountd.log", NULL);
	snap_path = xstrdup(RUNSTATEDIR "/accountd/snapshot");
	while ((c = pmdaGetOptions(argc, argv, &opts, &dispatch)) != EOF) {
		switch (c) {
		case 's':
			free(snap_path);
			snap_path = xstrdup(opts.optarg);
			break;
		case 'N':
			print_pmns();
			return 0;
		case 'H':
			print_help();
			return 0;
		default:
			opts.errors++;
		}
	}
	if (opts.errors || opts.optind != argc) {
		pmdaUsageMessage(&opts);
		return 1;
	}
	if (opts.username)
		username = opts.username;
	pmdaOpenLog(&dispatch);
	pmSetProcessIdentity(username);
	sfollow_init(&follow, snap_path);
	dispatch.version.any.fetch = do_fetch;
	dispatch.version.any.instance = do_instance;
	dispatch.version.any.text = do_text;
	pmdaSetFetchCallBack(&dispatch, fetch_cb);
	pmdaSetFlags(&dispatch, PMDA_EXT_FLAG_HASHED);
	pmdaInit(&dispatch, indoms, NINDOMS, metrics, (int)ndefs);
	/* the indom table now holds full pmInDoms; load saved numbers */
	pmdaCacheOp(indoms[CT_INDOM].it_indom, PMDA_CACHE_LOAD);
	pmdaCacheOp(indoms[DEV_INDOM].it_indom, PMDA_CACHE_LOAD);
	pmdaConnect(&dispatch);
	pmNotifyErr(LOG_INFO, "serving accountd.* from %s", snap_path);
	pmdaMain(&dispatch);
	sfollow_close(&follow);
	return 0;
}
