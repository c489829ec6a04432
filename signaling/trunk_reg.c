/*
 * trunk_reg.c: outbound registration of trunks (register = true): the SBC
 * registers in its own name, as username@domain, with a Contact on the
 * trunk's listener whose user part names the trunk (trunk-NAME), so the
 * provider's calls to that Contact are recognised (trunk_inbound_user()).
 *
 * One REGISTER transaction at a time per trunk (NTA, on the agent, not a
 * dialog leg), with a stable Call-ID and From tag and a growing CSeq
 * (RFC 3261 10.2.4).  Answers:
 *   2xx      registered for the granted expiry (our Contact's expires, else
 *            Expires, else what we asked); refreshed at half of it
 *   401/407  answered with digest (digest_client.c: MD5 or SHA-256,
 *            qop=auth) once; a second challenge only when stale=true
 *   423      asked again once with Min-Expires
 *   other, no answer within TK_REG_DEADLINE_MS
 *            failed: retried after 5 s doubling to 300 s, ±20 %, on the
 *            next host when there are several
 * Later REGISTERs carry credentials for the last challenge (nonce count
 * going up), so refreshes usually need no new challenge.  At stop (and by
 * `sbcctl trunk unregister`) the binding is removed with Expires: 0.
 * Passwords, H(A1) and responses are never logged.
 *
 * Responses are handled from a zero-delay timer, never inside NTA's
 * callback (nor inside our own nta_outgoing_mcreate(), should NTA answer
 * at once).
 *
 * Owns: per trunk its REGISTER transaction, retry/refresh timer, the
 * deferred response and the digest session.  Thread: "signaling".
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "signaling/trunk_int.h"

#define MAX_GRANTED	604800		/* a week: bounds a registrar's answer */
#define AUTHZ_MAX	(2 * DIGEST_MAX_HEADER)

static void	reg_answered(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);
static void	reg_deadline(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);
static void	reg_retry(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);
static void	reg_fail(struct tk *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ the request */

/* Our Contact: the listener of the trunk's transport, the trunk's user. */
static char *
reg_contact(su_home_t *h, const struct tk *tk)
{
	const struct sbc_config		*cfg = tk->tks->cfg;
	const struct sbc_listener	*l;
	const char			*host;
	int				 udp = tk->t->transport == SBC_TP_UDP;
	size_t				 i;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->transport != tk->t->transport)
			continue;
		host = *l->advertised ? l->advertised : l->address;
		return su_sprintf(h, "<sip:%s@%s%s%s:%d%s%s>", tk->contact_user,
		    strchr(host, ':') ? "[" : "", host,
		    strchr(host, ':') ? "]" : "", l->port,
		    udp ? "" : ";transport=",
		    udp ? "" : sbc_transport_name(tk->t->transport));
	}
	return NULL;
}

/* Authorization (or Proxy-Authorization) for the last challenge. */
static int
add_credentials(struct tk *tk, msg_t *m, const char *ruri)
{
	char	*v;
	int	 rc = 0;

	if (!tk->auth.valid)
		return 0;
	if ((v = malloc(AUTHZ_MAX)) == NULL)
		return -1;
	if (dc_authorize(&tk->auth, "REGISTER", ruri, tk->t->username,
	    tk->t->password, NULL, v, AUTHZ_MAX) == -1 ||
	    sip_add_make(m, sip_object(m), tk->auth_proxy ?
	    sip_proxy_authorization_class : sip_authorization_class, v) < 0)
		rc = -1;
	OPENSSL_cleanse(v, AUTHZ_MAX);
	free(v);
	return rc;
}

