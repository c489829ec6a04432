/*
 * conf_schema.c: the configuration schema tables (see conf_schema.h).
 *
 * Owns: const tables only.  Thread: main (loader).
 * Keep in step with etc/sbc.conf and docs/configuration.md.
 */
#include "config.h"

#include "sbc/conf.h"
#include "sbc/conf_schema.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))
#define F(k, kind_, S, m)	.name = k, .kind = kind_, .off = offsetof(S, m)
#define STR(S, k, m, d)		{ F(k, CK_STR, S, m), .def = d }
#define REQSTR(S, k, m)		{ F(k, CK_STR, S, m), .required = 1 }
#define INT(S, k, m, lo, hi, d)	{ F(k, CK_INT, S, m), .min = lo, .max = hi, \
				    .defi = d }
/* an integer whose default conf_check.c derives from others (name) */
#define INTD(S, k, m, lo, hi, name) { F(k, CK_INT, S, m), .min = lo, .max = hi, \
				    .defi = -1, .def = name }
#define REQINT(S, k, m, lo, hi)	{ F(k, CK_INT, S, m), .min = lo, .max = hi, \
				    .required = 1 }
#define BOOL(S, k, m, d)	{ F(k, CK_BOOL, S, m), .defi = d }
#define ENUM(S, k, m, nm, d)	{ F(k, CK_ENUM, S, m), .names = nm, .def = d }
#define REQENUM(S, k, m, nm)	{ F(k, CK_ENUM, S, m), .names = nm, \
				    .required = 1 }
#define CHOICE(S, k, m, nm, d)	{ F(k, CK_STR, S, m), .names = nm, .def = d }
#define STRV(S, k, m)		{ F(k, CK_STRV, S, m) }
#define CIDRV(S, k, m)		{ F(k, CK_CIDRV, S, m) }
#define GROUP(S, k, m, sec)	{ F(k, CK_GROUP, S, m), .sub = &sec }
#define LIST(S, k, m, cnt, sec)	{ F(k, CK_LIST, S, m), .sub = &sec, \
				    .count_off = offsetof(S, cnt) }
#define SECTION(what, fields)	{ what, 0, CONF_NO_LINE, fields, N(fields) }
#define ELEMENT(what, S, fields) \
	{ what, sizeof(S), offsetof(S, line), fields, N(fields) }

const char *const conf_transport_names[] = {
	"udp", "tcp", "tls", "ws", "wss", NULL
};
const char *const conf_profile_names[] = {
	"rtp", "sdes", "sdes-optional", NULL
};
static const char *const reg_mode_names[] = { "local", "relay", NULL };
static const char *const over_limit_names[] = { "drop", "reject", NULL };
static const char *const tls_version_names[] = { "1.2", "1.3", NULL };

#define S struct sbc_daemon_conf
static const struct conf_field daemon_fields[] = {
	STR(S, "user", user, ""),
	STR(S, "group", group, ""),
	STR(S, "pid_file", pid_file, ""),
	STR(S, "state_dir", state_dir, "/var/lib/sbc"),
};
#undef S
static const struct conf_section daemon_sec = SECTION("daemon", daemon_fields);

#define S struct sbc_log_conf
static const struct conf_field log_fields[] = {
	STR(S, "level", level, "info"),
	STR(S, "destination", destination, "stderr"),
	STR(S, "facility", facility, "daemon"),
};
#undef S
static const struct conf_section log_sec = SECTION("log", log_fields);

