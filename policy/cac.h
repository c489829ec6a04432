/*
 * cac.h: call admission control for new calls.
 *
 * Limits, all "0: unlimited":
 *   - global: policy.max_calls concurrent calls, policy.max_cps new calls
 *     per second (token bucket, burst one second's worth);
 *   - per user: policy.max_calls_per_user concurrent calls, counted in a
 *     bounded hash (max_users distinct users with calls at once, fixed at
 *     create; a new user beyond that is refused with CAC_USER_TABLE).  Users
 *     are exact strings (the caller picks the form, e.g. "alice@example.com"),
 *     compared on their first CAC_USER_MAX - 1 bytes; users are counted only
 *     while max_calls_per_user > 0;
 *   - per trunk: max_calls and cps of config->trunks[i], the trunk index
 *     being the caller's (its position in the config's trunk array; -1 or
 *     an unknown index: no per-trunk limit).  Counts stay with the index
 *     across cac_configure(), so a reload that reorders trunks shifts them.
 * Every cac_admit() that returns 0 must be matched by one cac_release()
 * with the same user and trunk index; counts never go below zero.
 * A refused call takes no cps token.  Time is injected (now_ms).
 *
 * Owns: the trunk array and the user table (allocated at create and when a
 * configuration has more trunks than before; never per call).
 * Thread: the signaling thread only; no lock.
 */
#ifndef SBC_POLICY_CAC_H
#define SBC_POLICY_CAC_H

#include <stddef.h>
#include <stdint.h>

#include "sbc/conf.h"

#define CAC_USER_MAX	128	/* bytes of a user key, with the NUL */

enum cac_reason {
	CAC_OK,			/* admitted (its counter: calls admitted) */
	CAC_MAX_CALLS,		/* policy.max_calls */
	CAC_MAX_CPS,		/* policy.max_cps */
	CAC_USER_CALLS,		/* policy.max_calls_per_user */
	CAC_USER_TABLE,		/* too many distinct users with calls */
	CAC_TRUNK_CALLS,	/* trunk max_calls */
	CAC_TRUNK_CPS,		/* trunk cps */
	CAC_REASON_MAX
};

struct cac;

struct cac	*cac_create(size_t max_users);		/* max_users >= 1 */
void		 cac_destroy(struct cac *);
/* Take limits from a config; -1 on a bad argument or no memory (then the
 * previous limits stay). */
int		 cac_configure(struct cac *, const struct sbc_policy *,
		    const struct sbc_trunk *trunks, size_t ntrunks);
/* 0: admitted; -1: refused, *why says which limit (why may be NULL). */
int		 cac_admit(struct cac *, const char *user, int trunk_idx,
		    uint64_t now_ms, enum cac_reason *why);
void		 cac_release(struct cac *, const char *user, int trunk_idx);

void		 cac_counters(const struct cac *, uint64_t out[CAC_REASON_MAX]);
const char	*cac_reason_name(enum cac_reason);
/* The configuration key of the limit ("policy.max_cps"; for the trunk
 * limits the trunk's key, "max_calls"), NULL for CAC_OK. */
const char	*cac_reason_key(enum cac_reason);
size_t		 cac_active(const struct cac *);
size_t		 cac_user_calls(const struct cac *, const char *user);
size_t		 cac_trunk_calls(const struct cac *, int trunk_idx);

#endif
