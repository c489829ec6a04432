/*
 * mb.h: mediabench, a load generator for the SBC's media relay.  It owns
 * both ends of N G.711 calls: the "browser" (SIP over one WebSocket,
 * ICE + DTLS-SRTP toward the SBC's browser-side ports) and the "PBX" (a
 * SIP UAS on UDP, plain RTP toward the SBC's PBX-side ports), sends a
 * 172-byte RTP packet every 20 ms each way per call with a send
 * timestamp in the payload, and measures loss, one-way latency through
 * the SBC and the SBC's CPU time per relayed packet.
 *
 * With -E it measures rtpengine instead: calls set up over rtpengine's
 * ng protocol (mb_ng.c), the browser side SDES-SRTP instead of ICE +
 * DTLS-SRTP, the same media and figures (its PID with -s).
 *
 * Shared declarations of mediabench.c (options, phases, main loop,
 * report), mb_sig.c (WebSocket client, SIP UAC and UAS), mb_media.c
 * (sockets, STUN, DTLS, SRTP, RTP), mb_ng.c (ng client), mb_bencode.c
 * (bencode, pure) and
 * mb_proc.c (/proc readers).
 * Owns: nothing.  Thread: one; the generator is single-threaded.
 */
#ifndef MB_H
#define MB_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include <stun/stunagent.h>

#include "media/dtls.h"
#include "media/sdes.h"
#include "media/srtp_ctx.h"
#include "tests/bench/mb_bencode.h"

struct sdp_desc;

#define MB_PTIME_NS	20000000LL	/* one packet per 20 ms per direction */
#define MB_SLOTS	20		/* calls spread over 1 ms send slots */
#define MB_PAYLOAD	160		/* G.711, 20 ms */
#define MB_RTP_LEN	(12 + MB_PAYLOAD)
#define MB_PKT		1500
#define MB_MAGIC	0x4d424e43u	/* "MBNC" */
/* latency histogram: 1 µs buckets below 10 ms, 100 µs ones up to 10 s */
#define MB_HIST_FINE	10000
#define MB_HIST_MAX_US	10000000
#define MB_HIST_N	(MB_HIST_FINE + (MB_HIST_MAX_US - MB_HIST_FINE) / 100)
#define MB_TL_MAX	256		/* per-second timeline */

/* payload flags */
#define MB_F_WINDOW	0x1	/* sent inside the measurement window */
#define MB_F_BURST	0x2	/* overload burst packet */

enum mb_dir { MB_B2P, MB_P2B };		/* browser → PBX, PBX → browser */
/* Our two sides; each sends one direction: side == enum mb_dir. */
enum mb_side { MB_BROWSER = MB_B2P, MB_PBX = MB_P2B };

enum mb_state {
	MB_C_IDLE,		/* INVITE not sent yet */
	MB_C_INVITING,		/* waiting for the 200 */
	MB_C_ANSWERED,		/* 200 + ACK; media starts after every call's */
	MB_C_ICE,		/* STUN check sent */
	MB_C_DTLS,		/* handshake running */
	MB_C_UP,		/* SRTP keys ready */
	MB_C_BYE,		/* BYE sent */
	MB_C_DONE,		/* BYE answered */
	MB_C_FAILED,
};

struct mb_hist {
	uint64_t	n, over, max_ns;
	uint32_t	b[MB_HIST_N];
};

struct mb_dirstat {
	uint64_t	sent, recv;	/* MB_F_WINDOW packets */
	uint64_t	relayed;	/* any RTP received while measuring */
	uint64_t	bad;		/* undecodable, wrong source */
	uint64_t	burst_sent, burst_recv;
	struct mb_hist	h;
};

struct mb_tl {				/* one second of the media phase */
	uint64_t	sent, recv, max_ns;
};

struct mb_call {
	int			 idx;
	enum mb_state		 state;
	char			 fail[64];
	/* signaling */
	char			 to_tag[64];
	char			 contact[192];
	int			 sock[2];	/* pool index per side */
	struct sockaddr_in	 sbc[2];	/* the SBC's port per side */
	/* browser leg */
	char			 ufrag[12], pwd[32];
	char			 sbc_ufrag[64], sbc_pwd[128];
	char			 sbc_fp[DTLS_FP_MAX];
	struct sockaddr_in	 sbc_b;
	StunTransactionId	 stun_tid;
	int64_t			 stun_next;	/* mono ns */
	int			 stun_tries;
	struct dtls_conn	 dtls;
	int			 dtls_inited;
	struct srtp_pair	 srtp;
	int			 srtp_up;
	int			 profile;
	/* PBX leg */
	int			 pbx_known;
	/* rtpengine mode (-E): ng request in progress, SDES keys */
	int			 ng_step;	/* enum ng_step, mb_ng.c */
	int			 ng_tries;
	int64_t			 ng_next;	/* mono ns: retransmit */
	struct sdes_crypto	 ng_ours, ng_theirs;
	/* RTP */
	int			 sending;
	uint16_t		 seq[2];
	uint32_t		 ts[2], ssrc[2];
	uint32_t		 pkt[2];
	uint64_t		 sent[2], recv[2];	/* in window */
};

