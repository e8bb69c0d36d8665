/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The invariants of the on-disk metadata's decisions, shared by the unit
 * tests and the fuzzer: what quorum_super_read() returns is a superblock
 * that encodes and decodes to itself, with a consistent layout; what
 * quorum_assemble() returns is a refusal naming a leg of the table, or an
 * assembly of masks within the table's legs.  Each returns NULL, or which
 * one is broken.
 */
#ifndef DM_QUORUM_CHECK_SUPER_H
#define DM_QUORUM_CHECK_SUPER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../dm-quorum-super.h"

#define SUPER_CHECKSUM_AT	8

static inline void super_put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Seal a superblock patched in place: its checksum, with 0 in its place. */
static inline void super_fix_checksum(unsigned char *buf)
{
	super_put_le32(buf + SUPER_CHECKSUM_AT, 0);
	super_put_le32(buf + SUPER_CHECKSUM_AT,
		       ~quorum_super_crc32c(~0u, buf, QUORUM_SUPER_SIZE));
}

static inline bool super_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++)
			return false;
	return true;
}

/* What quorum_super_decode() promises of a VALID superblock. */
static inline const char *super_invariants(const struct quorum_super *sb)
{
	static unsigned char buf[QUORUM_SUPER_SIZE];
	struct quorum_super again;
	const char *why;
	u64 bitmap;
	unsigned int i, j;

	if (!sb->version || sb->version > QUORUM_SUPER_VERSION || sb->incompat ||
	    sb->flags & ~QUORUM_SUPER_FLAGS)
		return "version, incompat or flags";
	if (sb->nr_legs < QUORUM_MIN_LEGS || sb->nr_legs > QUORUM_MAX_LEGS ||
	    sb->leg >= sb->nr_legs || !sb->threshold ||
	    sb->threshold > sb->nr_legs || sb->cleared > sb->generation)
		return "legs, threshold or generations";
	if (sb->region_size < 8 || sb->region_size & (sb->region_size - 1) ||
	    !sb->data_sectors || sb->data_sectors % QUORUM_SUPER_SECTORS ||
	    !sb->nr_regions ||
	    sb->nr_regions != sb->data_sectors / sb->region_size +
			      !!(sb->data_sectors % sb->region_size))
		return "region size, data area or regions";
	bitmap = (sb->nr_regions + 8 * QUORUM_SUPER_SIZE - 1) /
		 (8 * QUORUM_SUPER_SIZE) * QUORUM_SUPER_SECTORS;
	if (sb->bitmap_sectors < bitmap ||
	    sb->bitmap_sectors % QUORUM_SUPER_SECTORS ||
	    sb->meta_sectors != QUORUM_SUPER_AREA_SECTORS +
				(u64)(sb->nr_legs + 1) * sb->bitmap_sectors ||
	    sb->meta_offset < sb->data_sectors ||
	    sb->meta_offset % QUORUM_SUPER_SECTORS)
		return "layout";
	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		if (i >= sb->nr_legs) {
			if (!super_zero(&sb->legs[i], sizeof(sb->legs[i])))
				return "leg beyond nr_legs";
			continue;
		}
		if (sb->legs[i].state & ~QUORUM_LEG_STATES ||
		    super_zero(sb->legs[i].uuid, QUORUM_UUID_SIZE))
			return "leg record";
		if ((sb->legs[i].state & QUORUM_LEG_ABSENT) &&
		    (sb->version < 2 || !(sb->legs[i].state & QUORUM_LEG_FAILED)))
			return "absent without failed, or before version 2";
		for (j = 0; j < i; j++)
			if (!memcmp(sb->legs[i].uuid, sb->legs[j].uuid,
				    QUORUM_UUID_SIZE))
				return "two legs of one identity";
	}
	quorum_super_encode(sb, buf);
	if (quorum_super_decode(buf, &again, &why) != QUORUM_SUPER_VALID ||
	    why || memcmp(&again, sb, sizeof(again)))
		return "re-encoded superblock decodes otherwise";
	return NULL;
}

