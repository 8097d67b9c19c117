/* SPDX-License-Identifier: ISC */
/* Starting and supervising accountd-ledger: see launch-ledger.c. */
#ifndef ACCT_BILLING_H
#define ACCT_BILLING_H

int	billing_init(void);	/* starts it when ledger = yes */
void	billing_close(void);	/* stops it; it writes what it has */
/* The user it runs as (its fallback resolved), NULL when ledger = no. */
const char *billing_user(void);

#endif
