// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumtab: the parser of /etc/quorumtab (see quorumtab.h, quorumtab(5)).
 *
 * Strict: a line is taken whole or not at all, and every bad line gets one
 * message that names what is wrong.  Names and device paths are limited to
 * characters that need no quoting in a unit file, a udev rule or a shell
 * (letters, digits and #+-.:=@_, and / in paths): stable names under
 * /dev/disk never hold others.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "quorumtab.h"

#define QT_ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

#define QT_OPTIONS_KNOWN \
	"no-degraded, force-degraded, read-only, nofail, noauto, timeout=<seconds>, _netdev"

static int qt_fail(char *err, size_t errlen, const char *fmt, ...) QT_PRINTF(3, 4);

static int qt_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool qt_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* A character of a name or of a path's component. */
static bool qt_name_char(char c)
{
	return qt_is_alnum(c) || (c && strchr("#+-.:=@_", c));
}

static bool qt_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static char qt_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool qt_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A word shown in a message: cut, so that a message stays one line. */
static const char *qt_show(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n < len) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	snprintf(buf, len, "%.*s...", (int)(len - 4), s);
	return buf;
}

/* Canonical 8-4-4-4-12 hexadecimal digits, into @out in lower case. */
static bool qt_parse_uuid(const char *s, char *out)
{
	unsigned int i;

	if (strlen(s) != QT_UUID_LEN)
		return false;
	for (i = 0; i < QT_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!qt_is_hex(s[i])) {
			return false;
		}
		out[i] = qt_lower(s[i]);
	}
	out[QT_UUID_LEN] = '\0';
	return true;
}

static int qt_check_name(const char *name, char *err, size_t errlen)
{
	char show[48];
	const char *p;

	qt_show(name, show, sizeof(show));
	if (strlen(name) > QT_NAME_MAX)
		return qt_fail(err, errlen, "name \"%s\": more than %d characters",
			       show, QT_NAME_MAX);
	for (p = name; *p; p++)
		if (!qt_name_char(*p))
			return qt_fail(err, errlen,
				       "name \"%s\": '%c' is not allowed (letters, digits and #+-.:=@_ only)",
				       show, *p);
	if (name[0] == '-' || name[0] == '.')
		return qt_fail(err, errlen, "name \"%s\": cannot start with '%c'",
			       show, name[0]);
	if (!strcmp(name, "control"))
		return qt_fail(err, errlen,
			       "name \"control\": /dev/mapper/control is device-mapper's own");
	return 0;
}

/* A path under /dev/, normalised, of allowed characters. */
static int qt_check_path(const char *path, char *err, size_t errlen)
{
	char show[80];
	const char *p, *c;

	qt_show(path, show, sizeof(show));
	if (strncmp(path, "/dev/", 5) || !path[5])
		return qt_fail(err, errlen,
			       "leg \"%s\": not a device path under /dev/, PARTUUID= or PARTLABEL=",
			       show);
	if (strlen(path) > QT_PATH_MAX)
		return qt_fail(err, errlen, "leg \"%s\": longer than %d characters",
			       show, QT_PATH_MAX);
	for (p = path; *p; p++)
		if (*p != '/' && !qt_name_char(*p))
			return qt_fail(err, errlen,
				       "leg \"%s\": '%c' is not allowed in a device path (letters, digits, / and #+-.:=@_ only)",
				       show, *p);
	/* Every component: not empty, not . or .. */
	for (c = path + 1; ; c = p + 1) {
		p = strchr(c, '/');
		if (!p)
			p = c + strlen(c);
		if (p == c || (p - c == 1 && c[0] == '.') ||
		    (p - c == 2 && c[0] == '.' && c[1] == '.'))
			return qt_fail(err, errlen,
				       "leg \"%s\": not a normalised path (an empty, . or .. component, or a trailing /)",
				       show);
		if (!*p)
			break;
	}
	return 0;
}

