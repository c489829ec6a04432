/*
 * conf_check.c: cross-key configuration checks (see conf_check.h).
 *
 * Each check reports "FILE:LINE: message" at the line of the offending
 * element and goes on, so one run shows every mistake.
 * Owns: nothing.  Thread: main (loader).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "media/sdes.h"
#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/log.h"

#define ERR(cfg, err, line, ...) \
	conf_error((err), (cfg)->source, (line), __VA_ARGS__)
#define LINE(cfg, member)	sbc_config_line((cfg), &(member))
#define LINE2(cfg, a, b)	(LINE(cfg, a) ? LINE(cfg, a) : LINE(cfg, b))

static int
is_ip(const char *s)
{
	unsigned char	buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

static int
is_stream(enum sbc_transport t)
{
	return t != SBC_TP_UDP;
}

/* "host", "host:port", "[v6]" or "[v6]:port"; port 0 when absent. */
int
conf_split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char	*end, *colon;
	size_t		 len;
	char		*ep;
	long		 p = 0;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		len = (size_t)(end - s - 1);
		s++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return -1;	/* bare IPv6: needs brackets */
		len = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (len == 0 || len >= hostlen)
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	if (colon != NULL) {
		p = strtol(colon + 1, &ep, 10);
		if (colon[1] == '\0' || *ep != '\0' || p < 1 || p > 65535)
			return -1;
	}
	*port = (int)p;
	return 0;
}

static int
is_wildcard(const char *a)
{
	return strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

/* Same port and kind, and addresses that would clash when bound. */
static int
same_socket(const struct sbc_listener *a, const struct sbc_listener *b)
{
	int	v6a = strchr(a->address, ':') != NULL;
	int	v6b = strchr(b->address, ':') != NULL;

	if (a->port != b->port ||
	    is_stream(a->transport) != is_stream(b->transport))
		return 0;
	if (strcmp(a->address, b->address) == 0)
		return 1;
	return v6a == v6b && (is_wildcard(a->address) ||
	    is_wildcard(b->address));
}

static int
check_listeners(struct sbc_config *cfg, struct conf_errors *err)
{
	const struct sbc_listener	*l, *o;
	size_t				 i, j, sip = 0;
	int				 rc = 0;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->transport != SBC_TP_WS && l->transport != SBC_TP_WSS)
			sip++;
		if (!is_ip(l->address)) {
			ERR(cfg, err, l->line, "listener '%s': address \"%s\" "
			    "is not an IP address", l->name, l->address);
			rc = -1;
		}
		for (j = 0; j < i; j++) {
			o = &cfg->listeners[j];
			if (strcmp(o->name, l->name) == 0) {
				ERR(cfg, err, l->line, "listener name '%s' "
				    "already used at line %d", l->name,
				    o->line);
				rc = -1;
			} else if (same_socket(o, l)) {
				ERR(cfg, err, l->line, "listener '%s' binds "
				    "%s port %d like '%s' (line %d)", l->name,
				    l->address, l->port, o->name, o->line);
				rc = -1;
			}
		}
	}
	if (sip == 0) {
		ERR(cfg, err, LINE(cfg, cfg->listeners), "listeners: at least one udp, tcp or tls "
		    "listener is needed toward the PBXs");
		rc = -1;
	}
	return rc;
}

