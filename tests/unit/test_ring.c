/*
 * test_ring.c: cmocka unit tests for media/ring.c, a media worker's
 * io_uring batch, on real loopback sockets: queued receives hand each
 * datagram to the callback with its tag and source, room for the SRTP
 * trailer after it; an empty socket gives nothing and does not block;
 * queued sends reach their peers (connected and unconnected sockets),
 * including sends queued by the callback; a forgotten socket's queued
 * work is dropped, and once closed its port is free again (the ring's
 * file table let go of it); a full slot table says -1 (the caller sends
 * directly).  Watched sockets (multishot receives): the eventfd wakes
 * the caller and the datagram arrives with its tag; more datagrams than
 * provided buffers all arrive (buffers go back as they are handed over);
 * a socket
 * error (ICMP port unreachable) does not end the watch; a datagram with
 * no room for the trailer is dropped and counted; a forgotten watched
 * socket frees its port and its late datagrams reach nobody.
 * Skipped where the kernel refuses io_uring.
 *
 * Thread: single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "media/ring.h"
#include "tests/unit/udp_sock.h"

#define TRAILER	20

struct fix {
	struct mring	*r;
	struct sock	 a, b;
	/* what the callback saw */
	int		 got;
	uint64_t	 tag;
	uint8_t		 pkt[2048];
	size_t		 len;
	struct sockaddr_storage src;
	socklen_t	 srclen;
	int		 echo_fd;	/* >= 0: the callback sends it back */
};

/* k has a datagram within 500 ms: its length, else 0. */
static size_t
sock_recv(struct sock *k, uint8_t *buf, size_t len)
{
	struct pollfd	pfd = { .fd = k->fd, .events = POLLIN };
	ssize_t		n;

	if (poll(&pfd, 1, 500) != 1 ||
	    (n = recv(k->fd, buf, len, MSG_DONTWAIT)) <= 0)
		return 0;
	return (size_t)n;
}

static void
on_packet(void *arg, uint64_t tag, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src, socklen_t srclen)
{
	struct fix	*f = arg;

	f->got++;
	f->tag = tag;
	memcpy(f->pkt, pkt, len);
	f->len = len;
	memcpy(&f->src, src, srclen);
	f->srclen = srclen;
	memset(pkt + len, 0xee, TRAILER);	/* the room is ours */
	if (f->echo_fd >= 0)
		assert_int_equal(mring_send(f->r, f->echo_fd, pkt, len, src,
		    srclen), 0);
}

static int
setup(void **state)
{
	struct fix	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	if (mring_init(&f->r, TRAILER) == -1) {
		free(f);
		print_message("# io_uring refused here: skipped\n");
		skip();
	}
	sock_open(&f->a);
	sock_open(&f->b);
	f->echo_fd = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*f = *state;

	mring_free(f->r);
	close(f->a.fd);
	close(f->b.fd);
	free(f);
	return 0;
}

static void
send_from(struct sock *from, struct sock *to, const char *text)
{
	assert_int_equal(sendto(from->fd, text, strlen(text), 0,
	    (struct sockaddr *)&to->addr, to->len), (ssize_t)strlen(text));
}

/* The callback saw exactly one datagram: text, with tag, from b. */
static void
assert_one_from_b(const struct fix *f, uint64_t tag, const char *text)
{
	assert_int_equal(f->got, 1);
	assert_int_equal(f->tag, tag);
	assert_int_equal(f->len, strlen(text));
	assert_memory_equal(f->pkt, text, f->len);
	assert_int_equal(f->srclen, f->b.len);
	assert_memory_equal(&f->src, &f->b.addr, f->b.len);
}

static void
test_receive(void **state)
{
	struct fix	*f = *state;

	send_from(&f->b, &f->a, "hello ring");
	usleep(10000);
	assert_int_equal(mring_recv(f->r, f->a.fd, 42), 0);
	assert_int_equal(mring_run(f->r, on_packet, f), 0);
	assert_one_from_b(f, 42, "hello ring");
}

/* Nothing to read: no callback, and mring_run() does not wait. */
static void
test_empty_socket(void **state)
{
	struct fix	*f = *state;

	assert_int_equal(mring_recv(f->r, f->a.fd, 7), 0);
	assert_int_equal(mring_run(f->r, on_packet, f), 0);
	assert_int_equal(f->got, 0);
	send_from(&f->b, &f->a, "later");	/* the socket still works */
	usleep(10000);
	assert_int_equal(mring_recv(f->r, f->a.fd, 8), 0);
	mring_run(f->r, on_packet, f);
	assert_int_equal(f->got, 1);
	assert_int_equal(f->tag, 8);
}

