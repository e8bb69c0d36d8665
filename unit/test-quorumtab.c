// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the quorumtab parser (tools/quorumtab.h): lines taken and
 * what they give, every refusal with its message, the checks of lines
 * against each other, the file-level report, and systemd's unit name
 * escaping (compared with systemd-escape's output, written down here).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../tools/quorumtab.h"
#include "unit.h"

#define QT_ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

/* A line, and what it gives: the entry as show() prints it, or the error. */
struct qt_case {
	const char *line;
	const char *want;
};

static const struct qt_case taken_cases[] = {
	{
		"data /dev/sdb,/dev/sdc",
		"data /dev/sdb,/dev/sdc 90s",
	},
	{
		"  data\t/dev/sdb,/dev/sdc  ",
		"data /dev/sdb,/dev/sdc 90s",
	},
	{
		"data UUID=0A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9",
		"data uuid=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9 90s",
	},
	{
		"v /dev/disk/by-id/virtio-leg0,/dev/disk/by-id/virtio-leg1,/dev/disk/by-id/virtio-leg2 timeout=15",
		"v /dev/disk/by-id/virtio-leg0,/dev/disk/by-id/virtio-leg1,/dev/disk/by-id/virtio-leg2 timeout 15s",
	},
	{
		"v PARTUUID=0A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9,PARTUUID=12345678-02,PARTLABEL=leg_2",
		"v /dev/disk/by-partuuid/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9,/dev/disk/by-partuuid/12345678-02,/dev/disk/by-partlabel/leg_2 90s",
	},
	{
		"v /dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:0:0,/dev/mapper/vg-leg1",
		"v /dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:0:0,/dev/mapper/vg-leg1 90s",
	},
	{
		"v /dev/a,/dev/b no-degraded,read-only,nofail,noauto,_netdev,timeout=86400",
		"v /dev/a,/dev/b no-degraded read-only nofail noauto _netdev timeout 86400s",
	},
	{
		"v /dev/a,/dev/b force-degraded",
		"v /dev/a,/dev/b force-degraded 90s",
	},
	{
		"v /dev/a,/dev/b timeout=1",
		"v /dev/a,/dev/b timeout 1s",
	},
	{
		"v /dev/a,/dev/b -",
		"v /dev/a,/dev/b 90s",
	},
	{
		"a#+-.:=@_Z9 /dev/a,/dev/b",
		"a#+-.:=@_Z9 /dev/a,/dev/b 90s",
	},
	{
		"v /dev/1,/dev/2,/dev/3,/dev/4,/dev/5,/dev/6,/dev/7,/dev/8,/dev/9,/dev/10,/dev/11,/dev/12,/dev/13,/dev/14,/dev/15,/dev/16",
		"v /dev/1,/dev/2,/dev/3,/dev/4,/dev/5,/dev/6,/dev/7,/dev/8,/dev/9,/dev/10,/dev/11,/dev/12,/dev/13,/dev/14,/dev/15,/dev/16 90s",
	},
};

static const struct qt_case refused_cases[] = {
	{
		"data",
		"no legs: expected <name> <legs> [<options>]",
	},
	{
		"data /dev/a,/dev/b nofail extra",
		"too many fields: expected <name> <legs> [<options>]",
	},
	{
		"data /dev/a,/dev/b nofail # legs on the shelf",
		"a comment must start its line: expected <name> <legs> [<options>]",
	},
	{
		"data /dev/a,/dev/b\vnofail",
		"a control character (0x0b) in the line",
	},
	{
		"da/ta /dev/a,/dev/b",
		"name \"da/ta\": '/' is not allowed (letters, digits and #+-.:=@_ only)",
	},
	{
		"d'a /dev/a,/dev/b",
		"name \"d'a\": ''' is not allowed (letters, digits and #+-.:=@_ only)",
	},
	{
		"d%a /dev/a,/dev/b",
		"name \"d%a\": '%' is not allowed (letters, digits and #+-.:=@_ only)",
	},
	{
		"-data /dev/a,/dev/b",
		"name \"-data\": cannot start with '-'",
	},
	{
		".data /dev/a,/dev/b",
		"name \".data\": cannot start with '.'",
	},
	{
		"control /dev/a,/dev/b",
		"name \"control\": /dev/mapper/control is device-mapper's own",
	},
	{
		"data UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f",
		"UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f: not a volume UUID (8-4-4-4-12 hexadecimal digits)",
	},
	{
		"data UUID=0a1b2c3d4e5f407182930a4b5c6d7e8f9",
		"UUID=0a1b2c3d4e5f407182930a4b5c6d7e8f9: not a volume UUID (8-4-4-4-12 hexadecimal digits)",
	},
	{
		"data UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8fg",
		"UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8fg: not a volume UUID (8-4-4-4-12 hexadecimal digits)",
	},
	{
		"data UUID=",
		"UUID=: not a volume UUID (8-4-4-4-12 hexadecimal digits)",
	},
	{
		"data /dev/sdb",
		"1 leg: a volume has 2 to 16 (or give UUID=<volume uuid>)",
	},
	{
		"v /dev/1,/dev/2,/dev/3,/dev/4,/dev/5,/dev/6,/dev/7,/dev/8,/dev/9,/dev/10,/dev/11,/dev/12,/dev/13,/dev/14,/dev/15,/dev/16,/dev/17",
		"17 legs: a volume has 2 to 16 (or give UUID=<volume uuid>)",
	},
	{
		"data /dev/a,,/dev/b",
		"an empty leg in the list (two commas, or one at an end)",
	},
	{
		"data /dev/a,/dev/b,",
		"an empty leg in the list (two commas, or one at an end)",
	},
	{
		"data sdb,sdc",
		"leg \"sdb\": not a device path under /dev/, PARTUUID= or PARTLABEL=",
	},
	{
		"data /dev/,/dev/sdc",
		"leg \"/dev/\": not a device path under /dev/, PARTUUID= or PARTLABEL=",
	},
	{
		"data /tmp/leg0.img,/dev/sdc",
		"leg \"/tmp/leg0.img\": not a device path under /dev/, PARTUUID= or PARTLABEL=",
	},
	{
		"data /dev/disk//by-id/x,/dev/sdc",
		"leg \"/dev/disk//by-id/x\": not a normalised path (an empty, . or .. component, or a trailing /)",
	},
	{
		"data /dev/disk/./x,/dev/sdc",
		"leg \"/dev/disk/./x\": not a normalised path (an empty, . or .. component, or a trailing /)",
	},
	{
		"data /dev/../etc/x,/dev/sdc",
		"leg \"/dev/../etc/x\": not a normalised path (an empty, . or .. component, or a trailing /)",
	},
	{
		"data /dev/sdb/,/dev/sdc",
		"leg \"/dev/sdb/\": not a normalised path (an empty, . or .. component, or a trailing /)",
	},
	{
		"data /dev/disk/by-label/a\\x20b,/dev/sdc",
		"leg \"/dev/disk/by-label/a\\x20b\": '\\' is not allowed in a device path (letters, digits, / and #+-.:=@_ only)",
	},
	{
		"data /dev/sdb,/dev/sdc,/dev/sdb",
		"leg \"/dev/sdb\" is given twice",
	},
	{
		"data PARTUUID=ABCD-01,PARTUUID=abcd-01",
		"leg \"PARTUUID=abcd-01\" is given twice",
	},
	{
		"data PARTUUID=,/dev/sdc",
		"leg \"PARTUUID=\": not a partition UUID (hexadecimal digits and -)",
	},
	{
		"data PARTUUID=xyz,/dev/sdc",
		"leg \"PARTUUID=xyz\": not a partition UUID (hexadecimal digits and -)",
	},
	{
		"data PARTLABEL=a/b,/dev/sdc",
		"leg \"PARTLABEL=a/b\": '/' is not allowed in a partition label here (letters, digits and #+-.:=@_ only)",
	},
	{
		"data PARTLABEL=,/dev/sdc",
		"leg \"PARTLABEL=\": a partition label of 1 to 36 characters is expected",
	},
	{
		"data UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9,/dev/sdc",
		"leg \"UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9\": UUID= names a whole volume, not one leg of a list",
	},
	{
		"data LABEL=home,/dev/sdc",
		"leg \"LABEL=home\": LABEL= names a filesystem, not a leg: give UUID=<volume uuid> or the legs",
	},
	{
		"data /dev/a,/dev/b frob",
		"unknown option \"frob\" (options: no-degraded, force-degraded, read-only, nofail, noauto, timeout=<seconds>, _netdev)",
	},
	{
		"data /dev/a,/dev/b frob=1",
		"unknown option \"frob=1\" (options: no-degraded, force-degraded, read-only, nofail, noauto, timeout=<seconds>, _netdev)",
	},
	{
		"data /dev/a,/dev/b nofail=yes",
		"option \"nofail\" takes no value (options: no-degraded, force-degraded, read-only, nofail, noauto, timeout=<seconds>, _netdev)",
	},
	{
		"data /dev/a,/dev/b ro",
		"unknown option \"ro\" (options: no-degraded, force-degraded, read-only, nofail, noauto, timeout=<seconds>, _netdev)",
	},
	{
		"data /dev/a,/dev/b no-degraded,force-degraded",
		"options \"no-degraded\" and \"force-degraded\" contradict each other",
	},
	{
		"data /dev/a,/dev/b nofail,,noauto",
		"an empty option (two commas, or one at an end)",
	},
	{
		"data /dev/a,/dev/b nofail,",
		"an empty option (two commas, or one at an end)",
	},
	{
		"data /dev/a,/dev/b nofail,nofail",
		"option \"nofail\" is given twice",
	},
	{
		"data /dev/a,/dev/b timeout=5,timeout=6",
		"option \"timeout\" is given twice",
	},
	{
		"data /dev/a,/dev/b timeout=0",
		"option \"timeout=0\": a number of seconds from 1 to 86400 is expected",
	},
	{
		"data /dev/a,/dev/b timeout=86401",
		"option \"timeout=86401\": a number of seconds from 1 to 86400 is expected",
	},
	{
		"data /dev/a,/dev/b timeout=",
		"option \"timeout=\": a number of seconds from 1 to 86400 is expected",
	},
	{
		"data /dev/a,/dev/b timeout=5s",
		"option \"timeout=5s\": a number of seconds from 1 to 86400 is expected",
	},
	{
		"data /dev/a,/dev/b timeout=-5",
		"option \"timeout=-5\": a number of seconds from 1 to 86400 is expected",
	},
	{
		"data /dev/a,/dev/b timeout=05",
		"option \"timeout=05\": a number of seconds from 1 to 86400 is expected",
	},
};

/* An entry as one line of text, to compare. */
static void show(const struct quorumtab_entry *e, char *out, size_t len)
{
	static const char * const flag[] = {
		"no-degraded", "read-only", "nofail", "noauto", "_netdev",
		"timeout", "force-degraded",
	};
	size_t o;
	unsigned int i;

	o = (size_t)snprintf(out, len, "%s", e->name);
	if (e->uuid[0])
		o += (size_t)snprintf(out + o, len - o, " uuid=%s", e->uuid);
	for (i = 0; i < e->nr_legs; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "," : " ",
				      e->legs[i]);
	for (i = 0; i < QT_ARRAY_SIZE(flag); i++)
		if (e->flags & (1u << i))
			o += (size_t)snprintf(out + o, len - o, " %s", flag[i]);
	snprintf(out + o, len - o, " %us", e->timeout);
}

static bool taken(const char *line, const char *want)
{
	struct quorumtab_entry e;
	char err[QT_ERROR_MAX], got[2048];
	int r = quorumtab_parse_line(line, &e, err, sizeof(err));

	if (r != 1) {
		fprintf(stderr, "\"%s\": %s, want \"%s\"\n", line,
			r ? err : "(nothing)", want);
		return false;
	}
	show(&e, got, sizeof(got));
	quorumtab_entry_free(&e);
	if (strcmp(got, want)) {
		fprintf(stderr, "\"%s\": got \"%s\", want \"%s\"\n", line, got,
			want);
		return false;
	}
	return true;
}

static bool refused(const char *line, const char *want)
{
	struct quorumtab_entry e;
	char err[QT_ERROR_MAX], got[2048];
	int r = quorumtab_parse_line(line, &e, err, sizeof(err));

	if (r != -1) {
		if (r == 1) {
			show(&e, got, sizeof(got));
			quorumtab_entry_free(&e);
		} else {
			snprintf(got, sizeof(got), "(nothing)");
		}
		fprintf(stderr, "\"%s\": taken as \"%s\", want \"%s\"\n", line,
			got, want);
		return false;
	}
	if (strcmp(err, want)) {
		fprintf(stderr, "\"%s\": got \"%s\", want \"%s\"\n", line, err,
			want);
		return false;
	}
	return true;
}

static bool nothing(const char *line)
{
	struct quorumtab_entry e;
	char err[QT_ERROR_MAX];

	return quorumtab_parse_line(line, &e, err, sizeof(err)) == 0;
}

static void lines_taken(void)
{
	unsigned int i;

	CHECK(nothing(""));
	CHECK(nothing("   \t "));
	CHECK(nothing("# a comment"));
	CHECK(nothing("   # an indented comment, with fields: a b c d e"));
	for (i = 0; i < QT_ARRAY_SIZE(taken_cases); i++)
		CHECK(taken(taken_cases[i].line, taken_cases[i].want));
}

static void lines_refused(void)
{
	struct quorumtab_entry e;
	char line[512], err[QT_ERROR_MAX], too_long[128];
	unsigned int i;

	for (i = 0; i < QT_ARRAY_SIZE(refused_cases); i++)
		CHECK(refused(refused_cases[i].line, refused_cases[i].want));

	/* A name of 128 characters, then of 127. */
	memset(line, 'n', 128);
	snprintf(line + 128, sizeof(line) - 128, " /dev/a,/dev/b");
	/* The name is cut in the message, at 44 characters. */
	snprintf(too_long, sizeof(too_long), "name \"%.44s...\": more than 127 characters", line);
	CHECK(refused(line, too_long));
	line[127] = ' ';
	CHECK(quorumtab_parse_line(line, &e, err, sizeof(err)) == 1);
	CHECK(strlen(e.name) == 127);
	quorumtab_entry_free(&e);
}

/* A whole file, through a memory stream: the report and what is kept. */
static void file_checks(void)
{
	static const char text[] =
		"# /etc/quorumtab\n"
		"\n"
		"home /dev/sdb,/dev/sdc,/dev/sdd timeout=30\n"
		"home /dev/sde,/dev/sdf\n"
		"srv UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9 nofail\n"
		"backup UUID=0A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9\n"
		"var /dev/sdx,/dev/sdc\n"
		"bad\n"
		"crlf /dev/sdg,/dev/sdh\r\n"
		"nul /dev/sdi,/dev/s\0dj\n"
		"last /dev/sdk,/dev/sdl";
	static const char want[] =
		"gen: /etc/quorumtab:4: name \"home\" is given on line 3 already\n"
		"gen: /etc/quorumtab:6: volume UUID=0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9 is given on line 5 already (as srv)\n"
		"gen: /etc/quorumtab:7: leg \"/dev/sdc\" is given on line 3 already (a leg of home)\n"
		"gen: /etc/quorumtab:8: no legs: expected <name> <legs> [<options>]\n"
		"gen: /etc/quorumtab:10: a NUL byte in the line\n";
	struct quorumtab tab;
	char report[4096] = "";
	FILE *in, *errf;
	int r;

	in = fmemopen((void *)text, sizeof(text) - 1, "r");
	errf = fmemopen(report, sizeof(report) - 1, "w");
	CHECK(in && errf);
	if (!in || !errf)
		return;
	r = quorumtab_read_stream(in, "/etc/quorumtab", "gen", errf, &tab);
	fclose(in);
	fclose(errf);
	CHECK(r == 5 && tab.errors == 5);
	if (strcmp(report, want))
		fprintf(stderr, "report:\n%swant:\n%s", report, want);
	CHECK(!strcmp(report, want));
	CHECK(tab.nr == 4);
	if (tab.nr == 4) {
		CHECK(!strcmp(tab.entries[0].name, "home") && tab.entries[0].line == 3);
		CHECK(tab.entries[0].timeout == 30 && tab.entries[0].nr_legs == 3);
		CHECK(!strcmp(tab.entries[1].name, "srv") && tab.entries[1].line == 5);
		CHECK(tab.entries[1].flags == QT_NOFAIL);
		CHECK(!strcmp(tab.entries[2].name, "crlf") && tab.entries[2].line == 9);
		CHECK(!strcmp(tab.entries[2].legs[1], "/dev/sdh"));
		CHECK(!strcmp(tab.entries[3].name, "last") && tab.entries[3].line == 11);
	}
	CHECK(quorumtab_find(&tab, "srv") == &tab.entries[1]);
	CHECK(!quorumtab_find(&tab, "backup"));
	quorumtab_free(&tab);
	CHECK(tab.nr == 0 && !tab.entries);

	CHECK(quorumtab_read("/nonexistent/quorumtab", "gen", stderr, &tab) == -ENOENT);
	CHECK(tab.nr == 0);
}

static bool escaped(const char *s, bool path, const char *want)
{
	char out[256];
	int n = path ? quorumtab_escape_path(s, out, sizeof(out)) :
		       quorumtab_escape(s, out, sizeof(out));

	if (n < 0 || strcmp(out, want) || (size_t)n != strlen(want)) {
		fprintf(stderr, "escape%s(\"%s\"): got \"%s\", want \"%s\"\n",
			path ? "_path" : "", s, n < 0 ? "(error)" : out, want);
		return false;
	}
	return true;
}

/* The expected strings are systemd-escape's (systemd 252) output. */
static void escaping(void)
{
	char small[8];

	CHECK(escaped("data", false, "data"));
	CHECK(escaped("my-vol", false, "my\\x2dvol"));
	CHECK(escaped("a#+-.:=@_Z9", false, "a\\x23\\x2b\\x2d.:\\x3d\\x40_Z9"));
	CHECK(escaped(".hidden", false, "\\x2ehidden"));
	CHECK(escaped("a b/c", false, "a\\x20b-c"));
	CHECK(escaped("/dev/mapper/data", true, "dev-mapper-data"));
	CHECK(escaped("/dev/mapper/my-vol", true, "dev-mapper-my\\x2dvol"));
	CHECK(escaped("/dev/disk/by-id/virtio-leg0", true,
		      "dev-disk-by\\x2did-virtio\\x2dleg0"));
	CHECK(escaped("/dev/disk/by-path/pci-0000:00:05.0", true,
		      "dev-disk-by\\x2dpath-pci\\x2d0000:00:05.0"));
	CHECK(escaped("/", true, "-"));
	CHECK(quorumtab_escape("abcdefgh", small, sizeof(small)) == -1);
	CHECK(quorumtab_escape("abcdefg", small, sizeof(small)) == 7);
	CHECK(quorumtab_escape("a-b", small, sizeof(small)) == 6);
	CHECK(quorumtab_escape("a-b-c", small, sizeof(small)) == -1);
}

int main(void)
{
	lines_taken();
	lines_refused();
	file_checks();
	escaping();
	return unit_report("test-quorumtab");
}
