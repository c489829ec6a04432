/*
 * fuzz_ws_frame.c: libFuzzer harness for signaling/ws_frame.c.
 *
 * Input: byte 0 picks the limits (0xff: defaults), byte 1 the chunking,
 * the rest is the client byte stream.  The stream is parsed once whole
 * and once in chunks whose sizes come from the stream bytes themselves;
 * both runs must yield the same events.  Invariants are checked with
 * __builtin_trap().
 *
 * Owns: two parsers per input, freed before returning.
 * Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>

#include "signaling/ws_frame.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct digest {
	uint64_t	hash;
	size_t		events;
	size_t		consumed;
};

static void
mix(struct digest *d, const uint8_t *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		d->hash = (d->hash ^ b[i]) * 0x100000001b3ULL;
}

static void
record(struct digest *d, const struct ws_event *ev,
    const struct ws_limits *lim)
{
	uint8_t	h[10], meta[4];

	CHECK(ev->len == 0 || ev->data != NULL);
	if (ev->type == WS_EV_TEXT || ev->type == WS_EV_BINARY)
		CHECK(ev->len <= lim->max_message);
	if (ev->type == WS_EV_PING || ev->type == WS_EV_PONG) {
		CHECK(ev->len <= 125);
		CHECK(ws_frame_header(h, WS_OP_PONG, ev->len) == 2);
	}
	if (ev->type == WS_EV_CLOSE || ev->type == WS_EV_ERROR)
		CHECK(ev->close_code >= 1000 && ev->close_code < 5000);
	meta[0] = (uint8_t)ev->type;
	meta[1] = (uint8_t)(ev->close_code >> 8);
	meta[2] = (uint8_t)ev->close_code;
	meta[3] = (uint8_t)ev->len;
	mix(d, meta, sizeof(meta));
	if (ev->len > 0)
		mix(d, ev->data, ev->len);
	d->events++;
}

/* step 0: whole buffer; otherwise chunk sizes derived from the input. */
static void
run(const uint8_t *s, size_t n, const struct ws_limits *lim, uint8_t step,
    struct digest *d)
{
	struct ws_parser	p;
	struct ws_event		ev;
	size_t			off = 0, k, used;

	CHECK(ws_parser_init(&p, lim) == 0);
	while (off < n) {
		k = step == 0 ? n - off : 1 + (size_t)((s[off] ^ step) % step);
		if (k > n - off)
			k = n - off;
		used = ws_parse(&p, s + off, k, &ev);
		CHECK(used <= k);
		off += used;
		if (ev.type == WS_EV_NEED_MORE) {
			CHECK(used == k);
			continue;
		}
		record(d, &ev, &p.lim);
		if (ev.type == WS_EV_CLOSE || ev.type == WS_EV_ERROR) {
			CHECK(ws_parse(&p, s + off, n - off, &ev) == 0);
			CHECK(ev.type == WS_EV_CLOSE || ev.type == WS_EV_ERROR);
			break;
		}
	}
	d->consumed = off;
	ws_parser_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_limits	 lim;
	struct digest		 whole = { 0xcbf29ce484222325ULL, 0, 0 };
	struct digest		 chunked = whole;
	uint8_t			 step;

	if (size < 2)
		return 0;
	lim.max_frame = 1 + (size_t)(data[0] & 0x0f) * 64;
	lim.max_message = lim.max_frame * (1 + (data[0] >> 4));
	if (data[0] == 0xff) {
		lim.max_frame = WS_DEFAULT_MAX_FRAME;
		lim.max_message = WS_DEFAULT_MAX_MESSAGE;
	}
	step = data[1] % 32 + 1;
	run(data + 2, size - 2, &lim, 0, &whole);
	run(data + 2, size - 2, &lim, step, &chunked);
	CHECK(whole.events == chunked.events);
	CHECK(whole.consumed == chunked.consumed);
	CHECK(whole.hash == chunked.hash);
	return 0;
}
