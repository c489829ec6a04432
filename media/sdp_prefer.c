/*
 * sdp_prefer.c: a trunk's codec preference (trunks[].codecs) applied to a
 * parsed description (see sdp_prefer.h).
 *
 * Pure: no memory, no globals.  Thread: "signaling" (b2b_media.c), tests.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "media/sdp_prefer.h"

/* Does c match the preference "name" or "name/rate"? */
static int
pref_match(const struct sdp_codec *c, const char *pref)
{
	size_t		 len = strcspn(pref, "/");
	const char	*rate = pref[len] == '/' ? pref + len + 1 : NULL;

	return strlen(c->name) == len &&
	    strncasecmp(c->name, pref, len) == 0 &&
	    (rate == NULL || atoi(rate) == c->rate);
}

/* Index of the first preference c matches, or n. */
static size_t
pref_rank(const struct sdp_codec *c, const char *const *names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (pref_match(c, names[i]))
			return i;
	return n;
}

static int
always_kept(const struct sdp_codec *c)
{
	return strcasecmp(c->name, "telephone-event") == 0 ||
	    strcasecmp(c->name, "CN") == 0;
}

static void
prefer_stream(struct sdp_stream *st, const char *const *names, size_t n)
{
	struct sdp_codec	out[SDP_MAX_CODECS];
	size_t			r;
	int			i, k = 0, real;

	for (r = 0; r < n; r++)
		for (i = 0; i < st->ncodecs; i++)
			if (pref_rank(&st->codecs[i], names, n) == r)
				out[k++] = st->codecs[i];
	real = k;
	for (i = 0; i < st->ncodecs; i++)
		if (pref_rank(&st->codecs[i], names, n) == n &&
		    always_kept(&st->codecs[i]))
			out[k++] = st->codecs[i];
	st->ncodecs = real > 0 ? k : 0;
	memcpy(st->codecs, out, (size_t)st->ncodecs * sizeof(out[0]));
}

void
sdp_conv_prefer(struct sdp_desc *d, const char *const *names, size_t n)
{
	int	i;

	if (n == 0)
		return;
	for (i = 0; i < d->nstreams; i++)
		if (strcasecmp(d->streams[i].media, "audio") == 0)
			prefer_stream(&d->streams[i], names, n);
}
