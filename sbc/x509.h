/*
 * x509.h: self-signed certificates made with OpenSSL 3's EVP/X509 API,
 * shared by the TLS listeners' first-run certificate (sbc/tlscert.c) and
 * the media plane's DTLS identity (media/dtls.c).
 * Pure (no I/O, no globals).  Thread: main, at start.
 */
#ifndef SBC_X509_H
#define SBC_X509_H

#include <openssl/evp.h>
#include <openssl/x509.h>

/*
 * A version 3 certificate for pk, self-signed with SHA-256, random
 * positive serial, valid from a day ago for days; san (may be NULL) is a
 * subjectAltName value like "DNS:localhost,IP:127.0.0.1", which also adds
 * basicConstraints CA:FALSE and TLS server/client usages.  NULL on error.
 */
X509	*sbc_x509_selfsigned(EVP_PKEY *pk, const char *cn, const char *org,
	    const char *san, long days);

#endif
