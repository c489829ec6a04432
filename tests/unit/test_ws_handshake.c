/*
 * test_ws_handshake.c: cmocka unit tests for signaling/ws_handshake.c:
 * request parsing, each error status, Sec-WebSocket-Accept (RFC 6455
 * example) and the 101 / error responses.
 *
 * Owns: nothing.
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/ws_handshake.h"

#define BROWSER_REQ \
	"GET /sip?user=alice HTTP/1.1\r\n" \
	"Host: sbc.example.com:8443\r\n" \
	"User-Agent: Mozilla/5.0\r\n" \
	"Upgrade: websocket\r\n" \
	"Connection: keep-alive, Upgrade\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
	"Origin: https://www.example.com\r\n" \
	"Sec-WebSocket-Protocol: sip\r\n" \
	"Sec-WebSocket-Version: 13\r\n" \
	"Sec-WebSocket-Extensions: permessage-deflate\r\n" \
	"\r\n"

/* Minimal upgrade; h is inserted before the blank line. */
#define UPGRADE(h) \
	"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n" \
	"Connection: Upgrade\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" h "\r\n"

static enum ws_hs_result
parse(const char *s, struct ws_hs_request *req)
{
	return ws_hs_parse(s, strlen(s), NULL, req);
}

static int
span_is(struct ws_span sp, const char *s)
{
	return sp.p != NULL && sp.len == strlen(s) &&
	    memcmp(sp.p, s, sp.len) == 0;
}

static void
expect_status(const char *s, int status)
{
	struct ws_hs_request	req;

	assert_int_equal(parse(s, &req), WS_HS_ERROR);
	assert_int_equal(req.status, status);
	assert_non_null(req.error);
}

/* RFC 6455 section 1.3 example (value cross-checked with openssl(1)). */
static void
test_accept_key_rfc_example(void **state)
{
	char	out[WS_ACCEPT_LEN + 1];

	(void)state;
	assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out),
	    0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(ws_accept_key(out, 65, out), -1);
}

static void
test_browser_upgrade(void **state)
{
	struct ws_hs_request	req;

	(void)state;
	assert_int_equal(parse(BROWSER_REQ, &req), WS_HS_WEBSOCKET);
	assert_true(span_is(req.method, "GET"));
	assert_true(span_is(req.target, "/sip?user=alice"));
	assert_true(span_is(req.host, "sbc.example.com:8443"));
	assert_true(span_is(req.origin, "https://www.example.com"));
	assert_true(span_is(req.key, "dGhlIHNhbXBsZSBub25jZQ=="));
	assert_true(span_is(req.protocol, "sip"));
	assert_true(req.upgrade_ws);
	assert_true(req.conn_upgrade);
	assert_true(req.sip);
	assert_int_equal(req.version, 13);
	assert_int_equal(req.http_minor, 1);
	assert_int_equal(req.nheaders, 9);
	assert_int_equal(req.length, strlen(BROWSER_REQ));
	assert_int_equal(req.status, 0);
}

static void
test_incomplete_prefixes(void **state)
{
	struct ws_hs_request	req;
	const char		*s = BROWSER_REQ;
	size_t			 i, n = strlen(s);

	(void)state;
	for (i = 0; i < n; i++)
		assert_int_equal(ws_hs_parse(s, i, NULL, &req),
		    WS_HS_INCOMPLETE);
	assert_int_equal(ws_hs_parse(s, n, NULL, &req), WS_HS_WEBSOCKET);
}

static void
test_trailing_bytes_not_counted(void **state)
{
	struct ws_hs_request	req;
	char			buf[1024];
	int			n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "%s\x81\x85xxxx", BROWSER_REQ);
	assert_int_equal(ws_hs_parse(buf, (size_t)n, NULL, &req),
	    WS_HS_WEBSOCKET);
	assert_int_equal(req.length, strlen(BROWSER_REQ));
}

static void
test_plain_get(void **state)
{
	struct ws_hs_request	req;

	(void)state;
	assert_int_equal(parse("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
	    &req), WS_HS_HTTP);
	assert_true(span_is(req.target, "/index.html"));
	assert_false(req.upgrade_ws);
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req), WS_HS_HTTP);
	assert_int_equal(req.http_minor, 0);
	assert_null(req.host.p);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n"
	    "Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n", &req), WS_HS_HTTP);
}

static void
test_case_insensitive_names(void **state)
{
	struct ws_hs_request	req;

	(void)state;
	assert_int_equal(parse("GET /ws HTTP/1.1\r\nhOST: h\r\n"
	    "upgrade: WebSocket\r\nCONNECTION: UPGRADE\r\n"
	    "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
	    "SEC-WEBSOCKET-VERSION:13\r\n\r\n", &req), WS_HS_WEBSOCKET);
	assert_true(span_is(req.host, "h"));
	assert_false(req.sip);
}

