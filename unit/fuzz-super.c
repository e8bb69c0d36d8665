// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the on-disk metadata (dm-quorum-super.c), fed arbitrary
 * bytes.  Any crash, sanitizer report or broken invariant (abort) is a
 * finding; add a unit test of it to unit/test-super.c.
 *
 * The input is a header, then the two superblock slots of a leg (zeroes
 * where it is short):
 *
 *   0        bit 0, 1: seal slot 0, 1 with a good checksum (else random
 *            bytes never get past the checksum)
 *   1        the table's legs: bit 7 as the superblock says, else
 *            2 + (byte % 15)
 *   2, 4     the table's out_of_sync and failed masks (16 bits each)
 *   6        the table's region size: 0 none, 1 the superblock's, else
 *            8 << (byte % 19)
 *   7        the table's length: 0 the data area, 1 none, else the data
 *            area plus (signed) byte
 *   8 + 4i   leg i, made from the superblock read from the slots:
 *            [0] bits 0-2 its kind: 0-3 as read (1, 3: a leg's state set),
 *                4 slot 0 alone, 5 zeroes, 6 other data, 7 damaged;
 *                bit 3 another volume, bit 4 another index, bit 5 a newer
 *                format, bit 6 clean flag flipped, bit 7 another identity
 *            [1] (signed) added to its generation
 *            [2] what the changes take (the leg index, state, bytes)
 *            [3] (signed) added to its size, 127: a tiny leg
 *   72       slot 0, then slot 1 (4 KiB each)
 *
 * The seeds in unit/corpus-super are written by
 * "build/unit/test-super --corpus unit/corpus-super".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-super.h"
#include "../tools/crc32c.h"

#define HEAD	(8 + 4 * QUORUM_MAX_LEGS)

static void must_hold(const char *what)
{
	if (what) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

/* Leg @i of the table, from the superblock @base read as @state. */
static void make_leg(struct quorum_assemble_in *in, unsigned int i,
		     const unsigned char *leg, const unsigned char *slots,
		     enum quorum_super_state state,
		     const struct quorum_super *base)
{
	static unsigned char buf[QUORUM_SUPER_SIZE];
	struct quorum_super sb = *base;
	unsigned int kind = leg[0] & 7, b = leg[2];
	const char *why;

	in->leg_sectors[i] = base->meta_offset + base->meta_sectors +
			     (signed char)leg[3];
	if (leg[3] == 127)
		in->leg_sectors[i] = 64;
	if (kind == 4) {
		in->state[i] = quorum_super_decode(slots, &in->sb[i], &why);
		return;
	}
	if (kind == 5 || kind == 6 || state != QUORUM_SUPER_VALID) {
		memset(buf, 0, sizeof(buf));
		if (kind == 6)
			memset(buf, b | 1, sizeof(buf));
		in->state[i] = kind == 5 || kind == 6 ?
			       quorum_super_decode(buf, &in->sb[i], &why) :
			       state;
		return;
	}
	sb.leg = i < sb.nr_legs ? i : sb.leg;
	if (kind & 1)
		sb.legs[b % sb.nr_legs].state = (b >> 4) & QUORUM_LEG_STATES;
	if (leg[0] & 0x08)
		sb.uuid[b % QUORUM_UUID_SIZE] ^= b | 1;
	if (leg[0] & 0x10)
		sb.leg = b % (QUORUM_MAX_LEGS + 1);
	if (leg[0] & 0x20)
		sb.version++;
	if (leg[0] & 0x40)
		sb.flags ^= QUORUM_SUPER_CLEAN;
	if (leg[0] & 0x80)
		sb.legs[sb.leg % sb.nr_legs].uuid[b % QUORUM_UUID_SIZE] ^= b | 1;
	sb.generation += (signed char)leg[1];
	quorum_super_encode(&sb, buf);
	if (kind == 7)
		buf[b * 16] ^= 1u << (leg[1] & 7);
	in->state[i] = quorum_super_decode(buf, &in->sb[i], &why);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static unsigned char slots[2 * QUORUM_SUPER_SIZE];
	unsigned char head[HEAD] = { 0 };
	static struct quorum_assemble_in in;
	enum quorum_super_state state;
	struct quorum_assembly out;
	struct quorum_super sb;
	const char *why;
	unsigned int i;

	memcpy(head, data, size < HEAD ? size : HEAD);
	memset(slots, 0, sizeof(slots));
	if (size > HEAD)
		memcpy(slots, data + HEAD,
		       size - HEAD < sizeof(slots) ? size - HEAD : sizeof(slots));
	for (i = 0; i < 2; i++)
		if (head[0] & (1u << i))
			super_fix_checksum(slots + i * QUORUM_SUPER_SIZE);

	/* (a) the two slots. */
	memset(&sb, 0, sizeof(sb));
	state = quorum_super_read(slots, &sb, &why);
	must_hold(read_invariants(slots, state, &sb, why));
	if (state != QUORUM_SUPER_VALID)
		memset(&sb, 0, sizeof(sb));

	/* (b) a table of legs made from them. */
	memset(&in, 0, sizeof(in));
	in.nr_legs = 2 + (head[1] & 0x7f) % 15;
	if (head[1] & 0x80 && state == QUORUM_SUPER_VALID)
		in.nr_legs = sb.nr_legs;
	in.threshold = in.nr_legs / 2 + 1;
	in.out_of_sync = (head[2] | head[3] << 8) & ((1u << in.nr_legs) - 1);
	in.failed = (head[4] | head[5] << 8) & ((1u << in.nr_legs) - 1);
	if (head[6] == 1)
		in.region_size = sb.region_size;
	else if (head[6])
		in.region_size = 8u << (head[6] % 19);
	in.len = sb.data_sectors;
	if (head[7] == 1)
		in.len = 0;
	else if (head[7])
		in.len += (signed char)head[7];
	for (i = 0; i < in.nr_legs; i++)
		make_leg(&in, i, head + 8 + 4 * i, slots, state, &sb);
	quorum_assemble(&in, &out);
	must_hold(assemble_invariants(&in, &out));
	return 0;
}
