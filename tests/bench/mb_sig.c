/*
 * mb_sig.c: mediabench signaling.  The browser side is one WebSocket
 * (RFC 6455, subprotocol "sip", masked text frames) to the SBC's ws
 * listener carrying every call's INVITE (WebRTC offer), ACK and BYE; the
 * PBX side is a SIP UAS on UDP that the SBC's trunk points to: it answers
 * INVITE with 200 and a plain RTP/AVP 0 answer, ignores ACK and answers
 * BYE, OPTIONS and CANCEL with 200.  Only what the benchmark needs is
 * parsed: status line, Call-ID, CSeq, To tag, Contact, Request-URI user
 * and the SDP lines m=, c=, a=ice-ufrag/ice-pwd/fingerprint/candidate.
 *
 * Owns: the WebSocket (its buffers) and the UAS socket.
 * Thread: the generator's only thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tests/bench/mb.h"

#define SIP_MAX		8192

struct sipmsg {
	char		*buf;		/* NUL-terminated, head only */
	int		 is_req;
	char		 method[16];
	char		 ruri_user[64];
	int		 status;
	const char	*body;
	size_t		 bodylen;
};

/* ------------------------------------------------------------ WebSocket */

static int
ws_handshake(int fd, const char *host, int port)
{
	uint8_t		 key[16];
	char		 b64[32], req[512], resp[2048];
	size_t		 got = 0;
	ssize_t		 n;
	int		 len;

	if (RAND_bytes(key, sizeof(key)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, key, sizeof(key));
	len = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s:%d\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: sip\r\n"
	    "User-Agent: mediabench\r\n\r\n", host, port, b64);
	if (len < 0 || (size_t)len >= sizeof(req) ||
	    write(fd, req, (size_t)len) != len)
		return -1;
	while (got + 1 < sizeof(resp)) {
		if ((n = read(fd, resp + got, 1)) <= 0)
			return -1;
		got += (size_t)n;
		resp[got] = '\0';
		if (got >= 4 && memcmp(resp + got - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	if (strncmp(resp, "HTTP/1.1 101", 12) != 0) {
		fprintf(stderr, "mediabench: WebSocket handshake refused: "
		    "%.40s\n", resp);
		return -1;
	}
	return 0;
}

static int
ws_connect(struct mb *mb)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)mb->o.ws_port);
	if (inet_pton(AF_INET, mb->o.sbc_host, &sin.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    ws_handshake(fd, mb->o.sbc_host, mb->o.ws_port) == -1) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	mb->ws_fd = fd;
	return 0;
}

static void
ws_want_out(struct mb *mb, int on)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.u64 = (uint64_t)MB_EV_WS << 32;
	epoll_ctl(mb->ep, EPOLL_CTL_MOD, mb->ws_fd, &ev);
}

