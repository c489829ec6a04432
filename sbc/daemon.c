/*
 * daemon.c: start, reload and stop (see daemon.h).
 *
 * Owns: struct sbc_daemon (logger, snapshot, services).  Thread: main only;
 * it blocks every signal before creating threads and then takes them
 * synchronously with sigwaitinfo(), so no handler runs concurrently.
 * Exception: reload_locked() (sbc_ctx.reload) also runs in the ctl thread
 * for `sbcctl reload`; reload_lock guards d->cfg against SIGHUP's reload.
 * A reload also reads the WSS certificate and key again (ACME renewals)
 * and hands the new TLS context to the edge.  systemd (Type=notify) hears
 * READY=1, RELOADING=1 and STOPPING=1 (sdnotify.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <sofia-sip/su.h>

#include "media/dtls.h"
#include "media/media.h"
#include "media/srtp_ctx.h"
#include "policy/policy.h"
#include "sbc/conf.h"
#include "sbc/conf_check.h"
#include "sbc/ctl_server.h"
#include "sbc/daemon.h"
#include "sbc/log.h"
#include "sbc/privdrop.h"
#include "sbc/sdnotify.h"
#include "sbc/service.h"
#include "sbc/snmp_agent.h"
#include "sbc/snmp_trunks.h"
#include "sbc/stats.h"
#include "sbc/tlscert.h"
#include "sbc/webroot.h"
#include "signaling/edge.h"
#include "signaling/signaling.h"

/* What a certificate file was when loaded: a renewal (or a chmod)
 * changes it. */
struct file_stamp {
	int		ok;		/* stat() worked */
	int		err;		/* its errno when not */
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	ctime;		/* content, mode and owner changes */
};

struct sbc_daemon {
	const struct sbc_options	*opts;
	struct sbc_log			 log;
	struct sbc_config		*cfg;
	struct sbc_tls_files		 tls;
	struct dtls_identity		 dtls;
	int				 media_inited;
	struct sbc_latch		 latch;
	struct sbc_stats		 stats;
	struct sbc_ctx			 ctx;
	struct sbc_service		 signaling;
	struct sbc_service		 edge;
	struct sbc_service		 ctl;		/* sbcctl's socket */
	pthread_mutex_t			 reload_lock;	/* d->cfg: SIGHUP, ctl */
	struct sbc_service		*media;
	struct sbc_service		**mediap;
	int				 nmedia;
	int				 pidfile_written;
	int				 wss;		/* the edge has TLS */
	struct file_stamp		 cert_st, key_st; /* as loaded */
	int				 latch_inited;
	struct snmp_agent		*snmp;		/* NULL: SNMP off */
	struct policy			*policy;	/* bans, rates */
	struct snmp_cfg_trunks		 snmp_trunks;	/* its trunk table */
	int				 snmp_on;
};

static int	reload_locked(void *, char *, size_t);

static void
print_errors(const struct conf_errors *err)
{
	size_t	i;

	for (i = 0; i < err->n; i++)
		fprintf(stderr, "%s\n", err->msg[i]);
	if (err->truncated)
		fprintf(stderr, "(more errors not shown)\n");
}

/* The errors as lines of text (for sbcctl reload). */
static void
errors_text(const struct conf_errors *err, char *buf, size_t len)
{
	size_t	i, n;

	for (i = 0; i < err->n; i++) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "\n%s", err->msg[i]);
	}
	n = strlen(buf);
	if (err->truncated)
		snprintf(buf + n, len - n, "\n(more errors not shown)");
}

static int
load_config(const struct sbc_options *o, struct sbc_config **cfg,
    char *text, size_t len)
{
	struct conf_errors	*err;
	int			 rc;

	if ((err = calloc(1, sizeof(*err))) == NULL)
		return -1;
	if (o->config_path != NULL)
		rc = sbc_config_load_file(o->config_path, cfg, err);
	else
		rc = sbc_config_load_string(sbc_default_config, "<default>",
		    cfg, err);
	if (rc == -1)
		print_errors(err);
	if (rc == -1 && text != NULL)
		errors_text(err, text, len);
	free(err);
	return rc;
}

int
sbc_load_config(const struct sbc_options *o, struct sbc_config **cfg)
{
	return load_config(o, cfg, NULL, 0);
}

