/*
 * b2b_relayreg.c: the relay-mode registrar.  A REGISTER from a browser for
 * a domain whose registrar is `relay` is registered at the domain's trunk
 * by the SBC in its own name (a B2BUA, not a proxy): one PBX-side
 * registration per browser registration (per browser Call-ID), with our
 * own Call-ID, From tag and CSeq, stable across the browser's refreshes,
 * and our own Contact on the trunk's listener whose user part
 * (b-<16 hex digits>) is a random token naming the binding.
 *
 * Only the digest credentials cross: Authorization and Proxy-Authorization
 * toward the PBX; the status (with the standard phrase), WWW-/
 * Proxy-Authenticate and Min-Expires back.  Digest thus runs end to end
 * between the browser and the PBX; the Request-URI toward the PBX is the
 * browser's (sip:<host>[:port], no parameters), so that the digest `uri`
 * the browser signed is our Request-URI; To/From carry the user at the
 * trunk's domain.  The browser's Via, Contact, Call-ID, tags and
 * User-Agent stay on the browser side.
 *
 * On the PBX's 2xx the binding goes to the local registrar (b->reg, opaque
 * = struct rreg) with the browser's flow, Contact, +sip.instance and
 * reg-id and the granted expires, so that an INVITE from the PBX to the
 * token Contact (relayreg_binding()) or to the AOR reaches that flow; the
 * browser gets 200 listing its own Contact with the granted expires.
 * When the flow closes, or another registration of the same device
 * replaces the binding, the SBC unregisters at the PBX (Expires: 0, no
 * credentials: it has none of its own, so a 401 means "the PBX keeps it
 * until it expires") and forgets it.
 *
 * Owns: struct relayreg (b->relay) and every struct rreg with its NTA
 * transaction, timer and messages.  Thread: "signaling".
 */
#include "config.h"

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

#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/log.h"
#include "signaling/b2b_int.h"
#include "signaling/sipmsg.h"

#define RELAY_DEADLINE_MS	10000	/* the PBX's final answer, else 504 */
#define RELAY_IDLE_MS		64000	/* an unbound registration waits for a
					   retry (challenge) this long */
#define TOKEN_PREFIX		"b-"
#define TOKEN_LEN		(sizeof(TOKEN_PREFIX) - 1 + 16)

/* One browser registration (one browser Call-ID) and its PBX side. */
struct rreg {
	struct rreg		*hnext;		/* same hash(browser Call-ID) */
	struct b2b		*b;
	su_home_t		 home[1];
	uint64_t		 key;		/* hash of b_call_id */
	uint64_t		 token;		/* our Contact user toward the PBX */
	uint64_t		 flow;		/* 0: closed */
	char			*aor;		/* user@domain, browser side */
	char			*user;
	char			*trunk;		/* the domain's trunk, by name */
	char			*ruri;		/* toward the PBX */
	char			*b_call_id;
	char			*b_contact;	/* of the latest REGISTER */
	char			*instance;	/* its +sip.instance, or NULL */
	uint32_t		 reg_id;
	int			 outbound;	/* it asked for RFC 5626 outbound */
	char			*bound_contact;	/* the one in b->reg, or NULL */
	char			 p_call_id[48];
	char			 p_tag[24];
	uint32_t		 p_cseq;
	uint32_t		 b_cseq;	/* browser CSeq of the binding */
	unsigned		 asked;		/* expires of our pending REGISTER */
	int			 with_auth;	/* it carried credentials */
	nta_outgoing_t		*orq;		/* our pending REGISTER */
	msg_t			*b_req;		/* the browser's, to answer it */
	msg_t			*resp;		/* the PBX's final, until handled */
	int			 status;	/* its status; 0: none yet */
	su_timer_t		*timer;
	int			 bound;		/* a binding in b->reg is ours */
	int			 pbx_bound;	/* the PBX holds our Contact */
	int			 closing;	/* unregistering, then freed */
};

struct relayreg {
	struct idmap	by_callid;	/* hash(browser Call-ID) → rreg chain */
	struct idmap	by_token;	/* token → rreg */
};

/* What one browser REGISTER asks for. */
struct rreq {
	const char	*contact;	/* its one Contact URI; NULL: none */
	const char	*instance;
	uint32_t	 reg_id;
	unsigned	 expires;
	int		 wildcard;	/* "Contact: *" */
};

static void	rr_answered(su_root_magic_t *, su_timer_t *, su_timer_arg_t *);
static void	rr_close(struct rreg *, const char *why);

/* Replace a string of rr (v NULL: none); -1 when out of memory. */
static int
rr_set(struct rreg *rr, char **field, const char *v)
{
	char	*n = v != NULL ? su_strdup(rr->home, v) : NULL;

	if (v != NULL && n == NULL)
		return -1;
	su_free(rr->home, *field);
	*field = n;
	return 0;
}

