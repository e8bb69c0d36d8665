// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the table parser and the leg references of messages,
 * fed arbitrary bytes split into words.  Any crash, sanitizer report or
 * broken invariant (abort) is a finding; add the input to unit/regressions.
 */
#include <stddef.h>

#include "check-table.h"
#include "words.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	unsigned int index, major, minor;
	struct quorum_table t;
	const char *error;
	struct words w;
	bool is_index;

	words_split(&w, data, size);
	error = quorum_parse_table(w.argc, w.argv, &t);
	table_invariants(w.argc, w.argv, error, &t);
	if (w.argc)
		quorum_parse_leg_ref(w.argv[0], &is_index, &index, &major,
				     &minor);
	words_free(&w);
	return 0;
}
