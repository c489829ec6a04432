/*
 * udp_sock.h: a bound loopback UDP socket for the unit tests that need a
 * real peer (test_msess, test_ring).  Include after <cmocka.h>.
 * Thread: single-threaded test binaries.
 */
#ifndef SBC_TESTS_UDP_SOCK_H
#define SBC_TESTS_UDP_SOCK_H

#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct sock {
	int			fd;
	struct sockaddr_storage	addr;	/* where it is bound */
	socklen_t		len;
};

/* 127.0.0.1, a port of the kernel's choice. */
static inline void
sock_open(struct sock *k)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&k->addr;

	memset(k, 0, sizeof(*k));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	k->len = sizeof(*sin);
	assert_int_not_equal(k->fd = socket(AF_INET, SOCK_DGRAM, 0), -1);
	assert_int_equal(bind(k->fd, (struct sockaddr *)&k->addr, k->len), 0);
	assert_int_equal(getsockname(k->fd, (struct sockaddr *)&k->addr,
	    &k->len), 0);
}

#endif
