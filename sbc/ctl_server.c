/*
 * ctl_server.c: the control socket service (see ctl_server.h): binds the
 * UNIX socket (and the optional localhost TCP port) while still root,
 * then reads one request line per client, runs it through the command
 * table (ctl_cmds.c) and writes the reply line (ctl_proto.c).  A streaming
 * command (`sip trace on`) keeps its connection: the events signaling
 * posts (CTL_MSG_TRACE_EVENT, ctl_trace.h) are written to it until the
 * client closes, `sip trace off` ends it, or the daemon stops.
 *
 * Owns: struct ctl_server (loop, listeners, clients, the socket file).
 * Thread: "ctl" for everything here; setup runs as root.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "sbc/conf.h"
#include "sbc/ctl_cmds.h"
#include "sbc/ctl_proto.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_trace.h"
#include "sbc/evloop.h"
#include "sbc/log.h"

#define CTL_ERR_MAX	8192	/* a reload's FILE:LINE list fits */
#define CTL_STOP_FLUSH_MS	200	/* streams' last lines at stop */

struct ctl_client {
	struct ctl_server	*srv;
	struct bufferevent	*bev;
	struct ctl_client	*next, **prevp;
	int			 answered;
	uint64_t		 id;
	long			 uid;		/* peer's; -1: TCP */
	int			 streaming;	/* sip trace on */
	uint64_t		 dropped;	/* events lost, not told yet */
	char			 filter[CTL_MAX_ARG + 1];
};

struct ctl_server {
	struct sbc_service	*svc;
	struct sbc_log		*log;
	struct sbc_evloop	 loop;
	struct evconnlistener	*unix_lev, *tcp_lev;
	struct ctl_ctx		 cctx;
	struct ctl_client	*clients;
	int			 nclients;
	uint64_t		 next_id;
	int			 bound;		/* path is our socket file */
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t			 dev;
	ino_t			 ino;
};

/* Signaling forgets the subscriber of a connection that is gone. */
static void
post_trace_stop(struct ctl_server *srv, uint64_t client)
{
	if (srv->svc->ctx->signaling != NULL)
		(void)sbc_service_post(srv->svc->ctx->signaling,
		    ctl_trace_stop_new(client));
}

static void
client_free(struct ctl_client *c)
{
	if (c->streaming)
		post_trace_stop(c->srv, c->id);
	if ((*c->prevp = c->next) != NULL)
		c->next->prevp = c->prevp;
	c->srv->nclients--;
	bufferevent_free(c->bev);
	free(c);
}

/* The final line; -1 when c was freed instead. */
static int
send_reply(struct ctl_client *c, char *line)
{
	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	if (line == NULL ||
	    bufferevent_write(c->bev, line, strlen(line)) == -1) {
		free(line);
		client_free(c);		/* out of memory: just close */
		return -1;
	}
	free(line);
	return 0;
}

/* A stream ends with its status line; signaling forgets it.  -1: c was
 * freed. */
static int
stream_end(struct ctl_client *c, const char *why)
{
	struct json_object	*o = json_object_new_string(why);
	struct timeval		 tv = { CTL_IDLE_SECONDS, 0 };
	int			 rc;

	c->streaming = 0;
	post_trace_stop(c->srv, c->id);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	rc = send_reply(c, ctl_proto_reply_ok(o));
	json_object_put(o);
	return rc;
}

/* `sip trace on` answered: the first event, then the connection stays. */
static void
stream_start(struct ctl_client *c, struct json_object *data)
{
	char	*line = ctl_proto_event(data);

	c->streaming = 1;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	if (line == NULL ||
	    bufferevent_write(c->bev, line, strlen(line)) == -1)
		client_free(c);
	free(line);
}

/* ctl_ctx.stream_stop: `sip trace off [FILTER]` (ctl_cmds.c). */
static int
stream_stop(struct ctl_ctx *ctx, const char *filter)
{
	struct ctl_server	*srv = ctx->server;
	struct ctl_client	*c, *next;
	int			 n = 0;

	for (c = srv->clients; c != NULL; c = next) {
		next = c->next;
		if (!c->streaming || (filter == NULL ? c->uid != ctx->uid :
		    strcmp(filter, "all") != 0 && strcmp(filter, c->filter)))
			continue;
		(void)stream_end(c, "trace stopped by 'sip trace off'");
		n++;
	}
	return n;
}

