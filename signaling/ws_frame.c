/*
 * ws_frame.c: RFC 6455 WebSocket framing, server side: incremental parser
 * for masked client frames with message reassembly and UTF-8 validation,
 * encoder for unmasked server frame headers and close payloads.
 *
 * Owns: the parser's message buffer (realloc doubling up to max_message,
 * reused across messages; never allocated per frame).
 * Thread: pure; called by the WebSocket edge thread, tests and fuzzers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/ws_frame.h"

enum op_kind { K_BAD, K_CONT, K_DATA, K_CTRL };

typedef void	done_fn(struct ws_parser *, struct ws_event *);

static done_fn	done_data, done_close, done_ping, done_pong;

struct op_info {
	enum op_kind	 kind;
	done_fn		*done;
};

static const struct op_info ops[16] = {
	[WS_OP_CONT] = { K_CONT, done_data },
	[WS_OP_TEXT] = { K_DATA, done_data },
	[WS_OP_BINARY] = { K_DATA, done_data },
	[WS_OP_CLOSE] = { K_CTRL, done_close },
	[WS_OP_PING] = { K_CTRL, done_ping },
	[WS_OP_PONG] = { K_CTRL, done_pong },
};

/* Well-formed UTF-8 lead bytes (Unicode table 3-7). */
struct utf8_lead {
	uint8_t		first, last;	/* lead byte range */
	uint8_t		ncont;		/* continuation bytes */
	uint8_t		lo, hi;		/* range of the 2nd byte */
};

static const struct utf8_lead utf8_leads[] = {
	{ 0xc2, 0xdf, 1, 0x80, 0xbf },
	{ 0xe0, 0xe0, 2, 0xa0, 0xbf },	/* no overlongs */
	{ 0xe1, 0xec, 2, 0x80, 0xbf },
	{ 0xed, 0xed, 2, 0x80, 0x9f },	/* no surrogates */
	{ 0xee, 0xef, 2, 0x80, 0xbf },
	{ 0xf0, 0xf0, 3, 0x90, 0xbf },	/* no overlongs */
	{ 0xf1, 0xf3, 3, 0x80, 0xbf },
	{ 0xf4, 0xf4, 3, 0x80, 0x8f },	/* <= U+10FFFF */
};

/* Length of the well-formed sequence at s[0..n), 0 if ill-formed. */
static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	const struct utf8_lead	*l = NULL;
	size_t			 i;

	for (i = 0; i < sizeof(utf8_leads) / sizeof(utf8_leads[0]); i++)
		if (s[0] >= utf8_leads[i].first && s[0] <= utf8_leads[i].last)
			l = &utf8_leads[i];
	if (l == NULL || n <= l->ncont || s[1] < l->lo || s[1] > l->hi)
		return 0;
	for (i = 2; i <= l->ncont; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return l->ncont + 1;
}

static int
utf8_valid(const uint8_t *s, size_t n)
{
	size_t		i = 0, k;
	uint64_t	w;

	while (i < n) {
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

static int
close_code_valid(uint16_t c)
{
	/* 1004-1006 and 1015 are reserved, 1012-1014 IANA-registered. */
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) ||
	    (c >= 3000 && c <= 4999);
}

/* XOR-unmask n bytes from src into dst, phase = payload offset. */
static void
unmask_copy(uint8_t *dst, const uint8_t *src, size_t n,
    const uint8_t mask[4], uint64_t phase)
{
	uint8_t		m[8];
	uint64_t	w, v;
	size_t		i;

	for (i = 0; i < 8; i++)
		m[i] = mask[(phase + i) & 3];
	memcpy(&w, m, 8);
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, src + i, 8);
		v ^= w;
		memcpy(dst + i, &v, 8);
	}
	for (; i < n; i++)
		dst[i] = src[i] ^ m[i & 7];
}

static void
set_event(struct ws_event *ev, enum ws_ev type, const uint8_t *data,
    size_t len, uint16_t code)
{
	ev->type = type;
	ev->data = len > 0 ? data : NULL;
	ev->len = len;
	ev->close_code = code;
}

static void
fail(struct ws_parser *p, struct ws_event *ev, uint16_t code,
    const char *why)
{
	p->term = WS_EV_ERROR;
	p->term_code = code;
	set_event(ev, WS_EV_ERROR, (const uint8_t *)why, strlen(why), code);
}

