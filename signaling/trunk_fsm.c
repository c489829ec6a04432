/*
 * trunk_fsm.c: the pure rules of trunk monitoring (see trunk_int.h): the
 * trunk state from its registration and host health, which OPTIONS
 * answers mean "alive", the registration retry backoff, the start-up
 * spread, and the Contact user naming a trunk.
 *
 * Owns: nothing.  Thread: pure (tk_random() reads OpenSSL's RNG); the
 * "signaling" thread and unit tests.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "signaling/trunk_int.h"

/* The state each registration state gives (0: the health decides). */
static const int reg_states[TKR_N] = {
	[TKR_OFF] = 0,
	[TKR_WAIT] = TK_REGISTERING,
	[TKR_SENDING] = TK_REGISTERING,
	[TKR_REGISTERED] = TK_UP,
	[TKR_FAILED] = TK_FAILED,
	[TKR_UNREGISTERED] = TK_DOWN,
};

static const char *const reg_names[TKR_N] = {
	[TKR_OFF] = "off",
	[TKR_WAIT] = "waiting",
	[TKR_SENDING] = "registering",
	[TKR_REGISTERED] = "registered",
	[TKR_FAILED] = "failed",
	[TKR_UNREGISTERED] = "unregistered",
};

static const char *const state_names[] = {
	[0] = "?",
	[TK_UP] = "up",
	[TK_DOWN] = "down",
	[TK_REGISTERING] = "registering",
	[TK_FAILED] = "failed",
	[TK_UNMONITORED] = "unmonitored",
};

/* Alive or not per status class (1xx never comes here). */
static const int class_alive[7] = { 0, 0, 1, 1, 1, 0, 1 };

int
tk_state(enum tk_reg reg, int monitored, size_t usable_hosts,
    int binding_live)
{
	int	st;

	if (monitored && usable_hosts == 0)
		return TK_DOWN;
	if ((unsigned)reg >= TKR_N || (st = reg_states[reg]) == 0)
		return monitored ? TK_UP : TK_UNMONITORED;
	if (st == TK_FAILED && binding_live)
		return TK_UP;		/* a refresh failed; still bound */
	return st;
}

const char *
tk_state_name(int state)
{
	if (state < 0 || state >= (int)(sizeof(state_names) /
	    sizeof(state_names[0])))
		return "?";
	return state_names[state];
}

const char *
tk_reg_name(enum tk_reg reg)
{
	return (unsigned)reg < TKR_N ? reg_names[reg] : "?";
}

/* 2xx, 3xx, 4xx but 408, 6xx: a SIP server answered.  408, 5xx (NTA's
 * own 503 on transport errors too) or no answer (0): not alive. */
int
tk_options_alive(int status)
{
	if (status < 200 || status > 699 || status == 408)
		return 0;
	return class_alive[status / 100];
}

/* 5 s doubling to 300 s, ±20 % (rnd picks where in that range). */
unsigned
tk_backoff_ms(unsigned failures, uint32_t rnd)
{
	unsigned	base = TK_BACKOFF_MIN_S * 1000;
	int		jitter;

	while (failures-- > 0 && base < TK_BACKOFF_MAX_S * 1000)
		base *= 2;
	if (base > TK_BACKOFF_MAX_S * 1000)
		base = TK_BACKOFF_MAX_S * 1000;
	jitter = (int)(rnd % 4001) - 2000;	/* -2000 .. 2000 per 10000 */
	return (unsigned)((long)base + (long)base * jitter / 10000);
}

/* Registrations start over a window growing with their number: 1 s for
 * a few trunks, 50 ms more per trunk, at most 10 s. */
unsigned
tk_spread_ms(size_t nregistering, uint32_t rnd)
{
	size_t	window = nregistering * 50;

	if (window < 1000)
		window = 1000;
	if (window > 10000)
		window = 10000;
	return (unsigned)(rnd % window);
}

/* "trunk-" and the name, characters outside RFC 3261 unreserved escaped. */
int
tk_contact_user(const char *name, char *out, size_t len)
{
	static const char	 ok[] = "-_.!~*'()";
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)name;
	size_t			 n = (size_t)snprintf(out, len, "trunk-");

	for (; *p != '\0' && n + 4 < len; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(ok, *p) != NULL) {
			out[n++] = (char)*p;
			continue;
		}
		out[n++] = '%';
		out[n++] = hex[*p >> 4];
		out[n++] = hex[*p & 15];
	}
	if (n >= len)
		return -1;
	out[n] = '\0';
	return *p == '\0' ? 0 : -1;
}

uint32_t
tk_random(void)
{
	uint32_t	v = 0;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return 0;
	return v;
}
