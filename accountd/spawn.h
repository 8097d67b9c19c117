/* SPDX-License-Identifier: ISC */
/*
 * Every child accountd starts goes through here (spawn.c): fork, the
 * descriptors it is given and no other, its user or its capabilities,
 * no_new_privs, exec; and one reaper for them all.
 */
#ifndef ACCT_SPAWN_H
#define ACCT_SPAWN_H

#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SPAWN_ALL_CAPS	(~0ULL)

struct spawn_how {
	/* the user it runs as (groups: its primary only; no capability
	 * left); NULL: it stays root, with only `caps` */
	const struct passwd	*pw;
	uint64_t		 caps;		/* 1ULL << CAP_x, root only */
	/* descriptors it gets: fd[i] becomes i (-1: /dev/null for 0 and 1,
	 * nothing above; stderr is accountd's unless given) */
	int			 fd[6];
	int			 nfd;		/* how many of fd[] are used */
	bool			 setsid;	/* leads its own process group */
	int			 pdeath;	/* signal when accountd dies, 0: none */
	/* called by spawn_reap() with the wait status, once */
	void			(*exited)(pid_t, int, void *);
	void			*arg;
};

/* >0: the child's pid; -errno.  The child exits 126 when it cannot drop
 * to its user or capabilities, 127 when the exec fails. */
pid_t	spawn(char *const argv[], char *const envp[], const struct spawn_how *);
/* SIGCHLD: collect every child that exited and call its `exited`. */
void	spawn_reap(void);
/* Stop tracking pid (collected by the caller, or no longer wanted). */
void	spawn_forget(pid_t);
/* "accountd" itself, for the helpers it runs as `accountd --NAME`. */
char	*spawn_self(void);

#endif