static struct ctl_client *
client_by_id(struct ctl_server *srv, uint64_t id)
{
	struct ctl_client	*c;

	for (c = srv->clients; c != NULL; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* A SIP message for a tracing client (ctl_trace.h). */
static void
on_trace_event(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct ctl_server	*srv = s->priv;
	struct ctl_trace_event	*ev = (struct ctl_trace_event *)m;
	struct ctl_client	*c = client_by_id(srv, ev->client);
	char			*line;

	if (c == NULL || !c->streaming) {
		post_trace_stop(srv, ev->client);	/* an orphan */
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
	    CTL_TRACE_OUTBUF) {
		c->dropped += 1 + ev->dropped;		/* a slow client */
		return;
	}
	if ((line = ctl_trace_event_line(ev, ev->dropped + c->dropped)) ==
	    NULL) {
		c->dropped += 1 + ev->dropped;
		return;
	}
	c->dropped = 0;
	if (bufferevent_write(c->bev, line, strlen(line)) == -1)
		client_free(c);
	free(line);
}

/* Streams get their last line: the loop runs CTL_STOP_FLUSH_MS more to
 * write it (a socket bufferevent writes only from its own loop). */
static void
on_stop(struct sbc_service *s, struct sbc_qmsg *m)
{
	struct ctl_server	*srv = s->priv;
	struct ctl_client	*c, *next;
	struct timeval		 tv = { 0, CTL_STOP_FLUSH_MS * 1000 };
	int			 streams = 0;

	for (c = srv->clients; c != NULL; c = next) {
		next = c->next;
		if (c->streaming && stream_end(c, "the daemon is stopping") ==
		    0)
			streams++;
	}
	if (streams > 0)
		event_base_loopexit(srv->loop.base, &tv);
	else
		sbc_evloop_stop(&srv->loop);
}

static const struct sbc_msg_handler ctl_handlers[] = {
	{ SBC_MSG_STOP, on_stop },
	{ CTL_MSG_TRACE_EVENT, on_trace_event },
};

static void
log_command(struct ctl_server *srv, int argc, char **argv)
{
	char	buf[512];
	size_t	len = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < argc && len < sizeof(buf); i++) {
		snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
		    argv[i]);
		len = strlen(buf);
	}
	log_debug(srv->log, "sbcctl: %s", buf);
}

/* One request line: parse, run, reply (the client may be freed). */
static void
answer(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_server	*srv = c->srv;
	struct ctl_request	 req;
	struct json_object	*data = NULL;
	char			 err[CTL_ERR_MAX] = "";
	char			*reply;
	int			 status;

	srv->cctx.client = c->id;
	srv->cctx.uid = c->uid;
	srv->cctx.stream = 0;
	if (ctl_proto_parse(line, len, &req, err, sizeof(err)) == -1)
		status = CTL_BAD_REQUEST;
	else {
		log_command(srv, req.argc, req.argv);
		status = ctl_cmds_run(&srv->cctx, req.argc, req.argv, &data,
		    err, sizeof(err));
		if (status == CTL_OK && srv->cctx.stream)
			snprintf(c->filter, sizeof(c->filter), "%s",
			    req.argc > 3 ? req.argv[3] : "");
		ctl_request_free(&req);
	}
	if (status == CTL_OK && srv->cctx.stream) {
		stream_start(c, data);
		json_object_put(data);
		return;
	}
	reply = status == CTL_OK ? ctl_proto_reply_ok(data) :
	    ctl_proto_reply_error(status, err);
	json_object_put(data);
	(void)send_reply(c, reply);
}

/*
 * The request line, once complete (or at EOF: what came).  -1 when there
 * is nothing to answer and the client should go.
 */
