/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: parsing of the table line.
 *
 *   <threshold> <dev_1> ... <dev_N> [<#feature_args> <feature_arg>...]
 *
 * Pure logic with no kernel state, so that the user-space unit tests and the
 * fuzzer compile this header unchanged.  Opening the legs is left to the
 * target: here a leg is only a word that is not a bare integer.
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

#include "dm-quorum-vote.h"

/* Feature arguments, as bits of quorum_table.features. */
#define QUORUM_FEATURE_REWRITE_CORRUPTED	BIT(0)

#define QUORUM_NR_FEATURES	1

static const char * const quorum_feature_names[QUORUM_NR_FEATURES] = {
	"rewrite_corrupted",
};

struct quorum_table {
	unsigned int threshold;
	unsigned int nr_legs;
	char **legs;		/* points into the argument vector */
	unsigned int features;	/* QUORUM_FEATURE_* */
	const char *bad_arg;	/* the word an error is about, or NULL */
};

/* ti->error must be a static string: one per possible number of legs. */
#define QUORUM_THRESHOLD_ERROR(n) \
	[n] = "Invalid threshold: must be between 1 and " #n
static char * const quorum_threshold_errors[QUORUM_MAX_LEGS + 1] = {
	QUORUM_THRESHOLD_ERROR(2), QUORUM_THRESHOLD_ERROR(3),
	QUORUM_THRESHOLD_ERROR(4), QUORUM_THRESHOLD_ERROR(5),
	QUORUM_THRESHOLD_ERROR(6), QUORUM_THRESHOLD_ERROR(7),
	QUORUM_THRESHOLD_ERROR(8), QUORUM_THRESHOLD_ERROR(9),
	QUORUM_THRESHOLD_ERROR(10), QUORUM_THRESHOLD_ERROR(11),
	QUORUM_THRESHOLD_ERROR(12), QUORUM_THRESHOLD_ERROR(13),
	QUORUM_THRESHOLD_ERROR(14), QUORUM_THRESHOLD_ERROR(15),
	QUORUM_THRESHOLD_ERROR(16),
};

/*
 * quorum_parse_uint - parse a bare decimal integer
 *
 * Only digits are accepted (no sign, no space, no base prefix), and values
 * above @max are refused, so that overflow can not happen.
 */
static bool quorum_parse_uint(const char *s, unsigned int max,
			      unsigned int *value)
{
	unsigned int v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned int digit;

		if (*s < '0' || *s > '9')
			return false;
		digit = *s - '0';
		if (v > (max - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*value = v;
	return true;
}

static bool quorum_is_number(const char *s)
{
	unsigned int v;

	return quorum_parse_uint(s, ~0u, &v);
}

/*
 * quorum_parse_table - split and check a table line
 * @argc, @argv: the target's arguments (after "quorum")
 * @t: filled in
 *
 * Returns NULL on success, or a static message for ti->error (hence not
 * const); t->bad_arg then names the offending word where there is one.
 */
static char *quorum_parse_table(unsigned int argc, char **argv,
				struct quorum_table *t)
{
	unsigned int i, j, nr_features;

	memset(t, 0, sizeof(*t));
	if (argc < 1)
		return "Missing arguments: <threshold> <dev_1> ... <dev_N>";

	for (i = 1; i < argc && !quorum_is_number(argv[i]); i++)
		;
	t->legs = argv + 1;
	t->nr_legs = i - 1;
	if (t->nr_legs < QUORUM_MIN_LEGS)
		return "Too few legs: need at least 2";
	if (t->nr_legs > QUORUM_MAX_LEGS)
		return "Too many legs: at most 16";

	if (!quorum_parse_uint(argv[0], QUORUM_MAX_LEGS, &t->threshold) ||
	    t->threshold < 1 || t->threshold > t->nr_legs) {
		t->bad_arg = argv[0];
		return quorum_threshold_errors[t->nr_legs];
	}

	if (i == argc)
		return NULL;
	if (!quorum_parse_uint(argv[i], argc, &nr_features) ||
	    nr_features != argc - i - 1) {
		t->bad_arg = argv[i];
		return "Invalid number of feature arguments";
	}
	for (i++; i < argc; i++) {
		for (j = 0; j < QUORUM_NR_FEATURES; j++)
			if (!strcmp(argv[i], quorum_feature_names[j]))
				break;
		t->bad_arg = argv[i];
		if (j == QUORUM_NR_FEATURES)
			return "Unknown feature argument";
		if (t->features & (1u << j))
			return "Feature argument given twice";
		t->features |= 1u << j;
	}
	t->bad_arg = NULL;
	return NULL;
}

#endif /* DM_QUORUM_TABLE_H */
