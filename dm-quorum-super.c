// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: the on-disk metadata's layout, encoding and checks, and the
 * decision taken on the legs' superblocks at activation (declared and
 * described in dm-quorum-super.h).  No kernel state and no locks: the unit
 * tests and the fuzzer compile this file unchanged.
 */
#include "dm-quorum-super.h"

#ifndef __KERNEL__
#include <string.h>
#endif

/* Offsets of the superblock's fields, little-endian. */
#define SB_MAGIC		0
#define SB_VERSION		4
#define SB_CHECKSUM		8
#define SB_INCOMPAT		12
#define SB_COMPAT		16
#define SB_FLAGS		20
#define SB_GENERATION		24
#define SB_CLEARED		32
#define SB_UUID			40
#define SB_LEG			56
#define SB_NR_LEGS		60
#define SB_THRESHOLD		64
#define SB_REGION_SIZE		68
#define SB_DATA_SECTORS		72
#define SB_META_OFFSET		80
#define SB_META_SECTORS		88
#define SB_BITMAP_SECTORS	92
#define SB_NR_REGIONS		96
#define SB_CTIME		104
#define SB_LABEL		112
#define SB_LEGS			256
#define SB_LEG_SIZE		32
#define SB_LEG_UUID		0
#define SB_LEG_STATE		16
#define SB_LEG_GENERATION	24

/* The limits of the table parser, repeated: this file stands alone. */
#define SB_MIN_REGION_SIZE	8u
#define SB_MAX_REGION_SIZE	2097152u
#define SB_MAX_REGIONS		268435456u

#define QUORUM_DISAGREE	"Legs' current superblocks disagree (assembled apart?)"
#define QUORUM_DAMAGED	\
	"Too many legs with damaged superblocks: name them out_of_sync or failed to go on without them"
#define QUORUM_BLANK	\
	"Leg has no metadata while the others have: name it out_of_sync to add it as a new copy"
#define QUORUM_FOREIGN	\
	"Leg's metadata area holds other data: name it out_of_sync to add it as a new copy"
#define QUORUM_DIVERGED	\
	"Leg went on without the volume (split history): name it out_of_sync to resync it from the others"

static void put_le32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put_le64(u8 *p, u64 v)
{
	put_le32(p, (u32)v);
	put_le32(p + 4, (u32)(v >> 32));
}

static u32 get_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 get_le64(const u8 *p)
{
	return get_le32(p) | (u64)get_le32(p + 4) << 32;
}

