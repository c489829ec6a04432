/*
 * b2b_int.h: internals of the B2BUA shared by call.c (call objects and
 * their life), b2b_browser.c (the WebSocket leg) and b2b_pbx.c (the NTA
 * leg).  Thread: "signaling" only.
 *
 * Life of a call: created by a browser INVITE; destroyed by call_end()
 * (which also tears the other leg down) from whichever event ends it.
 * NTA objects (leg, transactions) are destroyed with the call, so no NTA
 * callback ever sees a freed call.
 */
#ifndef SBC_B2B_INT_H
#define SBC_B2B_INT_H

#include <sys/socket.h>
#include <time.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_wait.h>

#include "media/ports.h"
#include "policy/cac.h"
#include "policy/policy.h"
#include "sbc/idmap.h"
#include "signaling/b2bua.h"
#include "signaling/digest.h"
#include "signaling/edge.h"
#include "signaling/registrar.h"

struct sbc_config;
struct sbc_trunk;
struct sbc_domain;
struct relayreg;
struct call_media;

enum call_state {
	CALL_CALLING,		/* INVITE sent to the PBX */
	CALL_EARLY,		/* a provisional relayed to the browser */
	CALL_ANSWERED,		/* 2xx relayed, waiting for the browser ACK */
	CALL_CONFIRMED,		/* ACK passed: the dialog is up */
	CALL_ENDED,
};

/* A request relayed from one leg, waiting for the other leg's answer. */
struct pend {
	struct pend		*next;
	struct call		*call;
	int			 to_pbx;	/* 1: browser → PBX */
	msg_t			*b_req;		/* to_pbx: the browser request */
	nta_outgoing_t		*orq;		/* to_pbx: toward the PBX */
	nta_incoming_t		*irq;		/* !to_pbx: from the PBX */
	char			 branch[48];	/* !to_pbx: our Via branch */
	sip_method_t		 method;
	uint32_t		 cseq;		/* of the request we sent */
};

struct flow {
	struct edge_flow_info	 info;
	struct call		*calls;		/* via call->flow_next */
	char			 host[64];	/* our address as the browser
						   sees it, for Via/Contact */
};

struct call {
	struct b2b		*b;
	uint64_t		 id;
	enum call_state		 state;
	time_t			 started;	/* wall clock, for sbcctl */
	su_home_t		 home[1];
	struct sbc_config	*cfg;		/* snapshot of the call's start */
	const struct sbc_trunk	*trunk;
	struct call		*hnext;		/* same Call-ID hash */
	struct call		*flow_next;
	su_timer_t		*timer;
	void			(*timer_fn)(struct call *);
	int			 b_done;	/* browser leg over */
	int			 p_done;	/* PBX leg over */

	/* browser leg (ours) */
	uint64_t		 flow;
	char			*b_call_id;
	sip_from_t		*b_from;	/* browser's From, with its tag */
	sip_to_t		*b_to;		/* browser's To + our tag */
	char			*b_tag;		/* our tag toward the browser */
	url_t			*b_target;	/* browser Contact */
	msg_t			*b_invite;	/* pending initial INVITE */
	uint32_t		 b_invite_cseq;	/* its CSeq */
	uint32_t		 b_cseq;	/* our CSeq toward the browser */
	uint32_t		 b_reinvite_cseq; /* our re-INVITE to ACK */

	/* PBX leg (NTA) */
	nta_leg_t		*p_leg;
	nta_outgoing_t		*p_invite;
	uint32_t		 p_invite_cseq;
	uint32_t		 p_reinvite_cseq;	/* 0: none */
	int			 p_acked;

	struct pend		*pends;
	struct call_media	*m;		/* b2b_media.c */

	/* session timer on the PBX leg (b2b_timer.c) */
	unsigned		 st_interval;	/* seconds; 0: none */
	int			 st_we_refresh;
	int			 st_pbx_supports;
	su_timer_t		*st_timer;
	nta_outgoing_t		*st_update;	/* our refresh in flight */

	/* call admission (b2b_policy.c) */
	char			*cac_user;	/* NULL: not admitted */
	int			 cac_trunk;

	/* calls the PBX made toward a browser */
	int			 from_pbx;
	struct call		*fork_owner;	/* sibling: holds the PBX leg */
	struct call		*forks;		/* owner: its siblings */
	struct call		*fork_next;
	int			 no_stats;	/* a fork: not a call of its own
						   in calls_total/failed */
	int			 fork_failed;	/* owner: the first refusal by
						   any of its devices */
	struct pend		*b_inv;		/* our INVITE to the browser;
						   its irq is the PBX's INVITE */
};

struct b2b {
	struct sbc_service	*svc;
	su_root_t		*root;
	nta_agent_t		*agent;
	struct idmap		 by_callid;	/* hash(browser Call-ID) → call */
	struct idmap		 flows;		/* flow id → struct flow */
	struct idmap		 calls;		/* call id → call */
	struct port_pool	 ports;		/* media ports (b2b_media.c) */
	struct registrar	 reg;		/* browser bindings */
	struct digest_ctx	 digest;	/* REGISTER authentication */
	uint64_t		 auth_failures;
	su_timer_t		*reg_timer;	/* expiry sweep */
	uint64_t		 next_call;
	unsigned		 ncalls;
	struct cac		*cac;		/* admission counts */
	uint64_t		 cac_noted[CAC_REASON_MAX]; /* ms: last
						   sbc_ctx.call_limit */
	const struct sbc_config	*cac_cfg;	/* its limits' snapshot */
	struct relayreg		*relay;		/* b2b_relayreg.c */
	struct b2b_trace	*trace;		/* b2b_trace.c: sip trace */
	struct trunks		*trunks;	/* trunk.c: monitoring */
};

