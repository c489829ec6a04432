/*
 * ws_frame.h: RFC 6455 WebSocket framing, server side (SIP over WebSocket,
 * RFC 7118).
 *
 * An incremental parser for frames coming from a client (which must be
 * masked) that reassembles fragmented messages and enforces every RFC 6455
 * rule a server must check, and an encoder for unmasked server frame
 * headers and close payloads.  No extension is negotiated, so RSV bits
 * must be zero.
 *
 * Owns: a struct ws_parser owns one message buffer, grown by doubling up
 * to max_message on demand and reused for every later message (no
 * allocation per frame), plus a 125-byte buffer for control payloads.
 * Thread: pure; called by the WebSocket edge thread, tests and fuzzers.
 */
#ifndef SBC_SIGNALING_WS_FRAME_H
#define SBC_SIGNALING_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define WS_OP_CONT	0x0
#define WS_OP_TEXT	0x1
#define WS_OP_BINARY	0x2
#define WS_OP_CLOSE	0x8
#define WS_OP_PING	0x9
#define WS_OP_PONG	0xa

#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_BAD_DATA	1007	/* invalid UTF-8 in a text message */
#define WS_CLOSE_TOO_BIG	1009
#define WS_CLOSE_INTERNAL	1011	/* out of memory */

#define WS_DEFAULT_MAX_FRAME	65536
#define WS_DEFAULT_MAX_MESSAGE	65536

/* Payload byte limits; both apply to data frames and messages only. */
struct ws_limits {
	size_t		max_frame;	/* largest data frame payload */
	size_t		max_message;	/* largest reassembled message */
};

enum ws_ev {
	WS_EV_NEED_MORE,	/* all input consumed, no event yet */
	WS_EV_TEXT,		/* complete text message, valid UTF-8 */
	WS_EV_BINARY,		/* complete binary message */
	WS_EV_PING,		/* answer with a PONG carrying data/len */
	WS_EV_PONG,
	WS_EV_CLOSE,		/* valid close frame: terminal */
	WS_EV_ERROR		/* protocol violation: terminal */
};

/*
 * data/len: message or control payload (NULL/0 when empty), the close
 * reason (after the 2-byte code) for CLOSE, a static NUL-terminated
 * diagnostic for ERROR.  close_code, for CLOSE and ERROR, is the code the
 * server should send back: the peer's own code for CLOSE (1000 when the
 * peer sent none), 1002/1007/1009/1011 for ERROR.
 */
struct ws_event {
	enum ws_ev	 type;
	const uint8_t	*data;
	size_t		 len;
	uint16_t	 close_code;
};

/* Opaque in spirit: fields are private to ws_frame.c. */
struct ws_parser {
	struct ws_limits lim;
	uint8_t		*msg;		/* reassembly buffer */
	size_t		 msg_cap;
	size_t		 msg_len;
	uint64_t	 plen;		/* payload length of current frame */
	uint64_t	 remain;	/* payload bytes still to read */
	size_t		 hdr_have;
	size_t		 hdr_need;
	enum ws_ev	 term;		/* terminal event, NEED_MORE if none */
	uint16_t	 term_code;
	uint8_t		 in_payload;
	uint8_t		 opcode;	/* current frame */
	uint8_t		 fin;
	uint8_t		 msg_op;	/* opcode of open message, 0 if none */
	uint8_t		 flush;		/* message delivered, reset next call */
	uint8_t		 hdr[14];
	uint8_t		 mask[4];
	uint8_t		 ctrl[125];
};

/* limits may be NULL for the defaults.  Never allocates.  0 / -1. */
int	ws_parser_init(struct ws_parser *, const struct ws_limits *);
/* Frees the message buffer; the parser may be initialised again. */
void	ws_parser_free(struct ws_parser *);

/*
 * Consume up to len bytes and return how many were consumed.  *ev is
 * WS_EV_NEED_MORE when all len bytes were consumed without completing an
 * event; otherwise the bytes left belong to later frames and must be fed
 * again.  Event data stays valid until the next call.  After CLOSE or
 * ERROR the parser is terminal: it consumes nothing and repeats the
 * terminal type and close_code with no data.
 */
size_t	ws_parse(struct ws_parser *, const uint8_t *buf, size_t len,
	    struct ws_event *ev);

/*
 * Header of an unmasked, FIN=1 server frame carrying payload_len bytes.
 * Returns the header length (2, 4 or 10), or 0 for an unknown opcode or a
 * control frame longer than 125 bytes.
 */
size_t	ws_frame_header(uint8_t out[10], int opcode, size_t payload_len);

/*
 * Close frame payload: big-endian code, then reason (may be NULL) cut to
 * 123 bytes on a UTF-8 character boundary.  code 0 yields an empty
 * payload.  Returns the payload length.
 */
size_t	ws_close_payload(uint8_t out[125], uint16_t code, const char *reason);

#endif
