// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the on-disk metadata (dm-quorum-super.c), compiled
 * unchanged in user space: the layout of a leg's metadata area, the
 * encoding and checks of a superblock, the choice between its two slots,
 * and the decision taken on the legs' superblocks at activation.
 *
 * "test-super --corpus <dir>" writes the fuzzer's seeds instead.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check-super.h"
#include "../tools/crc32c.h"
#include "unit.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define GIB	2097152ull	/* sectors */
#define LEG	GIB		/* the legs' size unless told */
#define RS	1024u		/* the region size unless told */

static unsigned char buf[2 * QUORUM_SUPER_SIZE];

/* A volume's uuid, and the identity of its leg @i (from 1: never zero). */
static void uuid_of(u8 *uuid, unsigned int volume, unsigned int i)
{
	unsigned int k;

	for (k = 0; k < QUORUM_UUID_SIZE; k++)
		uuid[k] = volume * 16 + i + k * 3 + 1;
}

/* What formatting leg @leg of a volume of @nr legs writes, generation 1. */
static void format_sb(struct quorum_super *sb, unsigned int nr,
		      unsigned int leg, u64 leg_sectors)
{
	unsigned int i;

	memset(sb, 0, sizeof(*sb));
	sb->version = QUORUM_SUPER_VERSION;
	sb->flags = QUORUM_SUPER_CLEAN;
	sb->generation = 1;
	uuid_of(sb->uuid, 1, 0);
	sb->leg = leg;
	sb->nr_legs = nr;
	sb->threshold = nr / 2 + 1;
	sb->region_size = RS;
	sb->ctime = 1700000000;
	memcpy(sb->label, "volume", 6);
	for (i = 0; i < nr; i++)
		uuid_of(sb->legs[i].uuid, 2, i);
	if (quorum_super_layout(sb, leg_sectors))
		fprintf(stderr, "%s: layout refused\n", __func__);
}

/* An invariant of check-super.h broken: say which. */
static bool holds(const char *broken)
{
	if (broken)
		fprintf(stderr, "invariant broken: %s\n", broken);
	return !broken;
}

static enum quorum_super_state decode(const void *b, struct quorum_super *sb)
{
	const char *why;
	enum quorum_super_state s = quorum_super_decode(b, sb, &why);

	CHECK(!why == (s == QUORUM_SUPER_VALID));
	if (s == QUORUM_SUPER_VALID)
		CHECK(holds(super_invariants(sb)));
	return s;
}

/* Encode @sb, patch the 32 bits at @at to @v, seal it again, decode. */
static enum quorum_super_state patched(const struct quorum_super *sb,
				       unsigned int at, uint32_t v)
{
	struct quorum_super out;

	quorum_super_encode(sb, buf);
	super_put_le32(buf + at, v);
	super_fix_checksum(buf);
	return decode(buf, &out);
}

static enum quorum_super_state reencoded(const struct quorum_super *sb)
{
	struct quorum_super out;

	quorum_super_encode(sb, buf);
	return decode(buf, &out);
}

static void crc(void)
{
	CHECK(~quorum_super_crc32c(~0u, "123456789", 9) == 0xE3069283u);
	/* In pieces as in one go. */
	CHECK(quorum_super_crc32c(quorum_super_crc32c(~0u, "1234", 4),
				  "56789", 5) ==
	      quorum_super_crc32c(~0u, "123456789", 9));
}

static bool layout_ok(unsigned int nr, unsigned int rs, u64 leg_sectors)
{
	u64 end = leg_sectors & ~7ull, regions, bitmap;
	struct quorum_super sb = { .nr_legs = nr, .region_size = rs };

	if (quorum_super_layout(&sb, leg_sectors)) {
		fprintf(stderr, "layout %u legs rs %u of %llu: refused\n", nr,
			rs, (unsigned long long)leg_sectors);
		return false;
	}
	/*
	 * The data area is what the metadata for the whole leg leaves; the
	 * bitmaps are sized for the data area, so that every leg of the
	 * volume has the same, and any more room is left unused.
	 */
	regions = (end + rs - 1) / rs;
	bitmap = (regions + 32767) / 32768 * 8;
	if (sb.data_sectors != end - (16 + (nr + 1) * bitmap)) {
		fprintf(stderr, "layout %u legs rs %u of %llu: data %llu\n", nr,
			rs, (unsigned long long)leg_sectors,
			(unsigned long long)sb.data_sectors);
		return false;
	}
	bitmap = (sb.nr_regions + 32767) / 32768 * 8;
	if (sb.bitmap_sectors != bitmap ||
	    sb.meta_sectors != 16 + (nr + 1) * bitmap ||
	    sb.meta_offset + sb.meta_sectors != end ||
	    sb.data_sectors > sb.meta_offset ||
	    sb.nr_regions != (sb.data_sectors + rs - 1) / rs ||
	    sb.bitmap_sectors % 8 || sb.bitmap_sectors * 4096ull < sb.nr_regions) {
		fprintf(stderr,
			"layout %u legs rs %u of %llu: data %llu meta %llu+%u bitmap %u regions %llu\n",
			nr, rs, (unsigned long long)leg_sectors,
			(unsigned long long)sb.data_sectors,
			(unsigned long long)sb.meta_offset, sb.meta_sectors,
			sb.bitmap_sectors, (unsigned long long)sb.nr_regions);
		return false;
	}
	return true;
}

static const char *layout(unsigned int nr, unsigned int rs, u64 data,
			  u64 leg_sectors, struct quorum_super *sb)
{
	memset(sb, 0, sizeof(*sb));
	sb->nr_legs = nr;
	sb->region_size = rs;
	sb->data_sectors = data;
	return quorum_super_layout(sb, leg_sectors);
}

static bool layout_refused(unsigned int nr, unsigned int rs, u64 data,
			   u64 leg_sectors, const char *message)
{
	struct quorum_super sb;
	const char *error = layout(nr, rs, data, leg_sectors, &sb);

	if (!error || strcmp(error, message)) {
		fprintf(stderr, "layout %u legs rs %u data %llu of %llu: got \"%s\", want \"%s\"\n",
			nr, rs, (unsigned long long)data,
			(unsigned long long)leg_sectors,
			error ? error : "(accepted)", message);
		return false;
	}
	return true;
}

