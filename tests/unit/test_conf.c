/*
 * test_conf.c: cmocka unit tests for the configuration loader (sbc/conf.c,
 * sbc/conf_schema.c, sbc/conf_check.c): the embedded default and
 * etc/sbc.conf load; every kind of bad input fails with "t.conf:LINE:" of
 * the offending line; reference counting; conf_split_hostport;
 * sbc_config_line.
 *
 * Thread: pure; single-threaded test binary.  Needs $top_srcdir for
 * etc/sbc.conf (falls back to ../etc/sbc.conf).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "sbc/conf.h"
#include "sbc/conf_check.h"

/* One valid listener, for texts that test something else (line 1). */
#define PBX_LISTENER \
	"listeners = ( { name = \"pbx\"; transport = \"udp\";" \
	" port = 5060; } );\n"

static void
dump_errors(const struct conf_errors *err)
{
	size_t	i;

	for (i = 0; i < err->n && i < CONF_MAX_ERRORS; i++)
		print_message("# err[%zu] %s\n", i, err->msg[i]);
}

static struct sbc_config *
load_ok_at(const char *text, int srcline)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;

	if (sbc_config_load_string(text, "t.conf", &cfg, &err) != 0) {
		dump_errors(&err);
		fail_msg("test line %d: the text did not load", srcline);
	}
	assert_non_null(cfg);
	assert_int_equal(err.n, 0);
	return cfg;
}
#define LOAD_OK(t)	load_ok_at((t), __LINE__)

/*
 * The text must fail to load, and the first message must start with
 * exactly "t.conf:LINE:" and contain `word`.
 */
static void
expect_error_at(const char *text, int line, const char *word, int srcline,
    struct conf_errors *errp)
{
	struct sbc_config	*cfg = (struct sbc_config *)&cfg;
	struct conf_errors	 err;
	char			 prefix[32];
	int			 rc;

	rc = sbc_config_load_string(text, "t.conf", &cfg, &err);
	if (rc != -1) {
		if (rc == 0)
			sbc_config_unref(cfg);
		fail_msg("test line %d: loaded (rc %d), expected an error",
		    srcline, rc);
	}
	assert_null(cfg);
	if (err.n == 0)
		fail_msg("test line %d: rc -1 without a message", srcline);
	snprintf(prefix, sizeof(prefix), "t.conf:%d:", line);
	if (strncmp(err.msg[0], prefix, strlen(prefix)) != 0 ||
	    strstr(err.msg[0], word) == NULL) {
		dump_errors(&err);
		fail_msg("test line %d: expected \"%s ...%s...\", got \"%s\"",
		    srcline, prefix, word, err.msg[0]);
	}
	if (errp != NULL)
		*errp = err;
}
#define EXPECT_ERROR(t, l, w) \
	expect_error_at((t), (l), (w), __LINE__, NULL)

/* ------------------------------------------------------------ good files */