#define S struct sbc_tls
static const struct conf_field tls_fields[] = {
	STR(S, "certificate", certificate, ""),
	STR(S, "private_key", private_key, ""),
	STR(S, "ca_file", ca_file, ""),
	CHOICE(S, "min_version", min_version, tls_version_names, "1.2"),
	STR(S, "ciphers", ciphers,
	    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"),
	STR(S, "ciphersuites", ciphersuites,
	    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
	    "TLS_CHACHA20_POLY1305_SHA256"),
};
#undef S
static const struct conf_section tls_sec = SECTION("tls", tls_fields);

#define S struct sbc_listener
static const struct conf_field listener_fields[] = {
	REQSTR(S, "name", name),
	REQENUM(S, "transport", transport, conf_transport_names),
	STR(S, "address", address, "127.0.0.1"),
	REQINT(S, "port", port, 1, 65535),
	STR(S, "advertised", advertised, ""),
	CIDRV(S, "allow", allow),
	CIDRV(S, "deny", deny),
};
#undef S
static const struct conf_section listener_sec =
    ELEMENT("listener", struct sbc_listener, listener_fields);

#define S struct sbc_media
static const struct conf_field media_fields[] = {
	INT(S, "workers", workers, 0, 64, 0),
	INT(S, "port_min", port_min, 1024, 65535, 20000),
	INT(S, "port_max", port_max, 1024, 65535, 29999),
	INTD(S, "browser_port", browser_port, 0, 65535, "port_min"),
	BOOL(S, "io_uring", io_uring, 1),
	STR(S, "outside_address", outside_address, "127.0.0.1"),
	STR(S, "outside_advertised", outside_advertised, ""),
	STR(S, "inside_address", inside_address, "127.0.0.1"),
	STR(S, "inside_advertised", inside_advertised, ""),
	INT(S, "timeout", timeout, 5, 86400, 60),
	STR(S, "dtls_certificate", dtls_certificate, ""),
	STR(S, "dtls_private_key", dtls_private_key, ""),
};
#undef S
static const struct conf_section media_sec = SECTION("media", media_fields);

#define S struct sbc_signaling
static const struct conf_field signaling_fields[] = {
	STR(S, "user_agent", user_agent, "sbc"),
	STRV(S, "pass_headers", pass_headers),
	INT(S, "ws_handshake_timeout", ws_handshake_timeout, 1, 300, 10),
	INT(S, "ws_idle_timeout", ws_idle_timeout, 10, 86400, 600),
	INT(S, "max_ws_message", max_ws_message, 1024, 1048576, 65536),
	INT(S, "session_expires", session_expires, 0, 86400, 1800),
	INT(S, "min_se", min_se, 90, 86400, 90),
};
#undef S
static const struct conf_section signaling_sec =
    SECTION("signaling", signaling_fields);

#define S struct sbc_trunk
static const struct conf_field trunk_fields[] = {
	REQSTR(S, "name", name),
	STRV(S, "hosts", hosts),
	ENUM(S, "transport", transport, conf_transport_names, "udp"),
	STR(S, "domain", domain, ""),
	BOOL(S, "tls_verify", tls_verify, 1),
	BOOL(S, "register", reg, 0),
	STR(S, "username", username, ""),
	STR(S, "password", password, ""),
	STR(S, "realm", realm, ""),
	INT(S, "expires", expires, 60, 86400, 3600),
	STR(S, "outbound_proxy", outbound_proxy, ""),
	ENUM(S, "media_profile", media_profile, conf_profile_names, "rtp"),
	STRV(S, "srtp_suites", srtp_suites),
	STRV(S, "codecs", codecs),
	INT(S, "max_calls", max_calls, 0, 1000000, 0),
	INT(S, "cps", cps, 0, 100000, 0),
	CIDRV(S, "sources", sources),
	INT(S, "options_interval", options_interval, 0, 3600, 30),
	INT(S, "options_failures", options_failures, 1, 100, 3),
};
#undef S
static const struct conf_section trunk_sec =
    ELEMENT("trunk", struct sbc_trunk, trunk_fields);

#define S struct sbc_route
static const struct conf_field route_fields[] = {
	STR(S, "prefix", prefix, ""),
	REQSTR(S, "trunk", trunk),
	INT(S, "strip", strip, 0, 32, 0),
	STR(S, "prepend", prepend, ""),
};
#undef S
static const struct conf_section route_sec =
    ELEMENT("route", struct sbc_route, route_fields);

#define S struct sbc_domain
static const struct conf_field domain_fields[] = {
	REQSTR(S, "name", name),
	ENUM(S, "registrar", registrar, reg_mode_names, "local"),
	STR(S, "trunk", trunk, ""),
};
#undef S
static const struct conf_section domain_sec =
    ELEMENT("domain", struct sbc_domain, domain_fields);

#define S struct sbc_user
static const struct conf_field user_fields[] = {
	REQSTR(S, "name", name),
	REQSTR(S, "domain", domain),
	REQSTR(S, "password", password),
	INT(S, "max_registrations", max_registrations, 1, 100, 5),
};
#undef S
static const struct conf_section user_sec =
    ELEMENT("user", struct sbc_user, user_fields);

#define S struct sbc_rate
static const struct conf_field rate_fields[] = {
	INT(S, "rate", rate, 0, 1000000, 0),
	INT(S, "burst", burst, 0, 1000000, 0),
};
#undef S
static const struct conf_section rate_sec = SECTION("rate", rate_fields);

#define S struct sbc_policy
static const struct conf_field policy_fields[] = {
	GROUP(S, "register_rate", register_rate, rate_sec),
	GROUP(S, "invite_rate", invite_rate, rate_sec),
	GROUP(S, "other_rate", other_rate, rate_sec),
	GROUP(S, "connection_rate", connection_rate, rate_sec),
	INT(S, "max_connections_per_ip", max_connections_per_ip, 0, 100000, 0),
	ENUM(S, "over_limit", over_limit, over_limit_names, "drop"),
	INT(S, "ban_time", ban_time, 1, 604800, 600),
	INT(S, "ban_threshold", ban_threshold, 1, 100000, 20),
	INT(S, "ban_window", ban_window, 1, 86400, 60),
	INT(S, "auth_failures", auth_failures, 1, 1000, 5),
	STRV(S, "scanner_user_agents", scanner_user_agents),
	INT(S, "max_calls", max_calls, 0, 1000000, 0),
	INT(S, "max_cps", max_cps, 0, 100000, 0),
	INT(S, "max_calls_per_user", max_calls_per_user, 0, 1000, 0),
	BOOL(S, "anonymous_calls", anonymous_calls, 0),
	INT(S, "tracking_entries", tracking_entries, 16, 10000000, 65536),
	INT(S, "max_message_size", max_message_size, 1024, 1048576, 65536),
	INT(S, "max_headers", max_headers, 8, 1000, 100),
	INT(S, "max_body_size", max_body_size, 0, 1048576, 32768),
	STRV(S, "allowed_origins", allowed_origins),
	STRV(S, "allowed_hosts", allowed_hosts),
};
#undef S
static const struct conf_section policy_sec = SECTION("policy", policy_fields);

#define S struct sbc_cli_conf
static const struct conf_field cli_fields[] = {
	STR(S, "socket", socket, SBC_CLI_SOCKET_DEFAULT),
	STR(S, "mode", mode_str, "0660"),
	STR(S, "group", group, ""),
	INT(S, "tcp_port", tcp_port, 0, 65535, 0),
};
#undef S
static const struct conf_section cli_sec = SECTION("cli", cli_fields);

#define S struct sbc_snmp_conf
static const struct conf_field snmp_fields[] = {
	BOOL(S, "enabled", enabled, 0),
	STR(S, "agentx_socket", agentx_socket, "/var/agentx/master"),
	INT(S, "reconnect", reconnect, 1, 3600, 5),
};
#undef S
static const struct conf_section snmp_sec = SECTION("snmp", snmp_fields);

#define S struct sbc_web_conf
static const struct conf_field web_fields[] = {
	BOOL(S, "enabled", enabled, 0),
	STR(S, "root", root, ""),
	INT(S, "max_file_size", max_file_size, 1024, 67108864, 4194304),
	INT(S, "max_files", max_files, 1, 100000, 1000),
	INT(S, "max_total_size", max_total_size, 1024, 268435456, 33554432),
};
#undef S
static const struct conf_section web_sec = SECTION("web", web_fields);

#define S struct sbc_config
static const struct conf_field root_fields[] = {
	GROUP(S, "daemon", daemon, daemon_sec),
	GROUP(S, "log", log, log_sec),
	GROUP(S, "tls", tls, tls_sec),
	LIST(S, "listeners", listeners, nlisteners, listener_sec),
	GROUP(S, "media", media, media_sec),
	GROUP(S, "signaling", signaling, signaling_sec),
	LIST(S, "trunks", trunks, ntrunks, trunk_sec),
	STR(S, "default_trunk", default_trunk, ""),
	LIST(S, "routes", routes, nroutes, route_sec),
	LIST(S, "domains", domains, ndomains, domain_sec),
	LIST(S, "users", users, nusers, user_sec),
	GROUP(S, "policy", policy, policy_sec),
	GROUP(S, "cli", cli, cli_sec),
	GROUP(S, "snmp", snmp, snmp_sec),
	GROUP(S, "web", web, web_sec),
};
#undef S
const struct conf_section conf_root = SECTION("top level", root_fields);
