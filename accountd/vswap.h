/* SPDX-License-Identifier: ISC */
/*
 * VSwap emulation (docs/vswap.md): a container may use RAM + SWAP; what it
 * uses above RAM is virtual swap, and the container is slowed down as a
 * swapping machine would be: every byte of vswap traffic (out when it
 * grows past RAM, in when it touches what is out, out again to make room)
 * costs 1/rate seconds, paid by freezing the container.  OpenVZ's kernel
 * did the same per page (25600 pages/s, 100 MB/s).
 */
#ifndef ACCT_VSWAP_H
#define ACCT_VSWAP_H

#include <stdbool.h>
#include <stdint.h>

/* What other modules may know of a container's VSwap (vswap_view());
 * vswap.c keeps it as the first part of its own struct vswap. */
struct vswap_view {
	bool		 active;	/* a VSwap configuration with emulation */
	int		 mode;		/* enum vswap_mode */
	uint64_t	 rate;		/* bytes/s; 0: no slowdown */
	uint64_t	 ram, swap;	/* bytes */
	uint64_t	 held;		/* bytes in virtual swap now */
	uint64_t	 in, out;	/* traffic, bytes, since it started */
	uint64_t	 slowed_us;	/* time frozen to pay for it */
	uint64_t	 stall_us;	/* the kernel's own swap stalls */
	bool		 frozen;	/* frozen by accountd now */
};

struct container;

int	vswap_init(void);
void	vswap_close(void);
int	vswap_host_mode(void);		/* the mode auto chose, or the set one */
void	vswap_start(struct container *);	/* (re)read its settings */
void	vswap_stop(struct container *);	/* thaw if frozen */
void	vswap_account(struct container *, uint64_t usage, uint64_t swapped);
void	vswap_forget(struct container *);	/* its state, with it */
/* A container's VSwap as it is now (all zero: none). */
void	vswap_view(const struct container *, struct vswap_view *);
bool	vswap_active(const struct container *);
/* In ram mode the kernel's ceiling is RAM+swap: true and both in bytes. */
bool	vswap_ram_mode(const struct container *, uint64_t *ram,
	    uint64_t *swap);

#endif
