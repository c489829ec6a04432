/*
 * test_stun_lite.c: cmocka unit tests for media/stun_lite.c.  Requests are
 * built by libnice's own client side (a controlling agent, USERNAME
 * "ourufrag:theirufrag", our password); answers must validate on that
 * client side with the mapped address equal to the source.  Also: wrong
 * credentials, FINGERPRINT and MESSAGE-INTEGRITY damage, truncation at
 * every length, role conflict, unknown attributes, demux, ufrag lookup.
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include <stun/stunmessage.h>
#include <stun/usages/ice.h>

#include "media/stun_lite.h"
#include "tests/unit/stun_client.h"

#define UFRAG		"ourufrag"
#define PWD		"ourpassword0123456789a"
#define USER		"ourufrag:theirufrag"
#define PRIO		0x6e7f1effU
#define TIE		0x0123456789abcdefULL

struct fix {
	StunAgent		client;
	struct stun_lite	sl;
	uint8_t			req[512];
	size_t			reqlen;
	uint8_t			out[1024];
	struct stun_lite_info	info;
};

static int
setup(void **state)
{
	struct fix	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	stun_client_init(&f->client, 1);
	if (stun_lite_init(&f->sl) == -1) {
		free(f);
		fail_msg("libnice's STUN code is shadowed by another "
		    "stun_message_length(): link libnice before Sofia-SIP");
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	free(*state);
	return 0;
}

static struct sockaddr_storage
addr(const char *ip, uint16_t port, socklen_t *len)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
	} else {
		assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
	}
	return ss;
}

/* A check from the client: user/pwd, USE-CANDIDATE, role. */
static void
make_req(struct fix *f, const char *user, const char *pwd, bool use_cand,
    bool controlling)
{
	StunMessage	m;

	f->reqlen = stun_usage_ice_conncheck_create(&f->client, &m, f->req,
	    sizeof(f->req), (const uint8_t *)user, strlen(user),
	    (const uint8_t *)pwd, pwd ? strlen(pwd) : 0, use_cand,
	    controlling, PRIO, TIE, NULL,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	assert_true(f->reqlen > 20);
}

static ssize_t
answer(struct fix *f, const struct sockaddr_storage *src, socklen_t srclen)
{
	return stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG, PWD,
	    (const struct sockaddr *)src, srclen, f->out, sizeof(f->out),
	    &f->info);
}

/* The client validates what we sent (n bytes) and returns its verdict. */
static StunUsageIceReturn
client_check(struct fix *f, size_t n, struct sockaddr_storage *mapped)
{
	StunMessage	m;
	socklen_t	mlen = sizeof(*mapped);

	assert_int_equal(stun_agent_validate(&f->client, &m, f->out, n,
	    NULL, NULL), STUN_VALIDATION_SUCCESS);
	return stun_usage_ice_conncheck_process(&m, mapped, &mlen,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
}

static int
error_code(struct fix *f, size_t n)
{
	StunMessage	m;
	int		code = 0;

	memset(&m, 0, sizeof(m));
	m.agent = &f->client;
	m.buffer = f->out;
	m.buffer_len = n;
	assert_int_equal(stun_message_get_class(&m), STUN_ERROR);
	assert_int_equal(stun_message_find_error(&m, &code),
	    STUN_MESSAGE_RETURN_SUCCESS);
	return code;
}

static void
assert_same_addr(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a;
	const struct sockaddr_in	*b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a;
	const struct sockaddr_in6	*b6 = (const void *)b;

	assert_int_equal(a->ss_family, b->ss_family);
	if (a->ss_family == AF_INET) {
		assert_int_equal(a4->sin_port, b4->sin_port);
		assert_memory_equal(&a4->sin_addr, &b4->sin_addr, 4);
	} else {
		assert_int_equal(a6->sin6_port, b6->sin6_port);
		assert_memory_equal(&a6->sin6_addr, &b6->sin6_addr, 16);
	}
}

static void
good(void **state, const char *ip, uint16_t port)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, mapped;
	socklen_t		 srclen;
	ssize_t			 n;

	src = addr(ip, port, &srclen);
	make_req(f, USER, PWD, false, true);
	assert_true(stun_lite_is_stun(f->req, f->reqlen));
	n = answer(f, &src, srclen);
	assert_true(n > 20);
	assert_int_equal(f->info.error, 0);
	assert_int_equal(f->info.error_len, 0);
	assert_int_equal(f->info.use_candidate, 0);
	assert_int_equal(f->info.controlling, 1);
	assert_int_equal(f->info.priority, PRIO);
	assert_true(stun_lite_is_stun(f->out, (size_t)n));
	assert_int_equal(client_check(f, (size_t)n, &mapped),
	    STUN_USAGE_ICE_RETURN_SUCCESS);
	assert_same_addr(&mapped, &src);
}

