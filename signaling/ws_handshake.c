/*
 * ws_handshake.c: parse the HTTP/1.1 WebSocket opening request (RFC 6455
 * section 4.2.1, RFC 7118 "sip" subprotocol), compute Sec-WebSocket-Accept
 * with OpenSSL EVP, and format the 101 and error responses.
 *
 * Owns: nothing; parsed fields point into the caller's buffer.
 * Thread: pure; called by the WebSocket edge thread, tests and fuzzers.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "signaling/ws_handshake.h"

struct hdr_handler {
	const char	*name;		/* lower case */
	int		(*fn)(struct ws_hs_request *, struct ws_span);
};

struct status_reason {
	int		 status;
	const char	*reason;
};

static int	h_host(struct ws_hs_request *, struct ws_span);
static int	h_origin(struct ws_hs_request *, struct ws_span);
static int	h_upgrade(struct ws_hs_request *, struct ws_span);
static int	h_connection(struct ws_hs_request *, struct ws_span);
static int	h_key(struct ws_hs_request *, struct ws_span);
static int	h_version(struct ws_hs_request *, struct ws_span);
static int	h_protocol(struct ws_hs_request *, struct ws_span);
static int	h_content_length(struct ws_hs_request *, struct ws_span);
static int	h_transfer_encoding(struct ws_hs_request *, struct ws_span);

static const struct hdr_handler handlers[] = {
	{ "host", h_host },
	{ "origin", h_origin },
	{ "upgrade", h_upgrade },
	{ "connection", h_connection },
	{ "sec-websocket-key", h_key },
	{ "sec-websocket-version", h_version },
	{ "sec-websocket-protocol", h_protocol },
	{ "content-length", h_content_length },
	{ "transfer-encoding", h_transfer_encoding },
};

