/*
 * digest_lex.c: the auth-param lexer of the digest parsers (see
 * digest_lex.h).  Owns nothing.  Thread: any (pure).
 */
#include "config.h"

#include <string.h>

#include "signaling/digest_lex.h"

int
dlex_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 3261 token characters. */
static int
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-.!%*_+`'~", c));
}

void
dlex_skip_ws(struct dlex *c)
{
	while (c->p < c->end && dlex_is_ws(*c->p))
		c->p++;
}

size_t
dlex_token_len(const struct dlex *c)
{
	const char	*p = c->p;

	while (p < c->end && is_tchar(*p))
		p++;
	return (size_t)(p - c->p);
}

/* One character into dst (NULL: only validate). */
static int
put_char(char *dst, size_t cap, size_t *n, unsigned char ch)
{
	if (ch == '\0' || ch == 0x7f || (ch < 0x20 && ch != '\t'))
		return DLEX_SYNTAX;
	if (dst == NULL)
		return 0;
	if (*n + 1 >= cap)
		return DLEX_TOO_LONG;
	dst[(*n)++] = (char)ch;
	dst[*n] = '\0';
	return 0;
}

static int
get_quoted(struct dlex *c, char *dst, size_t cap)
{
	size_t		n = 0;
	unsigned char	ch;
	int		rc;

	c->p++;
	while (c->p < c->end) {
		ch = (unsigned char)*c->p++;
		if (ch == '"')
			return 0;
		if (ch == '\\') {
			if (c->p == c->end)
				return DLEX_SYNTAX;
			ch = (unsigned char)*c->p++;
		}
		if ((rc = put_char(dst, cap, &n, ch)) != 0)
			return rc;
	}
	return DLEX_SYNTAX;
}

int
dlex_value(struct dlex *c, char *dst, size_t cap)
{
	size_t	len;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (c->p < c->end && *c->p == '"')
		return get_quoted(c, dst, cap);
	if ((len = dlex_token_len(c)) == 0)
		return DLEX_SYNTAX;
	if (dst != NULL) {
		if (len >= cap)
			return DLEX_TOO_LONG;
		memcpy(dst, c->p, len);
		dst[len] = '\0';
	}
	c->p += len;
	return 0;
}
