/*
 * ctl_server.h: the control socket service ("ctl"), what sbcctl talks to.
 *
 * In setup (as root, before privileges are dropped) it binds the UNIX
 * socket cli.socket (a stale socket is replaced, one a live process still
 * answers on is left alone with a warning; then cli.mode and cli.group are
 * applied before listen(), so no client sees other permissions) and, when
 * cli.tcp_port is not 0, TCP 127.0.0.1:cli.tcp_port.  It runs a libevent
 * loop: each client sends one request line and gets the reply (protocol:
 * ctl_proto.h; commands: ctl_cmds.h).  At most CTL_MAX_CLIENTS at once;
 * CTL_IDLE_SECONDS to send the request.  `sip trace on` streams: the
 * connection stays open, without idle limit, for the SIP messages
 * signaling posts (ctl_trace.h), until the client closes it, `sip trace
 * off` ends it, or the daemon stops (a last status line then).  The socket and its permissions
 * are not changed by a reload.
 *
 * Owns: the listeners, the clients, the socket file (removed at stop when
 * it is still ours).  Thread: "ctl"; commands that signaling owns block it
 * until signaling answers (bounded, ctl_query.h).
 */
#ifndef SBC_CTL_SERVER_H
#define SBC_CTL_SERVER_H

#include "sbc/service.h"

#define CTL_MAX_CLIENTS		32
#define CTL_FORWARD_MS		3000	/* wait for signaling's answer */

extern const struct sbc_service_ops ctl_ops;

#endif