void
sig_ws_writable(struct mb *mb)
{
	ssize_t	n;

	while (mb->ws_outlen > 0) {
		n = send(mb->ws_fd, mb->ws_out, mb->ws_outlen, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		memmove(mb->ws_out, mb->ws_out + n, mb->ws_outlen - (size_t)n);
		mb->ws_outlen -= (size_t)n;
	}
	ws_want_out(mb, mb->ws_outlen > 0);
}

/* Queue one masked frame (opcode 1 text, 0xA pong) and try to send. */
static int
ws_send(struct mb *mb, int opcode, const void *data, size_t len)
{
	uint8_t		 hdr[14], mask[4];
	const uint8_t	*p = data;
	size_t		 hl = 2, i, need = len + sizeof(hdr);
	uint8_t		*o;

	if (mb->ws_outlen + need > mb->ws_outcap) {
		size_t	cap = (mb->ws_outlen + need) * 2;

		if ((o = realloc(mb->ws_out, cap)) == NULL)
			return -1;
		mb->ws_out = o;
		mb->ws_outcap = cap;
	}
	RAND_bytes(mask, sizeof(mask));
	hdr[0] = 0x80 | (uint8_t)opcode;
	if (len < 126)
		hdr[1] = 0x80 | (uint8_t)len;
	else {
		hdr[1] = 0x80 | 126;
		hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		hl = 4;
	}
	memcpy(hdr + hl, mask, 4);
	hl += 4;
	o = mb->ws_out + mb->ws_outlen;
	memcpy(o, hdr, hl);
	for (i = 0; i < len; i++)
		o[hl + i] = p[i] ^ mask[i & 3];
	mb->ws_outlen += hl + len;
	sig_ws_writable(mb);
	return 0;
}

static void	sip_from_ws(struct mb *, char *, size_t);

/* Parse complete server frames out of ws_in; returns bytes consumed. */
static size_t
ws_frames(struct mb *mb)
{
	uint8_t	*b = mb->ws_in;
	size_t	 off = 0, hl, len;

	for (;;) {
		size_t	avail = mb->ws_inlen - off;

		if (avail < 2)
			break;
		len = b[off + 1] & 0x7f;
		hl = 2;
		if (len == 126) {
			if (avail < 4)
				break;
			len = (size_t)b[off + 2] << 8 | b[off + 3];
			hl = 4;
		} else if (len == 127)
			return mb->ws_inlen;	/* never sent by the SBC */
		if (avail < hl + len)
			break;
		switch (b[off] & 0x0f) {
		case 0x1:
		case 0x2:
			sip_from_ws(mb, (char *)b + off + hl, len);
			break;
		case 0x9:
			ws_send(mb, 0xA, b + off + hl, len);
			break;
		case 0x8:
			fprintf(stderr, "mediabench: the SBC closed the "
			    "WebSocket\n");
			break;
		}
		off += hl + len;
	}
	return off;
}

void
sig_ws_readable(struct mb *mb)
{
	ssize_t	n;
	size_t	used;

	for (;;) {
		n = read(mb->ws_fd, mb->ws_in + mb->ws_inlen,
		    2 * SIP_MAX - mb->ws_inlen);
		if (n == 0) {
			fprintf(stderr, "mediabench: WebSocket closed\n");
			epoll_ctl(mb->ep, EPOLL_CTL_DEL, mb->ws_fd, NULL);
			return;
		}
		if (n < 0)
			return;
		mb->ws_inlen += (size_t)n;
		used = ws_frames(mb);
		memmove(mb->ws_in, mb->ws_in + used, mb->ws_inlen - used);
		mb->ws_inlen -= used;
		if (mb->ws_inlen == 2 * SIP_MAX)	/* frame too big */
			mb->ws_inlen = 0;
	}
}

/* ------------------------------------------------------------ SIP parsing */

/* Split a message (copied into buf, NUL-terminated) into head and body. */
static int
sip_parse(char *buf, size_t len, struct sipmsg *m)
{
	char	*eoh, *sp, *at;

	memset(m, 0, sizeof(*m));
	buf[len] = '\0';
	m->buf = buf;
	if ((eoh = strstr(buf, "\r\n\r\n")) == NULL)
		return -1;
	*eoh = '\0';
	m->body = eoh + 4;
	m->bodylen = len - (size_t)(eoh + 4 - buf);
	if (strncmp(buf, "SIP/2.0 ", 8) == 0) {
		m->status = atoi(buf + 8);
		return m->status >= 100 ? 0 : -1;
	}
	m->is_req = 1;
	if ((sp = strchr(buf, ' ')) == NULL || sp - buf >= 16)
		return -1;
	memcpy(m->method, buf, (size_t)(sp - buf));
	if (strncmp(sp + 1, "sip:", 4) == 0 &&
	    (at = strpbrk(sp + 5, "@ ;>")) != NULL && *at == '@' &&
	    at - (sp + 5) < (long)sizeof(m->ruri_user))
		memcpy(m->ruri_user, sp + 5, (size_t)(at - (sp + 5)));
	return 0;
}

/* Is line l (up to its ':') the header name or its compact form? */
static const char *
hdr_match(const char *l, const char *name, char compact)
{
	size_t	n = strlen(name);

	if (strncasecmp(l, name, n) == 0)
		l += n;
	else if (compact != 0 && (l[0] == compact ||
	    l[0] == (compact ^ 0x20)))
		l += 1;
	else
		return NULL;
	while (*l == ' ' || *l == '\t')
		l++;
	if (*l != ':')
		return NULL;
	l++;
	while (*l == ' ' || *l == '\t')
		l++;
	return l;
}

/* The first value of a header, trimmed, into out; -1 if absent. */
static int
sip_hdr(const struct sipmsg *m, const char *name, char compact, char *out,
    size_t outlen)
{
	const char	*l = m->buf, *v, *e;

	while ((l = strstr(l, "\r\n")) != NULL) {
		l += 2;
		if ((v = hdr_match(l, name, compact)) == NULL)
			continue;
		if ((e = strstr(v, "\r\n")) == NULL)
			e = v + strlen(v);
		if ((size_t)(e - v) >= outlen)
			return -1;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
		return 0;
	}
	return -1;
}

/* Append every Via line of m to out (for a response). */
static size_t
sip_vias(const struct sipmsg *m, char *out, size_t outlen)
{
	const char	*l = m->buf, *v, *e;
	size_t		 pos = 0;
	int		 n;

	while ((l = strstr(l, "\r\n")) != NULL) {
		l += 2;
		if ((v = hdr_match(l, "Via", 'v')) == NULL)
			continue;
		if ((e = strstr(v, "\r\n")) == NULL)
			e = v + strlen(v);
		n = snprintf(out + pos, outlen - pos, "Via: %.*s\r\n",
		    (int)(e - v), v);
		if (n < 0 || (size_t)n >= outlen - pos)
			return 0;
		pos += (size_t)n;
	}
	return pos;
}

/* Value of "a=name:" (or "c=", "m=") in an SDP body, to end of line. */
static int
sdp_line(const char *body, size_t len, const char *prefix, char *out,
    size_t outlen)
{
	const char	*p = body, *end = body + len, *e;
	size_t		 pl = strlen(prefix);

	while (p < end) {
		if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
			e = end;
		if ((size_t)(e - p) >= pl && memcmp(p, prefix, pl) == 0) {
			const char	*v = p + pl, *ve = e;

			if (ve > v && ve[-1] == '\r')
				ve--;
			if ((size_t)(ve - v) >= outlen)
				return -1;
			memcpy(out, v, (size_t)(ve - v));
			out[ve - v] = '\0';
			return 0;
		}
		p = e + 1;
	}
	return -1;
}

/* "IN IP4 a.b.c.d" + "audio PORT ..." → sin */
static int
sdp_addr(const char *body, size_t len, struct sockaddr_in *sin)
{
	char	c[96], m[128];
	int	port;

	if (sdp_line(body, len, "c=IN IP4 ", c, sizeof(c)) == -1 ||
	    sdp_line(body, len, "m=audio ", m, sizeof(m)) == -1 ||
	    (port = atoi(m)) <= 0 || port > 65535)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, c, &sin->sin_addr) == 1 ? 0 : -1;
}

