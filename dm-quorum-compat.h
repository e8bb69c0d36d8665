/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: every difference between the kernel series it builds for
 * (Debian's 6.1 and 6.12) lives here, behind feature or version tests.
 */
#ifndef DM_QUORUM_COMPAT_H
#define DM_QUORUM_COMPAT_H

#include <linux/blkdev.h>
#include <linux/device-mapper.h>

/*
 * Stable pages during writeback, so that every leg receives the same bytes:
 * a target flag up to 6.10, a queue limits feature from 6.11 on.
 */
#ifdef BLK_FEAT_STABLE_WRITES
static inline void quorum_compat_ctr_stable_writes(struct dm_target *ti)
{
}

static inline void quorum_compat_io_hints_stable_writes(struct queue_limits *limits)
{
	limits->features |= BLK_FEAT_STABLE_WRITES;
}
#else
static inline void quorum_compat_ctr_stable_writes(struct dm_target *ti)
{
	ti->needs_stable_writes = true;
}

static inline void quorum_compat_io_hints_stable_writes(struct queue_limits *limits)
{
}
#endif

#endif /* DM_QUORUM_COMPAT_H */
