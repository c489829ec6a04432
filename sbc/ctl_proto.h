/*
 * ctl_proto.h: the control socket protocol (sbcctl <-> daemon) and its pure
 * daemon-side half: a request line into argv (with limits), replies into
 * lines.
 *
 * Protocol.  A client connects to the UNIX stream socket cli.socket (mode
 * cli.mode, group cli.group) or, when cli.tcp_port is not 0, to TCP
 * 127.0.0.1:cli.tcp_port, and sends one request line:
 *
 *	{"argv":["show","calls"]}\n
 *
 * a JSON object (strict JSON, UTF-8) whose "argv" member is an array of 1 to
 * CTL_MAX_ARGS strings of at most CTL_MAX_ARG bytes without control
 * characters; other members are ignored.  The line is at most
 * CTL_MAX_REQUEST bytes; a client that half-closes (shutdown SHUT_WR) may
 * leave out the final "\n".  The daemon answers with one JSON line
 *
 *	{"status":0,"data":<any JSON value>}\n
 *	{"status":N,"error":"message"}\n		N != 0
 *
 * then closes the connection (one request per connection).  Streaming
 * commands (`sip trace on`: sbc/ctl_trace.h) may send any number of event
 * lines
 *
 *	{"event":<any JSON value>}\n
 *
 * before the final status line; a line with "status" is always the last.
 * A stream has no idle limit and ends when the client closes (or
 * half-closes) the connection, or with a status line (`sip trace off`,
 * the daemon stopping).
 * Status: 0 done; 1 the command failed (error says why); 2 bad request:
 * malformed line, unknown command, wrong number of arguments (sbcctl exits
 * 2 for it, as for its own usage errors).  A client that sends nothing
 * within CTL_IDLE_SECONDS is disconnected without an answer.
 *
 * Owns: nothing (the caller frees what it gets).  Thread: any; pure.
 */
#ifndef SBC_CTL_PROTO_H
#define SBC_CTL_PROTO_H

#include <stddef.h>

#define CTL_MAX_REQUEST		8192	/* bytes of a request line, no \n */
#define CTL_MAX_ARGS		16	/* words of argv */
#define CTL_MAX_ARG		256	/* bytes of one word */
#define CTL_MAX_DEPTH		8	/* JSON nesting of a request */
#define CTL_IDLE_SECONDS	10

enum ctl_status {
	CTL_OK = 0,
	CTL_FAILED = 1,
	CTL_BAD_REQUEST = 2,
};

struct json_object;

struct ctl_request {
	int	 argc;
	char	*argv[CTL_MAX_ARGS + 1];	/* NULL-terminated, owned */
};

/*
 * Parse one request line (len bytes, without its "\n"; a final "\r" and
 * other trailing blanks are ignored).  0: req filled (free it with
 * ctl_request_free); -1: err says what is wrong, req is empty.
 */
int	ctl_proto_parse(const char *line, size_t len, struct ctl_request *req,
	    char *err, size_t errlen);
void	ctl_request_free(struct ctl_request *);

/*
 * Reply lines, "\n"-terminated, malloc'ed (NULL when out of memory).
 * data may be NULL (JSON null); the reply takes no reference on it.
 */
char	*ctl_proto_reply_ok(struct json_object *data);
char	*ctl_proto_reply_error(int status, const char *message);
char	*ctl_proto_event(struct json_object *event);

#endif