static void
test_send(void **state)
{
	struct fix	*f = *state;
	uint8_t		 buf[64];

	assert_int_equal(mring_send(f->r, f->a.fd, "to b", 4, &f->b.addr,
	    f->b.len), 0);
	assert_int_equal(sock_recv(&f->b, buf, sizeof(buf)), 0);	/* queued */
	mring_run(f->r, on_packet, f);
	assert_int_equal(sock_recv(&f->b, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "to b", 4);
	assert_int_equal(connect(f->a.fd, (struct sockaddr *)&f->b.addr,
	    f->b.len), 0);
	assert_int_equal(mring_send(f->r, f->a.fd, "connected", 9, NULL, 0),
	    0);
	mring_run(f->r, on_packet, f);
	assert_int_equal(sock_recv(&f->b, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "connected", 9);
}

/* What a callback sends leaves in the same run. */
static void
test_echo_same_run(void **state)
{
	struct fix	*f = *state;
	uint8_t		 buf[64];

	f->echo_fd = f->a.fd;
	send_from(&f->b, &f->a, "ping");
	usleep(10000);
	assert_int_equal(mring_recv(f->r, f->a.fd, 1), 0);
	mring_run(f->r, on_packet, f);
	assert_int_equal(f->got, 1);
	assert_int_equal(sock_recv(&f->b, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "ping", 4);
}

static void
test_forget(void **state)
{
	struct fix	*f = *state;
	uint8_t		 buf[64];

	send_from(&f->b, &f->a, "unread");
	usleep(10000);
	assert_int_equal(mring_recv(f->r, f->a.fd, 3), 0);
	assert_int_equal(mring_send(f->r, f->a.fd, "unsent", 6, &f->b.addr,
	    f->b.len), 0);
	mring_forget(f->r, f->a.fd);
	mring_run(f->r, on_packet, f);
	assert_int_equal(f->got, 0);
	assert_int_equal(sock_recv(&f->b, buf, sizeof(buf)), 0);
	assert_int_equal(recv(f->a.fd, buf, sizeof(buf), MSG_DONTWAIT), 6);
}

/*
 * A socket the ring has used is in its file table; forgotten and closed,
 * its port can be bound again at once (no socket kept open by the ring).
 */
static void
test_forget_frees_port(void **state)
{
	struct fix	*f = *state;
	struct sock	 again;
	int		 fd;

	send_from(&f->b, &f->a, "used");
	usleep(10000);
	assert_int_equal(mring_recv(f->r, f->a.fd, 4), 0);
	mring_run(f->r, on_packet, f);
	assert_int_equal(f->got, 1);
	mring_forget(f->r, f->a.fd);
	close(f->a.fd);
	assert_int_not_equal(fd = socket(AF_INET, SOCK_DGRAM, 0), -1);
	again = f->a;
	assert_int_equal(bind(fd, (struct sockaddr *)&again.addr, again.len),
	    0);
	f->a.fd = fd;		/* teardown closes it */
}

/* ------------------------------------------------------------ watching */

static void
watch_setup(struct fix *f)
{
	if (mring_watch_fd(f->r) == -1) {
		print_message("# this kernel cannot watch: skipped\n");
		skip();
	}
}

/* The ring's eventfd is signalled within 500 ms: 1, else 0. */
static int
signalled(struct fix *f)
{
	struct pollfd	pfd = { .fd = mring_watch_fd(f->r), .events = POLLIN };

	return poll(&pfd, 1, 500) == 1;
}

/* mring_run() until n datagrams arrived, for at most 2 s; the drops. */
static uint64_t
run_until(struct fix *f, int n)
{
	uint64_t	dropped = 0;
	int		i;

	for (i = 0; i < 200 && f->got < n; i++) {
		dropped += mring_run(f->r, on_packet, f);
		if (f->got < n)
			usleep(10000);
	}
	return dropped;
}

static void
test_watch_receive(void **state)
{
	struct fix	*f = *state;

	watch_setup(f);
	assert_int_equal(mring_watch(f->r, f->a.fd, 77), 0);
	mring_run(f->r, on_packet, f);		/* arms it */
	assert_int_equal(f->got, 0);
	send_from(&f->b, &f->a, "watched");
	assert_true(signalled(f));
	assert_int_equal(mring_run(f->r, on_packet, f), 0);
	assert_one_from_b(f, 77, "watched");
}

/* Three times the provided buffers, queued before the first run: each
 * buffer goes back to the kernel once its datagram was handed over. */
static void
test_watch_many(void **state)
{
	struct fix	*f = *state;
	int		 i, size = 8 << 20;
	char		 text[16];

	watch_setup(f);
	if (setsockopt(f->a.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1) {
		print_message("# not root: no room to queue them all\n");
		skip();
	}
	assert_int_equal(mring_watch(f->r, f->a.fd, 5), 0);
	for (i = 0; i < 3072; i++) {
		snprintf(text, sizeof(text), "n%d", i);
		send_from(&f->b, &f->a, text);
	}
	assert_int_equal(run_until(f, 3072), 0);
	assert_int_equal(f->got, 3072);
	assert_memory_equal(f->pkt, "n3071", 5);
}

/* A connected socket's ICMP error ends its receive with ECONNREFUSED;
 * the watch goes on. */
static void
test_watch_socket_error(void **state)
{
	struct fix	*f = *state;
	struct sock	 again;

	watch_setup(f);
	assert_int_equal(connect(f->a.fd, (struct sockaddr *)&f->b.addr,
	    f->b.len), 0);
	assert_int_equal(mring_watch(f->r, f->a.fd, 9), 0);
	mring_run(f->r, on_packet, f);
	again = f->b;
	close(f->b.fd);			/* b's port: unreachable */
	assert_int_equal(send(f->a.fd, "x", 1, 0), 1);
	usleep(20000);
	mring_run(f->r, on_packet, f);
	assert_int_not_equal(f->b.fd = socket(AF_INET, SOCK_DGRAM, 0), -1);
	assert_int_equal(bind(f->b.fd, (struct sockaddr *)&again.addr,
	    again.len), 0);
	send_from(&f->b, &f->a, "after the error");
	run_until(f, 1);
	assert_int_equal(f->got, 1);
	assert_memory_equal(f->pkt, "after the error", f->len);
}

/* Datagrams cut short by the buffer, or leaving no room for the
 * trailer, are dropped and counted. */
static void
test_watch_too_big(void **state)
{
	struct fix	*f = *state;
	uint8_t		 big[2040];

	watch_setup(f);
	memset(big, 'b', sizeof(big));
	assert_int_equal(mring_watch(f->r, f->a.fd, 3), 0);
	assert_int_equal(sendto(f->b.fd, big, sizeof(big), 0,
	    (struct sockaddr *)&f->a.addr, f->a.len), (ssize_t)sizeof(big));
	assert_int_equal(sendto(f->b.fd, big, 1995, 0,
	    (struct sockaddr *)&f->a.addr, f->a.len), 1995);
	send_from(&f->b, &f->a, "small");
	assert_int_equal(run_until(f, 1), 2);
	assert_int_equal(f->got, 1);
	assert_memory_equal(f->pkt, "small", 5);
}

/* Forgotten and closed: the port is free at once, and what the new
 * socket on it receives reaches nobody (it is not watched). */
static void
test_watch_forget(void **state)
{
	struct fix	*f = *state;
	uint8_t		 buf[64];
	int		 fd;

	watch_setup(f);
	assert_int_equal(mring_watch(f->r, f->a.fd, 11), 0);
	send_from(&f->b, &f->a, "one");
	run_until(f, 1);
	assert_int_equal(f->got, 1);
	send_from(&f->b, &f->a, "late");	/* maybe read, never handed */
	mring_forget(f->r, f->a.fd);
	close(f->a.fd);
	assert_int_not_equal(fd = socket(AF_INET, SOCK_DGRAM, 0), -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&f->a.addr, f->a.len),
	    0);
	f->a.fd = fd;
	send_from(&f->b, &f->a, "new");
	usleep(10000);
	mring_run(f->r, on_packet, f);
	assert_int_equal(f->got, 1);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 3);
}

/* A full slot table refuses; the run frees the slots again. */
static void
test_full(void **state)
{
	struct fix	*f = *state;
	uint8_t		 buf[64];
	int		 i, n = 0, size = 8 << 20;

	if (setsockopt(f->b.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1) {
		print_message("# not root: no room to receive them all\n");
		skip();
	}
	for (i = 0; i < 100000 && mring_send(f->r, f->a.fd, "x", 1,
	    &f->b.addr, f->b.len) == 0; i++)
		n++;
	assert_true(n > 0 && n < 100000);
	assert_int_equal(mring_send(f->r, f->a.fd, "x", 1, &f->b.addr,
	    f->b.len), -1);
	assert_int_equal(mring_run(f->r, on_packet, f), 0);
	assert_int_equal(mring_send(f->r, f->a.fd, "y", 1, &f->b.addr,
	    f->b.len), 0);
	assert_int_equal(mring_run(f->r, on_packet, f), 0);
	for (i = 0; i < n + 1 && sock_recv(&f->b, buf, sizeof(buf)) == 1; i++)
		;
	assert_int_equal(i, n + 1);
	assert_int_equal(buf[0], 'y');
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_socket, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_same_run, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_frees_port, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_receive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_many, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_socket_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_too_big, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_forget, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
