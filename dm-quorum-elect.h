/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: the election of one block's winning version.
 *
 * Pure logic with no kernel state, so that the user-space unit tests and the
 * fuzzer compile dm-quorum-elect.c unchanged.  The target decides what a
 * "copy" is (a leg's bytes for one block) and how two copies are compared
 * (bytes or SHA-256 digests); this code groups and counts them.  The byte
 * comparisons of the fast path are inline here: they run on every read.
 */
#ifndef DM_QUORUM_ELECT_H
#define DM_QUORUM_ELECT_H

#ifdef __KERNEL__
#include <linux/align.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
typedef unsigned long long u64;
#define IS_ALIGNED(x, a)	(((x) & ((a) - 1)) == 0)
#endif

#define QUORUM_MIN_LEGS	2
#define QUORUM_MAX_LEGS	16

/* Tells whether copies @a and @b hold the same version. */
typedef bool (*quorum_same_fn)(void *ctx, unsigned int a, unsigned int b);

struct quorum_election {
	unsigned int winner_mask;	/* the copies that won, 0: none */
	unsigned int votes;		/* the largest group of equal copies */
};

/*
 * quorum_elect - group equal copies and elect the largest group
 * @nr: number of copies (at most QUORUM_MAX_LEGS)
 * @voter_mask: bitmask of the copies that take part (the legs that read)
 * @same: equality of two copies; must be an equivalence relation
 * @ctx: passed to @same
 * @threshold: votes the winning group needs
 * @res: the outcome
 *
 * The largest group wins when it has at least @threshold members and no
 * other group is as large: a tie at the top elects nobody rather than
 * choosing arbitrarily.
 */
void quorum_elect(unsigned int nr, unsigned int voter_mask,
		  quorum_same_fn same, void *ctx, unsigned int threshold,
		  struct quorum_election *res);

/*
 * quorum_elect_majority - elect a version that a strict majority holds
 * @nr, @voter_mask, @same, @ctx, @threshold, @res: as for quorum_elect()
 *
 * A group holding more than half of the voters can be neither outvoted nor
 * tied, so it is the outcome quorum_elect() would give, found without
 * grouping every copy: each copy not yet grouped is compared with the
 * remaining ones only while those remaining could still form a majority.
 * The target runs it with a byte comparison before it hashes anything.
 *
 * Returns true, with @res filled in as quorum_elect() would, when a majority
 * exists; false (and @res untouched) when it does not, and only
 * quorum_elect() can tell the outcome.
 */
bool quorum_elect_majority(unsigned int nr, unsigned int voter_mask,
			   quorum_same_fn same, void *ctx,
			   unsigned int threshold,
			   struct quorum_election *res);

/*
 * quorum_elect_pick - pick a version when no election can decide
 * @nr, @voter_mask, @same, @ctx, @res: as for quorum_elect()
 *
 * The largest group wins whatever its size; on a tie, the group of the
 * lowest voter.  For crash regions only, where the legs in sync may hold
 * different versions of a write that was never acknowledged.
 */
void quorum_elect_pick(unsigned int nr, unsigned int voter_mask,
		       quorum_same_fn same, void *ctx,
		       struct quorum_election *res);

/*
 * quorum_common_error - the error most legs returned
 * @errors: one errno per leg, 0 for a leg that succeeded
 * @nr: number of legs
 *
 * Ties go to the error of the lowest leg.  Returns 0 when no leg failed.
 */
int quorum_common_error(const int *errors, unsigned int nr);

/*
 * The fast path's comparisons: 32 bytes per step when every side is
 * aligned, which is the common case (page-sized segments).
 */
static inline bool quorum_mem_equal(const void *a, const void *b, size_t n)
{
	const u64 *x = a, *y = b;

	if (IS_ALIGNED((unsigned long)a | (unsigned long)b, sizeof(u64))) {
		for (; n >= 32; n -= 32, x += 4, y += 4)
			if ((x[0] ^ y[0]) | (x[1] ^ y[1]) |
			    (x[2] ^ y[2]) | (x[3] ^ y[3]))
				return false;
	}
	return !memcmp(x, y, n);
}

/* Are @b and @c the same as @a?  One pass reads each of them once. */
static inline bool quorum_mem_equal3(const void *a, const void *b,
				     const void *c, size_t n)
{
	const u64 *x = a, *y = b, *z = c;

	if (IS_ALIGNED((unsigned long)a | (unsigned long)b | (unsigned long)c,
		       sizeof(u64))) {
		for (; n >= 32; n -= 32, x += 4, y += 4, z += 4)
			if ((x[0] ^ y[0]) | (x[1] ^ y[1]) |
			    (x[2] ^ y[2]) | (x[3] ^ y[3]) |
			    (x[0] ^ z[0]) | (x[1] ^ z[1]) |
			    (x[2] ^ z[2]) | (x[3] ^ z[3]))
				return false;
	}
	return !memcmp(x, y, n) && !memcmp(x, z, n);
}

#endif /* DM_QUORUM_ELECT_H */