static const struct status_reason reasons[] = {
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 414, "URI Too Long" },
	{ 426, "Upgrade Required" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
hs_fail(struct ws_hs_request *req, int status, const char *why)
{
	req->status = status;
	req->error = why;
	return -1;
}

static enum ws_hs_result
hs_error(struct ws_hs_request *req, int status, const char *why)
{
	hs_fail(req, status, why);
	return WS_HS_ERROR;
}

static int
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive: does s[0..n) equal the lower-case lit? */
static int
ci_eq(const char *s, size_t n, const char *lit)
{
	size_t	i;

	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

/* Does the comma-separated list v contain tok? */
static int
list_has(struct ws_span v, const char *tok, int ci)
{
	size_t	i = 0, s, e, tl = strlen(tok);

	while (i <= v.len) {
		for (s = i; i < v.len && v.p[i] != ','; i++)
			;
		for (e = i; s < e && is_ows(v.p[s]); s++)
			;
		for (; e > s && is_ows(v.p[e - 1]); e--)
			;
		if (ci ? ci_eq(v.p + s, e - s, tok) :
		    e - s == tl && memcmp(v.p + s, tok, tl) == 0)
			return 1;
		i++;
	}
	return 0;
}

static int
set_once(struct ws_hs_request *req, struct ws_span *dst, struct ws_span v,
    const char *why)
{
	if (dst->p != NULL)
		return hs_fail(req, 400, why);
	*dst = v;
	return 0;
}

static int
h_host(struct ws_hs_request *req, struct ws_span v)
{
	return set_once(req, &req->host, v, "duplicate Host");
}

static int
h_origin(struct ws_hs_request *req, struct ws_span v)
{
	return set_once(req, &req->origin, v, "duplicate Origin");
}

static int
h_key(struct ws_hs_request *req, struct ws_span v)
{
	return set_once(req, &req->key, v, "duplicate Sec-WebSocket-Key");
}

static int
h_upgrade(struct ws_hs_request *req, struct ws_span v)
{
	if (list_has(v, "websocket", 1))
		req->upgrade_ws = true;
	return 0;
}

static int
h_connection(struct ws_hs_request *req, struct ws_span v)
{
	if (list_has(v, "upgrade", 1))
		req->conn_upgrade = true;
	return 0;
}

static int
h_protocol(struct ws_hs_request *req, struct ws_span v)
{
	if (req->protocol.p == NULL)
		req->protocol = v;
	if (list_has(v, "sip", 0))
		req->sip = true;
	return 0;
}

/* RFC 6455 version-number: 0-255 without leading zeros. */
static int
h_version(struct ws_hs_request *req, struct ws_span v)
{
	size_t	i;
	int	n = 0;

	if (req->version != -1)
		return hs_fail(req, 400, "duplicate Sec-WebSocket-Version");
	req->version = -2;
	if (v.len == 0 || v.len > 3 || (v.len > 1 && v.p[0] == '0'))
		return 0;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
		n = n * 10 + (v.p[i] - '0');
	}
	if (n <= 255)
		req->version = n;
	return 0;
}

static int
h_content_length(struct ws_hs_request *req, struct ws_span v)
{
	size_t	i;

	for (i = 0; i < v.len && v.p[i] == '0'; i++)
		;
	if (v.len == 0 || i != v.len)
		return hs_fail(req, 400, "request body not allowed");
	return 0;
}

static int
h_transfer_encoding(struct ws_hs_request *req, struct ws_span v)
{
	(void)v;
	return hs_fail(req, 400, "request body not allowed");
}

/* 22 base64 characters and "==": exactly 16 bytes once decoded. */
static int
key_valid(struct ws_span k)
{
	size_t	i;
	char	c;

	if (k.p == NULL || k.len != 24 || k.p[22] != '=' || k.p[23] != '=')
		return 0;
	for (i = 0; i < 22; i++) {
		c = k.p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

/* "HTTP/1.0" or "HTTP/1.1". */
static int
parse_version(struct ws_hs_request *req, const char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/1.", 7) != 0 ||
	    (s[7] != '0' && s[7] != '1'))
		return hs_fail(req, 400, "bad HTTP version");
	req->http_minor = s[7] - '0';
	return 0;
}

static int
request_line(struct ws_hs_request *req, const char *l, size_t n)
{
	const unsigned char	*u = (const unsigned char *)l;
	size_t			 i, t;

	for (i = 0; i < n && is_tchar(u[i]); i++)
		;
	if (i == 0 || i == n || u[i] != ' ')
		return hs_fail(req, 400, "bad method");
	req->method = (struct ws_span){ l, i };
	for (t = ++i; i < n && u[i] > 0x20 && u[i] < 0x7f; i++)
		;
	if (i == t || i == n || u[i] != ' ')
		return hs_fail(req, 400, "bad request target");
	req->target = (struct ws_span){ l + t, i - t };
	if (parse_version(req, l + i + 1, n - i - 1) == -1)
		return -1;
	if (l[t] != '/')
		return hs_fail(req, 400, "request target not origin-form");
	if (req->method.len == 4 && memcmp(l, "HEAD", 4) == 0)
		req->head = true;
	else if (req->method.len != 3 || memcmp(l, "GET", 3) != 0)
		return hs_fail(req, 405, "method not allowed");
	return 0;
}

static int
header_line(struct ws_hs_request *req, const struct ws_hs_limits *lim,
    const char *l, size_t n)
{
	const unsigned char	*u = (const unsigned char *)l;
	size_t			 i, nl, v, e;

	if (is_ows(l[0]))
		return hs_fail(req, 400, "obs-fold");
	if (++req->nheaders > lim->max_headers)
		return hs_fail(req, 431, "too many header fields");
	for (nl = 0; nl < n && is_tchar(u[nl]); nl++)
		;
	if (nl == 0 || nl == n || u[nl] != ':')
		return hs_fail(req, 400, "bad header name");
	for (v = nl + 1; v < n && is_ows(l[v]); v++)
		;
	for (e = n; e > v && is_ows(l[e - 1]); e--)
		;
	for (i = v; i < e; i++)
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			return hs_fail(req, 400, "bad header value");
	for (i = 0; i < NELEM(handlers); i++)
		if (ci_eq(l, nl, handlers[i].name))
			return handlers[i].fn(req,
			    (struct ws_span){ l + v, e - v });
	return 0;
}

/*
 * Line of n bytes (CR included, LF excluded, maybe partial) at pos.
 * Checked before anything else in the line, so that any prefix of the
 * input yields WS_HS_INCOMPLETE or the same answer as the whole input.
 */
static int
line_length(struct ws_hs_request *req, const struct ws_hs_limits *lim,
    size_t pos, size_t n)
{
	if (n == 0 || n - 1 <= lim->max_line)
		return 0;
	if (pos == 0)
		return hs_fail(req, 414, "request line too long");
	return hs_fail(req, 431, "header line too long");
}

/* No LF in buf[pos..win): incomplete, unless a limit is already hit. */
static enum ws_hs_result
hs_partial(struct ws_hs_request *req, const struct ws_hs_limits *lim,
    size_t pos, size_t win)
{
	if (line_length(req, lim, pos, win - pos) == -1)
		return WS_HS_ERROR;
	if (win >= lim->max_bytes)
		return hs_error(req, 431, "request head too large");
	return WS_HS_INCOMPLETE;
}

/* Empty line reached: judge the request as a whole. */
static enum ws_hs_result
hs_finish(struct ws_hs_request *req, size_t length)
{
	req->length = length;
	if (req->http_minor == 1 && req->host.p == NULL)
		return hs_error(req, 400, "missing Host");
	if (!req->upgrade_ws)
		return WS_HS_HTTP;
	if (req->head)
		return hs_error(req, 405, "WebSocket needs GET");
	if (!req->conn_upgrade)
		return hs_error(req, 400, "Connection lacks upgrade");
	if (req->http_minor != 1)
		return hs_error(req, 400, "WebSocket needs HTTP/1.1");
	if (req->version != 13)
		return hs_error(req, 426, "unsupported Sec-WebSocket-Version");
	if (!key_valid(req->key))
		return hs_error(req, 400, "bad Sec-WebSocket-Key");
	return WS_HS_WEBSOCKET;
}

static void
hs_limits(const struct ws_hs_limits *in, struct ws_hs_limits *out)
{
	out->max_bytes = in != NULL && in->max_bytes > 0 ? in->max_bytes :
	    WS_HS_DEFAULT_MAX_BYTES;
	out->max_headers = in != NULL && in->max_headers > 0 ?
	    in->max_headers : WS_HS_DEFAULT_MAX_HEADERS;
	out->max_line = in != NULL && in->max_line > 0 ? in->max_line :
	    WS_HS_DEFAULT_MAX_LINE;
}

enum ws_hs_result
ws_hs_parse(const char *buf, size_t len, const struct ws_hs_limits *limits,
    struct ws_hs_request *req)
{
	struct ws_hs_limits	 lim;
	const char		*lf;
	size_t			 win, pos = 0, eol;
	int			 r;

	hs_limits(limits, &lim);
	memset(req, 0, sizeof(*req));
	req->version = -1;
	win = len < lim.max_bytes ? len : lim.max_bytes;
	for (;;) {
		lf = pos < win ? memchr(buf + pos, '\n', win - pos) : NULL;
		if (lf == NULL)
			return hs_partial(req, &lim, pos, win);
		eol = (size_t)(lf - buf);
		if (line_length(req, &lim, pos, eol - pos) == -1)
			return WS_HS_ERROR;
		if (eol == pos || buf[eol - 1] != '\r')
			return hs_error(req, 400, "bare LF");
		if (pos > 0 && eol - 1 == pos)
			return hs_finish(req, eol + 1);
		if (pos == 0)
			r = request_line(req, buf, eol - 1);
		else
			r = header_line(req, &lim, buf + pos, eol - 1 - pos);
		if (r == -1)
			return WS_HS_ERROR;
		pos = eol + 1;
	}
}

int
ws_accept_key(const char *key, size_t keylen, char out[WS_ACCEPT_LEN + 1])
{
	unsigned char	in[64 + sizeof(ws_guid)], md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	size_t		n = keylen + sizeof(ws_guid) - 1;

	if (keylen > 64)
		return -1;
	if (keylen > 0)
		memcpy(in, key, keylen);
	memcpy(in + keylen, ws_guid, sizeof(ws_guid) - 1);
	if (EVP_Digest(in, n, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20)
		return -1;
	if (EVP_EncodeBlock((unsigned char *)out, md, 20) != WS_ACCEPT_LEN)
		return -1;
	return 0;
}

static int
fit(int n, size_t outlen)
{
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int
ws_hs_response_101(char *out, size_t outlen, const struct ws_hs_request *req)
{
	char	acc[WS_ACCEPT_LEN + 1];

	if (req->key.p == NULL ||
	    ws_accept_key(req->key.p, req->key.len, acc) == -1)
		return -1;
	return fit(snprintf(out, outlen,
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "%s"
	    "\r\n", acc, req->sip ? "Sec-WebSocket-Protocol: sip\r\n" : ""),
	    outlen);
}

int
ws_hs_response_error(char *out, size_t outlen, int status)
{
	const char	*extra = "";
	size_t		 i;

	for (i = 0; i < NELEM(reasons) && reasons[i].status != status; i++)
		;
	if (i == NELEM(reasons))
		return -1;
	if (status == 405)
		extra = "Allow: GET\r\n";
	else if (status == 426)
		extra = "Sec-WebSocket-Version: 13\r\n";
	return fit(snprintf(out, outlen,
	    "HTTP/1.1 %d %s\r\n"
	    "Connection: close\r\n"
	    "Content-Length: 0\r\n"
	    "%s"
	    "\r\n", status, reasons[i].reason, extra), outlen);
}

/* The host part of a Host value: without port and IPv6 brackets. */
static struct ws_span
host_part(const struct ws_span *h)
{
	struct ws_span	s = *h;
	const char	*c;

	if (s.len > 0 && s.p[0] == '[') {
		c = memchr(s.p, ']', s.len);
		s.len = c != NULL ? (size_t)(c - s.p - 1) : 0;
		s.p++;
		return s;
	}
	if ((c = memchr(s.p, ':', s.len)) != NULL &&
	    memchr(c + 1, ':', s.len - (size_t)(c + 1 - s.p)) == NULL)
		s.len = (size_t)(c - s.p);	/* one colon: a port */
	return s;
}

int
ws_hs_host_allowed(const struct ws_span *host, const char *const *names,
    size_t n)
{
	struct ws_span	h;
	const char	*name;
	size_t		 i, len;

	if (n == 0)
		return 1;
	if (host == NULL || host->p == NULL)
		return 0;
	h = host_part(host);
	for (i = 0; i < n; i++) {
		name = names[i];
		len = strlen(name);
		if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
			name++;
			len -= 2;
		}
		if (len == h.len && len > 0 &&
		    strncasecmp(name, h.p, len) == 0)
			return 1;
	}
	return 0;
}