static void
test_default(void **state)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;
	const struct sbc_trunk	*t;

	(void)state;
	if (sbc_config_load_string(sbc_default_config, "<default>", &cfg,
	    &err) != 0) {
		dump_errors(&err);
		fail_msg("the embedded default does not load");
	}
	assert_non_null(cfg);
	assert_string_equal(cfg->source, "<default>");

	assert_int_equal(cfg->nlisteners, 4);
	assert_string_equal(cfg->listeners[0].name, "browsers-wss");
	assert_int_equal(cfg->listeners[0].transport, SBC_TP_WSS);
	assert_int_equal(cfg->listeners[0].port, 8443);
	assert_string_equal(cfg->listeners[0].address, "127.0.0.1");
	assert_string_equal(cfg->listeners[0].advertised, "");
	assert_int_equal(cfg->listeners[0].allow.n, 0);
	assert_int_equal(cfg->listeners[2].transport, SBC_TP_UDP);
	assert_int_equal(cfg->listeners[3].transport, SBC_TP_TCP);
	assert_int_equal(cfg->listeners[3].port, 5060);
	assert_int_equal(cfg->listeners[0].line, 15);
	assert_int_equal(cfg->listeners[3].line, 18);

	assert_int_equal(cfg->ntrunks, 1);
	t = sbc_config_trunk(cfg, "demo-pbx");
	assert_non_null(t);
	assert_ptr_equal(t, &cfg->trunks[0]);
	assert_null(sbc_config_trunk(cfg, "demo"));
	assert_int_equal(t->hosts.n, 1);
	assert_string_equal(t->hosts.v[0], "127.0.0.1:5080");
	assert_string_equal(t->domain, "pbx.local");
	assert_int_equal(t->transport, SBC_TP_UDP);
	assert_int_equal(t->media_profile, SBC_MP_RTP);
	assert_int_equal(t->tls_verify, 1);
	assert_int_equal(t->reg, 0);
	assert_int_equal(t->expires, 3600);
	assert_int_equal(t->options_interval, 30);
	assert_string_equal(cfg->default_trunk, "demo-pbx");
	assert_int_equal(cfg->nroutes, 0);
	assert_int_equal(cfg->ndomains, 0);
	assert_int_equal(cfg->nusers, 0);

	/* defaults of keys the default file does not write */
	assert_int_equal(cfg->media.timeout, 60);
	assert_int_equal(cfg->media.workers, 0);
	assert_int_equal(cfg->media.port_min, 20000);
	assert_int_equal(cfg->media.port_max, 29999);
	assert_int_equal(cfg->policy.max_message_size, 65536);
	assert_int_equal(cfg->policy.max_headers, 100);
	assert_int_equal(cfg->policy.over_limit, SBC_LIMIT_DROP);
	assert_int_equal(cfg->policy.register_rate.rate, 0);
	assert_int_equal(cfg->policy.allowed_origins.n, 4);
	assert_string_equal(cfg->policy.allowed_origins.v[3],
	    "http://localhost:8080");
	assert_string_equal(cfg->cli.mode_str, "0660");
	assert_int_equal(cfg->cli.mode, 0660);
	assert_string_equal(cfg->cli.socket, "/run/sbc/sbcctl.sock");
	assert_string_equal(cfg->tls.min_version, "1.2");
	assert_string_equal(cfg->tls.certificate, "");
	assert_string_equal(cfg->log.level, "info");
	assert_string_equal(cfg->log.destination, "stderr");
	assert_string_equal(cfg->daemon.state_dir, "/var/lib/sbc");
	assert_string_equal(cfg->signaling.user_agent, "sbc");
	assert_int_equal(cfg->signaling.pass_headers.n, 0);
	assert_int_equal(cfg->signaling.max_ws_message, 65536);
	assert_int_equal(cfg->snmp.enabled, 0);
	assert_int_equal(cfg->snmp.reconnect, 5);

	assert_string_equal(sbc_transport_name(SBC_TP_WSS), "wss");
	assert_string_equal(sbc_transport_name(SBC_TP_UDP), "udp");
	assert_string_equal(sbc_transport_name((enum sbc_transport)5), "?");
	sbc_config_unref(cfg);
}

static void
test_sample_file(void **state)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;
	const char		*top = getenv("top_srcdir");
	char			 path[4096];
	struct sbc_cidr		 want;

	(void)state;
	if (top != NULL && *top != '\0')
		snprintf(path, sizeof(path), "%s/etc/sbc.conf", top);
	else
		snprintf(path, sizeof(path), "../etc/sbc.conf");
	if (access(path, R_OK) != 0) {
		print_message("# %s not found: set top_srcdir\n", path);
		skip();
	}
	if (sbc_config_load_file(path, &cfg, &err) != 0) {
		dump_errors(&err);
		fail_msg("%s does not load", path);
	}
	assert_non_null(cfg);
	assert_string_equal(cfg->source, path);
	assert_int_equal(cfg->nlisteners, 2);
	assert_string_equal(cfg->listeners[0].name, "browsers");
	assert_int_equal(cfg->listeners[0].transport, SBC_TP_WSS);
	assert_string_equal(cfg->listeners[0].address, "0.0.0.0");
	assert_int_equal(cfg->listeners[0].port, 443);
	assert_string_equal(cfg->listeners[1].name, "pbx");
	assert_int_equal(cfg->listeners[1].allow.n, 1);
	assert_int_equal(sbc_cidr_parse("10.0.0.0/24", &want), 0);
	assert_memory_equal(&cfg->listeners[1].allow.v[0], &want,
	    sizeof(want));
	assert_int_equal(cfg->ntrunks, 1);
	assert_string_equal(cfg->trunks[0].name, "pbx");
	assert_string_equal(cfg->trunks[0].hosts.v[0], "10.0.0.20:5060");
	assert_string_equal(cfg->default_trunk, "pbx");
	assert_string_equal(cfg->media.outside_address, "203.0.113.10");
	assert_string_equal(cfg->media.inside_address, "10.0.0.10");
	assert_int_equal(cfg->nroutes, 0);
	assert_int_equal(cfg->ndomains, 0);
	assert_int_equal(cfg->nusers, 0);
	assert_int_equal(cfg->policy.allowed_origins.n, 1);
	assert_int_equal(cfg->cli.mode, 0660);
	/* lines of the real file */
	assert_int_equal(sbc_config_line(cfg, &cfg->default_trunk), 112);
	assert_int_equal(sbc_config_line(cfg, &cfg->listeners[1].port), 53);
	sbc_config_unref(cfg);
}

