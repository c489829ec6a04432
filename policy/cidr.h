/*
 * cidr.h: IPv4/IPv6 address prefixes (CIDR) for ACLs.
 *
 * Pure: parse "192.0.2.0/24", "2001:db8::/32" or a bare address, and match
 * a socket address against a prefix.  IPv4-mapped IPv6 peers
 * (::ffff:a.b.c.d) match IPv4 prefixes.
 * Thread: any (no state).
 */
#ifndef SBC_POLICY_CIDR_H
#define SBC_POLICY_CIDR_H

#include <stdint.h>
#include <sys/socket.h>

struct sbc_cidr {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];	/* network order, host bits cleared */
	int		bits;
};

int	sbc_cidr_parse(const char *, struct sbc_cidr *);	/* 0 / -1 */
int	sbc_cidr_match(const struct sbc_cidr *, const struct sockaddr *);
int	sbc_cidr_match_any(const struct sbc_cidr *, size_t n,
	    const struct sockaddr *);

#endif
