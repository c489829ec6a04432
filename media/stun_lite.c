/*
 * stun_lite.c: ICE-lite STUN responder (see stun_lite.h) on libnice's STUN
 * usage API: stun_agent_validate() checks cookie, FINGERPRINT, USERNAME
 * (through our validater) and MESSAGE-INTEGRITY;
 * stun_usage_ice_conncheck_create_reply() builds the answer.  Before
 * libnice sees a packet, walk() checks its structure, because libnice
 * compares 20 bytes of MESSAGE-INTEGRITY whatever the attribute's length.
 *
 * Owns: nothing (the caller's struct stun_lite).  Thread: pure; called by
 * media workers, tests, fuzzers.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <stun/stunmessage.h>
#include <stun/usages/ice.h>

#include "media/bytes.h"
#include "media/stun_lite.h"

#define HDR_LEN		20
#define MAGIC		0x2112a442U
/* Success response: header, XOR-MAPPED-ADDRESS (IPv6), USERNAME echoed by
 * libnice, MESSAGE-INTEGRITY, FINGERPRINT.  Error responses are smaller. */
#define REPLY_MAX(ulen)	(HDR_LEN + 24 + 4 + (((ulen) + 3) & ~(size_t)3) + \
			    24 + 8)

/* Comprehension-required attributes we understand; the rest get 420. */
static const uint16_t known_attrs[] = {
	STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
	STUN_ATTRIBUTE_FINGERPRINT, STUN_ATTRIBUTE_PRIORITY,
	STUN_ATTRIBUTE_USE_CANDIDATE, STUN_ATTRIBUTE_ICE_CONTROLLED,
	STUN_ATTRIBUTE_ICE_CONTROLLING, 0
};

/* What walk() found. */
struct attrs {
	const uint8_t	*user;		/* USERNAME value (first, before M-I) */
	size_t		 user_len;
	int		 has_mi;
	int		 has_fp;
};

/* Our credentials, handed to the validater. */
struct creds {
	const char	*ufrag;
	size_t		 ufrag_len;
	const char	*pwd;
	size_t		 pwd_len;
};

