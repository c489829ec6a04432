/*
 * mediabench.c: load generator for the SBC's media relay (see mb.h).
 * Sets up N calls through a running SBC (browser side over WebSocket with
 * ICE + DTLS-SRTP, PBX side as a SIP UAS with plain RTP), runs G.711
 * 20 ms media both ways, measures over a window: the SBC's CPU time per
 * relayed packet (/proc/PID/stat), loss, one-way latency through the SBC
 * (send time in the payload against the kernel receive time), the SBC's
 * RSS per call; optionally fires an overload burst and prints the
 * per-second recovery; hangs up and prints a report plus one RESULT line.
 *
 * With -E host:port the calls go through rtpengine instead (mb_ng.c):
 * set up with ng offer/answer, SDES-SRTP on the browser side, ng delete
 * at teardown; the rest is the same.
 *
 * Phases: setup (INVITEs, a window in flight) → warm-up → measurement
 * window → drain → teardown (BYE) → report.  Everything is bounded: the
 * setup by -T, the rest by -w, -t and a 5 s teardown limit.
 *
 * Owns: the epoll set, the call table, the phase clock.
 * Thread: one (main); epoll + recvmmsg/sendmmsg, 1 ms send slots.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "tests/bench/mb.h"

#define SLOT_NS		1000000LL
#define TICK_NS		10000000LL
#define DRAIN_NS	500000000LL
#define BYE_NS		5000000000LL
#define MAX_THREADS	64

enum phase { P_SETUP, P_WARMUP, P_MEASURE, P_DRAIN, P_TEARDOWN, P_END };

struct run {
	enum phase		 phase;
	int64_t			 t_start, t_setup_done, phase_end;
	int64_t			 burst_time;	/* mono ns, 0: none/done */
	int64_t			 burst_real;	/* real ns of the burst */
	int64_t			 burst_ns;	/* time to send it */
	int			 bye_next, bye_sent, up_at_window;
	struct mb_proc		 idle, sig, p0, p1, p2;	/* sig: calls
						   answered, no DTLS yet */
	int			 sig_done, media_next, nsig;
	int64_t			 t_sig_done;
	struct mb_thread_cpu	 th0[MAX_THREADS], th1[MAX_THREADS];
	int			 nth0, nth1;
};

static volatile sig_atomic_t	stop;

int64_t
mb_mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t
mb_real_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
mb_epoll_add(struct mb *mb, int fd, uint32_t kind, uint32_t idx)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)kind << 32 | idx;
	return epoll_ctl(mb->ep, EPOLL_CTL_ADD, fd, &ev);
}

void
mb_call_fail(struct mb *mb, struct mb_call *c, const char *why)
{
	if (c->state == MB_C_FAILED)
		return;
	if (c->state == MB_C_INVITING)
		mb->inflight--;
	if (c->state == MB_C_ANSWERED)
		mb->nanswered--;
	if (c->state == MB_C_ICE || c->state == MB_C_DTLS)
		mb->nhandshake--;
	if (c->state == MB_C_UP)
		mb->nup--;
	if (c->fail != why)
		snprintf(c->fail, sizeof(c->fail), "%s", why);
	c->state = MB_C_FAILED;
	c->sending = 0;
	if (mb->nfailed++ < 5)
		fprintf(stderr, "mediabench: call %d failed: %s\n", c->idx,
		    why);
}

static void
usage(void)
{
	fprintf(stderr, "usage: mediabench [-v] [-n calls] [-t seconds] "
	    "[-w warmup] [-T setup-timeout] [-W invite-window]\n"
	    "    [-H sbc-host] [-p ws-port] [-u uas-port] [-s sbc-pid] "
	    "[-k pbx-sockets (0: one per call)]\n"
	    "    [-P dtls-srtp-profiles] [-B burst-packets] [-b burst-at] "
	    "[-r sbc-port-min-max ...] [-l label]\n"
	    "    [-E rtpengine-ng-ip:port (rtpengine mode: ng + SDES, "
	    "no SIP)]\n");
	exit(2);
}

