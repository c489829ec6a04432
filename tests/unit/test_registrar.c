/*
 * test_registrar.c: cmocka unit tests for signaling/registrar.c, the
 * bindings store: add/refresh/remove, expiry rules (parameter, header,
 * default, max, 423), "Contact: *", expiry with an injected clock, RFC
 * 3261 Call-ID/CSeq ordering and all-or-nothing requests, RFC 5626
 * instance + reg-id replacement across flows, flow removal, the per-AOR
 * cap, AOR comparison, invalid requests, the drop callback, 10k AORs, and
 * a seeded random run checked against a plain reference array.
 *
 * Thread: pure; single-threaded test binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/registrar.h"

#define T0	((time_t)1700000000)

static const struct reg_limits lim = { 60, 3600, 600 };

struct drops {
	size_t	n[REG_DROP_FREED + 1];
	void	*last;
};

static void
on_drop(void *arg, const struct reg_binding *b, enum reg_drop why)
{
	struct drops	*d = arg;

	assert_non_null(b->contact);
	d->n[why]++;
	d->last = b->opaque;
}

static struct reg_request
req_make(const char *aor, const char *call_id, uint32_t cseq, uint64_t flow,
    const struct reg_contact *c, size_t n, time_t now)
{
	struct reg_request	r;

	memset(&r, 0, sizeof(r));
	r.aor = aor;
	r.call_id = call_id;
	r.cseq = cseq;
	r.flow = flow;
	r.expires = -1;
	r.contacts = c;
	r.ncontacts = n;
	r.max_bindings = 5;
	r.now = now;
	return r;
}

static struct reg_contact
contact(const char *uri, long expires)
{
	struct reg_contact	c;

	memset(&c, 0, sizeof(c));
	c.uri = uri;
	c.expires = expires;
	return c;
}

/* One contact, one REGISTER. */
static int
reg1(struct registrar *reg, const char *aor, const char *cid, uint32_t cseq,
    uint64_t flow, const char *uri, long expires, time_t now)
{
	struct reg_contact	c = contact(uri, expires);
	struct reg_request	r = req_make(aor, cid, cseq, flow, &c, 1, now);

	return reg_apply(reg, &r);
}

static size_t
count(const struct registrar *reg, const char *aor, time_t now)
{
	return reg_lookup(reg, aor, now, NULL, 0);
}

static void
expect_totals(const struct registrar *reg, size_t aors, size_t bindings)
{
	size_t	a, b;

	reg_counts(reg, &a, &b);
	assert_int_equal(a, aors);
	assert_int_equal(b, bindings);
}

/* ------------------------------------------------------------ basics */

static void
test_add_refresh_remove(void **state)
{
	struct registrar		 reg;
	struct drops			 d = { { 0 }, NULL };
	const struct reg_binding	*b[4];
	struct reg_contact		 c = contact("sip:a@x.invalid;transport=ws",
					    300);
	struct reg_request		 r = req_make("alice@example.org", "c1",
					    1, 7, &c, 1, T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, on_drop, &d), 0);
	c.opaque = &d;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(reg_lookup(&reg, "alice@example.org", T0, b, 4), 1);
	assert_string_equal(b[0]->aor, "alice@example.org");
	assert_string_equal(b[0]->contact, "sip:a@x.invalid;transport=ws");
	assert_int_equal(b[0]->flow, 7);
	assert_int_equal(b[0]->expires, T0 + 300);
	assert_string_equal(b[0]->call_id, "c1");
	assert_int_equal(b[0]->cseq, 1);
	assert_ptr_equal(b[0]->opaque, &d);
	assert_null(b[0]->instance);
	expect_totals(&reg, 1, 1);
	/* refresh: same binding object, new values */
	c.opaque = &reg;
	c.expires = 120;
	r.cseq = 2;
	r.now = T0 + 100;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(reg_lookup(&reg, "alice@example.org", T0, b, 4), 1);
	assert_int_equal(b[0]->expires, T0 + 220);
	assert_int_equal(b[0]->cseq, 2);
	assert_ptr_equal(b[0]->opaque, &reg);
	assert_int_equal(d.n[REG_DROP_UPDATED], 1);
	assert_ptr_equal(d.last, &d);
	/* a query changes nothing */
	r.ncontacts = 0;
	r.cseq = 3;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	expect_totals(&reg, 1, 1);
	/* expires=0 removes; removing what is not there is fine */
	r.ncontacts = 1;
	c.expires = 0;
	r.cseq = 4;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(d.n[REG_DROP_REMOVED], 1);
	assert_ptr_equal(d.last, &reg);
	expect_totals(&reg, 0, 0);
	r.cseq = 5;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	expect_totals(&reg, 0, 0);
	reg_free(&reg);
}

