/*
 * stats.h: process-wide counters read by the control socket (sbcctl) and
 * the SNMP sub-agent.
 *
 * Rules: every field is an atomic written with relaxed order by the one
 * service that owns the event (signaling: calls, registrations; ws-edge:
 * WebSocket connections, static files; policy: drops and bans; media
 * worker i: only media[i], published once per worker tick so no packet
 * ever touches a shared cache line).  Readers (ctl, SNMP threads) load
 * without locks and accept that a snapshot is not atomic across fields.
 * Owns: nothing dynamic but media[] (allocated by the daemon at start).
 * Thread: any.
 */
#ifndef SBC_STATS_H
#define SBC_STATS_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define SBC_STAT_ADD(p, n)	atomic_fetch_add_explicit((p), (n), \
				    memory_order_relaxed)
#define SBC_STAT_SUB(p, n)	atomic_fetch_sub_explicit((p), (n), \
				    memory_order_relaxed)
#define SBC_STAT_SET(p, v)	atomic_store_explicit((p), (v), \
				    memory_order_relaxed)
#define SBC_STAT_GET(p)		atomic_load_explicit((p), memory_order_relaxed)

/* One media worker's totals, written by that worker once per tick. */
struct sbc_stats_media {
	_Atomic uint64_t	sessions;		/* gauge */
	_Atomic uint64_t	packets_in;
	_Atomic uint64_t	packets_out;
	_Atomic uint64_t	packets_dropped;
	_Atomic uint64_t	srtp_auth_failures;
	_Atomic uint64_t	dtls_failures;
} __attribute__((aligned(64)));

struct sbc_stats {
	time_t			 started;		/* wall clock */
	_Atomic uint64_t	 calls_active;		/* gauge */
	_Atomic uint64_t	 calls_total;
	_Atomic uint64_t	 calls_failed;
	_Atomic uint64_t	 registrations;		/* gauge: bindings */
	_Atomic uint64_t	 ws_connections;	/* gauge */
	_Atomic uint64_t	 ws_total;
	_Atomic uint64_t	 policy_drops;		/* every refusal */
	_Atomic uint64_t	 bans_active;		/* gauge */
	_Atomic uint64_t	 bans_total;
	_Atomic uint64_t	 cac_rejects;		/* admission limits */
	_Atomic uint64_t	 web_served;		/* static files: 200 */
	_Atomic uint64_t	 web_refused;		/* static: 4xx */
	int			 nmedia;
	struct sbc_stats_media	*media;			/* [nmedia] */
};

/* Sum of the media workers' slots. */
struct sbc_media_totals {
	uint64_t	sessions, packets_in, packets_out, packets_dropped;
	uint64_t	srtp_auth_failures, dtls_failures;
};

static inline void
sbc_stats_media_sum(const struct sbc_stats *st, struct sbc_media_totals *t)
{
	int	i;

	*t = (struct sbc_media_totals){ 0 };
	for (i = 0; i < st->nmedia; i++) {
		const struct sbc_stats_media *m = &st->media[i];

		t->sessions += SBC_STAT_GET(&m->sessions);
		t->packets_in += SBC_STAT_GET(&m->packets_in);
		t->packets_out += SBC_STAT_GET(&m->packets_out);
		t->packets_dropped += SBC_STAT_GET(&m->packets_dropped);
		t->srtp_auth_failures += SBC_STAT_GET(&m->srtp_auth_failures);
		t->dtls_failures += SBC_STAT_GET(&m->dtls_failures);
	}
}

#endif
