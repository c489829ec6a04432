/*
 * b2b_register.c: browser registrations.  A REGISTER from a flow for a
 * domain whose registrar is `local` is authenticated with digest (RFC
 * 7616: SHA-256 and MD5 challenges, stateless HMAC nonces) against the
 * users of the configuration, then applied to the bindings store
 * (registrar.c): refresh, unregister, several devices per user (RFC 5626
 * +sip.instance/reg-id), bindings dropped when their WebSocket closes.
 * Relay-mode domains go to b2b_relayreg.c (REGISTER relayed to the
 * domain's trunk; the bindings are kept here too).
 *
 * Owns: the registrar and the digest context (in struct b2b).
 * Thread: "signaling".
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_string.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "sbc/stats.h"
#include "signaling/b2b_int.h"
#include "signaling/digest.h"
#include "signaling/registrar.h"
#include "signaling/sipmsg.h"

#define REG_NONCE_LIFETIME	300

/* The registrations gauge of struct sbc_stats: after every change. */
void
b2b_reg_gauge(struct b2b *b)
{
	size_t	aors, bindings;

	reg_counts(&b->reg, &aors, &bindings);
	SBC_STAT_SET(&b->svc->ctx->stats->registrations, bindings);
}

int
b2b_register_init(struct b2b *b)
{
	unsigned char		secret[DIGEST_SECRET_LEN];
	struct reg_limits	lim = { 60, 3600, 600 };

	if (RAND_bytes(secret, sizeof(secret)) != 1 ||
	    digest_ctx_init(&b->digest, secret, REG_NONCE_LIFETIME) == -1)
		return -1;
	b->digest.allow_no_qop = 0;	/* browsers always send qop=auth */
	memset(secret, 0, sizeof(secret));
	if (relayreg_init(b) == -1)
		return -1;
	return reg_init(&b->reg, &lim, relayreg_drop, b);
}

void
b2b_register_free(struct b2b *b)
{
	reg_free(&b->reg);
	relayreg_free(b);
	digest_ctx_clear(&b->digest);
}

static const struct sbc_domain *
domain_of(const struct sbc_config *cfg, const char *host)
{
	size_t	i;

	for (i = 0; host != NULL && i < cfg->ndomains; i++)
		if (strcasecmp(cfg->domains[i].name, host) == 0)
			return &cfg->domains[i];
	return NULL;
}

static const struct sbc_user *
user_of(const struct sbc_config *cfg, const char *name, const char *domain)
{
	size_t	i;

	for (i = 0; i < cfg->nusers; i++)
		if (strcmp(cfg->users[i].name, name) == 0 &&
		    strcasecmp(cfg->users[i].domain, domain) == 0)
			return &cfg->users[i];
	return NULL;
}

/* 401 with a SHA-256 and an MD5 challenge (RFC 7616 §3.7). */
static int
challenge(struct b2b *b, uint64_t flow, const sip_t *req, const char *realm,
    int stale)
{
	char	sha[512], md5[512];
	time_t	now = time(NULL);
	msg_t	*m;

	if (digest_challenge(&b->digest, realm, DIGEST_SHA256, now, stale,
	    sha, sizeof(sha)) == -1 ||
	    digest_challenge(&b->digest, realm, DIGEST_MD5, now, stale,
	    md5, sizeof(md5)) == -1)
		return browser_reply(b, flow, req, 500, NULL, NULL);
	m = sipmsg_response(req, 401, "Unauthorized", "sbcreg",
	    SIPTAG_WWW_AUTHENTICATE_STR(sha), SIPTAG_WWW_AUTHENTICATE_STR(md5),
	    SIPTAG_SERVER_STR(b2b_cfg(b)->signaling.user_agent), TAG_END());
	return m != NULL ? browser_send_flow(b, flow, m) : -1;
}