/* One leg of a list, resolved to the path the entry keeps. */
static int qt_parse_leg(const char *word, char **out, char *err, size_t errlen)
{
	char show[80], path[QT_PATH_MAX + 1];
	const char *v;
	size_t i;

	qt_show(word, show, sizeof(show));
	if (!strncmp(word, "PARTUUID=", 9)) {
		v = word + 9;
		if (!*v || strlen(v) > QT_UUID_LEN)
			return qt_fail(err, errlen,
				       "leg \"%s\": not a partition UUID (hexadecimal digits and -)",
				       show);
		snprintf(path, sizeof(path), "/dev/disk/by-partuuid/");
		for (i = 0; v[i]; i++) {
			if (!qt_is_hex(v[i]) && v[i] != '-')
				return qt_fail(err, errlen,
					       "leg \"%s\": not a partition UUID (hexadecimal digits and -)",
					       show);
			path[22 + i] = qt_lower(v[i]);
		}
		path[22 + i] = '\0';
	} else if (!strncmp(word, "PARTLABEL=", 10)) {
		v = word + 10;
		if (!*v || strlen(v) > 36)
			return qt_fail(err, errlen,
				       "leg \"%s\": a partition label of 1 to 36 characters is expected",
				       show);
		for (i = 0; v[i]; i++)
			if (!qt_name_char(v[i]))
				return qt_fail(err, errlen,
					       "leg \"%s\": '%c' is not allowed in a partition label here (letters, digits and #+-.:=@_ only)",
					       show, v[i]);
		snprintf(path, sizeof(path), "/dev/disk/by-partlabel/%s", v);
	} else if (!strncmp(word, "UUID=", 5)) {
		return qt_fail(err, errlen,
			       "leg \"%s\": UUID= names a whole volume, not one leg of a list",
			       show);
	} else if (!strncmp(word, "LABEL=", 6)) {
		return qt_fail(err, errlen,
			       "leg \"%s\": LABEL= names a filesystem, not a leg: give UUID=<volume uuid> or the legs",
			       show);
	} else {
		if (qt_check_path(word, err, errlen))
			return -1;
		snprintf(path, sizeof(path), "%s", word);
	}
	*out = strdup(path);
	if (!*out)
		return qt_fail(err, errlen, "out of memory");
	return 0;
}

static int qt_parse_legs(const char *field, struct quorumtab_entry *e,
			 char *err, size_t errlen)
{
	char show[80], *copy, *word, *next;
	unsigned int i, n = 1;
	const char *p;
	int r = 0;

	if (!strncmp(field, "UUID=", 5) && !strchr(field, ',')) {
		qt_show(field, show, sizeof(show));
		if (!qt_parse_uuid(field + 5, e->uuid))
			return qt_fail(err, errlen,
				       "%s: not a volume UUID (8-4-4-4-12 hexadecimal digits)",
				       show);
		return 0;
	}
	for (p = field; *p; p++)
		n += *p == ',';
	if (n < QT_MIN_LEGS || n > QT_MAX_LEGS)
		return qt_fail(err, errlen,
			       "%u leg%s: a volume has %d to %d (or give UUID=<volume uuid>)",
			       n, n == 1 ? "" : "s", QT_MIN_LEGS, QT_MAX_LEGS);
	copy = strdup(field);
	if (!copy)
		return qt_fail(err, errlen, "out of memory");
	for (word = copy; word; word = next) {
		next = strchr(word, ',');
		if (next)
			*next++ = '\0';
		if (!*word) {
			r = qt_fail(err, errlen,
				    "an empty leg in the list (two commas, or one at an end)");
			break;
		}
		r = qt_parse_leg(word, &e->legs[e->nr_legs], err, errlen);
		if (r)
			break;
		for (i = 0; i < e->nr_legs; i++)
			if (!strcmp(e->legs[i], e->legs[e->nr_legs])) {
				qt_show(word, show, sizeof(show));
				r = qt_fail(err, errlen, "leg \"%s\" is given twice",
					    show);
				break;
			}
		e->nr_legs++;
		if (r)
			break;
	}
	free(copy);
	return r;
}

static int qt_parse_timeout(const char *v, unsigned int *out)
{
	unsigned long n = 0;
	const char *p;

	if (!*v || *v == '0' || strlen(v) > 5)
		return -1;
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > QT_MAX_TIMEOUT)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

