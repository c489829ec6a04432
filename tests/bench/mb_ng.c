/*
 * mb_ng.c: mediabench's rtpengine mode (-E host:port): the calls are set
 * up over rtpengine's ng control protocol instead of SIP, so the same
 * media load and the same /proc figures measure rtpengine.
 *
 * The ng client (bencode itself is mb_bencode.c): per call "offer" with the PBX side's plain RTP SDP
 *     (rtpengine answers with RTP/SAVP + one SDES a=crypto toward the
 *     browser side), "answer" with the browser side's SDES SDP (rtpengine
 *     answers with its PBX-facing port), "delete" at teardown.  Each
 *     message is "<cookie> <dict>" in one UDP datagram; the cookie
 *     "<run>-<call>-<step>" names the call and step of the reply, and a
 *     retransmission reuses it (rtpengine answers a repeated cookie from
 *     its cache).  Once answered, a call's browser side is SDES-SRTP
 *     (media/sdes.c keys, media/srtp_ctx.c) and the media code runs it as
 *     it runs a DTLS-SRTP call.
 *
 * Owns: the ng socket, the parsed-SDP scratch area (both in struct mb),
 * each call's SDES keys
 * until its SRTP pair is made.  Thread: the generator's only thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "media/sdp_conv.h"
#include "tests/bench/mb.h"

#define NG_MSG_MAX	4096		/* one request */
#define NG_RTO_NS	1000000000LL	/* retransmission after 1 s */
#define NG_TRIES	5
#define NG_SUITE	"AES_CM_128_HMAC_SHA1_80"

enum ng_step { NG_OFFER, NG_ANSWER, NG_DELETE };

/* Every other suite rtpengine 10.5 offers: with these "SDES" flags its
 * offer carries one a=crypto line (10.5 has "no-" but no "only-"). */
static const char *const ng_no_suites[] = {
	"no-AEAD_AES_256_GCM", "no-AEAD_AES_128_GCM",
	"no-AES_256_CM_HMAC_SHA1_80", "no-AES_256_CM_HMAC_SHA1_32",
	"no-AES_192_CM_HMAC_SHA1_80", "no-AES_192_CM_HMAC_SHA1_32",
	"no-AES_CM_128_HMAC_SHA1_32", "no-F8_128_HMAC_SHA1_80",
	"no-F8_128_HMAC_SHA1_32", "no-NULL_HMAC_SHA1_80",
	"no-NULL_HMAC_SHA1_32",
};

/* ------------------------------------------------------------ requests */

/* "<run>-<call>-<step> " */
static void
ng_cookie(const struct mb *mb, const struct mb_call *c, struct ng_buf *b)
{
	char	tmp[64];
	int	n = snprintf(tmp, sizeof(tmp), "%s-%d-%d ", mb->run_id, c->idx,
		    c->ng_step);

	ng_put_raw(b, tmp, (size_t)n);
}

/* call-id, from-tag and the command; rtpengine takes the keys of a
 * dictionary in any order. */
static void
ng_head(const struct mb *mb, const struct mb_call *c, struct ng_buf *b,
    const char *cmd)
{
	char	tmp[64];

	ng_put_ch(b, 'd');
	ng_put_kv(b, "command", cmd);
	snprintf(tmp, sizeof(tmp), "mb-%s-%d", mb->run_id, c->idx);
	ng_put_kv(b, "call-id", tmp);
	snprintf(tmp, sizeof(tmp), "pbx-%d", c->idx);
	ng_put_kv(b, "from-tag", tmp);
}

/* An SDP of ours: one audio line on port, PCMU; crypto: NULL, or an
 * a=crypto value (then RTP/SAVP).  Its length, or -1. */
static int
ng_sdp_text(const struct mb_call *c, int port, const char *crypto,
    char *buf, size_t len)
{
	int	n;

	n = snprintf(buf, len, "v=0\r\no=- %d 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	    "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/%s 0\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n%s%s%sa=sendrecv\r\n", c->idx + 1, port,
	    crypto != NULL ? "SAVP" : "AVP", crypto != NULL ? "a=crypto:" : "",
	    crypto != NULL ? crypto : "", crypto != NULL ? "\r\n" : "");
	return n > 0 && (size_t)n < len ? n : -1;
}