/* policy/ started a ban (ws-edge or signaling thread). */
static void
on_ban(void *arg, const struct sockaddr *sa, int seconds, const char *why)
{
	struct sbc_daemon	*d = arg;
	char			 addr[INET6_ADDRSTRLEN] = "?";
	const void		*a = sa->sa_family == AF_INET6 ?
				    (const void *)&((const struct sockaddr_in6 *)
				    sa)->sin6_addr : (const void *)&((const
				    struct sockaddr_in *)sa)->sin_addr;

	inet_ntop(sa->sa_family, a, addr, sizeof(addr));
	log_notice(&d->log, "policy: %s banned for %d s (%s)", addr, seconds,
	    why);
	SBC_STAT_ADD(&d->stats.bans_total, 1);
	snmp_agent_notify(d->snmp, SNMP_NOTIFY_BAN_ADDED, addr);
}

/* signaling/trunk.c (sbc_ctx.trunk_rows, signaling thread, running only
 * after start_snmp()): the SNMP trunk table. */
static void
on_trunk_rows(void *arg, const struct snmp_trunk_row *rows, int n)
{
	struct sbc_daemon	*d = arg;

	if (d->snmp_on)
		snmp_cfg_trunks_publish(&d->snmp_trunks, rows, n);
}

/* signaling/trunk.c (sbc_ctx.trunk_event): sbcTrunkDown / sbcTrunkUp. */
static void
on_trunk_event(void *arg, int up, const char *trunk)
{
	struct sbc_daemon	*d = arg;

	snmp_agent_notify(d->snmp, up ? SNMP_NOTIFY_TRUNK_UP :
	    SNMP_NOTIFY_TRUNK_DOWN, trunk);
}

/* signaling/b2b_policy.c (sbc_ctx.call_limit): sbcCallLimitReached. */
static void
on_call_limit(void *arg, const char *limit)
{
	struct sbc_daemon	*d = arg;

	snmp_agent_notify(d->snmp, SNMP_NOTIFY_CALL_LIMIT, limit);
}

static int
init_services(struct sbc_daemon *d)
{
	char	name[16];
	int	i;

	d->nmedia = conf_media_workers(d->cfg);
	d->media = calloc(d->nmedia, sizeof(*d->media));
	d->mediap = calloc(d->nmedia, sizeof(*d->mediap));
	/* aligned(64) slots: calloc's 16-byte alignment is not enough */
	d->stats.media = aligned_alloc(_Alignof(struct sbc_stats_media),
	    d->nmedia * sizeof(*d->stats.media));
	if (d->media == NULL || d->mediap == NULL || d->stats.media == NULL)
		return -1;
	memset(d->stats.media, 0, d->nmedia * sizeof(*d->stats.media));
	d->stats.nmedia = d->nmedia;
	if ((d->policy = policy_create(&d->cfg->policy, on_ban, d)) == NULL)
		return -1;
	d->ctx.policy = d->policy;
	d->stats.started = time(NULL);
	d->ctx.stats = &d->stats;
	d->ctx.log = &d->log;
	d->ctx.tls = &d->tls;
	d->ctx.dtls = &d->dtls;
	d->ctx.latch = &d->latch;
	d->ctx.signaling = &d->signaling;
	d->ctx.edge = &d->edge;
	d->ctx.media = d->mediap;
	d->ctx.nmedia = d->nmedia;
	d->ctx.reload = reload_locked;
	d->ctx.reload_arg = d;
	d->ctx.trunk_rows = on_trunk_rows;	/* signaling/trunk.c */
	d->ctx.trunk_event = on_trunk_event;
	d->ctx.trunk_arg = d;
	d->ctx.call_limit = on_call_limit;
	d->ctx.call_limit_arg = d;
	if (sbc_service_init(&d->signaling, "signaling", 0, &signaling_ops,
	    &d->ctx, d->cfg) == -1 ||
	    sbc_service_init(&d->edge, "ws-edge", 0, &edge_ops, &d->ctx,
	    d->cfg) == -1 ||
	    sbc_service_init(&d->ctl, "ctl", 0, &ctl_ops, &d->ctx,
	    d->cfg) == -1)
		return -1;
	for (i = 0; i < d->nmedia; i++) {
		d->mediap[i] = &d->media[i];
		snprintf(name, sizeof(name), "media-%u", (unsigned char)i);
		if (sbc_service_init(&d->media[i], name, i, &media_worker_ops,
		    &d->ctx, d->cfg) == -1)
			return -1;
	}
	return 0;
}

