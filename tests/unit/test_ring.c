/*
 * test_ring.c: cmocka unit tests for media/ring.c, a media worker's
 * io_uring batch, on real loopback sockets: queued receives hand each
 * datagram to the callback with its tag and source, room for the SRTP
 * trailer after it; an empty socket gives nothing and does not block;
 * queued sends reach their peers (connected and unconnected sockets),
 * including sends queued by the callback; a forgotten socket's queued
 * work is dropped; a full slot table says -1 (the caller sends directly).
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

static void
test_receive(void **state)
{
	struct fix	*f = *state;

	send_from(&f->b, &f->a, "hello ring");
	usleep(10000);
	assert_int_equal(mring_recv(f->r, f->a.fd, 42), 0);
	assert_int_equal(mring_run(f->r, on_packet, f), 0);
	assert_int_equal(f->got, 1);
	assert_int_equal(f->tag, 42);
	assert_int_equal(f->len, strlen("hello ring"));
	assert_memory_equal(f->pkt, "hello ring", f->len);
	assert_int_equal(f->srclen, f->b.len);
	assert_memory_equal(&f->src, &f->b.addr, f->b.len);
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
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
