/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quorumtab: the parser of /etc/quorumtab (quorumtab(5)), which the
 * generator (quorumsetup-generator) and the tool (quorumsetup) share.
 *
 * One volume a line: <name> <legs> [<options>].  Pure C with libc only:
 * no device is looked at (a generator runs before any device exists).
 */
#ifndef QUORUMTAB_H
#define QUORUMTAB_H

#include <stddef.h>
#include <stdio.h>

#define QUORUMTAB_PATH		"/etc/quorumtab"
#define QT_MAX_LEGS		16
#define QT_MIN_LEGS		2
#define QT_NAME_MAX		127	/* a dm name, without its NUL */
#define QT_UUID_LEN		36
#define QT_PATH_MAX		4095
#define QT_DEFAULT_TIMEOUT	90	/* seconds, systemd's device timeout */
#define QT_MAX_TIMEOUT		86400
#define QT_ERROR_MAX		512

/* printf's checks (split: checkpatch asks for the kernel's __printf). */
#define QT_PRINTF(fmt, args) __attribute__(( \
	__format__(__printf__, fmt, args)))

/* Options (quorumtab(5)). */
enum {
	QT_NO_DEGRADED	= 1 << 0,
	QT_READ_ONLY	= 1 << 1,
	QT_NOFAIL	= 1 << 2,
	QT_NOAUTO	= 1 << 3,
	QT_NETDEV	= 1 << 4,
	QT_TIMEOUT	= 1 << 5,	/* timeout= was given */
	QT_FORCE_DEGRADED = 1 << 6,
};

struct quorumtab_entry {
	unsigned int line;		/* 1-based, in its file */
	char name[QT_NAME_MAX + 1];
	char uuid[QT_UUID_LEN + 1];	/* lower case; "" when legs are listed */
	unsigned int nr_legs;		/* 0 with a uuid */
	char *legs[QT_MAX_LEGS];	/* device paths, PARTUUID= etc. resolved */
	unsigned int flags;
	unsigned int timeout;		/* seconds to wait for every leg */
};

struct quorumtab {
	struct quorumtab_entry *entries;
	unsigned int nr;
	unsigned int errors;		/* bad lines, each reported */
};

/*
 * quorumtab_parse_line - parse the text of one line (without its newline)
 * Returns 1 and fills @e for a volume, 0 for a blank or comment line, -1
 * with a message in @err (without file or line) for a bad line.  @e needs
 * quorumtab_entry_free() after a return of 1 only.
 */
int quorumtab_parse_line(const char *text, struct quorumtab_entry *e,
			 char *err, size_t errlen);

/*
 * quorumtab_read - parse a whole file, checking the lines against each
 * other too (a name, a volume or a leg given twice)
 * Every bad line is reported to @errf as "<prefix>: <path>:<line>: <what>"
 * and left out; the good ones are kept in @tab.  Returns the number of bad
 * lines, or -errno if @path cannot be read (-ENOENT: no file, which is no
 * error for a caller that has nothing to do then).
 */
int quorumtab_read(const char *path, const char *prefix, FILE *errf,
		   struct quorumtab *tab);
/* The same from an open stream, @path naming it in messages. */
int quorumtab_read_stream(FILE *in, const char *path, const char *prefix,
			  FILE *errf, struct quorumtab *tab);

void quorumtab_entry_free(struct quorumtab_entry *e);
void quorumtab_free(struct quorumtab *tab);

/* The entry named @name, or NULL. */
const struct quorumtab_entry *quorumtab_find(const struct quorumtab *tab,
					     const char *name);

/*
 * systemd's unit name escaping (systemd-escape, systemd.unit(5)):
 * quorumtab_escape() of a string, quorumtab_escape_path() of a normalised
 * absolute path.  They write at most @len bytes with the NUL and return
 * the length, or -1 if @out is too small.
 */
int quorumtab_escape(const char *s, char *out, size_t len);
int quorumtab_escape_path(const char *path, char *out, size_t len);

#endif
