/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: a snapshot file as the exporters read it.  The input is
 * the file: read through snap_read and the checks of lib/snapview.c, then
 * rendered as /metrics in both formats, as the dashboard and through the
 * capacity arithmetic.  Whatever the file holds, nothing may crash, and
 * the text must stay one sample per line (labels escaped).
 */
#include "config.h"

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