static void layouts(void)
{
	static const u64 sizes[] = { 4096, 65536 + 3, GIB, GIB + 7, GIB + 9,
				     100 * GIB + 5, 4096 * GIB };
	static const unsigned int rss[] = { 8, 64, 1024, 8192, 2097152 };
	static const unsigned int nrs[] = { 2, 3, 5, 16 };
	struct quorum_super sb;
	unsigned int a, b, c;

	for (a = 0; a < ARRAY_SIZE(sizes); a++)
		for (b = 0; b < ARRAY_SIZE(rss); b++)
			for (c = 0; c < ARRAY_SIZE(nrs); c++)
				if (sizes[a] / rss[b] <= 268435456u &&
				    sizes[a] > 16 + (nrs[c] + 1) * 8 + 8)
					CHECK(layout_ok(nrs[c], rss[b], sizes[a]));

	/* 1 GiB, 1024-sector regions: 2048 bits, one page per bitmap. */
	CHECK(!layout(3, 1024, 0, GIB + 5, &sb));
	CHECK(sb.bitmap_sectors == 8 && sb.meta_sectors == 16 + 4 * 8);
	CHECK(sb.meta_offset == GIB - 48 && sb.data_sectors == GIB - 48);
	CHECK(sb.nr_regions == 2048);
	/* 8-sector regions of 2 GiB: 524288 bits, 16 pages each. */
	CHECK(!layout(2, 8, 0, 2 * GIB, &sb));
	CHECK(sb.bitmap_sectors == 128 && sb.meta_sectors == 16 + 3 * 128);
	/* A data area given: kept, and checked against the leg. */
	CHECK(!layout(3, 1024, GIB / 2, GIB, &sb));
	CHECK(sb.data_sectors == GIB / 2 && sb.nr_regions == 1024);
	CHECK(sb.meta_offset + sb.meta_sectors == GIB);
	CHECK(!layout(3, 1024, GIB - 48, GIB, &sb));
	CHECK(layout_refused(3, 1024, GIB - 40, GIB,
			     "Leg is too small for the volume's data and metadata"));

	/* The smallest leg: one bitmap page each, 8 sectors of data. */
	CHECK(!layout(2, 8, 0, 16 + 3 * 8 + 8, &sb) && sb.data_sectors == 8);
	CHECK(layout_refused(2, 8, 0, 16 + 3 * 8 + 7,
			     "Leg is too small to hold the metadata"));
	CHECK(layout_refused(2, 8, 0, 0, "Leg is too small to hold the metadata"));
	CHECK(layout_refused(16, 8, 0, 100,
			     "Leg is too small to hold the metadata"));

	CHECK(layout_refused(3, 0, 0, GIB, "Invalid region size"));
	CHECK(layout_refused(3, 4, 0, GIB, "Invalid region size"));
	CHECK(layout_refused(3, 1000, 0, GIB, "Invalid region size"));
	CHECK(layout_refused(3, 4194304, 0, GIB, "Invalid region size"));
	CHECK(layout_refused(1, 1024, 0, GIB, "Invalid number of legs"));
	CHECK(layout_refused(17, 1024, 0, GIB, "Invalid number of legs"));
	CHECK(layout_refused(0, 1024, 0, GIB, "Invalid number of legs"));

	/* 2^28 regions at most. */
	CHECK(!layout(2, 8, 0, 8ull * 268435456u, &sb));
	CHECK(layout_refused(2, 8, 0, 8ull * 268435456u + 8,
			     "Too many regions: give a larger region size"));
	CHECK(layout_refused(2, 8, 8ull * 268435456u + 8, 16ull * 268435456u,
			     "Too many regions: give a larger region size"));
}

/*
 * What layout() computes from the leg alone is what it computes again from
 * the data area it gave: quorum_assemble() checks a leg's size that way.
 */
static void layout_stable(void)
{
	static const unsigned int rss[] = { 8, 16, 128, 1024 };
	unsigned int b, nr, unstable = 0;
	u64 leg;

	for (b = 0; b < ARRAY_SIZE(rss); b++)
		for (nr = 2; nr <= 16; nr += 7)
			for (leg = 32768ull * rss[b] - 64 * 8;
			     leg <= 32768ull * rss[b] + 64 * 8 * rss[b]; leg += 8 * 13) {
				struct quorum_super one, two;
				bool ok;

				if (layout(nr, rss[b], 0, leg, &one))
					continue;
				ok = !layout(nr, rss[b], one.data_sectors, leg, &two) &&
				     two.meta_offset == one.meta_offset &&
				     two.meta_sectors == one.meta_sectors &&
				     two.bitmap_sectors == one.bitmap_sectors;
				if (!ok && !unstable++)
					fprintf(stderr,
						"layout of %llu sectors, %u legs, rs %u: meta %llu+%u bitmap %u from the leg, %llu+%u bitmap %u from its data area %llu\n",
						(unsigned long long)leg, nr, rss[b],
						(unsigned long long)one.meta_offset,
						one.meta_sectors, one.bitmap_sectors,
						(unsigned long long)two.meta_offset,
						two.meta_sectors, two.bitmap_sectors,
						(unsigned long long)one.data_sectors);
			}
	CHECK(!unstable);

	/* A data area given that is no whole 4 KiB: a superblock of it is bad. */
	{
		struct quorum_super sb;

		format_sb(&sb, 3, 0, GIB);
		sb.data_sectors = GIB / 2 + 1;
		if (!quorum_super_layout(&sb, GIB))
			CHECK(reencoded(&sb) == QUORUM_SUPER_VALID);
	}
}

