/*
 * b2b_trace.h: `sbcctl sip trace` in the signaling thread: the table of
 * subscribers and the copies of SIP messages posted to the ctl service
 * (protocol: sbc/ctl_trace.h).
 *
 * Hooks, one line each: every message from a browser (sig_service.c,
 * on_flow_sip, b2b_trace_flow) and to a browser (b2b_browser.c,
 * send_on_flow, b2b_trace) passes here.  The PBX leg needs no hook: while anyone traces, Sofia's
 * tport message log (TPTAG_LOG) is on and its lines are reassembled
 * (signaling/sip_trace.h), so what NTA really sends and receives is seen,
 * retransmissions, its own 100 Trying and ACKs included.  Nothing of it
 * reaches the daemon's log.  With no subscriber, b2b_trace() returns at
 * once and the tport log is off.
 *
 * Owns: struct b2b_trace (b->trace).  Thread: "signaling".
 */
#ifndef SBC_B2B_TRACE_H
#define SBC_B2B_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "sbc/ctl_trace.h"

struct b2b;
struct ctl_query;

/* A message to (CTL_TRACE_OUT) or from a peer on leg (ctl_trace.h). */
void	b2b_trace(struct b2b *, int dir, int leg, const struct sockaddr *peer,
	    const char *text, size_t len);

/* The same for the browser leg, by flow id (the peer looked up). */
void	b2b_trace_flow(struct b2b *, int dir, uint64_t flow, const char *text,
	    size_t len);

/* `sip trace on [FILTER]` forwarded by ctl (b2b_ctl.c's table). */
int	b2b_trace_on(struct b2b *, struct ctl_query *, json_object **out,
	    char *err, size_t errlen);

/* CTL_MSG_TRACE_STOP: the connection is gone. */
void	b2b_trace_stop(struct b2b *, uint64_t client);

/* At teardown, before b2b_destroy(). */
void	b2b_trace_free(struct b2b *);

#endif
