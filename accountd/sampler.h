/* SPDX-License-Identifier: ISC */
/*
 * When containers are sampled.  Every sample_interval all running
 * containers are sampled (beancounter.c), 64 in each turn of the event
 * loop, so that requests are not held for a whole round.  Failures are
 * seen sooner:
 *   - cgroup v2: inotify on memory.events, memory.swap.events and
 *     pids.events, which the kernel touches on every event;
 *   - cgroup v1: an eventfd on memory.oom_control (OOM) and usage
 *     thresholds at 90% of the memory and memory+swap limits, through
 *     cgroup.event_control; v1 pids.events sends no notification, so
 *     containers with a numproc limit have pids.events read (that one
 *     file) every pids_poll_interval, on a timer of its own;
 *   - after any notification the container is read again a few times in
 *     the next 18 ms (the count can follow its notification);
 *   - a container near a limit (held >= 90% of it) or just notified is
 *     "hot" and is sampled every hot_interval until it cools down.
 * And a container's end is read when its last process leaves: v2
 * inotify on cgroup.events (populated 0), the exit of what `acctctl
 * exec` started (a pidfd), on v1 and v2, and on v1 the exit of its init
 * (a pidfd: v1 has no emptiness signal); destroy reads it last of all
 * (sampler_final).
 */
#ifndef ACCT_SAMPLER_H
#define ACCT_SAMPLER_H

#include <stdbool.h>
#include <sys/types.h>

struct container;

int	sampler_init(void);
void	sampler_close(void);
void	sampler_add(struct container *);
void	sampler_add_deferred(struct container *, bool defer);
void	sampler_remove(struct container *);
void	sampler_heat(struct container *);
void	sampler_limits_changed(struct container *);
void	sampler_settle(void);
void	sampler_final(struct container *);
void	sampler_watch_exit(struct container *, pid_t);

#endif
