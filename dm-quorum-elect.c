// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-quorum: the election of one block's winning version (declared and
 * described in dm-quorum-elect.h).  No kernel state and no locks: the unit
 * tests compile this file unchanged.
 */
#include "dm-quorum-elect.h"

/*
 * Group the voters' equal copies; @res gets the largest group (the first,
 * by its lowest voter, of those as large) and its votes.  Returns true if
 * another group is as large.
 */
static bool quorum_largest_group(unsigned int nr, unsigned int voter_mask,
				 quorum_same_fn same, void *ctx,
				 struct quorum_election *res)
{
	unsigned int seen = 0, best = 0, best_votes = 0;
	unsigned int i, j;
	bool tie = false;

	for (i = 0; i < nr; i++) {
		unsigned int group = 1u << i, votes = 1;

		if (!(voter_mask & group) || (seen & group))
			continue;
		for (j = i + 1; j < nr; j++) {
			unsigned int bit = 1u << j;

			if (!(voter_mask & bit) || (seen & bit))
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
	res->winner_mask = best;
	return tie;
}

void quorum_elect(unsigned int nr, unsigned int voter_mask,
		  quorum_same_fn same, void *ctx, unsigned int threshold,
		  struct quorum_election *res)
{
	bool tie = quorum_largest_group(nr, voter_mask, same, ctx, res);

	if (!res->votes || res->votes < threshold || tie)
		res->winner_mask = 0;
}

bool quorum_elect_majority(unsigned int nr, unsigned int voter_mask,
			   quorum_same_fn same, void *ctx,
			   unsigned int threshold,
			   struct quorum_election *res)
{
	unsigned int left = voter_mask, total = 0, i, j;

	for (i = 0; i < nr; i++)
		total += !!(voter_mask & (1u << i));

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
			res->winner_mask = votes >= threshold ? group : 0;
			return true;
		}
		left &= ~group;
	}
	return false;
}

void quorum_elect_pick(unsigned int nr, unsigned int voter_mask,
		       quorum_same_fn same, void *ctx,
		       struct quorum_election *res)
{
	/* On a tie, the group of the lowest voter. */
	quorum_largest_group(nr, voter_mask, same, ctx, res);
}

int quorum_common_error(const int *errors, unsigned int nr)
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