static int
on_input(struct ctl_client *c, int at_eof)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 eol;
	size_t			 eol_len = 0, len;
	char			*line;

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	len = eol.pos >= 0 ? (size_t)eol.pos : evbuffer_get_length(in);
	if (len > CTL_MAX_REQUEST + 1) {	/* room for a "\r" */
		(void)send_reply(c, ctl_proto_reply_error(CTL_BAD_REQUEST,
		    "bad request: line too long"));
		return 0;
	}
	if (eol.pos < 0 && !at_eof)
		return 0;			/* more to come */
	if (len == 0 && eol.pos < 0)
		return -1;			/* EOF, nothing sent */
	if ((line = malloc(len + 1)) == NULL)
		return -1;
	evbuffer_remove(in, line, len);
	line[len] = '\0';
	answer(c, line, len);
	free(line);
	return 0;
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->answered || c->streaming)
		evbuffer_drain(bufferevent_get_input(bev),
		    evbuffer_get_length(bufferevent_get_input(bev)));
	else if (on_input(c, 0) == -1)
		client_free(c);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->answered &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_client	*c = arg;

	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING) &&
	    !c->answered && !c->streaming) {
		if (on_input(c, 1) == -1)
			client_free(c);
		return;		/* answered: write_cb frees */
	}
	client_free(c);		/* error, timeout, or EOF while writing */
}