static void
test_minimal_and_features(void **state)
{
	struct sbc_config	*cfg;

	(void)state;
	/* one udp listener is a whole configuration */
	cfg = LOAD_OK(PBX_LISTENER);
	assert_int_equal(cfg->nlisteners, 1);
	assert_string_equal(cfg->listeners[0].address, "127.0.0.1");
	assert_int_equal(cfg->ntrunks, 0);
	assert_string_equal(cfg->default_trunk, "");
	sbc_config_unref(cfg);

	/* everything that refers to something else, all resolved */
	cfg = LOAD_OK(
	    PBX_LISTENER
	    "trunks = ( { name = \"a\"; hosts = [ \"[2001:db8::1]:5061\","
	    " \"pbx.example.com\" ]; transport = \"tls\";"
	    " register = true; username = \"u\"; password = \"p\";"
	    " media_profile = \"sdes-optional\";"
	    " sources = [ \"10.0.0.1\" ]; } );\n"
	    "default_trunk = \"a\";\n"
	    "routes = ( { prefix = \"9\"; trunk = \"a\"; strip = 1; } );\n"
	    "domains = ( { name = \"d.example\"; },\n"
	    "  { name = \"r.example\"; registrar = \"relay\";"
	    " trunk = \"a\"; } );\n"
	    "users = ( { name = \"alice\"; domain = \"d.example\";"
	    " password = \"x\"; } );\n"
	    "tls = { certificate = \"/c.pem\"; private_key = \"/k.pem\";"
	    " min_version = \"1.3\"; };\n"
	    "cli = { mode = \"0600\"; };\n"
	    "policy = { over_limit = \"reject\"; invite_rate = { rate = 5;"
	    " burst = 10; }; };\n"
	    "media = { workers = 64; port_min = 1024; port_max = 1027;"
	    " browser_port = 0; };\n");
	assert_int_equal(cfg->trunks[0].transport, SBC_TP_TLS);
	assert_int_equal(cfg->trunks[0].media_profile, SBC_MP_SDES_OPTIONAL);
	assert_int_equal(cfg->trunks[0].reg, 1);
	assert_int_equal(cfg->trunks[0].sources.n, 1);
	assert_int_equal(cfg->nroutes, 1);
	assert_int_equal(cfg->routes[0].strip, 1);
	assert_int_equal(cfg->routes[0].line, 4);
	assert_int_equal(cfg->ndomains, 2);
	assert_int_equal(cfg->domains[1].registrar, SBC_REG_RELAY);
	assert_int_equal(cfg->domains[1].line, 6);
	assert_int_equal(cfg->users[0].max_registrations, 5);
	assert_string_equal(cfg->tls.min_version, "1.3");
	assert_int_equal(cfg->cli.mode, 0600);
	assert_int_equal(cfg->policy.over_limit, SBC_LIMIT_REJECT);
	assert_int_equal(cfg->policy.invite_rate.burst, 10);
	assert_int_equal(cfg->media.workers, 64);
	sbc_config_unref(cfg);
}

static void
test_udp_tcp_same_port(void **state)
{
	struct sbc_config	*cfg;

	(void)state;
	/* udp and tcp on one address and port are two sockets: valid */
	cfg = LOAD_OK(
	    "listeners = (\n"
	    "  { name = \"u\"; transport = \"udp\"; port = 5060; },\n"
	    "  { name = \"t\"; transport = \"tcp\"; port = 5060; }\n"
	    ");\n");
	assert_int_equal(cfg->nlisteners, 2);
	sbc_config_unref(cfg);

	/* two stream listeners on different addresses: valid */
	cfg = LOAD_OK(
	    "listeners = (\n"
	    "  { name = \"u\"; transport = \"tcp\"; port = 5060; },\n"
	    "  { name = \"t\"; transport = \"ws\"; address = \"127.0.0.2\";"
	    " port = 5060; }\n"
	    ");\n");
	sbc_config_unref(cfg);
}

