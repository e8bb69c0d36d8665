/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: the vote.
 *
 * Pure logic with no kernel state, so that the user-space unit tests and the
 * fuzzer compile this header unchanged.  The target decides what a "copy" is
 * (a leg's bytes for one block) and how two copies are compared (memcmp or
 * SHA-256 digests); this file counts, and compares bytes for the fast path.
 */
#ifndef DM_QUORUM_VOTE_H
#define DM_QUORUM_VOTE_H

#ifdef __KERNEL__
#include <linux/align.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <string.h>
typedef unsigned long long u64;
#define IS_ALIGNED(x, a)	(((x) & ((a) - 1)) == 0)
#endif

#define QUORUM_MIN_LEGS	2
#define QUORUM_MAX_LEGS	16

/* Tells whether copies @a and @b hold the same version. */
typedef bool (*quorum_same_fn)(void *ctx, unsigned int a, unsigned int b);

struct quorum_vote_result {
	unsigned int winners;	/* bitmask of the copies that won, 0: none */
	unsigned int votes;	/* size of the largest group of equal copies */
};

/*
 * quorum_vote - group equal copies and elect the largest group
 * @nr: number of copies (at most QUORUM_MAX_LEGS)
 * @voters: bitmask of the copies that take part (the legs that read)
 * @same: equality of two copies; must be an equivalence relation
 * @ctx: passed to @same
 * @threshold: votes the winning group needs
 * @res: the outcome
 *
 * The largest group wins when it has at least @threshold members and no
 * other group is as large: a tie at the top elects nobody rather than
 * choosing arbitrarily.
 */
static inline void quorum_vote(unsigned int nr, unsigned int voters,
			       quorum_same_fn same, void *ctx,
			       unsigned int threshold,
			       struct quorum_vote_result *res)
{
	unsigned int seen = 0, best = 0, best_votes = 0;
	unsigned int i, j;
	bool tie = false;

	for (i = 0; i < nr; i++) {
		unsigned int group = 1u << i, votes = 1;

		if (!(voters & group) || (seen & group))
			continue;
		for (j = i + 1; j < nr; j++) {
			unsigned int bit = 1u << j;

			if (!(voters & bit) || (seen & bit))
				continue;
			if (same(ctx, i, j)) {
				group |= bit;
				votes++;
			}
		}
		seen |= group;
		if (votes > best_votes) {
			best = group;
			best_votes = votes;
			tie = false;
		} else if (votes == best_votes) {
			tie = true;
		}
	}

	res->votes = best_votes;
	res->winners = (best_votes && best_votes >= threshold && !tie) ?
		       best : 0;
}

/*
 * quorum_vote_majority - elect a version that a strict majority holds
 * @nr, @voters, @same, @ctx, @threshold, @res: as for quorum_vote()
 *
 * A group holding more than half of the voters can be neither outvoted nor
 * tied, so it is the outcome quorum_vote() would give, found without
 * grouping every copy: each copy not yet grouped is compared with the
 * remaining ones only while those remaining could still form a majority.
 * The target runs it with a byte comparison before it hashes anything.
 *
 * Returns true, with @res filled in as quorum_vote() would, when a majority
 * exists; false (and @res untouched) when it does not, and only
 * quorum_vote() can tell the outcome.
 */
static inline bool quorum_vote_majority(unsigned int nr, unsigned int voters,
					quorum_same_fn same, void *ctx,
					unsigned int threshold,
					struct quorum_vote_result *res)
{
	unsigned int left = voters, total = 0, i, j;

	for (i = 0; i < nr; i++)
		total += !!(voters & (1u << i));

	for (i = 0; i < nr; i++) {
		unsigned int group = 1u << i, votes = 1, remaining = 0;

		for (j = i; j < nr; j++)
			remaining += !!(left & (1u << j));
		if (remaining * 2 <= total)
			return false;
		if (!(left & group))
			continue;
		for (j = i + 1; j < nr; j++) {
			unsigned int bit = 1u << j;

			if ((left & bit) && same(ctx, i, j)) {
				group |= bit;
				votes++;
			}
		}
		if (votes * 2 > total) {
			res->votes = votes;
			res->winners = votes >= threshold ? group : 0;
			return true;
		}
		left &= ~group;
	}
	return false;
}

/*
 * quorum_common_error - the error most legs returned
 * @errors: one errno per leg, 0 for a leg that succeeded
 * @nr: number of legs
 *
 * Ties go to the error of the lowest leg.  Returns 0 when no leg failed.
 */
static inline int quorum_common_error(const int *errors, unsigned int nr)
{
	unsigned int i, j, count, best_count = 0;
	int best = 0;

	for (i = 0; i < nr; i++) {
		if (!errors[i])
			continue;
		count = 0;
		for (j = 0; j < nr; j++)
			count += errors[j] == errors[i];
		if (count > best_count) {
			best = errors[i];
			best_count = count;
		}
	}
	return best;
}

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

#endif /* DM_QUORUM_VOTE_H */