static bool is_zero(const u8 *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/*
 * The checksum of a superblock: crc32c of its 4 KiB, with 0 in its place
 * (and with our magic in its place, if @magic: was only the magic hit?).
 */
static u32 quorum_super_checksum(const u8 *buf, bool magic)
{
	static const u8 zero[4];
	u8 ours[4];
	u32 crc = ~0u;

	if (magic) {
		put_le32(ours, QUORUM_SUPER_MAGIC);
		crc = quorum_super_crc32c(crc, ours, sizeof(ours));
		crc = quorum_super_crc32c(crc, buf + 4, SB_CHECKSUM - 4);
	} else {
		crc = quorum_super_crc32c(crc, buf, SB_CHECKSUM);
	}
	crc = quorum_super_crc32c(crc, zero, sizeof(zero));
	crc = quorum_super_crc32c(crc, buf + SB_CHECKSUM + 4,
				  QUORUM_SUPER_SIZE - SB_CHECKSUM - 4);
	return ~crc;
}

/* Sectors of one bitmap of @nr_regions bits, in whole 4 KiB pages. */
static u64 quorum_bitmap_sectors(u64 nr_regions)
{
	u64 bytes = (nr_regions + 7) / 8;

	return (bytes + QUORUM_SUPER_SIZE - 1) / QUORUM_SUPER_SIZE *
	       QUORUM_SUPER_SECTORS;
}

static bool is_power_of_two(u32 v)
{
	return v && !(v & (v - 1));
}

/* Regions of @sectors: a division that cannot overflow. */
static u64 quorum_nr_regions(u64 sectors, u32 region_size)
{
	return sectors / region_size + !!(sectors % region_size);
}

/* The metadata's sectors for @data_sectors of data. */
static u64 quorum_meta_sectors(const struct quorum_super *sb, u64 data_sectors,
			       u64 *bitmap)
{
	*bitmap = quorum_bitmap_sectors(quorum_nr_regions(data_sectors,
							  sb->region_size));
	return QUORUM_SUPER_AREA_SECTORS + (sb->nr_legs + 1) * *bitmap;
}

const char *quorum_super_layout(struct quorum_super *sb, u64 leg_sectors)
{
	u64 end = leg_sectors & ~(u64)(QUORUM_SUPER_SECTORS - 1);
	u64 bitmap, meta;

	if (!is_power_of_two(sb->region_size) ||
	    sb->region_size < SB_MIN_REGION_SIZE ||
	    sb->region_size > SB_MAX_REGION_SIZE)
		return "Invalid region size";
	if (sb->nr_legs < QUORUM_MIN_LEGS || sb->nr_legs > QUORUM_MAX_LEGS)
		return "Invalid number of legs";
	if (sb->data_sectors % QUORUM_SUPER_SECTORS)
		return "Data area is not a whole number of 4 KiB blocks";
	/*
	 * The bitmaps are sized for the data area, the same on every leg
	 * whatever its size.  Without one, the largest the leg holds: the
	 * metadata for a data area of the whole leg fits, and the data
	 * area is what is left (the bitmaps sized again for it).
	 */
	if (!sb->data_sectors) {
		if (quorum_nr_regions(end, sb->region_size) > SB_MAX_REGIONS)
			return "Too many regions: give a larger region size";
		meta = quorum_meta_sectors(sb, end, &bitmap);
		if (end < meta + QUORUM_SUPER_SECTORS)
			return "Leg is too small to hold the metadata";
		sb->data_sectors = end - meta;
	}
	sb->nr_regions = quorum_nr_regions(sb->data_sectors, sb->region_size);
	if (sb->nr_regions > SB_MAX_REGIONS)
		return "Too many regions: give a larger region size";
	meta = quorum_meta_sectors(sb, sb->data_sectors, &bitmap);
	if (end < meta || sb->data_sectors > end - meta)
		return "Leg is too small for the volume's data and metadata";
	sb->bitmap_sectors = bitmap;
	sb->meta_sectors = meta;
	sb->meta_offset = end - meta;
	return NULL;
}

void quorum_super_encode(const struct quorum_super *sb, void *buf)
{
	u8 *p = buf;
	unsigned int i;

	memset(p, 0, QUORUM_SUPER_SIZE);
	put_le32(p + SB_MAGIC, QUORUM_SUPER_MAGIC);
	put_le32(p + SB_VERSION, sb->version);
	put_le32(p + SB_INCOMPAT, sb->incompat);
	put_le32(p + SB_COMPAT, sb->compat);
	put_le32(p + SB_FLAGS, sb->flags);
	put_le64(p + SB_GENERATION, sb->generation);
	put_le64(p + SB_CLEARED, sb->cleared);
	memcpy(p + SB_UUID, sb->uuid, QUORUM_UUID_SIZE);
	put_le32(p + SB_LEG, sb->leg);
	put_le32(p + SB_NR_LEGS, sb->nr_legs);
	put_le32(p + SB_THRESHOLD, sb->threshold);
	put_le32(p + SB_REGION_SIZE, sb->region_size);
	put_le64(p + SB_DATA_SECTORS, sb->data_sectors);
	put_le64(p + SB_META_OFFSET, sb->meta_offset);
	put_le32(p + SB_META_SECTORS, sb->meta_sectors);
	put_le32(p + SB_BITMAP_SECTORS, sb->bitmap_sectors);
	put_le64(p + SB_NR_REGIONS, sb->nr_regions);
	put_le64(p + SB_CTIME, sb->ctime);
	memcpy(p + SB_LABEL, sb->label, QUORUM_LABEL_SIZE);
	for (i = 0; i < sb->nr_legs && i < QUORUM_MAX_LEGS; i++) {
		u8 *leg = p + SB_LEGS + i * SB_LEG_SIZE;

		memcpy(leg + SB_LEG_UUID, sb->legs[i].uuid, QUORUM_UUID_SIZE);
		put_le32(leg + SB_LEG_STATE, sb->legs[i].state);
		put_le64(leg + SB_LEG_GENERATION, sb->legs[i].generation);
	}
	put_le32(p + SB_CHECKSUM, quorum_super_checksum(p, false));
}

enum quorum_super_state quorum_super_decode(const void *buf,
					    struct quorum_super *sb,
					    const char **why)
{
	const u8 *p = buf;
	unsigned int i, j;
	u64 bitmap;

	*why = NULL;
	if (is_zero(p, QUORUM_SUPER_SIZE)) {
		*why = "no metadata (zeroes)";
		return QUORUM_SUPER_BLANK;
	}
	if (get_le32(p + SB_MAGIC) != QUORUM_SUPER_MAGIC) {
		/* Ours with a damaged magic, if the checksum says so. */
		if (get_le32(p + SB_CHECKSUM) == quorum_super_checksum(p, true)) {
			*why = "superblock magic damaged";
			return QUORUM_SUPER_CORRUPT;
		}
		*why = "no quorum superblock (other data)";
		return QUORUM_SUPER_FOREIGN;
	}
	if (get_le32(p + SB_CHECKSUM) != quorum_super_checksum(p, false)) {
		*why = "superblock checksum mismatch (damaged or torn)";
		return QUORUM_SUPER_CORRUPT;
	}
	memset(sb, 0, sizeof(*sb));
	sb->version = get_le32(p + SB_VERSION);
	sb->incompat = get_le32(p + SB_INCOMPAT);
	sb->compat = get_le32(p + SB_COMPAT);
	sb->flags = get_le32(p + SB_FLAGS);
	if (sb->version > QUORUM_SUPER_VERSION || sb->incompat) {
		*why = "superblock of a newer format";
		return QUORUM_SUPER_NEWER;
	}
	sb->generation = get_le64(p + SB_GENERATION);
	sb->cleared = get_le64(p + SB_CLEARED);
	memcpy(sb->uuid, p + SB_UUID, QUORUM_UUID_SIZE);
	sb->leg = get_le32(p + SB_LEG);
	sb->nr_legs = get_le32(p + SB_NR_LEGS);
	sb->threshold = get_le32(p + SB_THRESHOLD);
	sb->region_size = get_le32(p + SB_REGION_SIZE);
	sb->data_sectors = get_le64(p + SB_DATA_SECTORS);
	sb->meta_offset = get_le64(p + SB_META_OFFSET);
	sb->meta_sectors = get_le32(p + SB_META_SECTORS);
	sb->bitmap_sectors = get_le32(p + SB_BITMAP_SECTORS);
	sb->nr_regions = get_le64(p + SB_NR_REGIONS);
	sb->ctime = get_le64(p + SB_CTIME);
	memcpy(sb->label, p + SB_LABEL, QUORUM_LABEL_SIZE);

	/* A valid checksum over nonsense: a bug, or crafted. */
	*why = "superblock fields out of range";
	if (!sb->version || sb->flags & ~QUORUM_SUPER_FLAGS ||
	    sb->nr_legs < QUORUM_MIN_LEGS || sb->nr_legs > QUORUM_MAX_LEGS ||
	    sb->leg >= sb->nr_legs || !sb->threshold ||
	    sb->threshold > sb->nr_legs || sb->cleared > sb->generation ||
	    !is_power_of_two(sb->region_size) ||
	    sb->region_size < SB_MIN_REGION_SIZE ||
	    sb->region_size > SB_MAX_REGION_SIZE || !sb->data_sectors ||
	    sb->data_sectors % QUORUM_SUPER_SECTORS ||
	    sb->nr_regions != quorum_nr_regions(sb->data_sectors, sb->region_size) ||
	    sb->nr_regions > SB_MAX_REGIONS || is_zero(sb->uuid, QUORUM_UUID_SIZE))
		return QUORUM_SUPER_CORRUPT;
	bitmap = quorum_bitmap_sectors(sb->nr_regions);
	if (sb->bitmap_sectors < bitmap || sb->bitmap_sectors % QUORUM_SUPER_SECTORS ||
	    sb->bitmap_sectors > quorum_bitmap_sectors(SB_MAX_REGIONS) ||
	    sb->meta_sectors != QUORUM_SUPER_AREA_SECTORS +
				(sb->nr_legs + 1) * (u64)sb->bitmap_sectors ||
	    sb->meta_offset < sb->data_sectors ||
	    sb->meta_offset % QUORUM_SUPER_SECTORS)
		return QUORUM_SUPER_CORRUPT;
	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		const u8 *leg = p + SB_LEGS + i * SB_LEG_SIZE;

		if (i >= sb->nr_legs) {
			if (!is_zero(leg, SB_LEG_SIZE))
				return QUORUM_SUPER_CORRUPT;
			continue;
		}
		memcpy(sb->legs[i].uuid, leg + SB_LEG_UUID, QUORUM_UUID_SIZE);
		sb->legs[i].state = get_le32(leg + SB_LEG_STATE);
		sb->legs[i].generation = get_le64(leg + SB_LEG_GENERATION);
		if (sb->legs[i].state & ~QUORUM_LEG_STATES ||
		    ((sb->legs[i].state & QUORUM_LEG_ABSENT) &&
		     (sb->version < 2 || !(sb->legs[i].state & QUORUM_LEG_FAILED))) ||
		    sb->legs[i].generation >= sb->generation ||
		    is_zero(sb->legs[i].uuid, QUORUM_UUID_SIZE))
			return QUORUM_SUPER_CORRUPT;
		for (j = 0; j < i; j++)
			if (!memcmp(sb->legs[j].uuid, sb->legs[i].uuid,
				    QUORUM_UUID_SIZE))
				return QUORUM_SUPER_CORRUPT;
	}
	*why = NULL;
	return QUORUM_SUPER_VALID;
}