/* The registrar no longer holds our binding. */
static void
rr_unbound(struct rreg *rr)
{
	rr->bound = 0;
	rr_set(rr, &rr->bound_contact, NULL);
}

static uint64_t
rand_u64(void)
{
	uint64_t	v = 0;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return 0;
	return v;
}

/* ------------------------------------------------------------ the table */

static struct rreg *
rr_find(struct b2b *b, const char *call_id, const char *aor)
{
	struct rreg	*rr;

	rr = idmap_get(&b->relay->by_callid, sipmsg_hash(call_id));
	for (; rr != NULL; rr = rr->hnext)
		if (!rr->closing && strcmp(rr->b_call_id, call_id) == 0 &&
		    strcmp(rr->aor, aor) == 0)
			return rr;
	return NULL;
}

static void
rr_unlink(struct rreg *rr)
{
	struct relayreg	*rl = rr->b->relay;
	struct rreg	*first = idmap_get(&rl->by_callid, rr->key), **pp;

	for (pp = &first; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == rr) {
			*pp = rr->hnext;
			break;
		}
	}
	if (first != NULL)
		idmap_put(&rl->by_callid, rr->key, first);	/* replaces */
	else
		idmap_del(&rl->by_callid, rr->key);
	if (rr->token != 0)
		idmap_del(&rl->by_token, rr->token);
}

static void
rr_free(struct rreg *rr)
{
	if (rr->key != 0)
		rr_unlink(rr);
	if (rr->orq != NULL)
		nta_outgoing_destroy(rr->orq);
	if (rr->b_req != NULL)
		msg_destroy(rr->b_req);
	if (rr->resp != NULL)
		msg_destroy(rr->resp);
	if (rr->timer != NULL)
		su_timer_destroy(rr->timer);
	su_home_deinit(rr->home);
	free(rr);
}

static int
rr_ids(struct rreg *rr)
{
	struct relayreg	*rl = rr->b->relay;
	int		 i;

	for (i = 0; i < 8 && rr->token == 0; i++) {
		rr->token = rand_u64();
		if (idmap_get(&rl->by_token, rr->token) != NULL)
			rr->token = 0;
	}
	if (rr->token == 0 || idmap_put(&rl->by_token, rr->token, rr) == -1) {
		rr->token = 0;
		return -1;
	}
	snprintf(rr->p_call_id, sizeof(rr->p_call_id), "sbcr-%016llx%016llx",
	    (unsigned long long)rand_u64(), (unsigned long long)rand_u64());
	snprintf(rr->p_tag, sizeof(rr->p_tag), "%016llx",
	    (unsigned long long)rand_u64());
	return 0;
}

static struct rreg *
rr_new(struct b2b *b, const sip_t *req, const char *aor,
    const struct sbc_domain *d)
{
	struct rreg	*rr;

	if ((rr = calloc(1, sizeof(*rr))) == NULL)
		return NULL;
	su_home_init(rr->home);
	rr->b = b;
	rr->aor = su_strdup(rr->home, aor);
	rr->user = su_strdup(rr->home, req->sip_to->a_url->url_user);
	rr->trunk = su_strdup(rr->home, d->trunk ? d->trunk : "");
	rr->b_call_id = su_strdup(rr->home, req->sip_call_id->i_id);
	rr->timer = su_timer_create(su_root_task(b->root), 0);
	if (rr->aor == NULL || rr->user == NULL || rr->trunk == NULL ||
	    rr->b_call_id == NULL || rr->timer == NULL || rr_ids(rr) == -1)
		goto fail;
	rr->key = sipmsg_hash(rr->b_call_id);
	rr->hnext = idmap_get(&b->relay->by_callid, rr->key);
	if (idmap_put(&b->relay->by_callid, rr->key, rr) == -1) {
		rr->key = 0;
		idmap_del(&b->relay->by_token, rr->token);
		goto fail;
	}
	return rr;
fail:
	rr_free(rr);
	return NULL;
}

static void
rr_free_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	rr_free((struct rreg *)arg);
}

/* Unbound and idle for RELAY_IDLE_MS: forget it. */
static void
rr_idle_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct rreg	*rr = (struct rreg *)arg;

	if (!rr->bound && rr->orq == NULL && !rr->closing)
		rr_free(rr);
}

static void
rr_idle(struct rreg *rr)
{
	if (rr->orq == NULL && !rr->closing)
		su_timer_set_interval(rr->timer, rr_idle_cb,
		    (su_timer_arg_t *)rr, RELAY_IDLE_MS);
}

/* ------------------------------------------------------------ toward the PBX */

