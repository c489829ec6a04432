/*
 * sdes-peer.c: a real SDES-SRTP media endpoint for the system tests (SIPp
 * cannot decrypt): the PBX's media side of a call whose signaling SIPp
 * plays (tests/system/sipp/uas_sdes.xml, glue in tests/system/sdes_peer.sh).
 *
 * Answerer (default): waits for the other side's SDP offer in the -i file
 * (c=, the audio m= port, a=rtcp, a=crypto lines), chooses a line in the
 * -s order (media/sdes.c: the first acceptable in our order, same tag),
 * makes its own key and writes its SDP answer to the -o file (atomically,
 * no final CRLF: SIPp's [file] keyword adds it).  Offerer (-O): writes an
 * offer (tags 1..n) to -o first, then waits for the answer in -i.
 * It prints its a=crypto line on stdout (test keys, printed on purpose),
 * then for -t seconds (or until SIGTERM/SIGINT) receives SRTP/SRTCP on
 * its port and port+1 (RTCP muxed on the RTP port is also taken),
 * unprotects it (counting good packets and failures) and sends SRTP back:
 * an echo of every decrypted RTP payload under its own SSRC, or with -g a
 * generated 50 packet/s PCMU stream instead (quiet for the last 300 ms,
 * so that the last echoes come back); an SRTCP RR every second.
 * Ends with one JSON line: {"suite", "tag", "received_ok",
 * "auth_failures", "replay_failures", "other_failures", "sent",
 * "rtcp_received_ok", "rtcp_sent"}, or {"error": ...} and exit 1.
 *
 * Owns: two UDP sockets, one SRTP pair.  Thread: single; the one global
 * is the stop flag set by the signal handler.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "media/rtp.h"
#include "media/sdes.h"
#include "media/sdp_conv.h"
#include "media/srtp_ctx.h"

#define MAX_LINES	8		/* a=crypto lines read */
#define MAX_SDP		(64 * 1024)
#define PKT_MAX		(1500 + SRTP_PAIR_TRAILER_MAX)
#define PCMU_BYTES	160		/* 20 ms at 8 kHz */
#define TAIL_MS		300		/* -g: quiet end, for the echoes */

struct rsdp {				/* the other side's SDP */
	char			addr[64];
	int			port, rtcp_port;
	struct sdp_crypto	crypto[MAX_LINES];
	int			ncrypto;
};

struct peer {
	const char		*laddr, *in_file, *out_file;
	int			 lport, seconds, wait_secs, generate, offerer;
	enum sdes_suite		 prefs[SDES_NSUITES];
	int			 nprefs;
	int			 fd, rfd;	/* RTP, RTCP */
	struct sockaddr_storage	 raddr, rcaddr;
	socklen_t		 ralen;
	struct sdes_crypto	 ours[SDES_OFFER_MAX], local, remote;
	int			 nours;
	struct srtp_pair	 srtp;
	uint32_t		 ssrc, ts;
	uint16_t		 seq;
	uint64_t		 rx_ok, rtcp_ok, sent, rtcp_sent;
};

static volatile sig_atomic_t	stop;

static void
on_signal(int sig)
{
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sdes-peer [-O] [-g] [-l addr] [-p port] "
	    "[-s suite,...] [-t seconds] [-w seconds] -i their.sdp "
	    "-o our.sdp\n");
	exit(2);
}

static void
fail(const char *what)
{
	printf("{\"error\":\"%s\",\"received_ok\":0,\"auth_failures\":0,"
	    "\"sent\":0}\n", what);
	exit(1);
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ options */

static void
parse_suites(struct peer *p, char *list)
{
	char	*tok, *save = NULL;

	p->nprefs = 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (p->nprefs == SDES_NSUITES ||
		    (p->prefs[p->nprefs] = sdes_suite_by_name(tok)) ==
		    SDES_SUITE_NONE)
			fail("unknown or too many suites in -s");
		p->nprefs++;
	}
	if (p->nprefs == 0)
		fail("empty -s");
}

static void
parse_args(struct peer *p, int argc, char **argv)
{
	int	c;

	p->laddr = "127.0.0.1";
	p->seconds = 5;
	p->wait_secs = 20;
	p->nprefs = sdes_default_prefs(p->prefs, SDES_NSUITES);
	while ((c = getopt(argc, argv, "Ogi:l:o:p:s:t:w:")) != -1) {
		switch (c) {
		case 'O': p->offerer = 1; break;
		case 'g': p->generate = 1; break;
		case 'i': p->in_file = optarg; break;
		case 'l': p->laddr = optarg; break;
		case 'o': p->out_file = optarg; break;
		case 'p': p->lport = atoi(optarg); break;
		case 's': parse_suites(p, optarg); break;
		case 't': p->seconds = atoi(optarg); break;
		case 'w': p->wait_secs = atoi(optarg); break;
		default: usage();
		}
	}
	if (p->in_file == NULL || p->out_file == NULL || optind != argc ||
	    p->lport < 0 || p->lport > 65534 || (p->lport & 1) ||
	    p->seconds < 0 || p->wait_secs < 0)
		usage();
}

