/*
 * fuzz_conf.c: libFuzzer harness for the configuration loader
 * (sbc/conf.c, sbc/conf_schema.c, sbc/conf_check.c, policy/cidr.c).
 *
 * Input: the text of a configuration file, copied and NUL-terminated, fed
 * to sbc_config_load_string().  On success the snapshot is released; on
 * failure the loader must have left no snapshot and at least one
 * "t.conf:LINE: ..." message.  Inputs over 64 KiB are skipped (libconfig
 * is slow on them, and real files are far smaller).
 *
 * Owns: one copy of the input and at most one snapshot per run.
 * Thread: pure; called by libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/conf.h"

#define CHECK(c)	do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_INPUT	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbc_config	*cfg = NULL;
	struct conf_errors	 err;
	char			*text;
	size_t			 i;
	int			 rc;

	if (size > MAX_INPUT)
		return -1;	/* keep out of the corpus */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	rc = sbc_config_load_string(text, "t.conf", &cfg, &err);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(cfg != NULL);
		CHECK(err.n == 0);
		CHECK(cfg->listeners != NULL && cfg->nlisteners > 0);
		CHECK(cfg->cli.mode >= 0 && cfg->cli.mode <= 0777);
		for (i = 0; i < cfg->ntrunks; i++)
			CHECK(sbc_config_trunk(cfg, cfg->trunks[i].name) !=
			    NULL);
		sbc_config_unref(cfg);
	} else {
		CHECK(cfg == NULL);
		CHECK(err.n >= 1 && err.n <= CONF_MAX_ERRORS);
		for (i = 0; i < err.n; i++)
			CHECK(memchr(err.msg[i], '\0',
			    sizeof(err.msg[i])) != NULL);
	}
	free(text);
	return 0;
}