static const char *
trunk_dom(su_home_t *h, const struct sbc_trunk *t)
{
	char	host[256];
	int	port;

	if (t->domain != NULL && *t->domain != '\0')
		return t->domain;
	if (conf_split_hostport(t->hosts.v[0], host, sizeof(host), &port))
		return NULL;
	return su_strdup(h, host);
}

/* Our Contact toward the trunk: its transport's listener, the token. */
static char *
relay_contact(su_home_t *h, const struct sbc_config *cfg,
    const struct sbc_trunk *t, uint64_t token)
{
	const struct sbc_listener	*l;
	const char			*host;
	int				 udp = t->transport == SBC_TP_UDP, v6;
	size_t				 i;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->transport != t->transport)
			continue;
		host = *l->advertised ? l->advertised : l->address;
		v6 = strchr(host, ':') != NULL;
		return su_sprintf(h, "<sip:" TOKEN_PREFIX "%016llx@%s%s%s:%d%s%s>",
		    (unsigned long long)token, v6 ? "[" : "", host,
		    v6 ? "]" : "", l->port, udp ? "" : ";transport=",
		    udp ? "" : sbc_transport_name(t->transport));
	}
	return NULL;
}

static int
has_listener(const struct sbc_config *cfg, enum sbc_transport tp)
{
	size_t	i;

	for (i = 0; i < cfg->nlisteners; i++)
		if (cfg->listeners[i].transport == tp)
			return 1;
	return 0;
}

/* Where the REGISTER goes: the trunk's first host, its transport. */
static char *
next_hop(su_home_t *h, const struct sbc_trunk *t)
{
	char	host[256], port[16] = "";
	int	p, udp = t->transport == SBC_TP_UDP, v6;

	if (t->hosts.n == 0 ||
	    conf_split_hostport(t->hosts.v[0], host, sizeof(host), &p) == -1)
		return NULL;
	if (p != 0)
		snprintf(port, sizeof(port), ":%d", p);
	v6 = strchr(host, ':') != NULL;
	return su_sprintf(h, "sip:%s%s%s%s%s%s", v6 ? "[" : "", host,
	    v6 ? "]" : "", port, udp ? "" : ";transport=",
	    udp ? "" : sbc_transport_name(t->transport));
}

static int
copy_credentials(msg_t *m, sip_t *sip, const sip_t *breq)
{
	if (breq->sip_authorization != NULL &&
	    sip_add_dup(m, sip, (const sip_header_t *)breq->sip_authorization) < 0)
		return -1;
	if (breq->sip_proxy_authorization != NULL &&
	    sip_add_dup(m, sip,
	    (const sip_header_t *)breq->sip_proxy_authorization) < 0)
		return -1;
	return 0;
}

/* Our REGISTER: ours but for the credentials (breq NULL: none). */
static msg_t *
pbx_register(struct rreg *rr, const struct sbc_config *cfg,
    const struct sbc_trunk *t, const sip_t *breq, unsigned expires)
{
	msg_t		*m;
	sip_t		*sip;
	su_home_t	*h;
	const char	*dom, *contact;
	char		 ex[16];

	if ((m = nta_msg_create(rr->b->agent, 0)) == NULL)
		return NULL;
	sip = sip_object(m);
	h = msg_home(m);
	dom = trunk_dom(h, t);
	contact = relay_contact(h, cfg, t, rr->token);
	snprintf(ex, sizeof(ex), "%u", expires);
	if (dom == NULL || contact == NULL || rr->ruri == NULL ||
	    sip_add_tl(m, sip, SIPTAG_REQUEST(sip_request_create(h,
	    SIP_METHOD_REGISTER, URL_STRING_MAKE(rr->ruri), NULL)),
	    SIPTAG_FROM(sip_from_format(h, "<sip:%s@%s>;tag=%s", rr->user,
	    dom, rr->p_tag)),
	    SIPTAG_TO(sip_to_format(h, "<sip:%s@%s>", rr->user, dom)),
	    SIPTAG_CALL_ID_STR(rr->p_call_id),
	    SIPTAG_CSEQ(sip_cseq_create(h, ++rr->p_cseq, SIP_METHOD_REGISTER)),
	    SIPTAG_MAX_FORWARDS_STR("70"), SIPTAG_CONTACT_STR(contact),
	    SIPTAG_EXPIRES_STR(ex),
	    SIPTAG_USER_AGENT_STR(cfg->signaling.user_agent), TAG_END()) < 0 ||
	    (breq != NULL && copy_credentials(m, sip, breq) == -1)) {
		msg_destroy(m);
		return NULL;
	}
	return m;
}

