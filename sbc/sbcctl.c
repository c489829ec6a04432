/*
 * sbcctl.c: the SBC's admin client.
 *
 *   sbcctl [-j] [-s SOCKET | -p PORT] [-t SECONDS] COMMAND...   one command
 *   sbcctl [-j] [-s SOCKET | -p PORT]                           interactive
 *
 * Sends the command to the daemon's control socket (protocol: ctl_proto.h),
 * prints the reply's data (tables, "key: value" lines; --json: as is) and
 * exits 0 (done), 1 (the command failed: the daemon's error on stderr),
 * 2 (usage error, here or as the daemon judged it), 3 (cannot reach the
 * daemon).  Interactive mode: libedit line editing, history in
 * ~/.sbcctl_history, tab completion from the daemon's `help` list.
 * Streaming commands (`sip trace on`): the {"event":...} lines before the
 * status line are printed as they come (a SIP message as a header line
 * "TIME DIR LEG PEER" and its text; --json: one JSON object a line),
 * without a timeout; Ctrl-C closes the connection and exits 0.
 *
 * Owns: one connection per command.  Thread: main (single-threaded).
 * Global state: the completion list (libedit's completion hook has no
 * argument), set once before the prompt loop; the Ctrl-C flag of a
 * stream (a signal handler's).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <editline/readline.h>
#include <json-c/json.h>

#include "sbc/conf.h"
#include "sbc/ctl_proto.h"
#include "sbc/ctl_render.h"

enum {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
};

#define MAX_REPLY_LINE	(16 * 1024 * 1024)
#define MAX_TEMPLATES	128
#define MAX_CANDIDATES	64

struct opts {
	const char	*socket;
	int		 port;		/* 0: the UNIX socket */
	int		 json;
	int		 timeout;	/* seconds per reply line; 0: none */
	char		 where[128];	/* for messages */
};

struct linebuf {
	char	*buf;
	size_t	 len, cap;
};

/* libedit's completion hook takes no argument: the one global. */
static struct {
	char	*v[MAX_TEMPLATES];
	size_t	 n;
} completion;

