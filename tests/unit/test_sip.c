/*
 * test_sip.c: cmocka unit tests (group "sip") for the signaling helpers:
 * signaling/sipmsg.c (parse with limits and mandatory headers, responses,
 * serialization), the SDP the PBX gets for a Chrome offer (through
 * media/sdp_conv.c: our o=/c= address, no candidates or other browser
 * transport data, codecs kept), signaling/topo.c (header allow-list per
 * direction, body types) and signaling/route.c (prefix, strip, prepend,
 * default trunk).
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_alloc.h>

#include "media/sdp_conv.h"
#include "sbc/conf.h"
#include "signaling/route.h"
#include "signaling/sipmsg.h"
#include "signaling/topo.h"

#define CRLF	"\r\n"

static const struct sipmsg_limits lim = { 65536, 100, 32768 };

/* ------------------------------------------------------------ samples */

/* What Chrome hands SIP.js after gathering: a host and an mDNS candidate. */
static const char chrome_sdp[] =
    "v=0" CRLF
    "o=- 4611731400430051336 2 IN IP4 192.0.2.10" CRLF
    "s=-" CRLF
    "t=0 0" CRLF
    "a=group:BUNDLE 0" CRLF
    "a=extmap-allow-mixed" CRLF
    "a=msid-semantic: WMS 5b1e0cb5-3bd4-4b0c-9f0e-7b0f3e1f1a11" CRLF
    "m=audio 54321 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126" CRLF
    "c=IN IP4 192.0.2.10" CRLF
    "a=rtcp:9 IN IP4 0.0.0.0" CRLF
    "a=candidate:842163049 1 udp 2122260223 192.0.2.10 54321 typ host"
    " generation 0 network-id 1" CRLF
    "a=candidate:2113937151 1 udp 2122194687"
    " 6c2c4f5e-1f2b-4a3b-9c8d-0e1f2a3b4c5d.local 54322 typ host"
    " generation 0 network-id 2" CRLF
    "a=end-of-candidates" CRLF
    "a=ice-ufrag:Xq3B" CRLF
    "a=ice-pwd:dT3vYl1kB6nQ9w2Zs8pR4uHj" CRLF
    "a=ice-options:trickle" CRLF
    "a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:"
    "35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08" CRLF
    "a=setup:actpass" CRLF
    "a=mid:0" CRLF
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level" CRLF
    "a=sendrecv" CRLF
    "a=msid:5b1e0cb5-3bd4-4b0c-9f0e-7b0f3e1f1a11"
    " 0f6f3b51-7a2c-4e55-8e5f-1e7c2f2f7d44" CRLF
    "a=rtcp-mux" CRLF
    "a=rtpmap:111 opus/48000/2" CRLF
    "a=rtcp-fb:111 transport-cc" CRLF
    "a=fmtp:111 minptime=10;useinbandfec=1" CRLF
    "a=rtpmap:63 red/48000/2" CRLF
    "a=fmtp:63 111/111" CRLF
    "a=rtpmap:9 G722/8000" CRLF
    "a=rtpmap:0 PCMU/8000" CRLF
    "a=rtpmap:8 PCMA/8000" CRLF
    "a=rtpmap:13 CN/8000" CRLF
    "a=rtpmap:110 telephone-event/48000" CRLF
    "a=rtpmap:126 telephone-event/8000" CRLF
    "a=ssrc:1001 cname:Yq3cAf2kD1pQ7w9e" CRLF;

/* An INVITE as SIP.js sends it over WSS; body and Content-Length added. */
#define INVITE_HEAD \
	"INVITE sip:1000@sbc.example.com SIP/2.0" CRLF \
	"Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK5317491" CRLF \
	"To: <sip:1000@sbc.example.com>" CRLF \
	"From: \"Alice\" <sip:alice@sbc.example.com>;tag=8fk3l2vq1e" CRLF \
	"CSeq: 2 INVITE" CRLF \
	"Call-ID: 3n8c2m1k0j9h8g7f6e5d" CRLF \
	"Max-Forwards: 70" CRLF \
	"Contact: <sip:x7d3k2m1@abc.invalid;transport=ws;ob>" CRLF \
	"Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER" CRLF \
	"Supported: outbound" CRLF \
	"User-Agent: SIP.js/0.21.2" CRLF \
	"Content-Type: application/sdp" CRLF

static char *
with_body(const char *head, const char *body)
{
	size_t	 len = strlen(head) + strlen(body) + 64;
	char	*s;
	int	 n;

	s = malloc(len);
	assert_non_null(s);
	n = snprintf(s, len, "%sContent-Length: %zu" CRLF CRLF "%s", head,
	    strlen(body), body);
	assert_true(n > 0 && (size_t)n < len);
	return s;
}

static char *
sipjs_invite(void)
{
	return with_body(INVITE_HEAD, chrome_sdp);
}

/* A copy of s without the line that starts with hdr (which must exist). */
static char *
without(const char *s, const char *hdr)
{
	const char	*p, *eol;
	char		*out;
	size_t		 a, b;

	p = strstr(s, hdr);
	assert_non_null(p);
	assert_true(p == s || p[-1] == '\n');
	eol = strchr(p, '\n');
	assert_non_null(eol);
	a = (size_t)(p - s);
	b = strlen(eol + 1);
	out = malloc(a + b + 1);
	assert_non_null(out);
	memcpy(out, s, a);
	memcpy(out + a, eol + 1, b + 1);
	return out;
}

