/*
 * topo.c: the header allow-list and body copy of topology hiding (see
 * topo.h).  Owns: nothing.  Thread: "signaling".
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>

#include "signaling/topo.h"

struct topo_hdr {
	size_t		off;	/* of the header pointer in sip_t */
	unsigned	dirs;	/* TOPO_TO_PBX | TOPO_TO_BROWSER */
};

#define BOTH	(TOPO_TO_PBX | TOPO_TO_BROWSER)
#define H(field, dirs)	{ offsetof(sip_t, field), dirs }

static const struct topo_hdr pass[] = {
	H(sip_authorization, TOPO_TO_PBX),
	H(sip_proxy_authorization, TOPO_TO_PBX),
	H(sip_www_authenticate, TOPO_TO_BROWSER),
	H(sip_proxy_authenticate, TOPO_TO_BROWSER),
	H(sip_retry_after, TOPO_TO_BROWSER),
	H(sip_subject, BOTH),
	H(sip_priority, BOTH),
	H(sip_reason, BOTH),
	H(sip_accept, BOTH),
	H(sip_content_disposition, BOTH),
};

/* Bodies that may cross as they are (SDP goes through b2b_media). */
static const char *const body_types[] = {
	"application/dtmf-relay",
	"application/dtmf",
};

static int
copy_named(msg_t *msg, sip_t *sip, const sip_t *src,
    const char *const *names, size_t n)
{
	const sip_unknown_t	*u;
	size_t			 i;

	for (u = src->sip_unknown; u != NULL; u = u->un_next)
		for (i = 0; i < n; i++)
			if (u->un_name != NULL &&
			    strcasecmp(u->un_name, names[i]) == 0 &&
			    sip_add_dup(msg, sip, (const sip_header_t *)u) < 0)
				return -1;
	return 0;
}

int
topo_copy_headers(msg_t *msg, sip_t *sip, const sip_t *src,
    enum topo_dir dir, const struct sbc_strv *extra)
{
	const sip_header_t	*h;
	size_t			 i;

	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		if ((pass[i].dirs & dir) == 0)
			continue;
		h = *(sip_header_t * const *)((const char *)src + pass[i].off);
		if (h != NULL && sip_add_dup(msg, sip, h) < 0)
			return -1;
	}
	return extra == NULL ? 0 : copy_named(msg, sip, src, extra->v,
	    extra->n);
}

static int
body_allowed(const char *type)
{
	size_t	i;

	for (i = 0; i < sizeof(body_types) / sizeof(body_types[0]); i++)
		if (strcasecmp(type, body_types[i]) == 0)
			return 1;
	return 0;
}

static int
add_body(msg_t *msg, sip_t *sip, const char *type, const char *data,
    size_t len)
{
	su_home_t	*h = msg_home(msg);

	if (sip_add_make(msg, sip, sip_content_type_class, type) < 0 ||
	    msg_header_insert(msg, (msg_pub_t *)sip,
	    (msg_header_t *)sip_payload_create(h, data, (isize_t)len)) < 0)
		return -1;
	return 0;
}

int
topo_copy_body(msg_t *msg, sip_t *sip, const sip_t *src)
{
	const sip_payload_t	*pl = src->sip_payload;
	const char		*type;

	if (pl == NULL || pl->pl_len == 0 || src->sip_content_type == NULL ||
	    (type = src->sip_content_type->c_type) == NULL ||
	    !body_allowed(type))
		return 0;
	return add_body(msg, sip, type, pl->pl_data, pl->pl_len);
}

int
topo_add_sdp(msg_t *msg, sip_t *sip, const char *sdp)
{
	return add_body(msg, sip, "application/sdp", sdp, strlen(sdp));
}

const char *
topo_sdp_of(const sip_t *sip, size_t *len)
{
	const sip_payload_t	*pl = sip->sip_payload;

	if (pl == NULL || pl->pl_len == 0 || sip->sip_content_type == NULL ||
	    sip->sip_content_type->c_type == NULL ||
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
		return NULL;
	*len = pl->pl_len;
	return pl->pl_data;
}