/* Make room for need (<= max_message) bytes of message.  0 / -1. */
static int
msg_reserve(struct ws_parser *p, size_t need)
{
	size_t	 cap;
	uint8_t	*nb;

	if (need <= p->msg_cap)
		return 0;
	cap = p->msg_cap > 0 ? p->msg_cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > p->lim.max_message)
		cap = p->lim.max_message;	/* >= need, checked by caller */
	if ((nb = realloc(p->msg, cap)) == NULL)
		return -1;
	p->msg = nb;
	p->msg_cap = cap;
	return 0;
}

/* First two header bytes are in: check them, size the rest. */
static int
hdr_start(struct ws_parser *p, struct ws_event *ev)
{
	const struct op_info	*oi;
	uint8_t			 b0 = p->hdr[0], b1 = p->hdr[1], len7;

	p->fin = (b0 & 0x80) != 0;
	p->opcode = b0 & 0x0f;
	oi = &ops[p->opcode];
	len7 = b1 & 0x7f;
	if (b0 & 0x70)
		fail(p, ev, WS_CLOSE_PROTOCOL, "reserved bits set");
	else if (oi->kind == K_BAD)
		fail(p, ev, WS_CLOSE_PROTOCOL, "unknown opcode");
	else if ((b1 & 0x80) == 0)
		fail(p, ev, WS_CLOSE_PROTOCOL, "unmasked client frame");
	else if (oi->kind == K_CTRL && (!p->fin || len7 > 125))
		fail(p, ev, WS_CLOSE_PROTOCOL, "bad control frame");
	else if (oi->kind == K_CONT && p->msg_op == 0)
		fail(p, ev, WS_CLOSE_PROTOCOL, "continuation outside message");
	else if (oi->kind == K_DATA && p->msg_op != 0)
		fail(p, ev, WS_CLOSE_PROTOCOL, "data frame inside message");
	else {
		p->hdr_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
		return 0;
	}
	return -1;
}

static uint64_t
hdr_length(const struct ws_parser *p)
{
	uint64_t	v = 0;
	size_t		i, n;

	n = p->hdr_need - 6;
	if (n == 0)
		return p->hdr[1] & 0x7f;
	for (i = 0; i < n; i++)
		v = v << 8 | p->hdr[2 + i];
	return v;
}

/* Whole header is in: check the length, prepare for the payload. */
static void
hdr_finish(struct ws_parser *p, struct ws_event *ev)
{
	uint64_t	plen = hdr_length(p);

	if (plen >> 63) {
		fail(p, ev, WS_CLOSE_PROTOCOL, "64-bit length MSB set");
		return;
	}
	if (ops[p->opcode].kind != K_CTRL) {
		if (plen > p->lim.max_frame ||
		    plen > p->lim.max_message - p->msg_len) {
			fail(p, ev, WS_CLOSE_TOO_BIG, "message too big");
			return;
		}
		if (msg_reserve(p, p->msg_len + (size_t)plen) == -1) {
			fail(p, ev, WS_CLOSE_INTERNAL, "out of memory");
			return;
		}
		if (p->opcode != WS_OP_CONT)
			p->msg_op = p->opcode;
	}
	memcpy(p->mask, p->hdr + p->hdr_need - 4, 4);
	p->plen = p->remain = plen;
	p->in_payload = 1;
}

static size_t
hdr_feed(struct ws_parser *p, const uint8_t *b, size_t n,
    struct ws_event *ev)
{
	size_t	used = 0, k;

	while (used < n && p->hdr_have < p->hdr_need) {
		k = p->hdr_need - p->hdr_have;
		if (k > n - used)
			k = n - used;
		memcpy(p->hdr + p->hdr_have, b + used, k);
		p->hdr_have += k;
		used += k;
		if (p->hdr_need == 2 && p->hdr_have == 2 &&
		    hdr_start(p, ev) == -1)
			return used;
	}
	if (p->hdr_need > 2 && p->hdr_have == p->hdr_need)
		hdr_finish(p, ev);
	return used;
}

static size_t
payload_feed(struct ws_parser *p, const uint8_t *b, size_t n)
{
	uint64_t	 off = p->plen - p->remain;
	uint8_t		*dst;
	size_t		 k;

	k = p->remain < n ? (size_t)p->remain : n;
	if (ops[p->opcode].kind == K_CTRL)
		dst = p->ctrl + off;
	else {
		dst = p->msg + p->msg_len;
		p->msg_len += k;
	}
	unmask_copy(dst, b, k, p->mask, off);
	p->remain -= k;
	return k;
}

