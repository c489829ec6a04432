/*
 * trunk_int.h: internals of trunk monitoring shared by trunk.c (state,
 * OPTIONS health, call hooks, snapshots), trunk_reg.c (registration),
 * trunk_ctl.c (sbcctl) and the pure rules of trunk_fsm.c (unit-tested).
 *
 * State machine of a trunk (tk_state()):
 *   every host marked down by OPTIONS          → down
 *   else by registration (tk->reg):
 *     off (register = false)                   → up, or unmonitored when
 *                                                options_interval is 0
 *     wait / first REGISTER in flight          → registering
 *     registered                               → up
 *     failed (retrying with backoff)           → up while the previous
 *                                                binding lasts, else failed
 *     unregistered by sbcctl                   → down
 *
 * Owns: see trunk.h.  Thread: "signaling" (trunk_fsm.c: pure).
 */
#ifndef SBC_SIGNALING_TRUNK_INT_H
#define SBC_SIGNALING_TRUNK_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/su_wait.h>

#include "signaling/digest_client.h"

struct b2b;
struct sbc_config;
struct sbc_trunk;
struct snmp_trunk_row;

/* Trunk states: the SBC-MIB sbcTrunkState values. */
enum tk_state {
	TK_UP = 1,
	TK_DOWN = 2,
	TK_REGISTERING = 3,
	TK_FAILED = 4,
	TK_UNMONITORED = 5,
};

/* Registration of a trunk. */
enum tk_reg {
	TKR_OFF,		/* register = false */
	TKR_WAIT,		/* start-up spread: not sent yet */
	TKR_SENDING,		/* first REGISTER (or sbcctl's) in flight */
	TKR_REGISTERED,		/* a 2xx; refreshes keep this state */
	TKR_FAILED,		/* the last attempt failed; retry pending */
	TKR_UNREGISTERED,	/* sbcctl trunk unregister */
	TKR_N
};

/* OPTIONS health of one host. */
enum tk_health {
	TKH_UNKNOWN,		/* no answer yet: usable */
	TKH_UP,
	TKH_DOWN,
};

#define TK_REASON_LEN		128
#define TK_REG_DEADLINE_MS	8000	/* a REGISTER's final answer */
#define TK_BACKOFF_MIN_S	5
#define TK_BACKOFF_MAX_S	300
#define TK_STOP_WAIT_MS		1000	/* unregistering at stop */
#define TK_RETRY_AFTER_S	30	/* browsers, when no host is left */

struct tk;

struct tk_host {
	struct tk		*tk;
	const char		*hostport;	/* in tks->cfg */
	enum tk_health		 health;
	int			 fails;		/* consecutive failures */
	nta_outgoing_t		*orq;		/* OPTIONS in flight */
	int			 sending;	/* inside nta_outgoing_mcreate */
	int			 status;	/* its final status; 0: none */
	char			 phrase[64];
	char			 why[TK_REASON_LEN];	/* last failure */
};

struct tk {
	struct trunks		*tks;
	const struct sbc_trunk	*t;		/* in tks->cfg */
	int			 state;		/* enum tk_state */
	int			 down_sent;	/* sbcTrunkDown, no Up since */
	char			 last_error[TK_REASON_LEN];
	struct tk_host		*hosts;
	size_t			 nhosts;
	su_timer_t		*opt_timer;
	uint64_t		 calls_total, calls_failed;

	/* registration (trunk_reg.c) */
	enum tk_reg		 reg;
	su_timer_t		*reg_timer;	/* next send, deadline, deferral */
	nta_outgoing_t		*reg_orq;
	msg_t			*reg_resp;	/* its final answer, deferred */
	int			 reg_status;	/* 0: none yet; -1: deadline */
	int			 reg_host;	/* where REGISTERs go now */
	char			 call_id[48];
	char			 from_tag[24];
	char			 contact_user[80];
	uint32_t		 cseq;
	unsigned		 asked;		/* expires of the one in flight */
	unsigned		 min_expires;	/* from a 423; 0: none */
	int			 challenges;	/* 401/407 in this attempt */
	int			 briefs;	/* 423 in this attempt */
	struct dc_session	 auth;		/* the challenge we answer */
	int			 auth_proxy;	/* it came in a 407 */
	int			 unreg;		/* the one in flight is expires 0 */
	unsigned		 failures;	/* in a row, for the backoff */
	time_t			 reg_until;	/* wall clock; 0: no binding */
	unsigned		 granted;	/* seconds, last 2xx */
};

struct trunks {
	struct b2b		*b;
	struct sbc_config	*cfg;		/* our reference */
	struct tk		**v;
	size_t			 n;
	su_timer_t		*tick;		/* 1 s: reload, expiry, publish */
	int			 force_host;	/* next trunk_call_host(); -1 */
	struct snmp_trunk_row	*rows;		/* last published */
	int			 nrows;
	int			 stopping;
	int			 pending;	/* unregisters at stop */
};

/* trunk_fsm.c: pure rules */
int		 tk_state(enum tk_reg, int monitored, size_t usable_hosts,
		    int binding_live);
const char	*tk_state_name(int state);
const char	*tk_reg_name(enum tk_reg);
int		 tk_options_alive(int status);
unsigned	 tk_backoff_ms(unsigned failures, uint32_t rnd);
unsigned	 tk_spread_ms(size_t nregistering, uint32_t rnd);
int		 tk_contact_user(const char *name, char *out, size_t len);
uint32_t	 tk_random(void);

/* trunk.c */
void		 tk_update(struct tk *, const char *why);
void		 tk_error(struct tk *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 tk_preferred_host(const struct tk *);
int		 tk_hop(su_home_t *, const struct sbc_trunk *, const char *hostport,
		    char **hop, char **host_only);
struct tk	*tk_find(struct trunks *, const char *name);
struct sbc_log	*tk_log(const struct tk *);
nta_agent_t	*tk_agent(const struct tk *);

/* trunk_reg.c */
void		 tk_reg_init(struct tk *, unsigned delay_ms);
void		 tk_reg_now(struct tk *);
void		 tk_reg_unregister(struct tk *);
void		 tk_reg_free(struct tk *);
int		 tk_reg_live(const struct tk *, time_t now);

#endif
