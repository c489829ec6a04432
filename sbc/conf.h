/*
 * conf.h: the configuration snapshot and its loader.
 *
 * A struct sbc_config is immutable once loaded.  The main thread loads a new
 * one on SIGHUP (or `sbcctl reload`), and hands each thread a reference
 * through its queue (SBC_MSG_CONFIG); a thread drops its old reference when
 * it has switched.  The last unref frees the snapshot and all its strings.
 *
 * Owns: every string and array reachable from the snapshot (one arena).
 * Thread: load in main; read from any thread holding a reference.
 * Rule: the loader is pure (no I/O besides reading the file, no logging):
 * errors come back as "FILE:LINE: message" lines in a struct conf_errors.
 */
#ifndef SBC_CONF_H
#define SBC_CONF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/cidr.h"

enum sbc_transport {
	SBC_TP_UDP,
	SBC_TP_TCP,
	SBC_TP_TLS,
	SBC_TP_WS,
	SBC_TP_WSS,
};

enum sbc_media_profile {
	SBC_MP_RTP,
	SBC_MP_SDES,
	SBC_MP_SDES_OPTIONAL,
};

enum sbc_reg_mode {
	SBC_REG_LOCAL,
	SBC_REG_RELAY,
};

enum sbc_over_limit {
	SBC_LIMIT_DROP,
	SBC_LIMIT_REJECT,	/* 503 with Retry-After */
};

struct sbc_strv {
	const char	**v;
	size_t		  n;
};

struct sbc_cidrv {
	struct sbc_cidr	*v;
	size_t		 n;
};

struct sbc_listener {
	const char		*name;
	enum sbc_transport	 transport;
	const char		*address;
	int			 port;
	const char		*advertised;	/* "" when none */
	struct sbc_cidrv	 allow;		/* empty: everyone */
	struct sbc_cidrv	 deny;
	int			 line;
};

struct sbc_tls {
	const char	*certificate;	/* "": self-signed in state_dir */
	const char	*private_key;
	const char	*ca_file;
	const char	*min_version;	/* "1.2" or "1.3" */
	const char	*ciphers;
	const char	*ciphersuites;
};

struct sbc_media {
	int		 workers;		/* 0: one per core */
	int		 port_min;
	int		 port_max;
	int		 browser_port;		/* worker i: + i; 0: per-stream
						   ports; unset: port_min */
	int		 pool_min;		/* derived: first per-stream port */
	int		 io_uring;		/* per-stream sockets on a ring */
	const char	*outside_address;
	const char	*outside_advertised;
	const char	*inside_address;
	const char	*inside_advertised;
	int		 timeout;		/* seconds without packets */
	const char	*dtls_certificate;	/* "": generated at start */
	const char	*dtls_private_key;
};

struct sbc_trunk {
	const char		*name;
	struct sbc_strv		 hosts;		/* "host[:port]" */
	enum sbc_transport	 transport;
	const char		*domain;
	int			 tls_verify;
	int			 reg;
	const char		*username;
	const char		*password;
	const char		*realm;
	int			 expires;
	const char		*outbound_proxy;
	enum sbc_media_profile	 media_profile;
	struct sbc_strv		 srtp_suites;	/* SDES order; empty: ours */
	struct sbc_strv		 codecs;
	int			 max_calls;	/* 0: unlimited */
	int			 cps;		/* 0: unlimited */
	struct sbc_cidrv	 sources;	/* who may send us calls */
	int			 options_interval;
	int			 options_failures;	/* trunk.c: down after N */
	int			 line;
};

struct sbc_route {
	const char	*prefix;	/* on the Request-URI user; "" any */
	const char	*trunk;
	int		 strip;
	const char	*prepend;
	int		 line;
};

struct sbc_domain {
	const char		*name;
	enum sbc_reg_mode	 registrar;
	const char		*trunk;		/* relay mode: where to */
	int			 line;
};

struct sbc_user {
	const char	*name;
	const char	*domain;
	const char	*password;
	int		 max_registrations;
	int		 line;
};

struct sbc_rate {
	int	rate;		/* tokens per second; 0 disables */
	int	burst;
};

