/*
 * log.c: leveled logging to stderr (timestamped, thread-named) or syslog.
 *
 * Owns: the syslog connection when dest is syslog.
 * Thread: any; the line is formatted in a stack buffer and written with a
 * single write(2) so lines from different threads never interleave.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sbc/log.h"

struct name_value {
	const char	*name;
	int		 value;
};

static const struct name_value levels[] = {
	{ "error", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

static const struct name_value facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static int
lookup(const struct name_value *tab, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcasecmp(tab[i].name, name) == 0)
			return tab[i].value;
	return -1;
}

int
sbc_log_level_parse(const char *name)
{
	return lookup(levels, sizeof(levels) / sizeof(levels[0]), name);
}

int
sbc_log_facility_parse(const char *name)
{
	return lookup(facilities, sizeof(facilities) / sizeof(facilities[0]),
	    name);
}

const char *
sbc_log_level_name(int level)
{
	size_t	i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].value == level)
			return levels[i].name;
	return "?";
}

void
sbc_log_init(struct sbc_log *lg, enum sbc_log_dest dest, int level,
    int facility, const char *ident)
{
	atomic_store(&lg->level, level);
	lg->dest = dest;
	lg->facility = facility;
	snprintf(lg->ident, sizeof(lg->ident), "%s", ident);
	if (dest == SBC_LOG_SYSLOG)
		openlog(lg->ident, LOG_PID | LOG_NDELAY, facility);
}

void
sbc_log_close(struct sbc_log *lg)
{
	if (lg->dest == SBC_LOG_SYSLOG)
		closelog();
}

void
sbc_log_set_level(struct sbc_log *lg, int level)
{
	atomic_store(&lg->level, level);
}

static void log_stderr(struct sbc_log *, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_stderr(struct sbc_log *lg, int level, const char *fmt, va_list ap)
{
	char		 line[2048], tname[16] = "?";
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	pthread_getname_np(pthread_self(), tname, sizeof(tname));
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s %s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, lg->ident,
	    (int)getpid(), tname, sbc_log_level_name(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void
sbc_logv(struct sbc_log *lg, int level, const char *fmt, va_list ap)
{
	if (level > atomic_load(&lg->level))
		return;
	if (lg->dest == SBC_LOG_SYSLOG)
		vsyslog(level, fmt, ap);
	else
		log_stderr(lg, level, fmt, ap);
}

void
sbc_logf(struct sbc_log *lg, int level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sbc_logv(lg, level, fmt, ap);
	va_end(ap);
}
