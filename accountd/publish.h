/* SPDX-License-Identifier: ISC */
/* Publishing the snapshot (lib/snapshot.h) after every sampling round. */
#ifndef ACCT_PUBLISH_H
#define ACCT_PUBLISH_H

struct container;

int	publish_init(void);
void	publish(void);
void	publish_departed(const struct container *);
void	publish_close(void);

#endif