int
conf_media_workers(const struct sbc_config *cfg)
{
	long	n;

	if (cfg->media.workers > 0)
		return cfg->media.workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/*
 * The shared browser ports, one per worker.  Unset, they are the first
 * ports of the range and the per-stream pool (PBX legs) starts above
 * them; set, they must lie outside the range; 0: a port per stream.
 */
static int
browser_ports(struct sbc_config *cfg, struct conf_errors *err)
{
	struct sbc_media	*m = &cfg->media;
	int			 n = conf_media_workers(cfg);

	m->pool_min = m->port_min;
	if (m->browser_port == -1) {
		m->browser_port = m->port_min;
		m->pool_min = m->port_min + n;
		if (m->port_max - m->pool_min >= 3)
			return 0;
		ERR(cfg, err, LINE2(cfg, m->port_max, m->port_min), "media: "
		    "port_min %d .. port_max %d leaves fewer than 4 ports after "
		    "the %d browser ports", m->port_min, m->port_max, n);
		return -1;
	}
	if (m->browser_port == 0)
		return 0;
	if (m->browser_port + n - 1 > 65535 || (m->browser_port + n - 1 >=
	    m->port_min && m->browser_port <= m->port_max)) {
		ERR(cfg, err, LINE(cfg, m->browser_port), "media: browser_port "
		    "%d .. %d (one per worker) must lie outside the port range "
		    "%d .. %d and below 65536", m->browser_port,
		    m->browser_port + n - 1, m->port_min, m->port_max);
		return -1;
	}
	return 0;
}

static int
check_media(struct sbc_config *cfg, struct conf_errors *err)
{
	const struct sbc_media	*m = &cfg->media;
	int			 rc = 0;

	if (m->port_max - m->port_min < 3) {
		ERR(cfg, err, LINE2(cfg, m->port_max, m->port_min), "media: "
		    "port_min %d .. port_max %d leaves fewer than 4 ports",
		    m->port_min, m->port_max);
		rc = -1;
	}
	if (!is_ip(m->outside_address)) {
		ERR(cfg, err, LINE(cfg, m->outside_address), "media: "
		    "outside_address \"%s\" is not an IP address",
		    m->outside_address);
		rc = -1;
	}
	if (!is_ip(m->inside_address)) {
		ERR(cfg, err, LINE(cfg, m->inside_address), "media: "
		    "inside_address \"%s\" is not an IP address",
		    m->inside_address);
		rc = -1;
	}
	if (browser_ports(cfg, err) == -1)
		rc = -1;
	if ((*m->dtls_certificate == '\0') != (*m->dtls_private_key == '\0')) {
		ERR(cfg, err, *m->dtls_certificate == '\0' ?
		    LINE(cfg, m->dtls_private_key) :
		    LINE(cfg, m->dtls_certificate), "media: dtls_certificate and "
		    "dtls_private_key go together");
		rc = -1;
	}
	return rc;
}

static int
check_trunk(struct sbc_config *cfg, const struct sbc_trunk *t,
    struct conf_errors *err)
{
	char	host[256];
	size_t	i;
	int	port, rc = 0;

	if (t->hosts.n == 0) {
		ERR(cfg, err, t->line, "trunk '%s': 'hosts' needs at least "
		    "one host", t->name);
		rc = -1;
	}
	for (i = 0; i < t->hosts.n; i++) {
		if (conf_split_hostport(t->hosts.v[i], host, sizeof(host),
		    &port) == -1) {
			ERR(cfg, err, t->line, "trunk '%s': host \"%s\" is "
			    "not host[:port]", t->name, t->hosts.v[i]);
			rc = -1;
		}
	}
	if (t->transport == SBC_TP_WS || t->transport == SBC_TP_WSS) {
		ERR(cfg, err, t->line, "trunk '%s': transport must be udp, "
		    "tcp or tls", t->name);
		rc = -1;
	}
	for (i = 0; i < t->srtp_suites.n; i++) {
		if (sdes_suite_by_name(t->srtp_suites.v[i]) ==
		    SDES_SUITE_NONE) {
			ERR(cfg, err, t->line, "trunk '%s': unknown SRTP suite "
			    "\"%s\"", t->name, t->srtp_suites.v[i]);
			rc = -1;
		}
	}
	if (t->reg && (*t->username == '\0' || *t->password == '\0')) {
		ERR(cfg, err, t->line, "trunk '%s': register = true needs "
		    "username and password", t->name);
		rc = -1;
	}
	return rc;
}

static int
check_trunks(struct sbc_config *cfg, struct conf_errors *err)
{
	size_t	i, j;
	int	rc = 0;

	for (i = 0; i < cfg->ntrunks; i++) {
		if (check_trunk(cfg, &cfg->trunks[i], err) == -1)
			rc = -1;
		for (j = 0; j < i; j++) {
			if (strcmp(cfg->trunks[i].name,
			    cfg->trunks[j].name) != 0)
				continue;
			ERR(cfg, err, cfg->trunks[i].line, "trunk name '%s' "
			    "already used at line %d", cfg->trunks[i].name,
			    cfg->trunks[j].line);
			rc = -1;
		}
	}
	if (*cfg->default_trunk != '\0' &&
	    sbc_config_trunk(cfg, cfg->default_trunk) == NULL) {
		ERR(cfg, err, LINE(cfg, cfg->default_trunk), "default_trunk '%s' is not a defined trunk",
		    cfg->default_trunk);
		rc = -1;
	}
	return rc;
}

static int
check_routes(struct sbc_config *cfg, struct conf_errors *err)
{
	const struct sbc_route	*r;
	const struct sbc_domain	*d;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < cfg->nroutes; i++) {
		r = &cfg->routes[i];
		if (sbc_config_trunk(cfg, r->trunk) != NULL)
			continue;
		ERR(cfg, err, r->line, "route: trunk '%s' is not defined",
		    r->trunk);
		rc = -1;
	}
	for (i = 0; i < cfg->ndomains; i++) {
		d = &cfg->domains[i];
		if (d->registrar != SBC_REG_RELAY)
			continue;
		if (sbc_config_trunk(cfg, d->trunk) == NULL) {
			ERR(cfg, err, d->line, "domain '%s': relay registrar "
			    "needs an existing 'trunk'", d->name);
			rc = -1;
		}
	}
	return rc;
}

