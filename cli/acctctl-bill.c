/* SPDX-License-Identifier: ISC */
/*
 * acctctl bill [--from DATE] [--to DATE] [--rates FILE] [--ct NAME]
 *              [-o text|csv|json] [--ledger FILE]
 * acctctl bill --raw [-o csv|jsonl] ...
 * acctctl bill --status [--ledger FILE]
 * acctctl bill --ledger postgresql://... [--host ID]... (the fleet bill)
 *
 * What containers used over a period, from the billing ledger
 * (docs/billing.md), with the charges of a rates file.  The ledger is
 * read directly and read-only: no daemon round trip, and any user who
 * can read the file can run it.
 *
 * This file is the program acctctl-bill (LIBEXECDIR/accountd, or next to
 * acctctl in the build tree), which `acctctl bill` runs (cmd-bill.c):
 * SQLite and libpq, with libpq's TLS, Kerberos and LDAP libraries, cost
 * every acctctl run about 4 ms of loading and relocation (bench/set-latency.sh).
 * acctctl's -s reaches it as ACCTCTL_SOCKET, its -j as a -j of bill's own.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acctctl.h"
#include "ledger.h"
#include "xalloc.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

const char *opt_socket;	/* acctctl's -s comes as ACCTCTL_SOCKET */
bool opt_json;

static int cmd_bill(struct cmd_args *);

/* as acctctl's (cmd-bill.c), with the same options (bill-opts.c) */
static const struct cmd_entry bill_entry = {
	"bill", BILL_ARGS, BILL_SUMMARY, cmd_bill, 0, bill_opts, 0
};

/* usage_error (args.c) finds the synopsis here */
const struct cmd_entry *
cmd_find(const char *name)
{
	return strcmp(name, bill_entry.name) == 0 ? &bill_entry : NULL;
}

static const char *
ledger_default(void)
{
	const char *s = getenv("ACCTCTL_LEDGER");

	return s ? s : LOCALSTATEDIR "/lib/accountd-ledger/ledger.db";
}

/* the ledger's status file is next to accountd's control socket */
static char *
status_path(void)
{
	const char *s = opt_socket ? opt_socket : getenv("ACCTCTL_SOCKET");
	_cleanup_free_ char *copy = xstrdup(s ? s :
	    RUNSTATEDIR "/accountd/accountd.sock");

	return xasprintf("%s/ledger.status", dirname(copy));
}

static void
month_bounds(int64_t *from, int64_t *to)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	*from = (int64_t)timegm(&tm);
	tm.tm_mon++;
	*to = (int64_t)timegm(&tm);
}