static void
opts(struct mb_opts *o, int argc, char **argv)
{
	int	ch;

	*o = (struct mb_opts){ .ncalls = 100, .seconds = 20, .warmup = 2,
	    .setup_timeout = 30, .window = 64, .sbc_host = "127.0.0.1",
	    .ws_port = 8080, .uas_port = 5080, .nsock = { 8, 8 }, .burst_at = 5,
	    .label = "-" };
	while ((ch = getopt(argc, argv, "vn:t:w:T:W:H:p:u:s:K:k:P:B:b:r:l:E:"))
	    != -1) {
		switch (ch) {
		case 'v': o->verbose = 1; break;
		case 'n': o->ncalls = atoi(optarg); break;
		case 't': o->seconds = atoi(optarg); break;
		case 'w': o->warmup = atoi(optarg); break;
		case 'T': o->setup_timeout = atoi(optarg); break;
		case 'W': o->window = atoi(optarg); break;
		case 'H': o->sbc_host = optarg; break;
		case 'p': o->ws_port = atoi(optarg); break;
		case 'u': o->uas_port = atoi(optarg); break;
		case 's': o->sbc_pid = (pid_t)atoi(optarg); break;
		case 'K': o->nsock[MB_BROWSER] = atoi(optarg); break;
		case 'k': o->nsock[MB_PBX] = atoi(optarg); break;
		case 'P': o->profiles = optarg; break;
		case 'B': o->burst = atol(optarg); break;
		case 'b': o->burst_at = atoi(optarg); break;
		case 'r':
			if (o->nranges == 4 || sscanf(optarg, "%d-%d",
			    &o->port_min[o->nranges],
			    &o->port_max[o->nranges]) != 2)
				usage();
			o->nranges++;
			break;
		case 'l': o->label = optarg; break;
		case 'E': o->ng_addr = optarg; break;
		default: usage();
		}
	}
	if (o->burst_at >= o->seconds)
		o->burst_at = o->seconds / 2;
	if (o->nranges == 0) {
		o->port_min[0] = 20000;
		o->port_max[0] = 29999;
		o->nranges = 1;
	}
	if (o->ncalls < 1 || o->ncalls > 20000 || o->seconds < 1 ||
	    o->seconds > 200 || o->window < 1 || o->warmup < 0 ||
	    o->nsock[0] < 0 || o->nsock[1] < 0)
		usage();
}

/* ------------------------------------------------------------ phases */

/* Signaling first (INVITEs, a window in flight); once every call is
 * answered, a /proc snapshot (RSS of signaling and sessions without DTLS),
 * then ICE + DTLS, a window in flight. */
static void
setup_step(struct mb *mb, struct run *r, int64_t now)
{
	int	i;

	while (mb->inflight < mb->o.window && mb->next_invite < mb->o.ncalls)
		if (mb->o.ng_addr != NULL)
			ng_offer(mb, &mb->calls[mb->next_invite++]);
		else
			sig_invite(mb, &mb->calls[mb->next_invite++]);
	if (!r->sig_done && mb->next_invite == mb->o.ncalls &&
	    mb->inflight == 0) {
		proc_snap(mb, &r->sig);
		r->sig_done = 1;
		r->nsig = mb->nanswered;
		r->t_sig_done = now;
	}
	while (r->sig_done && mb->nhandshake < mb->o.window &&
	    r->media_next < mb->o.ncalls)
		if (mb->calls[r->media_next++].state == MB_C_ANSWERED)
			media_start(mb, &mb->calls[r->media_next - 1]);
	if (mb->next_invite == mb->o.ncalls &&
	    mb->nup + mb->nfailed == mb->o.ncalls)
		goto done;
	if (now < r->t_start + (int64_t)mb->o.setup_timeout * 1000000000LL)
		return;
	for (i = 0; i < mb->o.ncalls; i++)
		if (mb->calls[i].state != MB_C_UP)
			mb_call_fail(mb, &mb->calls[i], "setup timeout");
done:
	r->t_setup_done = now;
	r->phase = P_WARMUP;
	r->phase_end = now + (int64_t)mb->o.warmup * 1000000000LL;
	fprintf(stderr, "mediabench: %d of %d calls up in %.2f s (signaling "
	    "%.2f s)\n", mb->nup, mb->o.ncalls, (double)(now - r->t_start) /
	    1e9, (double)((r->sig_done ? r->t_sig_done : now) - r->t_start) /
	    1e9);
}

static void
window_start(struct mb *mb, struct run *r, int64_t now)
{
	proc_snap(mb, &r->p0);
	if (mb->o.sbc_pid > 0)
		r->nth0 = proc_threads(mb->o.sbc_pid, r->th0, MAX_THREADS);
	mb->measuring = 1;
	r->up_at_window = mb->nup;
	r->phase = P_MEASURE;
	r->phase_end = now + (int64_t)mb->o.seconds * 1000000000LL;
	if (mb->o.burst > 0)
		r->burst_time = now + (int64_t)mb->o.burst_at * 1000000000LL;
}