struct sbc_policy {
	struct sbc_rate		 register_rate;
	struct sbc_rate		 invite_rate;
	struct sbc_rate		 other_rate;
	struct sbc_rate		 connection_rate;
	int			 max_connections_per_ip;
	enum sbc_over_limit	 over_limit;
	int			 ban_time;	/* seconds */
	int			 ban_threshold;
	int			 ban_window;
	int			 auth_failures;
	struct sbc_strv		 scanner_user_agents;
	int			 max_calls;
	int			 max_cps;
	int			 max_calls_per_user;
	int			 anonymous_calls;	/* callers not of a
							   configured domain */
	int			 tracking_entries;
	int			 max_message_size;
	int			 max_headers;
	int			 max_body_size;
	struct sbc_strv		 allowed_origins;
	struct sbc_strv		 allowed_hosts;	/* WebSocket Host; empty: any */
};

struct sbc_signaling {
	const char	*user_agent;
	struct sbc_strv	 pass_headers;	/* extra headers that cross */
	int		 ws_handshake_timeout;
	int		 ws_idle_timeout;
	int		 max_ws_message;
	int		 session_expires;	/* RFC 4028, PBX leg; 0: off */
	int		 min_se;
};

struct sbc_daemon_conf {
	const char	*user;		/* "": stay who we are */
	const char	*group;
	const char	*pid_file;
	const char	*state_dir;
};

struct sbc_log_conf {
	const char	*level;
	const char	*destination;	/* "stderr" or "syslog" */
	const char	*facility;
};

/* cli.socket's default; sbcctl's too. */
#define SBC_CLI_SOCKET_DEFAULT	"/run/sbc/sbcctl.sock"

struct sbc_cli_conf {
	const char	*socket;	/* "": no UNIX socket */
	const char	*mode_str;	/* octal, as written */
	int		 mode;		/* derived from mode_str */
	const char	*group;
	int		 tcp_port;	/* 0: off; localhost only */
};

struct sbc_snmp_conf {
	int		 enabled;
	const char	*agentx_socket;
	int		 reconnect;
};

/* web: static files on the ws/wss listeners (sbc/webroot.h). */
struct sbc_web_conf {
	int		 enabled;
	const char	*root;		/* "": SBC_WEB_ROOT, set at build */
	int		 max_file_size;	/* bytes; larger files are skipped */
	int		 max_files;	/* over it: nothing is served */
	int		 max_total_size; /* bytes; over it: nothing */
};

struct conf_arena;
struct http_static_table;

/* Where a key was written: for cross-key messages with a line number. */
struct conf_line {
	const void	*addr;		/* the member the key filled */
	int		 line;
};

struct sbc_config {
	atomic_int		 refs;
	struct conf_arena	*arena;
	const char		*source;	/* file name, or "<default>" */
	struct conf_line	*lines;
	size_t			 nlines, caplines;

	struct sbc_daemon_conf	 daemon;
	struct sbc_log_conf	 log;
	struct sbc_tls		 tls;
	struct sbc_listener	*listeners;
	size_t			 nlisteners;
	struct sbc_media	 media;
	struct sbc_signaling	 signaling;
	struct sbc_trunk	*trunks;
	size_t			 ntrunks;
	const char		*default_trunk;
	struct sbc_route	*routes;
	size_t			 nroutes;
	struct sbc_domain	*domains;
	size_t			 ndomains;
	struct sbc_user		*users;
	size_t			 nusers;
	struct sbc_policy	 policy;
	struct sbc_cli_conf	 cli;
	struct sbc_snmp_conf	 snmp;
	struct sbc_web_conf	 web;

	/*
	 * Not from the file: the web root's files, loaded by the daemon
	 * (webroot_attach(), sbc/webroot.h) before the snapshot reaches the
	 * ws-edge thread, so the loader stays pure.  NULL: nothing to serve.
	 * Freed with the snapshot through web_free.
	 */
	struct http_static_table *web_files;
	void			(*web_free)(struct http_static_table *);
};

#define CONF_MAX_ERRORS	32

struct conf_errors {
	size_t	n;
	char	msg[CONF_MAX_ERRORS][256];
	int	truncated;
};

int	sbc_config_load_file(const char *path, struct sbc_config **,
	    struct conf_errors *);
int	sbc_config_load_string(const char *text, const char *name,
	    struct sbc_config **, struct conf_errors *);
int	sbc_config_line(const struct sbc_config *, const void *member);
struct sbc_config *sbc_config_ref(struct sbc_config *);
void	sbc_config_unref(struct sbc_config *);

const struct sbc_trunk *sbc_config_trunk(const struct sbc_config *,
	    const char *name);
const char *sbc_transport_name(enum sbc_transport);

/* The embedded default configuration (generated from etc/sbc-default.conf). */
extern const char sbc_default_config[];

#endif
