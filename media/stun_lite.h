/*
 * stun_lite.h: the STUN responder of an ICE-lite agent (RFC 8445 §2.5).
 *
 * A lite agent never sends checks: it answers the browser's Binding
 * requests (connectivity checks and RFC 7675 consent-freshness checks,
 * same path) with short-term credentials (USERNAME "OURS:THEIRS",
 * MESSAGE-INTEGRITY keyed with our ICE password, FINGERPRINT required).
 * Validation and encoding are libnice's STUN usage API; this module adds a
 * strict structural pre-check, the ufrag demux and the error policy.
 * It is always in the controlled role.
 *
 * Owns: nothing but the caller's struct stun_lite (one per worker, reused
 * for every packet).  No sockets, no globals, no allocation per packet.
 * Thread: pure; called by media workers, tests, fuzzers.  A struct
 * stun_lite must not be shared between threads.
 */
#ifndef SBC_MEDIA_STUN_LITE_H
#define SBC_MEDIA_STUN_LITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <stun/stunagent.h>

/* Largest USERNAME part we copy (RFC 8445: a ufrag is 4..256 ice-chars). */
#define STUN_LITE_UFRAG_MAX	256

struct stun_lite {
	StunAgent	agent;		/* RFC 5389, short-term, FINGERPRINT */
};

struct stun_lite_info {
	int		use_candidate;	/* USE-CANDIDATE present */
	int		controlling;	/* ICE-CONTROLLING present */
	uint32_t	priority;	/* PRIORITY, 0 if absent */
	int		error;		/* STUN error code of the reply in out */
	size_t		error_len;	/* its length; 0: send nothing */
};

/*
 * 0, or -1 if libnice's STUN code is shadowed: Sofia-SIP also exports
 * stun_message_length(), so the link must list libnice before Sofia-SIP.
 */
int	stun_lite_init(struct stun_lite *);

/* RFC 7983 first byte 0..3, RFC 5389 magic cookie and a message length
 * that is a multiple of 4 and covers the datagram exactly: 1 / 0. */
int	stun_lite_is_stun(const uint8_t *, size_t);

/*
 * Copy OUR ufrag (the part of USERNAME before ':') to out as a C string:
 * 0, or -1 if not STUN, no USERNAME, no ':', empty or not ice-chars, or it
 * does not fit in outlen (NUL included).  Used to find the session of a
 * packet arriving on a shared port, before any authentication.
 */
int	stun_lite_local_ufrag(const uint8_t *, size_t, char *, size_t);

/*
 * Answer a Binding request.  Returns the length of the success response
 * written to out (XOR-MAPPED-ADDRESS = src, MESSAGE-INTEGRITY,
 * FINGERPRINT), 0 for a STUN indication or response (ignore), or -1 if the
 * packet is not STUN, malformed, or not an authenticated Binding request.
 * On -1, info->error_len > 0 means out holds an error response the caller
 * may send to src (never larger than the request):
 *   400  no USERNAME or no MESSAGE-INTEGRITY, or not a Binding request
 *   401  USERNAME not "local_ufrag:..." or MESSAGE-INTEGRITY mismatch
 *   420  unknown comprehension-required attribute (authenticated)
 *   487  ICE-CONTROLLED in the request: we are lite, hence controlled
 * An out of len + 24 bytes always suffices (too small: -1, nothing sent).
 * A bad cookie or a missing or wrong FINGERPRINT is dropped silently
 * (RFC 5389 §7.3).  An IPv4-mapped IPv6 src is answered as IPv4.
 * out must not overlap req; info is always filled.
 */
ssize_t	stun_lite_answer(struct stun_lite *, const uint8_t *req, size_t len,
	    const char *local_ufrag, const char *local_pwd,
	    const struct sockaddr *src, socklen_t srclen,
	    uint8_t *out, size_t outlen, struct stun_lite_info *info);

#endif
