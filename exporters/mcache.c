/* SPDX-License-Identifier: ISC */
/*
 * /metrics across rounds: render and compress only what changed.
 *
 * At 10,000 containers the body is about 55 MB of text and 5 MB of gzip;
 * rendering it all and compressing it all took four fifths of a scrape.
 * Most containers of a big host are idle: their figures do not move from
 * one round to the next.  So the body is kept in pieces, each a piece of
 * text and the same text as a raw deflate stream ended by a sync flush
 * (byte-aligned, no final block).  Deflate streams like these can be
 * joined: a gzip body is a gzip header, the pieces one after the other,
 * an empty final block, and a trailer whose CRC-32 is the pieces' CRCs
 * combined (crc32_combine; RFC 1951 3.2.3, RFC 1952 2.3).
 *
 * Samples of a family must be contiguous, so pieces are per family:
 *
 *   family f:  head(f)  bucket 0 | bucket 1 | ... | bucket nb-1 |  hot
 *
 * Every container falls in one of nb buckets by a hash of its name (about
 * BUCKET_CTS each).  Per family, a container is "cold" when its samples
 * in that family have not changed for COLD_ROUNDS rounds; the cold ones
 * sit in their bucket's piece, the others in the family's hot piece, in
 * the order of their names.  A round compares each container with the
 * copy of its record kept from the round before (metrics_same, per
 * family, when the records differ at all) and re-renders:
 *
 *   - a bucket piece when a member left it (its samples changed, or the
 *     container is gone) or joined it (unchanged for COLD_ROUNDS rounds);
 *   - the hot piece when a hot sample changed or the hot set did.
 *
 * COLD_ROUNDS = BUCKET_CTS: keeping an idle container hot costs its
 * samples once a round, sending it back costs its bucket's samples once,
 * so it goes back when waiting has cost as much as going (the rent-or-buy
 * rule).  The order within a family is thus by bucket, not by name;
 * neither format asks for an order within a family, and the identity
 * body is the same pieces' text, so both encodings say the same.
 *
 * Memory: the records of the last round (to compare with), the text and
 * the compressed bytes of every piece, about the body's size plus a
 * tenth.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "expo.h"
#include "xalloc.h"

#define BUCKET_CTS	64
#define COLD_ROUNDS	64	/* < 256: idle counts are bytes */

struct piece {
	char		*text;		/* owned; NULL when empty */
	size_t		 tlen;
	unsigned char	*z;		/* owned: raw deflate, sync-flushed */
	size_t		 zlen;
	uint32_t	 crc;		/* crc32 of text */
	size_t		 samples;
};

struct famstate {
	struct piece	*bucket;	/* [nb] */
	struct piece	 hot;
	struct piece	 head[2];	/* [enum mfmt], made once */
	/* the bucket pieces joined, recomputed when one changes */
	uint32_t	 cold_crc;
	size_t		 cold_tlen, cold_samples;
};

struct mcache {
	enum mdetail	 detail;
	const struct mfam *fam;
	size_t		 nfam;
	size_t		 nb;		/* buckets; 0: nothing kept yet */
	struct famstate	*fs;		/* [nfam] */
	bool		*dirty;		/* [nfam * nb]: re-render */
	bool		*hot_dirty;	/* [nfam] */
	/* the containers of the last round, sorted by name: their records,
	 * labels, buckets, and per family the rounds their samples have
	 * been unchanged (COLD_ROUNDS: in the bucket) */
	struct snap_ct	*rec;
	size_t		 n;
	char		**lbl;
	size_t		*lbllen;
	uint32_t	*bkt;
	uint8_t		*idle;		/* [n * nfam] */
	/* bucket members in name order (counting sort): bstart[nb + 1] */
	uint32_t	*bstart, *bmember;
	uint32_t	*scratch;	/* [n] */
	struct snap_header h;
	struct capacity	 cap;
	z_stream	 z;
	bool		 zok, zfailed;
	struct mcache_stats st;
};

static uint32_t
name_hash(const char *s)
{
	uint32_t x = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		x = (x ^ (uint8_t)*s) * 16777619u;
	return x;
}