/* Where it goes (hop), and the REGISTER itself. */
static msg_t *
reg_msg(struct tk *tk, unsigned expires, char **hop)
{
	const struct sbc_trunk	*t = tk->t;
	msg_t			*m = nta_msg_create(tk_agent(tk), 0);
	su_home_t		*h;
	char			*host, *ruri, *contact, *ph;

	if (m == NULL)
		return NULL;
	h = msg_home(m);
	if (tk_hop(h, t, tk->hosts[tk->reg_host].hostport, hop, &host) == -1 ||
	    (*t->outbound_proxy && tk_hop(h, t, t->outbound_proxy, hop,
	    &ph) == -1) || (contact = reg_contact(h, tk)) == NULL)
		goto fail;
	ruri = *t->domain ? su_sprintf(h, "sip:%s", t->domain) :
	    su_sprintf(h, "sip:%s", tk->hosts[tk->reg_host].hostport);
	if (sip_add_tl(m, sip_object(m), SIPTAG_REQUEST(sip_request_create(h,
	    SIP_METHOD_REGISTER, URL_STRING_MAKE(ruri), NULL)),
	    SIPTAG_FROM(sip_from_format(h, "<sip:%s@%s>;tag=%s", t->username,
	    *t->domain ? t->domain : *t->realm ? t->realm : host,
	    tk->from_tag)),
	    SIPTAG_TO(sip_to_format(h, "<sip:%s@%s>", t->username,
	    *t->domain ? t->domain : *t->realm ? t->realm : host)),
	    SIPTAG_CALL_ID_STR(tk->call_id),
	    SIPTAG_CSEQ(sip_cseq_create(h, ++tk->cseq, SIP_METHOD_REGISTER)),
	    SIPTAG_MAX_FORWARDS_STR("70"), SIPTAG_CONTACT_STR(contact),
	    SIPTAG_EXPIRES_STR(su_sprintf(h, "%u", expires)),
	    SIPTAG_USER_AGENT_STR(tk->tks->cfg->signaling.user_agent),
	    TAG_END()) < 0 || add_credentials(tk, m, ruri) == -1)
		goto fail;
	return m;
fail:
	msg_destroy(m);
	return NULL;
}

static int
reg_cb(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct tk	*tk = (struct tk *)magic;
	int		 st = nta_outgoing_status(orq);

	if (st < 200 || tk->reg_status != 0)
		return 0;
	tk->reg_status = st;
	tk->reg_resp = sip != NULL ? nta_outgoing_getresponse(orq) : NULL;
	su_timer_set_interval(tk->reg_timer, reg_answered, (su_timer_arg_t *)tk,
	    0);
	return 0;
}

/* Send a REGISTER asking for expires (0: unregister); -1 when it could
 * not be sent (the caller decides). */
static int
reg_send(struct tk *tk, unsigned expires)
{
	msg_t	*m;
	char	*hop;

	if ((m = reg_msg(tk, expires, &hop)) == NULL)
		return -1;
	tk->asked = expires;
	tk->unreg = expires == 0;
	tk->reg_status = 0;
	su_timer_set_interval(tk->reg_timer, reg_deadline, (su_timer_arg_t *)tk,
	    TK_REG_DEADLINE_MS);
	tk->reg_orq = nta_outgoing_mcreate(tk_agent(tk), reg_cb,
	    (nta_outgoing_magic_t *)tk, URL_STRING_MAKE(hop), m, TAG_END());
	if (tk->reg_orq == NULL) {
		msg_destroy(m);
		su_timer_reset(tk->reg_timer);
		return -1;
	}
	return 0;
}

/* The expiry to ask for: ours, or a registrar's Min-Expires. */
static unsigned
wanted(const struct tk *tk)
{
	unsigned	e = (unsigned)tk->t->expires;

	return tk->min_expires > e ? tk->min_expires : e;
}

/* A new attempt (first, refresh or retry). */
static void
reg_attempt(struct tk *tk)
{
	int	host = tk_preferred_host(tk);

	tk->challenges = 0;
	tk->briefs = 0;
	if (tk->failures == 0 && host >= 0)
		tk->reg_host = host;
	if (reg_send(tk, wanted(tk)) == -1)
		reg_fail(tk, "cannot send REGISTER to %s (no %s listener?)",
		    tk->hosts[tk->reg_host].hostport,
		    sbc_transport_name(tk->t->transport));
}

/* ------------------------------------------------------------ outcomes */

static void
reg_fail(struct tk *tk, const char *fmt, ...)
{
	unsigned	delay = tk_backoff_ms(tk->failures++, tk_random());
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(tk->last_error, sizeof(tk->last_error), fmt, ap);
	va_end(ap);
	if (tk->reg != TKR_UNREGISTERED)
		tk->reg = TKR_FAILED;
	if (tk->nhosts > 1)
		tk->reg_host = (tk->reg_host + 1) % (int)tk->nhosts;
	log_warn(tk_log(tk), "trunk '%s': registration failed: %s; retry in "
	    "%u.%03u s", tk->t->name, tk->last_error, delay / 1000,
	    delay % 1000);
	su_timer_set_interval(tk->reg_timer, reg_retry, (su_timer_arg_t *)tk,
	    delay);
	tk_update(tk, tk->last_error);
}