static void
test_method_not_allowed(void **state)
{
	(void)state;
	expect_status("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405);
	expect_status("get / HTTP/1.1\r\nHost: x\r\n\r\n", 405);
	expect_status("OPTIONS / HTTP/1.1\r\n", 405);	/* early */
	expect_status("head / HTTP/1.1\r\nHost: x\r\n\r\n", 405);
}

/* HEAD is a plain HTTP request (static files); an upgrade must be GET. */
static void
test_head(void **state)
{
	struct ws_hs_request	req;

	(void)state;
	assert_int_equal(parse("HEAD /a.js HTTP/1.1\r\nHost: x\r\n\r\n",
	    &req), WS_HS_HTTP);
	assert_true(req.head);
	assert_true(span_is(req.target, "/a.js"));
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &req),
	    WS_HS_HTTP);
	assert_false(req.head);
	expect_status("HEAD / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", 405);
}

static void
test_version_426(void **state)
{
	(void)state;
	expect_status(UPGRADE(""), 426);
	expect_status(UPGRADE("Sec-WebSocket-Version: 8\r\n"), 426);
	expect_status(UPGRADE("Sec-WebSocket-Version: 013\r\n"), 426);
	expect_status(UPGRADE("Sec-WebSocket-Version: 13, 8\r\n"), 426);
	expect_status(UPGRADE("Sec-WebSocket-Version: 256\r\n"), 426);
}

static void
test_bad_key_400(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j*Q==\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n", 400);
	expect_status(UPGRADE("Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"), 400);
}

static void
test_upgrade_needs_connection_and_11(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: keep-alive\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 400);
	expect_status("GET / HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\n"
	    "Connection: upgrade\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 400);
}

static void
test_too_large_431(void **state)
{
	static const char	five[] = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n"
	    "C: 3\r\nD: 4\r\nE: 5\r\n";
	static const char	four[] = "GET / HTTP/1.1\r\nHost: 1\r\n"
	    "B: 2\r\nC: 3\r\nD: 4\r\n\r\n";
	struct ws_hs_limits	lim = { 64, 4, 40 };
	struct ws_hs_request	req;
	char			buf[128];

	(void)state;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(ws_hs_parse(buf, 50, &lim, &req), WS_HS_INCOMPLETE);
	assert_int_equal(ws_hs_parse(buf, 64, &lim, &req), WS_HS_ERROR);
	assert_int_equal(req.status, 431);
	lim.max_bytes = 1000;
	assert_int_equal(ws_hs_parse(buf, 100, &lim, &req), WS_HS_ERROR);
	assert_int_equal(req.status, 431);	/* header line > 40 */
	assert_int_equal(ws_hs_parse(five, strlen(five), &lim, &req),
	    WS_HS_ERROR);
	assert_int_equal(req.status, 431);	/* 5 > 4 headers */
	assert_int_equal(ws_hs_parse(four, strlen(four), &lim, &req),
	    WS_HS_HTTP);
}

static void
test_request_line_too_long_414(void **state)
{
	struct ws_hs_limits	lim = { 0, 0, 40 };
	struct ws_hs_request	req;
	char			buf[128];

	(void)state;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	assert_int_equal(ws_hs_parse(buf, 41, &lim, &req), WS_HS_INCOMPLETE);
	assert_int_equal(ws_hs_parse(buf, 42, &lim, &req), WS_HS_ERROR);
	assert_int_equal(req.status, 414);
}

