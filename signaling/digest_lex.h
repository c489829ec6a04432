/*
 * digest_lex.h: the lexer both digest parsers share (digest.c reads
 * Authorization, digest_client.c reads WWW-/Proxy-Authenticate): RFC 3261
 * tokens, linear white space, and auth-param values (a token or a
 * quoted-string with its escapes undone), bounded by the caller's buffer.
 * Pure.  Thread: any.
 */
#ifndef SBC_SIGNALING_DIGEST_LEX_H
#define SBC_SIGNALING_DIGEST_LEX_H

#include <stddef.h>

struct dlex {
	const char	*p;
	const char	*end;
};

#define DLEX_SYNTAX	-1	/* bad character, unterminated quote */
#define DLEX_TOO_LONG	-2	/* does not fit dst */

int	dlex_is_ws(char);
void	dlex_skip_ws(struct dlex *);
size_t	dlex_token_len(const struct dlex *);
/* A token or quoted-string at c->p into dst (NUL-terminated; dst NULL:
 * validate and skip): 0, DLEX_SYNTAX or DLEX_TOO_LONG. */
int	dlex_value(struct dlex *, char *dst, size_t cap);

#endif
