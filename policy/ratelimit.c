/*
 * ratelimit.c: token buckets in milli-tokens and a sliding-window counter
 * (see ratelimit.h).
 *
 * Owns: nothing.  Thread: any (pure; callers serialise access to a struct).
 */
#include "config.h"

#include <string.h>

#include "policy/ratelimit.h"

/* Capacity in milli-tokens; rate > 0.  At most 1e6 * 1000 by the schema. */
static uint64_t
capacity_milli(int rate, int burst)
{
	uint64_t	cap = (uint64_t)(burst > 0 ? burst : rate);

	if (cap < 1)
		cap = 1;
	return cap * 1000;
}

/* Refill: `rate` tokens per second is `rate` milli-tokens per millisecond. */
static void
refill(struct pol_bucket *b, int rate, int burst, uint64_t now_ms)
{
	uint64_t	cap = capacity_milli(rate, burst), elapsed;

	if (now_ms <= b->last_ms) {		/* same instant, or clock back */
		if (b->milli > cap)
			b->milli = cap;
		return;
	}
	elapsed = now_ms - b->last_ms;
	b->last_ms = now_ms;
	/* compare before multiplying: elapsed may be huge */
	if (b->milli >= cap || elapsed >= (cap - b->milli) / (uint64_t)rate + 1)
		b->milli = cap;
	else
		b->milli += elapsed * (uint64_t)rate;
	if (b->milli > cap)
		b->milli = cap;
}

void
pol_bucket_init(struct pol_bucket *b, int rate_per_s, int burst,
    uint64_t now_ms)
{
	memset(b, 0, sizeof(*b));
	b->last_ms = now_ms;
	/* rate 0: full for any later limits (refill() clamps to them) */
	b->milli = rate_per_s > 0 ? capacity_milli(rate_per_s, burst) :
	    UINT64_MAX;
}

int
pol_bucket_peek(struct pol_bucket *b, const struct sbc_rate *r,
    uint64_t now_ms)
{
	if (r->rate <= 0)
		return 1;
	refill(b, r->rate, r->burst, now_ms);
	return b->milli >= 1000;
}

int
pol_bucket_take(struct pol_bucket *b, const struct sbc_rate *r,
    uint64_t now_ms)
{
	if (r->rate <= 0) {
		b->last_ms = now_ms;	/* refills to full if enabled later */
		return 1;
	}
	if (!pol_bucket_peek(b, r, now_ms))
		return 0;
	b->milli -= 1000;
	return 1;
}

void
pol_window_reset(struct pol_window *w, uint64_t now_ms)
{
	w->start_ms = now_ms;
	w->cur = 0;
	w->prev = 0;
}

uint32_t
pol_window_add(struct pol_window *w, uint64_t window_ms, uint64_t now_ms)
{
	uint64_t	elapsed, est;

	if (window_ms == 0)
		window_ms = 1;
	if (now_ms < w->start_ms)
		pol_window_reset(w, now_ms);
	elapsed = now_ms - w->start_ms;
	if (elapsed >= 2 * window_ms) {
		pol_window_reset(w, now_ms);
		elapsed = 0;
	} else if (elapsed >= window_ms) {
		w->prev = w->cur;
		w->cur = 0;
		w->start_ms += window_ms;
		elapsed -= window_ms;
	}
	if (w->cur < UINT32_MAX)
		w->cur++;
	est = w->cur + (uint64_t)w->prev * (window_ms - elapsed) / window_ms;
	return est > UINT32_MAX ? UINT32_MAX : (uint32_t)est;
}
