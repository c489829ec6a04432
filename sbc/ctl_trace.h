/*
 * ctl_trace.h: the messages of `sbcctl sip trace` between the signaling
 * thread and the ctl service, and the bound on what is in flight.
 *
 * `sip trace on [FILTER]` is forwarded to signaling (ctl_forward_from(),
 * with the ctl service and the connection's id); signaling keeps the
 * subscriber (signaling/b2b_trace.c) and, for every SIP message it sends
 * or receives on either leg that FILTER selects, posts a
 * CTL_MSG_TRACE_EVENT (a copy: credentials hidden, at most
 * CTL_TRACE_TEXT_MAX bytes) to the ctl service, which writes it as an
 * {"event":...} line to that connection (ctl_server.c).  No SIP message
 * ever waits for a control client:
 *
 *  - at most CTL_TRACE_INFLIGHT events per subscriber are queued toward
 *    ctl; beyond that signaling drops and counts (the gate below);
 *  - ctl drops and counts when more than CTL_TRACE_OUTBUF bytes already
 *    wait for the client's socket.
 *
 * Either count is reported in the next event's "dropped" member.  When the
 * connection closes (or `sip trace off` ends it), ctl posts
 * CTL_MSG_TRACE_STOP and signaling forgets the subscriber.
 *
 * The gate is the one piece of state both threads touch: two atomic
 * counters (events in flight, references), like struct sbc_stats.
 * Signaling holds one reference per subscriber and one per event; the
 * event's free hook (ctl thread, or whoever destroys the queue) gives its
 * reference back, so either side may go first.
 *
 * Owns: events and the gate until freed.  Thread: events are made in
 * signaling and freed in ctl; ctl_trace_event_line() in ctl.
 */
#ifndef SBC_CTL_TRACE_H
#define SBC_CTL_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sbc/queue.h"

enum {
	/* ctl_query.h has +100 */
	CTL_MSG_TRACE_EVENT = SBC_MSG_FIRST_PRIVATE + 101,	/* sig → ctl */
	CTL_MSG_TRACE_STOP = SBC_MSG_FIRST_PRIVATE + 102,	/* ctl → sig */
};

#define CTL_TRACE_TEXT_MAX	8192		/* bytes of one message */
#define CTL_TRACE_INFLIGHT	64		/* queued, per subscriber */
#define CTL_TRACE_OUTBUF	(256 * 1024)	/* waiting for the client */
#define CTL_TRACE_MAX_SUBS	8		/* traces at once */

enum ctl_trace_dir { CTL_TRACE_IN, CTL_TRACE_OUT };
enum ctl_trace_leg { CTL_TRACE_BROWSER, CTL_TRACE_PBX };

struct ctl_trace_gate;

struct ctl_trace_event {
	struct sbc_qmsg		 hdr;		/* CTL_MSG_TRACE_EVENT; first */
	uint64_t		 client;	/* the ctl connection */
	struct ctl_trace_gate	*gate;
	struct timespec		 when;		/* CLOCK_REALTIME */
	int			 dir;		/* enum ctl_trace_dir */
	int			 leg;		/* enum ctl_trace_leg */
	uint64_t		 dropped;	/* lost before this one */
	size_t			 bytes;		/* text was cut: the whole
						   message's size; else 0 */
	char			 peer[80];	/* "ip:port", "[ip6]:port" */
	size_t			 len;
	char			 text[];	/* len bytes + NUL */
};

struct ctl_trace_stop {
	struct sbc_qmsg		 hdr;		/* CTL_MSG_TRACE_STOP; first */
	uint64_t		 client;
};

/* Signaling: a subscriber's gate (one reference), NULL without memory. */
struct ctl_trace_gate *ctl_trace_gate_new(void);
void	ctl_trace_gate_put(struct ctl_trace_gate *);

/*
 * Signaling: an event for the subscriber behind gate, text copied (len <=
 * CTL_TRACE_TEXT_MAX).  NULL when CTL_TRACE_INFLIGHT events are already in
 * flight for it, or without memory: the caller counts a drop.
 */
struct ctl_trace_event *ctl_trace_event_new(struct ctl_trace_gate *,
	    uint64_t client, int dir, int leg, const char *peer,
	    const char *text, size_t len, size_t bytes);

/* Ctl: tell signaling the connection is gone. */
struct sbc_qmsg *ctl_trace_stop_new(uint64_t client);

/*
 * Ctl: the event as a protocol line (ctl_proto.h)
 *	{"event":{"time":"2025-01-31T12:00:00.123Z","dir":"in","leg":"pbx",
 *	 "peer":"192.0.2.1:5060","text":"INVITE ...","bytes":N,
 *	 "dropped":N}}\n
 * ("bytes" only when text was cut, "dropped" only when not 0); malloc'ed,
 * NULL without memory.
 */
char	*ctl_trace_event_line(const struct ctl_trace_event *, uint64_t dropped);

#endif