/* ---- pieces ------------------------------------------------------------- */

static void
piece_free(struct piece *p)
{
	free(p->text);
	free(p->z);
	memset(p, 0, sizeof(*p));
}

/* Take the text of b as the piece's and compress it. */
static void
piece_set(struct mcache *mc, struct piece *p, struct sbuf *b, size_t samples)
{
	size_t cap;

	piece_free(p);
	p->samples = samples;
	if (b->len == 0) {
		sbuf_reset(b);
		return;
	}
	p->tlen = b->len;
	p->text = sbuf_take(b);
	p->crc = (uint32_t)crc32(0, (const unsigned char *)p->text,
	    (uInt)p->tlen);
	mc->st.pieces++;
	mc->st.text_bytes += p->tlen;
	if (!mc->zok || deflateReset(&mc->z) != Z_OK)
		return;		/* p->z NULL: no gzip body */
	cap = deflateBound(&mc->z, p->tlen) + 64;
	p->z = xmalloc(cap);
	mc->z.next_in = (unsigned char *)p->text;
	mc->z.avail_in = (uInt)p->tlen;
	mc->z.next_out = p->z;
	mc->z.avail_out = (uInt)cap;
	/* a sync flush ends the piece on a byte boundary without a final
	 * block, so pieces join */
	if (deflate(&mc->z, Z_SYNC_FLUSH) != Z_OK || mc->z.avail_in != 0 ||
	    mc->z.avail_out == 0) {
		free(p->z);
		p->z = NULL;	/* no gzip body while this piece is kept */
		return;
	}
	p->zlen = cap - mc->z.avail_out;
	p->z = xreallocarray(p->z, p->zlen, 1);
}

/* ---- state ---------------------------------------------------------------- */

static void
forget(struct mcache *mc)
{
	for (size_t f = 0; mc->fs != NULL && f < mc->nfam; f++) {
		for (size_t b = 0; b < mc->nb; b++)
			piece_free(&mc->fs[f].bucket[b]);
		free(mc->fs[f].bucket);
		piece_free(&mc->fs[f].hot);
		piece_free(&mc->fs[f].head[0]);
		piece_free(&mc->fs[f].head[1]);
	}
	free(mc->fs);
	free(mc->dirty);
	free(mc->hot_dirty);
	for (size_t i = 0; i < mc->n; i++)
		free(mc->lbl[i]);
	free(mc->lbl);
	free(mc->lbllen);
	free(mc->bkt);
	free(mc->idle);
	free(mc->rec);
	free(mc->bstart);
	free(mc->bmember);
	free(mc->scratch);
	mc->fs = NULL;
	mc->dirty = mc->hot_dirty = NULL;
	mc->lbl = NULL;
	mc->lbllen = NULL;
	mc->bkt = mc->bstart = mc->bmember = mc->scratch = NULL;
	mc->idle = NULL;
	mc->rec = NULL;
	mc->n = mc->nb = 0;
}

struct mcache *
mcache_new(enum mdetail d)
{
	struct mcache *mc = xcalloc(1, sizeof(*mc));

	mc->detail = d;
	mc->fam = metrics_families(d, &mc->nfam);
	/* level 1: the text compresses about 10x anyway */
	mc->zok = deflateInit2(&mc->z, Z_BEST_SPEED, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) == Z_OK;
	return mc;
}

void
mcache_free(struct mcache *mc)
{
	if (mc == NULL)
		return;
	forget(mc);
	if (mc->zok)
		deflateEnd(&mc->z);
	free(mc);
}

const struct mcache_stats *
mcache_stats(const struct mcache *mc)
{
	return &mc->st;
}

static void
start(struct mcache *mc, size_t n)
{
	forget(mc);
	mc->nb = (n + BUCKET_CTS / 2) / BUCKET_CTS;
	if (mc->nb == 0)
		mc->nb = 1;
	mc->fs = xcalloc(mc->nfam, sizeof(*mc->fs));
	for (size_t f = 0; f < mc->nfam; f++)
		mc->fs[f].bucket = xcalloc(mc->nb, sizeof(struct piece));
	mc->dirty = xcalloc(mc->nfam * mc->nb, sizeof(bool));
	mc->hot_dirty = xcalloc(mc->nfam, sizeof(bool));
	mc->bstart = xcalloc(mc->nb + 1, sizeof(uint32_t));
}

