/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: rates_parse() of acctctl bill's rates file
 * (ledger/rates.c).
 *
 * Properties: a refusal names the file and the line; an accepted file's
 * normalized form (rates_print) parses back to the same rates, and the
 * charges computed with them never overflow into negative amounts: no
 * charge and no total is negative, and the total is the sum of the
 * charges, saturated at INT64_MAX (checked in 128 bits, so a wrapped sum
 * fails here in a build without sanitizers too).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "ledger.h"

const char fuzz_target[] = "rates";

static void
check_charges(const struct bill_charges *c)
{
	__int128 sum = (__int128)c->cpu + c->ram + c->swap + c->disk +
	    c->io_bytes + c->io_ops;

	FUZZ_CHECK(c->cpu >= 0 && c->ram >= 0 && c->swap >= 0 &&
	    c->disk >= 0 && c->io_bytes >= 0 && c->io_ops >= 0,
	    "a negative charge: cpu %jd ram %jd swap %jd disk %jd io %jd "
	    "ops %jd", (intmax_t)c->cpu, (intmax_t)c->ram, (intmax_t)c->swap,
	    (intmax_t)c->disk, (intmax_t)c->io_bytes, (intmax_t)c->io_ops);
	FUZZ_CHECK(c->total >= 0, "a negative total: %jd",
	    (intmax_t)c->total);
	FUZZ_CHECK(c->total == (sum > INT64_MAX ? INT64_MAX : (int64_t)sum),
	    "the total %jd is not the saturated sum of the charges",
	    (intmax_t)c->total);
}

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
	    r.cpu_basis == again.cpu_basis && strcmp(r.currency, again.currency) == 0),
	    "printed form parses to other rates:\n%s", printed);
	memset(&q, 0xff, sizeof(q));	/* the largest quantities */
	rates_apply(&r, &q, &c);
	check_charges(&c);
	memset(&q, 0, sizeof(q));
	rates_apply(&r, &q, &c);
	FUZZ_CHECK(c.total == 0, "nothing used costs %jd", (intmax_t)c.total);
	for (size_t i = 0; i < 64; i += 7) {
		/* quantities where the sum fits and where it does not */
		uint64_t v = UINT64_MAX >> i;

		q = (struct bill_qty){ v, v, v, v, v, v, v, v, v, v, v, v, v,
		    v, v };
		rates_apply(&r, &q, &c);
		check_charges(&c);
	}
	free(printed);
	free(text);
	return 0;
}
