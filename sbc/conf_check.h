/*
 * conf_check.h: checks that span several configuration keys (references
 * between sections, port ranges, duplicate names), run after the schema
 * walk of conf.c, and the values they derive (media.browser_port unset:
 * the range's first ports, media.pool_min above them).  Also the arena
 * helpers conf.c shares with them.
 * Thread: main (loader).  Pure but for the core count (media.workers 0).
 */
#ifndef SBC_CONF_CHECK_H
#define SBC_CONF_CHECK_H

#include <stddef.h>

struct sbc_config;
struct conf_errors;

int	conf_check(struct sbc_config *, struct conf_errors *);
/* media.workers, or one per core when 0 (at most 64). */
int	conf_media_workers(const struct sbc_config *);
int	conf_split_hostport(const char *, char *host, size_t hostlen,
	    int *port);

void	*conf_alloc(struct sbc_config *, size_t);
const char *conf_strdup(struct sbc_config *, const char *);
void	conf_error(struct conf_errors *, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
