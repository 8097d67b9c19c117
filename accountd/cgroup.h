/* SPDX-License-Identifier: ISC */
/*
 * cgroupfs access.  This file and cgroup.c are the only code in the tree
 * that opens anything under the cgroup mounts:
 *
 *	cg_write()		the one write path (dirfd-relative, never
 *				O_CREAT; the error names file, value, errno)
 *	cg_read(), cg_pread()	the readers (one-shot, and kept fds for the
 *				sampler)
 *
 * A layout is the set of hierarchies the host has (v1: one per controller
 * or co-mounted group; v2: one unified tree; hybrid: both), found under a
 * configurable root.  With cgroup_root=auto, libcgroup finds the mounts;
 * with an explicit root the directories are scanned, which is also how the
 * unit tests point everything at a fake tree of plain files.
 */
#ifndef ACCT_CGROUP_H
#define ACCT_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgparse.h"	/* cg_parse_u64, cg_key_u64 */
#include "err.h"
#include "plan.h"

#define CG_MAX_HIER	12

struct cg_hier {
	char		*path;		/* absolute mount directory */
	int		 version;	/* 1 or 2 */
	int		 fd;		/* O_DIRECTORY fd of the mount root */
	unsigned	 ctrls;		/* 1 << enum cg_ctrl bound here */
};

struct cg_layout {
	struct cg_hier	 hier[CG_MAX_HIER];
	int		 nhier;
	int		 ctrl_hier[CTRL_COUNT];	/* index into hier or -1 */
	int		 primary;	/* watched for containers appearing */
};

/* A container's cgroup: one directory fd per hierarchy (-1: missing). */
struct cg_ct {
	int		 dfd[CG_MAX_HIER];
};

int	cg_layout_detect(const char *root, struct cg_layout *, struct aerr *);
void	cg_layout_free(struct cg_layout *);
int	cg_version(const struct cg_layout *, enum cg_ctrl);
const char *cg_mode_name(const struct cg_layout *);

void	cg_ct_init(struct cg_ct *);
int	cg_ct_open(const struct cg_layout *, const char *relpath,
	    struct cg_ct *, struct aerr *);
void	cg_ct_close(struct cg_ct *);
int	cg_ct_fd(const struct cg_layout *, const struct cg_ct *, enum cg_ctrl);
bool	cg_ct_exists(const struct cg_layout *, const char *relpath);
int	cg_ct_create(const struct cg_layout *, const char *relpath,
	    struct aerr *);
/* cg_ct_create() of the container parent: on v1, each cpuset level made
 * gets cgroup.clone_children (containers get its CPUs at mkdir). */
int	cg_parent_create(const struct cg_layout *, const char *relpath,
	    struct aerr *);
int	cg_ct_remove(const struct cg_layout *, const char *relpath,
	    struct aerr *);
int	cg_attach(const struct cg_layout *, const struct cg_ct *, pid_t,
	    struct aerr *);
int	cg_attach_ctrl(const struct cg_layout *, const struct cg_ct *,
	    enum cg_ctrl, pid_t, struct aerr *);
int	cg_attach_path(const struct cg_layout *, enum cg_ctrl,
	    const char *relpath, pid_t, struct aerr *);
int	cg_pid_cgroup(const struct cg_layout *, enum cg_ctrl, pid_t,
	    char *out, size_t len);
/* Pids in the container (primary hierarchy); *pids is caller-owned. */
int	cg_procs(const struct cg_layout *, const struct cg_ct *, pid_t **pids,
	    size_t *n);

int	cg_write(int dfd, const char *file, const char *val, struct aerr *);
int	cg_write_fd(int fd, const char *file, const char *val, struct aerr *);
int	cg_open_rw(int dfd, const char *file);
ssize_t	cg_read(int dfd, const char *file, char *buf, size_t len);
ssize_t	cg_read_path(const struct cg_layout *, enum cg_ctrl, const char *rel,
	    const char *file, char *buf, size_t len);
int	cg_read_u64(int dfd, const char *file, uint64_t *out);
bool	cg_has_file(int dfd, const char *file);
int	cg_open_counter(int dfd, const char *file);
int	cg_open_counter_path(const struct cg_layout *, enum cg_ctrl,
	    const char *rel, const char *file);
ssize_t	cg_pread(int fd, char *buf, size_t len);

/*
 * The host's facts (CPUs, RAM, swap, disks, controller versions): probed
 * at start and on SIGHUP, kept; cg_host() reads them (no I/O).
 */
void	cg_host_probe(const struct cg_layout *);
const struct kcaps *cg_host(void);
/*
 * What the kernel offers for a container whose cgroup is relpath (which
 * need not exist yet: files are looked up in the nearest existing
 * ancestor; ct, if not NULL, its open directories): the host's facts, the
 * files its controllers offer (learnt once, kept with the host's facts),
 * its CPU period, read now, and, when cpuset is true, its parent's CPUs
 * and memory nodes, read now (left empty otherwise: only a plan that
 * sets cpumask or nodemask needs them).  seen (may be NULL) gets the
 * text of the files of ct's own directories read here and in cg_kstate().
 */
struct cg_seen;
int	cg_kcaps(const struct cg_layout *, const char *relpath,
	    const struct cg_ct *ct, bool cpuset, struct kcaps *,
	    struct cg_seen *seen);
int	cg_kstate(const struct cg_layout *, const struct cg_ct *,
	    struct kstate *, struct cg_seen *seen);

/*
 * Files of the container's cgroup read to make a plan (its CPU period, the
 * v1 memory limits), kept for apply_plan_keep(), which then does not read a
 * file again that already holds the value the plan gives it.  Only for
 * one request: what was read a moment before, with no write between.
 */
#define CG_SEEN_MAX	4
struct cg_seen {
	unsigned	n;
	struct {
		enum cg_ctrl	ctrl;
		char		file[32];
		char		text[32];	/* its first line */
	} f[CG_SEEN_MAX];
};
void	cg_seen_add(struct cg_seen *, enum cg_ctrl, const char *file,
	    const char *text);
/* The text seen of the file, or NULL (seen may be NULL). */
const char *cg_seen_get(const struct cg_seen *, enum cg_ctrl,
	    const char *file);

#endif