static void
for_each_service(struct sbc_daemon *d,
    void (*fn)(struct sbc_service *, void *), void *arg)
{
	int	i;

	fn(&d->signaling, arg);
	fn(&d->edge, arg);
	fn(&d->ctl, arg);
	for (i = 0; i < d->nmedia; i++)
		fn(&d->media[i], arg);
}

static void
svc_start(struct sbc_service *s, void *arg)
{
	int	*failed = arg;

	if (sbc_service_start(s) == -1)
		(*failed)++;
}

static void
svc_stop(struct sbc_service *s, void *arg)
{
	if (s->started)
		sbc_service_post(s, sbc_msg_stop_new());
}

static void
svc_join(struct sbc_service *s, void *arg)
{
	sbc_service_join(s);
}

static void
svc_destroy(struct sbc_service *s, void *arg)
{
	if (s->inbox.efd > 0)
		sbc_service_destroy(s);
}

static void
svc_config(struct sbc_service *s, void *arg)
{
	if (s->started)
		sbc_service_post(s, sbc_msg_config_new(arg));
}

/* Listeners are bound once, before privileges go: they cannot change. */
static int
listeners_equal(const struct sbc_config *a, const struct sbc_config *b)
{
	const struct sbc_listener	*x, *y;
	size_t				 i;

	if (a->nlisteners != b->nlisteners)
		return 0;
	for (i = 0; i < a->nlisteners; i++) {
		x = &a->listeners[i];
		y = &b->listeners[i];
		if (x->transport != y->transport || x->port != y->port ||
		    strcmp(x->address, y->address) != 0)
			return 0;
	}
	return 1;
}

#define CERT_WARN_DAYS	30

/* A warning and sbcCertificateExpiring when the TLS certificate ends soon
 * (at start, and at a reload that reads a new one). */
static void
check_certificate(struct sbc_daemon *d, const char *cert)
{
	char	msg[512];

	if (sbc_tls_cert_expiring(cert, CERT_WARN_DAYS, msg,
	    sizeof(msg)) != 1)
		return;
	log_warn(&d->log, "TLS certificate %s", msg);
	snmp_agent_notify(d->snmp, SNMP_NOTIFY_CERT_EXPIRING, msg);
}

static const char *
state_dir(const struct sbc_daemon *d, const struct sbc_config *cfg)
{
	return d->opts->state_dir ? d->opts->state_dir : cfg->daemon.state_dir;
}

static int
has_wss(const struct sbc_config *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->nlisteners; i++)
		if (cfg->listeners[i].transport == SBC_TP_WSS)
			return 1;
	return 0;
}

static void
stamp(const char *path, struct file_stamp *fs)
{
	struct stat	st;

	memset(fs, 0, sizeof(*fs));
	if (stat(path, &st) == -1) {
		fs->err = errno;
		return;
	}
	fs->ok = 1;
	fs->dev = st.st_dev;
	fs->ino = st.st_ino;
	fs->size = st.st_size;
	fs->ctime = st.st_ctim;
}

static int
stamp_same(const struct file_stamp *a, const struct file_stamp *b)
{
	return a->ok && b->ok && a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The WSS context would come out the same: files and settings unchanged. */
static int
tls_unchanged(const struct sbc_daemon *d, const struct sbc_config *cfg,
    const struct file_stamp *cert, const struct file_stamp *key)
{
	const struct sbc_tls	*o = &d->cfg->tls, *n = &cfg->tls;

	return strcmp(o->certificate, n->certificate) == 0 &&
	    strcmp(o->private_key, n->private_key) == 0 &&
	    strcmp(o->ciphers, n->ciphers) == 0 &&
	    strcmp(o->ciphersuites, n->ciphersuites) == 0 &&
	    strcmp(o->min_version, n->min_version) == 0 &&
	    stamp_same(cert, &d->cert_st) && stamp_same(key, &d->key_st);
}

/* 1 with why when the daemon, as it runs now, cannot read path. */
static int
unreadable(const char *path, char *why, size_t len)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(why, len, "%s: %s (the daemon runs as uid %d, gid %d)", path,
	    strerror(errno), (int)geteuid(), (int)getegid());
	return 1;
}

/*
 * A reload reads the WSS certificate and key again when they changed (an
 * ACME client renewed them) or the tls settings did: *ctx gets the new TLS
 * context for the edge.  -1 when they do not load, with why in err: the
 * reload is refused and the running certificate stays.
 *  - Unchanged files are not read: a daemon that dropped root keeps
 *    reloading other settings even when its key is root's alone.
 *  - Files it cannot even stat (a root-only directory, after the drop)
 *    keep the running certificate, with a warning.
 *  - Without tls.certificate the self-signed one made at start stays.
 *  - The tls listeners toward PBXs (Sofia-SIP) keep what they loaded at
 *    start.
 * Under reload_lock.
 */