/* ------------------------------------------------------------- bad files */

static void
test_syntax_error(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  port_min = = 20000;\n"
	    "};\n", 3, "syntax error");
	/* a key written twice is refused by libconfig */
	EXPECT_ERROR(
	    PBX_LISTENER
	    "default_trunk = \"\";\n"
	    "default_trunk = \"\";\n", 3, "duplicate");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "colour = \"blue\";\n", 2, "unknown key 'colour'");
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\"; port = 5060;\n"
	    "    portt = 5061; }\n"
	    ");\n", 3, "unknown key 'portt' in listener");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "policy = {\n"
	    "  invite_rate = { rate = 1;\n"
	    "    brust = 2; };\n"
	    "};\n", 4, "unknown key 'brust'");
}

static void
test_wrong_type(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\";\n"
	    "    port = \"5060\"; }\n"
	    ");\n", 3, "'port' must be an integer");
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\"; port = 5060;\n"
	    "    address = 127; }\n"
	    ");\n", 3, "'address' must be a string");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\";\n"
	    "    hosts = \"10.0.0.1\"; }\n"
	    ");\n", 4, "array");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\";\n"
	    "    hosts = [ 1, 2 ]; }\n"
	    ");\n", 4, "only strings");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "snmp = {\n"
	    "  enabled = 1;\n"
	    "};\n", 3, "true or false");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "signaling = {\n"
	    "  pass_headers = [ \"X-Account\", \"Via\" ];\n"
	    "};\n", 3, "'Via' cannot cross");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "signaling = {\n"
	    "  pass_headers = [ \"X-A: b\" ];\n"
	    "};\n", 3, "not a header name");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = 5;\n", 2, "must be a group");
	EXPECT_ERROR(
	    "listeners = { name = \"pbx\"; };\n", 1, "list");
	EXPECT_ERROR(
	    "listeners = ( 5 );\n", 1, "must be a group");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = { timeout = 60.5; };\n", 2, "must be an integer");
}

static void
test_out_of_range(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\";\n"
	    "    port = 70000; }\n"
	    ");\n", 3, "between 1 and 65535");
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\";\n"
	    "    port = 0; }\n"
	    ");\n", 3, "between");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = 1000;\n"
	    "};\n", 3, "'workers' must be between 0 and 64");
	/* a 64-bit value does not wrap into range */
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = 4294967297L;\n"
	    "};\n", 3, "between");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = -1;\n"
	    "};\n", 3, "between");
}

static void
test_missing_required(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\"; }\n"
	    ");\n", 2, "missing required key 'port'");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { hosts = [ \"10.0.0.1\" ]; }\n"
	    ");\n", 3, "missing required key 'name'");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "routes = (\n"
	    "  { prefix = \"9\"; }\n"
	    ");\n", 3, "missing required key 'trunk'");
}

static void
test_bad_enum(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; port = 5060;\n"
	    "    transport = \"sctp\"; }\n"
	    ");\n", 3, "\"sctp\"");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\"; hosts = [ \"10.0.0.1\" ];\n"
	    "    media_profile = \"zrtp\"; }\n"
	    ");\n", 4, "must be one of: rtp, sdes, sdes-optional");
	/* enums are case-sensitive */
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; port = 5060; transport = \"UDP\"; }\n"
	    ");\n", 2, "must be one of");
}

static void
test_bad_cidr(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\"; port = 5060;\n"
	    "    allow = [ \"10.0.0.0/8\",\n"
	    "              \"10.0.0.0/33\",\n"
	    "              \"::1\" ]; }\n"
	    ");\n", 4, "\"10.0.0.0/33\" is not an address");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = ( { name = \"a\"; hosts = [ \"10.0.0.1\" ];\n"
	    "  sources = [ \"pbx.example.com\" ]; } );\n", 3,
	    "not an address");
}

