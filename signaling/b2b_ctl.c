/*
 * b2b_ctl.c: the answers of the signaling thread to sbcctl commands that
 * need its state (sbc/ctl_cmds.c forwards them with ctl_forward()):
 * show calls / call ID / registrations / trunks / bans, call kill,
 * ban add / del, trunk register / unregister, sip trace on
 * (b2b_trace.c).
 *
 * Every answer is a json_object built here and handed to
 * ctl_query_done(); tables are arrays of flat objects (sbcctl renders
 * them as columns).  Nothing secret is ever put in an answer: no keys,
 * no passwords, no digest material.
 * Owns: nothing.  Thread: "signaling".
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "policy/policy.h"
#include "sbc/clock.h"
#include "sbc/conf.h"
#include "sbc/conf_schema.h"
#include "sbc/ctl_proto.h"
#include "sbc/ctl_query.h"
#include "sbc/service.h"
#include "signaling/b2b_int.h"
#include "signaling/b2b_media.h"
#include "signaling/b2b_trace.h"
#include "signaling/trunk.h"

#define BAN_LIST_MAX	1024
#define BAN_DEFAULT_S	3600	/* ban add without a duration */

static const char *const state_names[] = {
	[CALL_CALLING] = "calling",
	[CALL_EARLY] = "early",
	[CALL_ANSWERED] = "answered",
	[CALL_CONFIRMED] = "up",
	[CALL_ENDED] = "ended",
};

static void
add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void
add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static const char *
pbx_media(const struct call *c)
{
	if (c->m == NULL)
		return "-";
	return c->m->params.p_suite[0] ? c->m->params.p_suite : "rtp";
}

static json_object *
call_row(const struct call *c, time_t now)
{
	json_object	*o = json_object_new_object();

	add_int(o, "id", (int64_t)c->id);
	add_str(o, "state", state_names[c->state]);
	add_str(o, "direction", c->from_pbx ? "pbx->browser" :
	    "browser->pbx");
	add_str(o, "from", c->b_from && c->b_from->a_url->url_user ?
	    c->b_from->a_url->url_user : "-");
	add_str(o, "to", c->b_to && c->b_to->a_url->url_user ?
	    c->b_to->a_url->url_user : "-");
	add_str(o, "trunk", c->trunk ? c->trunk->name : "-");
	add_str(o, "pbx_media", pbx_media(c));
	add_int(o, "seconds", (int64_t)(now - c->started));
	return o;
}

typedef int (*ctl_fn)(struct b2b *, struct ctl_query *, json_object **,
    char *, size_t);

static int
show_calls(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	time_t	now = time(NULL);
	size_t	i;

	*out = json_object_new_array();
	for (i = 0; i < b->calls.cap; i++)
		if (b->calls.slots[i].id != 0)
			json_object_array_add(*out,
			    call_row(b->calls.slots[i].val, now));
	return 0;
}

static int
show_call(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	struct call	*c = idmap_get(&b->calls, strtoull(q->argv[2], NULL,
			    10));
	json_object	*o;

	if (c == NULL) {
		snprintf(err, len, "no call %s", q->argv[2]);
		return -1;
	}
	o = call_row(c, time(NULL));
	add_int(o, "flow", (int64_t)c->flow);
	add_int(o, "media_worker", c->m ? c->m->worker : -1);
	add_int(o, "browser_port", c->m ? c->m->b_port : 0);
	add_int(o, "pbx_port", c->m ? c->m->p_port : 0);
	add_str(o, "pbx_profile", c->trunk ?
	    conf_profile_names[c->trunk->media_profile] : "-");
	*out = o;
	return 0;
}

/* A +sip.instance as people read it: "<urn:uuid:...>" -> urn:uuid:... */
static void
add_instance(json_object *o, const char *inst)
{
	char	buf[256];
	size_t	len;

	if (inst == NULL) {
		add_str(o, "instance", "-");
		return;
	}
	inst += strspn(inst, "\"<");
	len = strcspn(inst, ">\"");
	snprintf(buf, sizeof(buf), "%.*s", (int)len, inst);
	add_str(o, "instance", buf);
}