static int
reload_tls(struct sbc_daemon *d, const struct sbc_config *cfg, SSL_CTX **ctx,
    char *err, size_t errlen)
{
	struct sbc_tls_files	*tf = NULL;
	struct file_stamp	 cert, key;
	char			 why[1024];
	int			 rc = -1;

	*ctx = NULL;
	if (!d->wss)
		return 0;
	if (*cfg->tls.certificate == '\0') {
		if (*d->cfg->tls.certificate != '\0')
			log_warn(&d->log, "tls: certificate removed: the WSS "
			    "listeners keep %s until a restart",
			    d->cfg->tls.certificate);
		return 0;
	}
	stamp(cfg->tls.certificate, &cert);
	stamp(cfg->tls.private_key, &key);
	if (tls_unchanged(d, cfg, &cert, &key))
		return 0;
	if (!cert.ok || !key.ok) {
		log_warn(&d->log, "tls: cannot look at %s: %s (uid %d); the WSS "
		    "listeners keep the certificate they have until a restart",
		    cert.ok ? cfg->tls.private_key : cfg->tls.certificate,
		    strerror(cert.ok ? key.err : cert.err), (int)geteuid());
		return 0;
	}
	if ((tf = calloc(1, sizeof(*tf))) == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto done;
	}
	if (sbc_tls_key_file_ok(cfg->tls.private_key, why, sizeof(why)) == -1 ||
	    unreadable(cfg->tls.certificate, why, sizeof(why)) ||
	    unreadable(cfg->tls.private_key, why, sizeof(why)))
		goto done;
	if (sbc_tls_resolve(cfg->tls.certificate, cfg->tls.private_key,
	    state_dir(d, cfg), tf, &d->log) == -1) {
		snprintf(why, sizeof(why), "cannot use %s / %s",
		    cfg->tls.certificate, cfg->tls.private_key);
		goto done;
	}
	if ((*ctx = ws_edge_tls_ctx(cfg, tf, &d->log)) == NULL) {
		snprintf(why, sizeof(why), "cannot load %s / %s", tf->cert,
		    tf->key);
		goto done;
	}
	d->cert_st = cert;		/* the reload goes on from here */
	d->key_st = key;
	log_notice(&d->log, "tls: %s read again for the WSS listeners",
	    tf->cert);
	check_certificate(d, tf->cert);
	rc = 0;
done:
	if (rc == -1) {
		log_err(&d->log, "reload refused: TLS: %s; keeping the running "
		    "configuration and certificate", why);
		if (err != NULL)
			snprintf(err, errlen, "reload refused: TLS: %s; keeping "
			    "the running configuration and certificate", why);
	}
	free(tf);
	return rc;
}

/* err: NULL, or the FILE:LINE errors on return -1.  Under reload_lock. */
static int
reload(struct sbc_daemon *d, char *err, size_t errlen)
{
	struct sbc_config	*cfg;
	SSL_CTX			*tls;
	struct sbc_qmsg		*m;

	log_notice(&d->log, "reloading %s", d->opts->config_path ?
	    d->opts->config_path : "the embedded configuration");
	if (err != NULL)
		snprintf(err, errlen, "reload refused: configuration has "
		    "errors; keeping the running one:");
	if (load_config(d->opts, &cfg, err, errlen) == -1) {
		log_err(&d->log, "reload refused: configuration has errors "
		    "(see above); keeping the running one");
		return -1;
	}
	if (reload_tls(d, cfg, &tls, err, errlen) == -1) {
		sbc_config_unref(cfg);
		return -1;
	}
	/* before any service sees cfg */
	webroot_attach(cfg, d->opts->web_root, &d->log);
	if (!listeners_equal(d->cfg, cfg))
		log_warn(&d->log, "listener changes need a restart; the "
		    "bound listeners stay as they are");
	if (!d->opts->debug)
		sbc_log_set_level(&d->log, sbc_log_level_parse(cfg->log.level));
	for_each_service(d, svc_config, cfg);
	if (tls != NULL) {
		if ((m = edge_tls_msg_new(tls)) == NULL)
			SSL_CTX_free(tls);
		else
			(void)sbc_service_post(&d->edge, m);
	}
	sbc_config_unref(d->cfg);
	d->cfg = cfg;
	if (d->snmp_on)
		snmp_cfg_trunks_set(&d->snmp_trunks, cfg);
	if (policy_reconfigure(d->policy, &cfg->policy) == 1)
		log_warn(&d->log, "policy.tracking_entries changes need a "
		    "restart");
	log_notice(&d->log, "configuration reloaded");
	return 0;
}

