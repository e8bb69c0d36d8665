/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: parsing of the table line.
 *
 *   <threshold> <dev_1> ... <dev_N> [<#feature_args> <feature_arg>...]
 *
 * Pure logic with no kernel state, defined in dm-quorum-table.c, which the
 * user-space unit tests and the fuzzer compile unchanged.  Opening the legs
 * is left to the target: here a leg is only a word that is not a bare
 * integer.
 */
#ifndef DM_QUORUM_TABLE_H
#define DM_QUORUM_TABLE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <string.h>
#ifndef BIT
#define BIT(n)	(1UL << (n))
#endif
#endif

#include "dm-quorum-elect.h"

/* Feature arguments, as bits of quorum_table.features: those given. */
#define QUORUM_FEATURE_REWRITE_CORRUPTED	BIT(0)
#define QUORUM_FEATURE_READ_PATTERN		BIT(1)
#define QUORUM_FEATURE_ERROR_LIMIT		BIT(2)
#define QUORUM_FEATURE_SCRUB_RATE		BIT(3)
#define QUORUM_FEATURE_OUT_OF_SYNC		BIT(4)
#define QUORUM_FEATURE_REGION_SIZE		BIT(5)
#define QUORUM_FEATURE_FAILED			BIT(6)
#define QUORUM_FEATURE_METADATA			BIT(7)
#define QUORUM_NR_FEATURES	8

struct quorum_feature {
	const char *name;
	bool has_value;
};

/* In the order "dmsetup table" prints them. */
extern const struct quorum_feature quorum_features[QUORUM_NR_FEATURES];

enum quorum_read_pattern {
	QUORUM_READ_QUORUM,	/* read every leg and vote */
	QUORUM_READ_FIFO,	/* read the first alive leg, fall back in order */
};

extern const char * const quorum_read_pattern_names[];

/* Consecutive I/O errors after which a leg is failed; 0: never. */
#define QUORUM_DEFAULT_ERROR_LIMIT	8
#define QUORUM_MAX_ERROR_LIMIT		1000000
/* KiB/s; 0: no limit. */
#define QUORUM_MAX_SCRUB_RATE		1073741824u
/*
 * Sectors of a region, the unit of the legs' sync state and of resync: a
 * power of two from one 4 KiB block to 1 GiB.  The default, 4 MiB, costs
 * each leg 32 KiB of bitmap per TiB and makes a returning leg copy at
 * most 4 MiB for every write it missed; beyond 8 TiB the default doubles
 * as often as it takes to keep a leg's bitmap to 2^21 regions (256 KiB).
 */
#define QUORUM_MAX_DEFAULT_REGIONS	2097152u
/* And whatever region_size says, at most 32 MiB of bitmap per leg. */
#define QUORUM_MAX_REGIONS		268435456u
#define QUORUM_DEFAULT_REGION_SIZE	8192u
#define QUORUM_MIN_REGION_SIZE		8u
#define QUORUM_MAX_REGION_SIZE		2097152u

struct quorum_table {
	unsigned int threshold;
	unsigned int nr_legs;
	char **legs;		/* points into the argument vector */
	unsigned int features;	/* QUORUM_FEATURE_*: those given */
	unsigned int read_pattern;
	unsigned int error_limit;
	unsigned int scrub_rate;
	unsigned int out_of_sync;	/* bitmap of legs */
	unsigned int region_size;	/* sectors */
	unsigned int failed;		/* bitmap of legs */
	const char *bad_arg;	/* the word an error is about, or NULL */
};

/*
 * quorum_parse_uint - parse a bare decimal integer
 *
 * Only digits are accepted (no sign, no space, no base prefix), and values
 * above @max are refused, so that overflow can not happen.
 */
bool quorum_parse_uint(const char *s, unsigned int max,
		       unsigned int *value);

/* Is @s a bare decimal integer?  A leg never is. */
bool quorum_is_number(const char *s);

/*
 * quorum_parse_legs - "<leg>[,<leg>...]": 0-based indexes below @nr_legs,
 * each at most once, as a bitmap in *@legs
 */
bool quorum_parse_legs(const char *s, unsigned int nr_legs,
		       unsigned int *legs);

/*
 * quorum_parse_table - split and check a table line
 * @argc, @argv: the target's arguments (after "quorum")
 * @t: filled in
 *
 * Returns NULL on success, or a static message for ti->error (hence not
 * const); t->bad_arg then names the offending word where there is one.
 */
char *quorum_parse_table(unsigned int argc, char **argv, struct quorum_table *t);

/*
 * quorum_parse_leg_ref - a leg as a message names it
 * @s: "<index>" (0-based, in table order) or "<major>:<minor>"
 *
 * Returns false if @s is neither; otherwise *@index is set for an index
 * (and *@is_index true), or *@major and *@minor for a device number.
 */
bool quorum_parse_leg_ref(const char *s, bool *is_index,
			  unsigned int *index,
			  unsigned int *major,
			  unsigned int *minor);

#endif /* DM_QUORUM_TABLE_H */
