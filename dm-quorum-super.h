/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: the on-disk metadata of a leg (the "metadata" feature), and
 * the decisions taken on the superblocks found at activation.
 *
 * Pure logic with no kernel state, defined in dm-quorum-super.c, which the
 * user-space unit tests and the fuzzer compile unchanged; the reading and
 * writing is left to the target (dm-quorum-metadata.c).  The format is
 * described field by field in docs/dm-quorum.rst, "On-disk format".
 *
 * A leg is a plain copy of the volume from its sector 0; the metadata
 * area sits at its end (as md's 1.0 superblock does), the superblocks last,
 * so that they are found from the leg's size alone:
 *
 *   meta_offset                      write-intent bitmap (bitmap_sectors)
 *   + (1 + j) * bitmap_sectors       the regions leg j is out of sync in
 *   end - 16                         superblock slot 0 (4 KiB)
 *   end - 8                          superblock slot 1 (4 KiB)
 *
 * where end is the leg's size rounded down to 4 KiB.  Superblock updates
 * alternate between the slots (generation parity), so that a torn write
 * leaves the previous one whole.
 */
#ifndef DM_QUORUM_SUPER_H
#define DM_QUORUM_SUPER_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

#include "dm-quorum-elect.h"

#ifndef __KERNEL__
typedef unsigned char u8;
typedef unsigned int u32;
#endif

#define QUORUM_SUPER_MAGIC	0x4d524f51u	/* "QORM" little-endian */
/*
 * The newest version known: 2, QUORUM_LEG_ABSENT (written only while a leg
 * is absent, 1 otherwise, so that older readers take what they can).  A
 * reader takes its version and older ones.
 */
#define QUORUM_SUPER_VERSION	2u
#define QUORUM_SUPER_SIZE	4096u
#define QUORUM_SUPER_SECTORS	8u
/* Two superblock slots at the end of the leg, the bitmaps before them. */
#define QUORUM_SUPER_AREA_SECTORS	(2 * QUORUM_SUPER_SECTORS)
#define QUORUM_UUID_SIZE	16u
#define QUORUM_LABEL_SIZE	32u

/* quorum_super.flags */
#define QUORUM_SUPER_CLEAN	0x1u	/* shut down cleanly: no write in flight */
#define QUORUM_SUPER_FLAGS	QUORUM_SUPER_CLEAN

/* quorum_super_leg.state */
#define QUORUM_LEG_FAILED	0x1u	/* gets no I/O until reinstated */
#define QUORUM_LEG_OUT_OF_SYNC	0x2u	/* its bitmap says where */
/*
 * With FAILED: failed because its device was missing (a stand-in stood in
 * for it, or "fail_leg <leg> missing"), not by its errors or an operator:
 * the leg may rejoin by itself when its device is back.
 */
#define QUORUM_LEG_ABSENT	0x4u
#define QUORUM_LEG_STATES	(QUORUM_LEG_FAILED | QUORUM_LEG_OUT_OF_SYNC | \
				 QUORUM_LEG_ABSENT)

/* What a leg's superblock says about one leg of the volume. */
struct quorum_super_leg {
	u8 uuid[QUORUM_UUID_SIZE];
	u32 state;		/* QUORUM_LEG_* */
	/*
	 * The last superblock the leg took before this one was written:
	 * a copy of the leg older than that is not the leg.
	 */
	u64 generation;
};

/* A superblock, decoded (CPU order); see docs for the on-disk layout. */
struct quorum_super {
	u32 version;
	u32 flags;		/* QUORUM_SUPER_* */
	u32 compat;		/* features an older reader may ignore */
	u32 incompat;		/* features an older reader must refuse */
	u64 generation;		/* bumped at every change of what it says */
	u64 cleared;		/* generation that last cleared bitmap bits */
	u8 uuid[QUORUM_UUID_SIZE];	/* the volume's */
	u32 leg;		/* this leg's index */
	u32 nr_legs;
	u32 threshold;		/* as formatted; the table's rules */
	u32 region_size;	/* sectors */
	u64 data_sectors;	/* the volume's data area, from sector 0 */
	u64 meta_offset;	/* this leg's metadata area, in sectors */
	u32 meta_sectors;	/* its length */
	u32 bitmap_sectors;	/* of one bitmap */
	u64 nr_regions;
	u64 ctime;		/* seconds since the epoch, when formatted */
	char label[QUORUM_LABEL_SIZE];	/* NUL-padded, not terminated */
	struct quorum_super_leg legs[QUORUM_MAX_LEGS];
};

