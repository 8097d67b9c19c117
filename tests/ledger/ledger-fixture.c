/* SPDX-License-Identifier: ISC */
/*
 * ledger-fixture LEDGER SQLFILE: make a ledger file with the schema of
 * ledger/store.c and run SQLFILE in it (a fixture of records for the
 * golden tests of acctctl bill).
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "ledger.h"

int
main(int argc, char **argv)
{
	struct lg_store *st;
	struct aerr err = { 0 };
	FILE *f;
	static char sql[1 << 20];
	size_t n;
	char *msg = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: ledger-fixture LEDGER SQLFILE\n");
		return 2;
	}
	if ((f = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	n = fread(sql, 1, sizeof(sql) - 1, f);
	fclose(f);
	sql[n] = '\0';
	if ((st = store_open(argv[1], true, &err)) == NULL) {
		fprintf(stderr, "ledger-fixture: %s\n", err.msg);
		return 1;
	}
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "ledger-fixture: %s: %s\n", argv[2], msg);
		return 1;
	}
	store_close(st);
	return 0;
}