/* Compare the round with the last one, container by container. */
static void
compare(struct mcache *mc, const struct snap_header *h,
    const struct snap_ct *cts, size_t n, bool fresh)
{
	size_t nf = mc->nfam, nb = mc->nb, j = 0;
	char **lbl = xcalloc(n ? n : 1, sizeof(char *));
	size_t *lbllen = xcalloc(n ? n : 1, sizeof(size_t));
	uint32_t *bkt = xcalloc(n ? n : 1, sizeof(uint32_t));
	uint8_t *idle = xcalloc((n ? n : 1) * nf, 1);
	bool same_set = n == mc->n;

	for (size_t i = 0; i <= n; i++) {
		int c = 0;

		/* the old records before cts[i] are gone */
		while (j < mc->n && (i == n ||
		    (c = strcmp(cts[i].name, mc->rec[j].name)) > 0)) {
			for (size_t f = 0; f < nf; f++) {
				if (mc->idle[j * nf + f] >= COLD_ROUNDS)
					mc->dirty[f * nb + mc->bkt[j]] = true;
				else
					mc->hot_dirty[f] = true;
			}
			free(mc->lbl[j]);
			j++;
			same_set = false;
		}
		if (i == n)
			break;
		if (j < mc->n && c == 0) {
			const struct snap_ct *o = &mc->rec[j];
			bool same = memcmp(o, &cts[i], sizeof(*o)) == 0;

			lbl[i] = mc->lbl[j];
			lbllen[i] = mc->lbllen[j];
			bkt[i] = mc->bkt[j];
			for (size_t f = 0; f < nf; f++) {
				uint8_t x = mc->idle[j * nf + f];
				bool *d = &mc->dirty[f * nb + bkt[i]];

				if (mc->fam[f].m->scope == MS_HOST)
					x = COLD_ROUNDS;	/* not kept */
				else if (!same && !metrics_same(&mc->fam[f],
				    mc->detail, h, o, &cts[i])) {
					if (x >= COLD_ROUNDS)
						*d = true;	/* leaves */
					x = 0;
					mc->hot_dirty[f] = true;
				} else if (x < COLD_ROUNDS && ++x == COLD_ROUNDS) {
					*d = true;		/* joins */
					mc->hot_dirty[f] = true;
				}
				idle[i * nf + f] = x;
			}
			if (!same)	/* to compare the next round with */
				mc->rec[j] = cts[i];
			j++;
		} else {
			struct sbuf b = SBUF_INIT;

			/* a new container: hot (it may well be busy); all
			 * are cold in the first round, every bucket is made */
			metrics_label(&b, cts[i].name);
			lbllen[i] = b.len;
			lbl[i] = sbuf_take(&b);
			bkt[i] = name_hash(cts[i].name) % (uint32_t)nb;
			memset(&idle[i * nf], fresh ? COLD_ROUNDS : 0, nf);
			for (size_t f = 0; f < nf; f++)
				if (fresh)
					mc->dirty[f * nb + bkt[i]] = true;
				else
					mc->hot_dirty[f] = true;
			same_set = false;
		}
	}
	free(mc->lbl);
	free(mc->lbllen);
	free(mc->bkt);
	free(mc->idle);
	mc->lbl = lbl;
	mc->lbllen = lbllen;
	mc->bkt = bkt;
	mc->idle = idle;
	/* the records to compare the next round with: when the set is the
	 * same, the changed ones were copied above */
	if (!same_set) {
		free(mc->rec);
		mc->rec = xreallocarray(NULL, n ? n : 1, sizeof(*cts));
		memcpy(mc->rec, cts, n * sizeof(*cts));
		free(mc->bmember);
		free(mc->scratch);
		mc->bmember = xcalloc(n ? n : 1, sizeof(uint32_t));
		mc->scratch = xcalloc(n ? n : 1, sizeof(uint32_t));
	}
	mc->n = n;
	/* bucket members in name order */
	memset(mc->bstart, 0, (nb + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		mc->bstart[bkt[i] + 1]++;
	for (size_t b = 0; b < nb; b++)
		mc->bstart[b + 1] += mc->bstart[b];
	{
		uint32_t *next = xreallocarray(NULL, nb, sizeof(uint32_t));

		memcpy(next, mc->bstart, nb * sizeof(uint32_t));

		for (size_t i = 0; i < n; i++)
			mc->bmember[next[bkt[i]]++] = (uint32_t)i;
		free(next);
	}
}

/* Re-render what the comparison marked. */
static void
render(struct mcache *mc, const struct snap_header *h,
    const struct snap_ct *cts)
{
	size_t nf = mc->nfam, nb = mc->nb;
	struct sbuf b = SBUF_INIT;

	for (size_t f = 0; f < nf; f++) {
		struct famstate *fs = &mc->fs[f];
		const struct mfam *fam = &mc->fam[f];
		bool cold_changed = false;
		size_t k, s;

		if (fam->m->scope == MS_HOST)
			continue;	/* rendered with each body */
		for (size_t bi = 0; bi < nb; bi++) {
			if (!mc->dirty[f * nb + bi])
				continue;
			mc->dirty[f * nb + bi] = false;
			cold_changed = true;
			k = 0;
			for (uint32_t m = mc->bstart[bi]; m < mc->bstart[bi + 1];
			    m++) {
				uint32_t i = mc->bmember[m];

				if (mc->idle[i * nf + f] >= COLD_ROUNDS)
					mc->scratch[k++] = i;
			}
			s = metrics_samples(fam, mc->detail, h, cts, mc->scratch,
			    k, (const char *const *)mc->lbl, mc->lbllen, &b);
			mc->st.rendered += k;
			piece_set(mc, &fs->bucket[bi], &b, s);
		}
		if (mc->hot_dirty[f]) {
			mc->hot_dirty[f] = false;
			k = 0;
			for (size_t i = 0; i < mc->n; i++)
				if (mc->idle[i * nf + f] < COLD_ROUNDS)
					mc->scratch[k++] = (uint32_t)i;
			s = metrics_samples(fam, mc->detail, h, cts, mc->scratch,
			    k, (const char *const *)mc->lbl, mc->lbllen, &b);
			mc->st.rendered += k;
			mc->st.hot += k;
			piece_set(mc, &fs->hot, &b, s);
		}
		if (cold_changed) {
			fs->cold_crc = 0;
			fs->cold_tlen = fs->cold_samples = 0;
			for (size_t bi = 0; bi < nb; bi++) {
				const struct piece *p = &fs->bucket[bi];

				fs->cold_samples += p->samples;
				if (p->tlen == 0)
					continue;
				fs->cold_crc = (uint32_t)crc32_combine(fs->cold_crc,
				    p->crc, (z_off_t)p->tlen);
				fs->cold_tlen += p->tlen;
			}
		}
	}
	sbuf_free(&b);
}

void
mcache_update(struct mcache *mc, const struct snap_header *h,
    const struct snap_ct *cts, size_t n)
{
	bool fresh = mc->nb == 0 ||
	    strcmp(h->cgroup_mode, mc->h.cgroup_mode) != 0 ||
	    n > 4 * mc->nb * BUCKET_CTS ||
	    (mc->nb > 1 && 4 * n < mc->nb * BUCKET_CTS);

	memset(&mc->st, 0, sizeof(mc->st));
	if (fresh)
		start(mc, n);
	compare(mc, h, cts, n, fresh);
	mc->h = *h;
	capacity_compute(h, cts, n, &mc->cap);
	render(mc, h, cts);
}

/* ---- bodies ----------------------------------------------------------------- */

struct gzout {
	struct sbuf	 out;
	uint32_t	 crc;
	size_t		 tlen;
};

static void
gz_add(struct mcache *mc, struct gzout *g, const struct piece *p)
{
	if (p->tlen == 0)
		return;
	if (p->z == NULL) {
		mc->zfailed = true;
		return;
	}
	sbuf_add(&g->out, (const char *)p->z, p->zlen);
	g->crc = (uint32_t)crc32_combine(g->crc, p->crc, (z_off_t)p->tlen);
	g->tlen += p->tlen;
}

/* text that is not kept (the host families, the EOF): compressed here */
static void
gz_text(struct mcache *mc, struct gzout *g, struct sbuf *t)
{
	struct piece p = { 0 };

	piece_set(mc, &p, t, 0);
	gz_add(mc, g, &p);
	piece_free(&p);
}

static void
put_le32(struct sbuf *o, uint32_t v)
{
	char b[4] = { (char)(v & 0xff), (char)((v >> 8) & 0xff),
		(char)((v >> 16) & 0xff), (char)(v >> 24) };

	sbuf_add(o, b, 4);
}

char *
mcache_body(struct mcache *mc, enum mfmt fmt, bool gzip, size_t *len)
{
	/* gzip header: deflate, no name, no time, OS unknown (RFC 1952) */
	static const char gzhead[10] = { 0x1f, (char)0x8b, 8, 0, 0, 0, 0, 0,
		0, (char)0xff };
	struct gzout g = { .out = SBUF_INIT };
	struct sbuf t = SBUF_INIT;

	mc->zfailed = false;
	if (gzip)
		sbuf_add(&g.out, gzhead, sizeof(gzhead));
	for (size_t f = 0; f < mc->nfam; f++) {
		const struct mfam *fam = &mc->fam[f];
		struct famstate *fs = mc->nb ? &mc->fs[f] : NULL;

		if (fam->m->scope == MS_HOST) {
			if (mc->nb != 0)
				metrics_host(fam, fmt, &mc->h, &mc->cap, &t);
			continue;
		}
		if (fs == NULL || fs->cold_samples + fs->hot.samples == 0)
			continue;
		if (!gzip) {
			metrics_head(fam, fmt, &t);
			for (size_t b = 0; b < mc->nb; b++)
				if (fs->bucket[b].tlen > 0)
					sbuf_add(&t, fs->bucket[b].text,
					    fs->bucket[b].tlen);
			if (fs->hot.tlen > 0)
				sbuf_add(&t, fs->hot.text, fs->hot.tlen);
			continue;
		}
		if (t.len > 0)
			gz_text(mc, &g, &t);	/* the host families before */
		if (fs->head[fmt].text == NULL) {
			metrics_head(fam, fmt, &t);
			piece_set(mc, &fs->head[fmt], &t, 0);
		}
		gz_add(mc, &g, &fs->head[fmt]);
		for (size_t b = 0; b < mc->nb; b++) {
			const struct piece *p = &fs->bucket[b];

			if (p->tlen > 0 && p->z == NULL)
				mc->zfailed = true;
			else if (p->tlen > 0)
				sbuf_add(&g.out, (const char *)p->z, p->zlen);
		}
		g.crc = (uint32_t)crc32_combine(g.crc, fs->cold_crc,
		    (z_off_t)fs->cold_tlen);
		g.tlen += fs->cold_tlen;
		gz_add(mc, &g, &fs->hot);
	}
	if (fmt == MFMT_OPENMETRICS)
		sbuf_puts(&t, "# EOF\n");
	if (!gzip) {
		*len = t.len;
		return t.s != NULL ? sbuf_take(&t) : xstrdup("");
	}
	gz_text(mc, &g, &t);
	sbuf_free(&t);
	/* an empty final block with fixed codes, then CRC-32 and ISIZE */
	sbuf_add(&g.out, "\x03\x00", 2);
	put_le32(&g.out, g.crc);
	put_le32(&g.out, (uint32_t)g.tlen);
	if (mc->zfailed) {
		sbuf_free(&g.out);
		return NULL;
	}
	*len = g.out.len;
	return sbuf_take(&g.out);
}
