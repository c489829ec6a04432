/*
 * tlscert.c: self-signed certificate on first run, key permission checks
 * (see tlscert.h).  OpenSSL 3 EVP API only; no shell-outs.
 *
 * Owns: nothing after return.  Thread: main; at reload also ctl (see
 * tlscert.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sbc/log.h"
#include "sbc/tlscert.h"
#include "sbc/x509.h"

#define CERT_DAYS	825

int
sbc_tls_key_file_ok(const char *path, char *why, size_t len)
{
	struct stat	st;

	if (stat(path, &st) == -1) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(why, len, "%s: private key is readable by others; "
		    "chmod o-rwx it", path);
		return -1;
	}
	return 0;
}

int
sbc_tls_check_key_file(const char *path, struct sbc_log *lg)
{
	char	why[4200];

	if (sbc_tls_key_file_ok(path, why, sizeof(why)) == -1) {
		log_err(lg, "%s", why);
		return -1;
	}
	return 0;
}

static int
write_key(const char *path, EVP_PKEY *pk)
{
	FILE	*f;
	int	 fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	ok = PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL);
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
write_cert(const char *path, X509 *x)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "we")) == NULL)
		return -1;
	ok = PEM_write_X509(f, x);
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
generate(const struct sbc_tls_files *tf, struct sbc_log *lg)
{
	EVP_PKEY	*pk;
	X509		*x = NULL;
	int		 rc = -1;

	if ((pk = EVP_EC_gen("P-256")) == NULL)
		goto done;
	if ((x = sbc_x509_selfsigned(pk, "localhost", "sbc self-signed",
	    "DNS:localhost,IP:127.0.0.1,IP:::1", CERT_DAYS)) == NULL)
		goto done;
	if (write_key(tf->key, pk) == -1 || write_cert(tf->cert, x) == -1) {
		log_err(lg, "cannot write %s / %s: %s", tf->key, tf->cert,
		    strerror(errno));
		goto done;
	}
	log_notice(lg, "generated a self-signed ECDSA P-256 certificate: %s",
	    tf->cert);
	rc = 0;
done:
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

static int
ensure_dir(const char *dir, struct sbc_log *lg)
{
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		log_err(lg, "state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
sbc_tls_resolve(const char *cert, const char *key, const char *state_dir,
    struct sbc_tls_files *tf, struct sbc_log *lg)
{
	int	n, m;

	tf->generated = 0;
	if (*cert != '\0') {
		n = snprintf(tf->cert, sizeof(tf->cert), "%s", cert);
		m = snprintf(tf->key, sizeof(tf->key), "%s", key);
	} else {
		if (ensure_dir(state_dir, lg) == -1)
			return -1;
		n = snprintf(tf->cert, sizeof(tf->cert), "%s/sbc-cert.pem",
		    state_dir);
		m = snprintf(tf->key, sizeof(tf->key), "%s/sbc-key.pem",
		    state_dir);
	}
	if (n < 0 || m < 0 || (size_t)n >= sizeof(tf->cert) ||
	    (size_t)m >= sizeof(tf->key))
		return -1;
	if (*cert == '\0' && access(tf->key, R_OK) == -1) {
		if (generate(tf, lg) == -1)
			return -1;
		tf->generated = 1;
	}
	return sbc_tls_check_key_file(tf->key, lg);
}

static int
append_file(FILE *out, const char *path)
{
	FILE	*in;
	char	 buf[4096];
	size_t	 n;
	int	 rc = 0;

	if ((in = fopen(path, "re")) == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (ferror(in))
		rc = -1;
	fclose(in);
	return rc;
}

static int
write_concat(const char *path, const char *a, const char *b)
{
	FILE	*out;
	int	 fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (out = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rc = append_file(out, a);
	if (rc == 0 && b != NULL)
		rc = append_file(out, b);
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}

int
sbc_tls_sofia_dir(const char *state_dir, const char *ca_file,
    struct sbc_tls_files *tf, struct sbc_log *lg)
{
	char	agent[4200], ca[4200];
	int	n;

	if (ensure_dir(state_dir, lg) == -1)
		return -1;
	n = snprintf(tf->sofia_dir, sizeof(tf->sofia_dir), "%s/sofia-tls",
	    state_dir);
	if (n < 0 || (size_t)n >= sizeof(tf->sofia_dir))
		return -1;
	if (mkdir(tf->sofia_dir, 0700) == -1 && errno != EEXIST)
		goto fail;
	snprintf(agent, sizeof(agent), "%s/agent.pem", tf->sofia_dir);
	snprintf(ca, sizeof(ca), "%s/cafile.pem", tf->sofia_dir);
	if (write_concat(agent, tf->key, tf->cert) == -1 ||
	    write_concat(ca, *ca_file ? ca_file : tf->cert, NULL) == -1)
		goto fail;
	return 0;
fail:
	log_err(lg, "cannot prepare %s: %s", tf->sofia_dir, strerror(errno));
	return -1;
}

int
sbc_tls_cert_expiring(const char *path, int days, char *msg, size_t len)
{
	const ASN1_TIME	*na;
	struct tm	 tm;
	FILE		*f;
	X509		*x;
	int		 left, secs, rc = -1;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL || (na = X509_get0_notAfter(x)) == NULL ||
	    ASN1_TIME_diff(&left, &secs, NULL, na) != 1 ||
	    ASN1_TIME_to_tm(na, &tm) != 1)
		goto cleanup;
	rc = left < days ? 1 : 0;
	left += secs >= 43200 ? 1 : secs <= -43200 ? -1 : 0;	/* rounded */
	if (rc == 1)
		snprintf(msg, len, "%s %s %04d-%02d-%02d %02d:%02d:%02d UTC "
		    "(%d days%s)", path, left >= 0 ? "expires" : "expired",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, left >= 0 ? left : -left,
		    left >= 0 ? "" : " ago");
cleanup:
	X509_free(x);
	return rc;
}