/* The order of badness, for a leg whose two slots are both unusable. */
static int quorum_super_rank(enum quorum_super_state s)
{
	switch (s) {
	case QUORUM_SUPER_VALID:
		return 0;
	case QUORUM_SUPER_BLANK:
		return 1;
	case QUORUM_SUPER_CORRUPT:
		return 2;
	case QUORUM_SUPER_FOREIGN:
		return 3;
	default:
		return 4;
	}
}

enum quorum_super_state quorum_super_read(const void *slots,
					  struct quorum_super *sb,
					  const char **why)
{
	struct quorum_super other;
	const char *why1;
	enum quorum_super_state s0, s1;

	s0 = quorum_super_decode(slots, sb, why);
	s1 = quorum_super_decode((const u8 *)slots + QUORUM_SUPER_SIZE, &other,
				 &why1);
	/* A newer format in either slot: never fall back on the older one. */
	if (s0 == QUORUM_SUPER_NEWER)
		return s0;
	if (s1 == QUORUM_SUPER_NEWER) {
		*why = why1;
		return s1;
	}
	if (s1 == QUORUM_SUPER_VALID &&
	    (s0 != QUORUM_SUPER_VALID || other.generation > sb->generation)) {
		*sb = other;
		*why = NULL;
		return s1;
	}
	if (s0 == QUORUM_SUPER_VALID)
		return s0;
	/*
	 * A blank slot beside a damaged one is a torn first update of a
	 * format: damaged.  Otherwise the worse of the two.
	 */
	if (quorum_super_rank(s1) > quorum_super_rank(s0)) {
		*why = why1;
		return s1;
	}
	return s0;
}