static const struct sbc_domain *
find_domain(const struct sbc_config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->ndomains; i++)
		if (strcmp(cfg->domains[i].name, name) == 0)
			return &cfg->domains[i];
	return NULL;
}

static int
check_users(struct sbc_config *cfg, struct conf_errors *err)
{
	const struct sbc_user	*u, *o;
	size_t			 i, j;
	int			 rc = 0;

	for (i = 0; i < cfg->nusers; i++) {
		u = &cfg->users[i];
		if (find_domain(cfg, u->domain) == NULL) {
			ERR(cfg, err, u->line, "user '%s': domain '%s' is not "
			    "defined in 'domains'", u->name, u->domain);
			rc = -1;
		}
		if (*u->password == '\0') {
			ERR(cfg, err, u->line, "user '%s': empty password",
			    u->name);
			rc = -1;
		}
		for (j = 0; j < i; j++) {
			o = &cfg->users[j];
			if (strcmp(o->name, u->name) == 0 &&
			    strcmp(o->domain, u->domain) == 0) {
				ERR(cfg, err, u->line, "user '%s@%s' already "
				    "defined at line %d", u->name, u->domain,
				    o->line);
				rc = -1;
			}
		}
	}
	return rc;
}

static int
check_log(struct sbc_config *cfg, struct conf_errors *err)
{
	int	rc = 0;

	if (sbc_log_level_parse(cfg->log.level) < 0) {
		ERR(cfg, err, LINE(cfg, cfg->log.level), "log: level must be error, warning, notice, "
		    "info or debug (not \"%s\")", cfg->log.level);
		rc = -1;
	}
	if (strcmp(cfg->log.destination, "stderr") != 0 &&
	    strcmp(cfg->log.destination, "syslog") != 0) {
		ERR(cfg, err, LINE(cfg, cfg->log.destination), "log: destination must be stderr or syslog");
		rc = -1;
	}
	if (sbc_log_facility_parse(cfg->log.facility) < 0) {
		ERR(cfg, err, LINE(cfg, cfg->log.facility), "log: unknown syslog facility \"%s\"",
		    cfg->log.facility);
		rc = -1;
	}
	return rc;
}

