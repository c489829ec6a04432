/*
 * ws_handshake.h: HTTP/1.1 opening handshake of RFC 6455 WebSocket for SIP
 * over WebSocket (RFC 7118): request parsing, Sec-WebSocket-Accept, 101
 * and error responses.
 *
 * The parser is stateless: the caller accumulates bytes and calls
 * ws_hs_parse() on the whole buffer again until it stops returning
 * WS_HS_INCOMPLETE (cost bounded by max_bytes).  Only GET and HEAD are
 * allowed (405 otherwise, as soon as the request line is in).  A GET or
 * HEAD without "Upgrade: websocket" is a plain HTTP request (WS_HS_HTTP),
 * not an error; an upgrade must be a GET.  Lines must end in CRLF: a bare LF, obs-fold, NUL or any
 * other control character is rejected with 400.  A request body
 * (Transfer-Encoding, Content-Length other than 0) is rejected with 400.
 *
 * Owns: nothing; the parsed request points into the caller's buffer.
 * Thread: pure; called by the WebSocket edge thread, tests and fuzzers.
 */
#ifndef SBC_SIGNALING_WS_HANDSHAKE_H
#define SBC_SIGNALING_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

#define WS_HS_DEFAULT_MAX_BYTES		8192
#define WS_HS_DEFAULT_MAX_HEADERS	64
#define WS_HS_DEFAULT_MAX_LINE		4096
#define WS_ACCEPT_LEN			28	/* base64 of a SHA-1 */

struct ws_hs_limits {
	size_t		max_bytes;	/* request line + headers + CRLFCRLF */
	size_t		max_headers;	/* header fields */
	size_t		max_line;	/* one line, CRLF excluded */
};

enum ws_hs_result {
	WS_HS_INCOMPLETE,	/* no complete request head yet */
	WS_HS_WEBSOCKET,	/* valid WebSocket upgrade: answer 101 */
	WS_HS_HTTP,		/* valid plain GET */
	WS_HS_ERROR		/* answer req->status and close */
};

/* Not NUL-terminated; p is NULL when the header was absent. */
struct ws_span {
	const char	*p;
	size_t		 len;
};

struct ws_hs_request {
	struct ws_span	method;
	struct ws_span	target;		/* origin-form, starts with '/' */
	struct ws_span	host;
	struct ws_span	origin;
	struct ws_span	key;		/* Sec-WebSocket-Key as sent */
	struct ws_span	protocol;	/* first Sec-WebSocket-Protocol */
	size_t		length;		/* request head incl. CRLFCRLF */
	size_t		nheaders;
	int		http_minor;	/* HTTP/1.x */
	int		version;	/* Sec-WebSocket-Version; -1 absent,
					   -2 malformed */
	bool		upgrade_ws;	/* Upgrade lists "websocket" */
	bool		conn_upgrade;	/* Connection lists "upgrade" */
	bool		sip;		/* "sip" offered (case-sensitive) */
	bool		head;		/* method HEAD (else GET) */
	int		status;		/* WS_HS_ERROR: 400 405 414 426 431 */
	const char	*error;		/* WS_HS_ERROR: static diagnostic */
};

/*
 * Parse the request head at buf[0..len).  lim may be NULL for defaults.
 * Errors in a complete line are reported as soon as the line is in;
 * 431 (414 for the request line) when a line or the head exceeds a limit.
 */
enum ws_hs_result ws_hs_parse(const char *buf, size_t len,
	    const struct ws_hs_limits *lim, struct ws_hs_request *req);

/*
 * out = base64(SHA-1(key + RFC 6455 GUID)), NUL-terminated.  0, or -1 if
 * keylen > 64 or the digest fails.  Needs -lcrypto.
 */
int	ws_accept_key(const char *key, size_t keylen,
	    char out[WS_ACCEPT_LEN + 1]);

/*
 * "101 Switching Protocols" for a WS_HS_WEBSOCKET request, with
 * "Sec-WebSocket-Protocol: sip" when the client offered it.  Returns the
 * length written (NUL excluded), or -1 if it does not fit or fails.
 */
int	ws_hs_response_101(char *out, size_t outlen,
	    const struct ws_hs_request *req);

/*
 * Error response: status line, Connection: close, Content-Length: 0, plus
 * "Allow: GET" on 405 and "Sec-WebSocket-Version: 13" on 426.  Known
 * statuses: 400 403 404 405 414 426 431 500 503.  Returns the length
 * written, or -1 for an unknown status or a too small buffer.
 */
int	ws_hs_response_error(char *out, size_t outlen, int status);

/*
 * The Host header (host[:port], [v6][:port]) against an allow-list of
 * names (case-insensitive; an IPv6 name with or without brackets): 1 if
 * allowed or the list is empty, 0 otherwise (an absent Host too).
 */
int	ws_hs_host_allowed(const struct ws_span *host,
	    const char *const *names, size_t n);

#endif