/* ------------------------------------------------------------ browser UAC */

static int
invite_sdp(struct mb *mb, struct mb_call *c, char *out, size_t outlen)
{
	int	n;

	n = snprintf(out, outlen,
	    "v=0\r\no=- %d 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	    "a=group:BUNDLE 0\r\n"
	    "m=audio %d UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 127.0.0.1\r\n"
	    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
	    "a=candidate:1 1 udp 2130706431 127.0.0.1 %d typ host\r\n"
	    "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:%s\r\n"
	    "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
	    "a=rtpmap:0 PCMU/8000\r\na=ssrc:%u cname:mb%d\r\n",
	    1000 + c->idx, media_port(mb, c, MB_BROWSER),
	    media_port(mb, c, MB_BROWSER), c->ufrag, c->pwd,
	    mb->id.fingerprint, c->ssrc[MB_B2P], c->idx);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

/* A request of the browser leg: INVITE, ACK or BYE. */
static void
uac_request(struct mb *mb, struct mb_call *c, const char *method, int cseq,
    const char *body, int bodylen)
{
	char	msg[SIP_MAX], ruri[256], totag[80] = "";
	int	n;

	if (strcmp(method, "INVITE") == 0)
		snprintf(ruri, sizeof(ruri), "sip:b%d@pbx.bench", c->idx);
	else
		snprintf(ruri, sizeof(ruri), "%s", c->contact);
	if (c->to_tag[0] != '\0')
		snprintf(totag, sizeof(totag), ";tag=%s", c->to_tag);
	n = snprintf(msg, sizeof(msg), "%s %s SIP/2.0\r\n"
	    "Via: SIP/2.0/WS mb.invalid;branch=z9hG4bK%s%d%s\r\n"
	    "Max-Forwards: 70\r\nTo: <sip:b%d@pbx.bench>%s\r\n"
	    "From: <sip:gen%d@sbc.bench>;tag=f%d\r\nCall-ID: mb%s-%d\r\n"
	    "CSeq: %d %s\r\nContact: <sip:gen%d@mb.invalid;transport=ws>\r\n"
	    "%sContent-Length: %d\r\n\r\n%s", method, ruri, mb->run_id,
	    c->idx, method, c->idx, totag, c->idx, c->idx, mb->run_id,
	    c->idx, cseq, method, c->idx,
	    bodylen > 0 ? "Content-Type: application/sdp\r\n" : "",
	    bodylen, bodylen > 0 ? body : "");
	if (n < 0 || (size_t)n >= sizeof(msg)) {
		mb_call_fail(mb, c, "SIP message too long");
		return;
	}
	ws_send(mb, 0x1, msg, (size_t)n);
}

void
sig_invite(struct mb *mb, struct mb_call *c)
{
	char	sdp[2048];
	int	n;

	if ((n = invite_sdp(mb, c, sdp, sizeof(sdp))) == -1) {
		mb_call_fail(mb, c, "SDP too long");
		return;
	}
	c->state = MB_C_INVITING;
	mb->inflight++;
	uac_request(mb, c, "INVITE", 1, sdp, n);
}

void
sig_bye(struct mb *mb, struct mb_call *c)
{
	c->state = MB_C_BYE;
	uac_request(mb, c, "BYE", 2, NULL, 0);
}

/* The SBC's answer: its ICE credentials, fingerprint and candidate. */
static int
parse_answer(struct mb_call *c, const struct sipmsg *m)
{
	char	cand[256], addr[64], *t;
	int	port;

	if (sdp_line(m->body, m->bodylen, "a=ice-ufrag:", c->sbc_ufrag,
	    sizeof(c->sbc_ufrag)) == -1 ||
	    sdp_line(m->body, m->bodylen, "a=ice-pwd:", c->sbc_pwd,
	    sizeof(c->sbc_pwd)) == -1 ||
	    sdp_line(m->body, m->bodylen, "a=fingerprint:", c->sbc_fp,
	    sizeof(c->sbc_fp)) == -1)
		return -1;
	if (sdp_line(m->body, m->bodylen, "a=candidate:", cand,
	    sizeof(cand)) == 0 &&
	    sscanf(cand, "%*s %*s %*s %*s %63s %d", addr, &port) == 2) {
		memset(&c->sbc[MB_BROWSER], 0, sizeof(c->sbc[MB_BROWSER]));
		c->sbc[MB_BROWSER].sin_family = AF_INET;
		c->sbc[MB_BROWSER].sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &c->sbc[MB_BROWSER].sin_addr) != 1)
			return -1;
	} else if (sdp_addr(m->body, m->bodylen, &c->sbc[MB_BROWSER]) == -1)
		return -1;
	if ((t = strstr(c->contact, "<")) != NULL) {	/* <uri>;params */
		memmove(c->contact, t + 1, strlen(t + 1) + 1);
		if ((t = strchr(c->contact, '>')) != NULL)
			*t = '\0';
	}
	return 0;
}