static void
test_expires_rules(void **state)
{
	struct registrar		 reg;
	const struct reg_binding	*b[4];
	struct reg_contact		 c[2] = { contact("sip:p@h", -1),
					    contact("sip:q@h", 100) };
	struct reg_request		 r = req_make("u@d", "c", 1, 1, c, 2,
					    T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	/* no parameter, no header: the default; parameter wins */
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(reg_lookup(&reg, "u@d", T0, b, 4), 2);
	assert_int_equal(b[0]->expires, T0 + 100);
	assert_int_equal(b[1]->expires, T0 + 600);
	/* header for the one without parameter; over max: shortened */
	r.expires = 7200;
	r.cseq = 2;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(reg_lookup(&reg, "u@d", T0, b, 4), 2);
	assert_int_equal(b[1]->expires, T0 + 3600);
	assert_int_equal(b[0]->expires, T0 + 100);
	/* too brief: 423, nothing changes, not even the other contact */
	c[1].expires = 59;
	r.expires = 300;
	r.cseq = 3;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_BRIEF);
	assert_int_equal(reg_lookup(&reg, "u@d", T0, b, 4), 2);
	assert_int_equal(b[1]->expires, T0 + 3600);
	assert_int_equal(b[1]->cseq, 2);
	/* huge values are clamped, not overflowed */
	reg_free(&reg);
	assert_int_equal(reg_init(&reg, NULL, NULL, NULL), 0);
	c[1].expires = 0x7fffffffffffL;
	r.cseq = 4;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(reg_lookup(&reg, "u@d", T0, b, 4), 2);
	assert_int_equal(b[0]->expires, T0 + 0x7fffffffL);
	reg_free(&reg);
}

static void
test_wildcard(void **state)
{
	struct registrar	reg;
	struct drops		d = { { 0 }, NULL };
	struct reg_contact	c = contact("sip:x@h", -1);
	struct reg_request	r = req_make("bob@d", "w", 10, 3, NULL, 0,
				    T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, on_drop, &d), 0);
	assert_int_equal(reg1(&reg, "bob@d", "w", 10, 3, "sip:1@h", 300, T0),
	    REG_OK);
	assert_int_equal(reg1(&reg, "bob@d", "o", 1, 4, "sip:2@h", 300, T0),
	    REG_OK);
	assert_int_equal(reg1(&reg, "carol@d", "o", 2, 4, "sip:3@h", 300, T0),
	    REG_OK);
	r.wildcard = 1;
	/* needs Expires: 0 and no other contact */
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.expires = 5;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.expires = 0;
	r.contacts = &c;
	r.ncontacts = 1;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.ncontacts = 0;
	/* same Call-ID as a binding, CSeq not higher: refused whole */
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_ORDER);
	assert_int_equal(count(&reg, "bob@d", T0), 2);
	r.cseq = 11;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "bob@d", T0), 0);
	assert_int_equal(count(&reg, "carol@d", T0), 1);
	assert_int_equal(d.n[REG_DROP_REMOVED], 2);
	expect_totals(&reg, 1, 1);
	/* on an unknown AOR: nothing to do */
	r.aor = "nobody@d";
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	/* "*" as an ordinary contact is refused */
	assert_int_equal(reg1(&reg, "bob@d", "w", 12, 3, "*", 0, T0),
	    REG_ERR_INVALID);
	reg_free(&reg);
	assert_int_equal(d.n[REG_DROP_FREED], 1);
}

/* ------------------------------------------------------------ time */

