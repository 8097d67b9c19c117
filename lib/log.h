/* SPDX-License-Identifier: ISC */
/*
 * Logging for the daemon: to stderr (foreground) or syslog (service).
 * One line per call; callers do not add a newline.  Alerts use
 * log_event(), which writes a structured key=value line.
 */
#ifndef ACCT_LOG_H
#define ACCT_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(const char *ident, int to_syslog, enum log_level);
void	log_set_level(enum log_level);
int	log_level_parse(const char *, enum log_level *);
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_msg(enum log_level, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

#endif