static void
done_data(struct ws_parser *p, struct ws_event *ev)
{
	enum ws_ev	type;

	if (!p->fin)
		return;
	type = p->msg_op == WS_OP_TEXT ? WS_EV_TEXT : WS_EV_BINARY;
	p->msg_op = 0;
	p->flush = 1;
	if (type == WS_EV_TEXT && !utf8_valid(p->msg, p->msg_len))
		fail(p, ev, WS_CLOSE_BAD_DATA, "invalid UTF-8 in text");
	else
		set_event(ev, type, p->msg, p->msg_len, 0);
}

static void
done_close(struct ws_parser *p, struct ws_event *ev)
{
	uint16_t	code;
	size_t		n = (size_t)p->plen;

	if (n == 0)
		code = WS_CLOSE_NORMAL;
	else if (n == 1) {
		fail(p, ev, WS_CLOSE_PROTOCOL, "1-byte close payload");
		return;
	} else
		code = (uint16_t)(p->ctrl[0] << 8 | p->ctrl[1]);
	if (!close_code_valid(code))
		fail(p, ev, WS_CLOSE_PROTOCOL, "invalid close code");
	else if (n > 2 && !utf8_valid(p->ctrl + 2, n - 2))
		fail(p, ev, WS_CLOSE_BAD_DATA, "invalid UTF-8 in close reason");
	else {
		p->term = WS_EV_CLOSE;
		p->term_code = code;
		set_event(ev, WS_EV_CLOSE, p->ctrl + 2, n > 2 ? n - 2 : 0, code);
	}
}

static void
done_ping(struct ws_parser *p, struct ws_event *ev)
{
	set_event(ev, WS_EV_PING, p->ctrl, (size_t)p->plen, 0);
}

static void
done_pong(struct ws_parser *p, struct ws_event *ev)
{
	set_event(ev, WS_EV_PONG, p->ctrl, (size_t)p->plen, 0);
}

static void
frame_done(struct ws_parser *p, struct ws_event *ev)
{
	p->in_payload = 0;
	p->hdr_have = 0;
	p->hdr_need = 2;
	ops[p->opcode].done(p, ev);
}

int
ws_parser_init(struct ws_parser *p, const struct ws_limits *lim)
{
	if (p == NULL)
		return -1;
	memset(p, 0, sizeof(*p));
	p->lim.max_frame = lim != NULL ? lim->max_frame : WS_DEFAULT_MAX_FRAME;
	p->lim.max_message = lim != NULL ? lim->max_message :
	    WS_DEFAULT_MAX_MESSAGE;
	p->term = WS_EV_NEED_MORE;
	p->hdr_need = 2;
	return 0;
}

void
ws_parser_free(struct ws_parser *p)
{
	if (p == NULL)
		return;
	free(p->msg);
	p->msg = NULL;
	p->msg_cap = p->msg_len = 0;
}

size_t
ws_parse(struct ws_parser *p, const uint8_t *buf, size_t len,
    struct ws_event *ev)
{
	size_t	off = 0;

	set_event(ev, WS_EV_NEED_MORE, NULL, 0, 0);
	if (p->term != WS_EV_NEED_MORE) {
		set_event(ev, p->term, NULL, 0, p->term_code);
		return 0;
	}
	if (p->flush) {
		p->msg_len = 0;
		p->flush = 0;
	}
	while (ev->type == WS_EV_NEED_MORE) {
		if (p->in_payload && p->remain == 0)
			frame_done(p, ev);
		else if (off == len)
			break;
		else if (p->in_payload)
			off += payload_feed(p, buf + off, len - off);
		else
			off += hdr_feed(p, buf + off, len - off, ev);
	}
	return off;
}

size_t
ws_frame_header(uint8_t out[10], int opcode, size_t payload_len)
{
	uint64_t	v = payload_len;
	size_t		i, n;

	if (opcode < 0 || opcode > 15 || ops[opcode].kind == K_BAD ||
	    (ops[opcode].kind == K_CTRL && payload_len > 125))
		return 0;
	out[0] = 0x80 | (uint8_t)opcode;
	if (v <= 125) {
		out[1] = (uint8_t)v;
		return 2;
	}
	out[1] = v <= 0xffff ? 126 : 127;
	n = v <= 0xffff ? 2 : 8;
	for (i = 0; i < n; i++)
		out[1 + n - i] = (uint8_t)(v >> (8 * i));
	return 2 + n;
}

size_t
ws_close_payload(uint8_t out[125], uint16_t code, const char *reason)
{
	size_t	n;

	if (code == 0)
		return 0;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	n = reason != NULL ? strlen(reason) : 0;
	if (n > 123) {
		n = 123;
		while (n > 0 && ((uint8_t)reason[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(out + 2, reason, n);
	return 2 + n;
}