static int64_t
count(struct lg_store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static int
show_status(const char *path)
{
	_cleanup_free_ char *sp = status_path();
	_cleanup_fclose_ FILE *f = fopen(sp, "re");
	struct json_object *writer = json_object_new_object(), *o;
	struct lg_store *st;
	struct aerr err = { 0 };
	char created[64] = "-", last[64] = "-", host[64] = "-";
	int rc = EX_OK;

	if (f != NULL) {
		char line[512];

		while (fgets(line, sizeof(line), f) != NULL) {
			char *e = line + strlen(line), *eq;

			while (e > line && (e[-1] == ' ' || e[-1] == '\n'))
				*--e = '\0';
			if ((eq = strchr(line, '=')) == NULL)
				continue;
			*eq = '\0';
			json_object_object_add(writer, line,
			    json_object_new_string(eq + 1));
			if (!opt_json)
				printf("writer %s=%s\n", line, eq + 1);
			if ((strcmp(line, "state") == 0 || strcmp(line,
			    "replica") == 0) && strcmp(eq + 1, "error") == 0)
				rc = EX_FAIL;
		}
	} else if (!opt_json)
		printf("writer: no status file %s (accountd-ledger not "
		    "running under accountd?)\n", sp);
	if ((st = store_open(path, false, &err)) == NULL) {
		json_object_put(writer);
		fprintf(stderr, "acctctl bill: %s\n", err.msg);
		return EX_FAIL;
	}
	store_meta_get(st, "created", created, sizeof(created));
	store_meta_get(st, "host", host, sizeof(host));
	if (store_meta_get(st, "last_commit", last, sizeof(last)) == 0)
		format_utc(strtoll(last, NULL, 10), last, sizeof(last));
	if (opt_json) {
		o = json_object_new_object();
		json_object_object_add(o, "ledger", json_object_new_string(path));
		json_object_object_add(o, "schema_version", json_object_new_int64(
		    count(st, "PRAGMA user_version")));
		json_object_object_add(o, "created",
		    json_object_new_string(created));
		json_object_object_add(o, "host", json_object_new_string(host));
		json_object_object_add(o, "last_commit",
		    json_object_new_string(last));
		json_object_object_add(o, "records", json_object_new_int64(
		    count(st, "SELECT count(*) FROM usage")));
		json_object_object_add(o, "containers", json_object_new_int64(
		    count(st, "SELECT count(*) FROM container")));
		json_object_object_add(o, "writer", writer);
		print_json(o);
		json_object_put(o);
	} else {
		printf("ledger %s: schema %d, host %s, created %s, last "
		    "commit %s, %lld records, %lld containers\n", path,
		    (int)count(st, "PRAGMA user_version"), host, created, last,
		    (long long)count(st, "SELECT count(*) FROM usage"),
		    (long long)count(st, "SELECT count(*) FROM container"));
		json_object_put(writer);
	}
	store_close(st);
	return rc;
}

static int
cmd_bill(struct cmd_args *a)
{
	const char *path = ledger_default(), *rates_path = args_get(a, "--rates");
	const char *ct = args_get(a, "--ct"), *fmt_s = args_get(a, "-o");
	bool raw = args_has(a, "--raw"), status = args_has(a, "--status");
	int64_t from, to;
	struct rates rates;
	struct aerr err = { 0 };
	enum bill_fmt fmt;
	struct lg_store *st;
	const char *hosts[33] = { NULL };
	size_t nhosts = 0;
	int r;

	month_bounds(&from, &to);
	if (args_get(a, "--ledger") != NULL)
		path = args_get(a, "--ledger");
	for (int k = 0; k < 2; k++) {
		const char *o = k ? "--to" : "--from", *v = args_get(a, o);

		if (v != NULL && parse_utc(v, k ? &to : &from) < 0)
			return usage_error("bill", "bad %s '%s' (accepted: "
			    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)", o, v);
	}
	/* --host may be given again and again */
	if ((r = args_all(a, "--host", hosts, 32)) > 32)
		return usage_error("bill", "at most 32 --host");
	nhosts = (size_t)r;
	if (nhosts > 0 && !replica_is_uri(path))
		return usage_error("bill", "--host needs a fleet ledger "
		    "(--ledger postgresql://...)");
	if (replica_is_uri(path) && (status || raw))
		return usage_error("bill", "%s reads a local ledger only",
		    status ? "--status" : "--raw");
	if (status)
		return show_status(path);
	if (fmt_s == NULL)
		fmt = raw ? BILL_CSV : opt_json ? BILL_JSON : BILL_TEXT;
	else if (!raw && strcmp(fmt_s, "text") == 0)
		fmt = BILL_TEXT;
	else if (strcmp(fmt_s, "csv") == 0)
		fmt = BILL_CSV;
	else if (!raw && strcmp(fmt_s, "json") == 0)
		fmt = BILL_JSON;
	else if (raw && strcmp(fmt_s, "jsonl") == 0)
		fmt = BILL_JSONL;
	else
		return usage_error("bill", "bad -o '%s' (accepted: %s)", fmt_s,
		    raw ? "csv, jsonl with --raw" : "text, csv, json");
	if (from >= to)
		return usage_error("bill", "empty period: --from must be "
		    "before --to");
	rates_defaults(&rates);
	if (rates_path != NULL && rates_load(rates_path, &rates, &err) < 0) {
		fprintf(stderr, "acctctl bill: %s\n", err.msg);
		return EX_USAGE;
	}
	if (replica_is_uri(path)) {
#ifdef HAVE_LIBPQ
		struct fleet_query fq = { path, nhosts ? hosts : NULL };

		r = bill_report_from(fleet_records, &fq, true, from, to, ct,
		    &rates, fmt, stdout, &err);
#else
		(void)hosts;
		r = aerr_set(&err, ENOTSUP, "built without PostgreSQL "
		    "(configure --without-postgresql): no fleet bill");
#endif
		if (r < 0) {
			fprintf(stderr, "acctctl bill: %s\n", err.msg);
			return EX_FAIL;
		}
		return EX_OK;
	}
	if ((st = store_open(path, false, &err)) == NULL) {
		fprintf(stderr, "acctctl bill: %s\n", err.msg);
		return EX_FAIL;
	}
	r = raw ? bill_raw(st, from, to, ct, fmt, stdout, &err) :
	    bill_report(st, from, to, ct, &rates, fmt, stdout, &err);
	store_close(st);
	if (r < 0) {
		fprintf(stderr, "acctctl bill: %s\n", err.msg);
		return EX_FAIL;
	}
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct cmd_args a;
	int r;

	if ((r = args_parse(&bill_entry, argc, argv, &a)) == ARGS_HELP) {
		args_help(&bill_entry, stdout);
		return EX_OK;
	}
	if (r != EX_OK)
		return r;
	opt_json = args_has(&a, "-j");
	r = cmd_bill(&a);
	args_free(&a);
	return r;
}
