// SPDX-License-Identifier: GPL-2.0-only
/*
 * quorumsetup-generator: turns /etc/quorumtab into systemd units at boot
 * and at every "systemctl daemon-reload" (quorumsetup-generator(8),
 * quorumtab(5)), as systemd-integritysetup-generator does integritytab.
 *
 *   quorumsetup-generator <normal-dir> [<early-dir> <late-dir>]
 *
 * For each line, in <normal-dir>:
 *   quorumsetup@<name>.service   opens the volume (ExecStart: quorumsetup
 *                                open), closes it (ExecStop); waits for the
 *                                legs first: on their .device units for
 *                                listed legs, with quorumsetup-wait for
 *                                UUID=; ordered before local-fs-pre.target
 *                                (remote-fs-pre.target with _netdev) and
 *                                blockdev@dev-mapper-<name>.target
 *   quorumsetup.target.requires/ (wants/ with nofail, remote-fs.target's
 *                                with _netdev, none with noauto)
 *   dev-mapper-<name>.device.requires/  so that a mount of the volume
 *                                pulls its unit in
 *   *.device.d/40-quorumtab.conf the device jobs' timeouts: the legs'
 *                                (how long to wait before opening
 *                                degraded), the volume's (that wait and
 *                                the open)
 *   quorumsetup-rejoin@.service.d/40-quorumtab.conf  a leg that udev
 *                                hands to rejoin during the boot waits for
 *                                the volumes to be opened first
 *
 * SYSTEMD_QUORUMTAB names another file than /etc/quorumtab (tests).  Bad
 * lines are reported ("<file>:<line>: <what>") and skipped; the exit status
 * is 1 if there were any, and the other lines' units are written anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quorumtab.h"

#ifndef QUORUMSETUP
#define QUORUMSETUP		"/usr/sbin/quorumsetup"
#endif
#ifndef QUORUMSETUP_WAIT
#define QUORUMSETUP_WAIT	"/usr/lib/quorumsetup/quorumsetup-wait"
#endif

#define PROG			"quorumsetup-generator"
/* What the open itself may take, on top of the wait for the legs. */
#define OPEN_SECONDS		300
/* systemd's limit on a unit name, with its suffix. */
#define UNIT_NAME_MAX		255

static const char *dest;
static const char *tab_path;

static int say(const char *fmt, ...) QT_PRINTF(1, 2);

static int say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/*
 * A compiled-in path as one word of a unit's command line: quoted if it
 * holds more than the characters that need nothing, with systemd's
 * specifiers (%) and variables ($) doubled.
 */