static int
show_registrations(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	const struct reg_binding	*v;
	json_object			*o;
	time_t				 now = time(NULL);
	size_t				 i;

	*out = json_object_new_array();
	for (i = 0; i < b->reg.nheap; i++) {
		v = b->reg.heap[i];
		o = json_object_new_object();
		add_str(o, "aor", v->aor);
		add_str(o, "contact", v->contact);
		add_int(o, "expires", (int64_t)(v->expires - now));
		add_instance(o, v->instance);
		add_int(o, "reg_id", v->reg_id);
		add_int(o, "flow", (int64_t)v->flow);
		json_object_array_add(*out, o);
	}
	return 0;
}

static int
show_trunks(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	return trunk_ctl_show(b, out);	/* trunk.c: state, host, calls */
}

static int
show_bans(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	struct pol_ban	*v;
	json_object	*o;
	size_t		 i, n;

	*out = json_object_new_array();
	if (b->svc->ctx->policy == NULL ||
	    (v = calloc(BAN_LIST_MAX, sizeof(*v))) == NULL)
		return 0;
	n = policy_ban_list(b->svc->ctx->policy, v, BAN_LIST_MAX,
	    sbc_now_ms());
	for (i = 0; i < n && i < BAN_LIST_MAX; i++) {
		o = json_object_new_object();
		add_str(o, "address", v[i].addr);
		add_int(o, "seconds_left", (int64_t)v[i].seconds_left);
		add_int(o, "level", v[i].level);
		add_str(o, "reason", v[i].reason);
		json_object_array_add(*out, o);
	}
	free(v);
	return 0;
}

static int
call_kill(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	struct call	*c = idmap_get(&b->calls, strtoull(q->argv[2], NULL,
			    10));

	if (c == NULL) {
		snprintf(err, len, "no call %s", q->argv[2]);
		return -1;
	}
	call_end(c, 0, "killed by sbcctl");
	*out = json_object_new_string("killed");
	return 0;
}

/* "192.0.2.1" or "2001:db8::1" as a socket address. */
static int
parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static int
ban_edit(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	struct sockaddr_storage	 ss;
	struct policy		*p = b->svc->ctx->policy;
	int			 add = strcmp(q->argv[1], "add") == 0, rc;

	if (p == NULL || parse_addr(q->argv[2], &ss) == -1) {
		snprintf(err, len, "not an IP address: %s", q->argv[2]);
		return -1;
	}
	rc = add ? policy_ban_add(p, (struct sockaddr *)&ss, BAN_DEFAULT_S,
	    sbc_now_ms()) : policy_ban_del(p, (struct sockaddr *)&ss);
	if (rc == -1) {
		snprintf(err, len, add ? "cannot ban %s" : "%s is not banned",
		    q->argv[2]);
		return -1;
	}
	b2b_policy_gauge(b);
	*out = json_object_new_string(add ? "banned" : "unbanned");
	return 0;
}

static int
trunk_reg(struct b2b *b, struct ctl_query *q, json_object **out,
    char *err, size_t len)
{
	return trunk_ctl_register(b, q->argv[1], q->argv[2], out, err,
	    len);			/* trunk_ctl.c */
}

static const struct {
	const char	*w0, *w1;
	ctl_fn		 fn;
} commands[] = {
	{ "show", "calls", show_calls },
	{ "show", "call", show_call },
	{ "show", "registrations", show_registrations },
	{ "show", "trunks", show_trunks },
	{ "show", "bans", show_bans },
	{ "call", "kill", call_kill },
	{ "ban", "add", ban_edit },
	{ "ban", "del", ban_edit },
	{ "trunk", "register", trunk_reg },
	{ "trunk", "unregister", trunk_reg },
	{ "sip", "trace", b2b_trace_on },	/* on; off ends in ctl */
};

/* CTL_MSG_QUERY from the ctl thread. */
void
b2b_ctl_query(struct b2b *b, struct ctl_query *q)
{
	json_object	*data = NULL;
	char		 err[256] = "unknown command";
	size_t		 i;

	for (i = 0; q->argc >= 2 && i < sizeof(commands) /
	    sizeof(commands[0]); i++) {
		if (strcmp(q->argv[0], commands[i].w0) != 0 ||
		    strcmp(q->argv[1], commands[i].w1) != 0)
			continue;
		if (commands[i].fn(b, q, &data, err, sizeof(err)) == 0) {
			ctl_query_done(q, CTL_OK, data, NULL);
			return;
		}
		break;
	}
	json_object_put(data);
	ctl_query_done(q, CTL_FAILED, NULL, err);
}