static void
on_invite_response(struct mb *mb, struct mb_call *c, const struct sipmsg *m)
{
	char	to[256], *tag;

	if (m->status < 200 || c->state != MB_C_INVITING)
		return;
	mb->inflight--;
	if (m->status >= 300) {
		snprintf(c->fail, sizeof(c->fail), "INVITE %d", m->status);
		mb_call_fail(mb, c, c->fail);
		return;
	}
	if (sip_hdr(m, "To", 't', to, sizeof(to)) == -1 ||
	    (tag = strstr(to, ";tag=")) == NULL ||
	    sip_hdr(m, "Contact", 'm', c->contact, sizeof(c->contact)) == -1) {
		mb_call_fail(mb, c, "200 without To tag or Contact");
		return;
	}
	snprintf(c->to_tag, sizeof(c->to_tag), "%.*s",
	    (int)strcspn(tag + 5, ";"), tag + 5);
	if (parse_answer(c, m) == -1) {
		mb_call_fail(mb, c, "unusable SDP answer");
		return;
	}
	uac_request(mb, c, "ACK", 1, NULL, 0);
	c->state = MB_C_ANSWERED;
	mb->nanswered++;
}

static struct mb_call *
call_of_callid(struct mb *mb, const struct sipmsg *m)
{
	char	cid[128], *dash;
	long	i;

	if (sip_hdr(m, "Call-ID", 'i', cid, sizeof(cid)) == -1 ||
	    (dash = strrchr(cid, '-')) == NULL)
		return NULL;
	i = strtol(dash + 1, NULL, 10);
	return i >= 0 && i < mb->o.ncalls ? &mb->calls[i] : NULL;
}