static void
test_unknown_trunk(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = ( { name = \"a\"; hosts = [ \"10.0.0.1\" ]; } );\n"
	    "routes = (\n"
	    "  { prefix = \"9\"; trunk = \"a\"; },\n"
	    "  { prefix = \"0\"; trunk = \"b\"; }\n"
	    ");\n", 5, "trunk 'b' is not defined");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = ( { name = \"a\"; hosts = [ \"10.0.0.1\" ]; } );\n"
	    "\n"
	    "default_trunk = \"b\";\n", 4, "default_trunk 'b'");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = ( { name = \"a\"; hosts = [ \"10.0.0.1\" ]; } );\n"
	    "domains = (\n"
	    "  { name = \"r\"; registrar = \"relay\"; trunk = \"c\"; }\n"
	    ");\n", 4, "relay");
}

static void
test_listener_conflicts(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\"; port = 5060; },\n"
	    "  { name = \"pbx\"; transport = \"tcp\"; port = 5061; }\n"
	    ");\n", 3, "'pbx' already used at line 2");
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"t\"; transport = \"tcp\"; port = 5060; },\n"
	    "  { name = \"w\"; transport = \"ws\"; port = 5060; }\n"
	    ");\n", 3, "binds");
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"u\"; transport = \"udp\"; port = 5060; },\n"
	    "  { name = \"u2\"; transport = \"udp\"; port = 5060; }\n"
	    ");\n", 3, "binds");
	EXPECT_ERROR(
	    "listeners = (\n"
	    "  { name = \"u\"; transport = \"udp\"; port = 5060;\n"
	    "    address = \"localhost\"; }\n"
	    ");\n", 2, "not an IP address");
}

static void
test_no_sip_listener(void **state)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;

	(void)state;
	EXPECT_ERROR(
	    "\n"
	    "listeners = (\n"
	    "  { name = \"w\"; transport = \"ws\"; port = 8080; },\n"
	    "  { name = \"s\"; transport = \"wss\"; port = 8443; }\n"
	    ");\n", 2, "at least one udp, tcp or tls");
	EXPECT_ERROR(
	    "log = {};\n"
	    "listeners = ();\n", 2, "at least one");
	/* no listeners key at all: no line to point at */
	assert_int_equal(sbc_config_load_string("", "t.conf", &cfg, &err), -1);
	assert_null(cfg);
	assert_true(err.n >= 1);
	assert_non_null(strstr(err.msg[0], "at least one"));
}

static void
test_users_and_trunks(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "domains = ( { name = \"d.example\"; } );\n"
	    "users = (\n"
	    "  { name = \"alice\"; domain = \"d.example\";"
	    " password = \"x\"; },\n"
	    "  { name = \"bob\"; domain = \"e.example\"; password = \"x\"; }\n"
	    ");\n", 5, "domain 'e.example' is not defined");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "domains = ( { name = \"d\"; } );\n"
	    "users = (\n"
	    "  { name = \"alice\"; domain = \"d\"; password = \"\"; }\n"
	    ");\n", 4, "empty password");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\"; hosts = [ \"10.0.0.1\" ];\n"
	    "    register = true; username = \"u\"; }\n"
	    ");\n", 3, "password");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\"; hosts = [ ]; }\n"
	    ");\n", 3, "at least one host");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\"; hosts = [ \"10.0.0.1:0\" ]; }\n"
	    ");\n", 3, "not host[:port]");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\"; hosts = [ \"10.0.0.1\" ];"
	    " transport = \"ws\"; }\n"
	    ");\n", 3, "transport");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "trunks = (\n"
	    "  { name = \"a\"; hosts = [ \"10.0.0.1\" ]; },\n"
	    "  { name = \"a\"; hosts = [ \"10.0.0.2\" ]; }\n"
	    ");\n", 4, "already used at line 3");
}

static void
test_cli_mode(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = \"999\";\n"
	    "};\n", 3, "octal");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = \"rw\";\n"
	    "};\n", 3, "octal");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = \"\";\n"
	    "};\n", 3, "octal");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = \"01000\";\n"
	    "};\n", 3, "octal");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = 660;\n"
	    "};\n", 3, "string");
	/* o+w: any local user could connect and control the SBC */
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = \"0666\";\n"
	    "};\n", 3, "every local user");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "cli = {\n"
	    "  mode = \"0662\";\n"
	    "};\n", 3, "every local user");
}

/* Group-only and owner-only modes stay valid, and are parsed as octal. */
static void
test_cli_mode_ok(void **state)
{
	struct sbc_config	*cfg;

	(void)state;
	cfg = LOAD_OK(PBX_LISTENER "cli = { mode = \"0664\"; };\n");
	assert_int_equal(cfg->cli.mode, 0664);
	sbc_config_unref(cfg);
	cfg = LOAD_OK(PBX_LISTENER "cli = { mode = \"0600\"; };\n");
	assert_int_equal(cfg->cli.mode, 0600);
	sbc_config_unref(cfg);
}