static int
rr_response(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
    const sip_t *sip)
{
	struct rreg	*rr = (struct rreg *)magic;
	int		 st = nta_outgoing_status(orq);

	if (st < 200 || rr->status != 0)
		return 0;
	/* handled outside NTA's callback (and never inside our own
	 * nta_outgoing_mcreate(), should NTA answer at once) */
	rr->status = st;
	rr->resp = sip != NULL ? nta_outgoing_getresponse(orq) : NULL;
	su_timer_set_interval(rr->timer, rr_answered, (su_timer_arg_t *)rr, 0);
	return 0;
}

/* Send our REGISTER; 0, or the status the browser should get. */
static int
rr_send(struct rreg *rr, const sip_t *breq, unsigned expires)
{
	struct b2b		*b = rr->b;
	const struct sbc_config	*cfg = b2b_cfg(b);
	const struct sbc_trunk	*t = sbc_config_trunk(cfg, rr->trunk);
	char			*hop;
	msg_t			*m;

	if (t == NULL || t->hosts.n == 0 || !has_listener(cfg, t->transport))
		return 480;
	if ((m = pbx_register(rr, cfg, t, breq, expires)) == NULL ||
	    (hop = next_hop(msg_home(m), t)) == NULL) {
		if (m != NULL)
			msg_destroy(m);
		return 500;
	}
	rr->asked = expires;
	rr->status = 0;
	su_timer_set_interval(rr->timer, rr_answered, (su_timer_arg_t *)rr,
	    RELAY_DEADLINE_MS);
	rr->orq = nta_outgoing_mcreate(b->agent, rr_response,
	    (nta_outgoing_magic_t *)rr, URL_STRING_MAKE(hop), m, TAG_END());
	if (rr->orq == NULL) {
		msg_destroy(m);
		su_timer_reset(rr->timer);
		return 500;
	}
	return 0;
}

/* ------------------------------------------------------------ toward the browser */

static const char *
phrase_of(int st)
{
	const char	*p = sip_status_phrase(st);

	return p != NULL ? p : "Error";
}

/* The browser's Contact as we list it: the granted expires, RFC 5626. */
static char *
contact_value(su_home_t *h, const struct rreg *rr, unsigned expires)
{
	char	rid[24] = "";

	if (rr->reg_id != 0)
		snprintf(rid, sizeof(rid), ";reg-id=%u", rr->reg_id);
	return su_sprintf(h, "<%s>;expires=%u%s%s%s", rr->b_contact, expires,
	    rr->instance ? ";+sip.instance=" : "",
	    rr->instance ? rr->instance : "", rid);
}

/* 200 to the browser: its own Contact only (none when expires is 0). */
static int
reply_ok(struct b2b *b, uint64_t flow, const sip_t *breq,
    const struct rreg *rr, unsigned expires)
{
	msg_t	*m;
	sip_t	*sip;

	m = sipmsg_response(breq, 200, "OK", "sbcreg",
	    SIPTAG_SERVER_STR(b2b_cfg(b)->signaling.user_agent), TAG_END());
	if (m == NULL)
		return -1;
	sip = sip_object(m);
	if (rr != NULL && expires > 0 &&
	    (sip_add_make(m, sip, sip_contact_class,
	    contact_value(msg_home(m), rr, expires)) < 0 ||
	    (rr->outbound && sip_add_make(m, sip, sip_require_class,
	    "outbound") < 0))) {
		msg_destroy(m);
		return -1;
	}
	return browser_send_flow(b, flow, m);
}

/* A failure to the browser; resp (the PBX's, or NULL) gives the
 * challenge and Min-Expires, nothing else. */
static int
reply_failure(struct b2b *b, uint64_t flow, const sip_t *breq, int st,
    const sip_t *resp)
{
	msg_t	*m;
	sip_t	*sip;

	m = sipmsg_response(breq, st, phrase_of(st), "sbcreg",
	    SIPTAG_SERVER_STR(b2b_cfg(b)->signaling.user_agent), TAG_END());
	if (m == NULL)
		return -1;
	sip = sip_object(m);
	if (resp != NULL && ((resp->sip_www_authenticate != NULL &&
	    sip_add_dup(m, sip,
	    (const sip_header_t *)resp->sip_www_authenticate) < 0) ||
	    (resp->sip_proxy_authenticate != NULL && sip_add_dup(m, sip,
	    (const sip_header_t *)resp->sip_proxy_authenticate) < 0) ||
	    (st == 423 && resp->sip_min_expires != NULL && sip_add_dup(m, sip,
	    (const sip_header_t *)resp->sip_min_expires) < 0))) {
		msg_destroy(m);
		return -1;
	}
	return browser_send_flow(b, flow, m);
}

/* ------------------------------------------------------------ PBX answers */

