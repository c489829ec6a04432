/*
 * sdp_rewrite.c: interim SDP rewrite (see sdp_rewrite.h).
 *
 * Owns: nothing after return (result in the caller's home).
 * Thread: "signaling".
 */
#include "config.h"

#include <string.h>

#include <sofia-sip/sdp.h>

#include "signaling/sdp_rewrite.h"

static const char *const ice_attrs[] = {
	"candidate", "remote-candidates", "end-of-candidates",
};

static void
set_conn(sdp_connection_t *c, char *addr, sdp_addrtype_e type)
{
	for (; c != NULL; c = c->c_next) {
		c->c_address = addr;
		c->c_addrtype = type;
		c->c_nettype = sdp_net_in;
	}
}

static void
drop_ice(sdp_attribute_t **list)
{
	size_t	i;

	for (i = 0; i < sizeof(ice_attrs) / sizeof(ice_attrs[0]); i++)
		while (sdp_attribute_remove(list, ice_attrs[i]) != NULL)
			;
}

static void
rewrite(sdp_session_t *s, char *addr, const struct sdp_rewrite *rw)
{
	sdp_addrtype_e	 type = strchr(addr, ':') ? sdp_addr_ip6 : sdp_addr_ip4;
	sdp_media_t	*m;

	if (s->sdp_origin != NULL) {
		s->sdp_origin->o_username = "sbc";
		s->sdp_origin->o_id = rw->session_id;
		set_conn(s->sdp_origin->o_address, addr, type);
	}
	set_conn(s->sdp_connection, addr, type);
	if (rw->drop_ice)
		drop_ice(&s->sdp_attributes);
	for (m = s->sdp_media; m != NULL; m = m->m_next) {
		set_conn(m->m_connections, addr, type);
		if (rw->drop_ice)
			drop_ice(&m->m_attributes);
	}
}

char *
sdp_rewrite(su_home_t *home, const char *sdp, size_t len,
    const struct sdp_rewrite *rw)
{
	sdp_parser_t	*p;
	sdp_printer_t	*pr = NULL;
	sdp_session_t	*s;
	char		*addr, *out = NULL;

	if ((p = sdp_parse(home, sdp, (issize_t)len, sdp_f_strict)) == NULL)
		return NULL;
	if ((s = sdp_session(p)) == NULL || s->sdp_origin == NULL ||
	    s->sdp_media == NULL)
		goto done;
	if ((addr = su_strdup(sdp_parser_home(p), rw->address)) == NULL)
		goto done;
	rewrite(s, addr, rw);
	pr = sdp_print(home, s, NULL, 0, 0);
	if (pr != NULL && sdp_printing_error(pr) == NULL)
		out = su_strdup(home, sdp_message(pr));
done:
	if (pr != NULL)
		sdp_printer_free(pr);
	sdp_parser_free(p);
	return out;
}