static void
test_expiry(void **state)
{
	struct registrar	reg;
	struct drops		d = { { 0 }, NULL };
	time_t			when;

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, on_drop, &d), 0);
	assert_int_equal(reg_next_expiry(&reg, &when), -1);
	assert_int_equal(reg1(&reg, "a@d", "c", 1, 1, "sip:1@h", 300, T0),
	    REG_OK);
	assert_int_equal(reg1(&reg, "a@d", "c2", 1, 1, "sip:2@h", 100, T0),
	    REG_OK);
	assert_int_equal(reg1(&reg, "b@d", "c", 1, 2, "sip:3@h", 200, T0),
	    REG_OK);
	assert_int_equal(reg_next_expiry(&reg, &when), 0);
	assert_int_equal(when, T0 + 100);
	assert_int_equal(reg_expire(&reg, T0 + 99), 0);
	/* a binding at its expiry time is gone for lookups already */
	assert_int_equal(count(&reg, "a@d", T0 + 100), 1);
	assert_int_equal(reg_expire(&reg, T0 + 100), 1);
	assert_int_equal(reg_next_expiry(&reg, &when), 0);
	assert_int_equal(when, T0 + 200);
	assert_int_equal(reg_expire(&reg, T0 + 250), 1);
	expect_totals(&reg, 1, 1);
	/* a refresh moves the expiry */
	assert_int_equal(reg1(&reg, "a@d", "c", 2, 1, "sip:1@h", 3000,
	    T0 + 260), REG_OK);
	assert_int_equal(reg_next_expiry(&reg, &when), 0);
	assert_int_equal(when, T0 + 3260);
	assert_int_equal(reg_expire(&reg, T0 + 3259), 0);
	assert_int_equal(reg_expire(&reg, T0 + 3260), 1);
	assert_int_equal(d.n[REG_DROP_EXPIRED], 3);
	expect_totals(&reg, 0, 0);
	assert_int_equal(reg_next_expiry(&reg, &when), -1);
	reg_free(&reg);
}

/* Expired bindings not yet collected neither count nor block the cap. */
static void
test_expired_not_counted(void **state)
{
	struct registrar	reg;
	struct reg_contact	c = contact("sip:new@h", 300);
	struct reg_request	r = req_make("a@d", "n", 1, 9, &c, 1, T0 + 100);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	assert_int_equal(reg1(&reg, "a@d", "c", 1, 1, "sip:old@h", 60, T0),
	    REG_OK);
	r.max_bindings = 1;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "a@d", T0 + 100), 1);
	expect_totals(&reg, 1, 1);
	reg_free(&reg);
}

/* ------------------------------------------------------------ ordering */

static void
test_cseq_order(void **state)
{
	struct registrar		 reg;
	const struct reg_binding	*b[2];
	struct reg_contact		 c[2] = { contact("sip:1@h", 300),
					    contact("sip:2@h", 300) };
	struct reg_request		 r = req_make("a@d", "c", 5, 1, c, 2,
					    T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	assert_int_equal(reg1(&reg, "a@d", "c", 5, 1, "sip:1@h", 300, T0),
	    REG_OK);
	assert_int_equal(reg1(&reg, "a@d", "c", 5, 1, "sip:1@h", 900, T0),
	    REG_ERR_ORDER);
	assert_int_equal(reg1(&reg, "a@d", "c", 4, 1, "sip:1@h", 0, T0),
	    REG_ERR_ORDER);
	assert_int_equal(count(&reg, "a@d", T0), 1);
	/* another Call-ID may use any CSeq */
	assert_int_equal(reg1(&reg, "a@d", "other", 1, 1, "sip:1@h", 900, T0),
	    REG_OK);
	assert_int_equal(reg_lookup(&reg, "a@d", T0, b, 2), 1);
	assert_int_equal(b[0]->expires, T0 + 900);
	assert_string_equal(b[0]->call_id, "other");
	/* all or nothing: sip:2 is new, sip:1 out of order */
	r.call_id = "other";
	r.cseq = 1;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_ORDER);
	assert_int_equal(count(&reg, "a@d", T0), 1);
	r.cseq = 2;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "a@d", T0), 2);
	reg_free(&reg);
}

/* ------------------------------------------------------------ RFC 5626 */