static void
test_malformed_400(void **state)
{
	static const char *bad[] = {
		"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\x01\r\n\r\n",
		"GET / HTTP/1.1\nHost: a\n\n",
		"GET / HTTP/1.1\r\nHost: a\n\r\n",
		"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
		"GET / HTTP/1.1\r\n: a\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET * HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
		"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /\r\n\r\n",
		"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], 400);
	expect_status(UPGRADE("Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Version: 13\r\n"), 400);
}

static void
test_nul_byte_400(void **state)
{
	static const char req1[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	static const char req2[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct ws_hs_request	req;

	(void)state;
	assert_int_equal(ws_hs_parse(req1, sizeof(req1) - 1, NULL, &req),
	    WS_HS_ERROR);
	assert_int_equal(req.status, 400);
	assert_int_equal(ws_hs_parse(req2, sizeof(req2) - 1, NULL, &req),
	    WS_HS_ERROR);
	assert_int_equal(req.status, 400);
}

static void
test_protocol_list(void **state)
{
	struct ws_hs_request	req;

	(void)state;
	assert_int_equal(parse(UPGRADE("Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: foo, sip ,bar\r\n"), &req),
	    WS_HS_WEBSOCKET);
	assert_true(req.sip);
	assert_true(span_is(req.protocol, "foo, sip ,bar"));
	assert_int_equal(parse(UPGRADE("Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: sips, xsip\r\n"
	    "Sec-WebSocket-Protocol: SIP\r\n"), &req), WS_HS_WEBSOCKET);
	assert_false(req.sip);
	assert_int_equal(parse(UPGRADE("Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "Sec-WebSocket-Protocol: sip\r\n"), &req), WS_HS_WEBSOCKET);
	assert_true(req.sip);
	assert_true(span_is(req.protocol, "chat"));
}

static void
test_response_101(void **state)
{
	static const char want_sip[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	    "Sec-WebSocket-Protocol: sip\r\n"
	    "\r\n";
	struct ws_hs_request	req;
	char			out[512];

	(void)state;
	assert_int_equal(parse(BROWSER_REQ, &req), WS_HS_WEBSOCKET);
	assert_int_equal(ws_hs_response_101(out, sizeof(out), &req),
	    (int)strlen(want_sip));
	assert_string_equal(out, want_sip);
	assert_int_equal(ws_hs_response_101(out, strlen(want_sip), &req), -1);
	req.sip = false;
	assert_int_equal(ws_hs_response_101(out, sizeof(out), &req),
	    (int)strlen(want_sip) - 29);
	assert_null(strstr(out, "Sec-WebSocket-Protocol"));
}

static void
test_response_errors(void **state)
{
	static const int statuses[] = { 400, 403, 404, 405, 414, 426, 431,
	    500, 503 };
	char	out[256], line[32];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		assert_true(ws_hs_response_error(out, sizeof(out),
		    statuses[i]) > 0);
		snprintf(line, sizeof(line), "HTTP/1.1 %d ", statuses[i]);
		assert_memory_equal(out, line, strlen(line));
		assert_non_null(strstr(out, "\r\nConnection: close\r\n"));
		assert_non_null(strstr(out, "\r\nContent-Length: 0\r\n"));
		assert_non_null(strstr(out, "\r\n\r\n"));
	}
	ws_hs_response_error(out, sizeof(out), 426);
	assert_string_equal(out, "HTTP/1.1 426 Upgrade Required\r\n"
	    "Connection: close\r\nContent-Length: 0\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	ws_hs_response_error(out, sizeof(out), 405);
	assert_non_null(strstr(out, "\r\nAllow: GET\r\n"));
	ws_hs_response_error(out, sizeof(out), 431);
	assert_memory_equal(out, "HTTP/1.1 431 Request Header Fields Too "
	    "Large\r\n", 46);
	assert_int_equal(ws_hs_response_error(out, sizeof(out), 200), -1);
	assert_int_equal(ws_hs_response_error(out, 10, 400), -1);
}

static int
host_ok(const char *host, const char *const *names, size_t n)
{
	struct ws_span	h = { host, host ? strlen(host) : 0 };

	return ws_hs_host_allowed(&h, names, n);
}

static void
test_host_allowed(void **state)
{
	const char *const	names[] = { "sbc.example.com", "192.0.2.1",
				    "[2001:db8::1]", "::1" };
	struct ws_span		none = { NULL, 0 };

	assert_true(host_ok("evil.example", names, 0));	/* no list */
	assert_true(host_ok("sbc.example.com", names, 4));
	assert_true(host_ok("SBC.Example.COM:8443", names, 4));
	assert_true(host_ok("192.0.2.1:443", names, 4));
	assert_true(host_ok("[2001:db8::1]:8443", names, 4));
	assert_true(host_ok("[::1]", names, 4));
	assert_true(host_ok("::1", names, 4));		/* bare, no port */
	assert_false(host_ok("evil.example", names, 4));
	assert_false(host_ok("sbc.example.com.evil", names, 4));
	assert_false(host_ok("sbc.example.co", names, 4));
	assert_false(host_ok("192.0.2.10", names, 4));
	assert_false(host_ok("[2001:db8::1", names, 4));	/* unclosed */
	assert_false(host_ok("", names, 4));
	assert_false(ws_hs_host_allowed(&none, names, 4));	/* no Host */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_key_rfc_example),
		cmocka_unit_test(test_browser_upgrade),
		cmocka_unit_test(test_incomplete_prefixes),
		cmocka_unit_test(test_trailing_bytes_not_counted),
		cmocka_unit_test(test_plain_get),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_case_insensitive_names),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_version_426),
		cmocka_unit_test(test_bad_key_400),
		cmocka_unit_test(test_upgrade_needs_connection_and_11),
		cmocka_unit_test(test_too_large_431),
		cmocka_unit_test(test_request_line_too_long_414),
		cmocka_unit_test(test_malformed_400),
		cmocka_unit_test(test_nul_byte_400),
		cmocka_unit_test(test_protocol_list),
		cmocka_unit_test(test_response_101),
		cmocka_unit_test(test_response_errors),
		cmocka_unit_test(test_host_allowed),
	};

	return cmocka_run_group_tests_name("ws_handshake", tests, NULL,
	    NULL);
}