/* media.dtls_certificate and dtls_private_key: both or neither. */
static void
test_dtls_pair(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  dtls_certificate = \"/etc/sbc/dtls.pem\";\n"
	    "};\n", 3, "dtls_private_key");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  dtls_private_key = \"/etc/sbc/dtls-key.pem\";\n"
	    "};\n", 3, "dtls_certificate");
}

/*
 * Regression test (bug fixed in sbc/conf.c, record_line/sbc_config_line): a group key and the first
 * member of its struct have the same address (offset 0), and
 * sbc_config_line returns the first record, the group's.  So
 * tls.certificate, log.level, media.workers, cli.socket, daemon.user ...
 * report the line of "tls = {", "log = {" ... instead of their own.
 * Here: certificate on line 3, reported at line 2.
 */
static void
test_tls(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "tls = {\n"
	    "  certificate = \"/etc/sbc/cert.pem\";\n"
	    "};\n", 3, "private_key");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "tls = {\n"
	    "  min_version = \"1.1\";\n"
	    "};\n", 3, "\"1.1\"");
}

/*
 * Regression test (bug fixed in sbc/conf_check.c, check_files): the certificate/private_key pair
 * error is reported at LINE(tls.certificate); when only private_key is
 * written that is line 0 (or, with the record_line bug above, the line of
 * "tls = {") instead of the private_key line.
 */
static void
test_tls_key_without_cert(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "tls = {\n"
	    "  private_key = \"/etc/sbc/key.pem\";\n"
	    "};\n", 3, "certificate");
}

/*
 * Regression test (bug fixed in sbc/conf_check.c, check_media): the port range error is reported at
 * LINE(media.port_max); when only port_min is written (port_max keeps its
 * default 29999) that is line 0 instead of the port_min line.
 */
static void
test_media_range_line(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  port_min = 30000;\n"
	    "  port_max = 30001;\n"
	    "};\n", 4, "fewer than 4 ports");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  port_min = 29998;\n"
	    "};\n", 3, "fewer than 4 ports");
}

/*
 * media.browser_port: unset, the range's first ports (one per worker) and
 * the per-stream pool above them; 0, per-stream ports from the whole
 * range; set, outside the range, all workers' ports counted.
 */
static void
test_media_browser_port(void **state)
{
	struct sbc_config	*cfg;

	(void)state;
	cfg = LOAD_OK(PBX_LISTENER
	    "media = { workers = 2; port_min = 30000; port_max = 30099; };\n");
	assert_int_equal(cfg->media.browser_port, 30000);
	assert_int_equal(cfg->media.pool_min, 30002);
	sbc_config_unref(cfg);
	cfg = LOAD_OK(PBX_LISTENER
	    "media = { workers = 2; port_min = 30000; port_max = 30099;"
	    " browser_port = 0; };\n");
	assert_int_equal(cfg->media.browser_port, 0);
	assert_int_equal(cfg->media.pool_min, 30000);
	sbc_config_unref(cfg);
	cfg = LOAD_OK(PBX_LISTENER
	    "media = { workers = 2; port_min = 30000; port_max = 30099;"
	    " browser_port = 40000; };\n");
	assert_int_equal(cfg->media.browser_port, 40000);
	assert_int_equal(cfg->media.pool_min, 30000);
	sbc_config_unref(cfg);
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = 2; port_min = 30000; port_max = 30099;\n"
	    "  browser_port = 29999;\n"
	    "};\n", 4, "outside the port range");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = 4; browser_port = 65533;\n"
	    "};\n", 3, "below 65536");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = 2; port_min = 30000;\n"
	    "  port_max = 30004;\n"
	    "};\n", 4, "after the 2 browser ports");
}

/*
 * Regression test (bug fixed in sbc/conf_check.c, check_media): a bad inside_address is reported at
 * LINE(media.outside_address): line 0 when outside_address is not written,
 * and the wrong line when it is.
 */
static void
test_media_address_line(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  outside_address = \"pbx.example.com\";\n"
	    "};\n", 3, "IP address");
	EXPECT_ERROR(
	    PBX_LISTENER
	    "media = {\n"
	    "  inside_address = \"pbx.example.com\";\n"
	    "};\n", 3, "IP address");
}

