/*
 * tracker.h: the per-source-IP tracking table behind the policy facade.
 *
 * A fixed-capacity table of struct pol_entry, keyed by address family and
 * 16 address bytes (an IPv4-mapped IPv6 peer, ::ffff:a.b.c.d, is the IPv4
 * source a.b.c.d; the port is ignored).  All memory is allocated by
 * tracker_create(): the entries, a chained hash (array of heads, next
 * indexes in the entries) and two LRU lists threaded through the entries.
 * No allocation per event.  Buckets are keyed with SipHash-2-4 and a random
 * per-table seed, so chains cannot be lengthened on purpose.
 *
 * Eviction, when a new source arrives and the table is full:
 *   - entries live on one of two LRU lists: "unbanned" or "banned";
 *   - the victim is taken from the unbanned list: among its 16 least
 *     recently seen entries, the oldest one without open connections, or
 *     else the oldest one;
 *   - only when no entry is unbanned (after moving expired bans back, see
 *     tracker_sweep()) is the least recently seen banned entry evicted.
 *   So a flood of new addresses cannot wash out bans unless the whole
 *   table is banned.  A ban that expired without the source coming back
 *   stays on the banned list until the next sweep (any eviction that finds
 *   the unbanned list empty, or a policy gauge/list call), which puts it at
 *   the old end of the unbanned list.
 *
 * The tracker does not interpret the entry beyond key, links, last_seen_ms
 * and ban_until_ms (banned while ban_until_ms > now); policy.c owns the
 * meaning of the rest.  An entry pointer is valid until the next call that
 * may evict (tracker_get) or tracker_remove/tracker_destroy.
 *
 * Owns: the entries, hash heads and lists.
 * Thread: one caller at a time (policy.c holds a mutex around it).
 */
#ifndef SBC_POLICY_TRACKER_H
#define SBC_POLICY_TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "policy/ratelimit.h"

/* Per-source token bucket classes. */
enum pol_class {
	POL_C_REGISTER,
	POL_C_INVITE,
	POL_C_OTHER,
	POL_C_CONNECTION,
	POL_C_MAX
};

struct pol_key {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];	/* IPv4: 4 bytes, then zeros */
};

struct pol_entry {
	struct pol_key		key;
	uint8_t			ban_level;	/* level of the last ban: 0 = 1x */
	uint8_t			ban_reason;	/* enum pol_reason of it */
	uint8_t			list;		/* tracker-private */
	uint32_t		conns;		/* open connections */
	struct pol_bucket	bucket[POL_C_MAX];
	struct pol_window	violations;
	struct pol_window	auth_fails;
	uint64_t		ban_until_ms;	/* 0: never banned (or lifted) */
	uint64_t		last_seen_ms;
	uint32_t		hnext, prev, next;	/* tracker-private */
};

struct tracker;

/* Normalised key of a peer; -1 for families other than IPv4/IPv6. */
int	pol_key_from_sa(const struct sockaddr *, struct pol_key *);
/* The address as text ("192.0.2.1", "2001:db8::1"); -1 if it does not fit. */
int	pol_key_format(const struct pol_key *, char *, size_t);

/* SipHash-2-4 with a 128-bit key; and a random key (getrandom(2)). */
uint64_t pol_hash(const uint64_t key[2], const void *, size_t);
void	pol_random_seed(uint64_t key[2]);

struct tracker *tracker_create(size_t capacity, const uint64_t seed[2]);
void	tracker_destroy(struct tracker *);

/* Lookup only: no LRU update, no creation. */
struct pol_entry *tracker_find(struct tracker *, const struct pol_key *);
/*
 * Find or create, and mark as seen now (front of its LRU list).  A new
 * entry is zeroed but for its key and last_seen_ms; *created says so.
 * *evicted: 0 none, 1 an unbanned entry made room, 2 a banned one did.
 */
struct pol_entry *tracker_get(struct tracker *, const struct pol_key *,
	    uint64_t now_ms, int *created, int *evicted);
/* Move to the banned or unbanned list after ban_until_ms changed. */
void	tracker_update_ban(struct tracker *, struct pol_entry *,
	    uint64_t now_ms);
void	tracker_remove(struct tracker *, struct pol_entry *);
/* Move expired bans to the unbanned list; returns the bans still active. */
size_t	tracker_sweep(struct tracker *, uint64_t now_ms);
/* Walk the banned list, most recently seen first; NULL starts/ends. */
struct pol_entry *tracker_banned_next(struct tracker *,
	    const struct pol_entry *);

size_t	tracker_count(const struct tracker *);
size_t	tracker_capacity(const struct tracker *);
size_t	tracker_memory(const struct tracker *);	/* bytes allocated */

#endif
