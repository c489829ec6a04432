/*
 * b2bua.c: the B2BUA object: creation and teardown (every call ended on
 * both legs at shutdown), and out-of-dialog requests from PBXs.
 *
 * Owns: struct b2b, its call and flow tables.  Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/sip_status.h>

#include "sbc/conf.h"
#include "sbc/log.h"
#include "signaling/b2b_int.h"
#include "signaling/trunk.h"

/* Every 5 s: bindings past their expiry go; the bans gauge. */
static void
reg_sweep(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct b2b	*b = (struct b2b *)arg;

	reg_expire(&b->reg, time(NULL));
	b2b_reg_gauge(b);
	b2b_policy_gauge(b);
}

struct b2b *
b2b_create(struct sbc_service *svc, su_root_t *root, nta_agent_t *agent)
{
	struct b2b	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->svc = svc;
	b->root = root;
	b->agent = agent;
	if (idmap_init(&b->by_callid, 256) == -1 ||
	    idmap_init(&b->calls, 256) == -1 ||
	    idmap_init(&b->flows, 256) == -1 ||
	    port_pool_init(&b->ports, svc->cfg->media.pool_min,
	    svc->cfg->media.port_max) == -1 || b2b_register_init(b) == -1) {
		b2b_destroy(b);
		return NULL;
	}
	b->reg_timer = su_timer_create(su_root_task(root), 5000);
	if (b->reg_timer != NULL)
		su_timer_set_for_ever(b->reg_timer, reg_sweep,
		    (su_timer_arg_t *)b);
	return b;
}

static void
end_all(struct b2b *b)
{
	size_t		 i;
	struct flow	*f;

	for (i = 0; i < b->flows.cap; i++) {
		if (b->flows.slots[i].id == 0)
			continue;
		f = b->flows.slots[i].val;
		while (f->calls != NULL)
			call_end(f->calls, 503, "SBC shutting down");
	}
}

static void
free_flows(struct b2b *b)
{
	size_t	i;

	for (i = 0; i < b->flows.cap; i++)
		if (b->flows.slots[i].id != 0)
			free(b->flows.slots[i].val);
}

void
b2b_destroy(struct b2b *b)
{
	if (b == NULL)
		return;
	if (b->flows.slots != NULL) {
		end_all(b);
		free_flows(b);
	}
	if (b->reg_timer != NULL)
		su_timer_destroy(b->reg_timer);
	b2b_register_free(b);
	if (b->cac != NULL)
		cac_destroy(b->cac);
	idmap_free(&b->flows);
	idmap_free(&b->calls);
	idmap_free(&b->by_callid);
	port_pool_free(&b->ports);
	free(b);
}

/* The domain of a call from the PBX: the Request-URI host when it is one
 * of ours, else the first local domain. */
static const struct sbc_domain *
call_domain(const struct sbc_config *cfg, const char *host)
{
	size_t	i;

	for (i = 0; host != NULL && i < cfg->ndomains; i++)
		if (strcasecmp(cfg->domains[i].name, host) == 0)
			return &cfg->domains[i];
	for (i = 0; i < cfg->ndomains; i++)
		if (cfg->domains[i].registrar == SBC_REG_LOCAL)
			return &cfg->domains[i];
	return NULL;
}

static int
known_user(const struct sbc_config *cfg, const char *user, const char *dom)
{
	size_t	i;

	for (i = 0; i < cfg->nusers; i++)
		if (strcmp(cfg->users[i].name, user) == 0 &&
		    strcasecmp(cfg->users[i].domain, dom) == 0)
			return 1;
	return 0;
}

/* An INVITE from a PBX for a browser user: 404 unknown, 480 not
 * registered, else to every registered device at once (b2b_fork.c); a
 * relay-mode Contact (b-TOKEN, b2b_relayreg.c) to its one device. */
static int
invite_from_pbx(struct b2b *b, nta_incoming_t *irq, const sip_t *sip,
    const struct sbc_trunk *trunk)
{
	const struct sbc_config		*cfg = b2b_cfg(b);
	const struct sbc_domain		*d;
	const struct reg_binding	*v[REG_MAX_CONTACTS];
	const char			*user = trunk_inbound_user(b, sip,
					    sip->sip_request->rq_url->url_user);
					/* trunk.c: trunk-NAME → the To user */
	char				 aor[REG_MAX_AOR];
	size_t				 n;

	if (user != NULL &&
	    (v[0] = relayreg_binding(b, user, time(NULL))) != NULL) {
		/* relay mode: our Contact at the PBX names one binding */
		snprintf(aor, sizeof(aor), "%s", v[0]->aor);
		n = 1;
	} else if (user == NULL ||
	    (d = call_domain(cfg, sip->sip_request->rq_url->url_host)) == NULL)
		return 404;
	else {
		snprintf(aor, sizeof(aor), "%s@%s", user, d->name);
		if ((n = reg_lookup(&b->reg, aor, time(NULL), v,
		    REG_MAX_CONTACTS)) == 0)
			return known_user(cfg, user, d->name) ||
			    d->registrar == SBC_REG_RELAY ? 480 : 404;
	}
	if (sip->sip_payload == NULL || sip->sip_payload->pl_len == 0)
		return 488;	/* offer-less INVITE: not supported yet */
	return pbx_call_in(b, irq, sip, trunk, aor, v,
	    n < REG_MAX_CONTACTS ? n : REG_MAX_CONTACTS);
}

/* A request from a PBX outside any dialog. */
int
b2b_from_pbx(struct b2b *b, nta_incoming_t *irq, const sip_t *sip,
    const struct sbc_trunk *trunk)
{
	switch (sip->sip_request->rq_method) {
	case sip_method_invite:
		return invite_from_pbx(b, irq, sip, trunk);
	case sip_method_bye:
	case sip_method_cancel:
	case sip_method_info:
	case sip_method_update:
		return 481;
	default:
		return 501;
	}
}
