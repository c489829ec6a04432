/*
 * srtp_ctx.h: SRTP/SRTCP contexts for one media stream on libsrtp2: an
 * inbound and an outbound srtp_t made from DTLS-SRTP exported keys
 * (browser side) or from SDES key||salt (PBX side).
 *
 * Owns: the two srtp_t of a struct srtp_pair and its error counters.
 * Thread: srtp_global_init()/srtp_global_shutdown() in main, once, before
 * and after every other thread; a pair belongs to the media worker that
 * owns its session.  protect/unprotect neither allocate (except inside
 * libsrtp, once per new SSRC), lock nor log.
 */
#ifndef SBC_SRTP_CTX_H
#define SBC_SRTP_CTX_H

#include <stddef.h>
#include <stdint.h>

#include <srtp2/srtp.h>

/* DTLS-SRTP protection profiles (RFC 5764, 7714): the IANA numbers, which
 * are also OpenSSL's SRTP_* ids and libsrtp's srtp_profile_t values. */
#define SRTP_KEYS_AES128_CM_SHA1_80	0x0001
#define SRTP_KEYS_AES128_CM_SHA1_32	0x0002
#define SRTP_KEYS_AEAD_AES_128_GCM	0x0007
#define SRTP_KEYS_AEAD_AES_256_GCM	0x0008

/* Longest master key || master salt: AES-256 key + 14-byte CM salt. */
#define SRTP_KEYS_MAX		46

/* Room a caller must leave after a packet for srtp_pair_protect():
 * the longest tag + MKI, plus the 4-byte SRTCP index. */
#define SRTP_PAIR_TRAILER_MAX	(SRTP_MAX_TRAILER_LEN + 4)

/*
 * Master keys of one stream.  Each buffer holds key_len bytes of master
 * key followed by salt_len bytes of master salt (libsrtp's layout).
 * local_key protects what we send; remote_key checks what the peer sends.
 * Secret: never log it; wipe it (OPENSSL_cleanse/explicit_bzero) when done.
 */
struct srtp_keys {
	int	profile;	/* SRTP_KEYS_*, 0 for an SDES-only suite */
	uint8_t	local_key[SRTP_KEYS_MAX];
	uint8_t	remote_key[SRTP_KEYS_MAX];
	size_t	key_len;
	size_t	salt_len;
};

struct srtp_pair_stats {
	uint64_t	protect_fail;
	uint64_t	auth_fail;	/* srtp_err_status_auth_fail */
	uint64_t	replay_fail;	/* replay_fail or replay_old */
	uint64_t	other_fail;	/* anything else on unprotect */
};

struct srtp_pair {
	srtp_t			in;	/* ssrc_any_inbound, remote key */
	srtp_t			out;	/* ssrc_any_outbound, local key */
	srtp_err_status_t	err;	/* status of the last call */
	struct srtp_pair_stats	stats;
};

/*
 * libsrtp's own process-global state (its crypto kernel, registered
 * ciphers and debug modules): not ours.  Call srtp_global_init() once in
 * main before starting threads, srtp_global_shutdown() after joining them.
 */
int	srtp_global_init(void);
void	srtp_global_shutdown(void);

/* Master key and salt lengths of a DTLS-SRTP profile; -1 if unsupported. */
int	srtp_keys_lengths(int profile, size_t *key_len, size_t *salt_len);

/* Both contexts from DTLS-SRTP keys (window 1024, repeat tx allowed). */
int	srtp_pair_init(struct srtp_pair *, const struct srtp_keys *);

/*
 * Both contexts for SDES (RFC 4568) crypto-suite `suite`:
 * AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM,
 * AEAD_AES_256_GCM or AES_256_CM_HMAC_SHA1_80.  local/remote are the raw
 * key||salt (the decoded inline: key) of each direction; each length must
 * be exactly the suite's.
 */
int	srtp_pair_init_sdes(struct srtp_pair *, const char *suite,
	    const uint8_t *local, size_t local_len,
	    const uint8_t *remote, size_t remote_len);

/* Safe on a zeroed or already freed pair. */
void	srtp_pair_free(struct srtp_pair *);

/*
 * In place.  protect: pkt must have room for *len + SRTP_PAIR_TRAILER_MAX
 * bytes.  0 on success, -1 on failure; p->err holds libsrtp's status and
 * p->stats counts failures (auth, replay) for the worker's counters.
 */
int	srtp_pair_protect(struct srtp_pair *, uint8_t *pkt, int *len,
	    int rtcp);
int	srtp_pair_unprotect(struct srtp_pair *, uint8_t *pkt, int *len,
	    int rtcp);

#endif
