/*
 * b2b_trace.c: `sbcctl sip trace` on the signaling side (see b2b_trace.h):
 * the subscribers (set by the forwarded `sip trace on`, removed by
 * CTL_MSG_TRACE_STOP), the filter and the operator's copy of each message
 * (signaling/sip_trace.c: credentials hidden, bounded), posted to the ctl
 * service without ever waiting for it (sbc/ctl_trace.h: a bounded number
 * in flight per subscriber, the rest dropped and counted).
 *
 * The PBX leg is seen through Sofia's tport message log: while anyone
 * traces, TPTAG_LOG is on and Sofia's default log goes through
 * trace_logger(), which takes the message dumps apart from the rest (the
 * rest goes on to the logger it replaced, the daemon's).
 *
 * Owns: struct b2b_trace and the subscribers' gate references; the
 * redirection of su_log_default while tracing.  Thread: "signaling" (the
 * only thread that runs Sofia).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nta_tport.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>

#include "sbc/ctl_proto.h"
#include "sbc/ctl_query.h"
#include "sbc/log.h"
#include "sbc/service.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_trace.h"
#include "signaling/sip_trace.h"

struct trace_sub {
	uint64_t		 client;	/* 0: a free slot */
	struct sbc_service	*ctl;
	struct ctl_trace_gate	*gate;
	uint64_t		 dropped;	/* not told yet */
	char			 filter[CTL_MAX_ARG + 1];
};

struct b2b_trace {
	struct b2b		*b;
	struct trace_sub	 subs[CTL_TRACE_MAX_SUBS];
	int			 nsubs;
	int			 sofia_on;	/* tport log, our logger */
	su_logger_f		*prev_logger;
	void			*prev_stream;
	struct sip_tplog	 tplog;		/* the PBX message being logged */
	char			 line[4096];	/* one su_log call */
	char			 clean[CTL_TRACE_TEXT_MAX + 1];
};

static void
peer_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in	*in = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*in6 = (const struct sockaddr_in6 *)sa;
	char				 a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "-");
	if (sa != NULL && sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s:%u", a, ntohs(in->sin_port));
	else if (sa != NULL && sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a)) != NULL)
		snprintf(buf, len, "[%s]:%u", a, ntohs(in6->sin6_port));
}

/* One message to every subscriber whose filter selects it. */
static void
post(struct b2b_trace *t, int dir, int leg, const char *peer,
    const char *text, size_t len, size_t bytes)
{
	struct trace_sub	*sub;
	struct ctl_trace_event	*ev;
	size_t			 clen = 0;
	int			 i, cut = 0, cleaned = 0;

	for (i = 0; i < CTL_TRACE_MAX_SUBS; i++) {
		sub = &t->subs[i];
		if (sub->client == 0 || !sip_trace_match(text, len,
		    sub->filter))
			continue;
		if (!cleaned) {
			clen = sip_trace_clean(text, len, t->clean,
			    sizeof(t->clean), &cut);
			cleaned = 1;
		}
		ev = ctl_trace_event_new(sub->gate, sub->client, dir, leg,
		    peer, t->clean, clen, cut || bytes > len ? bytes : 0);
		if (ev == NULL) {
			sub->dropped++;		/* the client is slow */
			continue;
		}
		ev->dropped = sub->dropped;
		sub->dropped = 0;
		(void)sbc_service_post(sub->ctl, &ev->hdr);
	}
}

void
b2b_trace(struct b2b *b, int dir, int leg, const struct sockaddr *peer,
    const char *text, size_t len)
{
	char	p[80];

	if (b == NULL || b->trace == NULL || b->trace->nsubs == 0)
		return;
	peer_text(peer, p, sizeof(p));
	post(b->trace, dir, leg, p, text, len, len);
}

void
b2b_trace_flow(struct b2b *b, int dir, uint64_t flow, const char *text,
    size_t len)
{
	if (b != NULL && b->trace != NULL && b->trace->nsubs > 0)
		b2b_trace(b, dir, CTL_TRACE_BROWSER, flow_peer(b, flow), text,
		    len);
}

static void trace_logger(void *, char const *, va_list)
    __attribute__((format(printf, 2, 0)));

