/* SPDX-License-Identifier: ISC */
/* Starting and supervising accountd-exporter: see launch-exporter.c. */
#ifndef ACCT_EXPORTER_H
#define ACCT_EXPORTER_H

int	exporter_init(void);	/* starts it when exporter = yes */
void	exporter_close(void);	/* stops it */

#endif
