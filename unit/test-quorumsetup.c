// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of quorumsetup's pure parts (tools/qs-args.c, qs-layout.c,
 * qs-output.c), no kernel and no device: the command line and its
 * messages, uuids and labels, a new volume's geometry and superblocks
 * (which the target's own decision, quorum_assemble(), must accept, as
 * it must a replacement and a stand-in), table lines, the parsing of the
 * target's status and stats, every output format, and the shared-disk
 * check's comparison of media.
 *
 *   test-quorumsetup <data dir> <output dir>
 *
 * The data directory (unit/quorumsetup) holds the command lines and their
 * messages (args.txt) and the expected outputs; each output is also
 * written to the output directory, as <name> (the JSON ones are checked
 * against the documented schema by "make unit"), and one that differs
 * from what is expected as <name>.bad too.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tools/crc32c.h"
#include "../tools/quorumsetup.h"
#include "unit.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *datadir, *outdir;

/* Split @line into words (no quoting) and parse them. */
static int parse(const char *line, struct qs_args *a, char *err, size_t len)
{
	static char buf[1024];
	char *argv[64];
	int argc = 0;
	char *p;

	snprintf(buf, sizeof(buf), "quorumsetup %s", line);
	for (p = strtok(buf, " "); p && argc < 63; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return qs_parse_args(argc, argv, a, err, len);
}

/* A file of the data directory, whole, NUL-terminated (free it). */
static char *slurp(const char *name)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	FILE *in, *out;
	int c;

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "cannot read %s\n", path);
		return NULL;
	}
	out = open_memstream(&buf, &len);
	while ((c = fgetc(in)) != EOF)
		fputc(c, out);
	fclose(in);
	fclose(out);
	return buf;
}

/* Write @s to <outdir>/<name> (and <name>.bad when @bad). */
static void save(const char *name, const char *s, bool bad)
{
	char path[4096];
	FILE *f;

	if (!outdir)
		return;
	snprintf(path, sizeof(path), "%s/%s%s", outdir, name, bad ? ".bad" : "");
	f = fopen(path, "w");
	CHECK(f);
	if (!f)
		return;
	fputs(s, f);
	fclose(f);
}

/* Is @out what <datadir>/<name> holds?  Saved either way. */
static void expect(const char *name, const char *out)
{
	char *want = slurp(name);
	bool same = want && !strcmp(want, out);

	CHECK(same);
	save(name, out, false);
	if (!same) {
		save(name, out, true);
		fprintf(stderr, "  %s differs: diff -u %s/%s %s/%s.bad\n", name,
			datadir, name, outdir ? outdir : ".", name);
	}
	free(want);
}

static const char open_line[] =
	"open vol /dev/disk/by-id/v-a --uuid 0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0 --no-degraded";