/* offer: the PBX side's plain RTP; toward the browser side RTP/SAVP with
 * SDES (one suite), no ICE, no DTLS. */
static int
ng_msg_offer(struct mb *mb, struct mb_call *c, struct ng_buf *b)
{
	char	sdp[512];
	size_t	i;

	if (ng_sdp_text(c, media_port(mb, c, MB_PBX), NULL, sdp,
	    sizeof(sdp)) == -1)
		return -1;
	ng_head(mb, c, b, "offer");
	ng_put_kv(b, "sdp", sdp);
	ng_put_kv(b, "transport-protocol", "RTP/SAVP");
	ng_put_kv(b, "ICE", "remove");
	ng_put_kv(b, "DTLS", "off");
	ng_put_str(b, "SDES");
	ng_put_ch(b, 'l');
	for (i = 0; i < sizeof(ng_no_suites) / sizeof(ng_no_suites[0]); i++)
		ng_put_str(b, ng_no_suites[i]);
	ng_put_ch(b, 'e');
	ng_put_str(b, "replace");
	ng_put_ch(b, 'l');
	ng_put_str(b, "origin");
	ng_put_str(b, "session-connection");
	ng_put_ch(b, 'e');
	ng_put_ch(b, 'e');
	return 0;
}

/* answer: the browser side's RTP/SAVP with our key for rtpengine's tag. */
static int
ng_msg_answer(struct mb *mb, struct mb_call *c, struct ng_buf *b)
{
	char	crypto[SDES_LINE_MAX], sdp[1024], tag[32];
	int	rc;

	rc = sdes_format(&c->ng_ours, crypto, sizeof(crypto)) == -1 ||
	    ng_sdp_text(c, media_port(mb, c, MB_BROWSER), crypto, sdp,
	    sizeof(sdp)) == -1 ? -1 : 0;
	OPENSSL_cleanse(crypto, sizeof(crypto));
	if (rc == -1)
		return -1;
	ng_head(mb, c, b, "answer");
	snprintf(tag, sizeof(tag), "browser-%d", c->idx);
	ng_put_kv(b, "to-tag", tag);
	ng_put_kv(b, "sdp", sdp);
	ng_put_ch(b, 'e');
	OPENSSL_cleanse(sdp, sizeof(sdp));
	return 0;
}

static int
ng_msg_delete(struct mb *mb, struct mb_call *c, struct ng_buf *b)
{
	ng_head(mb, c, b, "delete");
	ng_put_str(b, "delete-delay");
	ng_put_int(b, 0);
	ng_put_ch(b, 'e');
	return 0;
}

/* (Re)send the request of the call's step, same cookie. */
static void
ng_send(struct mb *mb, struct mb_call *c)
{
	static char	msg[NG_MSG_MAX];
	struct ng_buf	b;
	int		rc;

	ng_buf_init(&b, msg, sizeof(msg));
	ng_cookie(mb, c, &b);
	rc = c->ng_step == NG_OFFER ? ng_msg_offer(mb, c, &b) :
	    c->ng_step == NG_ANSWER ? ng_msg_answer(mb, c, &b) :
	    ng_msg_delete(mb, c, &b);
	if (rc == -1 || b.err) {
		mb_call_fail(mb, c, "ng: request too long");
		return;
	}
	if (send(mb->ng_fd, msg, b.len, 0) == -1 && mb->o.verbose)
		fprintf(stderr, "mediabench: ng send: %s\n", strerror(errno));
	OPENSSL_cleanse(msg, b.len);
	c->ng_next = mb_mono_ns() + NG_RTO_NS;
}

void
ng_offer(struct mb *mb, struct mb_call *c)
{
	c->state = MB_C_INVITING;
	c->ng_step = NG_OFFER;
	c->ng_tries = 0;
	mb->inflight++;
	ng_send(mb, c);
}

void
ng_delete(struct mb *mb, struct mb_call *c)
{
	c->state = MB_C_BYE;
	c->ng_step = NG_DELETE;
	c->ng_tries = 0;
	ng_send(mb, c);
}