static int
check_files(struct sbc_config *cfg, struct conf_errors *err)
{
	if ((*cfg->tls.certificate == '\0') != (*cfg->tls.private_key == '\0')) {
		ERR(cfg, err, *cfg->tls.certificate == '\0' ?
		    LINE(cfg, cfg->tls.private_key) :
		    LINE(cfg, cfg->tls.certificate), "tls: certificate and private_key go "
		    "together (leave both empty for a self-signed one)");
		return -1;
	}
	if ((*cfg->media.dtls_certificate == '\0') !=
	    (*cfg->media.dtls_private_key == '\0')) {
		ERR(cfg, err, *cfg->media.dtls_certificate == '\0' ?
		    LINE(cfg, cfg->media.dtls_private_key) :
		    LINE(cfg, cfg->media.dtls_certificate), "media: "
		    "dtls_certificate and dtls_private_key go together (leave "
		    "both empty for one made at start)");
		return -1;
	}
	if (*cfg->daemon.state_dir == '\0') {
		ERR(cfg, err, LINE(cfg, cfg->daemon.state_dir), "daemon: state_dir must not be empty");
		return -1;
	}
	return 0;
}

static int
check_cli(struct sbc_config *cfg, struct conf_errors *err)
{
	char	*end;
	long	 mode;

	mode = strtol(cfg->cli.mode_str, &end, 8);
	if (*cfg->cli.mode_str == '\0' || *end != '\0' || mode < 0 ||
	    mode > 0777) {
		ERR(cfg, err, LINE(cfg, cfg->cli.mode_str), "cli: mode must be an octal string like "
		    "\"0660\" (not \"%s\")", cfg->cli.mode_str);
		return -1;
	}
	/* connect() needs write permission: o+w is every local user */
	if (mode & 0002) {
		ERR(cfg, err, LINE(cfg, cfg->cli.mode_str), "cli: mode \"%s\" "
		    "lets every local user control the SBC; use \"0660\" and "
		    "cli.group", cfg->cli.mode_str);
		return -1;
	}
	cfg->cli.mode = (int)mode;
	return 0;
}

/* Headers no configuration may carry across: dialog state, routing,
 * framing and who we are (topology hiding), long and compact forms. */
static const char *const own_headers[] = {
	"via", "v", "contact", "m", "record-route", "route", "path",
	"service-route", "call-id", "i", "from", "f", "to", "t", "cseq",
	"max-forwards", "content-length", "l", "content-type", "c",
	"user-agent", "server", "warning", "authorization",
	"proxy-authorization", "www-authenticate", "proxy-authenticate",
	"session-expires", "x", "min-se", "supported", "k", "require",
	"allow",
};

static int
pass_header_ok(const char *name)
{
	size_t	i;

	if (*name == '\0' || name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~")] != '\0')
		return 0;
	for (i = 0; i < sizeof(own_headers) / sizeof(own_headers[0]); i++)
		if (strcasecmp(name, own_headers[i]) == 0)
			return 0;
	return 1;
}

/* RFC 4028: an interval below our own Min-SE would be refused by us. */
static int
check_signaling(struct sbc_config *cfg, struct conf_errors *err)
{
	const struct sbc_signaling	*s = &cfg->signaling;
	size_t				 i;

	for (i = 0; i < s->pass_headers.n; i++) {
		if (pass_header_ok(s->pass_headers.v[i]))
			continue;
		ERR(cfg, err, LINE(cfg, s->pass_headers), "signaling: "
		    "pass_headers: '%s' cannot cross the B2BUA (not a header "
		    "name, or one the SBC owns on each leg)",
		    s->pass_headers.v[i]);
		return -1;
	}

	if (s->session_expires != 0 && s->session_expires < s->min_se) {
		ERR(cfg, err, LINE2(cfg, s->session_expires, s->min_se),
		    "signaling: session_expires %d is below min_se %d (0 "
		    "turns session timers off)", s->session_expires, s->min_se);
		return -1;
	}
	return 0;
}

typedef int (*conf_check_fn)(struct sbc_config *, struct conf_errors *);

static const conf_check_fn checks[] = {
	check_listeners, check_media, check_trunks, check_routes,
	check_users, check_log, check_files, check_cli, check_signaling,
};

int
conf_check(struct sbc_config *cfg, struct conf_errors *err)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i](cfg, err) == -1)
			rc = -1;
	return rc;
}