static void
window_end(struct mb *mb, struct run *r, int64_t now)
{
	int	i;

	proc_snap(mb, &r->p1);
	if (mb->o.sbc_pid > 0)
		r->nth1 = proc_threads(mb->o.sbc_pid, r->th1, MAX_THREADS);
	mb->measuring = 0;
	for (i = 0; i < mb->o.ncalls; i++)
		mb->calls[i].sending = 0;
	r->phase = P_DRAIN;
	r->phase_end = now + DRAIN_NS;
}

static void
teardown_step(struct mb *mb, struct run *r, int64_t now)
{
	int	sent = 0;

	while (r->bye_next < mb->o.ncalls && sent < mb->o.window) {
		struct mb_call *c = &mb->calls[r->bye_next++];

		if (c->state == MB_C_UP) {
			if (mb->o.ng_addr != NULL)
				ng_delete(mb, c);
			else
				sig_bye(mb, c);
			sent++;
		}
	}
	r->bye_sent += sent;
	if (r->bye_next == mb->o.ncalls && mb->nbye_done >= r->bye_sent &&
	    (mb->o.ng_addr != NULL || mb->nuas_bye >= r->bye_sent))
		r->phase = P_END;
	if (now >= r->phase_end)
		r->phase = P_END;
}

static void
burst(struct mb *mb, struct run *r)
{
	int64_t	t = mb_mono_ns();

	r->burst_real = mb_real_ns();
	media_burst(mb, mb->o.burst);
	r->burst_ns = mb_mono_ns() - t;
	r->burst_time = 0;
	fprintf(stderr, "mediabench: burst of %llu packets sent in %.1f ms\n",
	    (unsigned long long)mb->burst_sent, (double)r->burst_ns / 1e6);
}

static void
phase_step(struct mb *mb, struct run *r, int64_t now)
{
	switch (r->phase) {
	case P_SETUP:
		setup_step(mb, r, now);
		break;
	case P_WARMUP:
		if (now >= r->phase_end)
			window_start(mb, r, now);
		break;
	case P_MEASURE:
		if (r->burst_time != 0 && now >= r->burst_time)
			burst(mb, r);
		if (now >= r->phase_end)
			window_end(mb, r, now);
		break;
	case P_DRAIN:
		if (now >= r->phase_end) {
			proc_snap(mb, &r->p2);
			r->phase = P_TEARDOWN;
			r->phase_end = now + BYE_NS;
		}
		break;
	case P_TEARDOWN:
		teardown_step(mb, r, now);
		break;
	case P_END:
		break;
	}
	if (stop)
		r->phase = P_END;
}

/* ------------------------------------------------------------ main loop */

static void
run_slots(struct mb *mb, int64_t now)
{
	int64_t	lag;

	while (now >= mb->slot_next) {
		lag = now - mb->slot_next;
		if (lag > mb->lag_max_ns)
			mb->lag_max_ns = lag;
		if (lag > 1000000)
			mb->lag_over_1ms++;
		media_send_slot(mb, mb->slot);
		mb->slot = (mb->slot + 1) % MB_SLOTS;
		mb->slot_next += SLOT_NS;
		if (now - mb->slot_next > 100 * SLOT_NS)
			mb->slot_next = now;	/* stalled: do not catch up */
	}
}

static void
dispatch(struct mb *mb, const struct epoll_event *ev)
{
	uint32_t	kind = (uint32_t)(ev->data.u64 >> 32);
	uint32_t	idx = (uint32_t)ev->data.u64;

	switch (kind) {
	case MB_EV_WS:
		if (ev->events & EPOLLOUT)
			sig_ws_writable(mb);
		if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			sig_ws_readable(mb);
		break;
	case MB_EV_UAS:
		sig_uas_readable(mb);
		break;
	case MB_EV_BROWSER:
		media_readable(mb, MB_BROWSER, (int)idx);
		break;
	case MB_EV_PBX:
		media_readable(mb, MB_PBX, (int)idx);
		break;
	case MB_EV_NG:
		ng_readable(mb);
		break;
	}
}

