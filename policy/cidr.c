/*
 * cidr.c: CIDR parsing and matching (see cidr.h).
 *
 * Owns: nothing.  Thread: any.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "policy/cidr.h"

static void
clear_host_bits(struct sbc_cidr *c)
{
	int	len = c->family == AF_INET ? 4 : 16;
	int	i, keep;

	for (i = 0; i < len; i++) {
		keep = c->bits - i * 8;
		if (keep >= 8)
			continue;
		c->addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int
sbc_cidr_parse(const char *s, struct sbc_cidr *c)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long		 bits;
	int		 max;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	memset(c, 0, sizeof(*c));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->family = AF_INET6;
	else
		return -1;
	max = c->family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		c->bits = max;
		return 0;
	}
	if (*slash < '0' || *slash > '9')
		return -1;
	bits = strtol(slash, &end, 10);
	if (*end != '\0' || bits < 0 || bits > max)
		return -1;
	c->bits = (int)bits;
	clear_host_bits(c);
	return 0;
}

static int
prefix_equal(const uint8_t *a, const uint8_t *net, int bits)
{
	int	full = bits / 8, rest = bits % 8;
	uint8_t	mask;

	if (memcmp(a, net, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == net[full];
}

int
sbc_cidr_match(const struct sbc_cidr *c, const struct sockaddr *sa)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const uint8_t		*a;

	if (sa->sa_family == AF_INET) {
		if (c->family != AF_INET)
			return 0;
		a = (const uint8_t *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		return prefix_equal(a, c->addr, c->bits);
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (c->family == AF_INET6)
		return prefix_equal(a, c->addr, c->bits);
	if (memcmp(a, mapped, sizeof(mapped)) != 0)
		return 0;
	return prefix_equal(a + 12, c->addr, c->bits);
}

int
sbc_cidr_match_any(const struct sbc_cidr *v, size_t n,
    const struct sockaddr *sa)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (sbc_cidr_match(&v[i], sa))
			return 1;
	return 0;
}