/* A request from the SBC on the browser leg (a BYE after a media
 * failure): answer 200 and count the call as failed. */
static void
uac_incoming(struct mb *mb, struct mb_call *c, const struct sipmsg *m)
{
	char	msg[SIP_MAX], vias[2048], from[256], to[256], cid[128];
	char	cseq[64];
	int	n;

	if (strcmp(m->method, "ACK") == 0 ||
	    sip_vias(m, vias, sizeof(vias)) == 0 ||
	    sip_hdr(m, "From", 'f', from, sizeof(from)) == -1 ||
	    sip_hdr(m, "To", 't', to, sizeof(to)) == -1 ||
	    sip_hdr(m, "Call-ID", 'i', cid, sizeof(cid)) == -1 ||
	    sip_hdr(m, "CSeq", 0, cseq, sizeof(cseq)) == -1)
		return;
	n = snprintf(msg, sizeof(msg), "SIP/2.0 200 OK\r\n%sFrom: %s\r\n"
	    "To: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n",
	    vias, from, to, cid, cseq);
	if (n > 0 && (size_t)n < sizeof(msg))
		ws_send(mb, 0x1, msg, (size_t)n);
	if (c != NULL && strcmp(m->method, "BYE") == 0 &&
	    c->state != MB_C_BYE && c->state != MB_C_DONE) {
		snprintf(c->fail, sizeof(c->fail), "BYE from the SBC");
		mb_call_fail(mb, c, c->fail);
	}
}

static void
sip_from_ws(struct mb *mb, char *data, size_t len)
{
	char		 buf[SIP_MAX + 1], cseq[64];
	struct sipmsg	 m;
	struct mb_call	*c;

	if (len > SIP_MAX)
		return;
	memcpy(buf, data, len);
	if (sip_parse(buf, len, &m) == -1)
		return;
	c = call_of_callid(mb, &m);
	if (m.is_req) {
		uac_incoming(mb, c, &m);
		return;
	}
	if (c == NULL || sip_hdr(&m, "CSeq", 0, cseq, sizeof(cseq)) == -1)
		return;
	if (strstr(cseq, "INVITE") != NULL)
		on_invite_response(mb, c, &m);
	else if (strstr(cseq, "BYE") != NULL && m.status >= 200 &&
	    c->state == MB_C_BYE) {
		c->state = MB_C_DONE;
		mb->nbye_done++;
	}
}

/* ------------------------------------------------------------ PBX UAS */

