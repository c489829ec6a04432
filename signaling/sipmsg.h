/*
 * sipmsg.h: SIP messages on the WebSocket legs, with Sofia-SIP's parser.
 *
 * NTA owns transactions toward PBXs; on the browser side the SBC runs its
 * own (reliable-transport) transaction layer, so it needs to parse what a
 * flow delivers, check it is a usable SIP message, build responses and
 * requests, and turn them back into bytes.  That is this file.
 * Pure: no I/O, no global state; the fuzz harness links it alone.
 * Thread: "signaling" (and tests/fuzzers).
 */
#ifndef SBC_SIPMSG_H
#define SBC_SIPMSG_H

#include <stddef.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_tag.h>

struct sipmsg_limits {
	size_t	max_size;	/* bytes of one message */
	size_t	max_headers;	/* header fields */
	size_t	max_body;	/* body bytes */
};

/*
 * Parse one complete message (a WebSocket message is one SIP message).
 * Returns the msg (caller destroys) or NULL with *status set to the SIP
 * response a request deserves (400, 413, 513), 0 when nothing can be
 * answered (not even a Via/CSeq to answer on), and *why a static text.
 */
msg_t	*sipmsg_parse(const char *buf, size_t len,
	    const struct sipmsg_limits *, int *status, const char **why);

/* Parse whatever can be parsed, for building an error response. */
msg_t	*sipmsg_parse_loose(const char *buf, size_t len);

/*
 * A response to req: Via, From, To (with to_tag when To has none),
 * Call-ID, CSeq copied; then the caller's tags.  NULL on failure.
 */
msg_t	*sipmsg_response(const sip_t *req, int status, const char *phrase,
	    const char *to_tag, tag_type_t, tag_value_t, ...);

/* Serialize (adds Content-Length); *out lives in the msg's home. */
int	sipmsg_bytes(msg_t *, char **out, size_t *len);

/* FNV-1a of a string, for hash maps keyed by Call-ID. */
unsigned long long sipmsg_hash(const char *);

#endif