/* The expiry the registrar granted our Contact. */
static unsigned
granted_of(const struct tk *tk, const sip_t *sip)
{
	const sip_contact_t	*m;
	unsigned long		 v = tk->asked;

	for (m = sip->sip_contact; m != NULL; m = m->m_next) {
		if (m->m_url->url_user == NULL || m->m_expires == NULL ||
		    strcmp(m->m_url->url_user, tk->contact_user) != 0)
			continue;
		v = strtoul(m->m_expires, NULL, 10);
		return v > MAX_GRANTED ? MAX_GRANTED : (unsigned)v;
	}
	if (sip->sip_expires != NULL)
		v = sip->sip_expires->ex_delta;
	return v > MAX_GRANTED ? MAX_GRANTED : (unsigned)v;
}

static void
reg_ok(struct tk *tk, int st, const sip_t *sip)
{
	unsigned	granted = granted_of(tk, sip);

	if (granted == 0) {
		reg_fail(tk, "REGISTER to %s: %d without an expiry for our "
		    "Contact", tk->hosts[tk->reg_host].hostport, st);
		return;
	}
	tk->granted = granted;
	tk->reg_until = time(NULL) + granted;
	tk->failures = 0;
	tk->reg = TKR_REGISTERED;
	log_info(tk_log(tk), "trunk '%s': registered at %s for %u s (refresh "
	    "in %u.%03u s)", tk->t->name, tk->hosts[tk->reg_host].hostport,
	    granted, granted / 2, granted % 2 * 500);
	su_timer_set_interval(tk->reg_timer, reg_retry, (su_timer_arg_t *)tk,
	    (su_duration_t)granted * 500);
	tk_update(tk, NULL);
}

/* WWW-/Proxy-Authenticate values: scheme and parameters, as sent; *len
 * beyond DIGEST_MAX_HEADER when too long (dc_parse refuses those). */
static char *
challenge_text(su_home_t *h, const msg_auth_t *au, size_t *len)
{
	size_t	i, n = strlen(au->au_scheme ? au->au_scheme : "");
	char	*s;

	for (i = 0; au->au_params != NULL && au->au_params[i] != NULL; i++)
		n += strlen(au->au_params[i]) + 2;
	*len = n;
	if (n > DIGEST_MAX_HEADER)
		return su_strdup(h, "");
	s = su_sprintf(h, "%s ", au->au_scheme ? au->au_scheme : "");
	for (i = 0; s != NULL && au->au_params != NULL &&
	    au->au_params[i] != NULL; i++)
		s = su_sprintf(h, "%s%s%s", s, i ? ", " : "", au->au_params[i]);
	if (s != NULL)
		*len = strlen(s);
	return s;
}

/* The best challenge of the response; a dc_status. */
static int
challenge_of(const msg_auth_t *au, struct dc_challenge *ch)
{
	const char	*v[8];
	size_t		 len[8], n;
	su_home_t	 h[1];
	int		 rc;

	su_home_init(h);
	for (n = 0; au != NULL && n < 8; au = au->au_next, n++)
		if ((v[n] = challenge_text(h, au, &len[n])) == NULL)
			break;
	rc = dc_choose(v, len, n, ch);
	su_home_deinit(h);
	return rc;
}