static void
loop(struct mb *mb, struct run *r)
{
	struct epoll_event	ev[512];
	struct timespec		ts;
	int64_t			now, next_tick = 0, wait;
	int			i, n;

	while (r->phase != P_END) {
		now = mb_mono_ns();
		phase_step(mb, r, now);
		run_slots(mb, now);
		if (now >= next_tick) {
			if (mb->o.ng_addr != NULL)
				ng_tick(mb, now);
			else
				media_tick(mb, now);
			next_tick = now + TICK_NS;
		}
		wait = (mb->slot_next < next_tick ? mb->slot_next : next_tick) -
		    mb_mono_ns();
		if (wait < 0)
			wait = 0;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)wait;
		n = epoll_pwait2(mb->ep, ev, 512, &ts, NULL);
		for (i = 0; i < n; i++)
			dispatch(mb, &ev[i]);
	}
}

/* ------------------------------------------------------------ report */

static const char *
profile_name(int p)
{
	switch (p) {
	case SRTP_KEYS_AES128_CM_SHA1_80:	return "AES128_CM_SHA1_80";
	case SRTP_KEYS_AES128_CM_SHA1_32:	return "AES128_CM_SHA1_32";
	case SRTP_KEYS_AEAD_AES_128_GCM:	return "AEAD_AES_128_GCM";
	case SRTP_KEYS_AEAD_AES_256_GCM:	return "AEAD_AES_256_GCM";
	}
	return "none";
}

static void
report_threads(const struct run *r, double secs)
{
	int	i, j;
	long	tck = proc_clk_tck();

	printf("SBC threads (%% of one core):");
	for (i = 0; i < r->nth1; i++)
		for (j = 0; j < r->nth0; j++)
			if (strcmp(r->th0[j].name, r->th1[i].name) == 0 &&
			    r->th1[i].ticks > r->th0[j].ticks) {
				printf(" %s %.1f", r->th1[i].name,
				    (double)(r->th1[i].ticks -
				    r->th0[j].ticks) / (double)tck / secs *
				    100);
				break;
			}
	printf("\n");
}

static void
report_timeline(const struct mb *mb, const struct run *r)
{
	int64_t		 b = (r->burst_real - mb->media_t0) / 1000000000LL;
	int64_t		 i;
	uint64_t	 lost_after = 0;

	printf("per second around the burst (by send time; burst in s %lld):\n"
	    "  s   sent   recv   loss%%  max-latency-ms\n", (long long)b);
	for (i = b - 3 < 0 ? 0 : b - 3; i < MB_TL_MAX; i++) {
		const struct mb_tl *t = &mb->tl[i];
		uint64_t	    lost = t->sent - (t->recv < t->sent ?
				    t->recv : t->sent);

		if (t->sent == 0)
			break;
		printf("%3lld %6llu %6llu %7.3f %8.1f\n", (long long)i,
		    (unsigned long long)t->sent, (unsigned long long)t->recv,
		    100.0 * (double)lost / (double)t->sent,
		    (double)t->max_ns / 1e6);
		if (i > b)
			lost_after += lost;
	}
	printf("burst: %llu packets sent in %.1f ms; %llu relayed back, the "
	    "last %.1f ms after the burst began; normal packets lost after "
	    "the burst second: %llu\n", (unsigned long long)mb->burst_sent,
	    (double)r->burst_ns / 1e6,
	    (unsigned long long)(mb->d[0].burst_recv + mb->d[1].burst_recv),
	    mb->burst_last_rx > 0 ? (double)(mb->burst_last_rx -
	    r->burst_real) / 1e6 : 0.0, (unsigned long long)lost_after);
}

/* What else ran: the machine's busy time minus the SBC and us. */
static void
report_machine(const struct run *r, double sbc_s, double gen_s, double secs)
{
	double	tck = (double)proc_clk_tck();
	double	busy = (double)(r->p1.cpu_busy - r->p0.cpu_busy) / tck;
	double	sirq = (double)(r->p1.cpu_softirq - r->p0.cpu_softirq) / tck;

	printf("machine: %.1f%% of one core busy (softirq %.1f%%), of which "
	    "neither the SBC nor the generator %.1f%%; load average %.2f → "
	    "%.2f\n", busy / secs * 100, sirq / secs * 100,
	    (busy - sbc_s - gen_s) / secs * 100, r->p0.load1, r->p1.load1);
}

static void
report_latency(const char *what, const struct mb_hist *h)
{
	printf("latency %s (µs): p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f "
	    "max %.0f (%llu samples, %llu over %d ms)\n", what,
	    hist_pct(h, 50) / 1e3, hist_pct(h, 90) / 1e3,
	    hist_pct(h, 99) / 1e3, hist_pct(h, 99.9) / 1e3,
	    (double)h->max_ns / 1e3, (unsigned long long)h->n,
	    (unsigned long long)h->over, MB_HIST_MAX_US / 1000);
}

