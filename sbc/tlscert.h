/*
 * tlscert.h: certificate files for the TLS/WSS listeners.
 *
 * When the configuration names no certificate, one ECDSA P-256 self-signed
 * certificate (CN and SAN localhost, 127.0.0.1, ::1) is generated on first
 * run in the state directory and reused after.  Private keys readable by
 * others are refused.
 * Owns: nothing after return.  Thread: main before the services start;
 * at reload main or ctl (under the daemon's reload lock).
 */
#ifndef SBC_TLSCERT_H
#define SBC_TLSCERT_H

#include <stddef.h>

struct sbc_log;

struct sbc_tls_files {
	char	cert[4096];
	char	key[4096];
	char	sofia_dir[4096];	/* agent.pem + cafile.pem for NTA */
	int	generated;	/* 1: made now */
};

int	sbc_tls_resolve(const char *cert, const char *key,
	    const char *state_dir, struct sbc_tls_files *, struct sbc_log *);
/*
 * A private key file must exist and give others no access (mode o-rwx):
 * 0, or -1 with why ("PATH: private key is readable by others; chmod
 * o-rwx it") in why / in the log.  Every configured key goes through it:
 * tls.private_key at start and reload, media.dtls_private_key at start.
 */
int	sbc_tls_key_file_ok(const char *path, char *why, size_t len);
int	sbc_tls_check_key_file(const char *path, struct sbc_log *);

/*
 * Sofia-SIP's TLS transport reads a directory holding agent.pem (key and
 * certificate chain) and cafile.pem: write it in state_dir/sofia-tls
 * (mode 0700/0600) from tf and ca_file ("" : the chain itself).
 */
int	sbc_tls_sofia_dir(const char *state_dir, const char *ca_file,
	    struct sbc_tls_files *, struct sbc_log *);

/*
 * The certificate in path expires within days (or has expired): 1, and msg
 * gets "PATH expires YYYY-MM-DD HH:MM:SS UTC (N days)" (or "expired ...
 * (N days ago)"); 0 when it does not; -1 when it cannot be read.
 */
int	sbc_tls_cert_expiring(const char *path, int days, char *msg,
	    size_t len);

#endif