static bool same_uuid(const u8 *a, const u8 *b)
{
	return !memcmp(a, b, QUORUM_UUID_SIZE);
}

/* Refuse the table: @error about leg @leg (or -1). */
static void refuse(struct quorum_assembly *out, const char *error, int leg)
{
	out->error = error;
	out->bad_leg = leg;
}

/*
 * Is leg @i's superblock damaged or unreadable (in a slot), and not named
 * by the table as a leg to go on without?
 */
static bool quorum_damaged(const struct quorum_assemble_in *in, unsigned int i)
{
	return (in->state[i] == QUORUM_SUPER_CORRUPT ||
		in->unreadable & (1u << i)) &&
	       !((in->out_of_sync | in->failed) & (1u << i));
}

/* The legs with a valid superblock agree with @ref on what the volume is. */
static bool quorum_assemble_check(const struct quorum_assemble_in *in,
				  const struct quorum_super *ref,
				  struct quorum_assembly *out)
{
	unsigned int i, j;

	for (i = 0; i < in->nr_legs; i++) {
		const struct quorum_super *sb = &in->sb[i];
		struct quorum_super layout;
		const char *error;

		if (in->state[i] != QUORUM_SUPER_VALID)
			continue;
		if (!same_uuid(sb->uuid, ref->uuid)) {
			refuse(out, "Leg belongs to another volume", i);
			return false;
		}
		if (sb->nr_legs != in->nr_legs) {
			refuse(out, "Leg was formatted for another number of legs", i);
			return false;
		}
		for (j = 0; j < i; j++) {
			const struct quorum_super *o = &in->sb[j];

			if (in->state[j] == QUORUM_SUPER_VALID &&
			    same_uuid(o->legs[o->leg].uuid, sb->legs[sb->leg].uuid)) {
				refuse(out, "Leg is a copy of another leg (same identity)", i);
				return false;
			}
		}
		if (sb->leg != i) {
			refuse(out, "Leg is not in the position it was formatted for", i);
			return false;
		}
		if (sb->region_size != ref->region_size ||
		    sb->data_sectors != ref->data_sectors) {
			refuse(out, "Legs disagree on the volume's geometry", i);
			return false;
		}
		layout = *sb;
		error = quorum_super_layout(&layout, in->leg_sectors[i]);
		if (error || layout.meta_offset != sb->meta_offset ||
		    layout.meta_sectors != sb->meta_sectors) {
			refuse(out, "Leg changed size since it was formatted", i);
			return false;
		}
	}
	if (in->region_size && in->region_size != ref->region_size) {
		refuse(out, "region_size differs from the metadata's", -1);
		return false;
	}
	if (in->len > ref->data_sectors) {
		refuse(out, "Target length exceeds the legs' data area", -1);
		return false;
	}
	return true;
}