static void
reg_challenge(struct tk *tk, int st, const sip_t *sip)
{
	const char		*where = tk->hosts[tk->reg_host].hostport;
	struct dc_challenge	 ch;
	int			 rc;

	rc = challenge_of(st == 407 ? sip->sip_proxy_authenticate :
	    sip->sip_www_authenticate, &ch);
	if (rc != DC_OK) {
		reg_fail(tk, "REGISTER to %s: %d with a challenge we cannot "
		    "answer: %s", where, st, dc_strerror(rc));
		return;
	}
	if (*tk->t->realm && strcmp(ch.realm, tk->t->realm) != 0) {
		reg_fail(tk, "REGISTER to %s: challenge for realm \"%.40s\", "
		    "not the configured one", where, ch.realm);
		return;
	}
	if (++tk->challenges > 1 && !ch.stale) {
		reg_fail(tk, "REGISTER to %s: %d again: credentials rejected",
		    where, st);
		return;
	}
	if (tk->challenges > 2) {
		reg_fail(tk, "REGISTER to %s: %d: too many challenges", where, st);
		return;
	}
	dc_session_start(&tk->auth, &ch);
	tk->auth_proxy = st == 407;
	log_info(tk_log(tk), "trunk '%s': %d: answering the %s challenge of "
	    "realm \"%.40s\"", tk->t->name, st,
	    ch.algo == DIGEST_SHA256 ? "SHA-256" : "MD5", ch.realm);
	if (reg_send(tk, tk->asked) == -1)
		reg_fail(tk, "cannot send REGISTER to %s", where);
}

static void
reg_brief(struct tk *tk, int st, const sip_t *sip)
{
	unsigned	min = sip->sip_min_expires ?
			    sip->sip_min_expires->me_delta : 0;

	if (++tk->briefs > 1 || min <= tk->asked || min > MAX_GRANTED) {
		reg_fail(tk, "REGISTER to %s: 423 Interval Too Brief "
		    "(Min-Expires %u)", tk->hosts[tk->reg_host].hostport, min);
		return;
	}
	tk->min_expires = min;
	log_info(tk_log(tk), "trunk '%s': 423: asking again for %u s",
	    tk->t->name, min);
	if (reg_send(tk, min) == -1)
		reg_fail(tk, "cannot send REGISTER to %s",
		    tk->hosts[tk->reg_host].hostport);
}

static void
reg_refused(struct tk *tk, int st, const sip_t *sip)
{
	reg_fail(tk, "REGISTER to %s: %d %s", tk->hosts[tk->reg_host].hostport,
	    st, sip && sip->sip_status ? sip->sip_status->st_phrase :
	    st == 408 ? "Request Timeout" : "");
}

/* By status, first match. */
static const struct {
	int	lo, hi;
	void	(*fn)(struct tk *, int, const sip_t *);
} outcomes[] = {
	{ 200, 299, reg_ok },
	{ 401, 401, reg_challenge },
	{ 407, 407, reg_challenge },
	{ 423, 423, reg_brief },
	{ 0, 999, reg_refused },
};

/* ------------------------------------------------------------ unregister */

/* An unregister is over (answered, or given up). */
static void
unreg_done(struct tk *tk, int st)
{
	if (st >= 200 && st < 300)
		log_notice(tk_log(tk), "trunk '%s': unregistered", tk->t->name);
	else
		log_notice(tk_log(tk), "trunk '%s': unregister: %s", tk->t->name,
		    st ? sip_status_phrase(st) ? sip_status_phrase(st) :
		    "refused" : "no answer");
	tk->reg_until = 0;
	tk->unreg = 0;
	if (tk->tks->stopping && tk->tks->pending > 0)
		tk->tks->pending--;
	else
		tk_update(tk, "unregistered by sbcctl");
}

static void
unreg_answered(struct tk *tk, int st, const sip_t *sip)
{
	struct dc_challenge	ch;

	if ((st == 401 || st == 407) && sip != NULL && tk->challenges++ == 0 &&
	    challenge_of(st == 407 ? sip->sip_proxy_authenticate :
	    sip->sip_www_authenticate, &ch) == DC_OK) {
		dc_session_start(&tk->auth, &ch);
		tk->auth_proxy = st == 407;
		if (reg_send(tk, 0) == 0)
			return;
	}
	unreg_done(tk, st);
}

/* ------------------------------------------------------------ timers */

static void
reg_answered(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct tk	*tk = (struct tk *)arg;
	msg_t		*resp = tk->reg_resp;
	const sip_t	*sip = resp != NULL ? sip_object(resp) : NULL;
	int		 st = tk->reg_status;
	size_t		 i;

	tk->reg_resp = NULL;
	nta_outgoing_destroy(tk->reg_orq);
	tk->reg_orq = NULL;
	if (tk->unreg)
		unreg_answered(tk, st, sip);
	else if (sip == NULL)
		reg_refused(tk, st, NULL);
	else
		for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
			if (st >= outcomes[i].lo && st <= outcomes[i].hi) {
				outcomes[i].fn(tk, st, sip);
				break;
			}
	if (resp != NULL)
		msg_destroy(resp);
}