static uint64_t
token_of(const char *user)
{
	char	*end;
	uint64_t v;

	if (user == NULL || strlen(user) != TOKEN_LEN ||
	    strncmp(user, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1) != 0)
		return 0;
	v = strtoull(user + sizeof(TOKEN_PREFIX) - 1, &end, 16);
	return *end == '\0' ? v : 0;
}

/* The expires the PBX granted our Contact, at most max_expires. */
static unsigned
granted_expires(const struct rreg *rr, const sip_t *resp)
{
	const sip_contact_t	*m;
	unsigned long		 v = rr->asked;
	unsigned		 max = rr->b->reg.lim.max_expires;

	for (m = resp->sip_contact; m != NULL; m = m->m_next)
		if (m->m_expires != NULL &&
		    token_of(m->m_url->url_user) == rr->token)
			break;
	if (m != NULL)
		v = strtoul(m->m_expires, NULL, 10);
	else if (resp->sip_expires != NULL)
		v = resp->sip_expires->ex_delta;
	if (max != 0 && v > max)
		v = max;
	return (unsigned)v;
}

static void
rr_request(const struct rreg *rr, struct reg_request *r,
    struct reg_contact *c, uint32_t cseq)
{
	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	r->aor = rr->aor;
	r->call_id = rr->b_call_id;
	r->cseq = cseq;
	r->flow = rr->flow;
	r->expires = -1;
	r->contacts = c;
	r->ncontacts = 1;
	r->now = time(NULL);
	c->opaque = (void *)rr;
}

/*
 * Remove our binding from the registrar (never from a drop callback), so
 * that it holds no pointer to rr.  The highest CSeq: a removal is never
 * out of order.
 */
static void
rr_unbind(struct rreg *rr)
{
	struct reg_contact	 c;
	struct reg_request	 r;
	char			*old = rr->bound_contact;

	if (old == NULL)
		return;
	rr->bound_contact = NULL;	/* the drop callback may run */
	rr_request(rr, &r, &c, UINT32_MAX);
	c.uri = old;
	c.expires = 0;
	reg_apply(&rr->b->reg, &r);
	rr->bound = 0;
	su_free(rr->home, old);
	b2b_reg_gauge(rr->b);
}

/* The registrar's binding: removed (granted 0) or added/refreshed with
 * the granted expires (min_expires at least: the registrar's floor).  At
 * most one binding per rr: a changed Contact replaces the old one. */
static int
rr_bind(struct rreg *rr, unsigned granted)
{
	struct b2b		*b = rr->b;
	struct reg_contact	 c;
	struct reg_request	 r;
	uint32_t		 cseq = sip_object(rr->b_req)->sip_cseq->cs_seq;
	int			 rc = REG_OK;

	if (rr->bound_contact != NULL &&
	    (granted == 0 || strcmp(rr->bound_contact, rr->b_contact) != 0))
		rr_unbind(rr);
	if (granted > 0) {
		rr_request(rr, &r, &c, cseq);
		c.uri = rr->b_contact;
		c.instance = rr->instance;
		c.reg_id = rr->reg_id;
		c.expires = granted > b->reg.lim.min_expires ? granted :
		    b->reg.lim.min_expires;
		if ((rc = reg_apply(&b->reg, &r)) == REG_OK) {
			rr->bound = 1;
			rr->b_cseq = cseq;
			rr_set(rr, &rr->bound_contact, rr->b_contact);
		}
		b2b_reg_gauge(b);
	}
	return rc == REG_OK ? 0 : -1;
}

static void
rr_ok(struct rreg *rr, const sip_t *resp)
{
	struct b2b	*b = rr->b;
	unsigned	 granted = rr->asked == 0 ? 0 :
			    granted_expires(rr, resp);
	int		 gone = rr->flow == 0 || flow_get(b, rr->flow) == NULL;

	if (gone || rr_bind(rr, granted) == -1) {
		rr_unbind(rr);
		rr->pbx_bound = granted > 0;
		if (!gone) {
			log_notice(b2b_log(b), "flow %llu: REGISTER %s: binding "
			    "failed", (unsigned long long)rr->flow, rr->aor);
			reply_failure(b, rr->flow, sip_object(rr->b_req), 500,
			    NULL);
		}
		rr_close(rr, gone ? "browser connection closed meanwhile" :
		    "binding failed");
		return;
	}
	rr->pbx_bound = granted > 0;
	log_info(b2b_log(b), "flow %llu: REGISTER %s via trunk %s: 200, "
	    "expires %u", (unsigned long long)rr->flow, rr->aor, rr->trunk,
	    granted);
	reply_ok(b, rr->flow, sip_object(rr->b_req), rr, granted);
}

static int
is_stale(const sip_t *resp)
{
	const msg_auth_t	*au = resp->sip_www_authenticate;
	const char		*v;

	if (au == NULL)
		au = resp->sip_proxy_authenticate;
	for (; au != NULL; au = au->au_next)
		if ((v = msg_params_find(au->au_params, "stale=")) != NULL &&
		    strncasecmp(v, "true", 4) == 0)
			return 1;
	return 0;
}