/* systemd: a reload is under way (MONOTONIC_USEC for Type=notify-reload). */
static void
notify_reloading(void)
{
	struct timespec	ts;
	char		buf[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	(void)sbc_sd_notify(buf);
}

/* SIGHUP (main) and sbcctl reload (ctl thread, sbc_ctx.reload). */
static int
reload_locked(void *arg, char *err, size_t errlen)
{
	struct sbc_daemon	*d = arg;
	int			 rc;

	pthread_mutex_lock(&d->reload_lock);
	notify_reloading();
	rc = reload(d, err, errlen);
	(void)sbc_sd_notify("READY=1");
	pthread_mutex_unlock(&d->reload_lock);
	return rc;
}

static int
write_pidfile(struct sbc_daemon *d)
{
	const char	*path = d->cfg->daemon.pid_file;
	char		 buf[32];
	int		 fd, n;

	if (*path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_err(&d->log, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	d->pidfile_written = 1;
	return 0;
}

static void
banner(const struct sbc_daemon *d)
{
	const struct sbc_listener	*l;
	size_t				 i;

	printf("sbc %s ready (%d media worker%s)\n", PACKAGE_VERSION,
	    d->nmedia, d->nmedia == 1 ? "" : "s");
	for (i = 0; i < d->cfg->nlisteners; i++) {
		l = &d->cfg->listeners[i];
		printf("  %-12s %s://%s:%d%s\n", l->name,
		    sbc_transport_name(l->transport), l->address, l->port,
		    l->transport == SBC_TP_WSS || l->transport == SBC_TP_WS ?
		    "  (SIP over WebSocket for browsers)" : "  (SIP toward PBXs)");
	}
	for (i = 0; i < d->cfg->ntrunks; i++)
		printf("  trunk %-6s -> %s (%s)\n", d->cfg->trunks[i].name,
		    d->cfg->trunks[i].hosts.n ? d->cfg->trunks[i].hosts.v[0] :
		    "-", sbc_transport_name(d->cfg->trunks[i].transport));
	printf("  stop with Ctrl-C\n");
	fflush(stdout);
}

static void
setup_log(struct sbc_daemon *d)
{
	const struct sbc_log_conf	*lc = &d->cfg->log;
	int				 level;

	level = d->opts->debug ? LOG_DEBUG : sbc_log_level_parse(lc->level);
	sbc_log_init(&d->log, strcmp(lc->destination, "syslog") == 0 ?
	    SBC_LOG_SYSLOG : SBC_LOG_STDERR, level,
	    sbc_log_facility_parse(lc->facility), "sbc");
}

/* libsrtp's global init and our DTLS identity, before any worker. */
static int
init_media(struct sbc_daemon *d)
{
	const struct sbc_media	*m = &d->cfg->media;

	if (*m->dtls_private_key != '\0' &&
	    sbc_tls_check_key_file(m->dtls_private_key, &d->log) == -1)
		return -1;
	if (srtp_global_init() == -1) {
		log_err(&d->log, "libsrtp initialisation failed");
		return -1;
	}
	if (dtls_identity_init(&d->dtls, *m->dtls_certificate ?
	    m->dtls_certificate : NULL, *m->dtls_private_key ?
	    m->dtls_private_key : NULL) == -1) {
		log_err(&d->log, "cannot make the DTLS identity");
		srtp_global_shutdown();
		return -1;
	}
	d->media_inited = 1;
	log_info(&d->log, "DTLS fingerprint %s", d->dtls.fingerprint);
	return 0;
}

/*
 * The SNMP sub-agent, once root is gone (AgentX is a client connection),
 * before the services run (so a ctl reload sees snmp_on set).  A master
 * agent that is not there yet only gets a warning: it keeps retrying.
 */
static void
start_snmp(struct sbc_daemon *d)
{
	if (!d->cfg->snmp.enabled ||
	    snmp_cfg_trunks_init(&d->snmp_trunks, d->cfg) == -1)
		return;
	d->snmp_on = 1;
	d->snmp = snmp_agent_start(&d->cfg->snmp, &d->stats,
	    snmp_cfg_trunks_rows, &d->snmp_trunks, &d->log);
}

static int
start(struct sbc_daemon *d)
{
	const char	*state = state_dir(d, d->cfg);
	int		 failed = 0;

	if (sbc_tls_resolve(d->cfg->tls.certificate, d->cfg->tls.private_key,
	    state, &d->tls, &d->log) == -1 ||
	    sbc_tls_sofia_dir(state, d->cfg->tls.ca_file, &d->tls,
	    &d->log) == -1)
		return -1;
	d->wss = has_wss(d->cfg);
	if (*d->cfg->tls.certificate != '\0') {
		stamp(d->cfg->tls.certificate, &d->cert_st);
		stamp(d->cfg->tls.private_key, &d->key_st);
	}
	signaling_redirect_sofia_logs(&d->log);
	if (init_media(d) == -1 || init_services(d) == -1)
		return -1;
	sbc_latch_init(&d->latch, 3 + d->nmedia);
	d->latch_inited = 1;
	for_each_service(d, svc_start, &failed);
	if (failed) {
		log_err(&d->log, "cannot create threads");
		return -1;	/* started ones wait on the latch: abort it */
	}
	if (sbc_latch_wait_ready(&d->latch) == -1)
		return -1;
	if (write_pidfile(d) == -1 ||
	    sbc_drop_privileges(d->cfg->daemon.user, d->cfg->daemon.group,
	    &d->log) == -1)
		return -1;
	/* As daemon.user; ws-edge reads it only once released. */
	webroot_attach(d->cfg, d->opts->web_root, &d->log);
	start_snmp(d);
	check_certificate(d, d->tls.cert);
	sbc_latch_release(&d->latch, 1);
	return 0;
}

static int
wait_signals(struct sbc_daemon *d, const sigset_t *set)
{
	siginfo_t	si;
	int		sig;

	for (;;) {
		sig = sigwaitinfo(set, &si);
		if (sig == -1 && errno == EINTR)
			continue;
		if (sig == SIGHUP) {
			reload_locked(d, NULL, 0);
			continue;
		}
		log_notice(&d->log, "%s: stopping", strsignal(sig));
		(void)sbc_sd_notify("STOPPING=1");
		return 0;
	}
}

static void
stop(struct sbc_daemon *d)
{
	if (d->latch_inited) {
		sbc_latch_release(&d->latch, -1);  /* only those still waiting */
		for_each_service(d, svc_stop, NULL);
		for_each_service(d, svc_join, NULL);
		sbc_latch_destroy(&d->latch);
	}
	/* once no service can notify it, before d->stats goes */
	snmp_agent_stop(d->snmp);
	d->snmp = NULL;
	if (d->snmp_on)
		snmp_cfg_trunks_destroy(&d->snmp_trunks);
	if (d->media != NULL)
		for_each_service(d, svc_destroy, NULL);
	if (d->pidfile_written)
		unlink(d->cfg->daemon.pid_file);
	free(d->media);
	free(d->mediap);
	free(d->stats.media);
	if (d->policy != NULL)
		policy_destroy(d->policy);
	if (d->media_inited) {
		dtls_identity_free(&d->dtls);
		srtp_global_shutdown();
	}
}

int
sbc_daemon_run(const struct sbc_options *opts)
{
	struct sbc_daemon	d;
	sigset_t		all, wanted;
	int			rc = 1;

	memset(&d, 0, sizeof(d));
	d.opts = opts;
	if (sbc_load_config(opts, &d.cfg) == -1)
		return 1;
	pthread_mutex_init(&d.reload_lock, NULL);
	setup_log(&d);
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGHUP);
	sigaddset(&wanted, SIGTERM);
	sigaddset(&wanted, SIGINT);
	su_init();
	if (start(&d) == 0) {
		pthread_mutex_lock(&d.reload_lock);	/* ctl may reload */
		banner(&d);
		pthread_mutex_unlock(&d.reload_lock);
		log_notice(&d.log, "ready");
		if (sbc_sd_notify("READY=1") == -1)
			log_warn(&d.log, "cannot notify systemd (NOTIFY_SOCKET): "
			    "%s", strerror(errno));
		rc = wait_signals(&d, &wanted);
	}
	stop(&d);
	su_deinit();
	log_notice(&d.log, "stopped");
	sbc_log_close(&d.log);
	sbc_config_unref(d.cfg);
	pthread_mutex_destroy(&d.reload_lock);
	return rc;
}