/* The uid of a UNIX socket's peer; -1 for TCP or when unknown. */
static long
peer_uid(int fd)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	if (fd == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	return (long)cred.uid;
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct ctl_server	*srv = arg;
	struct ctl_client	*c;
	struct timeval		 tv = { CTL_IDLE_SECONDS, 0 };

	if (srv->nclients >= CTL_MAX_CLIENTS) {
		log_info(srv->log, "ctl: %d clients already, one refused",
		    srv->nclients);
		evutil_closesocket(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(srv->loop.base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->srv = srv;
	c->id = ++srv->next_id;
	c->uid = peer_uid(lev == srv->unix_lev ? fd : -1);
	if ((c->next = srv->clients) != NULL)
		c->next->prevp = &c->next;
	c->prevp = &srv->clients;
	srv->clients = c;
	srv->nclients++;
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_REQUEST + 2);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ);
}

/* The socket's directory, one level, when missing (/run/sbc). */
static void
make_parent(const char *path)
{
	char	dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char	*slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return;		/* bind() will tell */
}

/* 0: free to bind; 1: a live process answers there; -1: error. */
static int
clear_path(struct ctl_server *srv, const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd, live;

	if (lstat(sun->sun_path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_err(srv->log, "control socket %s: %s", sun->sun_path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_err(srv->log, "control socket %s: exists and is not a "
		    "socket", sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno == EAGAIN;
	close(fd);
	if (live) {
		log_warn(srv->log, "control socket %s: another process "
		    "answers on it; sbcctl will not reach this daemon",
		    sun->sun_path);
		return 1;
	}
	if (unlink(sun->sun_path) == -1 && errno != ENOENT) {
		log_err(srv->log, "control socket %s: cannot remove the stale "
		    "socket: %s", sun->sun_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
group_id(const char *name, gid_t *gid)
{
	struct group	 gr, *res = NULL;
	char		 buf[4096], *end;
	long		 n;

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) == 0 &&
	    res != NULL) {
		*gid = res->gr_gid;
		return 0;
	}
	n = strtol(name, &end, 10);
	if (*name == '\0' || *end != '\0' || n < 0)
		return -1;
	*gid = (gid_t)n;
	return 0;
}

/* Mode and group before listen(): no client sees other permissions. */
static int
set_perms(struct ctl_server *srv, const struct sbc_cli_conf *cli)
{
	gid_t	gid;

	if (chmod(srv->path, (mode_t)cli->mode) == -1) {
		log_err(srv->log, "control socket %s: chmod %s: %s", srv->path,
		    cli->mode_str, strerror(errno));
		return -1;
	}
	if (*cli->group == '\0')
		return 0;
	if (group_id(cli->group, &gid) == -1) {
		log_err(srv->log, "control socket %s: unknown group '%s'",
		    srv->path, cli->group);
		return -1;
	}
	if (chown(srv->path, (uid_t)-1, gid) == -1) {
		log_err(srv->log, "control socket %s: chown to group %s: %s",
		    srv->path, cli->group, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_unix(struct ctl_server *srv, const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (const struct sockaddr *)sun, sizeof(*sun)) == -1 ||
	    stat(sun->sun_path, &st) == -1) {
		log_err(srv->log, "control socket %s: %s", sun->sun_path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	srv->bound = 1;
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	return fd;
}

static int
bind_unix(struct ctl_server *srv, const struct sbc_cli_conf *cli)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd, rc;

	if (*cli->socket == '\0')
		return 0;		/* no UNIX socket */
	if (strlen(cli->socket) >= sizeof(sun.sun_path)) {
		log_err(srv->log, "control socket %s: path too long",
		    cli->socket);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", cli->socket);
	snprintf(srv->path, sizeof(srv->path), "%s", cli->socket);
	make_parent(sun.sun_path);
	if ((rc = clear_path(srv, &sun)) != 0)
		return rc == 1 ? 0 : -1;
	if ((fd = open_unix(srv, &sun)) == -1)
		return -1;
	if (set_perms(srv, cli) == -1 || listen(fd, 16) == -1 ||
	    (srv->unix_lev = evconnlistener_new(srv->loop.base, accept_cb,
	    srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0,
	    fd)) == NULL) {
		close(fd);
		return -1;
	}
	log_info(srv->log, "control socket %s (mode %s%s%s)", srv->path,
	    cli->mode_str, *cli->group ? ", group " : "", cli->group);
	return 0;
}

static int
bind_tcp(struct ctl_server *srv, const struct sbc_cli_conf *cli)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };

	if (cli->tcp_port == 0)
		return 0;
	sin.sin_port = htons((uint16_t)cli->tcp_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv->tcp_lev = evconnlistener_new_bind(srv->loop.base, accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    16, (struct sockaddr *)&sin, sizeof(sin));
	if (srv->tcp_lev == NULL) {
		log_err(srv->log, "control port 127.0.0.1:%d: %s",
		    cli->tcp_port, strerror(errno));
		return -1;
	}
	log_info(srv->log, "control port 127.0.0.1:%d", cli->tcp_port);
	return 0;
}

static int
ctl_setup(struct sbc_service *s, struct sbc_config *cfg)
{
	struct ctl_server	*srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return -1;
	s->priv = srv;
	srv->svc = s;
	srv->log = s->ctx->log;
	srv->cctx.sbc = s->ctx;
	srv->cctx.forward_ms = CTL_FORWARD_MS;
	srv->cctx.self = s;
	srv->cctx.stream_stop = stream_stop;
	srv->cctx.server = srv;
	if (sbc_evloop_init(&srv->loop, s, ctl_handlers,
	    sizeof(ctl_handlers) / sizeof(ctl_handlers[0])) == -1)
		return -1;
	if (bind_unix(srv, &cfg->cli) == -1 || bind_tcp(srv, &cfg->cli) == -1)
		return -1;
	return 0;
}

static void
ctl_run(struct sbc_service *s)
{
	struct ctl_server	*srv = s->priv;

	sbc_evloop_run(&srv->loop);
}

/* Remove the socket file if it is still the one we bound. */
static void
remove_socket(struct ctl_server *srv)
{
	struct stat	st;

	if (!srv->bound || stat(srv->path, &st) == -1 ||
	    st.st_dev != srv->dev || st.st_ino != srv->ino)
		return;
	if (unlink(srv->path) == -1)	/* no longer root: left for the next */
		log_debug(srv->log, "control socket %s: %s", srv->path,
		    strerror(errno));
}

static void
ctl_teardown(struct sbc_service *s)
{
	struct ctl_server	*srv = s->priv;

	if (srv == NULL)
		return;
	while (srv->clients != NULL)
		client_free(srv->clients);
	if (srv->unix_lev != NULL)
		evconnlistener_free(srv->unix_lev);
	if (srv->tcp_lev != NULL)
		evconnlistener_free(srv->tcp_lev);
	remove_socket(srv);
	sbc_evloop_free(&srv->loop);
	free(srv);
	s->priv = NULL;
}

const struct sbc_service_ops ctl_ops = {
	.setup = ctl_setup,
	.run = ctl_run,
	.teardown = ctl_teardown,
};
