/*
 * ring.h: a media worker's io_uring for its per-stream sockets (the PBX
 * leg's RTP/RTCP ports, and the browser leg's in the per-stream port
 * mode).  On this kind of machine a system call costs about as much as
 * the UDP path itself, and a stream at 50 packets/s gives every
 * recvmmsg()/sendto() one packet, so the ring batches them:
 *   - a watched socket (mring_watch) has a multishot receive armed into
 *     the ring's provided buffers.  The kernel defers the reads until the
 *     worker asks (DEFER_TASKRUN) and signals the ring's eventfd, which
 *     the worker's loop watches instead of the sockets;
 *   - where the kernel cannot (before 6.1), readiness comes from the
 *     worker's epoll and mring_recv() queues a one-shot read;
 *   - sends are queued and leave together after the loop iteration.
 *
 * Rules:
 *   - mring_recv() and mring_send() only queue; mring_run() (the worker's
 *     after-iteration hook) submits, runs the watched sockets' reads,
 *     hands each datagram received to the callback, then submits the
 *     sends the callbacks queued;
 *   - every one-shot operation carries MSG_DONTWAIT: a socket with
 *     nothing to read or no room to send answers at once (EAGAIN);
 *   - a datagram handed to the callback may be changed in place, with
 *     `trailer` bytes of room after it, until the callback returns; a
 *     datagram that would leave less room, or was truncated, is dropped
 *     and counted;
 *   - a completion carries the caller's tag (its session id and socket
 *     kind), never a pointer; mring_forget(fd) before closing a socket
 *     cancels its watch, drops what is queued for it and not yet
 *     submitted, and takes it out of the ring's file table (registered
 *     on first use, so the kernel skips a file lookup per operation;
 *     left there, the socket would stay bound after close());
 *   - -1 from a queueing or watching call: not possible here; the caller
 *     does it itself (epoll, a direct send).
 * Owns: the ring, its slots, buffers, file table and eventfd.
 * Thread: the owning media worker only (the ring is single-issuer).
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
/* The eventfd to watch (edge-triggered is enough), -1: no watching. */
int	mring_watch_fd(const struct mring *);
/* Read fd through the ring from now on; its datagrams carry tag. */
int	mring_watch(struct mring *, int fd, uint64_t tag);
int	mring_recv(struct mring *, int fd, uint64_t tag);
/* to == NULL: the socket is connected. */
int	mring_send(struct mring *, int fd, const void *, size_t,
	    const struct sockaddr_storage *to, socklen_t tolen);
void	mring_forget(struct mring *, int fd);
/* Submit, deliver, send; returns the datagrams dropped on the way
 * (sends the kernel refused, receives with no room). */
uint64_t mring_run(struct mring *, mring_packet_fn, void *arg);

#endif