static void put_word(FILE *f, const char *s)
{
	const char *p;
	bool plain = true;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/#+-.:=@_", *p)))
			plain = false;
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		else if (*p == '%' || *p == '$')
			fputc(*p, f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return say("cannot make %s: %s", path, strerror(errno));
	return 0;
}

/* A new file in @dest (or a directory of it); "x": never one made already. */
static FILE *create_file(const char *dir, const char *name)
{
	char path[8192];
	FILE *f;

	if (dir) {
		snprintf(path, sizeof(path), "%s/%s", dest, dir);
		if (make_dir(path))
			return NULL;
		snprintf(path, sizeof(path), "%s/%s/%s", dest, dir, name);
	} else {
		snprintf(path, sizeof(path), "%s/%s", dest, name);
	}
	f = fopen(path, "wxe");
	if (!f)
		say("cannot create %s: %s", path, strerror(errno));
	return f;
}

static int finish(FILE *f, const char *name)
{
	int r = 0;

	if (fflush(f) || ferror(f))
		r = say("cannot write %s: %s", name, strerror(errno));
	if (fclose(f) && !r)
		r = say("cannot write %s: %s", name, strerror(errno));
	return r;
}

/* <dest>/<unit>.<type>/<target> -> ../<target>, as systemd's generators do. */
static int add_symlink(const char *unit, const char *type, const char *target)
{
	char dir[1024], link[2048], to[1024];

	snprintf(dir, sizeof(dir), "%s/%s.%s", dest, unit, type);
	if (make_dir(dir))
		return -1;
	snprintf(link, sizeof(link), "%s/%s", dir, target);
	snprintf(to, sizeof(to), "../%s", target);
	if (symlink(to, link) && errno != EEXIST)
		return say("cannot link %s: %s", link, strerror(errno));
	return 0;
}

/* A drop-in for device unit @unit: how long its start job may wait. */
static int device_timeout(const char *unit, unsigned int seconds,
			  const struct quorumtab_entry *e)
{
	char dir[1024];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s.d", unit);
	f = create_file(dir, "40-quorumtab.conf");
	if (!f)
		return -1;
	fprintf(f, "# Automatically generated by %s from %s:%u\n\n"
		"[Unit]\nJobRunningTimeoutSec=%u\n", PROG, tab_path, e->line,
		seconds);
	return finish(f, unit);
}

/* The unit name of a path's device unit, or -1 (said) if too long. */
static int device_unit(const char *path, char *out, size_t len,
		       const struct quorumtab_entry *e)
{
	int n = quorumtab_escape_path(path, out, len);

	if (n < 0 || n + strlen(".device") > UNIT_NAME_MAX)
		return say("%s:%u: %s: too long for a unit name once escaped",
			   tab_path, e->line, path);
	strcat(out, ".device");
	return 0;
}

/* The unit of one line, and its links and drop-ins. */
static int generate(const struct quorumtab_entry *e, char *svc, size_t svc_len)
{
	char esc[UNIT_NAME_MAX + 1], dm_path[160], dm_esc[UNIT_NAME_MAX + 1];
	char dm_unit[UNIT_NAME_MAX + 1];
	char legs[QT_MAX_LEGS][UNIT_NAME_MAX + 1];
	bool netdev = e->flags & QT_NETDEV, nofail = e->flags & QT_NOFAIL;
	unsigned int i, open_timeout;
	FILE *f;

	if (quorumtab_escape(e->name, esc, sizeof(esc)) < 0 ||
	    strlen("quorumsetup@") + strlen(esc) + strlen(".service") > UNIT_NAME_MAX ||
	    strlen(esc) + strlen("blockdev@dev-mapper-.target") > UNIT_NAME_MAX)
		return say("%s:%u: name \"%s\": too long for a unit name once escaped",
			   tab_path, e->line, e->name);
	snprintf(svc, svc_len, "quorumsetup@%s.service", esc);
	snprintf(dm_path, sizeof(dm_path), "/dev/mapper/%s", e->name);
	if (quorumtab_escape_path(dm_path, dm_esc, sizeof(dm_esc)) < 0 ||
	    device_unit(dm_path, dm_unit, sizeof(dm_unit), e))
		return say("%s:%u: name \"%s\": too long for a unit name once escaped",
			   tab_path, e->line, e->name);
	for (i = 0; i < e->nr_legs; i++)
		if (device_unit(e->legs[i], legs[i], sizeof(legs[i]), e))
			return -1;

	f = create_file(NULL, svc);
	if (!f)
		return -1;
	fprintf(f, "# Automatically generated by %s from %s:%u\n\n", PROG,
		tab_path, e->line);
	fprintf(f, "[Unit]\n"
		"Description=Quorum volume %s\n"
		"Documentation=man:quorumtab(5) man:quorumsetup-generator(8) man:quorumsetup(8)\n"
		"SourcePath=%s\n"
		"DefaultDependencies=no\n"
		"IgnoreOnIsolate=true\n"
		"After=systemd-udevd-kernel.socket\n"
		"Before=blockdev@%s.target\n"
		"Wants=blockdev@%s.target\n"
		"Conflicts=umount.target\n"
		"Before=umount.target\n",
		e->name, tab_path, dm_esc, dm_esc);
	/*
	 * Listed legs: wait for each one's device, at most the timeout (the
	 * legs' drop-ins), then open with what is there.  Wants, not
	 * Requires or BindsTo: a missing leg is what degraded means.
	 */
	for (i = 0; i < e->nr_legs; i++)
		fprintf(f, "Wants=%s\nAfter=%s\n", legs[i], legs[i]);
	/* quorumsetup-wait lets udev settle after the coldplug. */
	if (e->uuid[0])
		fprintf(f, "After=systemd-udevd.service systemd-udev-trigger.service\n");
	if (netdev)
		fprintf(f, "Wants=network-online.target\n"
			"After=network-online.target remote-fs-pre.target\n");
	if (!nofail)
		fprintf(f, "Before=%s\n", netdev ? "remote-fs.target" :
			"local-fs-pre.target quorumsetup.target");

	open_timeout = OPEN_SECONDS + (e->uuid[0] ? e->timeout : 0);
	fprintf(f, "\n[Service]\n"
		"Type=oneshot\n"
		"RemainAfterExit=yes\n"
		"TimeoutStartSec=%u\n", open_timeout);
	if (e->uuid[0]) {
		fputs("ExecStartPre=", f);
		put_word(f, QUORUMSETUP_WAIT);
		fprintf(f, " %s %u\n", e->uuid, e->timeout);
	}
	fputs("ExecStart=", f);
	put_word(f, QUORUMSETUP);
	fprintf(f, " open %s", e->name);
	if (e->uuid[0])
		fprintf(f, " --uuid %s", e->uuid);
	for (i = 0; i < e->nr_legs; i++)
		fprintf(f, " %s", e->legs[i]);
	if (e->flags & QT_NO_DEGRADED)
		fputs(" --no-degraded", f);
	if (e->flags & QT_FORCE_DEGRADED)
		fputs(" --force", f);
	if (e->flags & QT_READ_ONLY)
		fputs(" --read-only", f);
	fputs("\nExecStop=", f);
	put_word(f, QUORUMSETUP);
	fprintf(f, " close %s\n", e->name);
	if (finish(f, svc))
		return -1;

	if (!(e->flags & QT_NOAUTO) &&
	    add_symlink(netdev ? "remote-fs.target" : "quorumsetup.target",
			nofail ? "wants" : "requires", svc))
		return -1;
	if (add_symlink(dm_unit, "requires", svc))
		return -1;
	/* A mount of the volume waits for the legs, then for the open. */
	if (device_timeout(dm_unit, e->timeout + OPEN_SECONDS, e))
		return -1;
	for (i = 0; i < e->nr_legs; i++)
		if (device_timeout(legs[i], e->timeout, e))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char (*svcs)[UNIT_NAME_MAX + 1];
	struct quorumtab tab;
	unsigned int i, made = 0;
	int r, failed = 0;
	FILE *f;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s <normal-dir> [<early-dir> <late-dir>]\n",
			PROG);
		return 1;
	}
	dest = argv[1];
	tab_path = getenv("SYSTEMD_QUORUMTAB");
	if (!tab_path || !*tab_path)
		tab_path = QUORUMTAB_PATH;
	r = quorumtab_read(tab_path, PROG, stderr, &tab);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		say("cannot read %s: %s", tab_path, strerror(-r));
		return 1;
	}
	failed = r > 0;
	svcs = calloc(tab.nr + 1, sizeof(*svcs));
	if (!svcs) {
		say("out of memory");
		quorumtab_free(&tab);
		return 1;
	}
	for (i = 0; i < tab.nr; i++) {
		if (generate(&tab.entries[i], svcs[made], sizeof(svcs[made])))
			failed = 1;
		else
			made++;
	}
	if (made) {
		f = create_file("quorumsetup-rejoin@.service.d", "40-quorumtab.conf");
		if (f) {
			fprintf(f, "# Automatically generated by %s from %s\n"
				"# A leg that appears during the boot rejoins once its volume is open.\n\n"
				"[Unit]\n", PROG, tab_path);
			for (i = 0; i < made; i++)
				fprintf(f, "After=%s\n", svcs[i]);
			if (finish(f, "quorumsetup-rejoin@.service.d"))
				failed = 1;
		} else {
			failed = 1;
		}
	}
	free(svcs);
	quorumtab_free(&tab);
	return failed;
}