static void
test_good_v4(void **state)
{
	good(state, "192.0.2.10", 50000);
	good(state, "203.0.113.255", 1);
}

static void
test_good_v6(void **state)
{
	good(state, "2001:db8::1", 50000);
	good(state, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 65535);
}

static void
test_v4_mapped_src(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, want, mapped;
	socklen_t		 srclen, wantlen;
	ssize_t			 n;

	src = addr("::ffff:192.0.2.7", 4242, &srclen);
	want = addr("192.0.2.7", 4242, &wantlen);
	make_req(f, USER, PWD, false, true);
	n = answer(f, &src, srclen);
	assert_true(n > 0);
	assert_int_equal(client_check(f, (size_t)n, &mapped),
	    STUN_USAGE_ICE_RETURN_SUCCESS);
	assert_same_addr(&mapped, &want);
}

static void
test_use_candidate(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, mapped;
	socklen_t		 srclen;
	ssize_t			 n;

	src = addr("192.0.2.10", 50000, &srclen);
	make_req(f, USER, PWD, true, true);
	n = answer(f, &src, srclen);
	assert_true(n > 0);
	assert_int_equal(f->info.use_candidate, 1);
	assert_int_equal(f->info.controlling, 1);
	assert_int_equal(client_check(f, (size_t)n, &mapped),
	    STUN_USAGE_ICE_RETURN_SUCCESS);
}

/* RFC 7675 consent checks: the same request again and again, answered
 * each time from the same struct stun_lite. */
static void
test_consent_repeated(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, mapped;
	socklen_t		 srclen;
	ssize_t			 n;
	int			 i;

	src = addr("2001:db8::77", 61000, &srclen);
	for (i = 0; i < 500; i++) {
		make_req(f, USER, PWD, false, true);
		n = answer(f, &src, srclen);
		assert_true(n > 0);
		assert_int_equal(client_check(f, (size_t)n, &mapped),
		    STUN_USAGE_ICE_RETURN_SUCCESS);
		assert_same_addr(&mapped, &src);
	}
}

static void
test_wrong_password(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, mapped;
	socklen_t		 srclen;

	src = addr("192.0.2.10", 50000, &srclen);
	make_req(f, USER, "notourpassword0123456789", false, true);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error, 401);
	assert_true(f->info.error_len > 0);
	assert_true(f->info.error_len <= f->reqlen);
	assert_int_equal(error_code(f, f->info.error_len), 401);
	/* the client accepts it (no MESSAGE-INTEGRITY in a 401) as an error */
	assert_int_equal(client_check(f, f->info.error_len, &mapped),
	    STUN_USAGE_ICE_RETURN_ERROR);
}

static void
test_wrong_ufrag(void **state)
{
	static const char *const users[] = {
		"otherufrag:theirufrag",
		"ourufragX:theirufrag",		/* ours is a prefix */
		"ourufra:theirufrag",		/* shorter */
		"ourufrag",			/* no ':' */
		"theirufrag:ourufrag",		/* reversed */
		"OURUFRAG:theirufrag",		/* case matters */
	};
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	size_t			 i;

	src = addr("192.0.2.10", 50000, &srclen);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		make_req(f, users[i], PWD, false, true);
		if (answer(f, &src, srclen) != -1)
			fail_msg("answered USERNAME \"%s\"", users[i]);
		assert_int_equal(f->info.error, 401);
		assert_int_equal(error_code(f, f->info.error_len), 401);
	}
}

