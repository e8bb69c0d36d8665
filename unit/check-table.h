/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The invariants of a parsed table, shared by the unit tests and the
 * fuzzer: whatever the input, the result is either a refusal with a
 * message or a table within every documented limit.
 */
#ifndef DM_QUORUM_CHECK_TABLE_H
#define DM_QUORUM_CHECK_TABLE_H

#include <stdio.h>
#include <stdlib.h>

#include "../dm-quorum-table.h"

static inline void table_invariants(unsigned int argc, char **argv,
				    const char *error,
				    const struct quorum_table *t)
{
	unsigned int i;

	if (error) {
		if (!*error)
			abort();
		return;
	}
	if (t->nr_legs < QUORUM_MIN_LEGS || t->nr_legs > QUORUM_MAX_LEGS ||
	    t->threshold < 1 || t->threshold > t->nr_legs ||
	    t->legs != argv + 1 || t->nr_legs + 1 > argc ||
	    t->bad_arg || t->read_pattern > QUORUM_READ_FIFO ||
	    t->error_limit > QUORUM_MAX_ERROR_LIMIT ||
	    t->scrub_rate > QUORUM_MAX_SCRUB_RATE ||
	    t->features >= (1u << QUORUM_NR_FEATURES) ||
	    t->out_of_sync >= (1u << t->nr_legs) ||
	    !t->out_of_sync != !(t->features & QUORUM_FEATURE_OUT_OF_SYNC) ||
	    t->failed >= (1u << t->nr_legs) ||
	    !t->failed != !(t->features & QUORUM_FEATURE_FAILED) ||
	    t->region_size < QUORUM_MIN_REGION_SIZE ||
	    t->region_size > QUORUM_MAX_REGION_SIZE ||
	    (t->region_size & (t->region_size - 1)) ||
	    (!(t->features & QUORUM_FEATURE_REGION_SIZE) &&
	     t->region_size != QUORUM_DEFAULT_REGION_SIZE))
		abort();
	for (i = 0; i < t->nr_legs; i++)
		if (quorum_is_number(t->legs[i]))
			abort();
}

#endif
