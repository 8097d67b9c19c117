/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: a snapshot file as the exporters read it.  The input is
 * the file: read through snap_read and the checks of lib/snapview.c, then
 * rendered as /metrics in both formats, as the dashboard and through the
 * capacity arithmetic, and twice through the exporter's pieces (mcache.c:
 * the records, then the records with the first one's figures moved).
 * Whatever the file holds, nothing may crash, the text must stay one
 * sample per line (labels escaped), and the pieces' body must be the
 * whole render's size.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "expo.h"
#include "fuzz.h"

const char fuzz_target[] = "snapshot";

static void
render_all(const struct snap_header *h, const struct snap_ct *cts, size_t n)
{
	struct sbuf b = SBUF_INIT;
	struct dash_opts o = { .graphs = true };
	struct capacity cap;
	char flags[8];

	metrics_render(h, cts, n, MFMT_TEXT, MD_FULL, &b);
	/* labels are escaped: every sample stays on its line */
	for (const char *l = b.s; l != NULL && *l; ) {
		const char *nl = strchr(l, '\n');

		FUZZ_CHECK(nl != NULL, "an unterminated line");
		FUZZ_CHECK(*l == '#' || memchr(l, ' ', (size_t)(nl - l)) != NULL,
		    "a sample line without a value: %.60s", l);
		l = nl + 1;
	}
	sbuf_reset(&b);
	metrics_render(h, cts, n, MFMT_OPENMETRICS, MD_FULL, &b);
	sbuf_reset(&b);
	dashboard_render(h, cts, n, &o, &b);
	if (n > 0) {
		sbuf_reset(&b);
		o.ct = cts[0].name;
		dashboard_render(h, cts, n, &o, &b);
		capacity_flags(&cts[0], flags, sizeof(flags));
	}
	capacity_compute(h, cts, n, &cap);

	/* the exporter's pieces: the same text, in another order within a
	 * family, and a gzip body; a second round with a change */
	for (int d = 0; d < 2; d++) {
		struct mcache *mc = mcache_new(d ? MD_BASIC : MD_FULL);
		struct snap_ct *copy = calloc(n ? n : 1, sizeof(*copy));

		memcpy(copy, cts, n * sizeof(*copy));
		for (int round = 0; round < 2; round++) {
			size_t len, zlen;
			char *body, *z;

			if (round == 1 && n > 0) {
				copy[0].cpu_usage++;
				copy[0].row[0].held++;
				copy[0].dev[0].rbytes++;
			}
			mcache_update(mc, h, copy, n);
			body = mcache_body(mc, MFMT_OPENMETRICS, false, &len);
			z = mcache_body(mc, MFMT_OPENMETRICS, true, &zlen);
			sbuf_reset(&b);
			metrics_render(h, copy, n, MFMT_OPENMETRICS,
			    d ? MD_BASIC : MD_FULL, &b);
			FUZZ_CHECK(len == b.len, "the pieces' body is %zu bytes, "
			    "the whole render %zu", len, b.len);
			FUZZ_CHECK(z != NULL && zlen > 18, "no gzip body");
			free(body);
			free(z);
		}
		mcache_free(mc);
		free(copy);
	}
	sbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sview v = { .n = 0 };
	struct snap s;
	char path[64];
	int fd;

	if (size > (1 << 20))
		return 0;
	/* 1. as a file, through the reader */
	fd = memfd_create("snapshot", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snap_open(&s, path, NULL);
	if (sview_load(&s, &v, NULL) == 0)
		render_all(&v.h, v.cts, v.n);
	sview_free(&v);
	snap_close(&s);
	close(fd);
	/* 2. the bytes straight into the checks, past the header's claims */
	if (size >= sizeof(struct snap_header)) {
		struct snap_header h;
		size_t n = (size - sizeof(h)) / sizeof(struct snap_ct);
		struct snap_ct *cts = calloc(n ? n : 1, sizeof(*cts));

		memcpy(&h, data, sizeof(h));
		memcpy(cts, data + sizeof(h), n * sizeof(*cts));
		n = sview_sanitize(&h, cts, n, false);
		render_all(&h, cts, n);
		free(cts);
	}
	return 0;
}