static void test_args(void)
{
	char *data = slurp("args.txt"), *line, *next;
	struct qs_args a;
	char err[512];
	int cases = 0;

	CHECK(data);
	for (line = data; line && *line; line = next) {
		char *tab1, *tab2;
		int rc, want;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		tab1 = strchr(line, '\t');
		CHECK(tab1);
		if (!tab1)
			continue;
		*tab1++ = '\0';
		tab2 = strchr(tab1, '\t');
		if (tab2)
			*tab2++ = '\0';
		want = atoi(line);
		rc = parse(tab1, &a, err, sizeof(err));
		CHECK(rc == want);
		if (want)
			CHECK(tab2 && !strcmp(err, tab2));
		if (rc != want || (want && (!tab2 || strcmp(err, tab2))))
			fprintf(stderr, "  \"%s\": rc %d, \"%s\"\n", tab1, rc, err);
		cases++;
	}
	CHECK(cases > 40);
	free(data);

	/* What the arguments end up as. */
	CHECK(!parse("format /dev/a /dev/b /dev/c -t 2 --region-size=1024 -l data -f",
		     &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_FORMAT && a.nr_devs == 3 && a.threshold == 2 &&
	      a.region_size == 1024 && !strcmp(a.label, "data") && a.force &&
	      !strcmp(a.devs[2], "/dev/c"));
	CHECK(!parse(open_line, &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_OPEN && !strcmp(a.name, "vol") && a.nr_devs == 1 &&
	      !strcmp(a.devs[0], "/dev/disk/by-id/v-a") && a.has_uuid &&
	      a.uuid[0] == 0x0f && a.uuid[15] == 0xf0 && a.no_degraded &&
	      a.error_limit == -1 && a.scrub_rate == -1 && !a.read_pattern);
	CHECK(!parse("replace vol 2 /dev/new", &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_REPLACE && !strcmp(a.leg, "2") &&
	      !strcmp(a.dev, "/dev/new") && !a.force);
	CHECK(!parse("reinstate_leg vol 7:2", &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_REINSTATE && !strcmp(a.leg, "7:2"));
	CHECK(!parse("scrub vol repair -w", &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_SCRUB && !strcmp(a.scrub_op, "repair") && a.wait);
	CHECK(!parse("close vol --help", &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_HELP && a.help_cmd == QS_CMD_CLOSE);
	CHECK(!parse("status", &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_STATUS && !a.name);
	CHECK(!parse("dump -- -odd-name", &a, err, sizeof(err)));
	CHECK(a.cmd == QS_CMD_DUMP && !strcmp(a.dev, "-odd-name"));
	CHECK(!strcmp(qs_command_name(QS_CMD_REJOIN), "rejoin"));
}

static void test_uuid_label(void)
{
	static const char text[] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
	u8 uuid[QUORUM_UUID_SIZE];
	char out[QS_UUID_LEN + 1];

	CHECK(qs_uuid_parse(text, uuid));
	qs_uuid_format(uuid, out);
	CHECK(!strcmp(out, text));
	CHECK(!qs_uuid_parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f", uuid));
	CHECK(!qs_uuid_parse("0f1e2d3c-4b5a-6978-8796_a5b4c3d2e1f0", uuid));
	CHECK(!qs_uuid_parse("", uuid));
	CHECK(qs_label_valid(""));
	CHECK(qs_label_valid("data-01.backup_2+x:y@z"));
	CHECK(qs_label_valid("12345678901234567890123456789012"));
	CHECK(!qs_label_valid("123456789012345678901234567890123"));
	CHECK(!qs_label_valid("with space"));
	CHECK(!qs_label_valid("quote\""));
	CHECK(!qs_label_valid("dollar$"));
}

/* A volume formatted by the tool: leg @i's superblock, as written. */
static void formatted(unsigned int nr, const u64 *sizes, unsigned int rs,
		      struct quorum_super *legs, u64 *data)
{
	u8 uuid[QUORUM_UUID_SIZE], ids[QUORUM_MAX_LEGS][QUORUM_UUID_SIZE];
	struct quorum_super sb;
	unsigned int i, k;
	int bad;

	for (k = 0; k < QUORUM_UUID_SIZE; k++)
		uuid[k] = 0x40 + k;
	for (i = 0; i < nr; i++)
		for (k = 0; k < QUORUM_UUID_SIZE; k++)
			ids[i][k] = 0x80 + i * 16 + k;
	CHECK(!qs_geometry(nr, sizes, rs, &sb, &bad) && bad == -1);
	qs_new_super(&sb, nr / 2 + 1, uuid, (const u8 (*)[QUORUM_UUID_SIZE])ids,
		     "vol", 1700000000);
	*data = sb.data_sectors;
	for (i = 0; i < nr; i++) {
		unsigned char buf[2 * QUORUM_SUPER_SIZE];
		const char *why;

		legs[i] = sb;
		legs[i].leg = i;
		CHECK(!quorum_super_layout(&legs[i], sizes[i]));
		/* On disk: slot 1 holds it, slot 0 zeroes, as the target's. */
		memset(buf, 0, sizeof(buf));
		quorum_super_encode(&legs[i], buf + QUORUM_SUPER_SIZE);
		CHECK(quorum_super_read(buf, &legs[i], &why) == QUORUM_SUPER_VALID);
		CHECK(quorum_super_slot(legs[i].generation) == 1);
		/* The metadata ends at the leg's end, rounded to 4 KiB. */
		CHECK(legs[i].meta_offset + legs[i].meta_sectors == (sizes[i] & ~7ULL));
		CHECK(legs[i].data_sectors <= legs[i].meta_offset);
	}
}

/* The target's decision on these legs, as a table of @len names them. */
static void assemble(unsigned int nr, const u64 *sizes,
		     const struct quorum_super *legs, const bool *valid,
		     u64 len, unsigned int out_of_sync, unsigned int failed,
		     unsigned int unreadable, struct quorum_assembly *out)
{
	static struct quorum_assemble_in in;
	unsigned int i;

	memset(&in, 0, sizeof(in));
	in.nr_legs = nr;
	in.threshold = nr / 2 + 1;
	in.len = len;
	in.out_of_sync = out_of_sync;
	in.failed = failed;
	in.unreadable = unreadable;
	for (i = 0; i < nr; i++) {
		in.leg_sectors[i] = sizes[i];
		in.state[i] = valid[i] ? QUORUM_SUPER_VALID : QUORUM_SUPER_CORRUPT;
		if (valid[i])
			in.sb[i] = legs[i];
	}
	quorum_assemble(&in, out);
}

static void test_geometry(void)
{
	static const u64 sizes[3] = { 32768, 40000, 65536 };
	static const u64 big[2] = { 40ULL << 31, 41ULL << 31 };	/* 40 TiB */
	static const u64 tiny[2] = { 32768, 16 };
	struct quorum_super legs[QUORUM_MAX_LEGS], sb, nsb;
	struct quorum_assembly out;
	bool valid[3] = { true, true, true };
	u8 id[QUORUM_UUID_SIZE];
	unsigned int i;
	u64 data;
	int bad;

	/* The default region size, and the smallest leg's data area. */
	formatted(3, sizes, 0, legs, &data);
	CHECK(legs[0].region_size == QUORUM_DEFAULT_REGION_SIZE);
	CHECK(data == 32768 - legs[0].meta_sectors);
	CHECK(legs[0].nr_regions == 4 && legs[0].generation == 1 &&
	      legs[0].flags == QUORUM_SUPER_CLEAN && !legs[0].cleared);
	CHECK(!memcmp(legs[1].label, "vol", 4));
	/* The target takes them as they are: no format, nothing to resync. */
	assemble(3, sizes, legs, valid, data, 0, 0, 0, &out);
	CHECK(!out.error && !out.format && !out.whole && !out.stale &&
	      !out.failed && !out.bitmap && !out.unclean && out.generation == 1);

	/*
	 * A stand-in for leg 1: unreadable, named failed: taken as one, the
	 * regions it misses recorded for the leg (not whole).
	 */
	valid[1] = false;
	assemble(3, sizes, legs, valid, data, 0, 2, 2, &out);
	CHECK(!out.error && out.failed == 2 && out.standin == 2 && !out.whole);
	/* Not named failed: one damaged superblock of three, out of sync. */
	assemble(3, sizes, legs, valid, data, 0, 0, 2, &out);
	CHECK(!out.error && !out.standin && out.whole == 2);
	/* Of two legs, it is: the stand-in must be named failed. */
	formatted(2, sizes, 0, legs, &data);
	assemble(2, sizes, legs, valid, data, 0, 0, 2, &out);
	CHECK(out.error);
	assemble(2, sizes, legs, valid, data, 0, 2, 2, &out);
	CHECK(!out.error && out.failed == 2);

	/* A replacement of leg 2: out of sync everywhere, the volume's word kept. */
	formatted(3, sizes, 0, legs, &data);
	legs[0].generation = 5;
	legs[1].generation = 5;
	legs[2].generation = 5;
	memset(id, 0xee, sizeof(id));
	CHECK(!qs_replace_super(&legs[0], 2, id, 50000, &nsb));
	CHECK(nsb.leg == 2 && nsb.generation == 1 &&
	      !memcmp(nsb.legs[2].uuid, id, sizeof(id)) &&
	      !memcmp(nsb.uuid, legs[0].uuid, QUORUM_UUID_SIZE) &&
	      nsb.meta_offset + nsb.meta_sectors == 50000 - 50000 % 8);
	{
		u64 s2[3] = { sizes[0], sizes[1], 50000 };
		bool v3[3] = { true, true, true };
		struct quorum_super l3[3] = { legs[0], legs[1], nsb };

		assemble(3, s2, l3, v3, data, 4, 0, 0, &out);
		CHECK(!out.error && out.whole == 4 && out.newest != 2 &&
		      out.generation == 5);
	}
	/*
	 * A split history: leg 1 went on without the others; the tool sees
	 * it as the target does.  Two superblocks past the record are not.
	 */
	legs[0].generation = 20;
	legs[2].generation = 20;
	legs[0].legs[1].generation = 5;
	legs[2].legs[1].generation = 5;
	for (i = 7; i <= 8; i++) {
		struct quorum_super l3[3] = { legs[0], legs[1], legs[2] };
		bool v3[3] = { true, true, true };

		l3[1].generation = i;
		assemble(3, sizes, l3, v3, data, 0, 0, 0, &out);
		CHECK(out.newest != 1);
		CHECK(qs_split_history(&legs[0], &l3[1], 1) == (i == 8));
		CHECK(!out.error == (i == 7));
		/* Named out_of_sync, it is resynced whole. */
		assemble(3, sizes, l3, v3, data, 2, 0, 0, &out);
		CHECK(!out.error);
	}
	CHECK(!qs_split_history(&legs[0], &legs[0], 0));
	CHECK(!qs_split_history(&legs[0], &nsb, 2));

	/* Too small for the volume. */
	CHECK(qs_replace_super(&legs[0], 2, id, data, &nsb));
	CHECK(qs_standin_sectors(&legs[0]) == data + legs[0].meta_sectors);

	/* A given region size is kept; a large volume's default grows. */
	CHECK(!qs_geometry(3, sizes, 1024, &sb, &bad) && sb.region_size == 1024);
	CHECK(!qs_geometry(2, big, 0, &sb, &bad));
	CHECK(sb.region_size == 8192 << 3 && (sb.data_sectors - 1) / sb.region_size <
	      QUORUM_MAX_DEFAULT_REGIONS);
	CHECK(qs_geometry(2, tiny, 0, &sb, &bad) && bad == 1);
	CHECK(qs_geometry(2, big, 8, &sb, &bad));
}

/* A table as the kernel prints it; its features kept in another. */
static const char *const tables[] = {
	"2 7:0 7:1 7:2 8 rewrite_corrupted read_pattern fifo error_limit 4 region_size 8192 metadata",
	"2 7:0 254:3 7:2 10 rewrite_corrupted read_pattern fifo error_limit 4 region_size 8192 failed 1 metadata",
};

static void test_table(void)
{
	char legs[3][QS_DEVNUM_MAX] = { "7:0", "254:3", "7:2" };
	struct quorum_table keep;
	struct qs_table tab;
	char buf[512];

	CHECK(!qs_table_params(buf, sizeof(buf), 2, 3, legs, 0, 0, NULL));
	CHECK(!strcmp(buf, "2 7:0 254:3 7:2 1 metadata"));
	CHECK(!qs_table_params(buf, sizeof(buf), 2, 3, legs, 2, 0, NULL));
	CHECK(!strcmp(buf, "2 7:0 254:3 7:2 3 failed 1 metadata"));
	CHECK(!qs_table_params(buf, sizeof(buf), 2, 3, legs, 5, 2, NULL));
	CHECK(!strcmp(buf, "2 7:0 254:3 7:2 5 out_of_sync 1 failed 0,2 metadata"));
	/* A table as the kernel prints it, its features kept. */
	CHECK(!qs_parse_table(tables[0], &tab));
	CHECK(tab.t.nr_legs == 3 && tab.t.threshold == 2 &&
	      !strcmp(tab.t.legs[1], "7:1") &&
	      (tab.t.features & QUORUM_FEATURE_METADATA));
	CHECK(!qs_table_params(buf, sizeof(buf), 2, 3, legs, 2, 0, &tab.t));
	CHECK(!strcmp(buf, tables[1]));
	CHECK(qs_parse_table("3 7:0 x", &tab));
	memset(&keep, 0, sizeof(keep));
	keep.features = QUORUM_FEATURE_SCRUB_RATE;
	keep.scrub_rate = 100;
	CHECK(!qs_table_params(buf, sizeof(buf), 1, 2, legs, 0, 0, &keep));
	CHECK(!strcmp(buf, "1 7:0 254:3 3 scrub_rate 100 metadata"));
	CHECK(qs_table_params(buf, 12, 1, 2, legs, 0, 0, &keep));
}

/*
 * Status lines: a degraded volume (leg 1 out of sync, leg 2 failed, a
 * scrub and a resync running), the docs' example with fields appended.
 */
static const char *const status_lines[] = {
	"3 7:0 7:1 254:5 AOD 1:2:3:4:5 0:0:0:0:0 0:0:0:0:0 7 2 check 40960/131072 3 1 0 resync 2/16 9 dirty 12 4 1",
	"3 7:0 7:1 7:2 AAA 0:0:0:0:0 0:0:0:0:0 0:0:0:0:0 0 0 idle 0/131072 0 0 0 idle 0/16 0 none 0 0 0 42 new",
};

#define status_line	status_lines[0]

/* Broken: too few legs, a bad health, short counters, an unknown state, cut. */
static const char *const bad_status_lines[] = {
	"",
	"1 7:0 A 0:0:0:0:0 0 0 idle 0/1 0 0 0 idle 0/1 0 none 0 0 0",
	"2 7:0 7:1 AX 0:0:0:0:0 0:0:0:0:0 0 0 idle 0/1 0 0 0 idle 0/1 0 none 0 0 0",
	"2 7:0 7:1 AA 0:0:0:0 0:0:0:0:0 0 0 idle 0/1 0 0 0 idle 0/1 0 none 0 0 0",
	"2 7:0 7:1 AA 0:0:0:0:0 0:0:0:0:0 0 0 busy 0/1 0 0 0 idle 0/1 0 none 0 0 0",
	"2 7:0 7:1 AA 0:0:0:0:0 0:0:0:0:0 0 0 idle 0/1 0 0 0 idle 0/1 0 none 0 0",
};

static const char stats_response[] =
	"leg=0 dev=7:0 health=A reads=10 writes=20 read_errors=0 write_errors=0 flush_errors=0 outvoted_blocks=0 repaired_blocks=0 scrub_bad_blocks=3\n"
	"leg=1 dev=7:1 health=A reads=11 writes=21 read_errors=0 write_errors=0 flush_errors=0 outvoted_blocks=0 repaired_blocks=0 scrub_bad_blocks=0\n"
	"leg=2 dev=7:2 health=A reads=12 writes=22 read_errors=0 write_errors=0 flush_errors=0 outvoted_blocks=0 repaired_blocks=0 scrub_bad_blocks=1\n"
	"quorum_failures=0 events_dropped=0\npages_reserved=128 pages_cached=0\n";

static void test_status(void)
{
	struct qs_leg_stats stats[3];
	struct qs_status st;
	unsigned int i;

	CHECK(!qs_parse_status(status_line, &st));
	CHECK(st.nr_legs == 3 && !strcmp(st.legs[2].devnum, "254:5") &&
	      st.legs[0].health == 'A' && st.legs[1].health == 'O' &&
	      st.legs[2].health == 'D');
	CHECK(st.legs[0].read_errors == 1 && st.legs[0].write_errors == 2 &&
	      st.legs[0].flush_errors == 3 && st.legs[0].outvoted == 4 &&
	      st.legs[0].repaired == 5);
	CHECK(st.quorum_failures == 7 && st.events_dropped == 2);
	CHECK(!strcmp(st.scrub_state, "check") && st.scrub_position == 40960 &&
	      st.scrub_total == 131072 && st.scrub_bad == 3 &&
	      st.scrub_repaired == 1 && !st.scrub_unrecoverable);
	CHECK(!strcmp(st.resync_state, "resync") && st.resync_region == 2 &&
	      st.regions == 16 && st.regions_out_of_sync == 9);
	CHECK(!strcmp(st.meta_state, "dirty") && st.generation == 12 &&
	      st.write_intent == 4 && st.crash == 1);
	/* The docs' example; fields appended later are ignored. */
	CHECK(!qs_parse_status(status_lines[1], &st));
	for (i = 0; i < ARRAY_SIZE(bad_status_lines); i++)
		CHECK(qs_parse_status(bad_status_lines[i], &st));

	CHECK(!qs_parse_stats(stats_response, 3, stats));
	CHECK(stats[0].reads == 10 && stats[1].writes == 21 && stats[2].scrub_bad == 1);
	CHECK(qs_parse_stats("quorum_failures=0\n", 3, stats));
	CHECK(stats[0].reads == -1);
}

/* An output of @print into a string (free it). */
static char *capture(void (*print)(FILE *, const struct qs_volume_view *, unsigned int),
		     const struct qs_volume_view *v, unsigned int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print(f, v, n);
	fclose(f);
	return buf;
}

static const char status_uuid[] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

/* A degraded volume: leg 1 out of sync, leg 2 missing, scrub and resync running. */
static void example_view(struct qs_volume_view *v)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	CHECK(!qs_parse_status(status_line, &v->st));
	snprintf(v->name, sizeof(v->name), "vol");
	snprintf(v->dm_uuid, sizeof(v->dm_uuid), "QUORUM-%s", status_uuid);
	snprintf(v->uuid, sizeof(v->uuid), "%s", status_uuid);
	snprintf(v->label, sizeof(v->label), "da\"ta");
	v->has_label = true;
	snprintf(v->devnum, sizeof(v->devnum), "254:9");
	v->sectors = 131072;
	v->threshold = 2;
	v->nr_legs = 3;
	v->region_size = 8192;
	v->metadata = true;
	v->open_count = 1;
	snprintf(v->features, sizeof(v->features), "region_size 8192 metadata");
	for (i = 0; i < 3; i++) {
		struct qs_leg_view *l = &v->legs[i];

		l->index = i;
		snprintf(l->devnum, sizeof(l->devnum), "%s", v->st.legs[i].devnum);
		l->st = v->st.legs[i];
		l->stats.reads = 10 + i;
		l->stats.writes = 20 + i;
		l->stats.scrub_bad = i;
		if (i == 2) {
			l->missing = true;
			snprintf(l->path, sizeof(l->path), "/dev/mapper/vol-missing2");
			l->stats.reads = -1;
			continue;
		}
		snprintf(l->path, sizeof(l->path), "/dev/loop%u", i);
		snprintf(l->identity, sizeof(l->identity),
			 "00000000-0000-4000-8000-00000000000%u", i);
	}
	snprintf(v->legs[0].stable, sizeof(v->legs[0].stable),
		 "/dev/disk/by-id/virtio-leg0");
}

static void test_output(void)
{
	struct qs_volume_view v[2];
	char *out;

	example_view(&v[0]);
	v[1] = v[0];
	snprintf(v[1].name, sizeof(v[1].name), "other");
	v[1].has_label = false;
	v[1].uuid[0] = '\0';
	v[1].dm_uuid[0] = '\0';
	v[1].metadata = false;
	snprintf(v[1].st.meta_state, sizeof(v[1].st.meta_state), "none");
	snprintf(v[1].st.scrub_state, sizeof(v[1].st.scrub_state), "idle");
	snprintf(v[1].st.resync_state, sizeof(v[1].st.resync_state), "idle");
	v[1].legs[1].st.health = 'A';
	v[1].legs[2].missing = false;
	v[1].legs[2].st.health = 'R';

	out = capture(qs_print_status_json, v, 1);
	expect("status-one.json", out);
	free(out);
	out = capture(qs_print_status_json, v, 0);
	expect("status-none.json", out);
	free(out);
	out = capture(qs_print_status_json, v, 2);
	expect("status-two.json", out);
	free(out);
	out = capture(qs_print_status_plain, v, 2);
	expect("status-two.txt", out);
	free(out);
	/* Each family once, its samples together; unknown counters left out. */
	out = capture(qs_print_status_prometheus, v, 2);
	expect("status-two.prom", out);
	free(out);
}

static void test_export_dump(void)
{
	static const u64 sizes[2] = { 32768, 32768 };
	struct quorum_super legs[2];
	char *buf = NULL;
	size_t len = 0;
	u64 data;
	FILE *f;

	formatted(2, sizes, 0, legs, &data);
	f = open_memstream(&buf, &len);
	qs_print_export(f, &legs[1]);
	fclose(f);
	expect("export.txt", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	legs[0].legs[1].state = QUORUM_LEG_FAILED | QUORUM_LEG_OUT_OF_SYNC;
	legs[0].flags = 0;
	qs_print_super(f, &legs[0]);
	fclose(f);
	expect("dump.txt", buf);
	free(buf);
	CHECK(!strcmp(qs_super_state_name(QUORUM_SUPER_CORRUPT), "damaged"));
}

/* A uevent: its variables (space-separated, no space in a value). */
static size_t uevent(char *msg, size_t len, const char *vars)
{
	size_t n;
	char *p;

	n = snprintf(msg, len, "change@/devices/virtual/block/dm-3 %s", vars) + 1;
	for (p = msg; p < msg + n; p++)
		if (*p == ' ')
			*p = '\0';
	return n;
}

static void test_events(void)
{
	static const char *const events[] = {
		"ACTION=change SUBSYSTEM=block DM_TARGET=quorum DM_ACTION=QUORUM_REPORT_BAD DM_NAME=vol DM_UUID=QUORUM-x DEVNAME=dm-3 DM_QUORUM_TYPE=read DM_QUORUM_SECTOR=12816 DM_QUORUM_SECTORS=8 DM_QUORUM_LEG=7:1 DM_QUORUM_REASON=outvoted",
		"SUBSYSTEM=block DM_TARGET=quorum DM_ACTION=QUORUM_FAILURE DM_NAME=vol DM_QUORUM_TYPE=read DM_QUORUM_SECTOR=0 DM_QUORUM_SECTORS=8 DM_QUORUM_VOTES=1 DM_QUORUM_THRESHOLD=2",
		"SUBSYSTEM=block DM_TARGET=quorum DM_ACTION=QUORUM_LEG_FAILED DM_NAME=vol DM_QUORUM_LEG=7:0 DM_QUORUM_REASON=errors DM_QUORUM_ERROR=-5",
		"SUBSYSTEM=block DM_TARGET=quorum DM_ACTION=QUORUM_SCRUB_DONE DM_NAME=vol DM_UUID= DM_QUORUM_SCRUB_MODE=check DM_QUORUM_SCRUB_RESULT=done DM_QUORUM_SCRUB_POSITION=64 DM_QUORUM_SCRUB_TOTAL=64 DM_QUORUM_SCRUB_BAD=0 DM_QUORUM_SCRUB_REPAIRED=0 DM_QUORUM_SCRUB_UNRECOVERABLE=0",
		"SUBSYSTEM=block DM_TARGET=quorum DM_ACTION=QUORUM_RESYNC_DONE DM_NAME=vol DM_QUORUM_RESYNC_RESULT=done DM_QUORUM_RESYNC_REGIONS=4",
		"SUBSYSTEM=block DM_TARGET=quorum DM_ACTION=QUORUM_REPAIRED DEVNAME=dm-4 DM_QUORUM_TYPE=write DM_QUORUM_SECTOR=8 DM_QUORUM_SECTORS=8 DM_QUORUM_LEG=7:2",
	};
	char msg[1024], *buf = NULL;
	struct qs_uevent ev;
	unsigned int i;
	size_t len = 0, n;
	FILE *f;

	setenv("TZ", "UTC", 1);
	tzset();
	f = open_memstream(&buf, &len);
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		n = uevent(msg, sizeof(msg), events[i]);
		CHECK(!qs_uevent_parse(msg, n, &ev));
		CHECK(qs_uevent_print(f, &ev, false, NULL, 1700000000));
		CHECK(qs_uevent_print(f, &ev, true, NULL, 1700000000));
	}
	n = uevent(msg, sizeof(msg), events[0]);
	CHECK(!qs_uevent_parse(msg, n, &ev));
	CHECK(!strcmp(qs_uevent_get(&ev, "DM_QUORUM_LEG"), "7:1"));
	CHECK(!qs_uevent_get(&ev, "DM_QUORUM"));
	/* --device: that device's only */
	CHECK(qs_uevent_print(f, &ev, false, "vol", 1700000000));
	CHECK(!qs_uevent_print(f, &ev, false, "other", 1700000000));
	/* Not the target's. */
	n = uevent(msg, sizeof(msg), "SUBSYSTEM=block DEVNAME=loop0 DM_NAME=vol");
	CHECK(!qs_uevent_parse(msg, n, &ev));
	CHECK(!qs_uevent_print(f, &ev, false, NULL, 1700000000));
	fclose(f);
	expect("events.txt", buf);
	free(buf);
	/* Not a uevent (udev's own messages start "libudev"), or cut short. */
	CHECK(qs_uevent_parse(msg, 0, &ev));
	memcpy(msg, "libudev\0x=1\0", 12);
	CHECK(qs_uevent_parse(msg, 12, &ev));
	memcpy(msg, "a@b\0KEY=unterminated", 20);
	CHECK(!qs_uevent_parse(msg, 20, &ev) && ev.n == 0);
}

static void test_small(void)
{
	char buf[128];

	qs_progress_bar(buf, sizeof(buf), "check", 50, 200, 20);
	CHECK(!strcmp(buf, "check [#####...............]  25% 50/200 sectors"));
	qs_progress_bar(buf, sizeof(buf), "repair", 200, 200, 4);
	CHECK(!strcmp(buf, "repair [####] 100% 200/200 sectors"));
	qs_progress_bar(buf, sizeof(buf), "check", 0, 0, 4);
	CHECK(!strcmp(buf, "check [....]   0% 0/0 sectors"));
	CHECK(qs_percent(1, 3) == 33 && qs_percent(5, 0) == 0 && qs_percent(9, 3) == 100);
	qs_size_string(1, buf, sizeof(buf));
	CHECK(!strcmp(buf, "0.5 KiB"));
	qs_size_string(3ULL << 31, buf, sizeof(buf));
	CHECK(!strcmp(buf, "3.0 TiB"));
	CHECK(!strcmp(qs_health_name('O', false), "out_of_sync") &&
	      !strcmp(qs_health_name('A', true), "missing"));
}

static struct qs_disk disk(const char *name, bool file, unsigned long long dev,
			   unsigned long long ino)
{
	struct qs_disk d = { .file = file, .dev = dev, .ino = ino };

	snprintf(d.name, sizeof(d.name), "%s", name);
	return d;
}

/* The media of the shared-disk check: whole disks, and loop files. */
static void test_disks(void)
{
	struct qs_disk sda = disk("sda", false, 0, 0);
	/* Two paths to one file on tmpfs (st_dev 0:45), another file there. */
	struct qs_disk a = disk("file /tmp/a.img", true, 45, 1234);
	struct qs_disk a2 = disk("file /run/link.img", true, 45, 1234);
	struct qs_disk b = disk("file /tmp/b.img", true, 45, 1235);
	struct qs_disk c = disk("file /mnt/a.img", true, 46, 1234);
	struct qs_disk sda_file = disk("sda", true, 8, 0);
	struct qs_disks x = { 0 }, y = { 0 };
	const char *shared;
	unsigned int i;

	qs_disks_add(&x, &a);
	qs_disks_add(&y, &b);
	CHECK(!qs_shared_disk(&x, &y));
	qs_disks_add(&y, &c);
	CHECK(!qs_shared_disk(&x, &y));
	qs_disks_add(&y, &sda_file);
	qs_disks_add(&x, &sda);
	CHECK(!qs_shared_disk(&x, &y));
	/* The same inode under another path: named as the first saw it. */
	qs_disks_add(&y, &a2);
	shared = qs_shared_disk(&x, &y);
	CHECK(shared && !strcmp(shared, "file /tmp/a.img"));
	shared = qs_shared_disk(&y, &x);
	CHECK(shared && !strcmp(shared, "file /run/link.img"));
	/* Disks by name; each medium once; a full list keeps what it has. */
	y.n = 0;
	qs_disks_add(&y, &sda);
	qs_disks_add(&y, &sda);
	qs_disks_add(&y, &a2);
	CHECK(y.n == 2);
	shared = qs_shared_disk(&x, &y);
	CHECK(shared && !strcmp(shared, "file /tmp/a.img"));
	y.n = 0;
	for (i = 0; i < ARRAY_SIZE(y.d) + 2; i++) {
		struct qs_disk d = disk("vd", false, 0, 0);

		snprintf(d.name, sizeof(d.name), "vd%u", i);
		qs_disks_add(&y, &d);
	}
	CHECK(y.n == ARRAY_SIZE(y.d) && !strcmp(y.d[y.n - 1].name, "vd31"));
	CHECK(!qs_shared_disk(&x, &y));
}

int main(int argc, char **argv)
{
	datadir = argc > 1 ? argv[1] : "unit/quorumsetup";
	if (argc > 2)
		outdir = argv[2];
	test_args();
	test_uuid_label();
	test_geometry();
	test_table();
	test_status();
	test_output();
	test_export_dump();
	test_events();
	test_small();
	test_disks();
	return unit_report("test-quorumsetup");
}