static void
test_outbound_replace(void **state)
{
	struct registrar		 reg;
	struct drops			 d = { { 0 }, NULL };
	const struct reg_binding	*b[4];
	struct reg_contact		 c = contact("sip:r1@x.invalid", 300);
	struct reg_request		 r = req_make("a@d", "c1", 1, 1, &c, 1,
					    T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, on_drop, &d), 0);
	c.instance = "\"<urn:uuid:0001>\"";
	c.reg_id = 1;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	/* the page reloads: new flow, new Call-ID, new Contact URI */
	c.uri = "sip:r2@y.invalid";
	r.call_id = "c2";
	r.flow = 2;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(reg_lookup(&reg, "a@d", T0, b, 4), 1);
	assert_string_equal(b[0]->contact, "sip:r2@y.invalid");
	assert_string_equal(b[0]->instance, "\"<urn:uuid:0001>\"");
	assert_int_equal(b[0]->reg_id, 1);
	assert_int_equal(b[0]->flow, 2);
	assert_int_equal(d.n[REG_DROP_UPDATED], 1);
	/* the old flow closing does not touch it */
	assert_int_equal(reg_remove_flow(&reg, 1), 0);
	assert_int_equal(count(&reg, "a@d", T0), 1);
	/* another reg-id of the same instance is a second binding */
	c.reg_id = 2;
	r.cseq = 2;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "a@d", T0), 2);
	/* same URI without instance/reg-id: matched by URI */
	c.instance = NULL;
	c.reg_id = 0;
	c.expires = 0;
	r.cseq = 3;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "a@d", T0), 1);
	assert_int_equal(reg_remove_flow(&reg, 2), 1);
	expect_totals(&reg, 0, 0);
	reg_free(&reg);
}

static void
test_outbound_single_contact(void **state)
{
	struct registrar	reg;
	struct reg_contact	c[2] = { contact("sip:1@h", 300),
				    contact("sip:2@h", 300) };
	struct reg_request	r = req_make("a@d", "c", 1, 1, c, 2, T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	c[1].instance = "\"<urn:uuid:1>\"";
	c[1].reg_id = 1;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	/* an instance without reg-id is stored, keyed by URI */
	c[1].reg_id = 0;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "a@d", T0), 2);
	reg_free(&reg);
}

/* ------------------------------------------------------------ flows, cap */

static void
test_flow_removal(void **state)
{
	struct registrar	reg;
	struct drops		d = { { 0 }, NULL };
	char			aor[32], uri[32];
	int			i;

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, on_drop, &d), 0);
	/* 6 AORs; flow 10 carries 3 of them twice, flow 11 the rest */
	for (i = 0; i < 6; i++) {
		snprintf(aor, sizeof(aor), "u%d@d", i);
		snprintf(uri, sizeof(uri), "sip:%d@h", i);
		assert_int_equal(reg1(&reg, aor, "c", 1, i < 3 ? 10 : 11, uri,
		    300, T0), REG_OK);
		snprintf(uri, sizeof(uri), "sip:%d-b@h", i);
		assert_int_equal(reg1(&reg, aor, "c", 2, i < 3 ? 10 : 0, uri,
		    300, T0), REG_OK);
	}
	expect_totals(&reg, 6, 12);
	assert_int_equal(reg_remove_flow(&reg, 10), 6);
	assert_int_equal(d.n[REG_DROP_FLOW], 6);
	expect_totals(&reg, 3, 6);
	assert_int_equal(count(&reg, "u1@d", T0), 0);
	assert_int_equal(count(&reg, "u4@d", T0), 2);
	assert_int_equal(reg_remove_flow(&reg, 10), 0);
	assert_int_equal(reg_remove_flow(&reg, 0), 0);	/* "no flow" */
	assert_int_equal(reg_remove_flow(&reg, 11), 3);
	expect_totals(&reg, 3, 3);
	reg_free(&reg);
	assert_int_equal(d.n[REG_DROP_FREED], 3);
}