struct mb_opts {
	int		 ncalls;
	int		 seconds;	/* measurement window */
	int		 warmup;
	int		 setup_timeout;
	int		 window;	/* INVITEs in flight */
	const char	*sbc_host;
	int		 ws_port;
	int		 uas_port;
	pid_t		 sbc_pid;
	int		 nsock[2];	/* sockets per side; 0: one per call */
	const char	*profiles;	/* DTLS-SRTP profiles offered */
	long		 burst;		/* overload burst packets; 0: none */
	int		 burst_at;	/* seconds into the window */
	int		 port_min[4], port_max[4];	/* SBC media ports */
	int		 nranges;
	const char	*label;
	const char	*ng_addr;	/* -E: rtpengine's ng address */
	int		 verbose;
};

struct mb_proc {			/* a /proc snapshot */
	int64_t		 mono_ns;
	uint64_t	 sbc_ticks;	/* utime + stime */
	uint64_t	 self_us;	/* our user + system */
	long		 sbc_rss_kb;
	uint64_t	 sbc_drops, gen_drops;	/* kernel UDP drops */
	uint64_t	 cpu_busy, cpu_softirq;	/* all CPUs, ticks */
	double		 load1;		/* /proc/loadavg */
};

struct mb_thread_cpu {
	char		 name[32];
	uint64_t	 ticks;
};

struct mb {
	struct mb_opts		 o;
	struct mb_call		*calls;
	int			 ep;
	/* signaling */
	int			 ws_fd;
	uint8_t			*ws_in, *ws_out;
	size_t			 ws_inlen, ws_outlen, ws_outcap;
	int			 uas_fd;
	int			 ng_fd;		/* -E: to rtpengine */
	struct sdp_desc		*ng_sdp;	/* -E: a reply's SDP (45 KB) */
	char			*ng_rx;		/* -E: a reply, NG_RX_MAX */
	char			 run_id[16];
	int			 inflight;	/* INVITEs not answered */
	int			 next_invite;
	int			 nup, nfailed, nbye_done;
	int			 nuas_bye;	/* BYEs the PBX side got */
	int			 nanswered;	/* waiting for media */
	int			 nhandshake;	/* in ICE or DTLS */
	/* media */
	struct dtls_identity	 id;
	StunAgent		 stun;
	uint64_t		 tie;
	struct mb_pool {
		int		 n;
		int		*fd, *port;
	}			 pool[2];	/* per side */
	int32_t			*port2call;	/* SBC port → call index */
	uint8_t			*our_port;	/* bitmap: our UDP ports */
	int			 measuring;
	int64_t			 media_t0;	/* mono ns: first slot */
	int64_t			 slot_next;
	int			 slot;
	int64_t			 lag_max_ns;	/* generator send lateness */
	uint64_t		 lag_over_1ms;
	struct mb_dirstat	 d[2];
	struct mb_tl		 tl[MB_TL_MAX];
	uint64_t		 stun_sent, stun_ok;
	uint64_t		 burst_sent;
	int64_t			 burst_last_rx;	/* real ns */
};

/* mediabench.c */
int64_t	mb_mono_ns(void);
int64_t	mb_real_ns(void);
void	mb_call_fail(struct mb *, struct mb_call *, const char *);
int	mb_epoll_add(struct mb *, int fd, uint32_t kind, uint32_t idx);

/* epoll data: kind << 32 | index */
#define MB_EV_WS	1
#define MB_EV_UAS	2
#define MB_EV_BROWSER	3	/* index: mb.pool[MB_BROWSER] */
#define MB_EV_PBX	4	/* index: mb.pool[MB_PBX] */
#define MB_EV_NG	5	/* the ng socket */

/* mb_sig.c */
int	sig_init(struct mb *);
void	sig_invite(struct mb *, struct mb_call *);
void	sig_bye(struct mb *, struct mb_call *);
void	sig_ws_readable(struct mb *);
void	sig_ws_writable(struct mb *);
void	sig_uas_readable(struct mb *);
void	sig_close(struct mb *);

/* mb_media.c */
int	media_init(struct mb *);
int	media_call_init(struct mb *, struct mb_call *);
void	media_start(struct mb *, struct mb_call *);
void	media_pbx_known(struct mb *, struct mb_call *);
void	media_readable(struct mb *, int side, int sock);
void	media_tick(struct mb *, int64_t now);
void	media_send_slot(struct mb *, int slot);
void	media_burst(struct mb *, long npackets);
void	media_free(struct mb *);
int	media_port(struct mb *, const struct mb_call *, int side);

/* mb_ng.c: the ng client */
int	ng_init(struct mb *);
void	ng_offer(struct mb *, struct mb_call *);
void	ng_delete(struct mb *, struct mb_call *);
void	ng_readable(struct mb *);
void	ng_tick(struct mb *, int64_t now);
void	ng_close(struct mb *);

/* mb_proc.c */
int	proc_snap(struct mb *, struct mb_proc *);
int	proc_threads(pid_t, struct mb_thread_cpu *, int max);
long	proc_clk_tck(void);
uint64_t hist_pct(const struct mb_hist *, double pct);
void	hist_add(struct mb_hist *, int64_t ns);
void	hist_merge(struct mb_hist *, const struct mb_hist *);

#endif