static void
uas_reply(struct mb *mb, const struct sipmsg *m, const char *sdp,
    const char *totag, const struct sockaddr_in *to_addr)
{
	char	msg[SIP_MAX], vias[2048], from[256], to[256], cid[128];
	char	cseq[64];
	int	n;

	if (sip_vias(m, vias, sizeof(vias)) == 0 ||
	    sip_hdr(m, "From", 'f', from, sizeof(from)) == -1 ||
	    sip_hdr(m, "To", 't', to, sizeof(to)) == -1 ||
	    sip_hdr(m, "Call-ID", 'i', cid, sizeof(cid)) == -1 ||
	    sip_hdr(m, "CSeq", 0, cseq, sizeof(cseq)) == -1)
		return;
	n = snprintf(msg, sizeof(msg), "SIP/2.0 200 OK\r\n%sFrom: %s\r\n"
	    "To: %s%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
	    "Contact: <sip:pbx@127.0.0.1:%d>\r\n%sContent-Length: %zu\r\n\r\n"
	    "%s", vias, from, to, totag != NULL &&
	    strstr(to, ";tag=") == NULL ? ";tag=" : "",
	    totag != NULL && strstr(to, ";tag=") == NULL ? totag : "", cid,
	    cseq, mb->o.uas_port,
	    sdp != NULL ? "Content-Type: application/sdp\r\n" : "",
	    sdp != NULL ? strlen(sdp) : 0, sdp != NULL ? sdp : "");
	if (n > 0 && (size_t)n < sizeof(msg))
		sendto(mb->uas_fd, msg, (size_t)n, 0,
		    (const struct sockaddr *)to_addr, sizeof(*to_addr));
}

static void
uas_invite(struct mb *mb, const struct sipmsg *m,
    const struct sockaddr_in *from)
{
	char		 sdp[512], tag[32];
	struct mb_call	*c;
	long		 i;

	if (m->ruri_user[0] != 'b' ||
	    (i = strtol(m->ruri_user + 1, NULL, 10)) < 0 || i >= mb->o.ncalls)
		return;
	c = &mb->calls[i];
	if (sdp_addr(m->body, m->bodylen, &c->sbc[MB_PBX]) == -1) {
		mb_call_fail(mb, c, "PBX leg: unusable SDP offer");
		return;
	}
	snprintf(sdp, sizeof(sdp), "v=0\r\no=pbx %ld 1 IN IP4 127.0.0.1\r\n"
	    "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	    "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n"
	    "a=sendrecv\r\n", i, media_port(mb, c, MB_PBX));
	snprintf(tag, sizeof(tag), "p%ld", i);
	uas_reply(mb, m, sdp, tag, from);
	if (!c->pbx_known)
		media_pbx_known(mb, c);
}

void
sig_uas_readable(struct mb *mb)
{
	char			 buf[SIP_MAX + 1];
	struct sockaddr_in	 from;
	socklen_t		 flen;
	struct sipmsg		 m;
	ssize_t			 n;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(mb->uas_fd, buf, SIP_MAX, 0,
		    (struct sockaddr *)&from, &flen);
		if (n <= 0)
			return;
		if (sip_parse(buf, (size_t)n, &m) == -1 || !m.is_req)
			continue;
		if (strcmp(m.method, "INVITE") == 0)
			uas_invite(mb, &m, &from);
		else if (strcmp(m.method, "ACK") != 0) {
			uas_reply(mb, &m, NULL, NULL, &from);
			mb->nuas_bye += strcmp(m.method, "BYE") == 0;
		}
	}
}

/* ------------------------------------------------------------ life */

int
sig_init(struct mb *mb)
{
	struct sockaddr_in	sin;
	int			rcv = 4 << 20;

	if ((mb->ws_in = malloc(2 * SIP_MAX)) == NULL)
		return -1;
	if (ws_connect(mb) == -1) {
		fprintf(stderr, "mediabench: cannot open ws://%s:%d\n",
		    mb->o.sbc_host, mb->o.ws_port);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)mb->o.uas_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	mb->uas_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (mb->uas_fd == -1 || bind(mb->uas_fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1) {
		fprintf(stderr, "mediabench: cannot bind the PBX UAS to "
		    "127.0.0.1:%d: %s\n", mb->o.uas_port, strerror(errno));
		return -1;
	}
	setsockopt(mb->uas_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	if (mb_epoll_add(mb, mb->ws_fd, MB_EV_WS, 0) == -1 ||
	    mb_epoll_add(mb, mb->uas_fd, MB_EV_UAS, 0) == -1)
		return -1;
	return 0;
}

void
sig_close(struct mb *mb)
{
	if (mb->ws_fd != -1)
		close(mb->ws_fd);
	if (mb->uas_fd != -1)
		close(mb->uas_fd);
	free(mb->ws_in);
	free(mb->ws_out);
}
