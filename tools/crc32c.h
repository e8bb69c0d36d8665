/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * crc32c (Castagnoli, 0x82F63B78 reflected) in software, for the programs
 * of user space that compile dm-quorum-super.c (quorumsetup, the unit tests
 * and the fuzzer): the kernel's crc32c() has no inversion inside, the
 * caller seeds with ~0 and inverts the result.
 *
 * A definition, not only a declaration: include it in one file per program.
 * It has external linkage, as dm-quorum-super.h declares it.
 */
#ifndef DM_QUORUM_CRC32C_H
#define DM_QUORUM_CRC32C_H

#include <stddef.h>

#include "../dm-quorum-super.h"

static u32 crc32c_table[256];

static void crc32c_init(void)
{
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		u32 c = i;

		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc32c_table[i] = c;
	}
}

u32 quorum_super_crc32c(u32 crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!crc32c_table[1])
		crc32c_init();
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#endif