static int qt_parse_options(const char *field, struct quorumtab_entry *e,
			    char *err, size_t errlen)
{
	static const struct {
		const char *name;
		unsigned int flag;
	} known[] = {
		{ "no-degraded", QT_NO_DEGRADED },
		{ "force-degraded", QT_FORCE_DEGRADED },
		{ "read-only", QT_READ_ONLY },
		{ "nofail", QT_NOFAIL },
		{ "noauto", QT_NOAUTO },
		{ "_netdev", QT_NETDEV },
	};
	char show[64], *copy, *word, *next;
	unsigned int i, flag;
	int r = 0;

	/* "-" is no options, as in crypttab. */
	if (!strcmp(field, "-"))
		return 0;
	copy = strdup(field);
	if (!copy)
		return qt_fail(err, errlen, "out of memory");
	for (word = copy; word; word = next) {
		next = strchr(word, ',');
		if (next)
			*next++ = '\0';
		qt_show(word, show, sizeof(show));
		if (!*word) {
			r = qt_fail(err, errlen,
				    "an empty option (two commas, or one at an end)");
			break;
		}
		flag = 0;
		if (!strncmp(word, "timeout=", 8)) {
			flag = QT_TIMEOUT;
			if (!(e->flags & flag) &&
			    qt_parse_timeout(word + 8, &e->timeout)) {
				r = qt_fail(err, errlen,
					    "option \"%s\": a number of seconds from 1 to %d is expected",
					    show, QT_MAX_TIMEOUT);
				break;
			}
		} else {
			for (i = 0; i < QT_ARRAY_SIZE(known); i++)
				if (!strcmp(word, known[i].name))
					flag = known[i].flag;
		}
		if (!flag) {
			char *eq = strchr(word, '=');
			bool takes_none = false;

			if (eq) {
				*eq = '\0';
				for (i = 0; i < QT_ARRAY_SIZE(known); i++)
					takes_none |= !strcmp(word, known[i].name);
				if (takes_none)
					qt_show(word, show, sizeof(show));
			}
			r = qt_fail(err, errlen,
				    takes_none ? "option \"%s\" takes no value (options: %s)" :
						 "unknown option \"%s\" (options: %s)",
				    show, QT_OPTIONS_KNOWN);
			break;
		}
		if (e->flags & flag) {
			if (flag == QT_TIMEOUT)
				snprintf(show, sizeof(show), "timeout");
			r = qt_fail(err, errlen, "option \"%s\" is given twice", show);
			break;
		}
		e->flags |= flag;
	}
	free(copy);
	if (!r && (e->flags & QT_NO_DEGRADED) && (e->flags & QT_FORCE_DEGRADED))
		r = qt_fail(err, errlen,
			    "options \"no-degraded\" and \"force-degraded\" contradict each other");
	return r;
}

void quorumtab_entry_free(struct quorumtab_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->nr_legs; i++)
		free(e->legs[i]);
	e->nr_legs = 0;
}

int quorumtab_parse_line(const char *text, struct quorumtab_entry *e,
			 char *err, size_t errlen)
{
	const char *field[4], *p = text;
	size_t flen[4];
	char *buf[4] = { NULL };
	unsigned int n = 0, i;
	int r = -1;

	memset(e, 0, sizeof(*e));
	e->timeout = QT_DEFAULT_TIMEOUT;
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 && !qt_is_blank(*p))
			return qt_fail(err, errlen,
				       "a control character (0x%02x) in the line",
				       (unsigned int)(unsigned char)*p);
	for (p = text; ; ) {
		while (qt_is_blank(*p))
			p++;
		if (!*p)
			break;
		if (n == 0 && *p == '#')
			return 0;
		if (n == 3)
			return qt_fail(err, errlen, "%s: expected <name> <legs> [<options>]",
				       *p == '#' ? "a comment must start its line" :
				       "too many fields");
		field[n] = p;
		while (*p && !qt_is_blank(*p))
			p++;
		flen[n] = (size_t)(p - field[n]);
		n++;
	}
	if (n == 0)
		return 0;
	if (n == 1)
		return qt_fail(err, errlen,
			       "no legs: expected <name> <legs> [<options>]");
	for (i = 0; i < n; i++) {
		buf[i] = strndup(field[i], flen[i]);
		if (!buf[i]) {
			qt_fail(err, errlen, "out of memory");
			goto out;
		}
	}
	if (qt_check_name(buf[0], err, errlen))
		goto out;
	snprintf(e->name, sizeof(e->name), "%s", buf[0]);
	if (qt_parse_legs(buf[1], e, err, errlen))
		goto out;
	if (n == 3 && qt_parse_options(buf[2], e, err, errlen))
		goto out;
	r = 1;
out:
	for (i = 0; i < n; i++)
		free(buf[i]);
	if (r < 0)
		quorumtab_entry_free(e);
	return r;
}

