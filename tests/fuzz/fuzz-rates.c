/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: rates_parse() of acctctl bill's rates file
 * (ledger/rates.c).
 *
 * Properties: a refusal names the file and the line; an accepted file's
 * normalized form (rates_print) parses back to the same rates, and the
 * charges computed with them never overflow into negative amounts.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "ledger.h"

const char fuzz_target[] = "rates";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rates r, again;
	struct aerr err = { 0 };
	struct bill_qty q;
	struct bill_charges c;
	char *text, *printed = NULL;
	size_t plen = 0;
	FILE *f;

	if (size > 65536)
		return 0;
	text = fuzz_strndup(data, size);
	if (rates_parse("r.conf", text, &r, &err) < 0) {
		FUZZ_CHECK(strncmp(err.msg, "r.conf:", 7) == 0,
		    "refusal without file and line: %s", err.msg);
		free(text);
		return 0;
	}
	f = open_memstream(&printed, &plen);
	if (f == NULL)
		abort();
	rates_print(&r, f);
	fclose(f);
	FUZZ_CHECK(rates_parse("printed", printed, &again, &err) == 0,
	    "the printed form is refused: %s", err.msg);
	FUZZ_CHECK(memcmp(&r, &again, sizeof(r)) == 0 ||
	    (r.cpu_hour == again.cpu_hour && r.ram_gib_hour ==
	    again.ram_gib_hour && r.swap_gib_hour == again.swap_gib_hour &&
	    r.disk_gib_hour == again.disk_gib_hour && r.io_gib == again.io_gib
	    && r.io_mops == again.io_mops && r.ram_basis == again.ram_basis &&
	    strcmp(r.currency, again.currency) == 0),
	    "printed form parses to other rates:\n%s", printed);
	memset(&q, 0xff, sizeof(q));	/* the largest quantities */
	rates_apply(&r, &q, &c);
	FUZZ_CHECK(c.cpu >= 0 && c.ram >= 0 && c.io_bytes >= 0 &&
	    c.io_ops >= 0, "a negative charge");
	free(printed);
	free(text);
	return 0;
}