static void
test_no_integrity(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;

	src = addr("192.0.2.10", 50000, &srclen);
	make_req(f, USER, NULL, false, true);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error, 400);
	assert_true(f->info.error_len <= f->reqlen);
	assert_int_equal(error_code(f, f->info.error_len), 400);
}

static void
test_no_fingerprint(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;

	src = addr("192.0.2.10", 50000, &srclen);
	stun_client_init(&f->client, 0);
	make_req(f, USER, PWD, false, true);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error_len, 0);		/* silently */
}

static void
test_bad_fingerprint(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	size_t			 i;

	src = addr("192.0.2.10", 50000, &srclen);
	make_req(f, USER, PWD, false, true);
	/* any bit of any byte: the CRC no longer matches, nothing is sent */
	for (i = 0; i < f->reqlen * 8; i++) {
		f->req[i / 8] ^= (uint8_t)(1 << (i % 8));
		assert_true(answer(f, &src, srclen) <= 0);
		assert_int_equal(f->info.error_len, 0);
		f->req[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	assert_true(answer(f, &src, srclen) > 0);
	f->req[f->reqlen - 1] ^= 0x80;
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error_len, 0);
}

/* MESSAGE-INTEGRITY damaged and FINGERPRINT recomputed: 401. */
static void
test_bad_integrity(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	StunMessage		 m;
	uint8_t			*mi;

	src = addr("192.0.2.10", 50000, &srclen);
	stun_agent_init_request(&f->client, &m, f->req, sizeof(f->req),
	    STUN_BINDING);
	assert_int_equal(stun_message_append_bytes(&m, STUN_ATTRIBUTE_USERNAME,
	    USER, strlen(USER)), STUN_MESSAGE_RETURN_SUCCESS);
	assert_int_equal(stun_message_append32(&m, STUN_ATTRIBUTE_PRIORITY,
	    PRIO), STUN_MESSAGE_RETURN_SUCCESS);
	mi = stun_message_append(&m, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, 20);
	assert_non_null(mi);
	memset(mi, 0xa5, 20);
	f->reqlen = stun_agent_finish_message(&f->client, &m, NULL, 0);
	assert_true(f->reqlen > 0);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error, 401);
}

/* A MESSAGE-INTEGRITY shorter than 20 bytes, FINGERPRINT valid: libnice
 * would compare 20 bytes past it; walk() must refuse it first. */