static void
test_cap(void **state)
{
	struct registrar	reg;
	struct reg_contact	c[2] = { contact("sip:1@h", 0),
				    contact("sip:9@h", 300) };
	struct reg_request	r = req_make("a@d", "x", 1, 1, c, 2, T0);

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	r.max_bindings = 2;
	assert_int_equal(reg1(&reg, "a@d", "c1", 1, 1, "sip:1@h", 300, T0),
	    REG_OK);
	assert_int_equal(reg1(&reg, "a@d", "c2", 1, 2, "sip:2@h", 300, T0),
	    REG_OK);
	c[0].expires = 300;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_FULL);
	assert_int_equal(count(&reg, "a@d", T0), 2);
	/* one out, one in: allowed */
	c[0].expires = 0;
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	assert_int_equal(count(&reg, "a@d", T0), 2);
	/* the cap lowered below what is there: refreshes pass, adds not */
	r.max_bindings = 1;
	r.ncontacts = 1;
	r.cseq = 2;
	c[0] = contact("sip:2@h", 300);
	assert_int_equal(reg_apply(&reg, &r), REG_OK);
	c[0] = contact("sip:3@h", 300);
	r.cseq = 3;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_FULL);
	assert_int_equal(count(&reg, "a@d", T0), 2);
	reg_free(&reg);
}

/* ------------------------------------------------------------ AORs */

static void
test_aor_compare(void **state)
{
	struct registrar		 reg;
	const struct reg_binding	*b[2];

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	assert_int_equal(reg1(&reg, "Alice@Example.ORG", "c", 1, 1, "sip:1@h",
	    300, T0), REG_OK);
	assert_int_equal(reg_lookup(&reg, "Alice@example.org", T0, b, 2), 1);
	assert_string_equal(b[0]->aor, "Alice@example.org");
	assert_int_equal(count(&reg, "alice@example.org", T0), 0);
	assert_int_equal(count(&reg, "Alice@example.org.", T0), 0);
	assert_int_equal(count(&reg, "", T0), 0);
	assert_int_equal(count(&reg, NULL, T0), 0);
	reg_free(&reg);
}

static void
test_invalid(void **state)
{
	struct registrar	 reg;
	struct reg_contact	 c[REG_MAX_CONTACTS + 1];
	struct reg_request	 r;
	char			*big;
	size_t			 i;

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	big = malloc(REG_MAX_URI + 1);
	assert_non_null(big);
	memset(big, 'a', REG_MAX_URI);
	big[REG_MAX_URI] = '\0';
	for (i = 0; i <= REG_MAX_CONTACTS; i++)
		c[i] = contact("sip:1@h", 300);
	r = req_make("a@d", "c", 1, 1, c, 2, T0);
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);	/* dup */
	r.ncontacts = REG_MAX_CONTACTS + 1;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.ncontacts = 1;
	r.call_id = "";
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.call_id = NULL;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.call_id = "c";
	r.aor = "";
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.aor = big;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	r.aor = "a@d";
	c[0].uri = big;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	c[0].uri = "";
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	c[0].uri = NULL;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	c[0].uri = "sip:ok@h";
	c[0].instance = big;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	c[0].instance = NULL;
	r.contacts = NULL;
	assert_int_equal(reg_apply(&reg, &r), REG_ERR_INVALID);
	expect_totals(&reg, 0, 0);
	free(big);
	reg_free(&reg);
}

/* ------------------------------------------------------------ scale */

static void
test_many_aors(void **state)
{
	struct registrar		 reg;
	struct drops			 d = { { 0 }, NULL };
	const struct reg_binding	*b[4];
	char				 aor[32], uri[32];
	int				 i;

	(void)state;
	assert_int_equal(reg_init(&reg, &lim, on_drop, &d), 0);
	for (i = 0; i < 10000; i++) {
		snprintf(aor, sizeof(aor), "user%d@example.org", i);
		snprintf(uri, sizeof(uri), "sip:%d@h.invalid", i);
		assert_int_equal(reg1(&reg, aor, "c", 1, 1 + (uint64_t)i % 100,
		    uri, 60 + i % 600, T0), REG_OK);
	}
	expect_totals(&reg, 10000, 10000);
	for (i = 0; i < 10000; i += 37) {
		snprintf(aor, sizeof(aor), "user%d@example.org", i);
		snprintf(uri, sizeof(uri), "sip:%d@h.invalid", i);
		assert_int_equal(reg_lookup(&reg, aor, T0, b, 4), 1);
		assert_string_equal(b[0]->contact, uri);
	}
	/* i % 600 < 100 expire by T0 + 159: 16 * 100 + 100 */
	assert_int_equal(reg_expire(&reg, T0 + 159), 1700);
	/* i % 100 == 0, less the 17 with i % 600 == 0 already gone */
	assert_int_equal(reg_remove_flow(&reg, 1), 100 - 17);
	reg_counts(&reg, NULL, NULL);	/* NULLs are fine */
	expect_totals(&reg, 10000 - 1700 - 83, 10000 - 1700 - 83);
	assert_int_equal(reg_expire(&reg, T0 + 660), 10000 - 1700 - 83);
	expect_totals(&reg, 0, 0);
	assert_int_equal(d.n[REG_DROP_EXPIRED] + d.n[REG_DROP_FLOW], 10000);
	reg_free(&reg);
}

