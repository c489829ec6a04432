/*
 * bytes.h: big-endian reads of wire formats (STUN, RTP, RTCP).
 * Pure, inline.  Thread: any.
 */
#ifndef SBC_MEDIA_BYTES_H
#define SBC_MEDIA_BYTES_H

#include <stdint.h>

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

#endif
