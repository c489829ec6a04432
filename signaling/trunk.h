/*
 * trunk.h: trunk monitoring and registration (docs/trunks.md): per trunk
 * a state (up, down, registering, failed, unmonitored) with the reason of
 * the last error, outbound registration with digest (RFC 3261 10.2,
 * RFC 7616), OPTIONS health checks of every host, host failover of
 * browser calls, call counters, the `sbcctl show trunks` rows, the SNMP
 * trunk table snapshot and the trunk down/up notifications.
 *
 * The B2BUA calls in at a few marked places (b2b_pbx.c, b2bua.c,
 * b2b_ctl.c, sig_service.c); everything else is timers and NTA
 * transactions of its own.
 *
 * Owns: struct trunks (b->trunks): per trunk state, its NTA transactions
 * and timers, a reference to the configuration snapshot it follows.
 * Thread: "signaling" only.
 */
#ifndef SBC_SIGNALING_TRUNK_H
#define SBC_SIGNALING_TRUNK_H

#include <sofia-sip/sip.h>

struct b2b;
struct call;
struct json_object;

/* Start monitoring and registering the configured trunks (sig_setup). */
int	trunks_init(struct b2b *);

/*
 * Stop: unregister every registered trunk (Expires: 0), waiting at most
 * about 1 s for the answers, then free it all (sig_teardown, before
 * b2b_destroy).  The trunk_* hooks are no-ops afterwards.
 */
void	trunks_stop(struct b2b *);

/*
 * pbx_invite(): the index in c->trunk->hosts of the host the call's
 * INVITE goes to (the first one not marked down).  -1 when none is usable
 * (the trunk is down): the browser has then been answered 503 with
 * Retry-After and c->b_done is set.  Counts the call, but not again when
 * trunk_call_failed() retries it on another host.
 */
int	trunk_call_host(struct call *c);
/* A new call's route toward t: its outbound_proxy as a URL string in h,
 * or NULL (none: straight to the Request-URI's host). */
url_string_t *trunk_proxy(su_home_t *h, const struct sbc_trunk *t);

/*
 * invite_cb(): a final failure (>= 300) of the call's INVITE.  A 503 or
 * 408 (the host failed or did not answer) before any provisional but 100
 * goes to the trunk's next usable host: 0, the call goes on with a new
 * PBX leg.  1: no host is left: the browser got 503 with Retry-After.
 * -1: not ours: relay the failure as usual.  A failure that is not
 * retried counts as a failed call of the trunk.
 */
int	trunk_call_failed(struct call *c, const sip_t *resp);

/* pbx_call_in(): a call from the trunk toward a browser (counted). */
void	trunk_call_in(struct call *c);

/*
 * b2bua.c, an INVITE from a PBX: when the Request-URI user is the Contact
 * user we register for a trunk ("trunk-NAME"), the user the call is for
 * is the To user (the provider calls our registered Contact); else user.
 */
const char *trunk_inbound_user(struct b2b *, const sip_t *, const char *user);

/* b2b_ctl.c: `show trunks` rows, and `trunk register|unregister NAME`. */
int	trunk_ctl_show(struct b2b *, struct json_object **out);
int	trunk_ctl_register(struct b2b *, const char *verb, const char *name,
	    struct json_object **out, char *err, size_t errlen);

#endif
