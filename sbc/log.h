/*
 * log.h: leveled logging to stderr or syslog.
 *
 * Owns: nothing global.  A struct sbc_log lives in the daemon context and
 * every thread reaches it through its own context pointer.  The level is
 * atomic so `log level` (CLI) and reload can change it while threads log.
 * Thread: any.  One call writes one line; lines from threads never mix.
 * Rule: never log secrets (passwords, keys, nonces) nor per packet.
 */
#ifndef SBC_LOG_H
#define SBC_LOG_H

#include <stdarg.h>
#include <stdatomic.h>
#include <syslog.h>

enum sbc_log_dest {
	SBC_LOG_STDERR,
	SBC_LOG_SYSLOG,
};

struct sbc_log {
	atomic_int		level;		/* syslog priority: LOG_ERR..LOG_DEBUG */
	enum sbc_log_dest	dest;
	int			facility;
	char			ident[32];
};

void	sbc_log_init(struct sbc_log *, enum sbc_log_dest, int level,
	    int facility, const char *ident);
void	sbc_log_close(struct sbc_log *);
void	sbc_log_set_level(struct sbc_log *, int level);
int	sbc_log_level_parse(const char *name);	/* -1 when unknown */
const char *sbc_log_level_name(int level);
int	sbc_log_facility_parse(const char *name);	/* -1 when unknown */

void	sbc_logv(struct sbc_log *, int level, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));
void	sbc_logf(struct sbc_log *, int level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define log_err(lg, ...)	sbc_logf((lg), LOG_ERR, __VA_ARGS__)
#define log_warn(lg, ...)	sbc_logf((lg), LOG_WARNING, __VA_ARGS__)
#define log_notice(lg, ...)	sbc_logf((lg), LOG_NOTICE, __VA_ARGS__)
#define log_info(lg, ...)	sbc_logf((lg), LOG_INFO, __VA_ARGS__)
#define log_debug(lg, ...)	sbc_logf((lg), LOG_DEBUG, __VA_ARGS__)

#endif
