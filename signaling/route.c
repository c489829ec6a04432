/*
 * route.c: browser call routing (see route.h).
 * Owns: nothing.  Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sbc/conf.h"
#include "signaling/route.h"

static int
rewrite_user(const struct sbc_route *r, const char *user, char *out,
    size_t outlen)
{
	size_t	len = strlen(user), strip = (size_t)r->strip;
	int	n;

	if (strip > len)
		strip = len;
	n = snprintf(out, outlen, "%s%s", r->prepend, user + strip);
	return n < 0 || (size_t)n >= outlen || n == 0 ? -1 : 0;
}

const struct sbc_trunk *
route_select(const struct sbc_config *cfg, const char *user, char *out,
    size_t outlen)
{
	const struct sbc_route	*r;
	size_t			 i;
	int			 n;

	for (i = 0; i < cfg->nroutes; i++) {
		r = &cfg->routes[i];
		if (strncmp(user, r->prefix, strlen(r->prefix)) != 0)
			continue;
		if (rewrite_user(r, user, out, outlen) == -1)
			return NULL;
		return sbc_config_trunk(cfg, r->trunk);
	}
	if (*cfg->default_trunk == '\0')
		return NULL;
	n = snprintf(out, outlen, "%s", user);
	if (n < 0 || (size_t)n >= outlen)
		return NULL;
	return sbc_config_trunk(cfg, cfg->default_trunk);
}