/* The window's figures, from the counters and the /proc snapshots. */
struct sum {
	double		 secs, sbc_s, gen_s, other_s, loss, rss_call, us_pkt;
	uint64_t	 relayed, sent, recv, sbc_drops, gen_drops;
	int		 profile;
	struct mb_hist	 all;
};

static double
loss_pct(uint64_t sent, uint64_t recv)
{
	return sent > 0 ? 100.0 * (double)(sent - (recv < sent ? recv : sent)) /
	    (double)sent : 0.0;
}

static void
summarize(struct mb *mb, const struct run *r, struct sum *m)
{
	const struct mb_proc	*p0 = &r->p0, *p1 = &r->p1;
	double			 tck = (double)proc_clk_tck();
	int			 i;

	for (i = 0; i < mb->o.ncalls && m->profile == 0; i++)
		m->profile = mb->calls[i].profile;
	m->secs = (double)(p1->mono_ns - p0->mono_ns) / 1e9;
	m->relayed = mb->d[0].relayed + mb->d[1].relayed;
	m->sent = mb->d[0].sent + mb->d[1].sent;
	m->recv = mb->d[0].recv + mb->d[1].recv;
	m->loss = m->sent > 0 ? loss_pct(m->sent, m->recv) : 100.0;
	m->sbc_s = (double)(p1->sbc_ticks - p0->sbc_ticks) / tck;
	m->gen_s = (double)(p1->self_us - p0->self_us) / 1e6;
	m->other_s = (double)(p1->cpu_busy - p0->cpu_busy) / tck - m->sbc_s -
	    m->gen_s;
	m->us_pkt = m->relayed ? m->sbc_s * 1e6 / (double)m->relayed : 0;
	m->sbc_drops = r->p2.sbc_drops - p0->sbc_drops;
	m->gen_drops = r->p2.gen_drops - p0->gen_drops;
	if (r->up_at_window > 0 && p1->sbc_rss_kb > 0)
		m->rss_call = (double)(p1->sbc_rss_kb - r->idle.sbc_rss_kb) /
		    r->up_at_window;
	hist_merge(&m->all, &mb->d[0].h);
	hist_merge(&m->all, &mb->d[1].h);
}

static void
report_cpu(const struct mb *mb, const struct run *r, const struct sum *m)
{
	printf("mediabench %s: %d calls, %d up at the window (setup %.2f s), "
	    "%d failed; SRTP %s; window %.1f s\n", mb->o.label, mb->o.ncalls,
	    r->up_at_window, (double)(r->t_setup_done - r->t_start) / 1e9,
	    mb->nfailed, profile_name(m->profile), m->secs);
	printf("relayed by the SBC: %llu packets (%.0f/s): browser→PBX %llu, "
	    "PBX→browser %llu\n", (unsigned long long)m->relayed,
	    (double)m->relayed / m->secs, (unsigned long long)mb->d[0].relayed,
	    (unsigned long long)mb->d[1].relayed);
	printf("SBC CPU: %.2f s = %.1f%% of one core; %.2f µs per relayed "
	    "packet\n", m->sbc_s, m->sbc_s / m->secs * 100, m->us_pkt);
	if (r->nth1 > 0)
		report_threads(r, m->secs);
	report_machine(r, m->sbc_s, m->gen_s, m->secs);
	printf("generator CPU: %.2f s = %.1f%% of one core; %.2f µs per "
	    "packet sent or received; send lag max %.2f ms, %llu slots "
	    "> 1 ms late\n", m->gen_s, m->gen_s / m->secs * 100,
	    m->gen_s * 1e6 / (double)(m->sent + m->relayed + 1),
	    (double)mb->lag_max_ns / 1e6,
	    (unsigned long long)mb->lag_over_1ms);
}