static void
test_several_errors(void **state)
{
	struct conf_errors	err;

	(void)state;
	/* schema errors: all reported, in file order */
	expect_error_at(
	    "listeners = (\n"
	    "  { name = \"pbx\"; transport = \"udp\"; port = 70000; }\n"
	    ");\n"
	    "media = { workers = 1000; };\n"
	    "colour = 1;\n", 2, "port", __LINE__, &err);
	assert_int_equal(err.n, 3);
	assert_true(strncmp(err.msg[1], "t.conf:4:", 9) == 0);
	assert_true(strncmp(err.msg[2], "t.conf:5:", 9) == 0);
	assert_int_equal(err.truncated, 0);

	/* cross-key errors: all reported too */
	expect_error_at(
	    PBX_LISTENER
	    "default_trunk = \"nope\";\n"
	    "cli = { mode = \"rw\"; };\n", 2, "default_trunk", __LINE__,
	    &err);
	assert_true(err.n >= 2);
	assert_true(strncmp(err.msg[1], "t.conf:3:", 9) == 0);
}

static void
test_error_limit(void **state)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;
	char			 text[4096];
	size_t			 used;
	int			 i, n;

	(void)state;
	used = 0;
	n = snprintf(text, sizeof(text), "%s", PBX_LISTENER);
	assert_true(n > 0);
	used = (size_t)n;
	for (i = 0; i < CONF_MAX_ERRORS + 8; i++) {
		n = snprintf(text + used, sizeof(text) - used, "bad%d = 1;\n",
		    i);
		assert_true(n > 0 && (size_t)n < sizeof(text) - used);
		used += (size_t)n;
	}
	assert_int_equal(sbc_config_load_string(text, "t.conf", &cfg, &err),
	    -1);
	assert_null(cfg);
	assert_int_equal(err.n, CONF_MAX_ERRORS);
	assert_int_equal(err.truncated, 1);
	assert_string_equal(err.msg[0],
	    "t.conf:2: unknown key 'bad0' in top level");
	assert_true(strncmp(err.msg[CONF_MAX_ERRORS - 1], "t.conf:33:", 10) ==
	    0);
}

static void
test_file_errors(void **state)
{
	struct sbc_config	*cfg = (struct sbc_config *)&cfg;
	struct conf_errors	 err;
	char			 path[] = "/tmp/test_conf.XXXXXX";
	char			 want[128];
	static const char	 text[] =
	    PBX_LISTENER "media = {\n  x = ;\n};\n";
	int			 fd;

	(void)state;
	assert_int_equal(sbc_config_load_file("/nonexistent/sbc.conf", &cfg,
	    &err), -1);
	assert_null(cfg);
	assert_int_equal(err.n, 1);
	/* (a ": reason" may follow) */
	snprintf(want, sizeof(want), "%s",
	    "/nonexistent/sbc.conf:0: cannot read the file");
	if (strncmp(err.msg[0], want, strlen(want)) != 0)
		fail_msg("expected \"%s...\", got \"%s\"", want, err.msg[0]);

	/* a syntax error in a file names the file and line */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fd);
	cfg = (struct sbc_config *)&cfg;
	assert_int_equal(sbc_config_load_file(path, &cfg, &err), -1);
	unlink(path);
	assert_null(cfg);
	assert_int_equal(err.n, 1);
	snprintf(want, sizeof(want), "%s:3: ", path);
	if (strncmp(err.msg[0], want, strlen(want)) != 0)
		fail_msg("expected \"%s...\", got \"%s\"", want, err.msg[0]);
}

/* ------------------------------------------------- references and helpers */

static void
test_refcount(void **state)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;

	(void)state;
	assert_int_equal(sbc_config_load_string(sbc_default_config,
	    "<default>", &cfg, &err), 0);
	assert_int_equal(atomic_load(&cfg->refs), 1);
	assert_ptr_equal(sbc_config_ref(cfg), cfg);
	assert_ptr_equal(sbc_config_ref(cfg), cfg);
	assert_int_equal(atomic_load(&cfg->refs), 3);
	sbc_config_unref(cfg);
	sbc_config_unref(cfg);
	assert_int_equal(atomic_load(&cfg->refs), 1);
	/* still readable while one reference is left */
	assert_string_equal(cfg->trunks[0].name, "demo-pbx");
	sbc_config_unref(cfg);		/* freed: LeakSanitizer checks */
	sbc_config_unref(NULL);
}