/* Sofia splits Authorization into params; digest_parse wants the text. */
static int
auth_text(const sip_authorization_t *au, char *out, size_t len)
{
	size_t	i, used;
	int	n;

	n = snprintf(out, len, "%s", au->au_scheme ? au->au_scheme : "");
	for (i = 0; n >= 0 && (size_t)n < len && au->au_params &&
	    au->au_params[i]; i++) {
		used = (size_t)n;
		n = snprintf(out + used, len - used, "%s%s", i ? ", " : " ",
		    au->au_params[i]);
		n = n < 0 ? -1 : (int)(used + (size_t)n);
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

enum auth_result { AUTH_OK, AUTH_CHALLENGE, AUTH_STALE, AUTH_FAILED };

static enum auth_result
authenticate(struct b2b *b, const sip_t *req, const char *domain,
    const char *aor_user)
{
	const sip_authorization_t	*au;
	const struct sbc_user		*u;
	struct digest_creds		 cr;
	char				 text[DIGEST_MAX_HEADER];
	int				 rc;

	for (au = req->sip_authorization; au != NULL; au = au->au_next) {
		if (auth_text(au, text, sizeof(text)) == -1 ||
		    digest_parse(text, strlen(text), &cr) == -1)
			return AUTH_FAILED;
		if (strcasecmp(cr.realm, domain) == 0)
			break;
	}
	if (au == NULL)
		return AUTH_CHALLENGE;
	if (strcmp(cr.username, aor_user) != 0 ||
	    (u = user_of(b2b_cfg(b), cr.username, domain)) == NULL)
		return AUTH_FAILED;
	rc = digest_verify(&b->digest, &cr, "REGISTER", u->password,
	    time(NULL));
	return rc == DIGEST_OK ? AUTH_OK : rc == DIGEST_STALE ? AUTH_STALE :
	    AUTH_FAILED;
}

static uint32_t
param_u32(msg_param_t const *params, const char *name)
{
	const char	*v = msg_params_find(params, name);

	return v != NULL ? (uint32_t)strtoul(v, NULL, 10) : 0;
}

static size_t
collect_contacts(su_home_t *h, const sip_t *req, struct reg_contact *out,
    size_t max)
{
	const sip_contact_t	*m;
	size_t			 n = 0;

	for (m = req->sip_contact; m != NULL && n < max; m = m->m_next) {
		if (m->m_url->url_type == url_any)
			continue;	/* "*": the wildcard flag */
		out[n].uri = url_as_string(h, m->m_url);
		out[n].instance = msg_params_find(m->m_params,
		    "+sip.instance=");
		out[n].reg_id = param_u32(m->m_params, "reg-id=");
		out[n].expires = m->m_expires ? strtol(m->m_expires, NULL, 10) :
		    -1;
		out[n].opaque = NULL;
		if (out[n].uri != NULL)
			n++;
	}
	return n;
}

static int
is_wildcard(const sip_t *req)
{
	return req->sip_contact != NULL &&
	    req->sip_contact->m_url->url_type == url_any;
}

/* One binding as a Contact value, with its RFC 5626 parameters. */
static char *
binding_str(su_home_t *h, const struct reg_binding *v, time_t now)
{
	char	rid[24] = "";

	if (v->reg_id != 0)
		snprintf(rid, sizeof(rid), ";reg-id=%u", v->reg_id);
	return su_sprintf(h, "<%s>;expires=%ld%s%s%s", v->contact,
	    (long)(v->expires - now), v->instance ? ";+sip.instance=" : "",
	    v->instance ? v->instance : "", rid);
}

/* A Contact with reg-id and +sip.instance, and Supported: outbound. */
int
b2b_uses_outbound(const sip_t *req)
{
	const sip_contact_t	*m;

	if (!sip_has_feature(req->sip_supported, "outbound"))
		return 0;
	for (m = req->sip_contact; m != NULL; m = m->m_next)
		if (msg_params_find(m->m_params, "reg-id=") != NULL &&
		    msg_params_find(m->m_params, "+sip.instance=") != NULL)
			return 1;
	return 0;
}

/* The 200: every live binding of the AOR with its remaining time. */
static int
reply_bindings(struct b2b *b, uint64_t flow, const sip_t *req,
    const char *aor)
{
	const struct reg_binding	*v[REG_MAX_CONTACTS];
	msg_t				*m;
	sip_t				*sip;
	time_t				 now = time(NULL);
	size_t				 i, n;

	m = sipmsg_response(req, 200, "OK", "sbcreg",
	    SIPTAG_SERVER_STR(b2b_cfg(b)->signaling.user_agent), TAG_END());
	if (m == NULL)
		return -1;
	sip = sip_object(m);
	n = reg_lookup(&b->reg, aor, now, v, REG_MAX_CONTACTS);
	for (i = 0; i < n && i < REG_MAX_CONTACTS; i++)
		sip_add_make(m, sip, sip_contact_class, binding_str(msg_home(m),
		    v[i], now));
	/* RFC 5626 §6: the registrar took this flow as an outbound flow */
	if (b2b_uses_outbound(req))
		sip_add_make(m, sip, sip_require_class, "outbound");
	return browser_send_flow(b, flow, m);
}

static int
brief(struct b2b *b, uint64_t flow, const sip_t *req)
{
	char	min[16];
	msg_t	*m;

	snprintf(min, sizeof(min), "%u", b->reg.lim.min_expires);
	m = sipmsg_response(req, 423, "Interval Too Brief", "sbcreg",
	    SIPTAG_MIN_EXPIRES_STR(min),
	    SIPTAG_SERVER_STR(b2b_cfg(b)->signaling.user_agent), TAG_END());
	return m != NULL ? browser_send_flow(b, flow, m) : -1;
}

static int
apply(struct b2b *b, uint64_t flow, const sip_t *req, const char *aor,
    const struct sbc_domain *d, su_home_t *h)
{
	const struct sbc_user	*u = user_of(b2b_cfg(b),
				    req->sip_to->a_url->url_user, d->name);
	struct reg_contact	 cs[REG_MAX_CONTACTS];
	struct reg_request	 r;
	int			 rc;

	memset(&r, 0, sizeof(r));
	r.aor = aor;
	r.call_id = req->sip_call_id->i_id;
	r.cseq = req->sip_cseq->cs_seq;
	r.flow = flow;
	r.expires = req->sip_expires ? (long)req->sip_expires->ex_delta : -1;
	r.wildcard = is_wildcard(req);
	r.contacts = cs;
	r.ncontacts = collect_contacts(h, req, cs, REG_MAX_CONTACTS);
	r.max_bindings = u ? (unsigned)u->max_registrations : 1;
	r.now = time(NULL);
	rc = reg_apply(&b->reg, &r);
	b2b_reg_gauge(b);
	switch (rc) {
	case REG_OK:
		return reply_bindings(b, flow, req, aor);
	case REG_ERR_BRIEF:
		return brief(b, flow, req);
	case REG_ERR_FULL:
		return browser_reply(b, flow, req, 403, "Too many devices",
		    "sbcreg");
	case REG_ERR_INVALID:
	case REG_ERR_ORDER:
		return browser_reply(b, flow, req, 400, NULL, "sbcreg");
	default:
		return browser_reply(b, flow, req, 500, NULL, "sbcreg");
	}
}

/*
 * May this browser flow place a call as its From?  A user of a configured
 * domain only when registered on this very flow (so nobody calls as
 * somebody else); others when policy.anonymous_calls.  NULL: yes, else
 * why not.
 */
const char *
b2b_caller_refused(struct b2b *b, uint64_t flow, const sip_t *sip)
{
	const struct sbc_config		*cfg = b2b_cfg(b);
	const url_t			*u = sip->sip_from->a_url;
	const struct sbc_domain		*d = domain_of(cfg, u->url_host);
	const struct reg_binding	*v[16];
	char				 aor[REG_MAX_AOR];
	size_t				 i, n;

	if (d == NULL)
		return cfg->policy.anonymous_calls ? NULL :
		    "not of a configured domain (policy.anonymous_calls off)";
	if (u->url_user != NULL && snprintf(aor, sizeof(aor), "%s@%s",
	    u->url_user, d->name) < (int)sizeof(aor)) {
		n = reg_lookup(&b->reg, aor, time(NULL), v, 16);
		for (i = 0; i < n && i < 16; i++)
			if (v[i]->flow == flow)
				return NULL;
	}
	return "not registered on this connection";
}

/* REGISTER from a browser flow. */
int
b2b_register(struct b2b *b, uint64_t flow, const sip_t *req)
{
	const struct sbc_domain	*d;
	const char		*user = req->sip_to->a_url->url_user;
	su_home_t		 h[1];
	char			*aor;
	char			 addr[INET6_ADDRSTRLEN];
	int			 rc;

	d = domain_of(b2b_cfg(b), req->sip_request->rq_url->url_host);
	if (d == NULL || user == NULL ||
	    strcasecmp(req->sip_to->a_url->url_host, d->name) != 0)
		return browser_reply(b, flow, req, 403, "Unknown domain", NULL);
	if (d->registrar != SBC_REG_LOCAL)
		return relayreg_register(b, flow, req, d);
	switch (authenticate(b, req, d->name, user)) {
	case AUTH_CHALLENGE:
		return challenge(b, flow, req, d->name, 0);
	case AUTH_STALE:
		return challenge(b, flow, req, d->name, 1);
	case AUTH_FAILED:
		log_notice(b2b_log(b), "flow %llu from %s: REGISTER %s@%s: "
		    "authentication failed", (unsigned long long)flow,
		    b2b_addr_str(flow_peer(b, flow), addr, sizeof(addr)), user,
		    d->name);
		b->auth_failures++;
		rc = challenge(b, flow, req, d->name, 0);
		b2b_policy_flow_event(b, flow, PE_AUTH_FAIL);	/* after */
		return rc;
	case AUTH_OK:
		break;
	}
	su_home_init(h);
	aor = su_sprintf(h, "%s@%s", user, d->name);
	rc = aor ? apply(b, flow, req, aor, d, h) : -1;
	su_home_deinit(h);
	return rc;
}