static void
test_short_integrity(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	StunMessage		 m;
	uint8_t			*buf;

	src = addr("192.0.2.10", 50000, &srclen);
	stun_agent_init_request(&f->client, &m, f->req, sizeof(f->req),
	    STUN_BINDING);
	assert_int_equal(stun_message_append_bytes(&m, STUN_ATTRIBUTE_USERNAME,
	    USER, strlen(USER)), STUN_MESSAGE_RETURN_SUCCESS);
	assert_int_equal(stun_message_append_bytes(&m,
	    STUN_ATTRIBUTE_MESSAGE_INTEGRITY, "abcd", 4),
	    STUN_MESSAGE_RETURN_SUCCESS);
	f->reqlen = stun_agent_finish_message(&f->client, &m, NULL, 0);
	assert_true(f->reqlen > 0);
	buf = malloc(f->reqlen);	/* exact size: ASan sees overreads */
	assert_non_null(buf);
	memcpy(buf, f->req, f->reqlen);
	assert_int_equal(stun_lite_answer(&f->sl, buf, f->reqlen, UFRAG, PWD,
	    (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    &f->info), -1);
	assert_int_equal(f->info.error_len, 0);
	free(buf);
}

static void
test_truncated(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	uint8_t			*buf;
	char			 uf[64];
	size_t			 len;
	ssize_t			 n;

	src = addr("2001:db8::1", 50000, &srclen);
	make_req(f, USER, PWD, true, true);
	for (len = 0; len < f->reqlen; len++) {
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		memcpy(buf, f->req, len);
		assert_false(stun_lite_is_stun(buf, len));
		assert_int_equal(stun_lite_local_ufrag(buf, len, uf,
		    sizeof(uf)), -1);
		n = stun_lite_answer(&f->sl, buf, len, UFRAG, PWD,
		    (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
		    &f->info);
		assert_int_equal(n, -1);
		assert_int_equal(f->info.error_len, 0);
		free(buf);
	}
	/* the header's length field shortened to match: still refused */
	for (len = 20; len < f->reqlen; len += 4) {
		f->req[2] = (uint8_t)((len - 20) >> 8);
		f->req[3] = (uint8_t)(len - 20);
		n = stun_lite_answer(&f->sl, f->req, len, UFRAG, PWD,
		    (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
		    &f->info);
		assert_true(n <= 0);
	}
}

static void
test_not_stun(void **state)
{
	static const uint8_t rtp[24] = {
		0x80, 0x60, 0x12, 0x34, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 1,
	};
	static const uint8_t dtls[24] = {
		22, 0xfe, 0xfd, 0, 0x21, 0x12, 0xa4, 0x42,
	};
	static const uint8_t nocookie[20] = { 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t badlen[24] = {
		0x00, 0x01, 0x00, 0x02, 0x21, 0x12, 0xa4, 0x42,
	};
	static const uint8_t empty[20] = {
		0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
	};
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	char			 uf[64];

	src = addr("192.0.2.10", 50000, &srclen);
	assert_false(stun_lite_is_stun(rtp, sizeof(rtp)));
	assert_false(stun_lite_is_stun(dtls, sizeof(dtls)));
	assert_false(stun_lite_is_stun(nocookie, sizeof(nocookie)));
	assert_false(stun_lite_is_stun(badlen, sizeof(badlen)));
	assert_false(stun_lite_is_stun(NULL, 20));
	assert_true(stun_lite_is_stun(empty, sizeof(empty)));
	assert_false(stun_lite_is_stun(empty, sizeof(empty) - 1));
	assert_int_equal(stun_lite_answer(&f->sl, rtp, sizeof(rtp), UFRAG,
	    PWD, (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    &f->info), -1);
	assert_int_equal(stun_lite_answer(&f->sl, dtls, sizeof(dtls), UFRAG,
	    PWD, (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    &f->info), -1);
	assert_int_equal(stun_lite_local_ufrag(rtp, sizeof(rtp), uf,
	    sizeof(uf)), -1);
	/* a bare Binding request: no USERNAME, too short for a 400 */
	assert_int_equal(stun_lite_answer(&f->sl, empty, sizeof(empty), UFRAG,
	    PWD, (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    &f->info), -1);
	assert_int_equal(f->info.error_len, 0);
	assert_int_equal(stun_lite_local_ufrag(empty, sizeof(empty), uf,
	    sizeof(uf)), -1);
}

static void
test_indication_and_response(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	StunMessage		 m;
	ssize_t			 n;

	src = addr("192.0.2.10", 50000, &srclen);
	/* our own success response fed back in: ignored */
	make_req(f, USER, PWD, false, true);
	n = answer(f, &src, srclen);
	assert_true(n > 0);
	memcpy(f->req, f->out, (size_t)n);
	f->reqlen = (size_t)n;
	assert_int_equal(answer(f, &src, srclen), 0);
	/* a Binding indication (keepalive): ignored */
	assert_true(stun_agent_init_indication(&f->client, &m, f->req,
	    sizeof(f->req), STUN_BINDING));
	f->reqlen = stun_agent_finish_message(&f->client, &m, NULL, 0);
	assert_true(f->reqlen >= 20);
	assert_int_equal(answer(f, &src, srclen), 0);
	assert_int_equal(f->info.error_len, 0);
}

/* The browser claims the controlled role: we are lite, so 487. */
static void
test_role_conflict(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, mapped;
	socklen_t		 srclen;

	src = addr("192.0.2.10", 50000, &srclen);
	make_req(f, USER, PWD, false, false);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error, 487);
	assert_true(f->info.error_len > 0);
	assert_int_equal(f->info.controlling, 0);
	/* authenticated error: the client validates its integrity */
	assert_int_equal(client_check(f, f->info.error_len, &mapped),
	    STUN_USAGE_ICE_RETURN_ROLE_CONFLICT);
}

/* ICE-CONTROLLED with tie-breaker 0: libnice would make us controlling,
 * which a lite agent must not become: no answer at all. */
static void
test_role_conflict_tie0(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	StunMessage		 m;

	src = addr("192.0.2.10", 50000, &srclen);
	f->reqlen = stun_usage_ice_conncheck_create(&f->client, &m, f->req,
	    sizeof(f->req), (const uint8_t *)USER, strlen(USER),
	    (const uint8_t *)PWD, strlen(PWD), false, false, PRIO, 0, NULL,
	    STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	assert_true(f->reqlen > 0);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error_len, 0);
}

static void
test_unknown_attribute(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	StunMessage		 m;

	src = addr("192.0.2.10", 50000, &srclen);
	stun_agent_init_request(&f->client, &m, f->req, sizeof(f->req),
	    STUN_BINDING);
	assert_int_equal(stun_message_append_bytes(&m, STUN_ATTRIBUTE_USERNAME,
	    USER, strlen(USER)), STUN_MESSAGE_RETURN_SUCCESS);
	/* comprehension-optional unknowns are fine, 0x0030 is not */
	assert_int_equal(stun_message_append32(&m, 0xc057, 7),
	    STUN_MESSAGE_RETURN_SUCCESS);
	assert_int_equal(stun_message_append32(&m, 0x0030, 7),
	    STUN_MESSAGE_RETURN_SUCCESS);
	f->reqlen = stun_agent_finish_message(&f->client, &m,
	    (const uint8_t *)PWD, strlen(PWD));
	assert_true(f->reqlen > 0);
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error, 420);
	assert_int_equal(error_code(f, f->info.error_len), 420);
}

static void
test_optional_unknown_ok(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src, mapped;
	socklen_t		 srclen;
	StunMessage		 m;
	ssize_t			 n;

	src = addr("192.0.2.10", 50000, &srclen);
	stun_agent_init_request(&f->client, &m, f->req, sizeof(f->req),
	    STUN_BINDING);
	assert_int_equal(stun_message_append_bytes(&m, STUN_ATTRIBUTE_USERNAME,
	    USER, strlen(USER)), STUN_MESSAGE_RETURN_SUCCESS);
	/* GOOG-NETWORK-INFO, as Chrome sends it; no PRIORITY, no role */
	assert_int_equal(stun_message_append32(&m, 0xc057, 0x00010005),
	    STUN_MESSAGE_RETURN_SUCCESS);
	f->reqlen = stun_agent_finish_message(&f->client, &m,
	    (const uint8_t *)PWD, strlen(PWD));
	n = answer(f, &src, srclen);
	assert_true(n > 0);
	assert_int_equal(f->info.priority, 0);
	assert_int_equal(f->info.controlling, 0);
	assert_int_equal(client_check(f, (size_t)n, &mapped),
	    STUN_USAGE_ICE_RETURN_SUCCESS);
	assert_same_addr(&mapped, &src);
}

/* Authenticated but not a Binding request: 400 with integrity. */
static void
test_not_binding(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	socklen_t		 srclen;
	StunMessage		 m;

	src = addr("192.0.2.10", 50000, &srclen);
	stun_agent_init_request(&f->client, &m, f->req, sizeof(f->req),
	    STUN_ALLOCATE);
	assert_int_equal(stun_message_append_bytes(&m, STUN_ATTRIBUTE_USERNAME,
	    USER, strlen(USER)), STUN_MESSAGE_RETURN_SUCCESS);
	f->reqlen = stun_agent_finish_message(&f->client, &m,
	    (const uint8_t *)PWD, strlen(PWD));
	assert_int_equal(answer(f, &src, srclen), -1);
	assert_int_equal(f->info.error, 400);
	assert_int_equal(error_code(f, f->info.error_len), 400);
}

static void
test_bad_args(void **state)
{
	struct fix		*f = *state;
	struct sockaddr_storage	 src;
	struct sockaddr_un	 sun;
	socklen_t		 srclen;
	size_t			 cap;
	ssize_t			 n;

	src = addr("192.0.2.10", 50000, &srclen);
	make_req(f, USER, PWD, false, true);
	/* unusable source addresses */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG,
	    PWD, (struct sockaddr *)&sun, sizeof(sun), f->out,
	    sizeof(f->out), &f->info), -1);
	assert_int_equal(stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG,
	    PWD, (struct sockaddr *)&src, srclen - 1, f->out,
	    sizeof(f->out), &f->info), -1);
	assert_int_equal(stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG,
	    PWD, NULL, 0, f->out, sizeof(f->out), &f->info), -1);
	/* empty credentials */
	assert_int_equal(stun_lite_answer(&f->sl, f->req, f->reqlen, "",
	    PWD, (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    &f->info), -1);
	assert_int_equal(stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG,
	    "", (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    &f->info), -1);
	/* every output size too small to hold the answer, then enough */
	for (cap = 0; cap <= f->reqlen + 24; cap++) {
		uint8_t	*out = malloc(cap ? cap : 1);

		assert_non_null(out);
		n = stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG, PWD,
		    (struct sockaddr *)&src, srclen, out, cap, &f->info);
		assert_true(n == -1 || (n > 0 && (size_t)n <= cap));
		if (cap >= f->reqlen + 24)
			assert_true(n > 0);
		free(out);
	}
	assert_int_equal(stun_lite_answer(&f->sl, f->req, f->reqlen, UFRAG,
	    PWD, (struct sockaddr *)&src, srclen, f->out, sizeof(f->out),
	    NULL), -1);
}

static void
test_local_ufrag(void **state)
{
	struct fix	*f = *state;
	char		 uf[STUN_LITE_UFRAG_MAX + 1];

	make_req(f, USER, PWD, false, true);
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf,
	    sizeof(uf)), 0);
	assert_string_equal(uf, "ourufrag");
	/* exactly enough room, then one byte short */
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf, 9), 0);
	assert_string_equal(uf, "ourufrag");
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf, 8), -1);
	assert_string_equal(uf, "");
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf, 0), -1);
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, NULL, 9),
	    -1);

	make_req(f, "a+/Z09:x", PWD, false, true);
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf,
	    sizeof(uf)), 0);
	assert_string_equal(uf, "a+/Z09");
	/* remote part may be empty */
	make_req(f, "abcd:", PWD, false, true);
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf,
	    sizeof(uf)), 0);
	assert_string_equal(uf, "abcd");
}

