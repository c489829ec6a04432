/*
 * ring.h: a media worker's io_uring for its per-stream sockets (the PBX
 * leg's RTP/RTCP ports, and the browser leg's in the per-stream port
 * mode), used as a batch of system calls.  On this kind of machine a
 * system call costs about as much as the UDP path itself, and a stream
 * at 50 packets/s gives every recvmmsg()/sendto() one packet.  Readiness
 * still comes from the worker's epoll (libevent); what the ready sockets
 * have is read, and what the iteration sends is sent, by one
 * io_uring_enter() each after the loop iteration.
 *
 * Rules:
 *   - mring_recv() and mring_send() only queue; mring_run() (the worker's
 *     after-iteration hook) submits, hands each datagram received to the
 *     callback, then submits the sends the callbacks queued;
 *   - every operation carries MSG_DONTWAIT: a socket with nothing to read
 *     or no room to send answers at once (EAGAIN), as the epoll path did;
 *   - a datagram handed to the callback may be changed in place, with
 *     `trailer` bytes of room after it, until the callback returns;
 *   - a completion carries the caller's tag (its session id and socket
 *     kind), never a pointer; mring_forget(fd) before closing a socket
 *     drops what is queued for it and not yet submitted;
 *   - -1 from a queueing call: no room; the caller does it directly.
 * Owns: the ring and its slots (buffers of queued datagrams).
 * Thread: the owning media worker only.
 */
#ifndef SBC_MEDIA_RING_H
#define SBC_MEDIA_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct mring;

typedef void (*mring_packet_fn)(void *arg, uint64_t tag, uint8_t *pkt,
    size_t len, const struct sockaddr_storage *src, socklen_t srclen);

/* 0, or -1 with errno (no io_uring here: the worker stays on epoll). */
int	mring_init(struct mring **, size_t trailer);
void	mring_free(struct mring *);
int	mring_recv(struct mring *, int fd, uint64_t tag);
/* to == NULL: the socket is connected. */
int	mring_send(struct mring *, int fd, const void *, size_t,
	    const struct sockaddr_storage *to, socklen_t tolen);
void	mring_forget(struct mring *, int fd);
/* Submit, deliver, send; returns the sends the kernel refused. */
uint64_t mring_run(struct mring *, mring_packet_fn, void *arg);

#endif
