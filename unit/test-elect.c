// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the election (dm-quorum-elect.c), compiled unchanged in user
 * space: fixed cases, then random ones against a brute-force reference;
 * the byte comparisons of the fast path against memcmp().
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../dm-quorum-elect.h"
#include "unit.h"

/* Copies are small integers: the "version" each leg holds. */
static bool same_version(void *ctx, unsigned int a, unsigned int b)
{
	const int *v = ctx;

	return v[a] == v[b];
}

static unsigned int vote(const int *versions, unsigned int nr,
			 unsigned int voters, unsigned int threshold,
			 unsigned int *votes)
{
	struct quorum_election res;

	quorum_elect(nr, voters, same_version, (void *)versions, threshold,
		     &res);
	if (votes)
		*votes = res.votes;
	return res.winner_mask;
}

static void fixed_cases(void)
{
	unsigned int votes;

	{	/* all agree */
		int v[3] = { 1, 1, 1 };

		CHECK(vote(v, 3, 7, 2, &votes) == 7 && votes == 3);
	}
	{	/* one leg outvoted */
		int v[3] = { 1, 2, 1 };

		CHECK(vote(v, 3, 7, 2, &votes) == 5 && votes == 2);
	}
	{	/* the first leg outvoted */
		int v[3] = { 9, 2, 2 };

		CHECK(vote(v, 3, 7, 2, &votes) == 6 && votes == 2);
	}
	{	/* all differ: no winner */
		int v[3] = { 1, 2, 3 };

		CHECK(vote(v, 3, 7, 2, &votes) == 0 && votes == 1);
		/* threshold 1: a three-way tie is still no winner */
		CHECK(vote(v, 3, 7, 1, NULL) == 0);
	}
	{	/* 2 legs, threshold 2, disagree */
		int v[2] = { 1, 2 };

		CHECK(vote(v, 2, 3, 2, NULL) == 0);
		CHECK(vote(v, 2, 3, 1, NULL) == 0);	/* tie */
	}
	{	/* 4 legs, 2 against 2: tie */
		int v[4] = { 1, 2, 1, 2 };

		CHECK(vote(v, 4, 15, 2, &votes) == 0 && votes == 2);
	}
	{	/* 5 legs threshold 3: 3 agree over 2 agreeing others */
		int v[5] = { 4, 4, 5, 4, 5 };

		CHECK(vote(v, 5, 31, 3, &votes) == 11 && votes == 3);
	}
	{	/* 5 legs threshold 3: 2 + 2 + 1: no winner */
		int v[5] = { 4, 4, 5, 5, 6 };

		CHECK(vote(v, 5, 31, 3, NULL) == 0);
	}
	{	/* legs outside the voters do not count */
		int v[3] = { 1, 2, 2 };

		CHECK(vote(v, 3, 3, 2, NULL) == 0);	/* only legs 0, 1 */
		CHECK(vote(v, 3, 5, 1, NULL) == 0);	/* 1 vs 2: tie */
		CHECK(vote(v, 3, 6, 2, NULL) == 6);
		CHECK(vote(v, 3, 0, 1, &votes) == 0 && votes == 0);
	}
	{	/* 16 legs */
		int v[16];
		unsigned int i;

		for (i = 0; i < 16; i++)
			v[i] = i < 9 ? 7 : (int)i;
		CHECK(vote(v, 16, 0xffff, 9, &votes) == 0x1ff && votes == 9);
		CHECK(vote(v, 16, 0xffff, 10, NULL) == 0);
	}
}

static void error_cases(void)
{
	int none[3] = { 0, 0, 0 };
	int one[3] = { 0, -5, 0 };
	int most[4] = { -5, -61, -61, 0 };
	int tie[4] = { -61, -5, -5, -61 };

	CHECK(quorum_common_error(none, 3) == 0);
	CHECK(quorum_common_error(one, 3) == -5);
	CHECK(quorum_common_error(most, 4) == -61);
	/* ties go to the lowest leg's error */
	CHECK(quorum_common_error(tie, 4) == -61);
}

/* Reference: count each version, the strict maximum wins. */
static unsigned int reference(const int *v, unsigned int nr,
			      unsigned int voters, unsigned int threshold)
{
	unsigned int i, j, best = 0, count, winners = 0;
	bool tie = false;

	for (i = 0; i < nr; i++) {
		unsigned int group = 0;

		if (!(voters & (1u << i)))
			continue;
		count = 0;
		for (j = 0; j < nr; j++)
			if (voters & (1u << j) && v[j] == v[i]) {
				count++;
				group |= 1u << j;
			}
		if (count > best) {
			best = count;
			winners = group;
			tie = false;
		} else if (count == best && group != winners) {
			tie = true;
		}
	}
	return (best >= threshold && !tie) ? winners : 0;
}

/* Does a version hold more than half of the voters? */
static bool has_majority(const int *v, unsigned int nr, unsigned int voters)
{
	unsigned int i, j, count, total = 0;

	for (i = 0; i < nr; i++)
		total += !!(voters & (1u << i));
	for (i = 0; i < nr; i++) {
		if (!(voters & (1u << i)))
			continue;
		count = 0;
		for (j = 0; j < nr; j++)
			count += voters & (1u << j) && v[j] == v[i];
		if (count * 2 > total)
			return true;
	}
	return false;
}

/* The shortcut decides exactly when a majority exists, as the vote would. */
static void check_majority(const int *v, unsigned int nr, unsigned int voters,
			   unsigned int threshold)
{
	struct quorum_election res = { 0, 0 }, full;
	bool decided;

	decided = quorum_elect_majority(nr, voters, same_version, (void *)v,
					threshold, &res);
	CHECK(decided == has_majority(v, nr, voters));
	if (!decided)
		return;
	quorum_elect(nr, voters, same_version, (void *)v, threshold, &full);
	CHECK(res.winner_mask == full.winner_mask && res.votes == full.votes);
}

