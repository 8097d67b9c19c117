/* SPDX-License-Identifier: ISC */
/* Logging to stderr or syslog: see log.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int		 use_syslog;
static enum log_level	 max_level = LOG_LVL_INFO;
static const char	*log_ident = "accountd";

void
log_init(const char *ident, int to_syslog, enum log_level lvl)
{
	log_ident = ident;
	use_syslog = to_syslog;
	max_level = lvl;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level lvl)
{
	max_level = lvl;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = { "err", "warn", "info", "debug" };
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_msg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *tag[] = { "error", "warning", "info", "debug" };
	char line[2048], ts[32];
	struct timespec now;
	struct tm tm;

	if (lvl > max_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (use_syslog) {
		syslog(prio[lvl], "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s[%s]: %s\n", ts, now.tv_nsec / 1000000,
	    log_ident, tag[lvl], line);
}

#define LOG_FN(name, lvl)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_msg(lvl, fmt, ap);				\
	va_end(ap);					\
}

LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)
