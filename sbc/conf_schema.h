/*
 * conf_schema.h: the table-driven description of the configuration file.
 *
 * Every key the file may hold is one struct conf_field: its type, range,
 * default and where it lands in struct sbc_config.  conf.c walks these
 * tables (defaults, types, ranges, unknown keys); conf_check.c adds the
 * checks that span several keys.  To add a key: add the member to conf.h,
 * a row here, a line to etc/sbc.conf and to docs/configuration.md, and
 * its entry in docs/sbc.conf.5 (tests/unit/test_conf_man.c checks it).
 * Thread: main (loader).  The tables are const.
 */
#ifndef SBC_CONF_SCHEMA_H
#define SBC_CONF_SCHEMA_H

#include <stddef.h>

enum conf_kind {
	CK_STR,
	CK_INT,
	CK_BOOL,
	CK_ENUM,	/* string from names[], stored as int index */
	CK_STRV,	/* array of strings */
	CK_CIDRV,	/* array of CIDR strings */
	CK_GROUP,	/* nested struct */
	CK_LIST,	/* list of groups: pointer + count */
};

struct conf_section;

struct conf_field {
	const char			*name;
	enum conf_kind			 kind;
	size_t				 off;
	long				 min, max;	/* CK_INT */
	const char			*def;		/* STR, ENUM; INT:
							   a derived default
							   (defi its marker) */
	long				 defi;		/* INT, BOOL */
	const char *const		*names;		/* ENUM, NULL-ended */
	const struct conf_section	*sub;		/* GROUP, LIST */
	size_t				 count_off;	/* LIST */
	int				 required;
};

#define CONF_NO_LINE	((size_t)-1)

struct conf_section {
	const char		*what;		/* for messages */
	size_t			 size;		/* LIST element size */
	size_t			 line_off;	/* int line, or CONF_NO_LINE */
	const struct conf_field	*fields;
	size_t			 nfields;
};

extern const struct conf_section conf_root;
extern const char *const conf_transport_names[];
extern const char *const conf_profile_names[];

#endif
