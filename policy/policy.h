/*
 * policy.h: the per-source abuse policy the signaling threads consult:
 * token-bucket rate limits per source IP and message class, a cap on
 * concurrent connections per IP, violation and auth-failure counting, and
 * escalating bans (automatic, and manual from the CLI).
 *
 * Rules (limits from struct sbc_policy, copied at create/reconfigure):
 *   - a banned source gets POL_DROP for every event;
 *   - an event over its class's rate (REGISTER, INVITE, OTHER, CONNECT) is
 *     a violation and gets POL_DROP or POL_REJECT per over_limit;
 *   - PE_CONNECT over max_connections_per_ip is a violation too; an allowed
 *     PE_CONNECT counts a connection, and the caller must send exactly one
 *     PE_DISCONNECT for it (and none for a refused one);
 *   - PE_MALFORMED is a violation; PE_AUTH_FAIL counts toward
 *     auth_failures; PE_SCANNER bans at once.  These three return POL_ALLOW
 *     (carry on: answer 400/401 as usual) unless the source is now banned;
 *   - ban_threshold violations within ban_window (sliding estimate, see
 *     ratelimit.h) ban the source for ban_time; so do auth_failures failures
 *     within ban_window.  The event that starts a ban gets POL_DROP;
 *   - escalation: a new ban less than 24 h after the previous one ended has
 *     the next level; the duration is ban_time << level, level at most 6
 *     (64x), and never longer than max(ban_time, 1 day).  24 h after a ban
 *     ended without another one, the level starts again from 0.
 * Sources that are not IPv4/IPv6 (or a NULL address) are not tracked and
 * always get POL_ALLOW.
 *
 * Locking: two threads call in (ws-edge at accept/recv, signaling per SIP
 * message), so one pthread mutex guards the tracker, the limits and the
 * counters.  Held for one table lookup and a few integer operations, no
 * I/O, no allocation.  This is the signaling path, never the per-packet
 * media path.  The on_ban callback is called after the mutex is released,
 * in the thread whose call started the ban; it may call back into policy.
 *
 * Owns: the tracker and its memory (allocated once at create, bounded by
 * tracking_entries).  Not the config: limits are copied, so the snapshot
 * may be released after create/reconfigure.
 * Thread: any (internally locked); create/destroy by the owner (daemon).
 */
#ifndef SBC_POLICY_POLICY_H
#define SBC_POLICY_POLICY_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sbc/conf.h"

enum pol_verdict {
	POL_ALLOW,
	POL_DROP,
	POL_REJECT,	/* answer 503 with Retry-After (over_limit reject) */
};

enum pol_event {
	PE_CONNECT,
	PE_DISCONNECT,
	PE_REGISTER,
	PE_INVITE,
	PE_OTHER,
	PE_MALFORMED,
	PE_AUTH_FAIL,
	PE_SCANNER,
};

/* Counter indexes, and the reason given for a ban. */
enum pol_reason {
	POL_R_RATE_REGISTER,
	POL_R_RATE_INVITE,
	POL_R_RATE_OTHER,
	POL_R_RATE_CONNECTION,
	POL_R_MAX_CONNECTIONS,
	POL_R_BANNED,		/* events dropped because the source is banned */
	POL_R_MALFORMED,
	POL_R_AUTH_FAILURE,
	POL_R_SCANNER,
	POL_R_MANUAL,		/* bans added from the CLI */
	POL_R_EVICTED,		/* table full: an unbanned entry forgotten */
	POL_R_EVICTED_BANNED,	/* table full of bans: a ban forgotten */
	POL_REASON_MAX
};

struct pol_ban {
	char		addr[INET6_ADDRSTRLEN];
	uint64_t	seconds_left;	/* rounded up */
	int		level;		/* 0: ban_time, 1: 2x, ... */
	const char	*reason;	/* pol_reason_name(); static */
};

struct pol_gauges {
	size_t		bans_active;
	uint64_t	bans_total;	/* bans started, automatic and manual */
	size_t		entries;	/* sources tracked */
	size_t		capacity;	/* tracking_entries */
	size_t		memory;		/* bytes of the table */
};

typedef void	(*pol_ban_cb)(void *arg, const struct sockaddr *, int seconds,
		    const char *reason);

struct policy;

/* on_ban may be NULL.  NULL on allocation failure or a bad config. */
struct policy	*policy_create(const struct sbc_policy *, pol_ban_cb on_ban,
		    void *arg);
void		 policy_destroy(struct policy *);
/*
 * New limits apply from the next event; entries, connections and bans are
 * kept.  0 when everything applied, 1 when tracking_entries changed (the
 * table keeps its size until a restart), -1 on a bad argument.
 */
int		 policy_reconfigure(struct policy *, const struct sbc_policy *);

enum pol_verdict policy_check(struct policy *, const struct sockaddr *,
		    enum pol_event, uint64_t now_ms);
/* 1 when banned.  Read-only: no counter, no LRU update, no creation. */
int		 policy_is_banned(struct policy *, const struct sockaddr *,
		    uint64_t now_ms);
/* 1 when the User-Agent contains a scanner pattern (ASCII, any case). */
int		 policy_scanner_match(const struct sbc_policy *,
		    const char *user_agent);

/* Manual bans (CLI).  add: -1 on a bad address or seconds < 1. */
int		 policy_ban_add(struct policy *, const struct sockaddr *,
		    int seconds, uint64_t now_ms);
/* Lift a ban and its escalation level; -1 when the source is not banned. */
int		 policy_ban_del(struct policy *, const struct sockaddr *);
/* Fills up to max, most recently seen first; returns the active total. */
size_t		 policy_ban_list(struct policy *, struct pol_ban *, size_t max,
		    uint64_t now_ms);

void		 policy_counters(struct policy *, uint64_t out[POL_REASON_MAX]);
void		 policy_gauges(struct policy *, uint64_t now_ms,
		    struct pol_gauges *);
const char	*pol_reason_name(enum pol_reason);

#endif