/* Sofia's default log while tracing: message dumps here, the rest on. */
static void
trace_logger(void *stream, char const *fmt, va_list ap)
{
	struct b2b_trace	*t = stream;
	struct sip_tplog	*tl = &t->tplog;
	va_list			 cp;

	va_copy(cp, ap);
	vsnprintf(t->line, sizeof(t->line), fmt, cp);
	va_end(cp);
	switch (sip_tplog_feed(tl, t->line)) {
	case SIP_TPLOG_OTHER:
		if (t->prev_logger != NULL)
			t->prev_logger(t->prev_stream, fmt, ap);
		break;
	case SIP_TPLOG_DONE:
		post(t, tl->out ? CTL_TRACE_OUT : CTL_TRACE_IN, CTL_TRACE_PBX,
		    tl->peer, tl->text, tl->len, tl->bytes);
		break;
	case SIP_TPLOG_TAKEN:
		break;
	}
}

/* The PBX leg's tport log and our logger, on while anyone traces. */
static void
sofia_trace(struct b2b_trace *t, int on)
{
	tport_t	*tp = t->b->agent ? nta_agent_tports(t->b->agent) : NULL;

	if (on == t->sofia_on)
		return;
	if (on) {
		t->prev_logger = su_log_default->log_logger;
		t->prev_stream = su_log_default->log_stream;
		memset(&t->tplog, 0, sizeof(t->tplog));
		su_log_redirect(NULL, trace_logger, t);
	}
	if (tp != NULL)
		tport_set_params(tp, TPTAG_LOG(on), TAG_END());
	if (!on)
		su_log_redirect(NULL, t->prev_logger, t->prev_stream);
	t->sofia_on = on;
}

static struct trace_sub *
sub_slot(struct b2b_trace *t, uint64_t client)
{
	struct trace_sub	*free_slot = NULL;
	int			 i;

	for (i = 0; i < CTL_TRACE_MAX_SUBS; i++) {
		if (t->subs[i].client == client)
			return &t->subs[i];
		if (t->subs[i].client == 0 && free_slot == NULL)
			free_slot = &t->subs[i];
	}
	return free_slot;
}

static json_object *
on_answer(const char *filter, int n)
{
	json_object	*o = json_object_new_object();
	char		 info[CTL_MAX_ARG + 96];

	if (*filter != '\0')
		snprintf(info, sizeof(info), "tracing SIP messages matching "
		    "'%s' (traces: %d)", filter, n);
	else
		snprintf(info, sizeof(info), "tracing every SIP message "
		    "(traces: %d)", n);
	json_object_object_add(o, "info", json_object_new_string(info));
	json_object_object_add(o, "filter", json_object_new_string(filter));
	return o;
}

int
b2b_trace_on(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t errlen)
{
	struct b2b_trace	*t = b->trace;
	struct trace_sub	*sub;
	const char		*filter = q->argc > 3 ? q->argv[3] : "";

	if (q->origin == NULL || q->client == 0) {
		snprintf(err, errlen, "sip trace needs a control connection");
		return -1;
	}
	if (t == NULL && (t = b->trace = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->b = b;
	if ((sub = sub_slot(t, q->client)) == NULL) {
		snprintf(err, errlen, "already %d traces at once",
		    CTL_TRACE_MAX_SUBS);
		return -1;
	}
	if (sub->client == 0) {
		if ((sub->gate = ctl_trace_gate_new()) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		sub->client = q->client;
		sub->ctl = q->origin;
		t->nsubs++;
	}
	snprintf(sub->filter, sizeof(sub->filter), "%s", filter);
	sofia_trace(t, 1);
	log_info(b2b_log(b), "sbcctl: SIP trace on%s%s (traces: %d)",
	    *filter ? ", filter " : "", filter, t->nsubs);
	*out = on_answer(filter, t->nsubs);
	return 0;
}

void
b2b_trace_stop(struct b2b *b, uint64_t client)
{
	struct b2b_trace	*t = b->trace;
	int			 i;

	for (i = 0; t != NULL && i < CTL_TRACE_MAX_SUBS; i++) {
		if (t->subs[i].client != client || client == 0)
			continue;
		ctl_trace_gate_put(t->subs[i].gate);
		memset(&t->subs[i], 0, sizeof(t->subs[i]));
		if (--t->nsubs == 0)
			sofia_trace(t, 0);
		log_info(b2b_log(b), "sbcctl: SIP trace off (traces: %d)",
		    t->nsubs);
	}
}

void
b2b_trace_free(struct b2b *b)
{
	struct b2b_trace	*t;
	int			 i;

	if (b == NULL || (t = b->trace) == NULL)
		return;
	for (i = 0; i < CTL_TRACE_MAX_SUBS; i++)
		ctl_trace_gate_put(t->subs[i].gate);
	sofia_trace(t, 0);
	free(t);
	b->trace = NULL;
}