/* call.c */
struct call	*call_new(struct b2b *, struct flow *, const sip_t *);
struct call	*call_find(struct b2b *, const char *call_id,
		    const char *from_tag);
struct call	*call_new_from_pbx(struct b2b *, struct flow *,
		    const char *aor, const char *contact, const sip_t *invite);
void		 call_end(struct call *, int status, const char *why);
void		 call_free(struct call *);
struct pend	*pend_new(struct call *, int to_pbx);
void		 pend_free(struct pend *);
struct pend	*pend_by_branch(struct b2b *, struct call *, const char *);
void		 call_timer(struct call *, unsigned ms,
		    void (*fn)(struct call *));
struct flow	*flow_get(struct b2b *, uint64_t);
const struct sockaddr *flow_peer(struct b2b *, uint64_t);	/* or NULL */
struct sbc_log	*b2b_log(const struct b2b *);
void		 b2b_reg_gauge(struct b2b *);	/* b2b_register.c */
const struct sbc_config *b2b_cfg(const struct b2b *);

/* b2b_register.c */
int		 b2b_register_init(struct b2b *);
void		 b2b_register_free(struct b2b *);
int		 b2b_register(struct b2b *, uint64_t flow, const sip_t *);
const char	*b2b_caller_refused(struct b2b *, uint64_t flow,
		    const sip_t *);
int		 b2b_uses_outbound(const sip_t *);

/* b2b_relayreg.c: relay-mode registrar */
int		 relayreg_init(struct b2b *);
void		 relayreg_free(struct b2b *);
int		 relayreg_register(struct b2b *, uint64_t flow, const sip_t *,
		    const struct sbc_domain *);
void		 relayreg_drop(void *b2b, const struct reg_binding *,
		    enum reg_drop);
const struct reg_binding *relayreg_binding(struct b2b *, const char *user,
		    time_t now);

/* b2b_browser.c */
int		 browser_send_flow(struct b2b *, uint64_t flow, msg_t *);
int		 browser_close_flow(struct b2b *, uint64_t flow);
int		 browser_send(struct call *, msg_t *);
int		 browser_reply(struct b2b *, uint64_t flow, const sip_t *req,
		    int status, const char *phrase, const char *to_tag);
int		 browser_relay_response(struct call *, const sip_t *breq,
		    const sip_t *resp, const char *sdp);
int		 browser_request(struct call *, sip_method_t, const char *name,
		    const sip_t *from_pbx, struct pend *, uint32_t cseq);
int		 browser_cancel(struct call *, const struct pend *);

/* b2b_pbx.c */
int		 pbx_invite(struct call *, const sip_t *breq, const char *user,
		    const char *sdp);
int		 pbx_ack(struct call *, uint32_t cseq);
int		 pbx_bye(struct call *);
int		 pbx_request(struct call *, const sip_t *breq, struct pend *);
int		 pbx_reply(struct pend *, const sip_t *bresp);
int		 pbx_call_in(struct b2b *, nta_incoming_t *, const sip_t *,
		    const struct sbc_trunk *, const char *aor,
		    const struct reg_binding *const *, size_t n);
int		 pbx_leg_cb(nta_leg_magic_t *, nta_leg_t *, nta_incoming_t *,
		    const sip_t *);
void		 pbx_bind_cancel(struct call *, nta_incoming_t *);
void		 pbx_ring_timer(struct call *);

/* b2b_timer.c */
int		 b2b_st_offer(struct call *, msg_t *, sip_t *);
void		 b2b_st_answered(struct call *, const sip_t *resp);
void		 b2b_st_incoming(struct call *, const sip_t *req);
int		 b2b_st_reply(struct call *, msg_t *, sip_t *);
void		 b2b_st_refreshed(struct call *, const sip_t *req);
void		 b2b_st_stop(struct call *);

/* b2b_fork.c */
int		 fork_add(struct call *owner, const struct reg_binding *,
		    const sip_t *invite, const char *aor);
int		 fork_answered(struct call *);
int		 fork_failed(struct call *, int status);
void		 fork_end(struct call *);
int		 fork_hand_over(struct call *owner);

/* b2b_policy.c */
enum pol_verdict b2b_policy_request(struct b2b *, const struct sockaddr *,
		    const sip_t *);
void		 b2b_policy_event(struct b2b *, const struct sockaddr *,
		    int pol_event);
void		 b2b_policy_flow_event(struct b2b *, uint64_t flow,
		    int pol_event);
int		 b2b_policy_close_banned(struct b2b *, uint64_t flow);
void		 b2b_policy_gauge(struct b2b *);
const char	*b2b_addr_str(const struct sockaddr *, char *, size_t);
int		 b2b_cac_admit(struct call *, const char *user);
void		 b2b_cac_release(struct call *);
const struct sbc_trunk *b2b_trunk_of_source(const struct sbc_config *,
		    const struct sockaddr *);

#endif
