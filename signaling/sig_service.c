/*
 * sig_service.c: life cycle of the signaling thread: su_root, the NTA
 * agent with one transport per udp/tcp/tls listener, the inbox registered
 * in su_root, and the out-of-dialog request handler (OPTIONS answered
 * locally; what the B2BUA does not handle gets 501).
 *
 * Owns: su_root, nta_agent.  Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

#include "sbc/conf.h"
#include "sbc/ctl_query.h"
#include "sbc/log.h"
#include "sbc/tlscert.h"
#include "media/media.h"
#include "signaling/b2b_media.h"
#include "signaling/b2b_trace.h"
#include "signaling/b2bua.h"
#include "signaling/edge.h"
#include "signaling/signaling.h"
#include "signaling/trunk.h"

/* Exported by libsofia-sip-ua but declared only in its private headers. */
extern su_log_t nta_log[];
extern su_log_t tport_log[];

#define SBC_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"

struct sig {
	struct sbc_service	*svc;
	su_home_t		 home[1];
	su_root_t		*root;
	nta_agent_t		*agent;
	struct b2b		*b2b;
	su_wait_t		 inbox_wait[1];
	int			 inbox_reg;
};

static void sofia_logger(void *, char const *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char	line[1024];
	int	n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n > 0)
		sbc_logf(stream, LOG_DEBUG, "sofia: %s", line);
}

void
signaling_redirect_sofia_logs(struct sbc_log *lg)
{
	su_log_redirect(NULL, sofia_logger, lg);
	su_log_redirect(nta_log, sofia_logger, lg);
	su_log_redirect(tport_log, sofia_logger, lg);
}

static void
on_stop(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;

	su_root_break(sg->root);
}

static void
on_flow_open(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;

	b2b_flow_open(sg->b2b, &((struct edge_msg *)m)->info);
}

static void
on_flow_sip(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;
	struct edge_msg	*em = (struct edge_msg *)m;

	b2b_trace_flow(sg->b2b, CTL_TRACE_IN, em->info.flow, em->data,
	    em->len);					/* sip trace */
	b2b_from_browser(sg->b2b, em->info.flow, em->data, em->len);
}

static void
on_flow_closed(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;

	b2b_flow_closed(sg->b2b, ((struct edge_msg *)m)->info.flow);
}

static void
on_media_event(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;

	b2b_media_event(sg->b2b, (const struct media_rsp *)m);
}

/* sbcctl: a command that needs the calls, bindings or bans. */
static void
on_ctl_query(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;

	b2b_ctl_query(sg->b2b, (struct ctl_query *)m);
}

/* sbcctl: a `sip trace on` connection is gone. */
static void
on_trace_stop(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct sig	*sg = s->priv;

	b2b_trace_stop(sg->b2b, ((struct ctl_trace_stop *)m)->client);
}

static const struct sbc_msg_handler sig_handlers[] = {
	{ MEDIA_EV_FAILED, on_media_event },
	{ MEDIA_EV_TIMEOUT, on_media_event },
	{ SBC_MSG_STOP, on_stop },
	{ EDGE_EV_FLOW_OPEN, on_flow_open },
	{ EDGE_EV_SIP, on_flow_sip },
	{ EDGE_EV_FLOW_CLOSED, on_flow_closed },
	{ CTL_MSG_QUERY, on_ctl_query },
	{ CTL_MSG_TRACE_STOP, on_trace_stop },
};

static int
inbox_cb(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct sig	*sg = (struct sig *)arg;

	sbc_service_drain(sg->svc, sig_handlers,
	    sizeof(sig_handlers) / sizeof(sig_handlers[0]));
	return 0;
}

static int
answer_options(struct sig *sg, nta_incoming_t *irq)
{
	const struct sbc_config	*cfg = sg->svc->cfg;

	nta_incoming_treply(irq, SIP_200_OK,
	    SIPTAG_ALLOW_STR(SBC_ALLOW),
	    SIPTAG_ACCEPT_STR("application/sdp"),
	    SIPTAG_SERVER_STR(cfg->signaling.user_agent),
	    TAG_END());
	return 0;
}

/*
 * Requests outside a dialog come here statelessly (there is no default
 * leg), so that policy can drop one before Sofia makes a server
 * transaction: destroying an unanswered transaction makes Sofia answer 500
 * (and retransmit it for an INVITE).
 */
static int
stateless_request(struct sig *sg, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	const struct sbc_trunk	*trunk;
	nta_incoming_t		*irq;
	int			 rc;

	if (sip->sip_request->rq_method == sip_method_ack) {
		msg_destroy(msg);
		return 0;
	}
	if ((rc = b2b_policy_pbx(sg->b2b, msg, sip, &trunk)) == -1) {
		msg_destroy(msg);	/* dropped: no answer, no state */
		return 0;
	}
	if ((irq = nta_incoming_create(agent, NULL, msg, sip, TAG_END())) == NULL)
		return 0;		/* NTA destroyed msg */
	if (rc == 0 && sip->sip_request->rq_method == sip_method_options) {
		answer_options(sg, irq);
		nta_incoming_destroy(irq);	/* answered */
		return 0;
	}
	if (rc == 0)
		rc = b2b_from_pbx(sg->b2b, irq, sip, trunk);
	if (rc >= 100) {		/* as nta's leg_recv() does */
		nta_incoming_treply(irq, rc, NULL,
		    TAG_IF(rc == 503, SIPTAG_RETRY_AFTER_STR("30")), TAG_END());
		if (rc >= 200)
			nta_incoming_destroy(irq);
	}
	return 0;
}