/* Computed by the target (crc32c); the user-space tests bring their own. */
u32 quorum_super_crc32c(u32 crc, const void *buf, size_t len);

/*
 * quorum_super_layout - where the metadata goes on a leg of @leg_sectors
 * @sb: region_size and nr_legs set; data_sectors 0 to compute it from the
 *	leg, else checked against it
 * @leg_sectors: the leg's size
 *
 * Fills in meta_offset, meta_sectors, bitmap_sectors, nr_regions (and
 * data_sectors).  Returns NULL, or why the leg cannot hold the volume.
 */
const char *quorum_super_layout(struct quorum_super *sb, u64 leg_sectors);

/* Write @sb into the 4 KiB @buf, little-endian, with its checksum. */
void quorum_super_encode(const struct quorum_super *sb, void *buf);

enum quorum_super_state {
	QUORUM_SUPER_VALID,
	QUORUM_SUPER_BLANK,	/* zeroes: never formatted */
	QUORUM_SUPER_FOREIGN,	/* not zeroes, not ours */
	QUORUM_SUPER_CORRUPT,	/* ours, but damaged or torn */
	QUORUM_SUPER_NEWER,	/* a format this code does not know */
};

/*
 * quorum_super_decode - check and decode one superblock slot
 * @buf: 4 KiB as read
 * @sb: filled in when VALID
 * @why: set to a static reason for any other result
 */
enum quorum_super_state quorum_super_decode(const void *buf,
					    struct quorum_super *sb,
					    const char **why);

/*
 * quorum_super_read - the superblock of a leg, from its two slots
 * @slots: 8 KiB, slot 0 then slot 1
 *
 * The valid slot of the higher generation; with one slot valid, that one
 * (the other was torn).  Otherwise the worse state of the two.
 */
enum quorum_super_state quorum_super_read(const void *slots,
					  struct quorum_super *sb,
					  const char **why);

/* The slot (0 or 1) a superblock of @generation is written to. */
static inline unsigned int quorum_super_slot(u64 generation)
{
	return generation & 1;
}

/* What the table line says, for quorum_assemble(). */
struct quorum_assemble_in {
	unsigned int nr_legs;
	unsigned int threshold;
	unsigned int region_size;	/* 0: not given */
	u64 len;			/* the table's <len> */
	unsigned int out_of_sync;	/* legs the table names */
	unsigned int failed;
	u64 leg_sectors[QUORUM_MAX_LEGS];
	/* Legs with a slot that could not be read: maybe the newest. */
	unsigned int unreadable;
	enum quorum_super_state state[QUORUM_MAX_LEGS];
	struct quorum_super sb[QUORUM_MAX_LEGS];	/* when VALID */
};

/* What the volume is, and each leg. */
struct quorum_assembly {
	bool format;		/* every leg blank: format a new volume */
	unsigned int newest;	/* a leg whose superblock is authoritative */
	u64 generation;		/* the volume's */
	bool unclean;		/* writes may have been in flight */
	unsigned int failed;	/* legs failed */
	/* Out of sync over their bitmap, as the current superblock says. */
	unsigned int bitmap;
	/* Out of sync over the write-intent bitmap: lagged by a little. */
	unsigned int lagging;
	/* Out of sync everywhere: lagged, bad or blank superblock. */
	unsigned int whole;
	/* Legs whose superblock is not current: rewritten at activation. */
	unsigned int stale;
	/*
	 * Legs the table names failed whose superblock is not the volume's
	 * (a stand-in for a missing leg): failed, out of sync where the
	 * bitmaps say, and everywhere if reinstated as they are.
	 */
	unsigned int standin;
	/* Legs failed because their device was missing (QUORUM_LEG_ABSENT). */
	unsigned int absent;
	/* On refusal: the message (static) and the leg it names, or -1. */
	const char *error;
	int bad_leg;
	/* For the log: why leg i is out of sync everywhere, or NULL. */
	const char *reason[QUORUM_MAX_LEGS];
};

/*
 * quorum_assemble - decide from the legs' superblocks what the volume is
 *
 * Refuses (error set) legs of different volumes, of another number of
 * legs or region size, in another order than formatted, the same leg
 * twice, a table longer than the data area, a mix of formatted and blank
 * legs (unless the table names the blank ones out_of_sync: new copies, or
 * failed: stand-ins for missing legs), too many bad superblocks, and two
 * current superblocks that disagree.
 */
void quorum_assemble(const struct quorum_assemble_in *in,
		     struct quorum_assembly *out);

#endif /* DM_QUORUM_SUPER_H */