void quorum_assemble(const struct quorum_assemble_in *in,
		     struct quorum_assembly *out)
{
	const struct quorum_super *ref = NULL;
	unsigned int i, j, best, blank = 0, valid = 0;
	const u8 *uuid;

	memset(out, 0, sizeof(*out));
	out->bad_leg = -1;
	for (i = 0; i < in->nr_legs; i++) {
		if (in->state[i] == QUORUM_SUPER_NEWER) {
			refuse(out, "Leg's metadata is of a newer format", i);
			return;
		}
		if (in->state[i] == QUORUM_SUPER_BLANK)
			blank++;
		if (in->state[i] == QUORUM_SUPER_VALID)
			valid++;
	}
	/*
	 * The volume is the one most legs belong to (the first leg's, on a
	 * tie): a leg of another one is then named as the odd one out.  Its
	 * most recent superblock is authoritative.
	 */
	for (i = 0, best = 0; i < in->nr_legs; i++) {
		unsigned int votes = 0;

		if (in->state[i] != QUORUM_SUPER_VALID)
			continue;
		for (j = 0; j < in->nr_legs; j++)
			if (in->state[j] == QUORUM_SUPER_VALID &&
			    same_uuid(in->sb[j].uuid, in->sb[i].uuid))
				votes++;
		if (votes > best) {
			best = votes;
			ref = &in->sb[i];
		}
	}
	uuid = ref ? ref->uuid : NULL;
	for (i = 0, ref = NULL; uuid && i < in->nr_legs; i++) {
		if (in->state[i] != QUORUM_SUPER_VALID ||
		    !same_uuid(in->sb[i].uuid, uuid))
			continue;
		if (!ref || in->sb[i].generation > ref->generation) {
			ref = &in->sb[i];
			out->newest = i;
		}
	}
	if (blank == in->nr_legs) {
		if (in->out_of_sync || in->failed) {
			refuse(out, "A new volume has no legs out of sync or failed", -1);
			return;
		}
		out->format = true;
		return;
	}
	if (!valid) {
		for (i = 0; i < in->nr_legs; i++)
			if (in->state[i] == QUORUM_SUPER_FOREIGN) {
				refuse(out, "Leg's metadata area holds other data, not zeroes", i);
				return;
			}
		refuse(out, "No leg has a valid superblock", -1);
		return;
	}
	if (!quorum_assemble_check(in, ref, out))
		return;
	/*
	 * A damaged (or unreadable) superblock may have been the most recent
	 * one: trusting the others then is safe only while they are most of
	 * the legs, or the table says to go on without those legs.
	 */
	for (i = 0, j = 0; i < in->nr_legs; i++)
		if (quorum_damaged(in, i))
			j++;
	if (j * 2 >= in->nr_legs) {
		for (i = 0; i < in->nr_legs; i++)
			if (quorum_damaged(in, i))
				break;
		refuse(out, QUORUM_DAMAGED, i);
		return;
	}