/* Out-of-transaction messages (stray responses, ACKs): drop. */
static int
agent_cb(nta_agent_magic_t *magic, nta_agent_t *agent, msg_t *msg,
    sip_t *sip)
{
	if (magic != NULL && sip != NULL && sip->sip_request != NULL)
		return stateless_request((struct sig *)magic, agent, msg, sip);
	msg_destroy(msg);
	return 0;
}

static void
listener_url(const struct sbc_listener *l, char *buf, size_t len)
{
	int	v6 = strchr(l->address, ':') != NULL;

	snprintf(buf, len, "%s:%s%s%s:%d;transport=%s",
	    l->transport == SBC_TP_TLS ? "sips" : "sip",
	    v6 ? "[" : "", l->address, v6 ? "]" : "", l->port,
	    l->transport == SBC_TP_TLS ? "tls" : sbc_transport_name(l->transport));
}

/*
 * Sofia verifies TLS peers per agent, not per trunk: verify outgoing TLS
 * only when every tls trunk asks for it (tls_verify, the default).
 */
static unsigned
tls_verify_policy(struct sig *sg, const struct sbc_config *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->ntrunks; i++) {
		if (cfg->trunks[i].transport == SBC_TP_TLS &&
		    !cfg->trunks[i].tls_verify) {
			log_warn(sg->svc->ctx->log, "trunk '%s': tls_verify "
			    "off: TLS peers of all trunks are not verified",
			    cfg->trunks[i].name);
			return TPTLS_VERIFY_NONE;
		}
	}
	return TPTLS_VERIFY_OUT;
}

static int
add_transports(struct sig *sg, const struct sbc_config *cfg)
{
	const struct sbc_listener	*l;
	const struct sbc_tls_files	*tls = sg->svc->ctx->tls;
	char				 url[128];
	const char			*u = url;
	unsigned			 verify = tls_verify_policy(sg, cfg);
	size_t				 i;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->transport == SBC_TP_WS || l->transport == SBC_TP_WSS)
			continue;
		listener_url(l, url, sizeof(url));
		if (sg->agent == NULL)
			sg->agent = nta_agent_create(sg->root,
			    URL_STRING_MAKE(u), agent_cb, (nta_agent_magic_t *)sg,
			    NTATAG_UA(0), NTATAG_SERVER_RPORT(1),
			    TPTAG_CERTIFICATE(tls->sofia_dir),
			    TPTAG_TLS_VERIFY_POLICY(verify), TAG_END());
		else if (nta_agent_add_tport(sg->agent, URL_STRING_MAKE(u),
		    TPTAG_CERTIFICATE(tls->sofia_dir),
		    TPTAG_TLS_VERIFY_POLICY(verify), TAG_END()) == -1)
			goto fail;
		if (sg->agent == NULL)
			goto fail;
		log_info(sg->svc->ctx->log, "listener '%s': SIP on %s",
		    l->name, url);
	}
	return 0;
fail:
	log_err(sg->svc->ctx->log, "listener '%s': cannot listen on %s",
	    l->name, url);
	return -1;
}

static int
sig_setup(struct sbc_service *s, struct sbc_config *cfg)
{
	struct sig	*sg;

	if ((sg = calloc(1, sizeof(*sg))) == NULL)
		return -1;
	s->priv = sg;
	sg->svc = s;
	su_home_init(sg->home);
	if ((sg->root = su_root_create(NULL)) == NULL)
		return -1;
	if (su_wait_create(sg->inbox_wait, s->inbox.efd, SU_WAIT_IN) == -1)
		return -1;
	sg->inbox_reg = su_root_register(sg->root, sg->inbox_wait, inbox_cb,
	    (su_wakeup_arg_t *)sg, 0);
	if (sg->inbox_reg == -1)
		return -1;
	if (add_transports(sg, cfg) == -1)
		return -1;
	sg->b2b = b2b_create(s, sg->root, sg->agent);
	if (sg->b2b != NULL && trunks_init(sg->b2b) == -1)	/* trunk.c */
		return -1;
	return sg->b2b != NULL ? 0 : -1;
}

static void
sig_run(struct sbc_service *s)
{
	struct sig	*sg = s->priv;

	su_root_run(sg->root);
}

static void
sig_teardown(struct sbc_service *s)
{
	struct sig	*sg = s->priv;

	if (sg == NULL)
		return;
	trunks_stop(sg->b2b);	/* trunk.c: unregister (<= 1 s), free */
	b2b_trace_free(sg->b2b);	/* Sofia's log back to the daemon's */
	b2b_destroy(sg->b2b);	/* ends every call on both legs */
	if (sg->agent != NULL)
		nta_agent_destroy(sg->agent);
	if (sg->root != NULL) {
		if (sg->inbox_reg > 0)
			su_root_deregister(sg->root, sg->inbox_reg);
		su_root_destroy(sg->root);
	}
	su_home_deinit(sg->home);
	free(sg);
	s->priv = NULL;
}

const struct sbc_service_ops signaling_ops = {
	.setup = sig_setup,
	.run = sig_run,
	.teardown = sig_teardown,
};
