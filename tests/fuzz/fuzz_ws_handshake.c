/*
 * fuzz_ws_handshake.c: libFuzzer harness for signaling/ws_handshake.c.
 *
 * The input is the raw request, parsed with small limits so 414/431 are
 * reachable.  Checks: parsed spans lie inside the input, each result can
 * be answered (101 or error response), and a prefix of the input is either
 * incomplete or yields the same result and status as the whole input.
 *
 * Owns: nothing.
 * Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "signaling/ws_handshake.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct ws_hs_limits lim = { 2048, 16, 256 };

static void
check_span(struct ws_span sp, const char *buf, size_t len)
{
	if (sp.p == NULL)
		return;
	CHECK(sp.p >= buf && sp.len <= len &&
	    (size_t)(sp.p - buf) <= len - sp.len);
}

static void
check_request(enum ws_hs_result r, const struct ws_hs_request *req,
    const char *buf, size_t len)
{
	char	out[512];

	check_span(req->method, buf, len);
	check_span(req->target, buf, len);
	check_span(req->host, buf, len);
	check_span(req->origin, buf, len);
	check_span(req->key, buf, len);
	check_span(req->protocol, buf, len);
	if (r == WS_HS_ERROR) {
		CHECK(req->error != NULL);
		CHECK(ws_hs_response_error(out, sizeof(out), req->status) > 0);
		return;
	}
	CHECK(req->status == 0);
	if (r == WS_HS_INCOMPLETE)
		return;
	CHECK(req->length > 0 && req->length <= len);
	CHECK(req->target.len > 0 && req->target.p[0] == '/');
	if (r == WS_HS_WEBSOCKET) {
		CHECK(req->version == 13 && req->key.len == 24);
		CHECK(ws_hs_response_101(out, sizeof(out), req) > 0);
	}
}

static void
check_prefix(const char *buf, size_t n, enum ws_hs_result whole,
    int status)
{
	struct ws_hs_request	req;
	enum ws_hs_result	r;

	r = ws_hs_parse(buf, n, &lim, &req);
	check_request(r, &req, buf, n);
	if (r != WS_HS_INCOMPLETE)
		CHECK(r == whole && req.status == status);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*buf = (const char *)data;
	struct ws_hs_request	 req;
	enum ws_hs_result	 r;
	size_t			 cut;

	r = ws_hs_parse(buf, size, &lim, &req);
	check_request(r, &req, buf, size);
	if (size == 0)
		return 0;
	cut = size * data[0] / 256;
	check_prefix(buf, cut, r, req.status);
	check_prefix(buf, size - 1, r, req.status);
	if (r == WS_HS_WEBSOCKET || r == WS_HS_HTTP) {
		check_prefix(buf, req.length, r, req.status);
		CHECK(ws_hs_parse(buf, req.length - 1, &lim, &req) ==
		    WS_HS_INCOMPLETE);
	}
	return 0;
}