static void
report_media(const struct mb *mb, const struct run *r, const struct sum *m)
{
	int	i;

	for (i = 0; i < 2; i++)
		printf("%s: sent %llu received %llu loss %.4f%% bad %llu\n",
		    i == MB_B2P ? "browser→PBX" : "PBX→browser",
		    (unsigned long long)mb->d[i].sent,
		    (unsigned long long)mb->d[i].recv,
		    loss_pct(mb->d[i].sent, mb->d[i].recv),
		    (unsigned long long)mb->d[i].bad);
	report_latency("browser→PBX", &mb->d[MB_B2P].h);
	report_latency("PBX→browser", &mb->d[MB_P2B].h);
	report_latency("both", &m->all);
	printf("SBC RSS: %ld kB idle, %ld kB with calls: %.1f KiB per call "
	    "(%.1f KiB once answered, before ICE/DTLS)\n", r->idle.sbc_rss_kb,
	    r->p1.sbc_rss_kb, m->rss_call, r->nsig > 0 ?
	    (double)(r->sig.sbc_rss_kb - r->idle.sbc_rss_kb) / r->nsig : 0.0);
	printf("kernel UDP drops (window + drain): SBC sockets %llu, "
	    "generator sockets %llu; STUN checks %llu, answered %llu\n",
	    (unsigned long long)m->sbc_drops, (unsigned long long)m->gen_drops,
	    (unsigned long long)mb->stun_sent,
	    (unsigned long long)mb->stun_ok);
	if (mb->o.ng_addr != NULL)
		printf("teardown: %d ng deletes sent, %d answered\n",
		    r->bye_sent, mb->nbye_done);
	else
		printf("teardown: %d BYEs sent, %d answered; the PBX side "
		    "got %d\n", r->bye_sent, mb->nbye_done, mb->nuas_bye);
}

static int
report(struct mb *mb, struct run *r)
{
	static struct sum	m;

	summarize(mb, r, &m);
	report_cpu(mb, r, &m);
	report_media(mb, r, &m);
	if (mb->o.burst > 0)
		report_timeline(mb, r);
	printf("RESULT label=%s calls=%d up=%d profile=%s sbc_us_pkt=%.2f "
	    "sbc_cpu_pct=%.1f gen_cpu_pct=%.1f relayed_pps=%.0f loss_pct=%.4f "
	    "p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f "
	    "rss_kib_call=%.1f sbc_drops=%llu gen_drops=%llu "
	    "other_cpu_pct=%.1f load=%.2f\n", mb->o.label, mb->o.ncalls,
	    r->up_at_window, profile_name(m.profile), m.us_pkt,
	    m.sbc_s / m.secs * 100, m.gen_s / m.secs * 100,
	    (double)m.relayed / m.secs, m.loss, hist_pct(&m.all, 50) / 1e3,
	    hist_pct(&m.all, 90) / 1e3, hist_pct(&m.all, 99) / 1e3,
	    (double)m.all.max_ns / 1e3, m.rss_call,
	    (unsigned long long)m.sbc_drops, (unsigned long long)m.gen_drops,
	    m.other_s / m.secs * 100, r->p1.load1);
	return r->up_at_window == mb->o.ncalls ? 0 : 1;
}

/* ------------------------------------------------------------ main */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
start(struct mb *mb)
{
	int	i;

	if ((mb->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (mb->calls = calloc((size_t)mb->o.ncalls,
	    sizeof(*mb->calls))) == NULL)
		return -1;
	snprintf(mb->run_id, sizeof(mb->run_id), "%x", (unsigned)getpid());
	if (media_init(mb) == -1) {
		fprintf(stderr, "mediabench: media setup failed\n");
		return -1;
	}
	for (i = 0; i < mb->o.ncalls; i++) {
		mb->calls[i].idx = i;
		if (media_call_init(mb, &mb->calls[i]) == -1) {
			fprintf(stderr, "mediabench: call %d: no socket (%s)\n",
			    i, strerror(errno));
			return -1;
		}
	}
	return mb->o.ng_addr != NULL ? ng_init(mb) : sig_init(mb);
}

int
main(int argc, char **argv)
{
	static struct mb	mb;
	static struct run	r;
	int			rc;

	opts(&mb.o, argc, argv);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	mb.ws_fd = mb.uas_fd = mb.ng_fd = -1;
	if (start(&mb) == -1)
		return 1;
	proc_snap(&mb, &r.idle);
	r.t_start = mb_mono_ns();
	mb.media_t0 = mb_real_ns();
	mb.slot_next = r.t_start;
	loop(&mb, &r);
	if (r.p1.mono_ns == 0) {
		fprintf(stderr, "mediabench: stopped before the window "
		    "ended\n");
		rc = 1;
	} else
		rc = report(&mb, &r);
	sig_close(&mb);
	ng_close(&mb);
	media_free(&mb);
	return rc;
}
