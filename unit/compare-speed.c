// SPDX-License-Identifier: GPL-2.0-only
/*
 * How much CPU time dm-quorum's comparison of three copies costs per GB
 * of data read: quorum_mem_equal3() from dm-quorum-elect.h, compiled
 * unchanged, over three equal 1 MiB buffers (the copies of a healthy
 * 1 MiB read).  scripts/bench runs it in every guest: on RAM-disk legs,
 * where every copy is a CPU copy too, this pass and the copies bound
 * what a voted read can cost at best.
 *
 * Prints one line: "compare3_cpu_s_per_GB <seconds>".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../dm-quorum-elect.h"

#define BUF_SIZE	(1024 * 1024)
#define MIN_SECONDS	2.0

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	unsigned char *buf[3];
	unsigned long passes = 0;
	double start, elapsed;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		buf[i] = aligned_alloc(4096, BUF_SIZE);
		if (!buf[i])
			return 1;
		memset(buf[i], 0xa5, BUF_SIZE);
	}
	start = cpu_seconds();
	do {
		/* Equal copies: the whole buffer is compared, as in a healthy read. */
		if (!quorum_mem_equal3(buf[0], buf[1], buf[2], BUF_SIZE))
			return 1;
		passes++;
		/* The buffers may change: compare them again. */
		__asm__ __volatile__("" : : "r"(buf[0]) : "memory");
		elapsed = cpu_seconds() - start;
	} while (elapsed < MIN_SECONDS);
	printf("compare3_cpu_s_per_GB %.3f\n",
	       elapsed / ((double)passes * BUF_SIZE / 1e9));
	return 0;
}
