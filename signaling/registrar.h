/*
 * registrar.h: the location service of the local registrar: bindings of
 * an address of record (user@domain) to the Contact URIs of the devices
 * that registered it, each on the WebSocket flow it came on.
 *
 * One REGISTER is applied whole or not at all (RFC 3261 section 10.3):
 * its contacts add, refresh (same Contact URI, or the same +sip.instance
 * and reg-id, RFC 5626 section 6, even on another flow) or remove
 * (expires 0) bindings; "Contact: *" with "Expires: 0" removes them all.
 * A binding refreshed with the same Call-ID needs a higher CSeq.  The
 * number of bindings of an AOR is capped per request (the user's
 * max_registrations).  Bindings end when they expire (reg_expire()), when
 * their flow closes (reg_remove_flow()), or by REGISTER.
 *
 * AORs are compared exactly, except the domain (after the last '@'),
 * which is compared without case; Contact URIs are compared as strings.
 * Lookup by AOR hashes it (FNV-1a 64 into an idmap, string compare on
 * collision); flows have their own index, expiry a min-heap: no request
 * scans more than the bindings of one AOR.
 *
 * Owns: every AOR and binding and their strings, not the opaque pointers
 * (handed back through the drop callback).  Pure: no I/O, no clock (time
 * is passed in), no logging.
 * Thread: pure; the "signaling" thread and tests.
 */
#ifndef SBC_SIGNALING_REGISTRAR_H
#define SBC_SIGNALING_REGISTRAR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sbc/idmap.h"

#define REG_MAX_AOR		256	/* bytes, with NUL */
#define REG_MAX_URI		1024
#define REG_MAX_INSTANCE	256
#define REG_MAX_CALL_ID		256
#define REG_MAX_CONTACTS	16	/* Contact values in one REGISTER */

enum reg_status {
	REG_OK = 0,
	REG_ERR = -1,		/* out of memory (500); may be partly applied */
	REG_ERR_INVALID = -2,	/* malformed request (400) */
	REG_ERR_ORDER = -3,	/* same Call-ID, CSeq not higher (400/500) */
	REG_ERR_FULL = -4,	/* over max_bindings (403 or 503) */
	REG_ERR_BRIEF = -5,	/* below min_expires (423, Min-Expires) */
};

/* Why the registrar lets go of a binding's opaque pointer. */
enum reg_drop {
	REG_DROP_UPDATED,	/* refreshed: takes the new contact's values */
	REG_DROP_REMOVED,	/* expires=0 or "*" */
	REG_DROP_EXPIRED,
	REG_DROP_FLOW,		/* its flow closed */
	REG_DROP_FREED,		/* reg_free() */
};

struct reg_aor;

struct reg_binding {
	struct reg_binding	*next;		/* same AOR */
	const char		*aor;		/* normalized AOR */
	char			*contact;	/* Contact URI */
	uint64_t		 flow;		/* 0: none */
	time_t			 expires;	/* absolute */
	char			*instance;	/* +sip.instance; NULL: none */
	uint32_t		 reg_id;	/* 0: none */
	char			*call_id;	/* of the last REGISTER */
	uint32_t		 cseq;
	void			*opaque;	/* the caller's */

	/* private */
	struct reg_aor		*owner;
	struct reg_binding	*fnext, *fprev;	/* same flow */
	size_t			 heap;		/* index in the expiry heap */
};

/* One Contact of a REGISTER. */
struct reg_contact {
	const char	*uri;
	const char	*instance;	/* NULL or "": none */
	uint32_t	 reg_id;	/* 0: none */
	long		 expires;	/* the expires parameter; -1: absent */
	void		*opaque;	/* stored in the binding */
};

struct reg_request {
	const char			*aor;		/* user@domain */
	const char			*call_id;
	uint32_t			 cseq;
	uint64_t			 flow;		/* 0: none */
	long				 expires;	/* header; -1: absent */
	int				 wildcard;	/* "Contact: *" */
	const struct reg_contact	*contacts;
	size_t				 ncontacts;	/* 0: a query */
	unsigned			 max_bindings;	/* 0: no cap */
	time_t				 now;
};

struct reg_limits {
	unsigned	min_expires;	/* 0: none; below: REG_ERR_BRIEF */
	unsigned	max_expires;	/* 0: none; above: shortened */
	unsigned	default_expires;	/* no expires param or header */
};

/*
 * Called before the registrar forgets b->opaque: b is freed right after,
 * or (REG_DROP_UPDATED) already shows the refreshed URI, Call-ID and
 * flow and takes the new opaque right after.  Must not call back into
 * the registrar.
 */
typedef void	reg_drop_fn(void *arg, const struct reg_binding *b,
		    enum reg_drop why);

struct registrar {
	struct idmap		  aors;		/* hash(AOR) → reg_aor chain */
	struct idmap		  flows;	/* flow id → first binding */
	struct reg_binding	**heap;		/* by expires */
	size_t			  nheap, capheap;
	size_t			  naors, nbindings;
	struct reg_limits	  lim;
	reg_drop_fn		 *drop;		/* may be NULL */
	void			 *arg;
};

int	reg_init(struct registrar *, const struct reg_limits *,
	    reg_drop_fn *, void *arg);
void	reg_free(struct registrar *);

/*
 * Apply one REGISTER (after authentication).  Expired bindings of the
 * AOR are dropped first.  A contact's lifetime: its expires parameter,
 * else the Expires header, else default_expires, shortened to
 * max_expires.  Returns REG_OK or a negative enum reg_status, with
 * nothing changed (except for REG_ERR).
 */
int	reg_apply(struct registrar *, const struct reg_request *);

/*
 * The live bindings (expires > now) of an AOR, most recent first, into
 * out[0..max); returns how many there are (may exceed max).  Pointers
 * stay valid until the next call that changes the registrar.
 */
size_t	reg_lookup(const struct registrar *, const char *aor, time_t now,
	    const struct reg_binding **out, size_t max);

/* Remove every binding of a flow; returns how many. */
size_t	reg_remove_flow(struct registrar *, uint64_t flow);

/* Remove every binding with expires <= now; returns how many. */
size_t	reg_expire(struct registrar *, time_t now);

/* The earliest expiry time: 0, or -1 when there is no binding. */
int	reg_next_expiry(const struct registrar *, time_t *when);

void	reg_counts(const struct registrar *, size_t *aors, size_t *bindings);

#endif