/* RFC 8445 ice-char: ALPHA / DIGIT / "+" / "/" */
static int
ice_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Sofia-SIP exports a stun_message_length() of its own, and libnice calls
 * its one through the PLT: whichever library the process loads first wins
 * for both.  Check on a bare header (key NULL, so that Sofia's version,
 * which walks a list at the key's offset, reads NULL) that it is libnice's.
 */
int
stun_lite_init(struct stun_lite *sl)
{
	uint8_t		hdr[HDR_LEN] = { 0x00, 0x01, 0x00, 0x00,
			    0x21, 0x12, 0xa4, 0x42 };
	StunMessage	m;

	memset(sl, 0, sizeof(*sl));
	stun_agent_init(&sl->agent, known_attrs, STUN_COMPATIBILITY_RFC5389,
	    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
	    STUN_AGENT_USAGE_USE_FINGERPRINT);
	memset(&m, 0, sizeof(m));
	m.agent = &sl->agent;
	m.buffer = hdr;
	m.buffer_len = sizeof(hdr);
	return stun_message_length(&m) == HDR_LEN ? 0 : -1;
}

int
stun_lite_is_stun(const uint8_t *p, size_t len)
{
	size_t	mlen;

	if (p == NULL || len < HDR_LEN || p[0] > 3)
		return 0;
	if (get32(p + 4) != MAGIC)
		return 0;
	mlen = get16(p + 2);
	return (mlen & 3) == 0 && HDR_LEN + mlen == len;
}

/*
 * RFC 5389 §15: attributes are TLVs padded to 4 bytes and fill the
 * message exactly; MESSAGE-INTEGRITY is 20 bytes, FINGERPRINT is 4 bytes
 * and last.  Attributes after MESSAGE-INTEGRITY are ignored (§15.4).
 */
static int
walk(const uint8_t *p, size_t len, struct attrs *a)
{
	size_t		off = HDR_LEN, alen, padded;
	uint16_t	type;

	memset(a, 0, sizeof(*a));
	if (!stun_lite_is_stun(p, len))
		return -1;
	while (off < len) {
		if (len - off < 4 || a->has_fp)
			return -1;
		type = get16(p + off);
		alen = get16(p + off + 2);
		padded = (alen + 3) & ~(size_t)3;
		if (padded > len - off - 4)
			return -1;
		if (type == STUN_ATTRIBUTE_FINGERPRINT) {
			if (alen != 4)
				return -1;
			a->has_fp = 1;
		} else if (type == STUN_ATTRIBUTE_MESSAGE_INTEGRITY &&
		    !a->has_mi) {
			if (alen != 20)
				return -1;
			a->has_mi = 1;
		} else if (type == STUN_ATTRIBUTE_USERNAME && !a->has_mi &&
		    a->user == NULL) {
			a->user = p + off + 4;
			a->user_len = alen;
		}
		off += 4 + padded;
	}
	return 0;
}

int
stun_lite_local_ufrag(const uint8_t *p, size_t len, char *out,
    size_t outlen)
{
	struct attrs	a;
	size_t		i;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (walk(p, len, &a) == -1 || a.user == NULL)
		return -1;
	for (i = 0; i < a.user_len && a.user[i] != ':'; i++) {
		if (!ice_char(a.user[i]))
			return -1;
	}
	if (i == 0 || i == a.user_len || i > STUN_LITE_UFRAG_MAX ||
	    i >= outlen)
		return -1;
	memcpy(out, a.user, i);
	out[i] = '\0';
	return 0;
}

/* libnice validater: USERNAME must be "ufrag:..."; the key is our pwd. */
static bool
check_user(StunAgent *agent, StunMessage *m, uint8_t *user, uint16_t ulen,
    uint8_t **pwd, size_t *pwd_len, void *arg)
{
	const struct creds	*c = arg;

	if (user == NULL || ulen <= c->ufrag_len ||
	    user[c->ufrag_len] != ':' ||
	    memcmp(user, c->ufrag, c->ufrag_len) != 0)
		return false;
	*pwd = (uint8_t *)(uintptr_t)c->pwd;
	*pwd_len = c->pwd_len;
	return true;
}

/* The address to put in XOR-MAPPED-ADDRESS; ::ffff:a.b.c.d as IPv4. */
static int
mapped_src(const struct sockaddr *sa, socklen_t salen,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	memset(ss, 0, sizeof(*ss));
	if (sa == NULL || salen < (socklen_t)sizeof(sa_family_t))
		return -1;
	if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(sin)) {
		memcpy(ss, sa, sizeof(sin));
		*sslen = sizeof(sin);
		return 0;
	}
	if (sa->sa_family != AF_INET6 || salen < (socklen_t)sizeof(sin6))
		return -1;
	memcpy(&sin6, sa, sizeof(sin6));
	if (!IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
		memcpy(ss, &sin6, sizeof(sin6));
		*sslen = sizeof(sin6);
		return 0;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = sin6.sin6_port;
	memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
	memcpy(ss, &sin, sizeof(sin));
	*sslen = sizeof(sin);
	return 0;
}

/*
 * Keep the error response just built in out (n bytes) if it may be sent:
 * always when the request was authenticated, else only if it is no larger
 * than the request (no amplification toward forged sources).
 */
static ssize_t
keep_error(const StunMessage *req, size_t reqlen, StunMessage *err,
    size_t n, struct stun_lite_info *info)
{
	int	code = 0;

	if (n == 0 || (req->key == NULL && n > reqlen))
		return -1;
	if (stun_message_get_class(err) != STUN_ERROR ||
	    stun_message_find_error(err, &code) != STUN_MESSAGE_RETURN_SUCCESS)
		return -1;
	info->error = code;
	info->error_len = n;
	return -1;
}

/* A request that failed validation: 400, 401 or 420. */
static ssize_t
refuse(struct stun_lite *sl, StunMessage *req, size_t reqlen, uint8_t *out,
    size_t outlen, StunError code, struct stun_lite_info *info)
{
	StunMessage	err;
	size_t		n = 0;

	if (code == STUN_ERROR_UNKNOWN_ATTRIBUTE)
		n = stun_agent_build_unknown_attributes_error(&sl->agent, &err,
		    out, outlen, req);
	else if (stun_agent_init_error(&sl->agent, &err, out, outlen, req,
	    code))
		n = stun_agent_finish_message(&sl->agent, &err, NULL, 0);
	return keep_error(req, reqlen, &err, n, info);
}

/*
 * An authenticated request: the success response, or 400/487.  We are
 * controlled with tie-breaker 0: a request carrying ICE-CONTROLLED gets
 * 487 (RFC 8445 §7.3.1.1), or, if its tie-breaker is 0 too, libnice
 * would switch us to controlling, which a lite agent refuses: dropped.
 */
static ssize_t
reply(struct stun_lite *sl, StunMessage *req, size_t reqlen,
    size_t user_len, const struct sockaddr_storage *ss, socklen_t sslen,
    uint8_t *out, size_t outlen, struct stun_lite_info *info)
{
	StunMessage		rsp;
	StunUsageIceReturn	r;
	size_t			n = outlen;
	bool			control = false;

	info->use_candidate = stun_usage_ice_conncheck_use_candidate(req);
	info->controlling = stun_message_has_attribute(req,
	    STUN_ATTRIBUTE_ICE_CONTROLLING);
	info->priority = stun_usage_ice_conncheck_priority(req);
	/* libnice assert()s, i.e. aborts, when out is too small */
	if (outlen < REPLY_MAX(user_len))
		return -1;
	r = stun_usage_ice_conncheck_create_reply(&sl->agent, req, &rsp, out,
	    &n, ss, sslen, &control, 0, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
	if (n == 0)
		return -1;
	if (r == STUN_USAGE_ICE_RETURN_SUCCESS && !control &&
	    stun_message_get_class(&rsp) == STUN_RESPONSE)
		return (ssize_t)n;
	return keep_error(req, reqlen, &rsp, n, info);
}

ssize_t
stun_lite_answer(struct stun_lite *sl, const uint8_t *req, size_t len,
    const char *local_ufrag, const char *local_pwd,
    const struct sockaddr *src, socklen_t srclen, uint8_t *out,
    size_t outlen, struct stun_lite_info *info)
{
	struct attrs		a;
	struct creds		c;
	struct sockaddr_storage	ss;
	socklen_t		sslen = 0;
	StunMessage		msg;

	if (info == NULL)
		return -1;
	memset(info, 0, sizeof(*info));
	if (sl == NULL || out == NULL || local_ufrag == NULL ||
	    local_pwd == NULL || walk(req, len, &a) == -1)
		return -1;
	if ((req[0] & 0x01) != 0 || (req[1] & 0x10) != 0)
		return 0;		/* indication or response: ignore */
	if (mapped_src(src, srclen, &ss, &sslen) == -1)
		return -1;
	c.ufrag = local_ufrag;
	c.ufrag_len = strlen(local_ufrag);
	c.pwd = local_pwd;
	c.pwd_len = strlen(local_pwd);
	if (c.ufrag_len == 0 || c.pwd_len == 0)
		return -1;
	switch (stun_agent_validate(&sl->agent, &msg, req, len, check_user,
	    &c)) {
	case STUN_VALIDATION_SUCCESS:
		return reply(sl, &msg, len, a.user_len, &ss, sslen, out,
		    outlen, info);
	case STUN_VALIDATION_UNAUTHORIZED_BAD_REQUEST:
		return refuse(sl, &msg, len, out, outlen,
		    STUN_ERROR_BAD_REQUEST, info);
	case STUN_VALIDATION_UNAUTHORIZED:
		return refuse(sl, &msg, len, out, outlen,
		    STUN_ERROR_UNAUTHORIZED, info);
	case STUN_VALIDATION_UNKNOWN_REQUEST_ATTRIBUTE:
		return refuse(sl, &msg, len, out, outlen,
		    STUN_ERROR_UNKNOWN_ATTRIBUTE, info);
	default:		/* no cookie, bad FINGERPRINT: silently */
		return -1;
	}
}