/*
 * A failure: the PBX's status (503 becomes 480: the trunk's trouble is
 * not the browser's), or ours when the PBX did not answer (504) or
 * could not be reached (480).  Credentials refused count as an
 * authentication failure, as in local mode.
 */
static void
rr_failed(struct rreg *rr, int st, const sip_t *resp)
{
	struct b2b	*b = rr->b;
	int		 out = st;

	if (resp == NULL)
		out = st == 0 || st == 408 ? 504 : 480;
	else if (st == 503)
		out = 480;
	if (resp == NULL && out == 504)
		log_notice(b2b_log(b), "flow %llu: REGISTER %s: trunk %s did "
		    "not answer: 504", (unsigned long long)rr->flow, rr->aor,
		    rr->trunk);
	else if (resp == NULL)
		log_notice(b2b_log(b), "flow %llu: REGISTER %s: trunk %s "
		    "unreachable (%d): 480", (unsigned long long)rr->flow,
		    rr->aor, rr->trunk, st);
	else if (rr->with_auth && (st == 401 || st == 407 || st == 403) &&
	    !is_stale(resp)) {
		log_notice(b2b_log(b), "flow %llu: REGISTER %s: authentication "
		    "failed at trunk %s (%d)", (unsigned long long)rr->flow,
		    rr->aor, rr->trunk, st);
		b->auth_failures++;
		reply_failure(b, rr->flow, sip_object(rr->b_req), out, resp);
		b2b_policy_flow_event(b, rr->flow, PE_AUTH_FAIL);  /* after */
		return;
	}
	reply_failure(b, rr->flow, sip_object(rr->b_req), out, resp);
}

/* Our unregister after the flow closed has its answer (or none). */
static void
rr_closed(struct rreg *rr, int st, const sip_t *resp)
{
	log_info(b2b_log(rr->b), "REGISTER %s: unregistered at trunk %s: %d%s",
	    rr->aor, rr->trunk, resp != NULL ? st : 0,
	    resp == NULL ? " (no answer)" : st == 401 || st == 407 ?
	    " (no credentials: gone, the PBX lets it expire)" : "");
	rr_free(rr);
}

/* The PBX's final answer (resp), or the deadline (no status). */
static void
rr_answered(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct rreg	*rr = (struct rreg *)arg;
	msg_t		*msg = rr->resp;
	const sip_t	*resp = NULL;
	int		 st = rr->status;

	rr->resp = NULL;
	rr->status = 0;
	if (rr->orq != NULL)
		nta_outgoing_destroy(rr->orq);
	rr->orq = NULL;
	if (msg != NULL && !nta_is_internal_msg(msg))
		resp = sip_object(msg);
	if (rr->closing) {
		rr_closed(rr, st, resp);	/* frees rr */
		goto cleanup;
	}
	if (rr->b_req != NULL && resp != NULL && st < 300)
		rr_ok(rr, resp);
	else if (rr->b_req != NULL)
		rr_failed(rr, st, resp);
	if (!rr->closing) {		/* rr_ok may have closed it */
		if (rr->b_req != NULL)
			msg_destroy(rr->b_req);
		rr->b_req = NULL;
		if (!rr->bound)
			rr_idle(rr);
	}
cleanup:
	if (msg != NULL)
		msg_destroy(msg);
}

/*
 * Stop relaying: unregister at the PBX (Expires: 0, our Contact only,
 * without credentials) when it may hold our Contact, then free rr.  The
 * registrar must no longer hold rr's binding (rr_unbind(), or the drop
 * callback letting go of it).  Never frees rr at once (callers may be
 * inside the registrar's callback).
 */
static void
rr_close(struct rreg *rr, const char *why)
{
	int	maybe_bound = rr->pbx_bound || rr->orq != NULL;

	if (rr->closing)
		return;
	rr->closing = 1;
	rr_unbound(rr);
	if (rr->orq != NULL)
		nta_outgoing_destroy(rr->orq);
	rr->orq = NULL;
	if (rr->resp != NULL)
		msg_destroy(rr->resp);
	rr->resp = NULL;
	if (rr->b_req != NULL)
		msg_destroy(rr->b_req);
	rr->b_req = NULL;
	log_info(b2b_log(rr->b), "REGISTER %s: %s%s", rr->aor, why,
	    maybe_bound ? ": unregistering at the PBX" : "");
	if (!maybe_bound || rr_send(rr, NULL, 0) != 0)
		su_timer_set_interval(rr->timer, rr_free_cb,
		    (su_timer_arg_t *)rr, 0);
}

