/* SPDX-License-Identifier: GPL-2.0-only */
/* A tiny test harness for the user-space unit tests of dm-quorum. */
#ifndef DM_QUORUM_UNIT_H
#define DM_QUORUM_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_failures;
static int unit_checks;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

static inline int unit_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
