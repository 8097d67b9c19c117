/* SPDX-License-Identifier: ISC */
/* The mapped beancounter store: see bcstore.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bcstore.h"
#include "log.h"

#define BCSTORE_MAGIC	0x41434243u	/* "ACBC" */
#define BCSTORE_VERSION	1

struct bc_header {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	recsize;
	uint32_t	nrec;		/* records the file has room for */
	char		pad[48];
};

static int fd = -1;
static struct bc_header *hdr;
static size_t maplen;

static struct bc_record *
recs(void)
{
	return (struct bc_record *)(void *)(hdr + 1);
}

static size_t
size_for(uint32_t n)
{
	return sizeof(struct bc_header) + (size_t)n * sizeof(struct bc_record);
}

static int
map(size_t len)
{
	void *p;

	if (hdr != NULL)
		munmap(hdr, maplen);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		hdr = NULL;
		return -errno;
	}
	hdr = p;
	maplen = len;
	return 0;
}

int
bcstore_open(const char *path, struct aerr *err)
{
	struct stat st;
	int r;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 || fstat(fd, &st) < 0)
		return aerr_set(err, errno, "%s: %s", path, strerror(errno));
	if ((size_t)st.st_size < sizeof(struct bc_header)) {
		if (ftruncate(fd, (off_t)size_for(64)) < 0)
			return aerr_set(err, errno, "%s: %s", path, strerror(errno));
		if ((r = map(size_for(64))) < 0)
			return aerr_set(err, -r, "%s: mmap: %s", path, strerror(-r));
		memset(hdr, 0, sizeof(*hdr));
		hdr->magic = BCSTORE_MAGIC;
		hdr->version = BCSTORE_VERSION;
		hdr->recsize = sizeof(struct bc_record);
		hdr->nrec = 64;
		return 0;
	}
	if ((r = map((size_t)st.st_size)) < 0)
		return aerr_set(err, -r, "%s: mmap: %s", path, strerror(-r));
	if (hdr->magic != BCSTORE_MAGIC || hdr->version != BCSTORE_VERSION ||
	    hdr->recsize != sizeof(struct bc_record) ||
	    size_for(hdr->nrec) > (size_t)st.st_size) {
		/* keep the old file for inspection; start afresh */
		char *bad = NULL;

		log_err("%s: unknown format; moved aside and started afresh",
		    path);
		if (asprintf(&bad, "%s.bad", path) > 0) {
			rename(path, bad);
			free(bad);
		}
		munmap(hdr, maplen);
		hdr = NULL;
		close(fd);
		return bcstore_open(path, err);
	}
	return 0;
}

void
bcstore_sync(void)
{
	if (hdr != NULL)
		msync(hdr, maplen, MS_ASYNC);
}

void
bcstore_close(void)
{
	if (hdr != NULL) {
		msync(hdr, maplen, MS_SYNC);
		munmap(hdr, maplen);
	}
	if (fd >= 0)
		close(fd);
	hdr = NULL;
	fd = -1;
}

int
bcstore_find(const char *name, bool create)
{
	uint32_t i, free_idx = UINT32_MAX;

	if (hdr == NULL)
		return -1;
	for (i = 0; i < hdr->nrec; i++) {
		struct bc_record *r = &recs()[i];

		if (r->used && strncmp(r->name, name, sizeof(r->name)) == 0)
			return (int)i;
		if (!r->used && free_idx == UINT32_MAX)
			free_idx = i;
	}
	if (!create)
		return -1;
	if (free_idx == UINT32_MAX) {
		uint32_t n = hdr->nrec * 2;

		if (ftruncate(fd, (off_t)size_for(n)) < 0 ||
		    map(size_for(n)) < 0) {
			log_err("beancounter store: cannot grow to %u records: %s",
			    n, strerror(errno));
			return -1;
		}
		free_idx = hdr->nrec;
		hdr->nrec = n;
	}
	memset(&recs()[free_idx], 0, sizeof(struct bc_record));
	snprintf(recs()[free_idx].name, sizeof(recs()[free_idx].name), "%s",
	    name);
	recs()[free_idx].used = 1;
	return (int)free_idx;
}

struct bc_record *
bcstore_rec(int idx)
{
	if (hdr == NULL || idx < 0 || (uint32_t)idx >= hdr->nrec)
		return NULL;
	return &recs()[idx];
}

void
bcstore_forget(const char *name)
{
	int i = bcstore_find(name, false);

	if (i >= 0)
		memset(&recs()[i], 0, sizeof(struct bc_record));
}
