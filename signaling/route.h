/*
 * route.h: which trunk a browser call goes to: the routes of the
 * configuration in order (prefix on the Request-URI user, strip, prepend),
 * else default_trunk.  Pure.  Thread: "signaling", tests.
 */
#ifndef SBC_ROUTE_H
#define SBC_ROUTE_H

#include <stddef.h>

struct sbc_config;
struct sbc_trunk;

/* The trunk, and in out the user to dial on it; NULL when none routes. */
const struct sbc_trunk *route_select(const struct sbc_config *,
	    const char *user, char *out, size_t outlen);

#endif