	out->generation = ref->generation;
	out->unclean = !(ref->flags & QUORUM_SUPER_CLEAN);
	for (i = 0; i < in->nr_legs; i++) {
		const struct quorum_super *sb = &in->sb[i];
		u32 state = ref->legs[i].state;

		if (state & QUORUM_LEG_FAILED)
			out->failed |= 1u << i;
		if (state & QUORUM_LEG_ABSENT)
			out->absent |= 1u << i;
		if (state & QUORUM_LEG_OUT_OF_SYNC)
			out->bitmap |= 1u << i;
		if (in->state[i] != QUORUM_SUPER_VALID) {
			out->stale |= 1u << i;
			if (!(in->out_of_sync & (1u << i)) &&
			    in->failed & (1u << i)) {
				/*
				 * Not the leg, or not known to be: it gets no
				 * I/O, and the regions the leg misses go on
				 * being recorded for when it is back.
				 */
				out->standin |= 1u << i;
				/*
				 * Missing now: absent, unless the volume
				 * knew it failed (an operator, its errors).
				 */
				if (!(state & QUORUM_LEG_FAILED))
					out->absent |= 1u << i;
				continue;
			}
			if (in->state[i] != QUORUM_SUPER_CORRUPT &&
			    !(in->out_of_sync & (1u << i))) {
				refuse(out, in->state[i] == QUORUM_SUPER_BLANK ?
				       QUORUM_BLANK : QUORUM_FOREIGN, i);
				return;
			}
			out->whole |= 1u << i;
			out->reason[i] = in->state[i] == QUORUM_SUPER_CORRUPT ?
					 "its superblock is damaged" :
					 "it is a new copy";
			continue;
		}
		if (!same_uuid(sb->legs[i].uuid, ref->legs[i].uuid)) {
			/* Replaced in the volume since: its data is older. */
			out->whole |= 1u << i;
			out->stale |= 1u << i;
			out->reason[i] = "it was replaced in the volume";
			continue;
		}
		if (sb->generation == ref->generation) {
			/* Written together: they must say the same. */
			for (j = 0; j < in->nr_legs; j++)
				if (sb->legs[j].state != ref->legs[j].state ||
				    !same_uuid(sb->legs[j].uuid, ref->legs[j].uuid) ||
				    sb->flags != ref->flags ||
				    sb->cleared != ref->cleared) {
					refuse(out, QUORUM_DISAGREE, i);
					return;
				}
			continue;
		}
		out->stale |= 1u << i;
		/*
		 * Past what the volume saw it take, it took superblocks the
		 * volume did not write: it ran in another assembly without
		 * these legs, and its writes and the volume's since are both
		 * lost but to one of them.  The table says which one goes.
		 * Two more are no split: the volume's record of a leg it last
		 * activated without is one before the superblock of that
		 * activation, which the leg may have taken, and one more
		 * update may have landed on it alone (torn by a power cut, or
		 * failed).
		 */
		if (sb->generation > ref->legs[i].generation + 2) {
			if (!((in->out_of_sync | in->failed) & (1u << i))) {
				refuse(out, QUORUM_DIVERGED, i);
				return;
			}
			out->whole |= 1u << i;
			out->reason[i] = "it went on without the volume";
			continue;
		}
		/*
		 * Its superblock lags.  The volume saw it take the superblock
		 * of ref->legs[i].generation (for a leg up to date, the one
		 * before the current: the current one may have been torn on
		 * it by a power cut; for a failed leg, its last): from there
		 * on its state is the current superblock's.
		 */
		if (sb->generation >= ref->legs[i].generation)
			continue;
		/*
		 * Older than that: a copy of the leg from before (a restored
		 * image, a snapshot).  Every write since its generation is in
		 * the write-intent bitmap unless bits were cleared since (bits
		 * are cleared only once the superblock that says so is on
		 * every leg up to date, so one generation before counts).
		 */
		if (!state && sb->generation + 1 >= ref->cleared) {
			out->lagging |= 1u << i;
		} else {
			out->whole |= 1u << i;
			out->reason[i] = "it is an older copy of the leg";
		}
	}
	out->failed |= in->failed;
	out->absent &= out->failed;
	/* What a leg the table fails missed before is not known. */
	out->whole |= in->out_of_sync | (in->failed & ~out->standin);
	for (i = 0; i < in->nr_legs; i++)
		if (out->whole & (1u << i) && !out->reason[i])
			out->reason[i] = "the table says so";
}
