/*
 * rcvbuf_preload.c: an LD_PRELOAD experiment for the benchmark, not part
 * of the SBC.  After a successful bind() of a UDP socket to a port in
 * MB_RCVBUF_PORTS ("MIN-MAX"), set its receive buffer to MB_RCVBUF bytes
 * (SO_RCVBUFFORCE: needs CAP_NET_ADMIN).  Used to check whether the loss
 * on the shared browser port (media.browser_port) is the socket's default
 * receive buffer (net.core.rmem_default) overflowing:
 *
 *   cc -shared -fPIC -o rcvbuf.so tests/bench/rcvbuf_preload.c -ldl
 *   BENCH_PRELOAD=$PWD/rcvbuf.so MB_RCVBUF=8388608 \
 *       MB_RCVBUF_PORTS=19000-19001 BENCH_BROWSER_PORT=19000 run-bench
 *
 * Owns: nothing.  Thread: any (stateless).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int	bind(int, const struct sockaddr *, socklen_t);

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int	(*real)(int, const struct sockaddr *, socklen_t);
	const char	*ports = getenv("MB_RCVBUF_PORTS");
	const char	*size = getenv("MB_RCVBUF");
	int		 rc, type = 0, lo, hi, port, bytes;
	socklen_t	 tl = sizeof(type);

	if (real == NULL)
		real = (int (*)(int, const struct sockaddr *, socklen_t))
		    dlsym(RTLD_NEXT, "bind");
	if ((rc = real(fd, sa, len)) == -1 || ports == NULL || size == NULL)
		return rc;
	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	else
		return rc;
	if (sscanf(ports, "%d-%d", &lo, &hi) != 2 || port < lo || port > hi ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == -1 ||
	    type != SOCK_DGRAM)
		return rc;
	bytes = atoi(size);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes));
	return rc;
}