/* The line of @tab that has @e's name, uuid or one of its legs, if any. */
static const char *qt_clash(const struct quorumtab *tab,
			    const struct quorumtab_entry *e, char *err,
			    size_t errlen)
{
	const struct quorumtab_entry *o;
	unsigned int i, j, k;
	char show[80];

	for (k = 0; k < tab->nr; k++) {
		o = &tab->entries[k];
		if (!strcmp(o->name, e->name)) {
			snprintf(err, errlen, "name \"%s\" is given on line %u already",
				 e->name, o->line);
			return err;
		}
		if (e->uuid[0] && !strcmp(o->uuid, e->uuid)) {
			snprintf(err, errlen,
				 "volume UUID=%s is given on line %u already (as %s)",
				 e->uuid, o->line, o->name);
			return err;
		}
		for (i = 0; i < e->nr_legs; i++)
			for (j = 0; j < o->nr_legs; j++)
				if (!strcmp(e->legs[i], o->legs[j])) {
					snprintf(err, errlen,
						 "leg \"%s\" is given on line %u already (a leg of %s)",
						 qt_show(e->legs[i], show, sizeof(show)),
						 o->line, o->name);
					return err;
				}
	}
	return NULL;
}

int quorumtab_read_stream(FILE *in, const char *path, const char *prefix,
			  FILE *errf, struct quorumtab *tab)
{
	char err[QT_ERROR_MAX], *line = NULL;
	struct quorumtab_entry e, *grown;
	unsigned int nr = 0;
	size_t cap = 0;
	ssize_t len;
	int r;

	memset(tab, 0, sizeof(*tab));
	while ((len = getline(&line, &cap, in)) >= 0) {
		nr++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		/* A file written on another system: CR LF. */
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			r = qt_fail(err, sizeof(err), "a NUL byte in the line");
		} else {
			r = quorumtab_parse_line(line, &e, err, sizeof(err));
			if (r > 0 && qt_clash(tab, &e, err, sizeof(err))) {
				quorumtab_entry_free(&e);
				r = -1;
			}
		}
		if (r < 0) {
			fprintf(errf, "%s%s%s:%u: %s\n", prefix ? prefix : "",
				prefix ? ": " : "", path, nr, err);
			tab->errors++;
			continue;
		}
		if (!r)
			continue;
		e.line = nr;
		grown = realloc(tab->entries, (tab->nr + 1) * sizeof(*grown));
		if (!grown) {
			quorumtab_entry_free(&e);
			free(line);
			return -ENOMEM;
		}
		tab->entries = grown;
		tab->entries[tab->nr++] = e;
	}
	free(line);
	if (ferror(in))
		return -EIO;
	return (int)tab->errors;
}

int quorumtab_read(const char *path, const char *prefix, FILE *errf,
		   struct quorumtab *tab)
{
	FILE *in;
	int r;

	memset(tab, 0, sizeof(*tab));
	in = fopen(path, "re");
	if (!in)
		return -errno;
	r = quorumtab_read_stream(in, path, prefix, errf, tab);
	fclose(in);
	return r;
}

void quorumtab_free(struct quorumtab *tab)
{
	unsigned int i;

	for (i = 0; i < tab->nr; i++)
		quorumtab_entry_free(&tab->entries[i]);
	free(tab->entries);
	memset(tab, 0, sizeof(*tab));
}

const struct quorumtab_entry *quorumtab_find(const struct quorumtab *tab,
					     const char *name)
{
	unsigned int i;

	for (i = 0; i < tab->nr; i++)
		if (!strcmp(tab->entries[i].name, name))
			return &tab->entries[i];
	return NULL;
}

/* systemd's escaping: unit_name_escape() in its src/basic/unit-name.c. */
static int qt_escape_from(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	const char *f;

	for (f = s; *f; f++) {
		unsigned char c = (unsigned char)*f;
		bool plain = qt_is_alnum(c) || c == ':' || c == '_' ||
			     (c == '.' && f != s);

		if (c == '/') {
			if (o + 1 >= len)
				return -1;
			out[o++] = '-';
		} else if (plain) {
			if (o + 1 >= len)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= len)
				return -1;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= len)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int quorumtab_escape(const char *s, char *out, size_t len)
{
	return qt_escape_from(s, out, len);
}

int quorumtab_escape_path(const char *path, char *out, size_t len)
{
	char *copy;
	size_t n;
	int r;

	while (*path == '/')
		path++;
	if (!*path) {
		if (len < 2)
			return -1;
		out[0] = '-';
		out[1] = '\0';
		return 1;
	}
	copy = strdup(path);
	if (!copy)
		return -1;
	n = strlen(copy);
	while (n && copy[n - 1] == '/')
		copy[--n] = '\0';
	r = qt_escape_from(copy, out, len);
	free(copy);
	return r;
}