static void
test_local_ufrag_bad(void **state)
{
	static const char *const bad[] = {
		"nocolon", ":theirs", "our ufrag:theirs", "our\001:x",
		"ou-r:theirs", "our.ufrag:x",
	};
	struct fix	*f = *state;
	char		 uf[64];
	char		 big[300];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_req(f, bad[i], PWD, false, true);
		if (stun_lite_local_ufrag(f->req, f->reqlen, uf,
		    sizeof(uf)) != -1)
			fail_msg("accepted USERNAME \"%s\"", bad[i]);
	}
	/* no USERNAME at all */
	make_req(f, "", PWD, false, true);
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf,
	    sizeof(uf)), -1);
	/* a 257-char ufrag is over RFC 8445's limit */
	memset(big, 'a', sizeof(big));
	big[257] = ':';
	big[258] = 'x';
	big[259] = '\0';
	stun_client_init(&f->client, 1);
	make_req(f, big, PWD, false, true);
	{
		char	huge[400];

		assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen,
		    huge, sizeof(huge)), -1);
	}
	/* 256 is the limit */
	big[256] = ':';
	big[257] = '\0';
	make_req(f, big, PWD, false, true);
	assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen, uf,
	    sizeof(uf)), -1);			/* does not fit in uf */
	{
		char	huge[400];

		assert_int_equal(stun_lite_local_ufrag(f->req, f->reqlen,
		    huge, sizeof(huge)), 0);
		assert_int_equal(strlen(huge), 256);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_mapped_src, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_use_candidate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_consent_repeated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_password, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_ufrag, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_integrity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_fingerprint, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_fingerprint, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_integrity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_short_integrity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_stun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indication_and_response,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_conflict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_role_conflict_tie0, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_attribute, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_optional_unknown_ok, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_binding, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_ufrag, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_local_ufrag_bad, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("stun_lite", tests, NULL, NULL);
}