static void
test_split_hostport(void **state)
{
	static const char *const bad[] = {
		"", ":5060", "host:0", "host:70000", "2001:db8::1", "[::1",
		"host:12a", "host:", "[::1]:", "[]", "[]:5060", "[::1]5060",
		"[::1]:0", "a:b:c",
	};
	char	host[64];
	int	port;
	size_t	i;

	(void)state;
	port = -1;
	assert_int_equal(conf_split_hostport("pbx.example.com", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "pbx.example.com");
	assert_int_equal(port, 0);

	assert_int_equal(conf_split_hostport("10.0.0.1:5060", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "10.0.0.1");
	assert_int_equal(port, 5060);

	assert_int_equal(conf_split_hostport("[2001:db8::1]:5061", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 5061);

	port = -1;
	assert_int_equal(conf_split_hostport("[::1]", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);

	assert_int_equal(conf_split_hostport("h:65535", host, sizeof(host),
	    &port), 0);
	assert_int_equal(port, 65535);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (conf_split_hostport(bad[i], host, sizeof(host), &port) !=
		    -1)
			fail_msg("conf_split_hostport accepted \"%s\"", bad[i]);

	/* the host must fit the buffer, NUL included */
	assert_int_equal(conf_split_hostport("abcd:5060", host, 5, &port), 0);
	assert_string_equal(host, "abcd");
	assert_int_equal(conf_split_hostport("abcde:5060", host, 5, &port),
	    -1);
	assert_int_equal(conf_split_hostport("[abcde]", host, 5, &port), -1);
}

static void
test_config_line(void **state)
{
	struct sbc_config	*cfg;

	(void)state;
	cfg = LOAD_OK(
	    PBX_LISTENER
	    "media = {\n"
	    "  port_min = 30000;\n"
	    "\n"
	    "  port_max = 30100;\n"
	    "};\n"
	    "default_trunk = \"\";\n");
	assert_int_equal(sbc_config_line(cfg, &cfg->media.port_min), 3);
	assert_int_equal(sbc_config_line(cfg, &cfg->media.port_max), 5);
	assert_int_equal(sbc_config_line(cfg, &cfg->default_trunk), 7);
	assert_int_equal(sbc_config_line(cfg, &cfg->listeners), 1);
	assert_int_equal(sbc_config_line(cfg, &cfg->listeners[0].port), 1);
	/* not written: 0 */
	assert_int_equal(sbc_config_line(cfg, &cfg->media.timeout), 0);
	assert_int_equal(sbc_config_line(cfg, &cfg->cli.mode_str), 0);
	assert_int_equal(cfg->media.port_min, 30000);
	assert_int_equal(cfg->media.port_max, 30100);
	sbc_config_unref(cfg);
}

/*
 * Regression test (bug fixed in sbc/conf.c, record_line/sbc_config_line): see test_tls.  The first
 * member of a group reports the line of the group.
 */
static void
test_config_line_first_member(void **state)
{
	struct sbc_config	*cfg;
	int			 workers, level;

	(void)state;
	cfg = LOAD_OK(
	    PBX_LISTENER
	    "media = {\n"
	    "  workers = 2;\n"
	    "};\n"
	    "log = {\n"
	    "  level = \"debug\";\n"
	    "};\n");
	workers = sbc_config_line(cfg, &cfg->media.workers);
	level = sbc_config_line(cfg, &cfg->log.level);
	sbc_config_unref(cfg);
	assert_int_equal(workers, 3);
	assert_int_equal(level, 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_sample_file),
		cmocka_unit_test(test_minimal_and_features),
		cmocka_unit_test(test_udp_tcp_same_port),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_bad_enum),
		cmocka_unit_test(test_bad_cidr),
		cmocka_unit_test(test_unknown_trunk),
		cmocka_unit_test(test_listener_conflicts),
		cmocka_unit_test(test_no_sip_listener),
		cmocka_unit_test(test_users_and_trunks),
		cmocka_unit_test(test_cli_mode),
		cmocka_unit_test(test_cli_mode_ok),
		cmocka_unit_test(test_dtls_pair),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_tls_key_without_cert),
		cmocka_unit_test(test_media_range_line),
		cmocka_unit_test(test_media_address_line),
		cmocka_unit_test(test_several_errors),
		cmocka_unit_test(test_error_limit),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_split_hostport),
		cmocka_unit_test(test_media_browser_port),
		cmocka_unit_test(test_config_line),
		cmocka_unit_test(test_config_line_first_member),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