/* Every 10 ms: retransmit what is unanswered after NG_RTO_NS. */
void
ng_tick(struct mb *mb, int64_t now)
{
	struct mb_call	*c;
	int		 i;

	for (i = 0; i < mb->o.ncalls; i++) {
		c = &mb->calls[i];
		if ((c->state != MB_C_INVITING && c->state != MB_C_BYE) ||
		    now < c->ng_next)
			continue;
		if (++c->ng_tries > NG_TRIES) {
			if (c->state == MB_C_BYE)
				c->state = MB_C_DONE;	/* counted as lost */
			else
				mb_call_fail(mb, c, "ng: no reply");
			continue;
		}
		ng_send(mb, c);
	}
}

/* ------------------------------------------------------------ replies */

/* The reply's SDP into mb->ng_sdp; its first stream's address into *sa.
 * The stream, or NULL (c->fail says why). */
static const struct sdp_stream *
ng_reply_sdp(struct mb *mb, struct mb_call *c, const char *d, size_t len,
    struct sockaddr_in *sa)
{
	struct sdp_desc		*ng_sdp = mb->ng_sdp;
	const struct sdp_stream	*st;
	const char		*sdp;
	size_t			 slen;

	if (ng_dict_str(d, len, "sdp", &sdp, &slen) == -1 ||
	    sdp_conv_parse(sdp, slen, ng_sdp) == -1 || ng_sdp->nstreams < 1) {
		snprintf(c->fail, sizeof(c->fail), "ng: no usable sdp");
		return NULL;
	}
	st = &ng_sdp->streams[0];
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)st->port);
	if (st->port <= 0 || st->port > 65535 ||
	    inet_pton(AF_INET, st->conn_addr, &sa->sin_addr) != 1) {
		snprintf(c->fail, sizeof(c->fail), "ng: sdp: no IPv4 port");
		return NULL;
	}
	return st;
}

/* rtpengine's offer toward the browser side: its port and key there;
 * then our answer with a key of ours for its tag. */
static int
ng_on_offer(struct mb *mb, struct mb_call *c, const char *d, size_t len)
{
	const struct sdp_stream	*st;
	enum sdes_suite		 pref = SDES_AES_CM_128_HMAC_SHA1_80;
	enum sdes_err		 why;

	if ((st = ng_reply_sdp(mb, c, d, len, &c->sbc[MB_BROWSER])) == NULL)
		return -1;
	if (sdes_answer_select(st->crypto, st->ncrypto, &pref, 1,
	    &c->ng_theirs, &why) == -1 ||
	    sdes_generate(c->ng_theirs.suite, c->ng_theirs.tag, &c->ng_ours,
	    &why) == -1) {
		snprintf(c->fail, sizeof(c->fail), "ng: offer crypto: %s",
		    sdes_strerror(why));
		return -1;
	}
	c->ng_step = NG_ANSWER;
	c->ng_tries = 0;
	ng_send(mb, c);
	return 0;
}

/* rtpengine's answer toward the PBX side: its port there; the call is
 * up, SRTP from the two SDES keys. */
static int
ng_on_answer(struct mb *mb, struct mb_call *c, const char *d, size_t len)
{
	int	rc;

	if (ng_reply_sdp(mb, c, d, len, &c->sbc[MB_PBX]) == NULL)
		return -1;
	rc = srtp_pair_init_sdes(&c->srtp, NG_SUITE, c->ng_ours.key,
	    c->ng_ours.key_len, c->ng_theirs.key, c->ng_theirs.key_len);
	sdes_wipe(&c->ng_ours);
	sdes_wipe(&c->ng_theirs);
	if (rc == -1) {
		snprintf(c->fail, sizeof(c->fail), "ng: srtp_pair_init_sdes");
		return -1;
	}
	c->srtp_up = 1;
	c->profile = SRTP_KEYS_AES128_CM_SHA1_80;
	c->state = MB_C_UP;
	mb->inflight--;
	mb->nup++;
	if (mb->pool[MB_BROWSER].n < mb->o.ncalls)	/* shared: by source */
		mb->port2call[ntohs(c->sbc[MB_BROWSER].sin_port)] = c->idx;
	media_pbx_known(mb, c);
	return 0;
}