static void
reg_deadline(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct tk	*tk = (struct tk *)arg;

	nta_outgoing_destroy(tk->reg_orq);	/* no callback any more */
	tk->reg_orq = NULL;
	if (tk->unreg)
		unreg_done(tk, 0);
	else
		reg_fail(tk, "REGISTER to %s: no answer within %d s",
		    tk->hosts[tk->reg_host].hostport, TK_REG_DEADLINE_MS / 1000);
}

/* Start-up, refresh, retry: a new attempt. */
static void
reg_retry(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct tk	*tk = (struct tk *)arg;

	if (tk->reg == TKR_WAIT)
		tk->reg = TKR_SENDING;
	reg_attempt(tk);
	tk_update(tk, NULL);
}

/* ------------------------------------------------------------ entry points */

void
tk_reg_init(struct tk *tk, unsigned delay_ms)
{
	tk_contact_user(tk->t->name, tk->contact_user,
	    sizeof(tk->contact_user));
	snprintf(tk->call_id, sizeof(tk->call_id), "sbct-%08x%08x%08x",
	    tk_random(), tk_random(), tk_random());
	snprintf(tk->from_tag, sizeof(tk->from_tag), "%08x%08x", tk_random(),
	    tk_random());
	tk->cseq = tk_random() % 10000;
	tk->reg = TKR_WAIT;
	su_timer_set_interval(tk->reg_timer, reg_retry, (su_timer_arg_t *)tk,
	    delay_ms);
}

/* Whatever is in flight is dropped (no callback afterwards). */
static void
reg_cancel(struct tk *tk)
{
	su_timer_reset(tk->reg_timer);
	nta_outgoing_destroy(tk->reg_orq);
	tk->reg_orq = NULL;
	if (tk->reg_resp != NULL)
		msg_destroy(tk->reg_resp);
	tk->reg_resp = NULL;
	tk->reg_status = 0;
	tk->unreg = 0;
}

/* sbcctl trunk register: a new attempt now. */
void
tk_reg_now(struct tk *tk)
{
	reg_cancel(tk);
	tk->failures = 0;
	if (tk->reg != TKR_REGISTERED)
		tk->reg = TKR_SENDING;
	reg_attempt(tk);
	tk_update(tk, NULL);
}

/* sbcctl trunk unregister, and stop: Expires 0 when a binding is held;
 * no more REGISTERs until tk_reg_now(). */
void
tk_reg_unregister(struct tk *tk)
{
	int	live = tk_reg_live(tk, time(NULL));

	if (!tk->t->reg)
		return;
	reg_cancel(tk);
	tk->reg = TKR_UNREGISTERED;
	tk->challenges = 0;
	if (live && reg_send(tk, 0) == 0) {
		if (tk->tks->stopping)
			tk->tks->pending++;
		return;
	}
	tk->reg_until = 0;
	if (!tk->tks->stopping)
		tk_update(tk, "unregistered by sbcctl");
}

/* Freed (stop, or gone from the configuration): a binding still held is
 * removed, best effort, without waiting for the answer. */
void
tk_reg_free(struct tk *tk)
{
	nta_outgoing_t	*orq;

	if (tk->t->reg && !tk->tks->stopping && tk_reg_live(tk, time(NULL))) {
		reg_cancel(tk);
		if (reg_send(tk, 0) == 0) {
			orq = tk->reg_orq;
			tk->reg_orq = NULL;
			nta_outgoing_bind(orq, NULL, NULL);
			nta_outgoing_destroy(orq);	/* NTA finishes it */
		}
	}
	reg_cancel(tk);
	if (tk->reg_timer != NULL)
		su_timer_destroy(tk->reg_timer);
	tk->reg_timer = NULL;
	dc_session_clear(&tk->auth);
}

int
tk_reg_live(const struct tk *tk, time_t now)
{
	return tk->reg_until > now;
}