static void round_trip(void)
{
	struct quorum_super sb, out;
	unsigned int i, bit, bad = 0;

	format_sb(&sb, 5, 3, LEG);
	sb.flags = 0;
	sb.compat = 0xdeadbeef;
	sb.generation = 0x123456789abcdefull;
	sb.cleared = 0x23456789abcdefull;
	sb.ctime = 0xfedcba9876543210ull;
	memset(sb.label, 'x', sizeof(sb.label));
	for (i = 0; i < 5; i++)
		sb.legs[i].state = i & 3;
	quorum_super_encode(&sb, buf);
	CHECK(decode(buf, &out) == QUORUM_SUPER_VALID);
	CHECK(!memcmp(&out, &sb, sizeof(sb)));
	CHECK(out.version == QUORUM_SUPER_VERSION && out.flags == 0 && out.compat == 0xdeadbeef &&
	      out.incompat == 0 && out.generation == sb.generation &&
	      out.cleared == sb.cleared && out.leg == 3 && out.nr_legs == 5 &&
	      out.threshold == 3 && out.region_size == RS &&
	      out.data_sectors == sb.data_sectors &&
	      out.meta_offset == sb.meta_offset &&
	      out.meta_sectors == sb.meta_sectors &&
	      out.bitmap_sectors == sb.bitmap_sectors &&
	      out.nr_regions == sb.nr_regions && out.ctime == sb.ctime &&
	      !memcmp(out.uuid, sb.uuid, QUORUM_UUID_SIZE) &&
	      !memcmp(out.label, sb.label, QUORUM_LABEL_SIZE) &&
	      out.legs[4].state == 0 && out.legs[3].state == 3 &&
	      !memcmp(out.legs[4].uuid, sb.legs[4].uuid, QUORUM_UUID_SIZE));
	/* Little-endian, at the documented places. */
	CHECK(!memcmp(buf, "QORM\2\0\0\0", 8));
	CHECK(buf[24] == 0xef && buf[31] == 0x01 && buf[56] == 3 && buf[60] == 5);
	CHECK(!memcmp(buf + 40, sb.uuid, 16) && !memcmp(buf + 112, sb.label, 32));
	CHECK(!memcmp(buf + 256 + 4 * 32, sb.legs[4].uuid, 16));
	CHECK(super_zero(buf + 256 + 5 * 32, 4096 - 256 - 5 * 32));

	/* 16 legs: the last record is the last used. */
	format_sb(&sb, 16, 15, LEG);
	CHECK(reencoded(&sb) == QUORUM_SUPER_VALID);

	memset(buf, 0, QUORUM_SUPER_SIZE);
	CHECK(decode(buf, &out) == QUORUM_SUPER_BLANK);
	buf[4095] = 1;
	CHECK(decode(buf, &out) == QUORUM_SUPER_FOREIGN);
	format_sb(&sb, 3, 0, LEG);
	quorum_super_encode(&sb, buf);
	buf[0] ^= 0x20;	/* "qORM": ours, by the checksum */
	CHECK(decode(buf, &out) == QUORUM_SUPER_CORRUPT);
	buf[8] ^= 1;	/* and the checksum too: not ours */
	CHECK(decode(buf, &out) == QUORUM_SUPER_FOREIGN);
	memset(buf, 0xff, QUORUM_SUPER_SIZE);
	CHECK(decode(buf, &out) == QUORUM_SUPER_FOREIGN);

	/*
	 * One bit flipped anywhere past the magic: damaged.  (A flipped bit
	 * of the magic reads as other data, tested above.)
	 */
	for (bit = 32; bit < 8 * QUORUM_SUPER_SIZE; bit++) {
		quorum_super_encode(&sb, buf);
		buf[bit / 8] ^= 1u << (bit % 8);
		if (decode(buf, &out) != QUORUM_SUPER_CORRUPT && !bad++)
			fprintf(stderr, "bit %u flipped: not corrupt\n", bit);
	}
	CHECK(!bad);
}