/* ------------------------------------------------------------ sockets */

static int
to_sockaddr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	hints, *ai;
	char		pstr[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(pstr, sizeof(pstr), "%d", port);
	if (getaddrinfo(addr, pstr, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int
bound(const char *addr, int port)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd;

	if (to_sockaddr(addr, port, &ss, &len) != 0 ||
	    (fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
local_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* RTP on an even port, RTCP on the next; -p 0: any free pair. */
static void
open_sockets(struct peer *p)
{
	int	i, port;

	for (i = 0; i < 64; i++) {
		if ((p->fd = bound(p->laddr, p->lport)) == -1)
			fail("cannot bind the RTP port");
		port = local_port(p->fd);
		if (port > 0 && port % 2 == 0 && port < 65535 &&
		    (p->rfd = bound(p->laddr, port + 1)) != -1) {
			p->lport = port;
			return;
		}
		close(p->fd);
		if (p->lport != 0)
			break;
	}
	fail("cannot bind an RTP/RTCP port pair");
}

/* ------------------------------------------------------------ SDP */

/* One line of the other side's SDP; *audio: inside the audio m=. */
static void
sdp_line(struct rsdp *r, const char *l, int *audio, int *done)
{
	char	addr[64];
	int	port;

	if (strncmp(l, "m=", 2) == 0) {
		*audio = !*done && sscanf(l, "m=audio %d ", &port) == 1;
		if (*audio) {
			r->port = port;
			*done = 1;
		}
	} else if (sscanf(l, "c=IN IP%*1[46] %63s", addr) == 1) {
		if (*audio || !*done)
			snprintf(r->addr, sizeof(r->addr), "%s", addr);
	} else if (*audio && sscanf(l, "a=rtcp:%d", &port) == 1)
		r->rtcp_port = port;
	else if (*audio && strncmp(l, "a=crypto:", 9) == 0 &&
	    r->ncrypto < MAX_LINES &&
	    sdes_split(l + 9, &r->crypto[r->ncrypto]) == 0)
		r->ncrypto++;
}

/* Parse text (modified: lines cut); 0 when complete enough to use. */
static int
sdp_read(char *text, struct rsdp *r)
{
	char	*line, *next;
	int	 audio = 0, done = 0;
	size_t	 n;

	memset(r, 0, sizeof(*r));
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		sdp_line(r, line, &audio, &done);
	}
	if (r->rtcp_port == 0)
		r->rtcp_port = r->port + 1;
	return r->port > 0 && r->port < 65535 && r->addr[0] != '\0' &&
	    r->ncrypto > 0 ? 0 : -1;
}

/* Wait until path holds a usable SDP (writers may not be atomic). */
static void
wait_sdp(const char *path, int secs, struct rsdp *r)
{
	uint64_t	 end = now_ms() + (uint64_t)secs * 1000;
	char		*buf = malloc(MAX_SDP + 1);
	FILE		*f;
	size_t		 n;

	if (buf == NULL)
		fail("out of memory");
	while (!stop) {
		if ((f = fopen(path, "rb")) != NULL) {
			n = fread(buf, 1, MAX_SDP, f);
			fclose(f);
			buf[n] = '\0';
			if (sdp_read(buf, r) == 0) {
				OPENSSL_cleanse(buf, MAX_SDP + 1);
				free(buf);
				return;
			}
		}
		if (now_ms() >= end)
			break;
		usleep(20000);
	}
	free(buf);
	fail("no usable SDP in the input file");
}

/* Our SDP, written to path.tmp then renamed; no final CRLF. */
static void
write_sdp(struct peer *p, const struct sdes_crypto *c, int n)
{
	char	tmp[4096], line[SDES_LINE_MAX];
	int	i, v6 = strchr(p->laddr, ':') != NULL;
	FILE	*f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", p->out_file);
	if ((f = fopen(tmp, "wb")) == NULL)
		fail("cannot write the output SDP");
	fprintf(f, "v=0\r\no=sdes-peer %u 1 IN IP%c %s\r\ns=sdes-peer\r\n"
	    "c=IN IP%c %s\r\nt=0 0\r\nm=audio %d RTP/SAVP 0\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n", (unsigned)getpid(), v6 ? '6' : '4',
	    p->laddr, v6 ? '6' : '4', p->laddr, p->lport);
	for (i = 0; i < n; i++) {
		if (sdes_format(&c[i], line, sizeof(line)) != 0)
			fail("cannot format our crypto line");
		fprintf(f, "a=crypto:%s\r\n", line);
		printf("a=crypto:%s\n", line);
	}
	fprintf(f, "a=ptime:20\r\na=sendrecv");
	OPENSSL_cleanse(line, sizeof(line));
	if (fclose(f) != 0 || rename(tmp, p->out_file) != 0)
		fail("cannot write the output SDP");
	fflush(stdout);
}

/* ------------------------------------------------------------ keys */

static void
answer(struct peer *p, const struct rsdp *r)
{
	enum sdes_err	why;

	if (sdes_answer_select(r->crypto, r->ncrypto, p->prefs, p->nprefs,
	    &p->remote, &why) != 0)
		fail(sdes_strerror(why));
	if (sdes_generate(p->remote.suite, p->remote.tag, &p->local, &why) != 0)
		fail(sdes_strerror(why));
	write_sdp(p, &p->local, 1);
}

static void
offer(struct peer *p, struct rsdp *r)
{
	enum sdes_err	why;
	int		chosen;

	p->nours = sdes_offer_make(p->prefs, p->nprefs, p->ours,
	    SDES_OFFER_MAX, &why);
	if (p->nours < 1)
		fail(sdes_strerror(why));
	write_sdp(p, p->ours, p->nours);
	wait_sdp(p->in_file, p->wait_secs, r);
	if (sdes_answer_match(p->ours, p->nours, r->crypto, r->ncrypto,
	    &chosen, &p->remote, &why) != 0)
		fail(sdes_strerror(why));
	p->local = p->ours[chosen];
}

static void
negotiate(struct peer *p)
{
	struct rsdp	r;

	if (p->offerer)
		offer(p, &r);
	else {
		wait_sdp(p->in_file, p->wait_secs, &r);
		answer(p, &r);
	}
	if (to_sockaddr(r.addr, r.port, &p->raddr, &p->ralen) != 0 ||
	    to_sockaddr(r.addr, r.rtcp_port, &p->rcaddr, &p->ralen) != 0)
		fail("bad address in the input SDP");
	if (srtp_pair_init_sdes(&p->srtp, sdes_suite_name(p->local.suite),
	    p->local.key, p->local.key_len, p->remote.key,
	    p->remote.key_len) != 0)
		fail("libsrtp refused the keys");
	OPENSSL_cleanse(&r, sizeof(r));
}

/* ------------------------------------------------------------ media */

static void
send_pkt(struct peer *p, uint8_t *pkt, int len, int rtcp)
{
	const struct sockaddr_storage	*to = rtcp ? &p->rcaddr : &p->raddr;

	if (srtp_pair_protect(&p->srtp, pkt, &len, rtcp) != 0)
		return;
	if (sendto(rtcp ? p->rfd : p->fd, pkt, (size_t)len, 0,
	    (const struct sockaddr *)to, p->ralen) == len) {
		if (rtcp)
			p->rtcp_sent++;
		else
			p->sent++;
	}
}

/* An RTP packet of ours around payload (pt, marker kept from the echo). */
static void
send_rtp(struct peer *p, int pt, int marker, const uint8_t *payload,
    size_t plen)
{
	uint8_t	pkt[PKT_MAX];

	if (plen > sizeof(pkt) - RTP_HDR_MIN - SRTP_PAIR_TRAILER_MAX)
		return;
	pkt[0] = 0x80;
	pkt[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	pkt[2] = (uint8_t)(p->seq >> 8);
	pkt[3] = (uint8_t)p->seq;
	pkt[4] = (uint8_t)(p->ts >> 24);
	pkt[5] = (uint8_t)(p->ts >> 16);
	pkt[6] = (uint8_t)(p->ts >> 8);
	pkt[7] = (uint8_t)p->ts;
	pkt[8] = (uint8_t)(p->ssrc >> 24);
	pkt[9] = (uint8_t)(p->ssrc >> 16);
	pkt[10] = (uint8_t)(p->ssrc >> 8);
	pkt[11] = (uint8_t)p->ssrc;
	memcpy(pkt + RTP_HDR_MIN, payload, plen);
	p->seq++;
	p->ts += PCMU_BYTES;
	send_pkt(p, pkt, (int)(RTP_HDR_MIN + plen), 0);
}

static void
send_generated(struct peer *p)
{
	uint8_t	payload[PCMU_BYTES];

	memset(payload, 0xff, sizeof(payload));	/* PCMU silence */
	payload[0] = (uint8_t)(p->seq >> 8);
	payload[1] = (uint8_t)p->seq;
	send_rtp(p, 0, 0, payload, sizeof(payload));
}

/* Receiver report, no report block. */
static void
send_rr(struct peer *p)
{
	uint8_t	pkt[8 + SRTP_PAIR_TRAILER_MAX];

	pkt[0] = 0x80;
	pkt[1] = RTCP_RR;
	pkt[2] = 0;
	pkt[3] = 1;
	pkt[4] = (uint8_t)(p->ssrc >> 24);
	pkt[5] = (uint8_t)(p->ssrc >> 16);
	pkt[6] = (uint8_t)(p->ssrc >> 8);
	pkt[7] = (uint8_t)p->ssrc;
	send_pkt(p, pkt, 8, 1);
}

static void
on_packet(struct peer *p, uint8_t *pkt, int len, int rtcp_port)
{
	struct rtp_hdr	h;

	if (rtp_classify(pkt, (size_t)len) != RTP_KIND_RTP)
		return;
	if (rtcp_port || rtp_is_rtcp(pkt, (size_t)len)) {
		if (srtp_pair_unprotect(&p->srtp, pkt, &len, 1) == 0 &&
		    rtcp_walk(pkt, (size_t)len) > 0)
			p->rtcp_ok++;
		return;
	}
	if (srtp_pair_unprotect(&p->srtp, pkt, &len, 0) != 0 ||
	    rtp_parse(pkt, (size_t)len, &h) != 0)
		return;
	p->rx_ok++;
	if (!p->generate)
		send_rtp(p, h.pt, h.marker, pkt + h.payload_off,
		    h.payload_len);
}

static void
drain(struct peer *p, int fd, int rtcp_port)
{
	uint8_t	pkt[PKT_MAX];
	ssize_t	n;

	while ((n = recv(fd, pkt, sizeof(pkt) - SRTP_PAIR_TRAILER_MAX,
	    MSG_DONTWAIT)) > 0)
		on_packet(p, pkt, (int)n, rtcp_port);
}

/*
 * Until -t or a signal.  With -g, generation stops TAIL_MS before the
 * end so that the echoes of the last packets still count.
 */
static void
media(struct peer *p)
{
	struct pollfd	pfd[2];
	uint64_t	now, end, gen_end, next_gen, next_rr, wake;

	now = now_ms();
	end = now + (uint64_t)p->seconds * 1000;
	gen_end = end > now + TAIL_MS ? end - TAIL_MS : now;
	next_gen = now;
	next_rr = now + 200;
	pfd[0].fd = p->fd;
	pfd[1].fd = p->rfd;
	pfd[0].events = pfd[1].events = POLLIN;
	while (!stop && (now = now_ms()) < end) {
		wake = next_rr < end ? next_rr : end;
		if (p->generate && next_gen < wake && next_gen < gen_end)
			wake = next_gen;
		if (poll(pfd, 2, wake > now ? (int)(wake - now) : 0) > 0) {
			if (pfd[0].revents & POLLIN)
				drain(p, p->fd, 0);
			if (pfd[1].revents & POLLIN)
				drain(p, p->rfd, 1);
		}
		now = now_ms();
		for (; p->generate && next_gen <= now && next_gen < gen_end;
		    next_gen += 20)
			send_generated(p);
		for (; next_rr <= now; next_rr += 1000)
			send_rr(p);
	}
}

static void
report(const struct peer *p)
{
	const struct srtp_pair_stats	*s = &p->srtp.stats;

	printf("{\"suite\":\"%s\",\"tag\":%d,\"received_ok\":%llu,"
	    "\"auth_failures\":%llu,\"replay_failures\":%llu,"
	    "\"other_failures\":%llu,\"sent\":%llu,"
	    "\"rtcp_received_ok\":%llu,\"rtcp_sent\":%llu}\n",
	    sdes_suite_name(p->local.suite), p->local.tag,
	    (unsigned long long)p->rx_ok, (unsigned long long)s->auth_fail,
	    (unsigned long long)s->replay_fail,
	    (unsigned long long)s->other_fail, (unsigned long long)p->sent,
	    (unsigned long long)p->rtcp_ok, (unsigned long long)p->rtcp_sent);
}

int
main(int argc, char **argv)
{
	struct peer		p;
	struct sigaction	sa;

	memset(&p, 0, sizeof(p));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	parse_args(&p, argc, argv);
	if (srtp_global_init() != 0)
		fail("srtp_init failed");
	if (RAND_bytes((unsigned char *)&p.ssrc, sizeof(p.ssrc)) != 1 ||
	    RAND_bytes((unsigned char *)&p.seq, sizeof(p.seq)) != 1)
		fail("no random bytes");
	p.seq &= 0x7fff;
	open_sockets(&p);
	negotiate(&p);
	media(&p);
	report(&p);
	srtp_pair_free(&p.srtp);
	OPENSSL_cleanse(&p, sizeof(p));
	srtp_global_shutdown();
	return 0;
}