/* Ctrl-C during a stream (sip trace on): set by the handler. */
static volatile sig_atomic_t interrupted;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sbcctl [-j] [-s SOCKET | -p PORT] [-t SECONDS] [COMMAND...]\n"
	    "\n"
	    "  -s, --socket SOCKET    control socket (default %s)\n"
	    "  -p, --port PORT        use TCP 127.0.0.1:PORT (cli.tcp_port)\n"
	    "  -j, --json             print the reply's data as JSON\n"
	    "  -t, --timeout SECONDS  wait for a reply at most this long\n"
	    "                         (default 30; 0: forever)\n"
	    "  -V, --version          print the version\n"
	    "  -h, --help             this help\n"
	    "\n"
	    "Without a COMMAND, an interactive prompt.  'sbcctl help' lists\n"
	    "the commands.  Exit: 0 done, 1 failed, 2 usage, 3 no daemon.\n",
	    SBC_CLI_SOCKET_DEFAULT);
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
connect_tcp(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd, e;

	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
ctl_connect(const struct opts *o)
{
	int	fd;

	fd = o->port ? connect_tcp(o->port) : connect_unix(o->socket);
	if (fd == -1)
		fprintf(stderr, "sbcctl: cannot connect to %s: %s (is sbc "
		    "running?)\n", o->where, strerror(errno));
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read once more into lb: 1, 0 at EOF, -1 (errno: ETIMEDOUT, EMSGSIZE...). */
static int
read_more(int fd, struct linebuf *lb, int timeout)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		*nb;
	ssize_t		 n;

	if (lb->len >= MAX_REPLY_LINE) {
		errno = EMSGSIZE;
		return -1;
	}
	if (lb->cap - lb->len < 4096) {
		if ((nb = realloc(lb->buf, lb->cap * 2 + 8192)) == NULL)
			return -1;
		lb->buf = nb;
		lb->cap = lb->cap * 2 + 8192;
	}
	switch (poll(&pfd, 1, timeout > 0 ? timeout * 1000 : -1)) {
	case -1:
		return errno == EINTR ? 1 : -1;
	case 0:
		errno = ETIMEDOUT;
		return -1;
	}
	n = recv(fd, lb->buf + lb->len, lb->cap - lb->len, 0);
	if (n < 0)
		return errno == EINTR ? 1 : -1;
	lb->len += (size_t)n;
	return n > 0;
}

/* The next line (its "\n" replaced by NUL) or NULL (errno 0: EOF). */
static char *
next_line(int fd, struct linebuf *lb, size_t *skip, int timeout)
{
	char	*nl;
	int	 rc;

	if (*skip > 0) {
		memmove(lb->buf, lb->buf + *skip, lb->len - *skip);
		lb->len -= *skip;
		*skip = 0;
	}
	while ((nl = lb->len ? memchr(lb->buf, '\n', lb->len) : NULL) ==
	    NULL) {
		if (interrupted) {
			errno = EINTR;
			return NULL;
		}
		if ((rc = read_more(fd, lb, timeout)) <= 0) {
			if (rc == 0)
				errno = 0;
			return NULL;
		}
	}
	*nl = '\0';
	*skip = (size_t)(nl - lb->buf) + 1;
	return lb->buf;
}

static void
print_data(const struct opts *o, struct json_object *data)
{
	if (o->json)
		printf("%s\n", json_object_to_json_string_ext(data,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (ctl_render(stdout, data) == -1)
		fprintf(stderr, "sbcctl: out of memory\n");
	fflush(stdout);
}

/* An event: a SIP message of `sip trace`, a note, or anything else. */
static void
print_event(const struct opts *o, struct json_object *ev)
{
	struct json_object	*v;

	if (o->json) {
		print_data(o, ev);
		return;
	}
	if (json_object_object_get_ex(ev, "dropped", &v))
		fprintf(stderr, "sbcctl: %s messages dropped before this one "
		    "(the client was too slow)\n", json_object_get_string(v));
	if (json_object_object_get_ex(ev, "info", &v) &&
	    json_object_is_type(v, json_type_string))
		fprintf(stderr, "sbcctl: %s; Ctrl-C to stop\n",
		    json_object_get_string(v));
	else if (ctl_render_trace(stdout, ev) == 1)
		ctl_render(stdout, ev);
	fflush(stdout);
}

static void
on_sigint(int sig)
{
	interrupted = 1;
}

/* A stream began: no timeout, and Ctrl-C ends it cleanly (exit 0). */
static void
stream_begins(int *timeout, struct sigaction *old)
{
	struct sigaction	sa = { .sa_handler = on_sigint };

	*timeout = 0;
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old);	/* no SA_RESTART: poll() returns */
}

/* One reply line: -1 to go on (an event), else the exit code. */
static int
handle_line(const struct opts *o, const char *line, struct json_object **keep)
{
	struct ctl_reply	r;
	char			err[256];
	int			rc;

	if (ctl_reply_parse(line, strlen(line), &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "sbcctl: %s\n", err);
		return EXIT_FAILED;
	}
	if (!r.final) {
		print_event(o, r.data);
		ctl_reply_free(&r);
		return -1;
	}
	if (r.status == 0 && keep != NULL)
		*keep = json_object_get(r.data);
	else if (r.status == 0)
		print_data(o, r.data);
	else
		fprintf(stderr, "sbcctl: %s\n", r.error);
	rc = r.status == 0 ? EXIT_DONE : r.status == CTL_BAD_REQUEST ?
	    EXIT_USAGE : EXIT_FAILED;
	ctl_reply_free(&r);
	return rc;
}

/*
 * Send argv, print what comes back.  keep: the data is not printed but
 * handed over (for `help` in interactive mode).  Returns the exit code.
 */
static int
run_command(const struct opts *o, int argc, char **argv,
    struct json_object **keep)
{
	struct linebuf	 lb = { 0 };
	struct sigaction old;
	char		*req, *line;
	size_t		 skip = 0;
	int		 fd = -1, rc = EXIT_UNREACHABLE, timeout = o->timeout;
	int		 streaming = 0;

	if ((req = ctl_request_build(argc, argv)) == NULL) {
		fprintf(stderr, "sbcctl: out of memory\n");
		return EXIT_FAILED;
	}
	if ((fd = ctl_connect(o)) == -1)
		goto cleanup;
	if (send_all(fd, req, strlen(req)) == -1) {
		fprintf(stderr, "sbcctl: %s: %s\n", o->where, strerror(errno));
		goto cleanup;
	}
	while ((line = next_line(fd, &lb, &skip, timeout)) != NULL) {
		if ((rc = handle_line(o, line, keep)) != -1)
			break;
		if (!streaming++)
			stream_begins(&timeout, &old);
	}
	if (streaming)
		sigaction(SIGINT, &old, NULL);
	if (line == NULL && streaming && interrupted)
		rc = EXIT_DONE;		/* Ctrl-C: the daemon sees the close */
	else if (line == NULL) {
		rc = EXIT_UNREACHABLE;
		fprintf(stderr, "sbcctl: %s: %s\n", o->where, errno == 0 ?
		    "the daemon closed the connection without an answer" :
		    errno == ETIMEDOUT ? "no answer from the daemon in time" :
		    strerror(errno));
	}
cleanup:
	if (fd != -1)
		close(fd);
	free(lb.buf);
	free(req);
	return rc;
}

/* The daemon's `help` as completion templates ("words args"). */
static void
load_completion(const struct opts *o)
{
	struct json_object	*help = NULL, *row, *c, *a;
	char			 word[] = "help", *argv[] = { word, NULL };
	char			 t[512];
	size_t			 i, n;

	if (run_command(o, 1, argv, &help) != EXIT_DONE)
		return;
	n = json_object_is_type(help, json_type_array) ?
	    json_object_array_length(help) : 0;
	for (i = 0; i < n && completion.n < MAX_TEMPLATES; i++) {
		row = json_object_array_get_idx(help, i);
		if (!json_object_object_get_ex(row, "command", &c) ||
		    !json_object_object_get_ex(row, "args", &a))
			continue;
		snprintf(t, sizeof(t), "%s %s", json_object_get_string(c),
		    json_object_get_string(a));
		if ((completion.v[completion.n] = strdup(t)) != NULL)
			completion.n++;
	}
	json_object_put(help);
}

static char *
common_prefix(char **v, size_t n)
{
	size_t	len = strlen(v[0]), i, k;

	for (i = 1; i < n; i++) {
		for (k = 0; k < len && v[i][k] == v[0][k]; k++)
			;
		len = k;
	}
	return strndup(v[0], len);
}

static char **
complete_cb(const char *text, int start, int end)
{
	char	*cand[MAX_CANDIDATES], before[CTL_MAX_REQUEST], **m;
	size_t	 n, i;

	rl_attempted_completion_over = 1;
	snprintf(before, sizeof(before), "%.*s", start, rl_line_buffer);
	n = ctl_complete((const char *const *)completion.v, completion.n,
	    before, text, cand, MAX_CANDIDATES);
	if (n == 0 || (m = calloc(n + 2, sizeof(*m))) == NULL)
		goto fail;
	if (n == 1) {
		m[0] = cand[0];
		return m;
	}
	if ((m[0] = common_prefix(cand, n)) == NULL) {
		free(m);
		goto fail;
	}
	for (i = 0; i < n; i++)
		m[i + 1] = cand[i];
	return m;
fail:
	for (i = 0; i < n; i++)
		free(cand[i]);
	return NULL;
}

static char *
read_line(int tty)
{
	char	*line = NULL;
	size_t	 cap = 0;

	if (tty)
		return readline("sbc> ");
	if (getline(&line, &cap, stdin) == -1) {
		free(line);
		return NULL;
	}
	return line;
}

/* One interactive line: 1 to leave. */
static int
interactive_line(const struct opts *o, char *line, int tty)
{
	char	*argv[CTL_MAX_ARGS + 1], *copy;
	int	 argc;

	if ((copy = strdup(line)) == NULL)
		return 1;
	argc = ctl_split_words(line, argv, CTL_MAX_ARGS);
	if (argc == -1)
		fprintf(stderr, "sbcctl: too many words or an open quote\n");
	if (argc > 0 && (strcmp(argv[0], "quit") == 0 ||
	    strcmp(argv[0], "exit") == 0)) {
		free(copy);
		return 1;
	}
	if (argc > 0) {
		if (tty)
			add_history(copy);
		run_command(o, argc, argv, NULL);
	}
	free(copy);
	return 0;
}

static int
interactive(const struct opts *o)
{
	const char	*home = getenv("HOME");
	char		 hist[4096] = "", *line;
	int		 tty = isatty(STDIN_FILENO), stop = 0;
	size_t		 i;

	if (tty) {
		if (home != NULL && *home != '\0')
			snprintf(hist, sizeof(hist), "%s/.sbcctl_history", home);
		rl_readline_name = "sbcctl";
		rl_attempted_completion_function = complete_cb;
		using_history();
		stifle_history(1000);
		if (*hist)
			read_history(hist);
		load_completion(o);
	}
	while (!stop && (line = read_line(tty)) != NULL) {
		stop = interactive_line(o, line, tty);
		free(line);
	}
	if (tty && *hist)
		write_history(hist);
	for (i = 0; i < completion.n; i++)
		free(completion.v[i]);
	completion.n = 0;
	return EXIT_DONE;
}

static const struct option longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "port", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
number(const char *s, int max, int *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* -1: exit with *rc; else the index of the first word of the command. */
static int
parse_options(int argc, char **argv, struct opts *o, int *rc)
{
	int	ch;

	while ((ch = getopt_long(argc, argv, "+s:p:jt:Vh", longopts,
	    NULL)) != -1) {
		if (ch == 's')
			o->socket = optarg;
		else if (ch == 'j')
			o->json = 1;
		else if ((ch == 'p' && (number(optarg, 65535, &o->port) ==
		    -1 || o->port == 0)) || (ch == 't' &&
		    number(optarg, 86400, &o->timeout) == -1)) {
			fprintf(stderr, "sbcctl: -%c: bad number '%s'\n", ch,
			    optarg);
			return *rc = EXIT_USAGE, -1;
		} else if (ch == 'V') {
			printf("sbcctl %s\n", PACKAGE_VERSION);
			return *rc = EXIT_DONE, -1;
		} else if (ch == 'h') {
			usage(stdout);
			return *rc = EXIT_DONE, -1;
		} else if (ch != 'p' && ch != 't') {
			usage(stderr);
			return *rc = EXIT_USAGE, -1;
		}
	}
	return optind;
}

int
main(int argc, char *argv[])
{
	struct opts	o = { .socket = SBC_CLI_SOCKET_DEFAULT, .timeout = 30 };
	int		first, rc = EXIT_DONE;

	if ((first = parse_options(argc, argv, &o, &rc)) == -1)
		return rc;
	if (o.port)
		snprintf(o.where, sizeof(o.where), "127.0.0.1:%d", o.port);
	else
		snprintf(o.where, sizeof(o.where), "%s", o.socket);
	if (first == argc)
		return interactive(&o);
	if (argc - first > CTL_MAX_ARGS) {
		fprintf(stderr, "sbcctl: at most %d words\n", CTL_MAX_ARGS);
		return EXIT_USAGE;
	}
	return run_command(&o, argc - first, argv + first, NULL);
}