/* A copy of s with the first `from` replaced by `to`. */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char	*p = strstr(s, from);
	size_t		 a, fl = strlen(from), tl = strlen(to), len;
	char		*out;

	assert_non_null(p);
	a = (size_t)(p - s);
	len = strlen(s) - fl + tl;
	out = malloc(len + 1);
	assert_non_null(out);
	memcpy(out, s, a);
	memcpy(out + a, to, tl);
	memcpy(out + a + tl, p + fl, strlen(p + fl) + 1);
	return out;
}

static msg_t *
parse_str(const char *s, const struct sipmsg_limits *l, int *status,
    const char **why)
{
	return sipmsg_parse(s, strlen(s), l, status, why);
}

/* Serialize m as a NUL-terminated string (in m's home). */
static const char *
bytes(msg_t *m)
{
	char	*out = NULL;
	size_t	 len = 0;

	assert_int_equal(sipmsg_bytes(m, &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

/* Does text hold a header line named name (as Sofia prints it)? */
static int
has_header(const char *text, const char *name)
{
	const char	*p = text;
	size_t		 n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncmp(p, "\r\n", 2) == 0)
			return 0;	/* end of the header block */
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ sipmsg_parse */

static void
test_parse_sipjs_invite(void **state)
{
	const sip_t	*sip;
	const char	*why = "x";
	char		*s = sipjs_invite();
	msg_t		*m;
	int		 status = -1;

	(void)state;
	m = parse_str(s, &lim, &status, &why);
	assert_non_null(m);
	assert_int_equal(status, 0);
	assert_null(why);
	sip = sip_object(m);
	assert_non_null(sip->sip_request);
	assert_int_equal(sip->sip_request->rq_method, sip_method_invite);
	assert_non_null(sip->sip_via);
	assert_string_equal(sip->sip_via->v_protocol, "SIP/2.0/WSS");
	assert_string_equal(sip->sip_via->v_host, "abc.invalid");
	assert_string_equal(sip->sip_via->v_branch, "z9hG4bK5317491");
	assert_non_null(sip->sip_contact);
	assert_string_equal(sip->sip_contact->m_url->url_host, "abc.invalid");
	assert_non_null(sip->sip_contact->m_url->url_params);
	assert_non_null(strstr(sip->sip_contact->m_url->url_params,
	    "transport=ws"));
	assert_string_equal(sip->sip_call_id->i_id, "3n8c2m1k0j9h8g7f6e5d");
	assert_int_equal(sip->sip_cseq->cs_seq, 2);
	assert_string_equal(sip->sip_from->a_tag, "8fk3l2vq1e");
	assert_null(sip->sip_to->a_tag);
	assert_non_null(sip->sip_content_type);
	assert_string_equal(sip->sip_content_type->c_type, "application/sdp");
	assert_non_null(sip->sip_payload);
	assert_int_equal(sip->sip_payload->pl_len, strlen(chrome_sdp));
	assert_memory_equal(sip->sip_payload->pl_data, chrome_sdp,
	    strlen(chrome_sdp));
	msg_destroy(m);
	free(s);
}

/*
 * A request without one of the mandatory headers is refused.  sipmsg.h:
 * status 0 "when nothing can be answered": fail() answers only when Via,
 * From, To, Call-ID and CSeq are all there (a response copies them), so
 * each of these is NULL with status 0, not 400.
 */
static void
test_parse_missing_header(void **state)
{
	static const char *const hdrs[] = {
		"Via:", "From:", "To:", "Call-ID:", "CSeq:",
	};
	const char	*why;
	char		*s = sipjs_invite(), *bad;
	size_t		 i;
	int		 status;

	(void)state;
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		bad = without(s, hdrs[i]);
		status = -1;
		why = NULL;
		if (parse_str(bad, &lim, &status, &why) != NULL)
			fail_msg("parsed without %s", hdrs[i]);
		assert_int_equal(status, 0);
		assert_non_null(why);
		free(bad);
	}
	free(s);
}

static void
test_parse_cseq_mismatch(void **state)
{
	const char	*why = NULL;
	char		*s = sipjs_invite(), *bad;
	int		 status = -1;

	(void)state;
	bad = replace(s, "CSeq: 2 INVITE", "CSeq: 2 BYE");
	assert_null(parse_str(bad, &lim, &status, &why));
	assert_int_equal(status, 400);
	assert_non_null(why);
	assert_non_null(strstr(why, "CSeq"));
	free(bad);
	free(s);
}

/*
 * White space inside a From, To or Contact URI: Sofia takes it but prints
 * it back changed, so an answer copying it would not parse (found by
 * fuzz_sipmsg: "To: <sip:1000@sbc.X y SIP/2.Z>").  Refused with 400.
 */
static void
test_parse_spaced_uri(void **state)
{
	static const struct { const char *from, *to, *why; } cases[] = {
		{ "To: <sip:1000@sbc.example.com>",
		  "To: <sip:1000@sbc.x y SIP/2.Z>", "From or To" },
		{ "From: \"Alice\" <sip:alice@sbc.example.com>",
		  "From: <sip:al ice@sbc.example.com>", "From or To" },
		{ "Contact: <sip:x7d3k2m1@abc.invalid;transport=ws;ob>",
		  "Contact: <sip:x7d3k2m1@abc.invalid;transport=ws ;ob>",
		  "Contact" },
	};
	const char	*why;
	char		*s = sipjs_invite(), *bad;
	size_t		 i;
	int		 status;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		status = -1;
		bad = replace(s, cases[i].from, cases[i].to);
		assert_null(parse_str(bad, &lim, &status, &why));
		assert_int_equal(status, 400);
		assert_non_null(why);
		assert_non_null(strstr(why, cases[i].why));
		free(bad);
	}
	free(s);
}

/*
 * Unknown methods: request line and CSeq must name the same one.  Sofia
 * gives both sip_method_unknown, so the names are compared too (found by
 * fuzz_sipmsg: "FOO" with "CSeq: 1 BAR" used to pass).
 */
static void
test_parse_cseq_unknown_method(void **state)
{
	static const char foo[] =
	    "FOO sip:1000@sbc.example.com SIP/2.0" CRLF
	    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK5317491" CRLF
	    "To: <sip:1000@sbc.example.com>" CRLF
	    "From: <sip:alice@sbc.example.com>;tag=8fk3l2vq1e" CRLF
	    "Call-ID: 3n8c2m1k0j9h8g7f6e5d" CRLF
	    "CSeq: 1 BAR" CRLF
	    "Content-Length: 0" CRLF CRLF;
	const char	*why = NULL;
	msg_t		*m;
	int		 status = -1;

	(void)state;
	m = parse_str(foo, &lim, &status, &why);
	assert_null(m);
	assert_int_equal(status, 400);
}

static void
test_parse_garbage(void **state)
{
	const char	*why = NULL;
	int		 status = -1;

	(void)state;
	assert_null(parse_str("hello", &lim, &status, &why));
	assert_int_equal(status, 0);
	assert_non_null(why);

	status = -1;
	assert_null(sipmsg_parse("", 0, &lim, &status, &why));
	assert_int_equal(status, 0);

	status = -1;
	assert_null(parse_str("hello" CRLF CRLF, &lim, &status, &why));
	assert_int_equal(status, 0);
}

static void
test_parse_limits(void **state)
{
	struct sipmsg_limits	 l;
	const char		*why;
	char			*s = sipjs_invite();
	size_t			 len = strlen(s);
	int			 status;

	(void)state;
	/* exactly at every limit: accepted */
	l.max_size = len;
	l.max_headers = 13;		/* request line + 12 header fields */
	l.max_body = strlen(chrome_sdp);
	status = -1;
	why = NULL;
	{
		msg_t	*m = sipmsg_parse(s, len, &l, &status, &why);

		assert_non_null(m);
		msg_destroy(m);
	}

	/* body one byte over */
	l.max_body = strlen(chrome_sdp) - 1;
	assert_null(sipmsg_parse(s, len, &l, &status, &why));
	assert_int_equal(status, 413);
	assert_non_null(why);
	l.max_body = strlen(chrome_sdp);

	/* one header field too many */
	l.max_headers = 12;
	status = -1;
	assert_null(sipmsg_parse(s, len, &l, &status, &why));
	assert_int_equal(status, 513);
	assert_non_null(why);
	l.max_headers = 13;

	/*
	 * One byte over max_size.  The message is not parsed at all, so
	 * there is nothing to answer on and status is 0 although the request
	 * had a Via and CSeq: sipmsg.h names 513 for this but does not say so
	 * explicitly (see the report); the caller drops it.
	 */
	l.max_size = len - 1;
	status = -1;
	why = NULL;
	assert_null(sipmsg_parse(s, len, &l, &status, &why));
	assert_int_equal(status, 0);
	assert_non_null(why);
	free(s);
}

static void
test_parse_response(void **state)
{
	static const char resp[] =
	    "SIP/2.0 200 OK" CRLF
	    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK5317491" CRLF
	    "To: <sip:1000@sbc.example.com>;tag=as5f1c2d" CRLF
	    "From: \"Alice\" <sip:alice@sbc.example.com>;tag=8fk3l2vq1e" CRLF
	    "Call-ID: 3n8c2m1k0j9h8g7f6e5d" CRLF
	    "CSeq: 2 INVITE" CRLF
	    "Contact: <sip:sbc@sbc.example.com;transport=ws>" CRLF
	    "Content-Length: 0" CRLF CRLF;
	const sip_t	*sip;
	const char	*why;
	msg_t		*m;
	int		 status = -1;

	(void)state;
	m = parse_str(resp, &lim, &status, &why);
	assert_non_null(m);
	sip = sip_object(m);
	assert_null(sip->sip_request);
	assert_non_null(sip->sip_status);
	assert_int_equal(sip->sip_status->st_status, 200);
	assert_string_equal(sip->sip_to->a_tag, "as5f1c2d");
	assert_int_equal(sip->sip_cseq->cs_method, sip_method_invite);
	msg_destroy(m);
}

/* ------------------------------------------------------------ responses */

static msg_t *
parse_ok(const char *s)
{
	const char	*why;
	msg_t		*m;
	int		 status;

	m = parse_str(s, &lim, &status, &why);
	if (m == NULL)
		fail_msg("did not parse (%d %s)", status, why ? why : "");
	return m;
}

static void
test_response_180_tag(void **state)
{
	const sip_t	*req, *rs;
	char		*s = sipjs_invite();
	msg_t		*m, *r;

	(void)state;
	m = parse_ok(s);
	req = sip_object(m);
	r = sipmsg_response(req, 180, "Ringing", "b2btag1", TAG_END());
	assert_non_null(r);
	rs = sip_object(r);
	assert_int_equal(rs->sip_status->st_status, 180);
	assert_string_equal(rs->sip_status->st_phrase, "Ringing");
	assert_non_null(rs->sip_to);
	assert_string_equal(rs->sip_to->a_tag, "b2btag1");
	assert_string_equal(rs->sip_to->a_url->url_user, "1000");
	assert_string_equal(rs->sip_from->a_tag, "8fk3l2vq1e");
	assert_string_equal(rs->sip_call_id->i_id, "3n8c2m1k0j9h8g7f6e5d");
	assert_int_equal(rs->sip_cseq->cs_seq, 2);
	assert_int_equal(rs->sip_cseq->cs_method, sip_method_invite);
	/* the request's To is not touched */
	assert_null(req->sip_to->a_tag);
	msg_destroy(r);

	/* a To that already has a tag keeps it */
	free(s);
	s = replace(INVITE_HEAD "Content-Length: 0" CRLF CRLF,
	    "To: <sip:1000@sbc.example.com>",
	    "To: <sip:1000@sbc.example.com>;tag=old");
	msg_destroy(m);
	m = parse_ok(s);
	r = sipmsg_response(sip_object(m), 180, "Ringing", "b2btag1",
	    TAG_END());
	assert_non_null(r);
	assert_string_equal(sip_object(r)->sip_to->a_tag, "old");
	msg_destroy(r);
	msg_destroy(m);
	free(s);
}

static void
test_response_vias(void **state)
{
	const sip_via_t	*v;
	const sip_t	*rs;
	char		*s;
	const char	*text, *p1, *p2, *p3;
	msg_t		*m, *r;

	(void)state;
	s = replace(INVITE_HEAD "Content-Length: 0" CRLF CRLF,
	    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK5317491" CRLF,
	    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK5317491" CRLF
	    "Via: SIP/2.0/TCP p1.example.net;branch=z9hG4bKp1,"
	    " SIP/2.0/UDP p2.example.net;branch=z9hG4bKp2" CRLF
	    "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKp3;rport=5062"
	    CRLF);
	m = parse_ok(s);
	r = sipmsg_response(sip_object(m), 486, "Busy Here", "t", TAG_END());
	assert_non_null(r);
	rs = sip_object(r);
	v = rs->sip_via;
	assert_non_null(v);
	assert_string_equal(v->v_host, "abc.invalid");
	assert_non_null(v = v->v_next);
	assert_string_equal(v->v_host, "p1.example.net");
	assert_non_null(v = v->v_next);
	assert_string_equal(v->v_host, "p2.example.net");
	assert_non_null(v = v->v_next);
	assert_string_equal(v->v_host, "198.51.100.7");
	assert_string_equal(v->v_rport, "5062");
	assert_null(v->v_next);

	text = bytes(r);
	p1 = strstr(text, "abc.invalid");
	p2 = strstr(text, "p2.example.net");
	p3 = strstr(text, "198.51.100.7");
	assert_true(p1 != NULL && p2 != NULL && p3 != NULL);
	assert_true(p1 < p2 && p2 < p3);
	msg_destroy(r);
	msg_destroy(m);
	free(s);
}

static void
test_response_100_no_tag(void **state)
{
	char	*s = sipjs_invite();
	msg_t	*m, *r;

	(void)state;
	m = parse_ok(s);
	r = sipmsg_response(sip_object(m), 100, "Trying", "b2btag1",
	    TAG_END());
	assert_non_null(r);
	assert_int_equal(sip_object(r)->sip_status->st_status, 100);
	assert_null(sip_object(r)->sip_to->a_tag);
	assert_null(strstr(bytes(r), "b2btag1"));
	msg_destroy(r);
	msg_destroy(m);
	free(s);
}

static void
test_response_bytes_roundtrip(void **state)
{
	const sip_t	*rs;
	const char	*text, *why;
	char		*s = sipjs_invite();
	msg_t		*m, *r, *again;
	int		 status;

	(void)state;
	m = parse_ok(s);
	r = sipmsg_response(sip_object(m), 200, "OK", "b2btag1",
	    SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"),
	    SIPTAG_PAYLOAD_STR("Signal=5\r\nDuration=160\r\n"), TAG_END());
	assert_non_null(r);
	text = bytes(r);
	assert_true(strncmp(text, "SIP/2.0 200 OK\r\n", 16) == 0);
	assert_true(has_header(text, "Content-Length"));
	assert_non_null(strstr(text, "Content-Length: 24\r\n"));
	again = sipmsg_parse(text, strlen(text), &lim, &status, &why);
	assert_non_null(again);
	rs = sip_object(again);
	assert_int_equal(rs->sip_status->st_status, 200);
	assert_string_equal(rs->sip_to->a_tag, "b2btag1");
	assert_string_equal(rs->sip_call_id->i_id, "3n8c2m1k0j9h8g7f6e5d");
	assert_string_equal(rs->sip_via->v_branch, "z9hG4bK5317491");
	assert_non_null(rs->sip_payload);
	assert_int_equal(rs->sip_payload->pl_len, 24);
	msg_destroy(again);
	msg_destroy(r);

	/* without a body: Content-Length: 0 */
	r = sipmsg_response(sip_object(m), 100, "Trying", NULL, TAG_END());
	assert_non_null(r);
	text = bytes(r);
	assert_non_null(strstr(text, "Content-Length: 0\r\n"));
	again = sipmsg_parse(text, strlen(text), &lim, &status, &why);
	assert_non_null(again);
	msg_destroy(again);
	msg_destroy(r);
	msg_destroy(m);
	free(s);
}

/* ------------------------------------------------------------ SDP */

/*
 * The SDP of the browser's INVITE as the PBX gets it: sdp_conv_parse()
 * then sdp_conv_build() for the RTP profile (b2b_media.c's path; the
 * interim signaling/sdp_rewrite.c is gone).  media/sdp_conv.c has its own
 * tests (test_sdp_conv.c); these are the topology-hiding rules only.
 */

static int
count_lines(const char *text, const char *prefix)
{
	const char	*p = text;
	size_t		 n = strlen(prefix);
	int		 c = 0;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			c++;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return c;
}

/* Every c= line of text is exactly want. */
static void
assert_all_c(const char *text, const char *want)
{
	const char	*p = text, *eol;
	size_t		 n = strlen(want);
	int		 seen = 0;

	while ((p = strstr(p, "\nc=")) != NULL) {
		p++;
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		if ((size_t)(eol - p) != n || strncmp(p, want, n) != 0)
			fail_msg("c= line \"%.*s\", want \"%s\"",
			    (int)(eol - p), p, want);
		seen++;
	}
	assert_true(seen >= 1);
}

/* Nothing of the browser's transport reaches the PBX. */
static void
assert_no_leak(const char *out)
{
	static const char *const secret[] = {
		"192.0.2.10", ".local", "6c2c4f5e", "54321", "54322",
		"Xq3B", "dT3vYl1kB6nQ9w2Zs8pR4uHj", "7B:8B:F0", "5b1e0cb5",
		"0f6f3b51", "Yq3cAf2kD1pQ7w9e", "4611731400430051336",
	};
	size_t	i;

	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (strstr(out, secret[i]) != NULL)
			fail_msg("\"%s\" crossed:\n%s", secret[i], out);
	assert_int_equal(count_lines(out, "a=candidate"), 0);
	assert_int_equal(count_lines(out, "a=end-of-candidates"), 0);
	assert_int_equal(count_lines(out, "a=remote-candidates"), 0);
}

static void
assert_codecs_kept(const char *out)
{
	assert_non_null(strstr(out, " 111 63 9 0 8 13 110 126\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:111 opus/48000/2\r\n"));
	assert_non_null(strstr(out, "a=fmtp:111 minptime=10;useinbandfec=1"));
	assert_non_null(strstr(out, "a=rtpmap:63 red/48000/2\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:9 G722/8000\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:0 PCMU/8000\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:8 PCMA/8000\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:110 telephone-event/48000\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:126 telephone-event/8000\r\n"));
}

/* The Chrome offer rebuilt as an RTP offer from address (NULL: failed). */
static char *
to_pbx(su_home_t *home, const char *sdp, size_t len, const char *address)
{
	struct sdp_desc		*d = calloc(1, sizeof(*d));
	struct sdp_local	 l;
	char			*out = NULL;
	int			 i;

	assert_non_null(d);
	memset(&l, 0, sizeof(l));
	l.profile = SDP_PROFILE_RTP;
	l.address = address;
	for (i = 0; i < SDP_MAX_STREAMS; i++) {
		l.port[i] = 30000 + 2 * i;
		l.rtcp_port[i] = 30001 + 2 * i;
	}
	l.sess_id = 1234567890123ULL;
	l.sess_ver = 1;
	if (sdp_conv_parse(sdp, len, d) == 0)
		out = sdp_conv_build(home, d, NULL, &l, 1);
	free(d);
	return out;
}

static void
test_sdp_chrome_ipv4(void **state)
{
	su_home_t	*home = su_home_new(sizeof(*home));
	char		*out;

	(void)state;
	assert_non_null(home);
	out = to_pbx(home, chrome_sdp, strlen(chrome_sdp), "203.0.113.5");
	assert_non_null(out);
	assert_true(strncmp(out, "v=0\r\n", 5) == 0);
	assert_int_equal(count_lines(out, "o="), 1);
	assert_non_null(strstr(out,
	    "o=sbc 1234567890123 1 IN IP4 203.0.113.5\r\n"));
	assert_all_c(out, "c=IN IP4 203.0.113.5");
	assert_non_null(strstr(out, "m=audio 30000 RTP/AVP "));
	assert_no_leak(out);
	assert_codecs_kept(out);
	su_home_unref(home);
}

static void
test_sdp_chrome_ipv6(void **state)
{
	su_home_t	*home = su_home_new(sizeof(*home));
	char		*out;

	(void)state;
	assert_non_null(home);
	out = to_pbx(home, chrome_sdp, strlen(chrome_sdp), "2001:db8::1");
	assert_non_null(out);
	assert_non_null(strstr(out,
	    "o=sbc 1234567890123 1 IN IP6 2001:db8::1\r\n"));
	assert_all_c(out, "c=IN IP6 2001:db8::1");
	assert_null(strstr(out, "IN IP4"));
	assert_no_leak(out);
	assert_codecs_kept(out);
	su_home_unref(home);
}

static void
test_sdp_bad(void **state)
{
	static const char no_m[] =
	    "v=0" CRLF
	    "o=- 1 2 IN IP4 192.0.2.10" CRLF
	    "s=-" CRLF
	    "c=IN IP4 192.0.2.10" CRLF
	    "t=0 0" CRLF;
	static const char junk[] = "hello world\r\nthis is not sdp\r\n";
	su_home_t	*home = su_home_new(sizeof(*home));

	(void)state;
	assert_null(to_pbx(home, junk, strlen(junk), "203.0.113.5"));
	assert_null(to_pbx(home, "", 0, "203.0.113.5"));
	assert_null(to_pbx(home, no_m, strlen(no_m), "203.0.113.5"));
	/* a SIP message is not SDP either */
	assert_null(to_pbx(home, INVITE_HEAD, strlen(INVITE_HEAD),
	    "203.0.113.5"));
	su_home_unref(home);
}

/* ------------------------------------------------------------ topo */

#define TOPO_SRC \
	"INVITE sip:1000@sbc.example.com SIP/2.0" CRLF \
	"Via: SIP/2.0/WSS src.invalid;branch=z9hG4bKsrcvia" CRLF \
	"Via: SIP/2.0/UDP 198.51.100.99:5060;branch=z9hG4bKsrcvia2" CRLF \
	"From: <sip:alice@sbc.example.com>;tag=srcfrom" CRLF \
	"To: <sip:1000@sbc.example.com>" CRLF \
	"Call-ID: srccallid@198.51.100.99" CRLF \
	"CSeq: 7 INVITE" CRLF \
	"Max-Forwards: 70" CRLF \
	"Authorization: Digest username=\"alice\", realm=\"pbx\"," \
	" nonce=\"abc\", uri=\"sip:1000@sbc.example.com\"," \
	" response=\"0123456789abcdef0123456789abcdef\"" CRLF \
	"WWW-Authenticate: Digest realm=\"pbx\", nonce=\"srcnonce\"" CRLF \
	"Record-Route: <sip:rr.internal.example;lr>" CRLF \
	"Route: <sip:route.internal.example;lr>" CRLF \
	"Contact: <sip:alice@198.51.100.99:5060;transport=udp>" CRLF \
	"User-Agent: SecretPBX 1.0" CRLF \
	"Server: SecretServer 2.0" CRLF \
	"Warning: 399 pbx.internal \"internal warning\"" CRLF \
	"P-Asserted-Identity: <sip:+15551234567@pbx.internal>" CRLF \
	"X-Custom: internal-secret" CRLF \
	"Subject: lunch" CRLF \
	"Reason: Q.850;cause=16;text=\"Normal call clearing\"" CRLF

/* A destination with a request line and its own mandatory headers. */
static msg_t *
topo_dst(enum topo_dir dir)
{
	msg_t	*m = msg_create(sip_default_mclass(), 0);
	sip_t	*sip;
	int	 rc;

	assert_non_null(m);
	sip = sip_object(m);
	if (dir == TOPO_TO_PBX)
		rc = sip_add_tl(m, sip,
		    SIPTAG_REQUEST_STR("INVITE sip:1000@pbx.example SIP/2.0"),
		    SIPTAG_VIA_STR("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKdst"),
		    SIPTAG_FROM_STR("<sip:alice@sbc.example>;tag=dstfrom"),
		    SIPTAG_TO_STR("<sip:1000@pbx.example>"),
		    SIPTAG_CALL_ID_STR("dstcallid"),
		    SIPTAG_CSEQ_STR("1 INVITE"), TAG_END());
	else
		rc = sip_add_tl(m, sip,
		    SIPTAG_STATUS_STR("SIP/2.0 401 Unauthorized"),
		    SIPTAG_VIA_STR("SIP/2.0/WSS b.invalid;branch=z9hG4bKdst"),
		    SIPTAG_FROM_STR("<sip:alice@sbc.example>;tag=dstfrom"),
		    SIPTAG_TO_STR("<sip:1000@sbc.example>;tag=dstto"),
		    SIPTAG_CALL_ID_STR("dstcallid"),
		    SIPTAG_CSEQ_STR("1 INVITE"), TAG_END());
	assert_int_equal(rc, 0);
	if (dir == TOPO_TO_PBX)
		assert_non_null(sip->sip_request);
	else
		assert_non_null(sip->sip_status);
	return m;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The names of the header lines of text, lower case, sorted (Sofia orders
 * headers its own way) and joined by ',', e.g. "call-id,cseq,from,to,via".
 */
static void
header_names(const char *text, char *out, size_t outlen)
{
	const char	*p = strstr(text, "\r\n"), *colon;
	char		 names[32][32], *v[32];
	size_t		 nn = 0, n = 0, k, i;

	while (p != NULL && strncmp(p, "\r\n\r\n", 4) != 0) {
		p += 2;
		colon = strchr(p, ':');
		assert_non_null(colon);
		assert_true(nn < 32 && colon - p < 32);
		for (k = 0; p + k < colon; k++)
			names[nn][k] = (char)(p[k] >= 'A' && p[k] <= 'Z' ?
			    p[k] - 'A' + 'a' : p[k]);
		names[nn][k] = '\0';
		v[nn] = names[nn];
		nn++;
		p = strstr(p, "\r\n");
	}
	qsort(v, nn, sizeof(v[0]), cmp_str);
	out[0] = '\0';
	for (i = 0; i < nn; i++) {
		k = strlen(v[i]);
		assert_true(n + k + 2 < outlen);
		if (i > 0)
			out[n++] = ',';
		memcpy(out + n, v[i], k + 1);
		n += k;
	}
}

static void
assert_nothing_private(const char *text)
{
	static const char *const secret[] = {
		"src.invalid", "198.51.100.99", "srcvia", "srccallid",
		"srcfrom", "rr.internal", "route.internal", "SecretPBX",
		"SecretServer", "internal warning", "pbx.internal",
		"internal-secret", "Record-Route", "Route:", "Contact",
		"User-Agent", "Server", "Warning", "P-Asserted", "X-Custom",
	};
	size_t	i;

	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (strstr(text, secret[i]) != NULL)
			fail_msg("\"%s\" crossed:\n%s", secret[i], text);
}

static void
test_topo_headers(void **state)
{
	const char		*text;
	char			 names[512];
	const char		*custom[] = { "x-custom" };
	const struct sbc_strv	 pass = { custom, 1 };
	msg_t			*src, *dst;

	(void)state;
	src = msg_make(sip_default_mclass(), 0, TOPO_SRC "Content-Length: 0"
	    CRLF CRLF, -1);
	assert_non_null(src);
	assert_non_null(sip_object(src)->sip_authorization);
	assert_non_null(sip_object(src)->sip_www_authenticate);
	assert_non_null(sip_object(src)->sip_record_route);
	assert_non_null(sip_object(src)->sip_unknown);
	assert_non_null(sip_object(src)->sip_reason);
	assert_non_null(sip_object(src)->sip_subject);

	/* toward the PBX: Authorization, Subject, Reason */
	dst = topo_dst(TOPO_TO_PBX);
	assert_int_equal(topo_copy_headers(dst, sip_object(dst),
	    sip_object(src), TOPO_TO_PBX, NULL), 0);
	text = bytes(dst);
	assert_true(strncmp(text, "INVITE sip:1000@pbx.example SIP/2.0\r\n",
	    37) == 0);
	header_names(text, names, sizeof(names));
	assert_string_equal(names, "authorization,call-id,content-length,"
	    "cseq,from,reason,subject,to,via");
	assert_non_null(strstr(text, "response=\"0123456789abcdef"));
	assert_non_null(strstr(text, "Subject: lunch\r\n"));
	assert_non_null(strstr(text, "cause=16"));
	assert_false(has_header(text, "WWW-Authenticate"));
	assert_nothing_private(text);
	msg_destroy(dst);

	/* toward the browser: WWW-Authenticate, Subject, Reason */
	dst = topo_dst(TOPO_TO_BROWSER);
	assert_int_equal(topo_copy_headers(dst, sip_object(dst),
	    sip_object(src), TOPO_TO_BROWSER, NULL), 0);
	text = bytes(dst);
	assert_true(strncmp(text, "SIP/2.0 401 Unauthorized\r\n", 26) == 0);
	header_names(text, names, sizeof(names));
	assert_string_equal(names, "call-id,content-length,cseq,from,"
	    "reason,subject,to,via,www-authenticate");
	assert_non_null(strstr(text, "nonce=\"srcnonce\""));
	assert_false(has_header(text, "Authorization"));
	assert_null(strstr(text, "0123456789abcdef"));
	assert_nothing_private(text);
	msg_destroy(dst);

	/* signaling.pass_headers = [ "x-custom" ]: that one crosses too */
	dst = topo_dst(TOPO_TO_PBX);
	assert_int_equal(topo_copy_headers(dst, sip_object(dst),
	    sip_object(src), TOPO_TO_PBX, &pass), 0);
	text = bytes(dst);
	assert_non_null(strstr(text, "X-Custom: internal-secret\r\n"));
	assert_false(has_header(text, "P-Asserted-Identity"));
	msg_destroy(dst);
	msg_destroy(src);
}

static msg_t *
body_src(const char *type, const char *body)
{
	char	 head[256];
	char	*s;
	msg_t	*m;
	int	 n;

	n = snprintf(head, sizeof(head),
	    "INFO sip:1000@sbc.example.com SIP/2.0" CRLF
	    "Via: SIP/2.0/WSS src.invalid;branch=z9hG4bKb" CRLF
	    "From: <sip:alice@sbc.example.com>;tag=f" CRLF
	    "To: <sip:1000@sbc.example.com>;tag=t" CRLF
	    "Call-ID: c" CRLF
	    "CSeq: 3 INFO" CRLF
	    "Content-Type: %s" CRLF, type);
	assert_true(n > 0 && (size_t)n < sizeof(head));
	s = with_body(head, body);
	m = parse_ok(s);
	free(s);
	return m;
}

/*
 * topo_copy_body: allowed types verbatim, others dropped; SDP is never
 * copied (b2b_media writes a new one: topo_sdp_of, topo_add_sdp).
 */
static void
test_topo_body(void **state)
{
	static const char dtmf[] = "Signal=5\r\nDuration=160\r\n";
	const sip_t	*d;
	const char	*text, *sdp;
	msg_t		*src, *dst;
	size_t		 len = 0;

	(void)state;
	/* dtmf-relay: verbatim */
	src = body_src("application/dtmf-relay", dtmf);
	assert_null(topo_sdp_of(sip_object(src), &len));
	dst = topo_dst(TOPO_TO_PBX);
	assert_int_equal(topo_copy_body(dst, sip_object(dst), sip_object(src)),
	    0);
	d = sip_object(dst);
	assert_non_null(d->sip_content_type);
	assert_string_equal(d->sip_content_type->c_type,
	    "application/dtmf-relay");
	assert_non_null(d->sip_payload);
	assert_int_equal(d->sip_payload->pl_len, strlen(dtmf));
	assert_memory_equal(d->sip_payload->pl_data, dtmf, strlen(dtmf));
	text = bytes(dst);
	assert_non_null(strstr(text, "\r\n\r\nSignal=5\r\nDuration=160\r\n"));
	msg_destroy(dst);
	msg_destroy(src);

	/* text/plain: dropped, and no Content-Type either */
	src = body_src("text/plain", "hello from the inside\r\n");
	dst = topo_dst(TOPO_TO_BROWSER);
	assert_int_equal(topo_copy_body(dst, sip_object(dst), sip_object(src)),
	    0);
	d = sip_object(dst);
	assert_null(d->sip_content_type);
	assert_null(d->sip_payload);
	text = bytes(dst);
	assert_null(strstr(text, "hello"));
	assert_non_null(strstr(text, "Content-Length: 0\r\n"));
	msg_destroy(dst);
	msg_destroy(src);

	/* SDP: not copied by topo_copy_body, found by topo_sdp_of */
	src = body_src("application/sdp", chrome_sdp);
	dst = topo_dst(TOPO_TO_PBX);
	assert_int_equal(topo_copy_body(dst, sip_object(dst), sip_object(src)),
	    0);
	d = sip_object(dst);
	assert_null(d->sip_content_type);
	assert_null(d->sip_payload);
	assert_null(strstr(bytes(dst), "192.0.2.10"));
	sdp = topo_sdp_of(sip_object(src), &len);
	assert_non_null(sdp);
	assert_int_equal(len, strlen(chrome_sdp));
	assert_memory_equal(sdp, chrome_sdp, len);

	/* topo_add_sdp: what we wrote, as application/sdp */
	assert_int_equal(topo_add_sdp(dst, sip_object(dst),
	    "v=0\r\no=sbc 1 1 IN IP4 203.0.113.5\r\n"), 0);
	d = sip_object(dst);
	assert_non_null(d->sip_content_type);
	assert_string_equal(d->sip_content_type->c_type, "application/sdp");
	text = bytes(dst);
	assert_non_null(strstr(text, "\r\n\r\nv=0\r\no=sbc 1 1 IN IP4"));
	assert_null(strstr(text, "192.0.2.10"));
	msg_destroy(dst);
	msg_destroy(src);
}

/* ------------------------------------------------------------ route_select */

#define ROUTE_CONF \
	"listeners = ( { name = \"pbx\"; transport = \"udp\";" \
	" port = 5060; } );\n" \
	"trunks = ( { name = \"a\"; hosts = [ \"10.0.0.1\" ]; },\n" \
	"  { name = \"b\"; hosts = [ \"10.0.0.2\" ]; } );\n" \
	"routes = ( { prefix = \"9\"; trunk = \"a\"; strip = 1;" \
	" prepend = \"0\"; },\n" \
	"  { prefix = \"00\"; trunk = \"b\"; },\n" \
	"  { prefix = \"7\"; trunk = \"a\"; strip = 5; } );\n"

static struct sbc_config *
load(const char *text)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;
	size_t			 i;

	if (sbc_config_load_string(text, "t.conf", &cfg, &err) != 0) {
		for (i = 0; i < err.n && i < CONF_MAX_ERRORS; i++)
			print_message("# %s\n", err.msg[i]);
		fail_msg("the configuration did not load");
	}
	assert_non_null(cfg);
	return cfg;
}

static void
test_route_select(void **state)
{
	const struct sbc_trunk	*t;
	struct sbc_config	*cfg;
	char			 out[64];

	(void)state;
	cfg = load(ROUTE_CONF "default_trunk = \"b\";\n");
	assert_int_equal(cfg->nroutes, 3);

	t = route_select(cfg, "9123", out, sizeof(out));
	assert_non_null(t);
	assert_string_equal(t->name, "a");
	assert_string_equal(out, "0123");

	t = route_select(cfg, "00123", out, sizeof(out));
	assert_non_null(t);
	assert_string_equal(t->name, "b");
	assert_string_equal(out, "00123");

	t = route_select(cfg, "555", out, sizeof(out));
	assert_non_null(t);
	assert_string_equal(t->name, "b");
	assert_string_equal(out, "555");

	/* strip 1 of "9" leaves "", prepend makes it "0" */
	t = route_select(cfg, "9", out, sizeof(out));
	assert_non_null(t);
	assert_string_equal(out, "0");

	/*
	 * strip 5 of "712" (no prepend) leaves nothing: NULL, and the
	 * default trunk is not tried either (the first matching route wins).
	 */
	assert_null(route_select(cfg, "712", out, sizeof(out)));

	/* the result does not fit out: NULL */
	assert_null(route_select(cfg, "9123", out, 4));
	t = route_select(cfg, "9123", out, 5);
	assert_non_null(t);
	assert_string_equal(out, "0123");
	assert_null(route_select(cfg, "555", out, 3));
	sbc_config_unref(cfg);

	/* no default trunk: only the routes */
	cfg = load(ROUTE_CONF);
	assert_string_equal(cfg->default_trunk, "");
	assert_null(route_select(cfg, "555", out, sizeof(out)));
	assert_null(route_select(cfg, "", out, sizeof(out)));
	t = route_select(cfg, "9123", out, sizeof(out));
	assert_non_null(t);
	assert_string_equal(t->name, "a");
	sbc_config_unref(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sipjs_invite),
		cmocka_unit_test(test_parse_missing_header),
		cmocka_unit_test(test_parse_cseq_mismatch),
		cmocka_unit_test(test_parse_spaced_uri),
		cmocka_unit_test(test_parse_cseq_unknown_method),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_response),
		cmocka_unit_test(test_response_180_tag),
		cmocka_unit_test(test_response_vias),
		cmocka_unit_test(test_response_100_no_tag),
		cmocka_unit_test(test_response_bytes_roundtrip),
		cmocka_unit_test(test_sdp_chrome_ipv4),
		cmocka_unit_test(test_sdp_chrome_ipv6),
		cmocka_unit_test(test_sdp_bad),
		cmocka_unit_test(test_topo_headers),
		cmocka_unit_test(test_topo_body),
		cmocka_unit_test(test_route_select),
	};

	return cmocka_run_group_tests_name("sip", tests, NULL, NULL);
}
