/*
 * sdes.h: SDP Security Descriptions (RFC 4568) for the PBX leg: parse and
 * check one a=crypto value, generate and format our own, and the
 * offer/answer choice of a crypto line.
 *
 * Suites: AES_CM_128_HMAC_SHA1_80 and _32 (RFC 4568), AEAD_AES_128_GCM
 * and AEAD_AES_256_GCM (RFC 7714), AES_256_CM_HMAC_SHA1_80 (RFC 6188);
 * the names are those srtp_pair_init_sdes() takes.
 *
 * What we accept (a line we refuse is skipped, and another offered line
 * may still be chosen; nothing is ever half-parsed into a usable key):
 *   - key method "inline" only, one key per line, no MKI: libsrtp could
 *     take an MKI but the worker does not wire it, so a line with
 *     "|MKI:length" (SDES_E_MKI) or several ";"-separated keys
 *     (SDES_E_MULTIKEY) is refused after being checked in full;
 *   - the key as strict, padded base64 of exactly the suite's
 *     key || salt length (no whitespace, no stray bits);
 *   - a lifetime ("2^n" or decimal) from 1 to 2^48, the SRTP maximum of
 *     every suite here (their SRTCP maximum, 2^31, is the suite's own
 *     limit): it is the sender's promise to re-key, so it is checked and
 *     kept but never enforced on receive;
 *   - session parameters: WSH=n (n >= 64, a hint) and KDR=0 (the
 *     default); any other (UNENCRYPTED_SRTP/SRTCP, UNAUTHENTICATED_SRTP,
 *     KDR=n>0, FEC_ORDER, FEC_KEY, unknown) refuses the line.
 *
 * Pure: no globals, no logging, no sockets; OpenSSL's RAND_bytes for our
 * keys.  Key bytes are secret: never print a struct sdes_crypto or a
 * formatted line; sdes_wipe() them when done.  Owns: nothing.
 * Thread: any (signaling for SDP, tests, the fuzzer, the test peer).
 */
#ifndef SBC_MEDIA_SDES_H
#define SBC_MEDIA_SDES_H

#include <stddef.h>
#include <stdint.h>

struct sdp_crypto;		/* media/sdp_conv.h */

enum sdes_suite {
	SDES_SUITE_NONE = 0,
	SDES_AES_CM_128_HMAC_SHA1_80,
	SDES_AES_CM_128_HMAC_SHA1_32,
	SDES_AEAD_AES_128_GCM,
	SDES_AEAD_AES_256_GCM,
	SDES_AES_256_CM_HMAC_SHA1_80,
};
#define SDES_NSUITES	5

#define SDES_KEY_MAX	46	/* AES-256 key + 14-byte salt */
#define SDES_B64_MAX	64	/* padded base64 of SDES_KEY_MAX bytes */
#define SDES_LINE_MAX	512	/* longest a=crypto value we read */
#define SDES_OFFER_MAX	4	/* lines in our offer (SDP_MAX_CRYPTO) */
#define SDES_TAG_MAX	999999999	/* tag = 1*9DIGIT */
#define SDES_MKI_LEN_MAX	128

/* Why a line was refused. */
enum sdes_err {
	SDES_OK = 0,
	SDES_E_SYNTAX,		/* not "tag suite key-params [params]" */
	SDES_E_TAG,		/* tag not 1..9 digits */
	SDES_E_SUITE,		/* unknown or not wanted */
	SDES_E_METHOD,		/* key method is not inline: */
	SDES_E_BASE64,		/* not strict padded base64 */
	SDES_E_KEYLEN,		/* key || salt not the suite's length */
	SDES_E_LIFETIME,	/* malformed, 0, or above 2^48 */
	SDES_E_MKI_SYNTAX,	/* malformed MKI, length not 1..128 */
	SDES_E_MKI,		/* well-formed MKI: not supported */
	SDES_E_MULTIKEY,	/* several keys: not supported */
	SDES_E_SESSION,		/* session parameter not supported */
	SDES_E_DUPTAG,		/* tag offered twice */
	SDES_E_NOMATCH,		/* answer's tag is none of our offer's */
	SDES_E_MISMATCH,	/* answer's suite differs from our line's */
	SDES_E_COUNT,		/* answer has not exactly one line */
	SDES_E_RANDOM,		/* RAND_bytes failed */
	SDES_E_ARG,		/* bad argument, output too small */
};

/*
 * One a=crypto line, decoded.  key holds key_len bytes of master key ||
 * master salt (libsrtp's layout): secret.  When sdes_parse*() refuses a
 * line for MKI or several keys, the rest is still filled (lifetime, mki,
 * mki_len, nkeys) so the reason can be checked, but key is wiped.
 */
