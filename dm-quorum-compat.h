/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-quorum: every difference between the kernel series it builds for
 * (Debian's 6.1 and 6.12) lives here, behind feature or version tests.
 */
#ifndef DM_QUORUM_COMPAT_H
#define DM_QUORUM_COMPAT_H

#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/mempool.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

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

typedef unsigned long (*quorum_shrink_fn)(struct shrinker *shrinker,
					  struct shrink_control *sc);

/*
 * Shrinkers: allocated by the shrinker core, with a private data pointer,
 * from 6.7 on; embedded in their user's structure and registered up to 6.6.
 */
#ifdef SHRINKER_ALLOCATED
static inline struct shrinker *
quorum_compat_shrinker_create(quorum_shrink_fn count, quorum_shrink_fn scan,
			      void *data, const char *name)
{
	struct shrinker *shrinker = shrinker_alloc(0, "dm-quorum:%s", name);

	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->private_data = data;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void *quorum_compat_shrinker_data(struct shrinker *shrinker)
{
	return shrinker->private_data;
}

static inline void quorum_compat_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
struct quorum_compat_shrinker {
	struct shrinker shrinker;
	void *data;
};

static inline struct shrinker *
quorum_compat_shrinker_create(quorum_shrink_fn count, quorum_shrink_fn scan,
			      void *data, const char *name)
{
	struct quorum_compat_shrinker *qs = kzalloc(sizeof(*qs), GFP_KERNEL);

	if (!qs)
		return NULL;
	qs->shrinker.count_objects = count;
	qs->shrinker.scan_objects = scan;
	qs->shrinker.seeks = DEFAULT_SEEKS;
	qs->data = data;
	if (register_shrinker(&qs->shrinker, "dm-quorum:%s", name)) {
		kfree(qs);
		return NULL;
	}
	return &qs->shrinker;
}

static inline void *quorum_compat_shrinker_data(struct shrinker *shrinker)
{
	return container_of(shrinker, struct quorum_compat_shrinker, shrinker)->data;
}

static inline void quorum_compat_shrinker_destroy(struct shrinker *shrinker)
{
	if (!shrinker)
		return;
	unregister_shrinker(shrinker);
	kfree(container_of(shrinker, struct quorum_compat_shrinker, shrinker));
}
#endif

/*
 * Is a mempool's reserve full?  The kernel's mempool_is_saturated() (6.2
 * on) makes the same test; it is written out for the series without it.
 */
static inline bool quorum_compat_mempool_full(mempool_t *pool)
{
	return READ_ONCE(pool->curr_nr) >= pool->min_nr;
}

#endif /* DM_QUORUM_COMPAT_H */
