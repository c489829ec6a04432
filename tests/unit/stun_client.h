/*
 * stun_client.h: libnice's STUN agent set up as a browser's ICE agent
 * (RFC 5389, short-term credentials), for the unit tests that send
 * connectivity checks (test_stun_lite, test_msess).
 * Thread: single-threaded test binaries.
 */
#ifndef SBC_TESTS_STUN_CLIENT_H
#define SBC_TESTS_STUN_CLIENT_H

#include <stdint.h>

#include <stun/stunagent.h>

static const uint16_t stun_client_attrs[] = {
	STUN_ATTRIBUTE_MAPPED_ADDRESS, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
	STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
	STUN_ATTRIBUTE_ERROR_CODE, STUN_ATTRIBUTE_UNKNOWN_ATTRIBUTES,
	STUN_ATTRIBUTE_PRIORITY, STUN_ATTRIBUTE_USE_CANDIDATE,
	STUN_ATTRIBUTE_ICE_CONTROLLED, STUN_ATTRIBUTE_ICE_CONTROLLING, 0
};

static inline void
stun_client_init(StunAgent *a, int fingerprint)
{
	stun_agent_init(a, stun_client_attrs, STUN_COMPATIBILITY_RFC5389,
	    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
	    (fingerprint ? STUN_AGENT_USAGE_USE_FINGERPRINT : 0));
}

#endif
