/*
 * main.c: command line of the sbc daemon.
 *
 *   sbc [-c FILE] [-S DIR] [-d]     run (embedded default config without -c)
 *   sbc --check-config FILE         validate, print FILE:LINE errors, exit
 *   sbc --print-default-config      the embedded configuration
 *   sbc --version | --help
 *
 * Owns: nothing.  Thread: main.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/opensslv.h>
#include <sofia-sip/su_config.h>
#include <sofia-sip/sofia_features.h>

#include "sbc/conf.h"
#include "sbc/daemon.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sbc [-d] [-c FILE] [-S DIR] [-W DIR]\n"
	    "       sbc --check-config FILE\n"
	    "       sbc --print-default-config | --version | --help\n"
	    "\n"
	    "  -c, --config FILE        configuration file (libconfig format);\n"
	    "                           without it the embedded default runs\n"
	    "  -S, --state-dir DIR      state directory (self-signed certificate)\n"
	    "  -W, --web-root DIR       serve static files from DIR (web.root)\n"
	    "  -d, --debug              log at debug level\n"
	    "      --check-config FILE  validate FILE and exit (0: valid)\n"
	    "      --print-default-config  print the embedded configuration\n"
	    "  -V, --version            print the version\n"
	    "  -h, --help               this help\n");
}

static int
check_config(const char *path)
{
	struct sbc_options	 o = { .config_path = path };
	struct sbc_config	*cfg;

	if (sbc_load_config(&o, &cfg) == -1)
		return 1;
	printf("%s: configuration is valid\n", path);
	sbc_config_unref(cfg);
	return 0;
}

static void
version(void)
{
	printf("sbc %s (Sofia-SIP %s, %s, libsrtp2 crypto: %s)\n",
	    PACKAGE_VERSION, SOFIA_SIP_VERSION, OPENSSL_VERSION_TEXT,
	    SRTP_BACKEND);
}

enum { OPT_CHECK = 256, OPT_PRINT_DEFAULT };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "web-root", required_argument, NULL, 'W' },
	{ "debug", no_argument, NULL, 'd' },
	{ "check-config", required_argument, NULL, OPT_CHECK },
	{ "print-default-config", no_argument, NULL, OPT_PRINT_DEFAULT },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char *argv[])
{
	struct sbc_options	o = { 0 };
	int			ch;

	while ((ch = getopt_long(argc, argv, "c:S:W:dVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.config_path = optarg; break;
		case 'S': o.state_dir = optarg; break;
		case 'W': o.web_root = optarg; break;
		case 'd': o.debug = 1; break;
		case OPT_CHECK: return check_config(optarg);
		case OPT_PRINT_DEFAULT:
			fputs(sbc_default_config, stdout);
			return 0;
		case 'V': version(); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return sbc_daemon_run(&o);
}
