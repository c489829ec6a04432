/*
 * sipmsg.c: parse, check, build and serialize SIP messages of the
 * WebSocket legs with Sofia-SIP's msg/sip API (see sipmsg.h).
 *
 * Owns: nothing beyond the msg_t it returns.  Thread: "signaling".
 */
#include "config.h"

#include <string.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/su_tagarg.h>

#include "signaling/sipmsg.h"

msg_t *
sipmsg_parse_loose(const char *buf, size_t len)
{
	return msg_make(sip_default_mclass(), 0, buf, (ssize_t)len);
}

static size_t
count_headers(const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *nl;
	size_t		 n = 0;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl == p || (nl == p + 1 && *p == '\r'))
			break;		/* end of the header block */
		n++;
		p = nl + 1;
	}
	return n;
}

/* The headers every request and response needs (RFC 3261 8.1.1). */
static const char *
missing_header(const sip_t *sip)
{
	if (sip->sip_via == NULL)
		return "no Via";
	if (sip->sip_from == NULL || sip->sip_to == NULL)
		return "no From or To";
	if (sip->sip_call_id == NULL)
		return "no Call-ID";
	if (sip->sip_cseq == NULL)
		return "no CSeq";
	if (sip->sip_request != NULL &&
	    (sip->sip_cseq->cs_method != sip->sip_request->rq_method ||
	    (sip->sip_cseq->cs_method == sip_method_unknown &&
	    strcmp(sip->sip_cseq->cs_method_name,
	    sip->sip_request->rq_method_name) != 0)))
		return "CSeq method differs from the request method";
	return NULL;
}

/* A URI part with white space: Sofia takes "<sip:a@b c>" but prints it
 * back changed, so an answer copying it would not parse (RFC 3261 has no
 * white space inside a URI). */
static int
url_spaced(const url_t *u)
{
	const char	*part[] = { u->url_user, u->url_password, u->url_host,
			    u->url_port, u->url_path, u->url_params,
			    u->url_headers, u->url_fragment };
	size_t		 i;

	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		if (part[i] != NULL && part[i][strcspn(part[i], " \t")] != '\0')
			return 1;
	return 0;
}

static const char *
bad_address(const sip_t *sip)
{
	const sip_contact_t	*m;

	if (url_spaced(sip->sip_from->a_url) || url_spaced(sip->sip_to->a_url))
		return "white space in the From or To URI";
	for (m = sip->sip_contact; m != NULL; m = m->m_next)
		if (url_spaced(m->m_url))
			return "white space in a Contact URI";
	return NULL;
}

static msg_t *
fail(msg_t *m, int st, const char *text, int *status, const char **why)
{
	const sip_t	*sip = m ? sip_object(m) : NULL;

	/* answerable only when it is a request with what a reply copies */
	*status = sip && sip->sip_request && sip->sip_via && sip->sip_cseq &&
	    sip->sip_call_id && sip->sip_from && sip->sip_to ? st : 0;
	*why = text;
	if (m != NULL)
		msg_destroy(m);
	return NULL;
}

msg_t *
sipmsg_parse(const char *buf, size_t len, const struct sipmsg_limits *lim,
    int *status, const char **why)
{
	msg_t		*m;
	const sip_t	*sip;
	const char	*miss;

	*status = 0;
	*why = NULL;
	if (len > lim->max_size)
		return fail(NULL, 513, "message too large", status, why);
	if (count_headers(buf, len) > lim->max_headers)
		return fail(sipmsg_parse_loose(buf, len), 513,
		    "too many header fields", status, why);
	if ((m = sipmsg_parse_loose(buf, len)) == NULL)
		return fail(NULL, 0, "not SIP", status, why);
	sip = sip_object(m);
	if (sip == NULL || (sip->sip_request == NULL && sip->sip_status == NULL))
		return fail(m, 0, "no request or status line", status, why);
	if (msg_extract_errors(m) != 0 || sip->sip_error != NULL)
		return fail(m, 400, "malformed header", status, why);
	if ((miss = missing_header(sip)) != NULL ||
	    (miss = bad_address(sip)) != NULL)
		return fail(m, 400, miss, status, why);
	if (sip->sip_payload != NULL && sip->sip_payload->pl_len > lim->max_body)
		return fail(m, 413, "body too large", status, why);
	return m;
}

msg_t *
sipmsg_response(const sip_t *req, int status, const char *phrase,
    const char *to_tag, tag_type_t tag, tag_value_t value, ...)
{
	msg_t		*r;
	sip_t		*rs;
	su_home_t	*h;
	ta_list		 ta;

	if ((r = msg_create(sip_default_mclass(), 0)) == NULL)
		return NULL;
	rs = sip_object(r);
	h = msg_home(r);
	ta_start(ta, tag, value);
	if (sip_add_tl(r, rs, SIPTAG_STATUS(sip_status_create(h, status,
	    phrase, NULL)), SIPTAG_VIA(req->sip_via), SIPTAG_FROM(req->sip_from),
	    SIPTAG_TO(req->sip_to), SIPTAG_CALL_ID(req->sip_call_id),
	    SIPTAG_CSEQ(req->sip_cseq), ta_tags(ta)) < 0 ||
	    rs->sip_status == NULL || rs->sip_to == NULL) {
		(void)ta_end(ta);
		msg_destroy(r);
		return NULL;
	}
	(void)ta_end(ta);
	if (to_tag != NULL && rs->sip_to->a_tag == NULL && status > 100)
		sip_to_tag(h, rs->sip_to, to_tag);
	return r;
}

int
sipmsg_bytes(msg_t *m, char **out, size_t *len)
{
	sip_t	*sip = sip_object(m);
	size_t	 n = 0;

	if (sip == NULL || sip_complete_message(m) < 0 ||
	    msg_serialize(m, (msg_pub_t *)sip) < 0)
		return -1;
	if ((*out = msg_as_string(msg_home(m), m, NULL, 0, &n)) == NULL)
		return -1;
	*len = n;
	return 0;
}

unsigned long long
sipmsg_hash(const char *s)
{
	unsigned long long	h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}