/* ------------------------------------------------------------ entry points */

/* The registrar lets go of a binding (must not call back into it). */
void
relayreg_drop(void *arg, const struct reg_binding *v, enum reg_drop why)
{
	struct rreg	*rr = v->opaque;

	if (rr == NULL || rr->closing)
		return;
	switch (why) {
	case REG_DROP_UPDATED:
		/* the same device registered again under another Call-ID */
		if (strcmp(v->call_id, rr->b_call_id) != 0) {
			rr_unbound(rr);
			rr_close(rr, "replaced by a new registration");
		}
		break;
	case REG_DROP_FLOW:
		if (rr->flow != v->flow && rr->flow != 0) {
			rr_unbound(rr);	/* a refresh on another flow is */
			break;		/* pending: it binds again */
		}
		rr_unbound(rr);
		rr->flow = 0;
		rr_close(rr, "browser connection closed");
		break;
	case REG_DROP_EXPIRED:
		rr_unbound(rr);
		rr->pbx_bound = 0;
		rr_idle(rr);
		break;
	case REG_DROP_REMOVED:
	case REG_DROP_FREED:
		rr_unbound(rr);
		break;
	}
}

/* The one Contact (or "*"), its expires bounded by the registrar's
 * limits; 0, or a status for the browser (400, 423). */