/* Random operations against a reference array of (aor, uri, expiry). */
#define NA	40
#define NU	4

struct ref {
	time_t	exp[NA][NU];	/* 0: none */
	int	flow[NA][NU];
};

static void
ref_check(const struct registrar *reg, const struct ref *ref, time_t now)
{
	const struct reg_binding	*b[NU];
	char				 aor[16];
	size_t				 n, k, total = 0;
	time_t				 min = 0, when;
	int				 a, u;

	for (a = 0; a < NA; a++) {
		snprintf(aor, sizeof(aor), "r%d@d", a);
		for (n = 0, u = 0; u < NU; u++) {
			if (ref->exp[a][u] == 0)
				continue;
			total++;
			n += ref->exp[a][u] > now;
			if (min == 0 || ref->exp[a][u] < min)
				min = ref->exp[a][u];
		}
		assert_int_equal(reg_lookup(reg, aor, now, b, NU), n);
		for (k = 0; k < n; k++)
			assert_true(b[k]->expires > now);
	}
	assert_int_equal(reg->nbindings, total);
	if (total > 0) {
		assert_int_equal(reg_next_expiry(reg, &when), 0);
		assert_int_equal(when, min);
	}
}

static void
ref_op(struct registrar *reg, struct ref *ref, time_t now, uint32_t cseq)
{
	char	aor[16], uri[16];
	int	a = rand() % NA, u = rand() % NU, f = 1 + rand() % 5, i;
	long	e = rand() % 4 == 0 ? 0 : 60 + rand() % 300;

	snprintf(aor, sizeof(aor), "r%d@d", a);
	snprintf(uri, sizeof(uri), "sip:%d@h", u);
	switch (rand() % 8) {
	case 0:
		reg_remove_flow(reg, (uint64_t)f);
		for (a = 0; a < NA; a++)
			for (i = 0; i < NU; i++)
				if (ref->flow[a][i] == f)
					ref->exp[a][i] = 0;
		break;
	case 1:
		reg_expire(reg, now);
		for (a = 0; a < NA; a++)
			for (i = 0; i < NU; i++)
				if (ref->exp[a][i] <= now)
					ref->exp[a][i] = 0;
		break;
	default:
		assert_int_equal(reg1(reg, aor, "c", cseq, (uint64_t)f, uri, e,
		    now), REG_OK);
		for (i = 0; i < NU; i++)	/* purged on apply */
			if (ref->exp[a][i] <= now)
				ref->exp[a][i] = 0;
		ref->exp[a][u] = e == 0 ? 0 : now + e;
		ref->flow[a][u] = f;
	}
}

static void
test_random_reference(void **state)
{
	struct registrar	reg;
	struct ref		ref;
	time_t			now = T0;
	uint32_t		i;

	(void)state;
	srand(20240601);
	memset(&ref, 0, sizeof(ref));
	assert_int_equal(reg_init(&reg, &lim, NULL, NULL), 0);
	for (i = 1; i <= 20000; i++) {
		now += rand() % 3;
		ref_op(&reg, &ref, now, i);
		if (i % 97 == 0)
			ref_check(&reg, &ref, now);
	}
	ref_check(&reg, &ref, now);
	reg_free(&reg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_refresh_remove),
		cmocka_unit_test(test_expires_rules),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_expired_not_counted),
		cmocka_unit_test(test_cseq_order),
		cmocka_unit_test(test_outbound_replace),
		cmocka_unit_test(test_outbound_single_contact),
		cmocka_unit_test(test_flow_removal),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_aor_compare),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_many_aors),
		cmocka_unit_test(test_random_reference),
	};

	return cmocka_run_group_tests_name("registrar", tests, NULL, NULL);
}
