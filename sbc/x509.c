/*
 * x509.c: self-signed certificates (see x509.h).
 * Owns: nothing after return.  Thread: main.
 */
#include "config.h"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "sbc/x509.h"

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 rc;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

static int
set_serial(X509 *x)
{
	unsigned char	 serial[16];
	BIGNUM		*bn;
	int		 rc;

	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return -1;
	serial[0] &= 0x7f;	/* positive */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL)
		return -1;
	rc = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ? 0 : -1;
	BN_free(bn);
	return rc;
}

static int
set_names(X509 *x, const char *cn, const char *org)
{
	X509_NAME	*name = X509_get_subject_name(x);

	if ((org != NULL && X509_NAME_add_entry_by_txt(name, "O",
	    MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0) != 1) ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		return -1;
	return X509_set_issuer_name(x, name) == 1 ? 0 : -1;
}

static int
add_server_exts(X509 *x, const char *san)
{
	return add_ext(x, NID_subject_alt_name, san) == -1 ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth") == -1 ?
	    -1 : 0;
}

X509 *
sbc_x509_selfsigned(EVP_PKEY *pk, const char *cn, const char *org,
    const char *san, long days)
{
	X509	*x;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (set_serial(x) == -1 || X509_set_version(x, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), days * 86400) == NULL ||
	    X509_set_pubkey(x, pk) != 1 || set_names(x, cn, org) == -1 ||
	    (san != NULL && add_server_exts(x, san) == -1) ||
	    X509_sign(x, pk, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}