static void out_of_range(void)
{
	struct quorum_super sb, t;

	format_sb(&sb, 3, 1, LEG);
	CHECK(reencoded(&sb) == QUORUM_SUPER_VALID);

	/* A newer format, sealed: newer, whatever the rest says. */
	CHECK(patched(&sb, 4, 3) == QUORUM_SUPER_NEWER);
	CHECK(patched(&sb, 4, 0xffffffff) == QUORUM_SUPER_NEWER);
	CHECK(patched(&sb, 12, 1) == QUORUM_SUPER_NEWER);
	CHECK(patched(&sb, 12, 0x80000000) == QUORUM_SUPER_NEWER);
	t = sb;
	t.nr_legs = 40;
	t.incompat = 4;
	CHECK(reencoded(&t) == QUORUM_SUPER_NEWER);
	/* Compat features are for older readers to ignore. */
	CHECK(patched(&sb, 16, 0xffffffff) == QUORUM_SUPER_VALID);

	/* Sealed nonsense: damaged. */
	CHECK(patched(&sb, 4, 0) == QUORUM_SUPER_CORRUPT);	/* version 0 */
	t = sb;
	t.nr_legs = 1;
	t.leg = 0;
	t.threshold = 1;
	t.meta_sectors = 16 + 2 * t.bitmap_sectors;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.nr_legs = 17;
	t.meta_sectors = 16 + 18 * t.bitmap_sectors;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	CHECK(patched(&sb, 60, 17) == QUORUM_SUPER_CORRUPT);
	CHECK(patched(&sb, 60, 0) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.leg = 3;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.leg = 0xffffffff;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.threshold = 0;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.threshold = 4;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.threshold = 3;
	CHECK(reencoded(&t) == QUORUM_SUPER_VALID);
	t = sb;
	t.region_size = 1000;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.region_size = 4;
	t.nr_regions = t.data_sectors / 4;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.region_size = 0;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.region_size = 4194304;
	t.nr_regions = 1;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.nr_regions++;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.nr_regions -= 2;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.data_sectors = 0;
	t.nr_regions = 0;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.data_sectors -= 4;	/* no whole 4 KiB */
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	/* A data area at the end of 64 bits: its regions wrap to none. */
	t = sb;
	t.data_sectors = 0xfffffffffffffff8ull;
	t.region_size = 16;
	t.nr_regions = 0;
	t.bitmap_sectors = 0;
	t.meta_sectors = 16;
	t.meta_offset = t.data_sectors;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.bitmap_sectors = 0;
	t.meta_sectors = 16;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.meta_sectors += 8;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.meta_offset = t.data_sectors - 8;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.meta_offset = t.data_sectors + 4;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	memcpy(t.legs[2].uuid, t.legs[0].uuid, QUORUM_UUID_SIZE);
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	memset(t.legs[1].uuid, 0, QUORUM_UUID_SIZE);
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	memset(t.uuid, 0, QUORUM_UUID_SIZE);
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.legs[2].state = 4;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.legs[2].state = QUORUM_LEG_STATES;
	CHECK(reencoded(&t) == QUORUM_SUPER_VALID);
	t = sb;
	t.flags = 2;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t = sb;
	t.generation = 5;
	t.cleared = 6;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.cleared = 5;
	CHECK(reencoded(&t) == QUORUM_SUPER_VALID);
	/* A leg record beyond nr_legs: its uuid, or only its state. */
	CHECK(patched(&sb, 256 + 3 * 32, 1) == QUORUM_SUPER_CORRUPT);
	CHECK(patched(&sb, 256 + 3 * 32 + 16, 1) == QUORUM_SUPER_CORRUPT);
	CHECK(patched(&sb, 256 + 15 * 32 + 28, 1) == QUORUM_SUPER_CORRUPT);
	CHECK(patched(&sb, 256 + 2 * 32 + 20, 1) == QUORUM_SUPER_VALID);
	/* A leg's last generation, at most the one before this. */
	t = sb;
	t.legs[1].generation = t.generation;
	CHECK(reencoded(&t) == QUORUM_SUPER_CORRUPT);
	t.legs[1].generation = t.generation - 1;
	CHECK(reencoded(&t) == QUORUM_SUPER_VALID);
}

/* Slot 0 of generation @g0 (0: zeroes), slot 1 of @g1, then read. */
static enum quorum_super_state read2(u64 g0, u64 g1, bool tear0, bool tear1,
				     struct quorum_super *out)
{
	struct quorum_super sb;
	enum quorum_super_state s;
	const char *why;

	format_sb(&sb, 3, 0, LEG);
	memset(buf, 0, sizeof(buf));
	sb.generation = g0;
	if (g0)
		quorum_super_encode(&sb, buf);
	sb.generation = g1;
	if (g1)
		quorum_super_encode(&sb, buf + QUORUM_SUPER_SIZE);
	if (tear0)
		buf[1000] ^= 0x40;
	if (tear1)
		buf[QUORUM_SUPER_SIZE + 2000] ^= 0x01;
	s = quorum_super_read(buf, out, &why);
	CHECK(holds(read_invariants(buf, s, out, why)));
	return s;
}

/* Slot @slot of a newer format, the other one valid: read. */
static void newer_beside_valid(unsigned int slot)
{
	struct quorum_super sb, out;
	enum quorum_super_state s;
	const char *why;

	format_sb(&sb, 3, 0, LEG);
	sb.generation = 5;
	quorum_super_encode(&sb, buf + (1 - slot) * QUORUM_SUPER_SIZE);
	sb.version++;
	sb.generation = 6;
	quorum_super_encode(&sb, buf + slot * QUORUM_SUPER_SIZE);
	s = quorum_super_read(buf, &out, &why);
	CHECK(s == QUORUM_SUPER_NEWER);
	CHECK(holds(read_invariants(buf, s, &out, why)));
}

static void slots(void)
{
	struct quorum_super sb;
	const char *why;

	CHECK(read2(4, 5, false, false, &sb) == QUORUM_SUPER_VALID &&
	      sb.generation == 5);
	CHECK(read2(6, 5, false, false, &sb) == QUORUM_SUPER_VALID &&
	      sb.generation == 6);
	CHECK(read2(6, 0, false, false, &sb) == QUORUM_SUPER_VALID &&
	      sb.generation == 6);
	CHECK(read2(0, 1, false, false, &sb) == QUORUM_SUPER_VALID &&
	      sb.generation == 1);
	/* A torn update: the previous one. */
	CHECK(read2(6, 5, true, false, &sb) == QUORUM_SUPER_VALID &&
	      sb.generation == 5);
	CHECK(read2(4, 5, false, true, &sb) == QUORUM_SUPER_VALID &&
	      sb.generation == 4);
	CHECK(read2(0, 0, false, false, &sb) == QUORUM_SUPER_BLANK);
	/* A torn first update of a format: damaged, either way round. */
	CHECK(read2(2, 0, true, false, &sb) == QUORUM_SUPER_CORRUPT);
	CHECK(read2(0, 1, false, true, &sb) == QUORUM_SUPER_CORRUPT);
	CHECK(read2(2, 3, true, true, &sb) == QUORUM_SUPER_CORRUPT);
	/* A newer format in either slot: never the older one beside it. */
	newer_beside_valid(0);
	newer_beside_valid(1);
	/* Other data beside zeroes. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + QUORUM_SUPER_SIZE, "XFSB", 4);
	CHECK(quorum_super_read(buf, &sb, &why) == QUORUM_SUPER_FOREIGN && why);
}

/* A consistent volume of @nr legs at generation @g, as read back. */
#define DAMAGED	\
	"Too many legs with damaged superblocks: name them out_of_sync or failed to go on without them"

static void volume(struct quorum_assemble_in *in, unsigned int nr, u64 g)
{
	unsigned int i, j;

	memset(in, 0, sizeof(*in));
	in->nr_legs = nr;
	in->threshold = nr / 2 + 1;
	for (i = 0; i < nr; i++) {
		format_sb(&in->sb[i], nr, i, LEG);
		in->sb[i].generation = g;
		in->leg_sectors[i] = LEG;
	}
	/* Every leg took the superblock before the current one. */
	for (i = 0; i < nr; i++)
		for (j = 0; j < nr; j++)
			in->sb[i].legs[j].generation = g - 1;
	in->len = in->sb[0].data_sectors;
}

/* Re-encode leg @i's superblock as written, and read it back. */
static void put(struct quorum_assemble_in *in, unsigned int i)
{
	quorum_super_encode(&in->sb[i], buf);
	in->state[i] = decode(buf, &in->sb[i]);
}

/* Leg @i's superblock of generation @g, as the legs take them in turn. */
static void regen(struct quorum_assemble_in *in, unsigned int i, u64 g)
{
	unsigned int j;

	in->sb[i].generation = g;
	for (j = 0; j < in->nr_legs; j++)
		in->sb[i].legs[j].generation = g - 1;
	put(in, i);
}

static void put_all(struct quorum_assemble_in *in)
{
	unsigned int i;

	for (i = 0; i < in->nr_legs; i++)
		put(in, i);
}

static void assemble(const struct quorum_assemble_in *in,
		     struct quorum_assembly *out)
{
	quorum_assemble(in, out);
	CHECK(holds(assemble_invariants(in, out)));
}

static bool assembled(const struct quorum_assemble_in *in,
		      struct quorum_assembly *out)
{
	assemble(in, out);
	if (out->error) {
		fprintf(stderr, "refused: \"%s\" (leg %d)\n", out->error,
			out->bad_leg);
		return false;
	}
	return true;
}

static bool refused(const struct quorum_assemble_in *in, const char *message,
		    int bad_leg)
{
	struct quorum_assembly out;

	assemble(in, &out);
	if (!out.error || strcmp(out.error, message) || out.bad_leg != bad_leg) {
		fprintf(stderr, "got \"%s\" (leg %d), want \"%s\" (leg %d)\n",
			out.error ? out.error : "(accepted)", out.bad_leg,
			message, bad_leg);
		return false;
	}
	return true;
}

static bool no_reasons(const struct quorum_assembly *out)
{
	unsigned int i;

	for (i = 0; i < QUORUM_MAX_LEGS; i++)
		if (out->reason[i])
			return false;
	return true;
}

static bool has_reason(const struct quorum_assembly *out, unsigned int i,
		       const char *want)
{
	if (!out->reason[i] || strcmp(out->reason[i], want)) {
		fprintf(stderr, "reason of leg %u: \"%s\", want \"%s\"\n", i,
			out->reason[i] ? out->reason[i] : "(none)", want);
		return false;
	}
	return true;
}

static const char *const NO_METADATA =
	"Leg has no metadata while the others have: name it out_of_sync to add it as a new copy";
#define QUORUM_DIVERGED	\
	"Leg went on without the volume (split history): name it out_of_sync to resync it from the others"
static const char *const OTHER_DATA =
	"Leg's metadata area holds other data: name it out_of_sync to add it as a new copy";

static void assemble_new(void)
{
	struct quorum_assemble_in in;
	struct quorum_assembly out;
	unsigned int i;

	memset(&in, 0, sizeof(in));
	in.nr_legs = 3;
	in.threshold = 2;
	for (i = 0; i < 3; i++) {
		in.state[i] = QUORUM_SUPER_BLANK;
		in.leg_sectors[i] = LEG;
	}
	CHECK(assembled(&in, &out) && out.format);
	CHECK(!out.failed && !out.bitmap && !out.lagging && !out.whole &&
	      !out.stale && !out.unclean && out.bad_leg == -1 && no_reasons(&out));
	in.out_of_sync = 2;
	CHECK(refused(&in, "A new volume has no legs out of sync or failed", -1));
	in.out_of_sync = 0;
	in.failed = 4;
	CHECK(refused(&in, "A new volume has no legs out of sync or failed", -1));
}

static void assemble_clean(void)
{
	struct quorum_assemble_in in;
	struct quorum_assembly out;
	unsigned int i;

	volume(&in, 3, 7);
	put_all(&in);
	CHECK(assembled(&in, &out) && !out.format && out.generation == 7 &&
	      out.newest == 0);
	CHECK(!out.failed && !out.bitmap && !out.lagging && !out.whole &&
	      !out.stale && !out.unclean && out.bad_leg == -1 && no_reasons(&out));
	/* The table's region size, when given, and a shorter length. */
	in.region_size = RS;
	in.len = 8;
	CHECK(assembled(&in, &out));

	/* Writes in flight at the last shutdown. */
	for (i = 0; i < 3; i++)
		in.sb[i].flags = 0;
	put_all(&in);
	CHECK(assembled(&in, &out) && out.unclean);

	/* 16 legs, the latest generation on the last. */
	volume(&in, 16, 7);
	in.sb[15].generation = 8;
	put_all(&in);
	CHECK(assembled(&in, &out) && out.newest == 15 && out.generation == 8);
	/* The others took 7, which the current superblock expects of them. */
	CHECK(out.stale == 0x7fff && !out.lagging && !out.whole);

	/* A leg a little larger than the others, within its last 4 KiB. */
	volume(&in, 3, 7);
	put_all(&in);
	in.leg_sectors[2] += 7;
	CHECK(assembled(&in, &out));
}

static void assemble_legs(void)
{
	struct quorum_assemble_in in;
	struct quorum_assembly out;
	unsigned int i;

	/* Leg 1 failed (its superblock was left behind), leg 2 resyncing. */
	volume(&in, 3, 7);
	for (i = 0; i < 3; i++) {
		in.sb[i].legs[1].state = QUORUM_LEG_FAILED;
		in.sb[i].legs[2].state = QUORUM_LEG_OUT_OF_SYNC;
	}
	in.sb[1].generation = 4;
	in.sb[1].legs[1].state = 0;
	in.sb[1].legs[2].state = 0;
	for (i = 0; i < 3; i++)
		in.sb[1].legs[i].generation = 3;
	in.sb[0].legs[1].generation = 4;
	in.sb[2].legs[1].generation = 4;
	put_all(&in);
	CHECK(assembled(&in, &out) && out.failed == 2 && out.bitmap == 4 &&
	      out.stale == 2 && !out.lagging && !out.whole && no_reasons(&out));
	/* An older copy of the failed leg: not the leg. */
	in.sb[1].generation = 3;
	for (i = 0; i < 3; i++)
		in.sb[1].legs[i].generation = 2;
	put(&in, 1);
	CHECK(assembled(&in, &out) && out.failed == 2 && out.whole == 2 &&
	      has_reason(&out, 1, "it is an older copy of the leg"));
	in.sb[1].generation = 4;
	for (i = 0; i < 3; i++)
		in.sb[1].legs[i].generation = 3;
	put(&in, 1);
	/* The table's masks are merged. */
	in.failed = 4;
	in.out_of_sync = 1;
	CHECK(assembled(&in, &out) && out.failed == 6 && out.bitmap == 4 &&
	      out.whole == 5 && has_reason(&out, 0, "the table says so") &&
	      has_reason(&out, 2, "the table says so"));

	/* A superblock update torn on leg 2: it is in sync. */
	volume(&in, 3, 7);
	for (i = 0; i < 3; i++)
		in.sb[i].cleared = 3;
	in.sb[2].generation = 6;
	for (i = 0; i < 3; i++)
		in.sb[2].legs[i].generation = 5;
	put_all(&in);
	CHECK(assembled(&in, &out) && !out.lagging && out.stale == 4 &&
	      !out.whole && no_reasons(&out));
	/* An older copy of leg 2, said in sync: the bitmap covers it. */
	in.sb[2].generation = 4;
	for (i = 0; i < 3; i++)
		in.sb[2].legs[i].generation = 3;
	put_all(&in);
	CHECK(assembled(&in, &out) && out.lagging == 4 && out.stale == 4 &&
	      !out.whole && out.newest == 0 && out.generation == 7);
	regen(&in, 2, 3);
	CHECK(assembled(&in, &out) && out.lagging == 4 && !out.whole);
	/* One generation before the bits were cleared: still covered. */
	in.sb[2].generation = 2;
	in.sb[2].cleared = 2;
	for (i = 0; i < 3; i++)
		in.sb[2].legs[i].generation = 1;
	put(&in, 2);
	CHECK(assembled(&in, &out) && out.lagging == 4 && !out.whole);
	/* Bits were cleared since: everywhere. */
	in.sb[2].generation = 1;
	in.sb[2].cleared = 1;
	for (i = 0; i < 3; i++)
		in.sb[2].legs[i].generation = 0;
	put(&in, 2);
	CHECK(assembled(&in, &out) && !out.lagging && out.whole == 4 &&
	      out.stale == 4 &&
	      has_reason(&out, 2, "it is an older copy of the leg"));
	/* The latest superblock on leg 1, torn on the others. */
	volume(&in, 3, 7);
	in.sb[1].generation = 8;
	put_all(&in);
	CHECK(assembled(&in, &out) && out.newest == 1 && out.stale == 5 &&
	      !out.lagging && !out.whole);
	/* Two generations behind it: older copies, the bitmap covers them. */
	for (i = 0; i < 3; i++)
		in.sb[1].legs[i].generation = 7;
	put(&in, 1);
	in.sb[0].generation = 6;
	in.sb[2].generation = 6;
	for (i = 0; i < 3; i++) {
		in.sb[0].legs[i].generation = 5;
		in.sb[2].legs[i].generation = 5;
	}
	put(&in, 0);
	put(&in, 2);
	CHECK(assembled(&in, &out) && out.newest == 1 && out.lagging == 5);

	/* A damaged superblock beside good ones: resynced whole. */
	volume(&in, 3, 7);
	put_all(&in);
	quorum_super_encode(&in.sb[1], buf);
	buf[300] ^= 8;
	in.state[1] = decode(buf, &in.sb[1]);
	CHECK(in.state[1] == QUORUM_SUPER_CORRUPT);
	CHECK(assembled(&in, &out) && out.whole == 2 && out.stale == 2 &&
	      has_reason(&out, 1, "its superblock is damaged"));
	/* Two of three: the newest may be among them, unless the table says. */
	in.state[2] = QUORUM_SUPER_CORRUPT;
	CHECK(refused(&in, DAMAGED, 1));
	in.failed = 2;
	CHECK(assembled(&in, &out) && out.whole == 4 && out.failed == 2 &&
	      out.standin == 2 && out.stale == 6);
	in.out_of_sync = 2;
	CHECK(assembled(&in, &out) && out.whole == 6 && out.failed == 2 &&
	      !out.standin);
	in.failed = 0;
	in.out_of_sync = 0;
	/* One of two, likewise. */
	volume(&in, 2, 7);
	put_all(&in);
	in.state[0] = QUORUM_SUPER_CORRUPT;
	CHECK(refused(&in, DAMAGED, 0));

	/* Zeroes among formatted legs: only as a new copy. */
	volume(&in, 3, 7);
	put_all(&in);
	memset(buf, 0, QUORUM_SUPER_SIZE);
	in.state[2] = decode(buf, &in.sb[2]);
	CHECK(in.state[2] == QUORUM_SUPER_BLANK);
	CHECK(refused(&in, NO_METADATA, 2));
	in.out_of_sync = 4;
	CHECK(assembled(&in, &out) && out.whole == 4 && out.stale == 4 &&
	      has_reason(&out, 2, "it is a new copy"));
	in.out_of_sync = 2;
	CHECK(refused(&in, NO_METADATA, 2));
	/* Named failed: a stand-in for a missing leg, never read or written. */
	in.out_of_sync = 0;
	in.failed = 4;
	CHECK(assembled(&in, &out) && !out.whole && out.stale == 4 &&
	      out.standin == 4 && out.failed == 4 && no_reasons(&out) &&
	      out.absent == 4);
	in.out_of_sync = 4;
	CHECK(assembled(&in, &out) && out.whole == 4 && !out.standin &&
	      out.failed == 4 && has_reason(&out, 2, "it is a new copy"));
	in.failed = 0;

	/* Other data likewise. */
	volume(&in, 3, 7);
	put_all(&in);
	memset(buf, 0x5a, QUORUM_SUPER_SIZE);
	in.state[0] = decode(buf, &in.sb[0]);
	CHECK(in.state[0] == QUORUM_SUPER_FOREIGN);
	CHECK(refused(&in, OTHER_DATA, 0));
	in.out_of_sync = 1;
	CHECK(assembled(&in, &out) && out.whole == 1 && out.stale == 1 &&
	      out.newest == 1 && has_reason(&out, 0, "it is a new copy"));
	in.out_of_sync = 0;
	in.failed = 1;
	CHECK(assembled(&in, &out) && !out.whole && out.standin == 1 &&
	      out.failed == 1 && out.newest == 1);

	/* A leg replaced in the volume since its superblock was written. */
	volume(&in, 3, 7);
	for (i = 0; i < 3; i++)
		uuid_of(in.sb[i].legs[2].uuid, 9, 2);
	uuid_of(in.sb[2].legs[2].uuid, 2, 2);
	put_all(&in);
	regen(&in, 2, 5);
	CHECK(assembled(&in, &out) && out.whole == 4 && out.stale == 4 &&
	      !out.lagging && has_reason(&out, 2, "it was replaced in the volume"));

	/*
	 * A leg failed while its device was missing: back, it stays failed,
	 * and still absent (it may rejoin by itself); failed otherwise, not.
	 */
	volume(&in, 3, 7);
	for (i = 0; i < 3; i++) {
		in.sb[i].legs[1].state = QUORUM_LEG_FAILED | QUORUM_LEG_ABSENT;
		in.sb[i].legs[1].generation = 5;
	}
	put_all(&in);
	regen(&in, 1, 5);
	CHECK(assembled(&in, &out) && out.failed == 2 && out.absent == 2 &&
	      !out.standin && !out.whole);
	for (i = 0; i < 3; i++)
		in.sb[i].legs[1].state = QUORUM_LEG_FAILED;
	put_all(&in);
	regen(&in, 1, 5);
	CHECK(assembled(&in, &out) && out.failed == 2 && !out.absent);
	/* Missing at an open: absent, unless it was failed already. */
	volume(&in, 3, 7);
	put_all(&in);
	in.state[2] = QUORUM_SUPER_FOREIGN;
	in.failed = 4;
	CHECK(assembled(&in, &out) && out.standin == 4 && out.absent == 4);
	for (i = 0; i < 2; i++)
		in.sb[i].legs[2].state = QUORUM_LEG_FAILED;
	put(&in, 0);
	put(&in, 1);
	CHECK(assembled(&in, &out) && out.standin == 4 && !out.absent);
	for (i = 0; i < 2; i++)
		in.sb[i].legs[2].state = QUORUM_LEG_FAILED | QUORUM_LEG_ABSENT;
	put(&in, 0);
	put(&in, 1);
	CHECK(assembled(&in, &out) && out.standin == 4 && out.absent == 4);
	in.failed = 0;
	/* Absent is a kind of failed: alone, the superblock is damaged. */
	volume(&in, 3, 7);
	in.sb[0].legs[2].state = QUORUM_LEG_ABSENT;
	quorum_super_encode(&in.sb[0], buf);
	CHECK(decode(buf, &in.sb[0]) == QUORUM_SUPER_CORRUPT);
	in.sb[0].legs[2].state = QUORUM_LEG_ABSENT | QUORUM_LEG_FAILED |
				 QUORUM_LEG_OUT_OF_SYNC;
	quorum_super_encode(&in.sb[0], buf);
	CHECK(decode(buf, &in.sb[0]) == QUORUM_SUPER_VALID);
	/* Version 1 knew no absent; without it, a version 1 one is read. */
	in.sb[0].version = 1;
	quorum_super_encode(&in.sb[0], buf);
	CHECK(decode(buf, &in.sb[0]) == QUORUM_SUPER_CORRUPT);
	in.sb[0].legs[2].state = QUORUM_LEG_FAILED;
	quorum_super_encode(&in.sb[0], buf);
	CHECK(decode(buf, &in.sb[0]) == QUORUM_SUPER_VALID &&
	      in.sb[0].version == 1);
}

/*
 * Leg 1 failed at generation 10 (its last), the volume went on to @g0 on
 * leg 0; leg 1 ran on its own to @g1, leg 0 failed there.
 */
static void split(struct quorum_assemble_in *in, u64 g0, u64 g1)
{
	volume(in, 2, g0);
	in->sb[0].legs[1].state = QUORUM_LEG_FAILED | QUORUM_LEG_OUT_OF_SYNC;
	in->sb[0].legs[1].generation = 10;
	in->sb[1] = in->sb[0];
	in->sb[1].leg = 1;
	in->sb[1].generation = g1;
	in->sb[1].legs[0].state = 0;
	in->sb[1].legs[0].generation = g1 - 1;
	if (g1 > 11) {
		in->sb[1].legs[0].state = in->sb[0].legs[1].state;
		in->sb[1].legs[0].generation = 10;
	}
	in->sb[1].legs[1].state = 0;
	in->sb[1].legs[1].generation = g1 - 1;
	put_all(in);
}

static void assemble_split(void)
{
	struct quorum_assemble_in in;
	struct quorum_assembly out;

	/*
	 * Back where the volume last saw it, or two updates on (the one of
	 * an activation without it, and one torn there): its bitmap.
	 */
	split(&in, 30, 10);
	CHECK(assembled(&in, &out) && out.failed == 2 && out.bitmap == 2 &&
	      !out.whole);
	split(&in, 30, 11);
	CHECK(assembled(&in, &out) && out.failed == 2 && !out.whole);
	split(&in, 30, 12);
	CHECK(assembled(&in, &out) && out.failed == 2 && !out.whole);
	split(&in, 30, 13);
	CHECK(refused(&in, QUORUM_DIVERGED, 1));
	/* Further: a history of its own, refused whichever is newer. */
	split(&in, 30, 20);
	CHECK(refused(&in, QUORUM_DIVERGED, 1));
	split(&in, 30, 50);
	CHECK(refused(&in, QUORUM_DIVERGED, 0));
	/* Unless the table says which one goes. */
	split(&in, 30, 20);
	in.out_of_sync = 2;
	CHECK(assembled(&in, &out) && out.whole == 2 && out.newest == 0 &&
	      has_reason(&out, 1, "it went on without the volume"));
	split(&in, 30, 50);
	in.failed = 1;
	CHECK(assembled(&in, &out) && out.whole == 1 && out.failed == 1 &&
	      out.newest == 1 &&
	      has_reason(&out, 0, "it went on without the volume"));
}

static void assemble_refused(void)
{
	struct quorum_assemble_in in;
	unsigned int i;

	/* Another volume's leg, even the one of the latest generation. */
	volume(&in, 3, 7);
	uuid_of(in.sb[2].uuid, 5, 0);
	in.sb[2].generation = 100;
	put_all(&in);
	CHECK(refused(&in, "Leg belongs to another volume", 2));
	volume(&in, 3, 7);
	uuid_of(in.sb[0].uuid, 5, 0);
	in.sb[0].generation = 100;
	put_all(&in);
	CHECK(refused(&in, "Leg belongs to another volume", 0));
	volume(&in, 5, 7);
	uuid_of(in.sb[1].uuid, 5, 0);
	uuid_of(in.sb[3].uuid, 5, 0);
	in.sb[3].generation = 100;
	put_all(&in);
	CHECK(refused(&in, "Leg belongs to another volume", 1));

	/* A copy of leg 0 as leg 1. */
	volume(&in, 3, 7);
	in.sb[1] = in.sb[0];
	put_all(&in);
	CHECK(refused(&in, "Leg is a copy of another leg (same identity)", 1));
	/* An older copy of leg 2 as leg 0. */
	volume(&in, 3, 7);
	in.sb[0] = in.sb[2];
	put_all(&in);
	regen(&in, 0, 3);
	CHECK(refused(&in, "Leg is not in the position it was formatted for", 0));

	/* Legs 1 and 2 swapped. */
	volume(&in, 3, 7);
	in.sb[1].leg = 2;
	in.sb[2].leg = 1;
	put_all(&in);
	CHECK(refused(&in, "Leg is not in the position it was formatted for", 1));

	/* Four legs in the table, three formatted (and a new copy). */
	volume(&in, 3, 7);
	put_all(&in);
	in.nr_legs = 4;
	in.state[3] = QUORUM_SUPER_BLANK;
	in.leg_sectors[3] = LEG;
	in.out_of_sync = 8;
	CHECK(refused(&in, "Leg was formatted for another number of legs", 0));
	/* Two of four. */
	volume(&in, 4, 7);
	put_all(&in);
	in.nr_legs = 3;
	CHECK(refused(&in, "Leg was formatted for another number of legs", 0));

	volume(&in, 3, 7);
	put_all(&in);
	in.region_size = 2 * RS;
	CHECK(refused(&in, "region_size differs from the metadata's", -1));
	in.region_size = 0;
	in.len = in.sb[0].data_sectors + 1;
	CHECK(refused(&in, "Target length exceeds the legs' data area", -1));

	volume(&in, 3, 7);
	put_all(&in);
	in.leg_sectors[1] += 8;
	CHECK(refused(&in, "Leg changed size since it was formatted", 1));
	in.leg_sectors[1] = LEG - 8;
	CHECK(refused(&in, "Leg changed size since it was formatted", 1));
	in.leg_sectors[1] = 64;
	CHECK(refused(&in, "Leg changed size since it was formatted", 1));

	volume(&in, 3, 7);
	in.sb[2].region_size = 2 * RS;
	in.sb[2].nr_regions = (in.sb[2].data_sectors + 2 * RS - 1) / (2 * RS);
	put_all(&in);
	CHECK(refused(&in, "Legs disagree on the volume's geometry", 2));

	/* Two current superblocks that say different things. */
	volume(&in, 3, 7);
	in.sb[1].legs[2].state = QUORUM_LEG_OUT_OF_SYNC;
	put_all(&in);
	CHECK(refused(&in, "Legs' current superblocks disagree (assembled apart?)", 1));
	volume(&in, 3, 7);
	in.sb[2].flags = 0;
	put_all(&in);
	CHECK(refused(&in, "Legs' current superblocks disagree (assembled apart?)", 2));

	/* A newer format on any leg. */
	volume(&in, 3, 7);
	in.sb[2].version = QUORUM_SUPER_VERSION + 1;
	put_all(&in);
	CHECK(in.state[2] == QUORUM_SUPER_NEWER);
	CHECK(refused(&in, "Leg's metadata is of a newer format", 2));
	in.out_of_sync = 4;
	CHECK(refused(&in, "Leg's metadata is of a newer format", 2));

	/* Nothing valid. */
	volume(&in, 3, 7);
	for (i = 0; i < 3; i++)
		in.state[i] = QUORUM_SUPER_CORRUPT;
	CHECK(refused(&in, "No leg has a valid superblock", -1));
	in.state[0] = QUORUM_SUPER_BLANK;
	CHECK(refused(&in, "No leg has a valid superblock", -1));
	in.state[2] = QUORUM_SUPER_FOREIGN;
	CHECK(refused(&in, "Leg's metadata area holds other data, not zeroes", 2));
	in.out_of_sync = 4;
	CHECK(refused(&in, "Leg's metadata area holds other data, not zeroes", 2));
}

/*
 * A volume formatted on legs whose bitmaps, sized for the whole leg, take
 * one page more than its data area needs: it must assemble again.
 */
static void assemble_formatted(void)
{
	struct quorum_assemble_in in;
	struct quorum_assembly out;
	unsigned int i;
	/* 8-sector regions: 32768 regions a page; 32769 of the leg's end. */
	u64 leg = 8 * 32768 + 8;

	memset(&in, 0, sizeof(in));
	in.nr_legs = 3;
	in.threshold = 2;
	for (i = 0; i < 3; i++) {
		struct quorum_super *sb = &in.sb[i];

		format_sb(sb, 3, i, LEG);
		sb->region_size = 8;
		sb->data_sectors = 0;
		CHECK(!quorum_super_layout(sb, leg));
		in.leg_sectors[i] = leg;
	}
	put_all(&in);
	in.len = in.sb[0].data_sectors;
	CHECK(assembled(&in, &out));
}

/* The fuzzer's seeds: a header (see fuzz-super.c), then two slots. */
static int write_corpus(const char *dir)
{
	static const struct {
		const char *name;
		unsigned int nr, leg;
		u64 g0, g1;
		unsigned char head[8];
	} seeds[] = {
		{ "three-legs", 3, 0, 6, 7, { 0, 0x80, 0, 0, 0, 0, 1, 0 } },
		{ "five-legs-torn", 5, 2, 10, 9, { 0, 0x80, 0, 0, 0, 0, 0, 1 } },
		{ "sixteen-legs", 16, 15, 2, 0, { 3, 0x80, 0, 0, 0, 0, 1, 1 } },
		{ "two-legs-apart", 2, 1, 4, 5, { 0, 3, 1, 0, 2, 0, 9, 0 } },
	};
	unsigned int k, i;
	size_t n;

	for (k = 0; k < ARRAY_SIZE(seeds); k++) {
		unsigned char head[8 + 4 * QUORUM_MAX_LEGS];
		struct quorum_super sb;
		char path[4096];
		FILE *f;

		format_sb(&sb, seeds[k].nr, seeds[k].leg, LEG);
		memset(buf, 0, sizeof(buf));
		sb.generation = seeds[k].g0;
		if (sb.generation)
			quorum_super_encode(&sb, buf);
		sb.generation = seeds[k].g1;
		if (sb.generation)
			quorum_super_encode(&sb, buf + QUORUM_SUPER_SIZE);
		memset(head, 0, sizeof(head));
		memcpy(head, seeds[k].head, 8);
		for (i = 0; i < QUORUM_MAX_LEGS; i++)
			head[8 + 4 * i] = i == 2 && k == 1 ? 0x20 : (i & 1);
		/* The fuzzer reads zeroes past the end: trailing ones left out. */
		for (n = sizeof(buf); n && !buf[n - 1]; n--)
			;
		snprintf(path, sizeof(path), "%s/%s", dir, seeds[k].name);
		f = fopen(path, "wb");
		if (!f || fwrite(head, sizeof(head), 1, f) != 1 ||
		    (n && fwrite(buf, n, 1, f) != 1) || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	crc();
	layouts();
	layout_stable();
	round_trip();
	out_of_range();
	slots();
	assemble_new();
	assemble_clean();
	assemble_legs();
	assemble_split();
	assemble_refused();
	assemble_formatted();
	return unit_report("test-super");
}