/* The call and step a reply's cookie names; its dictionary in *d. */
static struct mb_call *
ng_reply_call(struct mb *mb, const char *buf, size_t len, int *step,
    const char **d)
{
	char		 cookie[64];
	const char	*sp = memchr(buf, ' ', len < 64 ? len : 64);
	int		 idx;
	size_t		 rl = strlen(mb->run_id);

	if (sp == NULL)
		return NULL;
	memcpy(cookie, buf, (size_t)(sp - buf));
	cookie[sp - buf] = '\0';
	if (strncmp(cookie, mb->run_id, rl) != 0 || cookie[rl] != '-' ||
	    sscanf(cookie + rl + 1, "%d-%d", &idx, step) != 2 || idx < 0 ||
	    idx >= mb->o.ncalls)
		return NULL;
	*d = sp + 1;
	return &mb->calls[idx];
}

static void
ng_reply(struct mb *mb, const char *buf, size_t len)
{
	struct mb_call	*c;
	const char	*d, *s;
	size_t		 dlen, slen;
	int		 step;

	if ((c = ng_reply_call(mb, buf, len, &step, &d)) == NULL ||
	    step != c->ng_step ||
	    (c->state != MB_C_INVITING && c->state != MB_C_BYE))
		return;			/* unknown, stale or repeated */
	dlen = len - (size_t)(d - buf);
	if (ng_dict_str(d, dlen, "result", &s, &slen) == -1 || slen != 2 ||
	    memcmp(s, "ok", 2) != 0) {
		if (ng_dict_str(d, dlen, "error-reason", &s, &slen) == -1)
			s = "?", slen = 1;
		snprintf(c->fail, sizeof(c->fail), "ng: %.*s", (int)slen, s);
		if (c->state == MB_C_BYE)
			c->state = MB_C_DONE;
		else
			mb_call_fail(mb, c, c->fail);
		return;
	}
	if (step == NG_DELETE) {
		c->state = MB_C_DONE;
		mb->nbye_done++;
	} else if ((step == NG_OFFER ? ng_on_offer(mb, c, d, dlen) :
	    ng_on_answer(mb, c, d, dlen)) == -1)
		mb_call_fail(mb, c, c->fail);
}

void
ng_readable(struct mb *mb)
{
	ssize_t		n;

	while ((n = recv(mb->ng_fd, mb->ng_rx, NG_RX_MAX, MSG_DONTWAIT)) > 0)
		ng_reply(mb, mb->ng_rx, (size_t)n);
}

/* ------------------------------------------------------------ setup */

static int
ng_parse_addr(const char *s, struct sockaddr_in *sa)
{
	char		 host[64];
	const char	*colon = strrchr(s, ':');
	int		 port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = atoi(colon + 1);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return port > 0 && port < 65536 &&
	    inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* The ng socket, connected to rtpengine's control address. */
int
ng_init(struct mb *mb)
{
	struct sockaddr_in	sa;
	int			rcv = 4 << 20;

	if (ng_parse_addr(mb->o.ng_addr, &sa) == -1) {
		fprintf(stderr, "mediabench: -E %s: want IPv4:port\n",
		    mb->o.ng_addr);
		return -1;
	}
	if ((mb->ng_sdp = malloc(sizeof(*mb->ng_sdp))) == NULL ||
	    (mb->ng_rx = malloc(NG_RX_MAX)) == NULL)
		return -1;
	mb->ng_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (mb->ng_fd == -1 ||
	    connect(mb->ng_fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    mb_epoll_add(mb, mb->ng_fd, MB_EV_NG, 0) == -1) {
		fprintf(stderr, "mediabench: ng socket: %s\n",
		    strerror(errno));
		return -1;
	}
	setsockopt(mb->ng_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	return 0;
}

void
ng_close(struct mb *mb)
{
	int	i;

	for (i = 0; mb->calls != NULL && i < mb->o.ncalls; i++) {
		sdes_wipe(&mb->calls[i].ng_ours);
		sdes_wipe(&mb->calls[i].ng_theirs);
	}
	if (mb->ng_fd != -1)
		close(mb->ng_fd);
	mb->ng_fd = -1;
	free(mb->ng_sdp);
	free(mb->ng_rx);
	mb->ng_sdp = NULL;
	mb->ng_rx = NULL;
}
