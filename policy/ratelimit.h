/*
 * ratelimit.h: integer token buckets and a sliding-window event counter.
 *
 * Pure: time is always passed in (milliseconds from any monotonic origin);
 * no floats, no clock reads, no allocation.  A bucket holds milli-tokens
 * and does not store its rate: the caller passes the limits on every take,
 * so a reload applies new limits at once without walking the buckets.
 *
 *   rate  tokens per second; 0 (or less) means unlimited: every take passes.
 *   burst bucket capacity in tokens; 0 means "one second's worth" (rate),
 *         and a capacity is never below one token.
 * A bucket starts full; one initialised with rate 0 counts as full for
 * whatever limits it is later used with (so a zero-limit init is fine when
 * the limits are not known yet, and a reload that enables a limit starts
 * every source with a full bucket).
 *
 * A window counts events in fixed windows of window_ms and reports the
 * usual two-window sliding estimate: cur + prev * (unelapsed part of the
 * current window) / window.  This closes the fixed-window boundary gap (no
 * 2x burst straddling two windows) in 16 bytes.  A zeroed window is valid.
 *
 * If the clock goes backwards, a bucket does not refill until it has
 * caught up again, and a window restarts.
 *
 * Owns: nothing (the caller owns the structs).
 * Thread: the caller's; no locking here (policy.c holds its own mutex).
 */
#ifndef SBC_POLICY_RATELIMIT_H
#define SBC_POLICY_RATELIMIT_H

#include <stdint.h>

#include "sbc/conf.h"

struct pol_bucket {
	uint64_t	milli;		/* available tokens x 1000 */
	uint64_t	last_ms;	/* time of the last refill */
};

struct pol_window {
	uint64_t	start_ms;	/* start of the current window */
	uint32_t	cur;		/* events in the current window */
	uint32_t	prev;		/* events in the window before */
};

/* A full bucket for these limits. */
void	pol_bucket_init(struct pol_bucket *, int rate_per_s, int burst,
	    uint64_t now_ms);
/* 1: allowed (a token taken, or rate 0), 0: over the limit. */
int	pol_bucket_take(struct pol_bucket *, const struct sbc_rate *,
	    uint64_t now_ms);
/* 1 when a take would pass now; refills but takes nothing. */
int	pol_bucket_peek(struct pol_bucket *, const struct sbc_rate *,
	    uint64_t now_ms);

void	pol_window_reset(struct pol_window *, uint64_t now_ms);
/* Count one event; returns the sliding estimate including it. */
uint32_t pol_window_add(struct pol_window *, uint64_t window_ms,
	    uint64_t now_ms);

#endif