static void majority_cases(void)
{
	{	/* the first leg outvoted: found from the second */
		int v[3] = { 9, 2, 2 };

		check_majority(v, 3, 7, 2);
	}
	{	/* threshold above the majority: decided, nobody elected */
		int v[3] = { 1, 1, 2 };
		struct quorum_election res;

		CHECK(quorum_elect_majority(3, 7, same_version, v, 3, &res) &&
		      res.winner_mask == 0 && res.votes == 2);
	}
	{	/* 2 against 2, and 2 + 2 + 1: no majority, not decided */
		int t[4] = { 1, 2, 1, 2 }, s[5] = { 4, 4, 5, 5, 6 };
		struct quorum_election res;

		CHECK(!quorum_elect_majority(4, 15, same_version, t, 2, &res));
		CHECK(!quorum_elect_majority(5, 31, same_version, s, 2, &res));
	}
}

static void random_cases(void)
{
	unsigned int n, seed = 12345;

	for (n = 0; n < 200000; n++) {
		unsigned int nr = 2 + (seed = seed * 1103515245 + 12345) % 15;
		unsigned int threshold = 1 + (seed >> 8) % nr;
		unsigned int voters = (seed * 2654435761u) & ((1u << nr) - 1);
		int v[QUORUM_MAX_LEGS];
		unsigned int i;

		for (i = 0; i < nr; i++) {
			seed = seed * 1103515245 + 12345;
			v[i] = (seed >> 16) % (1 + n % 4);
		}
		CHECK(vote(v, nr, voters, threshold, NULL) ==
		      reference(v, nr, voters, threshold));
		check_majority(v, nr, voters, threshold);
	}
}

/*
 * Two and three copies of up to 4 KiB, each at an offset of 0-7 bytes
 * (aligned and not), identical or with one byte changed in one of them.
 */
static void compare_cases(void)
{
	static unsigned char buf[3][4096 + 8];
	unsigned int n, seed = 4242;

	for (n = 0; n < 100000; n++) {
		size_t len = (seed = seed * 1103515245 + 12345) % 4097;
		unsigned int off[3], i, changed;
		unsigned char *p[3];
		size_t b;
		bool same2, same3;

		for (i = 0; i < 3; i++) {
			seed = seed * 1103515245 + 12345;
			off[i] = (seed >> 16) % 4 ? 0 : (seed >> 8) % 8;
			p[i] = buf[i] + off[i];
		}
		for (b = 0; b < len; b++) {
			seed = seed * 1103515245 + 12345;
			for (i = 0; i < 3; i++)
				p[i][b] = seed >> 16;
		}
		seed = seed * 1103515245 + 12345;
		changed = (seed >> 16) % 4;	/* 3: none */
		if (len && changed < 3)
			p[changed][(seed >> 4) % len] ^= 1 + (seed >> 24) % 255;
		same2 = !memcmp(p[0], p[1], len);
		same3 = same2 && !memcmp(p[0], p[2], len);
		CHECK(quorum_mem_equal(p[0], p[1], len) == same2);
		CHECK(quorum_mem_equal3(p[0], p[1], p[2], len) == same3);
	}
}

static unsigned int pick(const int *v, unsigned int nr, unsigned int voters,
			 unsigned int *votes)
{
	struct quorum_election res;

	quorum_elect_pick(nr, voters, same_version, (void *)v, &res);
	*votes = res.votes;
	return res.winner_mask;
}

/* The crash regions' rule: the largest group, else the lowest voter's. */
static void pick_cases(void)
{
	unsigned int votes, nr, voters, i, j, best, mask, n;
	int v[QUORUM_MAX_LEGS];

	{	/* a 1:1 split: the first leg's */
		int t[2] = { 4, 7 };

		CHECK(pick(t, 2, 3, &votes) == 1 && votes == 1);
		CHECK(pick(t, 2, 2, &votes) == 2 && votes == 1);
	}
	{	/* a 2:2 split: the group of leg 0 */
		int t[4] = { 1, 2, 2, 1 };

		CHECK(pick(t, 4, 15, &votes) == 9 && votes == 2);
		/* leg 0 not voting: the group of leg 1 */
		CHECK(pick(t, 4, 14, &votes) == 6 && votes == 2);
	}
	{	/* the largest group, even below any threshold */
		int t[5] = { 1, 2, 3, 3, 4 };

		CHECK(pick(t, 5, 31, &votes) == 12 && votes == 2);
	}
	CHECK(pick(v, 3, 0, &votes) == 0 && votes == 0);

	/* Random cases against a brute force. */
	srand(4);
	for (n = 0; n < 20000; n++) {
		nr = 2 + rand() % (QUORUM_MAX_LEGS - 1);
		voters = rand() & ((1u << nr) - 1);
		for (i = 0; i < nr; i++)
			v[i] = rand() % 3;
		best = 0;
		mask = 0;
		for (i = 0; i < nr; i++) {
			unsigned int group = 0, count = 0;

			if (!(voters & (1u << i)))
				continue;
			for (j = 0; j < nr; j++)
				if (voters & (1u << j) && v[j] == v[i]) {
					group |= 1u << j;
					count++;
				}
			/* The first (lowest) voter of a tie wins. */
			if (count > best) {
				best = count;
				mask = group;
			}
		}
		CHECK(pick(v, nr, voters, &votes) == mask && votes == best);
	}
}

int main(void)
{
	fixed_cases();
	pick_cases();
	error_cases();
	majority_cases();
	random_cases();
	compare_cases();
	return unit_report("test-elect");
}
