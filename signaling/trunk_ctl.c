/*
 * trunk_ctl.c: the trunk answers of sbcctl (called from b2b_ctl.c):
 * `show trunks` (one flat object per trunk: state, last error, host in
 * use, hosts up, registration and its end, calls) and
 * `trunk register|unregister NAME`.  No credentials are ever put in an
 * answer.
 *
 * Owns: nothing.  Thread: "signaling".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "sbc/conf.h"
#include "sbc/conf_schema.h"
#include "signaling/b2b_int.h"
#include "signaling/trunk.h"
#include "signaling/trunk_int.h"

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

/* Calls of the trunk named name in progress, in any state. */
static int64_t
calls_of(struct b2b *b, const char *name)
{
	const struct call	*c;
	int64_t			 n = 0;
	size_t			 i;

	for (i = 0; i < b->calls.cap; i++) {
		if (b->calls.slots[i].id == 0)
			continue;
		c = b->calls.slots[i].val;
		n += c->trunk != NULL && strcmp(c->trunk->name, name) == 0;
	}
	return n;
}

static void
add_registration(json_object *o, const struct tk *tk, time_t now)
{
	char		until[32] = "-";
	struct tm	tm;

	if (tk_reg_live(tk, now) && gmtime_r(&tk->reg_until, &tm) != NULL)
		strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add_str(o, "registration", tk->t->reg ? tk_reg_name(tk->reg) : "-");
	add_str(o, "registered_until", until);
	add_int(o, "expires_in", tk_reg_live(tk, now) ?
	    (int64_t)(tk->reg_until - now) : 0);
}

static json_object *
trunk_row(struct b2b *b, const struct tk *tk, time_t now)
{
	json_object	*o = json_object_new_object();
	int		 host = tk_preferred_host(tk);
	size_t		 i, up = 0;
	char		 buf[32];

	for (i = 0; i < tk->nhosts; i++)
		up += tk->hosts[i].health != TKH_DOWN;
	add_str(o, "name", tk->t->name);
	add_str(o, "state", tk_state_name(tk->state));
	add_str(o, "host", host >= 0 ? tk->hosts[host].hostport : "-");
	snprintf(buf, sizeof(buf), "%zu/%zu", up, tk->nhosts);
	add_str(o, "hosts_up", buf);
	add_str(o, "transport", conf_transport_names[tk->t->transport]);
	add_registration(o, tk, now);
	add_int(o, "calls", calls_of(b, tk->t->name));
	add_int(o, "calls_total", (int64_t)tk->calls_total);
	add_int(o, "calls_failed", (int64_t)tk->calls_failed);
	add_str(o, "media", conf_profile_names[tk->t->media_profile]);
	add_str(o, "last_error", *tk->last_error ? tk->last_error : "-");
	return o;
}

int
trunk_ctl_show(struct b2b *b, json_object **out)
{
	struct trunks	*tks = b->trunks;
	time_t		 now = time(NULL);
	size_t		 i;

	*out = json_object_new_array();
	for (i = 0; tks != NULL && i < tks->n; i++)
		if (tks->v[i] != NULL)
			json_object_array_add(*out, trunk_row(b, tks->v[i], now));
	return 0;
}

int
trunk_ctl_register(struct b2b *b, const char *verb, const char *name,
    json_object **out, char *err, size_t errlen)
{
	struct tk	*tk = tk_find(b->trunks, name);

	if (tk == NULL) {
		snprintf(err, errlen, "no trunk %s", name);
		return -1;
	}
	if (!tk->t->reg) {
		snprintf(err, errlen, "trunk %s does not register "
		    "(register = false)", name);
		return -1;
	}
	if (strcmp(verb, "register") == 0) {
		tk_reg_now(tk);
		*out = json_object_new_string("registering");
	} else {
		tk_reg_unregister(tk);
		*out = json_object_new_string("unregistering");
	}
	return 0;
}