/* @slots as given to quorum_super_read(), which returned @state, @sb, @why. */
static inline const char *read_invariants(const unsigned char *slots,
					  enum quorum_super_state state,
					  const struct quorum_super *sb,
					  const char *why)
{
	enum quorum_super_state s[2];
	struct quorum_super one[2];
	const char *w[2], *what;
	bool valid = state == QUORUM_SUPER_VALID;
	unsigned int i;

	for (i = 0; i < 2; i++)
		s[i] = quorum_super_decode(slots + i * QUORUM_SUPER_SIZE,
					   &one[i], &w[i]);
	if (state > QUORUM_SUPER_NEWER || !why != valid)
		return "read: state or reason";
	for (i = 0; i < 2; i++) {
		bool one_valid = s[i] == QUORUM_SUPER_VALID;
		bool blank = s[i] == QUORUM_SUPER_BLANK;

		if (!w[i] != one_valid ||
		    blank != super_zero(slots + i * QUORUM_SUPER_SIZE,
					QUORUM_SUPER_SIZE))
			return "decode: state or reason";
	}
	/* A newer format in either slot wins: never the older one beside. */
	if (state == QUORUM_SUPER_NEWER)
		return s[0] == state || s[1] == state ? NULL :
		       "read: a newer format in no slot";
	if (s[0] == QUORUM_SUPER_NEWER || s[1] == QUORUM_SUPER_NEWER)
		return "read: a newer format ignored";
	if (!valid) {
		if (s[0] == QUORUM_SUPER_VALID || s[1] == QUORUM_SUPER_VALID ||
		    (state != s[0] && state != s[1]))
			return "read: a valid slot ignored";
		return NULL;
	}
	what = super_invariants(sb);
	if (what)
		return what;
	for (i = 0; i < 2; i++)
		if (s[i] == QUORUM_SUPER_VALID &&
		    one[i].generation > sb->generation)
			return "read: not the latest slot";
	if (memcmp(sb, &one[0], sizeof(*sb)) &&
	    memcmp(sb, &one[1], sizeof(*sb)))
		return "read: neither slot";
	return NULL;
}

static inline const char *
assemble_invariants(const struct quorum_assemble_in *in,
		    const struct quorum_assembly *out)
{
	unsigned int all = (1u << in->nr_legs) - 1, i, blank = 0;

	if (out->error) {
		if (!*out->error || out->bad_leg < -1 ||
		    out->bad_leg >= (int)in->nr_legs)
			return "assemble: refusal";
		return NULL;
	}
	if (out->bad_leg != -1)
		return "assemble: bad_leg without an error";
	for (i = 0; i < in->nr_legs; i++)
		blank += in->state[i] == QUORUM_SUPER_BLANK;
	if (out->format) {
		if (blank != in->nr_legs || in->out_of_sync || in->failed ||
		    out->failed || out->bitmap || out->lagging || out->whole ||
		    out->stale || out->unclean || out->generation)
			return "assemble: format";
		return NULL;
	}
	if (blank == in->nr_legs)
		return "assemble: blank legs not formatted";
	if ((out->failed | out->bitmap | out->lagging | out->whole |
	     out->stale) & ~all || out->lagging & ~out->stale ||
	    (out->failed & in->failed) != in->failed ||
	    (out->whole & in->out_of_sync) != in->out_of_sync)
		return "assemble: masks";
	if (out->standin & (~in->failed | in->out_of_sync | out->whole |
			    ~out->stale))
		return "assemble: stand-in";
	if (out->absent & ~out->failed)
		return "assemble: absent but not failed";
	if (out->newest >= in->nr_legs ||
	    in->state[out->newest] != QUORUM_SUPER_VALID ||
	    out->generation != in->sb[out->newest].generation ||
	    out->unclean == !!(in->sb[out->newest].flags & QUORUM_SUPER_CLEAN) ||
	    in->len > in->sb[out->newest].data_sectors ||
	    (in->region_size &&
	     in->region_size != in->sb[out->newest].region_size))
		return "assemble: current superblock";
	for (i = 0; i < QUORUM_MAX_LEGS; i++) {
		const struct quorum_super *sb = &in->sb[i];

		if (i >= in->nr_legs) {
			if (out->reason[i])
				return "assemble: reason beyond nr_legs";
			continue;
		}
		if (!(out->whole & (1u << i)) != !out->reason[i])
			return "assemble: whole without a reason";
		if (in->state[i] != QUORUM_SUPER_VALID) {
			if (!((out->whole | out->standin) & out->stale &
			      (1u << i)))
				return "assemble: bad superblock kept";
			continue;
		}
		if (out->standin & (1u << i))
			return "assemble: a valid superblock stands in";
		if (sb->generation < out->generation &&
		    sb->generation >
		    in->sb[out->newest].legs[i].generation + 2 &&
		    !(out->whole & (1u << i)))
			return "assemble: a split history kept";
		if (memcmp(sb->uuid, in->sb[out->newest].uuid,
			   QUORUM_UUID_SIZE) || sb->leg != i ||
		    sb->nr_legs != in->nr_legs ||
		    sb->generation > out->generation ||
		    (sb->generation < out->generation &&
		     !(out->stale & (1u << i))))
			return "assemble: leg accepted";
	}
	return NULL;
}

#endif
