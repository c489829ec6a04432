/*
 * fuzz_stun.c: libFuzzer harness for media/stun_lite.c.
 *
 * The input is a datagram.  It is answered twice: as it is, then
 * "re-signed" (cut before its MESSAGE-INTEGRITY/FINGERPRINT and finished
 * by a libnice client agent with our password) so that the fuzzer also
 * reaches the authenticated paths.  The source address (IPv4, IPv6 or
 * IPv4-mapped) comes from the input length.  Invariants, checked with
 * __builtin_trap(): return values agree with stun_lite_is_stun() and
 * stun_lite_local_ufrag(); every reply is well-formed STUN for the
 * request's transaction; a success response maps the source; replies to
 * re-signed requests validate on the client side (integrity, FINGERPRINT).
 *
 * Owns: stack buffers and agents per input.  Thread: pure; called by
 * libFuzzer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stun/stunmessage.h>
#include <stun/usages/ice.h>

#include "media/stun_lite.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)

#define UFRAG		"ourufrag"
#define PWD		"ourpassword0123456789a"
#define MAX_IN		4096
#define OUT_CAP		(MAX_IN + 64)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint16_t client_attrs[] = {
	STUN_ATTRIBUTE_MAPPED_ADDRESS, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
	STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
	STUN_ATTRIBUTE_ERROR_CODE, STUN_ATTRIBUTE_UNKNOWN_ATTRIBUTES, 0
};

struct src {
	struct sockaddr_storage	ss;	/* what we pass */
	socklen_t		len;
	struct sockaddr_storage	want;	/* what XOR-MAPPED-ADDRESS holds */
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
pick_src(size_t n, struct src *s)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&s->want;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&s->ss;

	memset(s, 0, sizeof(*s));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)(1000 + n));
	inet_pton(AF_INET, "198.51.100.7", &sin->sin_addr);
	if (n % 3 == 0) {
		memcpy(&s->ss, sin, sizeof(*sin));
		s->len = sizeof(*sin);
		return;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = sin->sin_port;
	inet_pton(AF_INET6, n % 3 == 1 ? "2001:db8::7" : "::ffff:198.51.100.7",
	    &sin6->sin6_addr);
	s->len = sizeof(*sin6);
	if (n % 3 == 1)
		memcpy(&s->want, sin6, sizeof(*sin6));
}

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	size_t	len = a->ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

	return a->ss_family == b->ss_family && memcmp(a, b, len) == 0;
}

/* A success response: Binding, our transaction, XOR-MAPPED-ADDRESS. */
static void
check_success(const uint8_t *req, const uint8_t *out, size_t n,
    const struct src *s)
{
	StunMessage		m;
	struct sockaddr_storage	got;
	socklen_t		glen = sizeof(got);

	CHECK(stun_lite_is_stun(out, n));
	CHECK(get16(out) == 0x0101);
	CHECK(memcmp(out + 4, req + 4, 16) == 0);
	CHECK(stun_message_validate_buffer_length(out, n, true) == (int)n);
	memset(&m, 0, sizeof(m));
	m.buffer = (uint8_t *)(uintptr_t)out;
	m.buffer_len = n;
	memset(&got, 0, sizeof(got));
	CHECK(stun_message_find_xor_addr(&m, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
	    &got, &glen) == STUN_MESSAGE_RETURN_SUCCESS);
	CHECK(same_addr(&got, &s->want));
}

static void
check_error(const uint8_t *req, size_t len, const uint8_t *out,
    const struct stun_lite_info *info)
{
	CHECK(info->error_len <= OUT_CAP);
	CHECK(stun_lite_is_stun(out, info->error_len));
	CHECK((out[0] & 0x01) && (out[1] & 0x10));	/* error class */
	CHECK(memcmp(out + 4, req + 4, 16) == 0);
	CHECK(info->error == 400 || info->error == 401 ||
	    info->error == 420 || info->error == 487);
	CHECK(info->error != 401 || info->error_len <= len);
}

/* Answer req; if client is set, it signed req: replies must validate. */
static void
run(const uint8_t *req, size_t len, const struct src *s, StunAgent *client)
{
	struct stun_lite	sl;
	struct stun_lite_info	info;
	StunMessage		m;
	uint8_t			out[OUT_CAP];
	char			uf[STUN_LITE_UFRAG_MAX + 1];
	ssize_t			n;
	int			ufok;

	CHECK(stun_lite_init(&sl) == 0);
	ufok = stun_lite_local_ufrag(req, len, uf, sizeof(uf)) == 0;
	CHECK(!ufok || (stun_lite_is_stun(req, len) && strlen(uf) > 0));
	n = stun_lite_answer(&sl, req, len, UFRAG, PWD,
	    (const struct sockaddr *)&s->ss, s->len, out, sizeof(out), &info);
	CHECK(n >= -1 && n <= (ssize_t)sizeof(out));
	if (n == 0) {
		CHECK(stun_lite_is_stun(req, len));
		CHECK((req[0] & 0x01) || (req[1] & 0x10));
	}
	if (n >= 0)
		CHECK(info.error_len == 0);
	if (n > 0) {
		CHECK(ufok && strcmp(uf, UFRAG) == 0);
		check_success(req, out, (size_t)n, s);
	} else if (info.error_len > 0)
		check_error(req, len, out, &info);
	if (client == NULL || (n <= 0 && info.error_len == 0))
		return;
	CHECK(stun_agent_validate(client, &m, out,
	    n > 0 ? (size_t)n : info.error_len, NULL, NULL) ==
	    STUN_VALIDATION_SUCCESS);
}

/* Cut req before MESSAGE-INTEGRITY/FINGERPRINT and sign it with PWD. */
static size_t
resign(const uint8_t *req, size_t len, uint8_t *buf, size_t cap,
    StunAgent *client)
{
	StunMessage	m;
	size_t		off = 20;
	uint16_t	type;

	if (!stun_lite_is_stun(req, len) || len > MAX_IN)
		return 0;
	while (off + 4 <= len) {
		type = get16(req + off);
		if (type == STUN_ATTRIBUTE_MESSAGE_INTEGRITY ||
		    type == STUN_ATTRIBUTE_FINGERPRINT)
			break;
		off += 4 + ((get16(req + off + 2) + 3u) & ~3u);
	}
	if (off > len)
		return 0;
	memcpy(buf, req, off);
	buf[2] = (uint8_t)((off - 20) >> 8);
	buf[3] = (uint8_t)(off - 20);
	memset(&m, 0, sizeof(m));
	m.agent = client;
	m.buffer = buf;
	m.buffer_len = cap;
	return stun_agent_finish_message(client, &m, (const uint8_t *)PWD,
	    strlen(PWD));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	StunAgent	client;
	struct src	s;
	uint8_t		buf[MAX_IN + 64];
	size_t		n;

	pick_src(size, &s);
	run(data, size, &s, NULL);
	stun_agent_init(&client, client_attrs, STUN_COMPATIBILITY_RFC5389,
	    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
	    STUN_AGENT_USAGE_USE_FINGERPRINT);
	if ((n = resign(data, size, buf, sizeof(buf), &client)) > 0)
		run(buf, n, &s, &client);
	return 0;
}