static int
rreq_parse(struct b2b *b, su_home_t *h, const sip_t *req, struct rreq *q)
{
	const struct reg_limits	*lim = &b->reg.lim;
	const sip_contact_t	*m = req->sip_contact;
	const char		*rid;
	long			 e;

	memset(q, 0, sizeof(*q));
	if (m != NULL && m->m_next != NULL)
		return 400;		/* one device, one Contact */
	q->wildcard = m != NULL && m->m_url->url_type == url_any;
	e = req->sip_expires ? (long)req->sip_expires->ex_delta : -1;
	if (m != NULL && !q->wildcard) {
		if ((q->contact = url_as_string(h, m->m_url)) == NULL)
			return 400;
		q->instance = msg_params_find(m->m_params, "+sip.instance=");
		rid = msg_params_find(m->m_params, "reg-id=");
		q->reg_id = rid ? (uint32_t)strtoul(rid, NULL, 10) : 0;
		if (m->m_expires != NULL)
			e = strtol(m->m_expires, NULL, 10);
	}
	if (q->wildcard && e != 0)
		return 400;
	if (e < 0)
		e = (long)lim->default_expires;
	if (e > 0 && e < (long)lim->min_expires)
		return 423;
	if (lim->max_expires != 0 && e > (long)lim->max_expires)
		e = (long)lim->max_expires;
	q->expires = (unsigned)e;
	return 0;
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

/* What to answer the browser with: only what sipmsg_response needs. */
static msg_t *
skeleton(const sip_t *req)
{
	msg_t	*m;

	if ((m = msg_create(sip_default_mclass(), 0)) == NULL)
		return NULL;
	if (sip_add_tl(m, sip_object(m), SIPTAG_REQUEST(req->sip_request),
	    SIPTAG_VIA(req->sip_via), SIPTAG_FROM(req->sip_from),
	    SIPTAG_TO(req->sip_to), SIPTAG_CALL_ID(req->sip_call_id),
	    SIPTAG_CSEQ(req->sip_cseq), TAG_END()) < 0) {
		msg_destroy(m);
		return NULL;
	}
	return m;
}

/* Take what this REGISTER asks for (kept in rr until the next one). */
static int
rr_take(struct rreg *rr, uint64_t flow, const sip_t *req,
    const struct rreq *q)
{
	const url_t	*u = req->sip_request->rq_url;
	char		 ruri[REG_MAX_URI];

	rr->flow = flow;
	if (q->contact != NULL &&
	    (rr_set(rr, &rr->b_contact, q->contact) == -1 ||
	    rr_set(rr, &rr->instance, q->instance) == -1))
		return -1;
	if (q->contact != NULL) {
		rr->reg_id = q->reg_id;
		rr->outbound = b2b_uses_outbound(req);
	}
	snprintf(ruri, sizeof(ruri), "sip:%s%s%s", u->url_host,
	    u->url_port ? ":" : "", u->url_port ? u->url_port : "");
	if (rr_set(rr, &rr->ruri, ruri) == -1)
		return -1;
	rr->with_auth = req->sip_authorization != NULL ||
	    req->sip_proxy_authorization != NULL;
	if (rr->b_req != NULL)
		msg_destroy(rr->b_req);
	rr->b_req = skeleton(req);
	return rr->b_req != NULL && rr->ruri != NULL &&
	    (rr->b_contact != NULL || q->expires == 0) ? 0 : -1;
}

static int
rr_start(struct rreg *rr, uint64_t flow, const sip_t *req,
    const struct rreq *q)
{
	int	st;

	su_timer_reset(rr->timer);
	if (rr_take(rr, flow, req, q) == -1)
		st = 500;
	else if ((st = rr_send(rr, req, q->expires)) == 0)
		return 0;
	log_notice(b2b_log(rr->b), "flow %llu: REGISTER %s: cannot relay to "
	    "trunk %s: %d", (unsigned long long)flow, rr->aor, rr->trunk, st);
	if (rr->b_req != NULL)
		msg_destroy(rr->b_req);
	rr->b_req = NULL;
	rr_idle(rr);
	return browser_reply(rr->b, flow, req, st, NULL, "sbcreg");
}

/* The live binding of rr in the registrar, or NULL. */
static const struct reg_binding *
binding_of(const struct rreg *rr, time_t now)
{
	const struct reg_binding	*v[REG_MAX_CONTACTS];
	size_t				 i, n;

	if (!rr->bound)
		return NULL;
	n = reg_lookup(&rr->b->reg, rr->aor, now, v, REG_MAX_CONTACTS);
	for (i = 0; i < n && i < REG_MAX_CONTACTS; i++)
		if (v[i]->opaque == rr)
			return v[i];
	return NULL;
}

/* A REGISTER without Contact (a query): what we hold, from here. */
static int
reply_query(struct b2b *b, uint64_t flow, const sip_t *req,
    const struct rreg *rr)
{
	time_t				 now = time(NULL);
	const struct reg_binding	*v = rr ? binding_of(rr, now) : NULL;

	return reply_ok(b, flow, req, v ? rr : NULL,
	    v ? (unsigned)(v->expires - now) : 0);
}

/* A REGISTER from a browser flow for a relay-mode domain. */
int
relayreg_register(struct b2b *b, uint64_t flow, const sip_t *req,
    const struct sbc_domain *d)
{
	struct rreq	 q;
	struct rreg	*rr;
	su_home_t	 h[1];
	char		*aor;
	int		 rc, st;

	su_home_init(h);
	aor = su_sprintf(h, "%s@%s", req->sip_to->a_url->url_user, d->name);
	if ((st = rreq_parse(b, h, req, &q)) != 0 || aor == NULL) {
		rc = st == 423 ? brief(b, flow, req) :
		    browser_reply(b, flow, req, st ? st : 500, NULL, "sbcreg");
		goto cleanup;
	}
	rr = rr_find(b, req->sip_call_id->i_id, aor);
	if (q.contact == NULL && !q.wildcard)
		rc = reply_query(b, flow, req, rr);
	else if (rr == NULL && q.expires == 0)
		rc = reply_ok(b, flow, req, NULL, 0);	/* nothing bound */
	else if (rr != NULL && rr->bound &&
	    req->sip_cseq->cs_seq <= rr->b_cseq)
		rc = browser_reply(b, flow, req, 400, "CSeq out of order",
		    "sbcreg");
	else if (rr != NULL && (rr->orq != NULL || rr->b_req != NULL))
		rc = browser_reply(b, flow, req, 500, "Registration in progress",
		    "sbcreg");
	else if (rr == NULL && (rr = rr_new(b, req, aor, d)) == NULL)
		rc = browser_reply(b, flow, req, 500, NULL, "sbcreg");
	else
		rc = rr_start(rr, flow, req, &q);
cleanup:
	su_home_deinit(h);
	return rc;
}

/* The live binding whose Contact toward the PBX has this user part. */
const struct reg_binding *
relayreg_binding(struct b2b *b, const char *user, time_t now)
{
	uint64_t	 token = token_of(user);
	struct rreg	*rr;

	if (token == 0 || b->relay == NULL ||
	    (rr = idmap_get(&b->relay->by_token, token)) == NULL)
		return NULL;
	return binding_of(rr, now);
}

int
relayreg_init(struct b2b *b)
{
	if ((b->relay = calloc(1, sizeof(*b->relay))) == NULL)
		return -1;
	if (idmap_init(&b->relay->by_callid, 64) == -1 ||
	    idmap_init(&b->relay->by_token, 64) == -1)
		return -1;
	return 0;
}

/* At shutdown (after reg_free): the PBX bindings expire by themselves. */
void
relayreg_free(struct b2b *b)
{
	struct relayreg	*rl = b->relay;
	size_t		 i;

	if (rl == NULL)
		return;
	while (rl->by_token.n > 0) {	/* rr_free() reshuffles the table */
		for (i = 0; rl->by_token.slots[i].id == 0; i++)
			;
		rr_free(rl->by_token.slots[i].val);
	}
	idmap_free(&rl->by_callid);
	idmap_free(&rl->by_token);
	free(rl);
	b->relay = NULL;
}