struct sdes_crypto {
	int		 tag;
	enum sdes_suite	 suite;
	uint8_t		 key[SDES_KEY_MAX];
	size_t		 key_len;
	uint64_t	 lifetime;	/* packets; 0: not given (maximum) */
	uint64_t	 mki;		/* of the first key; 0 if > 64 bits */
	int		 mki_len;	/* bytes; 0: no MKI */
	int		 nkeys;		/* ";"-separated key-params */
	int		 wsh;		/* WSH=n, 0 if none */
};

/* Name of a suite ("AES_CM_128_HMAC_SHA1_80"), NULL for NONE/unknown. */
const char	*sdes_suite_name(enum sdes_suite);
/* By name (exact, as registered); SDES_SUITE_NONE if unknown. */
enum sdes_suite	 sdes_suite_by_name(const char *);
/* Master key + salt bytes of a suite, 0 if unknown. */
size_t		 sdes_key_len(enum sdes_suite);
/* Static text for a reason; never contains key material. */
const char	*sdes_strerror(enum sdes_err);

/*
 * Our default preference order, strongest widely deployed first:
 * AES_CM_128_HMAC_SHA1_80, AEAD_AES_256_GCM, AEAD_AES_128_GCM,
 * AES_256_CM_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32.  Fills up to max
 * entries and returns how many.
 */
int	sdes_default_prefs(enum sdes_suite *out, int max);

/*
 * Split one a=crypto value ("1 AES_CM_128_HMAC_SHA1_80 inline:..|2^31
 * WSH=128", the text after "a=crypto:") into sdp_conv's fields, as
 * sdp_conv_parse() does: -1 if it has fewer than three fields or one
 * does not fit.
 */
int	sdes_split(const char *value, struct sdp_crypto *out);

/*
 * Parse and check one line (see the rules above).  0 when it is usable:
 * out filled, key decoded.  -1 otherwise with *why set (why may be NULL)
 * and out->key wiped.
 */
int	sdes_parse(const char *value, struct sdes_crypto *out,
	    enum sdes_err *why);
int	sdes_parse_sdp(const struct sdp_crypto *in, struct sdes_crypto *out,
	    enum sdes_err *why);

/* A fresh random key for suite with tag: 0, or -1 (*why). */
int	sdes_generate(enum sdes_suite, int tag, struct sdes_crypto *out,
	    enum sdes_err *why);

/*
 * "TAG SUITE inline:BASE64" (no lifetime, no MKI) into buf: 0, or -1 if
 * it does not fit or c is not a usable key.  Secret, like the key.
 */
int	sdes_format(const struct sdes_crypto *c, char *buf, size_t len);
/* The same as sdp_conv's struct (key_params "inline:BASE64"). */
int	sdes_to_sdp(const struct sdes_crypto *c, struct sdp_crypto *out);

/*
 * Answerer (RFC 4568 §6.1): among the peer's offered lines, the first
 * usable one in OUR order: for each suite of prefs, the offer's lines of
 * that suite in the offer's order.  Lines whose tag appears twice are
 * skipped.  0: *remote is the peer's key of that line; answer with
 * sdes_generate(remote->suite, remote->tag, ..) (the same tag).  -1 if no
 * line is usable: *why is the reason of the first refused line of a
 * preferred suite, or SDES_E_SUITE if none has one.
 */
int	sdes_answer_select(const struct sdp_crypto *offer, int noffer,
	    const enum sdes_suite *prefs, int nprefs,
	    struct sdes_crypto *remote, enum sdes_err *why);

/*
 * Offerer: one line per suite of prefs (at most SDES_OFFER_MAX, unknown
 * and repeated suites skipped), tags 1..n, fresh keys.  Returns n (>= 1),
 * or -1 (*why).  Wipe all n when done with them.
 */
int	sdes_offer_make(const enum sdes_suite *prefs, int nprefs,
	    struct sdes_crypto *ours, int max, enum sdes_err *why);

/*
 * Offerer, on the answer: exactly one answer line, whose tag is one of
 * ours and whose suite is that line's, with a usable key.  0: *chosen is
 * the index in ours of our key for that line (our local key), *remote
 * the peer's key.  -1 (*why) otherwise.
 */
int	sdes_answer_match(const struct sdes_crypto *ours, int nours,
	    const struct sdp_crypto *answer, int nanswer, int *chosen,
	    struct sdes_crypto *remote, enum sdes_err *why);

/* Wipe the key bytes (OPENSSL_cleanse) and the rest of *c. */
void	sdes_wipe(struct sdes_crypto *c);

#endif
