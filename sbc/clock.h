/*
 * clock.h: the monotonic clock in milliseconds, for the pure modules that
 * take time as an argument (policy/, rate limits).  Thread: any.
 */
#ifndef SBC_CLOCK_H
#define SBC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
sbc_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
